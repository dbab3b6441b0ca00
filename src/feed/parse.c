#include "feed/parse.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "core/limits.h"
#include "feed/text.h"
#include "core/date.h"
#include "core/xmalloc.h"

#define NS_ATOM "http://www.w3.org/2005/Atom"
#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"

/* How a field's text is to be read. */
enum text_kind {
    TEXT_PLAIN,      /* as written */
    TEXT_MAYBE_HTML, /* plain by the spec, HTML in practice (RSS titles): reduced if it looks so */
    TEXT_HTML,       /* escaped HTML: reduced to text */
};

struct xml_ctx {
    xmlDocPtr doc;
    size_t entity_left; /* bytes internal entities may still add (KB_FEED_ENTITY_BUDGET) */
    bool entity_overrun;
};

/* ---- the refusing entity loader ---- */

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

void kb_feed_xml_init(void)
{
    xmlInitParser();
    if (default_loader == NULL)
        default_loader = xmlGetExternalEntityLoader();
    xmlSetExternalEntityLoader(refuse_loader);
}

void kb_feed_xml_cleanup(void)
{
    if (default_loader != NULL)
        xmlSetExternalEntityLoader(default_loader);
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
    case KB_FEED_JSON:
        return "JSON Feed";
    }
    return "?";
}

void kb_feed_doc_free(struct kb_feed_doc *doc)
{
    for (size_t i = 0; i < doc->n; i++) {
        struct kb_feed_entry *e = &doc->entries[i];
        free(e->guid);
        free(e->link);
        free(e->title);
        free(e->summary);
        free(e->lang);
        free(e->date);
    }
    free(doc->entries);
    free(doc->title);
    free(doc->lang);
    memset(doc, 0, sizeof(*doc));
}

/* ---- text of an XML element ---- */

/* Collects the text under node's children. Internal entities are expanded
 * from their parsed content, each byte counted against the document's
 * entity budget; external entities are never followed. depth bounds both
 * element nesting and entity nesting. */
static void collect(struct xml_ctx *x, xmlNodePtr first, struct kb_feed_buf *b, int depth,
                    bool in_entity)
{
    if (depth > 64)
        return;
    for (xmlNodePtr n = first; n != NULL && b->len < KB_FEED_FIELD_MAX; n = n->next) {
        switch (n->type) {
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
            if (n->content != NULL) {
                size_t len = strlen((const char *)n->content);
                if (in_entity) {
                    if (len > x->entity_left) {
                        x->entity_overrun = true;
                        return;
                    }
                    x->entity_left -= len;
                }
                kb_feed_buf_add(b, (const char *)n->content, len);
            }
            break;
        case XML_ELEMENT_NODE:
            /* Markup inside a text field (an XHTML title, a stray <b>): its text. */
            collect(x, n->children, b, depth + 1, in_entity);
            break;
        case XML_ENTITY_REF_NODE: {
            xmlEntityPtr ent = xmlGetDocEntity(x->doc, n->name);
            if (ent != NULL && ent->etype == XML_INTERNAL_GENERAL_ENTITY)
                collect(x, ent->children, b, depth + 1, true);
            break;
        }
        default:
            break;
        }
        if (x->entity_overrun)
            return;
    }
}

static char *element_text(struct xml_ctx *x, xmlNodePtr el, enum text_kind kind)
{
    struct kb_feed_buf b = {kb_xstrdup(""), 0, 1, KB_FEED_FIELD_MAX};
    collect(x, el->children, &b, 0, false);
    if (kind == TEXT_HTML || (kind == TEXT_MAYBE_HTML && kb_feed_looks_like_html(b.s))) {
        char *text = kb_feed_html_to_text(b.s, b.len);
        free(b.s);
        return text;
    }
    return b.s;
}

/* An Atom text construct (RFC 4287 3.1): type="text" (the default) is
 * plain, "html" is escaped HTML, "xhtml" is a div of markup whose text we
 * take. Out-of-line content (src=) and other media types give nothing. */
static char *atom_text(struct xml_ctx *x, xmlNodePtr el)
{
    xmlChar *type = xmlGetProp(el, (const xmlChar *)"type");
    xmlChar *src = xmlGetProp(el, (const xmlChar *)"src");
    char *out = NULL;
    const char *t = type != NULL ? (const char *)type : "text";
    if (src != NULL)
        out = NULL;
    else if (strcasecmp(t, "html") == 0 || strcasecmp(t, "text/html") == 0)
        out = element_text(x, el, TEXT_HTML);
    else if (strcasecmp(t, "text") == 0 || strcasecmp(t, "xhtml") == 0 ||
             strncasecmp(t, "text/", 5) == 0)
        out = element_text(x, el, TEXT_PLAIN);
    xmlFree(type);
    xmlFree(src);
    return out;
}

