/* One story slide laid out on the ingest thread: its picture read, checked
 * and decoded (a bad one rejected, the slide kept), its lines wrapped to
 * the text box and placed by their ink, so nothing is cut at a box's edge
 * and nothing scrolls. */
#define LOG_MODULE "slides"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/compose.h"
#include "app/present.h"
#include "app/reading.h"
#include "app/slides.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "render/picture.h"
#include "spool/images.h"

/* Shares of the headline's em. */
#define META_SCALE 0.5
#define SUMMARY_SCALE 0.6
#define BADGE_SCALE 0.45
#define CREDIT_SCALE 0.34
#define HEADLINE_LINES 4
#define SUMMARY_LINES 8

static const char *decoder_type(enum kb_image_format f)
{
    return f == KB_IMAGE_PNG ? "PNG" : f == KB_IMAGE_JPEG ? "JPG" : "WEBP";
}

/* The item's picture scaled to box, or NULL: a missing one is waited for
 * (logged once), a bad one goes to rejected/ with its reason. */
static struct kb_picture *load_picture(const struct kb_item *item, const char *dir,
                                       struct kb_story_box box)
{
    if (item->image[0] == '\0' || box.w <= 0 || box.h <= 0)
        return NULL;
    char *buf;
    size_t len;
    struct kb_image_header hdr;
    struct kb_error err;
    enum kb_image_read r = kb_spool_image_read(dir, item->image, NULL, &buf, &len, &hdr, &err);
    if (r == KB_IMAGE_READ_MISSING || r == KB_IMAGE_READ_BUSY) {
        LOG_WARN_ONCE(err.msg, "%s (named by %s): shown without it", err.msg, item->id);
        return NULL;
    }
    struct kb_picture *p = NULL;
    if (r == KB_IMAGE_READ_OK) {
        struct kb_error derr;
        p = kb_picture_decode(buf, len, decoder_type(hdr.format), (int)hdr.width, (int)hdr.height,
                              box.w, box.h, &derr);
        free(buf);
        if (p != NULL)
            return p;
        kb_error_set(&err, "%s/" KB_SPOOL_IMAGES_DIR "/%s: %s", dir, item->image, derr.msg);
    }
    LOG_WARN("%s; %s shows without it", err.msg, item->id);
    struct kb_error rerr;
    if (!kb_spool_image_reject(dir, item->image, err.msg, &rerr))
        LOG_WARN_ONCE(rerr.msg, "%s", rerr.msg);
    return NULL;
}

struct placer {
    struct kb_story *s;
    struct kb_story_box box;
    int y; /* top of the room left */
};

static double widest(struct kb_line **lines, size_t n)
{
    double w = 0;
    for (size_t i = 0; i < n; i++)
        w = fmax(w, lines[i]->width);
    return w;
}

/* Places line at the top of the room left, aligned to the start edge; takes
 * its reference. False (the line dropped) if its ink would cross the box's
 * bottom or side, or the slide has no room for more lines. */
static bool place(struct placer *pl, struct kb_line *line, enum kb_story_role role, double gap)
{
    struct kb_story *s = pl->s;
    int top = pl->y + (int)ceil(line->ink_top > 0 ? line->ink_top : line->ascent);
    int bottom = top + (int)ceil(fmax(line->ink_bottom, line->descent));
    if (s->n == KB_STORY_LINES_MAX || bottom > pl->box.y + pl->box.h || line->width > pl->box.w) {
        kb_line_unref(line);
        return false;
    }
    int x = s->rtl ? pl->box.x + pl->box.w - (int)ceil(line->width) : pl->box.x;
    s->lines[s->n++] = (struct kb_story_line){line, x, top, role};
    pl->y = bottom + (int)ceil(gap);
    return true;
}

/* Wraps text at px to the box's width, shrinking (to 0.6 of px) while a
 * word is wider than the box or it takes more than max lines; places as
 * many lines as fit. Returns the lines placed. */
static size_t place_wrapped(struct placer *pl, struct kb_faces *faces, const char *text,
                            const struct kb_item *item, int px, size_t max, enum kb_story_role role)
{
    struct kb_line *lines[SUMMARY_LINES + HEADLINE_LINES];
    size_t n = 0;
    struct kb_error err;
    int size = px;
    for (;;) {
        n = kb_line_wrap(faces, text, strlen(text), item->lang, kb_compose_dir(item), size,
                         (float)pl->box.w, max + 1, lines, &err);
        if (n == 0)
            return 0;
        bool fits = widest(lines, n) <= pl->box.w && n <= max;
        int smaller = (int)floor(size * 0.9);
        if (fits || smaller < (int)ceil(px * 0.6) || smaller < 6)
            break;
        for (size_t i = 0; i < n; i++)
            kb_line_unref(lines[i]);
        size = smaller;
    }
    size_t placed = 0;
    double gap = size * 0.28;
    for (size_t i = 0; i < n; i++) {
        /* place() drops a line it cannot place; the lines after it go too. */
        if (i < max && placed == i)
            placed += place(pl, lines[i], role, i + 1 < n ? gap : size * 0.6) ? 1 : 0;
        else
            kb_line_unref(lines[i]);
    }
    return placed;
}

