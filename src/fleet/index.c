#include "fleet/index.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/xmalloc.h"
#include "fleet/conn.h"

unsigned kb_mqtt_index_shard(const char *id)
{
    /* FNV-1a, 32 bits: the newsroom's page computes the same in a few
     * lines of JavaScript. */
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)id; *p != '\0'; p++) {
        h ^= *p;
        h *= 16777619u;
    }
    return h % KB_MQTT_INDEX_SHARDS;
}

char *kb_mqtt_index_topic(const char *group, unsigned shard)
{
    return kb_xasprintf("kabar/%s/index/%02x", group, shard % KB_MQTT_INDEX_SHARDS);
}

char *kb_mqtt_index_filter(const char *items_filter)
{
    static const char tail[] = "/items/+";
    size_t n = strlen(items_filter), t = sizeof(tail) - 1;
    if (strncmp(items_filter, "kabar/", 6) != 0 || n <= 6 + t ||
        strcmp(items_filter + n - t, tail) != 0)
        return NULL;
    char *group = kb_xstrndup(items_filter + 6, n - 6 - t);
    char *filter = kb_mqtt_name_valid(group) ? kb_xasprintf("kabar/%s/index/+", group) : NULL;
    free(group);
    return filter;
}

static json_t *items_of(json_t *root)
{
    json_t *items = json_object_get(root, "items");
    if (!json_is_integer(json_object_get(root, "kabar_index")) || !json_is_object(items))
        return NULL;
    return items;
}

bool kb_mqtt_index_parse(const void *payload, size_t len, int64_t now,
                         void (*fn)(void *ctx, const char *id), void *ctx)
{
    json_t *root = json_loadb(payload, len, 0, NULL);
    json_t *items = items_of(root);
    if (items == NULL) {
        json_decref(root);
        return false;
    }
    const char *id;
    json_t *exp;
    json_object_foreach(items, id, exp)
    {
        json_int_t e = json_integer_value(exp);
        if (kb_mqtt_name_valid(id) && (e <= 0 || e > now))
            fn(ctx, id);
    }
    json_decref(root);
    return true;
}

char *kb_mqtt_index_update(const void *old, size_t len, const char *id, int64_t expires, bool add,
                           int64_t now, uint32_t *expiry_s)
{
    json_t *root = old != NULL && len > 0 ? json_loadb(old, len, 0, NULL) : NULL;
    json_t *items = items_of(root);
    json_t *fresh = json_object();
    const char *key;
    json_t *exp;
    /* What a shard that is not an index held is lost: the publisher
     * writes a proper one. */
    json_object_foreach(items, key, exp)
    {
        json_int_t e = json_integer_value(exp);
        if (kb_mqtt_name_valid(key) && strcmp(key, id) != 0 && (e <= 0 || e > now))
            json_object_set_new(fresh, key, json_integer(e > 0 ? e : 0));
    }
    json_decref(root);
    if (add)
        json_object_set_new(fresh, id, json_integer(expires > 0 ? expires : 0));
    int64_t last = 0;
    bool forever = false;
    json_object_foreach(fresh, key, exp)
    {
        json_int_t e = json_integer_value(exp);
        forever |= e <= 0;
        if (e > last)
            last = e;
    }
    *expiry_s = 0;
    if (json_object_size(fresh) == 0) {
        json_decref(fresh);
        return kb_xstrdup("");
    }
    if (!forever) {
        int64_t left = last - now;
        *expiry_s = left < 1 ? 1 : left > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)left;
    }
    json_t *out = json_pack("{s:i,s:o}", "kabar_index", 1, "items", fresh);
    char *text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(out);
    char *copy = kb_xstrdup(text);
    free(text);
    return copy;
}
