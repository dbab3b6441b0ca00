/* The newsroom's side: `kabar post --mqtt` publishes one retained message
 * and waits until the broker has it. MQTT 5, because a v5 PUBACK carries a
 * reason code (a publish the broker's ACL refuses is an error the newsroom
 * sees, not a message silently dropped) and a message can expire on the
 * broker when the item does (fleet/expiry.h). */
#include "fleet/mqtt.h"

#include <jansson.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#define LOG_MODULE "mqtt"
#include "fleet/conn.h"
#include "fleet/expiry.h"
#include "fleet/index.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "spool/item.h"
#include "spool/spool.h"

/* The whole exchange, from connect to acknowledgement. */
#define PUBLISH_TIMEOUT_S 10.0

struct once {
    bool connack;   /* CONNACK arrived */
    int connack_rc; /* its reason code */
    bool lost;      /* the broker closed the link */
    int mid;        /* our PUBLISH */
    bool acked;     /* its PUBACK arrived */
    int puback_rc;  /* and its reason code */
    /* Reading an index shard (add_to_index). */
    const char *shard_topic, *echo_topic;
    char *shard; /* the last retained shard received; NULL: none */
    size_t shard_len;
    bool echoed; /* the echo came back: every retained shard came before */
    int sub_mid;
    bool sub_refused;
    bool subacked;
};

/* What the item's publish does to the group's index (fleet/index.h). */
struct index_op {
    const char *group;
    const char *id;
    int64_t expires; /* Unix seconds, 0: none */
    bool add;        /* false: the item was retracted */
};

static void on_connect(struct mosquitto *mosq, void *obj, int rc, int flags,
                       const mosquitto_property *props)
{
    struct once *o = obj;
    o->connack = true;
    o->connack_rc = rc;
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid, int rc,
                       const mosquitto_property *props)
{
    struct once *o = obj;
    if (mid == o->mid) {
        o->acked = true;
        o->puback_rc = rc;
    }
}

static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int count, const int *granted,
                         const mosquitto_property *props)
{
    struct once *o = obj;
    if (mid != o->sub_mid)
        return;
    o->subacked = true;
    for (int i = 0; i < count; i++)
        o->sub_refused |= granted[i] >= 0x80;
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg,
                       const mosquitto_property *props)
{
    struct once *o = obj;
    if (o->echo_topic != NULL && strcmp(msg->topic, o->echo_topic) == 0) {
        o->echoed = true;
    } else if (o->shard_topic != NULL && strcmp(msg->topic, o->shard_topic) == 0) {
        /* Retained or live (another publisher's change): the last one is
         * the broker's current shard. */
        free(o->shard);
        o->shard_len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
        o->shard = kb_xmalloc(o->shard_len + 1);
        if (o->shard_len > 0)
            memcpy(o->shard, msg->payload, o->shard_len);
        o->shard[o->shard_len] = '\0';
    }
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc,
                          const mosquitto_property *props)
{
    struct once *o = obj;
    o->lost = true;
}

/* Runs the network until *done, the link is lost, or the deadline. */
static bool loop_until(struct mosquitto *mosq, const bool *done, const struct once *o,
                       double deadline)
{
    while (!*done && !o->lost && kb_clock_mono() < deadline) {
        if (mosquitto_loop(mosq, 100, 1) != MOSQ_ERR_SUCCESS)
            break;
    }
    return *done;
}

/* The index's read-modify-write on the publisher's connection: subscribe
 * to the shard and to an echo topic of our own, publish the echo (the
 * broker sends a subscription's retained message before a message
 * published after it), change the shard and publish it retained. Two
 * publishers changing one shard in the same few milliseconds can lose one
 * entry: the item itself is unaffected, and only a screen whose broker
 * drops messages misses it (docs/fleet.md, "The index"). */
