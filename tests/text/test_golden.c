/* Golden shaping traces and what must hold for every one of them.
 *
 * tests/text/golden/NAME.txt holds one case: comment lines ("# ..."), then
 * "text: ", "lang: " and "dir: " lines, a "---" line, and the expected
 * `kabar shape --json` dump of the text laid out at GOLDEN_PX. Run with
 * KABAR_UPDATE_GOLDEN=1 to rewrite the dumps from the current code (then
 * look at what changed before committing).
 *
 * Beyond the dumps: no case has a .notdef glyph; every run agrees with
 * hb-shape run on the same font, direction, script, language and context;
 * Noto CJK's locl gives zh-Hans and ja different glyphs from one face;
 * Arabic joining survives a font change inside a word. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/log.h"
#include "core/xmalloc.h"
#include "text/line.h"
#include "text/line_internal.h"

#define GOLDEN_DIR KB_TEST_SOURCE_DIR "/tests/text/golden"
#define GOLDEN_PX 64
#define MAX_CASES 128

struct golden {
    char name[128];
    char path[512];
    char *header; /* everything up to and including the "---" line */
    char *text;
    char lang[64];
    enum kb_dir dir;
    char *expected; /* the dump part */
    struct kb_line *line;
};

static struct kb_fonts *fonts;
static struct kb_faces *faces;
static struct golden cases[MAX_CASES];
static size_t n_cases;

static char *read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = kb_xmalloc(cap);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len - 1, fp)) > 0) {
        len += got;
        if (cap - len < 2) {
            cap *= 2;
            buf = kb_xrealloc(buf, cap);
        }
    }
    fclose(fp);
    buf[len] = '\0';
    return buf;
}

static bool parse_golden(struct golden *g, char *content)
{
    char *sep = strstr(content, "\n---\n");
    if (sep == NULL)
        return false;
    g->header = kb_xstrndup(content, (size_t)(sep - content) + 5);
    g->expected = kb_xstrdup(sep + 5);
    char *save = NULL;
    bool have_dir = false;
    for (char *l = strtok_r(content, "\n", &save); l != NULL && l < sep;
         l = strtok_r(NULL, "\n", &save)) {
        if (strncmp(l, "text: ", 6) == 0)
            g->text = kb_xstrdup(l + 6);
        else if (strncmp(l, "lang: ", 6) == 0)
            snprintf(g->lang, sizeof(g->lang), "%s", l + 6);
        else if (strncmp(l, "dir: ", 5) == 0)
            have_dir = kb_dir_parse(l + 5, &g->dir);
    }
    return g->text != NULL && g->lang[0] != '\0' && have_dir;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
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
    struct dirent **list;
    int n = scandir(GOLDEN_DIR, &list, NULL, by_name);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        const char *d = list[i]->d_name;
        size_t len = strlen(d);
        if (len > 4 && strcmp(d + len - 4, ".txt") == 0 && n_cases < MAX_CASES) {
            struct golden *g = &cases[n_cases];
            snprintf(g->name, sizeof(g->name), "%.*s", (int)(len - 4), d);
            snprintf(g->path, sizeof(g->path), "%s/%s", GOLDEN_DIR, d);
            char *content = read_file(g->path);
            if (content == NULL || !parse_golden(g, content)) {
                fprintf(stderr, "%s: cannot parse\n", g->path);
                free(content);
                return -1;
            }
            free(content);
            g->line =
                kb_line_layout(faces, g->text, strlen(g->text), g->lang, g->dir, GOLDEN_PX, &err);
            if (g->line == NULL) {
                fprintf(stderr, "%s: %s\n", g->path, err.msg);
                return -1;
            }
            n_cases++;
        }
        free(list[i]);
    }
    free(list);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < n_cases; i++) {
        kb_line_unref(cases[i].line);
        free(cases[i].header);
        free(cases[i].text);
        free(cases[i].expected);
    }
    kb_faces_free(faces);
    kb_fonts_free(fonts);
    return 0;
}

