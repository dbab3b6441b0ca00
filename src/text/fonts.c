/* The font table: every font kabar may use, numbered in the order added. */
#define LOG_MODULE "text"

#include "text/fonts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xmalloc.h"
#include "kabar_build.h"
#include "text/fonts_internal.h"

/* Slots below count are complete: kb_fonts_append publishes count after
 * the slot, so other threads read the table without the lock. */
int kb_fonts_count(const struct kb_fonts *fonts)
{
    return __atomic_load_n(&fonts->count, __ATOMIC_ACQUIRE);
}

const char *kb_fonts_path(const struct kb_fonts *fonts, int id, int *face_index)
{
    if (id < 0 || id >= kb_fonts_count(fonts))
        return NULL;
    if (face_index != NULL)
        *face_index = fonts->fonts[id]->face_index;
    return fonts->fonts[id]->path;
}

bool kb_fonts_is_color(const struct kb_fonts *fonts, int id)
{
    if (id < 0 || id >= kb_fonts_count(fonts))
        return false;
    return fonts->fonts[id]->color;
}

/* The smallest strike at least px, else the largest, so bitmaps are
 * scaled down (sharper) rather than up where possible. */
int kb_fonts_pick_strike(const struct font *f, int px)
{
    int best = -1;
    for (int i = 0; i < f->n_strikes; i++) {
        if (f->strikes[i] >= px && (best < 0 || f->strikes[i] < f->strikes[best]))
            best = i;
    }
    if (best < 0) {
        best = 0;
        for (int i = 1; i < f->n_strikes; i++) {
            if (f->strikes[i] > f->strikes[best])
                best = i;
        }
    }
    return best;
}

float kb_fonts_bitmap_scale(const struct kb_fonts *fonts, int id, int px)
{
    if (id < 0 || id >= kb_fonts_count(fonts))
        return 1.0f;
    const struct font *f = fonts->fonts[id];
    if (!f->color || f->n_strikes == 0)
        return 1.0f;
    return (float)px / (float)f->strikes[kb_fonts_pick_strike(f, px)];
}

struct font *kb_fonts_probe(FT_Library lib, const char *path, int face_index)
{
    FT_Face face;
    if (FT_New_Face(lib, path, face_index, &face) != 0)
        return NULL;
    struct font *f = kb_xcalloc(1, sizeof(*f));
    f->path = kb_xstrdup(path);
    f->face_index = face_index;
    if (!FT_IS_SCALABLE(face) && face->num_fixed_sizes > 0) {
        f->color = FT_HAS_COLOR(face);
        for (int i = 0; i < face->num_fixed_sizes && f->n_strikes < KB_FONT_STRIKES_MAX; i++) {
            int ppem = (int)((face->available_sizes[i].y_ppem + 32) >> 6);
            if (ppem > 0)
                f->strikes[f->n_strikes++] = ppem;
        }
    }
    FT_Done_Face(face);
    return f;
}

static void font_free(struct font *f)
{
    if (f == NULL)
        return;
    free(f->path);
    free(f);
}

int kb_fonts_find(const struct kb_fonts *fonts, const char *path, int face_index)
{
    int n = kb_fonts_count(fonts);
    for (int i = 0; i < n; i++) {
        if (fonts->fonts[i]->face_index == face_index && strcmp(fonts->fonts[i]->path, path) == 0)
            return i;
    }
    return -1;
}

int kb_fonts_append(struct kb_fonts *fonts, struct font *f)
{
    int n = fonts->count;
    if (n >= KB_FONTS_MAX) {
        LOG_WARN_ONCE("fonts-full", "font table full (%d fonts); not adding %s", KB_FONTS_MAX,
                      f->path);
        font_free(f);
        return -1;
    }
    fonts->fonts[n] = f;
    __atomic_store_n(&fonts->count, n + 1, __ATOMIC_RELEASE);
    return n;
}

struct kb_fonts *kb_fonts_new(const char *chain_file, struct kb_error *err)
{
    struct kb_fonts *fonts = kb_xcalloc(1, sizeof(*fonts));
    pthread_mutex_init(&fonts->lock, NULL);
    if (!kb_chain_read(fonts, chain_file, err)) {
        kb_fonts_free(fonts);
        return NULL;
    }
    if (fonts->count == 0) {
        kb_error_set(err, "%s: no font in the chain could be opened", chain_file);
        kb_fonts_free(fonts);
        return NULL;
    }
    return fonts;
}

void kb_fonts_free(struct kb_fonts *fonts)
{
    if (fonts == NULL)
        return;
    for (int i = 0; i < fonts->count; i++)
        font_free(fonts->fonts[i]);
    for (size_t i = 0; i < fonts->n_chains; i++) {
        free(fonts->chains[i].lang);
        free(fonts->chains[i].ids);
    }
    free(fonts->chains);
    if (fonts->fc != NULL)
        FcConfigDestroy(fonts->fc);
    pthread_mutex_destroy(&fonts->lock);
    free(fonts);
}

const char *kb_fonts_default_chain(void)
{
    static const char src[] = KABAR_SOURCE_DIR "/fonts/chain.conf";
    /* A package has no source tree (KABAR_SOURCE_DIR is ""). */
    if (KABAR_SOURCE_DIR[0] != '\0' && access(src, R_OK) == 0)
        return src;
    return KABAR_DATA_DIR "/fonts/chain.conf";
}

/* Characters a font need not have: HarfBuzz hides them or uses them only
 * as context (joiners, variation selectors, bidi controls, tags). */
bool kb_fonts_ignorable(uint32_t cp)
{
    return cp == 0x200b || cp == 0x200c || cp == 0x200d || cp == 0x2060 || cp == 0xfeff ||
           cp == 0x034f || (cp >= 0x200e && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069) || (cp >= 0xfe00 && cp <= 0xfe0f) ||
           (cp >= 0xe0000 && cp <= 0xe0fff) || (cp >= 0x180b && cp <= 0x180f);
}
