#include "feed/feed.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#define LOG_MODULE "feed"
#include "feed/fetch.h"
#include "core/ini.h"
#include "cli/usage.h"
#include "core/limits.h"
#include "feed/map.h"
#include "feed/parse.h"
#include "feed/store.h"
#include "feed/text.h"
#include "core/date.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "spool/item.h"

const char kb_feed_usage[] =
    "usage: kabar feed --url URL --spool DIR [--lang TAG] [--source NAME]\n"
    "                  [--every 5m | --once] [--max N] [--ttl 24h] [--with-summary]\n"
    "                  [--keep-gone] [--config FILE] [--timeout 30s] [--connect-timeout 10s]\n"
    "                  [--retry 30s] [--retry-max 30m] [--no-jitter] [--log-level LEVEL]\n"
    "\n"
    "Follows RSS, Atom and JSON Feed documents and keeps their entries in the spool as\n"
    "items. --config FILE adds its [feed NAME] sections (keys url, lang, source, every,\n"
    "max, ttl, with_summary, keep_gone) and takes the spool from its [spool] spool key.\n"
    "\n"
    "  --url URL          an http:// or https:// feed\n"
    "  --spool DIR        the spool folder (created if missing)\n"
    "  --lang TAG         the language when the feed names none\n"
    "  --source NAME      the source label and id prefix (default: the feed's title / host)\n"
    "  --every D          fetch again after D (default 5m; D as 500ms, 30s, 5m, 2h, 1d)\n"
    "  --once             fetch each feed once and exit (1 if one failed)\n"
    "  --max N            write at most the N newest entries (default 100)\n"
    "  --ttl D            items expire D after they were published (default 24h; 0: never)\n"
    "  --with-summary     text = title — summary\n"
    "  --keep-gone        keep the items of entries that leave the feed\n"
    "  --timeout D, --connect-timeout D    for one fetch (defaults 30s, 10s)\n"
    "  --retry D, --retry-max D    backoff after a failure: D, doubling up to the max\n"
    "  --no-jitter        no random spread of the backoff (tests)\n"
    "\n"
    "Docs: docs/feeds.md.\n";

#define DEFAULT_EVERY_S 300.0
#define DEFAULT_TTL_S 86400.0
#define DEFAULT_TIMEOUT_S 30.0
#define DEFAULT_CONNECT_TIMEOUT_S 10.0
#define DEFAULT_RETRY_S 30.0
#define DEFAULT_RETRY_MAX_S 1800.0
/* The shortest period allowed: tests use about a second; a server deserves no less. */
#define MIN_PERIOD_S 0.05

struct feed {
    char *name; /* the [feed NAME] section; NULL for --url */
    char *url;
    char *lang;   /* NULL: the feed's own */
    char *source; /* NULL: the feed's title, else its host */
    double every_s, ttl_s;
    long max;
    bool with_summary, keep_gone;
    int line; /* where the section starts in the config, for messages */
    /* Derived and run-time. */
    char prefix[KB_FEED_PREFIX_MAX + 1];
    char file_prefix[KB_FEED_FILE_NAME_MAX];
    struct kb_feed_state state;
    bool state_loaded;
    unsigned failures; /* the current streak */
    double due;        /* monotonic seconds */
};

