/* The spool: a watched folder of JSON files and the table of items they
 * hold (SPOOL-FORMAT.md). Owned by the ingest thread; nothing here is
 * thread-safe and nothing here knows fonts or SDL.
 *
 * kb_spool_update reads what changed (inotify events, or a rescan when
 * polling), applies the settle rule, moves settled bad files to rejected/,
 * enforces the limits, and reports each change to the item table through
 * the change callback, so the playlist and the screen can follow at once.
 *
 * Decisions the contract leaves open:
 * - A file is valid only if every item in it is: one bad item in a bundle
 *   rejects the whole file (the contract moves files, not items), with the
 *   line naming the item ("spool/x.json: items[3]: field ..."). One id
 *   twice in one file is an error too.
 * - A UTF-8 byte order mark is rejected with its own line (RFC 8259 lets a
 *   parser refuse it, and a producer's CI should catch it, not each screen).
 * - Raw invalid UTF-8 or a NUL byte is reported by the byte offset in the
 *   file, with the field it sits in when it is a member's string value
 *   ("field \"text\": invalid UTF-8 at byte 41"), else with line:column.
 * - Nesting deeper than KB_JSON_DEPTH_MAX is refused before jansson parses.
 * - Optional fields set to null count as absent.
 * - Items already expired when read are dropped silently (valid, over).
 * - A file dated far in the future (beyond the settle time) counts as
 *   settled; one dated a little ahead settles as usual.
 * - A bad file that cannot be moved to rejected/ (read-only or full disk,
 *   or move_rejected false) is logged once and left alone until it changes.
 * - A file is read only when inotify names it, its stat (inode, size,
 *   mtime) changed, or its settle retry is due; with inotify the folder is
 *   still rescanned every 60 s as a safety net, and checked every poll_ms
 *   (an open folder being removed raises no inotify event).
 * - Between two files with one id, equal `published` goes to the greater
 *   file name, so every screen agrees. */
#ifndef KB_SPOOL_SPOOL_H
#define KB_SPOOL_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "spool/item.h"

struct kb_spool;

struct kb_spool_opts {
    const char *dir;
    size_t max_file_bytes; /* 0: KB_SPOOL_FILE_MAX_BYTES */
    size_t max_items;      /* 0: KB_SPOOL_ITEMS_MAX */
    double settle_s;       /* a young file that fails to parse is retried this long; <0: 2 s */
    int poll_ms;           /* rescan period when inotify is unavailable; 0: 1000 */
    bool use_inotify;      /* false forces polling */
    bool move_rejected;    /* move settled bad files to rejected/ (false for read-only use) */
};

enum kb_spool_change {
    KB_SPOOL_ADDED,   /* a new item */
    KB_SPOOL_EDITED,  /* same id, new content (or the same content now from another file);
                         item->version is one more than before */
    KB_SPOOL_REMOVED, /* its file went, it expired, or it was evicted: off the screen now */
};

/* Called from kb_spool_update once the table is final for this update
 * (kb_spool_find and kb_spool_items already show the new state). Removals
 * come first. The item is the spool's: valid during the call, and for an
 * ADDED or EDITED item until the next update. Each id is reported at most
 * once per update, as the difference between its start and its end. */
typedef void (*kb_spool_change_fn)(void *user, enum kb_spool_change what,
                                   const struct kb_item *item);

/* Opens the spool. A missing folder is not an error: the spool is empty
 * until it appears (logged once), and it is looked for again every poll_ms.
 * Nothing is read yet: the first kb_spool_update loads the folder and
 * reports every item as added. opts->dir is copied. Caller frees with
 * kb_spool_free (which reports nothing). */
struct kb_spool *kb_spool_new(const struct kb_spool_opts *opts, kb_spool_change_fn fn, void *user);
void kb_spool_free(struct kb_spool *spool);

/* A file descriptor to poll for readability (inotify), or -1 when polling. */
int kb_spool_fd(const struct kb_spool *spool);
/* Milliseconds until kb_spool_update should run again even with no event
 * (settle retries, the next expiry, the poll period); -1 for never. */
int kb_spool_timeout_ms(const struct kb_spool *spool, int64_t now_ms);
/* Processes pending changes; now_ms is wall-clock Unix milliseconds (for
 * expiry and settling). Returns the number of changes reported. */
size_t kb_spool_update(struct kb_spool *spool, int64_t now_ms);

size_t kb_spool_item_count(const struct kb_spool *spool);
/* Files rejected since the spool was opened (each time a file is found
 * invalid after settling; a file that stays bad is counted once). */
size_t kb_spool_rejected_count(const struct kb_spool *spool);
/* The live item with this id, or NULL. The spool owns it: valid until the
 * next kb_spool_update or kb_spool_free; copy it (kb_item_dup) to keep it. */
const struct kb_item *kb_spool_find(const struct kb_spool *spool, const char *id);
/* Items in published order (oldest first); valid until the next update. */
const struct kb_item *const *kb_spool_items(const struct kb_spool *spool, size_t *n);
/* True while the folder exists and could be read at the last update. */
bool kb_spool_present(const struct kb_spool *spool);
/* Wall-clock ms of the last change seen in the folder (for "feed stale"). */
int64_t kb_spool_last_change_ms(const struct kb_spool *spool);

/* The live items of one story (its translations), in the order they
 * arrived; *n is their count (0 and NULL if none). Valid until the next
 * update. */
const struct kb_item *const *kb_spool_story_items(const struct kb_spool *spool, const char *story,
                                                  size_t *n);
/* Bumped by every update that reported a change: lets the playlist know
 * when what it derived from the table is stale. */
uint64_t kb_spool_generation(const struct kb_spool *spool);

/* Producers write with kb_spool_put and kb_spool_reject (spool/put.h). */

/* Validates one file as the ticker would, without a spool: for `kabar
 * validate` and producers. The name rules (dot files, .tmp) and the settle
 * rule do not apply: a producer validates its temp file before renaming it.
 * The lines are the ticker's, with path in place of "<dir>/<name>", so
 * validating "spool/x.json" says exactly what the ticker logs for x.json in
 * the folder "spool". Returns the number of valid items, or -1 with err set
 * to the first error line. Unknown fields are warned about in the log. */
int kb_spool_validate_file(const char *path, struct kb_error *err);
/* The same for a file's contents in memory (the MQTT bridge validates a
 * payload before writing it): where names it in messages, mtime (Unix
 * seconds) stands for the file's mtime as default `published`. */
int kb_spool_validate_buffer(const char *buf, size_t len, const char *where, int64_t mtime,
                             struct kb_error *err);

#endif
