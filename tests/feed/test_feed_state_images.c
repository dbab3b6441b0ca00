/* The pictures a feed remembers, kept in its state file (feed/store.h,
 * feed/images.h): a round trip through the file, failures' times to try
 * again, names checked as the spool checks picture names, and the file kept
 * under KB_FEED_STATE_MAX however long the URLs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/xmalloc.h"
#include "feed/images.h"
#include "feed/store.h"

#define PREFIX "feed-0123abcd-"
#define URL "https://gazette.example/rss.xml"
#define PIC "0123456789abcdef0123456789abcdef.jpg"

static char *spool_dir(void)
{
    char *dir = kb_xasprintf("%s/tests/feed-state-images-XXXXXX", KB_TEST_BUILD_DIR);
    char *parent = kb_xasprintf("%s/tests", KB_TEST_BUILD_DIR);
    mkdir(parent, 0755);
    free(parent);
    assert_non_null(mkdtemp(dir));
    struct kb_error err;
    assert_true(kb_feed_store_prepare(dir, &err));
    return dir;
}

static void remove_dir(char *dir)
{
    char *rm = kb_xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(rm), 0);
    free(rm);
    free(dir);
}

static char *state_path(const char *dir)
{
    return kb_xasprintf("%s/" KB_FEED_STATE_DIR "/feed-0123abcd.json", dir);
}

static void write_state(const char *dir, const char *text)
{
    char *path = state_path(dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(path);
}

static long state_size(const char *dir)
{
    char *path = state_path(dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    free(path);
    return (long)st.st_size;
}

/* Saved, loaded, seeded and exported again: the same names; a failure keeps
 * its time to try again, one whose time has passed is forgotten, and one
 * set further than an hour ahead (a clock set back) waits an hour at most. */
static void test_round_trip(void **state)
{
    (void)state;
    char *dir = spool_dir();
    int64_t now = (int64_t)time(NULL);
    struct kb_feed_state_image v[] = {
        {"https://gazette.example/a.jpg", PIC, 0},
        {"https://gazette.example/404.jpg", "", now + 600},
        {"https://gazette.example/past.jpg", "", now - 5},
        {"https://gazette.example/far.jpg", "", now + 1000000000},
    };
    struct kb_feed_images *im = NULL;
    kb_feed_images_seed(&im, v, 4);
    struct kb_feed_state st = {0};
    st.etag = kb_xstrdup("\"e1\"");
    st.n_images = kb_feed_images_export(im, &st.images);
    kb_feed_images_free(im);
    assert_int_equal(st.n_images, 3);
    struct kb_error err;
    assert_true(kb_feed_state_save(dir, PREFIX, URL, &st, &err));
    kb_feed_state_free(&st);

    kb_feed_state_load(dir, PREFIX, URL, &st);
    assert_string_equal(st.etag, "\"e1\"");
    assert_int_equal(st.n_images, 3);
    assert_string_equal(st.images[0].url, "https://gazette.example/a.jpg");
    assert_string_equal(st.images[0].name, PIC);
    assert_string_equal(st.images[1].url, "https://gazette.example/404.jpg");
    assert_string_equal(st.images[1].name, "");
    assert_in_range(st.images[1].retry_at, now + 598, now + 602);
    assert_string_equal(st.images[2].url, "https://gazette.example/far.jpg");
    assert_in_range(st.images[2].retry_at, now + 3598, now + 3602);
    kb_feed_state_free(&st);
    remove_dir(dir);
}

/* A state written before pictures were kept, and forged entries: the
 * validators load; only picture names the spool allows are believed. */
