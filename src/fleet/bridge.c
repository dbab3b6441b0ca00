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
 * reconnect delay in sleep(), which a SIGTERM cannot cut short. When to
 * try again is fleet/retry.h's; reconciliation after each connection is
 * fleet/round.h's.
 *
 * MQTT 5 first (a session that expires, a last will that waits for a
 * quick return), MQTT 3.1.1 with a broker that refuses version 5. */
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
#include <mqtt_protocol.h>

#define LOG_MODULE "mqtt"
#include "fleet/conn.h"
#include "fleet/retry.h"
#include "fleet/images.h"
#include "fleet/round.h"
#include "fleet/settings.h"
#include "fleet/store.h"
#include "fleet/status.h"
#include "fleet/thumb.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "spool/reject_bound.h"

/* How long one pass of the loop may wait for the network: also how soon a
 * signal or a due status is seen. */
#define LOOP_MS 250
/* MQTT 5: the broker keeps a screen's session this long after its link
 * dies, so a short outage resumes it; a screen away longer starts afresh
 * (reconciliation brings it up to date either way) and costs the broker
 * nothing meanwhile. */
#define SESSION_EXPIRY_S 300
/* MQTT 5: the last will ("offline") waits this long for the screen to come
 * back, so a link that drops and returns within it never reads offline. */
#define WILL_DELAY_S 5
/* Matches max_inflight_messages in boards/mosquitto/kabar.conf. */
#define RECEIVE_MAXIMUM 100
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
    bool refused;        /* the broker answered the current try and said no */
    bool resumed;        /* the current link resumed a session the broker kept */
    bool new_client;     /* the client was made again: connect from scratch */
    bool clean;          /* clean sessions from now on (a resumed one overflowed) */
    int protocol;        /* MQTT_PROTOCOL_V5, or V311 once a broker refused 5 */
    double reconnect_at; /* monotonic seconds */
    struct kb_mqtt_retry retry;
    struct kb_mqtt_round round;
    struct kb_mqtt_images images; /* pictures: fleet/images.h */

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

static void on_connect(struct mosquitto *mosq, void *obj, int rc, int flags)
{
    struct bridge *b = obj;
    b->resumed = (flags & 1) != 0; /* the broker kept our session */
    if (rc != 0 && b->protocol == MQTT_PROTOCOL_V5 &&
        (rc == CONNACK_REFUSED_PROTOCOL_VERSION || rc == MQTT_RC_UNSUPPORTED_PROTOCOL_VERSION)) {
        LOG_WARN("%s:%d does not speak MQTT 5: using MQTT 3.1.1", b->set->host, b->port);
        b->protocol = MQTT_PROTOCOL_V311;
        mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
        b->link_reported = true;
        return;
    }
    if (rc != 0) {
        LOG_WARN_ONCE("mqtt:link", "%s:%d refused the connection: %s", b->set->host, b->port,
                      b->protocol == MQTT_PROTOCOL_V5 ? mosquitto_reason_string(rc)
                                                      : mosquitto_connack_string(rc));
        b->link_reported = true;
        b->refused = true;
        return;
    }
    kb_log_forget("mqtt:link");
    b->connected = true;
    kb_mqtt_retry_connected(&b->retry);
    /* Pictures first: the broker sends their retained messages before the
     * items' that name them. */
    mosquitto_subscribe(b->mosq, NULL, b->images.filter, 1);
    kb_mqtt_round_start(&b->round, mono_s());
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
    kb_mqtt_round_suback(&b->round, mid, count, granted);
    if (mid != b->round.filters_mid)
        return;
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
    size_t len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
    if (kb_mqtt_round_message(&b->round, msg->topic, msg->payload, len, mono_s()))
        return;
    struct kb_error ierr;
    enum kb_mqtt_applied picture;
    if (kb_mqtt_images_message(&b->images, msg->topic, msg->payload, len, &picture, &ierr)) {
        if (picture == KB_MQTT_REJECTED)
            note_rejection(b, msg->topic, &ierr);
        else if (picture == KB_MQTT_FAILED)
            LOG_ERR_ONCE(msg->topic, "%s", ierr.msg);
        return;
    }
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
    enum kb_mqtt_applied applied =
        kb_mqtt_spool_apply(b->set->spool, id, msg->payload, len, (int64_t)time(NULL), &err);
    kb_mqtt_round_applied(&b->round, id, applied == KB_MQTT_WRITTEN || applied == KB_MQTT_UNCHANGED,
                          msg->retain, mono_s());
    switch (applied) {
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
        kb_mqtt_images_soon(&b->images, mono_s());
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
    /* A broker that answered and said no (login, TLS) is not hammered; one
     * that is not there yet is tried again within a second. */
    bool refused = b->refused || rc == MOSQ_ERR_TLS || rc == MOSQ_ERR_TLS_HANDSHAKE ||
                   rc == MOSQ_ERR_AUTH || rc == MOSQ_ERR_CONN_REFUSED;
    b->reconnect_at = now + kb_mqtt_retry_delay(&b->retry, refused, now);
    b->refused = false;
}

/* The first try hands libmosquitto the MQTT 5 CONNECT properties, which it
 * keeps for every reconnection. libmosquitto 2.0 has no non-blocking
 * connect that takes them, so this one TCP connect blocks (a signal cuts
 * it short); the later ones do not. */
static int first_connect(struct bridge *b)
{
    if (b->protocol != MQTT_PROTOCOL_V5)
        return mosquitto_connect_async(b->mosq, b->set->host, b->port, b->set->keepalive_s);
    mosquitto_property *props = NULL;
    mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, SESSION_EXPIRY_S);
    int rc =
        mosquitto_connect_bind_v5(b->mosq, b->set->host, b->port, b->set->keepalive_s, NULL, props);
    mosquitto_property_free_all(&props);
    return rc;
}

