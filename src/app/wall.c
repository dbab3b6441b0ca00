/* Video walls: the geometry, the shared clock, and the schedule handed
 * from the ingest thread (which makes it) to the render thread (which puts
 * it on the crawl). */
#include "app/wall.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define LOG_MODULE "wall"
#include "app/channel.h"
#include "app/compose.h"
#include "app/wall_view.h"
#include "app/wall_priv.h"
#include "app/wallplan.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "render/crawl.h"
#include "render/story.h"

/* Under the virtual clock, how long the render thread waits for a schedule
 * before drawing without one. */
#define VIRTUAL_WAIT_MS 5000

/* ---- geometry ---- */

bool kb_wall_parse(const struct kb_config *cfg, struct kb_wall_geo *g, struct kb_error *err)
{
    memset(g, 0, sizeof(*g));
    if (cfg->wall[0] == '\0')
        return true;
    char tail;
    if (sscanf(cfg->wall, "%dx%d%c", &g->cols, &g->rows, &tail) != 2 || g->cols < 1 ||
        g->rows < 1 || g->cols > 16 || g->rows > 16) {
        g->cols = 0;
        return kb_error_set(err, "wall: \"%s\": expected COLSxROWS, each 1 to 16, e.g. 3x1",
                            cfg->wall);
    }
    struct kb_wall_geo list[KB_WALL_TILES_MAX];
    if (strcmp(cfg->wall_tile, "all") == 0 || strpbrk(cfg->wall_tile, " ;") != NULL) {
        g->all = true;
        g->bezel = cfg->wall_bezel_px;
        if (kb_wall_tiles(cfg, list, KB_WALL_TILES_MAX, err) < 0) {
            g->cols = 0;
            return false;
        }
    } else if (sscanf(cfg->wall_tile, "%d,%d%c", &g->col, &g->row, &tail) != 2 || g->col < 0 ||
               g->row < 0 || g->col >= g->cols || g->row >= g->rows) {
        g->cols = 0;
        return kb_error_set(err,
                            "wall_tile: \"%s\": expected COL,ROW on a %s wall (0,0 is the "
                            "top left), or all",
                            cfg->wall_tile, cfg->wall);
    }
    g->bezel = cfg->wall_bezel_px;
    return true;
}

int kb_wall_tiles(const struct kb_config *cfg, struct kb_wall_geo *out, int max,
                  struct kb_error *err)
{
    struct kb_wall_geo g = {0};
    char tail;
    if (cfg->wall[0] == '\0')
        return 0;
    if (sscanf(cfg->wall, "%dx%d%c", &g.cols, &g.rows, &tail) != 2 || g.cols < 1 || g.rows < 1 ||
        g.cols > 16 || g.rows > 16) {
        kb_error_set(err, "wall: \"%s\": expected COLSxROWS, each 1 to 16, e.g. 3x1", cfg->wall);
        return -1;
    }
    g.bezel = cfg->wall_bezel_px;
    int n = 0;
    if (strcmp(cfg->wall_tile, "all") == 0) {
        for (g.row = 0; g.row < g.rows; g.row++) {
            for (g.col = 0; g.col < g.cols; g.col++) {
                if (n == max) {
                    kb_error_set(err, "wall_tile = all: more than %d tiles for one process", max);
                    return -1;
                }
                out[n++] = g;
            }
        }
        return n;
    }
    char buf[sizeof(cfg->wall_tile)];
    snprintf(buf, sizeof(buf), "%s", cfg->wall_tile);
    char *save = NULL;
    for (char *tok = strtok_r(buf, " ;", &save); tok != NULL; tok = strtok_r(NULL, " ;", &save)) {
        if (sscanf(tok, "%d,%d%c", &g.col, &g.row, &tail) != 2 || g.col < 0 || g.row < 0 ||
            g.col >= g.cols || g.row >= g.rows || n == max) {
            kb_error_set(err,
                         "wall_tile: \"%s\": \"%s\" is not a tile COL,ROW of a %s wall (0,0 "
                         "is the top left; at most %d tiles)",
                         cfg->wall_tile, tok, cfg->wall, max);
            return -1;
        }
        for (int i = 0; i < n; i++) {
            if (out[i].col == g.col && out[i].row == g.row) {
                kb_error_set(err, "wall_tile: \"%s\": tile %s twice", cfg->wall_tile, tok);
                return -1;
            }
        }
        out[n++] = g;
    }
    if (n == 0)
        kb_error_set(err, "wall_tile: empty: expected COL,ROW, a list of them, or all");
    return n > 0 ? n : -1;
}

