#define LOG_MODULE "spool"

#include "spool/playlist.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/limits.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "spool/map.h"

/* The rotation is stride scheduling over "slots": a slot is one item, or in
 * cycle mode one story (all its translations back to back). Each slot has a
 * pass; the next slot is the one with the lowest pass, ties going to the
 * earlier published. A pick adds the slot's stride to its pass: 2 for
 * normal, 1 for high, so high slots come round twice as often. A new slot
 * joins at the lowest pass of the others, so it is shown within the
 * current round without restarting anything.
 *
 * No starvation: in a spool that does not change and has no live breaking
 * item, with N normal and H high slots, every slot is picked at least once
 * in any N + 2H consecutive slot picks (a round: every slot of one parity
 * of pass once, every high slot twice). Each slot that joins delays the
 * others by at most one pick (two if high). While a breaking item is live,
 * breaking items take every pick, by design: they interrupt the crawl until
 * they expire or are removed. */

#define STRIDE_NORMAL 2
#define STRIDE_HIGH 1
/* The pass of a slot made by this rebuild, until it joins. */
#define PASS_NEW UINT64_MAX

struct slot {
    char key[KB_ID_MAX + 3]; /* "i:<id>" or "s:<story>"; the map key */
    uint64_t pass;
    uint64_t stamp; /* the rebuild that last saw it */
    size_t index;   /* into cands, for this stamp */
};

struct cand {
    struct slot *slot;
    const struct kb_item *item; /* the earliest-published item of the slot */
    enum kb_priority priority;  /* the highest of its items */
};

struct kb_playlist {
    char langs[KB_LANGS_MAX][KB_LANG_MAX + 1];
    size_t nlangs;
    enum kb_language_mode mode;

    struct kb_map slots;
    struct cand *cands; /* the rotation, in published order */
    size_t ncands, cands_cap;
    const struct kb_item **breaking; /* in published order */
    size_t nbreaking, breaking_cap;
    const struct kb_spool *spool;
    uint64_t generation;
    bool built;
    uint64_t stamp;
    uint64_t vt; /* the pass of the last pick: where new slots join an empty rotation */

    /* The breaking item shown last, to go round several in turn. */
    bool have_last_breaking;
    int64_t last_breaking_published;
    char last_breaking_id[KB_ID_MAX + 1];

    /* Cycle mode: the rest of the story being shown, by id. */
    char (*pending)[KB_ID_MAX + 1];
    size_t npending, pending_pos, pending_cap;
};

/* ---- languages ---- */

/* How well a `languages` entry matches an item's tag: 3 equal (ignoring
 * case), 2 the entry is a prefix of the tag at a subtag boundary ("zh"
 * takes "zh-Hans" and "zh-Hant", as RFC 4647 basic filtering), 1 the entry
 * is "*" (any language), 0 no match. "zh-Hans" does not take "zh". */
static int match(const char *entry, const char *tag)
{
    if (strcmp(entry, "*") == 0)
        return 1;
    if (strcasecmp(entry, tag) == 0)
        return 3;
    size_t n = strlen(entry);
    if (strncasecmp(entry, tag, n) == 0 && tag[n] == '-')
        return 2;
    return 0;
}

/* The index of the first entry that takes tag (lower is preferred), or -1;
 * *quality is how well it matched. */
static int rank(const struct kb_playlist *pl, const char *tag, int *quality)
{
    for (size_t i = 0; i < pl->nlangs; i++) {
        int q = match(pl->langs[i], tag);
        if (q > 0) {
            if (quality != NULL)
                *quality = q;
            return (int)i;
        }
    }
    return -1;
}

static bool earlier(const struct kb_item *a, const struct kb_item *b)
{
    if (a->published != b->published)
        return a->published < b->published;
    return strcmp(a->id, b->id) < 0;
}

/* a before b in a story's configured order: the earlier `languages` entry,
 * then the closer match, then the earlier published. */
