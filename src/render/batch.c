#include "render/batch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

struct page_batch {
    SDL_Vertex *v;
    int *idx;
    size_t nv, ni, cap;
};

struct kb_batch {
    struct page_batch *pages;
    int n_pages;
    SDL_Renderer *renderer;
    struct kb_atlas *atlas;
    int calls;
};

struct kb_batch *kb_batch_new(void)
{
    return kb_xcalloc(1, sizeof(struct kb_batch));
}

void kb_batch_free(struct kb_batch *b)
{
    if (b == NULL)
        return;
    for (int i = 0; i < b->n_pages; i++) {
        free(b->pages[i].v);
        free(b->pages[i].idx);
    }
    free(b->pages);
    free(b);
}

static struct page_batch *page(struct kb_batch *b, int p)
{
    if (p >= b->n_pages) {
        b->pages = kb_xreallocarray(b->pages, (size_t)p + 1, sizeof(*b->pages));
        memset(b->pages + b->n_pages, 0, (size_t)(p + 1 - b->n_pages) * sizeof(*b->pages));
        b->n_pages = p + 1;
    }
    return &b->pages[p];
}

/* Draws what is batched now: before an atlas page is reused, and at the end. */
static void submit(void *user)
{
    struct kb_batch *b = user;
    for (int p = 0; p < b->n_pages; p++) {
        struct page_batch *pb = &b->pages[p];
        if (pb->ni == 0)
            continue;
        SDL_RenderGeometry(b->renderer, kb_atlas_texture(b->atlas, p), pb->v, (int)pb->nv, pb->idx,
                           (int)pb->ni);
        b->calls++;
        pb->nv = pb->ni = 0;
    }
}

void kb_batch_begin(struct kb_batch *b, SDL_Renderer *renderer, struct kb_atlas *atlas)
{
    b->renderer = renderer;
    b->atlas = atlas;
    b->calls = 0;
    kb_atlas_set_flush(atlas, submit, b);
}

int kb_batch_end(struct kb_batch *b)
{
    submit(b);
    kb_atlas_set_flush(b->atlas, NULL, NULL);
    return b->calls;
}

/* One glyph = two triangles sharing an edge, axis-aligned, one colour: the
 * shape SDL's software renderer turns into a plain blit. */
static void add_quad(struct page_batch *pb, float x, float y, float w, float h, float u0, float v0,
                     float u1, float v1, SDL_Color col)
{
    if (pb->nv + 4 > pb->cap) {
        pb->cap = pb->cap * 2 + 64;
        pb->v = kb_xreallocarray(pb->v, pb->cap, sizeof(*pb->v));
        pb->idx = kb_xreallocarray(pb->idx, pb->cap / 4 * 6 + 6, sizeof(*pb->idx));
    }
    SDL_Vertex *v = pb->v + pb->nv;
    v[0] = (SDL_Vertex){{x, y}, col, {u0, v0}};
    v[1] = (SDL_Vertex){{x + w, y}, col, {u1, v0}};
    v[2] = (SDL_Vertex){{x + w, y + h}, col, {u1, v1}};
    v[3] = (SDL_Vertex){{x, y + h}, col, {u0, v1}};
    int base = (int)pb->nv, *i = pb->idx + pb->ni;
    i[0] = base;
    i[1] = base + 1;
    i[2] = base + 2;
    i[3] = base;
    i[4] = base + 2;
    i[5] = base + 3;
    pb->nv += 4;
    pb->ni += 6;
}

void kb_batch_line(struct kb_batch *b, const struct kb_line *line, double x, int baseline,
                   SDL_Color col, double cull_l, double cull_r)
{
    SDL_Color white = {255, 255, 255, col.a};
    float ps = (float)kb_atlas_page_size(b->atlas);
    double x0 = floor(x), pen = 0;
    for (size_t r = 0; r < line->n_runs; r++) {
        const struct kb_run *run = &line->runs[r];
        for (size_t k = 0; k < run->n_glyphs; k++) {
            const struct kb_glyph *gl = &line->glyphs[run->first_glyph + k];
            double gx = x0 + floor(pen + gl->x_offset);
            pen += gl->x_advance;
            /* A glyph's ink can reach past its advance, but not by two ems. */
            if (gx > cull_r || gx + line->px * 2 < cull_l)
                continue;
            const struct kb_atlas_glyph *g = kb_atlas_get(b->atlas, run->font, gl->id, line->px);
            if (g == NULL || g->page < 0)
                continue;
            float qx = (float)(gx + g->left);
            float qy = (float)(baseline - lround(gl->y_offset) - g->top);
            add_quad(page(b, g->page), qx, qy, (float)g->w, (float)g->h, g->x / ps, g->y / ps,
                     (g->x + g->w) / ps, (g->y + g->h) / ps, g->color ? white : col);
        }
    }
}

double kb_batch_centre(double l, double r, double w)
{
    return floor(l + (r - l - w) / 2);
}
