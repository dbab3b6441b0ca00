#define LOG_MODULE "slides"

#include "app/slides_feed.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/xmalloc.h"

/* Breaking items remembered as already put on a slide. */
#define BREAKING_SEEN_MAX 16

struct kb_slide_feed {
    const struct kb_config *cfg;
    char last[KB_ID_MAX + 1]; /* the last story offered */
    struct {
        char id[KB_ID_MAX + 1];
        uint64_t version;
    } seen[BREAKING_SEEN_MAX];
    size_t n_seen;
};

struct kb_slide_feed *kb_slide_feed_new(const struct kb_config *cfg)
{
    if (strcmp(cfg->panel, "quotes") == 0)
        return NULL;
    struct kb_slide_feed *f = kb_xcalloc(1, sizeof(*f));
    f->cfg = cfg;
    return f;
}

void kb_slide_feed_free(struct kb_slide_feed *f)
{
    free(f);
}

static bool seen_breaking(struct kb_slide_feed *f, const struct kb_item *it)
{
    for (size_t i = 0; i < f->n_seen; i++)
        if (strcmp(f->seen[i].id, it->id) == 0 && f->seen[i].version == it->version)
            return true;
    size_t k = f->n_seen < BREAKING_SEEN_MAX ? f->n_seen++ : 0;
    memmove(f->seen + 1, f->seen, k * sizeof(f->seen[0]));
    snprintf(f->seen[0].id, sizeof(f->seen[0].id), "%s", it->id);
    f->seen[0].version = it->version;
    return false;
}

/* The next story: an unseen breaking one, else the next headline older than
 * the last one offered (newest first, round and round). */
static const struct kb_item *pick(struct kb_slide_feed *f, struct kb_spool *spool,
                                  struct kb_playlist *pl)
{
    size_t n;
    const struct kb_item *const *items = kb_spool_items(spool, &n);
    for (size_t i = n; i-- > 0;) {
        const struct kb_item *it = items[i];
        if (it->priority == KB_PRIORITY_BREAKING && it->kind == KB_KIND_HEADLINE &&
            kb_playlist_wants(pl, spool, it) && !seen_breaking(f, it))
            return it;
    }
    size_t start = n;
    for (size_t i = 0; i < n && f->last[0]; i++)
        if (strcmp(items[i]->id, f->last) == 0)
            start = i;
    for (size_t k = 1; k <= n; k++) {
        const struct kb_item *it = items[(start + n - k) % n];
        if (it->kind == KB_KIND_HEADLINE && kb_playlist_wants(pl, spool, it))
            return it;
    }
    return NULL;
}

void kb_slide_feed_run(struct kb_slide_feed *f, struct kb_storyq *q, struct kb_faces *faces,
                       struct kb_spool *spool, struct kb_playlist *pl, int64_t now_ms)
{
    int w, h, px;
    if (f == NULL || q == NULL || !kb_storyq_size(q, &w, &h, &px))
        return;
    size_t budget = (size_t)f->cfg->picture_budget_kib * 1024;
    size_t pic = (size_t)w * (size_t)h * 4 / 2; /* a picture covers about half a slide */
    for (int tries = 0; tries < 2; tries++) {
        if (!kb_storyq_room(q, (size_t)f->cfg->slides_ahead, pic, budget))
            return;
        const struct kb_item *it = pick(f, spool, pl);
        if (it == NULL)
            return;
        if (it->priority != KB_PRIORITY_BREAKING)
            snprintf(f->last, sizeof(f->last), "%s", it->id);
        struct kb_story *s =
            kb_slide_compose(faces, f->cfg, it, f->cfg->spool, w, h, px, now_ms / 1000);
        if (s != NULL) {
            LOG_DBG("slide %s: %zu lines, %s picture, %.1f s", s->id, s->n,
                    s->picture ? "with" : "no", s->dwell);
            kb_storyq_offer(q, s);
        }
    }
}

void kb_slide_feed_changed(struct kb_slide_feed *f, struct kb_storyq *q, const char *id)
{
    if (f != NULL && q != NULL)
        kb_storyq_remove(q, id);
}
