#include "app/ingest.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_MODULE "ingest"
#include "app/compose.h"
#include "app/present.h"
#include "app/quote.h"
#include "app/slides_feed.h"
#include "render/picture.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "render/seg.h"
#include "spool/playlist.h"
#include "spool/spool.h"

/* Longest sleep with nothing to do: the thread still notices a stop quickly. */
#define IDLE_WAIT_MS 500

struct kb_ingest {
    const struct kb_config *cfg;
    struct kb_fonts *fonts;
    struct kb_channel *ch;
    struct kb_wall *wall; /* NULL unless a wall tile: the schedule feeds the crawl */
    pthread_t thread;
    bool started;
    /* Owned by the thread once it runs. */
    struct kb_faces *faces;
    struct kb_spool *spool;
    struct kb_playlist *playlist;
    int chrome_px;     /* px the chrome was last laid out at */
    int64_t next_tick; /* wall ms of the next clock tick or stale check */
    size_t quote_cursor;
    bool quote_owed; /* the panel asked for a quote and has not had one */
    bool told_none;  /* ... and was told there is none yet */
    bool idle_offered;
    double loaded_at;
    /* the idle message went to the crawl */ /* index of the last quote given to the panel */
    bool stale_shown;
    struct kb_slide_feed *slides; /* NULL when panel = quotes */
};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void post_chrome(struct kb_ingest *in, enum kb_chrome_slot slot, const char *text,
                        double scale, int px)
{
    struct kb_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = KB_EVENT_CHROME;
    ev.slot = (int)slot;
    kb_compose_add(&ev.item, kb_compose_chrome(in->faces, in->cfg, text, px, scale), KB_SEG_TEXT);
    kb_channel_post(in->ch, &ev);
}

/* The format is the operator's (config), never the spool's, and strftime
 * cannot write past size: a non-literal format is safe here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void format_time(const char *fmt, int64_t ms, char *out, size_t size)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    if (strftime(out, size, fmt, &tm) == 0)
        out[0] = '\0';
}
#pragma GCC diagnostic pop

/* The clock and the stale marker, once a minute. */
static void tick_chrome(struct kb_ingest *in, int px, int64_t now)
{
    const struct kb_config *cfg = in->cfg;
    char buf[128];
    if (cfg->clock_format[0] != '\0') {
        format_time(cfg->clock_format, now, buf, sizeof(buf));
        post_chrome(in, KB_CHROME_CLOCK, buf, KB_CHROME_SCALE, px);
    }
    int64_t last = kb_spool_last_change_ms(in->spool);
    int64_t stale_ms = (int64_t)(cfg->stale_after_min * 60000.0);
    bool stale = stale_ms > 0 && last > 0 && now - last >= stale_ms;
    if (stale) {
        format_time("%H:%M", last, buf, sizeof(buf));
        char *msg = kb_present_stale(cfg->screen_lang, buf);
        post_chrome(in, KB_CHROME_STALE, msg, KB_STALE_SCALE, px);
        free(msg);
    } else if (in->stale_shown) {
        post_chrome(in, KB_CHROME_STALE, NULL, KB_STALE_SCALE, px);
    }
    in->stale_shown = stale;
    /* The next minute for the clock, or sooner the moment the feed goes stale. */
    in->next_tick = (now / 60000 + 1) * 60000;
    if (!stale && stale_ms > 0 && last > 0 && last + stale_ms < in->next_tick)
        in->next_tick = last + stale_ms;
}

/* Everything of the chrome, when the size changes. */
static void lay_out_chrome(struct kb_ingest *in, int px, int64_t now)
{
    const struct kb_config *cfg = in->cfg;
    const char *label = cfg->label[0] ? cfg->label : kb_present_label(cfg->screen_lang);
    post_chrome(in, KB_CHROME_LABEL, label, KB_CHROME_SCALE, px);
    post_chrome(in, KB_CHROME_BREAKING_LABEL, kb_present_breaking(cfg->screen_lang),
                KB_CHROME_SCALE, px);
    in->stale_shown = true; /* so a stale marker of the old size is cleared */
    tick_chrome(in, px, now);
    in->chrome_px = px;
}

