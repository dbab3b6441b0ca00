/* The end of a frame: what changed is presented (only that, where the
 * renderer draws into the window's surface: docs/display.md, "What a
 * frame costs"), and --screenshot and --record read the picture. */
#include <stdlib.h>

#define LOG_MODULE "run"
#include "app/loop.h"
#include "app/thumb.h"
#include "core/log.h"
#include "core/xmalloc.h"

bool kb_loop_picture_lost(const SDL_Event *e)
{
    if (e->type == SDL_DISPLAYEVENT)
        return true; /* a display connected, gone or turned */
    if (e->type != SDL_WINDOWEVENT)
        return false;
    switch (e->window.event) {
    case SDL_WINDOWEVENT_EXPOSED:   /* the display server dropped the window's pixels */
    case SDL_WINDOWEVENT_SHOWN:     /* mapped again */
    case SDL_WINDOWEVENT_RESTORED:  /* from minimised */
    case SDL_WINDOWEVENT_MAXIMIZED: /* its size is a resize event, its pixels this */
    case SDL_WINDOWEVENT_DISPLAY_CHANGED:
        return true;
    default:
        return false;
    }
}

/* --screenshot on the last frame, --record every N frames. */
static void save_pictures(struct kb_loop *L, uint64_t n, bool last)
{
    const struct kb_run_opts *o = L->o;
    struct kb_error err;
    if (last && o->screenshot != NULL) {
        if (kb_screen_save_png(&L->screen, o->screenshot, &err))
            LOG_INFO("screenshot written to %s", o->screenshot);
        else
            LOG_ERR("%s", err.msg);
    }
    char *path = kb_loop_record_path(L, n);
    if (path != NULL) {
        if (!kb_screen_save_png(&L->screen, path, &err))
            LOG_ERR("%s", err.msg);
        free(path);
    }
    kb_thumb_frame(&L->screen, L->cfg.thumb_interval_s, o->stats);
}

size_t kb_loop_present(struct kb_loop *L, uint64_t n, bool last)
{
    const struct kb_run_opts *o = L->o;
    /* Pictures are what the display was sent where the screen keeps a copy
     * of it (read after the present, so a rectangle the present missed
     * shows in them); the back buffer elsewhere (read before). */
    if (n == 0 && (o->screenshot != NULL || o->record_dir != NULL))
        kb_screen_keep_shown(&L->screen);
    bool after = kb_screen_reads_shown(&L->screen);
    if (!after)
        save_pictures(L, n, last);
    L->screen.whole_frames = !L->cfg.present_changes;
    struct kb_damage *d = &L->damage;
    /* The stale marker sits outside the bar; it is redrawn every frame. */
    kb_damage_add(d, kb_chrome_stale_rect(L->chrome));
    /* The scene was drawn upright and turned onto the screen whole. */
    if (L->rotated != NULL)
        kb_damage_rotate(d, L->cfg.rotation, L->logical_w, L->logical_h, L->screen.width,
                         L->screen.height);
    size_t bytes = kb_screen_present(&L->screen, d);
    kb_damage_reset(d);
    if (after)
        save_pictures(L, n, last);
    return bytes;
}
