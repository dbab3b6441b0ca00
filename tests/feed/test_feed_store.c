/* The spool side of `kabar feed` (feed/store.h): retracting a feed's own
 * items, and the temp files a crash left behind, named as core/file.h's
 * atomic writer really names them, removed on the next run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/file.h"
#include "core/xmalloc.h"
#include "feed/store.h"
#include "spool/put.h"

#define PREFIX "feed-0123abcd-"
#define OTHER "feed-99999999-"

static char *spool_dir(void)
{
    char *dir = kb_xasprintf("%s/tests/feed-store-XXXXXX", KB_TEST_BUILD_DIR);
    char *parent = kb_xasprintf("%s/tests", KB_TEST_BUILD_DIR);
    mkdir(parent, 0755);
    free(parent);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void touch(const char *dir, const char *name)
{
    char *path = kb_xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{}", f);
    fclose(f);
    free(path);
}

static bool exists(const char *dir, const char *name)
{
    char *path = kb_xasprintf("%s/%s", dir, name);
    struct stat st;
    bool there = lstat(path, &st) == 0;
    free(path);
    return there;
}

/* A writer killed mid-write: a child whose file size limit is one byte
 * dies of SIGXFSZ inside the atomic writer, leaving its temp file as a
 * power cut or a kill -9 would. Returns that file's name (searched for by
 * what the spool holds after, so the test follows core/file's naming
 * whatever it is), relative to dir. */
static char *crash_writing(const char *dir, const char *sub, bool state)
{
    char *where = kb_xasprintf("%s/%s", dir, sub);
    DIR *before = opendir(where);
    assert_non_null(before);
    size_t n_before = 0;
    while (readdir(before) != NULL)
        n_before++;
    closedir(before);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit one = {1, 1}, none = {0, 0};
        setrlimit(RLIMIT_CORE, &none);
        setrlimit(RLIMIT_FSIZE, &one);
        struct kb_error err;
        if (state) {
            struct kb_feed_state st = {0};
            kb_feed_state_save(dir, PREFIX, "https://news.example/feed", &st, &err);
        } else {
            kb_spool_put(dir, KB_FEED_WRITE_TAG, PREFIX "00000000000000d4.json",
                         "{\"text\": \"a story\"}", 19, &err);
        }
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGXFSZ);
    char *found = NULL;
    size_t n_after = 0;
    DIR *after = opendir(where);
    struct dirent *d;
    while ((d = readdir(after)) != NULL) {
        n_after++;
        if (d->d_name[0] == '.' && strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0 &&
            strcmp(d->d_name, KB_FEED_STATE_DIR) != 0 &&
            strstr(d->d_name, state ? "feed-0123abcd.json" : "00000000000000d4") != NULL)
            found = kb_xasprintf("%s/%s", sub, d->d_name);
    }
    closedir(after);
    assert_int_equal(n_after, n_before + 1);
    assert_non_null(found);
    free(where);
    return found;
}

static void test_retract_removes_crash_leftovers(void **state)
{
    (void)state;
    char *dir = spool_dir();
    struct kb_error err;
    assert_true(kb_feed_store_prepare(dir, &err));
    /* The feed's kept item, one it no longer has, and another feed's item. */
    assert_int_equal(
        kb_spool_put(dir, KB_FEED_WRITE_TAG, PREFIX "00000000000000a1.json", "{}", 2, &err),
        KB_SPOOL_PUT_WRITTEN);
    touch(dir, PREFIX "00000000000000b2.json");
    touch(dir, OTHER "00000000000000c3.json");
    /* What a crash mid-write leaves: this feed's item and state temp files,
     * another feed's, another producer's, and names that only look alike. */
    char *mine = crash_writing(dir, ".", false);
    char *state_tmp = crash_writing(dir, KB_FEED_STATE_DIR, true);
    char *theirs = kb_xasprintf(".%s.%s00000000000000e5.json.Ab3Xz9", KB_FEED_WRITE_TAG, OTHER);
    touch(dir, theirs);
    touch(dir, ".post." PREFIX "00000000000000f6.json.Ab3Xz9");
    touch(dir, "." KB_FEED_WRITE_TAG "." PREFIX "not-a-temp.json");
    touch(dir, "." KB_FEED_WRITE_TAG "." PREFIX "short.json.Ab3");
    char *other_state_tmp =
        kb_xasprintf("%s/.%s.feed-99999999.json.Qq1Rr2", KB_FEED_STATE_DIR, KB_FEED_WRITE_TAG);
    touch(dir, other_state_tmp);

    char *keep[] = {PREFIX "00000000000000a1.json"};
    size_t failed = 99;
    size_t removed = kb_feed_store_retract(dir, PREFIX, keep, 1, false, 0, &failed);
    assert_int_equal(removed, 1); /* temp files are not counted as retracted items */
    assert_int_equal(failed, 0);
    assert_true(exists(dir, PREFIX "00000000000000a1.json"));
    assert_false(exists(dir, PREFIX "00000000000000b2.json"));
    assert_true(exists(dir, OTHER "00000000000000c3.json"));
    assert_false(exists(dir, mine));
    assert_false(exists(dir, state_tmp));
    assert_true(exists(dir, theirs));
    assert_true(exists(dir, other_state_tmp));
    assert_true(exists(dir, ".post." PREFIX "00000000000000f6.json.Ab3Xz9"));
    assert_true(exists(dir, "." KB_FEED_WRITE_TAG "." PREFIX "not-a-temp.json"));
    assert_true(exists(dir, "." KB_FEED_WRITE_TAG "." PREFIX "short.json.Ab3"));

    free(mine);
    free(theirs);
    free(state_tmp);
    free(other_state_tmp);
    char *rm = kb_xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(rm), 0);
    free(rm);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retract_removes_crash_leftovers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
