#define LOG_MODULE "spool"

#include "spool/parse.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/log.h"
#include "core/utf8.h"
#include "core/xmalloc.h"
#include "spool/item.h"
#include "spool/map.h"

/* A key name quoted in an error line is cut to this many bytes. */
#define KEY_MAX 32

/* ---- the scan before jansson ---- */

/* Where a byte offset lies: line and column (1-based; columns count code
 * points, as jansson's do) and, if inside a string that is the value of an
 * object member, that member's name. The walk also bounds nesting, so a
 * file of 10,000 '[' is refused before jansson recurses into it. */
struct walk {
    int line, col;
    int depth;
    bool in_string, escape, after_colon, string_is_value;
    size_t string_start;
    char key[KEY_MAX + 1];      /* the last object member name seen */
    char value_of[KEY_MAX + 1]; /* the member the current string is the value of */
};

static void copy_key(char *dst, const char *s, size_t n)
{
    if (n > KEY_MAX)
        n = KEY_MAX;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* Walks buf[0..upto); stops early (returning the offset) where nesting
 * passes KB_JSON_DEPTH_MAX. Returns upto otherwise. */
static size_t walk(const char *buf, size_t upto, struct walk *w)
{
    memset(w, 0, sizeof(*w));
    w->line = 1;
    size_t last_string = 0, last_string_len = 0;
    for (size_t i = 0; i < upto; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '\n') {
            w->line++;
            w->col = 0;
        } else if ((c & 0xc0) != 0x80) {
            w->col++;
        }
        if (w->in_string) {
            if (w->escape)
                w->escape = false;
            else if (c == '\\')
                w->escape = true;
            else if (c == '"') {
                w->in_string = false;
                last_string = w->string_start;
                last_string_len = i - w->string_start;
            }
            continue;
        }
        switch (c) {
        case '"':
            w->in_string = true;
            w->string_start = i + 1;
            w->string_is_value = w->after_colon;
            if (w->after_colon)
                memcpy(w->value_of, w->key, sizeof(w->key));
            w->after_colon = false;
            break;
        case ':':
            copy_key(w->key, buf + last_string, last_string_len);
            w->after_colon = true;
            break;
        case '{':
        case '[':
            if (++w->depth > KB_JSON_DEPTH_MAX)
                return i;
            w->after_colon = false;
            break;
        case '}':
        case ']':
            w->depth--;
            w->after_colon = false;
            break;
        case ',':
            w->after_colon = false;
            break;
        default:
            break;
        }
    }
    return upto;
}

static bool is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool prescan(const char *buf, size_t len, const char *where, struct kb_error *err)
{
    size_t i = 0;
    while (i < len && is_json_space(buf[i]))
        i++;
    if (i == len)
        return kb_error_set(err, "%s: empty file", where);
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        return kb_error_set(err,
                            "%s:1:1: starts with a UTF-8 byte order mark (BOM); save the file "
                            "without one",
                            where);

    struct walk w;
    size_t bad = 0;
    if (!kb_utf8_validate(buf, len, &bad)) {
        /* Up to the bad byte, which is a character of its own (a lone
         * continuation byte included): its column is the next one. */
        walk(buf, bad, &w);
        const char *what = buf[bad] == '\0' ? "NUL byte" : "invalid UTF-8";
        if (w.in_string && w.string_is_value && w.value_of[0] != '\0')
            return kb_error_set(err, "%s: field \"%s\": %s at byte %zu", where, w.value_of, what,
                                bad);
        return kb_error_set(err, "%s:%d:%d: %s at byte %zu", where, w.line, w.col + 1, what, bad);
    }
    size_t stop = walk(buf, len, &w);
    if (stop < len)
        return kb_error_set(err, "%s:%d:%d: nested more than %d levels deep", where, w.line, w.col,
                            KB_JSON_DEPTH_MAX);
    return true;
}

/* ---- structure ---- */

static void free_items(struct kb_item **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kb_item_free(items[i]);
    free(items);
}

/* Adds the names in list (", "-separated) not yet in *all. */
static void merge_unknown(char **all, char *list)
{
    if (list == NULL)
        return;
    if (*all == NULL) {
        *all = list;
        return;
    }
    char *save = NULL;
    for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        while (*name == ' ')
            name++;
        if (strstr(*all, name) == NULL && strlen(*all) < 400) {
            char *joined = kb_xasprintf("%s, %s", *all, name);
            free(*all);
            *all = joined;
        }
    }
    free(list);
}

/* Copies in to out (size bytes) leaving out any byte that is not part of
 * a whole UTF-8 sequence: jansson's excerpt ("near '...'") is cut at a byte
 * count, and may end inside a character or hold the bad bytes themselves. */
static void whole_utf8(const char *in, char *out, size_t size)
{
    size_t len = strlen(in), o = 0, i = 0;
    while (i < len && o + 4 < size) {
        unsigned char c = (unsigned char)in[i];
        size_t n = c < 0x80             ? 1
                   : (c & 0xe0) == 0xc0 ? 2
                   : (c & 0xf0) == 0xe0 ? 3
                   : (c & 0xf8) == 0xf0 ? 4
                                        : 0;
        size_t bad = 0;
        if (n == 0 || i + n > len || !kb_utf8_validate(in + i, n, &bad)) {
            i++;
            continue;
        }
        memcpy(out + o, in + i, n);
        o += n;
        i += n;
    }
    out[o] = '\0';
}

/* Rewrites the jansson message that names its own API flag rather than
 * the problem; the rest ("near '...'") stays, in whole characters. */
