/* The settings of `kabar feed`: values shared by flags and config keys,
 * and the [feed NAME] sections of the config file. */
#include "feed/settings.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_MODULE "feed"
#include "core/ini.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "core/limits.h"
#include "feed/text.h"
#include "spool/item.h"

#define DEFAULT_EVERY_S 300.0
#define DEFAULT_TTL_S 86400.0
#define DEFAULT_TIMEOUT_S 30.0
#define DEFAULT_CONNECT_TIMEOUT_S 10.0
#define DEFAULT_RETRY_S 30.0
#define DEFAULT_RETRY_MAX_S 1800.0

void kb_feed_source_init(struct kb_feed_source *f)
{
    memset(f, 0, sizeof(*f));
    f->every_s = DEFAULT_EVERY_S;
    f->ttl_s = DEFAULT_TTL_S;
    f->max = KB_FEED_MAX_DEFAULT;
}

void kb_feed_source_free(struct kb_feed_source *f)
{
    free(f->name);
    free(f->url);
    free(f->lang);
    free(f->source);
    memset(f, 0, sizeof(*f));
}

void kb_feed_options_init(struct kb_feed_options *o)
{
    memset(o, 0, sizeof(*o));
    o->jitter = true;
    o->timeout_s = DEFAULT_TIMEOUT_S;
    o->connect_timeout_s = DEFAULT_CONNECT_TIMEOUT_S;
    o->retry_s = DEFAULT_RETRY_S;
    o->retry_max_s = DEFAULT_RETRY_MAX_S;
}

void kb_feed_options_free(struct kb_feed_options *o)
{
    for (size_t i = 0; i < o->n; i++)
        kb_feed_source_free(&o->feeds[i]);
    free(o->feeds);
    free(o->spool);
    memset(o, 0, sizeof(*o));
}

struct kb_feed_source *kb_feed_options_add(struct kb_feed_options *o)
{
    o->feeds = kb_xreallocarray(o->feeds, o->n + 1, sizeof(*o->feeds));
    struct kb_feed_source *f = &o->feeds[o->n++];
    kb_feed_source_init(f);
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

static void replace(char **slot, const char *value)
{
    free(*slot);
    *slot = kb_xstrdup(value);
}

/* The keys whose value is a string. */
static bool set_string(struct kb_feed_source *f, const char *key, const char *value,
                       const char **why)
{
    if (strcmp(key, "url") == 0) {
        if (!url_valid(value))
            return *why = "not an http:// or https:// URL", false;
        replace(&f->url, value);
    } else if (strcmp(key, "lang") == 0) {
        if (!kb_lang_tag_valid(value))
            return *why = "not a BCP 47 language tag", false;
        replace(&f->lang, value);
    } else if (strcmp(key, "source") == 0) {
        if (value[0] == '\0')
            return *why = "empty", false;
        replace(&f->source, value);
    } else {
        return *why = "unknown key", false;
    }
    return true;
}

bool kb_feed_source_set(struct kb_feed_source *f, const char *key, const char *value,
                        const char **why)
{
    if (strcmp(key, "every") == 0) {
        if (!kb_feed_duration_parse(value, &f->every_s) || f->every_s < KB_FEED_PERIOD_MIN_S)
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
    } else if (strcmp(key, "images") == 0) {
        bool on;
        if (!parse_bool(value, &on))
            return *why = "not true or false", false;
        f->no_images = !on;
    } else {
        return set_string(f, key, value, why);
    }
    return true;
}

bool kb_feed_period_parse(const char *s, double *out)
{
    return kb_feed_duration_parse(s, out) && *out >= KB_FEED_PERIOD_MIN_S;
}

/* ---- the config file ---- */

struct conf_state {
    struct kb_feed_options *o;
    bool want_spool; /* no --spool: take [spool] spool */
};

/* The feed of the section named fname, added if new. NULL (err set) past
 * KB_FEED_FEEDS_MAX. */
static struct kb_feed_source *section_feed(struct kb_feed_options *o, const char *fname,
                                           const char *where, int line, struct kb_error *err)
{
    for (size_t i = 0; i < o->n; i++) {
        if (o->feeds[i].name != NULL && strcmp(o->feeds[i].name, fname) == 0)
            return &o->feeds[i];
    }
    if (o->n >= KB_FEED_FEEDS_MAX) {
        kb_error_set(err, "%s: more than %d feeds", where, KB_FEED_FEEDS_MAX);
        return NULL;
    }
    struct kb_feed_source *f = kb_feed_options_add(o);
    f->name = kb_xstrdup(fname);
    f->line = line;
    return f;
}

/* A key of the config file (kb_ini_read): [feed NAME] sections, and spool. */
static bool on_key(void *user, const char *section, const char *name, const char *value,
                   const char *where, int line, struct kb_error *err)
{
    struct conf_state *st = user;
    if (strcmp(name, "spool") == 0 && (section[0] == '\0' || strcmp(section, "spool") == 0)) {
        if (st->want_spool)
            replace(&st->o->spool, value);
        return true;
    }
    if (strncmp(section, "feed", 4) != 0 || (section[4] != ' ' && section[4] != '\0'))
        return true; /* the rest of the file is the ticker's config */
    const char *fname = section + 4;
    while (*fname == ' ')
        fname++;
    if (*fname == '\0')
        return kb_error_set(err, "%s: [feed] needs a name: [feed NAME]", where);
    struct kb_feed_source *f = section_feed(st->o, fname, where, line, err);
    if (f == NULL)
        return false;
    const char *why = NULL;
    if (!kb_feed_source_set(f, name, value, &why)) {
        if (strcmp(why, "unknown key") == 0) {
            LOG_WARN("%s: unknown key \"%s\" in [feed %s] ignored", where, name, fname);
            return true;
        }
        return kb_error_set(err, "%s: %s: \"%.200s\": %s", where, name, value, why);
    }
    return true;
}

bool kb_feed_options_load(struct kb_feed_options *o, const char *path, bool want_spool,
                          struct kb_error *err)
{
    struct conf_state st = {o, want_spool};
    size_t before = o->n;
    if (!kb_ini_read(path, on_key, &st, err))
        return false;
    for (size_t i = before; i < o->n; i++) {
        if (o->feeds[i].url == NULL)
            return kb_error_set(err, "%s:%d: [feed %s] has no url", path, o->feeds[i].line,
                                o->feeds[i].name);
    }
    return true;
}

bool kb_feed_options_check(const struct kb_feed_options *o, struct kb_error *err)
{
    for (size_t i = 0; i < o->n; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(o->feeds[j].url, o->feeds[i].url) == 0)
                return kb_error_set(err, "%s: followed twice (the two would fight over its files)",
                                    o->feeds[i].url);
        }
    }
    return true;
}
