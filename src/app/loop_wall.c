/* The render loop's side of a video wall (app/wall.h): the tile's scene,
 * what the schedule must know of it, and the crawl fed from the schedule
 * instead of from the ingest thread's queue. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define LOG_MODULE "run"
#include "app/loop.h"
#include "app/wall.h"
#include "app/wall_view.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "render/slide.h"
#include "render/story.h"

/* Under the virtual clock, how long the panel waits for its slot's quote. */
#define VIRTUAL_QUOTE_WAIT_MS 5000

bool kb_loop_wall_open(struct kb_loop *L)
{
    struct kb_wall_geo g;
    struct kb_error err;
    if (!kb_wall_parse(&L->cfg, &g, &err)) {
        LOG_ERR("%s", err.msg);
        return false;
    }
    if (g.cols == 0)
        return true;
    if (g.all) { /* kb_run gives each screen of wall_tile = all its own tile */
        LOG_ERR("wall_tile = %s: several tiles need one screen each (kb_run)", L->cfg.wall_tile);
        return false;
    }
    L->wall = kb_wall_new(&g, L->o->virtual_clock, L->cfg.refresh_hz);
    kb_loop_wall_panel_reset(L);
    L->wall_slide_shown = INT64_MIN;
    LOG_INFO("wall %dx%d, tile %d,%d, bezel %d px", g.cols, g.rows, g.col, g.row, g.bezel);
    return true;
}

void kb_loop_wall_scene(struct kb_loop *L)
{
    int vw, vh;
    L->layout =
        kb_wall_scene(&L->cfg, kb_wall_geometry(L->wall), L->logical_w, L->logical_h, &vw, &vh);
}

void kb_loop_wall_span(const struct kb_loop *L, int *edge, int *height)
{
    const struct kb_wall_geo *g = kb_wall_geometry(L->wall);
    *edge = -g->row * (L->logical_h + g->bezel);
    *height = g->rows * L->logical_h + (g->rows - 1) * g->bezel;
}

/* What the schedule must know: it is made again when this changes. */
static void publish_layout(struct kb_loop *L)
{
    const struct kb_crawl_geometry *geo = &L->layout.geo;
    kb_wall_set_layout(L->wall, L->layout.px, geo->px_per_frame, geo->area.w, geo->gap,
                       L->rtl_screen ? +1 : -1);
}

void kb_loop_wall_feed(struct kb_loop *L, uint64_t frame)
{
    L->wall_frame = (int64_t)frame;
    publish_layout(L);
    int64_t breaking_at;
    kb_wall_feed(L->wall, L->crawl, (int64_t)frame, &breaking_at);
    /* The bar's flash counts from the frame the run began on every tile. */
    if (breaking_at >= 0)
        L->breaking_since = L->t - (double)((int64_t)frame - breaking_at) / L->cfg.refresh_hz;
}

char *kb_loop_record_path(const struct kb_loop *L, uint64_t n)
{
    const struct kb_run_opts *o = L->o;
    if (o->record_dir == NULL || o->record_every <= 0)
        return NULL;
    if (L->wall == NULL)
        return n % (uint64_t)o->record_every == 0
                   ? kb_xasprintf("%s/frame-%06llu.png", o->record_dir, (unsigned long long)n)
                   : NULL;
    if (L->wall_frame % o->record_every != 0)
        return NULL;
    return kb_xasprintf("%s/wall-%lld%s.png", o->record_dir, (long long)L->wall_frame,
                        L->tile_suffix);
}

/* ---- the quote panel (app/wall.h: slot s shows quote s mod n) ---- */

void kb_loop_wall_panel_reset(struct kb_loop *L)
{
    kb_quote_pages_free(L->wall_quote.q);
    L->wall_quote.q = NULL;
    L->wall_quote.shown = L->wall_quote.asked = INT64_MIN;
    L->wall_quote.answered = -1;
}

void kb_loop_wall_quote(struct kb_loop *L, struct kb_event *ev)
{
    kb_quote_pages_free(L->wall_quote.q);
    L->wall_quote.q = ev->quote;
    ev->quote = NULL;
    L->wall_quote.answered = ev->slot;
    snprintf(L->wall_quote.id, sizeof(L->wall_quote.id), "%s", ev->item.id);
}

static void ask(struct kb_loop *L, int64_t slot)
{
    if (L->wall_quote.asked == slot)
        return;
    L->wall_quote.asked = slot;
    kb_wall_ask_quote(L->wall, slot);
    kb_channel_want_quote(L->ch);
}

