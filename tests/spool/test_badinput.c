/* A table of bad spool files. For each: the exact one-line error, the same
 * from `kabar validate` (kb_spool_validate_file), the file moved to
 * rejected/ with NAME.error.txt holding that line, and a valid file beside
 * it still loading. Things that are not regular files are never opened,
 * never moved, and validate names what they are. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "spool_test.h"
#include "core/file.h"
#include "spool/parse.h"

#define OK_ITEM "{\"id\": \"ok\", \"lang\": \"en\", \"text\": \"Still here\"}"
#define ITEM(fields) "{\"id\": \"bad\", \"lang\": \"en\", \"text\": \"x\"" fields "}"

enum make {
    MAKE_TEXT, /* content is the file */
    MAKE_BIG,  /* 2 MiB of valid JSON */
    MAKE_DEEP, /* 10,000 nested arrays */
    MAKE_DEEP_FIELD,
    MAKE_LONG_TEXT,
    MAKE_LONG_SOURCE,
    MAKE_LONG_ID,
};

struct bad_case {
    const char *what;
    enum make make;
    const char *content;
    size_t len;         /* 0: strlen(content) */
    const char *expect; /* after "<dir>/x.json" */
};

#define C(what, content, expect)                                                                   \
    {                                                                                              \
        what, MAKE_TEXT, content, 0, expect                                                        \
    }
#define CN(what, content, expect)                                                                  \
    {                                                                                              \
        what, MAKE_TEXT, content, sizeof(content) - 1, expect                                      \
    }

