/* The config file: defaults, values, errors with file:line, flags on top. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/config.h"
#include "app/present.h"
#include "app/wall.h"

static char *write_tmp(const char *text)
{
    char *path = strdup("/tmp/kabar-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_defaults_match_table(void **state)
{
    (void)state;
    struct kb_config cfg;
    kb_config_defaults(&cfg);
    assert_true(cfg.speed == 120);
    assert_string_equal(cfg.crawl_direction, "auto");
    assert_true(cfg.vsync);
    assert_int_equal(cfg.atlas_page, 2048);
    size_t n;
    const struct kb_config_key_info *keys = kb_config_keys(&n);
    assert_true(n >= 30);
    for (size_t i = 0; i < n; i++) {
        struct kb_error err;
        /* Every documented default is accepted by its own key. */
        assert_true(kb_config_set(&cfg, keys[i].name, keys[i].def, "test", &err));
        assert_true(strlen(keys[i].doc) > 10);
    }
}

/* docs/config.md documents every key with its default. */
static void test_every_key_documented(void **state)
{
    (void)state;
    FILE *f = fopen(KB_TEST_SOURCE_DIR "/docs/config.md", "r");
    assert_non_null(f);
    static char doc[1 << 16];
    size_t n = fread(doc, 1, sizeof(doc) - 1, f);
    doc[n] = '\0';
    fclose(f);
    size_t nk;
    const struct kb_config_key_info *keys = kb_config_keys(&nk);
    for (size_t i = 0; i < nk; i++) {
        char row[256];
        snprintf(row, sizeof(row), "\n| `%s` |", keys[i].name); /* a row, not a value */
        const char *at = strstr(doc, row);
        if (at == NULL)
            fail_msg("docs/config.md lacks key %s", keys[i].name);
        at++; /* past the row's line break */
        char def[160];
        snprintf(def, sizeof(def), keys[i].def[0] ? "`%s`" : "(empty)", keys[i].def);
        const char *eol = strchr(at, '\n');
        const char *d = strstr(at, def);
        if (d == NULL || d > eol)
            fail_msg("docs/config.md: key %s lacks its default %s", keys[i].name, def);
    }
}

static void test_file_values_and_sections(void **state)
{
    (void)state;
    char *path = write_tmp("; a comment\n[crawl]\nspeed = 90\ncrawl_direction = left-to-right\n"
                           "[theme]\nbar = #112233\n[spool]\nlanguages = fr, id\n");
    struct kb_config cfg;
    kb_config_defaults(&cfg);
    struct kb_error err;
    assert_true(kb_config_load(&cfg, path, &err));
    assert_true(cfg.speed == 90);
    assert_string_equal(cfg.crawl_direction, "left-to-right");
    assert_int_equal(cfg.bar.r, 0x11);
    assert_int_equal(cfg.bar.b, 0x33);
    assert_string_equal(cfg.languages, "fr, id");
    unlink(path);
    free(path);
}

static void test_bad_value_names_file_and_line(void **state)
{
    (void)state;
    char *path = write_tmp("[crawl]\nspeed = 90\n\nspeed = fast\n");
    struct kb_config cfg;
    kb_config_defaults(&cfg);
    struct kb_error err;
    assert_false(kb_config_load(&cfg, path, &err));
    char want[256];
    snprintf(want, sizeof(want), "%s:4: speed: \"fast\": not a number in range", path);
    assert_string_equal(err.msg, want);
    unlink(path);
    free(path);

    path = write_tmp("[screen]\nrotation = 45\n");
    assert_false(kb_config_load(&cfg, path, &err));
    assert_non_null(strstr(err.msg, ":2: rotation: \"45\": 0|90|180|270"));
    unlink(path);
    free(path);
}

/* Runs kb_config_load with stderr (where the log writes) sent to a file,
 * and returns what was logged; the caller frees it. */
