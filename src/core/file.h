/* Files from outside, read and written one way everywhere: spool files,
 * feed state, password files, stats, preview copies.
 *
 * kb_file_read opens without following symlinks or blocking on FIFOs,
 * accepts only a regular file, and reads it whole up to a bound, so no name
 * planted in a folder can make kabar read /etc/shadow, hang on a pipe or
 * swallow a 1 TB file. kb_file_write_atomic writes a hidden temp file beside
 * the target and renames it in, so a reader sees the old file or the new
 * one, never half of one. No global state; safe from any thread. */
#ifndef KB_CORE_FILE_H
#define KB_CORE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "core/error.h"

enum kb_read_result {
    KB_READ_OK,          /* *buf holds the whole file */
    KB_READ_GONE,        /* the name does not exist (it vanished or was renamed away); err unset */
    KB_READ_NOT_REGULAR, /* a symlink, FIFO, socket, device or folder: err says which */
    KB_READ_ERROR,       /* the file cannot be used (too big, unreadable); err has the line */
    KB_READ_BUSY,        /* the process is out of file descriptors or memory for now: nothing is
                            known of the file; try again later. err has the line */
};

/* Opens name (relative to dirfd, or AT_FDCWD) without following symlinks or
 * blocking on FIFOs, checks it is a regular file of at most max_bytes, and
 * reads it whole, to its end even if it grows while being read (it is
 * refused if it grows past max_bytes). where names the file in messages
 * ("<where>: 2000000 bytes, more than the limit of 1048576").
 *
 * On KB_READ_OK, *buf is a new buffer the caller frees, with one NUL byte
 * past *len, and *st is the opened file's stat. *st is also set, from the
 * open descriptor, on KB_READ_ERROR when the file could be opened (so
 * st->st_size tells "too big" apart), and is all zero otherwise. */
enum kb_read_result kb_file_read(int dirfd, const char *name, const char *where, size_t max_bytes,
                                 char **buf, size_t *len, struct stat *st, struct kb_error *err);

/* The same for a file the operator named by its path (the config file, the
 * font chain): a symlink there is followed, since the operator chose it,
 * but what it leads to must still be a regular file of at most max_bytes,
 * never a FIFO, a device or a folder. False with err set ("PATH: No such
 * file or directory", "PATH: a FIFO, not a regular file" ...) otherwise.
 * On success *buf is a new buffer the caller frees, NUL after *len bytes. */
bool kb_file_read_named(const char *path, size_t max_bytes, char **buf, size_t *len,
                        struct kb_error *err);

/* What tells a reader that a file changed without reading it again: its
 * device, inode, size and mtime (a rename in, a rewrite or a touch changes
 * one of them). A zeroed signature matches no file. Plain data, owned by
 * the caller. */
struct kb_file_sig {
    bool have;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtim;
};

/* Remembers st (a stat from kb_file_read or fstatat) in sig. */
void kb_file_sig_set(struct kb_file_sig *sig, const struct stat *st);

/* True if sig was set from a stat of this very file, unchanged. */
bool kb_file_sig_same(const struct kb_file_sig *sig, const struct stat *st);

/* "a directory", "a FIFO" ...: what a non-regular file is, for messages.
 * A static string. */
const char *kb_file_kind(mode_t mode);

/* Writes data as name (relative to dirfd, or AT_FDCWD), atomically: first
 * to a new hidden temp file in the same folder (".TAG.BASE.XXXXXX", BASE
 * being name's last component: O_EXCL with a random suffix, so two writers
 * never share one and a planted symlink is never written through; named by
 * tag so a producer can find its own leftovers after a crash), then
 * renameat(2) over name. Mode 0644 whatever the umask (the reader may run
 * as another user). No fsync. where names the file in messages. On failure
 * the temp file is removed, name is untouched, err says "<where>: cannot
 * write: <why>" and errno is the cause. */
bool kb_file_write_atomic(int dirfd, const char *name, const char *where, const char *tag,
                          const void *data, size_t len, struct kb_error *err);

#endif
