#include "feed/parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>

#include "core/limits.h"
#include "core/xmalloc.h"
#include "feed/encoding.h"
#include "feed/read.h"
#include "feed/recover.h"

/* ---- libxml2 set up: the refusing entity loader, its messages caught ---- */

static unsigned long refused_loads;
static xmlExternalEntityLoader default_loader;

static xmlParserInputPtr refuse_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    /* Documents are parsed from memory, so anything asked for here is an
     * external entity or DTD a document names: never fetch or open it. */
    (void)url;
    (void)id;
    (void)ctxt;
    refused_loads++;
    return NULL;
}

/* What libxml2 said during one parse. */
struct xml_errors {
    int count;       /* errors (warnings are not counted) */
    int undeclared;  /* references to entities nobody declared */
    int line, col;   /* of the first error */
    char first[120]; /* its message */
};

/* The parse in progress (one at a time: `kabar feed` parses on one thread). */
static struct xml_errors *current;

static void on_xml_error(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    if (current == NULL || e == NULL)
        return;
    if (e->code == XML_WAR_UNDECLARED_ENTITY || e->code == XML_ERR_UNDECLARED_ENTITY)
        current->undeclared++;
    if (e->level < XML_ERR_ERROR)
        return;
    if (current->count++ == 0) {
        current->line = e->line;
        current->col = e->int2;
        snprintf(current->first, sizeof(current->first), "%s",
                 e->message != NULL ? e->message : "unreadable");
        current->first[strcspn(current->first, "\r\n")] = '\0';
    }
}

/* Messages libxml2 prints outside any parse (printf-style pieces): dropped,
 * so nothing of it reaches stderr outside the log's format. */
