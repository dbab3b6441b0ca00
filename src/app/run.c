#include "app/run.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#define LOG_MODULE "run"
#include "app/channel.h"
#include "app/ingest.h"
#include "app/stats.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "render/atlas.h"
#include "app/paths.h"
#include "app/present.h"
#include "app/scene.h"
#include "render/batch.h"
#include "render/chrome.h"
#include "render/crawl.h"
#include "render/image.h"
#include "render/panel.h"
#include "render/screen.h"

/* How long a virtual-clock run waits for the ingest thread's next line
 * before going on without it (a real-clock run never waits). */
#define VIRTUAL_WAIT_MS 5000

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

static enum kb_screen_mode screen_mode(const char *mode)
{
    if (strcmp(mode, "window") == 0)
        return KB_SCREEN_WINDOW;
    if (strcmp(mode, "fullscreen") == 0)
        return KB_SCREEN_FULLSCREEN;
    if (strcmp(mode, "headless") == 0)
        return KB_SCREEN_HEADLESS;
    /* auto: a window where there is a desktop, fullscreen on a console with
     * a DRM device (a board behind a TV), else headless. */
    const char *d = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
    if ((d != NULL && d[0] != '\0') || (wl != NULL && wl[0] != '\0'))
        return KB_SCREEN_WINDOW;
    for (int i = 0; i < 4; i++) {
        char dev[32];
        snprintf(dev, sizeof(dev), "/dev/dri/card%d", i);
        if (access(dev, R_OK | W_OK) == 0)
            return KB_SCREEN_FULLSCREEN;
    }
    return KB_SCREEN_HEADLESS;
}

struct visit_ctx {
    struct kb_stats *stats;
    double t;
};

static void on_visible(void *user, const char *id, uint64_t serial)
{
    struct visit_ctx *v = user;
    if (id[0] != '\0')
        kb_stats_visible(v->stats, id, serial, v->t);
}

struct loop {
    const struct kb_run_opts *o;
    struct kb_config cfg;   /* the running config: the options', then reloads' */
    double t0, first_frame; /* CLOCK_MONOTONIC: crawl time 0, the first present */
    struct kb_screen screen;
    struct kb_fonts *fonts;
    struct kb_faces *faces;
    struct kb_atlas *atlas;
    struct kb_crawl *crawl;
    struct kb_channel *ch;
    struct kb_ingest *ingest;
    struct kb_batch *batch;
    struct kb_stats *stats;
    struct kb_scene layout;
    struct kb_chrome *chrome;
    struct kb_panel *panel; /* NULL unless quotes = panel */
    SDL_Texture *separator; /* separator_image, or NULL */
    bool rtl_screen;
    double t;              /* crawl time of this frame, seconds */
    double breaking_since; /* crawl time breaking news last entered */
    bool full_redraw;
    bool panel_redraw; /* the whole screen was cleared: the panel too */
    bool quote_asked;  /* the ingest thread was asked for the next quote */
    int vsync_fast;    /* early frames that came back far faster than a refresh */
    /* Portrait screens: the scene is drawn upright into this texture of
     * the logical size, then turned onto the screen. NULL at rotation 0. */
    SDL_Texture *rotated;
    int logical_w, logical_h;
    bool breaking;
};

static void write_stats(struct loop *L)
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
    };
    struct kb_error err;
    if (!kb_stats_write(L->stats, &x, L->o->stats, &err))
        LOG_ERR("%s", err.msg);
}

/* (Re)creates the rotation target for the current screen size. */
static void setup_rotation(struct loop *L)
{
    int rot = L->cfg.rotation;
    bool quarter = rot == 90 || rot == 270;
    L->logical_w = quarter ? L->screen.height : L->screen.width;
    L->logical_h = quarter ? L->screen.width : L->screen.height;
    if (L->rotated != NULL)
        SDL_DestroyTexture(L->rotated);
    L->rotated = NULL;
    if (rot == 0)
        return;
    L->rotated = SDL_CreateTexture(L->screen.renderer, SDL_PIXELFORMAT_ARGB8888,
                                   SDL_TEXTUREACCESS_TARGET, L->logical_w, L->logical_h);
    if (L->rotated == NULL) {
        LOG_ERR("cannot rotate the screen (%s); drawing unrotated", SDL_GetError());
        L->logical_w = L->screen.width;
        L->logical_h = L->screen.height;
        return;
    }
    SDL_SetTextureBlendMode(L->rotated, SDL_BLENDMODE_NONE);
}

