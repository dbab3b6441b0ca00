/* The render loop's set-up from the config and the screen's size: styles,
 * the quote panel, the separator image, rotation and the scene's layout,
 * and the SIGHUP reload that applies a new config. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_MODULE "run"
#include "app/loop.h"
#include "app/slides_loop.h"
#include "app/paths.h"
#include "app/present.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "render/fit.h"
#include "render/image.h"

void kb_loop_setup_rotation(struct kb_loop *L)
{
    int rot = L->cfg.rotation;
    bool quarter = rot == 90 || rot == 270;
    L->logical_w = quarter ? L->screen.height : L->screen.width;
    L->logical_h = quarter ? L->screen.width : L->screen.height;
    if (L->rotated != NULL)
        SDL_DestroyTexture(L->rotated);
    L->rotated = NULL;
    if (rot == 0)
        return;
    L->rotated = SDL_CreateTexture(L->screen.renderer, SDL_PIXELFORMAT_ARGB8888,
                                   SDL_TEXTUREACCESS_TARGET, L->logical_w, L->logical_h);
    if (L->rotated == NULL) {
        LOG_ERR("cannot rotate the screen (%s); drawing unrotated", SDL_GetError());
        L->logical_w = L->screen.width;
        L->logical_h = L->screen.height;
        return;
    }
    SDL_SetTextureBlendMode(L->rotated, SDL_BLENDMODE_NONE);
}

/* The quote panel: most of the width and of the space above the bar
 * (below it when the bar is on top), so a portrait screen holds a long
 * quote in many lines; the quote is centred in it. */
static void place_panel(struct kb_loop *L)
{
    if (L->panel == NULL)
        return;
    const struct kb_config *cfg = &L->cfg;
    int px = (int)lround(kb_scene_lines(L->logical_w, L->logical_h) * cfg->quote_size);
    int w = (int)lround(L->layout.bar.w * 0.86);
    bool top = strcmp(cfg->position, "top") == 0;
    /* On a wall the panel is laid out on the whole wall (the bar is
     * already): its top edge and height, in this tile's pixels. */
    int edge = 0, height = L->logical_h;
    if (L->wall != NULL)
        kb_loop_wall_span(L, &edge, &height);
    int space_y = top ? L->base_bar.y + L->base_bar.h
                      : edge + (int)lround(L->logical_h * cfg->safe_area / 100.0);
    /* Room is left for the bar to grow (kb_loop_fit_bar). */
    int grow = (int)lround(L->base_bar.h * (KB_FIT_GROW_MAX - 1));
    if (top)
        space_y += grow;
    int space_h = top ? edge + height - space_y : L->base_bar.y - grow - space_y;
    int margin = space_h / 16;
    int h = space_h - 2 * margin;
    SDL_Rect r = {L->layout.bar.x + (L->layout.bar.w - w) / 2, space_y + margin, w, h};
    SDL_Rect old = kb_panel_rect(L->panel);
    if (old.w != r.w || old.h != r.h) {
        kb_panel_clear(L->panel); /* its lines are of the old size */
        if (L->wall != NULL)
            kb_loop_wall_panel_reset(L);
    }
    kb_panel_place(L->panel, r, px);
    kb_channel_set_panel(L->ch, px, w, h);
}

void kb_loop_relayout(struct kb_loop *L)
{
    kb_loop_setup_rotation(L);
    L->layout = kb_scene_layout(&L->cfg, L->logical_w, L->logical_h, L->screen.refresh_hz);
    if (L->wall != NULL)
        kb_loop_wall_scene(L);
    L->base_bar = L->layout.bar;
    kb_loop_logo_apply(L);
    L->bar_h = L->layout.bar.h;
    L->bar_t = L->t;
    /* Up to KB_FIT_GROW_MAX times its height, and never off the screen. */
    int grow_to = (int)lround(L->layout.bar.h * KB_FIT_GROW_MAX);
    int room = strcmp(L->cfg.position, "top") == 0 ? L->logical_h - L->base_bar.y
                                                   : L->base_bar.y + L->base_bar.h;
    L->layout.geo.grow_to = grow_to < room ? grow_to : room;
    kb_chrome_place(L->chrome, L->layout.bar, L->rtl_screen, &L->layout.geo.area);
    kb_crawl_set_geometry(L->crawl, &L->layout.geo);
    place_panel(L);
    kb_loop_slides_place(L);
    if (kb_channel_px(L->ch) != L->layout.px) {
        /* Lines of the old size would look wrong: start the crawl afresh. */
        kb_crawl_clear(L->crawl);
        kb_channel_set_px(L->ch, L->layout.px);
    }
    L->full_redraw = true;
}

