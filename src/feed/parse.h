/* Reading a feed document: RSS 0.90-2.0 (RDF or not, with or without a
 * default namespace) and Atom 0.3 and 1.0 with libxml2, JSON Feed 1.0/1.1
 * with jansson, into one plain model. Text comes out as UTF-8 whatever the
 * document's encoding (encoding.h), with HTML reduced to text; it is not
 * yet cleaned (kb_text_clean) or validated: that is the mapping's job
 * (map.h).
 *
 * Forgiving: a document that is not well-formed is mended and, failing
 * that, recovered (recover.h), and every entry that can be read is kept;
 * what was repaired is said in doc->repairs. A document cut off before its
 * root element closes is refused (a shorter feed would retract what it
 * lost), and so is one that declares entities and is not well-formed.
 *
 * Hostile documents: the XML parser never touches the network
 * (XML_PARSE_NONET), never loads a DTD or substitutes entities; its own
 * amplification checks refuse "billion laughs"; text is read without ever
 * following an external entity, and internal entities may add at most
 * KB_FEED_ENTITY_BUDGET bytes in all ("quadratic blow-up" is refused).
 * kb_feed_xml_init must have run. */
#ifndef KB_APP_FEED_PARSE_H
#define KB_APP_FEED_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum kb_feed_format { KB_FEED_RSS2, KB_FEED_RSS1, KB_FEED_ATOM, KB_FEED_JSON, KB_FEED_ATOM03 };

/* One entry. Every string is owned by the document, NUL-terminated UTF-8
 * (not yet cleaned), NULL when the document has none. */
struct kb_feed_entry {
    char *guid;    /* RSS guid, Atom id, JSON Feed id */
    char *link;    /* the entry's link (RSS link, Atom rel=alternate, JSON url) */
    char *title;   /* HTML already reduced to text */
    char *summary; /* description / summary / content, HTML reduced to text */
    char *lang;    /* the entry's own language (xml:lang, JSON Feed item language) */
    char *date;    /* the date as written (pubDate, published/updated, dc:date ...) */
    /* The entry's picture (docs/feeds.md, "Pictures"): the URL of an image
     * enclosure, media:content or media:thumbnail (the widest; a thumbnail
     * only without the others), Atom rel="enclosure", or JSON Feed image /
     * banner_image; and its media:credit. Never found by reading pages. */
    char *image;
    char *credit;
    int64_t published;
    bool has_published; /* date was read; false when absent or unreadable */
    size_t index;       /* 1-based position in the document, for messages */
};

struct kb_feed_doc {
    enum kb_feed_format format;
    char *title; /* the feed's own title, text; NULL if none */
    char *lang;  /* RSS <language>, dc:language, xml:lang on the root, JSON "language" */
    struct kb_feed_entry *entries;
    size_t n;
    size_t dropped; /* entries past max_entries, not read */
    /* What was repaired, guessed or tolerated, as one line for the log
     * ("3 undefined entities decoded; recovered from 1 error at 12:5 ..."),
     * libxml2's own messages included; NULL when the document needed
     * nothing. */
    char *repairs;
};

/* Parses buf[0..len). content_type is the HTTP Content-Type (may be NULL):
 * its charset counts as encoding.h says, and it helps tell JSON from XML. At most max_entries
 * entries are read. On success fills *doc (free with kb_feed_doc_free);
 * on failure err says why in one line, without a "feed URL:" prefix. */
bool kb_feed_parse(const char *buf, size_t len, const char *content_type, size_t max_entries,
                   struct kb_feed_doc *doc, struct kb_error *err);
void kb_feed_doc_free(struct kb_feed_doc *doc);

/* Makes every entry's link absolute (RFC 3986, section 5): what xml:base
 * left relative, or a document without xml:base wrote relative, is
 * resolved against base_url, the URL the document was fetched from. An
 * absolute link is left exactly as it is; one that is no URI at all too.
 * A NULL base_url changes nothing. */
void kb_feed_resolve_links(struct kb_feed_doc *doc, const char *base_url);

/* "RSS 2.0", "Atom 1.0" ... for messages (RSS 0.9x counts as 2.0). */
const char *kb_feed_format_name(enum kb_feed_format f);

/* Sets up libxml2 for feeds: its parser initialised, an external entity
 * loader that refuses everything (defence in depth beside the parse
 * options: nothing a document names is ever opened), and its error
 * messages caught (they go into doc->repairs or err, never to stderr). Process-wide; call
 * once before parsing, kb_feed_xml_cleanup at exit. */
void kb_feed_xml_init(void);
void kb_feed_xml_cleanup(void);
/* How many loads the refusing loader has turned down since start (tests
 * prove with it that an XXE document read no file). */
unsigned long kb_feed_xml_refused_loads(void);

#endif
