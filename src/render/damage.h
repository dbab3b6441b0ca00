/* What changed on screen this frame: a few rectangles, or the whole
 * screen. Where the renderer draws into the window's own surface (the
 * software renderer: X11, the dummy driver), only these are sent to the
 * display (kb_screen_present, render/screen.h); elsewhere they are
 * counted but the whole frame is presented. A plain value: the caller
 * owns it, usually one per screen, reset after each present. */
#ifndef KB_RENDER_DAMAGE_H
#define KB_RENDER_DAMAGE_H

#include <stdbool.h>
#include <stddef.h>

#include <SDL.h>

/* More rectangles than a frame of kabar's has (the bar, the panel, the
 * stale marker); past it, the two whose union wastes least are merged. */
#define KB_DAMAGE_MAX 8

struct kb_damage {
    bool full; /* the whole screen may be stale: present all of it */
    int n;
    SDL_Rect r[KB_DAMAGE_MAX];
};

/* Nothing changed. */
void kb_damage_reset(struct kb_damage *d);
/* Everything changed (first frame, resize, expose, rotation, reset...). */
void kb_damage_all(struct kb_damage *d);
/* r changed. An empty r is ignored; one inside another is dropped; two
 * whose bounding box covers no more than the two do are merged into it. */
void kb_damage_add(struct kb_damage *d, SDL_Rect r);
/* Clips the rectangles to a w x h screen, dropping those outside it. A
 * full damage, or one covering the screen, is left full with n = 0. */
void kb_damage_clip(struct kb_damage *d, int w, int h);
/* Maps rectangles of an upright scene lw x lh, turned by rotation degrees
 * clockwise (0, 90, 180, 270) and centred on a w x h screen (as
 * SDL_RenderCopyEx draws it), to the screen's pixels, one pixel wider on
 * every side against rounding at the centre; then clips them. */
void kb_damage_rotate(struct kb_damage *d, int rotation, int lw, int lh, int w, int h);
/* The pixels presented for d on a w x h screen (w * h when full);
 * overlapping rectangles count twice, as they are sent twice. */
size_t kb_damage_pixels(const struct kb_damage *d, int w, int h);

#endif
