/* Writing PNG files (libpng). Used by any thread; keeps no state. */
#ifndef KB_RENDER_PNG_H
#define KB_RENDER_PNG_H

#include <stdbool.h>
#include <time.h>

#include "core/error.h"

/* Writes w x h RGB pixels (3 bytes each, rows of pitch bytes) as an 8-bit
 * RGB PNG at path (created or truncated). Borrows rgb for the call only.
 * Returns false with err set if the file cannot be written. */
bool kb_png_write_rgb(const char *path, const unsigned char *rgb, int w, int h, int pitch,
                      struct kb_error *err);

/* The same with a tIME chunk saying when the pixels were drawn (when > 0;
 * 0 writes none), so a reader can tell how old the picture is whatever
 * copied it since. */
bool kb_png_write_rgb_dated(const char *path, const unsigned char *rgb, int w, int h, int pitch,
                            time_t when, struct kb_error *err);

#endif
