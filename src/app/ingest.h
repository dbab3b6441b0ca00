/* The ingest thread (DESIGN.md, "Threads"): owns the spool, the item table
 * and the playlist, lays out the lines about to be shown, and feeds them to
 * the render thread through the channel. It never touches SDL. */
#ifndef KB_APP_INGEST_H
#define KB_APP_INGEST_H

#include <stdbool.h>

#include "app/channel.h"
#include "app/config.h"
#include "app/wall.h"
#include "core/error.h"
#include "text/fonts.h"

struct kb_ingest;

/* Starts the thread. cfg, fonts, ch and wall (NULL: not a wall tile; else
 * the crawl is scheduled by it, app/wall.h) must outlive it. The caller owns the
 * handle until kb_ingest_stop, which frees it. NULL, with err set, if the
 * thread cannot start. */
struct kb_ingest *kb_ingest_start(const struct kb_config *cfg, struct kb_fonts *fonts,
                                  struct kb_channel *ch, struct kb_wall *wall,
                                  struct kb_error *err);
/* Stops and joins the thread (kb_channel_stop first, or this does it) and
 * frees in. NULL is a no-op. */
void kb_ingest_stop(struct kb_ingest *in);

#endif
