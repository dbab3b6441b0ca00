/* `kabar feed`: the flags of the feed producer. The values and the config
 * sections are feed/settings.h's (shared with [feed NAME] sections); the
 * schedule is feed/schedule.h's. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmd.h"
#include "cli/usage.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "feed/schedule.h"
#include "feed/settings.h"

const char kb_cmd_feed_usage[] =
    "usage: kabar feed --url URL --spool DIR [--lang TAG] [--source NAME]\n"
    "                  [--every 5m | --once] [--max N] [--ttl 24h] [--with-summary]\n"
    "                  [--keep-gone] [--config FILE] [--timeout 30s] [--connect-timeout 10s]\n"
    "                  [--retry 30s] [--retry-max 30m] [--no-images] [--no-jitter]\n"
    "                  [--log-level LEVEL]\n"
    "\n"
    "Follows RSS, Atom and JSON Feed documents and keeps their entries in the spool as\n"
    "items. --config FILE adds its [feed NAME] sections (keys url, lang, source, every,\n"
    "max, ttl, with_summary, keep_gone, images) and takes the spool from its [spool] spool\n"
    "key.\n"
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
    "  --no-images        no pictures: items without the entries' images\n"
    "  --timeout D, --connect-timeout D    for one fetch (defaults 30s, 10s)\n"
    "  --retry D, --retry-max D    backoff after a failure: D, doubling up to the max\n"
    "  --no-jitter        no random spread of the backoff (tests)\n"
    "\n"
    "Docs: docs/feeds.md.\n";

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
    O_NO_IMAGES,
    O_LOG,
    O_HELP,
};

static const struct option feed_opts[] = {{"url", required_argument, 0, O_URL},
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
                                          {"no-images", no_argument, 0, O_NO_IMAGES},
                                          {"log-level", required_argument, 0, O_LOG},
                                          {"help", no_argument, 0, O_HELP},
                                          {0, 0, 0, 0}};

/* What the flags say before the config file is read. */
struct feed_args {
    struct kb_feed_options o;  /* the run's settings; feeds come after the flags */
    struct kb_feed_source cli; /* --url and the flags that go with it */
    const char *config, *spool;
    bool every_given;
};

/* The key of a per-feed flag, or NULL. */
static const char *source_key(int c)
{
    switch (c) {
    case O_URL:
        return "url";
    case O_LANG:
        return "lang";
    case O_SOURCE:
        return "source";
    case O_EVERY:
        return "every";
    case O_MAX:
        return "max";
    case O_TTL:
        return "ttl";
    default:
        return NULL;
    }
}

/* The run's duration flags. */
static double *period_slot(int c, struct kb_feed_options *o)
{
    switch (c) {
    case O_TIMEOUT:
        return &o->timeout_s;
    case O_CONNECT:
        return &o->connect_timeout_s;
    case O_RETRY:
        return &o->retry_s;
    case O_RETRY_MAX:
        return &o->retry_max_s;
    default:
        return NULL;
    }
}

/* The flags with no value to check. False for an unknown one. */
static bool simple_flag(int c, struct feed_args *a)
{
    switch (c) {
    case O_SPOOL:
        a->spool = optarg;
        return true;
    case O_ONCE:
        a->o.once = true;
        return true;
    case O_SUMMARY:
        a->cli.with_summary = true;
        return true;
    case O_KEEP:
        a->cli.keep_gone = true;
        return true;
    case O_CONFIG:
        a->config = optarg;
        return true;
    case O_NO_JITTER:
        a->o.jitter = false;
        return true;
    case O_NO_IMAGES:
        a->o.no_images = true;
        return true;
    default:
        return false;
    }
}

