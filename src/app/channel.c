#include "app/channel.h"
#include "app/slides.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/xmalloc.h"

/* Events waiting for the render thread; past this, the oldest are dropped
 * (only a storm of retractions could fill it, and the crawl then empties). */
#define EVENTS_MAX 256

struct kb_channel {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct kb_ready ready[KB_CHANNEL_READY_MAX];
    size_t n_ready;
    struct kb_event events[EVENTS_MAX];
    size_t ev_head, n_events;
    int px;
    int panel_px, panel_width, panel_height;
    bool want_quote;
    bool stop;
    struct kb_channel_counts counts;
    int efd;
    struct kb_storyq *stories;
};

struct kb_channel *kb_channel_new(void)
{
    struct kb_channel *ch = kb_xcalloc(1, sizeof(*ch));
    pthread_mutex_init(&ch->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&ch->cond, &attr);
    pthread_condattr_destroy(&attr);
    ch->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    ch->stories = kb_storyq_new();
    return ch;
}

struct kb_storyq *kb_channel_stories(struct kb_channel *ch)
{
    return ch != NULL ? ch->stories : NULL;
}

void kb_ready_release(struct kb_ready *r)
{
    for (size_t i = 0; i < r->n_segs; i++)
        kb_line_unref(r->segs[i].line);
    r->n_segs = 0;
}

static void release(struct kb_ready *r)
{
    kb_ready_release(r);
}

void kb_quote_pages_free(struct kb_quote_pages *q)
{
    if (q == NULL)
        return;
    for (size_t i = 0; i < q->n; i++)
        kb_line_unref(q->lines[i]);
    kb_line_unref(q->attribution);
    free(q);
}

static void drop_event(struct kb_event *ev)
{
    release(&ev->item);
    kb_quote_pages_free(ev->quote);
    ev->quote = NULL;
}

void kb_channel_free(struct kb_channel *ch)
{
    if (ch == NULL)
        return;
    for (size_t i = 0; i < ch->n_ready; i++)
        release(&ch->ready[i]);
    for (size_t i = 0; i < ch->n_events; i++)
        drop_event(&ch->events[(ch->ev_head + i) % EVENTS_MAX]);
    if (ch->efd >= 0)
        close(ch->efd);
    kb_storyq_free(ch->stories);
    pthread_cond_destroy(&ch->cond);
    pthread_mutex_destroy(&ch->lock);
    free(ch);
}

static void wake_ingest(struct kb_channel *ch)
{
    uint64_t one = 1;
    if (ch->efd >= 0 && write(ch->efd, &one, sizeof(one)) < 0) {
        /* The counter is saturated: the ingest thread is already woken. */
    }
}

bool kb_channel_take(struct kb_channel *ch, struct kb_ready *out, int wait_ms)
{
    pthread_mutex_lock(&ch->lock);
    if (ch->n_ready == 0 && wait_ms > 0) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += wait_ms / 1000;
        until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (ch->n_ready == 0 && !ch->stop) {
            if (pthread_cond_timedwait(&ch->cond, &ch->lock, &until) != 0)
                break;
        }
    }
    bool got = ch->n_ready > 0;
    if (got) {
        *out = ch->ready[0];
        memmove(ch->ready, ch->ready + 1, (ch->n_ready - 1) * sizeof(*ch->ready));
        ch->n_ready--;
    }
    pthread_mutex_unlock(&ch->lock);
    if (got)
        wake_ingest(ch);
    return got;
}

bool kb_channel_next_event(struct kb_channel *ch, struct kb_event *out)
{
    pthread_mutex_lock(&ch->lock);
    bool got = ch->n_events > 0;
    if (got) {
        *out = ch->events[ch->ev_head];
        ch->ev_head = (ch->ev_head + 1) % EVENTS_MAX;
        ch->n_events--;
    }
    pthread_mutex_unlock(&ch->lock);
    return got;
}

void kb_channel_set_px(struct kb_channel *ch, int px)
{
    pthread_mutex_lock(&ch->lock);
    bool changed = ch->px != px;
    if (changed) {
        ch->px = px;
        for (size_t i = 0; i < ch->n_ready; i++)
            release(&ch->ready[i]);
        ch->n_ready = 0;
    }
    pthread_mutex_unlock(&ch->lock);
    if (changed)
        wake_ingest(ch);
}

void kb_channel_set_panel(struct kb_channel *ch, int px, int width, int height)
{
    /* The panel asks for its quotes itself (kb_channel_want_quote). */
    pthread_mutex_lock(&ch->lock);
    ch->panel_px = px;
    ch->panel_width = width;
    ch->panel_height = height;
    pthread_mutex_unlock(&ch->lock);
}

