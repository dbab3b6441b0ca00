#include "render/chrome.h"

#include <math.h>
#include <stdlib.h>

#include "core/xmalloc.h"
#include "render/fit.h"

struct kb_chrome {
    struct kb_line *lines[KB_CHROME_SLOTS];
    struct kb_chrome_style style;
    SDL_Rect bar, label_box, clock_box, stale_box;
    SDL_Texture *logo; /* not owned; NULL for none */
    int logo_w, logo_h;
    SDL_Rect logo_box, label_text; /* inside label_box: the logo, and the rest for the text */
    double clock_w; /* widest clock seen: the box never shrinks, so the crawl never jumps */
    bool rtl;
};

struct kb_chrome *kb_chrome_new(void)
{
    return kb_xcalloc(1, sizeof(struct kb_chrome));
}

void kb_chrome_free(struct kb_chrome *ch)
{
    if (ch == NULL)
        return;
    for (int i = 0; i < KB_CHROME_SLOTS; i++)
        kb_line_unref(ch->lines[i]);
    free(ch);
}

void kb_chrome_set_style(struct kb_chrome *ch, const struct kb_chrome_style *style)
{
    ch->style = *style;
}

bool kb_chrome_set(struct kb_chrome *ch, enum kb_chrome_slot slot, struct kb_line *line)
{
    struct kb_line *old = ch->lines[slot];
    bool changed_size = (old == NULL) != (line == NULL) ||
                        (old != NULL && line != NULL && old->width != line->width);
    ch->lines[slot] = line != NULL ? kb_line_ref(line) : NULL;
    kb_line_unref(old);
    if (slot == KB_CHROME_CLOCK && line != NULL && line->width <= ch->clock_w)
        changed_size = false;
    return changed_size;
}

bool kb_chrome_has(const struct kb_chrome *ch, enum kb_chrome_slot slot)
{
    return ch->lines[slot] != NULL;
}

void kb_chrome_set_logo(struct kb_chrome *ch, SDL_Texture *logo, int w, int h)
{
    ch->logo = w > 0 && h > 0 ? logo : NULL;
    ch->logo_w = ch->logo ? w : 0;
    ch->logo_h = ch->logo ? h : 0;
}

SDL_Rect kb_chrome_logo_rect(const struct kb_chrome *ch)
{
    return ch->logo_box;
}

/* Horizontal padding inside a box: half the text's em. */
static int pad(const struct kb_line *l)
{
    return l != NULL ? (int)lround(l->px * 0.6) : 0;
}

void kb_chrome_place(struct kb_chrome *ch, SDL_Rect bar, bool rtl, SDL_Rect *crawl)
{
    ch->bar = bar;
    ch->rtl = rtl;
    const struct kb_line *label = ch->lines[KB_CHROME_LABEL];
    const struct kb_line *brk = ch->lines[KB_CHROME_BREAKING_LABEL];
    const struct kb_line *clock = ch->lines[KB_CHROME_CLOCK];
    double lw = 0;
    if (label != NULL)
        lw = label->width + 2 * pad(label);
    if (brk != NULL && brk->width + 2 * pad(brk) > lw)
        lw = brk->width + 2 * pad(brk);
    if (clock != NULL && clock->width > ch->clock_w)
        ch->clock_w = clock->width;
    int text_w = (int)ceil(lw);
    /* The logo at the box's start edge, as far from it as from the bar's
     * top and bottom; the text beside it keeps its own padding. */
    int logo_pad = ch->logo ? (bar.h - ch->logo_h) / 2 : 0;
    int logo_w = ch->logo ? ch->logo_w + logo_pad + (text_w > 0 ? 0 : logo_pad) : 0;
    int label_w = text_w + logo_w;
    int clock_w = clock != NULL ? (int)ceil(ch->clock_w) + 2 * pad(clock) : 0;
    /* Start side (left, or right on a right-to-left screen): the label. */
    ch->label_box = (SDL_Rect){rtl ? bar.x + bar.w - label_w : bar.x, bar.y, label_w, bar.h};
    SDL_Rect lb = ch->label_box;
    ch->logo_box = (SDL_Rect){0, 0, 0, 0};
    if (ch->logo != NULL)
        ch->logo_box = (SDL_Rect){rtl ? lb.x + lb.w - logo_pad - ch->logo_w : lb.x + logo_pad,
                                  bar.y + (bar.h - ch->logo_h) / 2, ch->logo_w, ch->logo_h};
    ch->label_text = (SDL_Rect){rtl ? lb.x : lb.x + logo_w, lb.y, text_w, lb.h};
    ch->clock_box = (SDL_Rect){rtl ? bar.x : bar.x + bar.w - clock_w, bar.y, clock_w, bar.h};
    *crawl = (SDL_Rect){bar.x + (rtl ? clock_w : label_w), bar.y, bar.w - label_w - clock_w, bar.h};

    const struct kb_line *stale = ch->lines[KB_CHROME_STALE];
    ch->stale_box = (SDL_Rect){0, 0, 0, 0};
    if (stale != NULL) {
        int w = (int)ceil(stale->width) + 2 * pad(stale);
        int h = (int)lround(stale->px * 1.6);
        ch->stale_box = (SDL_Rect){rtl ? bar.x : bar.x + bar.w - w, bar.y - h, w, h};
        if (ch->stale_box.y < 0)
            ch->stale_box.y = bar.y + bar.h;
    }
}