static bool preferred(const struct kb_playlist *pl, const struct kb_item *a,
                      const struct kb_item *b)
{
    int qa = 0, qb = 0;
    int ra = rank(pl, a->lang, &qa), rb = rank(pl, b->lang, &qb);
    if (ra != rb)
        return ra < rb;
    if (qa != qb)
        return qa > qb;
    return earlier(a, b);
}

/* First-language mode: the one item a story shows, or NULL. */
static const struct kb_item *story_choice(const struct kb_playlist *pl,
                                          const struct kb_spool *spool, const char *story)
{
    size_t n = 0;
    const struct kb_item *const *items = kb_spool_story_items(spool, story, &n);
    const struct kb_item *best = NULL;
    for (size_t i = 0; i < n; i++) {
        if (rank(pl, items[i]->lang, NULL) < 0)
            continue;
        if (best == NULL || preferred(pl, items[i], best))
            best = items[i];
    }
    return best;
}

/* The language rule, once: no `languages` list shows everything; else an
 * item's tag must match an entry, and in first-language mode a story shows
 * only its preferred item. memo (may be NULL) keeps each story's choice for
 * one rebuild, so a story of thousands of items does not cost thousands
 * squared. */
static bool wants(const struct kb_playlist *pl, const struct kb_spool *spool,
                  const struct kb_item *item, struct kb_map *memo)
{
    if (pl->nlangs == 0)
        return true;
    if (rank(pl, item->lang, NULL) < 0)
        return false;
    if (pl->mode == KB_LANG_MODE_CYCLE || item->story[0] == '\0')
        return true;
    const struct kb_item *choice = memo != NULL ? kb_map_get(memo, item->story) : NULL;
    if (choice == NULL) {
        choice = story_choice(pl, spool, item->story);
        if (memo != NULL)
            kb_map_put(memo, item->story, (void *)choice);
    }
    return choice == item;
}

bool kb_playlist_wants(const struct kb_playlist *pl, const struct kb_spool *spool,
                       const struct kb_item *item)
{
    return wants(pl, spool, item, NULL);
}

/* ---- life ---- */

struct kb_playlist *kb_playlist_new(const char *languages, enum kb_language_mode mode)
{
    struct kb_playlist *pl = kb_xcalloc(1, sizeof(*pl));
    pl->mode = mode;
    kb_map_init(&pl->slots);
    if (languages == NULL)
        return pl;
    char *copy = kb_xstrdup(languages);
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ' || *tok == '\t')
            tok++;
        size_t n = strlen(tok);
        while (n > 0 && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
            tok[--n] = '\0';
        if (n == 0)
            continue;
        if (strcmp(tok, "*") != 0 && !kb_lang_tag_valid(tok)) {
            LOG_WARN("languages: \"%s\" is not a BCP 47 language tag; ignored", tok);
            continue;
        }
        if (pl->nlangs == KB_LANGS_MAX) {
            LOG_WARN("languages: more than %d; the rest are ignored", KB_LANGS_MAX);
            break;
        }
        memcpy(pl->langs[pl->nlangs++], tok, n + 1);
    }
    free(copy);
    return pl;
}

void kb_playlist_free(struct kb_playlist *pl)
{
    if (pl == NULL)
        return;
    void *value;
    for (size_t i = 0; kb_map_next(&pl->slots, &i, NULL, &value);)
        free(value);
    kb_map_release(&pl->slots);
    free(pl->cands);
    free(pl->breaking);
    free(pl->pending);
    free(pl);
}

/* ---- following the spool ---- */

static void push_breaking(struct kb_playlist *pl, const struct kb_item *item)
{
    if (pl->nbreaking == pl->breaking_cap) {
        pl->breaking_cap = pl->breaking_cap ? pl->breaking_cap * 2 : 8;
        pl->breaking = kb_xreallocarray(pl->breaking, pl->breaking_cap, sizeof(*pl->breaking));
    }
    pl->breaking[pl->nbreaking++] = item;
}

