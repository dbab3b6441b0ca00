#include "text/fallback.h"

#include <stdbool.h>
#include <stdlib.h>
#include <utf8proc.h>

#include "core/xmalloc.h"
#include "text/itemize.h"

struct grapheme {
    size_t start, end; /* code point indices [start, end) */
    int font;
    bool common; /* only Common/Inherited code points, and not an emoji */
};

static bool is_common(uint32_t cp)
{
    hb_script_t s = hb_unicode_script(hb_unicode_funcs_get_default(), cp);
    return s == HB_SCRIPT_COMMON || s == HB_SCRIPT_INHERITED || s == HB_SCRIPT_UNKNOWN;
}

/* Emoji_Presentation=Yes below U+1F000 (emoji-data.txt, Emoji 15.0): the
 * older pictographs that are colour emoji even without U+FE0F (⚽, ⛅, ⌚).
 * Most pictographs of U+2600..U+27BF are not here: they default to text. */
static const struct {
    uint32_t lo, hi;
} emoji_presentation_bmp[] = {
    {0x231a, 0x231b}, {0x23e9, 0x23ec}, {0x23f0, 0x23f0}, {0x23f3, 0x23f3}, {0x25fd, 0x25fe},
    {0x2614, 0x2615}, {0x2648, 0x2653}, {0x267f, 0x267f}, {0x2693, 0x2693}, {0x26a1, 0x26a1},
    {0x26aa, 0x26ab}, {0x26bd, 0x26be}, {0x26c4, 0x26c5}, {0x26ce, 0x26ce}, {0x26d4, 0x26d4},
    {0x26ea, 0x26ea}, {0x26f2, 0x26f3}, {0x26f5, 0x26f5}, {0x26fa, 0x26fa}, {0x26fd, 0x26fd},
    {0x2705, 0x2705}, {0x270a, 0x270b}, {0x2728, 0x2728}, {0x274c, 0x274c}, {0x274e, 0x274e},
    {0x2753, 0x2755}, {0x2757, 0x2757}, {0x2795, 0x2797}, {0x27b0, 0x27b0}, {0x27bf, 0x27bf},
    {0x2b1b, 0x2b1c}, {0x2b50, 0x2b50}, {0x2b55, 0x2b55},
};

static bool bmp_emoji_presentation(uint32_t cp)
{
    size_t lo = 0, hi = sizeof(emoji_presentation_bmp) / sizeof(emoji_presentation_bmp[0]);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < emoji_presentation_bmp[mid].lo)
            hi = mid;
        else if (cp > emoji_presentation_bmp[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

/* Emoji presentation, decided per grapheme: an explicit VS16, a keycap, a
 * flag, a skin tone, a ZWJ sequence of pictographs, a pictograph at
 * U+1F000 and up (nearly all of which default to emoji presentation), or
 * an older one whose default is emoji presentation (bmp_emoji_presentation).
 * VS15 asks for text presentation. */
static bool is_emoji(const uint32_t *cps, size_t n)
{
    if (n == 1 && cps[0] < 0x20e3)
        return false; /* the common case: a letter, digit or space alone */
    for (size_t i = 0; i < n; i++) {
        if (cps[i] == 0xfe0e)
            return false;
    }
    bool pict = false, zwj = false;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = cps[i];
        if (cp == 0xfe0f || cp == 0x20e3 || (cp >= 0x1f1e6 && cp <= 0x1f1ff) ||
            (cp >= 0x1f3fb && cp <= 0x1f3ff))
            return true;
        if (cp == 0x200d)
            zwj = true;
        if (utf8proc_get_property((utf8proc_int32_t)cp)->boundclass ==
            UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC) {
            pict = true;
            if (i == 0 && (cp >= 0x1f000 || bmp_emoji_presentation(cp)))
                return true;
        }
    }
    return pict && zwj;
}

static bool covers(struct kb_faces *faces, int id, const uint32_t *cps, size_t n)
{
    if (id < 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!kb_fonts_ignorable(cps[i]) && !kb_faces_has_glyph(faces, id, cps[i]))
            return false;
    }
    return true;
}

/* A neighbour's font a Common grapheme may share: not a bitmap colour font
 * (its digits and '#' are for keycaps, not for text). */
static bool shareable(struct kb_faces *faces, int id)
{
    return id >= 0 && !kb_fonts_is_color(kb_faces_fonts(faces), id);
}