static const struct bad_case cases[] = {
    C("empty file", "", ": empty file"),
    C("only white space", " \n\t\r\n", ": empty file"),
    C("byte order mark", "\xef\xbb\xbf" OK_ITEM,
      ":1:1: starts with a UTF-8 byte order mark (BOM); save the file without one"),
    C("invalid UTF-8 in text", "{\"id\": \"bad\", \"lang\": \"en\", \"text\": \"caf\xff\"}",
      ": field \"text\": invalid UTF-8 at byte 40"),
    C("overlong UTF-8 in text", "{\"id\": \"bad\", \"lang\": \"en\", \"text\": \"x\xc0\xafy\"}",
      ": field \"text\": invalid UTF-8 at byte 38"),
    C("UTF-8 encoded surrogate",
      "{\"id\": \"bad\", \"lang\": \"en\", \"text\": \"x\xed\xa0\x80y\"}",
      ": field \"text\": invalid UTF-8 at byte 38"),
    C("truncated UTF-8 sequence", "{\"id\": \"bad\", \"lang\": \"en\", \"text\": \"x\xe2\x82\"}",
      ": field \"text\": invalid UTF-8 at byte 38"),
    C("invalid UTF-8 in a key", "{\"id\": \"bad\", \"lang\": \"en\", \"te\xfft\": \"x\"}",
      ":1:32: invalid UTF-8 at byte 31"),
    CN("raw NUL byte in text", "{\"id\": \"bad\", \"lang\": \"en\", \"text\": \"a\0b\"}",
       ": field \"text\": NUL byte at byte 38"),
    CN("raw NUL byte after the object", OK_ITEM "\0", ":1:49: NUL byte at byte 48"),
    C("escaped NUL", ITEM(", \"source\": \"a\\u0000b\""),
      ":1:61: \\u0000 (NUL) is not allowed in a string near '\"a\\u0000b\"'"),
    C("escaped lone high surrogate", ITEM(", \"source\": \"\\ud800\""),
      ":1:59: invalid Unicode '\\uD800' near '\"\\ud800\"'"),
    C("escaped lone low surrogate", ITEM(", \"source\": \"\\udc00x\""),
      ":1:60: invalid Unicode '\\uDC00' near '\"\\udc00x\"'"),
    C("high surrogate then a letter", ITEM(", \"source\": \"\\ud83d\\u0041\""),
      ":1:65: invalid Unicode '\\uD83D\\u0041' near '\"\\ud83d\\u0041\"'"),
    {"a 2 MiB file", MAKE_BIG, NULL, 0, ": 2097152 bytes, more than the limit of 1048576"},
    {"10,000-deep nesting", MAKE_DEEP, NULL, 0, ":1:17: nested more than 16 levels deep"},
    {"deep nesting in an unknown field", MAKE_DEEP_FIELD, NULL, 0,
     ":1:122: nested more than 16 levels deep"},
    C("trailing garbage", OK_ITEM " x", ":1:50: end of file expected near 'x'"),
    C("two objects", OK_ITEM OK_ITEM, ":1:49: end of file expected near '{'"),
    C("missing comma", "{\n  \"id\": \"bad\"\n  \"lang\": \"en\"}",
      ":3:8: '}' expected near '\"lang\"'"),
    C("unterminated string", "{\"id\": \"bad", ":1:11: premature end of input near '\"bad'"),
    C("bare word", "{\"id\": bad}", ":1:10: invalid token near 'bad'"),
    C("top-level array", "[" OK_ITEM "]", ": an item is a JSON object; this is an array"),
    C("top-level string", "\"hello\"", ": an item is a JSON object; this is a string"),
    C("top-level number", " 42 ", ": an item is a JSON object; this is a number"),
    C("top-level true", "true", ": an item is a JSON object; this is a boolean"),
    C("top-level null", "null\n", ": an item is a JSON object; this is null"),
    C("only invisible text", "{\"id\": \"bad\", \"lang\": \"en\", \"text\": \"\\u200b\\u200b\"}",
      ": field \"text\": text has nothing visible"),
    C("only bidi controls, selectors and spaces",
      "{\"id\": \"bad\", \"lang\": \"ar\", \"text\": \"\u202b\ufe0f \u2066\\u00a0\u200d\u2069\"}",
      ": field \"text\": text has nothing visible"),
    /* jansson's excerpt stops after the first byte of the emoji: the
     * line keeps whole characters only. */
    C("excerpt inside a character", "{\"id\": \"bad\", \"text\": \"\\\U0001F600\"}",
      ":1:25: invalid escape near '\"\\'"),
    /* A lone continuation byte is a character of its own: column 9. */
    CN("lone continuation byte", "{\"id\": 1\x80}", ":1:9: invalid UTF-8 at byte 8"),
    C("duplicate key", ITEM(", \"lang\": \"fr\""), ":1:47: duplicate object key near '\"lang\"'"),
    C("missing id", "{\"lang\": \"en\", \"text\": \"x\"}", ": field \"id\": required but missing"),
    C("missing lang", "{\"id\": \"bad\", \"text\": \"x\"}",
      ": field \"lang\": required but missing"),
    C("missing text", "{\"id\": \"bad\", \"lang\": \"en\"}",
      ": field \"text\": required but missing"),
    C("id is a number", "{\"id\": 7, \"lang\": \"en\", \"text\": \"x\"}",
      ": field \"id\": expected a string, got a number"),
    C("text is an array", "{\"id\": \"bad\", \"lang\": \"en\", \"text\": [\"x\"]}",
      ": field \"text\": expected a string, got an array"),
    C("lang is null", "{\"id\": \"bad\", \"lang\": null, \"text\": \"x\"}",
      ": field \"lang\": expected a string, got null"),
    C("priority is a boolean", ITEM(", \"priority\": true"),
      ": field \"priority\": expected a string, got a boolean"),
    C("id with a space", "{\"id\": \"a b\", \"lang\": \"en\", \"text\": \"x\"}",
      ": field \"id\": \"a b\" is not a valid id (1-128 characters of A-Z a-z 0-9 . _ : -)"),
    C("empty id", "{\"id\": \"\", \"lang\": \"en\", \"text\": \"x\"}",
      ": field \"id\": \"\" is not a valid id (1-128 characters of A-Z a-z 0-9 . _ : -)"),
    {"id of 129 characters", MAKE_LONG_ID, NULL, 0,
     ": field \"id\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is not a valid id "
     "(1-128 characters of A-Z a-z 0-9 . _ : -)"},
    C("id with a bidi override",
      "{\"id\": \"a\xe2\x80\xae"
      "b\", \"lang\": \"en\", \"text\": \"x\"}",
      ": field \"id\": \"a\\u202eb\" is not a valid id (1-128 characters of A-Z a-z 0-9 . _ : -)"),
    C("lang with an underscore", "{\"id\": \"bad\", \"lang\": \"xx_YY\", \"text\": \"x\"}",
      ": field \"lang\": \"xx_YY\" is not a BCP 47 language tag"),
    C("lang of one letter", "{\"id\": \"bad\", \"lang\": \"e\", \"text\": \"x\"}",
      ": field \"lang\": \"e\" is not a BCP 47 language tag"),
    C("lang with two regions", "{\"id\": \"bad\", \"lang\": \"en-GB-US\", \"text\": \"x\"}",
      ": field \"lang\": \"en-GB-US\" is not a BCP 47 language tag"),
    C("translated_from bad", ITEM(", \"translated_from\": \"id-\""),
      ": field \"translated_from\": \"id-\" is not a BCP 47 language tag"),
    C("unknown kind", ITEM(", \"kind\": \"story\""),
      ": field \"kind\": \"story\" is not headline or quote"),
    C("quote without by", ITEM(", \"kind\": \"quote\""), ": field \"by\": required for a quote"),
    C("quote with blank by", ITEM(", \"kind\": \"quote\", \"by\": \" \\t \""),
      ": field \"by\": required for a quote"),
    C("by is a number", ITEM(", \"kind\": \"quote\", \"by\": 1"),
      ": field \"by\": expected a string, got a number"),
    C("text only white space", "{\"id\": \"bad\", \"lang\": \"en\", \"text\": \" \\n\\t \"}",
      ": field \"text\": empty after trimming white space"),
    C("text only control characters",
      "{\"id\": \"bad\", \"lang\": \"en\", \"text\": \"\\u0001\\u007f\\u0085\"}",
      ": field \"text\": empty after trimming white space"),
    {"text of 4001 bytes", MAKE_LONG_TEXT, NULL, 0,
     ": field \"text\": 4001 bytes after trimming, more than 4000"},
    {"source of 65 characters", MAKE_LONG_SOURCE, NULL, 0,
     ": field \"source\": 65 characters, more than 64"},
    C("story not an id", ITEM(", \"story\": \"a/b\""),
      ": field \"story\": \"a/b\" is not a valid id (1-128 characters of A-Z a-z 0-9 . _ : -)"),
    C("unknown priority", ITEM(", \"priority\": \"urgent\""),
      ": field \"priority\": \"urgent\" is not normal, high or breaking"),
    C("published with a space", ITEM(", \"published\": \"2021-11-19 10:00:00Z\""),
      ": field \"published\": \"2021-11-19 10:00:00Z\" is not an RFC 3339 date-time (like "
      "2021-11-19T10:00:00+07:00)"),
    C("published without offset", ITEM(", \"published\": \"2021-11-19T10:00:00\""),
      ": field \"published\": \"2021-11-19T10:00:00\" is not an RFC 3339 date-time (like "
      "2021-11-19T10:00:00+07:00)"),
    C("expires on 30 February", ITEM(", \"expires\": \"2021-02-30T10:00:00Z\""),
      ": field \"expires\": \"2021-02-30T10:00:00Z\" is not an RFC 3339 date-time (like "
      "2021-11-19T10:00:00+07:00)"),
    C("expires at hour 24", ITEM(", \"expires\": \"2021-02-03T24:00:00Z\""),
      ": field \"expires\": \"2021-02-03T24:00:00Z\" is not an RFC 3339 date-time (like "
      "2021-11-19T10:00:00+07:00)"),
    C("expires before published",
      ITEM(", \"published\": \"2021-11-19T10:00:00+07:00\", \"expires\": "
           "\"2021-11-19T02:59:59Z\""),
      ": field \"expires\": \"2021-11-19T02:59:59Z\" is before \"published\""),
    C("unknown dir", ITEM(", \"dir\": \"up\""), ": field \"dir\": \"up\" is not auto, ltr or rtl"),
    C("items not an array", "{\"items\": {}}",
      ": field \"items\": expected an array, got an object"),
    C("bundle with a bad item",
      "{\"items\": [" OK_ITEM ", {\"id\": \"b\", \"lang\": \"xx_YY\", \"text\": \"x\"}]}",
      ": items[1]: field \"lang\": \"xx_YY\" is not a BCP 47 language tag"),
    C("bundle with a number", "{\"items\": [7]}", ": items[0]: expected an object, got a number"),
    C("bundle with one id twice",
      "{\"items\": [{\"id\": \"b\", \"lang\": \"en\", \"text\": \"x\"}, {\"id\": \"c\", "
      "\"lang\": \"en\", \"text\": \"y\"}, {\"id\": \"b\", \"lang\": \"fr\", \"text\": \"z\"}]}",
      ": items[2]: field \"id\": \"b\" is already used by items[0]"),
};

