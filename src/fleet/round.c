#include "fleet/round.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_MODULE "mqtt"
#include "core/log.h"
#include "core/xmalloc.h"
#include "fleet/conn.h"
#include "fleet/index.h"

void kb_mqtt_round_init(struct kb_mqtt_round *r, struct mosquitto *mosq, const char *spool,
                        const char *client_id, const char *group, const char *screen,
                        char *const *filters, int nfilters)
{
    memset(r, 0, sizeof(*r));
    r->mosq = mosq;
    r->sync = kb_mqtt_sync_new(spool, client_id);
    r->sync_topic = kb_xasprintf("kabar/%s/sync/%s", group, screen);
    r->filters = filters;
    r->nfilters = nfilters;
    for (int i = 0; i < nfilters && r->nindex < KB_MQTT_ROUND_FILTERS_MAX; i++) {
        char *f = kb_mqtt_index_filter(filters[i]);
        if (f != NULL)
            r->index_filters[r->nindex++] = f;
    }
    r->sync_mid = r->filters_mid = -1;
}

static void end_probe(struct kb_mqtt_round *r)
{
    if (r->nprobe > 0)
        mosquitto_unsubscribe_multiple(r->mosq, NULL, r->nprobe, r->probe, NULL);
    for (int i = 0; i < r->nprobe; i++)
        free(r->probe[i]);
    r->nprobe = 0;
}

void kb_mqtt_round_free(struct kb_mqtt_round *r)
{
    for (int i = 0; i < r->nprobe; i++)
        free(r->probe[i]);
    r->nprobe = 0;
    kb_mqtt_sync_free(r->sync);
    free(r->sync_topic);
    for (int i = 0; i < r->nindex; i++)
        free(r->index_filters[i]);
}

static bool send_marker(struct kb_mqtt_round *r, const char *marker)
{
    /* QoS 1 and not retained: it exists only to come back to us, after
     * every retained message our subscriptions brought. */
    int rc = mosquitto_publish(r->mosq, NULL, r->sync_topic, (int)strlen(marker), marker, 1, false);
    if (rc != MOSQ_ERR_SUCCESS)
        LOG_DBG("%s: cannot send the marker: %s", r->sync_topic, kb_mqtt_strerror(rc));
    return rc == MOSQ_ERR_SUCCESS;
}

bool kb_mqtt_round_start(struct kb_mqtt_round *r, double now)
{
    /* The session may still hold a batch's subscriptions: they only cost
     * duplicates, and the next connection's session forgets them. */
    for (int i = 0; i < r->nprobe; i++)
        free(r->probe[i]);
    r->nprobe = 0;
    const char *marker = kb_mqtt_sync_begin(r->sync, now);
    /* The marker topic first, so it is in place when the marker arrives;
     * subscribing to the item filters again, although a resumed session
     * keeps them, makes the broker send every retained item again. */
    int rc = mosquitto_subscribe(r->mosq, &r->sync_mid, r->sync_topic, 1);
    /* The index before the items: its few retained shards are queued
     * first, so a broker that drops the end of the set still sends them. */
    if (rc == MOSQ_ERR_SUCCESS && r->nindex > 0)
        rc = mosquitto_subscribe_multiple(r->mosq, NULL, r->nindex, r->index_filters, 1, 0, NULL);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_subscribe_multiple(r->mosq, &r->filters_mid, r->nfilters, r->filters, 1, 0,
                                          NULL);
    if (rc != MOSQ_ERR_SUCCESS) {
        LOG_ERR("cannot subscribe: %s", kb_mqtt_strerror(rc));
        return false;
    }
    return send_marker(r, marker);
}

/* The topic of id under filter, when filter's last level is "+". */
static char *exact_topic(const char *filter, const char *id)
{
    size_t n = strlen(filter);
    if (n < 2 || strcmp(filter + n - 2, "/+") != 0)
        return NULL;
    return kb_xasprintf("%.*s%s", (int)(n - 1), filter, id);
}

static void next_batch(struct kb_mqtt_round *r, double now)
{
    end_probe(r);
    const char *ids[KB_MQTT_PROBE_BATCH];
    const char *marker = NULL;
    /* Each id under each filter: the ledger does not say which one brought it. */
    size_t per = (size_t)(KB_MQTT_PROBE_BATCH / r->nfilters);
    size_t n = kb_mqtt_sync_probe(r->sync, per > 0 ? per : 1, ids, &marker, now);
    if (n == 0) {
        if (kb_mqtt_sync_state(r->sync) == KB_MQTT_SYNC_FETCHED)
            LOG_INFO("in step with the broker's index: every indexed item fetched by its own "
                     "topic, %zu items held",
                     kb_mqtt_sync_owned(r->sync));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        for (int f = 0; f < r->nfilters; f++)
            r->probe[r->nprobe++] = exact_topic(r->filters[f], ids[i]);
    }
    int rc = mosquitto_subscribe_multiple(r->mosq, NULL, r->nprobe, r->probe, 1, 0, NULL);
    if (rc != MOSQ_ERR_SUCCESS || !send_marker(r, marker))
        LOG_DBG("cannot check a batch of items now: %s", kb_mqtt_strerror(rc));
}