struct run {
    char *spool;
    bool once, jitter;
    double timeout_s, connect_timeout_s, retry_s, retry_max_s;
    struct feed *feeds;
    size_t n;
    unsigned seed;
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleeps up to s seconds, in short steps so a stop signal that lands just
 * before a step is noticed soon. */
static void sleep_for(double s)
{
    while (s > 0 && !stop_flag) {
        double step = s < 0.25 ? s : 0.25;
        struct timespec ts = {(time_t)step, (long)((step - (double)(time_t)step) * 1e9)};
        nanosleep(&ts, NULL);
        s -= step;
    }
}

static void feed_defaults(struct feed *f)
{
    memset(f, 0, sizeof(*f));
    f->every_s = DEFAULT_EVERY_S;
    f->ttl_s = DEFAULT_TTL_S;
    f->max = KB_FEED_MAX_DEFAULT;
}

static void feed_free(struct feed *f)
{
    free(f->name);
    free(f->url);
    free(f->lang);
    free(f->source);
    kb_feed_state_free(&f->state);
}

static struct feed *add_feed(struct run *r)
{
    r->feeds = kb_xreallocarray(r->feeds, r->n + 1, sizeof(*r->feeds));
    struct feed *f = &r->feeds[r->n++];
    feed_defaults(f);
    return f;
}

/* ---- values (shared by flags and config keys) ---- */

static bool url_valid(const char *url)
{
    if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)
        return false;
    if (strlen(url) > KB_FEED_URL_MAX)
        return false;
    for (const char *p = url; *p; p++) {
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            return false;
    }
    char host[256];
    return kb_feed_url_host(url, host, sizeof(host));
}

static bool parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return *out = true, true;
        if (strcasecmp(s, no[i]) == 0)
            return *out = false, true;
    }
    return false;
}

/* Sets one per-feed setting from a string; why says what is wrong. */
static bool feed_set(struct feed *f, const char *key, const char *value, const char **why)
{
    if (strcmp(key, "url") == 0) {
        if (!url_valid(value))
            return *why = "not an http:// or https:// URL", false;
        free(f->url);
        f->url = kb_xstrdup(value);
    } else if (strcmp(key, "lang") == 0) {
        if (!kb_lang_tag_valid(value))
            return *why = "not a BCP 47 language tag", false;
        free(f->lang);
        f->lang = kb_xstrdup(value);
    } else if (strcmp(key, "source") == 0) {
        if (value[0] == '\0')
            return *why = "empty", false;
        free(f->source);
        f->source = kb_xstrdup(value);
    } else if (strcmp(key, "every") == 0) {
        if (!kb_feed_duration_parse(value, &f->every_s) || f->every_s < MIN_PERIOD_S)
            return *why = "not a duration such as 30s, 5m or 1h", false;
    } else if (strcmp(key, "ttl") == 0) {
        if (!kb_feed_duration_parse(value, &f->ttl_s))
            return *why = "not a duration such as 30m, 24h or 7d (0: never)", false;
    } else if (strcmp(key, "max") == 0) {
        char *end;
        long n = strtol(value, &end, 10);
        if (end == value || *end != '\0' || n < 1 || n > KB_FEED_ENTRIES_MAX)
            return *why = "not a number from 1 to 1000", false;
        f->max = n;
    } else if (strcmp(key, "with_summary") == 0) {
        if (!parse_bool(value, &f->with_summary))
            return *why = "not true or false", false;
    } else if (strcmp(key, "keep_gone") == 0) {
        if (!parse_bool(value, &f->keep_gone))
            return *why = "not true or false", false;
    } else {
        return *why = "unknown key", false;
    }
    return true;
}

/* ---- the config file ---- */

struct conf_state {
    struct run *r;
    bool want_spool; /* no --spool: take [spool] spool */
};

/* A key of the config file (kb_ini_read): [feed NAME] sections, and spool. */
static bool on_key(void *user, const char *section, const char *name, const char *value,
                   const char *where, int line, struct kb_error *err)
{
    struct conf_state *st = user;
    if (strcmp(name, "spool") == 0 && (section[0] == '\0' || strcmp(section, "spool") == 0)) {
        if (st->want_spool) {
            free(st->r->spool);
            st->r->spool = kb_xstrdup(value);
        }
        return true;
    }
    if (strncmp(section, "feed", 4) != 0 || (section[4] != ' ' && section[4] != '\0'))
        return true; /* the rest of the file is the ticker's config */
    const char *fname = section + 4;
    while (*fname == ' ')
        fname++;
    if (*fname == '\0')
        return kb_error_set(err, "%s: [feed] needs a name: [feed NAME]", where);
    struct feed *f = NULL;
    for (size_t i = 0; i < st->r->n; i++) {
        if (st->r->feeds[i].name != NULL && strcmp(st->r->feeds[i].name, fname) == 0)
            f = &st->r->feeds[i];
    }
    if (f == NULL) {
        if (st->r->n >= KB_FEED_FEEDS_MAX)
            return kb_error_set(err, "%s: more than %d feeds", where, KB_FEED_FEEDS_MAX);
        f = add_feed(st->r);
        f->name = kb_xstrdup(fname);
        f->line = line;
    }
    const char *why = NULL;
    if (!feed_set(f, name, value, &why)) {
        if (strcmp(why, "unknown key") == 0) {
            LOG_WARN("%s: unknown key \"%s\" in [feed %s] ignored", where, name, fname);
            return true;
        }
        return kb_error_set(err, "%s: %s: \"%.200s\": %s", where, name, value, why);
    }
    return true;
}