/* The separator image of the config, from the assets folders only. */
void kb_loop_load_separator(struct kb_loop *L)
{
    if (L->separator != NULL)
        SDL_DestroyTexture(L->separator);
    L->separator = NULL;
    kb_crawl_set_separator_image(L->crawl, NULL, 0, 0);
    const char *name = L->cfg.separator_image;
    if (name[0] == '\0')
        return;
    if (!kb_image_name_ok(name)) {
        LOG_ERR_ONCE("separator",
                     "separator_image \"%s\": a PNG file name without a path, "
                     "in /etc/kabar/assets/ or assets/separators/",
                     name);
        return;
    }
    char *path = kb_xasprintf("/etc/kabar/assets/%s", name);
    if (access(path, R_OK) != 0) {
        free(path);
        char *rel = kb_xasprintf("assets/separators/%s", name);
        path = kb_data_path(rel);
        free(rel);
    }
    struct kb_error err;
    int w, h;
    L->separator = kb_image_load(L->screen.renderer, path, &w, &h, &err);
    if (L->separator == NULL)
        LOG_ERR_ONCE("separator", "%s", err.msg);
    else
        kb_crawl_set_separator_image(L->crawl, L->separator, w, h);
    free(path);
}

/* The panel exists exactly when quotes = panel, styled from the config. */
static void apply_panel(struct kb_loop *L)
{
    const struct kb_config *cfg = &L->cfg;
    bool want_panel = strcmp(cfg->quotes, "panel") == 0 && strcmp(cfg->panel, "stories") != 0;
    if (want_panel && L->panel == NULL)
        L->panel = kb_panel_new();
    if (!want_panel && L->panel != NULL) {
        kb_panel_free(L->panel);
        L->panel = NULL;
        if (L->ch != NULL)
            kb_channel_set_panel(L->ch, 0, 0, 0);
    }
    if (L->panel != NULL) {
        struct kb_panel_style ps = {kb_scene_color(cfg->quote_fg),
                                    kb_scene_color(cfg->attribution_fg),
                                    kb_scene_color(cfg->background), cfg->quote_seconds, 0.6};
        kb_panel_set_style(L->panel, &ps);
    }
}

void kb_loop_apply_config(struct kb_loop *L)
{
    const struct kb_config *cfg = &L->cfg;
    apply_panel(L);
    kb_loop_slides_apply(L);
    L->rtl_screen = kb_present_rtl(cfg->screen_lang);
    struct kb_crawl_style style;
    struct kb_chrome_style cs;
    kb_scene_styles(cfg, &style, &cs);
    kb_chrome_set_style(L->chrome, &cs);
    kb_crawl_set_style(L->crawl, &style);
    kb_loop_load_separator(L);
    kb_loop_logo_apply(L);
}

/* Applies a new config without a blank frame: what crawls stays, the
 * ingest thread restarts with the new playlist, the chrome is laid out
 * again. Fonts and the screen mode need a restart. */
void kb_loop_reload(struct kb_loop *L)
{
    struct kb_config cfg;
    struct kb_error err;
    if (L->o->reload == NULL || !L->o->reload(&cfg, L->o->reload_user, &err)) {
        LOG_ERR("reload: %s; keeping the running config",
                L->o->reload == NULL ? "nothing to reload from" : err.msg);
        return;
    }
    if (strcmp(cfg.fonts, L->cfg.fonts) != 0 || strcmp(cfg.mode, L->cfg.mode) != 0 ||
        cfg.width != L->cfg.width || cfg.height != L->cfg.height ||
        strcmp(cfg.render_driver, L->cfg.render_driver) != 0)
        LOG_WARN("reload: fonts, mode, size and render driver change at the next start");
    snprintf(cfg.fonts, sizeof(cfg.fonts), "%s", L->cfg.fonts);
    kb_ingest_stop(L->ingest);
    L->ingest = NULL;
    kb_channel_restart(L->ch);
    L->cfg = cfg;
    kb_loop_apply_config(L);
    kb_loop_relayout(L);
    struct kb_error e2;
    L->ingest = kb_ingest_start(&L->cfg, L->fonts, L->ch, L->wall, &e2);
    if (L->ingest == NULL)
        LOG_ERR("reload: %s", e2.msg);
    else
        LOG_INFO("config reloaded");
}
