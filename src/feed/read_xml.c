#include "feed/read.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/uri.h>

#include "core/date.h"
#include "core/limits.h"
#include "core/xmalloc.h"
#include "feed/text.h"

#define NS_ATOM "http://www.w3.org/2005/Atom"
#define NS_ATOM03 "http://purl.org/atom/ns#"
#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_MEDIA "http://search.yahoo.com/mrss/"

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

/* ---- names ---- */

/* The namespace a prefix conventionally stands for, for documents that use
 * dc:, media: ... without declaring them (libxml2 then keeps "dc:title" as
 * the element's whole name, in no namespace). */
static const char *conventional_ns(const char *prefix, size_t n)
{
    static const char *const map[][2] = {{"dc", NS_DC},       {"content", NS_CONTENT},
                                         {"media", NS_MEDIA}, {"rdf", NS_RDF},
                                         {"atom", NS_ATOM},   {"atom10", NS_ATOM}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strlen(map[i][0]) == n && strncmp(prefix, map[i][0], n) == 0)
            return map[i][1];
    }
    return NULL;
}

static bool named(xmlNodePtr n, const char *ns, const char *name)
{
    if (n->type != XML_ELEMENT_NODE)
        return false;
    const char *local = (const char *)n->name;
    if (n->ns == NULL) {
        const char *colon = strchr(local, ':');
        if (colon == NULL)
            return ns == NULL && strcmp(local, name) == 0;
        const char *conv = conventional_ns(local, (size_t)(colon - local));
        return conv != NULL && ns != NULL && strcmp(conv, ns) == 0 && strcmp(colon + 1, name) == 0;
    }
    if (strcmp(local, name) != 0)
        return false;
    return ns != NULL && n->ns->href != NULL && strcmp((const char *)n->ns->href, ns) == 0;
}

static const char *ns_of(xmlNodePtr n)
{
    return n->ns != NULL ? (const char *)n->ns->href : NULL;
}

/* ---- text of an element ---- */

/* Collects the text under node's children. Internal entities are expanded
 * from their parsed content, each byte counted against the document's
 * entity budget; external entities are never followed. depth bounds both
 * element nesting and entity nesting. Markup inside a text field (an XHTML
 * title, a stray <b>) gives its text, <script> and <style> none; block
 * elements and <br> separate words. */
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
        case XML_ELEMENT_NODE: {
            const char *name = (const char *)n->name;
            if (strcasecmp(name, "script") == 0 || strcasecmp(name, "style") == 0)
                break;
            bool block = kb_feed_html_block(name);
            if (block)
                kb_feed_buf_add(b, " ", 1);
            collect(x, n->children, b, depth + 1, in_entity);
            if (block)
                kb_feed_buf_add(b, " ", 1);
            break;
        }
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

static bool attr_is(xmlChar *v, const char *a, const char *b)
{
    return v != NULL && (strcasecmp((const char *)v, a) == 0 ||
                         (b != NULL && strcasecmp((const char *)v, b) == 0));
}

/* Atom 0.3 mode="base64": the element's text decoded, then read as HTML
 * or as plain text. NULL when it is no base64. */
static char *base64_text(struct xml_ctx *x, xmlNodePtr el, bool html)
{
    char *coded = element_text(x, el, TEXT_PLAIN);
    size_t len;
    char *raw = kb_feed_base64_decode(coded, strlen(coded), &len);
    free(coded);
    if (raw == NULL || !html)
        return raw;
    char *text = kb_feed_html_to_text(raw, len);
    free(raw);
    return text;
}

/* An Atom text construct. Atom 1.0 (RFC 4287 3.1): type="text" (the
 * default) is plain, "html" is escaped HTML, "xhtml" a div of markup whose
 * text we take. Atom 0.3: type is a media type (default text/plain) and
 * mode says how it is held: "xml" (the default, inline), "escaped", or
 * "base64" (the octets of that media type; text taken as UTF-8, which the
 * mapping checks). Out-of-line content (src=) gives nothing. */
