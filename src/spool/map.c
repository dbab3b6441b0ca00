#include "spool/map.h"

#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

uint64_t kb_map_hash(const char *key)
{
    /* FNV-1a, then a final mix so that similar ids ("item-0001", "item-0002")
     * spread over the low bits the index is taken from. */
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

void kb_map_init(struct kb_map *map)
{
    map->slots = NULL;
    map->cap = 0;
    map->count = 0;
}

void kb_map_release(struct kb_map *map)
{
    free(map->slots);
    kb_map_init(map);
}

static size_t find(const struct kb_map *map, const char *key, uint64_t h)
{
    size_t mask = map->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const struct kb_map_slot *s = &map->slots[i];
        if (s->key == NULL || (s->hash == h && strcmp(s->key, key) == 0))
            return i;
    }
}

static void grow(struct kb_map *map)
{
    struct kb_map_slot *old = map->slots;
    size_t old_cap = map->cap;
    map->cap = old_cap ? old_cap * 2 : 16;
    map->slots = kb_xcalloc(map->cap, sizeof(*map->slots));
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].key != NULL)
            map->slots[find(map, old[i].key, old[i].hash)] = old[i];
    }
    free(old);
}

void *kb_map_get(const struct kb_map *map, const char *key)
{
    if (map->count == 0)
        return NULL;
    const struct kb_map_slot *s = &map->slots[find(map, key, kb_map_hash(key))];
    return s->key != NULL ? s->value : NULL;
}

void *kb_map_put(struct kb_map *map, const char *key, void *value)
{
    /* Load factor at most 3/4 keeps linear probes short. */
    if ((map->count + 1) * 4 > map->cap * 3)
        grow(map);
    uint64_t h = kb_map_hash(key);
    struct kb_map_slot *s = &map->slots[find(map, key, h)];
    void *prev = NULL;
    if (s->key != NULL)
        prev = s->value;
    else
        map->count++;
    s->key = key;
    s->value = value;
    s->hash = h;
    return prev;
}

void *kb_map_del(struct kb_map *map, const char *key)
{
    if (map->count == 0)
        return NULL;
    size_t mask = map->cap - 1;
    size_t i = find(map, key, kb_map_hash(key));
    if (map->slots[i].key == NULL)
        return NULL;
    void *value = map->slots[i].value;
    map->count--;
    /* Backward-shift deletion: move later members of the probe run into the
     * hole so lookups never need tombstones. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; map->slots[j].key != NULL; j = (j + 1) & mask) {
        size_t home = map->slots[j].hash & mask;
        /* j may move to hole if its home is not in the cyclic range (hole, j]. */
        bool in_range = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!in_range) {
            map->slots[hole] = map->slots[j];
            hole = j;
        }
    }
    map->slots[hole].key = NULL;
    map->slots[hole].value = NULL;
    return value;
}

bool kb_map_next(const struct kb_map *map, size_t *pos, const char **key, void **value)
{
    for (; *pos < map->cap; (*pos)++) {
        const struct kb_map_slot *s = &map->slots[*pos];
        if (s->key != NULL) {
            (*pos)++;
            if (key != NULL)
                *key = s->key;
            if (value != NULL)
                *value = s->value;
            return true;
        }
    }
    return false;
}