static void test_golden_traces(void **state)
{
    (void)state;
    bool update = getenv("KABAR_UPDATE_GOLDEN") != NULL;
    size_t failed = 0;
    for (size_t i = 0; i < n_cases; i++) {
        struct golden *g = &cases[i];
        char *json = kb_line_to_json(g->line, fonts);
        if (update) {
            FILE *fp = fopen(g->path, "w");
            assert_non_null(fp);
            fputs(g->header, fp);
            fputs(json, fp);
            fclose(fp);
        } else if (strcmp(json, g->expected) != 0) {
            fprintf(stderr, "golden %s differs; got:\n%s", g->name, json);
            failed++;
        }
        free(json);
    }
    printf("%zu golden cases%s\n", n_cases, update ? " rewritten" : " checked");
    assert_true(n_cases >= 30);
    assert_int_equal(failed, 0);
}

static void test_no_notdef(void **state)
{
    (void)state;
    for (size_t i = 0; i < n_cases; i++) {
        const struct kb_line *l = cases[i].line;
        assert_true(l->n_glyphs > 0);
        for (size_t k = 0; k < l->n_glyphs; k++) {
            if (l->glyphs[k].id == 0)
                fprintf(stderr, "%s: glyph %zu (cluster %u) is .notdef\n", cases[i].name, k,
                        l->glyphs[k].cluster);
            assert_int_not_equal(l->glyphs[k].id, 0);
        }
    }
}

/* Every glyph of every run lies in [start, end) of its run, runs tile the
 * glyph array, and the width is the sum of the advances. */
static void test_line_invariants(void **state)
{
    (void)state;
    for (size_t i = 0; i < n_cases; i++) {
        const struct kb_line *l = cases[i].line;
        size_t next = 0;
        double w = 0;
        for (size_t r = 0; r < l->n_runs; r++) {
            const struct kb_run *run = &l->runs[r];
            assert_int_equal(run->first_glyph, next);
            next += run->n_glyphs;
            assert_true(run->start < run->end && run->end <= l->text_len);
            for (size_t k = run->first_glyph; k < next; k++) {
                assert_true(l->glyphs[k].cluster >= run->start);
                assert_true(l->glyphs[k].cluster < run->end);
                w += l->glyphs[k].x_advance;
            }
        }
        assert_int_equal(next, l->n_glyphs);
        assert_true(w - l->width < 0.01 && l->width - w < 0.01);
        assert_true(l->ascent > 0 && l->descent > 0);
    }
}

static const struct golden *find_case(const char *name)
{
    for (size_t i = 0; i < n_cases; i++) {
        if (strcmp(cases[i].name, name) == 0)
            return &cases[i];
    }
    fail_msg("no golden case %s", name);
    return NULL;
}

/* Digits keep their logical order inside RTL text: in 'مرحبا 2025' the
 * glyphs of "2025" appear left to right in logical order, left of the
 * Arabic word. */
static void test_digits_in_rtl(void **state)
{
    (void)state;
    const struct kb_line *l = find_case("ar_digits")->line;
    assert_int_equal(l->base_dir, KB_DIR_RTL);
    const char *digits = strstr(l->text, "2025");
    assert_non_null(digits);
    uint32_t at = (uint32_t)(digits - l->text);
    size_t k = 0;
    while (k < l->n_glyphs && l->glyphs[k].cluster != at)
        k++;
    assert_true(k + 3 < l->n_glyphs);
    for (uint32_t d = 1; d < 4; d++)
        assert_int_equal(l->glyphs[k + d].cluster, at + d);
    /* The Arabic word (cluster 0) is the rightmost glyph. */
    assert_int_equal(l->glyphs[l->n_glyphs - 1].cluster, 0);
}

static struct kb_line *layout(const char *text, const char *lang)
{
    struct kb_error err = {{0}};
    struct kb_line *l =
        kb_line_layout(faces, text, strlen(text), lang, KB_DIR_AUTO, GOLDEN_PX, &err);
    assert_non_null(l);
    return l;
}

