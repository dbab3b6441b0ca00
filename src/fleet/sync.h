/* Reconciliation (docs/fleet.md, "After every connection: reconciliation"):
 * after each (re)connection the bridge brings its spool to the broker's
 * retained state, whatever the broker queued or dropped meanwhile.
 *
 * - The ledger. Each file the bridge puts in the spool is recorded in
 *   <spool>/.kabar-mqtt/<client id> (one line per change, appended, and
 *   rewritten whole after each complete round) with the file's identity:
 *   device, inode, size, mtime. Only a file that still has that identity
 *   is the bridge's: a file another producer wrote or rewrote is never
 *   removed.
 * - The round. On each connection the bridge subscribes to its item
 *   filters and to its marker topic kabar/<group>/sync/<screen>, then
 *   publishes a fresh marker there. The broker queues every retained item
 *   of the new subscriptions before the marker, so when the marker comes
 *   back the bridge has been sent the whole retained set. Items seen in the
 *   round are kept; every ledger item not seen has been retracted (or
 *   expired, or lost by the broker) and leaves the spool.
 * - A marker that never comes means the broker dropped messages (its
 *   queue limit) or refused the marker topic (ACL): the round is
 *   incomplete and removes nothing. The bridge then checks each ledger item
 *   it was not sent, in small batches (exact topic subscriptions, each
 *   batch closed by its own marker), so retractions still take effect.
 *
 * Not thread-safe: the bridge's one thread owns it. */
#ifndef KB_FLEET_SYNC_H
#define KB_FLEET_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kb_mqtt_sync_state {
    KB_MQTT_SYNC_PENDING,    /* a round is running */
    KB_MQTT_SYNC_COMPLETE,   /* the last round saw the whole retained set */
    KB_MQTT_SYNC_INCOMPLETE, /* its marker never came: nothing was removed by it */
    /* Incomplete, then every item of the publishers' index and of the
     * ledger it was not sent was checked by its own topic and fetched. */
    KB_MQTT_SYNC_FETCHED,
};

struct kb_mqtt_sync;

/* The ledger of the bridge client_id in spool (both copied), read now.
 * Never NULL. */
struct kb_mqtt_sync *kb_mqtt_sync_new(const char *spool, const char *client_id);
void kb_mqtt_sync_free(struct kb_mqtt_sync *s);

/* A new round (a new connection) starts at now (monotonic seconds).
 * Returns the marker payload to publish: owned by s, valid until the next
 * call of kb_mqtt_sync_begin or kb_mqtt_sync_probe. */
const char *kb_mqtt_sync_begin(struct kb_mqtt_sync *s, double now);

/* A message for item id was applied at now. kept: the spool now holds the
 * bridge's file for id (written, or unchanged), which the ledger records;
 * otherwise (retracted, rejected, failed) the ledger forgets id. retained:
 * the broker sent it as a retained message; only those, and messages after
 * the first retained one of the round, count as present (messages the
 * broker had queued for an earlier session come first and may be stale). */
void kb_mqtt_sync_applied(struct kb_mqtt_sync *s, const char *id, bool kept, bool retained,
                          double now);

/* A retained shard of the publishers' index (fleet/index.h) arrived on
 * topic at now (wall_now: Unix seconds, for the entries' expiry); it
 * replaces what that topic said before. An empty payload clears it. */
void kb_mqtt_sync_index(struct kb_mqtt_sync *s, const char *topic, const void *payload, size_t len,
                        int64_t wall_now, double now);

/* A message arrived on the marker topic. True if it closed the current
 * round or probe batch; then *removed is the number of files it removed. */
bool kb_mqtt_sync_marker(struct kb_mqtt_sync *s, const void *payload, size_t len, size_t *removed);

/* The round is incomplete: the marker did not come within timeout_s of
 * the round's last message, or within 3 s of it when the index names items
 * the round was not sent. True once, when it turns so. */
bool kb_mqtt_sync_timed_out(struct kb_mqtt_sync *s, double now, double timeout_s);

/* After an incomplete round: the next batch of at most max ids the round
 * was not sent, from the ledger and then from the index, and its marker payload (owned by s, as
 * above). ids point into s, valid until the next call. Returns the count (0: nothing left to check;
 * the state is then KB_MQTT_SYNC_FETCHED if an index was sent and every batch's marker came back).
 */
size_t kb_mqtt_sync_probe(struct kb_mqtt_sync *s, size_t max, const char **ids, const char **marker,
                          double now);

enum kb_mqtt_sync_state kb_mqtt_sync_state(const struct kb_mqtt_sync *s);
/* Items sent in the current (or last) round. */
size_t kb_mqtt_sync_seen(const struct kb_mqtt_sync *s);
/* Items in the ledger. */
size_t kb_mqtt_sync_owned(const struct kb_mqtt_sync *s);

#endif
