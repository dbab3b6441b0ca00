/* The render loop's side of a video wall (app/wall.h): the tile's scene,
 * what the schedule must know of it, and the crawl fed from the schedule
 * instead of from the ingest thread's queue. */
#include <math.h>

#define LOG_MODULE "run"
#include "app/loop.h"
#include "app/wall.h"
#include "app/wall_view.h"
#include "core/log.h"
#include "core/xmalloc.h"

bool kb_loop_wall_open(struct kb_loop *L)
{
    struct kb_wall_geo g;
    struct kb_error err;
    if (!kb_wall_parse(&L->cfg, &g, &err)) {
        LOG_ERR("%s", err.msg);
        return false;
    }
    if (g.cols == 0)
        return true;
    if (g.all) {
        LOG_ERR("wall_tile = all: one process driving several displays is not built yet; run "
                "one kabar per display with its own --tile");
        return false;
    }
    L->wall = kb_wall_new(&g, L->o->virtual_clock, L->cfg.refresh_hz);
    LOG_INFO("wall %dx%d, tile %d,%d, bezel %d px", g.cols, g.rows, g.col, g.row, g.bezel);
    return true;
}

void kb_loop_wall_scene(struct kb_loop *L)
{
    int vw, vh;
    L->layout =
        kb_wall_scene(&L->cfg, kb_wall_geometry(L->wall), L->logical_w, L->logical_h, &vw, &vh);
}

/* What the schedule must know: it is made again when this changes. */
static void publish_layout(struct kb_loop *L)
{
    const struct kb_crawl_geometry *geo = &L->layout.geo;
    kb_wall_set_layout(L->wall, L->layout.px, geo->px_per_frame, geo->area.w, geo->gap,
                       L->rtl_screen ? +1 : -1);
}

void kb_loop_wall_feed(struct kb_loop *L, uint64_t frame)
{
    L->wall_frame = (int64_t)frame;
    publish_layout(L);
    int64_t breaking_at;
    kb_wall_feed(L->wall, L->crawl, (int64_t)frame, &breaking_at);
    /* The bar's flash counts from the frame the run began on every tile. */
    if (breaking_at >= 0)
        L->breaking_since = L->t - (double)((int64_t)frame - breaking_at) / L->cfg.refresh_hz;
}

char *kb_loop_record_path(const struct kb_loop *L, uint64_t n)
{
    const struct kb_run_opts *o = L->o;
    if (o->record_dir == NULL || o->record_every <= 0)
        return NULL;
    if (L->wall == NULL)
        return n % (uint64_t)o->record_every == 0
                   ? kb_xasprintf("%s/frame-%06llu.png", o->record_dir, (unsigned long long)n)
                   : NULL;
    if (L->wall_frame % o->record_every != 0)
        return NULL;
    return kb_xasprintf("%s/wall-%lld.png", o->record_dir, (long long)L->wall_frame);
}
