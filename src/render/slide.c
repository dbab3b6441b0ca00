#include "render/slide.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

struct shown {
    struct kb_story *s; /* NULL: none */
    SDL_Texture *tex;
    double at;       /* when it went on */
    uint64_t serial; /* which push it came from: 0 for none */
};

/* What the last draw put on screen: which slides, at which opacity. A frame
 * whose slides and opacities are the same needs no redraw; any other does,
 * however far apart frames are (a slow frame rate must not leave a fade
 * half done). */
struct drawn {
    uint64_t cur, old; /* serials */
    Uint8 a_cur, a_old;
};

struct kb_slides {
    struct kb_slide_style style;
    SDL_Rect rect;
    struct shown cur, old;
    double t;
    uint64_t serials;
    struct drawn drawn;
    bool covered; /* the last draw left a slide in rect */
};

struct kb_slides *kb_slides_new(void)
{
    struct kb_slides *d = kb_xcalloc(1, sizeof(*d));
    d->style.fade_s = 0.6;
    return d;
}

static void drop(struct shown *sh)
{
    kb_story_free(sh->s);
    if (sh->tex != NULL)
        SDL_DestroyTexture(sh->tex);
    memset(sh, 0, sizeof(*sh));
}

void kb_slides_clear(struct kb_slides *d)
{
    drop(&d->cur);
    drop(&d->old);
}

void kb_slides_free(struct kb_slides *d)
{
    if (d == NULL)
        return;
    kb_slides_clear(d);
    free(d);
}

void kb_slides_set_style(struct kb_slides *d, const struct kb_slide_style *style)
{
    d->style = *style;
}

void kb_slides_place(struct kb_slides *d, SDL_Rect rect)
{
    if (rect.w != d->rect.w || rect.h != d->rect.h)
        kb_slides_clear(d);
    d->rect = rect;
}

SDL_Rect kb_slides_rect(const struct kb_slides *d)
{
    return d->rect;
}

/* When the slide on stops covering the space (before its gap). */
static double ends_at(const struct kb_slides *d)
{
    return d->cur.s ? d->cur.at + d->cur.s->dwell : -1;
}

bool kb_slides_wants_next(const struct kb_slides *d, double t)
{
    if (d->cur.s == NULL)
        return true;
    return t >= ends_at(d) + d->style.gap_s;
}

bool kb_slides_showing(const struct kb_slides *d)
{
    return d->cur.s != NULL && d->t < ends_at(d) + d->style.fade_s;
}

static SDL_Texture *upload(SDL_Renderer *renderer, const struct kb_picture *p)
{
    if (p == NULL)
        return NULL;
    SDL_Texture *tex =
        SDL_CreateTexture(renderer, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC, p->w, p->h);
    if (tex == NULL)
        return NULL;
    SDL_UpdateTexture(tex, NULL, p->argb, p->w * 4);
    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    return tex;
}

void kb_slides_push(struct kb_slides *d, SDL_Renderer *renderer, struct kb_story *s, double t)
{
    if (s->w != d->rect.w || s->h != d->rect.h) {
        kb_story_free(s);
        return;
    }
    drop(&d->old);
    /* A slide still fading in or up when the next comes cross-fades out. */
    if (d->cur.s != NULL && (s->breaking || t < ends_at(d) + d->style.fade_s)) {
        d->old = d->cur;
        d->old.at = t;
    } else {
        drop(&d->cur);
    }
    memset(&d->cur, 0, sizeof(d->cur));
    d->cur.s = s;
    d->cur.at = t;
    d->cur.serial = ++d->serials;
    d->cur.tex = upload(renderer, s->picture);
    /* The pixels are on the GPU now: the decoded copy goes. */
    kb_picture_free(s->picture);
    s->picture = NULL;
}

size_t kb_slides_remove(struct kb_slides *d, const char *id)
{
    size_t n = 0;
    if (d->old.s && strcmp(d->old.s->id, id) == 0)
        drop(&d->old);
    if (d->cur.s && strcmp(d->cur.s->id, id) == 0) {
        drop(&d->cur);
        n = 1;
    }
    return n;
}

static double clamp01(double a)
{
    return a < 0 ? 0 : a > 1 ? 1 : a;
}

/* The opacities of the slide on and the one fading out, at d->t. */
static void alphas(const struct kb_slides *d, double *cur, double *old)
{
    double fade = d->style.fade_s > 0 ? d->style.fade_s : 1e-9;
    double in = (d->t - d->cur.at) / fade;
    double out = 1 - (d->t - ends_at(d)) / fade;
    *cur = d->cur.s ? clamp01(fmin(in, d->t > ends_at(d) ? out : 1)) : 0;
    *old = d->old.s ? clamp01(1 - (d->t - d->old.at) / fade) : 0;
}

/* What a draw at d->t would put on screen. */
static struct drawn to_draw(const struct kb_slides *d)
{
    double a, b;
    alphas(d, &a, &b);
    return (struct drawn){d->cur.serial, d->old.serial, (Uint8)lround(255 * a),
                          (Uint8)lround(255 * b)};
}

