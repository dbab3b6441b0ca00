/* The MQTT bridge and publisher (docs/fleet.md): the pieces one by one, then
 * the whole bridge (kb_mqtt_bridge_run in a thread) against a real mosquitto
 * broker on 127.0.0.1, restarted under it. The broker is skipped, not
 * failed, where /usr/sbin/mosquitto is missing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <mosquitto.h>

#include "fleet/mqtt.h"
#include "fleet/conn.h"
#include "fleet/settings.h"
#include "fleet/store.h"
#include "fleet/status.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "spool/spool.h"

#define BROKER "/usr/sbin/mosquitto"

/* ---- helpers ---- */

static char *make_tmpdir(void)
{
    char *dir = kb_xstrdup("/tmp/kabar-mqtt-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return kb_xstrdup(buf);
}

static void rm_rf(const char *path)
{
    char *cmd = kb_xasprintf("rm -rf -- '%s'", path);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

static bool exists(const char *dir, const char *name)
{
    char *path = kb_xasprintf("%s/%s", dir, name);
    bool ok = access(path, F_OK) == 0;
    free(path);
    return ok;
}

/* Entries of dir whose names end in suffix (NULL: all but . and ..). */
static int count_entries(const char *dir, const char *suffix, bool dot_only)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t len = strlen(e->d_name), sl = suffix != NULL ? strlen(suffix) : 0;
        if (dot_only && e->d_name[0] != '.')
            continue;
        if (suffix == NULL || (len >= sl && strcmp(e->d_name + len - sl, suffix) == 0))
            n++;
    }
    closedir(d);
    return n;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- names and topics ---- */

static void test_names(void **state)
{
    (void)state;
    assert_true(kb_mqtt_name_valid("lobby-1"));
    assert_true(kb_mqtt_name_valid("kn-20261129-banjir-id"));
    assert_false(kb_mqtt_name_valid(".hidden"));
    assert_false(kb_mqtt_name_valid(".."));
    assert_false(kb_mqtt_name_valid("a/b"));
    assert_false(kb_mqtt_name_valid("+"));
    assert_false(kb_mqtt_name_valid("#"));
    assert_false(kb_mqtt_name_valid(""));

    char id[KB_ID_MAX + 1];
    struct kb_error err;
    assert_true(kb_mqtt_topic_id("kabar/fr/items/abc-1", id, sizeof(id), &err));
    assert_string_equal(id, "abc-1");
    assert_false(kb_mqtt_topic_id("kabar/fr/items/", id, sizeof(id), &err));
    assert_non_null(strstr(err.msg, "topic \"kabar/fr/items/\""));
    assert_false(kb_mqtt_topic_id("kabar/fr/items/..", id, sizeof(id), &err));
    assert_false(kb_mqtt_topic_id("kabar/fr/items/a b", id, sizeof(id), &err));

    char *t = kb_mqtt_items_topic("fr", NULL);
    assert_string_equal(t, "kabar/fr/items/+");
    free(t);
    t = kb_mqtt_status_topic("fr", "lobby");
    assert_string_equal(t, "kabar/fr/status/lobby");
    free(t);
    assert_int_equal(kb_mqtt_port_or_default(0, NULL), 1883);
    struct kb_mqtt_auth tls = {.cafile = "/etc/ssl/certs/ca.pem"};
    assert_int_equal(kb_mqtt_port_or_default(0, &tls), 8883);
    assert_int_equal(kb_mqtt_port_or_default(1234, &tls), 1234);
}

/* ---- one message into the spool ---- */

static const char good[] = "{\"id\":\"a-1\",\"lang\":\"fr\",\"text\":\"Bonjour\"}";
static const char good2[] = "{\"id\":\"a-1\",\"lang\":\"fr\",\"text\":\"Bonsoir\"}";
static const char bad[] = "{\"id\":\"a-1\",\"lang\":\"xx_YY\",\"text\":\"Bonjour\"}";

static void test_apply(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    struct kb_error err;
    char *path = kb_xasprintf("%s/a-1.json", dir);

    assert_int_equal(kb_mqtt_spool_apply(dir, "a-1", good, strlen(good), 1000, &err),
                     KB_MQTT_WRITTEN);
    char *text = read_text(path);
    assert_string_equal(text, good);
    free(text);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);

    /* A resent retained message leaves the file (and its mtime) alone. */
    struct stat before = st;
    nap_ms(20);
    assert_int_equal(kb_mqtt_spool_apply(dir, "a-1", good, strlen(good), 1000, &err),
                     KB_MQTT_UNCHANGED);
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_mtim.tv_nsec == before.st_mtim.tv_nsec &&
                st.st_mtim.tv_sec == before.st_mtim.tv_sec);

    assert_int_equal(kb_mqtt_spool_apply(dir, "a-1", good2, strlen(good2), 1000, &err),
                     KB_MQTT_WRITTEN);
    text = read_text(path);
    assert_string_equal(text, good2);
    free(text);

    /* A bad payload: rejected/ with the line the ticker would write for the
     * same file in the same folder, and the old version gone. */
    assert_int_equal(kb_mqtt_spool_apply(dir, "a-1", bad, strlen(bad), 1000, &err),
                     KB_MQTT_REJECTED);
    assert_false(exists(dir, "a-1.json"));
    char *rpath = kb_xasprintf("%s/rejected/a-1.json", dir);
    char *epath = kb_xasprintf("%s/rejected/a-1.json.error.txt", dir);
    text = read_text(rpath);
    assert_string_equal(text, bad);
    free(text);
    write_text(path, bad);
    struct kb_error spool_err;
    assert_int_equal(kb_spool_validate_file(path, &spool_err), -1);
    unlink(path);
    char *want = kb_xasprintf("%s\n", spool_err.msg);
    text = read_text(epath);
    assert_string_equal(text, want);
    assert_string_equal(err.msg, spool_err.msg);
    assert_non_null(strstr(text, "a-1.json: field \"lang\": \"xx_YY\""));
    free(text);
    free(want);

    /* Syntax errors say line and column, as the spool does. */
    const char *broken = "{\"id\": \"b\",\n \"lang\" \"fr\"}";
    assert_int_equal(kb_mqtt_spool_apply(dir, "b", broken, strlen(broken), 1000, &err),
                     KB_MQTT_REJECTED);
    char *bwhere = kb_xasprintf("%s/b.json:2:", dir);
    assert_true(strncmp(err.msg, bwhere, strlen(bwhere)) == 0);
    free(bwhere);

    /* Too big: refused unparsed, with the spool's words. */
    size_t big = 1024 * 1024 + 1;
    char *huge = kb_xmalloc(big);
    memset(huge, ' ', big);
    assert_int_equal(kb_mqtt_spool_apply(dir, "c", huge, big, 1000, &err), KB_MQTT_REJECTED);
    assert_non_null(strstr(err.msg, "more than the limit of 1048576"));
    free(huge);

    /* Retraction, also of what is not there. */
    assert_int_equal(kb_mqtt_spool_apply(dir, "a-1", good, strlen(good), 1000, &err),
                     KB_MQTT_WRITTEN);
    assert_int_equal(kb_mqtt_spool_apply(dir, "a-1", "", 0, 1000, &err), KB_MQTT_RETRACTED);
    assert_false(exists(dir, "a-1.json"));
    assert_int_equal(kb_mqtt_spool_apply(dir, "a-1", "", 0, 1000, &err), KB_MQTT_RETRACTED);

    /* No temp file is left behind; a crashed bridge's are cleaned. */
    char rdir[512];
    snprintf(rdir, sizeof(rdir), "%s/rejected", dir);
    assert_int_equal(count_entries(dir, NULL, true), 0);
    assert_int_equal(count_entries(rdir, NULL, true), 0);
    char *stale = kb_xasprintf("%s/.mqtt.x.json.AbCdEf", dir);
    char *other = kb_xasprintf("%s/.other.json.tmp", dir);
    write_text(stale, "{");
    write_text(other, "{");
    kb_mqtt_spool_clean(dir);
    assert_int_equal(access(stale, F_OK), -1);
    assert_int_equal(access(other, F_OK), 0);
    free(stale);
    free(other);

    /* A spool that cannot be written is a failure, not a rejection. */
    if (geteuid() != 0) {
        chmod(dir, 0555);
        assert_int_equal(kb_mqtt_spool_apply(dir, "d", good, strlen(good), 1000, &err),
                         KB_MQTT_FAILED);
        chmod(dir, 0755);
    }
    assert_int_equal(kb_mqtt_spool_apply("/nonexistent/spool", "d", good, strlen(good), 1000, &err),
                     KB_MQTT_FAILED);
    assert_non_null(strstr(err.msg, "cannot write"));

    free(rpath);
    free(epath);
    free(path);
    rm_rf(dir);
    free(dir);
}

