/* `kabar fonts TEXT`: which font draws each code point, as the layout
 * would choose it. */
#include "text/fonts.h"

#include <hb.h>
#include <stdlib.h>

#include "core/utf8.h"
#include "core/xmalloc.h"
#include "text/fallback.h"
#include "text/itemize.h"
#include "text/line_internal.h"

char *kb_fonts_report(struct kb_faces *faces, const char *text, size_t len, const char *lang,
                      size_t *uncovered)
{
    size_t bad = 0, missing = 0;
    if (!kb_utf8_validate(text, len, &bad)) {
        if (uncovered != NULL)
            *uncovered = 0;
        return kb_xasprintf("invalid UTF-8 at byte %zu\n", bad);
    }
    if (lang == NULL || *lang == '\0')
        lang = "und";
    size_t clean_len = 0;
    char *clean = kb_text_clean(text, len, &clean_len);
    struct kb_line_work w = {0};
    kb_line_decode(&w, clean, clean_len);
    kb_scripts_resolve(w.cps, w.n, w.scripts);
    kb_fallback_assign(faces, w.cps, w.n, w.scripts, lang, w.font);

    const struct kb_fonts *fonts = kb_faces_fonts(faces);
    size_t blen = 0, cap = 256;
    char *buf = kb_xmalloc(cap);
    buf[0] = '\0';
    for (size_t i = 0; i < w.n; i++) {
        char script[5];
        kb_script_name(hb_unicode_script(hb_unicode_funcs_get_default(), w.cps[i]), script);
        int bytes = (int)(w.byte_of[i + 1] - w.byte_of[i]);
        const char *shown = clean + w.byte_of[i];
        /* Invisible characters are named, not printed. */
        if (kb_fonts_ignorable(w.cps[i]) || w.cps[i] == ' ') {
            shown = "";
            bytes = 0;
        }
        int id = w.font[i];
        if (kb_fonts_ignorable(w.cps[i])) {
            kb_line_appendf(&buf, &blen, &cap,
                            "U+%04X %s (invisible; shaped with its neighbours)\n",
                            (unsigned)w.cps[i], script);
        } else if (id >= 0 && kb_faces_has_glyph(faces, id, w.cps[i])) {
            int face_index = 0;
            const char *path = kb_fonts_path(fonts, id, &face_index);
            kb_line_appendf(&buf, &blen, &cap, "U+%04X %.*s %s %s@%d\n", (unsigned)w.cps[i], bytes,
                            shown, script, path, face_index);
        } else {
            missing++;
            kb_line_appendf(&buf, &blen, &cap, "U+%04X %.*s %s no font covers U+%04X\n",
                            (unsigned)w.cps[i], bytes, shown, script, (unsigned)w.cps[i]);
        }
    }
    kb_line_work_free(&w);
    free(clean);
    if (uncovered != NULL)
        *uncovered = missing;
    return buf;
}
