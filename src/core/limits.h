/* Every fixed bound on what comes from outside, in one place. Each says why
 * it is that size. Config keys may lower the spool ones, never raise them
 * past what is here. */
#ifndef KB_CORE_LIMITS_H
#define KB_CORE_LIMITS_H

/* A spool file: a bundle of a few hundred items fits; anything bigger is a mistake. */
#define KB_SPOOL_FILE_MAX_BYTES (1024 * 1024)
/* The spool's rejected/: what anyone able to publish could otherwise fill a
 * card with (distinct bad ids, each a file). A payload a producer refused is
 * kept to its first 64 KiB, enough to see what went wrong; the folder keeps
 * at most 2,000 files (1,000 rejections with their reasons) and 64 MiB, the
 * oldest removed first. */
#define KB_SPOOL_REJECTED_KEEP_BYTES (64 * 1024)
#define KB_SPOOL_REJECTED_MAX_FILES 2000
#define KB_SPOOL_REJECTED_MAX_BYTES (64 * 1024 * 1024)
/* Items held at once: a busy newsroom's week of stories in six languages. */
#define KB_SPOOL_ITEMS_MAX 10000
/* JSON nesting: an item is two levels deep; a bundle three. */
#define KB_JSON_DEPTH_MAX 16
/* Item text after trimming: a long headline is 200 bytes, a long quote 1,000. */
#define KB_TEXT_MAX_BYTES 4000
/* Item and story ids: room for "<source>-<date>-<slug>-<lang>". */
#define KB_ID_MAX 128
/* The source label shown beside an item. */
#define KB_SOURCE_MAX 64
/* A story's summary (v1.1): two to four sentences under its headline. */
#define KB_SUMMARY_MAX_BYTES 2000
/* A photo credit (v1.1), shown small on the picture. */
#define KB_CREDIT_MAX 64
/* A picture in the spool's images/ folder (v1.1): a news photo is well under
 * 1 MiB; 16 megapixels is a 4928x3264 camera frame. The pixel cap is read
 * from the file's header before anything is decoded, so a small file that
 * claims 20000x20000 never allocates its 1.6 GB. */
#define KB_IMAGE_FILE_MAX_BYTES (8 * 1024 * 1024)
#define KB_IMAGE_PIXELS_MAX (16 * 1000 * 1000)
/* The largest side a header may claim, whatever its area (a 1x16000000 strip
 * is no picture). */
#define KB_IMAGE_SIDE_MAX 16384
/* Attribution of a quote: a name and a title. */
#define KB_BY_MAX 200
/* BCP 47 tags: RFC 5646 says 35 covers every registered tag; private use can be longer. */
#define KB_LANG_MAX 64
/* A file name in the spool (NAME_MAX on Linux). */
#define KB_NAME_MAX 255
/* Config file: a hand-written INI of a few dozen keys (core/ini.c refuses a
 * bigger one, or a FIFO, rather than hang or fill memory at start). */
#define KB_CONFIG_MAX_BYTES (256 * 1024)

/* A config line inih reads whole: Debian's inih has INI_MAX_LINE 200, less
 * the line break and NUL. A longer `key = value` could not be written back
 * by --print-config, so config.c refuses it. */
#define KB_CONFIG_LINE_MAX 196

/* Bidi embeddings, overrides and isolates kept open in one item's text;
 * deeper openers are dropped. UAX #9 allows a level of 125 (max_depth); each
 * opener raises the level by one or two, so from a base level of 1 at most
 * 62 can never overflow it. FriBidi 1.0.8 (Debian 12) reads uninitialised
 * memory, and may crash, when isolates follow an overflowed embedding
 * (tests/text/test_regress_fribidi.c): no item text may take it there. */
#define KB_BIDI_STACK_MAX 62
/* Languages in a `languages =` list: far more than any screen shows. */
#define KB_LANGS_MAX 32

/* Fonts in the table, from the chain file and what fontconfig finds for
 * rare scripts. The table never grows past this, so its slots never move
 * and readers on other threads need no lock; a chain of a few dozen fonts
 * fits many times over. */
#define KB_FONTS_MAX 256
/* Strikes remembered per bitmap font (Noto Color Emoji has one). */
#define KB_FONT_STRIKES_MAX 8
/* Directories named in a font chain file. */
#define KB_FONT_CHAIN_PATHS_MAX 16
/* A font chain file: the shipped one is 4 KiB; a hand-written one with
 * every script of Unicode stays far below this. */
#define KB_FONT_CHAIN_MAX_BYTES (256 * 1024)
/* One line of a font chain file: a path and a few options. */
#define KB_FONT_CHAIN_LINE_MAX 4096
/* Code points fontconfig found nothing for, remembered so it is asked once;
 * item text chooses them, so the list must stop somewhere. */
#define KB_FC_MISSES_MAX 1024

/* `kabar mqtt`: a password file holds one line; anything longer is not a
 * password file. */
#define KB_MQTT_PASSWORD_MAX 1024
/* Every topic kabar builds: "kabar/" + group + "/status/" + screen, with
 * room for an extra topic filter from the config. */
#define KB_MQTT_TOPIC_MAX 512
/* Extra topic filters of one `kabar mqtt`: a few feeds per screen, not a
 * routing table. */
#define KB_MQTT_TOPICS_MAX 16

/* `kabar feed`: what comes from a feed server (the spool's bounds above
 * apply on top). */
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
