#define LOG_MODULE "text"

#include "text/line.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/utf8.h"
#include "core/xmalloc.h"
#include "text/fallback.h"
#include "text/itemize.h"
#include "text/line_internal.h"
#include "text/shape.h"

void kb_line_work_free(struct kb_line_work *w)
{
    free(w->cps); /* the one block kb_line_decode allocated */
}

/* One allocation for every per-code-point array: a headline is laid out
 * thousands of times an hour, and the arrays live and die together. */
void kb_line_decode(struct kb_line_work *w, const char *text, size_t len)
{
    w->n = kb_utf8_count(text, len);
    size_t m = w->n + 1;
    size_t each = sizeof(uint32_t) * 2 + sizeof(hb_script_t) + sizeof(int) + sizeof(uint8_t);
    w->cps = kb_xreallocarray(NULL, m, each);
    w->byte_of = w->cps + m;
    w->scripts = (hb_script_t *)(w->byte_of + m);
    w->font = (int *)(w->scripts + m);
    w->levels = (uint8_t *)(w->font + m);
    size_t i = 0, k = 0;
    while (i < len && k < w->n) {
        w->byte_of[k] = (uint32_t)i;
        w->cps[k++] = kb_utf8_next(text, len, &i);
    }
    w->n = k;
    w->byte_of[k] = (uint32_t)len;
}

static bool has_own_script(uint32_t cp)
{
    hb_script_t s = hb_unicode_script(hb_unicode_funcs_get_default(), cp);
    return s != HB_SCRIPT_COMMON && s != HB_SCRIPT_INHERITED && s != HB_SCRIPT_UNKNOWN;
}

/* The font whose metrics the line takes: that of its first character with a
 * script of its own (the language's main font, for a normal headline),
 * else the default chain's first font. Never a bitmap colour font, whose
 * strike metrics say little about text. */
static int primary_font(struct kb_faces *faces, const struct kb_line_work *w, const char *lang)
{
    const struct kb_fonts *fonts = kb_faces_fonts(faces);
    for (size_t i = 0; i < w->n; i++) {
        if (w->font[i] >= 0 && has_own_script(w->cps[i]) && !kb_fonts_is_color(fonts, w->font[i]))
            return w->font[i];
    }
    return kb_faces_first_font(faces, NULL, lang);
}

/* Opens and sizes every font the text uses. A font that cannot be opened is
 * replaced by the primary font (its characters become tofu, the line still
 * draws). Returns false if even the primary font cannot be opened. */
static bool prepare_faces(struct kb_faces *faces, struct kb_line_work *w, int primary, int px)
{
    if (kb_faces_get(faces, primary, px) == NULL)
        return false;
    int last = -1; /* a font just seen to open, to skip the lookup per code point */
    for (size_t i = 0; i < w->n; i++) {
        int id = w->font[i];
        if (id == last)
            continue;
        if (id < 0 || kb_faces_get(faces, id, px) == NULL)
            w->font[i] = primary;
        else
            last = id;
    }
    return true;
}

static float round4(float v)
{
    return (float)(round((double)v * 10000.0) / 10000.0);
}

static enum kb_dir level_dir(uint8_t level)
{
    return (level & 1) ? KB_DIR_RTL : KB_DIR_LTR;
}

/* Copies the shaped glyphs (visual order) into the line and groups them
 * into runs of one font, direction and script. */
