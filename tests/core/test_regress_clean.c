/* Regression tests for kb_text_clean found by fuzzing (tests/fuzz/fuzz_text.c).
 *
 * A stray PDF or PDI (one with nothing open to close), or an embedding past
 * the stack's depth, is dropped; the space before it used to be written
 * anyway, so "a \u2069 b" came out with two spaces and "a \u2069" with a
 * trailing one, and cleaning the result again changed it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/utf8.h"

static char *clean(const char *s, size_t *n)
{
    assert_true(kb_utf8_validate(s, strlen(s), NULL));
    return kb_text_clean(s, strlen(s), n);
}

static void assert_clean(const char *in, const char *want)
{
    size_t n = 0;
    char *out = clean(in, &n);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
    /* Cleaning what is clean changes nothing. */
    size_t m = 0;
    char *again = kb_text_clean(out, n, &m);
    assert_string_equal(again, out);
    free(again);
    free(out);
}

static void test_stray_closers_leave_no_double_space(void **state)
{
    (void)state;
    assert_clean("a \u2069 b", "a b");
    assert_clean("a \u202c b", "a b");
    assert_clean("a \u2069", "a");
    assert_clean("\u2069 a", "a");
    /* A PDF inside an isolate does not close across it: dropped too. */
    assert_clean("a \u2067x \u202c y", "a \u2067x y\u2069");
}

/* The input the fuzzer found: "Ses*s RLO PDI RLI u". */
static void test_fuzz_input_is_idempotent(void **state)
{
    (void)state;
    static const unsigned char input[] = {0x53, 0x65, 0x73, 0x2a, 0x73, 0x20, 0xe2,
                                          0x80, 0xae, 0x20, 0xe2, 0x81, 0xa9, 0x20,
                                          0xe2, 0x81, 0xa7, 0x20, 0x75};
    size_t n = 0;
    char *out = kb_text_clean((const char *)input, sizeof(input), &n);
    assert_string_equal(out, "Ses*s \u202e \u2067 u\u2069\u202c");
    size_t m = 0;
    char *again = kb_text_clean(out, n, &m);
    assert_int_equal(m, n);
    assert_memory_equal(again, out, n);
    free(again);
    free(out);
}

/* Openers past the stack (62 deep) are dropped, and their spaces with them. */
static void test_deep_openers(void **state)
{
    (void)state;
    size_t cap = 200 * 4 + 8, len = 0;
    char *in = malloc(cap);
    for (int i = 0; i < 200; i++) {
        memcpy(in + len, "\xe2\x80\xae ", 4); /* RLO and a space */
        len += 4;
    }
    in[len++] = 'x';
    in[len] = '\0';
    size_t n = 0;
    char *out = clean(in, &n);
    assert_null(strstr(out, "  "));
    /* 62 kept (no bidi level can pass UAX #9's 125), each closed at the end. */
    size_t rlo = 0, pdf = 0;
    for (const char *p = out; (p = strstr(p, "\xe2\x80")) != NULL; p += 3) {
        rlo += (unsigned char)p[2] == 0xae;
        pdf += (unsigned char)p[2] == 0xac;
    }
    assert_int_equal(rlo, 62);
    assert_int_equal(pdf, 62);
    size_t m = 0;
    char *again = kb_text_clean(out, n, &m);
    assert_int_equal(m, n);
    assert_memory_equal(again, out, n);
    free(again);
    free(out);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stray_closers_leave_no_double_space),
        cmocka_unit_test(test_fuzz_input_is_idempotent),
        cmocka_unit_test(test_deep_openers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
