/* `kabar feed`'s schedule: the loop over the feeds, the backoff after a
 * failure, and the signals that stop it. */
#include "feed/schedule.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#define LOG_MODULE "feed"
#include "core/clock.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "feed/feed.h"
#include "feed/parse.h"
#include "feed/store.h"

/* A run: the options, and one follower per feed. */
struct run {
    const struct kb_feed_options *o;
    struct kb_feed_follow *feeds;
    size_t n;
    unsigned seed;
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
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

static double backoff(struct run *r, unsigned failures)
{
    double d = r->o->retry_s;
    for (unsigned i = 1; i < failures && d < r->o->retry_max_s; i++)
        d *= 2;
    if (d > r->o->retry_max_s)
        d = r->o->retry_max_s;
    /* Spread retries by up to a fifth either way, so screens that lost one
     * server together do not all come back to it in the same second. */
    if (r->o->jitter)
        d *= 0.8 + 0.4 * ((double)rand_r(&r->seed) / RAND_MAX);
    return d;
}

static void after_fetch(struct run *r, struct kb_feed_follow *f, bool ok,
                        const struct kb_error *err, double started)
{
    const char *url = f->src->url;
    if (ok) {
        if (f->failures > 0)
            LOG_INFO("feed %s: back after %u failed fetches", url, f->failures);
        f->failures = 0;
        f->due = started + f->src->every_s;
        return;
    }
    f->failures++;
    double delay = backoff(r, f->failures);
    /* One line per streak: a server that is down for a day is said once. */
    if (f->failures == 1)
        LOG_ERR("feed %s: %s; its items stay in the spool; retrying with backoff from %.0f s", url,
                err->msg, delay);
    else
        LOG_DBG("feed %s: still failing (%u): %s; next try in %.1f s", url, f->failures, err->msg,
                delay);
    f->due = kb_clock_mono() + delay;
}

/* --once: each feed fetched once; 1 if one failed. */
static int run_once(struct run *r)
{
    int status = 0;
    for (size_t i = 0; i < r->n && !stop_flag; i++) {
        struct kb_error err;
        if (!kb_feed_update(r->o, &r->feeds[i], &stop_flag, &err)) {
            LOG_ERR("feed %s: %s; its items stay in the spool", r->feeds[i].src->url, err.msg);
            status = 1;
        }
    }
    return status;
}

/* Until a stop signal: the feed due first, fetched when it is due. */
static int run_forever(struct run *r)
{
    double now = kb_clock_mono();
    for (size_t i = 0; i < r->n; i++)
        r->feeds[i].due = now;
    while (!stop_flag) {
        struct kb_feed_follow *next = &r->feeds[0];
        for (size_t i = 1; i < r->n; i++) {
            if (r->feeds[i].due < next->due)
                next = &r->feeds[i];
        }
        double wait = next->due - kb_clock_mono();
        if (wait > 0) {
            sleep_for(wait);
            continue;
        }
        struct kb_error err;
        double started = kb_clock_mono();
        bool ok = kb_feed_update(r->o, next, &stop_flag, &err);
        if (stop_flag)
            break; /* an interrupted transfer is no failure of the feed */
        after_fetch(r, next, ok, &err, started);
    }
    LOG_INFO("stopped");
    return 0;
}

/* The libraries and the signals set up around the loop. */
static int run_with_signals(struct run *r)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "kabar: feed: cannot initialise libcurl\n");
        return 1;
    }
    kb_feed_xml_init();
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: a sleep ends at once */
    sigemptyset(&sa.sa_mask);
    stop_flag = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    LOG_DBG("%zu feed(s) into %s%s", r->n, r->o->spool, r->o->once ? ", once" : "");
    int status = r->o->once ? run_once(r) : run_forever(r);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    kb_feed_xml_cleanup();
    curl_global_cleanup();
    return status;
}

int kb_feed_run(const struct kb_feed_options *o)
{
    struct kb_error err;
    if (!kb_feed_store_prepare(o->spool, &err)) {
        fprintf(stderr, "kabar: feed: %s\n", err.msg);
        return 1;
    }
    struct run r = {o, kb_xcalloc(o->n ? o->n : 1, sizeof(*r.feeds)), o->n,
                    (unsigned)time(NULL) ^ (unsigned)getpid()};
    for (size_t i = 0; i < r.n; i++)
        kb_feed_follow_init(&r.feeds[i], &o->feeds[i]);
    int status = run_with_signals(&r);
    for (size_t i = 0; i < r.n; i++)
        kb_feed_follow_free(&r.feeds[i]);
    free(r.feeds);
    return status;
}
