/* What the reader repaired or guessed in one document, as one line for the
 * log ("3 undefined entities decoded; recovered from 1 error at 12:5 ...").
 * Parts are added in the order they happen, joined with "; ", and cut at
 * the buffer's end. */
#ifndef KB_FEED_NOTES_H
#define KB_FEED_NOTES_H

#include <stddef.h>

struct kb_feed_notes {
    char line[600];
    size_t len;
};

/* Adds one part (printf format). */
void kb_feed_note(struct kb_feed_notes *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
