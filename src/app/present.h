/* What an item says on screen: the text handed to layout, composed from
 * the item's fields in its language's conventions (quotation marks and
 * their spacing, the attribution dash), and the chrome's localized words. */
#ifndef KB_APP_PRESENT_H
#define KB_APP_PRESENT_H

#include <stdbool.h>

#include "spool/item.h"

struct kb_quote_style {
    const char *lang; /* BCP 47 prefix it applies to */
    const char *open, *close;
    const char *attribution; /* between the closing mark and the speaker */
};

/* The quotation style for lang (longest matching prefix; English's if none).
 * A static table entry, for the life of the process. */
const struct kb_quote_style *kb_quote_style(const char *lang);
/* The text to lay out for item: the headline, or the quote with its marks
 * and attribution. The caller frees it. */
char *kb_present_text(const struct kb_item *item);
/* A quote's attribution line on the panel: the speaker after its
 * language's dash ("— Marie Dupont", "――山田太郎"). The caller frees it. */
char *kb_present_attribution(const char *lang, const char *by);
/* The machine-translation badge for an item in lang translated from `from`,
 * in the item's language ("traduit automatiquement de l'indonésien"). The
 * caller frees it. */
char *kb_present_badge(const char *lang, const char *from);
/* Localized defaults of the chrome, by screen language. Static strings. */
const char *kb_present_label(const char *screen_lang);
const char *kb_present_idle(const char *screen_lang);
/* The label while breaking news shows ("BREAKING", "ALERTE INFO", ...). */
const char *kb_present_breaking(const char *screen_lang);
/* "feed stale since HH:MM" in the screen language; the caller frees it. */
char *kb_present_stale(const char *screen_lang, const char *since);
/* True if lang is written right to left (the chrome mirrors for it). */
bool kb_present_rtl(const char *lang);

#endif