static char *load_logged(struct kb_config *cfg, const char *path, bool *ok)
{
    char *log_path = strdup("/tmp/kabar-config-log-XXXXXX");
    int log_fd = mkstemp(log_path);
    assert_true(log_fd >= 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(log_fd, STDERR_FILENO) >= 0);
    struct kb_error err;
    *ok = kb_config_load(cfg, path, &err);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    static char buf[4096];
    ssize_t n = pread(log_fd, buf, sizeof(buf) - 1, 0);
    assert_true(n >= 0);
    buf[n] = '\0';
    close(log_fd);
    unlink(log_path);
    free(log_path);
    return strdup(buf);
}

static void test_unknown_key_is_only_a_warning(void **state)
{
    (void)state;
    char *path = write_tmp("[crawl]\nsped = 90\nspeed = 80\n");
    struct kb_config cfg;
    kb_config_defaults(&cfg);
    bool ok;
    char *log = load_logged(&cfg, path, &ok);
    assert_true(ok);
    assert_true(cfg.speed == 80);
    /* One line naming the file, the line and the key, and nothing else. */
    char want[512];
    snprintf(want, sizeof(want), "kabar: warning: config: %s:2: unknown key \"sped\" ignored\n",
             path);
    assert_string_equal(log, want);
    free(log);
    unlink(path);
    free(path);
}

static void test_key_in_the_wrong_section_is_a_warning(void **state)
{
    (void)state;
    char *path = write_tmp("[screen]\nspeed = 80\n");
    struct kb_config cfg;
    kb_config_defaults(&cfg);
    bool ok;
    char *log = load_logged(&cfg, path, &ok);
    assert_true(ok);
    assert_true(cfg.speed == 80);
    char want[512];
    snprintf(want, sizeof(want),
             "kabar: warning: config: %s:2: key \"speed\" belongs in [crawl], not [screen]\n",
             path);
    assert_string_equal(log, want);
    free(log);
    unlink(path);
    free(path);
}

/* wall_tile takes a list of up to KB_WALL_TILES_MAX tiles (one process
 * with that many outputs): eight tiles of a 8x1 wall fit in the key (it
 * held 15 characters, two tiles and a half). */
static void test_wall_tile_lists(void **state)
{
    (void)state;
    struct kb_config cfg;
    struct kb_error err;
    struct kb_wall_geo g[KB_WALL_TILES_MAX];
    kb_config_defaults(&cfg);
    assert_true(kb_config_set(&cfg, "wall", "16x2", "test", &err));
    assert_true(
        kb_config_set(&cfg, "wall_tile", "8,1 9,1 10,1 11,1 12,1 13,1 14,1 15,1", "test", &err));
    assert_int_equal(kb_wall_tiles(&cfg, g, KB_WALL_TILES_MAX, &err), 8);
    assert_int_equal(g[0].col, 8);
    assert_int_equal(g[7].col, 15);
    assert_int_equal(g[7].row, 1);
    /* A ninth is one too many for a process, a tile twice or off the wall
     * is named. */
    assert_true(
        kb_config_set(&cfg, "wall_tile", "0,0 1,0 2,0 3,0 4,0 5,0 6,0 7,0 8,0", "test", &err));
    assert_int_equal(kb_wall_tiles(&cfg, g, KB_WALL_TILES_MAX, &err), -1);
    assert_non_null(strstr(err.msg, "at most 8 tiles"));
    assert_true(kb_config_set(&cfg, "wall_tile", "1,0;1,0", "test", &err));
    assert_int_equal(kb_wall_tiles(&cfg, g, KB_WALL_TILES_MAX, &err), -1);
    assert_non_null(strstr(err.msg, "twice"));
    assert_true(kb_config_set(&cfg, "wall_tile", "16,0", "test", &err));
    assert_int_equal(kb_wall_tiles(&cfg, g, KB_WALL_TILES_MAX, &err), -1);
    assert_non_null(strstr(err.msg, "\"16,0\" is not a tile"));
}

static void test_flag_overrides(void **state)
{
    (void)state;
    struct kb_config cfg;
    kb_config_defaults(&cfg);
    struct kb_error err;
    assert_true(kb_config_set(&cfg, "size", "800x600", "--size", &err));
    assert_int_equal(cfg.width, 800);
    assert_int_equal(cfg.height, 600);
    assert_false(kb_config_set(&cfg, "size", "800", "--size", &err));
    assert_string_equal(err.msg, "--size: size: \"800\": expected WxH, e.g. 1920x1080");
    assert_false(kb_config_set(&cfg, "nope", "1", "--set", &err));
    assert_string_equal(err.msg, "--set: unknown key \"nope\"");
}

