/* Small images for the chrome (a separator between items), read from PNG
 * files under the assets folders only. Owned by the render thread. */
#ifndef KB_RENDER_IMAGE_H
#define KB_RENDER_IMAGE_H

#include <stdbool.h>

#include <SDL.h>

#include "core/error.h"

/* The largest image side accepted: a separator is drawn at text height. */
#define KB_IMAGE_MAX_SIDE 512

/* True if name is a plain PNG file name: [A-Za-z0-9._-]+.png, no path, so a
 * config can never point kabar at a file outside the assets folders. */
bool kb_image_name_ok(const char *name);
/* Reads an RGBA PNG into a new texture (straight alpha, blended). The
 * caller destroys it. NULL with err set if the file is missing, not a PNG,
 * or larger than KB_IMAGE_MAX_SIDE. */
SDL_Texture *kb_image_load(SDL_Renderer *renderer, const char *path, int *w, int *h,
                           struct kb_error *err);

#endif
