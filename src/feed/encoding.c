#include "feed/encoding.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <uchardet.h>

#include "core/utf8.h"
#include "core/xmalloc.h"

/* ---- labels (WHATWG Encoding Standard, section 4.2) ---- */

/* Each row: the iconv name, then the labels that mean it, NULL-terminated.
 * Where WHATWG names an encoding by its subset (GBK, Big5, Shift_JIS,
 * EUC-KR), the superset browsers decode with is given to iconv. */
static const char *const labels[][20] = {
    {"UTF-8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8",
     "x-unicode20utf8", NULL},
    {"IBM866", "866", "cp866", "csibm866", "ibm866", NULL},
    {"ISO-8859-2", "csisolatin2", "iso-8859-2", "iso-ir-101", "iso8859-2", "iso88592", "iso_8859-2",
     "iso_8859-2:1987", "l2", "latin2", NULL},
    {"ISO-8859-3", "csisolatin3", "iso-8859-3", "iso-ir-109", "iso8859-3", "iso88593", "iso_8859-3",
     "iso_8859-3:1988", "l3", "latin3", NULL},
    {"ISO-8859-4", "csisolatin4", "iso-8859-4", "iso-ir-110", "iso8859-4", "iso88594", "iso_8859-4",
     "iso_8859-4:1988", "l4", "latin4", NULL},
    {"ISO-8859-5", "csisolatincyrillic", "cyrillic", "iso-8859-5", "iso-ir-144", "iso8859-5",
     "iso88595", "iso_8859-5", "iso_8859-5:1988", NULL},
    {"ISO-8859-6", "arabic", "asmo-708", "csiso88596e", "csiso88596i", "csisolatinarabic",
     "ecma-114", "iso-8859-6", "iso-8859-6-e", "iso-8859-6-i", "iso-ir-127", "iso8859-6",
     "iso88596", "iso_8859-6", "iso_8859-6:1987", NULL},
    {"ISO-8859-7", "csisolatingreek", "ecma-118", "elot_928", "greek", "greek8", "iso-8859-7",
     "iso-ir-126", "iso8859-7", "iso88597", "iso_8859-7", "iso_8859-7:1987", "sun_eu_greek", NULL},
    {"ISO-8859-8", "csiso88598e", "csisolatinhebrew", "hebrew", "iso-8859-8", "iso-8859-8-e",
     "iso-ir-138", "iso8859-8", "iso88598", "iso_8859-8", "iso_8859-8:1988", "visual",
     "csiso88598i", "iso-8859-8-i", "logical", NULL},
    {"ISO-8859-10", "csisolatin6", "iso-8859-10", "iso-ir-157", "iso8859-10", "iso885910", "l6",
     "latin6", NULL},
    {"ISO-8859-13", "iso-8859-13", "iso8859-13", "iso885913", NULL},
    {"ISO-8859-14", "iso-8859-14", "iso8859-14", "iso885914", NULL},
    {"ISO-8859-15", "csisolatin9", "iso-8859-15", "iso8859-15", "iso885915", "iso_8859-15", "l9",
     NULL},
    {"ISO-8859-16", "iso-8859-16", NULL},
    {"KOI8-R", "cskoi8r", "koi", "koi8", "koi8-r", "koi8_r", NULL},
    {"KOI8-U", "koi8-ru", "koi8-u", NULL},
    {"MACINTOSH", "csmacintosh", "mac", "macintosh", "x-mac-roman", NULL},
    {"WINDOWS-874", "dos-874", "iso-8859-11", "iso8859-11", "iso885911", "tis-620", "windows-874",
     NULL},
    {"WINDOWS-1250", "cp1250", "windows-1250", "x-cp1250", NULL},
    {"WINDOWS-1251", "cp1251", "windows-1251", "x-cp1251", NULL},
    {"WINDOWS-1252", "ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819",
     "iso-8859-1", "iso-ir-100", "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1",
     "latin1", "us-ascii", "windows-1252", "x-cp1252", NULL},
    {"WINDOWS-1253", "cp1253", "windows-1253", "x-cp1253", NULL},
    {"WINDOWS-1254", "cp1254", "csisolatin5", "iso-8859-9", "iso-ir-148", "iso8859-9", "iso88599",
     "iso_8859-9", "iso_8859-9:1989", "l5", "latin5", "windows-1254", "x-cp1254", NULL},
    {"WINDOWS-1255", "cp1255", "windows-1255", "x-cp1255", NULL},
    {"WINDOWS-1256", "cp1256", "windows-1256", "x-cp1256", NULL},
    {"WINDOWS-1257", "cp1257", "windows-1257", "x-cp1257", NULL},
    {"WINDOWS-1258", "cp1258", "windows-1258", "x-cp1258", NULL},
    {"MAC-CYRILLIC", "x-mac-cyrillic", "x-mac-ukrainian", NULL},
    {"GB18030", "chinese", "csgb2312", "csiso58gb231280", "gb2312", "gb_2312", "gb_2312-80", "gbk",
     "iso-ir-58", "x-gbk", "gb18030", NULL},
    {"BIG5-HKSCS", "big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5", NULL},
    {"EUC-JP", "cseucpkdfmtjapanese", "euc-jp", "x-euc-jp", NULL},
    {"ISO-2022-JP", "csiso2022jp", "iso-2022-jp", NULL},
    {"CP932", "csshiftjis", "ms932", "ms_kanji", "shift-jis", "shift_jis", "sjis", "windows-31j",
     "x-sjis", NULL},
    {"CP949", "cseuckr", "csksc56011987", "euc-kr", "iso-ir-149", "korean", "ks_c_5601-1987",
     "ks_c_5601-1989", "ksc5601", "ksc_5601", "windows-949", NULL},
    {"UTF-16BE", "unicodefffe", "utf-16be", NULL},
    {"UTF-16LE", "csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff", "utf-16",
     "utf-16le", NULL},
    /* Not WHATWG (browsers never needed it), but XML allows it. */
    {"UTF-32LE", "utf-32", "utf-32le", "ucs-4", "iso-10646-ucs-4", NULL},
    {"UTF-32BE", "utf-32be", NULL},
};

