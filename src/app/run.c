/* `kabar run`: open, then frame and pace until a stop, then close. The
 * signals the loop answers are caught here. */
#include "app/run.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#define LOG_MODULE "run"
#include "app/blank.h"
#include "app/loop.h"
#include "app/pace.h"
#include "core/log.h"

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t dump_stats;
static volatile sig_atomic_t reload_config;
static volatile sig_atomic_t reset_textures;

static void on_quit(int sig)
{
    quit_signal = sig;
}

static void on_usr1(int sig)
{
    (void)sig;
    dump_stats = 1;
}

static void on_hup(int sig)
{
    (void)sig;
    reload_config = 1;
}

static void on_usr2(int sig)
{
    (void)sig;
    reset_textures = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_quit;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_usr2;
    sigaction(SIGUSR2, &sa, NULL);
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU time of the calling thread: what a frame costs the render thread,
 * whatever else the machine is doing. */
static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
    struct timespec ts = {(time_t)t, (long)((t - floor(t)) * 1e9)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0 && !quit_signal) {
    }
}

static void write_stats(struct kb_loop *L)
{
    if (L->o->stats == NULL)
        return;
    struct kb_channel_counts counts;
    kb_channel_get_counts(L->ch, &counts);
    struct kb_stats_extra x = {
        .atlas_pages = kb_atlas_pages(L->atlas),
        .atlas_bytes = kb_atlas_bytes(L->atlas),
        .items_loaded = counts.items_loaded,
        .items_rejected = counts.items_rejected,
        .renderer = L->screen.driver,
        .width = L->screen.width,
        .height = L->screen.height,
        .px_per_frame = L->layout.geo.px_per_frame,
        .started = L->o->started > 0 ? L->o->started : L->t0,
        .origin = L->t0,
        .first_frame = L->first_frame,
        .loaded = counts.loaded_at,
        .wall = L->wall != NULL ? L->cfg.wall : NULL,
        .tile = L->cfg.wall_tile,
        .wall_frame = L->wall_frame,
        .wall_offset_ms = L->wall != NULL ? kb_wall_offset_ms(L->wall) : 0,
    };
    struct kb_error err;
    if (!kb_stats_write(L->stats, &x, L->o->stats, &err))
        LOG_ERR("%s", err.msg);
}

/* What the loop tells the service manager and writes between frames. */
struct upkeep {
    bool notified;
    double last_watchdog, last_stats;
    double watchdog_every; /* seconds */
};

static void upkeep_init(struct upkeep *u, double t0)
{
    /* Ping the service manager's watchdog once a second, or at half its
     * interval if that is shorter. */
    *u = (struct upkeep){.last_stats = t0, .watchdog_every = 1.0};
    uint64_t watchdog_usec = 0;
    if (sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec / 2e6 < u->watchdog_every)
        u->watchdog_every = watchdog_usec / 2e6;
}

/* After a present at now: READY once, the watchdog, the stats file on
 * SIGUSR1 or every stats_interval_s. */
static void upkeep(struct kb_loop *L, struct upkeep *u, double now)
{
    if (!u->notified) {
        L->first_frame = now;
        sd_notify(0, "READY=1");
        u->notified = true;
    }
    if (now - u->last_watchdog >= u->watchdog_every) {
        sd_notify(0, "WATCHDOG=1");
        u->last_watchdog = now;
    }
    if (dump_stats ||
        (L->cfg.stats_interval_s > 0 && now - u->last_stats >= L->cfg.stats_interval_s)) {
        dump_stats = 0;
        u->last_stats = now;
        write_stats(L);
    }
}

/* After pass n's present (frame_s wall seconds since it began): waits
 * where the loop paces itself, and moves the crawl on. */
static void pace(struct kb_loop *L, struct kb_pace *p, uint64_t n, double frame_s)
{
    if (kb_pace_check_vsync(p, n, frame_s))
        L->screen.vsync = false;
    double until;
    if (kb_pace_sleep(p, n, &until))
        sleep_until(until);
    kb_pace_advance(p, p->virtual_clock ? 0 : mono_s());
}

/* Frames until --frames, --seconds, a stop signal or the window closes. */
static void run_frames(struct kb_loop *L)
{
    const struct kb_run_opts *o = L->o;
    struct kb_pace p;
    L->t0 = mono_s();
    kb_pace_init(&p, L->screen.refresh_hz, L->t0, o->virtual_clock, L->screen.vsync);
    struct upkeep u;
    upkeep_init(&u, L->t0);
    for (uint64_t n = 0;; n++) {
        if (quit_signal) {
            LOG_INFO("signal %d: stopping", (int)quit_signal);
            break;
        }
        if (kb_pace_done(&p, n, o->frames, o->seconds))
            break;
        double frame_start = thread_cpu_s();
        double frame_wall = mono_s();
        L->t = kb_pace_time(&p);
        if (reset_textures) {
            /* SIGUSR2: behave as after a GPU reset (and test that path). */
            reset_textures = 0;
            SDL_Event e = {.type = SDL_RENDER_DEVICE_RESET};
            SDL_PushEvent(&e);
        }
        if (!kb_loop_events(L))
            break;
        if (reload_config) {
            reload_config = 0;
            kb_loop_reload(L);
        }
        if (kb_blank_dark(L)) { /* display_schedule: black, a frame a second, watchdog fed */
            upkeep(L, &u, mono_s());
            kb_pace_advance(&p, o->virtual_clock ? 0 : mono_s()); /* dark time counts */
            continue;
        }
        /* A wall tile draws the shared clock's frame (app/wall.h). */
        uint64_t frame = L->wall != NULL ? (uint64_t)kb_wall_frame(L->wall, p.frame) : p.frame;
        int calls = kb_loop_frame(L, frame);
        kb_blank_watch(L, n, frame_wall); /* the bar read back: never blank */
        size_t sent = kb_loop_present(L, n, kb_pace_last(&p, n, o->frames, o->seconds));
        /* The software renderer draws at present; a GPU driver may block
         * there for vsync, which costs no CPU time. */
        double cpu_ms = (thread_cpu_s() - frame_start) * 1000.0;
        double now = mono_s();
        bool dropped = kb_pace_presented(&p, n, now);
        if (L->wall != NULL)
            kb_wall_presented(L->wall, (int64_t)frame);
        kb_stats_frame(L->stats, cpu_ms, calls, kb_atlas_frame_upload_bytes(L->atlas), dropped);
        kb_stats_present(L->stats, sent);
        upkeep(L, &u, now);
        pace(L, &p, n, now - frame_wall);
    }
}

int kb_run(const struct kb_run_opts *o)
{
    struct kb_loop L;
    install_signals();
    if (!kb_loop_open(&L, o))
        return 1;
    run_frames(&L);
    sd_notify(0, "STOPPING=1");
    write_stats(&L);
    kb_loop_close(&L);
    return 0;
}
