/* What the screen shows, in words, for the stats' `showing` list and so for
 * the fleet status and the newsroom's page (docs/fleet.md): the text and
 * language of each item the crawl or the panel took lately, by id. The
 * render thread notes each item it takes; the stats look the visible ids
 * up when they are written. Render thread only; the table is static (one
 * ticker per process) and bounded. */
#ifndef KB_APP_ONSCREEN_H
#define KB_APP_ONSCREEN_H

#include <jansson.h>
#include <stddef.h>

#include "app/channel.h"

/* Items remembered: many more than fit on a screen at once. */
#define KB_ONSCREEN_ITEMS 64
/* Bytes of text kept per item (cut at a character boundary): enough for a
 * headline, small enough that a status stays small. */
#define KB_ONSCREEN_TEXT_MAX 480

/* Notes the text of an item the render thread took (its text lines
 * joined by spaces; its source, badge and separator left out). Items
 * without an id (the idle message, the chrome) are ignored. Borrows r. */
void kb_onscreen_note(const struct kb_ready *r);

/* Notes what an event brings on screen: its item as kb_onscreen_note
 * does, and for a quote for the panel (whose item holds only the id) the
 * words of the quote's lines. Borrows ev. */
void kb_onscreen_note_event(const struct kb_event *ev);

/* [{"id", "lang", "text"}] for these ids, each once, in order; an id never
 * noted has only its "id". A new reference the caller owns. */
json_t *kb_onscreen_json(const char *const *ids, size_t n);

/* Forgets everything (tests). */
void kb_onscreen_reset(void);

#endif
