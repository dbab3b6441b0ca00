/* PNG files of screen pixels: screenshots, `kabar preview --png`, the
 * demo's pictures, the screen's picture for the newsroom (app/thumb.c). */
#include "render/png.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

bool kb_png_write_rgb_dated(const char *path, const unsigned char *rgb, int w, int h, int pitch,
                            time_t when, struct kb_error *err)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return kb_error_set(err, "%s: %s", path, strerror(errno));
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
    png_bytep *rows = kb_xcalloc((size_t)h, sizeof(*rows));
    bool ok = false;
    if (png == NULL || info == NULL) {
        kb_error_set(err, "%s: cannot start libpng", path);
        goto done;
    }
    if (setjmp(png_jmpbuf(png))) {
        kb_error_set(err, "%s: cannot write PNG", path);
        goto done;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (when > 0) {
        png_time t;
        png_convert_from_time_t(&t, when);
        png_set_tIME(png, info, &t);
    }
    png_write_info(png, info);
    for (int y = 0; y < h; y++)
        rows[y] = (png_bytep)(rgb + (size_t)y * (size_t)pitch);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    ok = true;
done:
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    free(rows);
    if (fclose(f) != 0 && ok)
        ok = kb_error_set(err, "%s: %s", path, strerror(errno));
    return ok;
}

bool kb_png_write_rgb(const char *path, const unsigned char *rgb, int w, int h, int pitch,
                      struct kb_error *err)
{
    return kb_png_write_rgb_dated(path, rgb, w, h, pitch, 0, err);
}