static bool named(xmlNodePtr n, const char *ns, const char *name)
{
    if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, name) != 0)
        return false;
    if (ns == NULL)
        return n->ns == NULL;
    return n->ns != NULL && n->ns->href != NULL && strcmp((const char *)n->ns->href, ns) == 0;
}

/* Keeps the first value of a field: a later duplicate element is ignored. */
static void set_once(char **field, char *value)
{
    if (*field == NULL && value != NULL && value[0] != '\0') {
        *field = value;
        return;
    }
    free(value);
}

static char *node_lang(xmlNodePtr n)
{
    xmlChar *lang = xmlNodeGetLang(n);
    char *out = lang != NULL && lang[0] != '\0' ? kb_xstrdup((const char *)lang) : NULL;
    xmlFree(lang);
    return out;
}

static void finish_date(struct kb_feed_entry *e)
{
    e->has_published = e->date != NULL && kb_date_parse(e->date, &e->published);
}

/* RSS 2.0 <item> and RSS 1.0 <item> (item_ns is the RSS 1.0 namespace, or
 * NULL for RSS 2.0, whose elements have none). */
static void read_rss_item(struct xml_ctx *x, xmlNodePtr item, const char *item_ns,
                          struct kb_feed_entry *e)
{
    char *description = NULL, *encoded = NULL, *pubdate = NULL, *dcdate = NULL;
    for (xmlNodePtr n = item->children; n != NULL; n = n->next) {
        if (named(n, item_ns, "title"))
            set_once(&e->title, element_text(x, n, TEXT_MAYBE_HTML));
        else if (named(n, item_ns, "link"))
            set_once(&e->link, element_text(x, n, TEXT_PLAIN));
        else if (named(n, item_ns, "description"))
            set_once(&description, element_text(x, n, TEXT_HTML));
        else if (named(n, NS_CONTENT, "encoded"))
            set_once(&encoded, element_text(x, n, TEXT_HTML));
        else if (item_ns == NULL && named(n, NULL, "guid"))
            set_once(&e->guid, element_text(x, n, TEXT_PLAIN));
        else if (item_ns == NULL && named(n, NULL, "pubDate"))
            set_once(&pubdate, element_text(x, n, TEXT_PLAIN));
        else if (named(n, NS_DC, "date"))
            set_once(&dcdate, element_text(x, n, TEXT_PLAIN));
        else if (named(n, NS_DC, "language"))
            set_once(&e->lang, element_text(x, n, TEXT_PLAIN));
    }
    if (e->guid == NULL) {
        xmlChar *about = xmlGetNsProp(item, (const xmlChar *)"about", (const xmlChar *)NS_RDF);
        if (about != NULL)
            set_once(&e->guid, kb_xstrdup((const char *)about));
        xmlFree(about);
    }
    set_once(&e->summary, description);
    set_once(&e->summary, encoded);
    set_once(&e->date, pubdate);
    set_once(&e->date, dcdate);
    if (e->lang == NULL)
        e->lang = node_lang(item);
    finish_date(e);
}

static void read_atom_entry(struct xml_ctx *x, xmlNodePtr entry, const char *ns,
                            struct kb_feed_entry *e)
{
    char *summary = NULL, *content = NULL, *published = NULL, *updated = NULL;
    char *alternate = NULL, *other_link = NULL;
    for (xmlNodePtr n = entry->children; n != NULL; n = n->next) {
        if (named(n, ns, "id")) {
            set_once(&e->guid, element_text(x, n, TEXT_PLAIN));
        } else if (named(n, ns, "title")) {
            set_once(&e->title, atom_text(x, n));
        } else if (named(n, ns, "summary")) {
            set_once(&summary, atom_text(x, n));
        } else if (named(n, ns, "content")) {
            set_once(&content, atom_text(x, n));
        } else if (named(n, ns, "published")) {
            set_once(&published, element_text(x, n, TEXT_PLAIN));
        } else if (named(n, ns, "updated")) {
            set_once(&updated, element_text(x, n, TEXT_PLAIN));
        } else if (named(n, ns, "link")) {
            xmlChar *rel = xmlGetProp(n, (const xmlChar *)"rel");
            xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
            if (href != NULL) {
                bool alt = rel == NULL || strcmp((const char *)rel, "alternate") == 0;
                set_once(alt ? &alternate : &other_link, kb_xstrdup((const char *)href));
            }
            xmlFree(rel);
            xmlFree(href);
        }
    }
    set_once(&e->link, alternate);
    set_once(&e->link, other_link);
    set_once(&e->summary, summary);
    set_once(&e->summary, content);
    set_once(&e->date, published);
    set_once(&e->date, updated);
    /* xml:lang is inherited: the entry's, else the feed's. */
    e->lang = node_lang(entry);
    finish_date(e);
}

