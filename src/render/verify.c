#include "render/verify.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/xmalloc.h"

#define PROBE 8 /* each half of the probe is PROBE x PROBE pixels */

static bool near(uint32_t px, uint8_t r, uint8_t g, uint8_t b)
{
    int pr = (int)((px >> 16) & 0xff), pg = (int)((px >> 8) & 0xff), pb = (int)(px & 0xff);
    return abs(pr - r) < 16 && abs(pg - g) < 16 && abs(pb - b) < 16;
}

bool kb_verify_probe(SDL_Renderer *r, char *why, size_t why_n)
{
    uint32_t green[PROBE * PROBE];
    for (int i = 0; i < PROBE * PROBE; i++)
        green[i] = 0xff00ff00u;
    SDL_Texture *tex =
        SDL_CreateTexture(r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC, PROBE, PROBE);
    if (tex == NULL || SDL_UpdateTexture(tex, NULL, green, PROBE * 4) != 0) {
        snprintf(why, why_n, "cannot make a texture: %s", SDL_GetError());
        if (tex != NULL)
            SDL_DestroyTexture(tex);
        return false;
    }
    SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
    SDL_RenderClear(r);
    SDL_SetRenderDrawColor(r, 255, 0, 0, 255);
    SDL_RenderFillRect(r, &(SDL_Rect){0, 0, PROBE, PROBE});
    SDL_RenderCopy(r, tex, NULL, &(SDL_Rect){PROBE, 0, PROBE, PROBE});
    uint32_t back[2 * PROBE * PROBE];
    int got = SDL_RenderReadPixels(r, &(SDL_Rect){0, 0, 2 * PROBE, PROBE}, SDL_PIXELFORMAT_ARGB8888,
                                   back, 2 * PROBE * 4);
    SDL_DestroyTexture(tex);
    SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
    SDL_RenderClear(r);
    if (got != 0) {
        snprintf(why, why_n, "cannot read the screen back: %s", SDL_GetError());
        return false;
    }
    uint32_t rect = back[(PROBE / 2) * 2 * PROBE + PROBE / 2];
    uint32_t texel = back[(PROBE / 2) * 2 * PROBE + PROBE + PROBE / 2];
    bool rect_ok = near(rect, 255, 0, 0), tex_ok = near(texel, 0, 255, 0);
    if (rect_ok && tex_ok)
        return true;
    snprintf(why, why_n, "a red rectangle read back as #%06x, a green texture as #%06x",
             (unsigned)(rect & 0xffffff), (unsigned)(texel & 0xffffff));
    return false;
}

enum kb_verify_row kb_verify_row(SDL_Renderer *r, int y, int x0, int w, SDL_Color bg)
{
    if (w <= 0)
        return KB_ROW_UNREADABLE;
    uint32_t *row = kb_xmalloc((size_t)w * 4);
    enum kb_verify_row out = KB_ROW_BACKGROUND;
    if (SDL_RenderReadPixels(r, &(SDL_Rect){x0, y, w, 1}, SDL_PIXELFORMAT_ARGB8888, row, w * 4) !=
        0) {
        out = KB_ROW_UNREADABLE;
    } else {
        for (int x = 0; x < w; x++) {
            if (!near(row[x], bg.r, bg.g, bg.b)) {
                out = KB_ROW_DRAWN;
                break;
            }
        }
    }
    free(row);
    return out;
}
