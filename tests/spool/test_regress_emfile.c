/* Regression test: a valid file kabar cannot open because the process is
 * out of file descriptors (EMFILE) is not the file's fault. It used to be
 * failed like a bad file: counted rejected, "moved" (the move failed too,
 * for want of a descriptor), then left alone until it changed, so it never
 * showed even once descriptors were back. Found by tests/cli/faults_tests.py
 * (test_out_of_file_descriptors_then_recovers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "core/log.h"
#include "spool_test.h"

static void ignore(void *user, enum kb_spool_change what, const struct kb_item *item)
{
    (void)user;
    (void)what;
    (void)item;
}

static void write_item(const char *dir, const char *name, const char *id, int64_t age_s)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "{\"id\": \"%s\", \"lang\": \"en\", \"text\": \"Written while starved\"}", id);
    fclose(f);
    struct timespec ts[2];
    clock_gettime(CLOCK_REALTIME, &ts[0]);
    ts[0].tv_sec -= age_s;
    ts[1] = ts[0];
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* The lowest descriptor number not in use: the soft limit that leaves none free. */
static rlim_t fds_in_use(void)
{
    int fd = dup(0);
    assert_true(fd >= 0);
    close(fd);
    return (rlim_t)fd;
}

static void test_starved_file_is_read_when_fds_are_back(void **state)
{
    (void)state;
    kb_log_set_level(KB_LOG_ERR);
    char *dir = test_mkdtemp("emfile");
    struct kb_spool_opts opts = {
        .dir = dir, .settle_s = 0.2, .poll_ms = 100, .use_inotify = true, .move_rejected = true};
    struct kb_spool *s = kb_spool_new(&opts, ignore, NULL);
    int64_t now = test_now_ms();
    kb_spool_update(s, now);
    assert_int_equal(kb_spool_item_count(s), 0);

    /* Settled already: a bad file like it would be rejected at once. inotify
     * names them, so no descriptor is needed to find them, only to open them. */
    write_item(dir, "old.json", "old", 60);
    write_item(dir, "young.json", "young", 0);
    struct rlimit saved, starved;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
    starved = saved;
    starved.rlim_cur = fds_in_use();
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &starved), 0);
    now += 1000;
    kb_spool_update(s, now);
    size_t items = kb_spool_item_count(s), rejected = kb_spool_rejected_count(s);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
    assert_int_equal(items, 0);
    assert_int_equal(rejected, 0);

    /* Descriptors are back: both are read at the next look. */
    now += 1000;
    kb_spool_update(s, now);
    assert_int_equal(kb_spool_item_count(s), 2);
    assert_non_null(kb_spool_find(s, "old"));
    assert_non_null(kb_spool_find(s, "young"));
    assert_int_equal(kb_spool_rejected_count(s), 0);
    char rej[PATH_MAX];
    snprintf(rej, sizeof(rej), "%s/rejected/old.json", dir);
    assert_int_not_equal(access(rej, F_OK), 0);

    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
    kb_log_shutdown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_starved_file_is_read_when_fds_are_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
