/* The playlist: what comes next on the crawl (SPOOL-FORMAT.md "Languages
 * on screen", DESIGN.md "The path of one headline", step 3).
 *
 * Rotation in published order; high items twice as often; no item starves;
 * a breaking item goes first and repeats until it expires or is removed;
 * per story, one language (`languages = fr, id`) or every translation in
 * turn (`language_mode = cycle`). Owned by the ingest thread. */
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
