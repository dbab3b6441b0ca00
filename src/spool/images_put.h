/* The producers' side of the spool's images/ (SPOOL-FORMAT.md v1.1):
 * `kabar feed`, `kabar post --image` and `kabar mqtt` put pictures here,
 * checked in memory by the same header rules the ticker applies
 * (spool/images.h) before anything is written, and the pictures no item
 * names any more are cleaned up after a grace period. Paths only, no state:
 * safe from any thread. */
#ifndef KB_SPOOL_IMAGES_PUT_H
#define KB_SPOOL_IMAGES_PUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "spool/images.h"
#include "spool/item.h"

/* How long a picture no item names is kept, counted from its mtime: a
 * picture that arrives before its item (a fleet sends the picture first, a
 * feed writes it first) is never swept meanwhile. SPOOL-FORMAT.md: "an
 * image no item names for a day may be removed". */
#define KB_IMAGE_SWEEP_GRACE_S 86400

/* "<32 hex digits of SHA-256>.<ext>" and a NUL. */
#define KB_IMAGE_HASH_NAME_SIZE 40

/* The content name of a picture: the first 128 bits of its SHA-256 in hex
 * and the ending of its format (".png", ".jpg", ".webp"). */
void kb_image_hash_name(const void *buf, size_t len, enum kb_image_format f,
                        char out[KB_IMAGE_HASH_NAME_SIZE]);

enum kb_image_put {
    KB_IMAGE_PUT_WRITTEN,   /* written under a temp name and renamed in */
    KB_IMAGE_PUT_UNCHANGED, /* the file there held these bytes: its mtime is refreshed, so the
                               sweep's grace counts from now */
    KB_IMAGE_PUT_FAILED,    /* err says why; nothing changed */
};

/* Puts buf as dir/images/name (name as kb_image_name_valid allows; the
 * caller has checked buf). images/ is made if missing and never followed
 * if it is a symlink; the temp file is ".TAG.NAME.XXXXXX" in it. */
enum kb_image_put kb_spool_image_put(const char *dir, const char *tag, const char *name,
                                     const void *buf, size_t len, struct kb_error *err);

/* Removes the pictures of dir/images/ that no item of dir's *.json files
 * names (bundles too) and that are older than grace_s (kb_spool_images_sweep).
 * The files are read only if some picture is old enough to go. For
 * producers, which hold no table of items. Returns how many went. */
size_t kb_spool_images_sweep_files(const char *dir, int64_t now_s, int64_t grace_s);

/* The same with the items a ticker holds (items[0..n)) as the names in use. */
size_t kb_spool_images_sweep_items(const char *dir, const struct kb_item *const *items, size_t n,
                                   int64_t now_s, int64_t grace_s);

#endif