/* Turns the upright scene onto the screen. */
static void present_rotated(struct loop *L)
{
    if (L->rotated == NULL)
        return;
    SDL_SetRenderTarget(L->screen.renderer, NULL);
    SDL_Rect dst = {(L->screen.width - L->logical_w) / 2, (L->screen.height - L->logical_h) / 2,
                    L->logical_w, L->logical_h};
    SDL_RenderCopyEx(L->screen.renderer, L->rotated, NULL, &dst, L->cfg.rotation, NULL,
                     SDL_FLIP_NONE);
}

/* The quote panel: most of the width, centred in the space above the bar
 * (below it when the bar is on top). */
static void place_panel(struct loop *L)
{
    if (L->panel == NULL)
        return;
    const struct kb_config *cfg = &L->cfg;
    int px = (int)lround(kb_scene_lines(L->logical_w, L->logical_h) * cfg->quote_size);
    int h = (int)lround(px * (2 * 1.35 + 0.6 * 1.35 + 0.3));
    int w = (int)lround(L->layout.bar.w * 0.86);
    bool top = strcmp(cfg->position, "top") == 0;
    int space_y = top ? L->layout.bar.y + L->layout.bar.h
                      : (int)lround(L->logical_h * cfg->safe_area / 100.0);
    int space_h = top ? L->logical_h - space_y : L->layout.bar.y - space_y;
    SDL_Rect r = {L->layout.bar.x + (L->layout.bar.w - w) / 2, space_y + (space_h - h) / 2, w, h};
    SDL_Rect old = kb_panel_rect(L->panel);
    if (old.w != r.w || old.h != r.h)
        kb_panel_clear(L->panel); /* its lines are of the old size */
    kb_panel_place(L->panel, r, px);
    kb_channel_set_panel(L->ch, px, w);
}

static void relayout(struct loop *L)
{
    setup_rotation(L);
    L->layout = kb_scene_layout(&L->cfg, L->logical_w, L->logical_h, L->screen.refresh_hz);
    kb_chrome_place(L->chrome, L->layout.bar, L->rtl_screen, &L->layout.geo.area);
    kb_crawl_set_geometry(L->crawl, &L->layout.geo);
    place_panel(L);
    if (kb_channel_px(L->ch) != L->layout.px) {
        /* Lines of the old size would look wrong: start the crawl afresh. */
        kb_crawl_clear(L->crawl);
        kb_channel_set_px(L->ch, L->layout.px);
    }
    L->full_redraw = true;
}

/* Some drivers say they wait for vsync and do not (X servers without a
 * compositor, some KMS setups): if the first presents come back much faster
 * than the refresh period, pace by the clock instead. */
static void vsync_check(struct loop *L, uint64_t n, double frame_s)
{
    if (!L->screen.vsync || n >= 120)
        return;
    L->vsync_fast += frame_s < 0.5 / L->screen.refresh_hz;
    if (n == 119 && L->vsync_fast > 100) {
        LOG_WARN("the renderer does not wait for vsync; pacing to %.0f Hz by the clock",
                 L->screen.refresh_hz);
        L->screen.vsync = false;
    }
}

static void load_separator(struct loop *L);

/* Returns false when the window was closed. */
static bool handle_sdl_events(struct loop *L)
{
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        switch (e.type) {
        case SDL_QUIT:
            return false;
        case SDL_KEYDOWN:
            if (e.key.keysym.sym == SDLK_ESCAPE || e.key.keysym.sym == SDLK_q)
                return false;
            break;
        case SDL_WINDOWEVENT:
            if (e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
                e.window.event == SDL_WINDOWEVENT_RESIZED) {
                if (kb_screen_update_size(&L->screen))
                    relayout(L);
            } else if (e.window.event == SDL_WINDOWEVENT_EXPOSED) {
                L->full_redraw = true;
            }
            break;
        case SDL_RENDER_TARGETS_RESET:
        case SDL_RENDER_DEVICE_RESET:
            LOG_WARN("renderer lost its textures; rebuilding the glyph atlas");
            kb_atlas_reset(L->atlas, L->screen.renderer);
            setup_rotation(L);
            load_separator(L);
            L->full_redraw = true;
            break;
        default:
            break;
        }
    }
    return true;
}

/* Breaking news interrupts at once: what crawls is set aside, to come back
 * where it was when the last breaking item goes. */