static char *atom_text(struct xml_ctx *x, xmlNodePtr el, bool atom03)
{
    xmlChar *type = xmlGetProp(el, (const xmlChar *)"type");
    xmlChar *mode = xmlGetProp(el, (const xmlChar *)"mode");
    xmlChar *src = xmlGetProp(el, (const xmlChar *)"src");
    char *out = NULL;
    bool html = attr_is(type, "html", "text/html");
    bool xhtml = attr_is(type, "xhtml", "application/xhtml+xml");
    bool text = type == NULL || attr_is(type, "text", "text/plain") ||
                strncasecmp((const char *)type, "text/", 5) == 0;
    if (src != NULL)
        out = NULL;
    else if (attr_is(mode, "base64", NULL))
        out = base64_text(x, el, html || xhtml);
    else if (attr_is(mode, "escaped", NULL))
        out = element_text(x, el, html || xhtml ? TEXT_HTML : TEXT_PLAIN);
    else if (html && atom03)
        out = element_text(x, el, TEXT_MAYBE_HTML); /* inline, though often escaped anyway */
    else if (html)
        out = element_text(x, el, TEXT_HTML);
    else if (xhtml || text)
        out = element_text(x, el, TEXT_PLAIN);
    xmlFree(type);
    xmlFree(mode);
    xmlFree(src);
    return out;
}

