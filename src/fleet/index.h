/* The publishers' index of a group (docs/fleet.md, "The index"): which
 * items the broker retains, so that a screen whose broker dropped part of
 * the retained set (mosquitto's max_queued_messages) can fetch the rest by
 * their exact topics, a batch at a time.
 *
 * The index is 64 retained messages per group, kabar/<group>/index/<shard>
 * (shard: two hex digits, 00 to 3f, from the id's FNV-1a hash), each a JSON
 * object {"kabar_index": 1, "items": {"<id>": <expires, Unix seconds, or
 * 0 for none>, ...}}. Publishers (`kabar post --mqtt`, the newsroom's page)
 * read a shard, change it and publish it again; an item retracted leaves
 * it, an expired one is dropped at the next change. Pure functions: no
 * state, safe from any thread. */
#ifndef KB_FLEET_INDEX_H
#define KB_FLEET_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KB_MQTT_INDEX_SHARDS 64

/* The shard of id, 0 to KB_MQTT_INDEX_SHARDS - 1 (FNV-1a 32 of its bytes). */
unsigned kb_mqtt_index_shard(const char *id);

/* "kabar/<group>/index/<shard>", two lower-case hex digits. Caller frees. */
char *kb_mqtt_index_topic(const char *group, unsigned shard);

/* For an item filter "kabar/<group>/items/+", the index filter
 * "kabar/<group>/index/+" (caller frees); NULL for any other filter. */
char *kb_mqtt_index_filter(const char *items_filter);

/* Calls fn(ctx, id) for each valid id of the shard payload that has not
 * expired at now. False if the payload is not an index shard. */
bool kb_mqtt_index_parse(const void *payload, size_t len, int64_t now,
                         void (*fn)(void *ctx, const char *id), void *ctx);

/* The shard payload old (len bytes; NULL or empty: no shard yet) with id
 * added (expires: Unix seconds, 0 for none) or removed, and every entry
 * expired at now dropped. Returns the new payload (caller frees; "" when
 * the shard is left empty, which clears it on the broker) and in *expiry_s
 * the message expiry interval to publish it with: until its last entry
 * expires, 0 if one never does. */
char *kb_mqtt_index_update(const void *old, size_t len, const char *id, int64_t expires, bool add,
                           int64_t now, uint32_t *expiry_s);

#endif
