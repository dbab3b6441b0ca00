/* Every fixed bound on what comes from outside, in one place. Each says why
 * it is that size. Config keys may lower the spool ones, never raise them
 * past what is here. */
#ifndef KB_CORE_LIMITS_H
#define KB_CORE_LIMITS_H

/* A spool file: a bundle of a few hundred items fits; anything bigger is a mistake. */
#define KB_SPOOL_FILE_MAX_BYTES (1024 * 1024)
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
/* Attribution of a quote: a name and a title. */
#define KB_BY_MAX 200
/* BCP 47 tags: RFC 5646 says 35 covers every registered tag; private use can be longer. */
#define KB_LANG_MAX 64
/* A file name in the spool (NAME_MAX on Linux). */
#define KB_NAME_MAX 255
/* Config file: a hand-written INI of a few dozen keys. */
#define KB_CONFIG_MAX_BYTES (256 * 1024)

#endif
