/* Text hygiene for everything that comes from outside (SPOOL-FORMAT.md,
 * "Text hygiene"): strict UTF-8 validation, control characters removed,
 * white space collapsed, NFC, and bidi embeddings closed so one item can
 * never reorder what is drawn after it. Shared by spool/ (validation) and
 * text/ (kabar shape), so it lives below both. */
#ifndef KB_CORE_UTF8_H
#define KB_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True if s[0..len) is well-formed UTF-8 with no NUL, no surrogate and no
 * overlong form. Otherwise *bad_offset (if not NULL) is the byte offset of
 * the first bad sequence. */
bool kb_utf8_validate(const char *s, size_t len, size_t *bad_offset);

/* Cleans valid UTF-8 (call kb_utf8_validate first): C0/C1 controls other
 * than tab removed, tab and line breaks become spaces, runs of spaces
 * collapse to one, leading and trailing spaces go, the text is put in NFC,
 * and unterminated LRE/RLE/LRO/RLO/LRI/RLI/FSI are closed at the end.
 * Returns a new NUL-terminated string the caller frees; *out_len (if not
 * NULL) is its length in bytes. */
char *kb_text_clean(const char *s, size_t len, size_t *out_len);

/* Decodes one code point at s[*i] (valid UTF-8 assumed) and advances *i. */
uint32_t kb_utf8_next(const char *s, size_t len, size_t *i);
/* Number of code points in valid UTF-8. */
size_t kb_utf8_count(const char *s, size_t len);

#endif
