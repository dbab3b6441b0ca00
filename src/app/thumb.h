/* The screen's picture for the newsroom's page (docs/fleet.md, "The
 * screens' pictures"): every thumb_interval_s seconds the frame just drawn
 * is read back, scaled down to KB_THUMB_WIDTH pixels wide and written as a
 * PNG (with its time in a tIME chunk) beside the stats file, where
 * `kabar mqtt` looks for it (fleet/thumb.c follows the same naming rule).
 * Render thread only; it keeps its schedule in static state, as there is
 * one ticker per process. */
#ifndef KB_APP_THUMB_H
#define KB_APP_THUMB_H

#include "render/screen.h"

#define KB_THUMB_WIDTH 480

/* Call once per frame where screenshots are taken (before the present,
 * or after it where the screen keeps what it showed). Writes a
 * thumbnail when one is due; does nothing when interval_s <= 0 or
 * stats_path is NULL; the first one interval_s after the first call. now
 * is in seconds on any steady clock. A failure is logged
 * once until the next success; the ticker goes on. */
void kb_thumb_tick(struct kb_screen *screen, double interval_s, const char *stats_path, double now);
/* kb_thumb_tick on the real clock (CLOCK_MONOTONIC), whatever clock the
 * crawl runs on: the picture is for people, every interval_s of their
 * time, also under --virtual-clock. */
void kb_thumb_frame(struct kb_screen *screen, double interval_s, const char *stats_path);

/* The thumbnail's path for a stats file: "<stats without .json>.thumb.png"
 * ("/run/kabar/stats.json" -> "/run/kabar/stats.thumb.png"). A new string
 * the caller frees. */
char *kb_thumb_path(const char *stats_path);

/* Scales w x h RGB pixels (rows of pitch bytes) down to dw x dh by
 * averaging the source pixels each target pixel covers. dw <= w, dh <= h.
 * Writes dw * dh * 3 bytes to out. */
void kb_thumb_scale(const unsigned char *rgb, int w, int h, int pitch, unsigned char *out, int dw,
                    int dh);

#endif
