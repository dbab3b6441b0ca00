#include "fleet/sync.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_MODULE "mqtt"
#include "core/limits.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "fleet/conn.h"
#include "fleet/index.h"
#include "spool/map.h"

/* A dot name: the spool never reads it, and `kabar mqtt` leaves the
 * spool's other dot files alone. */
#define LEDGER_DIR ".kabar-mqtt"

/* What makes a file the one the bridge wrote. */
struct sig {
    uintmax_t dev, ino;
    intmax_t size, mtime_s;
    long mtime_ns;
};

struct entry {
    char *id;
    struct sig sig;
    bool seen; /* sent in the current round */
};

struct kb_mqtt_sync {
    char *spool;
    char *ledger;      /* spool/.kabar-mqtt/<client id> */
    int log_fd;        /* the ledger, open for appending; -1 if it cannot be */
    size_t log_lines;  /* lines appended since it was last rewritten */
    struct kb_map map; /* id -> struct entry */
    enum kb_mqtt_sync_state state;
    size_t seen;
    bool after_retained; /* a retained message came in this round */
    double last_activity;
    unsigned long long round;
    char marker[64];
    /* The publishers' index (fleet/index.h), as the broker sent it in
     * this round: shard topic -> struct shard. */
    struct kb_map index;
    /* Ids sent in this round that the spool does not hold (rejected). */
    struct kb_map other;
    /* Checking the ledger items an incomplete round was not sent, and
     * fetching the indexed items it was not sent. */
    bool probing;
    bool probe_failed;
    char **candidates;
    size_t ncandidates, next_candidate, batch_start;
};

struct shard {
    char *topic;
    char **ids;
    size_t n, cap;
};

/* After this long without a message, a round whose index names items it
 * was not sent is taken as incomplete: the broker dropped them. */
#define INDEX_QUIET_S 3.0

