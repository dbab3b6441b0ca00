/* The quote panel (quotes = panel): one quote at a time above the crawl,
 * shown whole and never scrolled sideways. The ingest thread breaks it at
 * UAX #14 opportunities into lines that fit the panel's width and groups
 * them into pages the panel's height holds (struct kb_quote_pages in
 * render/seg.h); the panel shows each page, its attribution under it, for
 * the page's reading time, cross-fading from page to page and from one
 * quote to the next. A quote stays until the next one is ready: the panel
 * never goes blank while it has one. Owned by the render thread. */
#ifndef KB_RENDER_PANEL_H
#define KB_RENDER_PANEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <SDL.h>

#include "render/atlas.h"
#include "render/batch.h"
#include "render/seg.h"
#include "text/line.h"

struct kb_panel_style {
    SDL_Color text, attribution, background;
    double hold_s; /* the least a quote stays, all its pages together */
    double fade_s; /* cross-fade time */
};

struct kb_panel;

struct kb_panel *kb_panel_new(void);
void kb_panel_free(struct kb_panel *p);
void kb_panel_set_style(struct kb_panel *p, const struct kb_panel_style *style);
/* Where the panel draws; px is the quote's em size the lines are laid out at. */
void kb_panel_place(struct kb_panel *p, SDL_Rect rect, int px);
SDL_Rect kb_panel_rect(const struct kb_panel *p);

/* True when no quote waits to come next. */
bool kb_panel_wants_next(const struct kb_panel *p);
/* The room kept inside the panel's left and right edges for a quote laid
 * out at px: a tenth of the em, at least 2 px, for glyphs whose ink
 * reaches left of their origin or past their advance. Lines are broken
 * to the panel's width less twice this (app/quote.c). */
int kb_panel_side(int px);
/* True if a queued quote would come on at time t: nothing is shown, or the
 * shown quote's last page has had its time. */
bool kb_panel_due(const struct kb_panel *p, double t);
/* Queues the next quote; takes its own reference to each line of q (the
 * caller keeps q). A page with no dwell stays hold_s. */
void kb_panel_push(struct kb_panel *p, const struct kb_quote_pages *q, const char *id);
/* A video wall (app/loop_wall.c): puts q on the panel as if it had come
 * on at time `at` (the shared clock's, maybe past), the quote before it
 * fading out from then; from now on pages turn at the times they are due
 * (at + the dwells before them), not at the frames that see them, so
 * tiles that draw different frames agree. q as in kb_panel_push. */
void kb_panel_show_at(struct kb_panel *p, const struct kb_quote_pages *q, const char *id,
                      double at);
/* Takes the quote with this id off the panel at once (shown or queued). */
size_t kb_panel_remove(struct kb_panel *p, const char *id);
/* Drops everything (a resize: the lines are of the old size). */
void kb_panel_clear(struct kb_panel *p);

/* Advances to crawl time t (seconds); rasterises at most warm_budget glyphs
 * of a queued quote. Returns true if the panel must be redrawn this frame
 * (a fade, a new page, a change). */
bool kb_panel_step(struct kb_panel *p, double t, struct kb_atlas *atlas, size_t warm_budget);
/* Draws the panel's text, over its background first when erase (where
 * the screen was not cleared this frame); returns the draw calls. */
int kb_panel_draw(struct kb_panel *p, SDL_Renderer *renderer, struct kb_atlas *atlas,
                  struct kb_batch *batch, bool erase);
/* The id of the quote on the panel now (NULL if none) and the number of
 * this showing (*serial). */
const char *kb_panel_current(const struct kb_panel *p, uint64_t *serial);
/* The page of the current quote on the panel now (0 for the first). */
size_t kb_panel_page(const struct kb_panel *p);

#endif