static void collect(struct kb_line *line, struct kb_faces *faces, const struct kb_line_work *w,
                    const struct kb_shaped *sg, size_t count)
{
    const struct kb_fonts *fonts = kb_faces_fonts(faces);
    line->glyphs = kb_xreallocarray(NULL, count + 1, sizeof(struct kb_glyph));
    line->runs = kb_xreallocarray(NULL, count + 1, sizeof(struct kb_run));

    /* A run ends where the next cluster in logical order starts. */
    uint32_t *next_start = kb_xreallocarray(NULL, w->n + 1, sizeof(uint32_t) + sizeof(bool));
    bool *is_start = (bool *)(next_start + w->n + 1);
    memset(is_start, 0, w->n + 1);
    for (size_t i = 0; i < count; i++) {
        if (sg[i].cluster < w->n)
            is_start[sg[i].cluster] = true;
    }
    next_start[w->n] = (uint32_t)w->n;
    for (size_t i = w->n; i-- > 0;)
        next_start[i] = is_start[i + 1] || i + 1 == w->n ? (uint32_t)(i + 1) : next_start[i + 1];

    float width = 0, scale = 1.0f;
    int scale_font = -1;
    for (size_t i = 0; i < count; i++) {
        uint32_t c = sg[i].cluster < w->n ? sg[i].cluster : 0;
        if (sg[i].font != scale_font) {
            scale_font = sg[i].font;
            scale = kb_fonts_bitmap_scale(fonts, scale_font, line->px);
        }
        struct kb_glyph *g = &line->glyphs[i];
        g->id = sg[i].id;
        g->cluster = w->byte_of[c];
        g->x_advance = round4((float)sg[i].x_advance / 64.0f * scale);
        g->x_offset = round4((float)sg[i].x_offset / 64.0f * scale);
        g->y_offset = round4((float)sg[i].y_offset / 64.0f * scale);
        width += g->x_advance;
    }
    line->n_glyphs = count;
    line->width = round4(width);

    size_t nr = 0;
    uint32_t run_min = 0, run_max = 0;
    hb_script_t run_script = HB_SCRIPT_INVALID;
    for (size_t i = 0; i < count; i++) {
        uint32_t c = sg[i].cluster < w->n ? sg[i].cluster : 0;
        enum kb_dir d = level_dir(w->levels[c]);
        struct kb_run *r = nr > 0 ? &line->runs[nr - 1] : NULL;
        if (r == NULL || r->font != sg[i].font || r->dir != d || run_script != w->scripts[c]) {
            if (r != NULL) {
                r->start = w->byte_of[run_min];
                r->end = w->byte_of[next_start[run_max]];
            }
            r = &line->runs[nr++];
            memset(r, 0, sizeof(*r));
            r->dir = d;
            kb_script_name(w->scripts[c], r->script);
            run_script = w->scripts[c];
            r->font = sg[i].font;
            r->first_glyph = i;
            run_min = run_max = c;
        }
        r->n_glyphs++;
        if (c < run_min)
            run_min = c;
        if (c > run_max)
            run_max = c;
    }
    if (nr > 0) {
        line->runs[nr - 1].start = w->byte_of[run_min];
        line->runs[nr - 1].end = w->byte_of[next_start[run_max]];
    }
    line->n_runs = nr;
    free(next_start);
}

/* Raises the line's ascent and descent to those of font id at the line's size. */
static void take_metrics(struct kb_line *line, struct kb_faces *faces, int id)
{
    FT_Face face = kb_faces_get(faces, id, line->px);
    if (face == NULL || face->size == NULL)
        return;
    float scale = kb_fonts_bitmap_scale(kb_faces_fonts(faces), id, line->px);
    float ascent = round4((float)face->size->metrics.ascender / 64.0f * scale);
    float descent = round4((float)-face->size->metrics.descender / 64.0f * scale);
    if (ascent > line->ascent)
        line->ascent = ascent;
    if (descent > line->descent)
        line->descent = descent;
}

/* The line's ascent and descent: the largest of the primary font's and of
 * every font a run uses, so a tall script (Devanagari, Thai, Nastaliq) in
 * a Latin headline fits the box the line reports. */
static void metrics(struct kb_line *line, struct kb_faces *faces, int primary)
{
    take_metrics(line, faces, primary);
    int last = primary;
    for (size_t r = 0; r < line->n_runs; r++) {
        if (line->runs[r].font != last) {
            last = line->runs[r].font;
            take_metrics(line, faces, last);
        }
    }
}

