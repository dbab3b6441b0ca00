/* The playlist: what comes next on the crawl (SPOOL-FORMAT.md "Languages
 * on screen", DESIGN.md "The path of one headline", step 3).
 *
 * Rotation in published order; high items twice as often; no item starves;
 * a breaking item goes first and repeats until it expires or is removed;
 * per story, one language (`languages = fr, id`) or every translation in
 * turn (`language_mode = cycle`). Owned by the ingest thread.
 *
 * - Order: oldest published first (then id), the order of kb_spool_items.
 *   Deterministic: the same spool and the same calls give the same picks.
 * - Priority: high items come round twice per round, normal ones once.
 *   With N normal and H high items (slots, in cycle mode) and no live
 *   breaking item, every item is shown in any N + 2H consecutive picks of
 *   a spool that does not change; each item that joins delays the others by
 *   at most one pick (two if high). New items join the round in progress.
 * - Breaking: while any wanted breaking item is live, every pick is one,
 *   several taking turns in published order; the rotation then resumes
 *   where it was.
 * - Languages: an entry matches a tag equal to it (ignoring case) or
 *   starting with it and a "-" (RFC 4647 basic filtering: "zh" takes
 *   "zh-Hans" and "zh-Hant"; "zh-Hans" does not take "zh"); "*" matches
 *   any tag. An item with no story is shown if its lang matches an entry.
 *   First mode: a story shows its one item matching the earliest entry (an
 *   exact match before a prefix match, then the earliest published). Cycle
 *   mode: a story is one slot whose matching translations are shown back to
 *   back, ordered the same way. An empty list shows every item (in cycle
 *   mode, a story's translations in published order). Entries that are not
 *   language tags are warned about and ignored. */
#ifndef KB_SPOOL_PLAYLIST_H
#define KB_SPOOL_PLAYLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "spool/item.h"
#include "spool/spool.h"

enum kb_language_mode { KB_LANG_MODE_FIRST = 0, KB_LANG_MODE_CYCLE };

struct kb_playlist;

/* languages: comma-separated BCP 47 tags in order of preference; NULL or ""
 * shows every item. */
struct kb_playlist *kb_playlist_new(const char *languages, enum kb_language_mode mode);
void kb_playlist_free(struct kb_playlist *pl);

/* The next item to show (a breaking one first), or NULL if there is none.
 * The pointer is valid until the spool next updates. */
const struct kb_item *kb_playlist_next(struct kb_playlist *pl, const struct kb_spool *spool,
                                       int64_t now_ms);
/* True if item would be shown by this screen at all (language choice). */
bool kb_playlist_wants(const struct kb_playlist *pl, const struct kb_spool *spool,
                       const struct kb_item *item);

#endif