/* ---- the status ---- */

static json_t *parse(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    return j;
}

static void test_status(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char *stats = kb_xasprintf("%s/stats.json", dir);
    struct kb_mqtt_counters c = {.received = 5, .written = 3, .rejected = 1};
    snprintf(c.last_rejection, sizeof(c.last_rejection), "spool/x.json: field \"lang\": bad");

    struct kb_mqtt_status *st = kb_mqtt_status_new("fr", "lobby", stats);
    char *text = kb_mqtt_status_online(st, &c);
    json_t *j = parse(text);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "online");
    assert_string_equal(json_string_value(json_object_get(j, "stats")), "missing");
    assert_null(json_object_get(j, "items_loaded"));
    json_t *b = json_object_get(j, "bridge");
    assert_int_equal(json_integer_value(json_object_get(b, "received")), 5);
    assert_int_equal(json_integer_value(json_object_get(b, "rejected")), 1);
    assert_string_equal(json_string_value(json_object_get(b, "last_rejection")),
                        "spool/x.json: field \"lang\": bad");
    json_decref(j);
    free(text);

    write_text(stats, "{\"frames\": 600, \"dropped_frames\": 2, \"items_loaded\": 27,"
                      " \"items_rejected\": 1, \"version\": \"0.1.0\", \"last_error\": \"\","
                      " \"renderer\": \"software\", \"atlas\": {\"pages\": 1},"
                      " \"shown\": [{\"id\": \"old\", \"first\": 0.0, \"last\": 3.0},"
                      " {\"id\": \"a\", \"first\": 2.0, \"last\": 9.9},"
                      " {\"id\": \"b\", \"first\": 5.0, \"last\": 10.0},"
                      " {\"id\": \"a\", \"first\": 9.0, \"last\": 10.0}]}");
    text = kb_mqtt_status_online(st, &c);
    j = parse(text);
    assert_string_equal(json_string_value(json_object_get(j, "stats")), "ok");
    assert_int_equal(json_integer_value(json_object_get(j, "frames")), 600);
    assert_int_equal(json_integer_value(json_object_get(j, "dropped_frames")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "items_loaded")), 27);
    assert_int_equal(json_integer_value(json_object_get(j, "items_rejected")), 1);
    assert_string_equal(json_string_value(json_object_get(j, "version")), "0.1.0");
    assert_string_equal(json_string_value(json_object_get(j, "last_error")), "");
    assert_non_null(json_object_get(j, "stats_time"));
    /* Only the figures: the renderer and atlas stay on the screen. */
    assert_null(json_object_get(j, "atlas"));
    assert_null(json_object_get(j, "shown"));
    json_t *showing = json_object_get(j, "showing");
    assert_int_equal(json_array_size(showing), 2);
    assert_string_equal(json_string_value(json_array_get(showing, 0)), "a");
    assert_string_equal(json_string_value(json_array_get(showing, 1)), "b");
    json_decref(j);

    /* Unchanged stats and counters: the same text, so nothing to publish. */
    char *again = kb_mqtt_status_online(st, &c);
    assert_string_equal(again, text);
    free(again);
    free(text);

    write_text(stats, "{\"frames\": ");
    text = kb_mqtt_status_online(st, &c);
    j = parse(text);
    assert_string_equal(json_string_value(json_object_get(j, "stats")), "unreadable");
    json_decref(j);
    free(text);
    kb_mqtt_status_free(st);

    st = kb_mqtt_status_new("fr", "lobby", NULL);
    text = kb_mqtt_status_online(st, &c);
    j = parse(text);
    assert_string_equal(json_string_value(json_object_get(j, "stats")), "none");
    json_decref(j);
    free(text);
    kb_mqtt_status_free(st);

    text = kb_mqtt_status_offline("fr", "lobby", "lost");
    assert_string_equal(text,
                        "{\"state\":\"offline\",\"group\":\"fr\",\"screen\":\"lobby\",\"reason\":"
                        "\"lost\"}");
    free(text);
    free(stats);
    rm_rf(dir);
    free(dir);
}

