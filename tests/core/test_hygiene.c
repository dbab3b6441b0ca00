/* Text hygiene (SPOOL-FORMAT.md "Text hygiene"): kb_utf8_validate and
 * kb_text_clean (core/utf8.c). That the layout takes only cleaned text is
 * tested in tests/text/test_line.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/utf8.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_utf8_offset), cmocka_unit_test(test_nfc_vietnamese),
        cmocka_unit_test(test_controls_removed),    cmocka_unit_test(test_whitespace_collapse),
        cmocka_unit_test(test_bidi_closed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
