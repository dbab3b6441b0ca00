/* One feed followed by `kabar feed`: a fetch, and the spool brought in line
 * with what it says. */
#include "feed/feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#define LOG_MODULE "feed"
#include "core/clock.h"
#include "core/date.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "feed/fetch.h"
#include "feed/map.h"
#include "feed/parse.h"
#include "feed/store.h"
#include "feed/text.h"
#include "spool/item.h"
#include "spool/put.h"

void kb_feed_follow_init(struct kb_feed_follow *ff, const struct kb_feed_source *src)
{
    memset(ff, 0, sizeof(*ff));
    ff->src = src;
    char host[256];
    if (!(src->source != NULL && kb_feed_slug(src->source, ff->prefix)) &&
        !(src->name != NULL && kb_feed_slug(src->name, ff->prefix)) &&
        !(kb_feed_url_host(src->url, host, sizeof(host)) && kb_feed_slug(host, ff->prefix)))
        snprintf(ff->prefix, sizeof(ff->prefix), "feed");
    kb_feed_file_prefix(src->url, ff->file_prefix);
}

void kb_feed_follow_free(struct kb_feed_follow *ff)
{
    kb_feed_state_free(&ff->state);
    kb_feed_images_free(ff->images);
    ff->images = NULL;
}

/* Orders entries newest first; undated ones count as newest, in document
 * order (they are dated "now" when first seen). */
struct order {
    const struct kb_feed_entry *e;
};

