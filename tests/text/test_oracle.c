/* libraqm as the oracle of kabar's own shaping.
 *
 * kabar shapes runs itself (src/text/shape.c) to keep HarfBuzz fonts
 * across layouts; libraqm 0.7, which it replaced, stays in the build only
 * here. Every golden case and every item of the demo spool is laid out
 * both ways with the same fonts per code point (kabar's fallback), the
 * same language and base direction, at two sizes in turn (so the cached
 * HarfBuzz fonts are rescaled between layouts) and with each base
 * direction, and the glyphs must agree: ids, fonts, clusters, visual
 * order, and advances and offsets to 0.01 px. */
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <raqm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/log.h"
#include "core/utf8.h"
#include "core/xmalloc.h"
#include "text/fallback.h"
#include "text/itemize.h"
#include "text/line_internal.h"

#define GOLDEN_DIR KB_TEST_SOURCE_DIR "/tests/text/golden"
#define SPOOL_DIR KB_TEST_SOURCE_DIR "/assets/demo-spool"
#define MAX_SAMPLES 256
#define TOLERANCE 0.01

struct sample {
    char name[160];
    char *text;
    char lang[64];
    enum kb_dir dir;
};

static struct kb_fonts *fonts;
static struct kb_faces *faces;
static struct sample samples[MAX_SAMPLES];
static size_t n_samples, n_golden, n_spool;

static void add_sample(const char *name, const char *text, const char *lang, enum kb_dir dir)
{
    if (n_samples == MAX_SAMPLES)
        return;
    struct sample *s = &samples[n_samples++];
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->text = kb_xstrdup(text);
    snprintf(s->lang, sizeof(s->lang), "%s", lang);
    s->dir = dir;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* The "text:", "lang:" and "dir:" lines of a golden case. */
static void load_golden(const char *path, const char *name)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char line[8192], text[8192] = "", lang[64] = "";
    enum kb_dir dir = KB_DIR_AUTO;
    while (fgets(line, sizeof(line), fp) != NULL && strcmp(line, "---\n") != 0) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "text: ", 6) == 0)
            snprintf(text, sizeof(text), "%s", line + 6);
        else if (strncmp(line, "lang: ", 6) == 0)
            snprintf(lang, sizeof(lang), "%.63s", line + 6);
        else if (strncmp(line, "dir: ", 5) == 0)
            assert_true(kb_dir_parse(line + 5, &dir));
    }
    fclose(fp);
    assert_true(text[0] != '\0' && lang[0] != '\0');
    add_sample(name, text, lang, dir);
    n_golden++;
}

static void load_spool_item(json_t *item, const char *file)
{
    const char *text = json_string_value(json_object_get(item, "text"));
    const char *lang = json_string_value(json_object_get(item, "lang"));
    const char *d = json_string_value(json_object_get(item, "dir"));
    enum kb_dir dir = KB_DIR_AUTO;
    if (text == NULL || lang == NULL)
        return;
    if (d != NULL)
        assert_true(kb_dir_parse(d, &dir));
    char name[160];
    snprintf(name, sizeof(name), "%s#%zu", file, n_spool);
    add_sample(name, text, lang, dir);
    n_spool++;
}

static void load_dir(const char *dir, const char *suffix, bool spool)
{
    struct dirent **list;
    int n = scandir(dir, &list, NULL, by_name);
    assert_true(n > 0);
    for (int i = 0; i < n; i++) {
        const char *d = list[i]->d_name;
        size_t len = strlen(d), sl = strlen(suffix);
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, d);
        if (len > sl && strcmp(d + len - sl, suffix) == 0) {
            if (!spool) {
                char name[160];
                snprintf(name, sizeof(name), "%.*s", (int)(len - sl), d);
                load_golden(path, name);
            } else {
                json_error_t jerr;
                json_t *root = json_load_file(path, 0, &jerr);
                assert_non_null(root);
                json_t *items = json_object_get(root, "items");
                if (json_is_array(items)) {
                    size_t k;
                    json_t *it;
                    json_array_foreach(items, k, it)
                    {
                        load_spool_item(it, d);
                    }
                } else {
                    load_spool_item(root, d);
                }
                json_decref(root);
            }
        }
        free(list[i]);
    }
    free(list);
}

static int setup(void **state)
{
    (void)state;
    struct kb_error err = {{0}};
    fonts = kb_fonts_new(KB_TEST_SOURCE_DIR "/fonts/chain.conf", &err);
    if (fonts == NULL) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    faces = kb_faces_new(fonts);
    return faces != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < n_samples; i++)
        free(samples[i].text);
    kb_faces_free(faces);
    kb_fonts_free(fonts);
    return 0;
}

struct para {
    char *clean;
    size_t len;
    size_t n;
    uint32_t *cps;
    uint32_t *byte_of;
    int *font;
};

static void para_make(struct para *p, const struct sample *s)
{
    p->clean = kb_text_clean(s->text, strlen(s->text), &p->len);
    p->n = kb_utf8_count(p->clean, p->len);
    p->cps = kb_xreallocarray(NULL, p->n + 1, sizeof(uint32_t));
    p->byte_of = kb_xreallocarray(NULL, p->n + 1, sizeof(uint32_t));
    p->font = kb_xreallocarray(NULL, p->n + 1, sizeof(int));
    hb_script_t *scripts = kb_xreallocarray(NULL, p->n + 1, sizeof(hb_script_t));
    size_t i = 0;
    for (size_t k = 0; k < p->n; k++) {
        p->byte_of[k] = (uint32_t)i;
        p->cps[k] = kb_utf8_next(p->clean, p->len, &i);
    }
    p->byte_of[p->n] = (uint32_t)p->len;
    kb_scripts_resolve(p->cps, p->n, scripts);
    kb_fallback_assign(faces, p->cps, p->n, scripts, s->lang, p->font);
    free(scripts);
}