static void write_case(const char *dir, const struct bad_case *c)
{
    size_t cap = 3 * 1024 * 1024, n = 0;
    char *buf = malloc(cap);
    switch (c->make) {
    case MAKE_TEXT:
        n = c->len ? c->len : strlen(c->content);
        memcpy(buf, c->content, n);
        break;
    case MAKE_BIG:
        n = (size_t)snprintf(buf, cap,
                             "{\"id\": \"big\", \"lang\": \"en\", \"text\": \"x\", \"pad\": \"");
        while (n < 2 * 1024 * 1024 - 2)
            buf[n++] = 'a';
        buf[n++] = '"';
        buf[n++] = '}';
        break;
    case MAKE_DEEP:
        for (n = 0; n < 10000; n++)
            buf[n] = '[';
        for (int i = 0; i < 10000; i++)
            buf[n++] = ']';
        break;
    case MAKE_DEEP_FIELD:
        n = (size_t)snprintf(buf, cap, "%s",
                             "{\"id\": \"bad\", \"lang\": \"en\", \"text\": \"x\", \"z\": ");
        for (int i = 0; i < 100; i++)
            buf[n++] = '{', n += (size_t)sprintf(buf + n, "\"a\":");
        buf[n++] = '1';
        for (int i = 0; i < 101; i++)
            buf[n++] = '}';
        break;
    case MAKE_LONG_TEXT:
        n = (size_t)sprintf(buf, "{\"id\": \"bad\", \"lang\": \"en\", \"text\": \"  ");
        for (int i = 0; i < 4001; i++)
            buf[n++] = 'a' + i % 26;
        n += (size_t)sprintf(buf + n, "  \"}");
        break;
    case MAKE_LONG_SOURCE:
        n = (size_t)sprintf(buf,
                            "{\"id\": \"bad\", \"lang\": \"en\", \"text\": \"x\", \"source\": \"");
        for (int i = 0; i < 65; i++)
            n += (size_t)sprintf(buf + n, "\xc3\xa9"); /* é: 65 characters, 130 bytes */
        n += (size_t)sprintf(buf + n, "\"}");
        break;
    case MAKE_LONG_ID:
        n = (size_t)sprintf(buf, "{\"id\": \"");
        for (int i = 0; i < 129; i++)
            buf[n++] = 'a';
        n += (size_t)sprintf(buf + n, "\", \"lang\": \"en\", \"text\": \"x\"}");
        break;
    }
    test_write(dir, "x.json", buf, n);
    free(buf);
}

