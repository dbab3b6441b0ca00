/* Inside a struct kb_wall (app/wall.h): shared by wall.c (the render
 * side) and wall_ingest.c (the ingest side). Not for other files. */
#ifndef KB_APP_WALL_PRIV_H
#define KB_APP_WALL_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/channel.h"
#include "app/wall.h"

/* Ghosts are kept this many epochs after their item left. */
#define KB_WALL_GHOST_EPOCHS 2

/* A schedule as the render thread takes it: laid-out lines (one reference
 * each) and where they enter. Reference counted under the wall's mutex. */
struct kb_wall_snap_entry {
    struct kb_ready r;
    double start;
};

struct kb_wall_snap {
    int refs;
    uint64_t layout_gen; /* the layout it was made for */
    int64_t from, to;    /* the frames it covers */
    double breaking_from;
    struct kb_wall_snap_entry *normal, *breaking;
    size_t n_normal, n_breaking;
};

/* Wakes the ingest thread (kb_wall_fd). */
void kb_wall_wake(struct kb_wall *w);

/* Drops a reference (under the wall's mutex); the last frees it. */
void kb_wall_snap_unref(struct kb_wall_snap *s);

/* The ingest thread's cache of laid-out items, by id ("" the idle message). */
struct kb_wall_cached {
    char id[KB_ID_MAX + 1];
    uint64_t version;
    int px;
    struct kb_ready r; /* no lines in a ghost */
    double width;
    int motion;
    int64_t published, stamp;
    bool breaking, used;
};

struct kb_wall_ghost {
    struct kb_wall_cached c;
    int64_t left_frame; /* the shared frame when it left the spool */
};

struct kb_wall {
    struct kb_wall_geo geo;
    bool virtual_clock;
    double hz;
    int efd;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* Set by the render thread, under mu. */
    int px;
    double ppf, area_w, gap;
    int home;
    uint64_t layout_gen;
    int64_t frame;
    struct kb_wall_snap *snap; /* the newest schedule, under mu */
    int64_t quote_slot;        /* the panel's slot asked for, under mu */
    /* Story slides (wall_slides.c), under mu: the slot asked for, the slot
     * whose story waits in `slide` (INT64_MIN once taken), the slot laid
     * out last; `slide` is owned here until taken (NULL: no story). */
    int64_t slide_asked, slide_for, slide_made;
    struct kb_story *slide;
    /* Render thread only. */
    struct kb_wall_snap *shown;
    bool shown_breaking;
    double offset_ms;
    /* Ingest thread only. */
    struct kb_wall_cached *cache; /* sorted by id */
    size_t n_cache;
    struct kb_wall_ghost *ghosts;
    size_t n_ghosts;
    uint64_t planned_gen, planned_layout;
    int64_t planned_to;
};

#endif
