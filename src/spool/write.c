#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "spool/spool.h"

bool kb_spool_write(const char *dir, const char *tag, const char *name, const void *data,
                    size_t len, struct kb_error *err)
{
    /* A hidden temp name (the spool never reads names starting with "."),
     * unique so two writers never share it, in the same folder so rename(2)
     * is atomic. */
    char *tmp = kb_xasprintf("%s/.%s.%s.XXXXXX", dir, tag, name);
    char *path = kb_xasprintf("%s/%s", dir, name);
    bool ok = false;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        kb_error_set(err, "%s: cannot write: %s", path, strerror(errno));
        goto done;
    }
    /* mkstemp makes 0600; the ticker may run as another user. */
    int e = fchmod(fd, 0644) == 0 ? 0 : errno;
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
    if (e == 0 && rename(tmp, path) != 0)
        e = errno;
    if (e != 0) {
        kb_error_set(err, "%s: cannot write: %s", path, strerror(e));
        unlink(tmp);
        goto done;
    }
    ok = true;
done:
    free(tmp);
    free(path);
    return ok;
}
