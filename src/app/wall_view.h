/* A wall tile's scene (app/wall.h): plain values, nothing to free. */
#ifndef KB_APP_WALL_VIEW_H
#define KB_APP_WALL_VIEW_H

#include "app/scene.h"
#include "app/wall.h"

/* The scene of one tile of w x h: sizes (bar, type, speed) from the
 * tile's lines, the bar and the crawl area placed on the whole wall and
 * moved into the tile's pixels, so parts of them lie off this screen.
 * *vw, *vh: the wall's size in pixels, bezels included. Speed is at
 * cfg->refresh_hz, the rate every tile counts frames at. */
struct kb_scene kb_wall_scene(const struct kb_config *cfg, const struct kb_wall_geo *g, int w,
                              int h, int *vw, int *vh);

#endif
