/* The spool as the ingest thread runs it: inotify and polling, the settle
 * rule, deletion, edits, duplicate ids, expiry, the item limit, the folder
 * going away and coming back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "spool_test.h"

/* 2030-01-01T00:00:00Z: a virtual "now" for tests of time. */
#define T2030_MS INT64_C(1893456000000)

static struct recorder rec;

static struct kb_spool *open_spool(const char *dir, bool inotify, double settle_s, int poll_ms,
                                   size_t max_items)
{
    rec_clear(&rec);
    rec.check = NULL;
    struct kb_spool_opts opts = {.dir = dir,
                                 .settle_s = settle_s,
                                 .poll_ms = poll_ms,
                                 .max_items = max_items,
                                 .use_inotify = inotify,
                                 .move_rejected = true};
    struct kb_spool *s = kb_spool_new(&opts, rec_fn, &rec);
    assert_non_null(s);
    return s;
}

/* ---- stderr capture, to check what is logged and how often ---- */

static int saved_stderr = -1;
static char capture_path[PATH_MAX];

static void capture_begin(void)
{
    snprintf(capture_path, sizeof(capture_path), "%s/spool-tests-stderr.txt", KB_TEST_BUILD_DIR);
    fflush(stderr);
    saved_stderr = dup(2);
    int fd = open(capture_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 2);
    close(fd);
}

/* Returns what was logged since capture_begin (caller frees) and echoes it. */
static char *capture_end(void)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    FILE *f = fopen(capture_path, "rb");
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    unlink(capture_path);
    fputs(buf, stderr);
    return buf;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static bool added_at_least_1(void *ctx)
{
    (void)ctx;
    return rec.added >= 1;
}

static bool rejected_1(void *ctx)
{
    return kb_spool_rejected_count(ctx) >= 1;
}

/* ---- inotify ---- */

static void test_rename_in_is_seen_at_once(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("live");
    /* A poll period far longer than the wait: only an event can bring it in. */
    struct kb_spool *s = open_spool(dir, true, 2, 600000, 0);
    assert_int_equal(kb_spool_update(s, test_now_ms()), 0);
    assert_true(kb_spool_fd(s) >= 0);
    assert_true(kb_spool_present(s));

    int64_t t0 = test_now_ms();
    test_put_item(dir, "a.json", "a", "fr", "Bonjour", NULL);
    test_pump(s, 10000, added_at_least_1, NULL);
    int64_t took = test_now_ms() - t0;
    assert_int_equal(rec.added, 1);
    assert_string_equal(rec.ev[0].id, "a");
    assert_string_equal(rec.ev[0].text, "Bonjour");
    assert_true(took < 10000); /* an event, not the poll */
    assert_true(kb_spool_last_change_ms(s) >= t0);
    const struct kb_item *a = kb_spool_find(s, "a");
    assert_non_null(a);
    assert_string_equal(a->file, "a.json");
    assert_string_equal(a->lang, "fr");
    /* published defaults to the file's mtime */
    struct stat st;
    char path[PATH_MAX];
    test_path(path, sizeof(path), dir, "a.json");
    stat(path, &st);
    assert_int_equal(a->published, st.st_mtime);

    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
}

static void test_delete_retracts_every_item_at_once(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("live");
    test_put(dir, "bundle.json",
             "{\"items\": [{\"id\": \"b1\", \"lang\": \"en\", \"text\": \"one\"},"
             "{\"id\": \"b2\", \"lang\": \"en\", \"text\": \"two\"},"
             "{\"id\": \"b3\", \"lang\": \"en\", \"text\": \"three\"}]}");
    test_put_item(dir, "c.json", "c", "en", "stays", NULL);
    struct kb_spool *s = open_spool(dir, true, 2, 1000, 0);
    kb_spool_update(s, test_now_ms());
    assert_int_equal(rec.added, 4);
    assert_int_equal(kb_spool_item_count(s), 4);

    rec_clear(&rec);
    char path[PATH_MAX];
    test_path(path, sizeof(path), dir, "bundle.json");
    unlink(path);
    test_sleep_ms(20);
    /* One update reports all three, removals only. */
    assert_int_equal(kb_spool_update(s, test_now_ms()), 3);
    assert_int_equal(rec.removed, 3);
    assert_int_equal(rec.added + rec.edited, 0);
    assert_null(kb_spool_find(s, "b2"));
    assert_non_null(kb_spool_find(s, "c"));
    size_t n = 0;
    kb_spool_items(s, &n);
    assert_int_equal(n, 1);

    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
}

