#define LOG_MODULE "spool"

#include "spool/item.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "core/log.h"
#include "core/utf8.h"
#include "core/date.h"
#include "core/xmalloc.h"
#include "spool/id.h"

/* A value quoted in an error line is cut to this many bytes: enough to
 * recognise a bad tag or date, too short to flood a log line. */
#define QUOTE_MAX 48
/* The list of unknown field names in a warning is cut near this length. */
#define UNKNOWN_LIST_MAX 200

static const char *const known_fields[] = {
    "id",       "kind",      "lang",    "text", "by",      "source", "story",  "translated_from",
    "priority", "published", "expires", "dir",  "summary", "image",  "credit",
};

const char *kb_priority_name(enum kb_priority p)
{
    switch (p) {
    case KB_PRIORITY_HIGH:
        return "high";
    case KB_PRIORITY_BREAKING:
        return "breaking";
    case KB_PRIORITY_NORMAL:
        break;
    }
    return "normal";
}

const char *kb_kind_name(enum kb_item_kind k)
{
    return k == KB_KIND_QUOTE ? "quote" : "headline";
}

/* ---- messages ---- */

/* Writes s as a JSON-style quoted string for an error line: printable
 * ASCII as is, everything else escaped (so a hostile value can neither
 * break the line nor reorder it with bidi controls), cut at QUOTE_MAX. */
static const char *quote(const char *s, size_t len, char *buf, size_t size)
{
    size_t o = 0;
    buf[o++] = '"';
    size_t i = 0;
    while (i < len && o + 12 < size) {
        if (i >= QUOTE_MAX) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            buf[o++] = (char)c;
            i++;
        } else if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
            i++;
        } else {
            size_t before = i;
            uint32_t cp = kb_utf8_next(s, len, &i);
            if (cp == 0xfffd && i == before + 1 && c >= 0x80)
                o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
            else if (cp > 0xffff)
                o += (size_t)snprintf(buf + o, size - o, "\\u{%x}", cp);
            else
                o += (size_t)snprintf(buf + o, size - o, "\\u%04x", cp);
        }
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

const char *kb_item_json_type(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        break;
    }
    return "null";
}

/* ---- fields ---- */

struct parse {
    json_t *obj;
    const char *where;
    struct kb_error *err;
};

/* Fetches a string field. Returns false with err set on a wrong type or a
 * missing required field; *out is NULL when an optional field is absent
 * (null counts as absent, as many producers write it for "no value"). */
static bool get_string(struct parse *p, const char *name, bool required, const char **out,
                       size_t *len)
{
    json_t *v = json_object_get(p->obj, name);
    *out = NULL;
    if (v == NULL || (json_is_null(v) && !required)) {
        if (required)
            return kb_error_set(p->err, "%s: field \"%s\": required but missing", p->where, name);
        return true;
    }
    if (!json_is_string(v))
        return kb_error_set(p->err, "%s: field \"%s\": expected a string, got %s", p->where, name,
                            kb_item_json_type(v));
    *out = json_string_value(v);
    *len = json_string_length(v);
    return true;
}

static bool check_utf8(struct parse *p, const char *name, const char *s, size_t len)
{
    size_t bad = 0;
    if (!kb_utf8_validate(s, len, &bad)) {
        if (s[bad] == '\0')
            return kb_error_set(p->err, "%s: field \"%s\": NUL character at byte %zu", p->where,
                                name, bad);
        return kb_error_set(p->err, "%s: field \"%s\": invalid UTF-8 at byte %zu", p->where, name,
                            bad);
    }
    return true;
}

/* A short token field: an id (id, story) or a language tag (lang,
 * translated_from), of at most max bytes that valid accepts, copied into
 * out ("" when absent). what names the kind in the error line. */
static bool get_token(struct parse *p, const char *name, bool required, size_t max,
                      bool (*valid)(const char *), const char *what, char *out)
{
    const char *s;
    size_t len = 0;
    if (!get_string(p, name, required, &s, &len))
        return false;
    out[0] = '\0';
    if (s == NULL)
        return true;
    if (len > max || strlen(s) != len || !valid(s)) {
        char q[QUOTE_MAX * 6];
        return kb_error_set(p->err, "%s: field \"%s\": %s is not %s", p->where, name,
                            quote(s, len, q, sizeof(q)), what);
    }
    memcpy(out, s, len + 1);
    return true;
}