struct kb_scene kb_wall_scene(const struct kb_config *cfg, const struct kb_wall_geo *g, int w,
                              int h, int *vw, int *vh)
{
    struct kb_scene l = kb_scene_layout(cfg, w, h, cfg->refresh_hz);
    *vw = g->cols * w + (g->cols - 1) * g->bezel;
    *vh = g->rows * h + (g->rows - 1) * g->bezel;
    int ox = g->col * (w + g->bezel), oy = g->row * (h + g->bezel);
    int inset_x = (int)lround(w * cfg->safe_area / 100.0);
    int inset_y = (int)lround(h * cfg->safe_area / 100.0);
    int bar_h = l.bar.h;
    int y = strcmp(cfg->position, "top") == 0 ? inset_y : *vh - inset_y - bar_h;
    l.bar = (SDL_Rect){inset_x - ox, y - oy, *vw - 2 * inset_x, bar_h};
    l.geo.area = l.bar;
    l.geo.baseline = l.bar.y + bar_h / 2 + (int)lround(l.px * 0.36);
    return l;
}

/* ---- life ---- */

struct kb_wall *kb_wall_new(const struct kb_wall_geo *g, bool virtual_clock, double hz)
{
    struct kb_wall *w = kb_xcalloc(1, sizeof(*w));
    w->geo = *g;
    w->virtual_clock = virtual_clock;
    w->hz = hz;
    w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    w->home = -1;
    w->slide_asked = w->slide_for = w->slide_made = INT64_MIN;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    return w;
}

void kb_wall_snap_unref(struct kb_wall_snap *s)
{
    if (s == NULL || --s->refs > 0)
        return;
    for (size_t i = 0; i < s->n_normal; i++)
        kb_ready_release(&s->normal[i].r);
    for (size_t i = 0; i < s->n_breaking; i++)
        kb_ready_release(&s->breaking[i].r);
    free(s->normal);
    free(s->breaking);
    free(s);
}

