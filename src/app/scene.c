#include "app/scene.h"

#include <math.h>
#include <string.h>

int kb_scene_lines(int w, int h)
{
    double area = sqrt((double)w * h * 9.0 / 16.0);
    return area < h ? (int)lround(area) : h;
}

SDL_Color kb_scene_color(struct kb_color c)
{
    return (SDL_Color){c.r, c.g, c.b, c.a};
}

SDL_Color kb_scene_bar_color(const struct kb_config *cfg, bool breaking, double since)
{
    if (!breaking)
        return kb_scene_color(cfg->bar);
    SDL_Color c = kb_scene_color(cfg->breaking_bg);
    if (cfg->breaking_flash && since < 1.2 && (int)(since / 0.2) % 2 == 0) {
        c.r = (Uint8)(c.r + (255 - c.r) / 2);
        c.g = (Uint8)(c.g + (255 - c.g) / 2);
        c.b = (Uint8)(c.b + (255 - c.b) / 2);
    }
    return c;
}

/* Pixels per frame at this screen height: speed is given at 1080 lines.
 * Within 5 % of a whole number of pixels, snap to it: whole-pixel steps
 * stay crisp on a TV. */
double kb_scene_px_per_frame(const struct kb_config *cfg, int height, double hz)
{
    double v = cfg->speed * height / 1080.0 / hz;
    double whole = round(v);
    if (whole >= 1 && fabs(v - whole) <= 0.05 * v)
        return whole;
    return v;
}

struct kb_scene kb_scene_layout(const struct kb_config *cfg, int w, int h, double hz)
{
    struct kb_scene l;
    int inset_x = (int)lround(w * cfg->safe_area / 100.0);
    int inset_y = (int)lround(h * cfg->safe_area / 100.0);
    int usable_h = h - 2 * inset_y;
    int lines = kb_scene_lines(w - 2 * inset_x, usable_h);
    int bar_h = (int)lround(lines * cfg->bar_height);
    if (bar_h < 8)
        bar_h = 8;
    l.bar = (SDL_Rect){inset_x, strcmp(cfg->position, "top") == 0 ? inset_y : h - inset_y - bar_h,
                       w - 2 * inset_x, bar_h};
    l.px = (int)lround(bar_h * cfg->font_scale);
    if (l.px < 6)
        l.px = 6;
    l.geo.area = l.bar;
    /* Noto's capitals and x-height sit about 0.36 em above the baseline
     * at their middle: centre that on the bar. */
    l.geo.baseline = l.bar.y + bar_h / 2 + (int)lround(l.px * 0.36);
    l.geo.px_per_frame = kb_scene_px_per_frame(cfg, lines, hz);
    l.geo.gap = (int)lround(cfg->item_gap * l.px);
    l.geo.grow_to = 0; /* the ticker lets the bar grow (docs/display.md, "Fitting") */
    l.geo.dir = strcmp(cfg->crawl_direction, "left-to-right") == 0   ? KB_CRAWL_LEFT_TO_RIGHT
                : strcmp(cfg->crawl_direction, "right-to-left") == 0 ? KB_CRAWL_RIGHT_TO_LEFT
                                                                     : KB_CRAWL_AUTO;
    return l;
}

void kb_scene_styles(const struct kb_config *cfg, struct kb_crawl_style *crawl,
                     struct kb_chrome_style *chrome)
{
    *crawl = (struct kb_crawl_style){
        kb_scene_color(cfg->text),     kb_scene_color(cfg->breaking_fg),
        kb_scene_color(cfg->source),   kb_scene_color(cfg->badge_bg),
        kb_scene_color(cfg->badge_fg), kb_scene_color(cfg->separator_color)};
    *chrome = (struct kb_chrome_style){
        kb_scene_color(cfg->label_bg),          kb_scene_color(cfg->label_fg),
        kb_scene_color(cfg->breaking_label_bg), kb_scene_color(cfg->breaking_label_fg),
        kb_scene_color(cfg->clock_fg),          kb_scene_color(cfg->stale_fg),
        kb_scene_color(cfg->stale_bg)};
}

struct kb_slide_style kb_scene_slide_style(const struct kb_config *cfg, double gap_s)
{
    return (struct kb_slide_style){
        .background = kb_scene_color(cfg->background),
        .headline = kb_scene_color(cfg->quote_fg),
        .summary = kb_scene_color(cfg->clock_fg),
        .meta = kb_scene_color(cfg->source),
        .badge_fg = kb_scene_color(cfg->badge_fg),
        .badge_bg = kb_scene_color(cfg->badge_bg),
        .accent = kb_scene_color(cfg->label_bg),
        .breaking = kb_scene_color(cfg->breaking_bg),
        .fade_s = 0.6,
        .gap_s = gap_s,
    };
}