static bool iconv_knows(const char *name)
{
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t)-1)
        return false;
    iconv_close(cd);
    return true;
}

static bool table_lookup(const char *lower, char *out, size_t size)
{
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        for (size_t j = 1; labels[i][j] != NULL; j++) {
            if (strcmp(lower, labels[i][j]) == 0) {
                snprintf(out, size, "%s", labels[i][0]);
                return true;
            }
        }
    }
    return false;
}

bool kb_feed_encoding_name(const char *label, char *out, size_t size)
{
    char lower[64];
    while (isspace((unsigned char)*label) || *label == '"' || *label == '\'')
        label++;
    if (strlen(label) >= sizeof(lower))
        return false;
    size_t n = 0;
    for (; label[n] != '\0' && n + 1 < sizeof(lower); n++)
        lower[n] = (char)tolower((unsigned char)label[n]);
    while (n > 0 &&
           (isspace((unsigned char)lower[n - 1]) || lower[n - 1] == '"' || lower[n - 1] == '\''))
        n--;
    lower[n] = '\0';
    if (n == 0)
        return false;
    if (table_lookup(lower, out, size))
        return true;
    /* Sloppy code page names: "win-1251", "cp-1251", "x-cp-1251", "windows1251", "1251". */
    const char *p = lower;
    if (strncmp(p, "x-", 2) == 0)
        p += 2;
    static const char *const stems[] = {"windows", "win", "cp", "ms", "ibm", ""};
    for (size_t i = 0; i < sizeof(stems) / sizeof(stems[0]); i++) {
        size_t sl = strlen(stems[i]);
        if (strncmp(p, stems[i], sl) != 0)
            continue;
        const char *d = p + sl;
        if (*d == '-' || *d == '_')
            d++;
        size_t digits = strspn(d, "0123456789");
        if (digits < 3 || digits > 4 || d[digits] != '\0')
            continue;
        char guess[32];
        snprintf(guess, sizeof(guess), "windows-%s", d);
        if (table_lookup(guess, out, size))
            return true;
        snprintf(guess, sizeof(guess), "CP%s", d);
        if (iconv_knows(guess)) {
            snprintf(out, size, "%s", guess);
            return true;
        }
    }
    /* Anything else iconv knows by that name (IBM437, ARMSCII-8, VISCII ...). */
    for (char *q = lower; *q; q++)
        *q = (char)toupper((unsigned char)*q);
    if (strspn(lower, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") != strlen(lower) ||
        !iconv_knows(lower))
        return false;
    snprintf(out, size, "%s", lower);
    return true;
}

/* ---- where the candidates come from ---- */

bool kb_feed_http_charset(const char *content_type, char *out, size_t size)
{
    if (content_type == NULL)
        return false;
    for (const char *p = content_type; (p = strchr(p, ';')) != NULL;) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "charset", 7) != 0)
            continue;
        p += 7;
        while (*p == ' ')
            p++;
        if (*p++ != '=')
            continue;
        while (*p == ' ' || *p == '"' || *p == '\'')
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

