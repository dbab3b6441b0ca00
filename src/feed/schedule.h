/* `kabar feed`'s schedule: follows the feeds of a struct kb_feed_options,
 * one after another on one thread, each fetched again after its period.
 * A feed that fails (down, an HTTP error, a timeout, a broken document)
 * leaves its last good items in the spool, says so in one log line per
 * streak of failures, and is retried with exponential backoff. */
#ifndef KB_FEED_SCHEDULE_H
#define KB_FEED_SCHEDULE_H

#include "feed/settings.h"

/* Runs `kabar feed` on o (at least one feed, a spool, checked with
 * kb_feed_options_check; borrowed for the call). Owns the process-wide
 * libcurl and libxml2 set-up while it runs, and handles SIGINT and SIGTERM
 * (the previous handlers come back when it returns). Returns the exit
 * status: 0 when done (with o->once: every feed fetched and written;
 * without: stopped by SIGINT or SIGTERM), 1 when a feed failed under
 * o->once or the spool cannot be made (the reason on stderr). */
int kb_feed_run(const struct kb_feed_options *o);

#endif
