/* Regression test for a crash found by fuzzing the text path
 * (tests/fuzz/fuzz_text.c): FriBidi 1.0.8 (Debian 12) crashed in
 * fribidi_get_par_embedding_levels_ex laying out one text after another.
 * The inputs are tests/fuzz/crashes/fribidi-*, in the harness's form
 * (a language tag, NUL, an options byte, the text; or, with no NUL in the
 * first 65 bytes, "en", then the options byte and the text). Replayed in
 * order in one process, as the fuzzer ran them; under AddressSanitizer or
 * valgrind a wrong read shows even where it does not crash.
 *
 * The cause: FriBidi reads uninitialised memory when isolates follow an
 * embedding that overflowed UAX #9's max_depth of 125 (here, 63 or more LROs
 * left open). kb_text_clean now keeps at most 62 openers, so no item text
 * reaches that path (src/core/utf8.c, BIDI_STACK_MAX). Under valgrind this
 * test reported "Conditional jump or move depends on uninitialised value(s)"
 * in fribidi_get_par_embedding_levels_ex before the fix, and nothing after. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/log.h"
#include "text/fonts.h"
#include "text/line.h"

static struct kb_fonts *fonts;
static struct kb_faces *faces;

static int setup(void **state)
{
    (void)state;
    kb_log_set_level(KB_LOG_ERR);
    struct kb_error err;
    kb_error_clear(&err);
    char chain[4096];
    snprintf(chain, sizeof(chain), "%s/fonts/chain.conf", KB_TEST_SOURCE_DIR);
    fonts = kb_fonts_new(chain, &err);
    if (fonts == NULL) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    faces = kb_faces_new(fonts);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kb_faces_free(faces);
    kb_fonts_free(fonts);
    return 0;
}

static char *slurp(const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/tests/fuzz/crashes/%s", KB_TEST_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(65536);
    *len = fread(buf, 1, 65536, f);
    fclose(f);
    return buf;
}

/* What fuzz_text.c does with one input, less the checks of the dumps. */
static void replay(const char *name)
{
    size_t size = 0;
    char *data = slurp(name, &size);
    const char *nul = memchr(data, 0, size < KB_LANG_MAX + 1 ? size : KB_LANG_MAX + 1);
    char lang[KB_LANG_MAX + 1] = "en";
    size_t pos = 0;
    if (nul != NULL) {
        memcpy(lang, data, (size_t)(nul - data));
        lang[nul - data] = '\0';
        pos = (size_t)(nul - data) + 1;
    }
    uint8_t opts = pos < size ? (uint8_t)data[pos++] : 0;
    static const int sizes[] = {24, 64, 9, 160};
    struct kb_error err;
    kb_error_clear(&err);
    struct kb_line *line = kb_line_layout(faces, data + pos, size - pos, lang,
                                          (enum kb_dir)(opts % 3), sizes[(opts >> 2) & 3], &err);
    assert_non_null(line);
    assert_true(line->n_glyphs > 0);
    kb_line_unref(line);
    free(data);
}

static void test_brackets_then_isolates(void **state)
{
    (void)state;
    replay("fribidi-1-brackets");
    replay("fribidi-2-isolates");
    replay("fribidi-1-brackets");
    replay("fribidi-2-isolates");
}

/* The pattern itself: embeddings past max_depth, then isolates. */
static void test_overflowed_embeddings_then_isolates(void **state)
{
    (void)state;
    static const char *openers[] = {"\u202d", "\u202a", "\u202b", "\u202e"};
    for (size_t o = 0; o < 4; o++) {
        for (int dir = 0; dir < 3; dir++) {
            char text[2048] = "";
            for (int i = 0; i < 70; i++) {
                strcat(text, openers[o]);
                strcat(text, "a ");
            }
            for (int i = 0; i < 5; i++)
                strcat(text, "\u2066b\u2069 \u2067c\u2069 (d) ");
            struct kb_error err;
            kb_error_clear(&err);
            struct kb_line *line =
                kb_line_layout(faces, text, strlen(text), "en", (enum kb_dir)dir, 24, &err);
            assert_non_null(line);
            kb_line_unref(line);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_brackets_then_isolates),
        cmocka_unit_test(test_overflowed_embeddings_then_isolates),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
