/* The command line's usage errors, alike in every subcommand. */
#ifndef KB_APP_USAGE_H
#define KB_APP_USAGE_H

/* Prints "kabar: MESSAGE" and the usage to stderr; returns 2, the exit
 * status of a usage error. */
int kb_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