bool kb_slides_step(struct kb_slides *d, double t, struct kb_atlas *atlas, size_t budget)
{
    d->t = t;
    if (d->old.s && t - d->old.at >= d->style.fade_s)
        drop(&d->old);
    if (d->cur.s != NULL) {
        for (size_t i = 0; i < d->cur.s->n && budget > 0; i++)
            budget -= kb_atlas_warm(atlas, d->cur.s->lines[i].line, budget);
    }
    struct drawn now = to_draw(d), was = d->drawn;
    return now.cur != was.cur || now.old != was.old || now.a_cur != was.a_cur ||
           now.a_old != was.a_old;
}

bool kb_slides_uncover(struct kb_slides *d)
{
    if (!d->covered || kb_slides_showing(d))
        return false;
    d->covered = false;
    memset(&d->drawn, 0, sizeof(d->drawn));
    return true;
}

static SDL_Color with_alpha(SDL_Color c, double a)
{
    c.a = (Uint8)lround(c.a * clamp01(a));
    return c;
}

static void fill(SDL_Renderer *r, const SDL_Rect *base, struct kb_story_box b, SDL_Color c)
{
    if (b.w <= 0 || b.h <= 0)
        return;
    SDL_Rect rr = {base->x + b.x, base->y + b.y, b.w, b.h};
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
    SDL_RenderFillRect(r, &rr);
}

static SDL_Color role_color(const struct kb_slides *d, const struct kb_story *s,
                            enum kb_story_role role)
{
    switch (role) {
    case KB_STORY_HEADLINE:
        return d->style.headline;
    case KB_STORY_SUMMARY:
        return d->style.summary;
    case KB_STORY_BADGE:
        return d->style.badge_fg;
    case KB_STORY_CREDIT:
        return (SDL_Color){255, 255, 255, 230};
    case KB_STORY_META:
        break;
    }
    return s->breaking ? d->style.breaking : d->style.meta;
}

/* The boxes under a line: the badge's and the credit's. */
static void line_box(SDL_Renderer *r, const SDL_Rect *base, const struct kb_story_line *sl,
                     SDL_Color c)
{
    const struct kb_line *l = sl->line;
    int pad = (int)ceil(l->px * 0.3);
    struct kb_story_box b = {sl->x - pad, sl->baseline - (int)ceil(l->ink_top) - pad / 2,
                             (int)ceil(l->width) + 2 * pad,
                             (int)ceil(l->ink_top + l->ink_bottom) + pad};
    fill(r, base, b, c);
}

static void draw_one(struct kb_slides *d, SDL_Renderer *r, struct kb_atlas *atlas,
                     struct kb_batch *batch, const struct shown *sh, double a)
{
    const struct kb_story *s = sh->s;
    const SDL_Rect *base = &d->rect;
    fill(r, base, s->layout.accent,
         with_alpha(s->breaking ? d->style.breaking : d->style.accent, a));
    if (sh->tex != NULL) {
        struct kb_story_box p = s->layout.pic;
        SDL_Rect dst = {base->x + p.x, base->y + p.y, p.w, p.h};
        SDL_SetTextureAlphaMod(sh->tex, (Uint8)lround(255 * clamp01(a)));
        SDL_RenderCopy(r, sh->tex, NULL, &dst);
    }
    for (size_t i = 0; i < s->n; i++) {
        if (s->lines[i].role == KB_STORY_BADGE)
            line_box(r, base, &s->lines[i], with_alpha(d->style.badge_bg, a));
        else if (s->lines[i].role == KB_STORY_CREDIT && sh->tex != NULL)
            line_box(r, base, &s->lines[i], (SDL_Color){0, 0, 0, (Uint8)lround(150 * a)});
    }
    kb_batch_begin(batch, r, atlas);
    for (size_t i = 0; i < s->n; i++) {
        const struct kb_story_line *sl = &s->lines[i];
        if (sl->role == KB_STORY_CREDIT && sh->tex == NULL)
            continue;
        kb_batch_line(batch, sl->line, base->x + sl->x, base->y + sl->baseline,
                      with_alpha(role_color(d, s, sl->role), a), base->x, base->x + base->w);
    }
    kb_batch_end(batch);
}

int kb_slides_draw(struct kb_slides *d, SDL_Renderer *renderer, struct kb_atlas *atlas,
                   struct kb_batch *batch)
{
    SDL_Color bg = d->style.background;
    SDL_SetRenderDrawBlendMode(renderer, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(renderer, bg.r, bg.g, bg.b, bg.a);
    SDL_RenderFillRect(renderer, &d->rect);
    d->drawn = to_draw(d);
    d->covered = d->cur.s != NULL || d->old.s != NULL;
    int calls = 1;
    if (d->cur.s == NULL)
        return calls;
    SDL_RenderSetClipRect(renderer, &d->rect);
    double a, b;
    alphas(d, &a, &b);
    if (d->old.s != NULL)
        draw_one(d, renderer, atlas, batch, &d->old, b);
    draw_one(d, renderer, atlas, batch, &d->cur, a);
    SDL_RenderSetClipRect(renderer, NULL);
    return calls + 4;
}

const char *kb_slides_current(const struct kb_slides *d)
{
    return kb_slides_showing(d) ? d->cur.s->id : NULL;
}

size_t kb_slides_texture_bytes(const struct kb_slides *d)
{
    size_t n = 0;
    if (d->cur.tex && d->cur.s)
        n += (size_t)d->cur.s->layout.pic.w * (size_t)d->cur.s->layout.pic.h * 4;
    if (d->old.tex && d->old.s)
        n += (size_t)d->old.s->layout.pic.w * (size_t)d->old.s->layout.pic.h * 4;
    return n;
}