static void on_change(void *user, enum kb_spool_change what, const struct kb_item *item)
{
    struct kb_ingest *in = user;
    struct kb_event ev;
    memset(&ev, 0, sizeof(ev));
    snprintf(ev.item.id, sizeof(ev.item.id), "%s", item->id);
    if (what != KB_SPOOL_ADDED)
        kb_slide_feed_changed(in->slides, kb_channel_stories(in->ch), item->id);
    if (what == KB_SPOOL_ADDED && in->idle_offered) {
        /* News arrived: the idle message leaves at once. */
        struct kb_event idle;
        memset(&idle, 0, sizeof(idle));
        idle.type = KB_EVENT_REMOVE;
        kb_channel_post(in->ch, &idle);
        in->idle_offered = false;
    }
    if (what == KB_SPOOL_REMOVED || (what == KB_SPOOL_EDITED && in->cfg->restart_on_edit)) {
        ev.type = KB_EVENT_REMOVE;
        kb_channel_post(in->ch, &ev);
        /* After the post: the time it logs is when the screen may drop it. */
        if (what == KB_SPOOL_REMOVED && in->wall != NULL)
            kb_wall_forget(in->wall, item);
        return;
    }
    /* On a wall the schedule starts breaking news, in the same frame on every tile. */
    if (item->priority == KB_PRIORITY_BREAKING && in->wall == NULL &&
        kb_playlist_wants(in->playlist, in->spool, item)) {
        int px = kb_channel_px(in->ch);
        if (px > 0 && kb_compose_item(in->faces, in->cfg, item, px, &ev.item)) {
            ev.type = KB_EVENT_BREAKING;
            kb_channel_post(in->ch, &ev);
        }
    }
}

static void publish_counts(struct kb_ingest *in)
{
    struct kb_channel_counts c = {
        .items_loaded = kb_spool_item_count(in->spool),
        .items_rejected = kb_spool_rejected_count(in->spool),
        .spool_present = kb_spool_present(in->spool),
        .last_change_ms = kb_spool_last_change_ms(in->spool),
        .loaded_at = in->loaded_at,
    };
    kb_channel_set_counts(in->ch, &c);
}

/* Fills the ready queue with the playlist's next items. */
static bool panel_mode(const struct kb_ingest *in)
{
    return strcmp(in->cfg->quotes, "panel") == 0 && strcmp(in->cfg->panel, "stories") != 0;
}

/* True if the spool holds an item this screen shows that is not a quote:
 * in panel mode, the crawl then leaves quotes to the panel. Quotes alone
 * still crawl, so the bar is never empty. */
static bool has_headline(const struct kb_ingest *in)
{
    size_t n;
    const struct kb_item *const *items = kb_spool_items(in->spool, &n);
    for (size_t i = 0; i < n; i++) {
        if (items[i]->kind != KB_KIND_QUOTE && kb_playlist_wants(in->playlist, in->spool, items[i]))
            return true;
    }
    return false;
}

/* Fills the ready queue with the playlist's next items. */
static void refill(struct kb_ingest *in)
{
    int px = kb_channel_px(in->ch);
    if (px <= 0 || kb_channel_room(in->ch) == 0)
        return;
    bool skip_quotes = panel_mode(in) && has_headline(in);
    /* Bounded: a spool whose every item fails layout must not spin here. */
    for (int tries = 0; tries < 16 && kb_channel_room(in->ch) > 0; tries++) {
        const struct kb_item *item = kb_playlist_next(in->playlist, in->spool, wall_ms());
        if (item != NULL && skip_quotes && item->kind == KB_KIND_QUOTE &&
            item->priority != KB_PRIORITY_BREAKING)
            continue;
        struct kb_ready r;
        if (kb_compose_item(in->faces, in->cfg, item, px, &r)) {
            in->idle_offered = in->idle_offered || item == NULL;
            kb_channel_offer(in->ch, &r);
        }
    }
}

