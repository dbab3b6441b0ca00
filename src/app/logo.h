/* The station's logo in the label box (the `logo` key; docs/presentation.md,
 * "Logo"): a PNG from the assets folders or an absolute path, read with the
 * spool's care for pictures (no symlink in the assets folders, no FIFO, its
 * size and pixels checked from its header before decoding), decoded once,
 * and scaled to the box's size when that changes. Owned by the render
 * thread. */
#ifndef KB_APP_LOGO_H
#define KB_APP_LOGO_H

#include <stdbool.h>

#include <SDL.h>

#include "core/error.h"

/* A logo file is at most this big and this many pixels a side. */
#define KB_LOGO_MAX_BYTES (2 * 1024 * 1024)
#define KB_LOGO_MAX_SIDE 2048

struct kb_logo;

/* Reads and decodes the logo the key names: a file name ([A-Za-z0-9._-]
 * .png) looked for in /etc/kabar/assets/ then kabar's assets/, or an
 * absolute path. NULL with err set to one line naming the file and what is
 * wrong. The caller frees it with kb_logo_free. */
struct kb_logo *kb_logo_load(const char *key, struct kb_error *err);
void kb_logo_free(struct kb_logo *logo);
/* The logo's size scaled to fit max_w x max_h, its shape kept. */
void kb_logo_fit(const struct kb_logo *logo, int max_w, int max_h, int *w, int *h);
/* A texture of the logo at w x h pixels, scaled from the decoded pixels
 * when the size changes (the logo keeps it; valid until the next call
 * with another size, kb_logo_drop_texture or kb_logo_free). NULL if it
 * cannot be made. */
SDL_Texture *kb_logo_texture(struct kb_logo *logo, SDL_Renderer *renderer, int w, int h);
/* Forgets the texture (the renderer lost its textures). */
void kb_logo_drop_texture(struct kb_logo *logo);

#endif
