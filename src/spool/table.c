#define LOG_MODULE "spool"

#include "spool/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/xmalloc.h"

struct kb_table_entry {
    char id[KB_ID_MAX + 1];  /* the map key */
    struct kb_item **claims; /* one per file that holds this id; usually one */
    size_t nclaims, cap;
    struct kb_item *live;         /* what the screen has; NULL if none */
    const struct kb_item *before; /* live at the start of this update (while touched) */
    bool touched;
};

struct kb_table_story {
    char *name; /* the map key */
    const struct kb_item **items;
    size_t n, cap;
};

void kb_table_init(struct kb_table *t, const char *dir)
{
    memset(t, 0, sizeof(*t));
    kb_map_init(&t->entries);
    kb_map_init(&t->stories);
    t->next_expiry_ms = INT64_MAX;
    t->dir = dir;
    snprintf(t->limit_key, sizeof(t->limit_key), "spool-limit:%s", dir);
}

void kb_table_release(struct kb_table *t)
{
    const char *key;
    void *value;
    for (size_t i = 0; kb_map_next(&t->entries, &i, &key, &value);) {
        struct kb_table_entry *e = value;
        for (size_t k = 0; k < e->nclaims; k++)
            kb_item_free(e->claims[k]);
        free(e->claims);
        free(e);
    }
    for (size_t i = 0; kb_map_next(&t->stories, &i, &key, &value);) {
        struct kb_table_story *s = value;
        free(s->name);
        free(s->items);
        free(s);
    }
    for (size_t i = 0; i < t->ngrave; i++)
        kb_item_free(t->graveyard[i]);
    free(t->graveyard);
    free(t->touched);
    free(t->sorted);
    kb_map_release(&t->entries);
    kb_map_release(&t->stories);
}

static void touch(struct kb_table *t, struct kb_table_entry *e)
{
    if (e->touched)
        return;
    e->touched = true;
    e->before = e->live;
    if (t->ntouched == t->touched_cap) {
        t->touched_cap = t->touched_cap ? t->touched_cap * 2 : 64;
        t->touched = kb_xreallocarray(t->touched, t->touched_cap, sizeof(*t->touched));
    }
    t->touched[t->ntouched++] = e;
}

/* Unclaimed items may still be the `before` of a REMOVED or EDITED report,
 * so they live until the end of the update. */
static void bury(struct kb_table *t, struct kb_item *item)
{
    if (t->ngrave == t->grave_cap) {
        t->grave_cap = t->grave_cap ? t->grave_cap * 2 : 64;
        t->graveyard = kb_xreallocarray(t->graveyard, t->grave_cap, sizeof(*t->graveyard));
    }
    t->graveyard[t->ngrave++] = item;
}

void kb_table_claim(struct kb_table *t, struct kb_item *item)
{
    struct kb_table_entry *e = kb_map_get(&t->entries, item->id);
    if (e == NULL) {
        e = kb_xcalloc(1, sizeof(*e));
        memcpy(e->id, item->id, sizeof(e->id));
        kb_map_put(&t->entries, e->id, e);
    }
    if (e->nclaims == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 1;
        e->claims = kb_xreallocarray(e->claims, e->cap, sizeof(*e->claims));
    }
    e->claims[e->nclaims++] = item;
    if (item->expires != 0 && item->expires * 1000 < t->next_expiry_ms)
        t->next_expiry_ms = item->expires * 1000;
    touch(t, e);
}

static void drop_claim(struct kb_table *t, struct kb_table_entry *e, size_t k)
{
    bury(t, e->claims[k]);
    e->claims[k] = e->claims[--e->nclaims];
    touch(t, e);
}

void kb_table_unclaim(struct kb_table *t, const char *id, const char *file)
{
    struct kb_table_entry *e = kb_map_get(&t->entries, id);
    if (e == NULL)
        return;
    for (size_t k = 0; k < e->nclaims; k++) {
        if (strcmp(e->claims[k]->file, file) == 0) {
            drop_claim(t, e, k);
            return;
        }
    }
}

const struct kb_item *kb_table_claim_of(const struct kb_table *t, const char *id, const char *file)
{
    struct kb_table_entry *e = kb_map_get(&t->entries, id);
    if (e == NULL)
        return NULL;
    for (size_t k = 0; k < e->nclaims; k++) {
        if (strcmp(e->claims[k]->file, file) == 0)
            return e->claims[k];
    }
    return NULL;
}

