/* Fitting text into a box by its ink (docs/display.md, "Fitting"): the
 * rule the crawl, the chrome, the quote panel and `kabar preview` share,
 * and the ingest thread uses to choose an item's type size. Plain
 * arithmetic on pixels, without SDL: the ingest thread includes it. */
#ifndef KB_RENDER_FIT_H
#define KB_RENDER_FIT_H

/* The least share of its size an item's type shrinks to so that its ink
 * fits the bar; past it the bar grows instead. Below about four fifths,
 * a shrunken item looks like a mistake next to the others. */
#define KB_FIT_FLOOR 0.8
/* The most the bar grows, as a multiple of its configured height: a
 * screen of Nastaliq headlines gets about 1.3 times, stacked Tibetan
 * about 1.2; anything taller than this still shrinks. */
#define KB_FIT_GROW_MAX 2.0

/* Clear space kept between the ink and each edge of a box h pixels tall:
 * a twentieth of it, at least two pixels. */
int kb_fit_margin(int h);
/* The baseline that puts ink (top pixels above it, bottom below) inside
 * the box [y, y + h) with its margins, as close to preferred as it can:
 * preferred itself when the ink already fits there. Ink taller than the
 * box is centred on it. */
int kb_fit_baseline(int y, int h, int preferred, double top, double bottom);
/* The height a box needs for this ink and its margins. */
int kb_fit_need(double top, double bottom);
/* The share of its size text with this ink must shrink to for it to fit a
 * box h pixels tall (1 if it fits; may be under KB_FIT_FLOOR, which the
 * caller applies). */
double kb_fit_scale(int h, double top, double bottom);

#endif
