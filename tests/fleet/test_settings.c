/* The settings of `kabar mqtt` (fleet/settings.h): each key, valid and
 * invalid with its exact message, the [mqtt] section of a config file, and
 * what kb_mqtt_settings_finish requires. No broker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/limits.h"
#include "core/xmalloc.h"
#include "fleet/settings.h"

/* Sets key to value on fresh settings: "" if it took, else the message. */
static char *set_one(const char *key, const char *value, const char *where)
{
    struct kb_mqtt_settings s;
    kb_mqtt_settings_init(&s);
    struct kb_error err;
    bool ok = kb_mqtt_settings_set(&s, key, value, where, &err);
    kb_mqtt_settings_free(&s);
    return kb_xstrdup(ok ? "" : err.msg);
}

static void expect_set(const char *key, const char *value, const char *where, const char *want)
{
    char *got = set_one(key, value, where);
    assert_string_equal(got, want);
    free(got);
}

static void test_defaults(void **state)
{
    (void)state;
    struct kb_mqtt_settings s;
    kb_mqtt_settings_init(&s);
    assert_null(s.host);
    assert_null(s.screen);
    assert_int_equal(s.port, 0);
    assert_int_equal(s.keepalive_s, 30);
    assert_true(s.status_interval_s == 5.0);
    assert_int_equal(s.ntopics, 0);
    kb_mqtt_settings_free(&s);
}

static void test_valid_values(void **state)
{
    (void)state;
    struct kb_mqtt_settings s;
    kb_mqtt_settings_init(&s);
    struct kb_error err;
    assert_true(kb_mqtt_settings_set(&s, "host", "broker.example", "--host", &err));
    assert_string_equal(s.host, "broker.example");
    assert_true(kb_mqtt_settings_set(&s, "host", "10.0.0.2", "--host", &err));
    assert_string_equal(s.host, "10.0.0.2"); /* the last one wins */
    assert_true(kb_mqtt_settings_set(&s, "port", "1", "--port", &err));
    assert_true(kb_mqtt_settings_set(&s, "port", "65535", "--port", &err));
    assert_int_equal(s.port, 65535);
    assert_true(kb_mqtt_settings_set(&s, "group", "fr_news-1.a:b", "--group", &err));
    assert_string_equal(s.group, "fr_news-1.a:b");
    assert_true(kb_mqtt_settings_set(&s, "screen", "lobby-1", "--screen", &err));
    assert_true(kb_mqtt_settings_set(&s, "keepalive_s", "5", "--keepalive", &err));
    assert_true(kb_mqtt_settings_set(&s, "keepalive_s", "3600", "--keepalive", &err));
    assert_int_equal(s.keepalive_s, 3600);
    assert_true(kb_mqtt_settings_set(&s, "status_interval_s", "0.2", "--status-interval", &err));
    assert_true(s.status_interval_s == 0.2);
    /* Topics add up, a comma-separated list as one value, blanks trimmed. */
    assert_true(kb_mqtt_settings_set(&s, "topics", "newsroom/+/fr", "--topic", &err));
    assert_true(kb_mqtt_settings_set(&s, "topics", " alerts/# , ,x/y ", "--topic", &err));
    assert_int_equal(s.ntopics, 3);
    assert_string_equal(s.topics[0], "newsroom/+/fr");
    assert_string_equal(s.topics[1], "alerts/#");
    assert_string_equal(s.topics[2], "x/y");
    kb_mqtt_settings_free(&s);
}

static void test_invalid_values(void **state)
{
    (void)state;
    expect_set("port", "0", "--port", "--port: \"0\": expected a port, 1 to 65535");
    expect_set("port", "65536", "--port", "--port: \"65536\": expected a port, 1 to 65535");
    expect_set("port", "http", "--port", "--port: \"http\": expected a port, 1 to 65535");
    expect_set("port", "", "--port", "--port: \"\": expected a port, 1 to 65535");
    expect_set("keepalive_s", "4", "--keepalive", "--keepalive: \"4\": expected 5 to 3600 seconds");
    expect_set("keepalive_s", "3601", "--keepalive",
               "--keepalive: \"3601\": expected 5 to 3600 seconds");
    expect_set("status_interval_s", "0.1", "--status-interval",
               "--status-interval: \"0.1\": expected 0.2 to 3600 seconds");
    expect_set("status_interval_s", "nan", "--status-interval",
               "--status-interval: \"nan\": expected 0.2 to 3600 seconds");
    expect_set("status_interval_s", "5s", "--status-interval",
               "--status-interval: \"5s\": expected 0.2 to 3600 seconds");
    expect_set("group", "a/b", "--group",
               "--group: \"a/b\": a group is 1-128 of A-Z a-z 0-9 . _ : - and does not start "
               "with '.'");
    expect_set("group", ".hidden", "--group",
               "--group: \".hidden\": a group is 1-128 of A-Z a-z 0-9 . _ : - and does not "
               "start with '.'");
    expect_set("screen", "lobby 1", "--screen",
               "--screen: \"lobby 1\": a screen is 1-128 of A-Z a-z 0-9 . _ : - and does not "
               "start with '.'");
    expect_set("host", "", "--host", "--host: empty host");
    expect_set("spool", "", "--spool", "--spool: empty spool");
    expect_set("topics", "bad/#/x", "--topic", "--topic: \"bad/#/x\" is not an MQTT topic filter");
    expect_set("topics", "a+/b", "--topic", "--topic: \"a+/b\" is not an MQTT topic filter");
    expect_set("colour", "blue", "x.conf:3", "x.conf:3: unknown key \"colour\"");

    /* One topic filter past KB_MQTT_TOPICS_MAX. */
    struct kb_mqtt_settings s;
    kb_mqtt_settings_init(&s);
    struct kb_error err;
    for (int i = 0; i < KB_MQTT_TOPICS_MAX; i++) {
        char t[32];
        snprintf(t, sizeof(t), "t/%d", i);
        assert_true(kb_mqtt_settings_set(&s, "topics", t, "--topic", &err));
    }
    assert_false(kb_mqtt_settings_set(&s, "topics", "one/more", "--topic", &err));
    char *want = kb_xasprintf("--topic: more than %d topics", KB_MQTT_TOPICS_MAX);
    assert_string_equal(err.msg, want);
    free(want);
    kb_mqtt_settings_free(&s);
}