/* Batches need an exact topic for each id under every filter. */
static bool can_probe(const struct kb_mqtt_round *r)
{
    for (int f = 0; f < r->nfilters; f++) {
        size_t n = strlen(r->filters[f]);
        if (n < 2 || strcmp(r->filters[f] + n - 2, "/+") != 0)
            return false;
    }
    return r->nfilters > 0;
}

bool kb_mqtt_round_message(struct kb_mqtt_round *r, const char *topic, const void *payload,
                           size_t len, double now)
{
    for (int i = 0; i < r->nindex; i++) {
        bool match = false;
        if (mosquitto_topic_matches_sub(r->index_filters[i], topic, &match) == MOSQ_ERR_SUCCESS &&
            match) {
            kb_mqtt_sync_index(r->sync, topic, payload, len, (int64_t)time(NULL), now);
            return true;
        }
    }
    if (strcmp(topic, r->sync_topic) != 0)
        return false;
    bool probing = r->nprobe > 0;
    size_t removed = 0;
    if (!kb_mqtt_sync_marker(r->sync, payload, len, &removed))
        return true; /* an earlier round's marker */
    r->removed += removed;
    if (probing) {
        next_batch(r, now);
    } else {
        kb_log_forget(r->sync_topic);
        LOG_INFO("in step with the broker: %zu retained items, %zu removed",
                 kb_mqtt_sync_seen(r->sync), removed);
    }
    return true;
}

void kb_mqtt_round_applied(struct kb_mqtt_round *r, const char *id, bool kept, bool retained,
                           double now)
{
    kb_mqtt_sync_applied(r->sync, id, kept, retained, now);
}

void kb_mqtt_round_suback(struct kb_mqtt_round *r, int mid, int count, const int *granted)
{
    if (mid == r->sync_mid && count > 0 && granted[0] >= 0x80)
        LOG_WARN_ONCE(r->sync_topic,
                      "the broker refused the subscription to %s: give screens \"pattern "
                      "readwrite kabar/+/sync/%%u\" in its ACL (docs/fleet.md); until then items "
                      "retracted while this screen is away are found one batch at a time",
                      r->sync_topic);
}

void kb_mqtt_round_tick(struct kb_mqtt_round *r, double now)
{
    bool probing = r->nprobe > 0;
    if (!kb_mqtt_sync_timed_out(r->sync, now, KB_MQTT_ROUND_TIMEOUT_S))
        return;
    if (probing) {
        end_probe(r);
        LOG_WARN_ONCE(r->sync_topic,
                      "%s: the marker did not come back: cannot check the items "
                      "this screen holds until the next connection",
                      r->sync_topic);
        return;
    }
    if (!can_probe(r)) {
        LOG_WARN_ONCE(r->sync_topic,
                      "the broker sent %zu retained items but not the end of the set: it dropped "
                      "messages (raise max_queued_messages: docs/fleet.md, \"At scale\") or "
                      "refuses %s; items retracted meanwhile may stay on this screen",
                      kb_mqtt_sync_seen(r->sync), r->sync_topic);
        return;
    }
    LOG_WARN_ONCE(
        r->sync_topic,
        "the broker sent %zu retained items but not the end of the set: it dropped "
        "messages (raise max_queued_messages: docs/fleet.md, \"At scale\") or refuses "
        "%s; checking the items this screen holds and fetching those the publishers' index "
        "names, in batches of %d",
        kb_mqtt_sync_seen(r->sync), r->sync_topic, KB_MQTT_PROBE_BATCH);
    next_batch(r, now);
}

const char *kb_mqtt_round_state(const struct kb_mqtt_round *r)
{
    switch (kb_mqtt_sync_state(r->sync)) {
    case KB_MQTT_SYNC_COMPLETE:
        return "complete";
    case KB_MQTT_SYNC_INCOMPLETE:
        return "incomplete";
    case KB_MQTT_SYNC_FETCHED:
        return "fetched";
    default:
        return "pending";
    }
}
