/* 500 files pushed into a live spool by rsync, as a newsroom server would:
 * no partial item is ever seen, every item arrives once, and a second push
 * of changed files edits each item once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <spawn.h>
#include <sys/wait.h>

#include "spool_test.h"

#define NFILES 500

extern char **environ;

/* The full text of item n in push round r: long enough that a partial
 * write would be visible, with an end marker. */
static void expected_text(int n, int round, char *buf, size_t size)
{
    int o = snprintf(buf, size, "round %d item %03d:", round, n);
    for (int i = 0; i < 60; i++)
        o += snprintf(buf + o, size - (size_t)o, " word%02d", i);
    snprintf(buf + o, size - (size_t)o, " END");
}

struct checker {
    int round;
    size_t bad;
    unsigned seen[NFILES];
};

static void check_item(const struct kb_item *item, void *ctx)
{
    struct checker *c = ctx;
    int n = -1;
    char expect[1024];
    if (sscanf(item->id, "item-%d", &n) != 1 || n < 0 || n >= NFILES) {
        c->bad++;
        return;
    }
    expected_text(n, c->round, expect, sizeof(expect));
    if (strcmp(item->text, expect) != 0 || strcmp(item->lang, "id") != 0) {
        print_error("partial or wrong item %s: \"%s\"\n", item->id, item->text);
        c->bad++;
    }
    c->seen[n]++;
}

static void write_sources(const char *src, int round)
{
    for (int n = 0; n < NFILES; n++) {
        char name[64], id[64], text[1024];
        snprintf(name, sizeof(name), "item-%03d.json", n);
        snprintf(id, sizeof(id), "item-%03d", n);
        expected_text(n, round, text, sizeof(text));
        char *json = test_item(id, "id", text, "\"source\": \"rsync\"");
        test_write_str(src, name, json);
        free(json);
    }
}

static pid_t start_rsync(const char *src, const char *dst, bool delay)
{
    char from[PATH_MAX], to[PATH_MAX];
    snprintf(from, sizeof(from), "%s/", src);
    snprintf(to, sizeof(to), "%s/", dst);
    char *argv[] = {"rsync", "-a", delay ? "--delay-updates" : "--inplace", from, to, NULL};
    if (!delay)
        argv[2] = "--checksum"; /* plain rsync: temp names, then rename, file by file */
    pid_t pid;
    if (posix_spawnp(&pid, "rsync", NULL, NULL, argv, environ) != 0)
        return -1;
    return pid;
}

static struct recorder rec;

static bool all_seen(void *ctx)
{
    (void)ctx;
    return rec.added + rec.edited >= NFILES;
}

static void push(const char *src, const char *dst, struct kb_spool *s, bool delay)
{
    pid_t pid = start_rsync(src, dst, delay);
    if (pid < 0)
        skip();
    int status = 0;
    /* Run the ingest loop while rsync writes. */
    while (waitpid(pid, &status, WNOHANG) == 0)
        test_pump(s, 20, NULL, NULL);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    test_pump(s, 10000, all_seen, NULL);
}

static void run(bool delay)
{
    char *src = test_mkdtemp("rsync-src");
    char *dst = test_mkdtemp("rsync-spool");
    static struct checker checker;
    memset(&checker, 0, sizeof(checker));
    rec_clear(&rec);
    rec.check = check_item;
    rec.ctx = &checker;
    struct kb_spool_opts opts = {
        .dir = dst, .settle_s = 2, .use_inotify = true, .move_rejected = true};
    struct kb_spool *s = kb_spool_new(&opts, rec_fn, &rec);
    kb_spool_update(s, test_now_ms());

    checker.round = 1;
    write_sources(src, 1);
    push(src, dst, s, delay);
    assert_int_equal(checker.bad, 0);
    assert_int_equal(rec.added, NFILES);
    assert_int_equal(rec.edited + rec.removed, 0);
    assert_int_equal(kb_spool_item_count(s), NFILES);
    assert_int_equal(kb_spool_rejected_count(s), 0);
    for (int n = 0; n < NFILES; n++)
        assert_int_equal(checker.seen[n], 1);

    /* Every file changed: each item edited exactly once, never half-written. */
    rec_clear(&rec);
    memset(checker.seen, 0, sizeof(checker.seen));
    checker.round = 2;
    test_sleep_ms(1100); /* a new mtime second, so rsync sees the change by time too */
    write_sources(src, 2);
    push(src, dst, s, delay);
    assert_int_equal(checker.bad, 0);
    assert_int_equal(rec.edited, NFILES);
    assert_int_equal(rec.added + rec.removed, 0);
    for (int n = 0; n < NFILES; n++)
        assert_int_equal(checker.seen[n], 1);
    assert_int_equal(kb_spool_find(s, "item-042")->version, 2);
    assert_int_equal(kb_spool_rejected_count(s), 0);

    kb_spool_free(s);
    test_rm_rf(src);
    test_rm_rf(dst);
    free(src);
    free(dst);
}

static void test_rsync_delay_updates(void **state)
{
    (void)state;
    run(true);
}

static void test_rsync_plain(void **state)
{
    (void)state;
    run(false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsync_delay_updates),
        cmocka_unit_test(test_rsync_plain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
