/* `kabar run`: open, then frame and pace until a stop, then close. The
 * signals the loop answers are caught here. */
#include "app/run.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#define LOG_MODULE "run"
#include "app/blank.h"
#include "app/loop.h"
#include "app/pace.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/xmalloc.h"

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

/* The windows' events, when one process drives several screens (wall_tile
 * = all): SDL has one queue, so an event filter keeps aside what belongs to
 * another window while one screen reads its own (kb_loop_events), and
 * hands it over when that screen's turn comes. Events of no window (a
 * display change, a lost renderer) go to every screen; a quit to the
 * first. Render thread only. */
#define ASIDE_MAX 256
static struct {
    SDL_Event ev[ASIDE_MAX];
    int to[ASIDE_MAX]; /* the screen's index */
    int n;
    Uint32 ids[KB_WALL_TILES_MAX];
    int screens, current;
    bool replay;
} aside;

static Uint32 window_of(const SDL_Event *e)
{
    switch (e->type) {
    case SDL_WINDOWEVENT:
        return e->window.windowID;
    case SDL_KEYDOWN:
    case SDL_KEYUP:
        return e->key.windowID;
    case SDL_TEXTINPUT:
        return e->text.windowID;
    case SDL_MOUSEMOTION:
        return e->motion.windowID;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        return e->button.windowID;
    case SDL_MOUSEWHEEL:
        return e->wheel.windowID;
    default:
        return 0;
    }
}

static void keep_aside(const SDL_Event *e, int to)
{
    if (aside.n < ASIDE_MAX) {
        aside.ev[aside.n] = *e;
        aside.to[aside.n++] = to;
    }
}

static int route(void *user, SDL_Event *e)
{
    (void)user;
    if (aside.replay || e->type == SDL_QUIT)
        return 1;
    Uint32 id = window_of(e);
    for (int i = 0; i < aside.screens; i++) {
        if (i == aside.current)
            continue;
        if (id == 0 || id == aside.ids[i])
            keep_aside(e, i); /* every screen's, or another's */
    }
    return id == 0 || id == aside.ids[aside.current];
}

static bool tiles_events(struct kb_loop *Ls, size_t nl)
{
    if (nl == 1)
        return kb_loop_events(&Ls[0]);
    bool go = true;
    for (size_t i = 0; i < nl; i++) {
        aside.current = (int)i;
        aside.replay = true;
        int k = 0;
        for (int j = 0; j < aside.n; j++) {
            if (aside.to[j] == (int)i)
                SDL_PushEvent(&aside.ev[j]);
            else
                aside.ev[k] = aside.ev[j], aside.to[k++] = aside.to[j];
        }
        aside.n = k;
        aside.replay = false;
        go = kb_loop_events(&Ls[i]) && go;
    }
    return go;
}

/* What one screen's frame cost, for its stats. */
struct drawn {
    bool drew;
    int calls;
    size_t sent;
    double cpu_ms;
};

/* One pass over every screen: its frame drawn and presented (a screen the
 * display schedule has dark is skipped). Returns false if every screen
 * was dark. */
static bool draw_all(struct kb_loop *Ls, size_t nl, struct kb_pace *p, uint64_t n, struct upkeep *u,
                     struct drawn *d)
{
    const struct kb_run_opts *o = Ls[0].o;
    bool any = false;
    for (size_t i = 0; i < nl; i++) {
        struct kb_loop *L = &Ls[i];
        d[i].drew = false;
        if (kb_blank_dark(L)) { /* display_schedule: black, a frame a second, watchdog fed */
            upkeep(L, &u[i], kb_clock_mono());
            continue;
        }
        double frame_start = thread_cpu_s(), frame_wall = kb_clock_mono();
        /* A wall tile draws the shared clock's frame (app/wall.h). */
        uint64_t frame = L->wall != NULL ? (uint64_t)kb_wall_frame(L->wall, p->frame) : p->frame;
        d[i].calls = kb_loop_frame(L, frame);
        kb_blank_watch(L, n, frame_wall); /* the bar read back: never blank */
        d[i].sent = kb_loop_present(L, n, kb_pace_last(p, n, o->frames, o->seconds));
        /* The software renderer draws at present; a GPU driver may block
         * there for vsync, which costs no CPU time. */
        d[i].cpu_ms = (thread_cpu_s() - frame_start) * 1000.0;
        if (L->wall != NULL)
            kb_wall_presented(L->wall, (int64_t)frame);
        d[i].drew = any = true;
    }
    return any;
}

