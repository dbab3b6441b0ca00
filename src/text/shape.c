#include "text/shape.h"

#include <stdlib.h>

#include "core/xmalloc.h"
#include "text/itemize.h"

struct sink {
    struct kb_shaped **glyphs;
    size_t *cap;
    size_t count;
};

/* Shapes code points [start, start + len) of p, all of one level, script
 * and font, and appends the glyphs (HarfBuzz's output order, which is
 * visual order for either direction). */
static bool shape_item(struct kb_faces *faces, const struct kb_para *p, size_t start, size_t len,
                       struct sink *out)
{
    int font = p->font[start];
    hb_font_t *hb = kb_faces_hb_font(faces, font, p->px);
    if (hb == NULL)
        return false;
    hb_buffer_t *buf = kb_faces_hb_buffer(faces);
    hb_buffer_clear_contents(buf);
    /* The whole paragraph goes in; HarfBuzz shapes [start, start + len) and
     * reads the rest as context, so joining and contextual forms see across
     * item (and font) boundaries. */
    hb_buffer_add_utf32(buf, p->cps, (int)p->n, (unsigned)start, (int)len);
    hb_buffer_set_direction(buf, (p->levels[start] & 1) ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
    hb_buffer_set_script(buf, p->scripts[start]);
    hb_buffer_set_language(buf, p->lang);
    hb_buffer_set_flags(buf, HB_BUFFER_FLAG_BOT | HB_BUFFER_FLAG_EOT);
    hb_buffer_set_cluster_level(buf, HB_BUFFER_CLUSTER_LEVEL_DEFAULT);
    hb_shape(hb, buf, NULL, 0);

    unsigned n = 0;
    const hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buf, &n);
    const hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buf, NULL);
    if (out->count + n > *out->cap) {
        *out->cap = (out->count + n) * 2;
        *out->glyphs = kb_xreallocarray(*out->glyphs, *out->cap, sizeof(struct kb_shaped));
    }
    struct kb_shaped *g = *out->glyphs + out->count;
    for (unsigned i = 0; i < n; i++) {
        g[i] = (struct kb_shaped){
            .id = info[i].codepoint,
            .cluster = info[i].cluster,
            .x_advance = pos[i].x_advance,
            .x_offset = pos[i].x_offset,
            .y_offset = pos[i].y_offset,
            .font = font,
        };
    }
    out->count += n;
    return true;
}

static bool same_item(const struct kb_para *p, size_t a, size_t b)
{
    return p->font[a] == p->font[b] && p->scripts[a] == p->scripts[b];
}

/* Splits one level run into items where font or script changes and shapes
 * them in visual order: a right-to-left run's items from its logical end. */
static bool shape_level_run(struct kb_faces *faces, const struct kb_para *p,
                            const struct kb_level_run *run, struct sink *out)
{
    size_t end = run->start + run->len;
    if ((run->level & 1) == 0) {
        for (size_t i = run->start; i < end;) {
            size_t j = i + 1;
            while (j < end && same_item(p, i, j))
                j++;
            if (!shape_item(faces, p, i, j - i, out))
                return false;
            i = j;
        }
        return true;
    }
    for (size_t j = end; j > run->start;) {
        size_t i = j - 1;
        while (i > run->start && same_item(p, i - 1, j - 1))
            i--;
        if (!shape_item(faces, p, i, j - i, out))
            return false;
        j = i;
    }
    return true;
}

long kb_shape_paragraph(struct kb_faces *faces, const struct kb_para *p, struct kb_shaped **glyphs,
                        size_t *cap)
{
    struct sink out = {glyphs, cap, 0};
    if (p->n == 0)
        return 0;
    struct kb_level_run stack[64];
    struct kb_level_run *runs =
        p->n <= 64 ? stack : kb_xreallocarray(NULL, p->n, sizeof(struct kb_level_run));
    size_t nr = kb_bidi_visual_runs(p->levels, p->n, runs);
    bool ok = true;
    for (size_t r = 0; r < nr && ok; r++)
        ok = shape_level_run(faces, p, &runs[r], &out);
    if (runs != stack)
        free(runs);
    return ok ? (long)out.count : -1;
}
