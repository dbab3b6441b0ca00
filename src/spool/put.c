#include "spool/put.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "core/limits.h"
#include "core/xmalloc.h"
#include "spool/reject_bound.h"

/* True if path is a regular file holding exactly data. */
static bool holds(const char *path, const void *data, size_t len)
{
    /* A file bigger than any spool file cannot be data: nothing to compare. */
    if (len > KB_SPOOL_FILE_MAX_BYTES)
        return false;
    char *buf = NULL;
    size_t got = 0;
    struct stat st;
    struct kb_error err;
    bool same = kb_file_read(AT_FDCWD, path, path, len, &buf, &got, &st, &err) == KB_READ_OK &&
                got == len && memcmp(buf, data, len) == 0;
    free(buf);
    return same;
}

enum kb_spool_put kb_spool_put(const char *dir, const char *tag, const char *name, const void *data,
                               size_t len, struct kb_error *err)
{
    char *path = kb_xasprintf("%s/%s", dir, name);
    enum kb_spool_put result = KB_SPOOL_PUT_UNCHANGED;
    if (!holds(path, data, len))
        result = kb_file_write_atomic(AT_FDCWD, path, path, tag, data, len, err)
                     ? KB_SPOOL_PUT_WRITTEN
                     : KB_SPOOL_PUT_FAILED;
    free(path);
    return result;
}

/* dir/rejected, made if missing, never through a symlink. */
static int open_rejected(int dfd)
{
    int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int fd = openat(dfd, KB_SPOOL_REJECTED_DIR, flags);
    if (fd < 0 && errno == ENOENT) {
        if (mkdirat(dfd, KB_SPOOL_REJECTED_DIR, 0755) != 0 && errno != EEXIST)
            return -1;
        fd = openat(dfd, KB_SPOOL_REJECTED_DIR, flags);
    }
    return fd;
}

/* Puts the reason, then the file (written or moved), inside rfd. */
static enum kb_spool_rejected reject_into(int dfd, int rfd, const char *dir, const char *tag,
                                          const char *name, const void *data, size_t len,
                                          const char *line, struct kb_error *err)
{
    char *ename = kb_xasprintf("%s.error.txt", name);
    char *ewhere = kb_xasprintf("%s/" KB_SPOOL_REJECTED_DIR "/%s", dir, ename);
    /* A refused payload is kept to its first KB_SPOOL_REJECTED_KEEP_BYTES:
     * enough to see what is wrong, and no way to fill the card. */
    char *text = data != NULL && len > KB_SPOOL_REJECTED_KEEP_BYTES
                     ? kb_xasprintf("%s\n%s keeps the first %d of its %zu bytes\n", line, name,
                                    KB_SPOOL_REJECTED_KEEP_BYTES, len)
                     : kb_xasprintf("%s\n", line);
    if (data != NULL && len > KB_SPOOL_REJECTED_KEEP_BYTES)
        len = KB_SPOOL_REJECTED_KEEP_BYTES;
    struct kb_error werr;
    /* The reason first, so the file never sits in rejected/ without one. */
    bool have_reason = kb_file_write_atomic(rfd, ename, ewhere, tag, text, strlen(text), &werr);
    int reason_errno = errno;
    enum kb_spool_rejected result = KB_SPOOL_REJECT_FAILED;
    if (data != NULL) {
        /* A payload without its reason would be a mystery: both or neither. */
        char *where = kb_xasprintf("%s/" KB_SPOOL_REJECTED_DIR "/%s", dir, name);
        if (have_reason && kb_file_write_atomic(rfd, name, where, tag, data, len, &werr))
            result = KB_SPOOL_REJECT_DONE;
        else
            kb_error_set(err, "%s", werr.msg);
        free(where);
    } else if (renameat(dfd, name, rfd, name) != 0) {
        kb_error_set(err, "%s/%s: cannot move to %s/: %s", dir, name, KB_SPOOL_REJECTED_DIR,
                     strerror(errno));
    } else if (!have_reason) {
        kb_error_set(err, "%s", strerror(reason_errno));
        result = KB_SPOOL_REJECT_NO_REASON;
    } else {
        result = KB_SPOOL_REJECT_DONE;
    }
    if (result == KB_SPOOL_REJECT_FAILED && have_reason)
        unlinkat(rfd, ename, 0);
    free(ename);
    free(ewhere);
    free(text);
    return result;
}

enum kb_spool_rejected kb_spool_reject(const char *dir, const char *tag, const char *name,
                                       const void *data, size_t len, const char *line,
                                       struct kb_error *err)
{
    kb_error_clear(err);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rfd = dfd >= 0 ? open_rejected(dfd) : -1;
    if (rfd < 0) {
        if (data != NULL)
            kb_error_set(err, "%s/%s: %s", dir, KB_SPOOL_REJECTED_DIR, strerror(errno));
        else
            kb_error_set(err, "%s/%s: cannot move to %s/: %s", dir, name, KB_SPOOL_REJECTED_DIR,
                         strerror(errno));
        if (dfd >= 0)
            close(dfd);
        return KB_SPOOL_REJECT_FAILED;
    }
    /* "images/x.png": a picture is moved out of its folder (never followed
     * if that folder is a symlink) and kept in rejected/ by its base name. */
    const char *slash = data == NULL ? strchr(name, '/') : NULL;
    int sfd = dfd;
    if (slash != NULL) {
        char *sub = kb_xstrndup(name, (size_t)(slash - name));
        sfd = openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        free(sub);
        name = slash + 1;
    }
    enum kb_spool_rejected result = KB_SPOOL_REJECT_FAILED;
    if (sfd >= 0)
        result = reject_into(sfd, rfd, dir, tag, name, data, len, line, err);
    else
        kb_error_set(err, "%s/%s: cannot move to %s/: %s", dir, name, KB_SPOOL_REJECTED_DIR,
                     strerror(errno));
    if (sfd >= 0 && sfd != dfd)
        close(sfd);
    /* The one bound of rejected/, whoever puts a file there. */
    if (result != KB_SPOOL_REJECT_FAILED)
        kb_spool_rejected_bound(rfd, name);
    close(rfd);
    close(dfd);
    return result;
}
