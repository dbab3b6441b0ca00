#include "text/itemize.h"

#include <fribidi.h>
#include <stdlib.h>

#include "core/xmalloc.h"

bool kb_bidi_removed(uint32_t cp)
{
    FriBidiCharType t = fribidi_get_bidi_type(cp);
    return FRIBIDI_IS_EXPLICIT(t) || t == FRIBIDI_TYPE_BN;
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
    FriBidiCharType *types = kb_xreallocarray(NULL, n, sizeof(*types));
    FriBidiBracketType *brackets = kb_xreallocarray(NULL, n, sizeof(*brackets));
    FriBidiLevel *lv = kb_xreallocarray(NULL, n, sizeof(*lv));
    fribidi_get_bidi_types(cps, (FriBidiStrIndex)n, types);
    fribidi_get_bracket_types(cps, (FriBidiStrIndex)n, types, brackets);
    FriBidiLevel max =
        fribidi_get_par_embedding_levels_ex(types, brackets, (FriBidiStrIndex)n, &par, lv);
    bool ok = max != 0;
    if (ok) {
        FriBidiLevel base = FRIBIDI_DIR_TO_LEVEL(par);
        /* L1 part 4: white space and isolate controls at the end of the line
         * (FriBidi leaves this to fribidi_reorder_line, which we do not use:
         * libraqm reorders). */
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
    free(brackets);
    free(lv);
    return ok;
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
    int *stack_pair = kb_xreallocarray(NULL, n + 1, sizeof(int));
    hb_script_t *stack_script = kb_xreallocarray(NULL, n + 1, sizeof(hb_script_t));
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
    free(stack_script);
}

void kb_script_name(hb_script_t script, char out[5])
{
    hb_tag_to_string(hb_script_to_iso15924_tag(script), out);
    out[4] = '\0';
}