/* One flag. Returns -1 to go on, else the exit status. */
static int feed_flag(int c, char **argv, struct feed_args *a)
{
    const char *key = source_key(c), *why = NULL;
    double *period = period_slot(c, &a->o);
    enum kb_log_level level;
    if (key != NULL) {
        a->every_given |= c == O_EVERY;
        if (!kb_feed_source_set(&a->cli, key, optarg, &why))
            return kb_usage_error(kb_cmd_feed_usage, "feed: --%s %s: %s", key, optarg, why);
    } else if (period != NULL) {
        if (!kb_feed_period_parse(optarg, period))
            return kb_usage_error(kb_cmd_feed_usage,
                                  "feed: %s: not a duration such as 500ms, 30s or 5m", optarg);
    } else if (c == O_LOG) {
        if (!kb_log_level_parse(optarg, &level))
            return kb_usage_error(kb_cmd_feed_usage,
                                  "feed: --log-level %s: debug, info, warning, error or quiet",
                                  optarg);
        kb_log_set_level(level);
    } else if (c == 'h' || c == O_HELP) {
        fputs(kb_cmd_feed_usage, stdout);
        return 0;
    } else if (!simple_flag(c, a)) {
        return kb_usage_error(kb_cmd_feed_usage, "feed: %s: unknown option or missing value",
                              argv[optind - 1] ? argv[optind - 1] : "?");
    }
    return -1;
}

/* Every flag into a; returns -1 to go on, else the exit status. */
static int parse_flags(int argc, char **argv, struct feed_args *a)
{
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", feed_opts, NULL)) != -1) {
        int status = feed_flag(c, argv, a);
        if (status >= 0)
            return status;
    }
    if (optind != argc)
        return kb_usage_error(kb_cmd_feed_usage, "feed: unexpected argument \"%s\"", argv[optind]);
    if (a->o.once && a->every_given)
        return kb_usage_error(kb_cmd_feed_usage, "feed: %s",
                              "--every and --once exclude each other");
    return -1;
}

/* The config file's feeds and the --url feed into a->o, checked. Returns
 * -1 to go on, else the exit status. */
static int gather_feeds(struct feed_args *a)
{
    struct kb_error err;
    const struct kb_feed_source *cli = &a->cli;
    if (a->o.retry_max_s < a->o.retry_s)
        a->o.retry_max_s = a->o.retry_s;
    if (a->spool != NULL)
        a->o.spool = kb_xstrdup(a->spool);
    if (a->config != NULL && !kb_feed_options_load(&a->o, a->config, a->spool == NULL, &err)) {
        fprintf(stderr, "kabar: feed: %s\n", err.msg);
        return 2;
    }
    if (cli->url != NULL) {
        *kb_feed_options_add(&a->o) = *cli;
        kb_feed_source_init(&a->cli); /* the strings moved into a->o */
    } else if (cli->lang || cli->source || a->every_given || cli->with_summary || cli->keep_gone) {
        return kb_usage_error(kb_cmd_feed_usage, "feed: %s",
                              "--lang, --source, --every, --with-summary and --keep-gone "
                              "go with --url (config sections take keys)");
    }
    if (a->o.n == 0)
        return kb_usage_error(kb_cmd_feed_usage, "feed: %s",
                              "no feed: give --url URL, or --config FILE with [feed NAME] "
                              "sections");
    if (a->o.spool == NULL || a->o.spool[0] == '\0')
        return kb_usage_error(kb_cmd_feed_usage, "feed: %s",
                              "no spool: give --spool DIR (or spool = in [spool])");
    if (!kb_feed_options_check(&a->o, &err)) {
        fprintf(stderr, "kabar: feed: %s\n", err.msg);
        return 2;
    }
    return -1;
}

int kb_cmd_feed(int argc, char **argv)
{
    struct feed_args a = {.config = NULL, .spool = NULL, .every_given = false};
    kb_feed_options_init(&a.o);
    kb_feed_source_init(&a.cli);
    int status = parse_flags(argc, argv, &a);
    if (status < 0)
        status = gather_feeds(&a);
    if (status < 0)
        status = kb_feed_run(&a.o);
    kb_feed_source_free(&a.cli);
    kb_feed_options_free(&a.o);
    return status;
}
