/* Shaping of one bidi paragraph: items of one level, script and font,
 * each shaped by HarfBuzz with the whole paragraph as context, put in
 * visual order.
 *
 * This is what libraqm 0.7's raqm_layout does (level runs from FriBidi in
 * L2 order, split where script or font changes, the pieces of a
 * right-to-left level run listed from its logical end; buffer flags BOT and
 * EOT, HarfBuzz's default cluster level, no features), done with fonts and
 * a buffer kept per thread in kb_faces: libraqm 0.7 makes a new hb_face and
 * hb_font for every run of every layout, and HarfBuzz then parses the
 * font's layout tables again each time, which made a layout cost 25 times
 * the shaping in it. tests/text/test_oracle.c checks the two give the same
 * glyphs.
 * Internal to src/text and tests/text. */
#ifndef KB_TEXT_SHAPE_H
#define KB_TEXT_SHAPE_H

#include <hb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text/fonts.h"

/* One glyph as HarfBuzz gives it: 26.6 units of the font's size. */
struct kb_shaped {
    uint32_t id;
    uint32_t cluster; /* code point index into the paragraph */
    int32_t x_advance, x_offset, y_offset;
    int font;
};

/* A paragraph ready to shape: every array has n entries. */
struct kb_para {
    const uint32_t *cps;
    size_t n;
    const uint8_t *levels;      /* kb_bidi_levels */
    const hb_script_t *scripts; /* kb_scripts_resolve */
    const int *font;            /* font ids, every one openable at px */
    hb_language_t lang;         /* set on every item */
    int px;
};

/* Shapes p and stores its glyphs in visual order (left to right) in
 * *glyphs, which holds *cap entries and is grown with kb_xreallocarray as
 * needed (the caller frees it). Returns the number of glyphs, or -1 if a
 * font cannot be opened. */
long kb_shape_paragraph(struct kb_faces *faces, const struct kb_para *p, struct kb_shaped **glyphs,
                        size_t *cap);

#endif
