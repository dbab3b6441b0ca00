/* Where kabar finds what it ships: the source tree when run from a build,
 * else the installed data directory. */
#ifndef KB_APP_PATHS_H
#define KB_APP_PATHS_H

/* A path under the data directory (e.g. "assets/demo-spool",
 * "boards/rpi4.conf"): the source tree's if it exists there, else the
 * installed one. The caller frees it. */
char *kb_data_path(const char *rel);

#endif