static char *write_conf(const char *text)
{
    char *path = kb_xasprintf("%s/mqtt-settings-XXXXXX", KB_TEST_BUILD_DIR);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_config_file(void **state)
{
    (void)state;
    char *conf = write_conf("[display]\nspeed = 90\n"
                            "[spool]\nspool = /srv/kabar/spool\n"
                            "[mqtt]\nhost = broker.example\nport = 8883\ngroup = fr\n"
                            "keepalive_s = 60\nstatus_interval_s = 2.5\n"
                            "colour = blue\n");
    struct kb_mqtt_settings s;
    kb_mqtt_settings_init(&s);
    struct kb_error err;
    assert_true(kb_mqtt_settings_load(&s, conf, &err));
    assert_string_equal(s.host, "broker.example");
    assert_int_equal(s.port, 8883);
    assert_string_equal(s.group, "fr");
    assert_string_equal(s.spool, "/srv/kabar/spool");
    assert_int_equal(s.keepalive_s, 60);
    assert_true(s.status_interval_s == 2.5);
    kb_mqtt_settings_free(&s);
    unlink(conf);
    free(conf);

    /* An empty [spool] spool (the ticker's default) is no spool here. */
    conf = write_conf("[spool]\nspool =\n[mqtt]\nhost = b\n");
    kb_mqtt_settings_init(&s);
    assert_true(kb_mqtt_settings_load(&s, conf, &err));
    assert_null(s.spool);
    kb_mqtt_settings_free(&s);
    unlink(conf);
    free(conf);

    /* A bad value in the file says file:line. */
    conf = write_conf("[mqtt]\nhost = b\n\nkeepalive_s = 2\n");
    kb_mqtt_settings_init(&s);
    assert_false(kb_mqtt_settings_load(&s, conf, &err));
    char *want = kb_xasprintf("%s:4: \"2\": expected 5 to 3600 seconds", conf);
    assert_string_equal(err.msg, want);
    free(want);
    kb_mqtt_settings_free(&s);
    unlink(conf);
    free(conf);
}

static void expect_finish(struct kb_mqtt_settings *s, const char *want)
{
    struct kb_error err;
    assert_false(kb_mqtt_settings_finish(s, &err));
    assert_string_equal(err.msg, want);
}

static void test_finish(void **state)
{
    (void)state;
    struct kb_mqtt_settings s;
    kb_mqtt_settings_init(&s);
    struct kb_error err;
    expect_finish(&s, "no broker: give --host HOST (or host in [mqtt])");
    kb_mqtt_settings_set(&s, "host", "b", "--host", &err);
    expect_finish(&s, "no group: give --group G (or group in [mqtt])");
    kb_mqtt_settings_set(&s, "group", "g", "--group", &err);
    expect_finish(&s, "no spool: give --spool DIR (or spool in [spool])");
    kb_mqtt_settings_set(&s, "spool", "/tmp", "--spool", &err);
    kb_mqtt_settings_set(&s, "password_file", "/etc/pw", "--password-file", &err);
    expect_finish(&s, "--password-file needs --user");
    kb_mqtt_settings_set(&s, "user", "screen1", "--user", &err);
    kb_mqtt_settings_set(&s, "screen", "lobby", "--screen", &err);
    assert_true(kb_mqtt_settings_finish(&s, &err));
    assert_string_equal(s.screen, "lobby"); /* a given name is kept */
    kb_mqtt_settings_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),       cmocka_unit_test(test_valid_values),
        cmocka_unit_test(test_invalid_values), cmocka_unit_test(test_config_file),
        cmocka_unit_test(test_finish),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
