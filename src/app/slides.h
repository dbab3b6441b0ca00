/* Story slides, the app's side (docs/presentation.md, "Story slides"): the
 * ingest thread picks the stories, reads and decodes their pictures
 * (spool/images.h, render/picture.h), lays each slide out (render/story.h)
 * and queues it; the render thread takes slides from the queue as the one
 * on screen has had its time. The queue hangs on the channel; it holds at
 * most slides_ahead slides and picture_budget_kib of pictures. */
#ifndef KB_APP_SLIDES_H
#define KB_APP_SLIDES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/config.h"
#include "render/story.h"
#include "spool/item.h"
#include "text/fonts.h"

struct kb_storyq;

struct kb_storyq *kb_storyq_new(void);
void kb_storyq_free(struct kb_storyq *q);
/* Render side: the slide size and headline em size (0s: no slides). A new
 * size drops the queued slides. */
void kb_storyq_set_size(struct kb_storyq *q, int w, int h, int px);
/* The next slide (the caller owns it), or NULL. */
struct kb_story *kb_storyq_take(struct kb_storyq *q);
/* The next slide if want is true or the next is breaking (the caller owns
 * it), or NULL. */
struct kb_story *kb_storyq_take_if(struct kb_storyq *q, bool want);
/* Ingest side: the size to lay out for; false when there are no slides. */
bool kb_storyq_size(struct kb_storyq *q, int *w, int *h, int *px);
/* True if one more slide of pic_bytes fits the count and the budget. */
bool kb_storyq_room(struct kb_storyq *q, size_t ahead, size_t pic_bytes, size_t budget);
/* Queues s (takes it); a breaking story goes first. */
void kb_storyq_offer(struct kb_storyq *q, struct kb_story *s);
/* Drops queued slides of this id (retracted, edited). */
void kb_storyq_remove(struct kb_storyq *q, const char *id);

/* "12 min ago", "il y a 12 min", "منذ 12 دقيقة", "12分前": how long before
 * now published was, in language lang (English where the table lacks it).
 * Writes into buf and returns it. */
const char *kb_slide_ago(const char *lang, int64_t seconds, char *buf, size_t size);

/* Lays out item as a slide of w x h pixels, headline em px, with its
 * picture from spool_dir/images/ if it names one that is fit to show; a bad
 * one goes to rejected/ with its reason and the slide is text-only. NULL if
 * the headline cannot be laid out. The caller owns the story. */
struct kb_story *kb_slide_compose(struct kb_faces *faces, const struct kb_config *cfg,
                                  const struct kb_item *item, const char *spool_dir, int w, int h,
                                  int px, int64_t now_s);

#endif
