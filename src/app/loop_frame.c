/* One frame of the render loop, up to the present: events in, the crawl
 * fed and stepped, the bar, crawl, panel and chrome drawn, what shows
 * noted, pictures saved. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_MODULE "run"
#include "app/loop.h"
#include "app/slides_loop.h"
#include "app/onscreen.h"
#include "core/log.h"
#include "core/xmalloc.h"

/* How long a virtual-clock run waits for the ingest thread's next line
 * before going on without it (a real-clock run never waits). */
#define VIRTUAL_WAIT_MS 5000

bool kb_loop_events(struct kb_loop *L)
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
                    kb_loop_relayout(L);
            } else if (kb_loop_picture_lost(&e)) {
                L->full_redraw = true;
            }
            break;
        case SDL_DISPLAYEVENT:
            L->full_redraw = true;
            break;
        case SDL_RENDER_TARGETS_RESET:
        case SDL_RENDER_DEVICE_RESET:
            LOG_WARN("renderer lost its textures; rebuilding the glyph atlas");
            kb_atlas_reset(L->atlas, L->screen.renderer);
            kb_loop_setup_rotation(L);
            kb_loop_load_separator(L);
            kb_loop_logo_reset(L);
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
static void show_breaking(struct kb_loop *L, struct kb_ready *r)
{
    if (!kb_crawl_suspended(L->crawl)) {
        kb_crawl_suspend(L->crawl);
        L->breaking_since = L->t;
    }
    kb_crawl_push(L->crawl, r->segs, r->n_segs, r->id, r->flags);
}

/* The next quote onto the panel, or word that there is none yet. */
static void show_quote(struct kb_loop *L, struct kb_event *ev)
{
    if (L->wall != NULL) {
        kb_loop_wall_quote(L, ev);
        return;
    }
    L->quote_none = ev->quote == NULL;
    if (ev->quote == NULL)
        return;
    kb_panel_push(L->panel, ev->quote, ev->item.id);
    L->quote_asked = false;
}

/* Under the virtual clock a quote that is due is waited for, as the crawl
 * waits for its next line: when a quote comes on (and so every page turn
 * after it) must not depend on how fast the ingest thread laid it out. */
static void wait_quote(struct kb_loop *L)
{
    struct timespec ms = {0, 1000000};
    for (int i = 0; i < VIRTUAL_WAIT_MS; i++) {
        if (!L->quote_asked || L->quote_none || !kb_panel_due(L->panel, L->t))
            return;
        kb_loop_channel_events(L);
        if (!L->quote_asked || L->quote_none)
            return;
        nanosleep(&ms, NULL);
    }
    LOG_WARN_ONCE("quote-wait", "no quote for the panel within %d ms", VIRTUAL_WAIT_MS);
}