static void on_generic_error(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

void kb_feed_xml_init(void)
{
    xmlInitParser();
    if (default_loader == NULL)
        default_loader = xmlGetExternalEntityLoader();
    xmlSetExternalEntityLoader(refuse_loader);
    xmlSetStructuredErrorFunc(NULL, on_xml_error);
    xmlSetGenericErrorFunc(NULL, on_generic_error);
}

void kb_feed_xml_cleanup(void)
{
    if (default_loader != NULL)
        xmlSetExternalEntityLoader(default_loader);
    xmlSetStructuredErrorFunc(NULL, NULL);
    xmlSetGenericErrorFunc(NULL, NULL);
    xmlCleanupParser();
}

unsigned long kb_feed_xml_refused_loads(void)
{
    return refused_loads;
}

const char *kb_feed_format_name(enum kb_feed_format f)
{
    switch (f) {
    case KB_FEED_RSS2:
        return "RSS 2.0";
    case KB_FEED_RSS1:
        return "RSS 1.0";
    case KB_FEED_ATOM:
        return "Atom 1.0";
    case KB_FEED_ATOM03:
        return "Atom 0.3";
    case KB_FEED_JSON:
        return "JSON Feed";
    }
    return "?";
}

void kb_feed_entry_free(struct kb_feed_entry *e)
{
    free(e->guid);
    free(e->link);
    free(e->title);
    free(e->summary);
    free(e->lang);
    free(e->date);
    free(e->image);
    free(e->credit);
    memset(e, 0, sizeof(*e));
}

void kb_feed_doc_free(struct kb_feed_doc *doc)
{
    for (size_t i = 0; i < doc->n; i++)
        kb_feed_entry_free(&doc->entries[i]);
    free(doc->entries);
    free(doc->title);
    free(doc->lang);
    free(doc->repairs);
    memset(doc, 0, sizeof(*doc));
}

/* ---- XML ---- */

/* Parses UTF-8 text (its declaration's encoding ignored: the text is
 * already converted). Strict: NULL unless well-formed. No
 * XML_PARSE_NOENT (never substitute entities), no DTDLOAD / DTDATTR /
 * DTDVALID (never read a DTD), no HUGE (keep libxml2's size and
 * amplification limits). */
static xmlDocPtr read_text(const char *text, size_t len, bool recover, struct xml_errors *errs)
{
    memset(errs, 0, sizeof(*errs));
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (ctxt == NULL)
        return NULL;
    int opts = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
               XML_PARSE_COMPACT | XML_PARSE_IGNORE_ENC | (recover ? XML_PARSE_RECOVER : 0);
    current = errs;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, text, (int)len, NULL, "UTF-8", opts);
    current = NULL;
    bool well_formed = ctxt->wellFormed;
    if (doc != NULL && !recover && !well_formed) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    /* No handler saw it (kb_feed_xml_init not run): the last error. */
    if ((doc == NULL || !well_formed) && errs->count == 0) {
        const xmlError *e = &ctxt->lastError;
        errs->count = 1;
        errs->line = e->line;
        errs->col = e->int2;
        snprintf(errs->first, sizeof(errs->first), "%s",
                 e->message != NULL ? e->message : "unreadable");
        errs->first[strcspn(errs->first, "\r\n")] = '\0';
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
}

static bool xml_failed(struct kb_error *err, const struct xml_errors *e)
{
    if (e->line > 0)
        return kb_error_set(err, "XML line %d: %s", e->line, e->first);
    return kb_error_set(err, "XML: %s", e->first);
}

/* The entries of a document recovery left short, read one by one: each
 * <item> / <entry> parsed alone inside a copy of the root's start tag (for
 * its namespaces), so a broken one cannot swallow the ones after it.
 * Replaces doc's entries if that finds more; returns how many it read. */
static size_t one_by_one(const char *text, size_t len, size_t max, struct kb_feed_doc *doc)
{
    struct kb_feed_span root;
    char qname[128];
    size_t cap = max < KB_FEED_ENTRIES_MAX ? max : KB_FEED_ENTRIES_MAX;
    struct kb_feed_span *spans = kb_xcalloc(cap + 1, sizeof(*spans));
    size_t n = kb_feed_xml_entry_spans(text, len, spans, cap);
    if (n > cap)
        n = cap;
    if (n <= doc->n || !kb_feed_xml_root(text, len, &root, qname, sizeof(qname))) {
        free(spans);
        return 0;
    }
    bool rss2 = doc->format == KB_FEED_RSS2;
    struct kb_feed_doc all = {0};
    for (size_t i = 0; i < n; i++) {
        char *chunk =
            kb_xasprintf("%.*s%s%.*s%s</%s>", (int)(root.end - root.start), text + root.start,
                         rss2 ? "<channel>" : "", (int)(spans[i].end - spans[i].start),
                         text + spans[i].start, rss2 ? "</channel>" : "", qname);
        struct xml_errors errs;
        xmlDocPtr x = read_text(chunk, strlen(chunk), true, &errs);
        struct kb_feed_doc one = {0};
        struct kb_error err;
        if (x != NULL && kb_feed_read_xml(x, 1, &one, &err) && one.n == 1) {
            struct kb_feed_entry *e = kb_feed_new_entry(&all, max);
            if (e != NULL) {
                *e = one.entries[0];
                e->index = i + 1;
                memset(&one.entries[0], 0, sizeof(one.entries[0]));
            }
        }
        kb_feed_doc_free(&one);
        xmlFreeDoc(x);
        free(chunk);
    }
    free(spans);
    size_t got = all.n;
    if (got > doc->n) {
        for (size_t i = 0; i < doc->n; i++)
            kb_feed_entry_free(&doc->entries[i]);
        free(doc->entries);
        doc->entries = all.entries;
        doc->n = all.n;
        all.entries = NULL;
        all.n = 0;
    } else {
        got = 0;
    }
    kb_feed_doc_free(&all);
    return got;
}

/* A document the strict parser refused (or read with references to
 * entities nobody declared): mended, then recovered, then read entry by
 * entry where recovery lost entries. */
static bool repair(const char *text, size_t len, const struct xml_errors *strict, size_t max,
                   struct kb_feed_doc *doc, struct kb_feed_notes *notes, struct kb_error *err)
{
    if (kb_feed_xml_cut_off(text, len)) {
        kb_error_set(err,
                     "XML line %d: the document ends before its root element closes "
                     "(cut off?): %s",
                     strict->line, strict->first);
        return false;
    }
    struct kb_feed_mend m;
    size_t mlen;
    char *mended = kb_feed_xml_mend(text, len, &mlen, &m);
    struct xml_errors errs;
    xmlDocPtr x = read_text(mended, mlen, false, &errs);
    bool recovered = false;
    if (x == NULL && !kb_feed_xml_declares_entities(text, len)) {
        x = read_text(mended, mlen, true, &errs);
        recovered = x != NULL;
    }
    if (x == NULL) {
        free(mended);
        return xml_failed(err, strict);
    }
    kb_feed_mend_note(&m, notes);
    if (recovered)
        kb_feed_note(notes, "recovered from %d error%s, the first at %d:%d (%s)", errs.count,
                     errs.count == 1 ? "" : "s", errs.line, errs.col, errs.first);
    bool ok = kb_feed_read_xml(x, max, doc, err);
    xmlFreeDoc(x);
    size_t before = doc->n;
    if (ok && recovered) {
        size_t got = one_by_one(mended, mlen, max, doc);
        if (got > 0)
            kb_feed_note(notes, "%zu entries read one by one (recovery alone kept %zu)", got,
                         before);
    }
    free(mended);
    return ok;
}

static bool parse_xml(const char *buf, size_t len, const char *content_type, size_t max,
                      struct kb_feed_doc *doc, struct kb_feed_notes *notes, struct kb_error *err)
{
    char *text;
    size_t text_len;
    if (!kb_feed_decode(buf, len, content_type, false, &text, &text_len, notes, err))
        return false;
    struct xml_errors errs;
    xmlDocPtr x = read_text(text, text_len, false, &errs);
    bool ok;
    if (x != NULL && errs.undeclared == 0) {
        if (errs.count > 0)
            kb_feed_note(notes, "%d XML error%s tolerated, the first at %d:%d (%s)", errs.count,
                         errs.count == 1 ? "" : "s", errs.line, errs.col, errs.first);
        ok = kb_feed_read_xml(x, max, doc, err);
    } else {
        ok = repair(text, text_len, &errs, max, doc, notes, err);
    }
    xmlFreeDoc(x);
    free(text);
    return ok;
}

/* ---- either ---- */

static bool looks_like_json(const char *buf, size_t len, const char *content_type)
{
    if (content_type != NULL && strstr(content_type, "json") != NULL)
        return true;
    /* A "{" first, in UTF-8 (after a BOM) or UTF-16/32. */
    for (size_t i = 0; i < len && i < 64; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '{')
            return true;
        if (c == '<')
            return false;
    }
    return false;
}