static void para_free(struct para *p)
{
    free(p->clean);
    free(p->cps);
    free(p->byte_of);
    free(p->font);
}

static size_t n_compared_glyphs;

/* Lays out p both ways at px with base direction dir; returns true if the
 * glyphs agree (and says where they first differ if not). */
static bool agree(const struct sample *s, const struct para *p, enum kb_dir dir, int px)
{
    struct kb_error err = {{0}};
    struct kb_line *line = kb_line_layout_clean(faces, kb_xstrndup(p->clean, p->len), p->len,
                                                s->lang, dir, px, p->font, &err);
    assert_non_null(line);

    raqm_t *rq = raqm_create();
    assert_non_null(rq);
    assert_true(raqm_set_text(rq, p->cps, p->n));
    raqm_direction_t rd = dir == KB_DIR_RTL   ? RAQM_DIRECTION_RTL
                          : dir == KB_DIR_LTR ? RAQM_DIRECTION_LTR
                                              : RAQM_DIRECTION_DEFAULT;
    assert_true(raqm_set_par_direction(rq, rd));
    assert_true(raqm_set_language(rq, s->lang, 0, p->n));
    for (size_t start = 0, i = 1; i <= p->n; i++) {
        if (i == p->n || p->font[i] != p->font[start]) {
            FT_Face face = kb_faces_get(faces, p->font[start], px);
            assert_non_null(face);
            assert_true(raqm_set_freetype_face_range(rq, face, start, i - start));
            start = i;
        }
    }
    assert_true(raqm_layout(rq));
    size_t count = 0;
    raqm_glyph_t *rg = raqm_get_glyphs(rq, &count);
    assert_non_null(rg);

    bool ok = true;
    char why[256] = "";
    if (count != line->n_glyphs) {
        snprintf(why, sizeof(why), "libraqm gives %zu glyphs, kabar %zu", count, line->n_glyphs);
        ok = false;
    }
    for (size_t r = 0; ok && r < line->n_runs; r++) {
        const struct kb_run *run = &line->runs[r];
        FT_Face face = kb_faces_get(faces, run->font, px);
        float scale = kb_fonts_bitmap_scale(fonts, run->font, px);
        for (size_t k = run->first_glyph; ok && k < run->first_glyph + run->n_glyphs; k++) {
            const struct kb_glyph *g = &line->glyphs[k];
            const raqm_glyph_t *o = &rg[k];
            double dx = fabs(o->x_advance / 64.0 * scale - g->x_advance);
            double ox = fabs(o->x_offset / 64.0 * scale - g->x_offset);
            double oy = fabs(o->y_offset / 64.0 * scale - g->y_offset);
            if (o->index != g->id || o->ftface != face || o->cluster >= p->n + 1 ||
                p->byte_of[o->cluster] != g->cluster || dx > TOLERANCE || ox > TOLERANCE ||
                oy > TOLERANCE) {
                snprintf(why, sizeof(why),
                         "glyph %zu: libraqm %u@%u adv %.4f, kabar %u@%u adv %.4f%s", k, o->index,
                         o->cluster < p->n ? p->byte_of[o->cluster] : 0,
                         o->x_advance / 64.0 * scale, g->id, g->cluster, (double)g->x_advance,
                         o->ftface != face ? " (other font)" : "");
                ok = false;
            }
            n_compared_glyphs++;
        }
    }
    if (!ok)
        fprintf(stderr, "%s (%s, %d px): %s\n", s->name, kb_dir_name(dir), px, why);
    raqm_destroy(rq);
    kb_line_unref(line);
    return ok;
}

static void test_matches_libraqm(void **state)
{
    (void)state;
    load_dir(GOLDEN_DIR, ".txt", false);
    load_dir(SPOOL_DIR, ".json", true);
    assert_true(n_golden >= 30);
    assert_true(n_spool >= 20);

    static const enum kb_dir dirs[] = {KB_DIR_AUTO, KB_DIR_LTR, KB_DIR_RTL};
    static const int sizes[] = {64, 37};
    size_t layouts = 0, bad = 0;
    for (size_t i = 0; i < n_samples; i++) {
        struct para p;
        para_make(&p, &samples[i]);
        bool covered = true;
        for (size_t k = 0; k < p.n; k++)
            covered = covered && p.font[k] >= 0;
        assert_true(covered);
        /* The item's own direction at both sizes, then forced each way. */
        for (size_t z = 0; z < 2; z++) {
            bad += !agree(&samples[i], &p, samples[i].dir, sizes[z]);
            layouts++;
        }
        for (size_t d = 0; d < 3; d++) {
            if (dirs[d] == samples[i].dir)
                continue;
            bad += !agree(&samples[i], &p, dirs[d], sizes[d % 2]);
            layouts++;
        }
        para_free(&p);
    }
    printf("%zu golden cases and %zu spool items: %zu layouts, %zu glyphs compared with "
           "libraqm, %zu layouts differ\n",
           n_golden, n_spool, layouts, n_compared_glyphs, bad);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_libraqm),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    kb_log_shutdown();
    return rc;
}
