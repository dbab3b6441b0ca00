/* A quote laid out for the panel (docs/presentation.md, "Quotes"): its
 * words with the language's quotation marks, broken into lines as wide as
 * the panel, at the quote size or smaller down to a floor until they fit
 * its height, and past that in pages, each with its reading time. Used by
 * the ingest thread. */
#ifndef KB_APP_QUOTE_H
#define KB_APP_QUOTE_H

#include "app/config.h"
#include "render/seg.h"
#include "spool/item.h"
#include "text/fonts.h"

/* The least share of the quote size the panel's type steps down to before
 * it pages a quote instead. */
#define KB_QUOTE_FLOOR 0.7

/* Lays out quote item q for a panel of width x height pixels whose quote
 * em size is px. Returns the pages, which the caller owns
 * (kb_quote_pages_free, app/channel.h), or NULL (logged once) if the quote
 * cannot be laid out. */
struct kb_quote_pages *kb_quote_layout(struct kb_faces *faces, const struct kb_config *cfg,
                                       const struct kb_item *q, int px, int width, int height);

#endif
