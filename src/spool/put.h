/* The producer side of the spool (SPOOL-FORMAT.md "Files"), one way for
 * every writer: the ticker's own rejected/ moves, `kabar post`, `kabar feed`
 * and `kabar mqtt`. Paths only, no state: safe from any thread. */
#ifndef KB_SPOOL_PUT_H
#define KB_SPOOL_PUT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* The folder of a spool where bad files go, beside their reasons. */
#define KB_SPOOL_REJECTED_DIR "rejected"

enum kb_spool_put {
    KB_SPOOL_PUT_UNCHANGED, /* dir/name already held exactly data: left alone, so its mtime
                               (the default `published`) and inode stay */
    KB_SPOOL_PUT_WRITTEN,   /* written */
    KB_SPOOL_PUT_FAILED,    /* could not be written (err says why); dir/name is untouched */
};

/* Puts data as dir/name unless the file there already holds exactly that
 * (a regular file, read without following symlinks): written with
 * kb_file_write_atomic, its temp file named ".TAG.NAME.XXXXXX" in dir, so
 * the spool sees the old file or the new one, never half of one. */
enum kb_spool_put kb_spool_put(const char *dir, const char *tag, const char *name, const void *data,
                               size_t len, struct kb_error *err);

enum kb_spool_rejected {
    KB_SPOOL_REJECT_FAILED,    /* NAME is not in rejected/ (err has the line); nothing was left
                                  there: a reason without its file is removed */
    KB_SPOOL_REJECT_DONE,      /* NAME and NAME.error.txt are in rejected/ */
    KB_SPOOL_REJECT_NO_REASON, /* NAME is in rejected/ but NAME.error.txt could not be written
                                  (a 255-byte name has no room for the suffix): err->msg is
                                  the cause alone ("File name too long"), for the caller's line.
                                  The file is kept anyway: it is evidence */
};

/* Puts NAME in dir/rejected/ beside NAME.error.txt, which holds line and a
 * newline. rejected/ is made if missing, and never followed if it is a
 * symlink (nothing is written outside the spool). The reason is written
 * first, so the file never sits there without one. With data, data is
 * written as rejected/NAME (a producer keeping a payload it refused; temp
 * files ".TAG.*"); with data NULL, the file dir/NAME is moved there (the
 * ticker rejecting a file it found bad). With data NULL, name may be
 * "SUB/NAME" (a picture in images/): SUB is opened without following a
 * symlink, and the file is kept as rejected/NAME. */
enum kb_spool_rejected kb_spool_reject(const char *dir, const char *tag, const char *name,
                                       const void *data, size_t len, const char *line,
                                       struct kb_error *err);

#endif
