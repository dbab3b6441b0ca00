/* Reading and parsing one spool file: the part of the spool that both the
 * ticker (spool.c) and `kabar validate` use, so both say the same lines.
 * Internal to spool/. */
#ifndef KB_SPOOL_FILE_H
#define KB_SPOOL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "core/error.h"
#include "spool/item.h"

enum kb_read_result {
    KB_READ_OK,          /* *buf holds the whole file */
    KB_READ_GONE,        /* the name no longer exists (it vanished or was renamed away) */
    KB_READ_NOT_REGULAR, /* a symlink, FIFO, socket, device or folder: never an item; err says which
                          */
    KB_READ_ERROR,       /* the file cannot be used (too big, unreadable); err has the line */
    KB_READ_BUSY,        /* kabar is out of file descriptors or memory for now: nothing is known
                            of the file; try again later. err has the line */
};

/* Opens name under dirfd without following symlinks or blocking on FIFOs,
 * checks it is a regular file of at most max_bytes, and reads it whole.
 * where names the file in messages. On KB_READ_OK, *buf (caller frees; one
 * NUL byte past *len) and *st (the opened file's stat) are set. *st is also
 * set, from the open descriptor, on KB_READ_ERROR when the file could be
 * opened, and st->st_mtime is 0 otherwise. */
enum kb_read_result kb_spool_read(int dirfd, const char *name, const char *where, size_t max_bytes,
                                  char **buf, size_t *len, struct stat *st, struct kb_error *err);

/* "a directory", "a FIFO" ...: what a non-regular file is, for messages. */
const char *kb_spool_file_kind(mode_t mode);

/* Parses a whole spool file (one item object, or a bundle {"items": [...]})
 * and validates every item; a file is valid only if all its items are.
 * mtime (Unix seconds) is the default `published`; max_items bounds a
 * bundle. Unknown fields are warned about once per log_key (NULL: not
 * logged). On success *items is a new array of *n new items (the caller
 * frees each with kb_item_free, then the array); on failure err has the
 * one line and nothing is returned. */
bool kb_spool_parse(const char *buf, size_t len, const char *where, int64_t mtime, size_t max_items,
                    const char *log_key, struct kb_item ***items, size_t *n, struct kb_error *err);

#endif
