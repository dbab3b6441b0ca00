#include "app/slides_loop.h"

#include <math.h>
#include <string.h>

#include "app/loop.h"
#include "app/scene.h"
#include "app/slides.h"
#include "render/panel.h"
#include "render/fit.h"

void kb_loop_slides_place(struct kb_loop *L)
{
    if (L->slides == NULL)
        return;
    const struct kb_config *cfg = &L->cfg;
    bool top = strcmp(cfg->position, "top") == 0;
    int safe = (int)lround(L->logical_h * cfg->safe_area / 100.0);
    /* On a wall the slide is laid out on the whole wall, like the quote
     * panel: its top edge and height in this tile's pixels (a tile of an
     * upper row draws the slide's upper part). */
    int edge = 0, height = L->logical_h;
    if (L->wall != NULL)
        kb_loop_wall_span(L, &edge, &height);
    /* Room is left for the bar to grow (kb_loop_fit_bar). */
    int grow = (int)lround(L->base_bar.h * (KB_FIT_GROW_MAX - 1));
    int y = top ? L->base_bar.y + L->base_bar.h + grow : edge + safe;
    int h = top ? edge + height - safe - y : L->base_bar.y - grow - y;
    SDL_Rect r = {L->layout.bar.x, y, L->layout.bar.w, h > 0 ? h : 0};
    kb_slides_place(L->slides, r);
    /* The headline's em: a little over twice a quote's, bounded by the
     * slide's height so four lines and a summary still fit. */
    double lines = kb_scene_lines(L->logical_w, L->logical_h);
    int px = (int)lround(fmin(lines * cfg->quote_size * 1.25, r.h / 9.0));
    if (kb_channel_stories(L->ch) != NULL)
        kb_storyq_set_size(kb_channel_stories(L->ch), r.w, r.h, r.h > 0 ? px : 0);
}

/* Both: a quote's time between two slides, but only if a quote is there
 * to fill it; with none (the ingest side said so, and the panel holds
 * none) the next slide follows at once instead of an empty panel. */
static double gap_of(const struct kb_loop *L)
{
    if (L->panel == NULL || strcmp(L->cfg.panel, "both") != 0)
        return 0;
    uint64_t serial;
    bool none = L->quote_none && kb_panel_wants_next(L->panel) &&
                kb_panel_current(L->panel, &serial) == NULL;
    return none ? 0 : L->cfg.quote_seconds;
}

void kb_loop_slides_apply(struct kb_loop *L)
{
    const struct kb_config *cfg = &L->cfg;
    bool want = strcmp(cfg->panel, "quotes") != 0;
    if (want && L->slides == NULL)
        L->slides = kb_slides_new();
    if (!want && L->slides != NULL) {
        kb_slides_free(L->slides);
        L->slides = NULL;
        if (kb_channel_stories(L->ch) != NULL)
            kb_storyq_set_size(kb_channel_stories(L->ch), 0, 0, 0);
    }
    if (L->slides == NULL)
        return;
    struct kb_slide_style st = kb_scene_slide_style(cfg, gap_of(L));
    kb_slides_set_style(L->slides, &st);
    kb_loop_slides_place(L);
}

int kb_loop_slides_frame(struct kb_loop *L)
{
    if (L->slides == NULL)
        return -1;
    struct kb_storyq *q = kb_channel_stories(L->ch);
    int qw, qh, qpx;
    /* The channel may come after the config was applied: tell it the size. */
    if (!kb_storyq_size(q, &qw, &qh, &qpx) || qw != kb_slides_rect(L->slides).w)
        kb_loop_slides_place(L);
    double t = L->t;
    if (L->wall != NULL) {
        t = kb_loop_wall_slides(L); /* the shared clock's slots (loop_wall.c) */
    } else {
        struct kb_slide_style st = kb_scene_slide_style(&L->cfg, gap_of(L));
        kb_slides_set_style(L->slides, &st);
        /* A breaking story is at the head of the queue: it goes on at once. */
        bool next = kb_slides_wants_next(L->slides, L->t);
        struct kb_story *s = kb_storyq_take_if(q, next);
        if (s != NULL)
            kb_slides_push(L->slides, L->screen.renderer, s, L->t);
    }
    bool dirty = kb_slides_step(L->slides, t, L->atlas, (size_t)L->cfg.warm_glyphs_per_frame);
    if (!kb_slides_showing(L->slides)) {
        /* The slide's time ended or it was taken off (retracted): the
         * quote panel has the space again, cleared, and the display is
         * sent the cleared rect. */
        if (kb_slides_uncover(L->slides)) {
            SDL_Rect r = kb_slides_rect(L->slides);
            SDL_Color bg = kb_scene_color(L->cfg.background);
            SDL_SetRenderDrawBlendMode(L->screen.renderer, SDL_BLENDMODE_NONE);
            SDL_SetRenderDrawColor(L->screen.renderer, bg.r, bg.g, bg.b, bg.a);
            SDL_RenderFillRect(L->screen.renderer, &r);
            kb_damage_add(&L->damage, r);
            L->panel_redraw = true;
        }
        return -1;
    }
    bool cleared = L->panel_redraw || (!L->screen.software && L->rotated == NULL);
    L->panel_redraw = false;
    if (!dirty && !cleared)
        return 0;
    /* Everything a slide draws is inside its rect (kb_slides_draw clips to it). */
    kb_damage_add(&L->damage, kb_slides_rect(L->slides));
    return kb_slides_draw(L->slides, L->screen.renderer, L->atlas, L->batch);
}
