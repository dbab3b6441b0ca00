#include "spool/reject_bound.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/limits.h"
#include "core/xmalloc.h"

#define REASON_SUFFIX ".error.txt"

static atomic_uint_fast64_t pruned;

struct rfile {
    char *name;
    int64_t mtime_ns;
    int64_t size;
    bool gone;
};

static int by_age(const void *pa, const void *pb)
{
    const struct rfile *a = pa, *b = pb;
    if (a->mtime_ns != b->mtime_ns)
        return a->mtime_ns < b->mtime_ns ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* The name a reason explains ("x.json" for "x.json.error.txt"), or NULL. */
static char *explained(const char *name)
{
    size_t n = strlen(name), s = strlen(REASON_SUFFIX);
    if (n <= s || strcmp(name + n - s, REASON_SUFFIX) != 0)
        return NULL;
    return kb_xstrndup(name, n - s);
}

static bool protected(const char *name, const char *keep)
{
    if (keep == NULL)
        return false;
    size_t k = strlen(keep);
    return strcmp(name, keep) == 0 ||
           (strncmp(name, keep, k) == 0 && strcmp(name + k, REASON_SUFFIX) == 0);
}

static size_t list(int rfd, struct rfile **out, int64_t *bytes)
{
    *out = NULL;
    *bytes = 0;
    int fd = openat(rfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (e->d_name[0] == '.' || fstatat(rfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            *out = kb_xreallocarray(*out, cap, sizeof(**out));
        }
        (*out)[n++] = (struct rfile){kb_xstrdup(e->d_name),
                                     (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
                                     (int64_t)st.st_size, false};
        *bytes += (int64_t)st.st_size;
    }
    closedir(d);
    return n;
}

/* Removes files[i] and its partner (its reason, or the file it explains). */
static size_t remove_pair(int rfd, struct rfile *files, size_t n, size_t i, size_t *count,
                          int64_t *bytes)
{
    char *partner = explained(files[i].name);
    if (partner == NULL)
        partner = kb_xasprintf("%s" REASON_SUFFIX, files[i].name);
    size_t removed = 0;
    for (size_t j = 0; j < n; j++) {
        bool mine = j == i || strcmp(files[j].name, partner) == 0;
        if (!mine || files[j].gone)
            continue;
        files[j].gone = true;
        if (unlinkat(rfd, files[j].name, 0) == 0 || errno == ENOENT) {
            (*count)--;
            *bytes -= files[j].size;
            removed++;
        }
    }
    free(partner);
    return removed;
}

size_t kb_spool_rejected_bound(int rfd, const char *keep)
{
    struct rfile *files;
    int64_t bytes;
    size_t n = list(rfd, &files, &bytes), count = n, removed = 0;
    if (count > KB_SPOOL_REJECTED_MAX_FILES || bytes > KB_SPOOL_REJECTED_MAX_BYTES) {
        qsort(files, n, sizeof(*files), by_age);
        for (size_t i = 0; i < n; i++) {
            if (count <= KB_SPOOL_REJECTED_MAX_FILES / 4 * 3 &&
                bytes <= KB_SPOOL_REJECTED_MAX_BYTES / 4 * 3)
                break;
            if (!files[i].gone && !protected(files[i].name, keep))
                removed += remove_pair(rfd, files, n, i, &count, &bytes);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(files[i].name);
    free(files);
    atomic_fetch_add(&pruned, removed);
    return removed;
}

uint64_t kb_spool_rejected_pruned(void)
{
    return atomic_load(&pruned);
}
