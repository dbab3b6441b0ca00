#include "app/quote.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "quote"
#include "app/channel.h"
#include "app/compose.h"
#include "app/present.h"
#include "app/reading.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "render/panel.h"

/* Line pitch of a quote, in em, unless its ink needs more; and the clear
 * space kept between the ink of two lines. */
#define LINE_PITCH 1.35
#define LINE_CLEAR 0.15

/* How far the ink of lines reaches above and below their baselines. */
static void lines_ink(struct kb_line *const *lines, size_t n, double *top, double *bottom,
                      double *widest)
{
    *top = *bottom = *widest = 0;
    for (size_t i = 0; i < n; i++) {
        *top = fmax(*top, lines[i]->ink_top);
        *bottom = fmax(*bottom, lines[i]->ink_bottom);
        *widest = fmax(*widest, lines[i]->width);
    }
}

/* The height the attribution takes under a page (render/panel.c). */
static double attribution_h(const struct kb_line *by, int pitch)
{
    return by != NULL ? fmax(by->ink_top + by->ink_bottom, by->px) + pitch * 0.25 : 0;
}

/* Seconds page k stays: its reading time within the config's bounds. */
static double page_dwell(const struct kb_config *cfg, const struct kb_quote_pages *qp, size_t k,
                         const char *lang, char **joined)
{
    char *text = kb_xstrdup("");
    for (size_t i = qp->first[k]; i < qp->first[k + 1]; i++) {
        char *more = kb_xasprintf("%s%s%s", text, i > qp->first[k] ? " " : "", qp->lines[i]->text);
        free(text);
        text = more;
    }
    double s = kb_reading_seconds(text, strlen(text), lang);
    *joined = text;
    if (s < cfg->quote_page_min_seconds)
        s = cfg->quote_page_min_seconds;
    if (s > cfg->quote_page_max_seconds &&
        cfg->quote_page_max_seconds >= cfg->quote_page_min_seconds)
        s = cfg->quote_page_max_seconds;
    return s;
}

/* Groups qp's lines into pages of at most per_page and times each. */
static void paginate(const struct kb_config *cfg, struct kb_quote_pages *qp, size_t per_page,
                     const struct kb_item *q, int px)
{
    qp->n_pages = 0;
    for (size_t i = 0; i < qp->n; i += per_page)
        qp->first[qp->n_pages++] = i;
    qp->first[qp->n_pages] = qp->n;
    for (size_t k = 0; k < qp->n_pages; k++) {
        char *text;
        qp->dwell[k] = page_dwell(cfg, qp, k, q->lang, &text);
        free(text);
        /* Line by line, so a log line's bound never cuts one. */
        for (size_t i = qp->first[k]; i < qp->first[k + 1]; i++)
            LOG_DBG("%s: page %zu of %zu, %d px, %.1f s, line %zu: %s", q->id, k + 1, qp->n_pages,
                    px, qp->dwell[k], i + 1, qp->lines[i]->text);
    }
}

/* The lines of text at px into qp, and how many fit a page; false if it
 * cannot be laid out. */
static bool lay_out(struct kb_faces *faces, const struct kb_item *q, const char *text, int px,
                    int width, int height, struct kb_quote_pages *qp, size_t *per_page,
                    double *widest)
{
    struct kb_error err;
    qp->n = kb_line_wrap(faces, text, strlen(text), q->lang, kb_compose_dir(q), px, (float)width,
                         KB_PANEL_LINES_MAX, qp->lines, &err);
    if (qp->n == 0) {
        LOG_WARN_ONCE(q->file, "%s: cannot lay out the quote: %s", q->file, err.msg);
        return false;
    }
    qp->attribution = NULL;
    if (q->by != NULL) {
        char *by = kb_present_attribution(q->lang, q->by);
        qp->attribution = kb_compose_text(faces, by, q->lang, qp->lines[0]->base_dir,
                                          (int)(px * KB_ATTRIBUTION_SCALE + 0.5), q->file);
        free(by);
    }
    double top, bottom;
    lines_ink(qp->lines, qp->n, &top, &bottom, widest);
    double pitch = fmax(lround(px * LINE_PITCH), ceil(top + bottom + px * LINE_CLEAR));
    qp->pitch = (int)pitch;
    double room = height - attribution_h(qp->attribution, qp->pitch) - top - bottom;
    *per_page = room < 0 ? 1 : 1 + (size_t)floor(room / pitch);
    return true;
}

static void release_lines(struct kb_quote_pages *qp)
{
    for (size_t i = 0; i < qp->n; i++)
        kb_line_unref(qp->lines[i]);
    kb_line_unref(qp->attribution);
    qp->n = 0;
    qp->attribution = NULL;
}

struct kb_quote_pages *kb_quote_layout(struct kb_faces *faces, const struct kb_config *cfg,
                                       const struct kb_item *q, int px, int width, int height)
{
    const struct kb_quote_style *qs = kb_quote_style(q->lang);
    char *text = kb_xasprintf("%s%s%s", qs->open, q->text, qs->close);
    struct kb_quote_pages *qp = kb_xcalloc(1, sizeof(*qp));
    int floor_px = (int)ceil(px * KB_QUOTE_FLOOR), size = px;
    width -= 2 * kb_panel_side(px); /* drawn inside the panel's sides */
    size_t per_page = 1;
    for (;;) {
        double widest;
        if (!lay_out(faces, q, text, size, width, height, qp, &per_page, &widest)) {
            free(text);
            free(qp);
            return NULL;
        }
        bool fits_w = widest <= width, fits_h = qp->n <= per_page;
        int smaller = (int)floor(size * 0.9);
        /* Smaller type until it fits; past the floor, pages, unless a
         * word is wider than the panel: that must shrink whatever it takes. */
        if ((fits_w && fits_h) || smaller < 6 || (fits_w && size <= floor_px))
            break;
        release_lines(qp);
        size = fits_w && smaller < floor_px ? floor_px : smaller;
    }
    free(text);
    paginate(cfg, qp, per_page, q, size);
    return qp;
}
