/* The item table behind the spool: every item each file claims, keyed by
 * id, and the one per id that is live (on the screen). Internal to spool/.
 *
 * Changes are gathered during one kb_spool_update and settled by
 * kb_table_finish, which applies expiry and the item limit and then
 * reports, per id, what changed between the start and the end of the
 * update (so an item added and retracted in one update is never reported,
 * and the callback always sees the final table). */
#ifndef KB_SPOOL_TABLE_H
#define KB_SPOOL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spool/item.h"
#include "spool/map.h"
#include "spool/spool.h"

struct kb_table_entry;

struct kb_table {
    struct kb_map entries; /* id -> struct kb_table_entry */
    struct kb_table_entry **touched;
    size_t ntouched, touched_cap;
    struct kb_item **graveyard; /* unclaimed items, freed at the end of kb_table_finish */
    size_t ngrave, grave_cap;
    const struct kb_item **sorted; /* live items in published order */
    size_t nsorted, sorted_cap;
    bool sorted_dirty;
    struct kb_map stories; /* story -> struct kb_table_story */
    size_t nlive;
    int64_t next_expiry_ms; /* INT64_MAX: nothing expires */
    uint64_t generation;    /* bumped by every finish that reported a change */
    const char *dir;        /* the spool folder, for messages */
    char limit_key[300];    /* once-key of the item-limit warning */
};

void kb_table_init(struct kb_table *t, const char *dir);
/* Frees every item and index (no callbacks). */
void kb_table_release(struct kb_table *t);

/* Takes ownership of item, claimed by the file item->file. */
void kb_table_claim(struct kb_table *t, struct kb_item *item);
/* Drops file's claim on id, if it still holds one (expiry or the item limit
 * may have dropped it already). */
void kb_table_unclaim(struct kb_table *t, const char *id, const char *file);
/* file's claim on id, or NULL; the table's item, valid until that claim is dropped. */
const struct kb_item *kb_table_claim_of(const struct kb_table *t, const char *id, const char *file);

/* Settles the update: drops claims expired at now_ms, picks the live item of
 * every touched id (the later published wins, then the greater file name),
 * keeps at most max_items live (evicting the oldest normal items, then high,
 * then breaking), and reports each change through fn. Returns the number of
 * changes reported. */
size_t kb_table_finish(struct kb_table *t, int64_t now_ms, size_t max_items, kb_spool_change_fn fn,
                       void *user);

/* The live item with this id, or NULL. The table owns it: valid until the
 * next kb_table_finish or kb_table_release. */
const struct kb_item *kb_table_find(const struct kb_table *t, const char *id);
/* The live items of story in arrival order, *n of them (NULL and 0 if
 * none). The array and the items are the table's: valid until the next
 * kb_table_finish or kb_table_release. */
const struct kb_item *const *kb_table_story(const struct kb_table *t, const char *story, size_t *n);

#endif
