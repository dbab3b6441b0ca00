/* Every fixed bound of `kabar feed` on what comes from a feed server, in one
 * place, each with the reason for its size (the spool's own bounds are in
 * core/limits.h and apply on top). */
#ifndef KB_APP_FEED_LIMITS_H
#define KB_APP_FEED_LIMITS_H

/* A feed document: big feeds with full content run to a few MiB; more is a
 * mistake or an attack. Checked on the decoded bytes, so a gzip bomb stops
 * here too. */
#define KB_FEED_BODY_MAX (8 * 1024 * 1024)
/* Entries read from one document, whatever --max says: a 500-entry archive
 * feed fits twice over. Past this the rest of the document is ignored. */
#define KB_FEED_ENTRIES_MAX 1000
/* Entries written per feed when neither --max nor max= says. */
#define KB_FEED_MAX_DEFAULT 100
/* One field (a title, a summary) as read from the document, before HTML is
 * reduced to text: a long article body is 100 KiB; the item text is at most
 * 4,000 bytes anyway. */
#define KB_FEED_FIELD_MAX (256 * 1024)
/* Text that internal DTD entities may add to one document when expanded.
 * Feeds have no need of entities at all; this lets a harmless &nbsp;-style
 * declaration through (tens of thousands of uses) and refuses a "quadratic
 * blow-up" document long before one field fills up. */
#define KB_FEED_ENTITY_BUDGET (64 * 1024)
/* Redirects followed: a moved feed plus an http -> https hop, with room. */
#define KB_FEED_REDIRECTS_MAX 5
/* Feed URL length: far past any real one, and short enough for one log line. */
#define KB_FEED_URL_MAX 2048
/* Feeds one process follows. */
#define KB_FEED_FEEDS_MAX 256
/* The id prefix taken from the source or host: leaves room for "-" and a
 * 16-digit hash inside KB_ID_MAX. */
#define KB_FEED_PREFIX_MAX 32
/* The state file of one feed (two validators and the list of files written). */
#define KB_FEED_STATE_MAX (256 * 1024)

#endif