/* ---- settings ---- */

static void test_settings(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char *conf = kb_xasprintf("%s/kabar.conf", dir);
    write_text(conf, "[display]\nspeed = 90\n"
                     "[spool]\nspool = /srv/kabar/spool\nlanguages = fr, id\n"
                     "[mqtt]\nhost = broker.example\nport = 8883\ngroup = fr\n"
                     "topics = newsroom/+/fr, alerts/#\nstats = /run/kabar/stats.json\n"
                     "colour = blue\n");
    struct kb_mqtt_settings s;
    kb_mqtt_settings_init(&s);
    struct kb_error err;
    assert_true(kb_mqtt_settings_load(&s, conf, &err));
    assert_string_equal(s.host, "broker.example");
    assert_int_equal(s.port, 8883);
    assert_string_equal(s.group, "fr");
    assert_string_equal(s.spool, "/srv/kabar/spool");
    assert_string_equal(s.stats, "/run/kabar/stats.json");
    assert_int_equal(s.ntopics, 2);
    assert_string_equal(s.topics[0], "newsroom/+/fr");
    assert_string_equal(s.topics[1], "alerts/#");
    /* Flags come after the file and win. */
    assert_true(kb_mqtt_settings_set(&s, "port", "1884", "--port", &err));
    assert_int_equal(s.port, 1884);
    assert_false(kb_mqtt_settings_set(&s, "port", "http", "--port", &err));
    assert_string_equal(err.msg, "--port: \"http\": expected a port, 1 to 65535");
    assert_false(kb_mqtt_settings_set(&s, "group", "a/b", "--group", &err));
    assert_false(kb_mqtt_settings_set(&s, "topics", "bad/#/x", "--topic", &err));
    assert_false(kb_mqtt_settings_set(&s, "status_interval_s", "0", "--status-interval", &err));
    assert_true(kb_mqtt_settings_set(&s, "screen", "lobby-1", "--screen", &err));
    assert_true(kb_mqtt_settings_finish(&s, &err));
    assert_string_equal(s.screen, "lobby-1");
    kb_mqtt_settings_free(&s);

    /* A bad value in the file says file:line. */
    write_text(conf, "[mqtt]\nhost = b\n\nport = 0\n");
    kb_mqtt_settings_init(&s);
    assert_false(kb_mqtt_settings_load(&s, conf, &err));
    char *want = kb_xasprintf("%s:4: \"0\": expected a port, 1 to 65535", conf);
    assert_string_equal(err.msg, want);
    free(want);
    kb_mqtt_settings_free(&s);

    /* What is required, and the screen's default name. */
    kb_mqtt_settings_init(&s);
    assert_false(kb_mqtt_settings_finish(&s, &err));
    assert_non_null(strstr(err.msg, "--host"));
    kb_mqtt_settings_set(&s, "host", "b", "--host", &err);
    kb_mqtt_settings_set(&s, "group", "g", "--group", &err);
    kb_mqtt_settings_set(&s, "spool", "/tmp", "--spool", &err);
    kb_mqtt_settings_set(&s, "password_file", "/etc/pw", "--password-file", &err);
    assert_false(kb_mqtt_settings_finish(&s, &err));
    assert_non_null(strstr(err.msg, "--user"));
    kb_mqtt_settings_set(&s, "user", "screen1", "--user", &err);
    char host[256];
    gethostname(host, sizeof(host));
    if (kb_mqtt_name_valid(host)) {
        assert_true(kb_mqtt_settings_finish(&s, &err));
        assert_string_equal(s.screen, host);
    }
    kb_mqtt_settings_free(&s);

    /* The password file: its first line, never more. */
    char *pw = kb_xasprintf("%s/pw", dir);
    write_text(pw, "s3cret\nsecond line\n");
    chmod(pw, 0600);
    char *password;
    assert_true(kb_mqtt_read_password(pw, &password, &err));
    assert_string_equal(password, "s3cret");
    free(password);
    write_text(pw, "\n");
    assert_false(kb_mqtt_read_password(pw, &password, &err));
    assert_non_null(strstr(err.msg, "empty"));
    assert_false(kb_mqtt_read_password("/nonexistent/pw", &password, &err));
    free(pw);

    free(conf);
    rm_rf(dir);
    free(dir);
}