static void show_breaking(struct loop *L, struct kb_ready *r)
{
    if (!kb_crawl_suspended(L->crawl)) {
        kb_crawl_suspend(L->crawl);
        L->breaking_since = L->t;
    }
    kb_crawl_push(L->crawl, r->segs, r->n_segs, r->id, r->flags);
}

static void handle_channel_events(struct loop *L)
{
    struct kb_event ev;
    while (kb_channel_next_event(L->ch, &ev)) {
        switch (ev.type) {
        case KB_EVENT_REMOVE:
            if (kb_crawl_remove(L->crawl, ev.item.id) +
                    (L->panel != NULL ? kb_panel_remove(L->panel, ev.item.id) : 0) >
                0)
                LOG_INFO("%s: taken off the screen", ev.item.id);
            break;
        case KB_EVENT_BREAKING:
            if (ev.item.n_segs > 0)
                show_breaking(L, &ev.item);
            break;
        case KB_EVENT_PANEL:
            if (L->panel != NULL && ev.item.n_segs > 0) {
                struct kb_line *lines[KB_PANEL_LINES_MAX], *by = NULL;
                size_t n = 0;
                for (size_t i = 0; i < ev.item.n_segs; i++) {
                    if (ev.item.segs[i].style == KB_SEG_SOURCE)
                        by = ev.item.segs[i].line;
                    else if (n < KB_PANEL_LINES_MAX)
                        lines[n++] = ev.item.segs[i].line;
                }
                kb_panel_push(L->panel, lines, n, by, ev.item.id);
                L->quote_asked = false;
            }
            break;
        case KB_EVENT_CHROME:
            if (kb_chrome_set(L->chrome, (enum kb_chrome_slot)ev.slot,
                              ev.item.n_segs > 0 ? ev.item.segs[0].line : NULL)) {
                kb_chrome_place(L->chrome, L->layout.bar, L->rtl_screen, &L->layout.geo.area);
                kb_crawl_set_geometry(L->crawl, &L->layout.geo);
                L->full_redraw = true;
            }
            break;
        }
        kb_ready_release(&ev.item);
    }
}

static void feed_crawl(struct loop *L, bool virtual_clock)
{
    if (!kb_crawl_wants_next(L->crawl))
        return;
    struct kb_ready r;
    if (kb_channel_take(L->ch, &r, virtual_clock ? VIRTUAL_WAIT_MS : 0)) {
        if (r.flags & KB_CRAWL_BREAKING)
            show_breaking(L, &r);
        else
            kb_crawl_push(L->crawl, r.segs, r.n_segs, r.id, r.flags);
        kb_ready_release(&r);
    }
    /* The last breaking item has gone: the crawl resumes where it left off. */
    if (kb_crawl_suspended(L->crawl) && !kb_crawl_any(L->crawl, KB_CRAWL_BREAKING))
        kb_crawl_resume(L->crawl);
}

/* The bar's colour: the breaking colour, flashing three times as breaking
 * news enters. */
static SDL_Color bar_kb_scene_color(const struct loop *L)
{
    const struct kb_config *cfg = &L->cfg;
    if (!L->breaking)
        return kb_scene_color(cfg->bar);
    SDL_Color c = kb_scene_color(cfg->breaking_bg);
    double since = L->t - L->breaking_since;
    if (cfg->breaking_flash && since < 1.2 && (int)(since / 0.2) % 2 == 0) {
        c.r = (Uint8)(c.r + (255 - c.r) / 2);
        c.g = (Uint8)(c.g + (255 - c.g) / 2);
        c.b = (Uint8)(c.b + (255 - c.b) / 2);
    }
    return c;
}

static void draw(struct loop *L)
{
    const struct kb_config *cfg = &L->cfg;
    SDL_Renderer *ren = L->screen.renderer;
    if (L->rotated != NULL)
        SDL_SetRenderTarget(ren, L->rotated);
    /* The software renderer keeps its buffer between frames: redraw only
     * the bar. Other renderers' back buffers are undefined after a present. */
    if (L->full_redraw || (!L->screen.software && L->rotated == NULL)) {
        SDL_Color bg = kb_scene_color(cfg->background);
        SDL_SetRenderDrawColor(ren, bg.r, bg.g, bg.b, 255);
        SDL_RenderClear(ren);
        L->full_redraw = false;
        L->panel_redraw = true;
    }
    L->breaking = kb_crawl_any(L->crawl, KB_CRAWL_BREAKING);
    SDL_Color bar = bar_kb_scene_color(L);
    SDL_SetRenderDrawColor(ren, bar.r, bar.g, bar.b, 255);
    SDL_RenderFillRect(ren, &L->layout.bar);
}

