#include "render/atlas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include FT_BITMAP_H

#define LOG_MODULE "atlas"
#include "core/log.h"
#include "core/xmalloc.h"

/* Texels left empty around every glyph so linear filtering on a GPU never
 * samples a neighbour. */
#define PAD 1
/* A page smaller than this holds too few glyphs to be useful. */
#define PAGE_MIN 64

/* A shelf is a row of a page as tall as the first glyph put on it; glyphs
 * fill it left to right (x is where the next one goes). */
struct shelf {
    int y, h, x;
};

struct page {
    SDL_Texture *tex;
    struct shelf *shelves;
    size_t n_shelves;
    int next_y;         /* top of the free space below the last shelf */
    uint64_t last_used; /* frame number */
};

/* The glyph table is open addressing with linear probing: a lookup per
 * glyph per frame must not allocate or chase pointers. */
struct entry {
    uint64_t key; /* 0: empty slot */
    struct kb_atlas_glyph g;
};

struct kb_atlas {
    SDL_Renderer *renderer;
    struct kb_faces *faces;
    int page_size;
    int max_pages;
    struct page *pages;
    int n_pages;
    struct entry *table;
    size_t cap, count;
    uint64_t frame;
    size_t frame_upload;
    size_t evictions;
    kb_atlas_flush_fn flush;
    void *flush_user;
    unsigned char *scratch; /* RGBA staging for one glyph */
    size_t scratch_cap;
};

/* Glyphs are keyed by glyph id, never by code point: one code point is
 * several glyphs (Arabic joining forms, ligatures) and one glyph may stand
 * for several code points. px is part of the key because the same glyph is
 * drawn at the crawl's, the chrome's and the panel's sizes. */
static uint64_t make_key(int font, uint32_t glyph, int px)
{
    /* +1 so that no real key is 0, the empty slot. */
    return ((uint64_t)(uint16_t)(font + 1) << 48) | ((uint64_t)(uint16_t)px << 32) | glyph;
}

static size_t hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k;
}

static int floor_pow2(int v)
{
    int p = 1;
    while (p * 2 <= v)
        p *= 2;
    return p;
}

struct kb_atlas *kb_atlas_new(SDL_Renderer *renderer, struct kb_faces *faces,
                              const struct kb_atlas_opts *opts)
{
    struct kb_atlas *a = kb_xcalloc(1, sizeof(*a));
    a->renderer = renderer;
    a->faces = faces;
    int size = opts->page_size > 0 ? opts->page_size : KB_ATLAS_PAGE_CAP;
    if (size > KB_ATLAS_PAGE_CAP)
        size = KB_ATLAS_PAGE_CAP;
    if (opts->max_texture > 0 && size > opts->max_texture)
        size = opts->max_texture;
    if (size < PAGE_MIN)
        size = PAGE_MIN;
    /* A power of two: the software renderer truncates texture coordinates
     * back to texels, exactly only on such pages (DESIGN.md, "Measured
     * facts"). */
    a->page_size = floor_pow2(size);
    size_t page_bytes = (size_t)a->page_size * (size_t)a->page_size * 4;
    a->max_pages = (int)(opts->budget_bytes / page_bytes);
    /* A budget below one page still draws text: it reuses its one page. */
    if (a->max_pages < 1)
        a->max_pages = 1;
    a->pages = kb_xcalloc((size_t)a->max_pages, sizeof(*a->pages));
    a->cap = 1024;
    a->table = kb_xcalloc(a->cap, sizeof(*a->table));
    return a;
}

static void page_clear(struct page *p)
{
    free(p->shelves);
    p->shelves = NULL;
    p->n_shelves = 0;
    p->next_y = 0;
}

void kb_atlas_free(struct kb_atlas *a)
{
    if (a == NULL)
        return;
    for (int i = 0; i < a->n_pages; i++) {
        if (a->pages[i].tex != NULL)
            SDL_DestroyTexture(a->pages[i].tex);
        page_clear(&a->pages[i]);
    }
    free(a->pages);
    free(a->table);
    free(a->scratch);
    free(a);
}

void kb_atlas_set_flush(struct kb_atlas *a, kb_atlas_flush_fn fn, void *user)
{
    a->flush = fn;
    a->flush_user = user;
}

void kb_atlas_begin_frame(struct kb_atlas *a)
{
    a->frame++;
    a->frame_upload = 0;
}

static struct entry *lookup(struct kb_atlas *a, uint64_t key)
{
    size_t mask = a->cap - 1;
    for (size_t i = hash(key) & mask;; i = (i + 1) & mask) {
        if (a->table[i].key == key || a->table[i].key == 0)
            return &a->table[i];
    }
}

static void insert(struct kb_atlas *a, uint64_t key, const struct kb_atlas_glyph *g);

/* Keeps the table at most three quarters full, where linear probing stays
 * a probe or two. */
