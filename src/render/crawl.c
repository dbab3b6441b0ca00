#include "render/crawl.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "core/xmalloc.h"

struct item {
    struct kb_crawl_seg segs[KB_CRAWL_SEGS_MAX];
    size_t n_segs;
    const struct kb_line *text; /* the KB_SEG_TEXT line, for direction */
    double width;               /* segments and the spaces between them */
    char id[KB_ID_MAX + 1];
    unsigned flags;
    int motion;   /* -1 moves left (enters at the right), +1 moves right */
    double start; /* scroll offset at which the leading edge entered */
};

struct batch {
    SDL_Vertex *v;
    int *idx;
    size_t nv, ni, cap;
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
    struct batch *batches; /* one per atlas page */
    int n_batches;
    SDL_Renderer *renderer; /* while drawing, for the atlas's flush */
    struct kb_atlas *atlas;
    int calls;
};

struct kb_crawl *kb_crawl_new(void)
{
    struct kb_crawl *c = kb_xcalloc(1, sizeof(*c));
    SDL_Color white = {255, 255, 255, 255};
    c->style = (struct kb_crawl_style){white, white, white, white, {0, 0, 0, 255}, white};
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

void kb_crawl_free(struct kb_crawl *c)
{
    if (c == NULL)
        return;
    kb_crawl_clear(c);
    for (int i = 0; i < c->n_batches; i++) {
        free(c->batches[i].v);
        free(c->batches[i].idx);
    }
    free(c->batches);
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
    for (size_t i = 0; i < it->n_segs; i++)
        it->width += seg_width(&it->segs[i]) + (i > 0 ? seg_space(it) : 0);
    snprintf(it->id, sizeof(it->id), "%s", id);
    it->flags = flags;
    it->motion = motion_of(c, it->text);
    c->has_pending = true;
}

void kb_crawl_push_line(struct kb_crawl *c, struct kb_line *line, const char *id, unsigned flags)
{
    struct kb_crawl_seg seg = {line, KB_SEG_TEXT};
    kb_crawl_push(c, &seg, 1, id, flags);
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
    bool ready = true;
    for (size_t i = 0; i < c->pending.n_segs && atlas != NULL; i++) {
        size_t missing = kb_atlas_warm(atlas, c->pending.segs[i].line, warm_budget);
        ready = ready && missing == 0;
        warm_budget = missing > 0 ? 0 : warm_budget;
    }
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

static struct batch *batch_for(struct kb_crawl *c, int page)
{
    if (page >= c->n_batches) {
        c->batches = kb_xreallocarray(c->batches, (size_t)page + 1, sizeof(*c->batches));
        memset(c->batches + c->n_batches, 0,
               (size_t)(page + 1 - c->n_batches) * sizeof(*c->batches));
        c->n_batches = page + 1;
    }
    return &c->batches[page];
}

static void submit(void *user)
{
    struct kb_crawl *c = user;
    for (int p = 0; p < c->n_batches; p++) {
        struct batch *b = &c->batches[p];
        if (b->ni == 0)
            continue;
        SDL_RenderGeometry(c->renderer, kb_atlas_texture(c->atlas, p), b->v, (int)b->nv, b->idx,
                           (int)b->ni);
        c->calls++;
        b->nv = b->ni = 0;
    }
}

/* One glyph = two triangles sharing an edge, axis-aligned, one colour: the
 * shape SDL's software renderer turns into a plain blit. */
static void add_quad(struct batch *b, float x, float y, float w, float h, float u0, float v0,
                     float u1, float v1, SDL_Color col)
{
    if (b->nv + 4 > b->cap) {
        b->cap = b->cap * 2 + 64;
        b->v = kb_xreallocarray(b->v, b->cap, sizeof(*b->v));
        b->idx = kb_xreallocarray(b->idx, b->cap / 4 * 6 + 6, sizeof(*b->idx));
    }
    SDL_Vertex *v = b->v + b->nv;
    v[0] = (SDL_Vertex){{x, y}, col, {u0, v0}};
    v[1] = (SDL_Vertex){{x + w, y}, col, {u1, v0}};
    v[2] = (SDL_Vertex){{x + w, y + h}, col, {u1, v1}};
    v[3] = (SDL_Vertex){{x, y + h}, col, {u0, v1}};
    int base = (int)b->nv, *i = b->idx + b->ni;
    i[0] = base;
    i[1] = base + 1;
    i[2] = base + 2;
    i[3] = base;
    i[4] = base + 2;
    i[5] = base + 3;
    b->nv += 4;
    b->ni += 6;
}

static void draw_line(struct kb_crawl *c, const struct kb_line *line, double x0, SDL_Color col,
                      float page_size)
{
    double area_l = c->geo.area.x, area_r = c->geo.area.x + c->geo.area.w;
    SDL_Color white = {255, 255, 255, 255};
    double pen = 0;
    for (size_t r = 0; r < line->n_runs; r++) {
        const struct kb_run *run = &line->runs[r];
        for (size_t k = 0; k < run->n_glyphs; k++) {
            const struct kb_glyph *gl = &line->glyphs[run->first_glyph + k];
            double gx = x0 + floor(pen + gl->x_offset);
            pen += gl->x_advance;
            if (gx > area_r || gx + line->px * 2 < area_l)
                continue;
            const struct kb_atlas_glyph *g = kb_atlas_get(c->atlas, run->font, gl->id, line->px);
            if (g == NULL || g->page < 0)
                continue;
            float x = (float)(gx + g->left);
            float y = (float)(c->geo.baseline - lround(gl->y_offset) - g->top);
            add_quad(batch_for(c, g->page), x, y, (float)g->w, (float)g->h, g->x / page_size,
                     g->y / page_size, (g->x + g->w) / page_size, (g->y + g->h) / page_size,
                     g->color ? white : col);
        }
    }
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
        SDL_FRect box = {(float)xs[i], (float)(c->geo.baseline - l->px * 1.05),
                         (float)seg_width(&it->segs[i]), (float)(l->px * 1.45)};
        SDL_Color bg = c->style.badge_bg;
        SDL_SetRenderDrawColor(ren, bg.r, bg.g, bg.b, bg.a);
        SDL_RenderFillRectF(ren, &box);
        c->calls++;
    }
}

static void draw_item(struct kb_crawl *c, const struct item *it, float page_size)
{
    double xs[KB_CRAWL_SEGS_MAX];
    layout_segs(c, it, xs);
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
        draw_line(c, s->line, x, col, page_size);
    }
}

