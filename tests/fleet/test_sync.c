/* Reconciliation (fleet/sync.h) and the reconnect delays (fleet/retry.h),
 * without a broker: the bridge's calls are made by hand on a real spool. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/limits.h"
#include "core/xmalloc.h"
#include "fleet/index.h"
#include "fleet/retry.h"
#include "fleet/sync.h"
#include "spool/put.h"
#include "spool/reject_bound.h"

static char *spool;

static void put(const char *id, const char *text)
{
    char *path = kb_xasprintf("%s/%s.json", spool, id);
    char *tmp = kb_xasprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    /* A new inode, as every writer of the spool makes by rename. */
    assert_int_equal(rename(tmp, path), 0);
    free(path);
    free(tmp);
}

static bool has(const char *id)
{
    char *path = kb_xasprintf("%s/%s.json", spool, id);
    bool ok = access(path, F_OK) == 0;
    free(path);
    return ok;
}

static int setup(void **state)
{
    /* Memory where there is some: the bound's test writes 70 MB. */
    spool = kb_xstrdup(access("/dev/shm", W_OK) == 0 ? "/dev/shm/kabar-sync-XXXXXX"
                                                     : "/tmp/kabar-sync-XXXXXX");
    assert_non_null(mkdtemp(spool));
    return 0;
}

static int teardown(void **state)
{
    char *cmd = kb_xasprintf("rm -rf -- '%s'", spool);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(spool);
    return 0;
}

/* Marker payloads are the bridge's: only the current one closes a round. */
static void close_round(struct kb_mqtt_sync *s, const char *current, size_t want_removed)
{
    char marker[64];
    snprintf(marker, sizeof(marker), "%s", current);
    size_t removed = 99;
    assert_false(kb_mqtt_sync_marker(s, "sync 0 0 0", 10, &removed));
    assert_true(kb_mqtt_sync_marker(s, marker, strlen(marker), &removed));
    assert_int_equal(removed, want_removed);
    assert_false(kb_mqtt_sync_marker(s, marker, strlen(marker), &removed));
}

static void test_round_removes_only_its_own(void **state)
{
    struct kb_mqtt_sync *s = kb_mqtt_sync_new(spool, "kabar-g-s");
    const char *m = kb_mqtt_sync_begin(s, 0);
    for (int i = 0; i < 6; i++) {
        char id[16];
        snprintf(id, sizeof(id), "m-%d", i);
        put(id, "{}");
        kb_mqtt_sync_applied(s, id, true, true, 1);
    }
    put("feed-1", "{}"); /* another producer's */
    close_round(s, m, 0);
    assert_int_equal(kb_mqtt_sync_state(s), KB_MQTT_SYNC_COMPLETE);
    assert_int_equal(kb_mqtt_sync_owned(s), 6);
    kb_mqtt_sync_free(s);

    /* A new process: the ledger is read back from the spool. m-5 is
     * rewritten by another producer meanwhile. */
    put("m-5", "{\"other\":1}");
    s = kb_mqtt_sync_new(spool, "kabar-g-s");
    assert_int_equal(kb_mqtt_sync_owned(s), 6);
    m = kb_mqtt_sync_begin(s, 10);
    /* Queued by an earlier session (not retained, before any retained
     * message): stale, so it does not count as present. */
    kb_mqtt_sync_applied(s, "m-3", true, false, 11);
    kb_mqtt_sync_applied(s, "m-0", true, true, 11);
    kb_mqtt_sync_applied(s, "m-1", true, true, 11);
    /* A live message after the first retained one is the present. */
    kb_mqtt_sync_applied(s, "m-2", true, false, 11);
    close_round(s, m, 2); /* m-3 and m-4 */
    assert_true(has("m-0") && has("m-1") && has("m-2"));
    assert_false(has("m-3") || has("m-4"));
    assert_true(has("m-5"));    /* rewritten by another producer: not ours now */
    assert_true(has("feed-1")); /* never ours */
    assert_int_equal(kb_mqtt_sync_owned(s), 3);
    kb_mqtt_sync_free(s);
}