/* Under the virtual clock: the answer for slot, waited for. */
static void wait_answer(struct kb_loop *L, int64_t slot)
{
    struct timespec ms = {0, 1000000};
    for (int i = 0; i < VIRTUAL_QUOTE_WAIT_MS; i++) {
        kb_loop_channel_events(L);
        if (L->wall_quote.answered == KB_WALL_SLOT_TAG(slot))
            return;
        nanosleep(&ms, NULL);
    }
    LOG_WARN_ONCE("wall-quote", "no quote for the panel's slot within %d ms",
                  VIRTUAL_QUOTE_WAIT_MS);
}

/* The slot's pages share its time in proportion to their reading times,
 * so a quote turns its pages within its slot on every tile alike. */
static void fit_dwells(struct kb_quote_pages *q, double slot_s)
{
    double sum = 0;
    for (size_t k = 0; k < q->n_pages; k++)
        sum += q->dwell[k];
    for (size_t k = 0; k < q->n_pages; k++)
        q->dwell[k] = sum > 0 ? q->dwell[k] * slot_s / sum : slot_s / (double)q->n_pages;
}

double kb_loop_wall_panel(struct kb_loop *L)
{
    double hz = L->cfg.refresh_hz;
    int64_t per = (int64_t)llround(L->cfg.quote_seconds * hz), f = L->wall_frame;
    if (per < 1)
        per = 1;
    int64_t s = f >= 0 ? f / per : (f - per + 1) / per;
    double t = (double)f / hz;
    if (L->wall_quote.shown == s) {
        ask(L, s + 1); /* ahead, so it is there at the slot's first frame */
        return t;
    }
    int tag = KB_WALL_SLOT_TAG(s);
    if (L->wall_quote.answered != tag) {
        ask(L, s);
        if (L->o->virtual_clock)
            wait_answer(L, s);
        if (L->wall_quote.answered != tag)
            return t; /* the last quote stays until its answer comes */
    }
    L->wall_quote.shown = s;
    if (L->wall_quote.q != NULL) {
        fit_dwells(L->wall_quote.q, (double)per / hz);
        kb_panel_show_at(L->panel, L->wall_quote.q, L->wall_quote.id, (double)(s * per) / hz);
        kb_quote_pages_free(L->wall_quote.q);
        L->wall_quote.q = NULL;
    }
    return t;
}

/* ---- story slides (app/wall.h: slot s shows one story on every tile) ---- */

double kb_loop_wall_slides(struct kb_loop *L)
{
    double hz = L->cfg.refresh_hz;
    bool quotes = L->panel != NULL && strcmp(L->cfg.panel, "both") == 0;
    double slot_s = kb_wall_slide_slot_s(&L->cfg, quotes);
    int64_t per = (int64_t)llround(slot_s * hz), f = L->wall_frame;
    if (per < 1)
        per = 1;
    int64_t s = f >= 0 ? f / per : (f - per + 1) / per;
    double t = (double)f / hz;
    SDL_Rect r = kb_slides_rect(L->slides);
    if (r.w != L->wall_slide_w || r.h != L->wall_slide_h) {
        /* Stories laid out for the old size would be dropped: ask again. */
        kb_wall_slides_reset(L->wall);
        L->wall_slide_shown = INT64_MIN;
        L->wall_slide_w = r.w;
        L->wall_slide_h = r.h;
    }
    if (L->wall_slide_shown == s) {
        kb_wall_ask_slide(L->wall, s + 1); /* ahead, so it is there at the slot's first frame */
        return t;
    }
    kb_wall_ask_slide(L->wall, s);
    struct kb_story *story;
    if (!kb_wall_take_slide(L->wall, s, L->o->virtual_clock ? VIRTUAL_QUOTE_WAIT_MS : 0, &story)) {
        if (L->o->virtual_clock)
            LOG_WARN_ONCE("wall-slide", "no story for the slides' slot within %d ms",
                          VIRTUAL_QUOTE_WAIT_MS);
        return t; /* the last slide stays until its answer comes */
    }
    L->wall_slide_shown = s;
    if (story != NULL) {
        /* It covers the slot but for the quotes' share; every tile alike. */
        story->dwell = L->cfg.slide_max_seconds;
        kb_slides_push(L->slides, L->screen.renderer, story, (double)(s * per) / hz);
    }
    return t;
}