static bool get_id(struct parse *p, const char *name, bool required, char *out)
{
    char what[80];
    snprintf(what, sizeof(what), "a valid id (1-%d characters of A-Z a-z 0-9 . _ : -)", KB_ID_MAX);
    return get_token(p, name, required, KB_ID_MAX, kb_id_valid, what, out);
}

static bool get_lang(struct parse *p, const char *name, bool required, char *out)
{
    return get_token(p, name, required, KB_LANG_MAX, kb_lang_tag_valid, "a BCP 47 language tag",
                     out);
}

/* One of a fixed set of words; *out keeps its default when absent. */
static bool get_enum(struct parse *p, const char *name, const char *const *words, size_t nwords,
                     int *out)
{
    const char *s;
    size_t len = 0;
    if (!get_string(p, name, false, &s, &len))
        return false;
    if (s == NULL)
        return true;
    for (size_t i = 0; i < nwords; i++) {
        if (strlen(words[i]) == len && memcmp(s, words[i], len) == 0) {
            *out = (int)i;
            return true;
        }
    }
    char list[128] = "";
    for (size_t i = 0; i < nwords; i++) {
        strcat(list, i == 0 ? "" : (i + 1 == nwords ? " or " : ", "));
        strcat(list, words[i]);
    }
    char q[QUOTE_MAX * 6];
    return kb_error_set(p->err, "%s: field \"%s\": %s is not %s", p->where, name,
                        quote(s, len, q, sizeof(q)), list);
}

static bool get_time(struct parse *p, const char *name, int64_t *out, bool *present)
{
    const char *s;
    size_t len = 0;
    *present = false;
    if (!get_string(p, name, false, &s, &len))
        return false;
    if (s == NULL)
        return true;
    if (strlen(s) != len || !kb_date_parse_rfc3339(s, out)) {
        char q[QUOTE_MAX * 6];
        return kb_error_set(p->err,
                            "%s: field \"%s\": %s is not an RFC 3339 date-time (like "
                            "2021-11-19T10:00:00+07:00)",
                            p->where, name, quote(s, len, q, sizeof(q)));
    }
    *present = true;
    return true;
}

/* A display string: valid UTF-8, cleaned (kb_text_clean), then bounded.
 * max_bytes bounds bytes (text); max_chars bounds code points (source, by).
 * Returns the cleaned string (caller frees) or NULL with err set; *out is
 * untouched if the field is absent. */
/* True if s has a character that draws: not a space, a control, a format
 * or bidi control, a variation selector or another default-ignorable code
 * point (which fonts draw as nothing). */
static bool has_visible(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp = kb_utf8_next(s, len, &i);
        const utf8proc_property_t *prop = utf8proc_get_property((utf8proc_int32_t)cp);
        switch (prop->category) {
        case UTF8PROC_CATEGORY_CC:
        case UTF8PROC_CATEGORY_CF:
        case UTF8PROC_CATEGORY_ZS:
        case UTF8PROC_CATEGORY_ZL:
        case UTF8PROC_CATEGORY_ZP:
            continue;
        default:
            break;
        }
        bool selector = (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef) ||
                        (cp >= 0x180b && cp <= 0x180f);
        if (!prop->ignorable && !selector)
            return true;
    }
    return false;
}

static bool get_display(struct parse *p, const char *name, bool required, size_t max_bytes,
                        size_t max_chars, char **out)
{
    const char *s;
    size_t len = 0;
    if (!get_string(p, name, required, &s, &len))
        return false;
    if (s == NULL)
        return true;
    if (!check_utf8(p, name, s, len))
        return false;
    size_t clean_len = 0;
    char *clean = kb_text_clean(s, len, &clean_len);
    if (clean_len == 0 && required) {
        free(clean);
        return kb_error_set(p->err, "%s: field \"%s\": empty after trimming white space", p->where,
                            name);
    }
    if (max_bytes != 0 && clean_len > max_bytes) {
        free(clean);
        return kb_error_set(p->err, "%s: field \"%s\": %zu bytes after trimming, more than %zu",
                            p->where, name, clean_len, max_bytes);
    }
    if (required && !has_visible(clean, clean_len)) {
        free(clean);
        return kb_error_set(p->err, "%s: field \"%s\": text has nothing visible", p->where, name);
    }
    size_t chars = kb_utf8_count(clean, clean_len);
    if (max_chars != 0 && chars > max_chars) {
        free(clean);
        return kb_error_set(p->err, "%s: field \"%s\": %zu characters, more than %zu", p->where,
                            name, chars, max_chars);
    }
    *out = clean;
    return true;
}