static bool add_to_index(struct mosquitto *mosq, struct once *o, const struct index_op *op,
                         double deadline, struct kb_error *err)
{
    unsigned shard = kb_mqtt_index_shard(op->id);
    char *topic = kb_mqtt_index_topic(op->group, shard);
    char *echo = kb_xasprintf("%s/echo-%ld-%ld", topic, (long)getpid(), (long)time(NULL));
    o->shard_topic = topic;
    o->echo_topic = echo;
    char *subs[] = {topic, echo};
    bool ok = false;
    int rc = mosquitto_subscribe_multiple(mosq, &o->sub_mid, 2, subs, 1, 0, NULL);
    if (rc == MOSQ_ERR_SUCCESS && loop_until(mosq, &o->subacked, o, deadline) && !o->sub_refused)
        rc = mosquitto_publish(mosq, NULL, echo, 1, "e", 1, false);
    if (rc != MOSQ_ERR_SUCCESS || !o->subacked || o->sub_refused ||
        !loop_until(mosq, &o->echoed, o, deadline)) {
        kb_error_set(err, "%s: cannot read it (%s)", topic,
                     o->sub_refused ? "the broker's ACL refuses it" : "no answer");
        goto done;
    }
    uint32_t expiry_s = 0;
    char *next = kb_mqtt_index_update(o->shard, o->shard_len, op->id, op->expires, op->add,
                                      (int64_t)time(NULL), &expiry_s);
    mosquitto_property *props = NULL;
    if (expiry_s > 0)
        mosquitto_property_add_int32(&props, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL, expiry_s);
    o->acked = false;
    rc = mosquitto_publish_v5(mosq, &o->mid, topic, (int)strlen(next), next, 1, true, props);
    mosquitto_property_free_all(&props);
    free(next);
    if (rc != MOSQ_ERR_SUCCESS || !loop_until(mosq, &o->acked, o, deadline))
        kb_error_set(err, "%s: not acknowledged", topic);
    else if (o->puback_rc >= 0x80)
        kb_error_set(err, "%s: the broker refused it: %s", topic,
                     mosquitto_reason_string(o->puback_rc));
    else
        ok = true;
done:
    o->shard_topic = o->echo_topic = NULL;
    free(o->shard);
    o->shard = NULL;
    free(topic);
    free(echo);
    return ok;
}

static bool publish_once(const char *host, int port, const struct kb_mqtt_auth *auth,
                         const char *topic, const void *payload, size_t len, uint32_t expiry_s,
                         const struct index_op *index, struct kb_error *err)
{
    port = kb_mqtt_port_or_default(port, auth);
    struct sigaction ign, old_pipe;
    memset(&ign, 0, sizeof(ign));
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &old_pipe);
    mosquitto_lib_init();

    struct once o = {.mid = -1};
    bool ok = false;
    /* A clean session and a random client id: a publisher keeps nothing. */
    struct mosquitto *mosq = mosquitto_new(NULL, true, &o);
    if (mosq == NULL) {
        kb_error_set(err, "cannot make an MQTT client");
        goto done;
    }
    mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
    if (!kb_mqtt_apply_auth(mosq, auth, err))
        goto done;
    mosquitto_connect_v5_callback_set(mosq, on_connect);
    mosquitto_publish_v5_callback_set(mosq, on_publish);
    mosquitto_disconnect_v5_callback_set(mosq, on_disconnect);
    mosquitto_subscribe_v5_callback_set(mosq, on_subscribe);
    mosquitto_message_v5_callback_set(mosq, on_message);

    double deadline = kb_clock_mono() + PUBLISH_TIMEOUT_S;
    int rc = mosquitto_connect_async(mosq, host, port, 30);
    if (rc != MOSQ_ERR_SUCCESS) {
        kb_error_set(err, "%s:%d: cannot connect: %s", host, port, kb_mqtt_strerror(rc));
        goto done;
    }
    if (!loop_until(mosq, &o.connack, &o, deadline)) {
        kb_error_set(err, "%s:%d: no answer from an MQTT broker within %.0f s", host, port,
                     PUBLISH_TIMEOUT_S);
        goto done;
    }
    if (o.connack_rc != 0) {
        kb_error_set(err, "%s:%d refused the connection: %s", host, port,
                     mosquitto_reason_string(o.connack_rc));
        goto done;
    }
    mosquitto_property *props = NULL;
    if (expiry_s > 0)
        mosquitto_property_add_int32(&props, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL, expiry_s);
    rc = mosquitto_publish_v5(mosq, &o.mid, topic, (int)len, payload, 1, true, props);
    mosquitto_property_free_all(&props);
    if (rc != MOSQ_ERR_SUCCESS) {
        kb_error_set(err, "%s: cannot publish: %s", topic, kb_mqtt_strerror(rc));
        goto done;
    }
    if (!loop_until(mosq, &o.acked, &o, deadline)) {
        kb_error_set(err, "%s: the broker did not acknowledge it within %.0f s", topic,
                     PUBLISH_TIMEOUT_S);
        goto done;
    }
    /* 0x10 "no matching subscribers" is a success: retained, it waits for
     * the screens. */
    if (o.puback_rc >= 0x80) {
        kb_error_set(err, "%s: the broker refused it: %s", topic,
                     mosquitto_reason_string(o.puback_rc));
        goto done;
    }
    ok = true;
    /* The item is on the broker whatever happens to the index: a failure
     * there is a warning, and only screens behind a broker that drops
     * messages miss the item. */
    struct kb_error ierr;
    if (index != NULL && !add_to_index(mosq, &o, index, kb_clock_mono() + PUBLISH_TIMEOUT_S, &ierr))
        fprintf(stderr,
                "kabar post: warning: the group's index was not updated: %s; a screen whose broker "
                "drops messages may not get this change (docs/fleet.md, \"The index\")\n",
                ierr.msg);
