#include "render/story.h"

#include <math.h>
#include <stdlib.h>

void kb_story_layout(int w, int h, bool has_picture, bool rtl, struct kb_story_layout *out)
{
    int m = (int)lround((w < h ? w : h) * 0.05);
    if (m < 4)
        m = 4;
    int bar = m / 4 > 2 ? m / 4 : 2;
    *out = (struct kb_story_layout){.margin = m};
    struct kb_story_box all = {m, m, w - 2 * m, h - 2 * m};
    if (all.w < 1 || all.h < 1) {
        out->text = (struct kb_story_box){0, 0, w > 0 ? w : 0, h > 0 ? h : 0};
        return;
    }
    if (!has_picture) {
        out->accent = (struct kb_story_box){rtl ? all.x + all.w - bar : all.x, all.y, bar, all.h};
        out->text =
            (struct kb_story_box){all.x + (rtl ? 0 : bar + m), all.y, all.w - bar - m, all.h};
        return;
    }
    if (h > w) { /* portrait: picture above, text below */
        int ph = (int)lround(all.h * 0.45);
        out->pic = (struct kb_story_box){all.x, all.y, all.w, ph};
        out->text = (struct kb_story_box){all.x, all.y + ph + m, all.w, all.h - ph - m};
        out->accent = (struct kb_story_box){all.x, all.y + ph, all.w, bar};
        return;
    }
    int pw = (int)lround(all.w * 0.46);
    int tw = all.w - pw - m;
    out->pic = (struct kb_story_box){rtl ? all.x + all.w - pw : all.x, all.y, pw, all.h};
    out->text = (struct kb_story_box){rtl ? all.x : all.x + pw + m, all.y, tw, all.h};
    out->accent =
        (struct kb_story_box){rtl ? all.x + all.w - pw - bar : all.x + pw, all.y, bar, all.h};
}

void kb_story_free(struct kb_story *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++)
        kb_line_unref(s->lines[i].line);
    kb_picture_free(s->picture);
    free(s);
}