static void add_credit(struct kb_story *s, struct kb_faces *faces, const struct kb_item *item,
                       int px)
{
    if (item->credit == NULL || s->picture == NULL)
        return;
    struct kb_line *l = kb_compose_text(faces, item->credit, item->lang, KB_DIR_AUTO,
                                        (int)lround(px * CREDIT_SCALE), item->file);
    struct kb_story_box pic = s->layout.pic;
    int pad = l ? (int)ceil(l->px * 0.5) : 0;
    if (l == NULL || l->width > pic.w - 2 * pad || s->n == KB_STORY_LINES_MAX) {
        kb_line_unref(l);
        return;
    }
    int x = s->rtl ? pic.x + pad : pic.x + pic.w - pad - (int)ceil(l->width);
    int baseline = pic.y + pic.h - pad - (int)ceil(l->ink_bottom);
    s->lines[s->n++] = (struct kb_story_line){l, x, baseline, KB_STORY_CREDIT};
}

static char *meta_text(const struct kb_item *item, int64_t now_s)
{
    char ago[96];
    kb_slide_ago(item->lang, now_s - item->published, ago, sizeof(ago));
    if (item->source[0] == '\0')
        return kb_xstrdup(ago);
    return kb_xasprintf("%s  ·  %s", item->source, ago);
}

/* Lays the text out into s's text box. False if the headline cannot be. */
static bool lay_out_text(struct kb_story *s, struct kb_faces *faces, const struct kb_config *cfg,
                         const struct kb_item *item, int px, int64_t now_s)
{
    struct placer pl = {s, s->layout.text, s->layout.text.y};
    char *meta = meta_text(item, now_s);
    struct kb_line *m = kb_compose_text(faces, meta, item->lang, s->rtl ? KB_DIR_RTL : KB_DIR_LTR,
                                        (int)lround(px * META_SCALE), item->file);
    free(meta);
    if (m != NULL)
        place(&pl, m, KB_STORY_META, px * 0.35);
    char *head = kb_present_text(item);
    size_t nh = place_wrapped(&pl, faces, head, item, px, HEADLINE_LINES, KB_STORY_HEADLINE);
    free(head);
    if (nh == 0)
        return false;
    /* Room for the badge under the summary. */
    struct kb_line *badge = NULL;
    if (cfg->translation_badge && item->translated_from[0] != '\0') {
        char *b = kb_present_badge(item->lang, item->translated_from);
        badge = kb_compose_text(faces, b, item->lang, s->rtl ? KB_DIR_RTL : KB_DIR_LTR,
                                (int)lround(px * BADGE_SCALE), item->file);
        free(b);
    }
    int badge_h = badge ? (int)ceil(badge->ink_top + badge->ink_bottom + badge->px * 1.2) : 0;
    if (item->summary != NULL) {
        pl.box.h -= badge_h;
        place_wrapped(&pl, faces, item->summary, item, (int)lround(px * SUMMARY_SCALE),
                      SUMMARY_LINES, KB_STORY_SUMMARY);
        pl.box.h += badge_h;
    }
    if (badge != NULL) {
        /* Inset by the box drawn around it, so the box stays inside too. */
        int pad = (int)ceil(badge->px * 0.3);
        pl.y += pad;
        pl.box.x += pad;
        pl.box.w -= 2 * pad;
        pl.box.h -= pad;
        place(&pl, badge, KB_STORY_BADGE, 0);
    }
    return true;
}

/* How long the slide stays: the reading time of the headline and summary
 * lines it shows (app/reading.c, by the story's language), within
 * slide_min_seconds and slide_max_seconds. */
static double dwell(const struct kb_story *s, const struct kb_config *cfg, const char *lang)
{
    char *text = kb_xstrdup("");
    for (size_t i = 0; i < s->n; i++) {
        enum kb_story_role r = s->lines[i].role;
        if (r != KB_STORY_HEADLINE && r != KB_STORY_SUMMARY)
            continue;
        char *more = kb_xasprintf("%s %s", text, s->lines[i].line->text);
        free(text);
        text = more;
    }
    double t = kb_reading_seconds(text, strlen(text), lang);
    free(text);
    if (t > cfg->slide_max_seconds)
        t = cfg->slide_max_seconds;
    if (t < cfg->slide_min_seconds)
        t = cfg->slide_min_seconds;
    return t;
}

struct kb_story *kb_slide_compose(struct kb_faces *faces, const struct kb_config *cfg,
                                  const struct kb_item *item, const char *spool_dir, int w, int h,
                                  int px, int64_t now_s)
{
    struct kb_story *s = kb_xcalloc(1, sizeof(*s));
    snprintf(s->id, sizeof(s->id), "%s", item->id);
    s->breaking = item->priority == KB_PRIORITY_BREAKING;
    s->w = w;
    s->h = h;
    enum kb_dir dir = kb_compose_dir(item);
    s->rtl = dir == KB_DIR_RTL || (dir == KB_DIR_AUTO && kb_present_rtl(item->lang));
    kb_story_layout(w, h, true, s->rtl, &s->layout);
    s->picture = load_picture(item, spool_dir, s->layout.pic);
    if (s->picture == NULL)
        kb_story_layout(w, h, false, s->rtl, &s->layout);
    if (!lay_out_text(s, faces, cfg, item, px, now_s)) {
        kb_story_free(s);
        return NULL;
    }
    add_credit(s, faces, item, px);
    s->dwell = dwell(s, cfg, item->lang);
    return s;
}