static void test_edit_and_rewrite(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("live");
    const char *pub = "\"published\": \"2021-11-19T10:00:00+07:00\"";
    test_put_item(dir, "e.json", "e", "en", "first", pub);
    struct kb_spool *s = open_spool(dir, true, 2, 1000, 0);
    kb_spool_update(s, test_now_ms());
    assert_int_equal(kb_spool_find(s, "e")->version, 1);

    rec_clear(&rec);
    test_put_item(dir, "e.json", "e", "en", "second", pub);
    test_sleep_ms(20);
    assert_int_equal(kb_spool_update(s, test_now_ms()), 1);
    assert_int_equal(rec.edited, 1);
    assert_string_equal(rec.ev[0].text, "second");
    assert_int_equal(rec.ev[0].version, 2);
    assert_string_equal(kb_spool_find(s, "e")->text, "second");

    /* The same content written again is no edit. */
    rec_clear(&rec);
    test_put_item(dir, "e.json", "e", "en", "second", pub);
    test_sleep_ms(20);
    assert_int_equal(kb_spool_update(s, test_now_ms()), 0);
    assert_int_equal(kb_spool_find(s, "e")->version, 2);

    /* A file that changes its item's id: the old id goes, the new one comes. */
    rec_clear(&rec);
    test_put_item(dir, "e.json", "f", "en", "third", pub);
    test_sleep_ms(20);
    kb_spool_update(s, test_now_ms());
    assert_int_equal(rec.removed, 1);
    assert_int_equal(rec.added, 1);
    assert_null(kb_spool_find(s, "e"));
    assert_non_null(kb_spool_find(s, "f"));

    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
}

static void test_duplicate_ids_later_published_wins(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("live");
    test_put_item(dir, "old.json", "dup", "en", "older", "\"published\": \"2021-11-19T10:00:00Z\"");
    test_put_item(dir, "new.json", "dup", "en", "newer", "\"published\": \"2021-11-19T11:00:00Z\"");
    capture_begin();
    struct kb_spool *s = open_spool(dir, true, 2, 1000, 0);
    kb_spool_update(s, test_now_ms());
    kb_spool_update(s, test_now_ms());
    char *log = capture_end();
    assert_int_equal(rec.added, 1);
    assert_int_equal(kb_spool_item_count(s), 1);
    assert_string_equal(kb_spool_find(s, "dup")->text, "newer");
    assert_int_equal(count(log, "old.json: id \"dup\" is also in new.json; new.json wins (later "
                                "published)"),
                     1);
    free(log);

    /* The winner goes: the other claim takes over, as an edit. */
    rec_clear(&rec);
    char path[PATH_MAX];
    test_path(path, sizeof(path), dir, "new.json");
    unlink(path);
    test_sleep_ms(20);
    kb_spool_update(s, test_now_ms());
    assert_int_equal(rec.edited, 1);
    assert_int_equal(rec.removed, 0);
    assert_string_equal(kb_spool_find(s, "dup")->text, "older");
    assert_int_equal(kb_spool_find(s, "dup")->version, 2);

    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
}

/* ---- time ---- */