static struct kb_spool *open_spool(const char *dir, struct recorder *rec)
{
    struct kb_spool_opts opts = {
        .dir = dir, .settle_s = 2, .use_inotify = false, .move_rejected = true};
    return kb_spool_new(&opts, rec_fn, rec);
}

static void test_bad_files(void **state)
{
    (void)state;
    size_t ncases = sizeof(cases) / sizeof(cases[0]);
    size_t failures = 0;
    assert_true(ncases >= 40);
    for (size_t i = 0; i < ncases; i++) {
        const struct bad_case *c = &cases[i];
        char *dir = test_mkdtemp("bad");
        test_write_str(dir, "ok.json", OK_ITEM);
        write_case(dir, c);
        test_age(dir, "x.json", 10000); /* settled: rejected at once */

        char path[PATH_MAX], expect[KB_ERROR_MAX + PATH_MAX];
        test_path(path, sizeof(path), dir, "x.json");
        snprintf(expect, sizeof(expect), "%s%s", path, c->expect);

        struct kb_error err;
        kb_error_clear(&err);
        int n = kb_spool_validate_file(path, &err);
        if (n != -1 || strcmp(err.msg, expect) != 0) {
            print_error("case \"%s\": validate gave %d \"%s\"\n  expected \"%s\"\n", c->what, n,
                        err.msg, expect);
            failures++;
        }

        static struct recorder rec;
        rec_clear(&rec);
        struct kb_spool *s = open_spool(dir, &rec);
        kb_spool_update(s, test_now_ms());
        if (kb_spool_item_count(s) != 1 || kb_spool_find(s, "ok") == NULL)
            fail_msg("case \"%s\": the valid file beside it did not load", c->what);
        assert_int_equal(kb_spool_rejected_count(s), 1);
        assert_false(test_exists(dir, "x.json"));
        assert_true(test_exists(dir, "rejected/x.json"));
        char *line = test_read(dir, "rejected/x.json.error.txt");
        assert_non_null(line);
        size_t len = strlen(line);
        assert_true(len > 0 && line[len - 1] == '\n');
        line[len - 1] = '\0';
        if (strcmp(line, expect) != 0) {
            print_error("case \"%s\": error.txt \"%s\"\n  expected \"%s\"\n", c->what, line,
                        expect);
            failures++;
        }
        assert_null(strchr(line, '\n'));
        free(line);
        assert_int_equal(rec.added, 1);
        kb_spool_free(s);
        test_rm_rf(dir);
        free(dir);
    }
    print_message("%zu bad files\n", ncases);
    assert_int_equal(failures, 0);
}

