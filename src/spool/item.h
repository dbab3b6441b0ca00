/* One item of the spool (SPOOL-FORMAT.md "Item"): parsed from JSON,
 * validated, its text cleaned. Immutable once made; the item table owns
 * items and hands out const pointers. */
#ifndef KB_SPOOL_ITEM_H
#define KB_SPOOL_ITEM_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/error.h"
#include "spool/id.h" /* kb_id_valid and kb_lang_tag_valid come with items */
#include "core/limits.h"

/* "an object", "an array", "a string", "a number", "a boolean" or "null":
 * a JSON value's type, as error lines about items and spool files name it.
 * A static string. */
const char *kb_item_json_type(const json_t *v);

enum kb_item_kind { KB_KIND_HEADLINE = 0, KB_KIND_QUOTE };
enum kb_priority { KB_PRIORITY_NORMAL = 0, KB_PRIORITY_HIGH, KB_PRIORITY_BREAKING };
enum kb_item_dir { KB_ITEM_DIR_AUTO = 0, KB_ITEM_DIR_LTR, KB_ITEM_DIR_RTL };

struct kb_item {
    char id[KB_ID_MAX + 1];
    enum kb_item_kind kind;
    char lang[KB_LANG_MAX + 1];
    char *text;   /* cleaned (kb_text_clean), NUL-terminated */
    char *by;     /* quotes: attribution, cleaned; NULL if absent */
    char *source; /* cleaned, up to 64 characters; "" if absent (never NULL) */
    char *story;  /* "" if absent (never NULL) */
    char translated_from[KB_LANG_MAX + 1]; /* "" if absent */
    enum kb_priority priority;
    int64_t published; /* Unix seconds; the file's mtime if absent */
    int64_t expires;   /* Unix seconds; 0 if it never expires */
    enum kb_item_dir dir;
    char *summary; /* v1.1: cleaned, at most KB_SUMMARY_MAX_BYTES; NULL if absent */
    char
        *credit; /* v1.1: photo credit, cleaned, at most KB_CREDIT_MAX characters; NULL if absent */
    char image[KB_ID_MAX + 1]; /* v1.1: a file name in images/ (kb_image_name_valid); "" if
                                  absent or not a valid name (warned about, the item kept) */
    char *file;       /* the spool file it came from (base name); "" if none (never NULL) */
    uint64_t version; /* bumped each time the item is edited */
};

/* Parses one item object. where names the file for messages ("spool/x.json",
 * or "spool/x.json: items[3]" in a bundle); mtime is the default published.
 * Returns a new item (caller frees with kb_item_free) or NULL with err set to
 * the one-line message. Unknown fields are not an error: they are listed
 * through *unknown (a comma-separated list the caller frees; NULL if none;
 * unknown may be NULL). Optional fields set to null count as absent. The
 * new item's file is "" and its version 1. */
struct kb_item *kb_item_from_json(json_t *obj, const char *where, int64_t mtime,
                                  struct kb_error *err, char **unknown);
void kb_item_free(struct kb_item *item);
/* True if name may name a picture in images/: the id characters with a
 * .png, .jpg, .jpeg or .webp ending (any case), at most KB_ID_MAX bytes, not
 * starting with '.': never a path. */
bool kb_image_name_valid(const char *name);
/* A deep copy; the caller frees it with kb_item_free. */
struct kb_item *kb_item_dup(const struct kb_item *item);
/* True if a and b say the same thing (every field but file and version). */
bool kb_item_same_content(const struct kb_item *a, const struct kb_item *b);

const char *kb_priority_name(enum kb_priority p);
const char *kb_kind_name(enum kb_item_kind k);

#endif
