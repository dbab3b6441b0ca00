#include "render/damage.h"

#include <math.h>

/* Pixels added at each side of a turned rectangle: SDL rounds the centre
 * of a turned copy to whole pixels its own way, and presenting a pixel too
 * many costs nothing but bytes, where one too few leaves a stale line. */
#define ROTATE_PAD 2

static long long area(SDL_Rect r)
{
    return r.w > 0 && r.h > 0 ? (long long)r.w * r.h : 0;
}

static SDL_Rect bounds(SDL_Rect a, SDL_Rect b)
{
    int x0 = a.x < b.x ? a.x : b.x, y0 = a.y < b.y ? a.y : b.y;
    int x1 = a.x + a.w > b.x + b.w ? a.x + a.w : b.x + b.w;
    int y1 = a.y + a.h > b.y + b.h ? a.y + a.h : b.y + b.h;
    return (SDL_Rect){x0, y0, x1 - x0, y1 - y0};
}

/* What the bounding box of a and b covers beyond a and b themselves. */
static long long waste(SDL_Rect a, SDL_Rect b)
{
    SDL_Rect both;
    long long overlap = SDL_IntersectRect(&a, &b, &both) ? area(both) : 0;
    return area(bounds(a, b)) - (area(a) + area(b) - overlap);
}

static bool contains(SDL_Rect outer, SDL_Rect in)
{
    return in.x >= outer.x && in.y >= outer.y && in.x + in.w <= outer.x + outer.w &&
           in.y + in.h <= outer.y + outer.h;
}

static void remove_at(struct kb_damage *d, int i)
{
    d->r[i] = d->r[--d->n];
}

void kb_damage_reset(struct kb_damage *d)
{
    d->full = false;
    d->n = 0;
}

void kb_damage_all(struct kb_damage *d)
{
    d->full = true;
    d->n = 0;
}

void kb_damage_add(struct kb_damage *d, SDL_Rect r)
{
    if (d->full || area(r) == 0)
        return;
    /* A merge can make a rectangle that now swallows or joins another:
     * go round again with it until nothing changes. */
    for (int i = 0; i < d->n;) {
        SDL_Rect e = d->r[i];
        if (contains(e, r))
            return;
        if (contains(r, e) || waste(e, r) <= 0) {
            r = bounds(e, r);
            remove_at(d, i);
            i = 0;
            continue;
        }
        i++;
    }
    if (d->n == KB_DAMAGE_MAX) {
        /* Full: fold the new one into the rectangle it wastes least with. */
        int best = 0;
        for (int i = 1; i < d->n; i++)
            if (waste(d->r[i], r) < waste(d->r[best], r))
                best = i;
        r = bounds(d->r[best], r);
        remove_at(d, best);
        kb_damage_add(d, r);
        return;
    }
    d->r[d->n++] = r;
}

void kb_damage_clip(struct kb_damage *d, int w, int h)
{
    SDL_Rect screen = {0, 0, w, h};
    int j = 0;
    for (int i = 0; i < d->n && !d->full; i++) {
        SDL_Rect c;
        if (!SDL_IntersectRect(&d->r[i], &screen, &c))
            continue;
        if (c.w == w && c.h == h)
            d->full = true;
        d->r[j++] = c;
    }
    d->n = d->full ? 0 : j;
}

/* One rectangle of the upright scene on the screen. */
static SDL_Rect turn(SDL_Rect r, int rotation, int lw, int lh, int w, int h)
{
    /* Relative to the scene's centre, which lands on the centre of the
     * destination rectangle the copy is given. */
    double u0 = r.x - lw / 2.0, u1 = r.x + r.w - lw / 2.0;
    double v0 = r.y - lh / 2.0, v1 = r.y + r.h - lh / 2.0;
    double cx = (w - lw) / 2 + lw / 2.0, cy = (h - lh) / 2 + lh / 2.0;
    double x0, x1, y0, y1;
    switch (rotation) {
    case 90: /* (u, v) -> (-v, u) */
        x0 = cx - v1, x1 = cx - v0, y0 = cy + u0, y1 = cy + u1;
        break;
    case 180: /* (u, v) -> (-u, -v) */
        x0 = cx - u1, x1 = cx - u0, y0 = cy - v1, y1 = cy - v0;
        break;
    case 270: /* (u, v) -> (v, -u) */
        x0 = cx + v0, x1 = cx + v1, y0 = cy - u1, y1 = cy - u0;
        break;
    default:
        x0 = cx + u0, x1 = cx + u1, y0 = cy + v0, y1 = cy + v1;
        break;
    }
    int ix0 = (int)floor(x0) - ROTATE_PAD, iy0 = (int)floor(y0) - ROTATE_PAD;
    int ix1 = (int)ceil(x1) + ROTATE_PAD, iy1 = (int)ceil(y1) + ROTATE_PAD;
    return (SDL_Rect){ix0, iy0, ix1 - ix0, iy1 - iy0};
}

void kb_damage_rotate(struct kb_damage *d, int rotation, int lw, int lh, int w, int h)
{
    if (!d->full) {
        struct kb_damage in = *d;
        kb_damage_reset(d);
        for (int i = 0; i < in.n; i++)
            kb_damage_add(d, turn(in.r[i], rotation, lw, lh, w, h));
    }
    kb_damage_clip(d, w, h);
}

size_t kb_damage_pixels(const struct kb_damage *d, int w, int h)
{
    if (d->full)
        return (size_t)(w > 0 ? w : 0) * (size_t)(h > 0 ? h : 0);
    size_t px = 0;
    for (int i = 0; i < d->n; i++)
        px += (size_t)area(d->r[i]);
    return px;
}