static bool load_config(struct run *r, const char *path, bool want_spool, struct kb_error *err)
{
    struct conf_state st = {r, want_spool};
    size_t before = r->n;
    if (!kb_ini_read(path, on_key, &st, err))
        return false;
    for (size_t i = before; i < r->n; i++) {
        if (r->feeds[i].url == NULL)
            return kb_error_set(err, "%s:%d: [feed %s] has no url", path, r->feeds[i].line,
                                r->feeds[i].name);
    }
    return true;
}

/* ---- one fetch of one feed ---- */

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

static bool doc_has_language(const struct feed *f, const struct kb_feed_doc *doc)
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

/* Writes the items of doc and retracts what left it. Fails only when the
 * spool cannot be written: a bad entry is logged and skipped. On success
 * the names now in the spool are in *keep (sorted; caller frees). */
static bool apply_doc(const struct run *r, struct feed *f, const struct kb_feed_doc *doc,
                      char ***keep_out, size_t *n_keep_out, struct tally *t, struct kb_error *err)
{
    int64_t now = (int64_t)time(NULL);
    if (!doc_has_language(f, doc))
        return kb_error_set(err, "the feed names no language (RSS <language>, xml:lang, JSON "
                                 "Feed \"language\"): give --lang or lang =");
    struct order *order = kb_xcalloc(doc->n ? doc->n : 1, sizeof(*order));
    for (size_t i = 0; i < doc->n; i++)
        order[i].e = &doc->entries[i];
    qsort(order, doc->n, sizeof(*order), cmp_newest);
    size_t take = doc->n < (size_t)f->max ? doc->n : (size_t)f->max;

    struct kb_feed_map_opts mo = {f->url, f->prefix, f->lang, f->source, f->ttl_s, f->with_summary};
    char **seen = kb_xcalloc(take ? take : 1, sizeof(*seen));
    char **keep = kb_xcalloc(take ? take : 1, sizeof(*keep));
    size_t n_seen = 0, n_keep = 0;
    bool ok = true;
    for (size_t i = 0; i < take && ok; i++) {
        const struct kb_feed_entry *e = order[i].e;
        char *key = kb_feed_entry_key(e);
        char *where = kb_xasprintf("feed %s: entry %zu (\"%.80s\")", f->url, e->index,
                                   e->guid   ? e->guid
                                   : e->link ? e->link
                                             : "no guid");
        where[strcspn(where, "\n")] = '\0';
        char name[KB_FEED_FILE_NAME_MAX];
        struct kb_error merr;
        if (key == NULL) {
            kb_error_set(&merr, "%s: no guid, id, link, title or summary to know it by", where);
            LOG_ERR_ONCE(f->url, "%s", merr.msg);
            t->bad++;
            goto next;
        }
        kb_feed_file_name(f->url, key, name);
        bool dup = false;
        for (size_t j = 0; j < n_seen && !dup; j++)
            dup = strcmp(seen[j], name) == 0;
        if (dup) {
            LOG_WARN_ONCE(name, "%s: the same guid as an entry before it: skipped", where);
            t->bad++;
            goto next;
        }
        seen[n_seen++] = kb_xstrdup(name);
        size_t old_len = 0;
        char *old = kb_feed_store_read(r->spool, name, &old_len);
        int64_t fallback = old != NULL ? published_on_disk(old, old_len) : 0;
        int64_t published, expires;
        json_t *obj = kb_feed_map_entry(&mo, doc, e, key, where, now, fallback ? fallback : now,
                                        &published, &expires, &merr);
        if (obj == NULL) {
            /* Its last good item (if any) stays: the entry is still in the feed. */
            LOG_ERR_ONCE(name, "%s", merr.msg);
            t->bad++;
            if (old != NULL)
                keep[n_keep++] = kb_xstrdup(name);
        } else if (expires != 0 && expires <= now) {
            t->expired++; /* the ticker would drop it at once: not written, and retracted */
        } else {
            char *text = json_dumps(obj, JSON_INDENT(2));
            char *data = kb_xasprintf("%s\n", text);
            free(text);
            switch (kb_feed_store_put(r->spool, name, data, strlen(data), err)) {
            case KB_FEED_PUT_WRITTEN:
                t->written++;
                keep[n_keep++] = kb_xstrdup(name);
                break;
            case KB_FEED_PUT_UNCHANGED:
                t->unchanged++;
                keep[n_keep++] = kb_xstrdup(name);
                break;
            case KB_FEED_PUT_FAILED:
                ok = false;
                break;
            }
            free(data);
        }
        json_decref(obj);
        free(old);
    next:
        free(key);
        free(where);
    }
    for (size_t j = 0; j < n_seen; j++)
        free(seen[j]);
    free(seen);
    free(order);
    qsort(keep, n_keep, sizeof(*keep), cmp_str);
    if (ok) {
        size_t failed = 0;
        t->retracted = kb_feed_store_retract(r->spool, f->file_prefix, keep, n_keep, f->keep_gone,
                                             now, &failed);
        if (failed > 0)
            LOG_WARN("feed %s: %zu items could not be retracted (permissions?)", f->url, failed);
    }
    *keep_out = keep;
    *n_keep_out = n_keep;
    return ok;
}

