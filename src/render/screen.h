/* The screen: an SDL window (desktop preview or fullscreen on a board) or a
 * headless target (SDL's dummy video driver with the software renderer),
 * its renderer, its presents (whole frames, or only what changed where the
 * renderer draws into the window's own surface) and screenshots. Owned by
 * the render thread. */
#ifndef KB_RENDER_SCREEN_H
#define KB_RENDER_SCREEN_H

#include <stdbool.h>

#include <SDL.h>

#include "core/error.h"
#include "render/damage.h"

enum kb_screen_mode { KB_SCREEN_WINDOW = 0, KB_SCREEN_FULLSCREEN, KB_SCREEN_HEADLESS };

struct kb_screen_opts {
    enum kb_screen_mode mode;
    int width, height; /* 0: 1920x1080 headless, 1280x360 window, the display's mode fullscreen */
    const char
        *render_driver; /* SDL render driver name ("opengles2", "software"), NULL: SDL's choice */
    bool vsync;
    const char *title;
    int display; /* the display the window opens on, 0 the first (fullscreen covers it) */
};

struct kb_screen {
    SDL_Window *window;
    SDL_Renderer *renderer;
    enum kb_screen_mode mode;
    int width, height; /* output size in pixels */
    int max_texture;   /* largest texture side the renderer takes; 0 if it reports none */
    double refresh_hz; /* the display's refresh rate, 60 when unknown */
    bool software;     /* the software renderer: redraw only what changes */
    bool vsync;        /* the renderer waits for vsync on present */
    char driver[32];   /* the render driver's name */
    /* The renderer draws into the window's own surface (the software
     * renderer on X11 or the dummy driver), so a present can send only the
     * rectangles that changed (SDL_UpdateWindowSurfaceRects). */
    bool surface;
    bool whole_frames; /* present whole frames even where rectangles would do */
    /* With kb_screen_keep_shown: a copy of what was sent to the display,
     * updated by each present with exactly the pixels it sent. NULL
     * otherwise. Owned by the screen. */
    SDL_Surface *shown;
};

/* Initialises SDL video and opens the screen. For headless, sets the dummy
 * video driver first. Returns false with err set. */
bool kb_screen_open(struct kb_screen *screen, const struct kb_screen_opts *opts,
                    struct kb_error *err);
void kb_screen_close(struct kb_screen *screen);
/* Re-reads the output size after a resize; true if it changed. */
bool kb_screen_update_size(struct kb_screen *screen);

/* Presents the frame. Where the renderer draws into the window's surface
 * (screen->surface) and not screen->whole_frames, only the rectangles of
 * damage (in output pixels; clipped here) are sent, or the whole surface
 * when damage->full; nothing when it has none. Elsewhere the whole frame
 * (SDL_RenderPresent). Returns the bytes of pixels sent to the display. */
size_t kb_screen_present(struct kb_screen *screen, const struct kb_damage *damage);

/* From now on keep screen->shown, the picture the display was sent, for
 * screenshots that would catch a rectangle a present missed. Only where
 * screen->surface; a no-op elsewhere. */
void kb_screen_keep_shown(struct kb_screen *screen);
/* True when screenshots read what was presented (screen->shown), so they
 * are taken after kb_screen_present; false when they read the back buffer,
 * before it. */
bool kb_screen_reads_shown(const struct kb_screen *screen);

/* Writes the picture as an 8-bit RGB PNG (render/png.h): what the display
 * was sent where screen->shown is kept (call after kb_screen_present),
 * else the current back buffer (call before it). */
bool kb_screen_save_png(struct kb_screen *screen, const char *path, struct kb_error *err);
/* The same picture as RGB24 rows of w * 3 bytes, into a new buffer the
 * caller frees; NULL with err set. */
unsigned char *kb_screen_read_rgb(struct kb_screen *screen, int *w, int *h, struct kb_error *err);

#endif