const struct kb_item *kb_table_find(const struct kb_table *t, const char *id)
{
    struct kb_table_entry *e = kb_map_get(&t->entries, id);
    return e != NULL ? e->live : NULL;
}

const struct kb_item *const *kb_table_story(const struct kb_table *t, const char *story, size_t *n)
{
    struct kb_table_story *s = kb_map_get(&t->stories, story);
    *n = s != NULL ? s->n : 0;
    return s != NULL ? s->items : NULL;
}

/* ---- expiry ---- */

static bool expired(const struct kb_item *item, int64_t now_ms)
{
    return item->expires != 0 && item->expires * 1000 <= now_ms;
}

/* Drops every expired claim (a loser claim too, so it cannot come back
 * when the winner goes) and finds the next expiry. O(items), and only run
 * when an expiry is due: expiries are rare next to scans. */
static void expire(struct kb_table *t, int64_t now_ms)
{
    int64_t next = INT64_MAX;
    void *value;
    for (size_t i = 0; kb_map_next(&t->entries, &i, NULL, &value);) {
        struct kb_table_entry *e = value;
        for (size_t k = 0; k < e->nclaims;) {
            struct kb_item *c = e->claims[k];
            if (expired(c, now_ms)) {
                drop_claim(t, e, k);
                continue;
            }
            if (c->expires != 0 && c->expires * 1000 < next)
                next = c->expires * 1000;
            k++;
        }
    }
    t->next_expiry_ms = next;
}

/* ---- winners ---- */

static bool beats(const struct kb_item *a, const struct kb_item *b)
{
    if (a->published != b->published)
        return a->published > b->published;
    return strcmp(a->file, b->file) > 0;
}

static void pick_live(struct kb_table *t, struct kb_table_entry *e)
{
    struct kb_item *best = NULL;
    for (size_t k = 0; k < e->nclaims; k++) {
        if (best == NULL || beats(e->claims[k], best))
            best = e->claims[k];
    }
    if (e->nclaims > 1) {
        const struct kb_item *other = e->claims[0] == best ? e->claims[1] : e->claims[0];
        char key[600];
        snprintf(key, sizeof(key), "%s/%s", t->dir, other->file);
        LOG_WARN_ONCE(key, "%s: id \"%s\" is also in %s; %s wins (%s)", other->file, e->id,
                      best->file, best->file,
                      best->published != other->published ? "later published"
                                                          : "same published, later file name");
    }
    if ((best != NULL) != (e->live != NULL))
        t->nlive += best != NULL ? 1 : (size_t)-1;
    if (best != e->live)
        t->sorted_dirty = true;
    e->live = best;
}

/* ---- published order ---- */

static int by_published(const void *pa, const void *pb)
{
    const struct kb_item *a = *(const struct kb_item *const *)pa;
    const struct kb_item *b = *(const struct kb_item *const *)pb;
    if (a->published != b->published)
        return a->published < b->published ? -1 : 1;
    return strcmp(a->id, b->id);
}

static void sort_live(struct kb_table *t)
{
    if (!t->sorted_dirty)
        return;
    if (t->nlive > t->sorted_cap) {
        t->sorted_cap = t->nlive + t->nlive / 2;
        t->sorted = kb_xreallocarray(t->sorted, t->sorted_cap, sizeof(*t->sorted));
    }
    size_t n = 0;
    void *value;
    for (size_t i = 0; kb_map_next(&t->entries, &i, NULL, &value);) {
        struct kb_table_entry *e = value;
        if (e->live != NULL)
            t->sorted[n++] = e->live;
    }
    qsort(t->sorted, n, sizeof(*t->sorted), by_published);
    t->nsorted = n;
    t->sorted_dirty = false;
}

/* ---- the item limit ---- */

static void evict(struct kb_table *t, struct kb_table_entry *e)
{
    while (e->nclaims > 0)
        drop_claim(t, e, e->nclaims - 1);
    pick_live(t, e);
}

