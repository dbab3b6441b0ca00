#include "feed/recover.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>

#include "feed/entities.h"
#include "feed/text.h"
#include "core/xmalloc.h"

void kb_feed_note(struct kb_feed_notes *n, const char *fmt, ...)
{
    if (n->len + 3 >= sizeof(n->line))
        return;
    if (n->len > 0) {
        memcpy(n->line + n->len, "; ", 3);
        n->len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(n->line + n->len, sizeof(n->line) - n->len, fmt, ap);
    va_end(ap);
    if (w > 0)
        n->len += (size_t)w < sizeof(n->line) - n->len ? (size_t)w : sizeof(n->line) - n->len - 1;
}

/* ---- scanning ---- */

static bool name_start(unsigned char c)
{
    return isalpha(c) || c == '_' || c == ':' || c >= 0x80;
}

static bool name_char(unsigned char c)
{
    return name_start(c) || isdigit(c) || c == '-' || c == '.';
}

static bool starts(const char *s, size_t len, size_t i, const char *lit)
{
    size_t n = strlen(lit);
    return i + n <= len && memcmp(s + i, lit, n) == 0;
}

/* The end of the construct at i that ends with close (after it), or len. */
static size_t past(const char *s, size_t len, size_t i, const char *close)
{
    size_t n = strlen(close);
    for (size_t j = i; j + n <= len; j++) {
        if (memcmp(s + j, close, n) == 0)
            return j + n;
    }
    return len;
}

/* The end of a DOCTYPE at i, past its internal subset and quoted strings. */
static size_t past_doctype(const char *s, size_t len, size_t i)
{
    int depth = 0;
    char quote = 0;
    for (size_t j = i + 2; j < len; j++) {
        char c = s[j];
        if (quote) {
            quote = c == quote ? 0 : quote;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '[') {
            depth++;
        } else if (c == ']') {
            depth--;
        } else if (c == '>' && depth <= 0) {
            return j + 1;
        }
    }
    return len;
}

bool kb_feed_xml_declares_entities(const char *s, size_t len)
{
    size_t i = past(s, len, 0, "<!DOCTYPE");
    if (i == len)
        return false;
    size_t end = past_doctype(s, len, i - 9);
    for (; i + 8 <= end; i++) {
        if (memcmp(s + i, "<!ENTITY", 8) == 0)
            return true;
    }
    return false;
}

/* ---- mending ---- */

/* Open elements deeper than this are not tracked (nor balanced). */
#define OPEN_MAX 256

struct out {
    struct kb_feed_buf b;
    struct kb_feed_mend *m;
    const char *s;
    size_t len;
    struct kb_feed_span open[OPEN_MAX]; /* the names of the open elements, in s */
    size_t depth;
};

static void put(struct out *o, const char *s, size_t n)
{
    kb_feed_buf_add(&o->b, s, n);
}

static bool xml_char(uint32_t cp)
{
    return cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
           (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

static bool predefined(const char *name, size_t n)
{
    static const char *const xml[] = {"amp", "lt", "gt", "quot", "apos"};
    for (size_t i = 0; i < 5; i++) {
        if (strlen(xml[i]) == n && memcmp(name, xml[i], n) == 0)
            return true;
    }
    return false;
}

/* A reference at i ("&..."): copied if XML reads it, decoded if HTML 5
 * names it, else its "&" escaped. Returns the index after what it used. */
static size_t amp(struct out *o, size_t i, bool doc_entities)
{
    const char *s = o->s;
    size_t len = o->len, j = i + 1;
    if (j < len && s[j] == '#') {
        bool hex = j + 1 < len && (s[j + 1] == 'x' || s[j + 1] == 'X');
        size_t k = j + 1 + hex;
        uint32_t cp = 0;
        size_t digits = 0;
        while (k < len && (hex ? isxdigit((unsigned char)s[k]) : isdigit((unsigned char)s[k]))) {
            if (cp < 0x110000)
                cp = cp * (hex ? 16 : 10) +
                     (uint32_t)(isdigit((unsigned char)s[k])
                                    ? s[k] - '0'
                                    : tolower((unsigned char)s[k]) - 'a' + 10);
            k++;
            digits++;
        }
        if (digits > 0 && k < len && s[k] == ';') {
            if (xml_char(cp))
                put(o, s + i, k + 1 - i);
            else
                o->m->chars++;
            return k + 1;
        }
    } else if (j < len && name_start((unsigned char)s[j])) {
        size_t k = j;
        while (k < len && name_char((unsigned char)s[k]))
            k++;
        if (k < len && s[k] == ';') {
            char text[KB_FEED_ENTITY_UTF8_MAX];
            size_t n;
            if (predefined(s + j, k - j) || doc_entities) {
                put(o, s + i, k + 1 - i);
                return k + 1;
            }
            if ((n = kb_feed_entity_lookup(s + j, k - j, text)) > 0) {
                o->m->entities++;
                /* Markup characters stay references: "&LT;" is text, not a tag. */
                if (n == 1 && strchr("<>&\"'", text[0]) != NULL) {
                    char ref[8];
                    int w = snprintf(ref, sizeof(ref), "&#%d;", text[0]);
                    put(o, ref, (size_t)w);
                } else {
                    put(o, text, n);
                }
                return k + 1;
            }
            o->m->unknown++;
            put(o, "&amp;", 5);
            return j;
        }
    }
    o->m->amps++;
    put(o, "&amp;", 5);
    return j;
}

/* Copies the start tag at i, quoting bare attribute values and mending
 * references and "<" inside values; closes HTML's empty elements. */
static size_t start_tag(struct out *o, size_t i, bool doc_entities)
{
    const char *s = o->s;
    size_t len = o->len, j = i + 1;
    while (j < len && name_char((unsigned char)s[j]))
        j++;
    size_t name_len = j - i - 1;
    put(o, s + i, j - i);
    char quote = 0;
    bool self_closed = false;
    while (j < len) {
        char c = s[j];
        if (quote) {
            if (c == quote) {
                quote = 0;
                put(o, &c, 1);
                j++;
            } else if (c == '&') {
                j = amp(o, j, doc_entities);
            } else if (c == '<') {
                put(o, "&lt;", 4);
                o->m->lts++;
                j++;
            } else {
                put(o, &c, 1);
                j++;
            }
            continue;
        }
        if (c == '>' || c == '<')
            break;
        if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '=' && j + 1 < len && s[j + 1] != '"' && s[j + 1] != '\'' &&
                   !isspace((unsigned char)s[j + 1])) {
            put(o, "=\"", 2);
            j++;
            while (j < len && !isspace((unsigned char)s[j]) && s[j] != '>' &&
                   !(s[j] == '/' && j + 1 < len && s[j + 1] == '>')) {
                if (s[j] == '&')
                    j = amp(o, j, doc_entities);
                else
                    put(o, s[j] == '"' ? "&quot;" : s + j, s[j] == '"' ? 6 : 1), j++;
            }
            put(o, "\"", 1);
            o->m->quoted++;
            continue;
        }
        self_closed = c == '/';
        put(o, &c, 1);
        j++;
    }
    static const char *const empty[] = {"br", "hr", "img", "wbr"};
    bool close = false;
    for (size_t k = 0; k < 4 && !self_closed; k++)
        close |= strlen(empty[k]) == name_len && strncasecmp(s + i + 1, empty[k], name_len) == 0;
    if (close) {
        put(o, "/", 1);
        o->m->closed++;
    } else if (!self_closed && o->depth < OPEN_MAX) {
        o->open[o->depth++] = (struct kb_feed_span){i + 1, i + 1 + name_len};
    } else if (!self_closed) {
        o->depth++;
    }
    put(o, ">", 1);
    return j < len && s[j] == '>' ? j + 1 : j;
}

/* The end tag at i, matched with the open elements: the elements left open
 * inside the one it closes are closed first ("<b>bold</title>"), and an end
 * tag that closes nothing open is dropped ("</span>" with no <span>). */
static size_t end_tag(struct out *o, size_t i)
{
    const char *s = o->s;
    size_t len = o->len, j = i + 2;
    while (j < len && name_char((unsigned char)s[j]))
        j++;
    size_t n = j - i - 2, next = past(s, len, i, ">");
    if (o->depth > OPEN_MAX) { /* too deep to track: as written */
        put(o, s + i, next - i);
        o->depth--;
        return next;
    }
    size_t k = o->depth;
    while (k > 0 && !(o->open[k - 1].end - o->open[k - 1].start == n &&
                      memcmp(s + o->open[k - 1].start, s + i + 2, n) == 0))
        k--;
    if (k == 0) {
        o->m->balanced++;
        return next;
    }
    while (o->depth > k) {
        struct kb_feed_span *e = &o->open[--o->depth];
        put(o, "</", 2);
        put(o, s + e->start, e->end - e->start);
        put(o, ">", 1);
        o->m->balanced++;
    }
    o->depth--;
    put(o, s + i, next - i);
    return next;
}

char *kb_feed_xml_mend(const char *s, size_t len, size_t *out_len, struct kb_feed_mend *m)
{
    memset(m, 0, sizeof(*m));
    struct out o = {{kb_xstrdup(""), 0, 1, (size_t)-1}, m, s, len, {{0, 0}}, 0};
    bool doc_entities = kb_feed_xml_declares_entities(s, len);
    size_t i = 0;
    while (i < len && s[i] != '<')
        i++;
    m->leading = i;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t next;
        if (c == '<') {
            if (starts(s, len, i, "<!--"))
                next = past(s, len, i, "-->");
            else if (starts(s, len, i, "<![CDATA["))
                next = past(s, len, i, "]]>");
            else if (starts(s, len, i, "<?"))
                next = past(s, len, i, "?>");
            else if (starts(s, len, i, "<!DOCTYPE"))
                next = past_doctype(s, len, i);
            else if (i + 1 < len && s[i + 1] == '/') {
                i = end_tag(&o, i);
                continue;
            } else if (i + 1 < len && name_start((unsigned char)s[i + 1])) {
                i = start_tag(&o, i, doc_entities);
                continue;
            } else {
                put(&o, "&lt;", 4);
                m->lts++;
                i++;
                continue;
            }
            put(&o, s + i, next - i);
            i = next;
        } else if (c == '&') {
            i = amp(&o, i, doc_entities);
        } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
                   (c == 0xef && i + 2 < len && (unsigned char)s[i + 1] == 0xbf &&
                    ((unsigned char)s[i + 2] == 0xbe || (unsigned char)s[i + 2] == 0xbf))) {
            m->chars++;
            i += c < 0x20 ? 1 : 3;
        } else {
            put(&o, s + i, 1);
            i++;
        }
    }
    *out_len = o.b.len;
    return o.b.s;
}

