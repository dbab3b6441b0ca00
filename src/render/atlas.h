/* The glyph atlas: FreeType bitmaps, rasterised by glyph id (never by code
 * point), packed into RGBA texture pages that SDL draws from.
 *
 * Text glyphs are white texels with coverage in alpha, coloured by vertex
 * colour; colour emoji are straight-alpha RGBA, drawn with a white vertex
 * colour. Pages are square, a power of two, and never larger than
 * min(2048, the renderer's max texture size) — the dummy driver reports no
 * limit, so the cap is enforced here. Pages are shelf-packed; when the byte
 * budget is full, the least recently used page is emptied and reused.
 *
 * Owned by the render thread. */
#ifndef KB_RENDER_ATLAS_H
#define KB_RENDER_ATLAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <SDL.h>

#include "text/fonts.h"
#include "text/line.h"

/* The largest page side on any board kabar runs on (a Pi 3's VideoCore IV). */
#define KB_ATLAS_PAGE_CAP 2048

struct kb_atlas_glyph {
    int page;       /* -1 for a glyph with no pixels (a space) */
    int x, y, w, h; /* texels in the page */
    int left, top;  /* bitmap offset from the pen: right of it, above the baseline */
    bool color;
};

struct kb_atlas_opts {
    int page_size;       /* wanted side in texels; rounded down to a power of two and capped */
    int max_texture;     /* the renderer's limit, 0 if none reported */
    size_t budget_bytes; /* texture bytes for all pages; at least one page is always allowed */
};

/* Called before a page that may already be drawn from this frame is
 * emptied, so the caller can submit what it has batched from it. */
typedef void (*kb_atlas_flush_fn)(void *user);

/* A new atlas with no page yet; the caller frees it with kb_atlas_free.
 * It borrows renderer and faces, which must outlive it (or, for renderer,
 * until kb_atlas_reset hands it another). */
struct kb_atlas *kb_atlas_new(SDL_Renderer *renderer, struct kb_faces *faces,
                              const struct kb_atlas_opts *opts);
void kb_atlas_free(struct kb_atlas *atlas);
void kb_atlas_set_flush(struct kb_atlas *atlas, kb_atlas_flush_fn fn, void *user);

/* Starts a frame: the clock of least-recently-used, and the per-frame counters. */
void kb_atlas_begin_frame(struct kb_atlas *atlas);
/* The glyph, rasterised and uploaded if it is not in the atlas yet. NULL if
 * it cannot be drawn (font gone, glyph too large for a page). Owned by the
 * atlas; copy what you need: the pointer is valid only until the next call
 * that may add a glyph or empty a page (kb_atlas_get, kb_atlas_warm,
 * kb_atlas_reset, kb_atlas_free). */
const struct kb_atlas_glyph *kb_atlas_get(struct kb_atlas *atlas, int font, uint32_t glyph, int px);
/* True if the glyph is in the atlas now. */
bool kb_atlas_has(struct kb_atlas *atlas, int font, uint32_t glyph, int px);
/* Rasterises at most max_new of line's glyphs that are not in the atlas yet;
 * returns how many are still missing after that (0: the line is ready). */
size_t kb_atlas_warm(struct kb_atlas *atlas, const struct kb_line *line, size_t max_new);
/* The texture of page (NULL if there is no such page). Owned by the atlas:
 * do not destroy it. It stays the same texture until kb_atlas_reset or
 * kb_atlas_free, but its texels change when the page is emptied for other
 * glyphs; the flush callback runs before that happens within a frame. */
SDL_Texture *kb_atlas_texture(struct kb_atlas *atlas, int page);

/* The renderer lost its textures (SDL_RENDER_TARGETS_RESET, _DEVICE_RESET):
 * forget every glyph and page; they are rebuilt as they are drawn. */
void kb_atlas_reset(struct kb_atlas *atlas, SDL_Renderer *renderer);

int kb_atlas_page_size(const struct kb_atlas *atlas);
int kb_atlas_pages(const struct kb_atlas *atlas);
size_t kb_atlas_bytes(const struct kb_atlas *atlas);
/* Texture bytes uploaded since kb_atlas_begin_frame. */
size_t kb_atlas_frame_upload_bytes(const struct kb_atlas *atlas);
/* Pages emptied to make room since the atlas was made. */
size_t kb_atlas_evictions(const struct kb_atlas *atlas);

#endif
