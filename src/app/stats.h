/* What the render loop measured, written as JSON by --stats (at exit and on
 * SIGUSR1). The names are a contract tests and tools read:
 * frames, dropped_frames, frame_cpu_ms {p50, p99}, draw_calls_per_frame
 * {p50, max}, upload_bytes_per_frame_steady, present_bytes_per_frame
 * {p50, max}, atlas {pages, bytes},
 * items_loaded, items_rejected, shown [{id, first, last}]. */
#ifndef KB_APP_STATS_H
#define KB_APP_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct kb_stats;

struct kb_stats_extra {
    int atlas_pages;
    size_t atlas_bytes;
    size_t items_loaded, items_rejected;
    const char *renderer;
    int width, height;
    double px_per_frame;
    /* CLOCK_MONOTONIC seconds: the process start, crawl time 0, the first
     * present, the end of the spool's first scan (0: not yet). */
    double started, origin, first_frame, loaded;
    /* A video wall's tile (app/wall.h): "COLSxROWS", "COL,ROW" (NULL: not
     * a wall), the shared frame drawn last and how far behind the shared
     * clock it was presented, ms. */
    const char *wall, *tile;
    long long wall_frame;
    double wall_offset_ms;
};

/* The caller owns the stats; kb_stats_free frees them (NULL is a no-op). */
struct kb_stats *kb_stats_new(void);
void kb_stats_free(struct kb_stats *st);

/* One presented frame. Its uploads count towards the steady-state figure
 * once the crawl has come round to an item it showed before: every glyph
 * of the rotation has been seen by then. */
void kb_stats_frame(struct kb_stats *st, double cpu_ms, int draw_calls, size_t upload_bytes,
                    bool dropped);
/* The bytes of pixels one present sent to the display (the whole frame,
 * or only what changed: render/screen.h, kb_screen_present). */
void kb_stats_present(struct kb_stats *st, size_t bytes);
/* True once the crawl has shown some item a second time. */
bool kb_stats_steady(const struct kb_stats *st);
/* Item id (its showing number serial) is visible at crawl time t
 * (seconds); call for each visible item each frame, then
 * kb_stats_end_frame. One showing that stays visible from frame to frame is
 * one appearance; a showing set aside by breaking news and brought back is
 * a new one. */
void kb_stats_visible(struct kb_stats *st, const char *id, uint64_t serial, double t);
/* (id is copied; the caller keeps it.) */
void kb_stats_end_frame(struct kb_stats *st);

uint64_t kb_stats_frames(const struct kb_stats *st);
/* Writes the JSON to path (replacing it whole); extra is only read.
 * False, with err set, if it cannot. */
bool kb_stats_write(const struct kb_stats *st, const struct kb_stats_extra *extra, const char *path,
                    struct kb_error *err);

#endif