/* ---- the bridge's entry point (its flags are tested in tests/cli) ---- */

static void test_entry_points(void **state)
{
    (void)state;
    /* A missing CA file stops it before it connects anywhere. */
    struct kb_mqtt_settings s;
    kb_mqtt_settings_init(&s);
    struct kb_error err;
    assert_true(kb_mqtt_settings_set(&s, "host", "127.0.0.1", "--host", &err));
    assert_true(kb_mqtt_settings_set(&s, "group", "g", "--group", &err));
    assert_true(kb_mqtt_settings_set(&s, "spool", "/tmp/kabar-mqtt-cli-spool", "--spool", &err));
    assert_true(kb_mqtt_settings_set(&s, "screen", "s", "--screen", &err));
    assert_true(kb_mqtt_settings_set(&s, "cafile", "/nonexistent/ca.pem", "--cafile", &err));
    assert_true(kb_mqtt_settings_finish(&s, &err));
    assert_int_equal(kb_mqtt_bridge_run(&s), 1);
    kb_mqtt_settings_free(&s);
    rmdir("/tmp/kabar-mqtt-cli-spool");

    assert_false(kb_mqtt_publish_item("127.0.0.1", 1, "g", bad, NULL, &err));
    assert_non_null(strstr(err.msg, "kabar post: field \"lang\""));
    assert_false(kb_mqtt_publish_item("127.0.0.1", 1, "a/b", good, NULL, &err));
    assert_non_null(strstr(err.msg, "--group"));
    const char *bundle = "{\"items\": [{\"id\":\"x\",\"lang\":\"fr\",\"text\":\"t\"}]}";
    assert_false(kb_mqtt_publish_item("127.0.0.1", 1, "g", bundle, NULL, &err));
    assert_non_null(strstr(err.msg, "bundle"));
    assert_false(kb_mqtt_retract_item("127.0.0.1", 1, "g", "a b", NULL, &err));
    assert_non_null(strstr(err.msg, "--retract"));
    /* Nobody listens on port 1. */
    assert_false(kb_mqtt_publish_item("127.0.0.1", 1, "g", good, NULL, &err));
    assert_non_null(strstr(err.msg, "127.0.0.1:1"));
}

