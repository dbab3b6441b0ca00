#include "text/itemize.h"

#include <fribidi.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

bool kb_bidi_removed(uint32_t cp)
{
    FriBidiCharType t = fribidi_get_bidi_type(cp);
    return FRIBIDI_IS_EXPLICIT(t) || t == FRIBIDI_TYPE_BN;
}

/* True when a paragraph that is not forced right-to-left resolves to level
 * 0 everywhere: nothing right-to-left (R, AL), no Arabic digits (AN, which
 * go to level 2 even in left-to-right text) and no explicit embedding,
 * override or isolate. Then the base direction is left-to-right (P2 finds
 * no strong R) and no rule raises a level, so FriBidi can be skipped: most
 * headlines are like this. */
static bool all_level_zero(const uint32_t *cps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (cps[i] < 0x0590)
            continue; /* Latin, Greek, Cyrillic and the ASCII controls: none of the above */
        FriBidiCharType t = fribidi_get_bidi_type(cps[i]);
        if (FRIBIDI_IS_RTL(t) || FRIBIDI_IS_ARABIC(t) || FRIBIDI_IS_EXPLICIT(t) ||
            FRIBIDI_IS_ISOLATE(t) || t == FRIBIDI_TYPE_AN)
            return false;
    }
    return true;
}

bool kb_bidi_levels(const uint32_t *cps, size_t n, enum kb_dir dir, uint8_t *levels,
                    enum kb_dir *resolved)
{
    FriBidiParType par = dir == KB_DIR_RTL   ? FRIBIDI_PAR_RTL
                         : dir == KB_DIR_LTR ? FRIBIDI_PAR_LTR
                                             : FRIBIDI_PAR_ON;
    if (n == 0) {
        *resolved = dir == KB_DIR_RTL ? KB_DIR_RTL : KB_DIR_LTR;
        return true;
    }
    if (dir != KB_DIR_RTL && all_level_zero(cps, n)) {
        memset(levels, 0, n);
        *resolved = KB_DIR_LTR;
        return true;
    }
    /* One block: types, brackets, levels. */
    FriBidiCharType *types = kb_xreallocarray(
        NULL, n, sizeof(FriBidiCharType) + sizeof(FriBidiBracketType) + sizeof(FriBidiLevel));
    FriBidiBracketType *brackets = (FriBidiBracketType *)(types + n);
    FriBidiLevel *lv = (FriBidiLevel *)(brackets + n);
    fribidi_get_bidi_types(cps, (FriBidiStrIndex)n, types);
    fribidi_get_bracket_types(cps, (FriBidiStrIndex)n, types, brackets);
    FriBidiLevel max =
        fribidi_get_par_embedding_levels_ex(types, brackets, (FriBidiStrIndex)n, &par, lv);
    bool ok = max != 0;
    if (ok) {
        FriBidiLevel base = FRIBIDI_DIR_TO_LEVEL(par);
        /* L1 part 4: white space and isolate controls at the end of the line
         * (FriBidi leaves this to fribidi_reorder_line, which we do not use:
         * kb_bidi_visual_runs reorders whole runs). */
        for (size_t i = n; i > 0; i--) {
            FriBidiCharType t = types[i - 1];
            if (!(FRIBIDI_IS_EXPLICIT_OR_BN_OR_WS(t) || FRIBIDI_IS_ISOLATE(t)))
                break;
            lv[i - 1] = base;
        }
        for (size_t i = 0; i < n; i++)
            levels[i] = (uint8_t)lv[i];
        *resolved = FRIBIDI_IS_RTL(par) ? KB_DIR_RTL : KB_DIR_LTR;
    }
    free(types);
    return ok;
}

static void reverse_runs(struct kb_level_run *runs, size_t from, size_t to)
{
    while (from + 1 < to) {
        struct kb_level_run t = runs[from];
        runs[from++] = runs[--to];
        runs[to] = t;
    }
}

size_t kb_bidi_visual_runs(const uint8_t *levels, size_t n, struct kb_level_run *runs)
{
    size_t count = 0;
    uint8_t max = 0, min_odd = UINT8_MAX;
    for (size_t i = 0; i < n; i++) {
        if (count == 0 || levels[i] != runs[count - 1].level)
            runs[count++] = (struct kb_level_run){i, 0, levels[i]};
        runs[count - 1].len++;
        if (levels[i] > max)
            max = levels[i];
        if ((levels[i] & 1) && levels[i] < min_odd)
            min_odd = levels[i];
    }
    for (unsigned level = max; level >= min_odd && level > 0; level--) {
        for (size_t i = 0; i < count;) {
            if (runs[i].level < level) {
                i++;
                continue;
            }
            size_t end = i;
            while (end < count && runs[end].level >= level)
                end++;
            reverse_runs(runs, i, end);
            i = end;
        }
    }
    return count;
}

/* Paired punctuation libraqm keeps in one script (opening, closing). */
static const uint32_t paired[] = {
    0x0028, 0x0029, 0x003c, 0x003e, 0x005b, 0x005d, 0x007b, 0x007d, 0x00ab, 0x00bb, 0x2018, 0x2019,
    0x201c, 0x201d, 0x2039, 0x203a, 0x3008, 0x3009, 0x300a, 0x300b, 0x300c, 0x300d, 0x300e, 0x300f,
    0x3010, 0x3011, 0x3014, 0x3015, 0x3016, 0x3017, 0x3018, 0x3019, 0x301a, 0x301b,
};

static int pair_index(uint32_t cp)
{
    size_t lo = 0, hi = sizeof(paired) / sizeof(paired[0]);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < paired[mid])
            hi = mid;
        else if (cp > paired[mid])
            lo = mid + 1;
        else
            return (int)mid;
    }
    return -1;
}

void kb_scripts_resolve(const uint32_t *cps, size_t n, hb_script_t *scripts)
{
    hb_unicode_funcs_t *uf = hb_unicode_funcs_get_default();
    /* Open brackets seen: pair index and the script they took. */
    int *stack_pair = kb_xreallocarray(NULL, n + 1, sizeof(int) + sizeof(hb_script_t));
    hb_script_t *stack_script = (hb_script_t *)(stack_pair + n + 1);
    size_t depth = 0;
    hb_script_t last = HB_SCRIPT_INVALID;
    /* Like libraqm, the first character always sets `last`, even when it is
     * Common itself; what is still Common at the end takes the script after. */
    bool started = false;

    for (size_t i = 0; i < n; i++) {
        hb_script_t s = hb_unicode_script(uf, cps[i]);
        if (started && s == HB_SCRIPT_COMMON) {
            int p = pair_index(cps[i]);
            if (p >= 0 && (p & 1) == 0) {
                s = last;
                stack_pair[depth] = p;
                stack_script[depth++] = s;
            } else if (p >= 0) {
                while (depth > 0 && stack_pair[depth - 1] != (p & ~1))
                    depth--;
                if (depth > 0)
                    last = stack_script[depth - 1];
                s = last;
            } else {
                s = last;
            }
        } else if (started && s == HB_SCRIPT_INHERITED) {
            s = last;
        } else {
            last = s;
            started = true;
        }
        scripts[i] = s;
    }
    /* Leading Common/Inherited take the script after them. */
    for (size_t i = n; i-- > 1;) {
        if (scripts[i - 1] == HB_SCRIPT_COMMON || scripts[i - 1] == HB_SCRIPT_INHERITED)
            scripts[i - 1] = scripts[i];
    }
    free(stack_pair);
}

void kb_script_name(hb_script_t script, char out[5])
{
    hb_tag_to_string(hb_script_to_iso15924_tag(script), out);
    out[4] = '\0';
}
