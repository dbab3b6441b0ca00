#include "app/compose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "compose"
#include "app/present.h"
#include "core/log.h"

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

/* Lays out item (or the idle message when item is NULL) into r: its source
 * label, its text, its translation badge and the separator, each a line. */
bool kb_compose_item(struct kb_faces *faces, const struct kb_config *cfg,
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
    return kb_compose_text(faces, text, cfg->screen_lang, KB_DIR_AUTO, (int)(px * scale + 0.5),
                           "chrome");
}