/* ---- against a broker ---- */

struct broker {
    char *dir;
    int port;
    pid_t pid;
};

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static bool port_open(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

static void broker_start(struct broker *b)
{
    char *conf = kb_xasprintf("%s/mosquitto.conf", b->dir);
    struct passwd *pw = getpwuid(geteuid());
    char *text = kb_xasprintf("listener %d 127.0.0.1\nallow_anonymous true\n"
                              "persistence true\npersistence_location %s/\n"
                              "log_dest file %s/mosquitto.log\nuser %s\n",
                              b->port, b->dir, b->dir, pw != NULL ? pw->pw_name : "root");
    write_text(conf, text);
    free(text);
    b->pid = fork();
    assert_true(b->pid >= 0);
    if (b->pid == 0) {
        /* Its chatter ("should not be run as root") goes to its log. */
        char *log = kb_xasprintf("%s/stderr.log", b->dir);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl(BROKER, BROKER, "-c", conf, (char *)NULL);
        _exit(127);
    }
    free(conf);
    double deadline = now_s() + 10;
    while (!port_open(b->port) && now_s() < deadline)
        nap_ms(20);
    assert_true(port_open(b->port));
}

/* SIGTERM: the broker saves its retained messages and sessions first. */
static void broker_stop(struct broker *b)
{
    if (b->pid <= 0)
        return;
    kill(b->pid, SIGTERM);
    int status;
    for (int i = 0; i < 500 && waitpid(b->pid, &status, WNOHANG) == 0; i++)
        nap_ms(10);
    if (waitpid(b->pid, &status, WNOHANG) == 0) {
        kill(b->pid, SIGKILL);
        waitpid(b->pid, &status, 0);
    }
    b->pid = 0;
}

/* A test client: connects and waits for CONNACK. */
struct tclient {
    struct mosquitto *mosq;
    bool connected;
    char *topic; /* a message waited for */
    char *payload;
    int acked_mid;
};

static void t_on_connect(struct mosquitto *m, void *obj, int rc)
{
    ((struct tclient *)obj)->connected = rc == 0;
}

static void t_on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
    struct tclient *c = obj;
    free(c->topic);
    free(c->payload);
    c->topic = kb_xstrdup(msg->topic);
    c->payload = kb_xstrndup(msg->payload != NULL ? msg->payload : "", (size_t)msg->payloadlen);
}