static void try_connect(struct bridge *b, double now)
{
    b->link_reported = false;
    /* Non-blocking connects: a broker that does not answer never holds up
     * a signal or the status. */
    int rc = (b->ever_connected || b->reconnect_at > 0) && !b->new_client
                 ? mosquitto_reconnect_async(b->mosq)
                 : first_connect(b);
    b->new_client = false;
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
    kb_mqtt_thumb_tick(b->mosq, b->set->group, b->set->screen, b->set->stats);
    b->counters.sync = kb_mqtt_round_state(&b->round);
    b->counters.reconciled = b->round.removed;
    b->counters.rejected_pruned = kb_spool_rejected_pruned();
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

static bool make_client(struct bridge *b, struct kb_error *err);

/* A round the broker could not finish on a resumed session: its queue for
 * this screen was full of messages from before (mosquitto drops what comes
 * after, the retained items and the marker included). Start a clean
 * session, once: from then on this bridge's sessions are clean, and the
 * broker queues nothing for it while it is away. */
static void check_round(struct bridge *b)
{
    kb_mqtt_round_tick(&b->round, mono_s());
    if (!b->resumed || b->clean || kb_mqtt_sync_state(b->round.sync) != KB_MQTT_SYNC_INCOMPLETE)
        return;
    LOG_WARN("the broker dropped messages queued for this screen's session: starting a clean "
             "session");
    mosquitto_disconnect(b->mosq);
    mosquitto_loop(b->mosq, 100, 1);
    b->clean = true;
    b->connected = false;
    b->link = LINK_DOWN;
    b->reconnect_at = mono_s();
    struct kb_error err;
    if (!make_client(b, &err)) {
        LOG_ERR("%s", err.msg);
        stop_signal = SIGTERM;
    }
}

static void run_loop(struct bridge *b)
{
    while (!stop_signal) {
        double now = mono_s();
        if (b->link == LINK_UP) {
            int rc = mosquitto_loop(b->mosq, LOOP_MS, 1);
            if (rc != MOSQ_ERR_SUCCESS && !stop_signal)
                link_lost(b, rc, mono_s());
            else if (b->connected)
                check_round(b);
            kb_mqtt_images_tick(&b->images, mono_s(), b->round.removed);
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
    if (b->client_id == NULL)
        b->client_id = kb_xasprintf("kabar-%s-%s", set->group, set->screen);
    /* clean_session false: a session that resumes after a short outage
     * (MQTT 5: for SESSION_EXPIRY_S) keeps the subscriptions and the
     * messages queued meanwhile, so the last will is not sent on return. */
    if (b->mosq != NULL) {
        if (mosquitto_reinitialise(b->mosq, b->client_id, b->clean, b) != MOSQ_ERR_SUCCESS)
            return kb_error_set(err, "cannot make an MQTT client again");
        b->new_client = true;
    } else {
        b->mosq = mosquitto_new(b->client_id, b->clean, b);
    }
    if (b->mosq == NULL)
        return kb_error_set(err, "cannot make an MQTT client: %s", strerror(errno));
    if (b->protocol == 0)
        b->protocol = MQTT_PROTOCOL_V5;
    mosquitto_int_option(b->mosq, MOSQ_OPT_PROTOCOL_VERSION, b->protocol);
    /* Acknowledgements go out at once: with Nagle's algorithm each small
     * PUBACK waits for the broker's delayed ACK, and a retained set
     * arrives at a few hundred items a second instead of thousands. */
    mosquitto_int_option(b->mosq, MOSQ_OPT_TCP_NODELAY, 1);
    /* MQTT 5: as many unacknowledged items in flight to us as
     * boards/mosquitto/kabar.conf lets the broker send (libmosquitto asks
     * for 20). */
    mosquitto_int_option(b->mosq, MOSQ_OPT_RECEIVE_MAXIMUM, RECEIVE_MAXIMUM);
    struct kb_mqtt_auth auth = {set->cafile, set->user, set->password_file};
    if (!kb_mqtt_apply_auth(b->mosq, &auth, err))
        return false;
    b->port = kb_mqtt_port_or_default(set->port, &auth);

    char *will = kb_mqtt_status_offline(set->group, set->screen, "lost");
    mosquitto_property *props = NULL;
    mosquitto_property_add_int32(&props, MQTT_PROP_WILL_DELAY_INTERVAL, WILL_DELAY_S);
    int rc = mosquitto_will_set_v5(b->mosq, b->status_topic, (int)strlen(will), will, 1,
                                   /*retain=*/true, props);
    if (rc != MOSQ_ERR_SUCCESS)
        mosquitto_property_free_all(&props); /* taken only on success */
    free(will);
    if (rc != MOSQ_ERR_SUCCESS)
        return kb_error_set(err, "cannot set the last will: %s", kb_mqtt_strerror(rc));
    mosquitto_connect_with_flags_callback_set(b->mosq, on_connect);
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
    struct bridge b = {.set = set, .goodbye_mid = -1};
    kb_mqtt_retry_init(&b.retry, (unsigned)time(NULL) ^ (unsigned)getpid(), mono_s());
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
        kb_mqtt_images_init(&b.images, set->spool, set->group, mono_s());
        kb_mqtt_round_init(&b.round, b.mosq, set->spool, b.client_id, set->group, set->screen,
                           b.filters, b.nfilters);
        run_loop(&b);
        LOG_INFO("stopping (%s)", stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
        say_goodbye(&b);
        kb_mqtt_round_free(&b.round);
        kb_mqtt_images_free(&b.images);
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