static void test_retracted_and_rejected_leave_the_ledger(void **state)
{
    struct kb_mqtt_sync *s = kb_mqtt_sync_new(spool, "kabar-g-t");
    const char *m = kb_mqtt_sync_begin(s, 0);
    put("a", "{}");
    kb_mqtt_sync_applied(s, "a", true, true, 0);
    put("b", "{}");
    kb_mqtt_sync_applied(s, "b", true, true, 0);
    close_round(s, m, 0);
    kb_mqtt_sync_applied(s, "a", false, false, 1); /* retracted live */
    assert_int_equal(kb_mqtt_sync_owned(s), 1);
    /* The file a feed then writes under the same name is the feed's. */
    put("a", "{}");
    m = kb_mqtt_sync_begin(s, 2);
    close_round(s, m, 1); /* b only */
    assert_true(has("a"));
    assert_false(has("b"));
    kb_mqtt_sync_free(s);
}

static void test_incomplete_round_removes_nothing_then_probes(void **state)
{
    struct kb_mqtt_sync *s = kb_mqtt_sync_new(spool, "kabar-g-u");
    const char *m = kb_mqtt_sync_begin(s, 0);
    const char *ids[] = {"p-0", "p-1", "p-2", "p-3", "p-4"};
    for (int i = 0; i < 5; i++) {
        put(ids[i], "{}");
        kb_mqtt_sync_applied(s, ids[i], true, true, 0);
    }
    close_round(s, m, 0);
    kb_mqtt_sync_begin(s, 100);
    kb_mqtt_sync_applied(s, "p-0", true, true, 101);
    assert_false(kb_mqtt_sync_timed_out(s, 105, 10));
    assert_true(kb_mqtt_sync_timed_out(s, 112, 10));
    assert_false(kb_mqtt_sync_timed_out(s, 130, 10)); /* once */
    assert_int_equal(kb_mqtt_sync_state(s), KB_MQTT_SYNC_INCOMPLETE);
    for (int i = 0; i < 5; i++)
        assert_true(has(ids[i]));

    /* Probing p-1..p-4, two at a time: p-2 and p-4 are still retained. */
    const char *batch[2], *marker;
    size_t n, probed = 0;
    for (double t = 120; (n = kb_mqtt_sync_probe(s, 2, batch, &marker, t)) > 0; t++) {
        assert_int_equal(n, 2);
        size_t gone = 0;
        for (size_t i = 0; i < n; i++) {
            assert_string_not_equal(batch[i], "p-0"); /* it was sent */
            if (strcmp(batch[i], "p-2") == 0 || strcmp(batch[i], "p-4") == 0)
                kb_mqtt_sync_applied(s, batch[i], true, true, t);
            else
                gone++;
        }
        close_round(s, marker, gone);
        probed += n;
    }
    assert_int_equal(probed, 4);
    assert_true(has("p-0") && has("p-2") && has("p-4"));
    assert_false(has("p-1") || has("p-3"));
    kb_mqtt_sync_free(s);
}

/* rejected/ stays within its bound whoever fills it: refused payloads are
 * cut to 64 KiB (and their reason says so), the oldest go first, and what
 * was just put there stays. */
static void test_rejected_bound(void **state)
{
    size_t len = KB_SPOOL_REJECTED_KEEP_BYTES + 5000;
    char *payload = kb_xmalloc(len);
    memset(payload, 'x', len);
    uint64_t pruned0 = kb_spool_rejected_pruned();
    struct kb_error err;
    int n = KB_SPOOL_REJECTED_MAX_FILES / 2 + 100; /* 1,100 */
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof(name), "bad-%05d.json", i);
        assert_int_equal(kb_spool_reject(spool, "mqtt", name, payload, len, "bad", &err),
                         KB_SPOOL_REJECT_DONE);
    }
    free(payload);
    char *rdir = kb_xasprintf("%s/rejected", spool);
    DIR *d = opendir(rdir);
    assert_non_null(d);
    size_t files = 0;
    long long bytes = 0;
    bool newest = false, oldest = false;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *path = kb_xasprintf("%s/%s", rdir, e->d_name);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        free(path);
        files++;
        bytes += st.st_size;
        assert_true(st.st_size <= KB_SPOOL_REJECTED_KEEP_BYTES);
        newest |= strcmp(e->d_name, "bad-01099.json") == 0;
        oldest |= strcmp(e->d_name, "bad-00000.json") == 0;
    }
    closedir(d);
    assert_true(files <= KB_SPOOL_REJECTED_MAX_FILES);
    assert_true(bytes <= KB_SPOOL_REJECTED_MAX_BYTES);
    assert_true(newest);
    assert_false(oldest);
    assert_int_equal(kb_spool_rejected_pruned() - pruned0, (uint64_t)(2 * n) - files);
    char *reason = kb_xasprintf("%s/bad-01099.json.error.txt", rdir);
    FILE *f = fopen(reason, "r");
    assert_non_null(f);
    char line[256];
    assert_non_null(fgets(line, sizeof(line), f));
    assert_string_equal(line, "bad\n");
    assert_non_null(fgets(line, sizeof(line), f));
    assert_non_null(strstr(line, "keeps the first 65536 of its 70536 bytes"));
    fclose(f);
    free(reason);
    free(rdir);
}

