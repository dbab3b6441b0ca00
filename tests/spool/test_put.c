/* The spool's producer side: kb_spool_put writes only what changed (an
 * unchanged file keeps its inode and mtime, the default `published`), and
 * kb_spool_reject leaves NAME and NAME.error.txt in rejected/, with names
 * kept inside the spool. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "spool/put.h"
#include "spool_test.h"

static struct stat stat_of(const char *dir, const char *name)
{
    char path[PATH_MAX];
    test_path(path, sizeof(path), dir, name);
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    return st;
}

/* Names in dir other than . and .. (hidden ones too), counted. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void test_put_writes_only_changes(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("put");
    const char *a = "{\"id\": \"a\", \"lang\": \"en\", \"text\": \"one\"}\n";
    struct kb_error err;
    assert_int_equal(kb_spool_put(dir, "test", "a.json", a, strlen(a), &err), KB_SPOOL_PUT_WRITTEN);
    char *got = test_read(dir, "a.json");
    assert_string_equal(got, a);
    free(got);
    /* Dated an hour back, so a rewrite would show in the mtime. */
    test_age(dir, "a.json", 3600 * 1000);
    struct stat before = stat_of(dir, "a.json");
    assert_int_equal(before.st_mode & 0777, 0644);

    /* The same bytes again: nothing written, inode and mtime stay. */
    assert_int_equal(kb_spool_put(dir, "test", "a.json", a, strlen(a), &err),
                     KB_SPOOL_PUT_UNCHANGED);
    struct stat after = stat_of(dir, "a.json");
    assert_int_equal(after.st_ino, before.st_ino);
    assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
    assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);

    /* One byte different, or a prefix of it: rewritten, as a new file. */
    const char *b = "{\"id\": \"a\", \"lang\": \"en\", \"text\": \"two\"}\n";
    assert_int_equal(kb_spool_put(dir, "test", "a.json", b, strlen(b), &err), KB_SPOOL_PUT_WRITTEN);
    assert_true(stat_of(dir, "a.json").st_ino != before.st_ino);
    assert_int_equal(kb_spool_put(dir, "test", "a.json", b, strlen(b) - 1, &err),
                     KB_SPOOL_PUT_WRITTEN);
    assert_int_equal(stat_of(dir, "a.json").st_size, (off_t)strlen(b) - 1);
    assert_int_equal(entries(dir), 1); /* no temp file left */
    test_rm_rf(dir);
    free(dir);
}

static void test_put_replaces_a_planted_symlink(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("put-link");
    char *outside = test_mkdtemp("put-outside");
    test_write_str(outside, "target.json", "{}");
    char link[PATH_MAX], target[PATH_MAX];
    test_path(link, sizeof(link), dir, "a.json");
    test_path(target, sizeof(target), outside, "target.json");
    assert_int_equal(symlink(target, link), 0);
    /* The link's target holds the same bytes: still not "unchanged", since
     * the spool never reads through a link; the link is replaced, the
     * target untouched. */
    struct kb_error err;
    assert_int_equal(kb_spool_put(dir, "test", "a.json", "{}", 2, &err), KB_SPOOL_PUT_WRITTEN);
    assert_true(S_ISREG(stat_of(dir, "a.json").st_mode));
    char *got = test_read(outside, "target.json");
    assert_string_equal(got, "{}");
    free(got);
    test_rm_rf(dir);
    test_rm_rf(outside);
    free(dir);
    free(outside);
}

static void test_put_fails_without_folder(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("put-gone");
    char missing[PATH_MAX];
    test_path(missing, sizeof(missing), dir, "nope");
    struct kb_error err;
    assert_int_equal(kb_spool_put(missing, "test", "a.json", "{}", 2, &err), KB_SPOOL_PUT_FAILED);
    char want[PATH_MAX + 64];
    snprintf(want, sizeof(want), "%s/a.json: cannot write: No such file or directory", missing);
    assert_string_equal(err.msg, want);
    test_rm_rf(dir);
    free(dir);
}

