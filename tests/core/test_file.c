/* core/file: the one bounded, no-follow reader and the one atomic writer.
 * Each refusal is checked by its result and its line, since both reach an
 * operator (the spool logs the line, rejected/ keeps it). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/file.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "%s/test-core-file-XXXXXX", KB_TEST_BUILD_DIR);
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void put(const char *name, const char *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Reads dir/name with a bound; returns the result, the buffer in *buf. */
static enum kb_read_result read_in(const char *name, size_t max, char **buf, size_t *len,
                                   struct stat *st, struct kb_error *err)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    assert_true(dfd >= 0);
    kb_error_clear(err);
    enum kb_read_result r = kb_file_read(dfd, name, name, max, buf, len, st, err);
    close(dfd);
    return r;
}

static void test_reads_whole_file(void **state)
{
    (void)state;
    put("a.json", "{\"id\": \"a\"}", 11);
    char *buf;
    size_t len;
    struct stat st;
    struct kb_error err;
    assert_int_equal(read_in("a.json", 1024, &buf, &len, &st, &err), KB_READ_OK);
    assert_int_equal(len, 11);
    assert_memory_equal(buf, "{\"id\": \"a\"}", 11);
    assert_int_equal(buf[len], '\0'); /* one NUL past the end */
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_size, 11);
    free(buf);
    /* Empty files read as empty, not as an error. */
    put("empty.json", "", 0);
    assert_int_equal(read_in("empty.json", 1024, &buf, &len, &st, &err), KB_READ_OK);
    assert_int_equal(len, 0);
    free(buf);
}

static void test_bounds(void **state)
{
    (void)state;
    char data[100];
    memset(data, 'x', sizeof(data));
    put("b.json", data, sizeof(data));
    char *buf = (char *)1;
    size_t len = 7;
    struct stat st;
    struct kb_error err;
    /* Exactly at the bound: read. */
    assert_int_equal(read_in("b.json", 100, &buf, &len, &st, &err), KB_READ_OK);
    assert_int_equal(len, 100);
    free(buf);
    /* One byte past it: refused, with the size and the limit, nothing returned. */
    buf = (char *)1;
    assert_int_equal(read_in("b.json", 99, &buf, &len, &st, &err), KB_READ_ERROR);
    assert_null(buf);
    assert_int_equal(len, 0);
    assert_string_equal(err.msg, "b.json: 100 bytes, more than the limit of 99");
    /* st is set from the opened file, so a caller can tell "too big" apart. */
    assert_int_equal(st.st_size, 100);
}

static void test_symlink_refused(void **state)
{
    (void)state;
    put("target.json", "{}", 2);
    char link[512];
    snprintf(link, sizeof(link), "%s/link.json", dir);
    assert_int_equal(symlink("target.json", link), 0);
    char *buf = NULL;
    size_t len;
    struct stat st;
    struct kb_error err;
    assert_int_equal(read_in("link.json", 1024, &buf, &len, &st, &err), KB_READ_NOT_REGULAR);
    assert_null(buf);
    assert_string_equal(err.msg, "link.json: a symbolic link, not a regular file");
    /* A dangling link is refused the same way, not reported gone. */
    snprintf(link, sizeof(link), "%s/dangling.json", dir);
    assert_int_equal(symlink("/nonexistent/x", link), 0);
    assert_int_equal(read_in("dangling.json", 1024, &buf, &len, &st, &err), KB_READ_NOT_REGULAR);
}

static void test_fifo_refused(void **state)
{
    (void)state;
    char fifo[512];
    snprintf(fifo, sizeof(fifo), "%s/pipe.json", dir);
    assert_int_equal(mkfifo(fifo, 0644), 0);
    char *buf = NULL;
    size_t len;
    struct stat st;
    struct kb_error err;
    /* Returns at once (no writer: a blocking open would hang here). */
    assert_int_equal(read_in("pipe.json", 1024, &buf, &len, &st, &err), KB_READ_NOT_REGULAR);
    assert_null(buf);
    assert_string_equal(err.msg, "pipe.json: a FIFO, not a regular file");
}

static void test_folder_and_missing(void **state)
{
    (void)state;
    char sub[512];
    snprintf(sub, sizeof(sub), "%s/sub.json", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    char *buf = NULL;
    size_t len;
    struct stat st;
    struct kb_error err;
    assert_int_equal(read_in("sub.json", 1024, &buf, &len, &st, &err), KB_READ_NOT_REGULAR);
    assert_string_equal(err.msg, "sub.json: a directory, not a regular file");
    assert_int_equal(read_in("none.json", 1024, &buf, &len, &st, &err), KB_READ_GONE);
    assert_int_equal(st.st_mode, 0);
    assert_string_equal(kb_file_kind(S_IFSOCK), "a socket");
    assert_string_equal(kb_file_kind(S_IFCHR), "a device");
}

/* Counts the names in dir starting with prefix. */
static int count_names(const char *prefix)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -c '^%s' > '%s/.count'", dir, prefix, dir);
    (void)system(cmd);
    snprintf(cmd, sizeof(cmd), "%s/.count", dir);
    FILE *f = fopen(cmd, "r");
    int n = -1;
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%d", &n), 1);
    fclose(f);
    unlink(cmd);
    return n;
}

