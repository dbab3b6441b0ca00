/* Does the renderer draw? kabar reads back what it drew, because a renderer
 * can accept every call, clear the screen and draw nothing else (SDL's
 * "opengl" renderer on KMSDRM with Mesa's llvmpipe: docs/kiosk.md, "Never
 * blank, and dark at night"). Nothing here allocates beyond the call. */
#ifndef KB_RENDER_VERIFY_H
#define KB_RENDER_VERIFY_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

/* Draws a probe into the top-left 16 x 8 pixels of the renderer's current
 * target (a filled rectangle and a texture, the two things kabar draws),
 * reads it back and clears the target to black. True if both came back;
 * else false with the reason in why[0..why_n). Call before the first frame. */
bool kb_verify_probe(SDL_Renderer *r, char *why, size_t why_n);

enum kb_verify_row {
    KB_ROW_DRAWN,      /* not all the background colour: something was drawn */
    KB_ROW_BACKGROUND, /* every pixel is the background colour: nothing drawn */
    KB_ROW_UNREADABLE, /* the renderer cannot read back */
};

/* Reads one row (y, from x0, w pixels) of the current target, before the
 * present, and says whether anything but the background colour bg is there.
 * Costs one row's read-back (a few KiB). */
enum kb_verify_row kb_verify_row(SDL_Renderer *r, int y, int x0, int w, SDL_Color bg);

#endif