void kb_feed_mend_note(const struct kb_feed_mend *m, struct kb_feed_notes *notes)
{
    char line[300] = "";
    size_t n = 0;
    const struct {
        size_t count;
        const char *one, *many;
    } parts[] = {
        {m->entities, "undefined entity decoded", "undefined entities decoded"},
        {m->unknown, "unknown entity kept as text", "unknown entities kept as text"},
        {m->amps, "bare & escaped", "bare & escaped"},
        {m->lts, "bare < escaped", "bare < escaped"},
        {m->chars, "character XML forbids removed", "characters XML forbids removed"},
        {m->quoted, "attribute value quoted", "attribute values quoted"},
        {m->closed, "empty HTML element closed", "empty HTML elements closed"},
        {m->balanced, "end tag added or dropped to match", "end tags added or dropped to match"},
        {m->leading, "byte before the first tag dropped", "bytes before the first tag dropped"},
    };
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (parts[i].count == 0 || n >= sizeof(line))
            continue;
        int w = snprintf(line + n, sizeof(line) - n, "%s%zu %s", n ? ", " : "", parts[i].count,
                         parts[i].count == 1 ? parts[i].one : parts[i].many);
        if (w > 0)
            n += (size_t)w;
    }
    if (n > 0)
        kb_feed_note(notes, "%s", line);
}