static int cmp_newest(const void *a, const void *b)
{
    const struct kb_feed_entry *x = ((const struct order *)a)->e;
    const struct kb_feed_entry *y = ((const struct order *)b)->e;
    if (x->has_published != y->has_published)
        return x->has_published ? 1 : -1;
    if (x->has_published && x->published != y->published)
        return x->published > y->published ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool doc_has_language(const struct kb_feed_source *f, const struct kb_feed_doc *doc)
{
    if (f->lang != NULL || doc->lang != NULL)
        return true;
    for (size_t i = 0; i < doc->n; i++) {
        if (doc->entries[i].lang != NULL)
            return true;
    }
    return doc->n == 0;
}

static int64_t published_on_disk(const char *buf, size_t len)
{
    json_t *obj = json_loadb(buf, len, 0, NULL);
    const char *s = json_string_value(json_object_get(obj, "published"));
    int64_t t = 0;
    if (s == NULL || !kb_date_parse_rfc3339(s, &t))
        t = 0;
    json_decref(obj);
    return t;
}

struct tally {
    size_t written, unchanged, bad, expired, retracted;
};

/* One document being applied to the spool. */
struct apply {
    const char *spool;
    const struct kb_feed_follow *ff;
    const struct kb_feed_doc *doc;
    struct kb_feed_map_opts mo;
    int64_t now;
    char **seen, **keep; /* file names: met in this document, in the spool now */
    size_t n_seen, n_keep;
    struct tally *t;
    struct kb_feed_images **images; /* NULL: pictures are off for this feed */
    struct kb_feed_image_opts io;
    int budget; /* downloads of pictures this update may still make */
};

/* Where an entry is, for messages: its url, index and guid or link. */
static char *entry_where(const char *url, const struct kb_feed_entry *e)
{
    char *where = kb_xasprintf("feed %s: entry %zu (\"%.80s\")", url, e->index,
                               e->guid   ? e->guid
                               : e->link ? e->link
                                         : "no guid");
    where[strcspn(where, "\n")] = '\0';
    return where;
}

/* Writes obj as the file name; false (err set) when the spool cannot be
 * written. */
static bool put_item(struct apply *a, const char *name, json_t *obj, struct kb_error *err)
{
    char *text = json_dumps(obj, JSON_INDENT(2));
    char *data = kb_xasprintf("%s\n", text);
    free(text);
    bool ok = true;
    switch (kb_spool_put(a->spool, KB_FEED_WRITE_TAG, name, data, strlen(data), err)) {
    case KB_SPOOL_PUT_WRITTEN:
        a->t->written++;
        a->keep[a->n_keep++] = kb_xstrdup(name);
        break;
    case KB_SPOOL_PUT_UNCHANGED:
        a->t->unchanged++;
        a->keep[a->n_keep++] = kb_xstrdup(name);
        break;
    case KB_SPOOL_PUT_FAILED:
        ok = false;
        break;
    }
    free(data);
    return ok;
}

/* Maps one entry, known by key and called name in the spool, to its item
 * and writes it. */
static bool apply_known(struct apply *a, const struct kb_feed_entry *e, const char *key,
                        const char *name, const char *where, struct kb_error *err)
{
    size_t old_len = 0;
    char *old = kb_feed_store_read(a->spool, name, &old_len);
    int64_t fallback = old != NULL ? published_on_disk(old, old_len) : 0;
    int64_t published, expires;
    struct kb_error merr;
    json_t *obj = kb_feed_map_entry(&a->mo, a->doc, e, key, where, a->now,
                                    fallback ? fallback : a->now, &published, &expires, &merr);
    bool ok = true;
    if (obj == NULL) {
        /* Its last good item (if any) stays: the entry is still in the feed. */
        LOG_ERR_ONCE(name, "%s", merr.msg);
        a->t->bad++;
        if (old != NULL)
            a->keep[a->n_keep++] = kb_xstrdup(name);
    } else if (expires != 0 && expires <= a->now) {
        a->t->expired++; /* the ticker would drop it at once: not written, and retracted */
    } else {
        if (a->images != NULL)
            kb_feed_image_attach(a->images, &a->io, e, obj, &a->budget);
        else
            json_object_del(obj, "credit");
        ok = put_item(a, name, obj, err);
    }
    json_decref(obj);
    free(old);
    return ok;
}

/* One entry: named, checked against the entries before it, then written.
 * False (err set) only when the spool cannot be written. */
static bool apply_entry(struct apply *a, const struct kb_feed_entry *e, struct kb_error *err)
{
    const char *url = a->ff->src->url;
    char *key = kb_feed_entry_key(e);
    char *where = entry_where(url, e);
    bool ok = true;
    if (key == NULL) {
        struct kb_error merr;
        kb_error_set(&merr, "%s: no guid, id, link, title or summary to know it by", where);
        LOG_ERR_ONCE(url, "%s", merr.msg);
        a->t->bad++;
    } else {
        char name[KB_FEED_FILE_NAME_MAX];
        kb_feed_file_name(url, key, name);
        bool dup = false;
        for (size_t j = 0; j < a->n_seen && !dup; j++)
            dup = strcmp(a->seen[j], name) == 0;
        if (dup) {
            LOG_WARN_ONCE(name, "%s: the same guid as an entry before it: skipped", where);
            a->t->bad++;
        } else {
            a->seen[a->n_seen++] = kb_xstrdup(name);
            ok = apply_known(a, e, key, name, where, err);
        }
    }
    free(key);
    free(where);
    return ok;
}

/* Writes the items of doc and retracts what left it. Fails only when the
 * spool cannot be written: a bad entry is logged and skipped. On success
 * the names now in the spool are in *keep (sorted; caller frees). */
static bool apply_doc(const struct kb_feed_options *o, struct kb_feed_follow *ff,
                      volatile sig_atomic_t *stop, const struct kb_feed_doc *doc, char ***keep_out,
                      size_t *n_keep_out, struct tally *t, struct kb_error *err)
{
    const char *spool = o->spool;
    const struct kb_feed_source *f = ff->src;
    int64_t now = (int64_t)time(NULL);
    if (!doc_has_language(f, doc))
        return kb_error_set(err, "the feed names no language (RSS <language>, xml:lang, JSON "
                                 "Feed \"language\"): give --lang or lang =");
    struct order *order = kb_xcalloc(doc->n ? doc->n : 1, sizeof(*order));
    for (size_t i = 0; i < doc->n; i++)
        order[i].e = &doc->entries[i];
    qsort(order, doc->n, sizeof(*order), cmp_newest);
    size_t take = doc->n < (size_t)f->max ? doc->n : (size_t)f->max;

    struct apply a = {spool,
                      ff,
                      doc,
                      {f->url, ff->prefix, f->lang, f->source, f->ttl_s, f->with_summary},
                      now,
                      kb_xcalloc(take ? take : 1, sizeof(char *)),
                      kb_xcalloc(take ? take : 1, sizeof(char *)),
                      0,
                      0,
                      t,
                      o->no_images || f->no_images ? NULL : &ff->images,
                      {spool, f->url, o->connect_timeout_s, o->timeout_s, stop},
                      KB_FEED_IMAGES_PER_UPDATE};
    bool ok = true;
    for (size_t i = 0; i < take && ok; i++)
        ok = apply_entry(&a, order[i].e, err);
    for (size_t j = 0; j < a.n_seen; j++)
        free(a.seen[j]);
    free(a.seen);
    free(order);
    qsort(a.keep, a.n_keep, sizeof(*a.keep), cmp_str);
    if (ok) {
        size_t failed = 0;
        t->retracted = kb_feed_store_retract(spool, ff->file_prefix, a.keep, a.n_keep, f->keep_gone,
                                             now, &failed);
        if (failed > 0)
            LOG_WARN("feed %s: %zu items could not be retracted (permissions?)", f->url, failed);
    }
    *keep_out = a.keep;
    *n_keep_out = a.n_keep;
    return ok;
}

/* One fetch of f, and the spool brought in line with it. False (err set)
 * when the feed failed: its items in the spool are left as they are. */
bool kb_feed_update(const struct kb_feed_options *o, struct kb_feed_follow *ff,
                    volatile sig_atomic_t *stop, struct kb_error *err)
{
    const struct kb_feed_source *f = ff->src;
    const char *spool = o->spool;
    if (!ff->state_loaded) {
        kb_feed_state_load(spool, ff->file_prefix, f->url, &ff->state);
        kb_feed_images_seed(&ff->images, ff->state.images, ff->state.n_images);
        ff->state_loaded = true;
    }
    /* A 304 says "what you have is current": only true if the files written
     * at the last good fetch are all still there and were made with the
     * settings in force now (a new --max or ttl must reach the spool). */
    char *settings = kb_xasprintf("max=%ld ttl=%.3f summary=%d keep=%d images=%d lang=%s source=%s "
                                  "prefix=%s",
                                  f->max, f->ttl_s, f->with_summary, f->keep_gone,
                                  !(o->no_images || f->no_images), f->lang ? f->lang : "",
                                  f->source ? f->source : "", ff->prefix);
    bool conditional = (ff->state.etag != NULL || ff->state.last_modified != NULL) &&
                       ff->state.settings != NULL && strcmp(ff->state.settings, settings) == 0 &&
                       kb_feed_state_files_present(spool, &ff->state);
    struct kb_feed_fetch_opts fo = {f->url,
                                    conditional ? ff->state.etag : NULL,
                                    conditional ? ff->state.last_modified : NULL,
                                    o->connect_timeout_s,
                                    o->timeout_s,
                                    KB_FEED_BODY_MAX,
                                    stop,
                                    NULL};
    struct kb_feed_response res;
    enum kb_feed_fetch_result got = kb_feed_fetch(&fo, &res, err);
    if (got == KB_FEED_FETCH_FAILED) {
        free(settings);
        return false;
    }
    if (got == KB_FEED_NOT_MODIFIED) {
        kb_feed_response_free(&res);
        free(settings);
        if (!conditional)
            return kb_error_set(err, "HTTP 304 to a request without validators");
        LOG_DBG("feed %s: not modified", f->url);
        return true;
    }
    struct kb_feed_doc doc;
    double t0 = kb_clock_mono();
    if (!kb_feed_parse(res.body, res.len, res.content_type, KB_FEED_ENTRIES_MAX, &doc, err)) {
        kb_feed_response_free(&res);
        free(settings);
        return false;
    }
    kb_feed_resolve_links(&doc, res.url != NULL ? res.url : f->url);
    if (doc.dropped > 0)
        LOG_WARN_ONCE(f->url, "feed %s: more than %d entries; the rest are ignored", f->url,
                      KB_FEED_ENTRIES_MAX);
    char **keep = NULL;
    size_t n_keep = 0;
    struct tally t = {0};
    bool ok = apply_doc(o, ff, stop, &doc, &keep, &n_keep, &t, err);
    if (ok) {
        kb_feed_state_free(&ff->state);
        ff->state.etag = res.etag;
        ff->state.last_modified = res.last_modified;
        res.etag = res.last_modified = NULL;
        ff->state.files = keep;
        ff->state.n_files = n_keep;
        ff->state.settings = settings;
        ff->state.n_images = kb_feed_images_export(ff->images, &ff->state.images);
        settings = NULL;
        keep = NULL;
        struct kb_error serr;
        if (!kb_feed_state_save(spool, ff->file_prefix, f->url, &ff->state, &serr))
            LOG_WARN_ONCE(f->url, "feed %s: cannot save its state: %s", f->url, serr.msg);
        /* Said once per feed and kind of repair, not at every fetch. */
        if (doc.repairs != NULL)
            kb_log_once(f->url, KB_LOG_INFO, LOG_MODULE, "feed %s: repaired: %s", f->url,
                        doc.repairs);
        if (t.expired > 0 && t.written + t.unchanged == 0)
            kb_log_once(f->url, KB_LOG_INFO, LOG_MODULE,
                        "feed %s: %zu entries older than ttl %.0f%s, none written", f->url,
                        t.expired, f->ttl_s >= 3600 ? f->ttl_s / 3600 : f->ttl_s / 60,
                        f->ttl_s >= 3600 ? "h" : "m");
        enum kb_log_level level = t.written + t.retracted > 0 ? KB_LOG_INFO : KB_LOG_DEBUG;
        kb_log(level, LOG_MODULE,
               "feed %s: %s, %zu entries: %zu written, %zu unchanged, %zu bad, %zu expired, %zu "
               "retracted (%.0f ms)",
               f->url, kb_feed_format_name(doc.format), doc.n, t.written, t.unchanged, t.bad,
               t.expired, t.retracted, (kb_clock_mono() - t0) * 1000);
    }
    for (size_t i = 0; keep != NULL && i < n_keep; i++)
        free(keep[i]);
    free(keep);
    free(settings);
    kb_feed_doc_free(&doc);
    kb_feed_response_free(&res);
    return ok;
}
