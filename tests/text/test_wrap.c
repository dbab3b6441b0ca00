/* Wrapping a paragraph into lines for the quote panel (kb_line_wrap). */
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
#include "text/line.h"

#define PX 32
#define MAX_LINES 32

static struct kb_fonts *fonts;
static struct kb_faces *faces;

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
    kb_faces_free(faces);
    kb_fonts_free(fonts);
    return 0;
}

struct wrapped {
    struct kb_line *lines[MAX_LINES];
    size_t n;
    char *clean;
    size_t clean_len;
    size_t *at; /* byte offset in clean where line k starts */
};

/* Wraps text and checks the lines cover the cleaned text in order, with
 * nothing dropped or repeated: each line is the next stretch of the text,
 * and only spaces lie between one line and the next. */
static void wrap(struct wrapped *w, const char *text, const char *lang, enum kb_dir dir,
                 float width, size_t max_lines)
{
    struct kb_error err = {{0}};
    w->n = kb_line_wrap(faces, text, strlen(text), lang, dir, PX, width, max_lines, w->lines, &err);
    if (w->n == 0)
        fail_msg("kb_line_wrap: %s", err.msg);
    assert_true(w->n <= max_lines);
    w->clean = kb_text_clean(text, strlen(text), &w->clean_len);
    w->at = kb_xcalloc(w->n + 1, sizeof(size_t));
    size_t pos = 0;
    for (size_t k = 0; k < w->n; k++) {
        const struct kb_line *l = w->lines[k];
        if (k > 0) {
            assert_true(pos > 0);
            while (pos < w->clean_len && w->clean[pos] == ' ')
                pos++;
        }
        w->at[k] = pos;
        assert_true(l->text_len > 0 || w->clean_len == 0);
        assert_true(pos + l->text_len <= w->clean_len);
        assert_memory_equal(w->clean + pos, l->text, l->text_len);
        pos += l->text_len;
    }
    assert_int_equal(pos, w->clean_len);
    w->at[w->n] = pos;
}

static void wrapped_free(struct wrapped *w)
{
    for (size_t k = 0; k < w->n; k++)
        kb_line_unref(w->lines[k]);
    free(w->clean);
    free(w->at);
}

static bool starts_with(const struct kb_line *l, const char *s)
{
    return strncmp(l->text, s, strlen(s)) == 0;
}

static bool ends_with(const struct kb_line *l, const char *s)
{
    size_t n = strlen(s);
    return l->text_len >= n && memcmp(l->text + l->text_len - n, s, n) == 0;
}

/* Every line but the last fits, give or take what kerning at its ends
 * changes, unless it is one word (of text that puts spaces between words)
 * too wide for any line. */
static void assert_fits(const struct wrapped *w, float width, bool spaced)
{
    for (size_t k = 0; k + 1 < w->n; k++) {
        if (spaced && memchr(w->lines[k]->text, ' ', w->lines[k]->text_len) == NULL)
            continue;
        if (w->lines[k]->width > width + 0.5f)
            fail_msg("line %zu is %.2f px wide, more than %.2f: %s", k, (double)w->lines[k]->width,
                     (double)width, w->lines[k]->text);
    }
}

#define NNBSP "\xe2\x80\xaf"

/* French puts a narrow no-break space inside guillemets and before : ; ! ?
 * and %: a line may never end or begin at one. */
static void test_french_narrow_nbsp(void **state)
{
    (void)state;
    const char *text = "\xc2\xab" NNBSP "Nous tiendrons nos engagements jusqu'au bout" NNBSP
                       "\xc2\xbb, affirme la ministre" NNBSP ": 52" NNBSP
                       "% des voix sont d\xc3\xa9j\xc3\xa0 acquises" NNBSP "!";
    for (float width = 60; width <= 400; width += 20) {
        struct wrapped w;
        wrap(&w, text, "fr", KB_DIR_AUTO, width, MAX_LINES);
        assert_true(w.n > 1);
        for (size_t k = 0; k < w.n; k++) {
            const struct kb_line *l = w.lines[k];
            assert_false(starts_with(l, NNBSP));
            assert_false(ends_with(l, NNBSP));
            assert_false(starts_with(l, "\xc2\xbb") || starts_with(l, ":") || starts_with(l, "%") ||
                         starts_with(l, "!"));
            assert_false(ends_with(l, "\xc2\xab"));
            assert_int_equal(l->base_dir, KB_DIR_LTR);
        }
        assert_fits(&w, width, true);
        wrapped_free(&w);
    }
}

