#include "render/crawl.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "core/xmalloc.h"
#include "render/batch.h"
#include "render/fit.h"

struct item {
    struct kb_crawl_seg segs[KB_CRAWL_SEGS_MAX];
    size_t n_segs;
    const struct kb_line *text; /* the KB_SEG_TEXT line, for direction */
    double width;               /* segments and the spaces between them */
    double ink_top, ink_bottom; /* its segments' ink (and badge boxes) about the baseline */
    char id[KB_ID_MAX + 1];
    unsigned flags;
    int motion;   /* -1 moves left (enters at the right), +1 moves right */
    double start; /* scroll offset at which the leading edge entered */
    uint64_t serial;
};

struct kb_crawl {
    struct kb_crawl_geometry geo;
    struct kb_crawl_style style;
    struct item *items; /* on screen, oldest first */
    size_t n, cap;
    struct item pending;
    bool has_pending;
    uint64_t frame;
    double offset;
    struct kb_batch *batch;
    int calls;
    SDL_Texture *sep;
    int sep_w, sep_h;
    /* Set aside by a breaking item. */
    struct item *saved;
    size_t n_saved;
    struct item saved_pending;
    bool saved_has_pending, suspended, resuming;
    uint64_t serials; /* the last serial given */
    double saved_offset;
};

struct kb_crawl *kb_crawl_new(void)
{
    struct kb_crawl *c = kb_xcalloc(1, sizeof(*c));
    SDL_Color white = {255, 255, 255, 255};
    c->style = (struct kb_crawl_style){white, white, white, white, {0, 0, 0, 255}, white};
    c->batch = kb_batch_new();
    return c;
}

static void item_release(struct item *it)
{
    for (size_t i = 0; i < it->n_segs; i++)
        kb_line_unref(it->segs[i].line);
    it->n_segs = 0;
    it->text = NULL;
}

/* Space between two segments of one item: a third of an em. */
static double seg_space(const struct item *it)
{
    return it->text->px / 3.0;
}

/* Padding inside a badge's box, each side. */
static double badge_pad(const struct kb_line *badge)
{
    return badge->px * 0.4;
}

static double seg_width(const struct kb_crawl_seg *s)
{
    return s->line->width + (s->style == KB_SEG_BADGE ? 2 * badge_pad(s->line) : 0);
}

/* Segments and the spaces between them; the text line (or the first)
 * sets the space. */
static double items_width(const struct item *it)
{
    const struct kb_line *text = it->n_segs > 0 ? it->segs[0].line : NULL;
    for (size_t i = 0; i < it->n_segs; i++) {
        if (it->segs[i].style == KB_SEG_TEXT) {
            text = it->segs[i].line;
            break;
        }
    }
    double w = 0;
    for (size_t i = 0; i < it->n_segs; i++)
        w += seg_width(&it->segs[i]) + (i > 0 ? text->px / 3.0 : 0);
    return w;
}

/* How far the item's pixels reach above and below its baseline: the ink
 * of its lines and its badges' boxes (badge_box). */
static void item_ink(struct item *it)
{
    it->ink_top = it->ink_bottom = 0;
    for (size_t i = 0; i < it->n_segs; i++) {
        const struct kb_line *l = it->segs[i].line;
        double top = l->ink_top, bottom = l->ink_bottom;
        if (it->segs[i].style == KB_SEG_BADGE) {
            top = fmax(top, l->px * 1.05);
            bottom = fmax(bottom, l->px * 0.4);
        }
        it->ink_top = fmax(it->ink_top, top);
        it->ink_bottom = fmax(it->ink_bottom, bottom);
    }
}

/* The item's baseline: the crawl's, unless its ink would then touch the
 * bar's edges (docs/display.md, "Fitting"). */
static int item_baseline(const struct kb_crawl *c, const struct item *it)
{
    return kb_fit_baseline(c->geo.area.y, c->geo.area.h, c->geo.baseline, it->ink_top,
                           it->ink_bottom);
}

