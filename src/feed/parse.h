/* Reading a feed document: RSS 2.0 (and 0.9x), RSS 1.0 (RDF) and Atom 1.0
 * with libxml2, JSON Feed 1.0/1.1 with jansson, into one plain model. Text
 * comes out as UTF-8 whatever the document's encoding, with HTML reduced
 * to text; it is not yet cleaned (kb_text_clean) or validated: that is the
 * mapping's job (feed_map.h).
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

enum kb_feed_format { KB_FEED_RSS2, KB_FEED_RSS1, KB_FEED_ATOM, KB_FEED_JSON };

/* One entry. Every string is owned by the document, NUL-terminated UTF-8
 * (not yet cleaned), NULL when the document has none. */
struct kb_feed_entry {
    char *guid;    /* RSS guid, Atom id, JSON Feed id */
    char *link;    /* the entry's link (RSS link, Atom rel=alternate, JSON url) */
    char *title;   /* HTML already reduced to text */
    char *summary; /* description / summary / content, HTML reduced to text */
    char *lang;    /* the entry's own language (xml:lang, JSON Feed item language) */
    char *date;    /* the date as written (pubDate, published/updated, dc:date ...) */
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
};

/* Parses buf[0..len). content_type is the HTTP Content-Type (may be NULL):
 * its charset is used when the document declares no encoding (XML
 * declaration or BOM), and it helps tell JSON from XML. At most max_entries
 * entries are read. On success fills *doc (free with kb_feed_doc_free);
 * on failure err says why in one line, without a "feed URL:" prefix. */
bool kb_feed_parse(const char *buf, size_t len, const char *content_type, size_t max_entries,
                   struct kb_feed_doc *doc, struct kb_error *err);
void kb_feed_doc_free(struct kb_feed_doc *doc);

/* "RSS 2.0", "Atom 1.0" ... for messages. */
const char *kb_feed_format_name(enum kb_feed_format f);

/* Sets up libxml2 for feeds: its parser initialised, and an external entity
 * loader that refuses everything (defence in depth beside the parse
 * options: nothing a document names is ever opened). Process-wide; call
 * once before parsing, kb_feed_xml_cleanup at exit. */
void kb_feed_xml_init(void);
void kb_feed_xml_cleanup(void);
/* How many loads the refusing loader has turned down since start (tests
 * prove with it that an XXE document read no file). */
unsigned long kb_feed_xml_refused_loads(void);

#endif