done:
    if (mosq != NULL) {
        if (o.connack && !o.lost)
            mosquitto_disconnect(mosq);
        mosquitto_destroy(mosq);
    }
    mosquitto_lib_cleanup();
    sigaction(SIGPIPE, &old_pipe, NULL);
    return ok;
}

static bool check_group(const char *group, struct kb_error *err)
{
    if (!kb_mqtt_name_valid(group))
        return kb_error_set(err,
                            "--group \"%s\": a group is 1-128 of A-Z a-z 0-9 . _ : - and does not "
                            "start with '.'",
                            group != NULL ? group : "");
    return true;
}

bool kb_mqtt_publish_item(const char *host, int port, const char *group, const char *json_text,
                          const struct kb_mqtt_auth *auth, struct kb_error *err)
{
    if (!check_group(group, err))
        return false;
    size_t len = strlen(json_text);
    /* What every screen will check, checked once here. */
    if (kb_spool_validate_buffer(json_text, len, "kabar post", (int64_t)time(NULL), err) < 0)
        return false;
    json_t *root = json_loadb(json_text, len, 0, NULL);
    const char *id = json_string_value(json_object_get(root, "id"));
    if (id == NULL) {
        json_decref(root);
        return kb_error_set(err,
                            "kabar post: --mqtt publishes one item (with its id), not a bundle");
    }
    if (id[0] == '.') {
        kb_error_set(err,
                     "kabar post: field \"id\": \"%s\" cannot name an MQTT item topic (it "
                     "starts with '.')",
                     id);
        json_decref(root);
        return false;
    }
    /* Without `published`, each screen would date the item by the moment
     * its own bridge wrote the file, and screens would rotate in different
     * orders: date it once, here. */
    char *payload = NULL;
    bool changed = false;
    int64_t now = (int64_t)time(NULL);
    if (json_is_null(json_object_get(root, "published")) ||
        json_object_get(root, "published") == NULL) {
        char when[KB_DATE_RFC3339_SIZE];
        kb_date_format_rfc3339(now, when);
        json_object_set_new(root, "published", json_string(when));
        changed = true;
    }
    bool given_expires = false;
    uint32_t expiry_s = kb_mqtt_item_expiry(root, now, &given_expires);
    if (changed || given_expires)
        payload = json_dumps(root, JSON_INDENT(2));
    char *topic = kb_mqtt_items_topic(group, id);
    struct index_op index = {group, id, expiry_s > 0 ? now + (int64_t)expiry_s : 0, true};
    bool ok =
        payload != NULL
            ? publish_once(host, port, auth, topic, payload, strlen(payload), expiry_s, &index, err)
            : publish_once(host, port, auth, topic, json_text, len, expiry_s, &index, err);
    free(topic);
    free(payload);
    json_decref(root);
    return ok;
}

bool kb_mqtt_retract_item(const char *host, int port, const char *group, const char *id,
                          const struct kb_mqtt_auth *auth, struct kb_error *err)
{
    if (!check_group(group, err))
        return false;
    if (!kb_mqtt_name_valid(id))
        return kb_error_set(err,
                            "--retract \"%s\": an item id is 1-128 of A-Z a-z 0-9 . _ : - (and "
                            "does not start with '.')",
                            id != NULL ? id : "");
    char *topic = kb_mqtt_items_topic(group, id);
    /* A retained empty message clears the retained item on the broker and
     * is the retraction for every screen, now or when it comes back. */
    struct index_op index = {group, id, 0, false};
    bool ok = publish_once(host, port, auth, topic, "", 0, 0, &index, err);
    free(topic);
    return ok;
}

bool kb_mqtt_publish_image(const char *host, int port, const char *group, const char *name,
                           const void *data, size_t len, const char *item_json,
                           const struct kb_mqtt_auth *auth, struct kb_error *err)
{
    if (!check_group(group, err))
        return false;
    if (!kb_mqtt_name_valid(name) || !kb_image_name_valid(name))
        return kb_error_set(err, "picture \"%s\": not a picture name for a topic", name);
    /* The broker keeps the picture as long as the item that names it, a
     * minute longer: a screen that connects is never sent an item whose
     * picture the broker already forgot. */
    uint32_t expiry_s = 0;
    json_t *root = item_json != NULL ? json_loads(item_json, 0, NULL) : NULL;
    if (root != NULL) {
        bool changed = false;
        expiry_s = kb_mqtt_item_expiry(root, (int64_t)time(NULL), &changed);
        if (expiry_s > 0 && expiry_s < UINT32_MAX - 60)
            expiry_s += 60;
    }
    json_decref(root);
    char *topic = kb_mqtt_images_topic(group, name);
    bool ok = publish_once(host, port, auth, topic, data, len, expiry_s, NULL, err);
    free(topic);
    return ok;
}
