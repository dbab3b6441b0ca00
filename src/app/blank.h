/* Never blank, checked by kabar itself; and dark on purpose outside the
 * display_schedule (docs/kiosk.md, "Never blank, and dark at night").
 *
 * - kb_blank_screen_open opens the screen and draws a probe it reads back;
 *   a renderer that draws nothing is logged in one error line and the next
 *   one is tried: the configured one, then opengles2, then software.
 * - kb_blank_watch, before each present, reads back one row through the
 *   bar after the first frames and then every few seconds; a bar that reads
 *   back as the background colour is logged, its textures rebuilt, and at
 *   the third time in a row kabar starts again on the next renderer.
 * - kb_blank_dark, at the top of each frame, answers whether the schedule
 *   says dark: then it has drawn a black frame, turned the display off once
 *   (DPMS through DRM, or `cec-ctl --standby` with cec = true) and slept
 *   about a second; the caller feeds the watchdog and skips the frame.
 *
 * One ticker per process: the state is the process's, read by the stats. */
#ifndef KB_APP_BLANK_H
#define KB_APP_BLANK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "render/screen.h"

struct kb_loop;

bool kb_blank_screen_open(struct kb_screen *s, const struct kb_screen_opts *o,
                          struct kb_error *err);
void kb_blank_watch(struct kb_loop *L, uint64_t n, double now);
bool kb_blank_dark(struct kb_loop *L);

/* For the stats file: the renderer asked for, fallbacks taken, bar checks
 * made and found blank, whether the schedule has the screen dark now. */
struct kb_blank_report {
    const char *asked;
    int fallbacks;
    uint64_t checks, blank;
    bool dark;
};
struct kb_blank_report kb_blank_report(void);

#endif