/* One fetch of f, and the spool brought in line with it. False (err set)
 * when the feed failed: its items in the spool are left as they are. */
static bool feed_update(const struct run *r, struct feed *f, struct kb_error *err)
{
    if (!f->state_loaded) {
        kb_feed_state_load(r->spool, f->file_prefix, f->url, &f->state);
        f->state_loaded = true;
    }
    /* A 304 says "what you have is current": only true if the files written
     * at the last good fetch are all still there and were made with the
     * settings in force now (a new --max or ttl must reach the spool). */
    char *settings = kb_xasprintf("max=%ld ttl=%.3f summary=%d keep=%d lang=%s source=%s prefix=%s",
                                  f->max, f->ttl_s, f->with_summary, f->keep_gone,
                                  f->lang ? f->lang : "", f->source ? f->source : "", f->prefix);
    bool conditional = (f->state.etag != NULL || f->state.last_modified != NULL) &&
                       f->state.settings != NULL && strcmp(f->state.settings, settings) == 0 &&
                       kb_feed_state_files_present(r->spool, &f->state);
    struct kb_feed_fetch_opts fo = {f->url,
                                    conditional ? f->state.etag : NULL,
                                    conditional ? f->state.last_modified : NULL,
                                    r->connect_timeout_s,
                                    r->timeout_s,
                                    KB_FEED_BODY_MAX,
                                    &stop_flag};
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
    double t0 = mono_now();
    if (!kb_feed_parse(res.body, res.len, res.content_type, KB_FEED_ENTRIES_MAX, &doc, err)) {
        kb_feed_response_free(&res);
        free(settings);
        return false;
    }
    if (doc.dropped > 0)
        LOG_WARN_ONCE(f->url, "feed %s: more than %d entries; the rest are ignored", f->url,
                      KB_FEED_ENTRIES_MAX);
    char **keep = NULL;
    size_t n_keep = 0;
    struct tally t = {0};
    bool ok = apply_doc(r, f, &doc, &keep, &n_keep, &t, err);
    if (ok) {
        kb_feed_state_free(&f->state);
        f->state.etag = res.etag;
        f->state.last_modified = res.last_modified;
        res.etag = res.last_modified = NULL;
        f->state.files = keep;
        f->state.n_files = n_keep;
        f->state.settings = settings;
        settings = NULL;
        keep = NULL;
        struct kb_error serr;
        if (!kb_feed_state_save(r->spool, f->file_prefix, f->url, &f->state, &serr))
            LOG_WARN_ONCE(f->url, "feed %s: cannot save its state: %s", f->url, serr.msg);
        enum kb_log_level level = t.written + t.retracted > 0 ? KB_LOG_INFO : KB_LOG_DEBUG;
        kb_log(level, LOG_MODULE,
               "feed %s: %s, %zu entries: %zu written, %zu unchanged, %zu bad, %zu expired, %zu "
               "retracted (%.0f ms)",
               f->url, kb_feed_format_name(doc.format), doc.n, t.written, t.unchanged, t.bad,
               t.expired, t.retracted, (mono_now() - t0) * 1000);
    }
    for (size_t i = 0; keep != NULL && i < n_keep; i++)
        free(keep[i]);
    free(keep);
    free(settings);
    kb_feed_doc_free(&doc);
    kb_feed_response_free(&res);
    return ok;
}

