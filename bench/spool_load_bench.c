/* The spool at its limit, timed: 10,000 item files, then 10 bundles of
 * 1,000, each loaded by a fresh spool; 1,000 playlist picks over them; a
 * rescan of the unchanged folder. Figures, not assertions (docs/bench.md):
 * tests/spool/test_perf.c checks what must hold, this says how fast.
 *
 * usage: spool_load_bench [N_ITEMS] */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "spool/playlist.h"
#include "spool/spool.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_file(const char *dir, const char *name, const char *data, size_t len)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d != NULL && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        unlink(path);
    }
    if (d != NULL)
        closedir(d);
    rmdir(dir);
}

static void measure(const char *dir, const char *what, int n)
{
    struct kb_spool_opts opts = {
        .dir = dir, .settle_s = 2, .use_inotify = true, .move_rejected = false};
    double t0 = now_s();
    struct kb_spool *s = kb_spool_new(&opts, NULL, NULL);
    size_t changes = kb_spool_update(s, wall_ms());
    double load = now_s() - t0;
    struct kb_playlist *pl = kb_playlist_new("en, fr", KB_LANG_MODE_FIRST);
    t0 = now_s();
    for (int i = 0; i < 1000; i++)
        kb_playlist_next(pl, s, wall_ms());
    double picks = now_s() - t0;
    kb_playlist_free(pl);
    t0 = now_s();
    kb_spool_update(s, wall_ms() + 61000);
    double rescan = now_s() - t0;
    printf("spool, %s: %zu of %d items loaded in %.3f s; 1000 picks in %.3f s; "
           "rescan of the unchanged folder in %.3f s\n",
           what, changes, n, load, picks, rescan);
    kb_spool_free(s);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10000;
    if (n < 10)
        n = 10;
    kb_log_set_level(KB_LOG_ERR);
    char dir[] = "/tmp/kabar-spool-bench-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    for (int i = 0; i < n; i++) {
        char name[32], json[512];
        snprintf(name, sizeof(name), "i%05d.json", i);
        int len =
            snprintf(json, sizeof(json),
                     "{\"id\": \"newsroom-20211119-item-%05d-%s\", \"lang\": \"%s\", "
                     "\"text\": \"Headline number %d about something that happened "
                     "today\", \"story\": \"story-%05d\", \"source\": \"Wire\", "
                     "\"published\": \"2021-11-19T10:%02d:%02dZ\"}",
                     i, i % 2 ? "fr" : "en", i % 2 ? "fr" : "en", i, i / 2, (i / 60) % 60, i % 60);
        write_file(dir, name, json, (size_t)len);
    }
    measure(dir, "one file per item", n);
    remove_tree(dir);

    if (mkdtemp(strcpy(dir, "/tmp/kabar-spool-bench-XXXXXX")) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    size_t cap = 1024 * 1024;
    char *buf = malloc(cap);
    for (int b = 0; b < 10; b++) {
        size_t o = (size_t)snprintf(buf, cap, "{\"items\": [");
        for (int i = 0; i < n / 10 && o < cap - 256; i++)
            o += (size_t)snprintf(buf + o, cap - o,
                                  "%s{\"id\": \"b%d-%d\", \"lang\": \"en\", \"text\": \"Bundled "
                                  "headline %d of %d\"}",
                                  i ? ", " : "", b, i, i, b);
        o += (size_t)snprintf(buf + o, cap - o, "]}");
        char name[32];
        snprintf(name, sizeof(name), "bundle%d.json", b);
        write_file(dir, name, buf, o);
    }
    free(buf);
    measure(dir, "10 bundles", n);
    remove_tree(dir);
    kb_log_shutdown();
    return 0;
}
