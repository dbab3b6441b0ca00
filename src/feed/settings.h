/* The settings of `kabar feed`: the feeds to follow (from --url and its
 * flags, or [feed NAME] sections of the config file) and how to fetch them.
 * The command line (src/cli/cmd_feed.c) fills a struct kb_feed_options with
 * these functions, then hands it to kb_feed_run (feed/schedule.h). */
#ifndef KB_FEED_SETTINGS_H
#define KB_FEED_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* The shortest period or timeout allowed: tests use about a second; a
 * server deserves no less. */
#define KB_FEED_PERIOD_MIN_S 0.05

/* One feed to follow. The strings are owned (kb_feed_source_free). */
struct kb_feed_source {
    char *name;   /* the [feed NAME] section; NULL for --url */
    char *url;    /* NULL until set */
    char *lang;   /* NULL: the feed's own */
    char *source; /* NULL: the feed's title, else its host */
    double every_s, ttl_s;
    long max;
    bool with_summary, keep_gone;
    bool no_images; /* images = false: items without pictures (feed/images.h) */
    int line;       /* where the section starts in the config, for messages */
};

/* Everything `kabar feed` runs with. Owned strings and array
 * (kb_feed_options_free). */
struct kb_feed_options {
    char *spool;
    bool once;      /* fetch each feed once and return */
    bool jitter;    /* spread the backoff at random (off in tests) */
    bool no_images; /* --no-images: no feed fetches pictures */
    double timeout_s, connect_timeout_s, retry_s, retry_max_s;
    struct kb_feed_source *feeds;
    size_t n;
};

/* The defaults: every 5 min, ttl 24 h, max 100; timeouts 30 s and 10 s;
 * backoff from 30 s to 30 min, with jitter; no feed, no spool. */
void kb_feed_options_init(struct kb_feed_options *o);
void kb_feed_options_free(struct kb_feed_options *o);
void kb_feed_source_init(struct kb_feed_source *f);
void kb_feed_source_free(struct kb_feed_source *f);

/* Appends a feed with the defaults and returns it (valid until the next
 * append). */
struct kb_feed_source *kb_feed_options_add(struct kb_feed_options *o);

/* Sets one setting of a feed by its config name (url, lang, source, every,
 * ttl, max, with_summary, keep_gone, images). On a bad value returns false and sets
 * *why to a static phrase ("not a BCP 47 language tag"); an unknown key
 * gives exactly "unknown key". */
bool kb_feed_source_set(struct kb_feed_source *f, const char *key, const char *value,
                        const char **why);

/* A duration flag of the whole run (--timeout, --retry...): a duration of
 * kb_feed_duration_parse, at least KB_FEED_PERIOD_MIN_S. */
bool kb_feed_period_parse(const char *s, double *out);

/* Adds the [feed NAME] sections of the INI file at path (a section met
 * twice adds to the same feed; unknown keys are warned about and ignored),
 * and with want_spool takes the spool from its [spool] spool key. Every new
 * feed must have a url. err says file:line. */
bool kb_feed_options_load(struct kb_feed_options *o, const char *path, bool want_spool,
                          struct kb_error *err);

/* False when two feeds have the same url (they would fight over their
 * files); err names it. */
bool kb_feed_options_check(const struct kb_feed_options *o, struct kb_error *err);

#endif
