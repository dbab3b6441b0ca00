/* The layout entry point beneath kb_line_layout, for src/text and its
 * tests: it takes text that is already clean and may be told the font of
 * every code point instead of running font fallback. */
#ifndef KB_TEXT_LINE_INTERNAL_H
#define KB_TEXT_LINE_INTERNAL_H

#include "text/line.h"

/* Lays out clean (takes ownership of text, a kb_xmalloc'd NUL-terminated
 * string of len bytes, valid UTF-8). fonts, if not NULL, gives a font id per
 * code point (in order) and replaces fallback. Returns a line with one
 * reference, or NULL with err set (text is freed either way). */
struct kb_line *kb_line_layout_clean(struct kb_faces *faces, char *text, size_t len,
                                     const char *lang, enum kb_dir dir, int px, const int *fonts,
                                     struct kb_error *err);

#endif
