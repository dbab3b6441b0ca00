#include "render/image.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

bool kb_image_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n < 5 || n > 128 || strcmp(name + n - 4, ".png") != 0 || name[0] == '.')
        return false;
    return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

SDL_Texture *kb_image_load(SDL_Renderer *renderer, const char *path, int *w, int *h,
                           struct kb_error *err)
{
    png_image img;
    memset(&img, 0, sizeof(img));
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path)) {
        kb_error_set(err, "%s: %s", path, img.message);
        return NULL;
    }
    if (img.width == 0 || img.height == 0 || img.width > KB_IMAGE_MAX_SIDE ||
        img.height > KB_IMAGE_MAX_SIDE) {
        kb_error_set(err, "%s: %ux%u; an image may be at most %dx%d", path, img.width, img.height,
                     KB_IMAGE_MAX_SIDE, KB_IMAGE_MAX_SIDE);
        png_image_free(&img);
        return NULL;
    }
    img.format = PNG_FORMAT_RGBA;
    unsigned char *pixels = kb_xmalloc(PNG_IMAGE_SIZE(img));
    SDL_Texture *tex = NULL;
    if (!png_image_finish_read(&img, NULL, pixels, 0, NULL)) {
        kb_error_set(err, "%s: %s", path, img.message);
        goto done;
    }
    tex = SDL_CreateTexture(renderer, SDL_PIXELFORMAT_RGBA32, SDL_TEXTUREACCESS_STATIC,
                            (int)img.width, (int)img.height);
    if (tex == NULL) {
        kb_error_set(err, "%s: %s", path, SDL_GetError());
        goto done;
    }
    SDL_UpdateTexture(tex, NULL, pixels, (int)PNG_IMAGE_ROW_STRIDE(img));
    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    SDL_SetTextureScaleMode(tex, SDL_ScaleModeLinear);
    *w = (int)img.width;
    *h = (int)img.height;
done:
    free(pixels);
    return tex;
}