SDL_Rect kb_chrome_stale_rect(const struct kb_chrome *ch)
{
    return ch->stale_box;
}

static int box(SDL_Renderer *r, const SDL_Rect *rect, SDL_Color c)
{
    if (rect->w <= 0 || rect->h <= 0)
        return 0;
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
    SDL_RenderFillRect(r, rect);
    return 1;
}

/* Baseline that centres a line's capitals on a box, moved just enough for
 * its ink to clear the box's edges (render/fit.h). */
static int centred_baseline(const SDL_Rect *b, const struct kb_line *l)
{
    return kb_fit_baseline(b->y, b->h, b->y + b->h / 2 + (int)lround(l->px * 0.36), l->ink_top,
                           l->ink_bottom);
}

static void text_in(struct kb_batch *batch, const SDL_Rect *b, const struct kb_line *l,
                    SDL_Color col)
{
    double x = kb_batch_centre(b->x, b->x + b->w, l->width);
    kb_batch_line(batch, l, x, centred_baseline(b, l), col, b->x, b->x + b->w);
}

int kb_chrome_draw(struct kb_chrome *ch, SDL_Renderer *renderer, struct kb_atlas *atlas,
                   struct kb_batch *batch, bool breaking)
{
    const struct kb_chrome_style *s = &ch->style;
    const struct kb_line *label = ch->lines[KB_CHROME_LABEL];
    if (breaking && ch->lines[KB_CHROME_BREAKING_LABEL] != NULL)
        label = ch->lines[KB_CHROME_BREAKING_LABEL];
    int calls = 0;
    if (label != NULL || ch->logo != NULL)
        calls += box(renderer, &ch->label_box, breaking ? s->breaking_label_bg : s->label_bg);
    if (ch->logo != NULL && SDL_RenderCopy(renderer, ch->logo, NULL, &ch->logo_box) == 0)
        calls++;
    if (ch->lines[KB_CHROME_STALE] != NULL)
        calls += box(renderer, &ch->stale_box, s->stale_bg);

    kb_batch_begin(batch, renderer, atlas);
    if (label != NULL)
        text_in(batch, &ch->label_text, label, breaking ? s->breaking_label_fg : s->label_fg);
    if (ch->lines[KB_CHROME_CLOCK] != NULL)
        text_in(batch, &ch->clock_box, ch->lines[KB_CHROME_CLOCK], s->clock_fg);
    if (ch->lines[KB_CHROME_STALE] != NULL)
        text_in(batch, &ch->stale_box, ch->lines[KB_CHROME_STALE], s->stale_fg);
    return calls + kb_batch_end(batch);
}