void kb_crawl_free(struct kb_crawl *c)
{
    if (c == NULL)
        return;
    kb_crawl_clear(c);
    if (c->suspended) {
        for (size_t i = 0; i < c->n_saved; i++)
            item_release(&c->saved[i]);
        if (c->saved_has_pending)
            item_release(&c->saved_pending);
    }
    free(c->saved);
    kb_batch_free(c->batch);
    free(c->items);
    free(c);
}

void kb_crawl_set_geometry(struct kb_crawl *c, const struct kb_crawl_geometry *geo)
{
    bool moved = c->geo.area.w != geo->area.w || c->geo.px_per_frame != geo->px_per_frame;
    c->geo = *geo;
    if (moved) {
        /* Re-anchor what is on screen so it keeps its place at the new width or speed. */
        double old_offset = c->offset;
        c->offset = (double)c->frame * geo->px_per_frame;
        for (size_t i = 0; i < c->n; i++)
            c->items[i].start += c->offset - old_offset;
    }
}

void kb_crawl_set_style(struct kb_crawl *c, const struct kb_crawl_style *style)
{
    c->style = *style;
}

void kb_crawl_set_separator_image(struct kb_crawl *c, SDL_Texture *tex, int w, int h)
{
    c->sep = tex;
    c->sep_w = w;
    c->sep_h = h;
}

bool kb_crawl_wants_next(const struct kb_crawl *c)
{
    return !c->has_pending;
}

static int motion_of(const struct kb_crawl *c, const struct kb_line *line)
{
    switch (c->geo.dir) {
    case KB_CRAWL_LEFT_TO_RIGHT:
        return +1;
    case KB_CRAWL_RIGHT_TO_LEFT:
        return -1;
    default:
        return line->base_dir == KB_DIR_RTL ? +1 : -1;
    }
}

void kb_crawl_push(struct kb_crawl *c, const struct kb_crawl_seg *segs, size_t n, const char *id,
                   unsigned flags)
{
    if (c->has_pending)
        item_release(&c->pending);
    struct item *it = &c->pending;
    memset(it, 0, sizeof(*it));
    for (size_t i = 0; i < n && i < KB_CRAWL_SEGS_MAX; i++) {
        if (segs[i].line == NULL)
            continue;
        it->segs[it->n_segs].line = kb_line_ref(segs[i].line);
        it->segs[it->n_segs].style = segs[i].style;
        if (segs[i].style == KB_SEG_TEXT && it->text == NULL)
            it->text = segs[i].line;
        it->n_segs++;
    }
    if (it->n_segs == 0)
        return;
    if (it->text == NULL)
        it->text = it->segs[0].line;
    it->width = items_width(it);
    item_ink(it);
    snprintf(it->id, sizeof(it->id), "%s", id);
    it->serial = ++c->serials;
    it->flags = flags;
    it->motion = motion_of(c, it->text);
    c->has_pending = true;
}

void kb_crawl_push_line(struct kb_crawl *c, struct kb_line *line, const char *id, unsigned flags)
{
    struct kb_crawl_seg seg = {line, KB_SEG_TEXT};
    kb_crawl_push(c, &seg, 1, id, flags);
}

void kb_crawl_show_at(struct kb_crawl *c, const struct kb_crawl_seg *segs, size_t n, const char *id,
                      unsigned flags, double x)
{
    kb_crawl_push(c, segs, n, id, flags);
    if (!c->has_pending)
        return;
    struct item *it = &c->pending;
    /* Solve left_x(it) == x for the entry offset. */
    if (it->motion < 0)
        it->start = c->offset - (c->geo.area.x + c->geo.area.w - x);
    else
        it->start = c->offset - (x + it->width - c->geo.area.x);
    if (c->n == c->cap) {
        c->cap = c->cap * 2 + 4;
        c->items = kb_xreallocarray(c->items, c->cap, sizeof(*c->items));
    }
    c->items[c->n++] = *it;
    c->has_pending = false;
}

void kb_crawl_place(struct kb_crawl *c, const struct kb_crawl_seg *segs, size_t n, const char *id,
                    unsigned flags, double start)
{
    kb_crawl_push(c, segs, n, id, flags);
    if (!c->has_pending)
        return;
    c->pending.start = start;
    if (c->n == c->cap) {
        c->cap = c->cap * 2 + 4;
        c->items = kb_xreallocarray(c->items, c->cap, sizeof(*c->items));
    }
    c->items[c->n++] = c->pending;
    c->has_pending = false;
}