static void test_locl_cjk(void **state)
{
    (void)state;
    struct kb_line *zh = layout("直骨", "zh-Hans");
    struct kb_line *ja = layout("直骨", "ja");
    assert_int_equal(zh->n_runs, 1);
    assert_int_equal(ja->n_runs, 1);
    int zi = -1, ji = -2;
    const char *zp = kb_fonts_path(fonts, zh->runs[0].font, &zi);
    const char *jp = kb_fonts_path(fonts, ja->runs[0].font, &ji);
    assert_string_equal(zp, jp);
    assert_int_equal(zi, ji);
    assert_int_equal(zh->n_glyphs, 2);
    assert_int_equal(ja->n_glyphs, 2);
    for (size_t k = 0; k < 2; k++) {
        assert_int_not_equal(zh->glyphs[k].id, 0);
        assert_int_not_equal(zh->glyphs[k].id, ja->glyphs[k].id);
    }
    kb_line_unref(zh);
    kb_line_unref(ja);
}

static int font_id(const char *file)
{
    for (int i = 0; i < kb_fonts_count(fonts); i++) {
        const char *p = kb_fonts_path(fonts, i, NULL);
        if (strstr(p, file) != NULL)
            return i;
    }
    fail_msg("font %s not in the table", file);
    return -1;
}

/* Lays out clean text with one font per code point. */
static struct kb_line *layout_fonts(const char *text, const int *f)
{
    struct kb_error err = {{0}};
    struct kb_line *l = kb_line_layout_clean(faces, kb_xstrdup(text), strlen(text), "ar",
                                             KB_DIR_AUTO, GOLDEN_PX, f, &err);
    assert_non_null(l);
    return l;
}

static uint32_t glyph_at(const struct kb_line *l, uint32_t cluster)
{
    for (size_t k = 0; k < l->n_glyphs; k++) {
        if (l->glyphs[k].cluster == cluster)
            return l->glyphs[k].id;
    }
    fail_msg("no glyph at cluster %u", cluster);
    return 0;
}

/* A tatweel or ZWJ drawn by another font than the letters around it must
 * not break their joining: each run is shaped with the whole text as
 * context. */
static void test_joining_across_fonts(void **state)
{
    (void)state;
    int naskh = font_id("NotoNaskhArabic-Regular");
    int sans = font_id("NotoSansArabic-Regular");
    /* beh, tatweel, beh: bytes 0, 2, 4. */
    const char *bt = "\xd8\xa8\xd9\x80\xd8\xa8";
    int same[] = {naskh, naskh, naskh};
    int split[] = {naskh, sans, naskh};
    struct kb_line *joined = layout_fonts(bt, same);
    struct kb_line *crossed = layout_fonts(bt, split);
    struct kb_line *alone = layout_fonts("\xd8\xa8", same);
    uint32_t isolated = glyph_at(alone, 0);
    assert_int_equal(crossed->n_runs, 3);
    assert_int_not_equal(glyph_at(crossed, 0), isolated);
    assert_int_not_equal(glyph_at(crossed, 4), isolated);
    assert_int_equal(glyph_at(crossed, 0), glyph_at(joined, 0)); /* initial */
    assert_int_equal(glyph_at(crossed, 4), glyph_at(joined, 4)); /* final */
    assert_int_not_equal(glyph_at(crossed, 0), glyph_at(crossed, 4));

    /* beh, ZWJ in another font, space, beh: the first beh still joins. */
    const char *bz = "\xd8\xa8\xe2\x80\x8d \xd8\xa8";
    int zsplit[] = {naskh, sans, naskh, naskh};
    struct kb_line *zwj = layout_fonts(bz, zsplit);
    assert_int_equal(glyph_at(zwj, 0), glyph_at(joined, 0));
    assert_int_equal(glyph_at(zwj, 6), isolated);
    kb_line_unref(joined);
    kb_line_unref(crossed);
    kb_line_unref(alone);
    kb_line_unref(zwj);
}

