/* Opening and closing what the render loop uses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_MODULE "run"
#include "app/blank.h"
#include "app/loop.h"
#include "core/log.h"

static enum kb_screen_mode screen_mode(const char *mode)
{
    if (strcmp(mode, "window") == 0)
        return KB_SCREEN_WINDOW;
    if (strcmp(mode, "fullscreen") == 0)
        return KB_SCREEN_FULLSCREEN;
    if (strcmp(mode, "headless") == 0)
        return KB_SCREEN_HEADLESS;
    /* auto: a window where there is a desktop, fullscreen on a console with
     * a DRM device (a board behind a TV), else headless. */
    const char *d = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
    if ((d != NULL && d[0] != '\0') || (wl != NULL && wl[0] != '\0'))
        return KB_SCREEN_WINDOW;
    for (int i = 0; i < 4; i++) {
        char dev[32];
        snprintf(dev, sizeof(dev), "/dev/dri/card%d", i);
        if (access(dev, R_OK | W_OK) == 0)
            return KB_SCREEN_FULLSCREEN;
    }
    return KB_SCREEN_HEADLESS;
}

/* The screen the config asks for; in auto mode, headless where a console's
 * fullscreen cannot open. Logs and returns false if none opens. */
static bool open_screen(struct kb_loop *L)
{
    const struct kb_config *cfg = &L->cfg;
    struct kb_error err;
    struct kb_screen_opts so = {
        .mode = screen_mode(cfg->mode),
        .width = cfg->width,
        .height = cfg->height,
        .render_driver = cfg->render_driver,
        .vsync = cfg->vsync,
        .title = "kabar",
        .display = L->o->display,
    };
    if (so.mode == KB_SCREEN_HEADLESS && so.width == 0) {
        so.width = 1920;
        so.height = 1080;
    }
    bool opened = kb_blank_screen_open(&L->screen, &so, &err); /* a renderer that draws */
    if (!opened && strcmp(cfg->mode, "auto") == 0 && so.mode == KB_SCREEN_FULLSCREEN) {
        LOG_WARN("%s; running headless", err.msg);
        so.mode = KB_SCREEN_HEADLESS;
        so.width = so.width ? so.width : 1920;
        so.height = so.height ? so.height : 1080;
        opened = kb_screen_open(&L->screen, &so, &err);
    }
    if (!opened)
        LOG_ERR("%s", err.msg);
    return opened;
}

bool kb_loop_open(struct kb_loop *L, const struct kb_run_opts *o)
{
    memset(L, 0, sizeof(*L));
    L->o = o;
    L->cfg = o->cfg;
    const struct kb_config *cfg = &L->cfg;
    struct kb_error err;
    L->fonts = kb_fonts_new(cfg->fonts[0] ? cfg->fonts : kb_fonts_default_chain(), &err);
    if (L->fonts == NULL) {
        LOG_ERR("%s", err.msg);
        return false;
    }
    if (!open_screen(L)) {
        kb_fonts_free(L->fonts);
        L->fonts = NULL;
        return false;
    }
    if (o->virtual_clock || !L->screen.vsync)
        L->screen.refresh_hz = cfg->refresh_hz;
    L->faces = kb_faces_new(L->fonts);
    struct kb_atlas_opts ao = {
        .page_size = cfg->atlas_page,
        .max_texture = L->screen.max_texture,
        .budget_bytes = (size_t)cfg->atlas_budget_kib * 1024,
    };
    L->atlas = kb_atlas_new(L->screen.renderer, L->faces, &ao);
    L->crawl = kb_crawl_new();
    L->chrome = kb_chrome_new();
    L->batch = kb_batch_new();
    kb_loop_apply_config(L);
    L->ch = kb_channel_new();
    L->stats = kb_stats_new();
    if (!kb_loop_wall_open(L)) {
        kb_loop_close(L);
        return false;
    }
    kb_loop_relayout(L);
    L->ingest = kb_ingest_start(cfg, L->fonts, L->ch, L->wall, &err);
    if (L->ingest == NULL) {
        LOG_ERR("%s", err.msg);
        kb_loop_close(L);
        return false;
    }
    return true;
}

void kb_loop_close(struct kb_loop *L)
{
    kb_ingest_stop(L->ingest);
    if (L->wall != NULL)
        kb_loop_wall_panel_reset(L);
    kb_wall_free(L->wall);
    kb_crawl_free(L->crawl);
    if (L->separator != NULL)
        SDL_DestroyTexture(L->separator);
    kb_chrome_free(L->chrome);
    kb_logo_free(L->logo);
    kb_panel_free(L->panel);
    kb_slides_free(L->slides);
    kb_batch_free(L->batch);
    if (L->rotated != NULL)
        SDL_DestroyTexture(L->rotated);
    kb_atlas_free(L->atlas);
    kb_channel_free(L->ch);
    kb_stats_free(L->stats);
    kb_faces_free(L->faces);
    kb_screen_close(&L->screen);
    kb_fonts_free(L->fonts);
    if (!L->o->keep_sdl) /* several screens in one process: kb_run quits SDL once */
        SDL_Quit();
    memset(L, 0, sizeof(*L));
}
