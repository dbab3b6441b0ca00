/* Parsing one spool file: the part of the spool that both the ticker
 * (spool.c) and `kabar validate` use, so both say the same lines. Files
 * are read with kb_file_read (core/file.h). Internal to spool/. */
#ifndef KB_SPOOL_PARSE_H
#define KB_SPOOL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "spool/item.h"

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