/* ---- structure ---- */

/* Skips what comes before the root: declarations, comments, DOCTYPE, space. */
static size_t prolog_end(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (s[i] != '<') {
            i++;
        } else if (starts(s, len, i, "<?")) {
            i = past(s, len, i, "?>");
        } else if (starts(s, len, i, "<!--")) {
            i = past(s, len, i, "-->");
        } else if (starts(s, len, i, "<!")) {
            i = past_doctype(s, len, i);
        } else {
            return i;
        }
    }
    return len;
}

bool kb_feed_xml_root(const char *s, size_t len, struct kb_feed_span *tag, char *qname,
                      size_t qname_size)
{
    size_t i = prolog_end(s, len);
    if (i >= len || !name_start((unsigned char)s[i + 1 < len ? i + 1 : i]))
        return false;
    size_t j = i + 1;
    while (j < len && name_char((unsigned char)s[j]))
        j++;
    if (j - i - 1 >= qname_size)
        return false;
    memcpy(qname, s + i + 1, j - i - 1);
    qname[j - i - 1] = '\0';
    char quote = 0;
    while (j < len && (quote || s[j] != '>')) {
        if (s[j] == '"' || s[j] == '\'')
            quote = quote == s[j] ? 0 : quote ? quote : s[j];
        j++;
    }
    tag->start = i;
    tag->end = j < len ? j + 1 : len;
    return true;
}

