#include "feed/map.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed/text.h"
#include "core/date.h"
#include "core/limits.h"
#include "core/utf8.h"
#include "core/xmalloc.h"
#include "spool/item.h"

/* Between a title and its summary with --with-summary. */
#define SUMMARY_SEPARATOR " \xe2\x80\x94 "
/* An entry dated this far ahead of now is taken as undated (a wrong clock
 * or a typo would otherwise pin it to the top of the rotation). */
#define FUTURE_SLACK_S 86400

char *kb_feed_entry_key(const struct kb_feed_entry *e)
{
    if (e->guid != NULL)
        return kb_xstrdup(e->guid);
    if (e->link != NULL)
        return kb_xstrdup(e->link);
    /* Neither: what it has, its title and date (two entries with one title
     * on different days are two entries); the summary when it has no title. */
    if (e->title != NULL || e->summary != NULL)
        return kb_xasprintf("%s\n%s\n%s", e->title ? e->title : "", e->title ? "" : e->summary,
                            e->date ? e->date : "");
    return NULL;
}

void kb_feed_file_prefix(const char *url, char out[KB_FEED_FILE_NAME_MAX])
{
    snprintf(out, KB_FEED_FILE_NAME_MAX, "feed-%08" PRIx32 "-",
             (uint32_t)(kb_feed_hash(url, NULL) >> 32));
}

void kb_feed_file_name(const char *url, const char *key, char out[KB_FEED_FILE_NAME_MAX])
{
    snprintf(out, KB_FEED_FILE_NAME_MAX, "feed-%08" PRIx32 "-%016" PRIx64 ".json",
             (uint32_t)(kb_feed_hash(url, NULL) >> 32), kb_feed_hash(url, key));
}

/* Validated, cleaned text (NULL when s is NULL or holds no text). */
static char *clean(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t len = strlen(s);
    if (!kb_utf8_validate(s, len, NULL))
        return NULL;
    size_t out_len;
    char *c = kb_text_clean(s, len, &out_len);
    if (out_len == 0) {
        free(c);
        return NULL;
    }
    return c;
}

/* Cleaned text cut to max bytes. Cleaning may add bytes (it closes
 * unterminated bidi embeddings), so cut, clean again and check. */
static char *clean_cut(char *text, size_t max)
{
    size_t room = max;
    for (int tries = 0; tries < 4; tries++) {
        if (strlen(text) <= max)
            return text;
        room = room > 64 ? room - 64 : room / 2;
        kb_feed_truncate_utf8(text, room);
        char *again = clean(text);
        free(text);
        if (again == NULL)
            return NULL;
        text = again;
    }
    if (strlen(text) <= max)
        return text;
    free(text);
    return NULL;
}

/* *sp (malloc'd) cut to at most max code points, "…" as the last one when
 * cut; *sp may move. */
static void truncate_chars(char **sp, size_t max)
{
    char *s = *sp;
    size_t len = strlen(s), i = 0, count = 0;
    while (i < len && count < max - 1) {
        kb_utf8_next(s, len, &i);
        count++;
    }
    if (i >= len)
        return;
    size_t j = i;
    kb_utf8_next(s, len, &j);
    if (j >= len)
        return; /* exactly max */
    s = kb_xrealloc(s, i + 4);
    memcpy(s + i, "\xe2\x80\xa6", 4);
    *sp = s;
}

/* A language tag as feeds write it ("en-us", " fr ", "en_GB") made a BCP 47
 * tag, or NULL if it is none. */
static char *lang_tag(const char *s)
{
    if (s == NULL)
        return NULL;
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0 || n > KB_LANG_MAX)
        return NULL;
    char *tag = kb_xstrndup(s, n);
    for (char *p = tag; *p; p++) {
        if (*p == '_')
            *p = '-';
    }
    if (!kb_lang_tag_valid(tag)) {
        free(tag);
        return NULL;
    }
    return tag;
}

static char *entry_text(const struct kb_feed_map_opts *o, const struct kb_feed_entry *e)
{
    char *title = clean(e->title);
    char *summary = clean(e->summary);
    char *text;
    if (title == NULL) {
        /* RSS allows an item with a description and no title. */
        text = summary;
        summary = NULL;
    } else if (o->with_summary && summary != NULL && strncmp(summary, title, strlen(title)) != 0) {
        /* A summary that only repeats the title adds nothing. */
        text = kb_xasprintf("%s" SUMMARY_SEPARATOR "%s", title, summary);
        free(title);
    } else {
        text = title;
    }
    free(summary);
    return text != NULL ? clean_cut(text, KB_TEXT_MAX_BYTES) : NULL;
}

/* Sentences a story slide's summary keeps (SPOOL-FORMAT.md: two to four). */
#define SUMMARY_SENTENCES 4

/* The length of s's first byte run that ends a sentence at i, or 0: ". ",
 * "! ", "? " and the Arabic "؟ " and Devanagari "। " followed by a space
 * (or the end), the CJK "。！？" by themselves. */
static size_t sentence_end(const char *s, size_t i)
{
    static const char *const spaced[] = {".", "!", "?", "\xd8\x9f", "\xe0\xa5\xa4"};
    static const char *const bare[] = {"\xe3\x80\x82", "\xef\xbc\x81", "\xef\xbc\x9f"};
    for (size_t k = 0; k < sizeof(spaced) / sizeof(spaced[0]); k++) {
        size_t n = strlen(spaced[k]);
        if (strncmp(s + i, spaced[k], n) == 0 && (s[i + n] == ' ' || s[i + n] == '\0'))
            return n;
    }
    for (size_t k = 0; k < sizeof(bare) / sizeof(bare[0]); k++) {
        if (strncmp(s + i, bare[k], 3) == 0)
            return 3;
    }
    return 0;
}

