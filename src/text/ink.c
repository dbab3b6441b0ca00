/* The ink of a laid-out line: how far the pixels of its glyphs reach above
 * and below the baseline, exactly as the atlas will draw them (the same
 * load flags, the same rounding, colour bitmaps scaled the same way). A
 * font's ascender and descender say where its designers expect most
 * glyphs to stay; stacked Javanese, Tibetan or Myanmar clusters and
 * Nastaliq's sloping words go far past them, so kabar places text by its
 * ink, never by those metrics. */
#define LOG_MODULE "text"

#include <math.h>
#include <string.h>

#include "text/line_internal.h"

/* Glyph boxes already measured on this thread, direct-mapped: a headline
 * is laid out again each round of the playlist, and loading a glyph (for
 * a colour emoji, decoding its PNG) costs far more than a lookup. */
#define INK_CACHE 4096

struct ink_entry {
    uint32_t glyph;
    int font, px; /* px 0: empty slot */
    int top, bottom;
};

static _Thread_local struct ink_entry ink_cache[INK_CACHE];

static size_t slot_of(int font, uint32_t glyph, int px)
{
    uint32_t h = glyph * 2654435761u ^ (uint32_t)font * 40503u ^ (uint32_t)px * 9176u;
    return h % INK_CACHE;
}

/* The box of one glyph: pixels above the baseline (top) and below it
 * (bottom), as FreeType would render it. False if it cannot be loaded. */
static bool glyph_box(struct kb_faces *faces, int font, uint32_t glyph, int px, int *top,
                      int *bottom)
{
    struct ink_entry *e = &ink_cache[slot_of(font, glyph, px)];
    if (e->px == px && e->font == font && e->glyph == glyph) {
        *top = e->top;
        *bottom = e->bottom;
        return true;
    }
    FT_Face face = kb_faces_get(faces, font, px);
    if (face == NULL)
        return false;
    bool color = kb_fonts_is_color(kb_faces_fonts(faces), font);
    FT_Int32 flags = color ? FT_LOAD_COLOR : (FT_LOAD_DEFAULT | FT_LOAD_TARGET_LIGHT);
    if (FT_Load_Glyph(face, glyph, flags) != 0)
        return false;
    /* FreeType presets an outline glyph's bitmap box at load (2.9.1 and
     * later): bitmap_top and rows are what FT_Render_Glyph will make. */
    const FT_GlyphSlot slot = face->glyph;
    double s = 1.0;
    if (slot->format == FT_GLYPH_FORMAT_BITMAP && slot->bitmap.pixel_mode == FT_PIXEL_MODE_BGRA &&
        face->size->metrics.y_ppem > 0)
        s = (double)px / face->size->metrics.y_ppem;
    int t = (int)floor(slot->bitmap_top * s);
    int h = (int)ceil(slot->bitmap.rows * s);
    if (h == 0 || slot->bitmap.width == 0) {
        t = 0;
        h = 0;
    }
    *e = (struct ink_entry){glyph, font, px, t, h - t};
    *top = t;
    *bottom = h - t;
    return true;
}

void kb_line_measure_ink(struct kb_line *line, struct kb_faces *faces)
{
    bool any = false;
    int top = 0, bottom = 0;
    for (size_t r = 0; r < line->n_runs; r++) {
        const struct kb_run *run = &line->runs[r];
        for (size_t k = 0; k < run->n_glyphs; k++) {
            const struct kb_glyph *g = &line->glyphs[run->first_glyph + k];
            int t, b;
            if (!glyph_box(faces, run->font, g->id, line->px, &t, &b) || t + b <= 0)
                continue;
            /* The batch draws a glyph lround(y_offset) above the baseline. */
            int dy = (int)lround(g->y_offset);
            if (!any || t + dy > top)
                top = t + dy;
            if (!any || b - dy > bottom)
                bottom = b - dy;
            any = true;
        }
    }
    line->ink_top = (float)top;
    line->ink_bottom = (float)bottom;
}