/* A file the operator names (config, font chain): a symlink is followed to
 * a regular file; a FIFO, a folder, a missing file or one over the bound
 * are refused with the path in the line, and no FIFO is waited on. */
static void test_read_named(void **state)
{
    (void)state;
    char path[512], link[512], fifo[512], big[512], missing[512], want[700];
    put("conf", "a = 1\n", 6);
    snprintf(path, sizeof(path), "%s/conf", dir);
    snprintf(link, sizeof(link), "%s/link", dir);
    assert_int_equal(symlink(path, link), 0);
    char *buf = NULL;
    size_t len = 0;
    struct kb_error err = {""};
    assert_true(kb_file_read_named(link, 64, &buf, &len, &err));
    assert_int_equal(len, 6);
    assert_string_equal(buf, "a = 1\n");
    free(buf);

    assert_false(kb_file_read_named(path, 5, &buf, &len, &err));
    assert_null(buf);
    snprintf(want, sizeof(want), "%s: 6 bytes, more than the limit of 5", path);
    assert_string_equal(err.msg, want);

    snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0644), 0);
    assert_false(kb_file_read_named(fifo, 64, &buf, &len, &err));
    snprintf(want, sizeof(want), "%s: a FIFO, not a regular file", fifo);
    assert_string_equal(err.msg, want);

    assert_false(kb_file_read_named(dir, 64, &buf, &len, &err));
    snprintf(want, sizeof(want), "%s: a directory, not a regular file", dir);
    assert_string_equal(err.msg, want);

    snprintf(missing, sizeof(missing), "%s/none", dir);
    assert_false(kb_file_read_named(missing, 64, &buf, &len, &err));
    snprintf(want, sizeof(want), "%s: No such file or directory", missing);
    assert_string_equal(err.msg, want);

    snprintf(big, sizeof(big), "%s/empty", dir);
    put("empty", "", 0);
    assert_true(kb_file_read_named(big, 64, &buf, &len, &err));
    assert_int_equal(len, 0);
    assert_string_equal(buf, "");
    free(buf);
}

static void test_write_atomic(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/out.json", dir);
    struct kb_error err;
    mode_t old = umask(077);
    assert_true(kb_file_write_atomic(AT_FDCWD, path, path, "test", "one", 3, &err));
    umask(old);
    char *buf;
    size_t len;
    struct stat st;
    assert_int_equal(read_in("out.json", 1024, &buf, &len, &st, &err), KB_READ_OK);
    assert_string_equal(buf, "one");
    free(buf);
    /* 0644 whatever the umask: the ticker may run as another user. */
    assert_int_equal(st.st_mode & 0777, 0644);
    /* A rewrite replaces the file (a new inode: readers see old or new). */
    ino_t first = st.st_ino;
    assert_true(kb_file_write_atomic(AT_FDCWD, path, path, "test", "two!", 4, &err));
    assert_int_equal(read_in("out.json", 1024, &buf, &len, &st, &err), KB_READ_OK);
    assert_string_equal(buf, "two!");
    assert_true(st.st_ino != first);
    free(buf);
    /* No temp file is left behind. */
    assert_int_equal(count_names("\\.test\\."), 0);
}

static void test_write_fails_cleanly(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/missing/out.json", dir);
    struct kb_error err;
    errno = 0;
    assert_false(kb_file_write_atomic(AT_FDCWD, path, "missing/out.json", "test", "x", 1, &err));
    assert_int_equal(errno, ENOENT);
    assert_string_equal(err.msg, "missing/out.json: cannot write: No such file or directory");
    /* A folder where the file should go: the rename fails, the temp file goes. */
    char sub[512];
    snprintf(sub, sizeof(sub), "%s/taken", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    char inner[600];
    snprintf(inner, sizeof(inner), "%s/x", sub);
    put("taken/x", "x", 1);
    assert_false(kb_file_write_atomic(AT_FDCWD, sub, sub, "test", "x", 1, &err));
    assert_int_equal(count_names("\\.test\\."), 0);
    /* A file name with no room for the temp file's prefix and suffix. */
    char name[256];
    memset(name, 'n', 250);
    name[250] = '\0';
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    assert_false(kb_file_write_atomic(dfd, name, "long", "test", "x", 1, &err));
    assert_int_equal(errno, ENAMETOOLONG);
    close(dfd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reads_whole_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder_and_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_atomic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_fails_cleanly, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