/* Frames until --frames, --seconds, a stop signal or a window closes, for
 * one screen or (wall_tile = all) several, all on one clock. */
static void run_frames(struct kb_loop *Ls, size_t nl)
{
    const struct kb_run_opts *o = Ls[0].o;
    struct kb_pace p;
    double t0 = kb_clock_mono();
    struct upkeep u[KB_WALL_TILES_MAX];
    for (size_t i = 0; i < nl; i++) {
        Ls[i].t0 = t0;
        upkeep_init(&u[i], t0);
    }
    kb_pace_init(&p, Ls[0].screen.refresh_hz, t0, o->virtual_clock, Ls[0].screen.vsync);
    for (uint64_t n = 0;; n++) {
        if (quit_signal) {
            LOG_INFO("signal %d: stopping", (int)quit_signal);
            break;
        }
        if (kb_pace_done(&p, n, o->frames, o->seconds))
            break;
        double frame_wall = kb_clock_mono();
        for (size_t i = 0; i < nl; i++)
            Ls[i].t = kb_pace_time(&p);
        if (reset_textures) {
            /* SIGUSR2: behave as after a GPU reset (and test that path). */
            reset_textures = 0;
            SDL_Event e = {.type = SDL_RENDER_DEVICE_RESET};
            SDL_PushEvent(&e);
        }
        if (!tiles_events(Ls, nl))
            break;
        if (reload_config) {
            reload_config = 0;
            for (size_t i = 0; i < nl; i++)
                kb_loop_reload(&Ls[i]);
        }
        struct drawn d[KB_WALL_TILES_MAX];
        if (!draw_all(Ls, nl, &p, n, u, d)) {
            kb_pace_advance(&p, o->virtual_clock ? 0 : kb_clock_mono()); /* dark time counts */
            continue;
        }
        double now = kb_clock_mono();
        bool dropped = kb_pace_presented(&p, n, now);
        for (size_t i = 0; i < nl; i++) {
            struct kb_loop *L = &Ls[i];
            if (!d[i].drew)
                continue;
            kb_stats_frame(L->stats, d[i].cpu_ms, d[i].calls, kb_atlas_frame_upload_bytes(L->atlas),
                           dropped);
            kb_stats_present(L->stats, d[i].sent);
            upkeep(L, &u[i], now);
        }
        if (kb_pace_check_vsync(&p, n, now - frame_wall))
            for (size_t i = 0; i < nl; i++)
                Ls[i].screen.vsync = false;
        double until;
        if (kb_pace_sleep(&p, n, &until))
            sleep_until(until);
        kb_pace_advance(&p, p.virtual_clock ? 0 : kb_clock_mono());
    }
}

/* One screen of wall_tile = all: its options (its tile, display and file
 * names) and the process's it came from. */
struct tile {
    struct kb_run_opts o;
    const struct kb_run_opts *parent;
    char *screenshot, *stats;
};

/* SIGHUP for one screen of several: the process's config, this screen's tile. */
static bool tile_reload(struct kb_config *out, void *user, struct kb_error *err)
{
    const struct tile *t = user;
    if (!t->parent->reload(out, t->parent->reload_user, err))
        return false;
    snprintf(out->wall_tile, sizeof(out->wall_tile), "%s", t->o.cfg.wall_tile);
    return true;
}

/* "x.png" for screen i: "x-tile<i>.png" (the suffix before the ending). */
static char *tile_file(const char *path, int i)
{
    if (path == NULL)
        return NULL;
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (dot == NULL || (slash != NULL && dot < slash))
        return kb_xasprintf("%s-tile%d", path, i);
    return kb_xasprintf("%.*s-tile%d%s", (int)(dot - path), path, i, dot);
}

