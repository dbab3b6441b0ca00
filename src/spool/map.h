/* A small string-keyed hash map (open addressing, linear probing,
 * backward-shift deletion) for the spool's tables: ids, stories, file
 * names, playlist slots. Internal to spool/.
 *
 * The map owns neither keys nor values: each key must stay valid and
 * unchanged while its entry is in the map (callers point it into the value
 * they store). Lookups and inserts are O(1) on average, so the tables never
 * scan all items per change. */
#ifndef KB_SPOOL_MAP_H
#define KB_SPOOL_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kb_map_slot {
    const char *key; /* NULL: empty */
    void *value;
    uint64_t hash;
};

struct kb_map {
    struct kb_map_slot *slots;
    size_t cap; /* a power of two, or 0 before the first insert */
    size_t count;
};

void kb_map_init(struct kb_map *map);
/* Frees the slot array only; values are the caller's. */
void kb_map_release(struct kb_map *map);

void *kb_map_get(const struct kb_map *map, const char *key);
/* Inserts or replaces; returns the previous value for key, or NULL. */
void *kb_map_put(struct kb_map *map, const char *key, void *value);
/* Removes key; returns its value, or NULL if it was not there. */
void *kb_map_del(struct kb_map *map, const char *key);

/* Iteration: for (size_t i = 0; kb_map_next(map, &i, &key, &value);) { ... }
 * Do not insert or delete while iterating. */
bool kb_map_next(const struct kb_map *map, size_t *pos, const char **key, void **value);

uint64_t kb_map_hash(const char *key);

#endif