static void test_expiry_fires_at_its_time(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("live");
    test_put_item(dir, "x.json", "x", "en", "ten seconds",
                  "\"published\": \"2030-01-01T00:00:00Z\", \"expires\": \"2030-01-01T00:00:10Z\"");
    test_put_item(
        dir, "y.json", "y", "en", "an hour",
        "\"published\": \"2030-01-01T00:00:00Z\", \"expires\": \"2030-01-01T02:00:00+01:00\"");
    test_put_item(dir, "z.json", "z", "en", "forever", NULL);
    test_put_item(dir, "gone.json", "gone", "en", "already over",
                  "\"expires\": \"2029-12-31T23:59:59Z\"");
    /* Polling every 60 s, so only expiry decides the timeouts below. */
    struct kb_spool *s = open_spool(dir, false, 2, 60000, 0);
    int64_t now = T2030_MS;
    kb_spool_update(s, now);
    assert_int_equal(rec.added, 3); /* "gone" expired before it was read */
    assert_null(kb_spool_find(s, "gone"));
    assert_int_equal(kb_spool_rejected_count(s), 0);
    assert_int_equal(kb_spool_timeout_ms(s, now), 10000);
    assert_int_equal(kb_spool_timeout_ms(s, now + 9999), 1);

    rec_clear(&rec);
    kb_spool_update(s, now + 9999);
    assert_int_equal(rec.removed, 0);
    kb_spool_update(s, now + 10000);
    assert_int_equal(rec.removed, 1);
    assert_string_equal(rec.ev[0].id, "x");
    assert_null(kb_spool_find(s, "x"));
    /* y (02:00+01:00 is 01:00Z) is next, an hour after the start. */
    assert_non_null(kb_spool_find(s, "y"));
    assert_non_null(kb_spool_find(s, "z"));
    kb_spool_update(s, now + 59999);
    assert_int_equal(kb_spool_timeout_ms(s, now + 59999), 1); /* the poll */
    kb_spool_update(s, now + 60000);
    assert_int_equal(kb_spool_timeout_ms(s, now + 60000), 60000);
    kb_spool_update(s, now + 3600000);
    assert_null(kb_spool_find(s, "y"));
    assert_int_equal(rec.removed, 2);

    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
}

static void test_expiry_wakes_exactly(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("live");
    test_put_item(dir, "x.json", "x", "en", "half a minute",
                  "\"published\": \"2030-01-01T00:00:00Z\", \"expires\": \"2030-01-01T00:00:30Z\"");
    struct kb_spool *s = open_spool(dir, false, 2, 60000, 0);
    int64_t now = T2030_MS + 250;
    kb_spool_update(s, now);
    assert_int_equal(kb_spool_timeout_ms(s, now), 29750);
    rec_clear(&rec);
    now += kb_spool_timeout_ms(s, now);
    kb_spool_update(s, now);
    assert_int_equal(rec.removed, 1);
    /* Nothing left to expire: only the poll period (from the first scan) remains. */
    assert_int_equal(kb_spool_timeout_ms(s, now), 30250);
    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
}

/* ---- the item limit ---- */

static void put_pub(const char *dir, const char *id, const char *prio, int minute)
{
    char name[64], extra[256];
    snprintf(name, sizeof(name), "%s.json", id);
    snprintf(extra, sizeof(extra),
             "\"priority\": \"%s\", \"published\": \"2021-11-19T10:%02d:00Z\"", prio, minute);
    test_put_item(dir, name, id, "en", id, extra);
}

static void test_limit_evicts_oldest_normal_first(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("live");
    put_pub(dir, "high0", "high", 0);      /* oldest of all, but high */
    put_pub(dir, "break1", "breaking", 1); /* breaking */
    put_pub(dir, "n2", "normal", 2);
    put_pub(dir, "n3", "normal", 3);
    put_pub(dir, "n4", "normal", 4);
    put_pub(dir, "n5", "normal", 5);
    put_pub(dir, "n6", "normal", 6);
    capture_begin();
    struct kb_spool *s = open_spool(dir, true, 2, 1000, 5);
    kb_spool_update(s, test_now_ms());
    char *log = capture_end();
    assert_int_equal(
        count(log, "more than 5 items: dropping the oldest-published normal items first"), 1);
    free(log);
    /* Evicted within the update that loaded them: never reported. */
    assert_int_equal(rec.added, 5);
    assert_int_equal(rec.removed, 0);
    assert_int_equal(kb_spool_item_count(s), 5);
    assert_null(kb_spool_find(s, "n2"));
    assert_null(kb_spool_find(s, "n3"));
    assert_non_null(kb_spool_find(s, "high0"));
    assert_non_null(kb_spool_find(s, "break1"));
    assert_non_null(kb_spool_find(s, "n6"));

    /* One more: the oldest normal still held goes, and says so. */
    rec_clear(&rec);
    put_pub(dir, "n7", "normal", 7);
    test_sleep_ms(20);
    kb_spool_update(s, test_now_ms());
    assert_int_equal(rec.added, 1);
    assert_int_equal(rec.removed, 1);
    assert_string_equal(rec.ev[0].id, "n4");
    size_t n = 0;
    const struct kb_item *const *items = kb_spool_items(s, &n);
    assert_int_equal(n, 5);
    const char *order[] = {"high0", "break1", "n5", "n6", "n7"};
    for (size_t i = 0; i < n; i++)
        assert_string_equal(items[i]->id, order[i]);

    /* Only high and breaking left over the limit: high goes before breaking. */
    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);

    dir = test_mkdtemp("live");
    put_pub(dir, "b0", "breaking", 0);
    put_pub(dir, "h1", "high", 1);
    put_pub(dir, "h2", "high", 2);
    s = open_spool(dir, false, 2, 1000, 2);
    kb_spool_update(s, test_now_ms());
    assert_int_equal(kb_spool_item_count(s), 2);
    assert_non_null(kb_spool_find(s, "b0"));
    assert_null(kb_spool_find(s, "h1"));
    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
}