static const char *bom(const unsigned char *u, size_t len, size_t *skip);

/* The byte order the first bytes show without a BOM ("<?xml" or "{" in
 * UTF-16/32), or NULL. */
static const char *sniff_wide(const unsigned char *u, size_t len)
{
    if (len < 4)
        return NULL;
    if (u[0] == 0 && u[1] == 0 && u[2] == 0 && u[3] != 0)
        return "UTF-32BE";
    if (u[0] != 0 && u[1] == 0 && u[2] == 0 && u[3] == 0)
        return "UTF-32LE";
    if (u[0] == 0 && u[1] != 0 && u[2] == 0 && u[3] != 0)
        return "UTF-16BE";
    if (u[0] != 0 && u[1] == 0 && u[2] != 0 && u[3] == 0)
        return "UTF-16LE";
    return NULL;
}

bool kb_feed_xml_declared(const char *buf, size_t len, char *out, size_t size)
{
    /* Read the first bytes as ASCII, whatever their width. */
    char head[256];
    size_t skip = 0;
    const unsigned char *u = (const unsigned char *)buf;
    if (bom(u, len, &skip) != NULL) {
        u += skip;
        len -= skip;
    }
    const char *wide = sniff_wide(u, len);
    size_t step = wide == NULL ? 1 : strstr(wide, "32") != NULL ? 4 : 2;
    size_t off = wide == NULL ? 0 : strstr(wide, "BE") != NULL ? step - 1 : 0;
    size_t n = 0;
    for (size_t i = off; i < len && n + 1 < sizeof(head); i += step)
        head[n++] = (char)u[i];
    head[n] = '\0';
    const char *p = head;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    if (strncmp(p, "<?xml", 5) != 0)
        return false;
    const char *end = strstr(p, "?>");
    const char *enc = strstr(p, "encoding");
    if (enc == NULL || (end != NULL && enc > end))
        return false;
    enc += 8;
    while (*enc == ' ')
        enc++;
    if (*enc++ != '=')
        return false;
    while (*enc == ' ')
        enc++;
    char quote = *enc++;
    if (quote != '"' && quote != '\'')
        return false;
    const char *close = strchr(enc, quote);
    if (close == NULL || close == enc || (size_t)(close - enc) >= size)
        return false;
    memcpy(out, enc, (size_t)(close - enc));
    out[close - enc] = '\0';
    return true;
}

/* ---- conversion ---- */

/* Converts from iconv encoding name; strict: fails at the first byte
 * sequence that is not valid in it; else such bytes become U+FFFD (a byte
 * 0x80-0x9F of windows-1252 that has no character becomes that C1 code
 * point, as WHATWG says) and *replaced counts them. */