struct kb_line *kb_line_layout_clean(struct kb_faces *faces, char *text, size_t len,
                                     const char *lang, enum kb_dir dir, int px, const int *fonts,
                                     struct kb_error *err)
{
    if (lang == NULL || *lang == '\0')
        lang = "und";
    struct kb_line *line = kb_xcalloc(1, sizeof(*line));
    line->text = text;
    line->text_len = len;
    snprintf(line->lang, sizeof(line->lang), "%s", lang);
    line->px = px;
    line->refs = 1;
    line->base_dir = dir == KB_DIR_RTL ? KB_DIR_RTL : KB_DIR_LTR;
    if (px <= 0 || px > 4096) {
        kb_error_set(err, "font size %d px is out of range", px);
        kb_line_unref(line);
        return NULL;
    }

    struct kb_line_work w = {0};
    kb_line_decode(&w, text, len);
    kb_scripts_resolve(w.cps, w.n, w.scripts);
    if (!kb_bidi_levels(w.cps, w.n, dir, w.levels, &line->base_dir)) {
        kb_error_set(err, "bidi resolution failed");
        goto fail;
    }
    if (fonts != NULL)
        memcpy(w.font, fonts, w.n * sizeof(int));
    else
        kb_fallback_assign(faces, w.cps, w.n, w.scripts, line->lang, w.font);

    int primary = primary_font(faces, &w, line->lang);
    if (primary < 0 || !prepare_faces(faces, &w, primary, px)) {
        kb_error_set(err, "no usable font");
        goto fail;
    }
    if (w.n > 0) {
        struct kb_para para = {
            .cps = w.cps,
            .n = w.n,
            .levels = w.levels,
            .scripts = w.scripts,
            .font = w.font,
            .lang = hb_language_from_string(line->lang, -1),
            .px = px,
        };
        size_t cap = w.n + 8;
        struct kb_shaped *sg = kb_xreallocarray(NULL, cap, sizeof(*sg));
        long count = kb_shape_paragraph(faces, &para, &sg, &cap);
        if (count < 0) {
            free(sg);
            kb_error_set(err, "text layout failed");
            goto fail;
        }
        collect(line, faces, &w, sg, (size_t)count);
        free(sg);
    }
    metrics(line, faces, primary);
    kb_line_measure_ink(line, faces);
    kb_line_work_free(&w);
    return line;

fail:
    kb_line_work_free(&w);
    kb_line_unref(line);
    return NULL;
}

struct kb_line *kb_line_layout(struct kb_faces *faces, const char *text, size_t len,
                               const char *lang, enum kb_dir dir, int px, struct kb_error *err)
{
    size_t bad = 0;
    if (!kb_utf8_validate(text, len, &bad)) {
        kb_error_set(err, "invalid UTF-8 at byte %zu", bad);
        return NULL;
    }
    size_t clean_len = 0;
    char *clean = kb_text_clean(text, len, &clean_len);
    return kb_line_layout_clean(faces, clean, clean_len, lang, dir, px, NULL, err);
}

struct kb_line *kb_line_ref(struct kb_line *line)
{
    if (line != NULL)
        __atomic_add_fetch(&line->refs, 1, __ATOMIC_RELAXED);
    return line;
}

void kb_line_unref(struct kb_line *line)
{
    if (line == NULL || __atomic_sub_fetch(&line->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    free(line->text);
    free(line->runs);
    free(line->glyphs);
    free(line);
}

const char *kb_dir_name(enum kb_dir dir)
{
    switch (dir) {
    case KB_DIR_LTR:
        return "ltr";
    case KB_DIR_RTL:
        return "rtl";
    default:
        return "auto";
    }
}

bool kb_dir_parse(const char *s, enum kb_dir *out)
{
    if (s == NULL)
        return false;
    if (strcmp(s, "auto") == 0)
        *out = KB_DIR_AUTO;
    else if (strcmp(s, "ltr") == 0)
        *out = KB_DIR_LTR;
    else if (strcmp(s, "rtl") == 0)
        *out = KB_DIR_RTL;
    else
        return false;
    return true;
}
