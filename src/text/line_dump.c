/* The dumps of a laid-out line: `kabar shape --json` and the readable form
 * of `kabar shape` (docs/cli.md). */
#include "text/line.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/xmalloc.h"
#include "text/line_internal.h"

char *kb_line_to_json(const struct kb_line *line, const struct kb_fonts *fonts)
{
    json_t *root = json_object();
    json_object_set_new(root, "text", json_stringn(line->text, line->text_len));
    json_object_set_new(root, "lang", json_string(line->lang));
    json_object_set_new(root, "base_dir", json_string(kb_dir_name(line->base_dir)));
    json_object_set_new(root, "font_px", json_integer(line->px));
    json_object_set_new(root, "width", json_real(line->width));
    json_t *runs = json_array();
    for (size_t r = 0; r < line->n_runs; r++) {
        const struct kb_run *run = &line->runs[r];
        int face_index = 0;
        const char *path = kb_fonts_path(fonts, run->font, &face_index);
        json_t *jr = json_object();
        json_object_set_new(jr, "start", json_integer(run->start));
        json_object_set_new(jr, "end", json_integer(run->end));
        json_object_set_new(jr, "dir", json_string(kb_dir_name(run->dir)));
        json_object_set_new(jr, "script", json_string(run->script));
        json_object_set_new(jr, "lang", json_string(line->lang));
        json_object_set_new(jr, "font", path != NULL ? json_string(path) : json_null());
        json_object_set_new(jr, "face_index", json_integer(face_index));
        json_t *glyphs = json_array();
        for (size_t i = run->first_glyph; i < run->first_glyph + run->n_glyphs; i++) {
            const struct kb_glyph *g = &line->glyphs[i];
            json_t *jg = json_object();
            json_object_set_new(jg, "id", json_integer(g->id));
            json_object_set_new(jg, "cluster", json_integer(g->cluster));
            json_object_set_new(jg, "x_advance", json_real(g->x_advance));
            json_object_set_new(jg, "x_offset", json_real(g->x_offset));
            json_object_set_new(jg, "y_offset", json_real(g->y_offset));
            json_array_append_new(glyphs, jg);
        }
        json_object_set_new(jr, "glyphs", glyphs);
        json_array_append_new(runs, jr);
    }
    json_object_set_new(root, "runs", runs);
    char *s = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (s == NULL)
        return kb_xstrdup("{}");
    /* jansson allocates with malloc by default, so free() is right, but hand
     * back our own copy so the caller never depends on jansson's allocator. */
    char *out = kb_xasprintf("%s\n", s);
    free(s);
    return out;
}

void kb_line_appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0)
        return;
    if (*len + (size_t)need + 1 > *cap) {
        *cap = (*len + (size_t)need + 1) * 2;
        *buf = kb_xrealloc(*buf, *cap);
    }
    va_start(ap, fmt);
    vsnprintf(*buf + *len, *cap - *len, fmt, ap);
    va_end(ap);
    *len += (size_t)need;
}

char *kb_line_to_text(const struct kb_line *line, const struct kb_fonts *fonts)
{
    size_t len = 0, cap = 256;
    char *buf = kb_xmalloc(cap);
    buf[0] = '\0';
    kb_line_appendf(&buf, &len, &cap, "text: %s\n", line->text);
    kb_line_appendf(
        &buf, &len, &cap,
        "lang %s, base %s, %d px, width %.2f px, ascent %.2f, descent %.2f, %zu runs, %zu "
        "glyphs\n",
        line->lang, kb_dir_name(line->base_dir), line->px, (double)line->width,
        (double)line->ascent, (double)line->descent, line->n_runs, line->n_glyphs);
    for (size_t r = 0; r < line->n_runs; r++) {
        const struct kb_run *run = &line->runs[r];
        int face_index = 0;
        const char *path = kb_fonts_path(fonts, run->font, &face_index);
        kb_line_appendf(&buf, &len, &cap, "run %zu: bytes [%u, %u) %s %s \"%.*s\" %s@%d\n", r,
                        run->start, run->end, kb_dir_name(run->dir), run->script,
                        (int)(run->end - run->start), line->text + run->start,
                        path != NULL ? path : "?", face_index);
        for (size_t i = run->first_glyph; i < run->first_glyph + run->n_glyphs; i++) {
            const struct kb_glyph *g = &line->glyphs[i];
            kb_line_appendf(
                &buf, &len, &cap, "  glyph %u cluster %u advance %.2f offset %.2f,%.2f\n", g->id,
                g->cluster, (double)g->x_advance, (double)g->x_offset, (double)g->y_offset);
        }
    }
    return buf;
}
