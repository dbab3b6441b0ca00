/* The settings of `kabar feed` (feed/settings.h): each per-feed key, valid
 * and invalid with its exact reason, the run's durations, and the [feed
 * NAME] sections of a config file with their file:line messages. No
 * network, no spool. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/xmalloc.h"
#include "feed/settings.h"

/* Sets key to value on a fresh feed: NULL if it took, else the reason. */
static const char *set_one(const char *key, const char *value)
{
    struct kb_feed_source f;
    kb_feed_source_init(&f);
    const char *why = NULL;
    bool ok = kb_feed_source_set(&f, key, value, &why);
    kb_feed_source_free(&f);
    return ok ? NULL : why;
}

static void test_defaults(void **state)
{
    (void)state;
    struct kb_feed_options o;
    kb_feed_options_init(&o);
    assert_null(o.spool);
    assert_int_equal(o.n, 0);
    assert_false(o.once);
    assert_true(o.jitter);
    assert_true(o.timeout_s == 30.0 && o.connect_timeout_s == 10.0);
    assert_true(o.retry_s == 30.0 && o.retry_max_s == 1800.0);
    struct kb_feed_source *f = kb_feed_options_add(&o);
    assert_int_equal(o.n, 1);
    assert_true(f->every_s == 300.0 && f->ttl_s == 86400.0);
    assert_int_equal(f->max, 100);
    assert_false(f->with_summary || f->keep_gone);
    assert_null(f->url);
    kb_feed_options_free(&o);
}

static void test_valid_values(void **state)
{
    (void)state;
    struct kb_feed_source f;
    kb_feed_source_init(&f);
    const char *why = NULL;
    assert_true(kb_feed_source_set(&f, "url", "https://example.org/rss.xml", &why));
    assert_string_equal(f.url, "https://example.org/rss.xml");
    assert_true(kb_feed_source_set(&f, "url", "HTTP://Example.org/a?b=c", &why));
    assert_string_equal(f.url, "HTTP://Example.org/a?b=c");
    assert_true(kb_feed_source_set(&f, "lang", "id", &why));
    assert_string_equal(f.lang, "id");
    assert_true(kb_feed_source_set(&f, "source", "Kabar Nusantara", &why));
    assert_string_equal(f.source, "Kabar Nusantara");
    assert_true(kb_feed_source_set(&f, "every", "90s", &why));
    assert_true(f.every_s == 90.0);
    assert_true(kb_feed_source_set(&f, "every", "500ms", &why));
    assert_true(f.every_s == 0.5);
    assert_true(kb_feed_source_set(&f, "ttl", "0", &why));
    assert_true(f.ttl_s == 0.0);
    assert_true(kb_feed_source_set(&f, "ttl", "7d", &why));
    assert_true(f.ttl_s == 7 * 86400.0);
    assert_true(kb_feed_source_set(&f, "max", "1", &why));
    assert_int_equal(f.max, 1);
    assert_true(kb_feed_source_set(&f, "max", "1000", &why));
    assert_int_equal(f.max, 1000);
    assert_true(kb_feed_source_set(&f, "with_summary", "yes", &why));
    assert_true(f.with_summary);
    assert_true(kb_feed_source_set(&f, "with_summary", "OFF", &why));
    assert_false(f.with_summary);
    assert_true(kb_feed_source_set(&f, "keep_gone", "1", &why));
    assert_true(f.keep_gone);
    kb_feed_source_free(&f);
}

static void test_invalid_values(void **state)
{
    (void)state;
    const char *not_url = "not an http:// or https:// URL";
    assert_string_equal(set_one("url", "ftp://example.org/rss"), not_url);
    assert_string_equal(set_one("url", "file:///etc/passwd"), not_url);
    assert_string_equal(set_one("url", "http://exa mple.org/"), not_url);
    assert_string_equal(set_one("url", "http://"), not_url);
    char *long_url = kb_xmalloc(2100);
    memset(long_url, 'a', 2099);
    memcpy(long_url, "http://h/", 9);
    long_url[2099] = '\0';
    assert_string_equal(set_one("url", long_url), not_url);
    free(long_url);
    assert_string_equal(set_one("lang", "xx_YY"), "not a BCP 47 language tag");
    assert_string_equal(set_one("source", ""), "empty");
    const char *every = "not a duration such as 30s, 5m or 1h";
    assert_string_equal(set_one("every", "soon"), every);
    assert_string_equal(set_one("every", "10ms"), every); /* below KB_FEED_PERIOD_MIN_S */
    assert_string_equal(set_one("ttl", "forever"),
                        "not a duration such as 30m, 24h or 7d (0: never)");
    const char *max = "not a number from 1 to 1000";
    assert_string_equal(set_one("max", "0"), max);
    assert_string_equal(set_one("max", "1001"), max);
    assert_string_equal(set_one("max", "12abc"), max);
    assert_string_equal(set_one("max", ""), max);
    assert_string_equal(set_one("with_summary", "maybe"), "not true or false");
    assert_string_equal(set_one("keep_gone", "2"), "not true or false");
    assert_string_equal(set_one("colour", "blue"), "unknown key");
}