int kb_crawl_draw(struct kb_crawl *c, SDL_Renderer *renderer, struct kb_atlas *atlas)
{
    c->renderer = renderer;
    c->atlas = atlas;
    c->calls = 0;
    kb_atlas_set_flush(atlas, submit, c);
    SDL_RenderSetClipRect(renderer, &c->geo.area);
    float page_size = (float)kb_atlas_page_size(atlas);
    for (size_t i = 0; i < c->n; i++) {
        if (item_in_view(c, &c->items[i]))
            draw_badges(c, renderer, &c->items[i]);
    }
    for (size_t i = 0; i < c->n; i++) {
        if (item_in_view(c, &c->items[i]))
            draw_item(c, &c->items[i], page_size);
    }
    submit(c);
    SDL_RenderSetClipRect(renderer, NULL);
    kb_atlas_set_flush(atlas, NULL, NULL);
    return c->calls;
}

void kb_crawl_visit(const struct kb_crawl *c, kb_crawl_visit_fn fn, void *user)
{
    double l = c->geo.area.x, r = c->geo.area.x + c->geo.area.w;
    for (size_t i = 0; i < c->n; i++) {
        double x = left_x(c, &c->items[i]);
        if (x < r && x + c->items[i].width > l)
            fn(user, c->items[i].id);
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