static struct kb_feed_entry *new_entry(struct kb_feed_doc *doc, size_t max_entries)
{
    if (doc->n >= max_entries) {
        doc->dropped++;
        return NULL;
    }
    /* The array holds 8, then doubles each time it fills (at 8, 16, 32 ...). */
    if (doc->n == 0 || (doc->n >= 8 && (doc->n & (doc->n - 1)) == 0))
        doc->entries =
            kb_xreallocarray(doc->entries, doc->n == 0 ? 8 : doc->n * 2, sizeof(*doc->entries));
    struct kb_feed_entry *e = &doc->entries[doc->n++];
    memset(e, 0, sizeof(*e));
    e->index = doc->n + doc->dropped;
    return e;
}

static void read_rss2(struct xml_ctx *x, xmlNodePtr root, size_t max, struct kb_feed_doc *doc)
{
    xmlNodePtr channel = NULL;
    for (xmlNodePtr n = root->children; n != NULL && channel == NULL; n = n->next) {
        if (named(n, NULL, "channel"))
            channel = n;
    }
    if (channel == NULL)
        return;
    for (xmlNodePtr n = channel->children; n != NULL; n = n->next) {
        if (named(n, NULL, "title")) {
            set_once(&doc->title, element_text(x, n, TEXT_MAYBE_HTML));
        } else if (named(n, NULL, "language") || named(n, NS_DC, "language")) {
            set_once(&doc->lang, element_text(x, n, TEXT_PLAIN));
        } else if (named(n, NULL, "item")) {
            struct kb_feed_entry *e = new_entry(doc, max);
            if (e != NULL)
                read_rss_item(x, n, NULL, e);
        }
        if (x->entity_overrun)
            return;
    }
    if (doc->lang == NULL)
        doc->lang = node_lang(channel);
}

/* RSS 1.0 and 0.90: <rdf:RDF> holding <channel> and the <item>s side by side,
 * in the RSS namespace of whichever version it is. */
static void read_rss1(struct xml_ctx *x, xmlNodePtr root, size_t max, struct kb_feed_doc *doc)
{
    for (xmlNodePtr n = root->children; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || n->ns == NULL)
            continue;
        const char *ns = (const char *)n->ns->href;
        if (named(n, ns, "channel")) {
            for (xmlNodePtr c = n->children; c != NULL; c = c->next) {
                if (named(c, ns, "title"))
                    set_once(&doc->title, element_text(x, c, TEXT_MAYBE_HTML));
                else if (named(c, NS_DC, "language"))
                    set_once(&doc->lang, element_text(x, c, TEXT_PLAIN));
            }
            if (doc->lang == NULL)
                doc->lang = node_lang(n);
        } else if (named(n, ns, "item") && strcmp(ns, NS_DC) != 0) {
            struct kb_feed_entry *e = new_entry(doc, max);
            if (e != NULL)
                read_rss_item(x, n, ns, e);
        }
        if (x->entity_overrun)
            return;
    }
}

static void read_atom(struct xml_ctx *x, xmlNodePtr root, size_t max, struct kb_feed_doc *doc)
{
    const char *ns = (const char *)root->ns->href;
    for (xmlNodePtr n = root->children; n != NULL; n = n->next) {
        if (named(n, ns, "title")) {
            set_once(&doc->title, atom_text(x, n));
        } else if (named(n, ns, "entry")) {
            struct kb_feed_entry *e = new_entry(doc, max);
            if (e != NULL)
                read_atom_entry(x, n, ns, e);
        }
        if (x->entity_overrun)
            return;
    }
    doc->lang = node_lang(root);
}

/* ---- encodings ---- */

/* The charset parameter of a Content-Type, if any, into out. */
static bool http_charset(const char *content_type, char *out, size_t size)
{
    if (content_type == NULL)
        return false;
    for (const char *p = content_type; (p = strchr(p, ';')) != NULL;) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "charset=", 8) != 0)
            continue;
        p += 8;
        if (*p == '"')
            p++;
        size_t n = 0;
        while (p[n] != '\0' && (isalnum((unsigned char)p[n]) || strchr("-_.:", p[n]) != NULL))
            n++;
        if (n == 0 || n >= size)
            return false;
        memcpy(out, p, n);
        out[n] = '\0';
        return true;
    }
    return false;
}

