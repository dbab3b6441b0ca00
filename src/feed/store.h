/* The spool side of `kabar feed`: writing items atomically and only when
 * they change, retracting a feed's own files, and the small state file
 * each feed keeps in the spool's hidden ".kabar-feed/" folder (the HTTP
 * validators of its last good fetch and the files it wrote), so a
 * conditional GET works across restarts and `--once` runs from cron.
 *
 * Every file name given here is a bare name inside the spool folder; files
 * are read with kb_file_read (bounded, no symlinks). */
#ifndef KB_APP_FEED_STORE_H
#define KB_APP_FEED_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "spool/images_put.h"

/* The hidden folder of feed state inside the spool (the spool never reads
 * names starting with "."). */
#define KB_FEED_STATE_DIR ".kabar-feed"

/* Makes sure the spool folder and its state folder exist (creating them,
 * one level, if missing). */
bool kb_feed_store_prepare(const char *spool, struct kb_error *err);

/* Reads spool/name whole if it is a regular file of at most the spool's
 * file limit. Returns a new NUL-terminated buffer (caller frees) or NULL
 * if there is none. */
char *kb_feed_store_read(const char *spool, const char *name, size_t *len);

/* The tag of every file kabar feed writes (items with kb_spool_put, the
 * state with kb_file_write_atomic): their temp files are named
 * ".feed.NAME.XXXXXX" (core/file.h), which is how a later run finds the
 * ones a crash left. */
#define KB_FEED_WRITE_TAG "feed"

/* Removes the files of the spool whose names start with prefix and end in
 * ".json" and are not in keep[0..n_keep) (sorted with strcmp). When
 * expired_only, only those whose "expires" is at or before now go.
 * Leftover temp files of an interrupted write of this feed go too, items'
 * (".feed.<prefix>*.json.XXXXXX") and the state's in .kabar-feed/.
 * Returns how many items files were removed; *failed counts the ones that
 * could not be. */
size_t kb_feed_store_retract(const char *spool, const char *prefix, char *const *keep,
                             size_t n_keep, bool expired_only, int64_t now, size_t *failed);

/* A picture the feed met (feed/images.h): its name in images/, or, when
 * it could not be had, the wall-clock time to try again. */
struct kb_feed_state_image {
    char *url;                          /* owned */
    char name[KB_IMAGE_HASH_NAME_SIZE]; /* kb_image_name_valid, or "" for a failure */
    int64_t retry_at;                   /* seconds since the epoch; failures only */
};

/* What a feed remembers between fetches. Strings owned here; NULL if none. */
struct kb_feed_state {
    char *etag;
    char *last_modified;
    char *settings; /* the mapping settings of that fetch: a 304 only stands if they are the same */
    char **files;   /* the item files written at the last good fetch */
    size_t n_files;
    /* The pictures' memory, oldest first, at most KB_FEED_IMAGES_KEPT: a
     * `--once` run from cron does not download them again. Names are
     * checked on load as the spool checks picture names; bad entries are
     * dropped. The oldest are left out of the file when it would pass
     * KB_FEED_STATE_MAX. */
    struct kb_feed_state_image *images;
    size_t n_images;
};

/* Loads the state of the feed at url (prefix is its file prefix) from
 * spool/.kabar-feed/. A missing or unreadable state, or one of another URL,
 * leaves st empty. */
void kb_feed_state_load(const char *spool, const char *prefix, const char *url,
                        struct kb_feed_state *st);
/* Saves it atomically. */
bool kb_feed_state_save(const char *spool, const char *prefix, const char *url,
                        const struct kb_feed_state *st, struct kb_error *err);
void kb_feed_state_free(struct kb_feed_state *st);
/* True if every file the state lists is still in the spool (a 304 only
 * means "nothing changed" if nobody removed them meanwhile). */
bool kb_feed_state_files_present(const char *spool, const struct kb_feed_state *st);

#endif