static void test_bad_entries_ignored(void **state)
{
    (void)state;
    char *dir = spool_dir();
    struct kb_feed_state st;
    write_state(dir, "{\"url\": \"" URL "\", \"etag\": \"\\\"e\\\"\", \"files\": []}");
    kb_feed_state_load(dir, PREFIX, URL, &st);
    assert_string_equal(st.etag, "\"e\"");
    assert_int_equal(st.n_images, 0);
    kb_feed_state_free(&st);

    char *text = kb_xasprintf(
        "{\"url\": \"" URL "\", \"etag\": \"\\\"e\\\"\", \"images\": ["
        "{\"url\": \"u1\", \"name\": \"../x.jpg\"}, {\"url\": \"u2\", \"name\": \"a/b.png\"},"
        "{\"url\": \"u3\", \"name\": \".h.png\"}, {\"url\": \"u4\", \"name\": \"x.gif\"},"
        "{\"url\": \"u5\", \"name\": \"%0400d.png\"},"
        "{\"url\": \"u6\", \"name\": \"0123456789abcdef0123456789abcdef0123.webp\"},"
        "{\"url\": \"u7\", \"name\": 3}, {\"url\": 3, \"name\": \"" PIC "\"},"
        "{\"url\": \"\", \"name\": \"" PIC "\"}, {\"url\": \"u8\", \"retry_at\": \"soon\"},"
        "{\"url\": \"u9\", \"retry_at\": -4}, {\"url\": \"u10\"}, \"u11\", null, 7,"
        "{\"url\": \"good\", \"name\": \"" PIC "\"}]}",
        0);
    write_state(dir, text);
    free(text);
    kb_feed_state_load(dir, PREFIX, URL, &st);
    assert_string_equal(st.etag, "\"e\"");
    assert_int_equal(st.n_images, 1);
    assert_string_equal(st.images[0].url, "good");
    assert_string_equal(st.images[0].name, PIC);
    kb_feed_state_free(&st);

    write_state(dir, "{\"url\": \"" URL "\", \"images\": {\"url\": \"good\"}}");
    kb_feed_state_load(dir, PREFIX, URL, &st);
    assert_int_equal(st.n_images, 0);
    kb_feed_state_free(&st);
    remove_dir(dir);
}

/* At most KB_FEED_IMAGES_KEPT are loaded, the newest (the file's last). */
static void test_load_keeps_the_bound(void **state)
{
    (void)state;
    char *dir = spool_dir();
    size_t n = KB_FEED_IMAGES_KEPT + 100;
    char *text = kb_xstrdup("{\"url\": \"" URL "\", \"images\": [");
    for (size_t i = 0; i < n; i++) {
        char *more =
            kb_xasprintf("%s%s{\"url\": \"u%zu\", \"name\": \"" PIC "\"}", text, i ? "," : "", i);
        free(text);
        text = more;
    }
    char *whole = kb_xasprintf("%s]}", text);
    free(text);
    assert_true(strlen(whole) < KB_FEED_STATE_MAX);
    write_state(dir, whole);
    free(whole);
    struct kb_feed_state st;
    kb_feed_state_load(dir, PREFIX, URL, &st);
    assert_int_equal(st.n_images, KB_FEED_IMAGES_KEPT);
    assert_string_equal(st.images[0].url, "u100");
    assert_string_equal(st.images[KB_FEED_IMAGES_KEPT - 1].url, "u2147");
    kb_feed_state_free(&st);
    remove_dir(dir);
}

/* Long URLs: the file stays loadable (at most KB_FEED_STATE_MAX), the
 * validators and the newest pictures are in it, the oldest are left out. */
static void test_save_stays_under_the_cap(void **state)
{
    (void)state;
    char *dir = spool_dir();
    struct kb_feed_state st = {0};
    st.etag = kb_xstrdup("\"e\"");
    st.n_images = KB_FEED_IMAGES_KEPT;
    st.images = kb_xcalloc(st.n_images, sizeof(*st.images));
    for (size_t i = 0; i < st.n_images; i++) {
        st.images[i].url = kb_xasprintf("https://gazette.example/%01900zu.jpg", i);
        memcpy(st.images[i].name, PIC, sizeof(PIC));
    }
    struct kb_error err;
    assert_true(kb_feed_state_save(dir, PREFIX, URL, &st, &err));
    assert_true(state_size(dir) <= KB_FEED_STATE_MAX);
    char *newest = kb_xstrdup(st.images[st.n_images - 1].url);
    kb_feed_state_free(&st);

    kb_feed_state_load(dir, PREFIX, URL, &st);
    assert_string_equal(st.etag, "\"e\"");
    assert_true(st.n_images > 50 && st.n_images < KB_FEED_IMAGES_KEPT);
    assert_string_equal(st.images[st.n_images - 1].url, newest);
    free(newest);
    kb_feed_state_free(&st);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_bad_entries_ignored),
        cmocka_unit_test(test_load_keeps_the_bound),
        cmocka_unit_test(test_save_stays_under_the_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
