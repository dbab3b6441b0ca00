/* From a feed entry to a spool item (docs/feeds.md, "Mapping"): the stable
 * id and file name, the text, the language, the dates; validated with the
 * spool's own kb_item_from_json, so what `kabar feed` writes is exactly
 * what the ticker accepts.
 *
 * Names: every file a feed writes is "feed-<F>-<E>.json", F the 8-digit hex
 * hash of the feed URL and E the 16-digit hash of the URL and the entry's
 * key. The per-feed prefix "feed-<F>-" is what makes retraction safe: a
 * feed only ever removes files that carry its own prefix. The item id is
 * "<prefix>-<E>", prefix from the source name, the config section or the
 * host ("bbc-3fa9c0d1e2b4a5f6"). */
#ifndef KB_APP_FEED_MAP_H
#define KB_APP_FEED_MAP_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "feed/parse.h"
#include "core/error.h"

/* "feed-" + 8 + "-" + 16 + ".json" and a NUL, with room. */
#define KB_FEED_FILE_NAME_MAX 48

struct kb_feed_map_opts {
    const char *url;    /* the feed URL, as configured: part of every hash */
    const char *prefix; /* the id prefix (kb_feed_slug of a name), not empty */
    const char *lang;   /* the language when the feed names none (--lang); NULL for none */
    const char *source; /* the source label (--source); NULL: the feed's title, else its host */
    double ttl_s;       /* expires = published + ttl; 0: items do not expire */
    bool with_summary;  /* text = title — summary */
};

/* The key an entry is known by across fetches: its guid or id, else its
 * link, else its title and date together (the summary and date when it has
 * no title). Returns a new string (caller
 * frees), or NULL when the entry has none of them. */
char *kb_feed_entry_key(const struct kb_feed_entry *e);

/* "feed-<F>-", the prefix of every file of the feed at url. */
void kb_feed_file_prefix(const char *url, char out[KB_FEED_FILE_NAME_MAX]);
/* "feed-<F>-<E>.json", the file of the entry with that key. */
void kb_feed_file_name(const char *url, const char *key, char out[KB_FEED_FILE_NAME_MAX]);

/* Builds the spool item of entry e of doc, under the name for messages
 * where ("feed URL: entry 3 (\"guid\")"). key is kb_feed_entry_key(e).
 * published: the entry's date, unless it has none, cannot be read or lies
 * more than a day after now: then fallback (the date already on disk, else
 * now, so an undated entry keeps its first-seen date). Returns a new
 * object (caller decrefs) that kb_item_from_json accepts, with
 * *published_out and *expires_out (0: never) set; or NULL and err says why
 * in one line that starts with where. */
json_t *kb_feed_map_entry(const struct kb_feed_map_opts *o, const struct kb_feed_doc *doc,
                          const struct kb_feed_entry *e, const char *key, const char *where,
                          int64_t now, int64_t fallback, int64_t *published_out,
                          int64_t *expires_out, struct kb_error *err);

#endif