/* A story slide's summary (cleaned s, owned) cut to its first
 * SUMMARY_SENTENCES sentences and KB_SUMMARY_MAX_BYTES: at the last
 * sentence end that fits, else at a code point with "…". */
static char *cut_summary(char *s)
{
    size_t count = 0, last_fit = 0;
    for (size_t i = 0; s[i] != '\0'; i++) {
        size_t n = sentence_end(s, i);
        if (n == 0)
            continue;
        if (i + n > KB_SUMMARY_MAX_BYTES)
            break;
        last_fit = i + n;
        if (++count == SUMMARY_SENTENCES)
            break;
    }
    if (count == SUMMARY_SENTENCES || (strlen(s) > KB_SUMMARY_MAX_BYTES && last_fit > 0))
        s[last_fit] = '\0';
    return clean_cut(s, KB_SUMMARY_MAX_BYTES);
}

/* The summary of a story slide: the entry's description, unless it is the
 * item's text already (no title, or --with-summary) or only repeats the
 * title. NULL for none. */
static char *entry_summary(const struct kb_feed_map_opts *o, const struct kb_feed_entry *e)
{
    if (o->with_summary)
        return NULL;
    char *title = clean(e->title);
    char *summary = title != NULL ? clean(e->summary) : NULL;
    if (summary != NULL && strncmp(summary, title, strlen(summary)) == 0) {
        free(summary);
        summary = NULL;
    }
    free(title);
    return summary != NULL ? cut_summary(summary) : NULL;
}

static char *source_label(const struct kb_feed_map_opts *o, const struct kb_feed_doc *doc)
{
    char *label = clean(o->source);
    if (label == NULL && o->source == NULL)
        label = clean(doc->title);
    if (label == NULL) {
        char host[256];
        if (kb_feed_url_host(o->url, host, sizeof(host)))
            label = clean(host);
    }
    if (label != NULL)
        truncate_chars(&label, KB_SOURCE_MAX);
    return label;
}

json_t *kb_feed_map_entry(const struct kb_feed_map_opts *o, const struct kb_feed_doc *doc,
                          const struct kb_feed_entry *e, const char *key, const char *where,
                          int64_t now, int64_t fallback, int64_t *published_out,
                          int64_t *expires_out, struct kb_error *err)
{
    if (key == NULL) {
        kb_error_set(err, "%s: no guid, id, link, title or summary to know it by", where);
        return NULL;
    }
    char *lang = lang_tag(e->lang);
    if (lang == NULL)
        lang = lang_tag(doc->lang);
    if (lang == NULL)
        lang = lang_tag(o->lang);
    if (lang == NULL) {
        const char *named = e->lang ? e->lang : doc->lang;
        if (named != NULL)
            kb_error_set(err,
                         "%s: field \"lang\": the feed's \"%.64s\" is not a BCP 47 tag "
                         "and no --lang was given",
                         where, named);
        else
            kb_error_set(err, "%s: field \"lang\": the feed names no language; give --lang", where);
        return NULL;
    }

    int64_t published = fallback;
    if (e->has_published && e->published <= now + FUTURE_SLACK_S)
        published = e->published;
    int64_t expires = o->ttl_s > 0 ? published + (int64_t)o->ttl_s : 0;

    char id[KB_ID_MAX + 1];
    snprintf(id, sizeof(id), "%s-%016" PRIx64, o->prefix, kb_feed_hash(o->url, key));
    char stamp[32];
    json_t *obj = json_object();
    json_object_set_new(obj, "id", json_string(id));
    json_object_set_new(obj, "lang", json_string(lang));
    free(lang);
    char *text = entry_text(o, e);
    /* An empty text is left in for kb_item_from_json to name the field. */
    json_object_set_new(obj, "text", json_string(text != NULL ? text : ""));
    free(text);
    char *summary = entry_summary(o, e);
    if (summary != NULL)
        json_object_set_new(obj, "summary", json_string(summary));
    free(summary);
    /* The credit goes with a picture: feed/images.h drops it when the
     * picture cannot be had. */
    char *credit = e->image != NULL ? clean(e->credit) : NULL;
    if (credit != NULL) {
        truncate_chars(&credit, KB_CREDIT_MAX);
        json_object_set_new(obj, "credit", json_string(credit));
    }
    free(credit);
    char *source = source_label(o, doc);
    if (source != NULL)
        json_object_set_new(obj, "source", json_string(source));
    free(source);
    kb_date_format_rfc3339(published, stamp);
    json_object_set_new(obj, "published", json_string(stamp));
    if (expires != 0) {
        kb_date_format_rfc3339(expires, stamp);
        json_object_set_new(obj, "expires", json_string(stamp));
    }

    char *unknown = NULL;
    struct kb_item *item = kb_item_from_json(obj, where, now, err, &unknown);
    free(unknown);
    if (item == NULL) {
        json_decref(obj);
        return NULL;
    }
    kb_item_free(item);
    *published_out = published;
    *expires_out = expires;
    return obj;
}
