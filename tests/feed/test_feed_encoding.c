/* The feed reader's encoding rules (src/feed/encoding.h): WHATWG labels,
 * BOM sniffing, the order BOM > HTTP charset > declaration, passing over a
 * candidate the bytes do not fit, the guess for undeclared bytes, and the
 * notes each decision leaves for the log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feed/encoding.h"

static void check_label(const char *label, const char *want)
{
    char name[48];
    if (want == NULL) {
        assert_false(kb_feed_encoding_name(label, name, sizeof(name)));
        return;
    }
    if (!kb_feed_encoding_name(label, name, sizeof(name)))
        fail_msg("label \"%s\" unknown", label);
    assert_string_equal(name, want);
}

static void test_labels(void **state)
{
    (void)state;
    /* WHATWG: the labels browsers read as windows-1252 and friends. */
    check_label("ISO-8859-1", "WINDOWS-1252");
    check_label(" latin1 ", "WINDOWS-1252");
    check_label("US-ASCII", "WINDOWS-1252");
    check_label("iso-8859-9", "WINDOWS-1254");
    check_label("TIS-620", "WINDOWS-874");
    check_label("gb2312", "GB18030");
    check_label("Shift_JIS", "CP932");
    check_label("ks_c_5601-1987", "CP949");
    check_label("big5", "BIG5-HKSCS");
    check_label("utf8", "UTF-8");
    check_label("x-mac-roman", "MACINTOSH");
    /* Sloppy code page names. */
    check_label("win-1251", "WINDOWS-1251");
    check_label("cp-1251", "WINDOWS-1251");
    check_label("1251", "WINDOWS-1251");
    check_label("windows1256", "WINDOWS-1256");
    /* Outside WHATWG, but iconv knows it. */
    check_label("IBM437", "CP437");
    check_label("x-unheard-of", NULL);
    check_label("", NULL);
    check_label("utf-8; rm -rf", NULL);
}

static void test_http_charset(void **state)
{
    (void)state;
    char cs[48];
    assert_true(kb_feed_http_charset("application/atom+xml; Charset=\"Windows-1254\"", cs, 48));
    assert_string_equal(cs, "Windows-1254");
    assert_true(kb_feed_http_charset("text/xml;charset=utf-8", cs, 48));
    assert_string_equal(cs, "utf-8");
    assert_false(kb_feed_http_charset("text/xml", cs, 48));
    assert_false(kb_feed_http_charset(NULL, cs, 48));
}

static void test_declared(void **state)
{
    (void)state;
    char enc[48];
    const char doc[] = "<?xml version='1.0' encoding='KOI8-R'?><rss/>";
    assert_true(kb_feed_xml_declared(doc, sizeof(doc) - 1, enc, sizeof(enc)));
    assert_string_equal(enc, "KOI8-R");
    /* The same declaration in UTF-16BE without a BOM. */
    char wide[200];
    size_t n = 0;
    for (const char *p = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>"; *p; p++) {
        wide[n++] = 0;
        wide[n++] = *p;
    }
    assert_true(kb_feed_xml_declared(wide, n, enc, sizeof(enc)));
    assert_string_equal(enc, "UTF-16");
    assert_false(kb_feed_xml_declared("<rss/>", 6, enc, sizeof(enc)));
}

/* Decodes and checks the text and that the notes hold note (NULL: none). */
static void check_decode(const char *buf, size_t len, const char *ctype, const char *want,
                         const char *note)
{
    char *out = NULL;
    size_t out_len = 0;
    struct kb_feed_notes notes = {"", 0};
    struct kb_error err;
    if (!kb_feed_decode(buf, len, ctype, false, &out, &out_len, &notes, &err))
        fail_msg("decode failed: %s", err.msg);
    if (strstr(out, want) == NULL)
        fail_msg("\"%s\" not in \"%s\"", want, out);
    if (note == NULL && notes.len != 0)
        fail_msg("unexpected note: %s", notes.line);
    if (note != NULL && strstr(notes.line, note) == NULL)
        fail_msg("note \"%s\" not in \"%s\"", note, notes.line);
    assert_int_equal(strlen(out), out_len);
    free(out);
}

