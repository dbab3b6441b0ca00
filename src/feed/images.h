/* The pictures of `kabar feed` (docs/feeds.md, "Pictures and summaries"):
 * each entry's picture, as the feed names it (feed/parse.h: an image
 * enclosure, media:content, media:thumbnail, JSON Feed image; pages are
 * never read for one), downloaded with the feed's own rules (http and https
 * only, the same TLS checks and timeouts, at most KB_IMAGE_FILE_MAX_BYTES),
 * accepted only when the server says image/png, image/jpeg or image/webp
 * AND the bytes' header says the same format within the spool's pixel
 * limits, and written into the spool's images/ under the SHA-256 of its
 * bytes. A picture that cannot be had never costs its entry: the item goes
 * without it, and one log line says why.
 *
 * A feed remembers the pictures it fetched (URL -> name), and keeps that
 * memory in its state file (feed/store.h) across runs, so a feed fetched
 * every five minutes, by one process or by `--once` from cron, downloads
 * each picture once; a picture that failed is tried again after
 * KB_FEED_IMAGE_RETRY_S. A remembered picture whose file left images/ is
 * downloaded again. */
#ifndef KB_FEED_IMAGES_H
#define KB_FEED_IMAGES_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "feed/parse.h"
#include "feed/store.h"

/* A picture that could not be had is not asked for again before this. */
#define KB_FEED_IMAGE_RETRY_S 3600.0
/* New downloads in one update of one feed: a first fetch of a 100-entry
 * feed takes a few at a time, and the rest come at the next fetches. */
#define KB_FEED_IMAGES_PER_UPDATE 30
/* Pictures remembered per feed: several times any feed's entries. */
#define KB_FEED_IMAGES_KEPT 2048

struct kb_feed_images; /* a feed's memory of its pictures */

void kb_feed_images_free(struct kb_feed_images *im);

/* Adds the pictures of a feed's saved state (v[0..n), oldest first, names
 * already checked by kb_feed_state_load) to *im, made if needed; failures
 * whose time to try again has passed are left out. v is only read. */
void kb_feed_images_seed(struct kb_feed_images **im, const struct kb_feed_state_image *v, size_t n);
/* The memory of im (NULL: none) for the state file, oldest first, at most
 * KB_FEED_IMAGES_KEPT; a failure carries the wall-clock time to try again.
 * Returns the count; *out is a new array (NULL if none) whose urls the
 * caller owns with it (kb_feed_state_free frees them in a state). */
size_t kb_feed_images_export(const struct kb_feed_images *im, struct kb_feed_state_image **out);

/* How one update fetches pictures (borrowed for the call). */
struct kb_feed_image_opts {
    const char *spool;
    const char *feed_url; /* for messages */
    double connect_timeout_s, timeout_s;
    volatile sig_atomic_t *stop;
};

/* Gives the item obj of entry e its picture: downloads e->image unless
 * *im remembers it (*im is made on first use), writes it into images/ and
 * sets obj's "image"; without one, obj keeps no "credit". *budget counts
 * the downloads this update may still make. */
void kb_feed_image_attach(struct kb_feed_images **im, const struct kb_feed_image_opts *o,
                          const struct kb_feed_entry *e, json_t *obj, int *budget);

/* True if a Content-Type names a picture format kabar shows; *format is
 * then 1 (PNG), 2 (JPEG) or 3 (WebP), as enum kb_image_format. */
bool kb_feed_image_type(const char *content_type, int *format);

#endif