/* Found by the config fuzzer (tests/fuzz/crashes/config-1-continuation): an
 * indented line continues the value before it, which then held a line
 * break and was too long to print back. Such values are refused; the
 * longest value that fits a line round-trips. */
static void test_values_fit_a_config_line(void **state)
{
    (void)state;
    FILE *f = fopen(KB_TEST_SOURCE_DIR "/tests/fuzz/crashes/config-1-continuation", "rb");
    assert_non_null(f);
    char buf[1024];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The fuzz input's first byte picks the harness's mode; the rest is the file. */
    char *path = write_tmp(buf + 1);
    struct kb_config cfg;
    kb_config_defaults(&cfg);
    struct kb_error err;
    assert_false(kb_config_load(&cfg, path, &err));
    assert_non_null(strstr(err.msg, "languages"));
    unlink(path);
    free(path);

    char value[200];
    memset(value, 'a', sizeof(value));
    value[196 - strlen("languages = ")] = '\0';
    assert_true(kb_config_set(&cfg, "languages", value, "test", &err));
    value[196 - strlen("languages = ")] = 'a';
    value[197 - strlen("languages = ")] = '\0';
    assert_false(kb_config_set(&cfg, "languages", value, "test", &err));
    assert_non_null(strstr(err.msg, "too long for a config line"));
    assert_false(kb_config_set(&cfg, "label", "two\nlines", "test", &err));
}

static void test_print_round_trips(void **state)
{
    (void)state;
    struct kb_config a, b;
    kb_config_defaults(&a);
    struct kb_error err;
    assert_true(kb_config_set(&a, "speed", "77.5", "t", &err));
    assert_true(kb_config_set(&a, "label_bg", "#01020380", "t", &err));
    char *path = strdup("/tmp/kabar-print-XXXXXX");
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    kb_config_print(&a, f);
    fclose(f);
    kb_config_defaults(&b);
    assert_true(kb_config_load(&b, path, &err));
    assert_true(b.speed == 77.5);
    assert_int_equal(b.label_bg.a, 0x80);
    assert_memory_equal(&a, &b, sizeof(a));
    unlink(path);
    free(path);
}

static void test_quote_styles(void **state)
{
    (void)state;
    assert_string_equal(kb_quote_style("fr")->open, "\u00ab\u202f");
    assert_string_equal(kb_quote_style("fr-CA")->close, "\u202f\u00bb");
    assert_string_equal(kb_quote_style("ja")->open, "\u300c");
    assert_string_equal(kb_quote_style("zh-Hant")->open, "\u300c");
    assert_string_equal(kb_quote_style("zh-Hans")->open, "\u201c");
    assert_string_equal(kb_quote_style("de")->open, "\u201e");
    assert_string_equal(kb_quote_style("xx")->open, "\u201c");
    struct kb_item item;
    memset(&item, 0, sizeof(item));
    item.kind = KB_KIND_QUOTE;
    strcpy(item.lang, "fr");
    item.text = "Nous sommes ouverts au dialogue";
    item.by = "Vladimir Poutine";
    char *s = kb_present_text(&item);
    assert_string_equal(s, "\u00ab\u202fNous sommes ouverts au dialogue\u202f\u00bb, a "
                           "d\u00e9clar\u00e9 Vladimir Poutine");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_match_table),
        cmocka_unit_test(test_every_key_documented),
        cmocka_unit_test(test_file_values_and_sections),
        cmocka_unit_test(test_bad_value_names_file_and_line),
        cmocka_unit_test(test_unknown_key_is_only_a_warning),
        cmocka_unit_test(test_key_in_the_wrong_section_is_a_warning),
        cmocka_unit_test(test_wall_tile_lists),
        cmocka_unit_test(test_flag_overrides),
        cmocka_unit_test(test_values_fit_a_config_line),
        cmocka_unit_test(test_print_round_trips),
        cmocka_unit_test(test_quote_styles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
