/* Where the ingest thread and the render thread meet (DESIGN.md, "Threads"):
 * one mutex, a short queue of laid-out lines ready to enter the crawl, and a
 * queue of events (retractions, breaking items). Lines are immutable and
 * reference counted, so passing one is passing a pointer.
 *
 * The render thread also publishes here what the ingest thread must know:
 * the pixel size lines are laid out at, and that it wants a line. */
#ifndef KB_APP_CHANNEL_H
#define KB_APP_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/limits.h"
#include "render/seg.h"
#include "text/line.h"

/* Lines laid out ahead of need: one entering, one spare for a fast crawl. */
#define KB_CHANNEL_READY_MAX 2

enum kb_event_type {
    KB_EVENT_REMOVE,   /* take id off the screen now (retracted, expired, edited) */
    KB_EVENT_BREAKING, /* show line now, in the breaking style */
    KB_EVENT_CHROME,   /* a new line for a chrome slot (segs[0], or none to empty it) */
    KB_EVENT_PANEL,    /* the next quote for the panel (quote) */
};

struct kb_ready {
    /* One reference to each line, owned by whoever holds the struct. */
    struct kb_crawl_seg segs[KB_CRAWL_SEGS_MAX];
    size_t n_segs;
    char id[KB_ID_MAX + 1]; /* "" for the idle message */
    unsigned flags;         /* KB_CRAWL_* */
    int px; /* the crawl size it was composed for (its lines may be smaller: fitted) */
};

/* Drops the line references of r. */
void kb_ready_release(struct kb_ready *r);

struct kb_event {
    enum kb_event_type type;
    int slot; /* KB_EVENT_CHROME: an enum kb_chrome_slot; KB_EVENT_PANEL on a
                 wall: the quote slot it answers (KB_WALL_SLOT_TAG) */
    struct kb_ready item;
    /* KB_EVENT_PANEL: the quote (item holds only its id); owned by whoever
     * holds the event, freed with kb_quote_pages_free. */
    struct kb_quote_pages *quote;
};

/* Drops the line references of q and frees it (NULL is fine). */
void kb_quote_pages_free(struct kb_quote_pages *q);

struct kb_channel_counts {
    size_t items_loaded, items_rejected;
    bool spool_present;
    long long last_change_ms;
    double loaded_at; /* CLOCK_MONOTONIC seconds when the first scan of the spool ended */
};

struct kb_channel;

/* The caller owns the channel; free it with kb_channel_free once the
 * ingest thread has stopped. */
struct kb_channel *kb_channel_new(void);
void kb_channel_free(struct kb_channel *ch);

/* Render side. */
/* Takes the next ready line; waits up to wait_ms for one (0: no wait).
 * On true the caller owns out's line references (kb_ready_release). */
bool kb_channel_take(struct kb_channel *ch, struct kb_ready *out, int wait_ms);
/* The next event, if any; the caller owns out->item's line references
 * (kb_ready_release). */
bool kb_channel_next_event(struct kb_channel *ch, struct kb_event *out);
/* The pixel size lines must be laid out at; a change drops the ready lines. */
void kb_channel_set_px(struct kb_channel *ch, int px);
/* The quote panel's em size, width and height (0 when there is no panel). */
void kb_channel_set_panel(struct kb_channel *ch, int px, int width, int height);
/* The panel has no quote waiting: asks the ingest thread for the next. */
void kb_channel_want_quote(struct kb_channel *ch);
/* A copy of the ingest thread's counts, into the caller's struct. */
void kb_channel_get_counts(struct kb_channel *ch, struct kb_channel_counts *out);

/* Ingest side. */
int kb_channel_px(struct kb_channel *ch);
/* The panel's size; returns true (once) if the render side asked for a quote. */
bool kb_channel_panel(struct kb_channel *ch, int *px, int *width, int *height);
/* Room in the ready queue; 0 when full. */
size_t kb_channel_room(struct kb_channel *ch);
/* Queues a ready line (takes the reference in r). */
void kb_channel_offer(struct kb_channel *ch, struct kb_ready *r);
/* Queues an event (takes the line references in ev, if any). A REMOVE also
 * drops ready lines with that id; a BREAKING drops the ready lines that are
 * not breaking, which the playlist will offer again in its next round. */
void kb_channel_post(struct kb_channel *ch, struct kb_event *ev);
void kb_channel_set_counts(struct kb_channel *ch, const struct kb_channel_counts *c);
/* A file descriptor that becomes readable when the render side wants
 * something (a line taken, the px changed, stop); kb_channel_ack clears it. */
int kb_channel_fd(struct kb_channel *ch);
void kb_channel_ack(struct kb_channel *ch);

/* Both: the queue of story slides (app/slides.h), owned by the channel;
 * NULL for a NULL channel. */
struct kb_storyq *kb_channel_stories(struct kb_channel *ch);

/* Both: asks the ingest thread to finish. */
void kb_channel_stop(struct kb_channel *ch);
bool kb_channel_stopping(struct kb_channel *ch);
/* Clears a stop, so a new ingest thread can run (a config reload). */
void kb_channel_restart(struct kb_channel *ch);

#endif
