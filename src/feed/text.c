#include "feed/text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "core/limits.h"
#include "feed/recover.h"
#include "core/xmalloc.h"

/* ---- HTML to text ---- */

void kb_feed_buf_add(struct kb_feed_buf *b, const char *s, size_t n)
{
    if (b->len + n > b->max)
        n = b->max - b->len;
    if (n == 0)
        return;
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = kb_xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* A word break where a block element starts or ends: one space, never
 * leading and never doubled. */
static void tb_space(struct kb_feed_buf *b)
{
    if (b->len > 0 && b->s[b->len - 1] != ' ')
        kb_feed_buf_add(b, " ", 1);
}

/* Elements whose edges separate words: without a space there, "<p>a</p><p>b</p>"
 * would read "ab". */
bool kb_feed_html_block(const char *name)
{
    static const char *const blocks[] = {
        "br",  "p",      "div",        "li",      "ul",      "ol",     "h1",     "h2",
        "h3",  "h4",     "h5",         "h6",      "tr",      "td",     "th",     "table",
        "hr",  "dd",     "dt",         "section", "article", "header", "footer", "blockquote",
        "pre", "figure", "figcaption", "img",     "aside",   "nav"};
    for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
        if (strcasecmp(name, blocks[i]) == 0)
            return true;
    }
    return false;
}

static void html_walk(xmlNodePtr node, struct kb_feed_buf *b, int depth)
{
    /* The HTML parser nests unclosed tags; a hostile fragment could nest deep. */
    if (depth > 256)
        return;
    for (xmlNodePtr n = node; n != NULL && b->len < b->max; n = n->next) {
        if (n->type == XML_TEXT_NODE && n->content != NULL) {
            kb_feed_buf_add(b, (const char *)n->content, strlen((const char *)n->content));
        } else if (n->type == XML_ELEMENT_NODE) {
            const char *name = (const char *)n->name;
            if (strcasecmp(name, "script") == 0 || strcasecmp(name, "style") == 0)
                continue;
            bool block = kb_feed_html_block(name);
            if (block)
                tb_space(b);
            html_walk(n->children, b, depth + 1);
            if (block)
                tb_space(b);
        }
    }
}

char *kb_feed_html_to_text(const char *html, size_t len)
{
    struct kb_feed_buf b = {kb_xstrdup(""), 0, 1, KB_FEED_FIELD_MAX};
    if (len > KB_FEED_FIELD_MAX)
        len = KB_FEED_FIELD_MAX;
    if (len == 0)
        return b.s;
    /* libxml2's HTML parser knows HTML 4's entities; HTML 5's others are
     * decoded first, so each reference is decoded once either way. */
    size_t refs_len;
    char *refs = kb_feed_html5_refs(html, len, &refs_len);
    /* In a <div>: a fragment that starts with <script> would otherwise be
     * read as a document head, and the text after it lost. */
    char *wrapped = kb_xasprintf("<div>%s</div>", refs);
    free(refs);
    refs = wrapped;
    refs_len = strlen(refs);
    htmlDocPtr doc = htmlReadMemory(refs, (int)refs_len, NULL, "UTF-8",
                                    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                                        HTML_PARSE_NOIMPLIED | HTML_PARSE_COMPACT);
    free(refs);
    if (doc == NULL)
        return b.s;
    html_walk(doc->children, &b, 0);
    xmlFreeDoc(doc);
    /* Runs of white space to one space, none at the ends: so callers can
     * compare a summary with its title (kb_text_clean does the rest). */
    size_t o = 0;
    for (size_t i = 0; i < b.len; i++) {
        bool space = b.s[i] == ' ' || b.s[i] == '\t' || b.s[i] == '\n' || b.s[i] == '\r';
        if (!space)
            b.s[o++] = b.s[i];
        else if (o > 0 && b.s[o - 1] != ' ')
            b.s[o++] = ' ';
    }
    while (o > 0 && b.s[o - 1] == ' ')
        o--;
    b.s[o] = '\0';
    return b.s;
}