/* The next quote for the panel, round robin in published order. */
static const struct kb_item *next_quote(struct kb_ingest *in)
{
    size_t n;
    const struct kb_item *const *items = kb_spool_items(in->spool, &n);
    for (size_t k = 0; k < n; k++) {
        size_t i = (in->quote_cursor + 1 + k) % n;
        const struct kb_item *it = items[i];
        if (it->kind == KB_KIND_QUOTE && it->priority != KB_PRIORITY_BREAKING &&
            kb_playlist_wants(in->playlist, in->spool, it)) {
            in->quote_cursor = i;
            return it;
        }
    }
    return NULL;
}

/* A wall's quote for slot s: quote s mod n of the screen's (app/wall.h). */
static const struct kb_item *wall_quote(struct kb_ingest *in, int64_t s)
{
    size_t n, m = 0;
    const struct kb_item *const *items = kb_spool_items(in->spool, &n);
    for (int pass = 0; pass < 2; pass++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            const struct kb_item *it = items[i];
            if (it->kind != KB_KIND_QUOTE || it->priority == KB_PRIORITY_BREAKING ||
                !kb_playlist_wants(in->playlist, in->spool, it))
                continue;
            if (pass == 1 && k == (size_t)(s % (int64_t)m))
                return it;
            k++;
        }
        m = k;
        if (m == 0)
            return NULL;
    }
    return NULL;
}

/* The panel's next quote, owed since it asked: laid out and sent when
 * there is one. When there is none the panel is told so once (an event
 * without a quote), so a virtual-clock run does not wait for it; the quote
 * is still owed and goes as soon as the spool has one. */
static void feed_screen_panel(struct kb_ingest *in, bool asked, int px, int width, int height)
{
    if (asked)
        in->told_none = false;
    in->quote_owed = in->quote_owed || asked;
    if (!in->quote_owed || px <= 0)
        return;
    struct kb_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = KB_EVENT_PANEL;
    const struct kb_item *q = next_quote(in);
    if (q != NULL || asked)
        LOG_DBG("panel: next quote %s", q ? q->id : "(none)");
    ev.quote = q != NULL ? kb_quote_layout(in->faces, in->cfg, q, px, width, height) : NULL;
    if (ev.quote != NULL) {
        snprintf(ev.item.id, sizeof(ev.item.id), "%s", q->id);
        in->quote_owed = false;
    } else if (in->told_none) {
        return;
    }
    in->told_none = ev.quote == NULL;
    kb_channel_post(in->ch, &ev);
}

/* Lays the next quote out for the panel when the render side asks. On a
 * wall the answer names its slot, and comes even when there is no quote. */
static void feed_panel(struct kb_ingest *in)
{
    int px, width, height;
    if (!panel_mode(in))
        return;
    bool asked = kb_channel_panel(in->ch, &px, &width, &height);
    if (in->wall == NULL) {
        feed_screen_panel(in, asked, px, width, height);
        return;
    }
    if (!asked)
        return;
    struct kb_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = KB_EVENT_PANEL;
    int64_t slot = kb_wall_quote_asked(in->wall);
    const struct kb_item *q = wall_quote(in, slot);
    LOG_DBG("panel: next quote %s", q ? q->id : "(none)");
    ev.slot = KB_WALL_SLOT_TAG(slot);
    if (q == NULL) {
        kb_channel_post(in->ch, &ev);
        return;
    }
    ev.quote = kb_quote_layout(in->faces, in->cfg, q, px, width, height);
    if (ev.quote != NULL)
        snprintf(ev.item.id, sizeof(ev.item.id), "%s", q->id);
    kb_channel_post(in->ch, &ev);
}