static void grow(struct kb_atlas *a)
{
    struct entry *old = a->table;
    size_t old_cap = a->cap;
    a->cap *= 2;
    a->table = kb_xcalloc(a->cap, sizeof(*a->table));
    a->count = 0;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].key != 0)
            insert(a, old[i].key, &old[i].g);
    }
    free(old);
}

static void insert(struct kb_atlas *a, uint64_t key, const struct kb_atlas_glyph *g)
{
    if ((a->count + 1) * 4 > a->cap * 3)
        grow(a);
    struct entry *e = lookup(a, key);
    if (e->key == 0)
        a->count++;
    e->key = key;
    e->g = *g;
}

/* Drops every entry of page p by rebuilding the table without them. Linear
 * probing cannot simply clear a slot (it would cut the probe chains through
 * it), and tombstones would slow every later lookup; an eviction happens
 * only when the budget is full, so one pass over the table then is cheap. */
static void forget_page(struct kb_atlas *a, int p)
{
    struct entry *old = a->table;
    size_t old_cap = a->cap;
    a->table = kb_xcalloc(a->cap, sizeof(*a->table));
    a->count = 0;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].key != 0 && old[i].g.page != p)
            insert(a, old[i].key, &old[i].g);
    }
    free(old);
}

/* RGBA because SDL2 has no one-channel texture; static because a glyph is
 * uploaded once (SDL_UpdateTexture) and never read back; nearest because
 * glyphs are drawn texel for pixel. */
static bool page_create(struct kb_atlas *a, struct page *p)
{
    p->tex = SDL_CreateTexture(a->renderer, SDL_PIXELFORMAT_RGBA32, SDL_TEXTUREACCESS_STATIC,
                               a->page_size, a->page_size);
    if (p->tex == NULL) {
        LOG_ERR_ONCE("atlas-page", "cannot create a %dx%d atlas page: %s", a->page_size,
                     a->page_size, SDL_GetError());
        return false;
    }
    SDL_SetTextureBlendMode(p->tex, SDL_BLENDMODE_BLEND);
    SDL_SetTextureScaleMode(p->tex, SDL_ScaleModeNearest);
    return true;
}

/* Finds room for a w x h box (padding included) in page p: shelf packing.
 * The glyphs of a line at one size have nearly one height, so rows of
 * glyphs waste little, and a page needs no free-space map, only its shelves
 * and the top of the unused part. Space is never freed glyph by glyph: a
 * page is emptied whole (alloc), so holes never need filling. */
static bool page_alloc(struct kb_atlas *a, struct page *p, int w, int h, int *x, int *y)
{
    if (w > a->page_size || h > a->page_size)
        return false;
    struct shelf *best = NULL;
    for (size_t i = 0; i < p->n_shelves; i++) {
        struct shelf *s = &p->shelves[i];
        /* A shelf fits if it is tall enough but not wastefully so: a comma
         * on a shelf of capitals would waste the space above it; past a
         * quarter taller it gets a shelf of its own. The lowest fitting
         * shelf wastes least. */
        if (s->h >= h && s->h <= h + h / 4 + 2 && s->x + w <= a->page_size &&
            (best == NULL || s->h < best->h))
            best = s;
    }
    if (best == NULL) {
        if (p->next_y + h > a->page_size)
            return false;
        p->shelves = kb_xreallocarray(p->shelves, p->n_shelves + 1, sizeof(*p->shelves));
        best = &p->shelves[p->n_shelves++];
        best->y = p->next_y;
        best->h = h;
        best->x = 0;
        p->next_y += h;
    }
    *x = best->x;
    *y = best->y;
    best->x += w;
    return true;
}

/* Room for w x h: in an existing page, a new page within the budget, or the
 * least recently used page, emptied. The newest page is tried first: it
 * is the one most likely to have room.
 *
 * Eviction is by page, not by glyph: a glyph's hole in a shelf is the wrong
 * size for most other glyphs, while an empty page takes anything, and a
 * frame number per page is all the bookkeeping needed. A page's clock is
 * set whenever one of its glyphs is asked for (kb_atlas_get), so the pages
 * in view now are never the least recently used unless every page is. */
static int alloc(struct kb_atlas *a, int w, int h, int *x, int *y)
{
    for (int i = a->n_pages - 1; i >= 0; i--) {
        if (a->pages[i].tex != NULL && page_alloc(a, &a->pages[i], w, h, x, y))
            return i;
    }
    if (a->n_pages < a->max_pages) {
        struct page *p = &a->pages[a->n_pages];
        if (page_create(a, p)) {
            a->n_pages++;
            return page_alloc(a, p, w, h, x, y) ? a->n_pages - 1 : -1;
        }
        if (a->n_pages == 0)
            return -1;
    }
    int lru = 0;
    for (int i = 1; i < a->n_pages; i++) {
        if (a->pages[i].last_used < a->pages[lru].last_used)
            lru = i;
    }
    struct page *p = &a->pages[lru];
    /* Quads batched this frame may point into the page: draw them before
     * its texels are overwritten. */
    if (p->last_used == a->frame && a->flush != NULL)
        a->flush(a->flush_user);
    page_clear(p);
    forget_page(a, lru);
    a->evictions++;
    return page_alloc(a, p, w, h, x, y) ? lru : -1;
}

