/* Unicode bidi conformance: every line of BidiCharacterTest.txt (UAX #9)
 * through kabar's own paragraph path.
 *
 * Levels come from kb_bidi_levels, the FriBidi call the layout uses for run
 * directions. Visual order comes from a real layout (kb_line_layout_clean,
 * kb_bidi_visual_runs's reordering and HarfBuzz's per-run glyph order), read back from
 * the glyphs' clusters. The font is forced to one that has none of the
 * test's characters, so every glyph is .notdef and no ligature or
 * composition can change the glyph count. HarfBuzz merges a mark's cluster
 * into its base's (and hides ignorables); such a cluster's characters share
 * one level and are expanded in the direction of that level. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "core/log.h"
#include "core/xmalloc.h"
#include "text/itemize.h"
#include "text/line_internal.h"

#define TEST_FILE "/usr/share/unicode/BidiCharacterTest.txt"
/* A font with none of the test's characters (Linear B and a space). */
#define NOTDEF_FONT "/usr/share/fonts/truetype/noto/NotoSansLinearB-Regular.ttf"
#define MAX_CPS 256

struct bidi_case {
    uint32_t cps[MAX_CPS];
    size_t n;
    int para_dir;        /* 0 LTR, 1 RTL, 2 auto */
    int para_level;      /* expected resolved paragraph level */
    int levels[MAX_CPS]; /* -1 = x (removed by X9) */
    size_t order[MAX_CPS];
    size_t n_order;
};

static bool parse_case(char *line, struct bidi_case *c)
{
    char *f[5];
    char *save = NULL;
    char *p = line;
    for (int i = 0; i < 5; i++) {
        f[i] = strtok_r(p, ";", &save);
        p = NULL;
        if (f[i] == NULL)
            return false;
    }
    char *tok, *s2 = NULL;
    c->n = 0;
    for (tok = strtok_r(f[0], " ", &s2); tok && c->n < MAX_CPS; tok = strtok_r(NULL, " ", &s2))
        c->cps[c->n++] = (uint32_t)strtoul(tok, NULL, 16);
    c->para_dir = atoi(f[1]);
    c->para_level = atoi(f[2]);
    size_t k = 0;
    for (tok = strtok_r(f[3], " ", &s2); tok && k < MAX_CPS; tok = strtok_r(NULL, " ", &s2))
        c->levels[k++] = tok[0] == 'x' ? -1 : atoi(tok);
    if (k != c->n)
        return false;
    c->n_order = 0;
    for (tok = strtok_r(f[4], " \r\n", &s2); tok && c->n_order < MAX_CPS;
         tok = strtok_r(NULL, " \r\n", &s2))
        c->order[c->n_order++] = (size_t)strtoul(tok, NULL, 10);
    return true;
}

static enum kb_dir dir_of(int para_dir)
{
    return para_dir == 0 ? KB_DIR_LTR : para_dir == 1 ? KB_DIR_RTL : KB_DIR_AUTO;
}

/* Levels from kb_bidi_levels against the file. Returns true on match. */
static bool check_levels(const struct bidi_case *c, char *why, size_t why_len)
{
    uint8_t levels[MAX_CPS];
    enum kb_dir resolved;
    if (!kb_bidi_levels(c->cps, c->n, dir_of(c->para_dir), levels, &resolved)) {
        snprintf(why, why_len, "kb_bidi_levels failed");
        return false;
    }
    if ((resolved == KB_DIR_RTL ? 1 : 0) != c->para_level) {
        snprintf(why, why_len, "paragraph level %d, expected %d", resolved == KB_DIR_RTL,
                 c->para_level);
        return false;
    }
    for (size_t i = 0; i < c->n; i++) {
        if (c->levels[i] >= 0 && levels[i] != c->levels[i]) {
            snprintf(why, why_len, "level of #%zu is %d, expected %d", i, levels[i], c->levels[i]);
            return false;
        }
    }
    return true;
}