/* Japanese breaks between characters without spaces, but never before 、
 * 。 」 or after 「. */
static void test_japanese(void **state)
{
    (void)state;
    const char *text = "東京都は、来週から図書館の開館時間を延長すると発表した。"
                       "「読書の秋を楽しんでほしい」と担当者は話した。";
    for (float width = 3 * PX + 1; width <= 12 * PX; width += PX / 2) {
        struct wrapped w;
        wrap(&w, text, "ja", KB_DIR_AUTO, width, MAX_LINES);
        assert_true(w.n > 1);
        for (size_t k = 0; k < w.n; k++) {
            const struct kb_line *l = w.lines[k];
            assert_false(starts_with(l, "、") || starts_with(l, "。") || starts_with(l, "」"));
            assert_false(ends_with(l, "「"));
            /* No space in the text, so the lines meet with nothing between. */
            if (k > 0)
                assert_int_equal(w.at[k], w.at[k - 1] + w.lines[k - 1]->text_len);
        }
        assert_fits(&w, width, false);
        wrapped_free(&w);
    }
}

/* Arabic lines each read right to left, and the first line holds the
 * first words. */
static void test_arabic(void **state)
{
    (void)state;
    const char *text = "قال الوزير إن الحكومة ستعلن خطة جديدة للنقل العام في المدينة خلال "
                       "الأسابيع المقبلة";
    struct wrapped w;
    wrap(&w, text, "ar", KB_DIR_AUTO, 220, MAX_LINES);
    assert_true(w.n >= 3);
    assert_true(starts_with(w.lines[0], "قال الوزير"));
    for (size_t k = 0; k < w.n; k++) {
        const struct kb_line *l = w.lines[k];
        assert_int_equal(l->base_dir, KB_DIR_RTL);
        for (size_t r = 0; r < l->n_runs; r++)
            assert_int_equal(l->runs[r].dir, KB_DIR_RTL);
        /* The line's first character is drawn rightmost, its last leftmost. */
        assert_int_equal(l->glyphs[l->n_glyphs - 1].cluster, 0);
        assert_true(l->glyphs[0].cluster > l->text_len / 2);
    }
    assert_fits(&w, 220, true);
    wrapped_free(&w);

    /* A Latin quote forced right to left keeps that direction on every line. */
    wrap(&w, "one two three four five six seven", "en", KB_DIR_RTL, 120, MAX_LINES);
    assert_true(w.n > 1);
    for (size_t k = 0; k < w.n; k++)
        assert_int_equal(w.lines[k]->base_dir, KB_DIR_RTL);
    wrapped_free(&w);
}

/* A word wider than the line gets a line of its own and overflows it. */
static void test_long_word(void **state)
{
    (void)state;
    const char *text = "Der Donaudampfschifffahrtsgesellschaftskapit\xc3\xa4nswitwe geht es gut";
    struct wrapped w;
    wrap(&w, text, "de", KB_DIR_AUTO, 150, MAX_LINES);
    size_t k = 0;
    while (k < w.n && !starts_with(w.lines[k], "Donau"))
        k++;
    assert_true(k < w.n);
    assert_int_equal(w.lines[k]->text_len,
                     strlen("Donaudampfschifffahrtsgesellschaftskapit\xc3\xa4nswitwe"));
    assert_true(w.lines[k]->width > 150);
    assert_string_equal(w.lines[0]->text, "Der");
    wrapped_free(&w);
}

/* Past max_lines, the last line holds all the rest; text that fits stays
 * one line, and empty text gives one empty line. */