void kb_wall_free(struct kb_wall *w)
{
    if (w == NULL)
        return;
    kb_wall_snap_unref(w->snap);
    kb_wall_snap_unref(w->shown);
    for (size_t i = 0; i < w->n_cache; i++)
        kb_ready_release(&w->cache[i].r);
    free(w->cache);
    free(w->ghosts);
    kb_story_free(w->slide);
    if (w->efd >= 0)
        close(w->efd);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

const struct kb_wall_geo *kb_wall_geometry(const struct kb_wall *w)
{
    return &w->geo;
}

/* ---- the clock ---- */

static int64_t virtual_epoch_frame(double hz)
{
    return kb_wall_frame_at(hz, KB_WALL_VIRTUAL_EPOCH_MS);
}

static double realtime_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int64_t kb_wall_frame(const struct kb_wall *w, uint64_t pass)
{
    if (w->virtual_clock)
        return virtual_epoch_frame(w->hz) + (int64_t)pass;
    return (int64_t)floor(realtime_s() * w->hz);
}

void kb_wall_presented(struct kb_wall *w, int64_t frame)
{
    w->offset_ms = w->virtual_clock ? 0 : realtime_s() * 1000.0 - (double)frame * 1000.0 / w->hz;
}

double kb_wall_offset_ms(const struct kb_wall *w)
{
    return w->offset_ms;
}

void kb_wall_wake(struct kb_wall *w)
{
    uint64_t one = 1;
    if (w->efd >= 0 && write(w->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        LOG_ERR_ONCE("wall-wake", "eventfd: %s", strerror(errno));
}

int kb_wall_fd(struct kb_wall *w)
{
    return w->efd;
}

/* ---- the quote panel ---- */

void kb_wall_ask_quote(struct kb_wall *w, int64_t slot)
{
    pthread_mutex_lock(&w->mu);
    w->quote_slot = slot;
    pthread_mutex_unlock(&w->mu);
}

int64_t kb_wall_quote_asked(struct kb_wall *w)
{
    pthread_mutex_lock(&w->mu);
    int64_t s = w->quote_slot;
    pthread_mutex_unlock(&w->mu);
    return s;
}

/* ---- render side ---- */

void kb_wall_set_layout(struct kb_wall *w, int px, double px_per_frame, double area_w, double gap,
                        int home)
{
    pthread_mutex_lock(&w->mu);
    bool changed = w->px != px || w->ppf != px_per_frame || w->area_w != area_w || w->gap != gap ||
                   w->home != home;
    if (changed) {
        w->px = px;
        w->ppf = px_per_frame;
        w->area_w = area_w;
        w->gap = gap;
        w->home = home;
        w->layout_gen++;
    }
    pthread_mutex_unlock(&w->mu);
    if (changed)
        kb_wall_wake(w);
}

static bool snap_fits(const struct kb_wall *w, const struct kb_wall_snap *s, int64_t frame)
{
    return s != NULL && s->layout_gen == w->layout_gen && frame >= s->from && frame <= s->to;
}

/* The newest schedule (a reference the caller drops), waiting for one that
 * covers frame under the virtual clock. */
static struct kb_wall_snap *take_snap(struct kb_wall *w, int64_t frame)
{
    pthread_mutex_lock(&w->mu);
    bool ask = w->frame / 64 != frame / 64; /* the ingest thread looks at the time now and then */
    w->frame = frame;
    if (w->virtual_clock && !snap_fits(w, w->snap, frame)) {
        kb_wall_wake(w);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += VIRTUAL_WAIT_MS / 1000;
        while (!snap_fits(w, w->snap, frame) &&
               pthread_cond_timedwait(&w->cv, &w->mu, &until) == 0) {
        }
        ask = false;
    }
    struct kb_wall_snap *s = w->snap;
    if (s != NULL)
        s->refs++;
    pthread_mutex_unlock(&w->mu);
    if (ask)
        kb_wall_wake(w);
    return s;
}

static void place(struct kb_crawl *crawl, const struct kb_wall_snap_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kb_crawl_place(crawl, e[i].r.segs, e[i].r.n_segs, e[i].r.id, e[i].r.flags, e[i].start);
}

void kb_wall_feed(struct kb_wall *w, struct kb_crawl *crawl, int64_t frame, int64_t *breaking_at)
{
    struct kb_wall_snap *s = take_snap(w, frame);
    *breaking_at = -1;
    if (s == NULL)
        return;
    double x = (double)frame * w->ppf;
    bool breaking = x >= s->breaking_from;
    if (breaking)
        *breaking_at = (int64_t)ceil(s->breaking_from / w->ppf - 1e-6);
    pthread_mutex_lock(&w->mu);
    bool same = s == w->shown;
    pthread_mutex_unlock(&w->mu);
    if (same && breaking == w->shown_breaking) {
        pthread_mutex_lock(&w->mu);
        kb_wall_snap_unref(s);
        pthread_mutex_unlock(&w->mu);
        return;
    }
    kb_crawl_clear(crawl);
    if (breaking)
        place(crawl, s->breaking, s->n_breaking);
    else
        place(crawl, s->normal, s->n_normal);
    pthread_mutex_lock(&w->mu);
    kb_wall_snap_unref(w->shown);
    pthread_mutex_unlock(&w->mu);
    w->shown = s;
    w->shown_breaking = breaking;
}
