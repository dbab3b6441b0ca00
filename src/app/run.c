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
#include "app/present.h"
#include "render/batch.h"
#include "render/chrome.h"
#include "render/crawl.h"
#include "render/screen.h"

/* Frames before uploads count against the steady state: long enough for the
 * first items' glyphs to be rasterised. */
#define WARMUP_S 3.0
/* How long a virtual-clock run waits for the ingest thread's next line
 * before going on without it (a real-clock run never waits). */
#define VIRTUAL_WAIT_MS 5000

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t dump_stats;

static void on_quit(int sig)
{
    quit_signal = sig;
}

static void on_usr1(int sig)
{
    (void)sig;
    dump_stats = 1;
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

static SDL_Color color(struct kb_color c)
{
    return (SDL_Color){c.r, c.g, c.b, c.a};
}

struct layout {
    SDL_Rect bar;
    int px;
    struct kb_crawl_geometry geo;
};

/* Pixels per frame at this screen height: speed is given at 1080 lines.
 * Within 5 % of a whole number of pixels, snap to it: whole-pixel steps
 * stay crisp on a TV. */
static double px_per_frame(const struct kb_config *cfg, int height, double hz)
{
    double v = cfg->speed * height / 1080.0 / hz;
    double whole = round(v);
    if (whole >= 1 && fabs(v - whole) <= 0.05 * v)
        return whole;
    return v;
}

static struct layout compute_layout(const struct kb_config *cfg, int w, int h, double hz)
{
    struct layout l;
    int inset_x = (int)lround(w * cfg->safe_area / 100.0);
    int inset_y = (int)lround(h * cfg->safe_area / 100.0);
    int usable_h = h - 2 * inset_y;
    int bar_h = (int)lround(usable_h * cfg->bar_height);
    if (bar_h < 8)
        bar_h = 8;
    l.bar = (SDL_Rect){inset_x, strcmp(cfg->position, "top") == 0 ? inset_y : h - inset_y - bar_h,
                       w - 2 * inset_x, bar_h};
    l.px = (int)lround(bar_h * cfg->font_scale);
    if (l.px < 6)
        l.px = 6;
    l.geo.area = l.bar;
    /* Noto's capitals and x-height sit about 0.36 em above the baseline
     * at their middle: centre that on the bar. */
    l.geo.baseline = l.bar.y + bar_h / 2 + (int)lround(l.px * 0.36);
    l.geo.px_per_frame = px_per_frame(cfg, usable_h, hz);
    l.geo.gap = (int)lround(cfg->item_gap * l.px);
    l.geo.dir = strcmp(cfg->crawl_direction, "left-to-right") == 0   ? KB_CRAWL_LEFT_TO_RIGHT
                : strcmp(cfg->crawl_direction, "right-to-left") == 0 ? KB_CRAWL_RIGHT_TO_LEFT
                                                                     : KB_CRAWL_AUTO;
    return l;
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

static void on_visible(void *user, const char *id)
{
    struct visit_ctx *v = user;
    if (id[0] != '\0')
        kb_stats_visible(v->stats, id, v->t);
}

struct loop {
    const struct kb_run_opts *o;
    struct kb_screen screen;
    struct kb_fonts *fonts;
    struct kb_faces *faces;
    struct kb_atlas *atlas;
    struct kb_crawl *crawl;
    struct kb_channel *ch;
    struct kb_ingest *ingest;
    struct kb_batch *batch;
    struct kb_stats *stats;
    struct layout layout;
    struct kb_chrome *chrome;
    bool rtl_screen;
    double t;              /* crawl time of this frame, seconds */
    double breaking_since; /* crawl time breaking news last entered */
    bool full_redraw;
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
    };
    struct kb_error err;
    if (!kb_stats_write(L->stats, &x, L->o->stats, &err))
        LOG_ERR("%s", err.msg);
}

/* (Re)creates the rotation target for the current screen size. */
static void setup_rotation(struct loop *L)
{
    int rot = L->o->cfg.rotation;
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
    SDL_RenderCopyEx(L->screen.renderer, L->rotated, NULL, &dst, L->o->cfg.rotation, NULL,
                     SDL_FLIP_NONE);
}

static void relayout(struct loop *L)
{
    setup_rotation(L);
    L->layout = compute_layout(&L->o->cfg, L->logical_w, L->logical_h, L->screen.refresh_hz);
    kb_chrome_place(L->chrome, L->layout.bar, L->rtl_screen, &L->layout.geo.area);
    kb_crawl_set_geometry(L->crawl, &L->layout.geo);
    if (kb_channel_px(L->ch) != L->layout.px) {
        /* Lines of the old size would look wrong: start the crawl afresh. */
        kb_crawl_clear(L->crawl);
        kb_channel_set_px(L->ch, L->layout.px);
    }
    L->full_redraw = true;
}

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
            if (kb_crawl_remove(L->crawl, ev.item.id) > 0)
                LOG_INFO("%s: taken off the screen", ev.item.id);
            break;
        case KB_EVENT_BREAKING:
            if (ev.item.n_segs > 0)
                show_breaking(L, &ev.item);
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
static SDL_Color bar_color(const struct loop *L)
{
    const struct kb_config *cfg = &L->o->cfg;
    if (!L->breaking)
        return color(cfg->bar);
    SDL_Color c = color(cfg->breaking_bg);
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
    const struct kb_config *cfg = &L->o->cfg;
    SDL_Renderer *ren = L->screen.renderer;
    if (L->rotated != NULL)
        SDL_SetRenderTarget(ren, L->rotated);
    /* The software renderer keeps its buffer between frames: redraw only
     * the bar. Other renderers' back buffers are undefined after a present. */
    if (L->full_redraw || (!L->screen.software && L->rotated == NULL)) {
        SDL_Color bg = color(cfg->background);
        SDL_SetRenderDrawColor(ren, bg.r, bg.g, bg.b, 255);
        SDL_RenderClear(ren);
        L->full_redraw = false;
    }
    L->breaking = kb_crawl_any(L->crawl, KB_CRAWL_BREAKING);
    SDL_Color bar = bar_color(L);
    SDL_SetRenderDrawColor(ren, bar.r, bar.g, bar.b, 255);
    SDL_RenderFillRect(ren, &L->layout.bar);
}

int kb_run(const struct kb_run_opts *o)
{
    struct loop L;
    memset(&L, 0, sizeof(L));
    L.o = o;
    const struct kb_config *cfg = &o->cfg;
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
    L.rtl_screen = kb_present_rtl(cfg->screen_lang);
    struct kb_chrome_style cs = {color(cfg->label_bg),          color(cfg->label_fg),
                                 color(cfg->breaking_label_bg), color(cfg->breaking_label_fg),
                                 color(cfg->clock_fg),          color(cfg->stale_fg),
                                 color(cfg->stale_bg)};
    kb_chrome_set_style(L.chrome, &cs);
    struct kb_crawl_style style = {color(cfg->text),     color(cfg->breaking_fg),
                                   color(cfg->source),   color(cfg->badge_bg),
                                   color(cfg->badge_fg), color(cfg->separator_color)};
    kb_crawl_set_style(L.crawl, &style);
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
    uint64_t frame = 0;
    bool notified = false;
    double last_watchdog = 0;
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
        L.t = (double)frame * period;
        if (!handle_sdl_events(&L))
            break;
        handle_channel_events(&L);
        feed_crawl(&L, o->virtual_clock);
        /* Under the virtual clock the feed may have waited for the ingest
         * thread; what it posted meanwhile belongs to this frame. */
        handle_channel_events(&L);

        kb_atlas_begin_frame(L.atlas);
        kb_crawl_step(L.crawl, frame, L.atlas, (size_t)cfg->warm_glyphs_per_frame);
        draw(&L);
        int calls = kb_crawl_draw(L.crawl, L.screen.renderer, L.atlas);
        calls += kb_chrome_draw(L.chrome, L.screen.renderer, L.atlas, L.batch, L.breaking);
        present_rotated(&L);

        double t = (double)frame * period;
        struct visit_ctx vc = {L.stats, t};
        kb_crawl_visit(L.crawl, on_visible, &vc);
        kb_stats_end_frame(L.stats);

        bool last = (o->frames > 0 && (long long)n + 1 >= o->frames) ||
                    (o->seconds > 0 && (double)(frame + 1) * period >= o->seconds);
        if (last && o->screenshot != NULL) {
            if (kb_screen_save_png(&L.screen, o->screenshot, &err))
                LOG_INFO("screenshot written to %s", o->screenshot);
            else
                LOG_ERR("%s", err.msg);
        }
        if (o->record_dir != NULL && o->record_every > 0 && n % (uint64_t)o->record_every == 0) {
            char *path = kb_xasprintf("%s/frame-%06llu.png", o->record_dir, (unsigned long long)n);
            if (!kb_screen_save_png(&L.screen, path, &err))
                LOG_ERR("%s", err.msg);
            free(path);
        }
        SDL_RenderPresent(L.screen.renderer);
        /* The software renderer draws at present; a GPU driver may block
         * there for vsync, which costs no CPU time. */
        double cpu_ms = (thread_cpu_s() - frame_start) * 1000.0;

        double now = mono_s();
        bool dropped = !o->virtual_clock && n > 0 && now - last_present > 1.5 * period;
        last_present = now;
        kb_stats_frame(L.stats, cpu_ms, calls, kb_atlas_frame_upload_bytes(L.atlas), dropped,
                       t >= WARMUP_S);
        if (!notified) {
            sd_notify(0, "READY=1");
            notified = true;
        }
        if (now - last_watchdog >= 1.0) {
            sd_notify(0, "WATCHDOG=1");
            last_watchdog = now;
        }
        if (dump_stats) {
            dump_stats = 0;
            write_stats(&L);
        }

        if (o->virtual_clock) {
            frame++;
        } else {
            if (!L.screen.vsync)
                sleep_until(t0 + (double)(n + 1) * period);
            /* Position follows the refresh clock, so a dropped frame does
             * not slow the crawl down. */
            uint64_t f = (uint64_t)llround((mono_s() - t0) * hz);
            frame = f > frame ? f : frame + 1;
        }
    }
    status = 0;
    write_stats(&L);

done:
    kb_ingest_stop(L.ingest);
    kb_crawl_free(L.crawl);
    kb_chrome_free(L.chrome);
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