static void test_max_lines_and_fit(void **state)
{
    (void)state;
    const char *text = "Markets rally as inflation cools to its lowest level since 2021, "
                       "lifting shares of banks and builders across the region";
    struct wrapped w;
    wrap(&w, text, "en", KB_DIR_AUTO, 200, 2);
    assert_int_equal(w.n, 2);
    assert_true(w.lines[0]->width <= 200.5f);
    assert_true(w.lines[1]->width > 200);
    wrapped_free(&w);

    wrap(&w, "Short quote", "en", KB_DIR_AUTO, 1000, 4);
    assert_int_equal(w.n, 1);
    assert_string_equal(w.lines[0]->text, "Short quote");
    wrapped_free(&w);

    wrap(&w, "  ", "en", KB_DIR_AUTO, 100, 4);
    assert_int_equal(w.n, 1);
    assert_int_equal(w.lines[0]->text_len, 0);
    wrapped_free(&w);

    struct kb_error err = {{0}};
    struct kb_line *none[1];
    assert_int_equal(kb_line_wrap(faces, "x", 1, "en", KB_DIR_AUTO, PX, 100, 0, none, &err), 0);
    assert_int_equal(kb_line_wrap(faces, "\xff", 1, "en", KB_DIR_AUTO, PX, 100, 1, none, &err), 0);
    assert_non_null(strstr(err.msg, "UTF-8"));
}

/* Never inside a grapheme: flags, ZWJ sequences and skin tones stay whole
 * even when only one fits a line. */
static void test_graphemes(void **state)
{
    (void)state;
    const char *flags = "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7\xf0\x9f\x87\xa9\xf0\x9f\x87\xaa"
                        "\xf0\x9f\x87\xaf\xf0\x9f\x87\xb5";
    struct wrapped w;
    wrap(&w, flags, "und", KB_DIR_AUTO, 10, MAX_LINES);
    assert_int_equal(w.n, 3);
    for (size_t k = 0; k < w.n; k++)
        assert_int_equal(w.lines[k]->text_len, 8);
    wrapped_free(&w);

    /* Flags among words (libunibreak 1.1 aborts on these unless kabar
     * steps around them). */
    wrap(&w,
         "Bravo \xf0\x9f\x87\xab\xf0\x9f\x87\xb7! Les Bleus \xf0\x9f\x87\xab\xf0\x9f\x87\xb7 en "
         "finale",
         "fr", KB_DIR_AUTO, 60, MAX_LINES);
    assert_true(w.n > 2);
    wrapped_free(&w);

    /* family (ZWJ), thumbs up with a skin tone, and a keycap */
    const char *seq = "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7"
                      "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd"
                      "1\xef\xb8\x8f\xe2\x83\xa3";
    wrap(&w, seq, "und", KB_DIR_AUTO, 10, MAX_LINES);
    for (size_t k = 0; k < w.n; k++) {
        const struct kb_line *l = w.lines[k];
        assert_false(starts_with(l, "\xe2\x80\x8d") || starts_with(l, "\xf0\x9f\x8f\xbd") ||
                     starts_with(l, "\xef\xb8\x8f") || starts_with(l, "\xe2\x83\xa3"));
    }
    wrapped_free(&w);
}

/* Devanagari breaks at spaces, never between a consonant and its vowel sign. */
static void test_devanagari(void **state)
{
    (void)state;
    const char *text = "मानसून ने बारह राज्यों में दस्तक दी, किसानों को बड़ी राहत मिली";
    struct wrapped w;
    wrap(&w, text, "hi", KB_DIR_AUTO, 150, MAX_LINES);
    assert_true(w.n > 1);
    for (size_t k = 0; k < w.n; k++) {
        /* Each line starts at a word: right after a space or at the start. */
        assert_true(w.at[k] == 0 || w.clean[w.at[k] - 1] == ' ');
    }
    assert_fits(&w, 150, true);
    wrapped_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_french_narrow_nbsp),
        cmocka_unit_test(test_japanese),
        cmocka_unit_test(test_arabic),
        cmocka_unit_test(test_long_word),
        cmocka_unit_test(test_max_lines_and_fit),
        cmocka_unit_test(test_graphemes),
        cmocka_unit_test(test_devanagari),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    kb_log_shutdown();
    return rc;
}