/* ---- the schedule ---- */

static double backoff(struct run *r, unsigned failures)
{
    double d = r->retry_s;
    for (unsigned i = 1; i < failures && d < r->retry_max_s; i++)
        d *= 2;
    if (d > r->retry_max_s)
        d = r->retry_max_s;
    /* Spread retries by up to a fifth either way, so screens that lost one
     * server together do not all come back to it in the same second. */
    if (r->jitter)
        d *= 0.8 + 0.4 * ((double)rand_r(&r->seed) / RAND_MAX);
    return d;
}

static void after_fetch(struct run *r, struct feed *f, bool ok, const struct kb_error *err,
                        double started)
{
    if (ok) {
        if (f->failures > 0)
            LOG_INFO("feed %s: back after %u failed fetches", f->url, f->failures);
        f->failures = 0;
        f->due = started + f->every_s;
        return;
    }
    f->failures++;
    double delay = backoff(r, f->failures);
    /* One line per streak: a server that is down for a day is said once. */
    if (f->failures == 1)
        LOG_ERR("feed %s: %s; its items stay in the spool; retrying with backoff from %.0f s",
                f->url, err->msg, delay);
    else
        LOG_DBG("feed %s: still failing (%u): %s; next try in %.1f s", f->url, f->failures,
                err->msg, delay);
    f->due = mono_now() + delay;
}

static int run_feeds(struct run *r)
{
    if (r->once) {
        int status = 0;
        for (size_t i = 0; i < r->n && !stop_flag; i++) {
            struct kb_error err;
            if (!feed_update(r, &r->feeds[i], &err)) {
                LOG_ERR("feed %s: %s; its items stay in the spool", r->feeds[i].url, err.msg);
                status = 1;
            }
        }
        return status;
    }
    double now = mono_now();
    for (size_t i = 0; i < r->n; i++)
        r->feeds[i].due = now;
    while (!stop_flag) {
        struct feed *next = &r->feeds[0];
        for (size_t i = 1; i < r->n; i++) {
            if (r->feeds[i].due < next->due)
                next = &r->feeds[i];
        }
        double wait = next->due - mono_now();
        if (wait > 0) {
            sleep_for(wait);
            continue;
        }
        struct kb_error err;
        double started = mono_now();
        bool ok = feed_update(r, next, &err);
        if (stop_flag)
            break; /* an interrupted transfer is no failure of the feed */
        after_fetch(r, next, ok, &err, started);
    }
    LOG_INFO("stopped");
    return 0;
}

/* ---- the command line ---- */

