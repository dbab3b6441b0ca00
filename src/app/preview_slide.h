/* `kabar preview --profile`: one item's story slide as it will air on a
 * board, drawn by the ticker's own layout code (app/slide_compose.c,
 * render/story.c, render/slide.c) on a whole screen of the board's size,
 * with the bar below it showing the item's first screenful. */
#ifndef KB_APP_PREVIEW_SLIDE_H
#define KB_APP_PREVIEW_SLIDE_H

#include "app/config.h"

/* Draws the item of file (a spool file; its picture is read from images/
 * beside it) as cfg's screen shows it, into png. Prints "PNG: WxH" on
 * success. Returns the exit status: 0, or 1 with one line on stderr (an
 * invalid file, no fonts, nothing to show, an unwritable png). cfg and the
 * names are only read, during the call; the picture is read, never moved. */
int kb_preview_slide(const struct kb_config *cfg, const char *file, const char *png);

#endif