double kb_crawl_item_width(const struct kb_crawl_seg *segs, size_t n)
{
    struct item it;
    memset(&it, 0, sizeof(it));
    for (size_t i = 0; i < n && i < KB_CRAWL_SEGS_MAX; i++) {
        if (segs[i].line != NULL)
            it.segs[it.n_segs++] = segs[i];
    }
    return items_width(&it);
}

int kb_crawl_item_need(const struct kb_crawl_seg *segs, size_t n)
{
    struct item it;
    memset(&it, 0, sizeof(it));
    for (size_t i = 0; i < n && i < KB_CRAWL_SEGS_MAX; i++) {
        if (segs[i].line != NULL)
            it.segs[it.n_segs++] = segs[i];
    }
    item_ink(&it);
    return kb_fit_need(it.ink_top, it.ink_bottom);
}

size_t kb_crawl_remove(struct kb_crawl *c, const char *id)
{
    size_t removed = 0, j = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->items[i].id, id) == 0) {
            item_release(&c->items[i]);
            removed++;
        } else {
            c->items[j++] = c->items[i];
        }
    }
    c->n = j;
    if (c->has_pending && strcmp(c->pending.id, id) == 0) {
        item_release(&c->pending);
        c->has_pending = false;
        removed++;
    }
    /* What a breaking item set aside must not come back retracted. */
    j = 0;
    for (size_t i = 0; i < c->n_saved; i++) {
        if (strcmp(c->saved[i].id, id) == 0) {
            item_release(&c->saved[i]);
            removed++;
        } else {
            c->saved[j++] = c->saved[i];
        }
    }
    c->n_saved = j;
    if (c->saved_has_pending && strcmp(c->saved_pending.id, id) == 0) {
        item_release(&c->saved_pending);
        c->saved_has_pending = false;
        removed++;
    }
    return removed;
}

void kb_crawl_clear(struct kb_crawl *c)
{
    for (size_t i = 0; i < c->n; i++)
        item_release(&c->items[i]);
    c->n = 0;
    if (c->has_pending)
        item_release(&c->pending);
    c->has_pending = false;
}

void kb_crawl_suspend(struct kb_crawl *c)
{
    if (c->suspended)
        return;
    c->saved = c->items;
    c->n_saved = c->n;
    c->items = NULL;
    c->n = c->cap = 0;
    c->saved_pending = c->pending;
    c->saved_has_pending = c->has_pending;
    c->has_pending = false;
    c->saved_offset = c->offset;
    c->suspended = true;
}

void kb_crawl_resume(struct kb_crawl *c)
{
    if (!c->suspended)
        return;
    kb_crawl_clear(c);
    free(c->items);
    c->items = c->saved;
    c->n = c->cap = c->n_saved;
    /* The scroll offset moves on while breaking news shows: the next step
     * moves the items' entry points with it, so they stand where they
     * were last drawn. */
    c->resuming = true;
    c->pending = c->saved_pending;
    c->has_pending = c->saved_has_pending;
    c->saved = NULL;
    c->n_saved = 0;
    c->saved_has_pending = false;
    c->suspended = false;
}

bool kb_crawl_suspended(const struct kb_crawl *c)
{
    return c->suspended;
}

size_t kb_crawl_count_without(const struct kb_crawl *c, unsigned flags)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++)
        n += (c->items[i].flags & flags) == 0;
    return n + (c->has_pending && (c->pending.flags & flags) == 0);
}

/* Screen x of an item's left edge at the current offset. */
static double left_x(const struct kb_crawl *c, const struct item *it)
{
    double moved = c->offset - it->start;
    if (it->motion < 0)
        return c->geo.area.x + c->geo.area.w - moved;
    return c->geo.area.x + moved - it->width;
}

static bool has_left(const struct kb_crawl *c, const struct item *it)
{
    return c->offset - it->start > c->geo.area.w + it->width;
}

