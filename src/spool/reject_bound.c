#include "spool/reject_bound.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

/* What one process knows of a rejected/ folder without reading it: its
 * files and bytes at the last scan, plus what was added since (counted as
 * new files, so a name written again makes the estimate too high, never
 * too low). Another process (the ticker beside the bridge, a feed) adds
 * files the estimate does not see: a scan every RESCAN_ADDS additions or
 * RESCAN_S seconds catches them, and a prune always works from a scan. */
#define RESCAN_ADDS 64
#define RESCAN_S 10
#define CACHED_DIRS 8

struct cached {
    dev_t dev;
    ino_t ino;
    bool used;
    size_t count;
    int64_t bytes;
    unsigned adds;
    time_t scanned; /* CLOCK_MONOTONIC seconds */
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached cache[CACHED_DIRS];
static unsigned next_slot;

static time_t mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

static int64_t size_at(int rfd, const char *name, size_t *files)
{
    struct stat st;
    if (name == NULL || fstatat(rfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
        return 0;
    (*files)++;
    return (int64_t)st.st_size;
}

/* Under cache_lock: the entry for the folder rfd, or NULL if it needs a
 * scan (unknown, stale, or over the bound by the estimate). Adds keep and
 * its reason to a known entry first. */
static struct cached *estimate(int rfd, const struct stat *dir, const char *keep)
{
    struct cached *c = NULL;
    for (size_t i = 0; i < CACHED_DIRS && c == NULL; i++) {
        if (cache[i].used && cache[i].dev == dir->st_dev && cache[i].ino == dir->st_ino)
            c = &cache[i];
    }
    if (c == NULL) {
        c = &cache[next_slot++ % CACHED_DIRS];
        *c = (struct cached){dir->st_dev, dir->st_ino, true, 0, 0, 0, 0};
        return NULL;
    }
    if (keep != NULL) {
        char *reason = kb_xasprintf("%s" REASON_SUFFIX, keep);
        c->bytes += size_at(rfd, keep, &c->count) + size_at(rfd, reason, &c->count);
        free(reason);
        c->adds++;
    }
    if (c->adds >= RESCAN_ADDS || mono_s() - c->scanned >= RESCAN_S ||
        c->count > KB_SPOOL_REJECTED_MAX_FILES || c->bytes > KB_SPOOL_REJECTED_MAX_BYTES)
        return NULL;
    return c;
}

static void remember(const struct stat *dir, size_t count, int64_t bytes)
{
    for (size_t i = 0; i < CACHED_DIRS; i++) {
        struct cached *c = &cache[i];
        if (c->used && c->dev == dir->st_dev && c->ino == dir->st_ino) {
            c->count = count;
            c->bytes = bytes;
            c->adds = 0;
            c->scanned = mono_s();
        }
    }
}

/* Reads the folder and prunes it if it is over the bound. */
static size_t scan_and_prune(int rfd, const char *keep, size_t *left, int64_t *left_bytes)
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
    *left = count;
    *left_bytes = bytes;
    return removed;
}

size_t kb_spool_rejected_bound(int rfd, const char *keep)
{
    struct stat dir;
    if (fstat(rfd, &dir) != 0)
        return 0;
    /* One lock around the whole check: two threads pruning one folder at
     * once would each count the other's removals. */
    pthread_mutex_lock(&cache_lock);
    size_t removed = 0;
    if (estimate(rfd, &dir, keep) == NULL) {
        size_t count;
        int64_t bytes;
        removed = scan_and_prune(rfd, keep, &count, &bytes);
        remember(&dir, count, bytes);
    }
    pthread_mutex_unlock(&cache_lock);
    atomic_fetch_add(&pruned, removed);
    return removed;
}

uint64_t kb_spool_rejected_pruned(void)
{
    return atomic_load(&pruned);
}