/* True if the document says its own encoding: a byte order mark, or an
 * encoding in its XML declaration. Then that wins over HTTP, as every feed
 * reader does (servers often send a default charset that is wrong). */
static bool xml_declares_encoding(const char *buf, size_t len)
{
    const unsigned char *u = (const unsigned char *)buf;
    if (len >= 2 && ((u[0] == 0xfe && u[1] == 0xff) || (u[0] == 0xff && u[1] == 0xfe)))
        return true;
    if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
        return true;
    if (len < 5 || memcmp(buf, "<?xml", 5) != 0)
        return false;
    const char *end = memchr(buf, '>', len < 512 ? len : 512);
    if (end == NULL)
        return false;
    for (const char *p = buf; p + 8 <= end; p++) {
        if (memcmp(p, "encoding", 8) == 0)
            return true;
    }
    return false;
}

/* JSON is UTF-8 by RFC 8259, but a server may say otherwise: convert from
 * the HTTP charset when it names another. Returns a new buffer (caller
 * frees) or NULL with err set. */
static char *to_utf8(const char *buf, size_t len, const char *charset, size_t *out_len,
                     struct kb_error *err)
{
    iconv_t cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1) {
        kb_error_set(err, "unsupported charset \"%s\"", charset);
        return NULL;
    }
    size_t cap = len * 4 + 16;
    char *out = kb_xmalloc(cap);
    char *in = (char *)buf, *o = out;
    size_t in_left = len, out_left = cap - 1;
    bool ok = iconv(cd, &in, &in_left, &o, &out_left) != (size_t)-1 &&
              iconv(cd, NULL, NULL, &o, &out_left) != (size_t)-1;
    iconv_close(cd);
    if (!ok) {
        kb_error_set(err, "not valid %s at byte %zu", charset, (size_t)(in - buf));
        free(out);
        return NULL;
    }
    *o = '\0';
    *out_len = (size_t)(o - out);
    return out;
}

/* ---- XML ---- */

static bool parse_xml(const char *buf, size_t len, const char *content_type, size_t max,
                      struct kb_feed_doc *doc, struct kb_error *err)
{
    char charset[48];
    const char *encoding = NULL;
    if (!xml_declares_encoding(buf, len) && http_charset(content_type, charset, sizeof(charset)))
        encoding = charset;
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (ctxt == NULL)
        return kb_error_set(err, "out of memory for the XML parser");
    /* No XML_PARSE_NOENT (never substitute entities), no DTDLOAD / DTDATTR /
     * DTDVALID (never read a DTD), no HUGE (keep libxml2's size and
     * amplification limits), no RECOVER (a broken document is a failed
     * fetch, not a shorter feed: recovering would retract what it lost). */
    int opts = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
               XML_PARSE_COMPACT;
    xmlDocPtr xdoc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, encoding, opts);
    if (xdoc == NULL) {
        const xmlError *e = &ctxt->lastError;
        char msg[200];
        snprintf(msg, sizeof(msg), "%s", e->message != NULL ? e->message : "unreadable");
        msg[strcspn(msg, "\r\n")] = '\0';
        if (e->line > 0)
            kb_error_set(err, "XML line %d: %s", e->line, msg);
        else
            kb_error_set(err, "XML: %s", msg);
        xmlFreeParserCtxt(ctxt);
        return false;
    }
    xmlFreeParserCtxt(ctxt);

    struct xml_ctx x = {xdoc, KB_FEED_ENTITY_BUDGET, false};
    xmlNodePtr root = xmlDocGetRootElement(xdoc);
    bool ok = true;
    if (root != NULL && named(root, NULL, "rss")) {
        doc->format = KB_FEED_RSS2;
        read_rss2(&x, root, max, doc);
    } else if (root != NULL && named(root, NS_RDF, "RDF")) {
        doc->format = KB_FEED_RSS1;
        read_rss1(&x, root, max, doc);
    } else if (root != NULL && root->ns != NULL && strcmp((const char *)root->name, "feed") == 0 &&
               strcmp((const char *)root->ns->href, NS_ATOM) == 0) {
        doc->format = KB_FEED_ATOM;
        read_atom(&x, root, max, doc);
    } else {
        ok = kb_error_set(err, "not an RSS or Atom feed (the root element is <%s>)",
                          root != NULL ? (const char *)root->name : "none");
    }
    if (ok && x.entity_overrun)
        ok = kb_error_set(err, "internal entities expand past %d KiB: refused",
                          KB_FEED_ENTITY_BUDGET / 1024);
    xmlFreeDoc(xdoc);
    if (!ok)
        kb_feed_doc_free(doc);
    return ok;
}