/* ---- the folder ---- */

static bool gone_or_back(void *ctx)
{
    struct kb_spool *s = ctx;
    return rec.removed >= 2 && !kb_spool_present(s);
}

static bool present_and_loaded(void *ctx)
{
    struct kb_spool *s = ctx;
    return kb_spool_present(s) && kb_spool_item_count(s) == 1;
}

static void folder_goes_and_returns(bool inotify)
{
    char *dir = test_mkdtemp("live");
    test_put_item(dir, "a.json", "a", "en", "a", NULL);
    test_put_item(dir, "b.json", "b", "en", "b", NULL);
    struct kb_spool *s = open_spool(dir, inotify, 2, 100, 0);
    kb_spool_update(s, test_now_ms());
    assert_int_equal(kb_spool_item_count(s), 2);

    rec_clear(&rec);
    test_rm_rf(dir);
    test_pump(s, 2000, gone_or_back, s);
    assert_int_equal(rec.removed, 2);
    assert_false(kb_spool_present(s));
    assert_int_equal(kb_spool_item_count(s), 0);
    /* Waiting for it is a poll, not a busy loop: right after a look, the
     * next one is a poll interval away (asked at the same instant, so a
     * slow machine cannot make the look due already). */
    int64_t now = test_now_ms();
    kb_spool_update(s, now);
    int t = kb_spool_timeout_ms(s, now);
    assert_true(t > 0 && t <= 100);

    rec_clear(&rec);
    assert_int_equal(mkdir(dir, 0755), 0);
    test_put_item(dir, "c.json", "c", "en", "c", NULL);
    test_pump(s, 2000, present_and_loaded, s);
    assert_true(kb_spool_present(s));
    assert_int_equal(rec.added, 1);
    assert_non_null(kb_spool_find(s, "c"));

    /* And it is watched again. */
    rec_clear(&rec);
    test_put_item(dir, "d.json", "d", "en", "d", NULL);
    test_pump(s, 2000, added_at_least_1, NULL);
    assert_non_null(kb_spool_find(s, "d"));

    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
}

static void test_folder_deleted_and_recreated_inotify(void **state)
{
    (void)state;
    folder_goes_and_returns(true);
}

static void test_folder_deleted_and_recreated_polling(void **state)
{
    (void)state;
    folder_goes_and_returns(false);
}

static void test_folder_missing_at_start(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("live");
    test_rm_rf(dir);
    capture_begin();
    struct kb_spool *s = open_spool(dir, true, 2, 50, 0);
    kb_spool_update(s, test_now_ms());
    test_pump(s, 200, NULL, NULL);
    char *log = capture_end();
    assert_false(kb_spool_present(s));
    assert_int_equal(count(log, "spool folder"), 1); /* said once, not every poll */
    free(log);
    mkdir(dir, 0755);
    test_put_item(dir, "a.json", "a", "en", "a", NULL);
    test_pump(s, 2000, added_at_least_1, NULL);
    assert_true(kb_spool_present(s));
    assert_non_null(kb_spool_find(s, "a"));
    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
}

static void test_polling_sees_changes(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("live");
    struct kb_spool *s = open_spool(dir, false, 2, 100, 0);
    kb_spool_update(s, test_now_ms());
    assert_int_equal(kb_spool_fd(s), -1);
    test_put_item(dir, "a.json", "a", "en", "polled", NULL);
    test_pump(s, 1000, added_at_least_1, NULL);
    assert_non_null(kb_spool_find(s, "a"));
    char path[PATH_MAX];
    test_path(path, sizeof(path), dir, "a.json");
    unlink(path);
    test_pump(s, 300, NULL, NULL);
    assert_int_equal(rec.removed, 1);
    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
}