static void test_decode(void **state)
{
    (void)state;
    /* windows-1252 bytes under the label ISO-8859-1: the quote survives. */
    const char latin[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>don\x92t \x80</t>";
    check_decode(latin, sizeof(latin) - 1, NULL, "don’t €", NULL);
    /* UTF-16LE with a BOM, no declaration. */
    const char u16[] = "\xff\xfe<\0t\0>\0\x16\x04<\0/\0t\0>\0";
    check_decode(u16, sizeof(u16) - 1, "application/xml", "<t>Ж</t>", NULL);
    /* UTF-32BE without a BOM: the first bytes show it. */
    const char u32[] = "\0\0\0<\0\0\0t\0\0\0>\0\0\x04\x16\0\0\0<\0\0\0/\0\0\0t\0\0\0>";
    check_decode(u32, sizeof(u32) - 1, NULL, "<t>Ж</t>", NULL);
    /* HTTP wins over the declaration for an XML media type, and says so. */
    const char cp1251[] =
        "<?xml version=\"1.0\" encoding=\"KOI8-R\"?><t>\xcc\xee\xf1\xea\xe2\xe0</t>";
    check_decode(cp1251, sizeof(cp1251) - 1, "text/xml; charset=windows-1251", "Москва",
                 "HTTP says windows-1251, the declaration KOI8-R: read as WINDOWS-1251");
    /* ... but not for text/html: there the declaration counts (the
     * disagreement is said all the same). */
    const char koi[] = "<?xml version=\"1.0\" encoding=\"KOI8-R\"?><t>\xed\xcf\xd3\xcb\xd7\xc1</t>";
    check_decode(koi, sizeof(koi) - 1, "text/html; charset=iso-8859-1", "Москва",
                 "the declaration says KOI8-R, HTTP iso-8859-1: read as KOI8-R");
    /* HTTP names UTF-8, which the bytes are not: the declaration's is used. */
    check_decode(cp1251, sizeof(cp1251) - 1, "text/xml; charset=utf-8", "<t>",
                 "not valid UTF-8 as HTTP says");
    /* A BOM beats both, and the disagreement is said. */
    const char bom8[] = "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"ISO-8859-8\"?><t>שלום</t>";
    check_decode(bom8, sizeof(bom8) - 1, NULL, "<t>שלום</t>", "the byte order mark says UTF-8");
    /* A declaration of UTF-16 over bytes that are UTF-8. */
    const char slip[] = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><t>Αθήνα</t>";
    check_decode(slip, sizeof(slip) - 1, NULL, "<t>Αθήνα</t>", "declares UTF-16");
    /* Latin-1 bytes pasted into a UTF-8 document. */
    const char mixed[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><t>Ünï caf\xe9</t>";
    check_decode(mixed, sizeof(mixed) - 1, NULL, "Ünï café", "1 bytes not valid UTF-8");
}

static void test_guess(void **state)
{
    (void)state;
    /* Shift_JIS, declared nowhere: a guess, and the log says so. */
    const char sjis[] = "<rss><channel><item><title>\x93\x8c\x8b\x9e\x82\xc5\x8d\xf7\x82\xaa\x96"
                        "\x9e\x8a\x4a\x82\xc9\x81\x41\x95\xbd\x94\x4e\x82\xe6\x82\xe8\x8c\xdc\x93"
                        "\xfa\x91\x81\x82\xad</title></item></channel></rss>";
    check_decode(sjis, sizeof(sjis) - 1, NULL, "東京で桜が満開に、平年より五日早く",
                 "encoding guessed");
    /* ISO-2022-JP is 7-bit: it must not pass for UTF-8. */
    const char jis[] = "<t>\x1b$BEl5~\x1b(B</t>";
    check_decode(jis, sizeof(jis) - 1, NULL, "<t>東京</t>", "encoding guessed: ISO-2022-JP");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels),   cmocka_unit_test(test_http_charset),
        cmocka_unit_test(test_declared), cmocka_unit_test(test_decode),
        cmocka_unit_test(test_guess),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