/* ---- JSON Feed ---- */

static char *json_str(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s != NULL && s[0] != '\0' ? kb_xstrndup(s, KB_FEED_FIELD_MAX) : NULL;
}

static char *json_text(json_t *obj, const char *key, enum text_kind kind)
{
    json_t *v = json_object_get(obj, key);
    const char *s = json_string_value(v);
    if (s == NULL || s[0] == '\0')
        return NULL;
    size_t len = json_string_length(v);
    if (kind == TEXT_HTML || (kind == TEXT_MAYBE_HTML && kb_feed_looks_like_html(s)))
        return kb_feed_html_to_text(s, len);
    return kb_xstrndup(s, len < KB_FEED_FIELD_MAX ? len : KB_FEED_FIELD_MAX);
}

static bool parse_json(const char *buf, size_t len, const char *content_type, size_t max,
                       struct kb_feed_doc *doc, struct kb_error *err)
{
    char charset[48];
    char *converted = NULL;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) { /* a BOM: UTF-8 whatever HTTP says */
        buf += 3;
        len -= 3;
    } else if (http_charset(content_type, charset, sizeof(charset)) &&
               strcasecmp(charset, "utf-8") != 0 && strcasecmp(charset, "utf8") != 0) {
        converted = to_utf8(buf, len, charset, &len, err);
        if (converted == NULL)
            return false;
        buf = converted;
    }
    json_error_t jerr;
    json_t *root = json_loadb(buf, len, 0, &jerr);
    free(converted);
    if (root == NULL)
        return kb_error_set(err, "JSON line %d column %d: %s", jerr.line, jerr.column, jerr.text);
    const char *version = json_string_value(json_object_get(root, "version"));
    json_t *items = json_object_get(root, "items");
    if (!json_is_object(root) || version == NULL ||
        strncmp(version, "https://jsonfeed.org/version/", 29) != 0 || !json_is_array(items)) {
        json_decref(root);
        return kb_error_set(err, "not a JSON Feed (no \"version\" https://jsonfeed.org/... and "
                                 "\"items\" array)");
    }
    doc->format = KB_FEED_JSON;
    doc->title = json_text(root, "title", TEXT_MAYBE_HTML);
    doc->lang = json_str(root, "language");
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        struct kb_feed_entry *e = new_entry(doc, max);
        if (e == NULL)
            continue;
        if (!json_is_object(item))
            continue; /* an entry with nothing: the mapping reports it */
        json_t *id = json_object_get(item, "id");
        /* JSON Feed 1.0 allowed numeric ids; they are still ids. */
        if (json_is_integer(id))
            e->guid = kb_xasprintf("%lld", (long long)json_integer_value(id));
        else
            e->guid = json_str(item, "id");
        e->link = json_str(item, "url");
        e->title = json_text(item, "title", TEXT_MAYBE_HTML);
        e->summary = json_text(item, "summary", TEXT_MAYBE_HTML);
        set_once(&e->summary, json_text(item, "content_text", TEXT_PLAIN));
        set_once(&e->summary, json_text(item, "content_html", TEXT_HTML));
        e->lang = json_str(item, "language");
        e->date = json_str(item, "date_published");
        set_once(&e->date, json_str(item, "date_modified"));
        finish_date(e);
    }
    json_decref(root);
    return true;
}

/* ---- either ---- */

static bool looks_like_json(const char *buf, size_t len, const char *content_type)
{
    if (content_type != NULL && strstr(content_type, "json") != NULL)
        return true;
    size_t i = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    while (i < len && isspace((unsigned char)buf[i]))
        i++;
    return i < len && buf[i] == '{';
}

bool kb_feed_parse(const char *buf, size_t len, const char *content_type, size_t max_entries,
                   struct kb_feed_doc *doc, struct kb_error *err)
{
    memset(doc, 0, sizeof(*doc));
    if (len == 0)
        return kb_error_set(err, "empty document");
    if (len > KB_FEED_BODY_MAX)
        return kb_error_set(err, "document over %d MiB", KB_FEED_BODY_MAX / (1024 * 1024));
    if (looks_like_json(buf, len, content_type))
        return parse_json(buf, len, content_type, max_entries, doc, err);
    return parse_xml(buf, len, content_type, max_entries, doc, err);
}