/* The separator image of the config, from the assets folders only. */
static void load_separator(struct loop *L)
{
    if (L->separator != NULL)
        SDL_DestroyTexture(L->separator);
    L->separator = NULL;
    kb_crawl_set_separator_image(L->crawl, NULL, 0, 0);
    const char *name = L->cfg.separator_image;
    if (name[0] == '\0')
        return;
    if (!kb_image_name_ok(name)) {
        LOG_ERR_ONCE("separator",
                     "separator_image \"%s\": a PNG file name without a path, "
                     "in /etc/kabar/assets/ or assets/separators/",
                     name);
        return;
    }
    char *path = kb_xasprintf("/etc/kabar/assets/%s", name);
    if (access(path, R_OK) != 0) {
        free(path);
        char *rel = kb_xasprintf("assets/separators/%s", name);
        path = kb_data_path(rel);
        free(rel);
    }
    struct kb_error err;
    int w, h;
    L->separator = kb_image_load(L->screen.renderer, path, &w, &h, &err);
    if (L->separator == NULL)
        LOG_ERR_ONCE("separator", "%s", err.msg);
    else
        kb_crawl_set_separator_image(L->crawl, L->separator, w, h);
    free(path);
}

/* Styles, the panel and the chrome's mirroring from L->cfg. */
static void apply_config(struct loop *L)
{
    const struct kb_config *cfg = &L->cfg;
    bool want_panel = strcmp(cfg->quotes, "panel") == 0;
    if (want_panel && L->panel == NULL)
        L->panel = kb_panel_new();
    if (!want_panel && L->panel != NULL) {
        kb_panel_free(L->panel);
        L->panel = NULL;
        if (L->ch != NULL)
            kb_channel_set_panel(L->ch, 0, 0);
    }
    if (L->panel != NULL) {
        struct kb_panel_style ps = {kb_scene_color(cfg->quote_fg),
                                    kb_scene_color(cfg->attribution_fg),
                                    kb_scene_color(cfg->background),
                                    cfg->quote_seconds,
                                    0.6,
                                    cfg->speed};
        kb_panel_set_style(L->panel, &ps);
    }
    L->rtl_screen = kb_present_rtl(cfg->screen_lang);
    struct kb_crawl_style style;
    struct kb_chrome_style cs;
    kb_scene_styles(cfg, &style, &cs);
    kb_chrome_set_style(L->chrome, &cs);
    kb_crawl_set_style(L->crawl, &style);
    load_separator(L);
}

/* The quote panel: asks for the next quote once (and again only when the
 * answer has come), steps it, and draws it when it changed, or always where
 * the back buffer does not keep the last frame. Returns the draw calls. */
static int draw_panel(struct loop *L)
{
    if (L->panel == NULL)
        return 0;
    if (kb_panel_wants_next(L->panel) && !L->quote_asked) {
        kb_channel_want_quote(L->ch);
        L->quote_asked = true;
    }
    bool dirty = kb_panel_step(L->panel, L->t, L->atlas, (size_t)L->cfg.warm_glyphs_per_frame);
    /* Where the whole screen was cleared this frame (GPU renderers, or the
     * first frame) the panel's background is already there: filling it
     * again costs llvmpipe as much as all the text. */
    bool cleared = L->panel_redraw || (!L->screen.software && L->rotated == NULL);
    bool redraw = dirty || cleared;
    L->panel_redraw = false;
    return redraw ? kb_panel_draw(L->panel, L->screen.renderer, L->atlas, L->batch, !cleared) : 0;
}

/* What was on screen this frame, for the stats' `shown`. */
static void note_visible(struct loop *L)
{
    struct visit_ctx vc = {L->stats, L->t};
    kb_crawl_visit(L->crawl, on_visible, &vc);
    uint64_t serial;
    const char *quote = L->panel != NULL ? kb_panel_current(L->panel, &serial) : NULL;
    if (quote != NULL)
        on_visible(&vc, quote, serial);
    kb_stats_end_frame(L->stats);
}