/* The offset at which the pending item may enter. */
static double entry_offset(const struct kb_crawl *c)
{
    if (c->n == 0)
        return c->offset;
    const struct item *last = &c->items[c->n - 1];
    if (last->motion == c->pending.motion)
        return last->start + last->width + c->geo.gap;
    /* Opposite direction: the last one leaves before the next enters. */
    double e = last->start + last->width + c->geo.area.w;
    for (size_t i = 0; i + 1 < c->n; i++) {
        const struct item *it = &c->items[i];
        double ei = it->start + it->width + c->geo.area.w;
        if (ei > e)
            e = ei;
    }
    return e;
}

void kb_crawl_step(struct kb_crawl *c, uint64_t frame, struct kb_atlas *atlas, size_t warm_budget)
{
    c->frame = frame;
    c->offset = (double)frame * c->geo.px_per_frame;
    if (c->resuming) {
        for (size_t i = 0; i < c->n; i++)
            c->items[i].start += c->offset - c->saved_offset;
        c->resuming = false;
    }

    size_t j = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (has_left(c, &c->items[i]))
            item_release(&c->items[i]);
        else
            c->items[j++] = c->items[i];
    }
    c->n = j;

    if (!c->has_pending)
        return;
    /* Breaking news may not wait for a few glyphs a frame: it takes the
     * one frame it needs to rasterise all of them. */
    if (c->pending.flags & KB_CRAWL_BREAKING)
        warm_budget = SIZE_MAX;
    bool ready = true;
    for (size_t i = 0; i < c->pending.n_segs && atlas != NULL; i++) {
        size_t missing = kb_atlas_warm(atlas, c->pending.segs[i].line, warm_budget);
        ready = ready && missing == 0;
        warm_budget = missing > 0 ? 0 : warm_budget;
    }
    /* A tall item waits, like one whose glyphs are not ready, until the
     * bar has grown to hold it. */
    int need = kb_fit_need(c->pending.ink_top, c->pending.ink_bottom);
    if (need > c->geo.grow_to)
        need = c->geo.grow_to;
    if (c->geo.area.h < need)
        ready = false;
    double entry = entry_offset(c);
    if (!ready || c->offset < entry)
        return;
    /* On time: keep the exact spacing. Late (the glyphs were not ready):
     * enter at the edge now rather than pop in mid-screen. */
    c->pending.start = c->offset - entry < c->geo.px_per_frame + 1 ? entry : c->offset;
    if (c->n == c->cap) {
        c->cap = c->cap * 2 + 4;
        c->items = kb_xreallocarray(c->items, c->cap, sizeof(*c->items));
    }
    c->items[c->n++] = c->pending;
    c->has_pending = false;
}

/* The screen x of each segment of it; segments run mirrored for a
 * right-to-left item. */
static void layout_segs(const struct kb_crawl *c, const struct item *it, double *xs)
{
    double x = floor(left_x(c, it));
    bool rtl = it->text->base_dir == KB_DIR_RTL;
    for (size_t k = 0; k < it->n_segs; k++) {
        size_t i = rtl ? it->n_segs - 1 - k : k;
        xs[i] = x;
        x += seg_width(&it->segs[i]) + seg_space(it);
    }
}

static bool item_in_view(const struct kb_crawl *c, const struct item *it)
{
    double x = left_x(c, it);
    return x < c->geo.area.x + c->geo.area.w && x + it->width > c->geo.area.x;
}

static void draw_badges(struct kb_crawl *c, SDL_Renderer *ren, const struct item *it)
{
    double xs[KB_CRAWL_SEGS_MAX];
    layout_segs(c, it, xs);
    for (size_t i = 0; i < it->n_segs; i++) {
        const struct kb_line *l = it->segs[i].line;
        if (it->segs[i].style != KB_SEG_BADGE)
            continue;
        SDL_FRect box = {(float)xs[i], (float)(item_baseline(c, it) - l->px * 1.05),
                         (float)seg_width(&it->segs[i]), (float)(l->px * 1.45)};
        SDL_Color bg = c->style.badge_bg;
        SDL_SetRenderDrawColor(ren, bg.r, bg.g, bg.b, bg.a);
        SDL_RenderFillRectF(ren, &box);
        c->calls++;
    }
}

