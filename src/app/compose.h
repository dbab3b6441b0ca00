/* What one item puts on the crawl: its source label, its text (a quote
 * with its marks and attribution), its machine-translation badge and the
 * separator, each laid out as a line. Used by the ingest thread and by
 * `kabar preview`. */
#ifndef KB_APP_COMPOSE_H
#define KB_APP_COMPOSE_H

#include <stdbool.h>

#include "app/channel.h"
#include "app/config.h"
#include "spool/item.h"
#include "text/fonts.h"
#include "text/line.h"

/* Shares of the crawl's em size: the label and clock, the feed-stale
 * marker, a machine-translation badge; and a quote's attribution on the
 * panel, of the quote's em. */
#define KB_CHROME_SCALE 0.8
#define KB_STALE_SCALE 0.42
#define KB_BADGE_SCALE 0.55
#define KB_ATTRIBUTION_SCALE 0.6

/* The layout direction an item asks for. */
enum kb_dir kb_compose_dir(const struct kb_item *item);
/* Lays out one string; logs once (under what) and returns NULL if it cannot.
 * The caller owns the one reference to the line (kb_line_unref, or hand it
 * to kb_compose_add). */
struct kb_line *kb_compose_text(struct kb_faces *faces, const char *text, const char *lang,
                                enum kb_dir dir, int px, const char *what);
/* Appends a segment to r (takes the line's reference; ignores NULL). */
void kb_compose_add(struct kb_ready *r, struct kb_line *line, enum kb_seg_style style);
/* A chrome string (label, clock, marker) in the screen language at
 * px * scale; NULL for an empty string or one that cannot be laid out.
 * The caller owns the one reference to the line (kb_line_unref). */
struct kb_line *kb_compose_chrome(struct kb_faces *faces, const struct kb_config *cfg,
                                  const char *text, int px, double scale);
/* Lays out item (or the idle message when item is NULL) at px into r,
 * which the caller owns: it holds one reference to each line, dropped with
 * kb_ready_release. Returns false, with r empty, if the item's text (or the
 * idle message) cannot be laid out. item and cfg are only read. */
bool kb_compose_item(struct kb_faces *faces, const struct kb_config *cfg,
                     const struct kb_item *item, int px, struct kb_ready *r);

#endif
