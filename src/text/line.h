/* A laid-out line: a string in, positioned glyphs out.
 *
 * kb_line_layout takes one item's text (already through kb_text_clean), its
 * BCP 47 language and base direction, and a pixel size, and returns an
 * immutable line: runs in visual order (left to right), each with its
 * direction, script, language and font, and its glyphs in visual order with
 * HarfBuzz advances and offsets (pixels, y up). One item is one bidi
 * paragraph.
 *
 * The steps: hygiene (kb_text_clean), a font per grapheme (fallback.c),
 * bidi levels from FriBidi and scripts with Common, Inherited and paired
 * brackets resolved (itemize.c), then shape.c: items of one level, script
 * and font, each shaped by HarfBuzz with the whole paragraph as context
 * (so Arabic joins across a font change) and the item's language, put in
 * visual order by rule L2. That is what libraqm 0.7 does, and kabar used
 * it until it measured that libraqm makes a HarfBuzz font per run per
 * layout, parsing the font's tables each time (layout then cost 25 times
 * the shaping itself); kabar keeps one per face and thread instead. libraqm
 * remains the oracle the tests compare against (tests/text/test_oracle.c).
 *
 * Lines are made on the ingest thread and drawn on the render thread; they
 * are reference counted (kb_line_ref / kb_line_unref, atomic) and never
 * change after layout. */
#ifndef KB_TEXT_LINE_H
#define KB_TEXT_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "text/fonts.h"

enum kb_dir { KB_DIR_AUTO = 0, KB_DIR_LTR, KB_DIR_RTL };

struct kb_glyph {
    uint32_t id;      /* glyph index in the run's font; never a code point */
    uint32_t cluster; /* byte offset into the line's text */
    float x_advance;  /* pixels */
    float x_offset;   /* pixels */
    float y_offset;   /* pixels, up */
};

struct kb_run {
    uint32_t start, end; /* byte offsets into text: [start, end) */
    enum kb_dir dir;     /* KB_DIR_LTR or KB_DIR_RTL */
    char script[5];      /* ISO 15924, e.g. "Arab", "Hani", "Zyyy" */
    int font;            /* font number in the kb_fonts table */
    size_t first_glyph;  /* index into line->glyphs */
    size_t n_glyphs;
};

struct kb_line {
    char *text; /* after hygiene, NUL-terminated */
    size_t text_len;
    char lang[64];
    enum kb_dir base_dir;      /* resolved: KB_DIR_LTR or KB_DIR_RTL */
    int px;                    /* pixel em size it was laid out at */
    float width;               /* sum of advances, pixels */
    float ascent, descent;     /* pixels above and below the baseline (descent > 0), the
                                  largest of the fonts the line uses */
    float ink_top, ink_bottom; /* how far the drawn pixels of its glyphs reach above and
                                  below the baseline (whole pixels, as the atlas draws
                                  them; 0 and 0 for a line with no ink): what kabar
                                  places text by (docs/display.md, "Fitting") */
    struct kb_run *runs;       /* visual order */
    size_t n_runs;
    struct kb_glyph *glyphs; /* visual order; run r owns [first_glyph, first_glyph + n_glyphs) */
    size_t n_glyphs;
    int refs; /* atomic (__atomic builtins); use kb_line_ref / kb_line_unref */
};

/* Lays out text (valid UTF-8; it is cleaned again here, so raw input is
 * safe) in language lang with base direction dir at px pixels. Returns a
 * line with one reference, or NULL with err set. */
struct kb_line *kb_line_layout(struct kb_faces *faces, const char *text, size_t len,
                               const char *lang, enum kb_dir dir, int px, struct kb_error *err);
struct kb_line *kb_line_ref(struct kb_line *line);
void kb_line_unref(struct kb_line *line);

/* Lays out one paragraph in at most max_lines lines no wider than
 * max_width pixels, for the quote panel. Lines end at UAX #14 break
 * opportunities (libunibreak, in language lang; never inside a grapheme),
 * filled greedily with the advances of one layout of the whole paragraph
 * (the width of a byte range is the sum of the advances of the glyphs
 * whose cluster is in it, in any direction). Spaces at a break are
 * dropped. Each line is then laid out on its own with the paragraph's
 * resolved base direction, so each reads right by itself. A word wider
 * than max_width gets a line of its own and overflows it; if the text
 * needs more than max_lines lines, the last holds all the rest (the caller
 * scrolls it). text is raw as for kb_line_layout. Writes the lines, first
 * line first, to out (room for max_lines) and returns how many (at least
 * one, for empty text an empty line); the caller unrefs each. Returns 0
 * with err set on failure. */
size_t kb_line_wrap(struct kb_faces *faces, const char *text, size_t len, const char *lang,
                    enum kb_dir dir, int px, float max_width, size_t max_lines,
                    struct kb_line **out, struct kb_error *err);

/* The dumps (line_dump.c). The `kabar shape --json` form of a line
 * (docs/cli.md); the caller frees it. */
char *kb_line_to_json(const struct kb_line *line, const struct kb_fonts *fonts);
/* A human-readable dump of the same, for `kabar shape` without --json; caller frees. */
char *kb_line_to_text(const struct kb_line *line, const struct kb_fonts *fonts);

/* "ltr" / "rtl" / "auto" and back. */
const char *kb_dir_name(enum kb_dir dir);
bool kb_dir_parse(const char *s, enum kb_dir *out);

#endif
