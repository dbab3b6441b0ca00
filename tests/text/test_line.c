/* A laid-out line as the rest of kabar sees it: kb_line_layout cleans what
 * it is given (core/utf8.c, tested in tests/core/test_hygiene.c) and refuses
 * invalid UTF-8; an empty line; references; direction names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/log.h"
#include "text/line.h"

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
        cmocka_unit_test(test_layout_cleans),
        cmocka_unit_test(test_empty_line),
        cmocka_unit_test(test_refs),
        cmocka_unit_test(test_dir_names),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    kb_log_shutdown();
    return rc;
}
