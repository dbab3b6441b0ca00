/* Story slides on the render thread: the slides' place above the crawl,
 * taking the next slide from the ingest thread as one has had its time,
 * and drawing it in the quote panel's stead while it is on. */
#ifndef KB_APP_SLIDES_LOOP_H
#define KB_APP_SLIDES_LOOP_H

struct kb_loop;

/* Makes, styles or frees L->slides from L->cfg (panel = stories or both)
 * and places it. */
void kb_loop_slides_apply(struct kb_loop *L);
/* Places the slides over the space above the bar (below it when on top). */
void kb_loop_slides_place(struct kb_loop *L);
/* Steps and draws the slides; returns the draw calls, or -1 when no slide
 * covers the space (the quote panel draws there then). */
int kb_loop_slides_frame(struct kb_loop *L);

#endif
