/* What src/text shares inside itself and with its tests: the layout entry
 * point beneath kb_line_layout, which takes text that is already clean and
 * may be told the font of every code point instead of running font
 * fallback; the decoded text the layout steps share; the dumps' string
 * builder. */
#ifndef KB_TEXT_LINE_INTERNAL_H
#define KB_TEXT_LINE_INTERNAL_H

#include <hb.h>

#include "text/line.h"

/* Lays out clean (takes ownership of text, a kb_xmalloc'd NUL-terminated
 * string of len bytes, valid UTF-8). fonts, if not NULL, gives a font id per
 * code point (in order) and replaces fallback. Returns a line with one
 * reference, or NULL with err set (text is freed either way). */
struct kb_line *kb_line_layout_clean(struct kb_faces *faces, char *text, size_t len,
                                     const char *lang, enum kb_dir dir, int px, const int *fonts,
                                     struct kb_error *err);

/* Sets line->ink_top and ink_bottom from the boxes of its glyphs (ink.c). */
void kb_line_measure_ink(struct kb_line *line, struct kb_faces *faces);

/* Everything derived from a clean text that the layout steps share, one
 * entry per code point (byte_of has n + 1). */
struct kb_line_work {
    size_t n;          /* code points */
    uint32_t *cps;     /* the text as UTF-32 */
    uint32_t *byte_of; /* byte offset of code point i; byte_of[n] = text length */
    hb_script_t *scripts;
    uint8_t *levels;
    int *font;
};

/* Decodes text (valid UTF-8) into w and allocates every array of w, which
 * the caller frees with kb_line_work_free. The arrays are filled by the
 * layout steps, except cps and byte_of. */
void kb_line_decode(struct kb_line_work *w, const char *text, size_t len);
void kb_line_work_free(struct kb_line_work *w);

/* Appends printf output to *buf (a kb_xmalloc'd string of *len bytes in
 * *cap), growing it; for the dumps (line_dump.c, fonts_report.c). */
void kb_line_appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
