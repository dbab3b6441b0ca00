/* The render thread's state for `kabar run`, and the steps kb_run takes
 * with it: open (loop_open.c), set up from the config (loop_config.c), one
 * frame (loop_frame.c), pace (pace.h), close (loop_open.c).
 *
 * Private to the ticker: one struct kb_loop lives on kb_run's stack and
 * owns everything it points to except o (the caller's options, which
 * outlive it). kb_loop_close frees all of it. */
#ifndef KB_APP_LOOP_H
#define KB_APP_LOOP_H

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/channel.h"
#include "app/config.h"
#include "app/ingest.h"
#include "app/run.h"
#include "app/scene.h"
#include "app/stats.h"
#include "app/wall.h"
#include "render/atlas.h"
#include "render/batch.h"
#include "render/chrome.h"
#include "render/crawl.h"
#include "render/damage.h"
#include "render/panel.h"
#include "app/logo.h"
#include "render/slide.h"
#include "render/screen.h"
#include "text/fonts.h"

struct kb_loop {
    const struct kb_run_opts *o;
    struct kb_config cfg;   /* the running config: the options', then reloads' */
    double t0, first_frame; /* CLOCK_MONOTONIC: crawl time 0, the first present */
    struct kb_screen screen;
    struct kb_fonts *fonts;
    struct kb_faces *faces;
    struct kb_atlas *atlas;
    struct kb_crawl *crawl;
    struct kb_channel *ch;
    struct kb_ingest *ingest;
    struct kb_batch *batch;
    struct kb_stats *stats;
    struct kb_scene layout; /* its bar and crawl area as they are now, grown or not */
    SDL_Rect base_bar;      /* the bar at its configured height */
    double bar_h;           /* the bar's height now, growing or shrinking smoothly */
    double bar_t;           /* crawl time bar_h was last set */
    double tall_at;         /* crawl time an item last needed the bar taller than its base */
    struct kb_chrome *chrome;
    struct kb_panel *panel;   /* NULL unless quotes = panel */
    struct kb_slides *slides; /* story slides; NULL when panel = quotes (app/slides_loop.h) */
    SDL_Texture *separator;   /* separator_image, or NULL */
    struct kb_logo *logo;     /* the logo key's picture, or NULL (app/logo.h) */
    char logo_key[129];       /* the key it was read for */
    bool rtl_screen;
    double t;              /* crawl time of this frame, seconds */
    double breaking_since; /* crawl time breaking news last entered */
    bool full_redraw;
    bool panel_redraw;       /* the whole screen was cleared: the panel too */
    struct kb_damage damage; /* what this frame changed, in the upright scene's pixels */
    bool quote_asked;        /* the ingest thread was asked for the next quote */
    bool quote_none;         /* ... and said it has none yet (it sends one when it comes) */
    /* Portrait screens: the scene is drawn upright into this texture of
     * the logical size, then turned onto the screen. NULL at rotation 0. */
    SDL_Texture *rotated;
    int logical_w, logical_h;
    bool breaking;
    struct kb_wall *wall; /* NULL unless this screen is a tile of a video wall */
    char tile_suffix[16]; /* "-tileK" for screen K of wall_tile = all (run.c), else "" */
    int64_t wall_frame;   /* the shared frame drawn last */
    /* A wall's quote panel (loop_wall.c): the slot shown, the slot asked
     * for, and the answer come (q owned here; NULL: no quote for it). */
    struct {
        int64_t shown, asked;
        int answered; /* KB_WALL_SLOT_TAG of the answer, -1 before one */
        struct kb_quote_pages *q;
        char id[KB_ID_MAX + 1];
    } wall_quote;
    int64_t wall_slide_shown;       /* a wall's story slide: the slot put on (loop_wall.c) */
    int wall_slide_w, wall_slide_h; /* the slide size its stories were asked at */
};

/* Open: fonts, the screen, the atlas, the crawl, the chrome, the channel
 * and the ingest thread, from o->cfg (o must outlive L). Returns false,
 * logged, with nothing left open if one of them cannot be had. */
bool kb_loop_open(struct kb_loop *L, const struct kb_run_opts *o);
/* Close: stops the ingest thread and frees all an opened L holds, then
 * quits SDL. */