static void t_on_publish(struct mosquitto *m, void *obj, int mid)
{
    ((struct tclient *)obj)->acked_mid = mid;
}

static void tclient_open(struct tclient *c, int port)
{
    memset(c, 0, sizeof(*c));
    c->acked_mid = -1;
    c->mosq = mosquitto_new(NULL, true, c);
    assert_non_null(c->mosq);
    mosquitto_connect_callback_set(c->mosq, t_on_connect);
    mosquitto_message_callback_set(c->mosq, t_on_message);
    mosquitto_publish_callback_set(c->mosq, t_on_publish);
    assert_int_equal(mosquitto_connect(c->mosq, "127.0.0.1", port, 30), MOSQ_ERR_SUCCESS);
    double deadline = now_s() + 5;
    while (!c->connected && now_s() < deadline)
        mosquitto_loop(c->mosq, 50, 1);
    assert_true(c->connected);
}

static void tclient_close(struct tclient *c)
{
    if (c->mosq == NULL)
        return;
    mosquitto_disconnect(c->mosq);
    mosquitto_destroy(c->mosq);
    free(c->topic);
    free(c->payload);
    c->mosq = NULL;
}

static void tclient_publish(struct tclient *c, const char *topic, const char *payload)
{
    int mid;
    assert_int_equal(
        mosquitto_publish(c->mosq, &mid, topic, (int)strlen(payload), payload, 1, true),
        MOSQ_ERR_SUCCESS);
    double deadline = now_s() + 5;
    while (c->acked_mid != mid && now_s() < deadline)
        mosquitto_loop(c->mosq, 50, 1);
    assert_int_equal(c->acked_mid, mid);
}

/* Waits for a message on topic whose JSON payload has key == value
 * (value NULL: any message); returns it parsed, or NULL on timeout. */
static json_t *tclient_wait_json(struct tclient *c, const char *topic, const char *key,
                                 const char *value, double timeout_s)
{
    assert_int_equal(mosquitto_subscribe(c->mosq, NULL, topic, 1), MOSQ_ERR_SUCCESS);
    double deadline = now_s() + timeout_s;
    json_t *found = NULL;
    while (found == NULL && now_s() < deadline) {
        mosquitto_loop(c->mosq, 50, 1);
        if (c->payload == NULL)
            continue;
        json_t *j = json_loads(c->payload, 0, NULL);
        free(c->payload);
        c->payload = NULL;
        json_t *v = j != NULL && key != NULL ? json_object_get(j, key) : NULL;
        char *vs = v != NULL ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
        if (j != NULL && (key == NULL || (vs != NULL && strcmp(vs, value) == 0)))
            found = json_incref(j);
        free(vs);
        json_decref(j);
    }
    mosquitto_unsubscribe(c->mosq, NULL, topic);
    return found;
}

struct bridge_run {
    pthread_t thread;
    bool running;
    struct kb_mqtt_settings set;
    int status;
};

static void *bridge_thread(void *arg)
{
    struct bridge_run *r = arg;
    r->status = kb_mqtt_bridge_run(&r->set);
    return NULL;
}

/* The bridge as `kabar mqtt --host 127.0.0.1 --port PORT --group fr --spool
 * SPOOL --screen lobby --stats STATS --status-interval 0.2 --log-level error`
 * runs it. */
static void bridge_start(struct bridge_run *r, int port, const char *spool, const char *stats)
{
    char portbuf[16];
    snprintf(portbuf, sizeof(portbuf), "%d", port);
    const char *kv[][2] = {{"host", "127.0.0.1"},
                           {"port", portbuf},
                           {"group", "fr"},
                           {"spool", spool},
                           {"screen", "lobby"},
                           {"stats", stats},
                           {"status_interval_s", "0.2"}};
    kb_mqtt_settings_init(&r->set);
    struct kb_error err;
    for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
        assert_true(kb_mqtt_settings_set(&r->set, kv[i][0], kv[i][1], kv[i][0], &err));
    assert_true(kb_mqtt_settings_finish(&r->set, &err));
    kb_log_set_level(KB_LOG_ERR);
    r->status = -1;
    assert_int_equal(pthread_create(&r->thread, NULL, bridge_thread, r), 0);
    r->running = true;
}

