/* The story slides above the crawl (docs/presentation.md, "Story slides"):
 * one slide at a time, cross-fading to the next, each for its reading time,
 * then, when quotes share the space, a gap the quote panel fills. A
 * breaking story replaces what is on at once. Slides come laid out (render/
 * story.h); this uploads each picture once, as it arrives, and draws.
 * Owned by the render thread. */
#ifndef KB_RENDER_SLIDE_H
#define KB_RENDER_SLIDE_H

#include <stdbool.h>
#include <stddef.h>

#include <SDL.h>

#include "render/atlas.h"
#include "render/batch.h"
#include "render/story.h"

struct kb_slide_style {
    SDL_Color background, headline, summary, meta, badge_fg, badge_bg, accent, breaking;
    double fade_s; /* cross-fade time */
    double gap_s;  /* time left to quotes after each slide; 0: slides only */
};

struct kb_slides;

struct kb_slides *kb_slides_new(void);
/* Frees the slides and their textures (call before the renderer goes). */
void kb_slides_free(struct kb_slides *d);
void kb_slides_set_style(struct kb_slides *d, const struct kb_slide_style *style);
/* Where slides draw. A new size drops what was laid out for the old one. */
void kb_slides_place(struct kb_slides *d, SDL_Rect rect);
SDL_Rect kb_slides_rect(const struct kb_slides *d);

/* True when the slide on (if any) has had its time and gap, at time t. */
bool kb_slides_wants_next(const struct kb_slides *d, double t);
/* Puts s on at time t (takes it): its picture becomes a texture now. A
 * breaking story goes on at once; any other comes when the one on is done.
 * A story laid out for another size is dropped. */
void kb_slides_push(struct kb_slides *d, SDL_Renderer *renderer, struct kb_story *s, double t);
/* Takes the story with this id off (retracted, expired); returns 1 if it was on. */
size_t kb_slides_remove(struct kb_slides *d, const char *id);
void kb_slides_clear(struct kb_slides *d);

/* Advances to t, warming at most budget glyphs; true if a redraw is due:
 * the slides or their opacities differ from what the last draw drew. */
bool kb_slides_step(struct kb_slides *d, double t, struct kb_atlas *atlas, size_t budget);
/* True while a slide covers the space (showing or fading). */
bool kb_slides_showing(const struct kb_slides *d);
/* True, once, when no slide shows but the last draw left one on screen
 * (its time ended, or it was taken off): the caller clears the rect and
 * counts it as changed. */
bool kb_slides_uncover(struct kb_slides *d);
/* Draws over its background; returns the draw calls. */
int kb_slides_draw(struct kb_slides *d, SDL_Renderer *renderer, struct kb_atlas *atlas,
                   struct kb_batch *batch);
/* The id of the slide on now, or NULL. */
const char *kb_slides_current(const struct kb_slides *d);
/* Bytes of picture textures held. */
size_t kb_slides_texture_bytes(const struct kb_slides *d);

#endif
