#include "render/panel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/xmalloc.h"

/* Seconds a too-long last line rests before it starts to scroll, and after. */
#define SCROLL_REST_S 2.0
/* Line pitch of the quote, in em. */
#define LINE_PITCH 1.35
/* Attribution size as a share of the quote's em. */
#define ATTRIBUTION_SCALE 0.6

struct quote {
    struct kb_line *lines[KB_PANEL_LINES_MAX];
    size_t n;
    struct kb_line *attribution;
    char id[KB_ID_MAX + 1];
    double shown_at; /* crawl time it began to fade in */
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
    uint64_t serials;
};

struct kb_panel *kb_panel_new(void)
{
    struct kb_panel *p = kb_xcalloc(1, sizeof(*p));
    p->style = (struct kb_panel_style){
        {255, 255, 255, 255}, {200, 200, 200, 255}, {0, 0, 0, 255}, 12.0, 0.6, 120.0};
    return p;
}

static void quote_release(struct quote *q)
{
    for (size_t i = 0; i < q->n; i++)
        kb_line_unref(q->lines[i]);
    kb_line_unref(q->attribution);
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

void kb_panel_push(struct kb_panel *p, struct kb_line *const *lines, size_t n,
                   struct kb_line *attribution, const char *id)
{
    quote_release(&p->next);
    struct quote *q = &p->next;
    for (size_t i = 0; i < n && i < KB_PANEL_LINES_MAX; i++) {
        if (lines[i] != NULL)
            q->lines[q->n++] = kb_line_ref(lines[i]);
    }
    q->attribution = attribution != NULL ? kb_line_ref(attribution) : NULL;
    snprintf(q->id, sizeof(q->id), "%s", id);
    q->serial = UINT64_MAX - ++p->serials;
    q->valid = q->n > 0;
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

/* How far the last line must scroll to be read whole, in pixels. */
static double overflow(const struct kb_panel *p, const struct quote *q)
{
    double w = q->n > 0 ? q->lines[q->n - 1]->width : 0;
    return w > p->rect.w ? w - p->rect.w : 0;
}

static double hold(const struct kb_panel *p, const struct quote *q)
{
    double scroll = overflow(p, q) / p->style.scroll_px_s;
    double h = scroll > 0 ? scroll + 2 * SCROLL_REST_S : 0;
    return h > p->style.hold_s ? h : p->style.hold_s;
}

static size_t warm(struct kb_atlas *atlas, const struct quote *q, size_t budget)
{
    size_t missing = 0;
    for (size_t i = 0; i < q->n; i++)
        missing += kb_atlas_warm(atlas, q->lines[i], missing ? 0 : budget);
    if (q->attribution != NULL)
        missing += kb_atlas_warm(atlas, q->attribution, missing ? 0 : budget);
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
    bool due = !p->cur.valid || t - p->cur.shown_at >= hold(p, &p->cur);
    if (p->next.valid && due && (atlas == NULL || warm(atlas, &p->next, warm_budget) == 0)) {
        quote_release(&p->old);
        p->old = p->cur;
        p->cur = p->next;
        memset(&p->next, 0, sizeof(p->next));
        p->cur.shown_at = t;
        dirty = true;
    }
    if (p->cur.valid) {
        double since = t - p->cur.shown_at;
        double over = overflow(p, &p->cur);
        if (since < p->style.fade_s ||
            (over > 0 && since > SCROLL_REST_S &&
             since < SCROLL_REST_S + over / p->style.scroll_px_s + 1.0 / 30))
            dirty = true;
    }
    return dirty;
}

static SDL_Color faded(SDL_Color c, double alpha)
{
    c.a = (Uint8)lround(c.a * (alpha < 0 ? 0 : alpha > 1 ? 1 : alpha));
    return c;
}

static void draw_quote(struct kb_panel *p, struct kb_batch *b, const struct quote *q, double alpha)
{
    const SDL_Rect *r = &p->rect;
    double l = r->x, right = r->x + r->w;
    int pitch = (int)lround(p->px * LINE_PITCH);
    int baseline = r->y + (int)lround(p->px * 1.05);
    bool rtl = q->lines[0]->base_dir == KB_DIR_RTL;
    for (size_t i = 0; i < q->n; i++) {
        const struct kb_line *line = q->lines[i];
        double x = rtl ? right - line->width : l;
        if (i + 1 == q->n && line->width > r->w) {
            /* The rest that does not fit scrolls, towards the line's end. */
            double since = p->t - q->shown_at - SCROLL_REST_S;
            double shift = since > 0 ? since * p->style.scroll_px_s : 0;
            double over = line->width - r->w;
            shift = shift > over ? over : shift;
            x = rtl ? l + shift - over : l - shift;
        }
        kb_batch_line(b, line, x, baseline, faded(p->style.text, alpha), l, right);
        baseline += pitch;
    }
    if (q->attribution != NULL) {
        double x = rtl ? l : right - q->attribution->width;
        kb_batch_line(b, q->attribution, x, baseline - pitch / 4,
                      faded(p->style.attribution, alpha), l, right);
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
    double in = p->style.fade_s > 0 ? (p->t - p->cur.shown_at) / p->style.fade_s : 1;
    if (p->old.valid)
        draw_quote(p, batch, &p->old, 1 - in);
    if (p->cur.valid)
        draw_quote(p, batch, &p->cur, in);
    calls += kb_batch_end(batch);
    SDL_RenderSetClipRect(renderer, NULL);
    return calls;
}

const char *kb_panel_current(const struct kb_panel *p, uint64_t *serial)
{
    *serial = p->cur.serial;
    return p->cur.valid ? p->cur.id : NULL;
}