static char *convert(const char *buf, size_t len, const char *name, bool strict, size_t *out_len,
                     size_t *replaced)
{
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t)-1)
        return NULL;
    size_t cap = len * 4 + 16, bad = 0;
    char *out = kb_xmalloc(cap);
    char *in = (char *)buf, *o = out;
    size_t in_left = len, out_left = cap - 4;
    bool w1252 = strcmp(name, "WINDOWS-1252") == 0;
    while (in_left > 0) {
        if (iconv(cd, &in, &in_left, &o, &out_left) != (size_t)-1)
            break;
        if (errno == E2BIG || strict) {
            free(out);
            iconv_close(cd);
            return NULL;
        }
        /* EILSEQ or a sequence cut off at the end (EINVAL): skip one byte. */
        unsigned char c = (unsigned char)*in;
        const char *rep = "\xef\xbf\xbd";
        char c1[3] = {(char)0xc2, (char)c, 0};
        if (w1252 && c >= 0x80 && c <= 0x9f)
            rep = c1;
        size_t rl = strlen(rep);
        if (out_left < rl + 4)
            break;
        memcpy(o, rep, rl);
        o += rl;
        out_left -= rl;
        in++;
        in_left--;
        bad++;
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    iconv(cd, NULL, NULL, &o, &out_left);
    iconv_close(cd);
    *o = '\0';
    size_t n = (size_t)(o - out);
    /* A BOM the source carried under a byte-order-free name. */
    if (n >= 3 && memcmp(out, "\xef\xbb\xbf", 3) == 0) {
        memmove(out, out + 3, n - 3 + 1);
        n -= 3;
    }
    *out_len = n;
    if (replaced != NULL)
        *replaced = bad;
    return out;
}

/* UTF-8 with the bytes that are not UTF-8 read as windows-1252: what a
 * document holds when a CMS pasted Latin-1 text into UTF-8 pages. Used
 * only when most of its non-ASCII text is valid UTF-8. */
static char *utf8_mixed(const char *buf, size_t len, size_t *good, size_t *bad, size_t *out_len)
{
    static const unsigned short w1252[32] = {
        0x20ac, 0x81,   0x201a, 0x192,  0x201e, 0x2026, 0x2020, 0x2021, 0x2c6,  0x2030, 0x160,
        0x2039, 0x152,  0x8d,   0x17d,  0x8f,   0x90,   0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
        0x2013, 0x2014, 0x2dc,  0x2122, 0x161,  0x203a, 0x153,  0x9d,   0x17e,  0x178};
    char *out = kb_xmalloc(len * 3 + 1);
    size_t o = 0;
    *good = *bad = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)buf[i];
        if (c < 0x80) {
            out[o++] = (char)c;
            i++;
            continue;
        }
        size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
        if (n > 0 && i + n <= len && kb_utf8_validate(buf + i, n, NULL)) {
            memcpy(out + o, buf + i, n);
            o += n;
            i += n;
            (*good)++;
            continue;
        }
        uint32_t cp = c >= 0xa0 ? c : w1252[c - 0x80];
        if (cp < 0x800) {
            out[o++] = (char)(0xc0 | (cp >> 6));
            out[o++] = (char)(0x80 | (cp & 0x3f));
        } else {
            out[o++] = (char)(0xe0 | (cp >> 12));
            out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
            out[o++] = (char)(0x80 | (cp & 0x3f));
        }
        i++;
        (*bad)++;
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

static bool guess(const char *buf, size_t len, char *out, size_t size)
{
    uchardet_t ud = uchardet_new();
    if (ud == NULL)
        return false;
    bool ok = uchardet_handle_data(ud, buf, len) == 0;
    uchardet_data_end(ud);
    const char *cs = ok ? uchardet_get_charset(ud) : NULL;
    ok = cs != NULL && cs[0] != '\0' && kb_feed_encoding_name(cs, out, size);
    uchardet_delete(ud);
    return ok;
}

static bool xml_media_type(const char *ct)
{
    if (ct == NULL)
        return false;
    size_t n = strcspn(ct, ";");
    char type[96];
    snprintf(type, sizeof(type), "%.*s", (int)(n < sizeof(type) ? n : sizeof(type) - 1), ct);
    return strstr(type, "xml") != NULL || strstr(type, "rss") != NULL ||
           strstr(type, "atom") != NULL || strstr(type, "json") != NULL;
}