/* --screenshot on the last frame, --record every N frames. */
static void save_pictures(struct loop *L, uint64_t n, bool last)
{
    const struct kb_run_opts *o = L->o;
    struct kb_error err;
    if (last && o->screenshot != NULL) {
        if (kb_screen_save_png(&L->screen, o->screenshot, &err))
            LOG_INFO("screenshot written to %s", o->screenshot);
        else
            LOG_ERR("%s", err.msg);
    }
    if (o->record_dir != NULL && o->record_every > 0 && n % (uint64_t)o->record_every == 0) {
        char *path = kb_xasprintf("%s/frame-%06llu.png", o->record_dir, (unsigned long long)n);
        if (!kb_screen_save_png(&L->screen, path, &err))
            LOG_ERR("%s", err.msg);
        free(path);
    }
}

/* SIGHUP: read the config again and apply it without a blank frame: what
 * crawls stays, the ingest thread restarts with the new playlist, the
 * chrome is laid out again. Fonts and the screen mode need a restart. */
static void reload(struct loop *L)
{
    struct kb_config cfg;
    struct kb_error err;
    if (L->o->reload == NULL || !L->o->reload(&cfg, L->o->reload_user, &err)) {
        LOG_ERR("reload: %s; keeping the running config",
                L->o->reload == NULL ? "nothing to reload from" : err.msg);
        return;
    }
    if (strcmp(cfg.fonts, L->cfg.fonts) != 0 || strcmp(cfg.mode, L->cfg.mode) != 0 ||
        cfg.width != L->cfg.width || cfg.height != L->cfg.height ||
        strcmp(cfg.render_driver, L->cfg.render_driver) != 0)
        LOG_WARN("reload: fonts, mode, size and render driver change at the next start");
    snprintf(cfg.fonts, sizeof(cfg.fonts), "%s", L->cfg.fonts);
    kb_ingest_stop(L->ingest);
    L->ingest = NULL;
    kb_channel_restart(L->ch);
    L->cfg = cfg;
    apply_config(L);
    relayout(L);
    struct kb_error e2;
    L->ingest = kb_ingest_start(&L->cfg, L->fonts, L->ch, &e2);
    if (L->ingest == NULL)
        LOG_ERR("reload: %s", e2.msg);
    else
        LOG_INFO("config reloaded");
}

