/* Video walls (docs/wall.md): one crawl across a row (or column) of
 * screens, each tile drawing its slice of one virtual screen, all in step.
 *
 * The geometry: `wall = COLSxROWS`, `wall_tile = COL,ROW`, `wall_bezel_px`.
 * The clock: the crawl's frame number is the shared clock's (Unix time, or
 * under --virtual-clock a fixed epoch), never the process's.
 * The schedule: app/wallplan.h, computed on the ingest thread from the
 * spool and handed to the render thread here.
 *
 * A struct kb_wall is shared by the render and the ingest threads; the
 * render loop owns it (kb_wall_new/kb_wall_free) and it must outlive the
 * ingest thread. Functions say which thread calls them. No SDL here: the
 * ingest thread includes this; the tile's scene is in app/wall_view.h. */
#ifndef KB_APP_WALL_H
#define KB_APP_WALL_H

#include <stdbool.h>
#include <stdint.h>

#include "app/config.h"
#include "core/error.h"
#include "spool/item.h"
#include "spool/playlist.h"
#include "spool/spool.h"
#include "text/fonts.h"

/* How long before an item may show on a wall after its `published` time:
 * room for the spool to reach every tile (docs/wall.md). */
#define KB_WALL_MARGIN_MS 2000
/* The schedule's epoch (wallplan.h), in seconds of crawl. */
#define KB_WALL_EPOCH_S 300
/* --virtual-clock's time 0 on a wall: 2024-01-01T00:00:00Z, an epoch's
 * start, the same in every process. */
#define KB_WALL_VIRTUAL_EPOCH_MS 1704067200000LL

struct kb_wall_geo {
    int cols, rows; /* 0: no wall */
    int col, row;   /* this tile, from 0 at the top left */
    bool all;       /* wall_tile = all or a list: several tiles from this process */
    int bezel;      /* px between two tiles' pictures */
};

/* The most tiles one process drives (wall_tile = all or a list). */
#define KB_WALL_TILES_MAX 8
/* The tiles wall_tile names, into out (at most max): one for COL,ROW; for
 * `all` every tile of the wall, left to right, then top to bottom; for a
 * list ("0,0 1,0") its tiles in its order (the displays' order). Returns
 * their number (0 without a wall), or -1 with err set to one line. */
int kb_wall_tiles(const struct kb_config *cfg, struct kb_wall_geo *out, int max,
                  struct kb_error *err);
/* Reads cfg->wall, wall_tile and wall_bezel_px. False, with err set to one
 * line naming the key, if one is malformed or the tile is off the wall. */
bool kb_wall_parse(const struct kb_config *cfg, struct kb_wall_geo *g, struct kb_error *err);

struct kb_wall;
struct kb_crawl;

struct kb_wall *kb_wall_new(const struct kb_wall_geo *g, bool virtual_clock, double hz);
void kb_wall_free(struct kb_wall *w);
const struct kb_wall_geo *kb_wall_geometry(const struct kb_wall *w);

/* Render thread. */
/* The shared frame number for loop pass `pass`: the virtual epoch's frame
 * plus pass under the virtual clock, else the real clock's now. */
int64_t kb_wall_frame(const struct kb_wall *w, uint64_t pass);
/* What the schedule must know of the screen: the crawl's speed, size,
 * gap and the screen's direction (home motion, -1 or +1). */
void kb_wall_set_layout(struct kb_wall *w, int px, double px_per_frame, double area_w, double gap,
                        int home);
/* Puts on the crawl what the schedule has at frame (clearing and placing
 * again when the schedule changed). Under the virtual clock waits for a
 * schedule that covers frame. *breaking_at: the shared frame the breaking
 * run began, or -1. */
void kb_wall_feed(struct kb_wall *w, struct kb_crawl *crawl, int64_t frame, int64_t *breaking_at);
/* How far behind the shared clock the frame was when presented (ms), for
 * the stats. */
void kb_wall_presented(struct kb_wall *w, int64_t frame);
double kb_wall_offset_ms(const struct kb_wall *w);

/* The quote panel on a wall: slot s of the shared clock (quote_seconds
 * long) shows quote s mod n of the n quotes the screen shows, in published
 * order. The render thread asks for a slot's quote (then wakes the ingest
 * thread through the channel); the ingest thread reads the slot asked. */
void kb_wall_ask_quote(struct kb_wall *w, int64_t slot);
int64_t kb_wall_quote_asked(struct kb_wall *w);
/* A slot as a KB_EVENT_PANEL's int carries it. */
#define KB_WALL_SLOT_TAG(s) ((int)((s) % 1000000000))

/* Story slides on a wall (wall_slides.c): slot s of the shared clock
 * (kb_wall_slide_slot_s long) shows one story, the same on every tile: a
 * breaking headline due since the slot before began, else headline s mod n
 * of the n the screen shows (due by the slot's start), newest first. */
struct kb_story;
struct kb_storyq;
/* A slot's length in seconds: slide_max_seconds, plus quote_seconds when
 * quotes share the space (panel = both). */
double kb_wall_slide_slot_s(const struct kb_config *cfg, bool with_quotes);
/* Render thread: asks for slot's story (waking the ingest thread). */
void kb_wall_ask_slide(struct kb_wall *w, int64_t slot);
/* Render thread: true if slot's answer has come (waiting up to wait_ms
 * for it); *out is its story (the caller owns it) or NULL for none. */
bool kb_wall_take_slide(struct kb_wall *w, int64_t slot, int wait_ms, struct kb_story **out);
/* Render thread: forget what was asked and made (a new slide size). */
void kb_wall_slides_reset(struct kb_wall *w);

/* Ingest thread. */
/* Lays out the story of the slot asked for, at the size q was given. */
void kb_wall_slides_step(struct kb_wall *w, struct kb_storyq *q, struct kb_faces *faces,
                         struct kb_spool *spool, const struct kb_playlist *pl,
                         const struct kb_config *cfg);
/* A descriptor that becomes readable when the schedule must be made again. */
int kb_wall_fd(struct kb_wall *w);
/* Makes the schedule again if the spool, the layout or the time asks for
 * it, and hands it over. */
void kb_wall_plan_step(struct kb_wall *w, struct kb_spool *spool, const struct kb_playlist *pl,
                       struct kb_faces *faces, const struct kb_config *cfg, int px);
/* An item left the spool: it keeps its place in the schedule, unseen, for
 * the rest of the epoch, so the items behind it do not move. */
void kb_wall_forget(struct kb_wall *w, const struct kb_item *item);

#endif