static void *run(void *arg)
{
    struct kb_ingest *in = arg;
    kb_spool_update(in->spool, wall_ms());
    in->loaded_at = kb_clock_mono();
    publish_counts(in);
    while (!kb_channel_stopping(in->ch)) {
        int px = kb_channel_px(in->ch);
        int64_t now = wall_ms();
        if (px > 0 && px != in->chrome_px)
            lay_out_chrome(in, px, now);
        else if (px > 0 && now >= in->next_tick)
            tick_chrome(in, px, now);
        if (in->wall != NULL)
            kb_wall_plan_step(in->wall, in->spool, in->playlist, in->faces, in->cfg, px);
        else
            refill(in);
        feed_panel(in);
        if (in->wall != NULL && in->slides != NULL) /* slots of the shared clock */
            kb_wall_slides_step(in->wall, kb_channel_stories(in->ch), in->faces, in->spool,
                                in->playlist, in->cfg);
        else
            kb_slide_feed_run(in->slides, kb_channel_stories(in->ch), in->faces, in->spool,
                              in->playlist, now);
        struct pollfd fds[3] = {{kb_channel_fd(in->ch), POLLIN, 0},
                                {kb_spool_fd(in->spool), POLLIN, 0},
                                {in->wall != NULL ? kb_wall_fd(in->wall) : -1, POLLIN, 0}};
        int timeout = kb_spool_timeout_ms(in->spool, wall_ms());
        if (timeout < 0 || timeout > IDLE_WAIT_MS)
            timeout = IDLE_WAIT_MS;
        int64_t to_tick = in->next_tick - wall_ms();
        if (in->chrome_px > 0 && to_tick < timeout)
            timeout = to_tick < 0 ? 0 : (int)to_tick;
        if (poll(fds, 3, timeout) < 0 && errno != EINTR)
            LOG_ERR_ONCE("ingest-poll", "poll: %s", strerror(errno));
        if (fds[0].revents & POLLIN)
            kb_channel_ack(in->ch);
        kb_spool_update(in->spool, wall_ms());
        /* Always: a rejection changes no item but changes the counts. */
        publish_counts(in);
        /* News came in: the stale marker goes at once, not at the next minute. */
        if (in->stale_shown && px > 0 && kb_spool_last_change_ms(in->spool) > now)
            tick_chrome(in, px, wall_ms());
    }
    kb_picture_thread_end(); /* slides decoded pictures here */
    return NULL;
}

struct kb_ingest *kb_ingest_start(const struct kb_config *cfg, struct kb_fonts *fonts,
                                  struct kb_channel *ch, struct kb_wall *wall, struct kb_error *err)
{
    struct kb_ingest *in = kb_xcalloc(1, sizeof(*in));
    in->wall = wall;
    in->cfg = cfg;
    in->fonts = fonts;
    in->ch = ch;
    in->faces = kb_faces_new(fonts);
    in->quote_cursor = SIZE_MAX; /* the first quote is the oldest */
    in->slides = kb_slide_feed_new(cfg);
    in->playlist = kb_playlist_new(cfg->languages, strcmp(cfg->language_mode, "cycle") == 0
                                                       ? KB_LANG_MODE_CYCLE
                                                       : KB_LANG_MODE_FIRST);
    struct kb_spool_opts so = {
        .dir = cfg->spool,
        .max_file_bytes = (size_t)cfg->max_file_kib * 1024,
        .max_items = (size_t)cfg->max_items,
        .settle_s = cfg->settle_ms / 1000.0,
        .poll_ms = cfg->spool_poll_ms,
        .use_inotify = true,
        .move_rejected = true,
    };
    in->spool = kb_spool_new(&so, on_change, in);
    int rc = pthread_create(&in->thread, NULL, run, in);
    if (rc != 0) {
        kb_error_set(err, "cannot start the ingest thread: %s", strerror(rc));
        kb_ingest_stop(in);
        return NULL;
    }
    in->started = true;
    return in;
}

void kb_ingest_stop(struct kb_ingest *in)
{
    if (in == NULL)
        return;
    if (in->started) {
        kb_channel_stop(in->ch);
        pthread_join(in->thread, NULL);
    }
    kb_spool_free(in->spool);
    kb_playlist_free(in->playlist);
    kb_slide_feed_free(in->slides);
    kb_faces_free(in->faces);
    free(in);
}
