/* `kabar mqtt`: the bridge from a broker into one screen's spool.
 *
 * One thread does everything: libmosquitto's network loop, the messages
 * (each one a file operation in the spool) and the status. Nothing is
 * shared, so nothing is locked.
 *
 * The loop is our own rather than mosquitto_loop_forever or
 * mosquitto_loop_start: in libmosquitto 2.0 those give up for good on a
 * TLS error, a refused login or a failed DNS look-up (a screen that boots
 * before its network would never connect), and they wait out the
 * reconnect delay in sleep(), which a SIGTERM cannot cut short. The
 * backoff is the same as mosquitto_reconnect_delay_set's exponential one,
 * with some jitter so a fleet does not reconnect in lockstep after a
 * broker restart. */
#include "fleet/mqtt.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#define LOG_MODULE "mqtt"
#include "fleet/conn.h"
#include "fleet/settings.h"
#include "fleet/store.h"
#include "fleet/status.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/xmalloc.h"

/* How long one pass of the loop may wait for the network: also how soon a
 * signal or a due status is seen. */
#define LOOP_MS 250
/* Reconnect backoff: 1 s doubling to 60 s, as reconnect_delay_set(1, 60, true). */
#define BACKOFF_MIN_S 1.0
#define BACKOFF_MAX_S 60.0
/* A clean stop waits this long for the broker to take the offline status. */
#define GOODBYE_S 2.0

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

enum link { LINK_DOWN, LINK_UP };

struct bridge {
    const struct kb_mqtt_settings *set;
    struct mosquitto *mosq;
    int port;
    char *client_id;
    char *filters[KB_MQTT_TOPICS_MAX + 1];
    int nfilters;
    char *status_topic;
    char *status_filter; /* our group's status topics: never items, whatever the filters say */

    enum link link;
    bool connected;     /* CONNACK accepted on the current link */
    bool link_reported; /* the fate of the current link was logged (refused, lost) */
    bool ever_connected;
    double backoff_s;
    double reconnect_at; /* monotonic seconds */
    unsigned seed;

    struct kb_mqtt_status *status;
    struct kb_mqtt_counters counters;
    char *last_status; /* the online status last handed to the broker; NULL: send it again */
    double next_status_at;

    int goodbye_mid;
    bool goodbye_acked;
};

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    if (s <= 0)
        return;
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    /* A signal cuts it short, which is the point. */
    nanosleep(&ts, NULL);
}

/* ---- libmosquitto callbacks ---- */

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    struct bridge *b = obj;
    if (rc != 0) {
        LOG_WARN_ONCE("mqtt:link", "%s:%d refused the connection: %s", b->set->host, b->port,
                      mosquitto_connack_string(rc));
        b->link_reported = true;
        return;
    }
    kb_log_forget("mqtt:link");
    b->connected = true;
    b->backoff_s = BACKOFF_MIN_S;
    /* Subscribing again on every connection, although the session keeps
     * the subscriptions, makes the broker send every retained item again
     * (MQTT 3.1.1, 3.8.4): the spool is brought back to the broker's state
     * after any outage, whatever the broker kept of the session. */
    int src = mosquitto_subscribe_multiple(mosq, NULL, b->nfilters, b->filters, 1, 0, NULL);
    if (src != MOSQ_ERR_SUCCESS)
        LOG_ERR("cannot subscribe: %s", kb_mqtt_strerror(src));
    LOG_INFO("%s to %s:%d as %s; items from %s%s", b->ever_connected ? "reconnected" : "connected",
             b->set->host, b->port, b->client_id, b->filters[0],
             b->nfilters > 1 ? " and more topics" : "");
    b->ever_connected = true;
    /* The broker may hold our last will ("offline") as the retained
     * status now: say we are back at once. */
    free(b->last_status);
    b->last_status = NULL;
}

static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int count, const int *granted)
{
    struct bridge *b = obj;
    for (int i = 0; i < count && i < b->nfilters; i++) {
        /* 0x80: the broker's ACL refused this filter. */
        if (granted[i] >= 0x80)
            LOG_ERR("the broker refused the subscription to %s (check its ACL)", b->filters[i]);
    }
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
    struct bridge *b = obj;
    if (b->connected && !stop_signal) {
        LOG_WARN_ONCE("mqtt:link", "lost the connection to %s:%d (%s); reconnecting", b->set->host,
                      b->port, kb_mqtt_strerror(rc));
        b->link_reported = true;
    }
    b->connected = false;
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
    struct bridge *b = obj;
    if (mid == b->goodbye_mid)
        b->goodbye_acked = true;
}

