/* A story slide (docs/presentation.md, "Story slides"), as the ingest
 * thread lays it out and the render thread draws it: the picture, scaled
 * to its box, and every line placed, so drawing is only copying. No SDL
 * here (render/seg.h says why). */
#ifndef KB_RENDER_STORY_H
#define KB_RENDER_STORY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/limits.h"
#include "render/picture.h"
#include "text/line.h"

struct kb_story_box {
    int x, y, w, h;
};

/* Where things go on a slide of w x h pixels (origin at its top left). */
struct kb_story_layout {
    struct kb_story_box pic;    /* the picture's box; empty without one */
    struct kb_story_box text;   /* the headline, summary, source and time */
    struct kb_story_box accent; /* a bar of the label's colour at the text's start edge */
    int margin;
};

/* Side by side on a landscape slide (the picture at the start edge: left,
 * or right for a right-to-left story), stacked on a portrait one (the
 * picture on top). Without a picture the text takes the whole slide. */
void kb_story_layout(int w, int h, bool has_picture, bool rtl, struct kb_story_layout *out);

enum kb_story_role {
    KB_STORY_META, /* source and relative time */
    KB_STORY_HEADLINE,
    KB_STORY_SUMMARY,
    KB_STORY_BADGE,  /* the machine-translation badge, in its box */
    KB_STORY_CREDIT, /* the photo credit, small on the picture */
};

struct kb_story_line {
    struct kb_line *line; /* one reference */
    int x, baseline;      /* pen position, relative to the slide */
    enum kb_story_role role;
};

#define KB_STORY_LINES_MAX 24

struct kb_story {
    char id[KB_ID_MAX + 1];
    bool breaking, rtl;
    int w, h; /* the slide size it was laid out for */
    struct kb_story_layout layout;
    struct kb_picture *picture; /* covers layout.pic; NULL for a text-only slide */
    struct kb_story_line lines[KB_STORY_LINES_MAX];
    size_t n;
    double dwell; /* seconds it stays: its reading time */
};

/* Drops the line references and the picture, and frees s (NULL is fine). */
void kb_story_free(struct kb_story *s);

#endif