static bool sig_of(const char *path, struct sig *sig)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    *sig = (struct sig){(uintmax_t)st.st_dev, (uintmax_t)st.st_ino, (intmax_t)st.st_size,
                        (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
    return true;
}

static bool sig_equal(const struct sig *a, const struct sig *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime_s == b->mtime_s &&
           a->mtime_ns == b->mtime_ns;
}

static char *item_path(const struct kb_mqtt_sync *s, const char *id)
{
    return kb_xasprintf("%s/%s.json", s->spool, id);
}

/* The ledger is one file, a line per change ("+ ID DEV INO SIZE MTIME" or
 * "- ID"), appended to: one write per message, no file made per item. It
 * is rewritten whole (temp file and rename) when it is read and after each
 * complete round, so it stays the size of what the bridge holds. A torn
 * last line does not parse and is skipped: an item the ledger cannot vouch
 * for is left alone. */
static void ledger_append(struct kb_mqtt_sync *s, const char *line)
{
    if (s->log_fd < 0)
        return;
    size_t len = strlen(line);
    if (write(s->log_fd, line, len) != (ssize_t)len)
        LOG_WARN_ONCE(s->ledger, "%s: cannot record what the bridge wrote: %s", s->ledger,
                      strerror(errno));
    s->log_lines++;
}

static void ledger_write(struct kb_mqtt_sync *s, const struct entry *e)
{
    char line[KB_ID_MAX + 160];
    snprintf(line, sizeof(line), "+ %s %ju %ju %jd %jd.%09ld\n", e->id, e->sig.dev, e->sig.ino,
             e->sig.size, e->sig.mtime_s, e->sig.mtime_ns);
    ledger_append(s, line);
}

static void ledger_remove(struct kb_mqtt_sync *s, const char *id)
{
    char line[KB_ID_MAX + 8];
    snprintf(line, sizeof(line), "- %s\n", id);
    ledger_append(s, line);
}

/* Rewrites the ledger from the map and reopens it for appending. */
static void ledger_compact(struct kb_mqtt_sync *s)
{
    if (s->log_fd >= 0)
        close(s->log_fd);
    s->log_fd = -1;
    char *tmp = kb_xasprintf("%s.tmp", s->ledger);
    FILE *f = fopen(tmp, "we");
    bool ok = f != NULL;
    const char *key;
    void *value;
    for (size_t i = 0; ok && kb_map_next(&s->map, &i, &key, &value);) {
        const struct entry *e = value;
        ok = fprintf(f, "+ %s %ju %ju %jd %jd.%09ld\n", e->id, e->sig.dev, e->sig.ino, e->sig.size,
                     e->sig.mtime_s, e->sig.mtime_ns) > 0;
    }
    if (f != NULL && fclose(f) != 0)
        ok = false;
    if (ok && rename(tmp, s->ledger) != 0)
        ok = false;
    if (!ok) {
        LOG_WARN_ONCE(s->ledger, "%s: cannot record what the bridge wrote: %s", s->ledger,
                      strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    s->log_lines = 0;
    s->log_fd = open(s->ledger, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
}

static void drop_entry(struct kb_mqtt_sync *s, const char *id)
{
    struct entry *e = kb_map_del(&s->map, id);
    if (e == NULL)
        return;
    if (e->seen)
        s->seen--;
    ledger_remove(s, e->id);
    free(e->id);
    free(e);
}

static void load(struct kb_mqtt_sync *s)
{
    FILE *f = fopen(s->ledger, "re");
    if (f == NULL)
        return;
    char line[KB_ID_MAX + 160], id[KB_ID_MAX + 2];
    while (fgets(line, sizeof(line), f) != NULL) {
        struct sig sig;
        struct entry *old;
        if (sscanf(line, "- %129s", id) == 1 && kb_mqtt_name_valid(id)) {
            if ((old = kb_map_del(&s->map, id)) != NULL) {
                free(old->id);
                free(old);
            }
            continue;
        }
        if (sscanf(line, "+ %129s %ju %ju %jd %jd.%ld", id, &sig.dev, &sig.ino, &sig.size,
                   &sig.mtime_s, &sig.mtime_ns) != 6 ||
            !kb_mqtt_name_valid(id) || strchr(line, '\n') == NULL)
            continue;
        struct entry *e = kb_map_get(&s->map, id);
        if (e == NULL) {
            e = kb_xcalloc(1, sizeof(*e));
            e->id = kb_xstrdup(id);
            kb_map_put(&s->map, e->id, e);
        }
        e->sig = sig;
    }
    fclose(f);
}

struct kb_mqtt_sync *kb_mqtt_sync_new(const char *spool, const char *client_id)
{
    struct kb_mqtt_sync *s = kb_xcalloc(1, sizeof(*s));
    s->spool = kb_xstrdup(spool);
    char *top = kb_xasprintf("%s/" LEDGER_DIR, spool);
    s->ledger = kb_xasprintf("%s/%s", top, client_id);
    s->log_fd = -1;
    if (mkdir(top, 0755) != 0 && errno != EEXIST)
        LOG_WARN("%s: cannot keep the list of the items this bridge wrote (%s): items retracted "
                 "while the screen was away may stay",
                 s->ledger, strerror(errno));
    free(top);
    kb_map_init(&s->map);
    kb_map_init(&s->index);
    kb_map_init(&s->other);
    load(s);
    ledger_compact(s);
    s->state = KB_MQTT_SYNC_PENDING;
    return s;
}

static void free_shard(struct shard *sh)
{
    for (size_t i = 0; i < sh->n; i++)
        free(sh->ids[i]);
    free(sh->ids);
    free(sh->topic);
    free(sh);
}

/* Forgets the round's index and its other ids. */
static void forget_round(struct kb_mqtt_sync *s)
{
    const char *key;
    void *value;
    for (size_t i = 0; kb_map_next(&s->index, &i, &key, &value);)
        free_shard(value);
    kb_map_release(&s->index);
    kb_map_init(&s->index);
    for (size_t i = 0; kb_map_next(&s->other, &i, &key, &value);)
        free(value);
    kb_map_release(&s->other);
    kb_map_init(&s->other);
}

static void free_candidates(struct kb_mqtt_sync *s)
{
    for (size_t i = 0; i < s->ncandidates; i++)
        free(s->candidates[i]);
    free(s->candidates);
    s->candidates = NULL;
    s->ncandidates = s->next_candidate = s->batch_start = 0;
    s->probing = s->probe_failed = false;
}

void kb_mqtt_sync_free(struct kb_mqtt_sync *s)
{
    if (s == NULL)
        return;
    const char *key;
    void *value;
    for (size_t i = 0; kb_map_next(&s->map, &i, &key, &value);) {
        struct entry *e = value;
        free(e->id);
        free(e);
    }
    kb_map_release(&s->map);
    forget_round(s);
    kb_map_release(&s->index);
    kb_map_release(&s->other);
    if (s->log_fd >= 0)
        close(s->log_fd);
    free_candidates(s);
    free(s->spool);
    free(s->ledger);
    free(s);
}

static const char *new_marker(struct kb_mqtt_sync *s, double now)
{
    s->round++;
    snprintf(s->marker, sizeof(s->marker), "sync %ld %llu %.6f", (long)getpid(), s->round, now);
    s->last_activity = now;
    return s->marker;
}

const char *kb_mqtt_sync_begin(struct kb_mqtt_sync *s, double now)
{
    const char *key;
    void *value;
    for (size_t i = 0; kb_map_next(&s->map, &i, &key, &value);)
        ((struct entry *)value)->seen = false;
    s->seen = 0;
    s->after_retained = false;
    s->state = KB_MQTT_SYNC_PENDING;
    free_candidates(s);
    forget_round(s);
    return new_marker(s, now);
}

void kb_mqtt_sync_applied(struct kb_mqtt_sync *s, const char *id, bool kept, bool retained,
                          double now)
{
    s->last_activity = now;
    if (!kept) {
        drop_entry(s, id);
        /* Sent, and refused: not missing from the round. */
        if (retained && kb_map_get(&s->other, id) == NULL) {
            char *copy = kb_xstrdup(id);
            kb_map_put(&s->other, copy, copy);
        }
        return;
    }
    struct sig sig;
    char *path = item_path(s, id);
    bool have = sig_of(path, &sig);
    free(path);
    if (!have) {
        drop_entry(s, id);
        return;
    }
    struct entry *e = kb_map_get(&s->map, id);
    if (e == NULL) {
        e = kb_xcalloc(1, sizeof(*e));
        e->id = kb_xstrdup(id);
        kb_map_put(&s->map, e->id, e);
        e->sig = sig;
        ledger_write(s, e);
    } else if (!sig_equal(&e->sig, &sig)) {
        e->sig = sig;
        ledger_write(s, e);
    }
    if (retained)
        s->after_retained = true;
    if ((retained || s->after_retained || s->probing) && !e->seen) {
        e->seen = true;
        s->seen++;
    }
}

/* Removes id's file if it is still the one the bridge wrote, and forgets
 * id. True if a file was removed. */
static bool remove_if_ours(struct kb_mqtt_sync *s, const char *id)
{
    struct entry *e = kb_map_get(&s->map, id);
    if (e == NULL)
        return false;
    char *path = item_path(s, id);
    struct sig now;
    bool removed = false;
    if (sig_of(path, &now) && sig_equal(&now, &e->sig)) {
        removed = unlink(path) == 0;
        if (!removed && errno != ENOENT)
            LOG_WARN("%s: cannot remove: %s", path, strerror(errno));
    } else {
        LOG_DBG("%s: no longer retained, but another producer rewrote it: left alone", path);
    }
    if (removed)
        LOG_INFO("%s: no longer retained on the broker; removed", path);
    free(path);
    drop_entry(s, id);
    return removed;
}

bool kb_mqtt_sync_marker(struct kb_mqtt_sync *s, const void *payload, size_t len, size_t *removed)
{
    *removed = 0;
    if (s->marker[0] == '\0' || len != strlen(s->marker) || memcmp(payload, s->marker, len) != 0)
        return false;
    s->marker[0] = '\0'; /* once */
    if (s->probing) {
        for (size_t i = s->batch_start; i < s->next_candidate; i++) {
            struct entry *e = kb_map_get(&s->map, s->candidates[i]);
            if (e != NULL && !e->seen && remove_if_ours(s, s->candidates[i]))
                (*removed)++;
        }
        return true;
    }
    /* Collect first: removing while iterating would reorder the map. */
    size_t n = 0, cap = 0;
    char **gone = NULL;
    const char *key;
    void *value;
    for (size_t i = 0; kb_map_next(&s->map, &i, &key, &value);) {
        struct entry *e = value;
        if (e->seen)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            gone = kb_xrealloc(gone, cap * sizeof(*gone));
        }
        gone[n++] = kb_xstrdup(e->id);
    }
    for (size_t i = 0; i < n; i++) {
        if (remove_if_ours(s, gone[i]))
            (*removed)++;
        free(gone[i]);
    }
    free(gone);
    s->state = KB_MQTT_SYNC_COMPLETE;
    if (s->log_lines > s->map.count + 64)
        ledger_compact(s);
    return true;
}

/* An id the round has not been sent: neither a ledger item seen in it
 * nor one it refused. */
static bool missing(const struct kb_mqtt_sync *s, const char *id)
{
    const struct entry *e = kb_map_get(&s->map, id);
    return (e == NULL || !e->seen) && kb_map_get(&s->other, id) == NULL;
}

static bool index_names_missing(const struct kb_mqtt_sync *s)
{
    const char *key;
    void *value;
    for (size_t i = 0; kb_map_next(&s->index, &i, &key, &value);) {
        const struct shard *sh = value;
        for (size_t k = 0; k < sh->n; k++) {
            if (missing(s, sh->ids[k]))
                return true;
        }
    }
    return false;
}

static void add_id(void *ctx, const char *id)
{
    struct shard *sh = ctx;
    if (sh->n == sh->cap) {
        sh->cap = sh->cap ? sh->cap * 2 : 16;
        sh->ids = kb_xreallocarray(sh->ids, sh->cap, sizeof(*sh->ids));
    }
    sh->ids[sh->n++] = kb_xstrdup(id);
}

void kb_mqtt_sync_index(struct kb_mqtt_sync *s, const char *topic, const void *payload, size_t len,
                        int64_t wall_now, double now)
{
    s->last_activity = now;
    struct shard *old = kb_map_del(&s->index, topic);
    if (old != NULL)
        free_shard(old);
    struct shard *sh = kb_xcalloc(1, sizeof(*sh));
    sh->topic = kb_xstrdup(topic);
    if (len == 0 || !kb_mqtt_index_parse(payload, len, wall_now, add_id, sh)) {
        if (len > 0)
            LOG_WARN_ONCE(
                topic, "%s: not an index of items (docs/fleet.md, \"The index\"); ignored", topic);
        free_shard(sh);
        return;
    }
    kb_map_put(&s->index, sh->topic, sh);
}

bool kb_mqtt_sync_timed_out(struct kb_mqtt_sync *s, double now, double timeout_s)
{
    if (s->marker[0] == '\0')
        return false;
    double quiet = now - s->last_activity;
    /* The index names items this round was not sent and nothing has come
     * for a while: the broker dropped them, and the marker with them. */
    bool dropped =
        !s->probing && quiet >= INDEX_QUIET_S && quiet < timeout_s && index_names_missing(s);
    if (quiet < timeout_s && !dropped)
        return false;
    s->marker[0] = '\0';
    if (s->probing) {
        /* Even a small batch overflowed, or the marker topic is refused:
         * stop checking until the next connection. */
        s->next_candidate = s->ncandidates;
        s->probe_failed = true;
        return true;
    }
    s->state = KB_MQTT_SYNC_INCOMPLETE;
    return true;
}

static void add_candidate(struct kb_mqtt_sync *s, struct kb_map *taken, size_t *cap, const char *id)
{
    if (kb_map_get(taken, id) != NULL)
        return;
    if (s->ncandidates == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        s->candidates = kb_xreallocarray(s->candidates, *cap, sizeof(*s->candidates));
    }
    char *copy = kb_xstrdup(id);
    s->candidates[s->ncandidates++] = copy;
    kb_map_put(taken, copy, copy);
}

/* What an incomplete round checks and fetches: the ledger items it was not
 * sent (retracted meanwhile, or dropped by the broker), then the indexed
 * items it was not sent. */
static void gather_candidates(struct kb_mqtt_sync *s)
{
    struct kb_map taken;
    kb_map_init(&taken);
    size_t cap = 0;
    const char *key;
    void *value;
    for (size_t i = 0; kb_map_next(&s->map, &i, &key, &value);) {
        struct entry *e = value;
        if (!e->seen)
            add_candidate(s, &taken, &cap, e->id);
    }
    for (size_t i = 0; kb_map_next(&s->index, &i, &key, &value);) {
        const struct shard *sh = value;
        for (size_t k = 0; k < sh->n; k++) {
            if (missing(s, sh->ids[k]))
                add_candidate(s, &taken, &cap, sh->ids[k]);
        }
    }
    kb_map_release(&taken);
}

size_t kb_mqtt_sync_probe(struct kb_mqtt_sync *s, size_t max, const char **ids, const char **marker,
                          double now)
{
    if (s->state != KB_MQTT_SYNC_INCOMPLETE)
        return 0;
    if (!s->probing) {
        s->probing = true;
        gather_candidates(s);
    }
    size_t n = 0;
    s->batch_start = s->next_candidate;
    while (n < max && s->next_candidate < s->ncandidates)
        ids[n++] = s->candidates[s->next_candidate++];
    if (n == 0) {
        /* Every batch came back: what the index and the ledger name is
         * here, what the broker no longer has is gone. */
        if (!s->probe_failed && s->index.count > 0)
            s->state = KB_MQTT_SYNC_FETCHED;
        return 0;
    }
    *marker = new_marker(s, now);
    return n;
}

enum kb_mqtt_sync_state kb_mqtt_sync_state(const struct kb_mqtt_sync *s)
{
    return s->state;
}

size_t kb_mqtt_sync_seen(const struct kb_mqtt_sync *s)
{
    return s->seen;
}

size_t kb_mqtt_sync_owned(const struct kb_mqtt_sync *s)
{
    return s->map.count;
}
