/* Ids, stories and BCP 47 language tags: the names the spool accepts. */
#include "spool/id.h"

#include <stddef.h>
#include <string.h>

#include "core/limits.h"

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_alpha(c) || is_digit(c);
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool ieq(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++) {
        if (lower(a[i]) != lower(b[i]))
            return false;
    }
    return true;
}

bool kb_id_valid(const char *id)
{
    size_t n = 0;
    for (const char *p = id; *p; p++, n++) {
        if (!is_alnum(*p) && *p != '.' && *p != '_' && *p != ':' && *p != '-')
            return false;
    }
    return n >= 1 && n <= KB_ID_MAX;
}

struct subtag {
    const char *s;
    size_t n;
};

static bool span_is(const struct subtag *t, bool (*pred)(char))
{
    for (size_t i = 0; i < t->n; i++) {
        if (!pred(t->s[i]))
            return false;
    }
    return true;
}

static bool is_variant(const struct subtag *t)
{
    return span_is(t, is_alnum) && ((t->n >= 5 && t->n <= 8) || (t->n == 4 && is_digit(t->s[0])));
}

/* RFC 5646 section 2.1 "irregular" grandfathered tags: they do not fit the
 * langtag production. The "regular" ones (zh-min-nan, art-lojban ...) do. */
static bool is_irregular(const char *tag, size_t len)
{
    static const char *const irregular[] = {
        "en-GB-oed", "i-ami", "i-bnn",     "i-default", "i-enochian", "i-hak",
        "i-klingon", "i-lux", "i-mingo",   "i-navajo",  "i-pwn",      "i-tao",
        "i-tay",     "i-tsu", "sgn-BE-FR", "sgn-BE-NL", "sgn-CH-DE",
    };
    for (size_t i = 0; i < sizeof(irregular) / sizeof(irregular[0]); i++) {
        if (ieq(tag, len, irregular[i], strlen(irregular[i])))
            return true;
    }
    return false;
}

/* Parses "x-..." private use starting at t[i]; true if it runs to the end. */
static bool privateuse_to_end(const struct subtag *t, size_t i, size_t n)
{
    if (i + 1 >= n)
        return false;
    for (i++; i < n; i++) {
        if (t[i].n < 1 || t[i].n > 8)
            return false;
    }
    return true;
}

bool kb_lang_tag_valid(const char *tag)
{
    size_t len = strlen(tag);
    if (len == 0 || len > KB_LANG_MAX)
        return false;
    if (is_irregular(tag, len))
        return true;

    /* Split into subtags of 1-8 letters and digits. */
    struct subtag t[KB_LANG_MAX / 2 + 1];
    size_t n = 0;
    const char *p = tag;
    for (;;) {
        const char *start = p;
        while (is_alnum(*p))
            p++;
        size_t sn = (size_t)(p - start);
        if (sn < 1 || sn > 8)
            return false;
        t[n].s = start;
        t[n].n = sn;
        n++;
        if (*p == '\0')
            break;
        if (*p != '-')
            return false;
        p++;
    }

    size_t i = 0;
    if (ieq(t[0].s, t[0].n, "x", 1))
        return privateuse_to_end(t, 0, n);

    /* language = 2*3ALPHA ["-" extlang] / 4ALPHA / 5*8ALPHA */
    if (!span_is(&t[0], is_alpha) || t[0].n < 2)
        return false;
    i = 1;
    if (t[0].n <= 3) {
        /* extlang = 3ALPHA *2("-" 3ALPHA) */
        for (int k = 0; k < 3 && i < n && t[i].n == 3 && span_is(&t[i], is_alpha); k++)
            i++;
    }
    /* script = 4ALPHA */
    if (i < n && t[i].n == 4 && span_is(&t[i], is_alpha))
        i++;
    /* region = 2ALPHA / 3DIGIT */
    if (i < n &&
        ((t[i].n == 2 && span_is(&t[i], is_alpha)) || (t[i].n == 3 && span_is(&t[i], is_digit))))
        i++;
    /* variants, each at most once (RFC 5646 2.2.5) */
    size_t first_variant = i;
    while (i < n && is_variant(&t[i])) {
        for (size_t k = first_variant; k < i; k++) {
            if (ieq(t[k].s, t[k].n, t[i].s, t[i].n))
                return false;
        }
        i++;
    }
    /* extensions: singleton 1*("-" 2*8alphanum), each singleton once */
    char singletons[36];
    size_t nsingle = 0;
    while (i < n && t[i].n == 1 && !ieq(t[i].s, 1, "x", 1)) {
        char c = lower(t[i].s[0]);
        if (memchr(singletons, c, nsingle) != NULL)
            return false;
        singletons[nsingle++] = c;
        i++;
        size_t body = 0;
        while (i < n && t[i].n >= 2) {
            i++;
            body++;
        }
        if (body == 0)
            return false;
    }
    if (i < n && ieq(t[i].s, t[i].n, "x", 1))
        return privateuse_to_end(t, i, n);
    return i == n;
}