/* Where "</qname" followed by space or ">" last occurs in s, or len. */
static size_t last_end_tag(const char *s, size_t len, size_t from, const char *qname)
{
    size_t n = strlen(qname), found = len;
    for (size_t i = from; i + n + 2 < len + 1; i++) {
        if (s[i] == '<' && s[i + 1] == '/' && memcmp(s + i + 2, qname, n) == 0 &&
            (i + 2 + n == len || s[i + 2 + n] == '>' || isspace((unsigned char)s[i + 2 + n])))
            found = i;
    }
    return found;
}

bool kb_feed_xml_cut_off(const char *s, size_t len)
{
    struct kb_feed_span root;
    char qname[128];
    if (!kb_feed_xml_root(s, len, &root, qname, sizeof(qname)))
        return true;
    if (root.end >= 2 && s[root.end - 2] == '/')
        return false; /* <rss/>: empty, but whole */
    return last_end_tag(s, len, root.end, qname) == len;
}

/* The local name of the tag at s[i] ("<x:item ..."), its qualified name's
 * length in *qlen. */
static bool entry_tag(const char *s, size_t len, size_t i, size_t *qlen)
{
    size_t j = i + 1, colon = 0;
    while (j < len && name_char((unsigned char)s[j])) {
        if (s[j] == ':')
            colon = j;
        j++;
    }
    size_t local = colon ? colon + 1 : i + 1;
    size_t n = j - local;
    bool hit = (n == 4 && memcmp(s + local, "item", 4) == 0) ||
               (n == 5 && memcmp(s + local, "entry", 5) == 0);
    *qlen = j - i - 1;
    return hit && j < len && (s[j] == '>' || s[j] == '/' || isspace((unsigned char)s[j]));
}

size_t kb_feed_xml_entry_spans(const char *s, size_t len, struct kb_feed_span *spans, size_t max)
{
    struct kb_feed_span root;
    char qname[128];
    if (!kb_feed_xml_root(s, len, &root, qname, sizeof(qname)))
        return 0;
    size_t root_close = last_end_tag(s, len, root.end, qname);
    size_t n = 0, open_q = 0;
    for (size_t i = root.end; i < root_close;) {
        size_t q;
        if (starts(s, len, i, "<!--")) {
            i = past(s, len, i, "-->");
        } else if (starts(s, len, i, "<![CDATA[")) {
            i = past(s, len, i, "]]>");
        } else if (s[i] == '<' && entry_tag(s, len, i, &q)) {
            if (n > 0 && n <= max && spans[n - 1].end == 0)
                spans[n - 1].end = i;
            if (n < max)
                spans[n] = (struct kb_feed_span){i, 0};
            n++;
            open_q = q;
            i += q + 1;
        } else if (s[i] == '<' && s[i + 1] == '/' && n > 0 && n <= max && spans[n - 1].end == 0 &&
                   memcmp(s + i + 2, s + spans[n - 1].start + 1, open_q) == 0 &&
                   s[i + 2 + open_q] == '>') {
            spans[n - 1].end = i + 3 + open_q;
            i += 3 + open_q;
        } else {
            i++;
        }
    }
    if (n > 0 && n <= max && spans[n - 1].end == 0)
        spans[n - 1].end = root_close;
    return n;
}

/* ---- HTML ---- */

char *kb_feed_html5_refs(const char *s, size_t len, size_t *out_len)
{
    struct kb_feed_buf b = {kb_xstrdup(""), 0, 1, (size_t)-1};
    size_t i = 0, copied = 0;
    while (i < len) {
        if (s[i] != '&' || i + 1 >= len || !isalpha((unsigned char)s[i + 1])) {
            i++;
            continue;
        }
        size_t k = i + 1;
        while (k < len && isalnum((unsigned char)s[k]))
            k++;
        char name[40], text[KB_FEED_ENTITY_UTF8_MAX];
        size_t n = k - i - 1;
        if (k >= len || s[k] != ';' || n >= sizeof(name)) {
            i = k;
            continue;
        }
        memcpy(name, s + i + 1, n);
        name[n] = '\0';
        size_t tn;
        if (htmlEntityLookup((const xmlChar *)name) == NULL &&
            (tn = kb_feed_entity_lookup(name, n, text)) > 0) {
            kb_feed_buf_add(&b, s + copied, i - copied);
            if (tn == 1 && strchr("<>&", text[0]) != NULL) {
                char ref[8];
                int w = snprintf(ref, sizeof(ref), "&#%d;", text[0]);
                kb_feed_buf_add(&b, ref, (size_t)w);
            } else {
                kb_feed_buf_add(&b, text, tn);
            }
            copied = k + 1;
        }
        i = k + 1;
    }
    kb_feed_buf_add(&b, s + copied, len - copied);
    *out_len = b.len;
    return b.s;
}
