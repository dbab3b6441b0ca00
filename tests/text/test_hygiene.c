/* Text hygiene (SPOOL-FORMAT.md "Text hygiene") as the text layer sees it:
 * kb_utf8_validate and kb_text_clean from core, and kb_line_layout, which
 * must refuse invalid UTF-8 and lay out only cleaned text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/log.h"
#include "core/utf8.h"
#include "text/line.h"

static void expect_bad(const char *s, size_t len, size_t offset)
{
    size_t bad = 12345;
    assert_false(kb_utf8_validate(s, len, &bad));
    assert_int_equal(bad, offset);
}

static void test_invalid_utf8_offset(void **state)
{
    (void)state;
    assert_true(kb_utf8_validate("abc \xd8\xa7", 6, NULL));
    expect_bad("abc\xff", 4, 3);             /* never valid byte */
    expect_bad("ab\xc0\xafz", 5, 2);         /* overlong '/' */
    expect_bad("x\xed\xa0\x80", 4, 1);       /* surrogate U+D800 */
    expect_bad("hello\xe2\x82", 7, 5);       /* truncated sequence */
    expect_bad("a\0b", 3, 1);                /* NUL */
    expect_bad("\xd8\xa7\xd8", 3, 2);        /* Arabic alef then a cut one */
    expect_bad("ok \xf4\x90\x80\x80", 7, 3); /* above U+10FFFF */
}

static char *clean(const char *s)
{
    size_t n = 0;
    char *out = kb_text_clean(s, strlen(s), &n);
    assert_int_equal(n, strlen(out));
    return out;
}

static void test_nfc_vietnamese(void **state)
{
    (void)state;
    /* "Việt Nam" decomposed: e + U+0323 (dot below) + U+0302 (circumflex). */
    char *s = clean("Vie\xcc\xa3\xcc\x82t Nam");
    assert_string_equal(s, "Vi\xe1\xbb\x87t Nam"); /* U+1EC7 */
    free(s);
    /* Canonical reordering: circumflex before dot below composes the same. */
    s = clean("Vie\xcc\x82\xcc\xa3t");
    assert_string_equal(s, "Vi\xe1\xbb\x87t");
    free(s);
}

static void test_controls_removed(void **state)
{
    (void)state;
    char *s = clean("a\x01"
                    "b\x7f"
                    "c\xc2\x85"
                    "d\xc2\x9b"
                    "e");
    /* C0 and C1 controls go; NEL (U+0085) is a line break and becomes a space. */
    assert_string_equal(s, "abc de");
    free(s);
}

static void test_whitespace_collapse(void **state)
{
    (void)state;
    char *s = clean("  one\t\ttwo \r\n three\xe2\x80\xa8"
                    "four  ");
    assert_string_equal(s, "one two three four");
    free(s);
    /* No-break spaces are content, not white space to collapse. */
    s = clean("a\xc2\xa0\xc2\xa0"
              "b");
    assert_string_equal(s, "a\xc2\xa0\xc2\xa0"
                           "b");
    free(s);
}

static void test_bidi_closed(void **state)
{
    (void)state;
    /* RLO left open is closed with PDF; RLI with PDI; innermost first. */
    char *s = clean("abc\xe2\x80\xae"
                    "def");
    assert_string_equal(s, "abc\xe2\x80\xae"
                           "def\xe2\x80\xac");
    free(s);
    s = clean("x\xe2\x81\xa7y\xe2\x80\xaaz");
    assert_string_equal(s, "x\xe2\x81\xa7y\xe2\x80\xaaz\xe2\x80\xac\xe2\x81\xa9");
    free(s);
    /* A stray PDF closes nothing and is dropped. */
    s = clean("a\xe2\x80\xac"
              "b");
    assert_string_equal(s, "ab");
    free(s);
}

static struct kb_fonts *fonts;
static struct kb_faces *faces;

static int setup(void **state)
{
    (void)state;
    struct kb_error err = {{0}};
    fonts = kb_fonts_new(KB_TEST_SOURCE_DIR "/fonts/chain.conf", &err);
    faces = fonts != NULL ? kb_faces_new(fonts) : NULL;
    return faces != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    kb_faces_free(faces);
    kb_fonts_free(fonts);
    return 0;
}

static void test_layout_cleans(void **state)
{
    (void)state;
    struct kb_error err = {{0}};
    const char raw[] = "  abc\xe2\x80\xae"
                       "def\t\tghi ";
    struct kb_line *line = kb_line_layout(faces, raw, strlen(raw), "en", KB_DIR_AUTO, 32, &err);
    assert_non_null(line);
    assert_string_equal(line->text, "abc\xe2\x80\xae"
                                    "def ghi\xe2\x80\xac");
    assert_int_equal(line->text_len, strlen(line->text));
    /* The override reorders only its own text: "abc" stays leftmost, in order. */
    assert_int_equal(line->glyphs[0].cluster, 0);
    assert_int_equal(line->glyphs[1].cluster, 1);
    assert_int_equal(line->base_dir, KB_DIR_LTR);
    kb_line_unref(line);

    assert_null(kb_line_layout(faces, "ab\xff", 3, "en", KB_DIR_AUTO, 32, &err));
    assert_string_equal(err.msg, "invalid UTF-8 at byte 2");
}

static void test_empty_line(void **state)
{
    (void)state;
    struct kb_error err = {{0}};
    struct kb_line *line = kb_line_layout(faces, " \t ", 3, "ar", KB_DIR_RTL, 32, &err);
    assert_non_null(line);
    assert_int_equal(line->text_len, 0);
    assert_int_equal(line->n_glyphs, 0);
    assert_int_equal(line->n_runs, 0);
    assert_int_equal(line->base_dir, KB_DIR_RTL);
    assert_true(line->width == 0.0f);
    char *json = kb_line_to_json(line, fonts);
    assert_non_null(strstr(json, "\"runs\": []"));
    free(json);
    kb_line_unref(line);
}

static void test_refs(void **state)
{
    (void)state;
    struct kb_error err = {{0}};
    struct kb_line *line = kb_line_layout(faces, "ok", 2, "en", KB_DIR_AUTO, 20, &err);
    assert_non_null(line);
    assert_ptr_equal(kb_line_ref(line), line);
    assert_int_equal(line->refs, 2);
    kb_line_unref(line);
    assert_int_equal(line->refs, 1);
    kb_line_unref(line);
}

static void test_dir_names(void **state)
{
    (void)state;
    enum kb_dir d = KB_DIR_LTR;
    assert_true(kb_dir_parse("rtl", &d));
    assert_int_equal(d, KB_DIR_RTL);
    assert_true(kb_dir_parse("auto", &d));
    assert_int_equal(d, KB_DIR_AUTO);
    assert_false(kb_dir_parse("RTL", &d));
    assert_string_equal(kb_dir_name(KB_DIR_LTR), "ltr");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_utf8_offset), cmocka_unit_test(test_nfc_vietnamese),
        cmocka_unit_test(test_controls_removed),    cmocka_unit_test(test_whitespace_collapse),
        cmocka_unit_test(test_bidi_closed),         cmocka_unit_test(test_layout_cleans),
        cmocka_unit_test(test_empty_line),          cmocka_unit_test(test_refs),
        cmocka_unit_test(test_dir_names),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    kb_log_shutdown();
    return rc;
}