/* ---- things that are not regular files ---- */

struct odd_case {
    const char *what;
    void (*make)(const char *path);
    const char *expect;
};

static void make_fifo(const char *path)
{
    assert_int_equal(mkfifo(path, 0644), 0);
}

static void make_symlink_out(const char *path)
{
    assert_int_equal(symlink("/etc/passwd", path), 0);
}

static void make_dir(const char *path)
{
    assert_int_equal(mkdir(path, 0755), 0);
}

static void make_socket(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    assert_true(strlen(path) < sizeof(sa.sun_path));
    strcpy(sa.sun_path, path);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    close(fd);
}

static void make_dangling(const char *path)
{
    assert_int_equal(symlink("/nonexistent/kabar", path), 0);
}

static const struct odd_case odd_cases[] = {
    {"a FIFO", make_fifo, ": a FIFO, not a regular file"},
    {"a symlink pointing outside", make_symlink_out, ": a symbolic link, not a regular file"},
    {"a dangling symlink", make_dangling, ": a symbolic link, not a regular file"},
    {"a directory called x.json", make_dir, ": a directory, not a regular file"},
    {"a socket", make_socket, ": a socket, not a regular file"},
};

static void test_not_regular(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(odd_cases) / sizeof(odd_cases[0]); i++) {
        const struct odd_case *c = &odd_cases[i];
        /* A short folder name: a socket path must fit sun_path. */
        char dir[] = "/tmp/kb-odd-XXXXXX";
        assert_non_null(mkdtemp(dir));
        char path[PATH_MAX], expect[PATH_MAX + 128];
        test_path(path, sizeof(path), dir, "x.json");
        test_write_str(dir, "ok.json", OK_ITEM);
        c->make(path);
        snprintf(expect, sizeof(expect), "%s%s", path, c->expect);

        struct kb_error err;
        kb_error_clear(&err);
        assert_int_equal(kb_spool_validate_file(path, &err), -1);
        if (strcmp(err.msg, expect) != 0)
            fail_msg("%s: validate gave \"%s\"\n  expected \"%s\"", c->what, err.msg, expect);

        static struct recorder rec;
        rec_clear(&rec);
        struct kb_spool *s = open_spool(dir, &rec);
        kb_spool_update(s, test_now_ms());
        kb_spool_update(s, test_now_ms() + 5000);
        assert_int_equal(kb_spool_item_count(s), 1);
        assert_int_equal(kb_spool_rejected_count(s), 0);
        assert_true(test_exists(dir, "x.json")); /* left where it is */
        assert_false(test_exists(dir, "rejected"));
        kb_spool_free(s);
        test_rm_rf(dir);
    }
}

