/* Fonts: the fallback chain and the faces.
 *
 * A kb_fonts is the table of fonts kabar may use: the chain read from a
 * chain file (fonts/chain.conf: search paths, then per script and language
 * an ordered list of font files), plus fonts fontconfig finds at run time
 * for what the chain lacks. Fonts are numbered from 0 in the order they are
 * added; a number never changes and is what a laid-out line stores. The
 * table is shared by threads (append-only, guarded by a mutex).
 *
 * FT_Face objects are not thread-safe, so each thread that needs faces
 * makes its own kb_faces from the shared kb_fonts: the ingest thread to
 * shape, the render thread to rasterise.
 *
 * The code: fonts.c (the table), chain.c (the chain file and the order
 * fonts are tried in), fontconfig.c (fonts for what the chain lacks),
 * faces.c (per-thread faces, the font for a grapheme), fonts_report.c
 * (`kabar fonts`). */
#ifndef KB_TEXT_FONTS_H
#define KB_TEXT_FONTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb.h>

#include "core/error.h"

struct kb_fonts;
struct kb_faces;

/* Reads the chain file. Fonts it names that are missing or unreadable are
 * logged once and skipped; start fails (NULL, err set) only if no font at
 * all can be opened. The caller frees with kb_fonts_free. */
struct kb_fonts *kb_fonts_new(const char *chain_file, struct kb_error *err);
void kb_fonts_free(struct kb_fonts *fonts);

/* The chain file kabar uses when none is configured: fonts/chain.conf in
 * the source tree, else in the installed data dir. Static string. */
const char *kb_fonts_default_chain(void);

/* Number of fonts in the table now (grows as fontconfig adds some). */
int kb_fonts_count(const struct kb_fonts *fonts);
/* File and face index of font number id; the strings live as long as fonts. */
const char *kb_fonts_path(const struct kb_fonts *fonts, int id, int *face_index);
/* True for a bitmap colour font (Noto Color Emoji): rasterise with
 * FT_LOAD_COLOR from its fixed strike, scaled to the line height. */
bool kb_fonts_is_color(const struct kb_fonts *fonts, int id);
/* How much a glyph of font id is scaled when drawn at px: 1 for a scalable
 * font; for a bitmap font, px / the y ppem of the strike kb_faces_get
 * selects for px (Noto Color Emoji: px / 109). kb_line_layout has already
 * multiplied such a font's advances and offsets by this factor; the render
 * layer scales the strike's bitmaps (and their bearings) by the same factor
 * so glyphs and advances agree. */
float kb_fonts_bitmap_scale(const struct kb_fonts *fonts, int id, int px);
/* True for code points a font need not have a glyph for (ZWJ, ZWNJ,
 * variation selectors, bidi controls, tags): HarfBuzz hides them or uses
 * them only as context. */
bool kb_fonts_ignorable(uint32_t cp);

/* Per-thread faces over a shared table. */
struct kb_faces *kb_faces_new(struct kb_fonts *fonts);
void kb_faces_free(struct kb_faces *faces);
struct kb_fonts *kb_faces_fonts(struct kb_faces *faces);
/* The FT_Face of font id, sized for px (pixel em size; for a bitmap font
 * the smallest strike of at least px, else the largest, is selected: see
 * kb_fonts_bitmap_scale). Owned by faces; its size changes when it is next
 * asked for at another px. NULL if it cannot open. */
FT_Face kb_faces_get(struct kb_faces *faces, int id, int px);
/* The HarfBuzz font of font id at px: hb-ft font functions over the
 * FT_Face kb_faces_get returns (which it sizes to px first), so advances
 * are FreeType's unhinted ones, exactly as libraqm made them. Made once per
 * face and thread: HarfBuzz parses the font's tables and caches its shape
 * plans in it once, not once per run. When the thread next asks for
 * another px the same font is rescaled (hb_ft_font_changed), so it is only
 * valid until kb_faces_get or kb_faces_hb_font is called for this id at
 * another px. Owned by faces; NULL if the font cannot open. */
hb_font_t *kb_faces_hb_font(struct kb_faces *faces, int id, int px);
/* A HarfBuzz buffer owned by faces, reused by every shaping on its thread. */
hb_buffer_t *kb_faces_hb_buffer(struct kb_faces *faces);
/* The FT_Library of this thread's faces. */
FT_Library kb_faces_library(struct kb_faces *faces);

/* The font that should draw code point cp in a text of language lang
 * (BCP 47) and script (ISO 15924, e.g. "Arab"; NULL to derive it from cp):
 * the first font of the chain for that script and language that has the
 * glyph, else one fontconfig finds (added to the table), else -1. */
int kb_faces_font_for(struct kb_faces *faces, uint32_t cp, const char *script, const char *lang);
/* The same for a whole grapheme cps[0..n): the first font that has every
 * code point of it (ignorables aside), else the first that has its base.
 * emoji puts the Zsye (emoji) chain first: the grapheme has emoji
 * presentation. Single code points are cached per thread. */
int kb_faces_font_for_grapheme(struct kb_faces *faces, const uint32_t *cps, size_t n,
                               const char *script, const char *lang, bool emoji);
/* True if font id has a glyph for cp (FT_Get_Char_Index). */
bool kb_faces_has_glyph(struct kb_faces *faces, int id, uint32_t cp);
/* The first usable font of the chain for script (NULL: the default chain)
 * in lang; -1 if none can be opened. Used for a line's metrics. */
int kb_faces_first_font(struct kb_faces *faces, const char *script, const char *lang);

/* (fonts_report.c) For `kabar fonts [--lang TAG] TEXT`: after hygiene, one line per code
 * point, "U+XXXX <char> <script> <font file>@<face index>", or "... no font
 * covers U+XXXX" for one no font has (fontconfig included), as the layout
 * would choose them in language lang (BCP 47; NULL for none). Invalid UTF-8
 * gives a one-line message. *uncovered (if not NULL) is the number of code
 * points no font covers. The caller frees the string. */
char *kb_fonts_report(struct kb_faces *faces, const char *text, size_t len, const char *lang,
                      size_t *uncovered);

#endif