/* media:title and media:description say type="plain" or "html". */
static char *media_text(struct xml_ctx *x, xmlNodePtr el)
{
    xmlChar *type = xmlGetProp(el, (const xmlChar *)"type");
    char *out = element_text(x, el, attr_is(type, "html", NULL) ? TEXT_HTML : TEXT_MAYBE_HTML);
    xmlFree(type);
    return out;
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

/* A link as written, made absolute by the xml:base in force at n. */
static char *resolve(xmlNodePtr n, const char *href)
{
    xmlChar *base = xmlNodeGetBase(n->doc, n);
    xmlChar *abs = base != NULL ? xmlBuildURI((const xmlChar *)href, base) : NULL;
    char *out = kb_xstrdup(abs != NULL ? (const char *)abs : href);
    xmlFree(abs);
    xmlFree(base);
    return out;
}

static char *link_text(struct xml_ctx *x, xmlNodePtr n)
{
    char *t = element_text(x, n, TEXT_PLAIN);
    size_t a = strspn(t, " \t\r\n"), len = strlen(t);
    while (len > a && strchr(" \t\r\n", t[len - 1]) != NULL)
        len--;
    char *trimmed = kb_xstrndup(t + a, len - a);
    free(t);
    if (trimmed[0] == '\0')
        return trimmed;
    char *out = resolve(n, trimmed);
    free(trimmed);
    return out;
}

static void finish_date(struct kb_feed_entry *e)
{
    e->has_published = e->date != NULL && kb_date_parse(e->date, &e->published);
}

/* What an entry says beside its format's own elements: Dublin Core,
 * content:encoded and Media RSS, used when the format's own are missing;
 * and its picture. */
struct extra {
    char *dc_title, *media_title;
    char *dc_desc, *encoded, *media_desc;
    char *dc_date;
    char *image; /* the best picture so far, and its score */
    long image_score;
    char *credit;
};

/* How a picture ranks: a full picture (an image enclosure or
 * media:content) over a thumbnail, then the wider one; the first among
 * equals. */
#define IMAGE_FULL 2000000L
#define IMAGE_THUMB 1000000L

/* A candidate picture at element n: url (an attribute) made absolute by
 * the xml:base in force, kept if it ranks above the one held. */
static void consider_image(struct extra *m, xmlNodePtr n, const char *attr, long rank)
{
    xmlChar *url = xmlGetProp(n, (const xmlChar *)attr);
    xmlChar *width = xmlGetProp(n, (const xmlChar *)"width");
    long w = width != NULL ? strtol((const char *)width, NULL, 10) : 0;
    long score = rank + (w > 0 && w < 100000 ? w : 0);
    if (url != NULL && url[0] != '\0' && score > m->image_score) {
        free(m->image);
        m->image = resolve(n, (const char *)url);
        m->image_score = score;
    }
    xmlFree(url);
    xmlFree(width);
}

/* True if the type or medium attribute of n says it is a picture. */
static bool image_typed(xmlNodePtr n)
{
    xmlChar *type = xmlGetProp(n, (const xmlChar *)"type");
    xmlChar *medium = xmlGetProp(n, (const xmlChar *)"medium");
    bool yes = (type != NULL && strncasecmp((const char *)type, "image/", 6) == 0) ||
               attr_is(medium, "image", NULL);
    xmlFree(type);
    xmlFree(medium);
    return yes;
}

/* Titles, descriptions, pictures and credits from the Media RSS module,
 * also inside <media:group> and <media:content>. */
static void read_media(struct xml_ctx *x, xmlNodePtr n, struct extra *m, int depth)
{
    if (named(n, NS_MEDIA, "title"))
        set_once(&m->media_title, media_text(x, n));
    else if (named(n, NS_MEDIA, "description"))
        set_once(&m->media_desc, media_text(x, n));
    else if (named(n, NS_MEDIA, "thumbnail"))
        consider_image(m, n, "url", IMAGE_THUMB);
    else if (named(n, NS_MEDIA, "credit"))
        set_once(&m->credit, element_text(x, n, TEXT_MAYBE_HTML));
    else if (depth < 2 && (named(n, NS_MEDIA, "group") || named(n, NS_MEDIA, "content"))) {
        if (named(n, NS_MEDIA, "content") && image_typed(n))
            consider_image(m, n, "url", IMAGE_FULL);
        for (xmlNodePtr c = n->children; c != NULL; c = c->next)
            read_media(x, c, m, depth + 1);
    }
}

static bool read_extra(struct xml_ctx *x, xmlNodePtr n, struct extra *m, struct kb_feed_entry *e)
{
    if (named(n, NS_DC, "title"))
        set_once(&m->dc_title, element_text(x, n, TEXT_MAYBE_HTML));
    else if (named(n, NS_DC, "description"))
        set_once(&m->dc_desc, element_text(x, n, TEXT_HTML));
    else if (named(n, NS_DC, "date"))
        set_once(&m->dc_date, element_text(x, n, TEXT_PLAIN));
    else if (named(n, NS_DC, "language"))
        set_once(&e->lang, element_text(x, n, TEXT_PLAIN));
    else if (named(n, NS_CONTENT, "encoded"))
        set_once(&m->encoded, element_text(x, n, TEXT_HTML));
    else if (ns_of(n) != NULL && strcmp(ns_of(n), NS_MEDIA) == 0)
        read_media(x, n, m, 0);
    else if (n->ns == NULL && strncmp((const char *)n->name, "media:", 6) == 0)
        read_media(x, n, m, 0);
    else
        return false;
    return true;
}

/* The fallbacks in order: the format's own, then dc:, then media: (and
 * content:encoded for the summary). */
static void finish_extra(struct extra *m, struct kb_feed_entry *e, char *summary, char *date)
{
    set_once(&e->title, m->dc_title);
    set_once(&e->title, m->media_title);
    set_once(&e->summary, summary);
    set_once(&e->summary, m->dc_desc);
    set_once(&e->summary, m->encoded);
    set_once(&e->summary, m->media_desc);
    set_once(&e->date, date);
    set_once(&e->date, m->dc_date);
    set_once(&e->image, m->image);
    set_once(&e->credit, m->credit);
}

/* RSS 0.9x / 2.0 <item> and RSS 1.0 / 0.90 <item>; ns is the namespace of
 * the document's RSS elements (NULL for plain RSS 2.0). */
static void read_rss_item(struct xml_ctx *x, xmlNodePtr item, const char *ns,
                          struct kb_feed_entry *e)
{
    struct extra m = {0};
    char *description = NULL, *pubdate = NULL;
    for (xmlNodePtr n = item->children; n != NULL; n = n->next) {
        if (named(n, ns, "title"))
            set_once(&e->title, element_text(x, n, TEXT_MAYBE_HTML));
        else if (named(n, ns, "link"))
            set_once(&e->link, link_text(x, n));
        else if (named(n, ns, "description"))
            set_once(&description, element_text(x, n, TEXT_HTML));
        else if (named(n, ns, "guid"))
            set_once(&e->guid, element_text(x, n, TEXT_PLAIN));
        else if (named(n, ns, "pubDate"))
            set_once(&pubdate, element_text(x, n, TEXT_PLAIN));
        else if (named(n, ns, "enclosure") && image_typed(n))
            consider_image(&m, n, "url", IMAGE_FULL);
        else
            read_extra(x, n, &m, e);
    }
    if (e->guid == NULL) {
        xmlChar *about = xmlGetNsProp(item, (const xmlChar *)"about", (const xmlChar *)NS_RDF);
        if (about != NULL)
            set_once(&e->guid, kb_xstrdup((const char *)about));
        xmlFree(about);
    }
    finish_extra(&m, e, description, pubdate);
    if (e->lang == NULL)
        e->lang = node_lang(item);
    finish_date(e);
}

static void read_atom_entry(struct xml_ctx *x, xmlNodePtr entry, const char *ns, bool atom03,
                            struct kb_feed_entry *e)
{
    struct extra m = {0};
    char *summary = NULL, *content = NULL, *published = NULL, *updated = NULL;
    char *alternate = NULL, *other_link = NULL;
    for (xmlNodePtr n = entry->children; n != NULL; n = n->next) {
        if (named(n, ns, "id")) {
            set_once(&e->guid, element_text(x, n, TEXT_PLAIN));
        } else if (named(n, ns, "title")) {
            set_once(&e->title, atom_text(x, n, atom03));
        } else if (named(n, ns, "summary")) {
            set_once(&summary, atom_text(x, n, atom03));
        } else if (named(n, ns, "content")) {
            set_once(&content, atom_text(x, n, atom03));
        } else if (named(n, ns, "published") || named(n, ns, "issued") || named(n, ns, "created")) {
            set_once(&published, element_text(x, n, TEXT_PLAIN));
        } else if (named(n, ns, "updated") || named(n, ns, "modified")) {
            set_once(&updated, element_text(x, n, TEXT_PLAIN));
        } else if (named(n, ns, "link")) {
            xmlChar *rel = xmlGetProp(n, (const xmlChar *)"rel");
            xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
            if (href != NULL && attr_is(rel, "enclosure", NULL) && image_typed(n))
                consider_image(&m, n, "href", IMAGE_FULL);
            if (href != NULL) {
                bool alt = rel == NULL || strcmp((const char *)rel, "alternate") == 0;
                set_once(alt ? &alternate : &other_link, resolve(n, (const char *)href));
            }
            xmlFree(rel);
            xmlFree(href);
        } else {
            read_extra(x, n, &m, e);
        }
    }
    set_once(&e->link, alternate);
    set_once(&e->link, other_link);
    set_once(&summary, content);
    set_once(&published, updated);
    finish_extra(&m, e, summary, published);
    /* xml:lang is inherited: the entry's, else the feed's. */
    if (e->lang == NULL)
        e->lang = node_lang(entry);
    finish_date(e);
}

struct kb_feed_entry *kb_feed_new_entry(struct kb_feed_doc *doc, size_t max)
{
    if (doc->n >= max) {
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

static void read_rss_channel(struct xml_ctx *x, xmlNodePtr channel, const char *ns, size_t max,
                             struct kb_feed_doc *doc)
{
    for (xmlNodePtr n = channel->children; n != NULL && !x->entity_overrun; n = n->next) {
        if (named(n, ns, "title")) {
            set_once(&doc->title, element_text(x, n, TEXT_MAYBE_HTML));
        } else if (named(n, ns, "language") || named(n, NS_DC, "language")) {
            set_once(&doc->lang, element_text(x, n, TEXT_PLAIN));
        } else if (named(n, ns, "item")) {
            struct kb_feed_entry *e = kb_feed_new_entry(doc, max);
            if (e != NULL)
                read_rss_item(x, n, ns, e);
        }
    }
    if (doc->lang == NULL)
        doc->lang = node_lang(channel);
}

/* RSS 0.91-2.0: <rss><channel> with the <item>s, all in the root's
 * namespace (none, or UserLand's and others' default namespace). Items
 * that a broken feed puts after </channel> are read too. */
static void read_rss2(struct xml_ctx *x, xmlNodePtr root, size_t max, struct kb_feed_doc *doc)
{
    const char *ns = ns_of(root);
    for (xmlNodePtr n = root->children; n != NULL && !x->entity_overrun; n = n->next) {
        if (named(n, ns, "channel")) {
            read_rss_channel(x, n, ns, max, doc);
        } else if (named(n, ns, "item")) {
            struct kb_feed_entry *e = kb_feed_new_entry(doc, max);
            if (e != NULL)
                read_rss_item(x, n, ns, e);
        }
    }
}

/* RSS 1.0 and 0.90: <rdf:RDF> holding <channel> and the <item>s side by side,
 * in the RSS namespace of whichever version it is. */
static void read_rss1(struct xml_ctx *x, xmlNodePtr root, size_t max, struct kb_feed_doc *doc)
{
    for (xmlNodePtr n = root->children; n != NULL && !x->entity_overrun; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        const char *ns = ns_of(n);
        if (ns != NULL && (strcmp(ns, NS_DC) == 0 || strcmp(ns, NS_RDF) == 0))
            continue;
        if (named(n, ns, "channel")) {
            for (xmlNodePtr c = n->children; c != NULL; c = c->next) {
                if (named(c, ns, "title"))
                    set_once(&doc->title, element_text(x, c, TEXT_MAYBE_HTML));
                else if (named(c, NS_DC, "language") || named(c, ns, "language"))
                    set_once(&doc->lang, element_text(x, c, TEXT_PLAIN));
            }
            if (doc->lang == NULL)
                doc->lang = node_lang(n);
        } else if (named(n, ns, "item")) {
            struct kb_feed_entry *e = kb_feed_new_entry(doc, max);
            if (e != NULL)
                read_rss_item(x, n, ns, e);
        }
    }
}

static void read_atom(struct xml_ctx *x, xmlNodePtr root, bool atom03, size_t max,
                      struct kb_feed_doc *doc)
{
    const char *ns = ns_of(root);
    for (xmlNodePtr n = root->children; n != NULL && !x->entity_overrun; n = n->next) {
        if (named(n, ns, "title")) {
            set_once(&doc->title, atom_text(x, n, atom03));
        } else if (named(n, ns, "entry")) {
            struct kb_feed_entry *e = kb_feed_new_entry(doc, max);
            if (e != NULL)
                read_atom_entry(x, n, ns, atom03, e);
        }
    }
    doc->lang = node_lang(root);
}

bool kb_feed_read_xml(xmlDocPtr xdoc, size_t max, struct kb_feed_doc *doc, struct kb_error *err)
{
    struct xml_ctx x = {xdoc, KB_FEED_ENTITY_BUDGET, false};
    xmlNodePtr root = xmlDocGetRootElement(xdoc);
    const char *ns = root != NULL ? ns_of(root) : NULL;
    const char *name = root != NULL ? (const char *)root->name : "none";
    bool ok = true;
    if (root != NULL && strcmp(name, "rss") == 0) {
        doc->format = KB_FEED_RSS2;
        read_rss2(&x, root, max, doc);
    } else if (root != NULL && named(root, NS_RDF, "RDF")) {
        doc->format = KB_FEED_RSS1;
        read_rss1(&x, root, max, doc);
    } else if (root != NULL && strcmp(name, "feed") == 0 &&
               (ns == NULL || strcmp(ns, NS_ATOM) == 0 || strcmp(ns, NS_ATOM03) == 0)) {
        xmlChar *version = xmlGetProp(root, (const xmlChar *)"version");
        bool atom03 = ns != NULL ? strcmp(ns, NS_ATOM03) == 0
                                 : version != NULL && strcmp((const char *)version, "0.3") == 0;
        xmlFree(version);
        doc->format = atom03 ? KB_FEED_ATOM03 : KB_FEED_ATOM;
        read_atom(&x, root, atom03, max, doc);
    } else {
        ok = kb_error_set(err, "not an RSS or Atom feed (the root element is <%s>)", name);
    }
    if (ok && x.entity_overrun)
        ok = kb_error_set(err, "internal entities expand past %d KiB: refused",
                          KB_FEED_ENTITY_BUDGET / 1024);
    if (!ok)
        kb_feed_doc_free(doc);
    return ok;
}
