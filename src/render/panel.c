#include "render/panel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "panel"
#include "core/limits.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "render/fit.h"

struct quote {
    struct kb_quote_pages q; /* holds its own references */
    char id[KB_ID_MAX + 1];
    double shown_at; /* crawl time it began to fade in */
    size_t page;     /* the page shown (or fading in) */
    double page_at;  /* crawl time that page began to fade in */
    uint64_t serial; /* this showing's number, counted down from the top so
                        it never meets a crawl item's */
    bool valid;
};

struct kb_panel {
    struct kb_panel_style style;
    SDL_Rect rect;
    int px;
    struct quote cur, next, old; /* old: fading out */
    double t;
    bool dirty;
    bool on_time; /* pages turn when due (kb_panel_show_at) */
    uint64_t serials;
};

struct kb_panel *kb_panel_new(void)
{
    struct kb_panel *p = kb_xcalloc(1, sizeof(*p));
    p->style = (struct kb_panel_style){
        {255, 255, 255, 255}, {200, 200, 200, 255}, {0, 0, 0, 255}, 12.0, 0.6};
    return p;
}

static void quote_release(struct quote *q)
{
    for (size_t i = 0; i < q->q.n; i++)
        kb_line_unref(q->q.lines[i]);
    kb_line_unref(q->q.attribution);
    memset(q, 0, sizeof(*q));
}

void kb_panel_free(struct kb_panel *p)
{
    if (p == NULL)
        return;
    kb_panel_clear(p);
    free(p);
}

void kb_panel_clear(struct kb_panel *p)
{
    quote_release(&p->cur);
    quote_release(&p->next);
    quote_release(&p->old);
    p->dirty = true;
}

void kb_panel_set_style(struct kb_panel *p, const struct kb_panel_style *style)
{
    p->style = *style;
}

void kb_panel_place(struct kb_panel *p, SDL_Rect rect, int px)
{
    /* Tests read the panel's edges from this line (tests/cli/fit_tests.py). */
    if (rect.x != p->rect.x || rect.y != p->rect.y || rect.w != p->rect.w || rect.h != p->rect.h)
        LOG_DBG("quote panel: %dx%d at %d,%d, %d px", rect.w, rect.h, rect.x, rect.y, px);
    p->rect = rect;
    p->px = px;
    p->dirty = true;
}

SDL_Rect kb_panel_rect(const struct kb_panel *p)
{
    return p->rect;
}

bool kb_panel_wants_next(const struct kb_panel *p)
{
    return !p->next.valid;
}

void kb_panel_push(struct kb_panel *p, const struct kb_quote_pages *src, const char *id)
{
    quote_release(&p->next);
    struct quote *q = &p->next;
    q->q = *src;
    if (q->q.n > KB_PANEL_LINES_MAX)
        q->q.n = KB_PANEL_LINES_MAX;
    for (size_t i = 0; i < q->q.n; i++)
        kb_line_ref(q->q.lines[i]);
    kb_line_ref(q->q.attribution);
    /* One page of everything when the pages do not add up. */
    if (q->q.n_pages == 0 || q->q.n_pages > q->q.n || q->q.first[q->q.n_pages] != q->q.n) {
        q->q.n_pages = 1;
        q->q.first[0] = 0;
        q->q.first[1] = q->q.n;
        q->q.dwell[0] = 0;
    }
    snprintf(q->id, sizeof(q->id), "%s", id);
    q->serial = UINT64_MAX - ++p->serials;
    q->valid = q->q.n > 0;
}

void kb_panel_show_at(struct kb_panel *p, const struct kb_quote_pages *q, const char *id, double at)
{
    kb_panel_push(p, q, id);
    quote_release(&p->old);
    p->old = p->cur;
    p->cur = p->next;
    memset(&p->next, 0, sizeof(p->next));
    p->cur.shown_at = p->cur.page_at = at;
    p->on_time = true;
    p->dirty = true;
}

size_t kb_panel_remove(struct kb_panel *p, const char *id)
{
    size_t n = 0;
    struct quote *qs[] = {&p->cur, &p->next, &p->old};
    for (size_t i = 0; i < 3; i++) {
        if (qs[i]->valid && strcmp(qs[i]->id, id) == 0) {
            quote_release(qs[i]);
            n++;
        }
    }
    if (n > 0)
        p->dirty = true;
    return n;
}

/* How long page k stays (the last page stays until the quote has been up
 * hold_s in all). */
static double dwell(const struct kb_panel *p, const struct quote *q, size_t k)
{
    double d = q->q.dwell[k];
    if (k + 1 == q->q.n_pages) {
        double before = q->page_at - q->shown_at;
        if (before + d < p->style.hold_s)
            d = p->style.hold_s - before;
    }
    return d;
}

int kb_panel_side(int px)
{
    return px / 10 > 2 ? px / 10 : 2;
}

bool kb_panel_due(const struct kb_panel *p, double t)
{
    const struct quote *c = &p->cur;
    return !c->valid || (c->page + 1 == c->q.n_pages && t - c->page_at >= dwell(p, c, c->page));
}