/* Code points that are Other, Control or Extended_Pictographic (©, ®) for
 * grapheme breaking and never Extend, ZWJ, a Hangul jamo or a regional
 * indicator: between two of them there is always a boundary (GB4, GB5,
 * GB999) unless they are CR LF. Most text is made of them. */
static bool simple_break_class(uint32_t cp)
{
    return cp < 0x0300 || (cp >= 0x4e00 && cp <= 0x9fff);
}

/* Grapheme boundary between a and b. The fast path leaves utf8proc's state
 * at its start value, from which utf8proc takes the class of the code point
 * before the next pair, which is what the state would hold after a or b of
 * these classes anyway. */
static bool grapheme_break(uint32_t a, uint32_t b, utf8proc_int32_t *state)
{
    if (simple_break_class(a) && simple_break_class(b) && !(a == '\r' && b == '\n')) {
        *state = 0;
        return true;
    }
    return utf8proc_grapheme_break_stateful((utf8proc_int32_t)a, (utf8proc_int32_t)b, state);
}

static size_t segment(const uint32_t *cps, size_t n, struct grapheme *g)
{
    size_t count = 0, start = 0;
    utf8proc_int32_t state = 0;
    for (size_t i = 1; i <= n; i++) {
        if (i == n || grapheme_break(cps[i - 1], cps[i], &state)) {
            g[count].start = start;
            g[count].end = i;
            g[count].font = -1;
            g[count].common = false;
            count++;
            start = i;
        }
    }
    return count;
}

void kb_fallback_assign(struct kb_faces *faces, const uint32_t *cps, size_t n,
                        const hb_script_t *scripts, const char *lang, int *font)
{
    if (n == 0)
        return;
    struct grapheme *g = kb_xreallocarray(NULL, n, sizeof(*g));
    size_t ng = segment(cps, n, g);

    /* Graphemes with a script of their own, and emoji, first. */
    for (size_t k = 0; k < ng; k++) {
        const uint32_t *c = cps + g[k].start;
        size_t len = g[k].end - g[k].start;
        if (is_emoji(c, len)) {
            g[k].font = kb_faces_font_for_grapheme(faces, c, len, "Zyyy", lang, true);
            continue;
        }
        const uint32_t *real = NULL;
        for (size_t i = 0; i < len && real == NULL; i++) {
            if (!is_common(c[i]))
                real = &c[i];
        }
        if (real == NULL) {
            g[k].common = true;
            continue;
        }
        char script[5];
        kb_script_name(hb_unicode_script(hb_unicode_funcs_get_default(), *real), script);
        g[k].font = kb_faces_font_for_grapheme(faces, c, len, script, lang, false);
    }

    /* Common graphemes join a neighbour with a script of its own, so a
     * Latin word's font does not spread over the spaces and punctuation of
     * the Arabic text after it: the word before them, or for opening
     * brackets and quotes the word after them, else the other one, else the
     * chain of the script they resolved to. */
    for (size_t k = 0; k < ng; k++) {
        if (!g[k].common)
            continue;
        const uint32_t *c = cps + g[k].start;
        size_t len = g[k].end - g[k].start;
        int prev = -1, next = -1;
        for (size_t j = k; j-- > 0 && prev < 0;) {
            if (!g[j].common)
                prev = g[j].font;
        }
        for (size_t j = k + 1; j < ng && next < 0; j++) {
            if (!g[j].common)
                next = g[j].font;
        }
        utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)c[0]);
        if (cat == UTF8PROC_CATEGORY_PS || cat == UTF8PROC_CATEGORY_PI) {
            int t = prev;
            prev = next;
            next = t;
        }
        if (shareable(faces, prev) && covers(faces, prev, c, len)) {
            g[k].font = prev;
        } else if (shareable(faces, next) && covers(faces, next, c, len)) {
            g[k].font = next;
        } else {
            hb_script_t s = scripts[g[k].start];
            char script[5];
            kb_script_name(s == HB_SCRIPT_INHERITED ? HB_SCRIPT_COMMON : s, script);
            g[k].font = kb_faces_font_for_grapheme(faces, c, len, script, lang, false);
            /* A grapheme of ignorables only (a lone ZWJ) needs no glyph: keep
             * it with a neighbour so it does not split the range. */
            if (g[k].font < 0)
                g[k].font = k > 0 ? g[k - 1].font : next;
        }
    }

    for (size_t k = 0; k < ng; k++) {
        for (size_t i = g[k].start; i < g[k].end; i++)
            font[i] = g[k].font;
    }
    free(g);
}
