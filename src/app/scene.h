/* The geometry and colours of the screen from the config: where the bar
 * sits, the text size, the crawl speed in pixels per frame. Shared by the
 * ticker and `kabar preview`, so a preview shows what the wall shows. */
#ifndef KB_APP_SCENE_H
#define KB_APP_SCENE_H

#include <SDL.h>

#include "app/config.h"
#include "render/chrome.h"
#include "render/crawl.h"
#include "render/slide.h"

/* Everything here returns plain values or fills the caller's structs:
 * nothing to free. */
struct kb_scene {
    SDL_Rect bar;
    int px; /* the crawl's em size */
    struct kb_crawl_geometry geo;
};

SDL_Color kb_scene_color(struct kb_color c);

/* The story slides' colours from the config, as the ticker and `kabar
 * preview` draw them; gap_s: a quote's time after each slide (0 in a
 * preview). Returned by value. */
struct kb_slide_style kb_scene_slide_style(const struct kb_config *cfg, double gap_s);
/* The bar's colour: the bar colour, or while breaking news shows the
 * breaking colour, flashing (lighter) three times in the first 1.2 s
 * since it entered (since: seconds of crawl time) if breaking_flash is on. */
SDL_Color kb_scene_bar_color(const struct kb_config *cfg, bool breaking, double since);
/* The "lines" sizes are measured in: the height of a 16:9 screen of the
 * same area, at most the real height. A landscape 16:9 screen's height; a
 * portrait screen's is smaller, so a bar and its text keep to the width;
 * a wide bar-shaped screen's is its height. Sizes in the config (bar
 * height, quote size, speed at 1080 lines) are fractions of this. */
int kb_scene_lines(int w, int h);
/* Pixels per frame for a screen of this height at hz frames per second:
 * speed is given at 1080 lines, and snapped to a whole number within 5 %. */
double kb_scene_px_per_frame(const struct kb_config *cfg, int height, double hz);
/* The bar and the crawl on a w x h (logical) screen. The crawl area is
 * the whole bar until the chrome takes its boxes (kb_chrome_place). */
struct kb_scene kb_scene_layout(const struct kb_config *cfg, int w, int h, double hz);
/* The crawl's and the chrome's colours (written into the caller's structs). */
void kb_scene_styles(const struct kb_config *cfg, struct kb_crawl_style *crawl,
                     struct kb_chrome_style *chrome);

#endif