void kb_channel_want_quote(struct kb_channel *ch)
{
    pthread_mutex_lock(&ch->lock);
    bool was = ch->want_quote;
    ch->want_quote = true;
    pthread_mutex_unlock(&ch->lock);
    if (!was)
        wake_ingest(ch);
}

bool kb_channel_panel(struct kb_channel *ch, int *px, int *width, int *height)
{
    pthread_mutex_lock(&ch->lock);
    *px = ch->panel_px;
    *width = ch->panel_width;
    *height = ch->panel_height;
    bool want = ch->want_quote && ch->panel_px > 0;
    if (want)
        ch->want_quote = false;
    pthread_mutex_unlock(&ch->lock);
    return want;
}

int kb_channel_px(struct kb_channel *ch)
{
    pthread_mutex_lock(&ch->lock);
    int px = ch->px;
    pthread_mutex_unlock(&ch->lock);
    return px;
}

void kb_channel_get_counts(struct kb_channel *ch, struct kb_channel_counts *out)
{
    pthread_mutex_lock(&ch->lock);
    *out = ch->counts;
    pthread_mutex_unlock(&ch->lock);
}

void kb_channel_set_counts(struct kb_channel *ch, const struct kb_channel_counts *c)
{
    pthread_mutex_lock(&ch->lock);
    ch->counts = *c;
    pthread_mutex_unlock(&ch->lock);
}

size_t kb_channel_room(struct kb_channel *ch)
{
    pthread_mutex_lock(&ch->lock);
    size_t room = KB_CHANNEL_READY_MAX - ch->n_ready;
    pthread_mutex_unlock(&ch->lock);
    return room;
}

void kb_channel_offer(struct kb_channel *ch, struct kb_ready *r)
{
    pthread_mutex_lock(&ch->lock);
    if (ch->n_ready < KB_CHANNEL_READY_MAX && r->n_segs > 0 && r->px == ch->px) {
        ch->ready[ch->n_ready++] = *r;
        r->n_segs = 0;
        pthread_cond_broadcast(&ch->cond);
    }
    pthread_mutex_unlock(&ch->lock);
    release(r);
}

void kb_channel_post(struct kb_channel *ch, struct kb_event *ev)
{
    pthread_mutex_lock(&ch->lock);
    if (ev->type == KB_EVENT_REMOVE || ev->type == KB_EVENT_BREAKING) {
        size_t j = 0;
        for (size_t i = 0; i < ch->n_ready; i++) {
            bool drop = ev->type == KB_EVENT_REMOVE ? strcmp(ch->ready[i].id, ev->item.id) == 0
                                                    : (ch->ready[i].flags & KB_CRAWL_BREAKING) == 0;
            if (drop)
                release(&ch->ready[i]);
            else
                ch->ready[j++] = ch->ready[i];
        }
        ch->n_ready = j;
    }
    if (ch->n_events == EVENTS_MAX) {
        drop_event(&ch->events[ch->ev_head]);
        ch->ev_head = (ch->ev_head + 1) % EVENTS_MAX;
        ch->n_events--;
    }
    ch->events[(ch->ev_head + ch->n_events) % EVENTS_MAX] = *ev;
    ch->n_events++;
    ev->item.n_segs = 0;
    ev->quote = NULL;
    pthread_mutex_unlock(&ch->lock);
    wake_ingest(ch); /* room may have been made in the ready queue */
}

int kb_channel_fd(struct kb_channel *ch)
{
    return ch->efd;
}

void kb_channel_ack(struct kb_channel *ch)
{
    uint64_t v;
    if (ch->efd >= 0 && read(ch->efd, &v, sizeof(v)) < 0) {
        /* EAGAIN: nothing was pending. */
    }
}

void kb_channel_stop(struct kb_channel *ch)
{
    pthread_mutex_lock(&ch->lock);
    ch->stop = true;
    pthread_cond_broadcast(&ch->cond);
    pthread_mutex_unlock(&ch->lock);
    wake_ingest(ch);
}

bool kb_channel_stopping(struct kb_channel *ch)
{
    pthread_mutex_lock(&ch->lock);
    bool s = ch->stop;
    pthread_mutex_unlock(&ch->lock);
    return s;
}

void kb_channel_restart(struct kb_channel *ch)
{
    pthread_mutex_lock(&ch->lock);
    ch->stop = false;
    pthread_mutex_unlock(&ch->lock);
}
