#include "app/compose.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "compose"
#include "app/present.h"
#include "core/log.h"
#include "render/fit.h"

enum kb_dir kb_compose_dir(const struct kb_item *item)
{
    switch (item->dir) {
    case KB_ITEM_DIR_LTR:
        return KB_DIR_LTR;
    case KB_ITEM_DIR_RTL:
        return KB_DIR_RTL;
    default:
        return KB_DIR_AUTO;
    }
}

struct kb_line *kb_compose_text(struct kb_faces *faces, const char *text, const char *lang,
                                enum kb_dir dir, int px, const char *what)
{
    struct kb_error err;
    struct kb_line *line = kb_line_layout(faces, text, strlen(text), lang, dir, px, &err);
    if (line == NULL)
        LOG_WARN_ONCE(what, "%s: cannot lay out: %s", what, err.msg);
    return line;
}

void kb_compose_add(struct kb_ready *r, struct kb_line *line, enum kb_seg_style style)
{
    if (line == NULL || r->n_segs == KB_CRAWL_SEGS_MAX)
        return;
    r->segs[r->n_segs].line = line;
    r->segs[r->n_segs].style = style;
    r->n_segs++;
}

/* The bar's height for a crawl of em size px: the scene makes px from
 * it (kb_scene_layout), so this is it within a pixel, never above. */
static int bar_height(const struct kb_config *cfg, int px)
{
    return cfg->font_scale > 0 ? (int)(px / cfg->font_scale) : px * 2;
}

/* How far r's lines (and its badge's box, drawn by the crawl) reach above
 * and below the baseline. */
static void ready_ink(const struct kb_ready *r, double *top, double *bottom)
{
    *top = *bottom = 0;
    for (size_t i = 0; i < r->n_segs; i++) {
        const struct kb_line *l = r->segs[i].line;
        double t = l->ink_top, b = l->ink_bottom;
        if (r->segs[i].style == KB_SEG_BADGE) {
            t = fmax(t, l->px * 1.05);
            b = fmax(b, l->px * 0.4);
        }
        *top = fmax(*top, t);
        *bottom = fmax(*bottom, b);
    }
}

/* The size a text whose ink at px is top + bottom pixels takes to fit a box
 * h pixels tall: px, or smaller down to the floor (render/fit.h). */
static int fitted_px(int px, int h, double top, double bottom)
{
    double scale = kb_fit_scale(h, top, bottom);
    if (scale >= 1)
        return px;
    int floor_px = (int)ceil(px * KB_FIT_FLOOR);
    int fit = (int)floor(px * scale);
    return fit > floor_px ? fit : floor_px;
}

static bool compose_at(struct kb_faces *faces, const struct kb_config *cfg,
                       const struct kb_item *item, int px, struct kb_ready *r);

/* Lays out item (or the idle message when item is NULL) into r at px;
 * where its ink is too tall for the bar, again at a smaller size, down to
 * the floor (docs/display.md, "Fitting"): that item only. */
bool kb_compose_item(struct kb_faces *faces, const struct kb_config *cfg,
                     const struct kb_item *item, int px, struct kb_ready *r)
{
    if (!compose_at(faces, cfg, item, px, r))
        return false;
    double top, bottom;
    ready_ink(r, &top, &bottom);
    int fit = fitted_px(px, bar_height(cfg, px), top, bottom);
    if (fit < px) {
        struct kb_ready smaller;
        if (compose_at(faces, cfg, item, fit, &smaller)) {
            kb_ready_release(r);
            *r = smaller;
        }
    }
    r->px = px;
    return true;
}

/* Lays out item (or the idle message when item is NULL) into r: its source
 * label, its text, its translation badge and the separator, each a line. */
static bool compose_at(struct kb_faces *faces, const struct kb_config *cfg,
                       const struct kb_item *item, int px, struct kb_ready *r)
{
    memset(r, 0, sizeof(*r));
    if (item == NULL) {
        const char *msg =
            cfg->idle_message[0] ? cfg->idle_message : kb_present_idle(cfg->screen_lang);
        kb_compose_add(
            r, kb_compose_text(faces, msg, cfg->screen_lang, KB_DIR_AUTO, px, "idle message"),
            KB_SEG_TEXT);
        return r->n_segs > 0;
    }
    char *text = kb_present_text(item);
    struct kb_line *main =
        kb_compose_text(faces, text, item->lang, kb_compose_dir(item), px, item->file);
    free(text);
    if (main == NULL)
        return false;
    /* Chrome around the text takes the text's direction, so it mirrors with it. */
    enum kb_dir dir = main->base_dir;
    if (cfg->show_source && item->source[0] != '\0')
        kb_compose_add(r, kb_compose_text(faces, item->source, item->lang, dir, px, item->file),
                       KB_SEG_SOURCE);
    kb_compose_add(r, main, KB_SEG_TEXT);
    if (cfg->translation_badge && item->translated_from[0] != '\0') {
        char *badge = kb_present_badge(item->lang, item->translated_from);
        int bpx = (int)(px * KB_BADGE_SCALE + 0.5);
        kb_compose_add(r, kb_compose_text(faces, badge, item->lang, dir, bpx, item->file),
                       KB_SEG_BADGE);
        free(badge);
    }
    if (cfg->separator[0] != '\0' && cfg->separator_image[0] == '\0')
        kb_compose_add(r, kb_compose_text(faces, cfg->separator, item->lang, dir, px, "separator"),
                       KB_SEG_SEPARATOR);
    snprintf(r->id, sizeof(r->id), "%s", item->id);
    r->flags = item->priority == KB_PRIORITY_BREAKING ? KB_CRAWL_BREAKING : 0;
    return true;
}

struct kb_line *kb_compose_chrome(struct kb_faces *faces, const struct kb_config *cfg,
                                  const char *text, int px, double scale)
{
    if (text == NULL || text[0] == '\0')
        return NULL;
    int cpx = (int)(px * scale + 0.5);
    struct kb_line *line =
        kb_compose_text(faces, text, cfg->screen_lang, KB_DIR_AUTO, cpx, "chrome");
    /* The label and the clock fill the bar's height; the stale marker's
     * box is 1.6 of its em (render/chrome.c). */
    int h = scale >= KB_CHROME_SCALE ? bar_height(cfg, px) : (int)(cpx * 1.6);
    int fit = line != NULL ? fitted_px(cpx, h, line->ink_top, line->ink_bottom) : cpx;
    if (fit < cpx) {
        struct kb_line *smaller =
            kb_compose_text(faces, text, cfg->screen_lang, KB_DIR_AUTO, fit, "chrome");
        if (smaller != NULL) {
            kb_line_unref(line);
            line = smaller;
        }
    }
    return line;
}