void kb_loop_close(struct kb_loop *L);

/* Styles, the panel, the chrome's mirroring and the separator from L->cfg. */
void kb_loop_apply_config(struct kb_loop *L);
/* Lays the scene out again for the current screen size and L->cfg. */
void kb_loop_relayout(struct kb_loop *L);
/* (Re)creates the rotation target for the current screen size. */
void kb_loop_setup_rotation(struct kb_loop *L);
/* (Re)loads the separator image of the config. */
void kb_loop_load_separator(struct kb_loop *L);
/* The logo (loop_logo.c): read again if the key changed (a bad one is
 * logged once and left out), and given to the chrome at the bar's size;
 * kb_loop_logo_reset makes its texture again (the renderer lost them). */
void kb_loop_logo_apply(struct kb_loop *L);
void kb_loop_logo_reset(struct kb_loop *L);
/* SIGHUP: reads the config again through o->reload and applies it. */
void kb_loop_reload(struct kb_loop *L);

/* The window's events (resize, expose, lost textures). Returns false when
 * the window was closed (or Escape or q pressed). */
bool kb_loop_events(struct kb_loop *L);
/* Frame, up to the present: the channel's events, the crawl fed, stepped
 * (to crawl frame `frame`, time L->t) and drawn with the bar, the panel and
 * the chrome, what it changed noted in L->damage; what is visible noted for
 * the stats. Returns the draw calls. */
int kb_loop_frame(struct kb_loop *L, uint64_t frame);
/* Presents the frame (loop_present.c): L->damage only, where the screen
 * can; --screenshot (when last) and --record (loop pass n) saved. Returns
 * the bytes of pixels sent to the display. */
size_t kb_loop_present(struct kb_loop *L, uint64_t n, bool last);
/* True for an event after which the display may no longer show the last
 * frame (an expose, a display change): the next frame is drawn and
 * presented whole. */
bool kb_loop_picture_lost(const SDL_Event *e);
/* Grows the bar towards the height the crawl's items need, or shrinks it
 * back once none has needed it for a while (docs/display.md, "Fitting");
 * re-places the chrome and the crawl when it changed. */
void kb_loop_fit_bar(struct kb_loop *L);

/* A video wall (loop_wall.c): reads the wall keys and makes L->wall (NULL
 * for a screen of its own); false, logged, if they are wrong. */
bool kb_loop_wall_open(struct kb_loop *L);
/* L->layout for this tile of the wall. */
void kb_loop_wall_scene(struct kb_loop *L);
/* The wall's top edge (*edge) and height in this tile's pixels. */
void kb_loop_wall_span(const struct kb_loop *L, int *edge, int *height);
/* --record's file for loop pass n (the caller frees it), or NULL if pass n
 * is not recorded: every --every-th pass, frame-NNNNNN.png; on a wall
 * every --every-th shared frame, wall-FRAME.png, so the tiles' pictures of
 * one moment have one name. */
char *kb_loop_record_path(const struct kb_loop *L, uint64_t n);
/* The crawl from the wall's schedule at shared frame `frame`. */
void kb_loop_wall_feed(struct kb_loop *L, uint64_t frame);
/* The quote panel of a wall tile at the frame kb_loop_wall_feed was given:
 * the quote of its slot put on (asked for ahead; waited for under the
 * virtual clock). Returns the panel's time: the shared clock's seconds. */
double kb_loop_wall_panel(struct kb_loop *L);
/* Forgets the wall panel's quotes (a new panel size, a new channel). */
void kb_loop_wall_panel_reset(struct kb_loop *L);
/* A KB_EVENT_PANEL on a wall: kept for its slot (takes ev->quote). */
void kb_loop_wall_quote(struct kb_loop *L, struct kb_event *ev);
/* Story slides on a wall tile: the story of the shared clock's slot put
 * on at the slot's start (asked for ahead; waited for under the virtual
 * clock). Returns the slides' time: the shared clock's seconds. */
double kb_loop_wall_slides(struct kb_loop *L);
/* The channel's events handled (loop_frame.c). */
void kb_loop_channel_events(struct kb_loop *L);

#endif
