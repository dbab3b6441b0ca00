/* Repairs for feed documents that are not well-formed XML (docs/feeds.md,
 * "What is repaired"). The parser tries the document as it is first; only
 * when that fails are these used:
 *
 * - kb_feed_xml_mend rewrites the text so a strict parser can read it: HTML
 *   entities XML does not define decoded (the HTML 5 table), a bare "&" or
 *   "<" escaped, characters XML forbids removed, unquoted attribute values
 *   quoted, HTML's empty <br>, <hr>, <img> and <wbr> closed, end tags
 *   matched with the open elements (inner ones left open are closed, one
 *   that closes nothing is dropped), text before the first tag dropped.
 *   CDATA sections, comments, processing instructions and the DOCTYPE are
 *   copied as they are; entities the document's own DTD subset declares
 *   are left to the parser.
 * - kb_feed_xml_entry_spans finds each <item> or <entry> so that one broken
 *   entry can be read on its own when recovering the whole document lost
 *   the entries after it.
 *
 * Everything works on UTF-8 text (after kb_feed_decode). */
#ifndef KB_FEED_RECOVER_H
#define KB_FEED_RECOVER_H

#include <stdbool.h>
#include <stddef.h>

#include "feed/notes.h"

struct kb_feed_mend {
    size_t entities; /* HTML entities decoded */
    size_t unknown;  /* &name; no table knows, kept as text */
    size_t amps;     /* bare "&" escaped */
    size_t lts;      /* bare "<" escaped */
    size_t chars;    /* characters XML forbids (and references to them) removed */
    size_t quoted;   /* attribute values quoted */
    size_t closed;   /* <br> and friends closed */
    size_t balanced; /* end tags added (an inner element left open) or dropped (closing nothing) */
    size_t leading;  /* bytes before the first tag dropped */
};

/* The mended text (NUL-terminated; caller frees), with counts in *m. */
char *kb_feed_xml_mend(const char *s, size_t len, size_t *out_len, struct kb_feed_mend *m);

/* Adds what *m counts to notes, one part ("3 undefined entities decoded,
 * 1 bare & escaped"); nothing if it counts nothing. */
void kb_feed_mend_note(const struct kb_feed_mend *m, struct kb_feed_notes *notes);

/* True if the document declares entities of its own (<!ENTITY in a DTD
 * subset): such a document gets no recovery, only the strict parser and
 * its limits on entity expansion. */
bool kb_feed_xml_declares_entities(const char *s, size_t len);

struct kb_feed_span {
    size_t start, end; /* s[start..end) */
};

/* The root element's start tag, and its qualified name into qname. */
bool kb_feed_xml_root(const char *s, size_t len, struct kb_feed_span *tag, char *qname,
                      size_t qname_size);

/* True if the root element never closes: the document was cut off (a
 * shorter feed would retract what it lost, so it is not recovered). */
bool kb_feed_xml_cut_off(const char *s, size_t len);

/* The spans of the <item> / <entry> elements (any prefix), at most max,
 * each from its start tag to its end tag, or up to the next entry or the
 * root's end tag when it does not close. Returns how many there are (may
 * be more than max). */
size_t kb_feed_xml_entry_spans(const char *s, size_t len, struct kb_feed_span *spans, size_t max);

/* An HTML fragment with the HTML 5 references libxml2's HTML parser does
 * not know (it knows HTML 4's) decoded, so that parser reads them once,
 * like the rest. Returns a new string (caller frees). */
char *kb_feed_html5_refs(const char *s, size_t len, size_t *out_len);

#endif
