/* `kabar feed`: follows RSS, Atom and JSON Feed documents over HTTP(S) and
 * keeps their entries in the spool as items (docs/feeds.md). One process
 * follows one feed given with --url, or many given as [feed NAME] sections
 * of the config file, fetching them one after another on one thread.
 *
 * A feed that fails (down, an HTTP error, a timeout, a broken document)
 * leaves its last good items in the spool, says so in one log line per
 * streak of failures, and is retried with exponential backoff.
 *
 * The modules: feed_fetch (HTTP), feed_parse (documents), feed_map (entry
 * to item), feed_store (spool files and state), feed_text (pure helpers),
 * feed_limits.h (bounds). This file has the command line, the config
 * sections and the schedule; it owns the process-wide libcurl and libxml2
 * set-up for the duration of kb_feed_main. */
#ifndef KB_APP_FEED_H
#define KB_APP_FEED_H

/* The usage text of `kabar feed --help`. */
extern const char kb_feed_usage[];

/* Runs `kabar feed`; argv[0] is "feed". Returns the exit status: 0 when
 * done (with --once: every feed fetched and written; without: stopped by
 * SIGINT or SIGTERM), 1 when a feed failed under --once or the spool
 * cannot be written, 2 on a usage or config mistake (one line on stderr). */
int kb_feed_main(int argc, char **argv);

#endif