struct candidate {
    char label[64];   /* as written */
    const char *from; /* "HTTP", "the declaration", "the first bytes" */
};

/* The encoding a BOM names, with the BOM's length; NULL if none. */
static const char *bom(const unsigned char *u, size_t len, size_t *skip)
{
    if (len >= 4 && u[0] == 0xff && u[1] == 0xfe && u[2] == 0 && u[3] == 0)
        return *skip = 4, "UTF-32LE";
    if (len >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xfe && u[3] == 0xff)
        return *skip = 4, "UTF-32BE";
    if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
        return *skip = 3, "UTF-8";
    if (len >= 2 && u[0] == 0xff && u[1] == 0xfe)
        return *skip = 2, "UTF-16LE";
    if (len >= 2 && u[0] == 0xfe && u[1] == 0xff)
        return *skip = 2, "UTF-16BE";
    return NULL;
}

static bool wide_name(const char *name)
{
    return strncmp(name, "UTF-16", 6) == 0 || strncmp(name, "UTF-32", 6) == 0;
}

/* The candidates in the order they count, without duplicates. */
static size_t candidates(const char *buf, size_t len, const char *ct, bool json,
                         struct candidate *c, struct kb_feed_notes *notes)
{
    char http[64] = "", decl[64] = "";
    bool has_http = kb_feed_http_charset(ct, http, sizeof(http));
    bool has_decl = !json && kb_feed_xml_declared(buf, len, decl, sizeof(decl));
    const char *wide = sniff_wide((const unsigned char *)buf, len);
    size_t n = 0;
    if (wide != NULL) {
        snprintf(c[n].label, sizeof(c[n].label), "%s", wide);
        c[n++].from = "the first bytes";
    }
    if (has_http && (json || xml_media_type(ct))) {
        snprintf(c[n].label, sizeof(c[n].label), "%s", http);
        c[n++].from = "HTTP";
    }
    if (has_decl) {
        char name[48];
        /* A document that says UTF-16/32 in bytes that are not is UTF-8 (XML 1.0 F.1). */
        if (wide == NULL && kb_feed_encoding_name(decl, name, sizeof(name)) && wide_name(name)) {
            kb_feed_note(notes, "declares %s in bytes that are not: read as UTF-8", decl);
            snprintf(c[n].label, sizeof(c[n].label), "UTF-8");
        } else {
            snprintf(c[n].label, sizeof(c[n].label), "%s", decl);
        }
        c[n++].from = "the declaration";
    }
    if (has_http && !(json || xml_media_type(ct))) {
        snprintf(c[n].label, sizeof(c[n].label), "%s", http);
        c[n++].from = "HTTP";
    }
    return n;
}

/* Tries the named candidates in order. Returns the text, or NULL with
 * *tried set when none fits the bytes. */
static char *from_candidates(const char *buf, size_t len, struct candidate *c, size_t n,
                             size_t *out_len, struct kb_feed_notes *notes, bool *utf8_named)
{
    char first[48] = "";
    const char *first_from = NULL;
    for (size_t i = 0; i < n; i++) {
        char name[48];
        if (!kb_feed_encoding_name(c[i].label, name, sizeof(name))) {
            kb_feed_note(notes, "unknown encoding \"%.40s\" (%s) passed over", c[i].label,
                         c[i].from);
            continue;
        }
        if (strcmp(name, "UTF-8") == 0)
            *utf8_named = true;
        char *text = convert(buf, len, name, true, out_len, NULL);
        if (text == NULL) {
            if (first_from == NULL) {
                snprintf(first, sizeof(first), "%s", name);
                first_from = c[i].from;
            }
            continue;
        }
        if (first_from != NULL)
            kb_feed_note(notes, "not valid %s as %s says: read as %s (%s)", first, first_from, name,
                         c[i].from);
        /* Say when the server and the document disagreed and which won. */
        for (size_t j = i + 1; j < n; j++) {
            char other[48];
            if (kb_feed_encoding_name(c[j].label, other, sizeof(other)) &&
                strcmp(other, name) != 0 && !(wide_name(name) && wide_name(other)))
                kb_feed_note(notes, "%s says %s, %s %s: read as %s", c[i].from, c[i].label,
                             c[j].from, c[j].label, name);
        }
        return text;
    }
    return NULL;
}

