#include "render/screen.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "render"
#include "core/log.h"
#include "core/xmalloc.h"

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
    if (opts->mode == KB_SCREEN_HEADLESS)
        SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    /* The software renderer on X11 otherwise uploads every frame through GL
     * (DESIGN.md, "Measured facts": 16 ms against 0.9 ms a frame). */
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "nearest");
    if (opts->render_driver != NULL && opts->render_driver[0] != '\0')
        SDL_SetHint(SDL_HINT_RENDER_DRIVER, opts->render_driver);

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

    Uint32 rflags = opts->mode == KB_SCREEN_HEADLESS ? SDL_RENDERER_SOFTWARE : 0;
    if (opts->vsync && opts->mode != KB_SCREEN_HEADLESS)
        rflags |= SDL_RENDERER_PRESENTVSYNC;
    screen->renderer = SDL_CreateRenderer(screen->window, -1, rflags);
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
    screen->max_texture = info.max_texture_width < info.max_texture_height
                              ? info.max_texture_width
                              : info.max_texture_height;
    screen->software = (info.flags & SDL_RENDERER_SOFTWARE) != 0;
    /* The software renderer says it has vsync but never waits for it; the
     * dummy driver has no display to wait for. Pace by the clock there. */
    screen->vsync = (info.flags & SDL_RENDERER_PRESENTVSYNC) != 0 && !screen->software &&
                    opts->mode != KB_SCREEN_HEADLESS;

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

bool kb_png_write_rgb(const char *path, const unsigned char *rgb, int w, int h, int pitch,
                      struct kb_error *err)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return kb_error_set(err, "%s: %s", path, strerror(errno));
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
    png_bytep *rows = kb_xcalloc((size_t)h, sizeof(*rows));
    bool ok = false;
    if (png == NULL || info == NULL) {
        kb_error_set(err, "%s: cannot start libpng", path);
        goto done;
    }
    if (setjmp(png_jmpbuf(png))) {
        kb_error_set(err, "%s: cannot write PNG", path);
        goto done;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; y++)
        rows[y] = (png_bytep)(rgb + (size_t)y * (size_t)pitch);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    ok = true;
done:
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    free(rows);
    if (fclose(f) != 0 && ok)
        ok = kb_error_set(err, "%s: %s", path, strerror(errno));
    return ok;
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
