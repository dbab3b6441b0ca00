/* `kabar preview`: how given items will look on a given wall, before they
 * air. The items are copied into a private spool and shown by the ticker
 * itself with the board's geometry and theme; --png draws a strip instead,
 * each item shown whole, a bar per screen width it needs; --watch follows
 * the files and shows each edit at once. */
#ifndef KB_APP_PREVIEW_H
#define KB_APP_PREVIEW_H

#include <stdbool.h>

#include "app/config.h"

struct kb_preview_opts {
    struct kb_config cfg; /* effective: board, config file and flags applied */
    char **files;
    int n_files;
    const char *png; /* write a strip here instead of opening a window */
    bool watch;
};

/* Returns the exit status: 0, or 1 if a file was invalid or nothing could
 * be shown. opts is only read, during the call; the private spool it makes
 * is removed before it returns. */
int kb_preview(const struct kb_preview_opts *opts);

#endif