static bool is_known(const char *key)
{
    for (size_t i = 0; i < sizeof(known_fields) / sizeof(known_fields[0]); i++) {
        if (strcmp(key, known_fields[i]) == 0)
            return true;
    }
    return false;
}

static char *unknown_list(json_t *obj)
{
    char buf[UNKNOWN_LIST_MAX + QUOTE_MAX * 6 + 8];
    size_t o = 0;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        (void)v;
        if (is_known(key))
            continue;
        if (o > UNKNOWN_LIST_MAX) {
            memcpy(buf + o, ", ...", 6);
            o += 5;
            break;
        }
        char q[QUOTE_MAX * 6];
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", o ? ", " : "",
                              quote(key, strlen(key), q, sizeof(q)));
        if (o >= sizeof(buf))
            o = sizeof(buf) - 1;
    }
    return o ? kb_xstrndup(buf, o) : NULL;
}

bool kb_image_name_valid(const char *name)
{
    static const char *const endings[] = {".png", ".jpg", ".jpeg", ".webp"};
    size_t len = strlen(name);
    if (len == 0 || len > KB_ID_MAX || name[0] == '.' || !kb_id_valid(name))
        return false;
    for (size_t i = 0; i < sizeof(endings) / sizeof(endings[0]); i++) {
        size_t e = strlen(endings[i]);
        if (len > e && strcasecmp(name + len - e, endings[i]) == 0)
            return true;
    }
    return false;
}

/* The fields of a story slide (v1.1). A picture is decoration: a bad image
 * name is warned about and dropped, never a reason to refuse the item. */
static bool parse_story_fields(struct parse *p, struct kb_item *item)
{
    if (!get_display(p, "summary", false, KB_SUMMARY_MAX_BYTES, 0, &item->summary) ||
        !get_display(p, "credit", false, 0, KB_CREDIT_MAX, &item->credit))
        return false;
    if (item->summary != NULL && item->summary[0] == '\0') {
        free(item->summary);
        item->summary = NULL;
    }
    if (item->credit != NULL && item->credit[0] == '\0') {
        free(item->credit);
        item->credit = NULL;
    }
    json_t *v = json_object_get(p->obj, "image");
    if (v == NULL || json_is_null(v))
        return true;
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    if (s != NULL && strlen(s) == json_string_length(v) && kb_image_name_valid(s)) {
        memcpy(item->image, s, strlen(s) + 1);
        return true;
    }
    char q[QUOTE_MAX * 6];
    LOG_WARN_ONCE(p->where,
                  "%s: field \"image\": %s is not a picture name in images/ (A-Z a-z "
                  "0-9 . _ : - ending in .png, .jpg, .jpeg or .webp): shown without it",
                  p->where, s ? quote(s, strlen(s), q, sizeof(q)) : kb_item_json_type(v));
    return true;
}

