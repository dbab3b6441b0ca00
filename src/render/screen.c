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
    /* KMSDRM has no window framebuffer: SDL's software renderer draws into a
     * surface it uploads through a GLES2 texture, which "0" above refuses,
     * and SDL then silently makes its opengl renderer (make kiosk-vm:
     * render_driver = software still said "renderer opengl"). */
    if (SDL_strcasecmp(SDL_GetCurrentVideoDriver(), "kmsdrm") == 0) /* SDL says "KMSDRM" */
        SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "opengles2");

    int w, h;
    default_size(opts, &w, &h);
    Uint32 flags = SDL_WINDOW_SHOWN;
    if (opts->mode == KB_SCREEN_WINDOW)
        flags |= SDL_WINDOW_RESIZABLE;
    else if (opts->mode == KB_SCREEN_FULLSCREEN)
        flags |= opts->width > 0 ? SDL_WINDOW_FULLSCREEN : SDL_WINDOW_FULLSCREEN_DESKTOP;

    int at = (int)SDL_WINDOWPOS_CENTERED_DISPLAY(opts->display > 0 ? opts->display : 0);
    screen->window = SDL_CreateWindow(opts->title ? opts->title : "kabar", at, at, w, h, flags);
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
    /* SDL's software renderer made for a window draws into the window's
     * own surface and presents it whole (SDL_UpdateWindowSurface): the X
     * server then receives 8 MB a frame at 1080p where only the bar moved.
     * kabar presents that surface itself, rectangle by rectangle. */
    screen->surface = screen->software && SDL_GetWindowSurface(screen->window) != NULL;
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
    if (screen->shown != NULL)
        SDL_FreeSurface(screen->shown);
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

/* Copies the rectangles just sent from the window's surface into the
 * shown copy, which is made (or made again, after a resize) to match it. */
static void copy_shown(struct kb_screen *screen, SDL_Surface *win, const struct kb_damage *d)
{
    SDL_Surface *shown = screen->shown;
    if (shown == NULL || shown->w != win->w || shown->h != win->h ||
        shown->format->format != win->format->format) {
        if (shown != NULL)
            SDL_FreeSurface(shown);
        shown = screen->shown =
            SDL_CreateRGBSurfaceWithFormat(0, win->w, win->h, 32, win->format->format);
        if (shown == NULL)
            return;
        SDL_FillRect(shown, NULL, 0);
    }
    SDL_Rect all = {0, 0, win->w, win->h};
    int bpp = win->format->BytesPerPixel;
    for (int i = 0; i < (d->full ? 1 : d->n); i++) {
        const SDL_Rect *r = d->full ? &all : &d->r[i];
        for (int y = r->y; y < r->y + r->h; y++)
            memcpy((Uint8 *)shown->pixels + (size_t)y * shown->pitch + (size_t)r->x * bpp,
                   (const Uint8 *)win->pixels + (size_t)y * win->pitch + (size_t)r->x * bpp,
                   (size_t)r->w * bpp);
    }
}

size_t kb_screen_present(struct kb_screen *screen, const struct kb_damage *damage)
{
    if (!screen->surface) {
        SDL_RenderPresent(screen->renderer);
        return (size_t)screen->width * (size_t)screen->height * 4;
    }
    /* What SDL_RenderPresent does for the software renderer, but with the
     * rectangles: run the queued drawing into the surface, then send. */
    SDL_RenderFlush(screen->renderer);
    SDL_Surface *win = SDL_GetWindowSurface(screen->window);
    if (win == NULL) {
        SDL_RenderPresent(screen->renderer);
        return (size_t)screen->width * (size_t)screen->height * 4;
    }
    struct kb_damage d = *damage;
    if (screen->whole_frames)
        kb_damage_all(&d);
    kb_damage_clip(&d, win->w, win->h);
    int rc = 0;
    if (d.full)
        rc = SDL_UpdateWindowSurface(screen->window);
    else if (d.n > 0)
        rc = SDL_UpdateWindowSurfaceRects(screen->window, d.r, d.n);
    if (rc != 0)
        LOG_WARN_ONCE("present", "cannot present the window's surface: %s", SDL_GetError());
    if (screen->shown != NULL)
        copy_shown(screen, win, &d);
    return kb_damage_pixels(&d, win->w, win->h) * (size_t)win->format->BytesPerPixel;
}

void kb_screen_keep_shown(struct kb_screen *screen)
{
    if (!screen->surface || screen->shown != NULL)
        return;
    /* A 1x1 placeholder: the first present makes it the surface's size. */
    screen->shown = SDL_CreateRGBSurfaceWithFormat(0, 1, 1, 32, SDL_PIXELFORMAT_RGB888);
}

bool kb_screen_reads_shown(const struct kb_screen *screen)
{
    return screen->shown != NULL;
}

unsigned char *kb_screen_read_rgb(struct kb_screen *screen, int *w, int *h, struct kb_error *err)
{
    SDL_Surface *shown = screen->shown;
    *w = shown != NULL ? shown->w : screen->width;
    *h = shown != NULL ? shown->h : screen->height;
    unsigned char *rgb = kb_xmalloc((size_t)*w * (size_t)*h * 3);
    int rc = shown != NULL
                 ? SDL_ConvertPixels(*w, *h, shown->format->format, shown->pixels, shown->pitch,
                                     SDL_PIXELFORMAT_RGB24, rgb, *w * 3)
                 : SDL_RenderReadPixels(screen->renderer, NULL, SDL_PIXELFORMAT_RGB24, rgb, *w * 3);
    if (rc != 0) {
        kb_error_set(err, "cannot read the screen back: %s", SDL_GetError());
        free(rgb);
        return NULL;
    }
    return rgb;
}

bool kb_screen_save_png(struct kb_screen *screen, const char *path, struct kb_error *err)
{
    int w, h;
    unsigned char *rgb = kb_screen_read_rgb(screen, &w, &h, err);
    if (rgb == NULL)
        return false;
    bool ok = kb_png_write_rgb(path, rgb, w, h, w * 3, err);
    free(rgb);
    return ok;
}
