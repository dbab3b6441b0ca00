/* Fonts fontconfig finds for what the chain lacks: a rare script, a
 * symbol. Each is added to the table once; a code point nothing covers is
 * remembered so fontconfig is not asked again. */
#define LOG_MODULE "text"

#include <stdlib.h>

#include "core/log.h"
#include "text/fonts_internal.h"

static bool fc_missed(const struct kb_fonts *fonts, uint32_t cp)
{
    for (size_t i = 0; i < fonts->n_fc_misses; i++) {
        if (fonts->fc_misses[i] == cp)
            return true;
    }
    return false;
}

int kb_fontconfig_find(struct kb_faces *faces, uint32_t cp, const char *lang)
{
    struct kb_fonts *fonts = kb_faces_fonts(faces);
    int id = -1;
    pthread_mutex_lock(&fonts->lock);
    if (fc_missed(fonts, cp) || fonts->fc_failed)
        goto done;
    if (fonts->fc == NULL) {
        fonts->fc = FcInitLoadConfigAndFonts();
        if (fonts->fc == NULL) {
            LOG_WARN("fontconfig cannot load its configuration; no fallback beyond the chain");
            fonts->fc_failed = true;
            goto done;
        }
    }
    FcPattern *pat = FcPatternCreate();
    FcCharSet *cs = FcCharSetCreate();
    FcCharSetAddChar(cs, cp);
    FcPatternAddCharSet(pat, FC_CHARSET, cs);
    if (lang != NULL && *lang != '\0')
        FcPatternAddString(pat, FC_LANG, (const FcChar8 *)lang);
    FcConfigSubstitute(fonts->fc, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcFontSet *set = FcFontSort(fonts->fc, pat, FcFalse, NULL, &res);
    for (int i = 0; set != NULL && i < set->nfont && id < 0; i++) {
        FcCharSet *fcs;
        FcChar8 *file;
        int index = 0;
        if (FcPatternGetCharSet(set->fonts[i], FC_CHARSET, 0, &fcs) != FcResultMatch ||
            !FcCharSetHasChar(fcs, cp) ||
            FcPatternGetString(set->fonts[i], FC_FILE, 0, &file) != FcResultMatch)
            continue;
        FcPatternGetInteger(set->fonts[i], FC_INDEX, 0, &index);
        int known = kb_fonts_find(fonts, (const char *)file, index);
        if (known >= 0) {
            /* Already in the table (a chain font lacking cp for this script,
             * or found before): usable only if it really has the glyph. */
            if (kb_faces_has_glyph(faces, known, cp))
                id = known;
            continue;
        }
        struct font *f = kb_fonts_probe(kb_faces_library(faces), (const char *)file, index);
        if (f == NULL)
            continue;
        f->from_fontconfig = true;
        id = kb_fonts_append(fonts, f);
        if (id >= 0 && !kb_faces_has_glyph(faces, id, cp))
            id = -1; /* added (it is a real font) but fontconfig's charset was wrong */
        else if (id >= 0)
            LOG_INFO("fontconfig: U+%04X falls to %s@%d", (unsigned)cp, (const char *)file, index);
    }
    if (set != NULL)
        FcFontSetDestroy(set);
    FcCharSetDestroy(cs);
    FcPatternDestroy(pat);
    if (id < 0) {
        if (fonts->n_fc_misses < KB_FC_MISSES_MAX)
            fonts->fc_misses[fonts->n_fc_misses++] = cp;
        LOG_WARN_ONCE("no-font", "no font covers U+%04X (further misses are not logged)",
                      (unsigned)cp);
    }
done:
    pthread_mutex_unlock(&fonts->lock);
    return id;
}