/* Parses every field into item (whose strings the caller frees on failure). */
static bool parse_fields(struct parse *p, int64_t mtime, struct kb_item *item)
{
    static const char *const kinds[] = {"headline", "quote"};
    static const char *const priorities[] = {"normal", "high", "breaking"};
    static const char *const dirs[] = {"auto", "ltr", "rtl"};
    int kind = KB_KIND_HEADLINE, priority = KB_PRIORITY_NORMAL, dir = KB_ITEM_DIR_AUTO;
    char *source = NULL;
    bool has_published, has_expires;

    if (!get_id(p, "id", true, item->id) ||
        !get_enum(p, "kind", kinds, sizeof(kinds) / sizeof(kinds[0]), &kind) ||
        !get_lang(p, "lang", true, item->lang) ||
        !get_display(p, "text", true, KB_TEXT_MAX_BYTES, 0, &item->text) ||
        !get_display(p, "by", false, 0, KB_BY_MAX, &item->by))
        return false;
    item->kind = (enum kb_item_kind)kind;
    if (item->by != NULL && item->by[0] == '\0') {
        free(item->by);
        item->by = NULL;
    }
    if (item->kind == KB_KIND_QUOTE && item->by == NULL)
        return kb_error_set(p->err, "%s: field \"by\": required for a quote", p->where);

    if (!get_display(p, "source", false, 0, KB_SOURCE_MAX, &source))
        return false;
    if (source != NULL) {
        free(item->source);
        item->source = source;
    }
    char story[KB_ID_MAX + 1];
    if (!get_id(p, "story", false, story))
        return false;
    if (story[0] != '\0') {
        free(item->story);
        item->story = kb_xstrdup(story);
    }
    if (!get_lang(p, "translated_from", false, item->translated_from) ||
        !get_enum(p, "priority", priorities, sizeof(priorities) / sizeof(priorities[0]),
                  &priority) ||
        !get_time(p, "published", &item->published, &has_published) ||
        !get_time(p, "expires", &item->expires, &has_expires) ||
        !get_enum(p, "dir", dirs, sizeof(dirs) / sizeof(dirs[0]), &dir))
        return false;
    item->priority = (enum kb_priority)priority;
    item->dir = (enum kb_item_dir)dir;
    if (!parse_story_fields(p, item))
        return false;
    if (!has_published)
        item->published = mtime;
    if (!has_expires) {
        item->expires = 0;
    } else if (has_published && item->expires < item->published) {
        const char *s = json_string_value(json_object_get(p->obj, "expires"));
        char q[QUOTE_MAX * 6];
        return kb_error_set(p->err, "%s: field \"expires\": %s is before \"published\"", p->where,
                            quote(s, strlen(s), q, sizeof(q)));
    }
    return true;
}

struct kb_item *kb_item_from_json(json_t *obj, const char *where, int64_t mtime,
                                  struct kb_error *err, char **unknown)
{
    if (unknown != NULL)
        *unknown = NULL;
    if (!json_is_object(obj)) {
        kb_error_set(err, "%s: expected an object, got %s", where,
                     obj ? kb_item_json_type(obj) : "nothing");
        return NULL;
    }
    struct kb_item *item = kb_xcalloc(1, sizeof(*item));
    /* Strings held on the heap, at their length: 10,000 items stay small. */
    item->source = kb_xstrdup("");
    item->story = kb_xstrdup("");
    item->file = kb_xstrdup("");
    struct parse p = {.obj = obj, .where = where, .err = err};
    if (!parse_fields(&p, mtime, item)) {
        kb_item_free(item);
        return NULL;
    }
    item->version = 1;
    if (unknown != NULL)
        *unknown = unknown_list(obj);
    return item;
}

void kb_item_free(struct kb_item *item)
{
    if (item == NULL)
        return;
    free(item->text);
    free(item->by);
    free(item->source);
    free(item->story);
    free(item->file);
    free(item->summary);
    free(item->credit);
    free(item);
}

struct kb_item *kb_item_dup(const struct kb_item *item)
{
    struct kb_item *copy = kb_xmalloc(sizeof(*copy));
    *copy = *item;
    copy->text = item->text ? kb_xstrdup(item->text) : NULL;
    copy->by = item->by ? kb_xstrdup(item->by) : NULL;
    copy->source = kb_xstrdup(item->source);
    copy->story = kb_xstrdup(item->story);
    copy->file = kb_xstrdup(item->file);
    copy->summary = item->summary ? kb_xstrdup(item->summary) : NULL;
    copy->credit = item->credit ? kb_xstrdup(item->credit) : NULL;
    return copy;
}

static bool str_eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

bool kb_item_same_content(const struct kb_item *a, const struct kb_item *b)
{
    return strcmp(a->id, b->id) == 0 && a->kind == b->kind && strcmp(a->lang, b->lang) == 0 &&
           str_eq(a->text, b->text) && str_eq(a->by, b->by) && strcmp(a->source, b->source) == 0 &&
           strcmp(a->story, b->story) == 0 && strcmp(a->translated_from, b->translated_from) == 0 &&
           a->priority == b->priority && a->published == b->published && a->expires == b->expires &&
           a->dir == b->dir && str_eq(a->summary, b->summary) && str_eq(a->credit, b->credit) &&
           strcmp(a->image, b->image) == 0;
}