/* The separator image, half an em tall, centred in the gap after the item
 * (to its right when it moves left, to its left when it moves right), at
 * the height of the middle of the text. */
static void draw_separator(struct kb_crawl *c, SDL_Renderer *ren, const struct item *it)
{
    float h = (float)(it->text->px * 0.5), w = h * (float)c->sep_w / (float)c->sep_h;
    double left = floor(left_x(c, it));
    double mid = it->motion < 0 ? left + it->width + c->geo.gap / 2.0 : left - c->geo.gap / 2.0;
    SDL_FRect dst = {(float)floor(mid - w / 2),
                     (float)(item_baseline(c, it) - it->text->px * 0.36 - h / 2), w, h};
    SDL_RenderCopyF(ren, c->sep, NULL, &dst);
    c->calls++;
}

static void draw_item(struct kb_crawl *c, const struct item *it)
{
    double xs[KB_CRAWL_SEGS_MAX];
    layout_segs(c, it, xs);
    int baseline = item_baseline(c, it);
    for (size_t i = 0; i < it->n_segs; i++) {
        const struct kb_crawl_seg *s = &it->segs[i];
        SDL_Color col = c->style.text;
        double x = xs[i];
        switch (s->style) {
        case KB_SEG_TEXT:
            col = (it->flags & KB_CRAWL_BREAKING) ? c->style.breaking_text : c->style.text;
            break;
        case KB_SEG_SOURCE:
            col = c->style.source;
            break;
        case KB_SEG_BADGE:
            col = c->style.badge_fg;
            x += badge_pad(s->line);
            break;
        case KB_SEG_SEPARATOR:
            col = c->style.separator;
            break;
        }
        kb_batch_line(c->batch, s->line, x, baseline, col, c->geo.area.x,
                      c->geo.area.x + c->geo.area.w);
    }
}

int kb_crawl_draw(struct kb_crawl *c, SDL_Renderer *renderer, struct kb_atlas *atlas)
{
    c->calls = 0;
    SDL_RenderSetClipRect(renderer, &c->geo.area);
    for (size_t i = 0; i < c->n; i++) {
        if (item_in_view(c, &c->items[i]))
            draw_badges(c, renderer, &c->items[i]);
        if (c->sep != NULL)
            draw_separator(c, renderer, &c->items[i]);
    }
    kb_batch_begin(c->batch, renderer, atlas);
    for (size_t i = 0; i < c->n; i++) {
        if (item_in_view(c, &c->items[i]))
            draw_item(c, &c->items[i]);
    }
    c->calls += kb_batch_end(c->batch);
    SDL_RenderSetClipRect(renderer, NULL);
    return c->calls;
}

void kb_crawl_visit(const struct kb_crawl *c, kb_crawl_visit_fn fn, void *user)
{
    double l = c->geo.area.x, r = c->geo.area.x + c->geo.area.w;
    for (size_t i = 0; i < c->n; i++) {
        double x = left_x(c, &c->items[i]);
        if (x < r && x + c->items[i].width > l)
            fn(user, c->items[i].id, c->items[i].serial);
    }
}

bool kb_crawl_any(const struct kb_crawl *c, unsigned flags)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->items[i].flags & flags)
            return true;
    }
    return c->has_pending && (c->pending.flags & flags);
}

size_t kb_crawl_count(const struct kb_crawl *c)
{
    return c->n;
}

bool kb_crawl_item_x(const struct kb_crawl *c, const char *id, double *x)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->items[i].id, id) == 0) {
            *x = floor(left_x(c, &c->items[i]));
            return true;
        }
    }
    return false;
}

int kb_crawl_need_height(const struct kb_crawl *c)
{
    int need = 0;
    for (size_t i = 0; i < c->n; i++) {
        int h = kb_fit_need(c->items[i].ink_top, c->items[i].ink_bottom);
        need = h > need ? h : need;
    }
    if (c->has_pending) {
        int h = kb_fit_need(c->pending.ink_top, c->pending.ink_bottom);
        need = h > need ? h : need;
    }
    return need;
}