static void note_rejection(struct bridge *b, const char *topic, const struct kb_error *err)
{
    b->counters.rejected++;
    snprintf(b->counters.last_rejection, sizeof(b->counters.last_rejection), "%s", err->msg);
    /* Once per topic and line: every reconnect sends a bad retained
     * message again. */
    LOG_WARN_ONCE(topic, "%s", err->msg);
}

static bool is_item_topic(const struct bridge *b, const char *topic)
{
    bool match = false;
    if (mosquitto_topic_matches_sub(b->status_filter, topic, &match) == MOSQ_ERR_SUCCESS && match)
        return false;
    for (int i = 0; i < b->nfilters; i++) {
        if (mosquitto_topic_matches_sub(b->filters[i], topic, &match) == MOSQ_ERR_SUCCESS && match)
            return true;
    }
    return false;
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
    struct bridge *b = obj;
    /* A persistent session keeps subscriptions an older configuration
     * made: only the filters configured now bring items. */
    if (!is_item_topic(b, msg->topic)) {
        LOG_DBG("%s: not an item topic of this bridge; ignored", msg->topic);
        return;
    }
    b->counters.received++;
    struct kb_error err;
    char id[KB_ID_MAX + 1];
    if (!kb_mqtt_topic_id(msg->topic, id, sizeof(id), &err)) {
        note_rejection(b, msg->topic, &err);
        return;
    }
    size_t len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
    switch (kb_mqtt_spool_apply(b->set->spool, id, msg->payload, len, (int64_t)time(NULL), &err)) {
    case KB_MQTT_WRITTEN:
        b->counters.written++;
        kb_log_forget(msg->topic);
        LOG_DBG("%s: written to %s/%s.json", msg->topic, b->set->spool, id);
        break;
    case KB_MQTT_UNCHANGED:
        b->counters.unchanged++;
        break;
    case KB_MQTT_RETRACTED:
        b->counters.retracted++;
        kb_log_forget(msg->topic);
        LOG_INFO("%s: retracted; %s/%s.json removed", msg->topic, b->set->spool, id);
        break;
    case KB_MQTT_REJECTED:
        note_rejection(b, msg->topic, &err);
        break;
    case KB_MQTT_FAILED:
        b->counters.failed++;
        LOG_ERR_ONCE(msg->topic, "%s", err.msg);
        break;
    }
}

/* ---- the loop ---- */

static void link_lost(struct bridge *b, int rc, double now)
{
    if (!b->link_reported)
        LOG_WARN_ONCE("mqtt:link", "cannot reach %s:%d: %s; trying again", b->set->host, b->port,
                      kb_mqtt_strerror(rc));
    b->connected = false;
    b->link = LINK_DOWN;
    /* Up to a quarter more, so screens that lost one broker together do
     * not all come back in the same second. */
    double jitter = b->backoff_s * 0.25 * ((double)(rand_r(&b->seed) % 1000) / 1000.0);
    b->reconnect_at = now + b->backoff_s + jitter;
    b->backoff_s = fmin(b->backoff_s * 2, BACKOFF_MAX_S);
}

static void try_connect(struct bridge *b, double now)
{
    b->link_reported = false;
    /* Non-blocking connects: a broker that does not answer never holds up
     * a signal or the status. */
    int rc = b->ever_connected || b->reconnect_at > 0
                 ? mosquitto_reconnect_async(b->mosq)
                 : mosquitto_connect_async(b->mosq, b->set->host, b->port, b->set->keepalive_s);
    if (rc == MOSQ_ERR_SUCCESS)
        b->link = LINK_UP;
    else
        link_lost(b, rc, now);
}

static void publish_status(struct bridge *b, double now)
{
    if (!b->connected || (b->last_status != NULL && now < b->next_status_at))
        return;
    b->next_status_at = now + b->set->status_interval_s;
    char *text = kb_mqtt_status_online(b->status, &b->counters);
    if (b->last_status != NULL && strcmp(text, b->last_status) == 0) {
        free(text);
        return;
    }
    int rc = mosquitto_publish(b->mosq, NULL, b->status_topic, (int)strlen(text), text, 1, true);
    if (rc != MOSQ_ERR_SUCCESS) {
        LOG_DBG("%s: cannot publish the status now: %s", b->status_topic, kb_mqtt_strerror(rc));
        free(text);
        return;
    }
    free(b->last_status);
    b->last_status = text;
}

static void run_loop(struct bridge *b)
{
    while (!stop_signal) {
        double now = mono_s();
        if (b->link == LINK_UP) {
            int rc = mosquitto_loop(b->mosq, LOOP_MS, 1);
            if (rc != MOSQ_ERR_SUCCESS && !stop_signal)
                link_lost(b, rc, mono_s());
        } else if (now >= b->reconnect_at) {
            try_connect(b, now);
        } else {
            sleep_s(fmin(b->reconnect_at - now, LOOP_MS / 1000.0));
        }
        publish_status(b, mono_s());
    }
}

