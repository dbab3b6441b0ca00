/* The quote panel (quotes = panel): one quote at a time above the crawl,
 * in at most two lines wrapped at UAX #14 opportunities, its attribution
 * below, fading from one quote to the next. A last line still too long for
 * the panel scrolls once the quote has been up for a moment. A quote stays
 * until the next one is ready: the panel never goes blank while it has one.
 * Lines come laid out from the ingest thread. Owned by the render thread. */
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

/* KB_PANEL_LINES_MAX, the lines of a quote, is in render/seg.h. */

struct kb_panel_style {
    SDL_Color text, attribution, background;
    double hold_s;      /* how long a quote stays before the next may come */
    double fade_s;      /* cross-fade time */
    double scroll_px_s; /* speed of a last line that does not fit */
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
/* Queues the next quote: n lines (n <= KB_PANEL_LINES_MAX) and its
 * attribution (may be NULL). Takes a reference to each. */
void kb_panel_push(struct kb_panel *p, struct kb_line *const *lines, size_t n,
                   struct kb_line *attribution, const char *id);
/* Takes the quote with this id off the panel at once (shown or queued). */
size_t kb_panel_remove(struct kb_panel *p, const char *id);
/* Drops everything (a resize: the lines are of the old size). */
void kb_panel_clear(struct kb_panel *p);

/* Advances to crawl time t (seconds); rasterises at most warm_budget glyphs
 * of a queued quote. Returns true if the panel must be redrawn this frame
 * (a fade, a scroll, a change). */
bool kb_panel_step(struct kb_panel *p, double t, struct kb_atlas *atlas, size_t warm_budget);
/* Draws the panel's text, over its background first when erase (where
 * the screen was not cleared this frame); returns the draw calls. */
int kb_panel_draw(struct kb_panel *p, SDL_Renderer *renderer, struct kb_atlas *atlas,
                  struct kb_batch *batch, bool erase);
/* The id of the quote on the panel now (NULL if none) and the number of
 * this showing (*serial). */
const char *kb_panel_current(const struct kb_panel *p, uint64_t *serial);

#endif
