#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/xmalloc.h"

void kb_file_sig_set(struct kb_file_sig *sig, const struct stat *st)
{
    sig->have = true;
    sig->dev = st->st_dev;
    sig->ino = st->st_ino;
    sig->size = st->st_size;
    sig->mtim = st->st_mtim;
}

bool kb_file_sig_same(const struct kb_file_sig *sig, const struct stat *st)
{
    return sig->have && sig->dev == st->st_dev && sig->ino == st->st_ino &&
           sig->size == st->st_size && sig->mtim.tv_sec == st->st_mtim.tv_sec &&
           sig->mtim.tv_nsec == st->st_mtim.tv_nsec;
}

const char *kb_file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISLNK(mode))
        return "a symbolic link";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    return "not a regular file";
}

/* Why openat failed, as a result and a line. */
static enum kb_read_result open_failed(int dirfd, const char *name, const char *where, int e,
                                       struct kb_error *err)
{
    if (e == ENOENT || e == ENOTDIR)
        return KB_READ_GONE;
    if (e == ELOOP || e == ENXIO) {
        /* A symlink (O_NOFOLLOW), or a socket: name what it is. */
        struct stat lst;
        mode_t mode = fstatat(dirfd, name, &lst, AT_SYMLINK_NOFOLLOW) == 0
                          ? lst.st_mode
                          : (e == ELOOP ? S_IFLNK : S_IFSOCK);
        kb_error_set(err, "%s: %s, not a regular file", where, kb_file_kind(mode));
        return KB_READ_NOT_REGULAR;
    }
    kb_error_set(err, "%s: cannot open: %s", where, strerror(e));
    /* The process's trouble, not the file's: it must not be rejected for it. */
    if (e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOBUFS)
        return KB_READ_BUSY;
    return KB_READ_ERROR;
}

/* Reads fd to its end, at most max_bytes. */
static enum kb_read_result read_all(int fd, const char *where, size_t max_bytes, size_t size_hint,
                                    char **buf, size_t *len, struct kb_error *err)
{
    /* Read to the end, not just st_size bytes: a file written in place may
     * still grow, and must not slip past the limit that way. */
    size_t cap = size_hint + 1, n = 0;
    char *data = kb_xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap > max_bytes)
                break;
            cap = cap * 2 > max_bytes + 1 ? max_bytes + 1 : cap * 2;
            data = kb_xrealloc(data, cap + 1);
        }
        ssize_t r = read(fd, data + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            kb_error_set(err, "%s: cannot read: %s", where, strerror(errno));
            free(data);
            return KB_READ_ERROR;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n > max_bytes) {
        kb_error_set(err, "%s: more than the limit of %zu bytes", where, max_bytes);
        free(data);
        return KB_READ_ERROR;
    }
    data[n] = '\0';
    *buf = data;
    *len = n;
    return KB_READ_OK;
}

/* kb_file_read and kb_file_read_named: follow says whether a symlink as
 * name's last component is followed. */
static enum kb_read_result read_file(int dirfd, const char *name, const char *where, bool follow,
                                     size_t max_bytes, char **buf, size_t *len, struct stat *st,
                                     struct kb_error *err)
{
    memset(st, 0, sizeof(*st));
    *buf = NULL;
    *len = 0;
    /* O_NOFOLLOW: a symlink could point anywhere (/etc/shadow, a FIFO, a
     * 1 TB file); O_NONBLOCK: opening a FIFO must not hang the thread. */
    int fd = openat(dirfd, name,
                    O_RDONLY | (follow ? 0 : O_NOFOLLOW) | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return open_failed(dirfd, name, where, errno, err);

    enum kb_read_result result = KB_READ_ERROR;
    if (fstat(fd, st) != 0) {
        kb_error_set(err, "%s: cannot stat: %s", where, strerror(errno));
    } else if (!S_ISREG(st->st_mode)) {
        kb_error_set(err, "%s: %s, not a regular file", where, kb_file_kind(st->st_mode));
        result = KB_READ_NOT_REGULAR;
    } else if ((uintmax_t)st->st_size > max_bytes) {
        kb_error_set(err, "%s: %jd bytes, more than the limit of %zu", where, (intmax_t)st->st_size,
                     max_bytes);
    } else {
        result = read_all(fd, where, max_bytes, (size_t)st->st_size, buf, len, err);
    }
    close(fd);
    return result;
}

enum kb_read_result kb_file_read(int dirfd, const char *name, const char *where, size_t max_bytes,
                                 char **buf, size_t *len, struct stat *st, struct kb_error *err)
{
    return read_file(dirfd, name, where, false, max_bytes, buf, len, st, err);
}

bool kb_file_read_named(const char *path, size_t max_bytes, char **buf, size_t *len,
                        struct kb_error *err)
{
    struct stat st;
    enum kb_read_result r = read_file(AT_FDCWD, path, path, true, max_bytes, buf, len, &st, err);
    if (r == KB_READ_GONE)
        kb_error_set(err, "%s: %s", path, strerror(ENOENT));
    return r == KB_READ_OK;
}

/* Opens a new temp file for name under dirfd: ".TAG.BASE.XXXXXX" in name's
 * folder, XXXXXX random. O_EXCL, so a name planted there (a symlink) is
 * never written through: another one is tried. */
static int open_temp(int dirfd, const char *name, const char *tag, char **tmp)
{
    static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static _Atomic uint64_t counter;
    const char *slash = strrchr(name, '/');
    const char *base = slash != NULL ? slash + 1 : name;
    int dirlen = slash != NULL ? (int)(slash - name) + 1 : 0;
    *tmp = kb_xasprintf("%.*s.%s.%s.XXXXXX", dirlen, name, tag, base);
    char *x = *tmp + strlen(*tmp) - 6;
    for (int attempt = 0; attempt < 100; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        /* Unique enough with O_EXCL behind it: time, process and a counter, mixed. */
        uint64_t r = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
                     ((uint64_t)getpid() << 40) ^ (counter++ * 0x9e3779b97f4a7c15ULL);
        r ^= r >> 31;
        r *= 0xbf58476d1ce4e5b9ULL;
        r ^= r >> 29;
        for (int i = 0; i < 6; i++, r /= 62)
            x[i] = chars[r % 62];
        int fd = openat(dirfd, *tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1;
}

bool kb_file_write_atomic(int dirfd, const char *name, const char *where, const char *tag,
                          const void *data, size_t len, struct kb_error *err)
{
    /* The temp file in the target's folder, so rename(2) is atomic; a dot
     * name, so the spool (and any reader that skips hidden files) never
     * reads one. */
    char *tmp = NULL;
    int e = 0;
    int fd = open_temp(dirfd, name, tag, &tmp);
    if (fd < 0) {
        e = errno;
        kb_error_set(err, "%s: cannot write: %s", where, strerror(e));
        goto done;
    }
    /* Created 0600 whatever the umask; the reader may run as another user. */
    e = fchmod(fd, 0644) == 0 ? 0 : errno;
    for (size_t off = 0; e == 0 && off < len;) {
        ssize_t n = write(fd, (const char *)data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            e = n < 0 ? errno : EIO;
        else
            off += (size_t)n;
    }
    if (close(fd) != 0 && e == 0)
        e = errno;
    if (e == 0 && renameat(dirfd, tmp, dirfd, name) != 0)
        e = errno;
    if (e != 0) {
        kb_error_set(err, "%s: cannot write: %s", where, strerror(e));
        unlinkat(dirfd, tmp, 0);
    }
done:
    free(tmp);
    errno = e;
    return e == 0;
}
