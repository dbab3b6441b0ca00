/* Glyph quads batched per atlas page: lines go in, and one
 * SDL_RenderGeometry call per page comes out at kb_batch_end. Shared by the
 * crawl and the chrome. Owned by the render thread. */
#ifndef KB_RENDER_BATCH_H
#define KB_RENDER_BATCH_H

#include <SDL.h>

#include "render/atlas.h"
#include "text/line.h"

struct kb_batch;

struct kb_batch *kb_batch_new(void);
void kb_batch_free(struct kb_batch *b);

/* Starts collecting quads for renderer from atlas. */
void kb_batch_begin(struct kb_batch *b, SDL_Renderer *renderer, struct kb_atlas *atlas);
/* Adds line's glyphs with its pen starting at x (floored: the software
 * renderer truncates) on baseline. Glyphs wholly outside [cull_l, cull_r)
 * are skipped. Colour glyphs (emoji) are drawn white, the rest in col.
 * alpha scales col's and white's alpha (fades). */
void kb_batch_line(struct kb_batch *b, const struct kb_line *line, double x, int baseline,
                   SDL_Color col, double cull_l, double cull_r);
/* Submits what was collected; returns the draw calls made since begin. */
int kb_batch_end(struct kb_batch *b);

/* Pen x where a line of width w is centred in [l, r). */
double kb_batch_centre(double l, double r, double w);

#endif