static bool derive(struct run *r, struct kb_error *err)
{
    for (size_t i = 0; i < r->n; i++) {
        struct feed *f = &r->feeds[i];
        for (size_t j = 0; j < i; j++) {
            if (strcmp(r->feeds[j].url, f->url) == 0)
                return kb_error_set(err, "%s: followed twice (the two would fight over its files)",
                                    f->url);
        }
        char host[256];
        if (!(f->source != NULL && kb_feed_slug(f->source, f->prefix)) &&
            !(f->name != NULL && kb_feed_slug(f->name, f->prefix)) &&
            !(kb_feed_url_host(f->url, host, sizeof(host)) && kb_feed_slug(host, f->prefix)))
            snprintf(f->prefix, sizeof(f->prefix), "feed");
        kb_feed_file_prefix(f->url, f->file_prefix);
    }
    return true;
}

static bool parse_duration_opt(const char *s, double min, double *out)
{
    return kb_feed_duration_parse(s, out) && *out >= min;
}

int kb_feed_main(int argc, char **argv)
{
    enum {
        O_URL = 256,
        O_SPOOL,
        O_LANG,
        O_SOURCE,
        O_EVERY,
        O_ONCE,
        O_MAX,
        O_TTL,
        O_SUMMARY,
        O_KEEP,
        O_CONFIG,
        O_TIMEOUT,
        O_CONNECT,
        O_RETRY,
        O_RETRY_MAX,
        O_NO_JITTER,
        O_LOG,
        O_HELP,
    };
    static const struct option opts[] = {{"url", required_argument, 0, O_URL},
                                         {"spool", required_argument, 0, O_SPOOL},
                                         {"lang", required_argument, 0, O_LANG},
                                         {"source", required_argument, 0, O_SOURCE},
                                         {"every", required_argument, 0, O_EVERY},
                                         {"once", no_argument, 0, O_ONCE},
                                         {"max", required_argument, 0, O_MAX},
                                         {"ttl", required_argument, 0, O_TTL},
                                         {"with-summary", no_argument, 0, O_SUMMARY},
                                         {"keep-gone", no_argument, 0, O_KEEP},
                                         {"config", required_argument, 0, O_CONFIG},
                                         {"timeout", required_argument, 0, O_TIMEOUT},
                                         {"connect-timeout", required_argument, 0, O_CONNECT},
                                         {"retry", required_argument, 0, O_RETRY},
                                         {"retry-max", required_argument, 0, O_RETRY_MAX},
                                         {"no-jitter", no_argument, 0, O_NO_JITTER},
                                         {"log-level", required_argument, 0, O_LOG},
                                         {"help", no_argument, 0, O_HELP},
                                         {0, 0, 0, 0}};
    struct run r = {NULL,
                    false,
                    true,
                    DEFAULT_TIMEOUT_S,
                    DEFAULT_CONNECT_TIMEOUT_S,
                    DEFAULT_RETRY_S,
                    DEFAULT_RETRY_MAX_S,
                    NULL,
                    0,
                    (unsigned)time(NULL) ^ (unsigned)getpid()};
    struct feed cli;
    feed_defaults(&cli);
    const char *config = NULL, *spool = NULL;
    bool every_given = false;
    int status = 2, c;
    const char *why = NULL;
    struct kb_error err;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        static const char *const keys[] = {
            [O_URL - O_URL] = "url",     [O_LANG - O_URL] = "lang", [O_SOURCE - O_URL] = "source",
            [O_EVERY - O_URL] = "every", [O_MAX - O_URL] = "max",   [O_TTL - O_URL] = "ttl"};
        switch (c) {
        case O_URL:
        case O_LANG:
        case O_SOURCE:
        case O_EVERY:
        case O_MAX:
        case O_TTL:
            every_given |= c == O_EVERY;
            if (!feed_set(&cli, keys[c - O_URL], optarg, &why)) {
                status = kb_usage_error(kb_feed_usage, "feed: --%s %s: %s", keys[c - O_URL], optarg,
                                        why);
                goto done;
            }
            break;
        case O_SPOOL:
            spool = optarg;
            break;
        case O_ONCE:
            r.once = true;
            break;
        case O_SUMMARY:
            cli.with_summary = true;
            break;
        case O_KEEP:
            cli.keep_gone = true;
            break;
        case O_CONFIG:
            config = optarg;
            break;
        case O_TIMEOUT:
        case O_CONNECT:
        case O_RETRY:
        case O_RETRY_MAX: {
            double *target = c == O_TIMEOUT   ? &r.timeout_s
                             : c == O_CONNECT ? &r.connect_timeout_s
                             : c == O_RETRY   ? &r.retry_s
                                              : &r.retry_max_s;
            if (!parse_duration_opt(optarg, MIN_PERIOD_S, target)) {
                status = kb_usage_error(
                    kb_feed_usage, "feed: %s: not a duration such as 500ms, 30s or 5m", optarg);
                goto done;
            }
            break;
        }
        case O_NO_JITTER:
            r.jitter = false;
            break;
        case O_LOG: {
            enum kb_log_level level;
            if (!kb_log_level_parse(optarg, &level)) {
                status = kb_usage_error(
                    kb_feed_usage, "feed: --log-level %s: debug, info, warning, error or quiet",
                    optarg);
                goto done;
            }
            kb_log_set_level(level);
            break;
        }
        case 'h':
        case O_HELP:
            fputs(kb_feed_usage, stdout);
            status = 0;
            goto done;
        default:
            status = kb_usage_error(kb_feed_usage, "feed: %s: unknown option or missing value",
                                    argv[optind - 1] ? argv[optind - 1] : "?");
            goto done;
        }
    }
    if (optind != argc) {
        status = kb_usage_error(kb_feed_usage, "feed: unexpected argument \"%s\"", argv[optind]);
        goto done;
    }
    if (r.once && every_given) {
        status = kb_usage_error(kb_feed_usage, "feed: %s", "--every and --once exclude each other");
        goto done;
    }
    if (r.retry_max_s < r.retry_s)
        r.retry_max_s = r.retry_s;
    if (spool != NULL)
        r.spool = kb_xstrdup(spool);
    if (config != NULL && !load_config(&r, config, spool == NULL, &err)) {
        fprintf(stderr, "kabar: feed: %s\n", err.msg);
        goto done;
    }
    if (cli.url != NULL) {
        struct feed *f = add_feed(&r);
        *f = cli;
        feed_defaults(&cli);
    } else if (cli.lang || cli.source || every_given || cli.with_summary || cli.keep_gone) {
        status = kb_usage_error(kb_feed_usage, "feed: %s",
                                "--lang, --source, --every, --with-summary and --keep-gone "
                                "go with --url (config sections take keys)");
        goto done;
    }
    if (r.n == 0) {
        status = kb_usage_error(kb_feed_usage, "feed: %s",
                                "no feed: give --url URL, or --config FILE with [feed NAME] "
                                "sections");
        goto done;
    }
    if (r.spool == NULL || r.spool[0] == '\0') {
        status = kb_usage_error(kb_feed_usage, "feed: %s",
                                "no spool: give --spool DIR (or spool = in [spool])");
        goto done;
    }
    if (!derive(&r, &err)) {
        fprintf(stderr, "kabar: feed: %s\n", err.msg);
        goto done;
    }

    status = 1;
    if (!kb_feed_store_prepare(r.spool, &err)) {
        fprintf(stderr, "kabar: feed: %s\n", err.msg);
        goto done;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "kabar: feed: cannot initialise libcurl\n");
        goto done;
    }
    kb_feed_xml_init();
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: a sleep ends at once */
    sigemptyset(&sa.sa_mask);
    stop_flag = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    LOG_DBG("%zu feed(s) into %s%s", r.n, r.spool, r.once ? ", once" : "");
    status = run_feeds(&r);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    kb_feed_xml_cleanup();
    curl_global_cleanup();
done:
    feed_free(&cli);
    for (size_t i = 0; i < r.n; i++)
        feed_free(&r.feeds[i]);
    free(r.feeds);
    free(r.spool);
    return status;
}