bool kb_feed_parse(const char *buf, size_t len, const char *content_type, size_t max_entries,
                   struct kb_feed_doc *doc, struct kb_error *err)
{
    memset(doc, 0, sizeof(*doc));
    if (len == 0)
        return kb_error_set(err, "empty document");
    if (len > KB_FEED_BODY_MAX)
        return kb_error_set(err, "document over %d MiB", KB_FEED_BODY_MAX / (1024 * 1024));
    struct kb_feed_notes notes = {"", 0};
    bool ok;
    if (looks_like_json(buf, len, content_type)) {
        char *text = NULL;
        size_t text_len;
        ok = kb_feed_decode(buf, len, content_type, true, &text, &text_len, &notes, err) &&
             kb_feed_read_json(text, text_len, max_entries, doc, err);
        free(text);
    } else {
        ok = parse_xml(buf, len, content_type, max_entries, doc, &notes, err);
    }
    if (ok && notes.len > 0)
        doc->repairs = kb_xstrdup(notes.line);
    return ok;
}

void kb_feed_resolve_links(struct kb_feed_doc *doc, const char *base_url)
{
    if (base_url == NULL || base_url[0] == '\0')
        return;
    for (size_t i = 0; i < 2 * doc->n; i++) {
        /* The link, then the picture's URL. */
        char **link = i % 2 ? &doc->entries[i / 2].image : &doc->entries[i / 2].link;
        if (*link == NULL)
            continue;
        xmlChar *abs = xmlBuildURI((const xmlChar *)*link, (const xmlChar *)base_url);
        if (abs != NULL && strlen((const char *)abs) <= KB_FEED_URL_MAX) {
            free(*link);
            *link = kb_xstrdup((const char *)abs);
        }
        xmlFree(abs);
    }
}
