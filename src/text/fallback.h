/* Font fallback over a whole text: which font draws each code point.
 * Internal to src/text (the line layout and `kabar fonts`). */
#ifndef KB_TEXT_FALLBACK_H
#define KB_TEXT_FALLBACK_H

#include <hb.h>
#include <stddef.h>
#include <stdint.h>

#include "text/fonts.h"

/* Chooses a font per grapheme of cps[0..n) in language lang and writes its
 * id to font[i] for every code point i of the grapheme (-1 where no font
 * has it). scripts are the resolved scripts (kb_scripts_resolve). Graphemes
 * of a real script take their script's chain; emoji take the emoji chain;
 * Common and Inherited ones (spaces, digits, punctuation, joiners, tatweel)
 * stay with the font before them, else the one after them, when it has
 * them, so they never split a word between fonts. */
void kb_fallback_assign(struct kb_faces *faces, const uint32_t *cps, size_t n,
                        const hb_script_t *scripts, const char *lang, int *font);

#endif
