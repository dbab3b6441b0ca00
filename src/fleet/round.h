/* The bridge's side of reconciliation on the wire (fleet/sync.h says what
 * is kept and removed): on each connection, subscribe to the marker topic
 * kabar/<group>/sync/<screen> and the item filters, then publish a fresh
 * marker; when it comes back, the spool matches the broker's retained set.
 * A marker that does not come within KB_MQTT_ROUND_TIMEOUT_S of the last
 * message leaves the round incomplete; the items the bridge holds and was
 * not sent are then checked in batches of exact topics, each closed by its
 * own marker, and the items the publishers' index (fleet/index.h) names
 * and the round was not sent are fetched the same way. Not thread-safe: the bridge's thread owns
 * it. */
#ifndef KB_FLEET_ROUND_H
#define KB_FLEET_ROUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mosquitto.h>

#include "fleet/sync.h"

#define KB_MQTT_ROUND_TIMEOUT_S 15.0
/* Items checked per batch: well under mosquitto's default queue of 1,000. */
#define KB_MQTT_PROBE_BATCH 200
/* At most this many item filters have an index. */
#define KB_MQTT_ROUND_FILTERS_MAX 16

struct kb_mqtt_round {
    struct mosquitto *mosq; /* borrowed */
    struct kb_mqtt_sync *sync;
    char *sync_topic;
    char *const *filters; /* borrowed: the bridge's item filters */
    int nfilters;
    char *index_filters[KB_MQTT_ROUND_FILTERS_MAX]; /* kabar/G/index/+ of each kabar/G/items/+ */
    int nindex;
    char *probe[KB_MQTT_PROBE_BATCH]; /* the topics of the batch being checked */
    int nprobe;
    int sync_mid;     /* the marker topic's SUBSCRIBE */
    int filters_mid;  /* the item filters' SUBSCRIBE */
    uint64_t removed; /* files removed by reconciliation since the start */
};

/* filters (nfilters of them) must outlive r. */
void kb_mqtt_round_init(struct kb_mqtt_round *r, struct mosquitto *mosq, const char *spool,
                        const char *client_id, const char *group, const char *screen,
                        char *const *filters, int nfilters);
void kb_mqtt_round_free(struct kb_mqtt_round *r);

/* A new connection was accepted: subscribe and send the marker. False if
 * libmosquitto would not take the packets (the link is going down). */
bool kb_mqtt_round_start(struct kb_mqtt_round *r, double now);

/* True if topic is the marker topic; then the message was handled. */
bool kb_mqtt_round_message(struct kb_mqtt_round *r, const char *topic, const void *payload,
                           size_t len, double now);

/* An item message for id was applied (fleet/sync.h, kb_mqtt_sync_applied). */
void kb_mqtt_round_applied(struct kb_mqtt_round *r, const char *id, bool kept, bool retained,
                           double now);

/* A SUBACK: says so if the broker refused the marker topic. */
void kb_mqtt_round_suback(struct kb_mqtt_round *r, int mid, int count, const int *granted);

/* Called from the loop while connected: times a round out, checks items. */
void kb_mqtt_round_tick(struct kb_mqtt_round *r, double now);

/* "pending", "complete", "incomplete" or "fetched", for the status. */
const char *kb_mqtt_round_state(const struct kb_mqtt_round *r);

#endif
