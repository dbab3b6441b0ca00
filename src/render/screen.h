/* The screen: an SDL window (desktop preview or fullscreen on a board) or a
 * headless target (SDL's dummy video driver with the software renderer),
 * its renderer, and screenshots. Owned by the render thread. */
#ifndef KB_RENDER_SCREEN_H
#define KB_RENDER_SCREEN_H

#include <stdbool.h>

#include <SDL.h>

#include "core/error.h"

enum kb_screen_mode { KB_SCREEN_WINDOW = 0, KB_SCREEN_FULLSCREEN, KB_SCREEN_HEADLESS };

struct kb_screen_opts {
    enum kb_screen_mode mode;
    int width, height; /* 0: 1920x1080 headless, 1280x360 window, the display's mode fullscreen */
    const char
        *render_driver; /* SDL render driver name ("opengles2", "software"), NULL: SDL's choice */
    bool vsync;
    const char *title;
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
};

/* Initialises SDL video and opens the screen. For headless, sets the dummy
 * video driver first. Returns false with err set. */
bool kb_screen_open(struct kb_screen *screen, const struct kb_screen_opts *opts,
                    struct kb_error *err);
void kb_screen_close(struct kb_screen *screen);
/* Re-reads the output size after a resize; true if it changed. */
bool kb_screen_update_size(struct kb_screen *screen);

/* Reads the current back buffer (call before SDL_RenderPresent) and writes
 * it as an 8-bit RGB PNG (render/png.h). */
bool kb_screen_save_png(struct kb_screen *screen, const char *path, struct kb_error *err);

#endif
