/* `kabar run`: the screen, the render loop and the ingest thread, wired. */
#ifndef KB_APP_RUN_H
#define KB_APP_RUN_H

#include <stdbool.h>

#include "app/config.h"
#include "core/error.h"

struct kb_run_opts {
    struct kb_config cfg;   /* effective: file, board and flags applied */
    long long frames;       /* stop after this many frames; 0: no limit */
    double seconds;         /* stop after this much crawl time; 0: no limit */
    bool virtual_clock;     /* one frame period per frame, no pacing */
    const char *screenshot; /* PNG of the last frame */
    const char *stats;      /* stats JSON, at exit and on SIGUSR1 */
    const char *record_dir; /* PNG of every record_every-th frame */
    int record_every;
    /* SIGHUP reads the config again through this (the board, the file and
     * the flags, as at start); NULL: SIGHUP only logs. */
    bool (*reload)(struct kb_config *out, void *user, struct kb_error *err);
    void *reload_user;
    double started; /* CLOCK_MONOTONIC seconds at the process start; 0: kb_run's start */
    /* Set by kb_run for each screen of `wall_tile = all` (one process,
     * several displays): the display to open on (0: the first), and that
     * SDL is quit by kb_run once, not when this screen closes. */
    int display;
    bool keep_sdl;
};

/* Runs until a stop condition, SIGINT or SIGTERM, or the window closes.
 * opts is only read, and only during the call; nothing outlives it.
 * Returns the process exit status. */
int kb_run(const struct kb_run_opts *opts);

#endif