static void push_cand(struct kb_playlist *pl, struct slot *slot, const struct kb_item *item)
{
    if (pl->ncands == pl->cands_cap) {
        pl->cands_cap = pl->cands_cap ? pl->cands_cap * 2 : 64;
        pl->cands = kb_xreallocarray(pl->cands, pl->cands_cap, sizeof(*pl->cands));
    }
    slot->stamp = pl->stamp;
    slot->index = pl->ncands;
    pl->cands[pl->ncands++] = (struct cand){slot, item, item->priority};
}

/* Derives the rotation from the table: which items this screen shows, in
 * published order, grouped into slots that keep their pass across changes. */
static void rebuild(struct kb_playlist *pl, const struct kb_spool *spool)
{
    pl->stamp++;
    pl->ncands = 0;
    pl->nbreaking = 0;
    struct kb_map memo;
    kb_map_init(&memo);
    size_t n = 0;
    const struct kb_item *const *items = kb_spool_items(spool, &n);
    for (size_t i = 0; i < n; i++) {
        const struct kb_item *item = items[i];
        if (!wants(pl, spool, item, &memo))
            continue;
        if (item->priority == KB_PRIORITY_BREAKING) {
            push_breaking(pl, item);
            continue;
        }
        char key[KB_ID_MAX + 3];
        bool by_story = pl->mode == KB_LANG_MODE_CYCLE && item->story[0] != '\0';
        key[0] = by_story ? 's' : 'i';
        key[1] = ':';
        strcpy(key + 2, by_story ? item->story : item->id);
        struct slot *slot = kb_map_get(&pl->slots, key);
        if (slot == NULL) {
            slot = kb_xcalloc(1, sizeof(*slot));
            strcpy(slot->key, key);
            slot->pass = PASS_NEW;
            kb_map_put(&pl->slots, slot->key, slot);
        }
        if (slot->stamp != pl->stamp)
            push_cand(pl, slot, item);
        else if (item->priority > pl->cands[slot->index].priority)
            pl->cands[slot->index].priority = item->priority;
    }
    kb_map_release(&memo);

    /* New slots join the round in progress: at the lowest pass of the
     * others, so they are neither shown twice before the rest nor sent to
     * the back. */
    uint64_t join = PASS_NEW;
    for (size_t i = 0; i < pl->ncands; i++) {
        if (pl->cands[i].slot->pass < join)
            join = pl->cands[i].slot->pass;
    }
    if (join == PASS_NEW)
        join = pl->vt;
    for (size_t i = 0; i < pl->ncands; i++) {
        if (pl->cands[i].slot->pass == PASS_NEW)
            pl->cands[i].slot->pass = join;
    }

    /* Forget slots whose items are gone. */
    size_t nstale = 0;
    struct slot **stale = kb_xcalloc(pl->slots.count + 1, sizeof(*stale));
    void *value;
    for (size_t i = 0; kb_map_next(&pl->slots, &i, NULL, &value);) {
        struct slot *slot = value;
        if (slot->stamp != pl->stamp)
            stale[nstale++] = slot;
    }
    for (size_t i = 0; i < nstale; i++) {
        kb_map_del(&pl->slots, stale[i]->key);
        free(stale[i]);
    }
    free(stale);

    pl->spool = spool;
    pl->generation = kb_spool_generation(spool);
    pl->built = true;
}

static bool expired(const struct kb_item *item, int64_t now_ms)
{
    return item->expires != 0 && item->expires * 1000 <= now_ms;
}

/* ---- picking ---- */