static int bridge_stop(struct bridge_run *r)
{
    if (!r->running)
        return r->status;
    pthread_kill(r->thread, SIGTERM);
    pthread_join(r->thread, NULL);
    r->running = false;
    kb_mqtt_settings_free(&r->set);
    return r->status;
}

struct fixture {
    struct broker broker;
    struct bridge_run bridge;
    struct tclient client;
    char *spool, *stats;
};

static int fleet_setup(void **state)
{
    if (access(BROKER, X_OK) != 0) {
        fprintf(stderr, "skipping the broker tests: no %s\n", BROKER);
        *state = NULL;
        return 0;
    }
    struct fixture *f = kb_xcalloc(1, sizeof(*f));
    f->broker.dir = make_tmpdir();
    f->broker.port = free_port();
    f->spool = kb_xasprintf("%s/spool", f->broker.dir);
    f->stats = kb_xasprintf("%s/stats.json", f->broker.dir);
    *state = f;
    return 0;
}

/* Runs even when the test failed half-way: no broker or bridge outlives it. */
static int fleet_teardown(void **state)
{
    struct fixture *f = *state;
    if (f == NULL)
        return 0;
    tclient_close(&f->client);
    bridge_stop(&f->bridge);
    broker_stop(&f->broker);
    rm_rf(f->broker.dir);
    free(f->broker.dir);
    free(f->spool);
    free(f->stats);
    free(f);
    return 0;
}

static bool wait_for(bool (*cond)(const char *, const char *), const char *a, const char *b,
                     double timeout_s)
{
    double deadline = now_s() + timeout_s;
    while (!cond(a, b)) {
        if (now_s() > deadline)
            return false;
        nap_ms(20);
    }
    return true;
}

static bool has_file(const char *dir, const char *name)
{
    return exists(dir, name);
}

static bool lacks_file(const char *dir, const char *name)
{
    return !exists(dir, name);
}

static bool has_100_items(const char *dir, const char *unused)
{
    (void)unused;
    return count_entries(dir, ".json", false) >= 100;
}

static char *item_json(int i)
{
    return kb_xasprintf("{\"id\":\"fleet-%03d\",\"lang\":\"fr\",\"text\":\"Titre numéro %d\"}", i,
                        i);
}

