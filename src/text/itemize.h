/* Itemisation helpers shared by the line layout and its tests: bidi levels
 * (FriBidi), the visual order of level runs (UAX #9 rule L2), and scripts
 * per code point (HarfBuzz's Unicode data, Common and Inherited resolved
 * the way libraqm 0.7 resolves them, which kabar's shaping reproduces).
 * Internal to src/text and tests/text. */
#ifndef KB_TEXT_ITEMIZE_H
#define KB_TEXT_ITEMIZE_H

#include <hb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text/line.h"

/* Embedding levels of the paragraph cps[0..n) with base direction dir
 * (KB_DIR_AUTO: rules P2-P3, first strong character, else LTR), after rule
 * L1 (separators and trailing white space, isolates and removed characters
 * get the paragraph level). levels has n entries. Returns false if FriBidi
 * fails; else *resolved is the paragraph direction. */
bool kb_bidi_levels(const uint32_t *cps, size_t n, enum kb_dir dir, uint8_t *levels,
                    enum kb_dir *resolved);

/* Code points [start, start + len) of one embedding level. */
struct kb_level_run {
    size_t start, len;
    uint8_t level;
};

/* Splits levels[0..n) (after L1, as kb_bidi_levels gives them) into
 * maximal runs of one level and puts them in visual order, left to right
 * (rule L2: from the highest level down to the lowest odd level, reverse
 * every maximal sequence of runs at that level or higher). runs has room
 * for n entries; returns how many were written. */
size_t kb_bidi_visual_runs(const uint8_t *levels, size_t n, struct kb_level_run *runs);

/* True for characters rule X9 removes (embeddings, overrides, PDF, BN):
 * they have no level of their own and no place in the visual order. */
bool kb_bidi_removed(uint32_t cp);

/* Script of each code point; Common and Inherited take the script before
 * them (paired brackets take their opening bracket's), leading ones the
 * script after them, as libraqm 0.7 resolves them. */
void kb_scripts_resolve(const uint32_t *cps, size_t n, hb_script_t *scripts);

/* ISO 15924 tag of script into out (5 bytes). */
void kb_script_name(hb_script_t script, char out[5]);

#endif