static const char *syntax_message(const char *text, char *buf, size_t size)
{
    static const char nul[] = "\\u0000 is not allowed without JSON_ALLOW_NUL";
    char tmp[JSON_ERROR_TEXT_LENGTH + 64];
    if (strncmp(text, nul, sizeof(nul) - 1) == 0) {
        snprintf(tmp, sizeof(tmp), "\\u0000 (NUL) is not allowed in a string%s",
                 text + sizeof(nul) - 1);
        text = tmp;
    }
    whole_utf8(text, buf, size);
    return buf;
}

/* A number jansson refuses to hold: an integer beyond 64 bits or a real
 * beyond a double ("too big integer", "real number overflow"). */
static bool number_overflows(const char *s, size_t n)
{
    char tok[512];
    if (n >= sizeof(tok))
        return true;
    memcpy(tok, s, n);
    tok[n] = '\0';
    errno = 0;
    if (strpbrk(tok, ".eE") != NULL) {
        double v = strtod(tok, NULL);
        return errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL);
    }
    (void)strtoll(tok, NULL, 10);
    return errno == ERANGE;
}

/* kabar reads no number, and a field it does not read must never break an
 * item (docs/spool.md): each number jansson would refuse becomes a 0 of
 * the same length ("0.000"), so every line and column stays where it was.
 * Returns a copy when it changed something, NULL otherwise. */
static char *tame_numbers(const char *buf, size_t len)
{
    char *copy = NULL;
    bool in_string = false, escape = false;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_string) {
            if (escape)
                escape = false;
            else if (c == '\\')
                escape = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
            continue;
        }
        if (c != '-' && (c < '0' || c > '9'))
            continue;
        size_t j = i;
        while (j < len && strchr("+-0123456789.eE", buf[j]) != NULL)
            j++;
        if (j - i >= 4 && number_overflows(buf + i, j - i)) {
            if (copy == NULL)
                copy = kb_xstrndup(buf, len);
            memcpy(copy + i, "0.", 2);
            memset(copy + i + 2, '0', j - i - 2);
        }
        i = j - 1;
    }
    return copy;
}

static bool parse_bundle(json_t *root, json_t *array, const char *where, int64_t mtime,
                         size_t max_items, char **unknown, struct kb_item ***out, size_t *nout,
                         struct kb_error *err)
{
    size_t count = json_array_size(array);
    if (count > max_items)
        return kb_error_set(err, "%s: field \"items\": %zu items, more than the limit of %zu",
                            where, count, max_items);
    struct kb_item **items = kb_xcalloc(count ? count : 1, sizeof(*items));
    struct kb_map ids;
    kb_map_init(&ids);
    size_t n = 0;
    bool ok = true;

    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        (void)v;
        if (strcmp(key, "items") != 0)
            merge_unknown(unknown, kb_xasprintf("\"%.*s\"", KEY_MAX, key));
    }

    for (size_t i = 0; i < count && ok; i++) {
        char item_where[KB_ERROR_MAX];
        snprintf(item_where, sizeof(item_where), "%s: items[%zu]", where, i);
        char *item_unknown = NULL;
        struct kb_item *item =
            kb_item_from_json(json_array_get(array, i), item_where, mtime, err, &item_unknown);
        if (item == NULL) {
            ok = false;
            break;
        }
        merge_unknown(unknown, item_unknown);
        void *prev = kb_map_get(&ids, item->id);
        if (prev != NULL) {
            kb_error_set(err, "%s: field \"id\": \"%s\" is already used by items[%zu]", item_where,
                         item->id, (size_t)(uintptr_t)prev - 1);
            kb_item_free(item);
            ok = false;
            break;
        }
        items[n++] = item;
        kb_map_put(&ids, item->id, (void *)(uintptr_t)(i + 1));
    }
    kb_map_release(&ids);
    if (!ok) {
        free_items(items, n);
        return false;
    }
    *out = items;
    *nout = n;
    return true;
}

bool kb_spool_parse(const char *buf, size_t len, const char *where, int64_t mtime, size_t max_items,
                    const char *log_key, struct kb_item ***items, size_t *n, struct kb_error *err)
{
    *items = NULL;
    *n = 0;
    if (!prescan(buf, len, where, err))
        return false;

    json_error_t jerr;
    char *tamed = tame_numbers(buf, len);
    /* Any JSON value, so that one of the wrong type is named as such
     * rather than reported as a syntax error. */
    json_t *root = json_loadb(tamed != NULL ? tamed : buf, len,
                              JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    free(tamed);
    if (root == NULL) {
        char text[JSON_ERROR_TEXT_LENGTH + 64];
        return kb_error_set(err, "%s:%d:%d: %s", where, jerr.line, jerr.column,
                            syntax_message(jerr.text, text, sizeof(text)));
    }

    bool ok = false;
    char *unknown = NULL;
    if (!json_is_object(root)) {
        kb_error_set(err, "%s: an item is a JSON object; this is %s", where,
                     kb_item_json_type(root));
        goto done;
    }
    json_t *array = json_object_get(root, "items");
    if (array != NULL) {
        if (!json_is_array(array)) {
            kb_error_set(err, "%s: field \"items\": expected an array, got %s", where,
                         kb_item_json_type(array));
            goto done;
        }
        ok = parse_bundle(root, array, where, mtime, max_items, &unknown, items, n, err);
    } else {
        struct kb_item *item = kb_item_from_json(root, where, mtime, err, &unknown);
        if (item != NULL) {
            *items = kb_xmalloc(sizeof(**items));
            (*items)[0] = item;
            *n = 1;
            ok = true;
        }
    }
    if (ok && unknown != NULL && log_key != NULL)
        LOG_WARN_ONCE(log_key, "%s: unknown fields ignored: %s", where, unknown);
done:
    free(unknown);
    json_decref(root);
    return ok;
}
