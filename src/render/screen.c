#include "render/screen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "render"
#include "core/log.h"
#include "core/xmalloc.h"
#include "render/png.h"

/* The size asked for, else a common one: a window small enough for a
 * laptop's desktop, a headless target the size of the TVs kabar runs on, so
 * screenshots and pixel tests show what a wall shows. */
static void default_size(const struct kb_screen_opts *opts, int *w, int *h)
{
    *w = opts->width;
    *h = opts->height;
    if (*w > 0 && *h > 0)
        return;
    if (opts->mode == KB_SCREEN_WINDOW) {
        *w = 1280;
        *h = 720;
    } else {
        *w = 1920;
        *h = 1080;
    }
}

bool kb_screen_open(struct kb_screen *screen, const struct kb_screen_opts *opts,
                    struct kb_error *err)
{
    memset(screen, 0, sizeof(*screen));
    screen->mode = opts->mode;
    /* Hints are read when the subsystem starts and the renderer is made,
     * so they are all set first. Headless is SDL's dummy video driver: no
     * display, no GPU, the same pixels on every machine (the pixel tests
     * rely on it). */
    if (opts->mode == KB_SCREEN_HEADLESS)
        SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    /* The software renderer on X11 otherwise uploads every frame through GL
     * (DESIGN.md, "Measured facts": 16 ms against 0.9 ms a frame). */
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    /* A ticker is watched, not used: the screen must not blank. */
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
    /* Glyphs are drawn texel for pixel from the atlas; linear filtering
     * would blur them and, on the software renderer, leave the fast blit
     * path (DESIGN.md, "Measured facts"). */
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "nearest");
    if (opts->render_driver != NULL && opts->render_driver[0] != '\0')
        SDL_SetHint(SDL_HINT_RENDER_DRIVER, opts->render_driver);

    /* Only the subsystems the screen needs, quit again on close: when a
     * fullscreen open fails, kabar opens a headless screen in the same
     * process (app/loop_open.c), and tests open many screens in one. */
    if (SDL_InitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0)
        return kb_error_set(err, "cannot start SDL video: %s", SDL_GetError());

    int w, h;
    default_size(opts, &w, &h);
    Uint32 flags = SDL_WINDOW_SHOWN;
    if (opts->mode == KB_SCREEN_WINDOW)
        flags |= SDL_WINDOW_RESIZABLE;
    else if (opts->mode == KB_SCREEN_FULLSCREEN)
        flags |= opts->width > 0 ? SDL_WINDOW_FULLSCREEN : SDL_WINDOW_FULLSCREEN_DESKTOP;

    screen->window = SDL_CreateWindow(opts->title ? opts->title : "kabar", SDL_WINDOWPOS_CENTERED,
                                      SDL_WINDOWPOS_CENTERED, w, h, flags);
    if (screen->window == NULL) {
        kb_error_set(err, "cannot open a %dx%d window: %s", w, h, SDL_GetError());
        SDL_QuitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS);
        return false;
    }
    if (opts->mode == KB_SCREEN_FULLSCREEN)
        SDL_ShowCursor(SDL_DISABLE);

    /* Headless asks for the software renderer by name so a machine with a
     * GL driver does not pick it for the dummy window: pictures must not
     * depend on the machine that made them. */
    Uint32 rflags = opts->mode == KB_SCREEN_HEADLESS ? SDL_RENDERER_SOFTWARE : 0;
    if (opts->vsync && opts->mode != KB_SCREEN_HEADLESS)
        rflags |= SDL_RENDERER_PRESENTVSYNC;
    screen->renderer = SDL_CreateRenderer(screen->window, -1, rflags);
    /* Some drivers cannot wait for vsync; a ticker without it still runs,
     * paced by the clock (DESIGN.md, "Motion"). */
    if (screen->renderer == NULL && (rflags & SDL_RENDERER_PRESENTVSYNC)) {
        LOG_WARN("no renderer with vsync (%s); pacing by the clock", SDL_GetError());
        screen->renderer = SDL_CreateRenderer(screen->window, -1, 0);
    }
    if (screen->renderer == NULL) {
        kb_error_set(err, "cannot create a renderer: %s", SDL_GetError());
        kb_screen_close(screen);
        return false;
    }

    SDL_RendererInfo info;
    SDL_GetRendererInfo(screen->renderer, &info);
    snprintf(screen->driver, sizeof(screen->driver), "%s", info.name);
    /* The atlas sizes its pages from this; the smaller side bounds a square page. */
    screen->max_texture = info.max_texture_width < info.max_texture_height
                              ? info.max_texture_width
                              : info.max_texture_height;
    screen->software = (info.flags & SDL_RENDERER_SOFTWARE) != 0;
    /* The software renderer says it has vsync but never waits for it; the
     * dummy driver has no display to wait for. Pace by the clock there. */
    screen->vsync = (info.flags & SDL_RENDERER_PRESENTVSYNC) != 0 && !screen->software &&
                    opts->mode != KB_SCREEN_HEADLESS;

    /* The crawl's speed is pixels per frame times frames per second, so it
     * needs the refresh rate; 60 Hz is what a TV that reports none runs at. */
    SDL_DisplayMode mode;
    int display = SDL_GetWindowDisplayIndex(screen->window);
    screen->refresh_hz = 60.0;
    if (display >= 0 && SDL_GetCurrentDisplayMode(display, &mode) == 0 && mode.refresh_rate > 0)
        screen->refresh_hz = mode.refresh_rate;
    kb_screen_update_size(screen);
    LOG_INFO("screen %dx%d, renderer %s%s, %.0f Hz", screen->width, screen->height, screen->driver,
             screen->vsync ? " with vsync" : "", screen->refresh_hz);
    return true;
}

void kb_screen_close(struct kb_screen *screen)
{
    if (screen->renderer != NULL)
        SDL_DestroyRenderer(screen->renderer);
    if (screen->window != NULL)
        SDL_DestroyWindow(screen->window);
    if (screen->window != NULL)
        SDL_QuitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS);
    memset(screen, 0, sizeof(*screen));
}

/* The renderer's output size, which is what drawing is measured in; it can
 * differ from the window's size on a high-density display. The window's
 * size only if the renderer cannot say. */
bool kb_screen_update_size(struct kb_screen *screen)
{
    int w = 0, h = 0;
    if (SDL_GetRendererOutputSize(screen->renderer, &w, &h) != 0)
        SDL_GetWindowSize(screen->window, &w, &h);
    bool changed = w != screen->width || h != screen->height;
    screen->width = w;
    screen->height = h;
    return changed;
}

bool kb_screen_save_png(struct kb_screen *screen, const char *path, struct kb_error *err)
{
    int w = screen->width, h = screen->height;
    unsigned char *rgb = kb_xmalloc((size_t)w * (size_t)h * 3);
    bool ok = SDL_RenderReadPixels(screen->renderer, NULL, SDL_PIXELFORMAT_RGB24, rgb, w * 3) == 0;
    if (!ok)
        kb_error_set(err, "cannot read the screen back: %s", SDL_GetError());
    else
        ok = kb_png_write_rgb(path, rgb, w, h, w * 3, err);
    free(rgb);
    return ok;
}