bool kb_feed_decode(const char *buf, size_t len, const char *content_type, bool json, char **out,
                    size_t *out_len, struct kb_feed_notes *notes, struct kb_error *err)
{
    const unsigned char *u = (const unsigned char *)buf;
    size_t skip = 0, replaced = 0;
    const char *by_bom = bom(u, len, &skip);
    if (by_bom != NULL) {
        char http[64], decl[64], name[48];
        if (kb_feed_http_charset(content_type, http, sizeof(http)) &&
            kb_feed_encoding_name(http, name, sizeof(name)) && strcmp(name, by_bom) != 0 &&
            !(wide_name(name) && wide_name(by_bom)))
            kb_feed_note(notes, "the byte order mark says %s, HTTP %s: read as %s", by_bom, http,
                         by_bom);
        if (!json && kb_feed_xml_declared(buf, len, decl, sizeof(decl)) &&
            kb_feed_encoding_name(decl, name, sizeof(name)) && strcmp(name, by_bom) != 0 &&
            !(wide_name(name) && wide_name(by_bom)))
            kb_feed_note(notes, "the byte order mark says %s, the declaration %s: read as %s",
                         by_bom, decl, by_bom);
        *out = convert(buf + skip, len - skip, by_bom, false, out_len, &replaced);
        if (replaced > 0)
            kb_feed_note(notes, "%zu bytes not valid %s replaced", replaced, by_bom);
        return *out != NULL || kb_error_set(err, "cannot convert from %s", by_bom);
    }
    struct candidate c[4];
    size_t n = candidates(buf, len, content_type, json, c, notes);
    bool utf8_named = n == 0;
    *out = from_candidates(buf, len, c, n, out_len, notes, &utf8_named);
    if (*out != NULL)
        return true;
    const char *said = n > 0 ? "the encoding named" : "no encoding named";
    size_t bad_at = 0;
    /* ISO-2022-JP and its kin are 7-bit: valid UTF-8 to look at, but for
     * their escape sequences. */
    char name[48];
    if (memchr(buf, 0x1b, len) != NULL && guess(buf, len, name, sizeof(name)) &&
        strncmp(name, "ISO-2022", 8) == 0 &&
        (*out = convert(buf, len, name, true, out_len, NULL)) != NULL) {
        kb_feed_note(notes, "encoding guessed: %s (%s fits the bytes)", name, said);
        return true;
    }
    if (kb_utf8_validate(buf, len, &bad_at)) {
        if (n > 0)
            kb_feed_note(notes, "read as UTF-8 (%s does not fit)", said);
        *out = convert(buf, len, "UTF-8", true, out_len, NULL);
        return *out != NULL || kb_error_set(err, "cannot convert from UTF-8");
    }
    size_t good = 0, bad = 0;
    if (utf8_named) {
        char *mixed = utf8_mixed(buf, len, &good, &bad, out_len);
        if (good > 0 && bad <= good) {
            kb_feed_note(notes, "%zu bytes not valid UTF-8 read as windows-1252", bad);
            *out = mixed;
            return true;
        }
        free(mixed);
    }
    if (guess(buf, len, name, sizeof(name)) && strcmp(name, "UTF-8") != 0 &&
        (*out = convert(buf, len, name, true, out_len, NULL)) != NULL) {
        kb_feed_note(notes, "encoding guessed: %s (%s fits the bytes)", name, said);
        return true;
    }
    *out = convert(buf, len, "WINDOWS-1252", false, out_len, &replaced);
    kb_feed_note(notes, "encoding guessed: WINDOWS-1252 (%s fits the bytes)", said);
    return *out != NULL || kb_error_set(err, "cannot read the document in any encoding");
}