/* Whether screen i may open: a fullscreen screen needs a display of its own. */
static bool display_for(struct kb_loop *first, struct tile *t, int i, int n)
{
    if (first == NULL || first->screen.mode == KB_SCREEN_HEADLESS)
        return true; /* headless tiles are screens of their own */
    int nd = SDL_GetNumVideoDisplays();
    if (nd < 1)
        nd = 1;
    if (first->screen.mode == KB_SCREEN_FULLSCREEN && n > nd) {
        LOG_ERR("wall_tile = %s: %d tiles but %d display%s; name the tiles this board drives "
                "(wall_tile = \"0,0 1,0\")",
                t->parent->cfg.wall_tile, n, nd, nd == 1 ? "" : "s");
        return false;
    }
    t->o.display = i < nd ? i : nd - 1; /* windows on a desktop of fewer displays */
    return true;
}

/* wall_tile = all or a list: one screen per tile, one window per display
 * in display order, each with its own loop (renderer, atlas, ingest
 * thread), all drawn in one thread on one clock; SDL quit once. */
static int run_tiles(const struct kb_run_opts *o)
{
    struct kb_wall_geo g[KB_WALL_TILES_MAX];
    struct kb_error err;
    int n = kb_wall_tiles(&o->cfg, g, KB_WALL_TILES_MAX, &err);
    if (n <= 0) {
        LOG_ERR("%s", err.msg);
        return 1;
    }
    struct tile *t = kb_xcalloc((size_t)n, sizeof(*t));
    struct kb_loop *Ls = kb_xcalloc((size_t)n, sizeof(*Ls));
    int opened = 0;
    for (int i = 0; i < n; i++) {
        t[i].o = *o;
        t[i].parent = o;
        snprintf(t[i].o.cfg.wall_tile, sizeof(t[i].o.cfg.wall_tile), "%d,%d", g[i].col, g[i].row);
        t[i].o.screenshot = t[i].screenshot = tile_file(o->screenshot, i);
        t[i].o.stats = t[i].stats = tile_file(o->stats, i);
        t[i].o.keep_sdl = true;
        t[i].o.reload = o->reload != NULL ? tile_reload : NULL;
        t[i].o.reload_user = &t[i];
        if (!display_for(i > 0 ? &Ls[0] : NULL, &t[i], i, n) || !kb_loop_open(&Ls[i], &t[i].o))
            break;
        snprintf(Ls[i].tile_suffix, sizeof(Ls[i].tile_suffix), "-tile%d", i);
        LOG_INFO("tile %d,%d on display %d", g[i].col, g[i].row, t[i].o.display);
        opened++;
    }
    aside.screens = opened;
    for (int i = 0; i < opened; i++)
        aside.ids[i] = SDL_GetWindowID(Ls[i].screen.window);
    if (opened == n) {
        SDL_SetEventFilter(route, NULL);
        run_frames(Ls, (size_t)n);
        SDL_SetEventFilter(NULL, NULL);
        sd_notify(0, "STOPPING=1");
    }
    for (int i = opened; i-- > 0;) {
        write_stats(&Ls[i]);
        kb_loop_close(&Ls[i]);
    }
    SDL_Quit();
    for (int i = 0; i < n; i++) {
        free(t[i].screenshot);
        free(t[i].stats);
    }
    free(t);
    free(Ls);
    return opened == n ? 0 : 1;
}

int kb_run(const struct kb_run_opts *o)
{
    struct kb_loop L;
    install_signals();
    struct kb_wall_geo g;
    struct kb_error err;
    if (kb_wall_parse(&o->cfg, &g, &err) && g.cols > 0 && g.all)
        return run_tiles(o);
    if (!kb_loop_open(&L, o))
        return 1;
    run_frames(&L, 1);
    sd_notify(0, "STOPPING=1");
    write_stats(&L);
    kb_loop_close(&L);
    return 0;
}
