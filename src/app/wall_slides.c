/* Story slides on a wall (docs/wall.md, "Story slides on a wall"): which
 * story shows and when is a function of the spool and the shared clock, as
 * the quote panel's is. The shared time is cut into slots of
 * slide_max_seconds (plus quote_seconds where quotes share the space);
 * the render thread asks for slot s a slot ahead, the ingest thread lays
 * that slot's story out for the whole wall's slide and hands it over here. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_MODULE "wall"
#include "app/slides.h"
#include "app/wall.h"
#include "app/wall_priv.h"
#include "core/log.h"
#include "render/story.h"

double kb_wall_slide_slot_s(const struct kb_config *cfg, bool with_quotes)
{
    return cfg->slide_max_seconds + (with_quotes ? cfg->quote_seconds : 0);
}

/* ---- render side ---- */

void kb_wall_ask_slide(struct kb_wall *w, int64_t slot)
{
    pthread_mutex_lock(&w->mu);
    bool asked = w->slide_asked != slot;
    w->slide_asked = slot;
    pthread_mutex_unlock(&w->mu);
    if (asked)
        kb_wall_wake(w);
}

void kb_wall_slides_reset(struct kb_wall *w)
{
    pthread_mutex_lock(&w->mu);
    kb_story_free(w->slide);
    w->slide = NULL;
    w->slide_asked = w->slide_for = w->slide_made = INT64_MIN;
    pthread_mutex_unlock(&w->mu);
}

bool kb_wall_take_slide(struct kb_wall *w, int64_t slot, int wait_ms, struct kb_story **out)
{
    *out = NULL;
    pthread_mutex_lock(&w->mu);
    if (w->slide_for != slot && wait_ms > 0) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += wait_ms / 1000;
        until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (w->slide_for != slot && pthread_cond_timedwait(&w->cv, &w->mu, &until) == 0) {
        }
    }
    bool have = w->slide_for == slot;
    if (have) {
        *out = w->slide;
        w->slide = NULL;
        w->slide_for = INT64_MIN; /* taken */
    }
    pthread_mutex_unlock(&w->mu);
    return have;
}

/* ---- ingest side ---- */

static int64_t stamp_ms(const struct kb_wall *w, int64_t published)
{
    int64_t s = published * 1000 + KB_WALL_MARGIN_MS;
    if (w->virtual_clock && s > KB_WALL_VIRTUAL_EPOCH_MS)
        s = KB_WALL_VIRTUAL_EPOCH_MS;
    return s;
}

static bool story_ok(const struct kb_wall *w, struct kb_spool *spool, const struct kb_playlist *pl,
                     const struct kb_item *it, int64_t at_ms)
{
    return it->kind == KB_KIND_HEADLINE && kb_playlist_wants(pl, spool, it) &&
           stamp_ms(w, it->published) <= at_ms && (it->expires == 0 || it->expires * 1000 > at_ms);
}

/* Slot s's story: a breaking headline that became due since the slot
 * before began (the newest), else headline s mod n of the n this screen
 * shows, newest first. Only items due by the slot's start count, so a
 * tile that read the spool a little later picks the same. */
static const struct kb_item *pick(const struct kb_wall *w, struct kb_spool *spool,
                                  const struct kb_playlist *pl, int64_t s, int64_t start_ms,
                                  int64_t slot_ms)
{
    size_t n, m = 0;
    const struct kb_item *const *items = kb_spool_items(spool, &n);
    for (size_t i = n; i-- > 0;) {
        const struct kb_item *it = items[i];
        int64_t st = stamp_ms(w, it->published);
        if (it->priority == KB_PRIORITY_BREAKING && story_ok(w, spool, pl, it, start_ms) &&
            st > start_ms - slot_ms)
            return it;
    }
    for (size_t i = 0; i < n; i++)
        m += story_ok(w, spool, pl, items[i], start_ms);
    if (m == 0)
        return NULL;
    size_t want = (size_t)(((s % (int64_t)m) + (int64_t)m) % (int64_t)m), k = 0;
    for (size_t i = n; i-- > 0;) {
        if (!story_ok(w, spool, pl, items[i], start_ms))
            continue;
        if (k++ == want)
            return items[i];
    }
    return NULL;
}

void kb_wall_slides_step(struct kb_wall *w, struct kb_storyq *q, struct kb_faces *faces,
                         struct kb_spool *spool, const struct kb_playlist *pl,
                         const struct kb_config *cfg)
{
    int sw, sh, px;
    if (q == NULL || !kb_storyq_size(q, &sw, &sh, &px))
        return;
    pthread_mutex_lock(&w->mu);
    int64_t slot = w->slide_asked, done = w->slide_made;
    pthread_mutex_unlock(&w->mu);
    if (slot == INT64_MIN || slot == done)
        return;
    bool quotes = strcmp(cfg->panel, "both") == 0 && strcmp(cfg->quotes, "panel") == 0;
    int64_t per = (int64_t)llround(kb_wall_slide_slot_s(cfg, quotes) * w->hz);
    if (per < 1)
        per = 1;
    int64_t start_ms = (int64_t)floor((double)(slot * per) * 1000.0 / w->hz);
    int64_t slot_ms = (int64_t)llround((double)per * 1000.0 / w->hz);
    const struct kb_item *it = pick(w, spool, pl, slot, start_ms, slot_ms);
    struct kb_story *s =
        it != NULL ? kb_slide_compose(faces, cfg, it, cfg->spool, sw, sh, px, start_ms / 1000)
                   : NULL;
    LOG_DBG("slide for slot %lld: %s", (long long)slot, s != NULL ? s->id : "(none)");
    pthread_mutex_lock(&w->mu);
    kb_story_free(w->slide);
    w->slide = s;
    w->slide_for = slot;
    w->slide_made = slot;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}