static void test_reject_payload(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("reject");
    struct kb_error err;
    const char *line = "spool/b.json: field \"lang\": \"xx_YY\" is not a BCP 47 language tag";
    assert_int_equal(kb_spool_reject(dir, "test", "b.json", "{bad", 4, line, &err),
                     KB_SPOOL_REJECT_DONE);
    assert_string_equal(err.msg, "");
    char rdir[PATH_MAX];
    test_path(rdir, sizeof(rdir), dir, KB_SPOOL_REJECTED_DIR);
    char *payload = test_read(rdir, "b.json");
    char *reason = test_read(rdir, "b.json.error.txt");
    assert_string_equal(payload, "{bad");
    char want[256];
    snprintf(want, sizeof(want), "%s\n", line);
    assert_string_equal(reason, want);
    free(payload);
    free(reason);
    assert_int_equal(entries(rdir), 2); /* both files, no temp file */
    test_rm_rf(dir);
    free(dir);
}

static void test_reject_moves_file(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("reject-move");
    test_write_str(dir, "c.json", "{\"id\": ");
    struct kb_error err;
    assert_int_equal(kb_spool_reject(dir, "test", "c.json", NULL, 0, "c.json:1:8: bad", &err),
                     KB_SPOOL_REJECT_DONE);
    assert_false(test_exists(dir, "c.json"));
    char rdir[PATH_MAX];
    test_path(rdir, sizeof(rdir), dir, KB_SPOOL_REJECTED_DIR);
    char *moved = test_read(rdir, "c.json");
    char *reason = test_read(rdir, "c.json.error.txt");
    assert_string_equal(moved, "{\"id\": ");
    assert_string_equal(reason, "c.json:1:8: bad\n");
    free(moved);
    free(reason);
    /* A file that is not there: nothing left in rejected/, not even its reason. */
    assert_int_equal(kb_spool_reject(dir, "test", "gone.json", NULL, 0, "x", &err),
                     KB_SPOOL_REJECT_FAILED);
    assert_non_null(strstr(err.msg, "gone.json: cannot move to rejected/"));
    assert_false(test_exists(rdir, "gone.json.error.txt"));
    assert_int_equal(entries(rdir), 2);
    test_rm_rf(dir);
    free(dir);
}

/* Names stay inside the spool: a symlinked rejected/ is not followed, and a
 * 255-byte name (no room for ".error.txt") is moved without its reason and
 * says why. */
static void test_reject_names_are_safe(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("reject-safe");
    char *outside = test_mkdtemp("reject-outside");
    char rdir[PATH_MAX];
    test_path(rdir, sizeof(rdir), dir, KB_SPOOL_REJECTED_DIR);
    assert_int_equal(symlink(outside, rdir), 0);
    test_write_str(dir, "d.json", "{");
    struct kb_error err;
    assert_int_equal(kb_spool_reject(dir, "test", "d.json", NULL, 0, "bad", &err),
                     KB_SPOOL_REJECT_FAILED);
    assert_int_equal(kb_spool_reject(dir, "test", "e.json", "{", 1, "bad", &err),
                     KB_SPOOL_REJECT_FAILED);
    assert_int_equal(entries(outside), 0); /* nothing written through the link */
    assert_true(test_exists(dir, "d.json"));
    unlink(rdir);

    char name[256];
    memset(name, 'x', 250);
    strcpy(name + 250, ".json");
    test_write_str(dir, name, "{");
    assert_int_equal(kb_spool_reject(dir, "test", name, NULL, 0, "bad", &err),
                     KB_SPOOL_REJECT_NO_REASON);
    assert_string_equal(err.msg, "File name too long");
    assert_true(test_exists(rdir, name));
    assert_int_equal(entries(rdir), 1);
    test_rm_rf(dir);
    test_rm_rf(outside);
    free(dir);
    free(outside);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_writes_only_changes),
        cmocka_unit_test(test_put_replaces_a_planted_symlink),
        cmocka_unit_test(test_put_fails_without_folder),
        cmocka_unit_test(test_reject_payload),
        cmocka_unit_test(test_reject_moves_file),
        cmocka_unit_test(test_reject_names_are_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
