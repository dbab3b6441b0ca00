/* The crawl: laid-out lines moving across the bar.
 *
 * Motion is a pure function of the frame number: the scroll offset is
 * frame * px_per_frame, and every item remembers the offset at which its
 * leading edge entered. A left-to-right item enters at the right edge and
 * moves left; with crawl_direction = auto a right-to-left item enters at the
 * left edge and moves right, so its first word is read first. When the next
 * item's direction differs from the last one's, the last one leaves before
 * the next enters from its side.
 *
 * The crawl holds one pending item: its line is known and its glyphs are
 * rasterised a few per frame until it enters, so entering never costs a
 * frame. Owned by the render thread. */
#ifndef KB_RENDER_CRAWL_H
#define KB_RENDER_CRAWL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <SDL.h>

#include "render/atlas.h"
#include "render/seg.h"
#include "text/line.h"

enum kb_crawl_dir { KB_CRAWL_AUTO = 0, KB_CRAWL_RIGHT_TO_LEFT, KB_CRAWL_LEFT_TO_RIGHT };

/* Item flags (KB_CRAWL_BREAKING), segments and their styles are in
 * render/seg.h, which the ingest thread uses without SDL. */

struct kb_crawl_style {
    SDL_Color text, breaking_text, source, badge_bg, badge_fg, separator;
};

struct kb_crawl_geometry {
    SDL_Rect area;       /* where text moves (clip), in screen pixels */
    int baseline;        /* y of the baseline in screen pixels */
    double px_per_frame; /* already scaled to the screen and snapped */
    int gap;             /* pixels between two items */
    enum kb_crawl_dir dir;
    /* The tallest the area may grow to for an item's ink (the ticker grows
     * the bar: docs/display.md, "Fitting"); the pending item waits to
     * enter until the area is as tall as it needs, up to this. 0: the area
     * does not grow and nothing waits. */
    int grow_to;
};

/* Called with the id of each item visible this frame, and the serial of
 * this showing (a number kabar gives each item as it is pushed), so two
 * showings of one id side by side are told apart. */
typedef void (*kb_crawl_visit_fn)(void *user, const char *id, uint64_t serial);

struct kb_crawl *kb_crawl_new(void);
void kb_crawl_free(struct kb_crawl *crawl);

/* New geometry (a resize, a rotation): items keep their order; positions
 * restart from the entry edge for what has not entered. */
void kb_crawl_set_geometry(struct kb_crawl *crawl, const struct kb_crawl_geometry *geo);
/* The colours segments are drawn in (vertex colour of non-colour glyphs). */
void kb_crawl_set_style(struct kb_crawl *crawl, const struct kb_crawl_style *style);

/* An image drawn in the gap after each item instead of a separator glyph
 * (NULL: none). The crawl does not own the texture. */
void kb_crawl_set_separator_image(struct kb_crawl *crawl, SDL_Texture *tex, int w, int h);

/* True when the crawl has no pending item and wants the next line. */
bool kb_crawl_wants_next(const struct kb_crawl *crawl);
/* Hands the crawl the next item (n segments, the text among them); it takes
 * a reference to each line. The item moves by its text's direction. */
void kb_crawl_push(struct kb_crawl *crawl, const struct kb_crawl_seg *segs, size_t n,
                   const char *id, unsigned flags);
/* Convenience for a single text line. */
void kb_crawl_push_line(struct kb_crawl *crawl, struct kb_line *line, const char *id,
                        unsigned flags);
/* Puts an item on screen now with its left edge at screen x, as if it had
 * crawled there (for still pictures: `kabar preview --png`). Takes a
 * reference to each line. */
void kb_crawl_show_at(struct kb_crawl *crawl, const struct kb_crawl_seg *segs, size_t n,
                      const char *id, unsigned flags, double x);
/* Puts an item on the crawl that enters (its leading edge at the entry
 * edge) at scroll offset start, past or future: a video wall's schedule
 * (app/wall.h) places every item itself. Items must be placed in start
 * order. Takes a reference to each line. */
void kb_crawl_place(struct kb_crawl *crawl, const struct kb_crawl_seg *segs, size_t n,
                    const char *id, unsigned flags, double start);
/* Width of an item of these segments on the crawl, in pixels. */
double kb_crawl_item_width(const struct kb_crawl_seg *segs, size_t n);
/* Height a bar needs for the ink of an item of these segments (render/fit.h). */
int kb_crawl_item_need(const struct kb_crawl_seg *segs, size_t n);
/* Removes every item with this id at once, on screen or pending (a retraction). */
size_t kb_crawl_remove(struct kb_crawl *crawl, const char *id);
/* Removes everything (a breaking interruption, a reload). */
void kb_crawl_clear(struct kb_crawl *crawl);

/* Breaking news: sets what is on the crawl aside (items, pending, their
 * places) so kb_crawl_resume can bring it back exactly where it was. Does
 * nothing if something is already set aside. */
void kb_crawl_suspend(struct kb_crawl *crawl);
/* Drops what is on the crawl and brings back what was set aside, at the
 * places it had when it was set aside. */
void kb_crawl_resume(struct kb_crawl *crawl);
bool kb_crawl_suspended(const struct kb_crawl *crawl);
/* Items on screen or pending that have none of flags. */
size_t kb_crawl_count_without(const struct kb_crawl *crawl, unsigned flags);

/* Advances to frame: the pending item enters if its turn has come and its
 * glyphs are ready; items that have left are dropped. Rasterises at most
 * warm_budget glyphs of the pending item. */
void kb_crawl_step(struct kb_crawl *crawl, uint64_t frame, struct kb_atlas *atlas,
                   size_t warm_budget);
/* Draws the visible items: badge boxes, then the glyphs with one
 * SDL_RenderGeometry call per atlas page in view. Returns the number of
 * draw calls. */
int kb_crawl_draw(struct kb_crawl *crawl, SDL_Renderer *renderer, struct kb_atlas *atlas);
void kb_crawl_visit(const struct kb_crawl *crawl, kb_crawl_visit_fn fn, void *user);
/* True if an item with any of flags is on screen or pending. */
bool kb_crawl_any(const struct kb_crawl *crawl, unsigned flags);
/* Items on screen (entered and not yet left). */
size_t kb_crawl_count(const struct kb_crawl *crawl);
/* The height the bar needs for the ink of every item on screen and the
 * pending one, margins included (render/fit.h); 0 with none. Each item is
 * drawn on its own baseline: geo.baseline, moved just enough for its ink
 * to clear the area's edges. */
int kb_crawl_need_height(const struct kb_crawl *crawl);
/* Leftmost screen x of the item with this id, for tests; false if not on screen. */
bool kb_crawl_item_x(const struct kb_crawl *crawl, const char *id, double *x);

#endif