void kb_loop_channel_events(struct kb_loop *L)
{
    struct kb_event ev;
    while (kb_channel_next_event(L->ch, &ev)) {
        kb_onscreen_note_event(&ev);
        switch (ev.type) {
        case KB_EVENT_REMOVE:
            if (kb_crawl_remove(L->crawl, ev.item.id) +
                    (L->panel != NULL ? kb_panel_remove(L->panel, ev.item.id) : 0) +
                    (L->slides != NULL ? kb_slides_remove(L->slides, ev.item.id) : 0) >
                0)
                LOG_INFO("%s: taken off the screen", /* the idle message has no id */
                         ev.item.id[0] != '\0' ? ev.item.id : "the waiting message");
            break;
        case KB_EVENT_BREAKING:
            if (ev.item.n_segs > 0)
                show_breaking(L, &ev.item);
            break;
        case KB_EVENT_PANEL:
            if (L->panel != NULL)
                show_quote(L, &ev);
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
        kb_quote_pages_free(ev.quote);
    }
}

static void feed_crawl(struct kb_loop *L)
{
    if (!kb_crawl_wants_next(L->crawl))
        return;
    struct kb_ready r;
    if (kb_channel_take(L->ch, &r, L->o->virtual_clock ? VIRTUAL_WAIT_MS : 0)) {
        kb_onscreen_note(&r);
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

/* The bar grows by this many of its base heights a second, and shrinks
 * back only once no item has needed it taller for BAR_HOLD_S: a screen of
 * mostly Nastaliq headlines keeps its taller bar instead of pumping. */
#define BAR_RATE 2.0
#define BAR_HOLD_S 20.0

void kb_loop_fit_bar(struct kb_loop *L)
{
    const SDL_Rect *base = &L->base_bar;
    int need = kb_crawl_need_height(L->crawl);
    int cap = L->layout.geo.grow_to > base->h ? L->layout.geo.grow_to : base->h;
    int target = need > cap ? cap : need < base->h ? base->h : need;
    double dt = L->t - L->bar_t, h = L->bar_h;
    L->bar_t = L->t;
    if (target > base->h)
        L->tall_at = L->t;
    double step = BAR_RATE * base->h * (dt > 0 ? dt : 0);
    if (target > h)
        h = fmin(target, h + step);
    else if (target < h && L->t - L->tall_at >= BAR_HOLD_S)
        h = fmax(target, h - step);
    if ((int)lround(h) == (int)lround(L->bar_h)) {
        L->bar_h = h;
        return;
    }
    L->bar_h = h;
    int bh = (int)lround(h);
    bool top = L->layout.bar.y == base->y && strcmp(L->cfg.position, "top") == 0;
    /* The edge away from the screen's middle stays put, and so does the
     * baseline: what crawls does not move while the bar grows. */
    L->layout.bar = (SDL_Rect){base->x, top ? base->y : base->y + base->h - bh, base->w, bh};
    kb_chrome_place(L->chrome, L->layout.bar, L->rtl_screen, &L->layout.geo.area);
    kb_crawl_set_geometry(L->crawl, &L->layout.geo);
    L->full_redraw = true;
}

/* The background where it must be cleared, and the bar. */
static void draw_bar(struct kb_loop *L)
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
        kb_damage_all(&L->damage);
    }
    L->breaking = kb_crawl_any(L->crawl, KB_CRAWL_BREAKING);
    SDL_Color bar = kb_scene_bar_color(cfg, L->breaking, L->t - L->breaking_since);
    SDL_SetRenderDrawColor(ren, bar.r, bar.g, bar.b, 255);
    SDL_RenderFillRect(ren, &L->layout.bar);
    kb_damage_add(&L->damage, L->layout.bar);
}

/* The quote panel: asks for the next quote once (and again only when the
 * answer has come), steps it, and draws it when it changed, or always where
 * the back buffer does not keep the last frame. Returns the draw calls. */
static int draw_panel(struct kb_loop *L)
{
    if (L->panel == NULL)
        return 0;
    double t = L->t;
    if (L->wall != NULL) {
        t = kb_loop_wall_panel(L);
    } else if (kb_panel_wants_next(L->panel) && !L->quote_asked) {
        kb_channel_want_quote(L->ch);
        L->quote_asked = true;
    }
    if (L->wall == NULL && L->o->virtual_clock)
        wait_quote(L);
    bool dirty = kb_panel_step(L->panel, t, L->atlas, (size_t)L->cfg.warm_glyphs_per_frame);
    /* Where the whole screen was cleared this frame (GPU renderers, or the
     * first frame) the panel's background is already there: filling it
     * again costs llvmpipe as much as all the text. */
    bool cleared = L->panel_redraw || (!L->screen.software && L->rotated == NULL);
    bool redraw = dirty || cleared;
    L->panel_redraw = false;
    if (redraw)
        kb_damage_add(&L->damage, kb_panel_rect(L->panel));
    return redraw ? kb_panel_draw(L->panel, L->screen.renderer, L->atlas, L->batch, !cleared) : 0;
}

/* Turns the upright scene onto the screen. */
static void present_rotated(struct kb_loop *L)
{
    if (L->rotated == NULL)
        return;
    SDL_SetRenderTarget(L->screen.renderer, NULL);
    SDL_Rect dst = {(L->screen.width - L->logical_w) / 2, (L->screen.height - L->logical_h) / 2,
                    L->logical_w, L->logical_h};
    SDL_RenderCopyEx(L->screen.renderer, L->rotated, NULL, &dst, L->cfg.rotation, NULL,
                     SDL_FLIP_NONE);
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

/* What was on screen this frame, for the stats' `shown`. */
static void note_visible(struct kb_loop *L)
{
    struct visit_ctx vc = {L->stats, L->t};
    kb_crawl_visit(L->crawl, on_visible, &vc);
    uint64_t serial;
    const char *quote = L->panel != NULL ? kb_panel_current(L->panel, &serial) : NULL;
    if (quote != NULL)
        on_visible(&vc, quote, serial);
    kb_stats_end_frame(L->stats);
}

int kb_loop_frame(struct kb_loop *L, uint64_t frame)
{
    kb_loop_channel_events(L);
    if (L->wall != NULL)
        kb_loop_wall_feed(L, frame);
    else
        feed_crawl(L);
    /* Under the virtual clock the feed may have waited for the ingest
     * thread; what it posted meanwhile belongs to this frame. */
    kb_loop_channel_events(L);

    kb_loop_fit_bar(L);
    kb_atlas_begin_frame(L->atlas);
    kb_crawl_step(L->crawl, frame, L->atlas, (size_t)L->cfg.warm_glyphs_per_frame);
    draw_bar(L);
    int calls = kb_crawl_draw(L->crawl, L->screen.renderer, L->atlas);
    int slide_calls = kb_loop_slides_frame(L);
    calls += slide_calls >= 0 ? slide_calls : draw_panel(L);
    calls += kb_chrome_draw(L->chrome, L->screen.renderer, L->atlas, L->batch, L->breaking);
    present_rotated(L);
    note_visible(L);
    return calls;
}
