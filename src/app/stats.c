#include "app/stats.h"
#include "app/blank.h"
#include "app/onscreen.h"
#include "app/tally.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/file.h"
#include "core/limits.h"
#include "core/log.h"
#include "kabar_build.h"
#include "core/xmalloc.h"

/* Frame CPU time histogram: 10 us buckets up to 200 ms; bounded however
 * long kabar runs. */
#define BUCKET_US 10
#define BUCKETS 20000
/* Appearances kept for `shown`: the newest ones, a week of a busy crawl. */
#define SHOWN_MAX 20000
/* Draw-call counts tracked exactly up to this; above, counted in the last bucket. */
#define CALLS_MAX 256

struct appearance {
    char id[KB_ID_MAX + 1];
    double first, last;
    uint64_t serial;
    bool seen; /* this frame */
};

struct kb_stats {
    uint64_t frames, dropped;
    uint32_t *cpu_hist;
    uint64_t calls_hist[CALLS_MAX + 1];
    int calls_max;
    size_t upload_steady_max;
    struct kb_tally present;  /* bytes sent to the display, a frame */
    struct appearance *shown; /* ring of SHOWN_MAX */
    size_t shown_start, shown_n;
    size_t *open; /* indices (absolute count) of appearances visible last frame */
    size_t n_open, cap_open;
    uint64_t total_shown;
    bool steady;
    uint64_t steady_frames;
};

struct kb_stats *kb_stats_new(void)
{
    struct kb_stats *st = kb_xcalloc(1, sizeof(*st));
    st->cpu_hist = kb_xcalloc(BUCKETS + 1, sizeof(*st->cpu_hist));
    st->shown = kb_xcalloc(SHOWN_MAX, sizeof(*st->shown));
    return st;
}

void kb_stats_free(struct kb_stats *st)
{
    if (st == NULL)
        return;
    free(st->cpu_hist);
    free(st->shown);
    free(st->open);
    free(st);
}

void kb_stats_frame(struct kb_stats *st, double cpu_ms, int draw_calls, size_t upload_bytes,
                    bool dropped)
{
    bool steady = st->steady;
    st->frames++;
    if (dropped)
        st->dropped++;
    long b = (long)(cpu_ms * 1000.0 / BUCKET_US);
    st->cpu_hist[b < 0 ? 0 : b > BUCKETS ? BUCKETS : b]++;
    st->calls_hist[draw_calls < 0 ? 0 : draw_calls > CALLS_MAX ? CALLS_MAX : draw_calls]++;
    if (draw_calls > st->calls_max)
        st->calls_max = draw_calls;
    if (steady && upload_bytes > st->upload_steady_max)
        st->upload_steady_max = upload_bytes;
    st->steady_frames += steady;
}

void kb_stats_present(struct kb_stats *st, size_t bytes)
{
    kb_tally_add(&st->present, bytes);
}

static struct appearance *at(struct kb_stats *st, size_t abs)
{
    return &st->shown[abs % SHOWN_MAX];
}

void kb_stats_visible(struct kb_stats *st, const char *id, uint64_t serial, double t)
{
    for (size_t i = 0; i < st->n_open; i++) {
        struct appearance *a = at(st, st->open[i]);
        if (a->serial == serial && strcmp(a->id, id) == 0) {
            a->last = t;
            a->seen = true;
            return;
        }
    }
    /* A second showing of an id seen before: the rotation has come round. */
    for (size_t k = 0; !st->steady && k < st->shown_n; k++) {
        if (strcmp(st->shown[(st->total_shown - 1 - k) % SHOWN_MAX].id, id) == 0)
            st->steady = true;
    }
    size_t abs = st->total_shown++;
    struct appearance *a = at(st, abs);
    snprintf(a->id, sizeof(a->id), "%s", id);
    a->serial = serial;
    a->first = a->last = t;
    a->seen = true;
    if (st->shown_n < SHOWN_MAX)
        st->shown_n++;
    if (st->n_open == st->cap_open) {
        st->cap_open = st->cap_open * 2 + 8;
        st->open = kb_xreallocarray(st->open, st->cap_open, sizeof(*st->open));
    }
    st->open[st->n_open++] = abs;
}

void kb_stats_end_frame(struct kb_stats *st)
{
    size_t j = 0;
    for (size_t i = 0; i < st->n_open; i++) {
        struct appearance *a = at(st, st->open[i]);
        /* An entry overwritten by the ring is no longer open. */
        if (a->seen && st->total_shown - st->open[i] <= SHOWN_MAX) {
            a->seen = false;
            st->open[j++] = st->open[i];
        }
    }
    st->n_open = j;
}

bool kb_stats_steady(const struct kb_stats *st)
{
    return st->steady;
}

uint64_t kb_stats_frames(const struct kb_stats *st)
{
    return st->frames;
}

/* Resident memory now, from /proc (0 where there is none): all of it, and
 * the anonymous part alone. The rest is pages of mapped files, mostly the
 * fonts: it grows as text touches more of a large CJK face, belongs to the
 * page cache and is given back under pressure, so a leak shows in the
 * anonymous part (docs/reliability.md). */
static void rss_kib(json_int_t *all, json_int_t *anon)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0, shared = 0;
    if (f != NULL) {
        if (fscanf(f, "%ld %ld %ld", &pages, &resident, &shared) != 3)
            resident = shared = 0;
        fclose(f);
    }
    long kib = sysconf(_SC_PAGESIZE) / 1024;
    *all = (json_int_t)resident * kib;
    *anon = (json_int_t)(resident > shared ? resident - shared : 0) * kib;
}

