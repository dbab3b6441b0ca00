/* The wall's schedule (docs/wall.md): where every item of the crawl enters,
 * as a pure function of the items and the shared frame number, so that
 * every tile of a video wall, and a tile that has just rebooted, computes
 * the same crawl without talking to the others.
 *
 * Time is counted in wall frames: frame F is Unix time F / hz seconds (or
 * the virtual clock's), and the crawl's scroll offset at frame F is
 * F * px_per_frame. The scroll is cut into epochs of epoch_frames frames.
 * An epoch's items are those whose stamp (published + margin) is before
 * it starts, laid end to end from its first frame, rotating from index
 * k mod n, as many as fit whole, with what is left spread over their gaps
 * so that the next epoch starts clean. An item whose stamp falls inside an
 * epoch joins it at the first item boundary after its stamp: the rest of
 * the epoch is laid out again with it first. Breaking items form a run from
 * the earliest live one's stamp, the others joining the same way.
 *
 * Plain arithmetic: no allocation but the entry arrays it returns, no
 * clock, no SDL. */
#ifndef KB_APP_WALLPLAN_H
#define KB_APP_WALLPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kb_wall_item {
    int64_t stamp_ms; /* when it may show: published + margin, in the shared clock's ms */
    double width;     /* on the crawl, px */
    int motion;       /* -1 moves left (enters at the right), +1 moves right */
    bool breaking;
    bool ghost; /* retracted lately: keeps its place in the layout, never shown */
};

struct kb_wall_params {
    double hz;           /* wall frames per second */
    double px_per_frame; /* the crawl's speed */
    int64_t epoch_frames;
    double area_w; /* the crawl area's width on the whole wall */
    double gap;    /* between two items moving the same way */
    int home;      /* the motion epochs begin and end with (the screen's direction) */
};

struct kb_wall_entry {
    size_t item;  /* index into the caller's items */
    double start; /* the scroll offset at which its leading edge enters */
};

struct kb_wall_plan {
    /* Entries, in start order, whose time on the crawl overlaps the
     * window asked for; ghosts left out. Owned by the plan. */
    struct kb_wall_entry *normal, *breaking;
    size_t n_normal, n_breaking;
    /* The scroll offset from which the breaking run takes the crawl over;
     * INFINITY when no breaking item is live. */
    double breaking_from;
};

/* The first wall frame at or after t_ms. */
int64_t kb_wall_frame_at(double hz, int64_t t_ms);

/* Plans the crawl between frames from and to for items (in published
 * order; the caller's array, only read). Fills *plan; free its arrays with
 * kb_wall_plan_release. */
void kb_wall_plan_make(const struct kb_wall_item *items, size_t n, const struct kb_wall_params *p,
                       int64_t from, int64_t to, struct kb_wall_plan *plan);
void kb_wall_plan_release(struct kb_wall_plan *plan);

#endif
