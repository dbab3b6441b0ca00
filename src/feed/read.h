/* The readers behind kb_feed_parse (parse.h): from a parsed XML tree or a
 * UTF-8 JSON text to the plain model. Internal to src/feed. */
#ifndef KB_FEED_READ_H
#define KB_FEED_READ_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "core/error.h"
#include "feed/parse.h"

/* Reads the feed in xdoc (RSS 0.9x-2.0 with or without a namespace, RSS
 * 1.0 / 0.90 RDF, Atom 0.3 and 1.0) into doc, at most max entries. Fails
 * (err set, doc emptied) when the root is no feed, or when internal
 * entities would add more than KB_FEED_ENTITY_BUDGET bytes. xdoc stays
 * the caller's. */
bool kb_feed_read_xml(xmlDocPtr xdoc, size_t max, struct kb_feed_doc *doc, struct kb_error *err);

/* Reads a JSON Feed 1.0 / 1.1 from UTF-8 text. */
bool kb_feed_read_json(const char *text, size_t len, size_t max, struct kb_feed_doc *doc,
                       struct kb_error *err);

/* The next entry of doc, zeroed, or NULL (counted in doc->dropped) past max. */
struct kb_feed_entry *kb_feed_new_entry(struct kb_feed_doc *doc, size_t max);

/* Frees what an entry holds. */
void kb_feed_entry_free(struct kb_feed_entry *e);

#endif