int kb_run(const struct kb_run_opts *o)
{
    struct loop L;
    memset(&L, 0, sizeof(L));
    L.o = o;
    L.cfg = o->cfg;
    const struct kb_config *cfg = &L.cfg;
    struct kb_error err;
    int status = 1;
    install_signals();

    L.fonts = kb_fonts_new(cfg->fonts[0] ? cfg->fonts : kb_fonts_default_chain(), &err);
    if (L.fonts == NULL) {
        LOG_ERR("%s", err.msg);
        return 1;
    }
    struct kb_screen_opts so = {
        .mode = screen_mode(cfg->mode),
        .width = cfg->width,
        .height = cfg->height,
        .render_driver = cfg->render_driver,
        .vsync = cfg->vsync,
        .title = "kabar",
    };
    if (so.mode == KB_SCREEN_HEADLESS && so.width == 0) {
        so.width = 1920;
        so.height = 1080;
    }
    bool opened = kb_screen_open(&L.screen, &so, &err);
    if (!opened && strcmp(cfg->mode, "auto") == 0 && so.mode == KB_SCREEN_FULLSCREEN) {
        LOG_WARN("%s; running headless", err.msg);
        so.mode = KB_SCREEN_HEADLESS;
        so.width = so.width ? so.width : 1920;
        so.height = so.height ? so.height : 1080;
        opened = kb_screen_open(&L.screen, &so, &err);
    }
    if (!opened) {
        LOG_ERR("%s", err.msg);
        kb_fonts_free(L.fonts);
        return 1;
    }
    if (o->virtual_clock || !L.screen.vsync)
        L.screen.refresh_hz = cfg->refresh_hz;
    L.faces = kb_faces_new(L.fonts);
    struct kb_atlas_opts ao = {
        .page_size = cfg->atlas_page,
        .max_texture = L.screen.max_texture,
        .budget_bytes = (size_t)cfg->atlas_budget_kib * 1024,
    };
    L.atlas = kb_atlas_new(L.screen.renderer, L.faces, &ao);
    L.crawl = kb_crawl_new();
    L.chrome = kb_chrome_new();
    L.batch = kb_batch_new();
    apply_config(&L);
    L.ch = kb_channel_new();
    L.stats = kb_stats_new();
    relayout(&L);
    L.ingest = kb_ingest_start(cfg, L.fonts, L.ch, &err);
    if (L.ingest == NULL) {
        LOG_ERR("%s", err.msg);
        goto done;
    }

    double hz = L.screen.refresh_hz, period = 1.0 / hz;
    double t0 = mono_s(), last_present = t0;
    L.t0 = t0;
    uint64_t frame = 0;
    bool notified = false;
    double last_watchdog = 0, last_stats = t0;
    /* Ping the service manager's watchdog once a second, or at half its
     * interval if that is shorter. */
    double watchdog_every = 1.0;
    uint64_t watchdog_usec = 0;
    if (sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec / 2e6 < watchdog_every)
        watchdog_every = watchdog_usec / 2e6;
    for (uint64_t n = 0;; n++) {
        if (quit_signal) {
            LOG_INFO("signal %d: stopping", (int)quit_signal);
            break;
        }
        if (o->frames > 0 && (long long)n >= o->frames)
            break;
        if (o->seconds > 0 && (double)frame * period >= o->seconds)
            break;
        double frame_start = thread_cpu_s();
        double frame_wall = mono_s();
        L.t = (double)frame * period;
        if (reset_textures) {
            /* SIGUSR2: behave as after a GPU reset (and test that path). */
            reset_textures = 0;
            SDL_Event e = {.type = SDL_RENDER_DEVICE_RESET};
            SDL_PushEvent(&e);
        }
        if (!handle_sdl_events(&L))
            break;
        if (reload_config) {
            reload_config = 0;
            reload(&L);
        }
        handle_channel_events(&L);
        feed_crawl(&L, o->virtual_clock);
        /* Under the virtual clock the feed may have waited for the ingest
         * thread; what it posted meanwhile belongs to this frame. */
        handle_channel_events(&L);

        kb_atlas_begin_frame(L.atlas);
        kb_crawl_step(L.crawl, frame, L.atlas, (size_t)cfg->warm_glyphs_per_frame);
        draw(&L);
        int calls = kb_crawl_draw(L.crawl, L.screen.renderer, L.atlas);
        calls += draw_panel(&L);
        calls += kb_chrome_draw(L.chrome, L.screen.renderer, L.atlas, L.batch, L.breaking);
        present_rotated(&L);
        note_visible(&L);
        bool last = (o->frames > 0 && (long long)n + 1 >= o->frames) ||
                    (o->seconds > 0 && (double)(frame + 1) * period >= o->seconds);
        save_pictures(&L, n, last);
        SDL_RenderPresent(L.screen.renderer);
        /* The software renderer draws at present; a GPU driver may block
         * there for vsync, which costs no CPU time. */
        double cpu_ms = (thread_cpu_s() - frame_start) * 1000.0;

        double now = mono_s();
        bool dropped = !o->virtual_clock && n > 0 && now - last_present > 1.5 * period;
        last_present = now;
        kb_stats_frame(L.stats, cpu_ms, calls, kb_atlas_frame_upload_bytes(L.atlas), dropped);
        if (!notified) {
            L.first_frame = now;
            sd_notify(0, "READY=1");
            notified = true;
        }
        if (now - last_watchdog >= watchdog_every) {
            sd_notify(0, "WATCHDOG=1");
            last_watchdog = now;
        }
        if (dump_stats ||
            (cfg->stats_interval_s > 0 && now - last_stats >= cfg->stats_interval_s)) {
            dump_stats = 0;
            last_stats = now;
            write_stats(&L);
        }

        if (o->virtual_clock) {
            frame++;
        } else {
            vsync_check(&L, n, now - frame_wall);
            if (!L.screen.vsync)
                sleep_until(t0 + (double)(n + 1) * period);
            /* Position follows the refresh clock, so a dropped frame does
             * not slow the crawl down. */
            uint64_t f = (uint64_t)llround((mono_s() - t0) * hz);
            frame = f > frame ? f : frame + 1;
        }
    }
    status = 0;
    sd_notify(0, "STOPPING=1");
    write_stats(&L);

done:
    kb_ingest_stop(L.ingest);
    kb_crawl_free(L.crawl);
    if (L.separator != NULL)
        SDL_DestroyTexture(L.separator);
    kb_chrome_free(L.chrome);
    kb_panel_free(L.panel);
    kb_batch_free(L.batch);
    if (L.rotated != NULL)
        SDL_DestroyTexture(L.rotated);
    kb_atlas_free(L.atlas);
    kb_channel_free(L.ch);
    kb_stats_free(L.stats);
    kb_faces_free(L.faces);
    kb_screen_close(&L.screen);
    kb_fonts_free(L.fonts);
    SDL_Quit();
    return status;
}