static size_t warm(struct kb_atlas *atlas, const struct quote *q, size_t budget)
{
    size_t missing = 0;
    for (size_t i = 0; i < q->q.n; i++)
        missing += kb_atlas_warm(atlas, q->q.lines[i], missing ? 0 : budget);
    if (q->q.attribution != NULL)
        missing += kb_atlas_warm(atlas, q->q.attribution, missing ? 0 : budget);
    return missing;
}

bool kb_panel_step(struct kb_panel *p, double t, struct kb_atlas *atlas, size_t warm_budget)
{
    p->t = t;
    bool dirty = p->dirty;
    p->dirty = false;
    if (p->old.valid && t - p->cur.shown_at >= p->style.fade_s) {
        quote_release(&p->old);
        dirty = true;
    }
    struct quote *c = &p->cur;
    /* The next page, cross-fading from this one. */
    while (c->valid && c->page + 1 < c->q.n_pages && t - c->page_at >= dwell(p, c, c->page)) {
        c->page_at = p->on_time ? c->page_at + dwell(p, c, c->page) : t;
        c->page++;
        dirty = true;
    }
    bool due = kb_panel_due(p, t);
    if (p->next.valid && due && (atlas == NULL || warm(atlas, &p->next, warm_budget) == 0)) {
        quote_release(&p->old);
        p->old = p->cur;
        p->cur = p->next;
        memset(&p->next, 0, sizeof(p->next));
        p->cur.shown_at = p->cur.page_at = t;
        dirty = true;
    }
    if (c->valid && (t - c->shown_at < p->style.fade_s || t - c->page_at < p->style.fade_s))
        dirty = true;
    return dirty;
}

static SDL_Color faded(SDL_Color c, double alpha)
{
    c.a = (Uint8)lround(c.a * (alpha < 0 ? 0 : alpha > 1 ? 1 : alpha));
    return c;
}

/* Page k of q, its lines and attribution centred on the panel as a block,
 * each line placed by its ink so none is cut at the panel's edges. */
static void draw_page(struct kb_panel *p, struct kb_batch *b, const struct quote *q, size_t k,
                      double alpha)
{
    const SDL_Rect *r = &p->rect;
    const struct kb_quote_pages *qp = &q->q;
    size_t from = qp->first[k], to = qp->first[k + 1];
    const struct kb_line *by = qp->attribution;
    double top = 0, bottom = 0;
    for (size_t i = from; i < to; i++) {
        top = i == from ? qp->lines[i]->ink_top : top;
        bottom = qp->lines[i]->ink_bottom;
    }
    double by_h = by != NULL ? fmax(by->ink_top + by->ink_bottom, by->px) + qp->pitch * 0.25 : 0;
    double block = top + (double)(to - from - 1) * qp->pitch + bottom + by_h;
    int baseline = (int)lround(r->y + (r->h - block) / 2 + top);
    double side = kb_panel_side(p->px), l = r->x + side, right = r->x + r->w - side;
    bool rtl = qp->lines[0]->base_dir == KB_DIR_RTL;
    for (size_t i = from; i < to; i++) {
        const struct kb_line *line = qp->lines[i];
        double x = rtl ? right - line->width : l;
        kb_batch_line(b, line, x, baseline, faded(p->style.text, alpha), l, right);
        if (i + 1 < to)
            baseline += qp->pitch;
    }
    if (by != NULL) {
        double x = rtl ? l : right - by->width;
        int y = baseline + (int)ceil(bottom + qp->pitch * 0.25 + by->ink_top);
        kb_batch_line(b, by, x, y, faded(p->style.attribution, alpha), l, right);
    }
}

int kb_panel_draw(struct kb_panel *p, SDL_Renderer *renderer, struct kb_atlas *atlas,
                  struct kb_batch *batch, bool erase)
{
    int calls = 0;
    if (erase) {
        SDL_Color bg = p->style.background;
        SDL_SetRenderDrawColor(renderer, bg.r, bg.g, bg.b, bg.a);
        SDL_RenderFillRect(renderer, &p->rect);
        calls++;
    }
    if (!p->cur.valid && !p->old.valid)
        return calls;
    SDL_RenderSetClipRect(renderer, &p->rect);
    kb_batch_begin(batch, renderer, atlas);
    double fade = p->style.fade_s > 0 ? p->style.fade_s : 1e-9;
    double in = (p->t - p->cur.shown_at) / fade;
    if (p->old.valid)
        draw_page(p, batch, &p->old, p->old.page, 1 - in);
    const struct quote *c = &p->cur;
    if (c->valid) {
        double page_in = (p->t - c->page_at) / fade;
        if (c->page > 0 && page_in < 1)
            draw_page(p, batch, c, c->page - 1, 1 - page_in);
        draw_page(p, batch, c, c->page, c->page > 0 ? page_in : in);
    }
    calls += kb_batch_end(batch);
    SDL_RenderSetClipRect(renderer, NULL);
    return calls;
}

const char *kb_panel_current(const struct kb_panel *p, uint64_t *serial)
{
    *serial = p->cur.serial;
    return p->cur.valid ? p->cur.id : NULL;
}

size_t kb_panel_page(const struct kb_panel *p)
{
    return p->cur.valid ? p->cur.page : 0;
}