/* ---- names and noise ---- */

static void test_ignored_names(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("live");
    const char *item = "{\"id\": \"i\", \"lang\": \"en\", \"text\": \"x\"}";
    test_write_str(dir, ".hidden.json", item);
    test_write_str(dir, "x.json.tmp", item);
    test_write_str(dir, "x.json.part", item);
    test_write_str(dir, "x.json~", item);
    test_write_str(dir, "notes.txt", item);
    capture_begin();
    struct kb_spool *s = open_spool(dir, false, 0, 10, 0);
    for (int i = 0; i < 5; i++) {
        kb_spool_update(s, test_now_ms());
        test_sleep_ms(12);
    }
    char *log = capture_end();
    assert_int_equal(kb_spool_item_count(s), 0);
    assert_int_equal(kb_spool_rejected_count(s), 0);
    assert_int_equal(count(log, "notes.txt: ignored: not a .json file"), 1);
    /* (The folder itself may have "tmp" in its path: look for the names.) */
    assert_int_equal(count(log, "x.json.tmp"), 0);
    assert_int_equal(count(log, "x.json.part"), 0);
    assert_int_equal(count(log, "x.json~"), 0);
    assert_int_equal(count(log, ".hidden.json"), 0);
    free(log);
    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
}

static void test_unknown_fields_warned_once(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("live");
    test_put_item(dir, "u.json", "u", "en", "x", "\"colour\": \"red\", \"v2\": {\"a\": 1}");
    capture_begin();
    struct kb_spool *s = open_spool(dir, true, 2, 1000, 0);
    kb_spool_update(s, test_now_ms());
    test_put_item(dir, "u.json", "u", "en", "y", "\"colour\": \"red\", \"v2\": {\"a\": 1}");
    test_sleep_ms(20);
    kb_spool_update(s, test_now_ms());
    char *log = capture_end();
    assert_int_equal(rec.added, 1);
    assert_int_equal(rec.edited, 1);
    assert_int_equal(count(log, "u.json: unknown fields ignored: \"colour\", \"v2\""), 1);
    free(log);
    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
}

/* ---- the settle rule ---- */

static void test_settle_two_halves(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("settle");
    struct kb_spool *s = open_spool(dir, true, 2, 1000, 0);
    kb_spool_update(s, test_now_ms());
    const char *first = "{\"id\": \"half\", \"lang\": \"en\",";
    const char *second = " \"text\": \"written in place\"}";
    char path[PATH_MAX];
    test_path(path, sizeof(path), dir, "half.json");
    FILE *f = fopen(path, "wb");
    fputs(first, f);
    fclose(f); /* IN_CLOSE_WRITE on a half file */
    test_pump(s, 500, NULL, NULL);
    assert_int_equal(rec.added, 0);
    assert_int_equal(kb_spool_rejected_count(s), 0);
    /* It is waiting to settle: the timeout says when to look again. */
    int t = kb_spool_timeout_ms(s, test_now_ms());
    assert_true(t > 0 && t <= 2000);
    f = fopen(path, "ab");
    fputs(second, f);
    fclose(f);
    test_pump(s, 2000, added_at_least_1, NULL);
    assert_int_equal(rec.added, 1);
    assert_string_equal(kb_spool_find(s, "half")->text, "written in place");
    assert_int_equal(kb_spool_rejected_count(s), 0);
    assert_false(test_exists(dir, "rejected"));
    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
}

static void test_settle_then_rejected(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("settle");
    struct kb_spool *s = open_spool(dir, true, 2, 600000, 0);
    kb_spool_update(s, test_now_ms());
    int64_t t0 = test_now_ms();
    test_write_str(dir, "broken.json", "{\"id\": \"broken\", \"lang\": \"en\",");
    test_pump(s, 5000, rejected_1, s);
    int64_t took = test_now_ms() - t0;
    assert_int_equal(kb_spool_rejected_count(s), 1);
    assert_true(took >= 1900); /* not before it settled */
    /* And well before the next poll: the settle timeout woke the loop. The
     * bound is loose because test machines are shared and noisy. */
    assert_true(took < 4500);
    assert_false(test_exists(dir, "broken.json"));
    assert_true(test_exists(dir, "rejected/broken.json"));
    char *line = test_read(dir, "rejected/broken.json.error.txt");
    char expect[PATH_MAX + 128];
    snprintf(expect, sizeof(expect),
             "%s/broken.json:1:30: string or '}' expected near end of file\n", dir);
    assert_string_equal(line, expect);
    free(line);
    assert_int_equal(rec.added, 0);
    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
}