static void collect(void *ctx, const char *id)
{
    char *out = ctx;
    strcat(out, id);
    strcat(out, " ");
}

/* The publishers' index: the shard an id falls in (the page and the tests
 * compute the same FNV-1a), entries added, replaced, removed and dropped
 * once expired, and the shard's own expiry. */
static void test_index(void **state)
{
    assert_int_equal(kb_mqtt_index_shard("a1"), 0x27);
    assert_int_equal(kb_mqtt_index_shard("b3"), 0x22);
    char *t = kb_mqtt_index_topic("fr", 0x27);
    assert_string_equal(t, "kabar/fr/index/27");
    free(t);
    char *f = kb_mqtt_index_filter("kabar/all/items/+");
    assert_string_equal(f, "kabar/all/index/+");
    free(f);
    assert_null(kb_mqtt_index_filter("news/#"));

    uint32_t exp = 0;
    char *a = kb_mqtt_index_update(NULL, 0, "x", 1100, true, 1000, &exp);
    assert_int_equal(exp, 100);
    char *b = kb_mqtt_index_update(a, strlen(a), "y", 0, true, 1000, &exp);
    assert_int_equal(exp, 0); /* y never expires: neither does the shard */
    char ids[64] = "";
    assert_true(kb_mqtt_index_parse(b, strlen(b), 1000, collect, ids));
    assert_string_equal(ids, "x y ");
    ids[0] = '\0';
    assert_true(kb_mqtt_index_parse(b, strlen(b), 1200, collect, ids));
    assert_string_equal(ids, "y "); /* x has expired */
    char *c = kb_mqtt_index_update(b, strlen(b), "y", 0, false, 1000, &exp);
    assert_string_equal(c, "{\"items\":{\"x\":1100},\"kabar_index\":1}");
    char *d = kb_mqtt_index_update(c, strlen(c), "z", 0, true, 1200, &exp);
    assert_string_equal(d, "{\"items\":{\"z\":0},\"kabar_index\":1}");
    char *e = kb_mqtt_index_update(d, strlen(d), "z", 0, false, 1200, &exp);
    assert_string_equal(e, ""); /* empty: clears the retained shard */
    assert_false(kb_mqtt_index_parse("[1]", 3, 1000, collect, ids));
    free(a);
    free(b);
    free(c);
    free(d);
    free(e);
}

static void test_retry(void **state)
{
    struct kb_mqtt_retry r;
    kb_mqtt_retry_init(&r, 7, 0);
    kb_mqtt_retry_connected(&r);
    /* Lost at 1000: tries within a second for a minute. */
    for (double t = 1000; t < 1059; t += 1) {
        double d = kb_mqtt_retry_delay(&r, false, t);
        assert_true(d >= 0.25 && d <= 1.0);
    }
    /* Then backoff, doubling to 60 s, with at most a quarter of jitter. */
    double prev = 0;
    for (int i = 0; i < 8; i++) {
        double d = kb_mqtt_retry_delay(&r, false, 1061 + i);
        assert_true(d >= 2.0 && d <= 75.0);
        assert_true(d >= prev * 0.8 || d >= 60);
        prev = d;
    }
    /* A broker that answers "no" is never hammered. */
    kb_mqtt_retry_connected(&r);
    assert_true(kb_mqtt_retry_delay(&r, true, 2000) >= 2.0);
    assert_true(kb_mqtt_retry_delay(&r, true, 2002) >= 4.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_removes_only_its_own, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retracted_and_rejected_leave_the_ledger, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_incomplete_round_removes_nothing_then_probes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rejected_bound, setup, teardown),
        cmocka_unit_test(test_retry),
        cmocka_unit_test(test_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
