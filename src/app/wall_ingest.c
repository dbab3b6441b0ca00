/* The wall's schedule, made on the ingest thread: every item the screen
 * shows laid out (cached by id and version), its width and direction
 * handed to app/wallplan.c with the items that left lately, and the
 * result handed to the render thread (app/wall.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_MODULE "wall"
#include "app/channel.h"
#include "app/compose.h"
#include "app/wall.h"
#include "app/wall_priv.h"
#include "app/wallplan.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "render/crawl.h"

/* A second reference to each line of src, in dst. */
static void ready_copy(struct kb_ready *dst, const struct kb_ready *src)
{
    *dst = *src;
    for (size_t i = 0; i < dst->n_segs; i++)
        kb_line_ref(dst->segs[i].line);
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const struct kb_wall_cached *)a)->id, ((const struct kb_wall_cached *)b)->id);
}

/* Published order: the spool's (oldest first, then id). */
static int by_published(const void *a, const void *b)
{
    const struct kb_wall_cached *x = *(const struct kb_wall_cached *const *)a;
    const struct kb_wall_cached *y = *(const struct kb_wall_cached *const *)b;
    if (x->published != y->published)
        return x->published < y->published ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int motion_of(const struct kb_config *cfg, const struct kb_ready *r)
{
    if (strcmp(cfg->crawl_direction, "left-to-right") == 0)
        return +1;
    if (strcmp(cfg->crawl_direction, "right-to-left") == 0)
        return -1;
    const struct kb_line *text = r->n_segs > 0 ? r->segs[0].line : NULL;
    for (size_t i = 0; i < r->n_segs; i++) {
        if (r->segs[i].style == KB_SEG_TEXT) {
            text = r->segs[i].line;
            break;
        }
    }
    return text != NULL && text->base_dir == KB_DIR_RTL ? +1 : -1;
}

static int64_t stamp_of(const struct kb_wall *w, int64_t published)
{
    int64_t s = published * 1000 + KB_WALL_MARGIN_MS;
    /* Under the virtual clock what is in the spool has been there since
     * the virtual epoch, whenever each process read it. */
    if (w->virtual_clock && s > KB_WALL_VIRTUAL_EPOCH_MS)
        s = KB_WALL_VIRTUAL_EPOCH_MS;
    return s;
}

/* Lays item out into c (or takes it from old, the previous cache). */
static bool cache_item(struct kb_wall *w, const struct kb_config *cfg, struct kb_faces *faces,
                       const struct kb_item *item, int px, struct kb_wall_cached *old, size_t n_old,
                       struct kb_wall_cached *c)
{
    struct kb_wall_cached key;
    snprintf(key.id, sizeof(key.id), "%s", item != NULL ? item->id : "");
    struct kb_wall_cached *hit = n_old > 0 ? bsearch(&key, old, n_old, sizeof(*old), by_id) : NULL;
    uint64_t version = item != NULL ? item->version : 0;
    if (hit != NULL && !hit->used && hit->version == version && hit->px == px) {
        *c = *hit;
        hit->used = true;
        return true;
    }
    memset(c, 0, sizeof(*c));
    if (!kb_compose_item(faces, cfg, item, px, &c->r))
        return false;
    snprintf(c->id, sizeof(c->id), "%s", key.id);
    c->version = version;
    c->px = px;
    c->width = kb_crawl_item_width(c->r.segs, c->r.n_segs);
    c->motion = motion_of(cfg, &c->r);
    c->published = item != NULL ? item->published : 0;
    c->stamp = item != NULL ? stamp_of(w, item->published) : INT64_MIN / 4;
    c->breaking = item != NULL && item->priority == KB_PRIORITY_BREAKING;
    return true;
}

/* Whether the crawl of this screen takes item now (its language, quotes
 * left to the panel where there is one and headlines to show, expiry). */
static bool takes(const struct kb_config *cfg, const struct kb_spool *spool,
                  const struct kb_playlist *pl, const struct kb_item *item, bool headlines,
                  int64_t now_ms)
{
    if (!kb_playlist_wants(pl, spool, item))
        return false;
    if (item->expires != 0 && item->expires * 1000 <= now_ms)
        return false;
    return !(item->kind == KB_KIND_QUOTE && item->priority != KB_PRIORITY_BREAKING && headlines &&
             strcmp(cfg->quotes, "panel") == 0);
}

/* The cache again for the spool as it is now. */
static void refresh_cache(struct kb_wall *w, const struct kb_spool *spool,
                          const struct kb_playlist *pl, struct kb_faces *faces,
                          const struct kb_config *cfg, int px, int64_t now_ms)
{
    size_t n;
    const struct kb_item *const *items = kb_spool_items(spool, &n);
    bool headlines = false;
    for (size_t i = 0; i < n; i++)
        headlines = headlines ||
                    (items[i]->kind != KB_KIND_QUOTE && kb_playlist_wants(pl, spool, items[i]));
    struct kb_wall_cached *old = w->cache;
    size_t n_old = w->n_cache;
    struct kb_wall_cached *fresh = kb_xcalloc(n + 1, sizeof(*fresh));
    size_t m = 0;
    bool normal = false;
    for (size_t i = 0; i < n; i++) {
        if (!takes(cfg, spool, pl, items[i], headlines, now_ms))
            continue;
        if (cache_item(w, cfg, faces, items[i], px, old, n_old, &fresh[m])) {
            normal = normal || !fresh[m].breaking;
            m++;
        }
    }
    /* Nothing to show: the idle message, from the beginning of time. */
    if (!normal && cache_item(w, cfg, faces, NULL, px, old, n_old, &fresh[m]))
        m++;
    for (size_t i = 0; i < n_old; i++) {
        if (!old[i].used)
            kb_ready_release(&old[i].r);
    }
    free(old);
    for (size_t i = 0; i < m; i++)
        fresh[i].used = false;
    qsort(fresh, m, sizeof(*fresh), by_id);
    w->cache = fresh;
    w->n_cache = m;
}

void kb_wall_forget(struct kb_wall *w, const struct kb_item *item)
{
    struct kb_wall_cached key;
    snprintf(key.id, sizeof(key.id), "%s", item->id);
    struct kb_wall_cached *hit =
        w->n_cache > 0 ? bsearch(&key, w->cache, w->n_cache, sizeof(key), by_id) : NULL;
    if (hit == NULL)
        return;
    w->ghosts = kb_xreallocarray(w->ghosts, w->n_ghosts + 1, sizeof(*w->ghosts));
    struct kb_wall_ghost *g = &w->ghosts[w->n_ghosts++];
    g->c = *hit;
    memset(&g->c.r, 0, sizeof(g->c.r));
    /* A schedule made before the item left would put it back on the
     * crawl: the render thread keeps what it shows until the next one. */
    pthread_mutex_lock(&w->mu);
    g->left_frame = w->frame;
    kb_wall_snap_unref(w->snap);
    w->snap = NULL;
    pthread_mutex_unlock(&w->mu);
    /* Its lines go at once: a retraction leaves the screen now. */
    kb_ready_release(&hit->r);
    hit->version = UINT64_MAX;
    w->planned_gen = UINT64_MAX;
    /* When this tile learnt of it, on the shared clock: what the live test
     * compares between tiles (docs/wall.md, "What the tests measure"). */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
    LOG_INFO("%s: left the spool at %.3f s, shared frame %lld", item->id, now,
             (long long)floor(now * w->hz));
}

/* Ghosts older than KB_WALL_GHOST_EPOCHS epochs are dropped, and ghosts
 * of items back in the spool. */
static void prune_ghosts(struct kb_wall *w, int64_t frame, int64_t epoch_frames)
{
    size_t j = 0;
    for (size_t i = 0; i < w->n_ghosts; i++) {
        bool back = w->n_cache > 0 &&
                    bsearch(&w->ghosts[i].c, w->cache, w->n_cache, sizeof(*w->cache), by_id);
        if (!back && w->ghosts[i].left_frame >= frame - KB_WALL_GHOST_EPOCHS * epoch_frames)
            w->ghosts[j++] = w->ghosts[i];
    }
    w->n_ghosts = j;
}

/* The schedule between from and to as the render thread takes it. */
static struct kb_wall_snap *make_snap(struct kb_wall *w, const struct kb_wall_params *p,
                                      int64_t from, int64_t to, uint64_t layout_gen)
{
    size_t n = w->n_cache + w->n_ghosts;
    const struct kb_wall_cached **all = kb_xcalloc(n + 1, sizeof(*all));
    for (size_t i = 0; i < w->n_cache; i++)
        all[i] = &w->cache[i];
    for (size_t i = 0; i < w->n_ghosts; i++)
        all[w->n_cache + i] = &w->ghosts[i].c;
    qsort(all, n, sizeof(*all), by_published);
    struct kb_wall_item *items = kb_xcalloc(n + 1, sizeof(*items));
    for (size_t i = 0; i < n; i++)
        items[i] = (struct kb_wall_item){all[i]->stamp, all[i]->width, all[i]->motion,
                                         all[i]->breaking, all[i]->r.n_segs == 0};
    struct kb_wall_plan plan;
    kb_wall_plan_make(items, n, p, from, to, &plan);
    struct kb_wall_snap *s = kb_xcalloc(1, sizeof(*s));
    s->refs = 1;
    s->layout_gen = layout_gen;
    s->from = from;
    s->to = to;
    s->breaking_from = plan.breaking_from;
    s->normal = kb_xcalloc(plan.n_normal + 1, sizeof(*s->normal));
    s->breaking = kb_xcalloc(plan.n_breaking + 1, sizeof(*s->breaking));
    for (size_t i = 0; i < plan.n_normal; i++) {
        struct kb_wall_snap_entry *e = &s->normal[s->n_normal++];
        ready_copy(&e->r, &all[plan.normal[i].item]->r);
        e->start = plan.normal[i].start;
    }
    for (size_t i = 0; i < plan.n_breaking; i++) {
        struct kb_wall_snap_entry *e = &s->breaking[s->n_breaking++];
        ready_copy(&e->r, &all[plan.breaking[i].item]->r);
        e->start = plan.breaking[i].start;
    }
    kb_wall_plan_release(&plan);
    free(items);
    free(all);
    return s;
}

void kb_wall_plan_step(struct kb_wall *w, struct kb_spool *spool, const struct kb_playlist *pl,
                       struct kb_faces *faces, const struct kb_config *cfg, int px)
{
    uint64_t drained;
    if (w->efd >= 0 && read(w->efd, &drained, sizeof(drained)) < 0) {
        /* nothing was asked: the time may still have come */
    }
    struct kb_wall_params p = {.hz = w->hz, .epoch_frames = (int64_t)(KB_WALL_EPOCH_S * w->hz)};
    pthread_mutex_lock(&w->mu);
    p.px_per_frame = w->ppf;
    p.area_w = w->area_w;
    p.gap = w->gap;
    p.home = w->home;
    uint64_t layout_gen = w->layout_gen;
    int64_t frame = w->frame;
    int wpx = w->px;
    pthread_mutex_unlock(&w->mu);
    if (px <= 0 || wpx != px || p.px_per_frame <= 0 || frame == 0)
        return;
    uint64_t gen = kb_spool_generation(spool);
    bool old_ghost = false;
    for (size_t i = 0; i < w->n_ghosts; i++)
        old_ghost =
            old_ghost || w->ghosts[i].left_frame < frame - KB_WALL_GHOST_EPOCHS * p.epoch_frames;
    if (gen == w->planned_gen && layout_gen == w->planned_layout && !old_ghost &&
        frame + p.epoch_frames / 4 < w->planned_to)
        return;
    int64_t now_ms = (int64_t)floor((double)frame * 1000.0 / w->hz);
    refresh_cache(w, spool, pl, faces, cfg, px, now_ms);
    prune_ghosts(w, frame, p.epoch_frames);
    int64_t from = frame - 2, to = frame + p.epoch_frames / 2;
    struct kb_wall_snap *s = make_snap(w, &p, from, to, layout_gen);
    pthread_mutex_lock(&w->mu);
    kb_wall_snap_unref(w->snap);
    w->snap = s;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    w->planned_gen = gen;
    w->planned_layout = layout_gen;
    w->planned_to = to;
    LOG_DBG("schedule: %zu items, %zu ghosts, frames %lld to %lld", w->n_cache, w->n_ghosts,
            (long long)from, (long long)to);
}
