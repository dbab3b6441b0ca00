/* The spool at its limit: 10,000 items (as files, or as bundles) all load,
 * hold at most 2 KiB of heap each besides their text, in every build, and
 * a rescan of the unchanged folder reports nothing. How long it takes is a
 * figure, not an assertion: `make bench` prints it (bench/spool_load_bench.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#if defined(__SANITIZE_ADDRESS__)
/* From AddressSanitizer's allocator interface (its header is not installed
 * here): ASan's allocator replaces glibc's, so mallinfo2 would see nothing. */
size_t __sanitizer_get_current_allocated_bytes(void);
static size_t heap_bytes(void)
{
    return __sanitizer_get_current_allocated_bytes();
}
#else
#include <malloc.h>
/* Bytes handed out by glibc's malloc: the arenas' chunks in use plus the
 * blocks big enough to be mmapped (the table's arrays). */
static size_t heap_bytes(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}
#endif

#include "spool_test.h"
#include "spool/playlist.h"

#define NITEMS 10000

static size_t text_bytes(const struct kb_spool *s)
{
    size_t n = 0, total = 0;
    const struct kb_item *const *items = kb_spool_items(s, &n);
    for (size_t i = 0; i < n; i++)
        total += strlen(items[i]->text) + 1 + (items[i]->by ? strlen(items[i]->by) + 1 : 0);
    return total;
}

static void load_and_check(const char *dir)
{
    size_t before = heap_bytes();
    struct kb_spool_opts opts = {
        .dir = dir, .settle_s = 2, .use_inotify = true, .move_rejected = true};
    struct kb_spool *s = kb_spool_new(&opts, NULL, NULL);
    size_t changes = kb_spool_update(s, test_now_ms());
    assert_int_equal(changes, NITEMS);
    assert_int_equal(kb_spool_item_count(s), NITEMS);
    /* The spool's memory budget (bench/spool_bench.py): at most 2 KiB per
     * item besides its text. */
    size_t after = heap_bytes();
    assert_true(after > before);
    size_t per_item = (after - before - text_bytes(s)) / NITEMS;
    if (per_item > 2048)
        fail_msg("%zu bytes of heap per item besides its text, more than 2048", per_item);

    /* Every pick over 10,000 items finds one. */
    struct kb_playlist *pl = kb_playlist_new("en, fr", KB_LANG_MODE_FIRST);
    for (int i = 0; i < 1000; i++)
        assert_non_null(kb_playlist_next(pl, s, test_now_ms()));
    kb_playlist_free(pl);

    /* A rescan of an unchanged folder reads nothing and reports nothing. */
    assert_int_equal(kb_spool_update(s, test_now_ms() + 61000), 0);
    assert_int_equal(kb_spool_item_count(s), NITEMS);
    kb_spool_free(s);
}

static void test_ten_thousand_files(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("perf");
    for (int i = 0; i < NITEMS; i++) {
        char name[64], id[64], text[160];
        snprintf(name, sizeof(name), "i%05d.json", i);
        snprintf(id, sizeof(id), "newsroom-20211119-item-%05d-%s", i, i % 2 ? "fr" : "en");
        snprintf(text, sizeof(text), "Headline number %d about something that happened today", i);
        char extra[128];
        snprintf(extra, sizeof(extra),
                 "\"story\": \"story-%05d\", \"source\": \"Wire\", \"published\": "
                 "\"2021-11-19T10:%02d:%02dZ\"",
                 i / 2, (i / 60) % 60, i % 60);
        char *json = test_item(id, i % 2 ? "fr" : "en", text, extra);
        test_write_str(dir, name, json);
        free(json);
    }
    load_and_check(dir);
    test_rm_rf(dir);
    free(dir);
}

static void test_ten_bundles(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("perf");
    size_t cap = 1024 * 1024;
    char *buf = malloc(cap);
    for (int b = 0; b < 10; b++) {
        size_t o = (size_t)snprintf(buf, cap, "{\"items\": [");
        for (int i = 0; i < NITEMS / 10; i++) {
            o += (size_t)snprintf(buf + o, cap - o,
                                  "%s{\"id\": \"b%d-%d\", \"lang\": \"en\", \"text\": \"Bundled "
                                  "headline %d of %d\"}",
                                  i ? ", " : "", b, i, i, b);
        }
        o += (size_t)snprintf(buf + o, cap - o, "]}");
        char name[32];
        snprintf(name, sizeof(name), "bundle%d.json", b);
        test_write(dir, name, buf, o);
    }
    free(buf);
    load_and_check(dir);
    test_rm_rf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ten_thousand_files),
        cmocka_unit_test(test_ten_bundles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