/* Visual order from a real layout against the file. */
static bool check_order(struct kb_faces *faces, const struct bidi_case *c, char *why,
                        size_t why_len)
{
    char *text = kb_xmalloc(c->n * 4 + 1);
    size_t len = 0;
    uint32_t byte_of[MAX_CPS + 1];
    int fonts[MAX_CPS];
    for (size_t i = 0; i < c->n; i++) {
        byte_of[i] = (uint32_t)len;
        len += (size_t)utf8proc_encode_char((utf8proc_int32_t)c->cps[i], (uint8_t *)text + len);
        fonts[i] = 0;
    }
    byte_of[c->n] = (uint32_t)len;
    text[len] = '\0';
    struct kb_error err = {{0}};
    struct kb_line *line =
        kb_line_layout_clean(faces, text, len, "und", dir_of(c->para_dir), 16, fonts, &err);
    if (line == NULL) {
        snprintf(why, why_len, "layout failed: %.200s", err.msg);
        return false;
    }
    /* Byte cluster -> code point index. */
    size_t got[MAX_CPS], n_got = 0;
    bool ok = true;
    for (size_t g = 0; g < line->n_glyphs && ok;) {
        uint32_t cl = line->glyphs[g].cluster;
        size_t first = 0;
        while (first < c->n && byte_of[first] != cl)
            first++;
        /* The cluster's characters: up to the next cluster start in logical
         * order among all glyphs. */
        size_t last = c->n;
        for (size_t h = 0; h < line->n_glyphs; h++) {
            uint32_t o = line->glyphs[h].cluster;
            for (size_t k = first + 1; k < last; k++) {
                if (byte_of[k] == o) {
                    last = k;
                    break;
                }
            }
        }
        size_t h = g;
        while (h < line->n_glyphs && line->glyphs[h].cluster == cl)
            h++;
        /* Direction of the run holding glyph g. */
        bool rtl = false;
        for (size_t r = 0; r < line->n_runs; r++) {
            if (g >= line->runs[r].first_glyph &&
                g < line->runs[r].first_glyph + line->runs[r].n_glyphs)
                rtl = line->runs[r].dir == KB_DIR_RTL;
        }
        for (size_t k = 0; k < last - first; k++) {
            size_t idx = rtl ? last - 1 - k : first + k;
            if (c->levels[idx] >= 0 && n_got < MAX_CPS)
                got[n_got++] = idx;
        }
        g = h;
    }
    if (n_got != c->n_order) {
        snprintf(why, why_len, "%zu characters in visual order, expected %zu", n_got, c->n_order);
        ok = false;
    }
    for (size_t i = 0; ok && i < n_got; i++) {
        if (got[i] != c->order[i]) {
            snprintf(why, why_len, "visual position %zu holds #%zu, expected #%zu", i, got[i],
                     c->order[i]);
            ok = false;
        }
    }
    kb_line_unref(line);
    return ok;
}

static void test_bidi_character_test(void **state)
{
    (void)state;
    FILE *fp = fopen(TEST_FILE, "r");
    assert_non_null(fp);
    char chain[512];
    snprintf(chain, sizeof(chain), "%s/text_bidi_chain.conf", KB_TEST_BUILD_DIR);
    FILE *cf = fopen(chain, "w");
    assert_non_null(cf);
    fprintf(cf, "chain * %s\n", NOTDEF_FONT);
    fclose(cf);
    struct kb_error err = {{0}};
    struct kb_fonts *fonts = kb_fonts_new(chain, &err);
    assert_non_null(fonts);
    struct kb_faces *faces = kb_faces_new(fonts);
    assert_non_null(faces);

    char line[8192];
    size_t lines = 0, level_fail = 0, order_fail = 0, lineno = 0;
    struct bidi_case *c = kb_xmalloc(sizeof(*c));
    while (fgets(line, sizeof(line), fp) != NULL) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char copy[8192];
        snprintf(copy, sizeof(copy), "%s", line);
        assert_true(parse_case(copy, c));
        lines++;
        char why[256];
        if (!check_levels(c, why, sizeof(why))) {
            if (level_fail++ < 10)
                fprintf(stderr, "line %zu: levels: %s: %s", lineno, why, line);
        }
        if (!check_order(faces, c, why, sizeof(why))) {
            if (order_fail++ < 10)
                fprintf(stderr, "line %zu: order: %s: %s", lineno, why, line);
        }
    }
    fclose(fp);
    free(c);
    printf("BidiCharacterTest.txt: %zu lines checked, %zu level mismatches, %zu order "
           "mismatches\n",
           lines, level_fail, order_fail);
    kb_faces_free(faces);
    kb_fonts_free(fonts);
    remove(chain);
    assert_true(lines > 90000);
    assert_int_equal(level_fail, 0);
    assert_int_equal(order_fail, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bidi_character_test),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    kb_log_shutdown();
    return rc;
}