/* A good file rewritten in place with junk keeps its item while it settles,
 * then loses it when rejected. */
static void test_broken_rewrite_keeps_item_until_settled(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("settle");
    test_put_item(dir, "g.json", "g", "en", "good", NULL);
    test_age(dir, "g.json", 10000);
    struct kb_spool *s = open_spool(dir, true, 1, 1000, 0);
    kb_spool_update(s, test_now_ms());
    assert_non_null(kb_spool_find(s, "g"));
    test_write_str(dir, "g.json", "{\"id\": \"g\"");
    test_pump(s, 300, NULL, NULL);
    assert_non_null(kb_spool_find(s, "g"));
    test_pump(s, 2000, rejected_1, s);
    assert_null(kb_spool_find(s, "g"));
    assert_int_equal(rec.removed, 1);
    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
}

/* rejected/ cannot be made (a file is in the way, as a read-only disk
 * would refuse it): logged once, the file stays, no hot loop. */
static void test_reject_move_fails(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("settle");
    test_write_str(dir, "rejected", "in the way");
    test_write_str(dir, "bad.json", "{");
    test_age(dir, "bad.json", 10000);
    test_put_item(dir, "ok.json", "ok", "en", "fine", NULL);
    capture_begin();
    struct kb_spool *s = open_spool(dir, true, 2, 50, 0);
    kb_spool_update(s, test_now_ms());
    int t = kb_spool_timeout_ms(s, test_now_ms());
    int updates = 0;
    int64_t end = test_now_ms() + 300;
    while (test_now_ms() < end) {
        kb_spool_update(s, test_now_ms());
        updates++;
        test_sleep_ms(5);
    }
    /* Poll rescans too (not watching here would not change it). */
    char *log = capture_end();
    assert_true(t > 0); /* nothing is due: no hot loop */
    assert_int_equal(kb_spool_rejected_count(s), 1);
    assert_true(test_exists(dir, "bad.json"));
    assert_non_null(kb_spool_find(s, "ok"));
    assert_int_equal(count(log, "bad.json:1:1: string or '}' expected near end of file"), 1);
    assert_int_equal(count(log, "cannot move to rejected/"), 1);
    free(log);

    /* Fixed in place: it loads. */
    test_put_item(dir, "bad.json", "fixed", "en", "fixed", NULL);
    test_pump(s, 1000, NULL, NULL);
    assert_non_null(kb_spool_find(s, "fixed"));
    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
}

/* A file of the future settles as if written now; one far in the future
 * counts as settled (it would never settle otherwise). */
static void test_future_mtime(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("settle");
    test_write_str(dir, "far.json", "{");
    test_age(dir, "far.json", -INT64_C(86400000) * 365);
    struct kb_spool *s = open_spool(dir, false, 2, 1000, 0);
    kb_spool_update(s, test_now_ms());
    assert_int_equal(kb_spool_rejected_count(s), 1);
    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rename_in_is_seen_at_once),
        cmocka_unit_test(test_delete_retracts_every_item_at_once),
        cmocka_unit_test(test_edit_and_rewrite),
        cmocka_unit_test(test_duplicate_ids_later_published_wins),
        cmocka_unit_test(test_expiry_fires_at_its_time),
        cmocka_unit_test(test_expiry_wakes_exactly),
        cmocka_unit_test(test_limit_evicts_oldest_normal_first),
        cmocka_unit_test(test_folder_deleted_and_recreated_inotify),
        cmocka_unit_test(test_folder_deleted_and_recreated_polling),
        cmocka_unit_test(test_folder_missing_at_start),
        cmocka_unit_test(test_polling_sees_changes),
        cmocka_unit_test(test_ignored_names),
        cmocka_unit_test(test_unknown_fields_warned_once),
        cmocka_unit_test(test_settle_two_halves),
        cmocka_unit_test(test_settle_then_rejected),
        cmocka_unit_test(test_broken_rewrite_keeps_item_until_settled),
        cmocka_unit_test(test_reject_move_fails),
        cmocka_unit_test(test_future_mtime),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
