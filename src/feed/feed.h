/* One feed followed by `kabar feed` (docs/feeds.md): a fetch, and the
 * spool brought in line with the document: its entries written as items
 * (newest first, at most max), unchanged files left alone, and the items of
 * entries that left the feed retracted.
 *
 * The modules: feed/settings (the options), feed/schedule (the loop and
 * kb_feed_run), feed/fetch (HTTP), feed/parse (documents), feed/map (entry
 * to item), feed/store (spool files and state), feed/text (pure helpers),
 * core/limits.h (bounds). */
#ifndef KB_FEED_FEED_H
#define KB_FEED_FEED_H

#include <signal.h>
#include <stdbool.h>

#include "core/error.h"
#include "core/limits.h"
#include "feed/images.h"
#include "feed/map.h"
#include "feed/settings.h"
#include "feed/store.h"

/* A feed being followed: its settings (borrowed from the options, which
 * outlive it) and what the run keeps between fetches. */
struct kb_feed_follow {
    const struct kb_feed_source *src;
    char prefix[KB_FEED_PREFIX_MAX + 1];     /* the items' id prefix */
    char file_prefix[KB_FEED_FILE_NAME_MAX]; /* its files' names in the spool */
    struct kb_feed_state state;              /* owned; loaded at the first fetch */
    bool state_loaded;
    unsigned failures;             /* the current streak */
    double due;                    /* monotonic seconds */
    struct kb_feed_images *images; /* owned: the pictures it fetched (feed/images.h) */
};

/* Derives the prefixes from src (its source, else its section name, else
 * the url's host). */
void kb_feed_follow_init(struct kb_feed_follow *ff, const struct kb_feed_source *src);
void kb_feed_follow_free(struct kb_feed_follow *ff);

/* One fetch of ff into o->spool, and the spool brought in line with it.
 * A transfer gives up when *stop is set (stop may be NULL). False (err
 * set) when the feed failed: its items in the spool are left as they are.
 * Needs libcurl and libxml2 set up (kb_feed_run does). */
bool kb_feed_update(const struct kb_feed_options *o, struct kb_feed_follow *ff,
                    volatile sig_atomic_t *stop, struct kb_error *err);

#endif
