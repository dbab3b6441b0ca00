/* The render loop's clock: which crawl frame comes next, when to stop,
 * whether a frame came late, whether the renderer really waits for vsync.
 * Plain arithmetic on times the caller reads (CLOCK_MONOTONIC seconds), so
 * every decision can be checked without a screen or a real clock.
 *
 * A struct kb_pace is a value owned by its caller; nothing here allocates. */
#ifndef KB_APP_PACE_H
#define KB_APP_PACE_H

#include <stdbool.h>
#include <stdint.h>

/* Early presents watched to decide whether the renderer waits for vsync,
 * and how many of them must come back in under half a refresh period to
 * say it does not. */
#define KB_PACE_VSYNC_PROBE 120
#define KB_PACE_VSYNC_FAST 100

struct kb_pace {
    double hz, period;  /* the refresh rate and its period, seconds */
    double t0;          /* CLOCK_MONOTONIC seconds of crawl frame 0 */
    bool virtual_clock; /* one period per frame, never late, never sleeps */
    bool vsync;         /* the present blocks until the next refresh */
    int vsync_fast;     /* early presents far faster than a refresh */
    uint64_t frame;     /* the crawl frame being drawn */
    double last_present;
};

void kb_pace_init(struct kb_pace *p, double hz, double t0, bool virtual_clock, bool vsync);
/* Crawl time of the frame being drawn, seconds. */
double kb_pace_time(const struct kb_pace *p);
/* True once loop pass n reaches --frames (0: none) or the crawl time
 * reaches --seconds (0: none). */
bool kb_pace_done(const struct kb_pace *p, uint64_t n, long long frames, double seconds);
/* True if loop pass n is the last one those limits allow (for --screenshot). */
bool kb_pace_last(const struct kb_pace *p, uint64_t n, long long frames, double seconds);
/* Pass n presented at now: returns true if it came more than one and a half
 * periods after the one before (a dropped frame; never under the virtual
 * clock, never the first). */
bool kb_pace_presented(struct kb_pace *p, uint64_t n, double now);
/* Pass n's present took frame_s wall seconds. Some drivers say they wait
 * for vsync and do not (X servers without a compositor, some KMS setups):
 * if most of the first presents come back in under half a period, pace by
 * the clock instead. Returns true on the pass that decides so. */
bool kb_pace_check_vsync(struct kb_pace *p, uint64_t n, double frame_s);
/* When pass n should end if the loop paces itself (no vsync, real clock):
 * the time to sleep until is stored in *until. False: do not sleep. */
bool kb_pace_sleep(const struct kb_pace *p, uint64_t n, double *until);
/* Moves to the next crawl frame; now is the clock after any sleep. Under
 * the virtual clock, the next frame. Else the frame the refresh clock has
 * reached, so a dropped frame does not slow the crawl down, and at least
 * the next one. */
void kb_pace_advance(struct kb_pace *p, double now);

#endif