/* A clean stop: the retained status says "offline" at once (the broker
 * sends the last will only when a link dies, not on a clean DISCONNECT). */
static void say_goodbye(struct bridge *b)
{
    if (b->link != LINK_UP || !b->connected)
        return;
    char *bye = kb_mqtt_status_offline(b->set->group, b->set->screen, "stopped");
    int rc = mosquitto_publish(b->mosq, &b->goodbye_mid, b->status_topic, (int)strlen(bye), bye, 1,
                               true);
    free(bye);
    double deadline = mono_s() + GOODBYE_S;
    while (rc == MOSQ_ERR_SUCCESS && !b->goodbye_acked && b->connected && mono_s() < deadline)
        rc = mosquitto_loop(b->mosq, 100, 1);
    mosquitto_disconnect(b->mosq);
    mosquitto_loop(b->mosq, 100, 1);
}

/* ---- setup ---- */

static bool make_client(struct bridge *b, struct kb_error *err)
{
    const struct kb_mqtt_settings *set = b->set;
    b->client_id = kb_xasprintf("kabar-%s-%s", set->group, set->screen);
    /* clean_session false: the broker keeps the session while the screen
     * is away and queues the QoS 1 messages it missed. */
    b->mosq = mosquitto_new(b->client_id, false, b);
    if (b->mosq == NULL)
        return kb_error_set(err, "cannot make an MQTT client: %s", strerror(errno));
    struct kb_mqtt_auth auth = {set->cafile, set->user, set->password_file};
    if (!kb_mqtt_apply_auth(b->mosq, &auth, err))
        return false;
    b->port = kb_mqtt_port_or_default(set->port, &auth);

    char *will = kb_mqtt_status_offline(set->group, set->screen, "lost");
    int rc =
        mosquitto_will_set(b->mosq, b->status_topic, (int)strlen(will), will, 1, /*retain=*/true);
    free(will);
    if (rc != MOSQ_ERR_SUCCESS)
        return kb_error_set(err, "cannot set the last will: %s", kb_mqtt_strerror(rc));
    mosquitto_connect_callback_set(b->mosq, on_connect);
    mosquitto_disconnect_callback_set(b->mosq, on_disconnect);
    mosquitto_subscribe_callback_set(b->mosq, on_subscribe);
    mosquitto_message_callback_set(b->mosq, on_message);
    mosquitto_publish_callback_set(b->mosq, on_publish);
    return true;
}

static bool prepare_spool(const char *dir, struct kb_error *err)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return kb_error_set(err, "%s: cannot create the spool: %s", dir, strerror(errno));
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return kb_error_set(err, "%s: not a folder", dir);
    kb_mqtt_spool_clean(dir);
    return true;
}

static int run_bridge(const struct kb_mqtt_settings *set)
{
    struct kb_error err;
    if (!prepare_spool(set->spool, &err)) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        return 1;
    }
    struct bridge b = {.set = set, .backoff_s = BACKOFF_MIN_S, .goodbye_mid = -1};
    b.seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    b.filters[b.nfilters++] = kb_mqtt_items_topic(set->group, NULL);
    for (size_t i = 0; i < set->ntopics; i++)
        b.filters[b.nfilters++] = kb_xstrdup(set->topics[i]);
    b.status_topic = kb_mqtt_status_topic(set->group, set->screen);
    b.status_filter = kb_mqtt_status_topic(set->group, "#");
    b.status = kb_mqtt_status_new(set->group, set->screen, set->stats);

    int status = 1;
    mosquitto_lib_init();
    if (!make_client(&b, &err)) {
        fprintf(stderr, "kabar: %s\n", err.msg);
    } else {
        run_loop(&b);
        LOG_INFO("stopping (%s)", stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
        say_goodbye(&b);
        status = 0;
    }
    if (b.mosq != NULL)
        mosquitto_destroy(b.mosq);
    mosquitto_lib_cleanup();

    for (int i = 0; i < b.nfilters; i++)
        free(b.filters[i]);
    free(b.client_id);
    free(b.status_topic);
    free(b.status_filter);
    free(b.last_status);
    kb_mqtt_status_free(b.status);
    return status;
}

int kb_mqtt_bridge_run(const struct kb_mqtt_settings *set)
{
    /* No SA_RESTART: the signal must cut the loop's wait short. */
    struct sigaction sa, old_int, old_term, old_pipe;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop_signal;
    stop_signal = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, &old_pipe);

    int status = run_bridge(set);

    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGPIPE, &old_pipe, NULL);
    return status;
}