/* ---- files that cannot be read ---- */

/* Root reads any file whatever its mode, so the unreadable case runs in a
 * child that drops to an unprivileged user (nobody) first. */
static void test_unreadable(void **state)
{
    (void)state;
    char dir[] = "/tmp/kb-unreadable-XXXXXX";
    assert_non_null(mkdtemp(dir));
    chmod(dir, 0755);
    test_write_str(dir, "x.json", OK_ITEM);
    char path[PATH_MAX];
    test_path(path, sizeof(path), dir, "x.json");
    chmod(path, 0);

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(2);
        struct kb_error err;
        kb_error_clear(&err);
        int n = kb_spool_validate_file(path, &err);
        dprintf(fds[1], "%d %s", n, err.msg);
        _exit(0);
    }
    close(fds[1]);
    char out[1024] = "";
    ssize_t r = read(fds[0], out, sizeof(out) - 1);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
        test_rm_rf(dir);
        skip(); /* could not drop privileges: no way to make a file unreadable */
    }
    assert_true(r > 0);
    out[r] = '\0';
    char expect[PATH_MAX + 64];
    snprintf(expect, sizeof(expect), "-1 %s: cannot open: Permission denied", path);
    assert_string_equal(out, expect);
    test_rm_rf(dir);
}

/* A name that vanishes between the scan and the open is simply gone: no
 * error line, nothing rejected. */
static void test_vanished(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("vanish");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    struct kb_error err;
    kb_error_clear(&err);
    char *buf = NULL;
    size_t len = 0;
    struct stat st;
    assert_int_equal(kb_file_read(dfd, "gone.json", "spool/gone.json", 1024, &buf, &len, &st, &err),
                     KB_READ_GONE);
    assert_null(buf);
    assert_string_equal(err.msg, "");
    close(dfd);

    /* Through the spool: an event for a file already gone is no error. */
    static struct recorder rec;
    rec_clear(&rec);
    struct kb_spool_opts opts = {
        .dir = dir, .settle_s = 0, .use_inotify = true, .move_rejected = true};
    struct kb_spool *s = kb_spool_new(&opts, rec_fn, &rec);
    kb_spool_update(s, test_now_ms());
    test_write_str(dir, "x.json", "{");
    char path[PATH_MAX];
    test_path(path, sizeof(path), dir, "x.json");
    assert_int_equal(unlink(path), 0);
    test_pump(s, 100, NULL, NULL);
    assert_int_equal(kb_spool_rejected_count(s), 0);
    assert_false(test_exists(dir, "rejected"));
    kb_spool_free(s);
    test_rm_rf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_not_regular),
        cmocka_unit_test(test_unreadable),
        cmocka_unit_test(test_vanished),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
