/* Helpers shared by the spool tests: temp folders, files with chosen
 * mtimes, a clock, and a recorder for the change callback. Header-only so
 * each test_*.c stays one program (tests/CMakeLists.txt builds one per file). */
#ifndef KB_TESTS_SPOOL_TEST_H
#define KB_TESTS_SPOOL_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "spool/spool.h"

/* Test paths are short by construction; a cut one would fail the test anyway. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

static inline int64_t test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void test_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* A new empty folder under the build tree; the caller frees the string. */
static inline char *test_mkdtemp(const char *tag)
{
    char base[PATH_MAX];
    snprintf(base, sizeof(base), "%s/spool-tests", KB_TEST_BUILD_DIR);
    mkdir(base, 0755);
    char *dir = malloc(PATH_MAX);
    snprintf(dir, PATH_MAX, "%s/%s-XXXXXX", base, tag);
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        abort();
    }
    return dir;
}

/* rm -r without following symlinks. */
static inline void test_rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *de;
        while (d != NULL && (de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            char sub[PATH_MAX];
            snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
            test_rm_rf(sub);
        }
        if (d != NULL)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static inline void test_path(char *buf, size_t size, const char *dir, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

/* Writes len bytes to dir/name in place. */
static inline void test_write(const char *dir, const char *name, const char *data, size_t len)
{
    char path[PATH_MAX];
    test_path(path, sizeof(path), dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

static inline void test_write_str(const char *dir, const char *name, const char *data)
{
    test_write(dir, name, data, strlen(data));
}

/* Writes dir/.name.tmp and renames it to dir/name, as producers must. */
static inline void test_put(const char *dir, const char *name, const char *data)
{
    char tmp[PATH_MAX], path[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
    test_path(path, sizeof(path), dir, name);
    FILE *f = fopen(tmp, "wb");
    fputs(data, f);
    fclose(f);
    if (rename(tmp, path) != 0) {
        perror(path);
        abort();
    }
}

/* Sets the mtime of dir/name to age_ms before now (negative: in the future). */
static inline void test_age(const char *dir, const char *name, int64_t age_ms)
{
    char path[PATH_MAX];
    test_path(path, sizeof(path), dir, name);
    int64_t t = test_now_ms() - age_ms;
    struct timespec ts[2] = {{t / 1000, (long)(t % 1000) * 1000000L},
                             {t / 1000, (long)(t % 1000) * 1000000L}};
    utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

static inline bool test_exists(const char *dir, const char *name)
{
    char path[PATH_MAX];
    test_path(path, sizeof(path), dir, name);
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Reads dir/name into a new string (NULL if it cannot). */
static inline char *test_read(const char *dir, const char *name)
{
    char path[PATH_MAX];
    test_path(path, sizeof(path), dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* A minimal valid item. */
static inline char *test_item(const char *id, const char *lang, const char *text, const char *extra)
{
    char *buf = malloc(8192);
    snprintf(buf, 8192, "{\"id\": \"%s\", \"lang\": \"%s\", \"text\": \"%s\"%s%s}", id, lang, text,
             extra && extra[0] ? ", " : "", extra ? extra : "");
    return buf;
}

static inline void test_put_item(const char *dir, const char *name, const char *id,
                                 const char *lang, const char *text, const char *extra)
{
    char *json = test_item(id, lang, text, extra);
    test_put(dir, name, json);
    free(json);
}

/* Records what the change callback reports. */
#define REC_MAX 4096
struct rec_event {
    enum kb_spool_change what;
    char id[KB_ID_MAX + 1];
    char text[256];
    uint64_t version;
};

struct recorder {
    struct rec_event ev[REC_MAX];
    size_t n;
    size_t added, edited, removed;
    /* Optional check run on every ADDED or EDITED item. */
    void (*check)(const struct kb_item *item, void *ctx);
    void *ctx;
};

static inline void rec_fn(void *user, enum kb_spool_change what, const struct kb_item *item)
{
    struct recorder *r = user;
    if (what == KB_SPOOL_ADDED)
        r->added++;
    else if (what == KB_SPOOL_EDITED)
        r->edited++;
    else
        r->removed++;
    if (r->check != NULL && what != KB_SPOOL_REMOVED)
        r->check(item, r->ctx);
    if (r->n < REC_MAX) {
        struct rec_event *e = &r->ev[r->n++];
        e->what = what;
        snprintf(e->id, sizeof(e->id), "%s", item->id);
        snprintf(e->text, sizeof(e->text), "%s", item->text);
        e->version = item->version;
    }
}

static inline void rec_clear(struct recorder *r)
{
    r->n = r->added = r->edited = r->removed = 0;
}

/* Runs the ingest loop as the app does for up to ms of real time, or until
 * stop(ctx) holds: poll the spool's fd with its timeout, then update. */
static inline void test_pump(struct kb_spool *s, int ms, bool (*stop)(void *), void *ctx)
{
    int64_t end = test_now_ms() + ms;
    for (;;) {
        int64_t now = test_now_ms();
        if (now >= end || (stop != NULL && stop(ctx)))
            break;
        int t = kb_spool_timeout_ms(s, now);
        int left = (int)(end - now);
        if (t < 0 || t > left)
            t = left;
        /* A short cap on each wait keeps the loop responsive to stop(). */
        if (t > 20)
            t = 20;
        struct pollfd p = {.fd = kb_spool_fd(s), .events = POLLIN};
        if (p.fd >= 0)
            poll(&p, 1, t);
        else
            test_sleep_ms(t);
        kb_spool_update(s, test_now_ms());
    }
}

#endif