bool kb_feed_looks_like_html(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '<' && (isalpha((unsigned char)p[1]) || p[1] == '/' || p[1] == '!'))
            return true;
        if (*p == '&') {
            const char *q = p + 1;
            if (*q == '#')
                q++;
            const char *start = q;
            while (isalnum((unsigned char)*q))
                q++;
            if (q > start && *q == ';')
                return true;
        }
    }
    return false;
}

/* ---- ids ---- */

static int base64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

char *kb_feed_base64_decode(const char *s, size_t len, size_t *out_len)
{
    char *out = kb_xmalloc(len / 4 * 3 + 4);
    size_t n = 0, pad = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        int v = c == '=' ? -2 : base64_value(c);
        if (v == -1 || (pad > 0 && v != -2) || (v == -2 && ++pad > 2)) {
            free(out);
            return NULL; /* not base64, or data after the padding */
        }
        if (v < 0)
            continue;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t kb_feed_hash(const char *a, const char *b)
{
    uint64_t h = fnv1a(0xcbf29ce484222325ULL, a);
    if (b != NULL) {
        /* A separator no URL or guid holds, so ("ab", "c") and ("a", "bc") differ. */
        h ^= 0xff;
        h *= 0x100000001b3ULL;
        h = fnv1a(h, b);
    }
    /* splitmix64's finaliser: FNV-1a alone leaves the high bits weak. */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

bool kb_feed_slug(const char *name, char *out)
{
    size_t n = 0;
    bool dash = false;
    for (const unsigned char *p = (const unsigned char *)name; *p && n < KB_FEED_PREFIX_MAX; p++) {
        if (isalnum(*p) && *p < 0x80) {
            if (dash && n > 0 && n + 1 < KB_FEED_PREFIX_MAX)
                out[n++] = '-';
            dash = false;
            out[n++] = (char)tolower(*p);
        } else {
            dash = true;
        }
    }
    out[n] = '\0';
    return n > 0;
}

bool kb_feed_url_host(const char *url, char *out, size_t size)
{
    const char *p = strstr(url, "://");
    if (p == NULL || size == 0)
        return false;
    p += 3;
    size_t end = strcspn(p, "/?#");
    const char *at = memchr(p, '@', end);
    if (at != NULL) {
        end -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    size_t n = 0;
    if (*p == '[') { /* an IPv6 literal: up to the bracket */
        while (n < end && p[n] != ']')
            n++;
        if (n < end)
            n++;
    } else {
        while (n < end && p[n] != ':')
            n++;
    }
    if (n == 0 || n >= size)
        return false;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)p[i]);
    out[n] = '\0';
    return true;
}

void kb_feed_truncate_utf8(char *s, size_t max)
{
    static const char ellipsis[] = "\xe2\x80\xa6";
    size_t len = strlen(s);
    if (len <= max)
        return;
    size_t cut = max >= 3 ? max - 3 : 0;
    while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
        cut--;
    /* No dangling space before the ellipsis. */
    while (cut > 0 && s[cut - 1] == ' ')
        cut--;
    if (max >= 3) {
        memcpy(s + cut, ellipsis, 3);
        s[cut + 3] = '\0';
    } else {
        s[cut] = '\0';
    }
}

bool kb_feed_duration_parse(const char *s, double *seconds)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0 || v != v)
        return false;
    double unit;
    if (*end == '\0' || strcmp(end, "s") == 0)
        unit = 1;
    else if (strcmp(end, "ms") == 0)
        unit = 0.001;
    else if (strcmp(end, "m") == 0)
        unit = 60;
    else if (strcmp(end, "h") == 0)
        unit = 3600;
    else if (strcmp(end, "d") == 0)
        unit = 86400;
    else
        return false;
    v *= unit;
    if (v > 10.0 * 365 * 86400)
        return false;
    *seconds = v;
    return true;
}
