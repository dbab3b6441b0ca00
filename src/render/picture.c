#include "render/picture.h"

#include <SDL.h>
#include <SDL_image.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static void init_decoders(void)
{
    IMG_Init(IMG_INIT_PNG | IMG_INIT_JPG | IMG_INIT_WEBP);
    /* The decoders it loaded are let go at exit (a clean leak check). */
    atexit(IMG_Quit);
}

/* Halves s (box filter through SDL's linear stretch) while it is more than
 * twice the target, so a large photo scales down without aliasing. Takes s. */
static SDL_Surface *shrink(SDL_Surface *s, SDL_Rect *crop, int tw, int th)
{
    while (crop->w >= 2 * tw && crop->h >= 2 * th) {
        SDL_Surface *half = SDL_CreateRGBSurfaceWithFormat(0, crop->w / 2, crop->h / 2, 32,
                                                           SDL_PIXELFORMAT_ARGB8888);
        if (half == NULL || SDL_SoftStretchLinear(s, crop, half, NULL) != 0) {
            SDL_FreeSurface(half);
            break;
        }
        SDL_FreeSurface(s);
        s = half;
        *crop = (SDL_Rect){0, 0, half->w, half->h};
    }
    return s;
}

struct kb_picture *kb_picture_decode(const void *buf, size_t len, const char *type, int w, int h,
                                     int box_w, int box_h, struct kb_error *err)
{
    pthread_once(&init_once, init_decoders);
    if (box_w <= 0 || box_h <= 0 || len > INT32_MAX) {
        kb_error_set(err, "no room for a picture");
        return NULL;
    }
    SDL_RWops *rw = SDL_RWFromConstMem(buf, (int)len);
    SDL_Surface *raw = rw ? IMG_LoadTyped_RW(rw, 1, type) : NULL;
    if (raw == NULL) {
        kb_error_set(err, "cannot decode the %s picture: %s", type, IMG_GetError());
        return NULL;
    }
    if (raw->w != w || raw->h != h) {
        kb_error_set(err, "decoded as %dx%d, its header said %dx%d", raw->w, raw->h, w, h);
        SDL_FreeSurface(raw);
        return NULL;
    }
    SDL_Surface *s = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(raw);
    if (s == NULL) {
        kb_error_set(err, "cannot convert the picture: %s", SDL_GetError());
        return NULL;
    }
    /* Cover the box: the largest centred part of the picture of the box's shape. */
    SDL_Rect crop = {0, 0, s->w, s->h};
    if ((long long)s->w * box_h > (long long)s->h * box_w) {
        crop.w = (int)((long long)s->h * box_w / box_h);
        crop.x = (s->w - crop.w) / 2;
    } else {
        crop.h = (int)((long long)s->w * box_h / box_w);
        crop.y = (s->h - crop.h) / 2;
    }
    if (crop.w < 1)
        crop.w = 1;
    if (crop.h < 1)
        crop.h = 1;
    s = shrink(s, &crop, box_w, box_h);
    SDL_Surface *out =
        SDL_CreateRGBSurfaceWithFormat(0, box_w, box_h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (out == NULL || SDL_SoftStretchLinear(s, &crop, out, NULL) != 0) {
        kb_error_set(err, "cannot scale the picture: %s", SDL_GetError());
        SDL_FreeSurface(out);
        SDL_FreeSurface(s);
        return NULL;
    }
    SDL_FreeSurface(s);
    struct kb_picture *p = kb_xmalloc(sizeof(*p));
    p->w = box_w;
    p->h = box_h;
    p->argb = kb_xmalloc((size_t)box_w * (size_t)box_h * 4);
    for (int y = 0; y < box_h; y++)
        memcpy(p->argb + (size_t)y * (size_t)box_w,
               (char *)out->pixels + (size_t)y * (size_t)out->pitch, (size_t)box_w * 4);
    SDL_FreeSurface(out);
    return p;
}

void kb_picture_free(struct kb_picture *p)
{
    if (p == NULL)
        return;
    free(p->argb);
    free(p);
}

size_t kb_picture_bytes(const struct kb_picture *p)
{
    return p ? (size_t)p->w * (size_t)p->h * 4 : 0;
}

void kb_picture_thread_end(void)
{
    SDL_TLSCleanup();
}