static void test_fleet(void **state)
{
    struct fixture *f = *state;
    if (f == NULL)
        skip();
    struct kb_error err;
    broker_start(&f->broker);
    write_text(f->stats, "{\"frames\": 10, \"dropped_frames\": 0, \"items_loaded\": 0,"
                         " \"items_rejected\": 0, \"version\": \"0.1.0\", \"last_error\": \"\","
                         " \"shown\": []}");
    bridge_start(&f->bridge, f->broker.port, f->spool, f->stats);
    tclient_open(&f->client, f->broker.port);

    /* The screen says it is online, with what its stats file says. */
    json_t *st = tclient_wait_json(&f->client, "kabar/fr/status/lobby", "state", "\"online\"", 10);
    assert_non_null(st);
    assert_int_equal(json_integer_value(json_object_get(st, "items_loaded")), 0);
    json_decref(st);

    /* 100 items from the newsroom land in the spool, each valid. */
    double t0 = now_s();
    for (int i = 0; i < 100; i++) {
        char *item = item_json(i);
        assert_true(kb_mqtt_publish_item("127.0.0.1", f->broker.port, "fr", item, NULL, &err));
        free(item);
    }
    assert_true(wait_for(has_100_items, f->spool, NULL, 20));
    print_message("100 items published and in the spool in %.2f s\n", now_s() - t0);
    for (int i = 0; i < 100; i++) {
        char *path = kb_xasprintf("%s/fleet-%03d.json", f->spool, i);
        assert_int_equal(kb_spool_validate_file(path, &err), 1);
        free(path);
    }

    /* The status follows the ticker's stats file. */
    write_text(f->stats, "{\"frames\": 900, \"dropped_frames\": 1, \"items_loaded\": 100,"
                         " \"items_rejected\": 0, \"version\": \"0.1.0\", \"last_error\": \"\","
                         " \"shown\": [{\"id\": \"fleet-007\", \"first\": 1.0, \"last\": 4.0}]}");
    st = tclient_wait_json(&f->client, "kabar/fr/status/lobby", "items_loaded", "100", 10);
    assert_non_null(st);
    assert_string_equal(json_string_value(json_array_get(json_object_get(st, "showing"), 0)),
                        "fleet-007");
    assert_true(json_integer_value(json_object_get(json_object_get(st, "bridge"), "written")) >=
                100);
    json_decref(st);

    /* A retraction removes the file. */
    assert_true(kb_mqtt_retract_item("127.0.0.1", f->broker.port, "fr", "fleet-042", NULL, &err));
    assert_true(wait_for(lacks_file, f->spool, "fleet-042.json", 10));

    /* A bad payload goes to rejected/ with the spool's line. */
    tclient_publish(&f->client, "kabar/fr/items/bad-1",
                    "{\"id\":\"bad-1\",\"lang\":\"en_US\",\"text\":\"x\"}");
    char *rdir = kb_xasprintf("%s/rejected", f->spool);
    assert_true(wait_for(has_file, rdir, "bad-1.json.error.txt", 10));
    char *epath = kb_xasprintf("%s/bad-1.json.error.txt", rdir);
    char *line = read_text(epath);
    char *want = kb_xasprintf(
        "%s/bad-1.json: field \"lang\": \"en_US\" is not a BCP 47 language tag\n", f->spool);
    assert_string_equal(line, want);
    free(want);
    free(line);
    free(epath);
    assert_false(exists(f->spool, "bad-1.json"));
    /* A topic level that is no id is refused and nothing is written. */
    tclient_publish(&f->client, "kabar/fr/items/..", "{}");

    /* The broker restarts under the bridge. Retained items survive it (the
     * bridge takes them all again when it resubscribes: a file lost
     * meanwhile comes back), and an item published after it arrives. */
    tclient_close(&f->client);
    broker_stop(&f->broker);
    char *lost = kb_xasprintf("%s/fleet-003.json", f->spool);
    assert_int_equal(unlink(lost), 0);
    broker_start(&f->broker);
    assert_true(wait_for(has_file, f->spool, "fleet-003.json", 20));
    free(lost);
    char *late = item_json(100);
    assert_true(kb_mqtt_publish_item("127.0.0.1", f->broker.port, "fr", late, NULL, &err));
    free(late);
    assert_true(wait_for(has_file, f->spool, "fleet-100.json", 10));
    assert_false(exists(f->spool, "fleet-042.json"));

    /* SIGTERM: a clean stop, and the retained status says offline. */
    assert_int_equal(bridge_stop(&f->bridge), 0);
    tclient_open(&f->client, f->broker.port);
    st = tclient_wait_json(&f->client, "kabar/fr/status/lobby", NULL, NULL, 5);
    assert_non_null(st);
    assert_string_equal(json_string_value(json_object_get(st, "state")), "offline");
    assert_string_equal(json_string_value(json_object_get(st, "reason")), "stopped");
    json_decref(st);

    /* While the screen is away, an item is retracted: the retained message
     * is gone from the broker, and the bridge removes the item when it
     * comes back, because it wrote it and the broker no longer has it. */
    assert_true(kb_mqtt_retract_item("127.0.0.1", f->broker.port, "fr", "fleet-010", NULL, &err));
    assert_true(exists(f->spool, "fleet-010.json"));
    bridge_start(&f->bridge, f->broker.port, f->spool, f->stats);
    assert_true(wait_for(lacks_file, f->spool, "fleet-010.json", 10));

    assert_int_equal(bridge_stop(&f->bridge), 0);
    /* No temp files left: the one dot entry is the bridge's ledger. */
    assert_int_equal(count_entries(f->spool, NULL, true), 1);
    assert_true(exists(f->spool, ".kabar-mqtt/kabar-fr-lobby"));
    free(rdir);
}

int main(void)
{
    kb_log_set_level(KB_LOG_ERR);
    mosquitto_lib_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_apply),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_entry_points),
        cmocka_unit_test_setup_teardown(test_fleet, fleet_setup, fleet_teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    mosquitto_lib_cleanup();
    kb_log_shutdown();
    return failed;
}