static const struct kb_item *next_breaking(struct kb_playlist *pl, int64_t now_ms)
{
    const struct kb_item *first = NULL, *after = NULL;
    for (size_t i = 0; i < pl->nbreaking; i++) {
        const struct kb_item *b = pl->breaking[i];
        if (expired(b, now_ms))
            continue;
        if (first == NULL)
            first = b;
        if (after == NULL && pl->have_last_breaking &&
            (b->published > pl->last_breaking_published ||
             (b->published == pl->last_breaking_published &&
              strcmp(b->id, pl->last_breaking_id) > 0)))
            after = b;
    }
    const struct kb_item *pick = after != NULL ? after : first;
    if (pick != NULL) {
        pl->have_last_breaking = true;
        pl->last_breaking_published = pick->published;
        strcpy(pl->last_breaking_id, pick->id);
    }
    return pick;
}

static bool showable(const struct kb_playlist *pl, const struct kb_item *item, int64_t now_ms)
{
    return item->priority != KB_PRIORITY_BREAKING && !expired(item, now_ms) &&
           (pl->nlangs == 0 || rank(pl, item->lang, NULL) >= 0);
}

static const struct kb_item *next_pending(struct kb_playlist *pl, const struct kb_spool *spool,
                                          int64_t now_ms)
{
    while (pl->pending_pos < pl->npending) {
        const struct kb_item *item = kb_spool_find(spool, pl->pending[pl->pending_pos++]);
        if (item != NULL && showable(pl, item, now_ms))
            return item;
    }
    pl->npending = pl->pending_pos = 0;
    return NULL;
}

static void push_pending(struct kb_playlist *pl, const char *id)
{
    if (pl->npending == pl->pending_cap) {
        pl->pending_cap = pl->pending_cap ? pl->pending_cap * 2 : 8;
        pl->pending = kb_xreallocarray(pl->pending, pl->pending_cap, sizeof(*pl->pending));
    }
    strcpy(pl->pending[pl->npending++], id);
}

/* Cycle mode: the translations of a story in the configured order; the
 * first is returned, the rest queued. */
static const struct kb_item *start_story(struct kb_playlist *pl, const struct kb_spool *spool,
                                         const char *story, int64_t now_ms)
{
    size_t n = 0;
    const struct kb_item *const *items = kb_spool_story_items(spool, story, &n);
    const struct kb_item **seq = kb_xcalloc(n ? n : 1, sizeof(*seq));
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!showable(pl, items[i], now_ms))
            continue;
        /* Insertion sort: a story has a handful of translations. */
        size_t j = m++;
        while (j > 0 && preferred(pl, items[i], seq[j - 1])) {
            seq[j] = seq[j - 1];
            j--;
        }
        seq[j] = items[i];
    }
    pl->npending = pl->pending_pos = 0;
    for (size_t i = 1; i < m; i++)
        push_pending(pl, seq[i]->id);
    const struct kb_item *first = m > 0 ? seq[0] : NULL;
    free(seq);
    return first;
}

const struct kb_item *kb_playlist_next(struct kb_playlist *pl, const struct kb_spool *spool,
                                       int64_t now_ms)
{
    if (!pl->built || pl->spool != spool || pl->generation != kb_spool_generation(spool))
        rebuild(pl, spool);

    const struct kb_item *item = next_breaking(pl, now_ms);
    if (item != NULL)
        return item;
    item = next_pending(pl, spool, now_ms);
    if (item != NULL)
        return item;

    /* Each slot is tried at most once: one whose items all expired since
     * the last spool update is passed over (and pushed back a round). */
    for (size_t tries = 0; tries < pl->ncands; tries++) {
        struct cand *best = NULL;
        for (size_t i = 0; i < pl->ncands; i++) {
            if (best == NULL || pl->cands[i].slot->pass < best->slot->pass)
                best = &pl->cands[i];
        }
        if (best == NULL)
            return NULL;
        pl->vt = best->slot->pass;
        best->slot->pass += best->priority == KB_PRIORITY_HIGH ? STRIDE_HIGH : STRIDE_NORMAL;
        if (best->slot->key[0] == 's')
            item = start_story(pl, spool, best->slot->key + 2, now_ms);
        else
            item = expired(best->item, now_ms) ? NULL : best->item;
        if (item != NULL)
            return item;
    }
    return NULL;
}