static void enforce_limit(struct kb_table *t, size_t max_items)
{
    if (t->nlive <= max_items) {
        if (t->nlive < max_items)
            kb_log_forget(t->limit_key);
        return;
    }
    LOG_WARN_ONCE(t->limit_key,
                  "%s: more than %zu items: dropping the oldest-published normal items first",
                  t->dir, max_items);
    size_t dropped = 0;
    /* Normal items go first, then high, and breaking ones only if the spool
     * holds nothing else. */
    for (int prio = KB_PRIORITY_NORMAL; prio <= KB_PRIORITY_BREAKING && t->nlive > max_items;
         prio++) {
        sort_live(t);
        size_t n = t->nsorted;
        const struct kb_item **victims = kb_xcalloc(n ? n : 1, sizeof(*victims));
        size_t nv = 0, excess = t->nlive - max_items;
        for (size_t i = 0; i < n && nv < excess; i++) {
            if ((int)t->sorted[i]->priority == prio)
                victims[nv++] = t->sorted[i];
        }
        for (size_t i = 0; i < nv; i++)
            evict(t, kb_map_get(&t->entries, victims[i]->id));
        dropped += nv;
        free(victims);
    }
    LOG_DBG("%s: dropped %zu items over the limit of %zu", t->dir, dropped, max_items);
}

/* ---- stories ---- */

static void story_add(struct kb_table *t, const struct kb_item *item)
{
    struct kb_table_story *s = kb_map_get(&t->stories, item->story);
    if (s == NULL) {
        s = kb_xcalloc(1, sizeof(*s));
        s->name = kb_xstrdup(item->story);
        kb_map_put(&t->stories, s->name, s);
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 2;
        s->items = kb_xreallocarray(s->items, s->cap, sizeof(*s->items));
    }
    s->items[s->n++] = item;
}

static void story_remove(struct kb_table *t, const struct kb_item *item)
{
    struct kb_table_story *s = kb_map_get(&t->stories, item->story);
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++) {
        if (s->items[i] == item) {
            /* Keep the order stable: callers see a story's items as they came. */
            memmove(s->items + i, s->items + i + 1, (s->n - i - 1) * sizeof(*s->items));
            s->n--;
            break;
        }
    }
    if (s->n == 0) {
        kb_map_del(&t->stories, s->name);
        free(s->name);
        free(s->items);
        free(s);
    }
}

/* ---- finishing an update ---- */

size_t kb_table_finish(struct kb_table *t, int64_t now_ms, size_t max_items, kb_spool_change_fn fn,
                       void *user)
{
    if (now_ms >= t->next_expiry_ms)
        expire(t, now_ms);
    for (size_t i = 0; i < t->ntouched; i++)
        pick_live(t, t->touched[i]);
    enforce_limit(t, max_items);
    sort_live(t);

    /* The index of stories follows the live items before anyone is told. */
    for (size_t i = 0; i < t->ntouched; i++) {
        struct kb_table_entry *e = t->touched[i];
        if (e->before == e->live)
            continue;
        if (e->before != NULL && e->before->story[0] != '\0')
            story_remove(t, e->before);
        if (e->live != NULL && e->live->story[0] != '\0')
            story_add(t, e->live);
        if (e->before != NULL && e->live != NULL)
            e->live->version = e->before->version + 1;
    }

    /* Retractions first: a screen drops what must go before it adds. */
    size_t changes = 0;
    for (size_t i = 0; i < t->ntouched; i++) {
        struct kb_table_entry *e = t->touched[i];
        if (e->before != NULL && e->live == NULL) {
            changes++;
            if (fn != NULL)
                fn(user, KB_SPOOL_REMOVED, e->before);
        }
    }
    for (size_t i = 0; i < t->ntouched; i++) {
        struct kb_table_entry *e = t->touched[i];
        if (e->live != NULL && e->before != e->live) {
            changes++;
            if (fn != NULL)
                fn(user, e->before == NULL ? KB_SPOOL_ADDED : KB_SPOOL_EDITED, e->live);
        }
    }

    for (size_t i = 0; i < t->ntouched; i++) {
        struct kb_table_entry *e = t->touched[i];
        e->touched = false;
        e->before = NULL;
        if (e->nclaims == 0) {
            kb_map_del(&t->entries, e->id);
            free(e->claims);
            free(e);
        }
    }
    t->ntouched = 0;
    for (size_t i = 0; i < t->ngrave; i++)
        kb_item_free(t->graveyard[i]);
    t->ngrave = 0;
    if (changes > 0)
        t->generation++;
    return changes;
}