static unsigned char *scratch(struct kb_atlas *a, size_t bytes)
{
    if (bytes > a->scratch_cap) {
        a->scratch = kb_xrealloc(a->scratch, bytes);
        a->scratch_cap = bytes;
    }
    memset(a->scratch, 0, bytes);
    return a->scratch;
}

/* Fills dst (w x h RGBA, with a PAD border) from a gray or mono bitmap. */
static void from_gray(unsigned char *dst, int dw, const FT_Bitmap *bm)
{
    for (unsigned y = 0; y < bm->rows; y++) {
        const unsigned char *row = bm->buffer + (ptrdiff_t)y * bm->pitch;
        unsigned char *out = dst + ((size_t)(y + PAD) * (size_t)dw + PAD) * 4;
        for (unsigned x = 0; x < bm->width; x++) {
            unsigned char v = bm->pixel_mode == FT_PIXEL_MODE_MONO
                                  ? ((row[x >> 3] >> (7 - (x & 7))) & 1) * 255
                                  : row[x];
            out[x * 4 + 0] = 255;
            out[x * 4 + 1] = 255;
            out[x * 4 + 2] = 255;
            out[x * 4 + 3] = v;
        }
    }
}

/* Scales a premultiplied BGRA bitmap by s (box filter over the source
 * texels each target texel covers) into straight-alpha RGBA. */
static void from_bgra(unsigned char *dst, int dw, int tw, int th, const FT_Bitmap *bm, double s)
{
    for (int ty = 0; ty < th; ty++) {
        double sy0 = ty / s, sy1 = (ty + 1) / s;
        for (int tx = 0; tx < tw; tx++) {
            double sx0 = tx / s, sx1 = (tx + 1) / s;
            double acc[4] = {0, 0, 0, 0}, area = 0;
            for (int y = (int)sy0; y < (int)ceil(sy1) && y < (int)bm->rows; y++) {
                double wy = fmin(sy1, y + 1) - fmax(sy0, y);
                const unsigned char *row = bm->buffer + (ptrdiff_t)y * bm->pitch;
                for (int x = (int)sx0; x < (int)ceil(sx1) && x < (int)bm->width; x++) {
                    double wgt = wy * (fmin(sx1, x + 1) - fmax(sx0, x));
                    for (int c = 0; c < 4; c++)
                        acc[c] += row[x * 4 + c] * wgt;
                    area += wgt;
                }
            }
            unsigned char *out = dst + ((size_t)(ty + PAD) * (size_t)dw + (size_t)(tx + PAD)) * 4;
            if (area <= 0 || acc[3] <= 0)
                continue;
            double alpha = acc[3] / area;
            /* Un-premultiply: SDL's blend mode takes straight alpha. */
            out[0] = (unsigned char)fmin(255, acc[2] / acc[3] * 255 + 0.5);
            out[1] = (unsigned char)fmin(255, acc[1] / acc[3] * 255 + 0.5);
            out[2] = (unsigned char)fmin(255, acc[0] / acc[3] * 255 + 0.5);
            out[3] = (unsigned char)fmin(255, alpha + 0.5);
        }
    }
}

static bool rasterise(struct kb_atlas *a, int font, uint32_t glyph, int px,
                      struct kb_atlas_glyph *g)
{
    FT_Face face = kb_faces_get(a->faces, font, px);
    if (face == NULL)
        return false;
    bool color = kb_fonts_is_color(kb_faces_fonts(a->faces), font);
    /* Light hinting moves outlines only vertically, so glyphs keep the
     * unhinted horizontal metrics the layout placed them by. */
    FT_Int32 flags = color ? FT_LOAD_COLOR : (FT_LOAD_DEFAULT | FT_LOAD_TARGET_LIGHT);
    if (FT_Load_Glyph(face, glyph, flags) != 0) {
        LOG_WARN_ONCE("atlas-load", "cannot load glyph %u of font %d", glyph, font);
        return false;
    }
    if (face->glyph->format != FT_GLYPH_FORMAT_BITMAP &&
        FT_Render_Glyph(face->glyph, FT_RENDER_MODE_NORMAL) != 0)
        return false;
    const FT_Bitmap *bm = &face->glyph->bitmap;
    /* A colour bitmap font has fixed strikes (Noto Color Emoji: 109 px):
     * scale it to px as the layout scaled its advances. */
    double s = 1.0;
    if (bm->pixel_mode == FT_PIXEL_MODE_BGRA && face->size->metrics.y_ppem > 0)
        s = (double)px / face->size->metrics.y_ppem;
    int tw = (int)ceil(bm->width * s), th = (int)ceil(bm->rows * s);
    g->color = bm->pixel_mode == FT_PIXEL_MODE_BGRA;
    g->left = (int)floor(face->glyph->bitmap_left * s);
    g->top = (int)floor(face->glyph->bitmap_top * s);
    g->w = tw;
    g->h = th;
    g->page = -1;
    if (tw == 0 || th == 0)
        return true;