static double cpu_percentile(const struct kb_stats *st, double p)
{
    if (st->frames == 0)
        return 0;
    uint64_t want = (uint64_t)(p * (double)(st->frames - 1)) + 1, acc = 0;
    for (int b = 0; b <= BUCKETS; b++) {
        acc += st->cpu_hist[b];
        if (acc >= want)
            return (b + 0.5) * BUCKET_US / 1000.0;
    }
    return BUCKETS * BUCKET_US / 1000.0;
}

static int calls_p50(const struct kb_stats *st)
{
    uint64_t want = st->frames / 2 + 1, acc = 0;
    for (int c = 0; c <= CALLS_MAX; c++) {
        acc += st->calls_hist[c];
        if (acc >= want)
            return c;
    }
    return CALLS_MAX;
}

/* The items visible in the last frame, in words (app/onscreen.h). */
static json_t *showing_json(const struct kb_stats *st)
{
    const char **ids = kb_xcalloc(st->n_open + 1, sizeof(*ids));
    for (size_t i = 0; i < st->n_open; i++)
        ids[i] = st->shown[st->open[i] % SHOWN_MAX].id;
    json_t *list = kb_onscreen_json(ids, st->n_open);
    free(ids);
    return list;
}

bool kb_stats_write(const struct kb_stats *st, const struct kb_stats_extra *x, const char *path,
                    struct kb_error *err)
{
    json_t *shown = json_array();
    size_t first = st->total_shown - st->shown_n;
    for (size_t i = first; i < st->total_shown; i++) {
        const struct appearance *a = &st->shown[i % SHOWN_MAX];
        json_array_append_new(
            shown, json_pack("{s:s, s:f, s:f}", "id", a->id, "first", a->first, "last", a->last));
    }
    json_t *root = json_object();
    json_object_set_new(root, "frames", json_integer((json_int_t)st->frames));
    json_object_set_new(root, "dropped_frames", json_integer((json_int_t)st->dropped));
    json_object_set_new(
        root, "frame_cpu_ms",
        json_pack("{s:f, s:f}", "p50", cpu_percentile(st, 0.5), "p99", cpu_percentile(st, 0.99)));
    json_object_set_new(root, "draw_calls_per_frame",
                        json_pack("{s:i, s:i}", "p50", calls_p50(st), "max", st->calls_max));
    json_object_set_new(root, "upload_bytes_per_frame_steady",
                        json_integer((json_int_t)st->upload_steady_max));
    json_object_set_new(root, "present_bytes_per_frame",
                        json_pack("{s:I, s:I}", "p50", (json_int_t)kb_tally_p50(&st->present),
                                  "max", (json_int_t)st->present.max));
    json_object_set_new(root, "steady_frames", json_integer((json_int_t)st->steady_frames));
    json_object_set_new(
        root, "atlas",
        json_pack("{s:i, s:I}", "pages", x->atlas_pages, "bytes", (json_int_t)x->atlas_bytes));
    json_object_set_new(root, "items_loaded", json_integer((json_int_t)x->items_loaded));
    json_object_set_new(root, "items_rejected", json_integer((json_int_t)x->items_rejected));
    json_object_set_new(root, "renderer", json_string(x->renderer ? x->renderer : ""));
    struct kb_blank_report nb = kb_blank_report(); /* app/blank.h: never blank */
    json_object_set_new(root, "never_blank",
                        json_pack("{s:s, s:i, s:I, s:I, s:b}", "renderer_asked", nb.asked,
                                  "fallbacks", nb.fallbacks, "checks", (json_int_t)nb.checks,
                                  "blank", (json_int_t)nb.blank, "dark", nb.dark));
    json_object_set_new(root, "size", json_pack("[i, i]", x->width, x->height));
    json_object_set_new(root, "px_per_frame", json_real(x->px_per_frame));
    if (x->wall != NULL)
        json_object_set_new(root, "wall",
                            json_pack("{s:s, s:s, s:I, s:f}", "wall", x->wall, "tile", x->tile,
                                      "frame", (json_int_t)x->wall_frame, "offset_ms",
                                      x->wall_offset_ms));
    /* Start-up, for the benchmarks: seconds from the process start. */
    json_object_set_new(root, "first_frame_s", json_real(x->first_frame - x->started));
    json_object_set_new(root, "spool_loaded_s",
                        json_real(x->loaded > 0 ? x->loaded - x->started : -1));
    /* Crawl time t happened at CLOCK_MONOTONIC clock_origin + t (real clock),
     * so an outside observer can time spool-to-screen latency. */
    json_object_set_new(root, "clock_origin", json_real(x->origin));
    json_int_t rss_all, rss_anon;
    rss_kib(&rss_all, &rss_anon);
    json_object_set_new(root, "rss_kib", json_integer(rss_all));
    json_object_set_new(root, "rss_anon_kib", json_integer(rss_anon));
    char last_error[1024];
    kb_log_last_error(last_error, sizeof(last_error));
    json_object_set_new(root, "version", json_string(KABAR_VERSION));
    json_object_set_new(root, "last_error", json_string(last_error));
    json_object_set_new(root, "showing", showing_json(st));
    json_object_set_new(root, "shown", shown);
    if (root == NULL)
        return kb_error_set(err, "%s: cannot build the stats", path);
    /* Written beside the target, then renamed: a reader never sees half a file. */
    char *text = json_dumps(root, JSON_INDENT(2));
    json_decref(root);
    if (text == NULL)
        return kb_error_set(err, "%s: cannot build the stats", path);
    bool ok = kb_file_write_atomic(AT_FDCWD, path, path, "stats", text, strlen(text), err);
    free(text);
    return ok;
}
