/* The pictures of spool v1.1 (SPOOL-FORMAT.md, "images/"): a file an item
 * names in its `image` field, read with the same care as items. This part
 * never decodes anything: it reads the file without following symlinks or
 * blocking on FIFOs, bounds its size, and reads the picture's size from its
 * header, so a small file that claims 20000x20000 is refused before any
 * decoder allocates for it. Decoding is render/picture.h's. Paths only, no
 * state: safe from any thread. */
#ifndef KB_SPOOL_IMAGES_H
#define KB_SPOOL_IMAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* The spool's folder of pictures. */
#define KB_SPOOL_IMAGES_DIR "images"

enum kb_image_format { KB_IMAGE_UNKNOWN = 0, KB_IMAGE_PNG, KB_IMAGE_JPEG, KB_IMAGE_WEBP };

struct kb_image_header {
    enum kb_image_format format;
    unsigned width, height;
};

/* "PNG", "JPEG", "WebP" or "unknown": a static string. */
const char *kb_image_format_name(enum kb_image_format f);
/* The format a picture name's ending promises (.png, .jpg/.jpeg, .webp). */
enum kb_image_format kb_image_format_of_name(const char *name);

/* Reads the format and size from the first bytes of a picture. False, with
 * err set to the reason (no "file:" prefix), when the bytes are no PNG, JPEG
 * or WebP, or the header is cut short or malformed. */
bool kb_image_sniff(const void *buf, size_t len, struct kb_image_header *out, struct kb_error *err);

struct kb_image_limits {
    size_t max_bytes;  /* 0: KB_IMAGE_FILE_MAX_BYTES; never more */
    size_t max_pixels; /* 0: KB_IMAGE_PIXELS_MAX; never more */
};

/* Checks a picture in memory, the one set of rules for the ticker's reads
 * (kb_spool_image_read) and the producers' puts (spool/images_put.h): at most
 * lim's bytes and pixels (lim may be NULL: the spool's limits), a PNG, JPEG
 * or WebP header, and, when name is not NULL, the format name's ending
 * says. False with err set to the reason (no prefix). */
bool kb_image_check(const void *buf, size_t len, const char *name,
                    const struct kb_image_limits *lim, struct kb_image_header *hdr,
                    struct kb_error *err);

enum kb_image_read {
    KB_IMAGE_READ_OK,      /* *buf holds the whole file; *hdr its checked header */
    KB_IMAGE_READ_MISSING, /* no such file (yet): not the picture's fault; err has the line */
    KB_IMAGE_READ_BAD,     /* the file must not be used (not a regular file, too big, too many
                              pixels, not the format its name says): err has the line, and
                              the file belongs in rejected/ */
    KB_IMAGE_READ_BUSY,    /* out of descriptors or memory for now; try later */
};

/* Reads dir/images/name (name as kb_image_name_valid allows), checks it
 * against lim and the header against its name's format. On OK the caller
 * frees *buf. Lines read "<dir>/images/<name>: <why>". */
enum kb_image_read kb_spool_image_read(const char *dir, const char *name,
                                       const struct kb_image_limits *lim, char **buf, size_t *len,
                                       struct kb_image_header *hdr, struct kb_error *err);

/* Moves dir/images/name to dir/rejected/ beside name.error.txt holding
 * line (kb_spool_reject). False, with err set, if it could not. */
bool kb_spool_image_reject(const char *dir, const char *name, const char *line,
                           struct kb_error *err);

/* Removes the pictures of dir/images/ that in_use says no item names and
 * whose mtime is more than max_age_s before now_s (dot and temp files of
 * writers too, once that old). Returns how many were removed. */
size_t kb_spool_images_sweep(const char *dir, bool (*in_use)(void *user, const char *name),
                             void *user, int64_t now_s, int64_t max_age_s);

#endif