    int bw = tw + 2 * PAD, bh = th + 2 * PAD, x, y;
    int page = alloc(a, bw, bh, &x, &y);
    if (page < 0) {
        LOG_WARN_ONCE("atlas-big", "glyph %u of font %d (%dx%d px) does not fit an atlas page",
                      glyph, font, tw, th);
        return false;
    }
    unsigned char *buf = scratch(a, (size_t)bw * (size_t)bh * 4);
    if (g->color)
        from_bgra(buf, bw, tw, th, bm, s);
    else if (bm->pixel_mode == FT_PIXEL_MODE_GRAY || bm->pixel_mode == FT_PIXEL_MODE_MONO)
        from_gray(buf, bw, bm);
    SDL_Rect r = {x, y, bw, bh};
    if (SDL_UpdateTexture(a->pages[page].tex, &r, buf, bw * 4) != 0) {
        LOG_WARN_ONCE("atlas-upload", "cannot upload a glyph: %s", SDL_GetError());
        return false;
    }
    a->frame_upload += (size_t)bw * (size_t)bh * 4;
    g->page = page;
    g->x = x + PAD;
    g->y = y + PAD;
    return true;
}

const struct kb_atlas_glyph *kb_atlas_get(struct kb_atlas *a, int font, uint32_t glyph, int px)
{
    uint64_t key = make_key(font, glyph, px);
    struct entry *e = lookup(a, key);
    if (e->key == 0) {
        struct kb_atlas_glyph g;
        if (!rasterise(a, font, glyph, px, &g))
            return NULL;
        insert(a, key, &g);
        e = lookup(a, key);
    }
    if (e->g.page >= 0)
        a->pages[e->g.page].last_used = a->frame;
    return &e->g;
}

bool kb_atlas_has(struct kb_atlas *a, int font, uint32_t glyph, int px)
{
    return lookup(a, make_key(font, glyph, px))->key != 0;
}

size_t kb_atlas_warm(struct kb_atlas *a, const struct kb_line *line, size_t max_new)
{
    size_t missing = 0;
    for (size_t r = 0; r < line->n_runs; r++) {
        const struct kb_run *run = &line->runs[r];
        for (size_t i = 0; i < run->n_glyphs; i++) {
            uint32_t id = line->glyphs[run->first_glyph + i].id;
            if (kb_atlas_has(a, run->font, id, line->px))
                continue;
            if (max_new > 0) {
                max_new--;
                if (kb_atlas_get(a, run->font, id, line->px) != NULL)
                    continue;
                /* Undrawable: remember as empty so it is not retried every frame. */
                struct kb_atlas_glyph none = {.page = -1};
                insert(a, make_key(run->font, id, line->px), &none);
                continue;
            }
            missing++;
        }
    }
    return missing;
}

SDL_Texture *kb_atlas_texture(struct kb_atlas *a, int page)
{
    return page >= 0 && page < a->n_pages ? a->pages[page].tex : NULL;
}

/* The textures are gone with the device; the glyph table keeps its
 * capacity, since the same glyphs come back within a few frames. */
void kb_atlas_reset(struct kb_atlas *a, SDL_Renderer *renderer)
{
    for (int i = 0; i < a->n_pages; i++) {
        if (a->pages[i].tex != NULL)
            SDL_DestroyTexture(a->pages[i].tex);
        a->pages[i].tex = NULL;
        page_clear(&a->pages[i]);
    }
    a->n_pages = 0;
    a->renderer = renderer;
    memset(a->table, 0, a->cap * sizeof(*a->table));
    a->count = 0;
}

int kb_atlas_page_size(const struct kb_atlas *a)
{
    return a->page_size;
}

int kb_atlas_pages(const struct kb_atlas *a)
{
    return a->n_pages;
}

size_t kb_atlas_bytes(const struct kb_atlas *a)
{
    return (size_t)a->n_pages * (size_t)a->page_size * (size_t)a->page_size * 4;
}

size_t kb_atlas_frame_upload_bytes(const struct kb_atlas *a)
{
    return a->frame_upload;
}

size_t kb_atlas_evictions(const struct kb_atlas *a)
{
    return a->evictions;
}