/* Runs a program and returns what it wrote to stdout (NULL on failure). */
static char *capture(char *const argv[])
{
    int fd[2];
    if (pipe(fd) != 0)
        return NULL;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        /* hb-shape echoes some context lines on stderr: keep the log clean. */
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, 2);
        close(fd[0]);
        close(fd[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    size_t cap = 4096, len = 0;
    char *buf = kb_xmalloc(cap);
    ssize_t got;
    while ((got = read(fd[0], buf + len, cap - len - 1)) > 0) {
        len += (size_t)got;
        if (cap - len < 2) {
            cap *= 2;
            buf = kb_xrealloc(buf, cap);
        }
    }
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    buf[len] = '\0';
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* One run through hb-shape with the text around it as context; compares
 * glyph ids and clusters. Returns the number of mismatching runs (0/1). */
static int check_run_with_hb_shape(const struct golden *g, size_t r)
{
    const struct kb_line *l = g->line;
    const struct kb_run *run = &l->runs[r];
    int face_index = 0;
    const char *path = kb_fonts_path(fonts, run->font, &face_index);
    char a_font[600], a_face[32], a_dir[32], a_lang[96], a_script[32], a_size[32];
    snprintf(a_font, sizeof(a_font), "--font-file=%s", path);
    snprintf(a_face, sizeof(a_face), "--face-index=%d", face_index);
    snprintf(a_dir, sizeof(a_dir), "--direction=%s", kb_dir_name(run->dir));
    snprintf(a_lang, sizeof(a_lang), "--language=%s", l->lang);
    snprintf(a_script, sizeof(a_script), "--script=%s", run->script);
    snprintf(a_size, sizeof(a_size), "--font-size=%d", l->px);
    char *before = kb_xasprintf("--text-before=%.*s", (int)run->start, l->text);
    char *after = kb_xasprintf("--text-after=%s", l->text + run->end);
    char *text = kb_xasprintf("--text=%.*s", (int)(run->end - run->start), l->text + run->start);
    char *argv[] = {"hb-shape",
                    a_font,
                    a_face,
                    a_dir,
                    a_lang,
                    a_script,
                    a_size,
                    before,
                    after,
                    text,
                    "--no-glyph-names",
                    "--output-format=json",
                    "--utf8-clusters",
                    NULL};
    char *out = capture(argv);
    free(before);
    free(after);
    free(text);
    assert_non_null(out);
    json_error_t jerr;
    json_t *arr = json_loads(out, 0, &jerr);
    free(out);
    assert_non_null(arr);
    int bad = 0;
    if (json_array_size(arr) != run->n_glyphs) {
        fprintf(stderr, "%s run %zu: hb-shape gives %zu glyphs, kabar %zu\n", g->name, r,
                json_array_size(arr), run->n_glyphs);
        bad = 1;
    }
    for (size_t k = 0; !bad && k < run->n_glyphs; k++) {
        json_t *jg = json_array_get(arr, k);
        json_int_t id = json_integer_value(json_object_get(jg, "g"));
        json_int_t cl = json_integer_value(json_object_get(jg, "cl"));
        const struct kb_glyph *gl = &l->glyphs[run->first_glyph + k];
        if ((uint32_t)id != gl->id || (uint32_t)cl + run->start != gl->cluster) {
            fprintf(stderr, "%s run %zu glyph %zu: hb-shape %lld@%lld, kabar %u@%u\n", g->name, r,
                    k, (long long)id, (long long)cl + run->start, gl->id, gl->cluster);
            bad = 1;
        }
    }
    json_decref(arr);
    return bad;
}

static void test_agrees_with_hb_shape(void **state)
{
    (void)state;
    char *probe[] = {"hb-shape", "--version", NULL};
    char *v = capture(probe);
    if (v == NULL)
        skip();
    free(v);
    int bad = 0, runs = 0;
    for (size_t i = 0; i < n_cases; i++) {
        for (size_t r = 0; r < cases[i].line->n_runs; r++) {
            bad += check_run_with_hb_shape(&cases[i], r);
            runs++;
        }
    }
    printf("%d runs compared with hb-shape, %d differ\n", runs, bad);
    assert_int_equal(bad, 0);
}

static void test_emoji_scaled(void **state)
{
    (void)state;
    int emoji = font_id("NotoColorEmoji");
    assert_true(kb_fonts_is_color(fonts, emoji));
    float s = kb_fonts_bitmap_scale(fonts, emoji, GOLDEN_PX);
    assert_true(s > 0.58f && s < 0.59f); /* 64 / 109 */
    assert_true(kb_fonts_bitmap_scale(fonts, font_id("NotoSans-Regular"), GOLDEN_PX) == 1.0f);
    const struct kb_line *l = find_case("emoji_flags")->line;
    for (size_t r = 0; r < l->n_runs; r++) {
        if (l->runs[r].font != emoji)
            continue;
        for (size_t k = 0; k < l->runs[r].n_glyphs; k++) {
            float adv = l->glyphs[l->runs[r].first_glyph + k].x_advance;
            /* About 1.25 em (the font's 2550/2048 advance), not 109 ppem's 136 px. */
            assert_true(adv > GOLDEN_PX * 1.1f && adv < GOLDEN_PX * 1.4f);
        }
    }
}

/* Older pictographs whose default is emoji presentation (⛅ U+26C5, ⚽
 * U+26BD) take the colour font without U+FE0F; U+FE0E keeps them text, and
 * one whose default is text (☀ U+2600) stays text. */
static void test_emoji_presentation(void **state)
{
    (void)state;
    int emoji = font_id("NotoColorEmoji");
    struct kb_line *cloud = layout("Cerah berawan \xe2\x9b\x85 di London", "id");
    struct kb_line *ball = layout("\xe2\x9a\xbd", "en");
    struct kb_line *text = layout("\xe2\x9b\x85\xef\xb8\x8e", "en");
    struct kb_line *sun = layout("\xe2\x98\x80", "en");
    const char *at = strstr(cloud->text, "\xe2\x9b\x85");
    assert_non_null(at);
    bool found = false;
    for (size_t r = 0; r < cloud->n_runs; r++) {
        const struct kb_run *run = &cloud->runs[r];
        if (run->start <= (uint32_t)(at - cloud->text) && (uint32_t)(at - cloud->text) < run->end) {
            assert_int_equal(run->font, emoji);
            found = true;
        } else {
            assert_int_not_equal(run->font, emoji);
        }
    }
    assert_true(found);
    assert_int_equal(ball->n_runs, 1);
    assert_int_equal(ball->runs[0].font, emoji);
    assert_int_not_equal(ball->glyphs[0].id, 0);
    assert_int_not_equal(text->runs[0].font, emoji);
    assert_int_not_equal(sun->runs[0].font, emoji);
    kb_line_unref(cloud);
    kb_line_unref(ball);
    kb_line_unref(text);
    kb_line_unref(sun);
}

/* A line's ascent and descent cover every font in it: Devanagari in an
 * English headline raises them to the Devanagari font's. */
static void test_metrics_cover_fonts(void **state)
{
    (void)state;
    struct kb_line *latin = layout("Monsoon", "en");
    struct kb_line *mixed = layout(
        "Monsoon \xe0\xa4\xae\xe0\xa4\xbe\xe0\xa4\xa8\xe0\xa4\xb8\xe0\xa5\x82\xe0\xa4\xa8", "en");
    struct kb_line *deva =
        layout("\xe0\xa4\xae\xe0\xa4\xbe\xe0\xa4\xa8\xe0\xa4\xb8\xe0\xa5\x82\xe0\xa4\xa8", "hi");
    assert_true(mixed->ascent >= latin->ascent && mixed->ascent >= deva->ascent);
    assert_true(mixed->descent >= latin->descent && mixed->descent >= deva->descent);
    assert_true(mixed->descent > latin->descent || mixed->ascent > latin->ascent);
    kb_line_unref(latin);
    kb_line_unref(mixed);
    kb_line_unref(deva);
}

static void test_fonts_report(void **state)
{
    (void)state;
    size_t uncovered = 99;
    const char *t = "a\xd9\x85\xf4\x8f\xbf\xbd";
    char *r = kb_fonts_report(faces, t, strlen(t), "ar", &uncovered);
    assert_int_equal(uncovered, 1);
    assert_non_null(strstr(r, "U+0061 a Latn "));
    assert_non_null(strstr(r, "NotoNaskhArabic-Regular.ttf@0"));
    assert_non_null(strstr(r, "no font covers U+10FFFD"));
    free(r);
    r = kb_fonts_report(faces, "ok", 2, NULL, &uncovered);
    assert_int_equal(uncovered, 0);
    free(r);
}

static void test_chain_missing_fonts(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/text_golden_chain.conf", KB_TEST_BUILD_DIR);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("# test chain\npath /nonexistent\npath /usr/share/fonts/truetype/noto\n"
          "chain Latn NoSuchFont.ttf NotoSans-Regular.ttf\n"
          "chain Hani/ja NotoSansCJK-Regular.ttc@0 # not in these paths\n"
          "bogus line\n",
          fp);
    fclose(fp);
    struct kb_error err = {{0}};
    struct kb_fonts *f = kb_fonts_new(path, &err);
    assert_non_null(f);
    assert_int_equal(kb_fonts_count(f), 1);
    kb_fonts_free(f);

    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("chain * /nonexistent/x.ttf\n", fp);
    fclose(fp);
    assert_null(kb_fonts_new(path, &err));
    assert_non_null(strstr(err.msg, "no font"));
    remove(path);

    assert_null(kb_fonts_new("/nonexistent/chain.conf", &err));
    assert_non_null(strstr(err.msg, "/nonexistent/chain.conf"));
}

/* Threads share one kb_fonts, each with its own kb_faces, while fontconfig
 * adds fonts to the table: every thread must get the single-threaded
 * result for every golden case. */
#define THREADS 4

struct thread_arg {
    int failures;
    int index;
};

static void *thread_main(void *p)
{
    struct thread_arg *arg = p;
    struct kb_faces *own = kb_faces_new(fonts);
    /* Rare scripts none of the chain has: fontconfig appends to the table. */
    static const char *rare[] = {"\xf0\x90\x80\x80", "\xf0\x90\x8c\xb0", "\xe1\x9a\xa0",
                                 "\xea\xa6\x84"};
    struct kb_error err = {{0}};
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < n_cases; i++) {
            size_t k = (i + (size_t)arg->index * 7) % n_cases;
            struct kb_line *l = kb_line_layout(own, cases[k].text, strlen(cases[k].text),
                                               cases[k].lang, cases[k].dir, GOLDEN_PX, &err);
            char *a = l != NULL ? kb_line_to_json(l, fonts) : NULL;
            char *b = kb_line_to_json(cases[k].line, fonts);
            if (a == NULL || strcmp(a, b) != 0)
                arg->failures++;
            free(a);
            free(b);
            kb_line_unref(l);
        }
        const char *t = rare[(arg->index + round) % 4];
        struct kb_line *l = kb_line_layout(own, t, strlen(t), "und", KB_DIR_AUTO, 20, &err);
        if (l == NULL)
            arg->failures++;
        kb_line_unref(l);
    }
    kb_faces_free(own);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t th[THREADS];
    struct thread_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (struct thread_arg){0, i};
        assert_int_equal(pthread_create(&th[i], NULL, thread_main, &args[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_traces),
        cmocka_unit_test(test_no_notdef),
        cmocka_unit_test(test_line_invariants),
        cmocka_unit_test(test_digits_in_rtl),
        cmocka_unit_test(test_locl_cjk),
        cmocka_unit_test(test_joining_across_fonts),
        cmocka_unit_test(test_agrees_with_hb_shape),
        cmocka_unit_test(test_emoji_scaled),
        cmocka_unit_test(test_emoji_presentation),
        cmocka_unit_test(test_metrics_cover_fonts),
        cmocka_unit_test(test_fonts_report),
        cmocka_unit_test(test_chain_missing_fonts),
        cmocka_unit_test(test_threads),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    kb_log_shutdown();
    return rc;
}
