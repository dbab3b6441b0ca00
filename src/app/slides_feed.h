/* Which stories go on slides, chosen on the ingest thread
 * (docs/presentation.md, "Story slides"): the headlines this screen shows
 * (its languages), newest first in turn, a breaking one at once. */
#ifndef KB_APP_SLIDES_FEED_H
#define KB_APP_SLIDES_FEED_H

#include <stdint.h>

#include "app/config.h"
#include "app/slides.h"
#include "spool/playlist.h"
#include "spool/spool.h"
#include "text/fonts.h"

struct kb_slide_feed;

/* NULL when cfg shows no slides (panel = quotes). The caller frees it. */
struct kb_slide_feed *kb_slide_feed_new(const struct kb_config *cfg);
void kb_slide_feed_free(struct kb_slide_feed *f);
/* Lays out slides into q while it has room (at most a few per call).
 * f may be NULL. */
void kb_slide_feed_run(struct kb_slide_feed *f, struct kb_storyq *q, struct kb_faces *faces,
                       struct kb_spool *spool, struct kb_playlist *pl, int64_t now_ms);
/* An item changed: queued slides of it go (f may be NULL). */
void kb_slide_feed_changed(struct kb_slide_feed *f, struct kb_storyq *q, const char *id);

#endif
