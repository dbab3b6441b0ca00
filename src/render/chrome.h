/* The chrome around the crawl: the label box at the start of the bar (its
 * text localized, "BREAKING" while breaking news shows), the clock at the
 * end, and a discreet "feed stale since" marker above the bar. On a
 * right-to-left screen language everything mirrors. The lines come laid
 * out from the ingest thread; this only places and draws them. */
#ifndef KB_RENDER_CHROME_H
#define KB_RENDER_CHROME_H

#include <stdbool.h>

#include <SDL.h>

#include "render/atlas.h"
#include "render/batch.h"
#include "render/seg.h"
#include "text/line.h"

/* The slots (enum kb_chrome_slot) are in render/seg.h. */

struct kb_chrome_style {
    SDL_Color label_bg, label_fg, breaking_label_bg, breaking_label_fg, clock_fg, stale_fg,
        stale_bg;
};

struct kb_chrome;

struct kb_chrome *kb_chrome_new(void);
void kb_chrome_free(struct kb_chrome *ch);
void kb_chrome_set_style(struct kb_chrome *ch, const struct kb_chrome_style *style);
/* Replaces the line of slot (takes a reference; NULL empties the slot).
 * Returns true if the crawl area may have changed (call kb_chrome_place). */
bool kb_chrome_set(struct kb_chrome *ch, enum kb_chrome_slot slot, struct kb_line *line);
bool kb_chrome_has(const struct kb_chrome *ch, enum kb_chrome_slot slot);

/* A logo of w x h pixels at the label box's start edge, centred on the
 * bar's height, the label's text beside it (the texture is not taken: the
 * caller keeps it alive while set; NULL removes it). Call kb_chrome_place
 * after. */
void kb_chrome_set_logo(struct kb_chrome *ch, SDL_Texture *logo, int w, int h);
/* Where the logo is drawn (empty without one). */
SDL_Rect kb_chrome_logo_rect(const struct kb_chrome *ch);
/* Places the boxes in bar; rtl mirrors them. *crawl gets the rest of the bar. */
void kb_chrome_place(struct kb_chrome *ch, SDL_Rect bar, bool rtl, SDL_Rect *crawl);
/* The rectangle the stale marker covers (empty when there is none), so a
 * caller that redraws only what changes knows to clear it. */
SDL_Rect kb_chrome_stale_rect(const struct kb_chrome *ch);

/* Draws the boxes and their text; breaking switches the label. Returns the
 * draw calls made. */
int kb_chrome_draw(struct kb_chrome *ch, SDL_Renderer *renderer, struct kb_atlas *atlas,
                   struct kb_batch *batch, bool breaking);

#endif