static void test_periods(void **state)
{
    (void)state;
    double d = -1;
    assert_true(kb_feed_period_parse("30s", &d));
    assert_true(d == 30.0);
    assert_true(kb_feed_period_parse("50ms", &d));
    assert_false(kb_feed_period_parse("49ms", &d));
    assert_false(kb_feed_period_parse("0", &d));
    assert_false(kb_feed_period_parse("soon", &d));
}

static char *write_conf(const char *text)
{
    char *path = kb_xasprintf("%s/feed-settings-XXXXXX", KB_TEST_BUILD_DIR);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_config_sections(void **state)
{
    (void)state;
    char *conf = write_conf("# a ticker config with feeds\n"
                            "[screen]\nmode = headless\n\n"
                            "[spool]\nspool = /srv/kabar/spool\n\n"
                            "[feed gazette]\nurl = http://example.org/rss\nttl = 0\nmax = 3\n\n"
                            "[feed Kabar Nusantara]\nurl = https://kabar.example/feed.json\n"
                            "with_summary = yes\nlang = id\nfrobnicate = 1\n\n"
                            "[feed gazette]\nkeep_gone = true\n");
    struct kb_feed_options o;
    kb_feed_options_init(&o);
    struct kb_error err;
    assert_true(kb_feed_options_load(&o, conf, true, &err));
    assert_string_equal(o.spool, "/srv/kabar/spool");
    assert_int_equal(o.n, 2);
    assert_string_equal(o.feeds[0].name, "gazette");
    assert_string_equal(o.feeds[0].url, "http://example.org/rss");
    assert_int_equal(o.feeds[0].max, 3);
    assert_true(o.feeds[0].ttl_s == 0.0);
    assert_true(o.feeds[0].keep_gone); /* the section met again adds to the same feed */
    assert_int_equal(o.feeds[0].line, 9); /* its first key */
    assert_string_equal(o.feeds[1].name, "Kabar Nusantara");
    assert_string_equal(o.feeds[1].lang, "id");
    assert_true(o.feeds[1].with_summary);
    assert_true(kb_feed_options_check(&o, &err));
    kb_feed_options_free(&o);

    /* With --spool given, [spool] spool is not taken. */
    kb_feed_options_init(&o);
    assert_true(kb_feed_options_load(&o, conf, false, &err));
    assert_null(o.spool);
    kb_feed_options_free(&o);
    unlink(conf);
    free(conf);
}

/* Loads text as a config; returns the error message (caller frees). */
static char *load_error(const char *text, char **path_out)
{
    char *conf = write_conf(text);
    struct kb_feed_options o;
    kb_feed_options_init(&o);
    struct kb_error err;
    bool ok = kb_feed_options_load(&o, conf, true, &err);
    if (ok)
        ok = kb_feed_options_check(&o, &err);
    kb_feed_options_free(&o);
    assert_false(ok);
    unlink(conf);
    *path_out = conf;
    return kb_xstrdup(err.msg);
}

static void expect_load_error(const char *text, const char *want_after_path)
{
    char *conf;
    char *msg = load_error(text, &conf);
    char *want = kb_xasprintf("%s%s", conf, want_after_path);
    assert_string_equal(msg, want);
    free(want);
    free(msg);
    free(conf);
}

static void test_config_errors(void **state)
{
    (void)state;
    expect_load_error("[feed bad]\nurl = ftp://example.org/rss\n",
                      ":2: url: \"ftp://example.org/rss\": not an http:// or https:// URL");
    expect_load_error("[feed nourl]\nlang = fr\n", ":2: [feed nourl] has no url");
    expect_load_error("[feed]\nurl = http://example.org/\n",
                      ":2: [feed] needs a name: [feed NAME]");
    expect_load_error("[feed a]\nurl = http://example.org/\nmax = 0\n",
                      ":3: max: \"0\": not a number from 1 to 1000");
    expect_load_error("[feed a]\nurl = http://example.org/\nevery = soon\n",
                      ":3: every: \"soon\": not a duration such as 30s, 5m or 1h");
    /* The same url twice: said by the check, not the file's lines. */
    char *conf;
    char *msg = load_error("[feed a]\nurl = http://example.org/x\n"
                           "[feed b]\nurl = http://example.org/x\n",
                           &conf);
    assert_string_equal(
        msg, "http://example.org/x: followed twice (the two would fight over its files)");
    free(msg);
    free(conf);
}

static void test_too_many_feeds(void **state)
{
    (void)state;
    size_t cap = 300 * 64;
    char *text = kb_xmalloc(cap);
    size_t len = 0;
    for (int i = 0; i < 257; i++)
        len += (size_t)snprintf(text + len, cap - len, "[feed f%d]\nurl = http://h/%d\n", i, i);
    char *conf;
    char *msg = load_error(text, &conf);
    char *want = kb_xasprintf("%s:514: more than 256 feeds", conf);
    assert_string_equal(msg, want);
    free(want);
    free(msg);
    free(conf);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),        cmocka_unit_test(test_valid_values),
        cmocka_unit_test(test_invalid_values),  cmocka_unit_test(test_periods),
        cmocka_unit_test(test_config_sections), cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_too_many_feeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
