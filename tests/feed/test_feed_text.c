/* The pure parts of `kabar feed`: HTML to text, ids, the mapping of
 * an entry to an item, and documents parsed from memory (formats, CDATA,
 * encodings, hostile XML). No network, no spool. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/limits.h"
#include "feed/map.h"
#include "feed/parse.h"
#include "feed/text.h"
#include "spool/item.h"

static void expect_text(const char *html, const char *want)
{
    char *got = kb_feed_html_to_text(html, strlen(html));
    assert_string_equal(got, want);
    free(got);
}

static void test_html_to_text(void **state)
{
    (void)state;
    expect_text("<b>Bold</b> &amp; <i>news</i>", "Bold & news");
    expect_text("<p>one</p><p>two</p>", "one two");
    expect_text("a<br>b", "a b");
    expect_text("x<script>alert(1)</script><style>p{}</style>y", "xy");
    expect_text("caf&eacute; &#8364; &#x20AC; &nbsp;",
                "caf\xc3\xa9 \xe2\x82\xac \xe2\x82\xac \xc2\xa0");
    expect_text("a < b & c", "a < b & c");
    expect_text("", "");
    expect_text("<unclosed", "");
    assert_true(kb_feed_looks_like_html("<b>x</b>"));
    assert_true(kb_feed_looks_like_html("AT&amp;T"));
    assert_true(kb_feed_looks_like_html("&#233;t&#233;"));
    assert_false(kb_feed_looks_like_html("a < b & c"));
    assert_false(kb_feed_looks_like_html("AT&T"));
}

static void test_ids(void **state)
{
    (void)state;
    /* Pinned: ids and file names must never change between versions, or
     * every screen would see each item retracted and re-added. */
    assert_int_equal(kb_feed_hash("https://example.org/rss", "guid-1"), 0x95e40cb12b9d691cULL);
    assert_true(kb_feed_hash("ab", "c") != kb_feed_hash("a", "bc"));
    char name[KB_FEED_FILE_NAME_MAX], prefix[KB_FEED_FILE_NAME_MAX];
    kb_feed_file_name("https://example.org/rss", "guid-1", name);
    kb_feed_file_prefix("https://example.org/rss", prefix);
    assert_int_equal(strlen(name), strlen("feed-01234567-0123456789abcdef.json"));
    assert_memory_equal(name, prefix, strlen(prefix));
    char slug[KB_FEED_PREFIX_MAX + 1];
    assert_true(kb_feed_slug("Le Courrier de Vercourt!", slug));
    assert_string_equal(slug, "le-courrier-de-vercourt");
    assert_true(kb_feed_slug("news.example.org", slug));
    assert_string_equal(slug, "news-example-org");
    assert_false(kb_feed_slug("\xd8\xa3\xd8\xae\xd8\xa8\xd8\xa7\xd8\xb1", slug)); /* Arabic */
    assert_true(kb_feed_slug("a very long source name that goes on and on and on", slug));
    assert_true(strlen(slug) <= KB_FEED_PREFIX_MAX);
    assert_true(slug[strlen(slug) - 1] != '-');
    char host[64];
    assert_true(kb_feed_url_host("https://user:pw@News.Example.org:8443/rss?x=1", host, 64));
    assert_string_equal(host, "news.example.org");
    assert_true(kb_feed_url_host("http://[::1]:8080/f", host, 64));
    assert_string_equal(host, "[::1]");
    assert_false(kb_feed_url_host("no-scheme", host, 64));
}

static void test_truncate_and_durations(void **state)
{
    (void)state;
    char s[] = "abc \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"; /* "abc 日本語", 13 bytes */
    kb_feed_truncate_utf8(s, 10);
    assert_string_equal(s, "abc \xe6\x97\xa5\xe2\x80\xa6");
    char u[] = "abc \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";
    kb_feed_truncate_utf8(u, 9); /* no room for the 日: no space before the … either */
    assert_string_equal(u, "abc\xe2\x80\xa6");
    char t[] = "abc ";
    kb_feed_truncate_utf8(t, 10);
    assert_string_equal(t, "abc ");
    double d;
    assert_true(kb_feed_duration_parse("5m", &d));
    assert_true(d == 300);
    assert_true(kb_feed_duration_parse("500ms", &d));
    assert_true(d == 0.5);
    assert_true(kb_feed_duration_parse("24h", &d));
    assert_true(d == 86400);
    assert_true(kb_feed_duration_parse("7d", &d));
    assert_true(kb_feed_duration_parse("90", &d));
    assert_true(d == 90);
    assert_false(kb_feed_duration_parse("5 minutes", &d));
    assert_false(kb_feed_duration_parse("-1s", &d));
    assert_false(kb_feed_duration_parse("", &d));
}

/* ---- documents from memory ---- */

static void parse_ok(const char *doc_text, const char *ctype, struct kb_feed_doc *doc)
{
    struct kb_error err = {""};
    bool ok = kb_feed_parse(doc_text, strlen(doc_text), ctype, KB_FEED_ENTRIES_MAX, doc, &err);
    if (!ok)
        fail_msg("parse failed: %s", err.msg);
}

static void test_parse_rss_cdata_and_max(void **state)
{
    (void)state;
    const char *rss = "<rss version=\"2.0\"><channel><title>T</title><language>en</language>"
                      "<item><title><![CDATA[A <b>bold</b> move]]></title><guid>g1</guid>"
                      "<pubDate>Tue, 05 Mar 2024 09:00:00 GMT</pubDate></item>"
                      "<item><title>Second</title><link>https://x.example/2</link></item>"
                      "<item><title>Third</title><guid>g3</guid></item>"
                      "</channel></rss>";
    struct kb_feed_doc doc;
    parse_ok(rss, NULL, &doc);
    assert_int_equal(doc.format, KB_FEED_RSS2);
    assert_string_equal(doc.lang, "en");
    assert_int_equal(doc.n, 3);
    assert_string_equal(doc.entries[0].title, "A bold move");
    assert_true(doc.entries[0].has_published);
    assert_int_equal(doc.entries[0].published, 1709629200);
    assert_null(doc.entries[1].guid);
    assert_string_equal(doc.entries[1].link, "https://x.example/2");
    kb_feed_doc_free(&doc);

    struct kb_error err;
    assert_true(kb_feed_parse(rss, strlen(rss), NULL, 2, &doc, &err));
    assert_int_equal(doc.n, 2);
    assert_int_equal(doc.dropped, 1);
    kb_feed_doc_free(&doc);
}

static void test_parse_charset_from_http(void **state)
{
    (void)state;
    /* "Привет" in KOI8-R, no XML declaration: only HTTP says the charset. */
    const char koi[] = "<rss><channel><language>ru</language><item><title>\xf0\xd2\xc9\xd7\xc5"
                       "\xd4</title><guid>1</guid></item></channel></rss>";
    struct kb_feed_doc doc;
    struct kb_error err;
    /* Without it the bytes are guessed at, and the guess is said. */
    assert_true(kb_feed_parse(koi, strlen(koi), "application/rss+xml", 10, &doc, &err));
    assert_non_null(doc.repairs);
    assert_non_null(strstr(doc.repairs, "encoding guessed"));
    kb_feed_doc_free(&doc);
    parse_ok(koi, "application/rss+xml; charset=\"koi8-r\"", &doc);
    assert_string_equal(doc.entries[0].title, "Привет");
    kb_feed_doc_free(&doc);
    /* HTTP wins over a declaration (RFC 7303), unless the bytes are not
     * valid in what it names: then the declaration's is used. */
    const char decl[] = "<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss><channel>"
                        "<item><title>\x80 caf\xe9</title><guid>1</guid></item></channel></rss>";
    parse_ok(decl, "text/xml; charset=utf-8", &doc);
    assert_string_equal(doc.entries[0].title, "€ café");
    kb_feed_doc_free(&doc);
}

static void test_parse_json_feed(void **state)
{
    (void)state;
    const char *json = "{\"version\":\"https://jsonfeed.org/version/1.1\",\"language\":\"id\","
                       "\"items\":[{\"id\":\"a\",\"title\":\"X &amp; Y\","
                       "\"content_html\":\"<p>body</p>\",\"date_published\":"
                       "\"2024-03-05T09:00:00Z\"},{\"id\":7,\"content_text\":\"only text\"}]}";
    struct kb_feed_doc doc;
    parse_ok(json, "application/feed+json", &doc);
    assert_int_equal(doc.format, KB_FEED_JSON);
    assert_int_equal(doc.n, 2);
    assert_string_equal(doc.entries[0].title, "X & Y");
    assert_string_equal(doc.entries[0].summary, "body");
    assert_string_equal(doc.entries[1].guid, "7");
    assert_string_equal(doc.entries[1].summary, "only text");
    kb_feed_doc_free(&doc);
    struct kb_error err;
    const char *not_feed = "{\"items\": []}";
    assert_false(kb_feed_parse(not_feed, strlen(not_feed), NULL, 10, &doc, &err));
    assert_non_null(strstr(err.msg, "not a JSON Feed"));
}

static void test_hostile_xml(void **state)
{
    (void)state;
    struct kb_feed_doc doc;
    struct kb_error err;
    /* XXE: the entity is never loaded, its reference gives nothing. */
    const char *xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM "
                      "\"file:///etc/passwd\">]><rss><channel><language>en</language><item>"
                      "<title>a&x;b</title><guid>1</guid></item></channel></rss>";
    unsigned long loads = kb_feed_xml_refused_loads();
    parse_ok(xxe, NULL, &doc);
    assert_string_equal(doc.entries[0].title, "ab");
    assert_true(kb_feed_xml_refused_loads() >= loads); /* refused if ever asked */
    kb_feed_doc_free(&doc);

    /* Billion laughs: refused by libxml2's amplification check. */
    char lol[4096] = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY l0 \"lol\">";
    for (int i = 1; i < 10; i++) {
        char line[200];
        snprintf(line, sizeof(line),
                 "<!ENTITY l%d \"&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;\">", i, i - 1,
                 i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
        strcat(lol, line);
    }
    strcat(lol, "]><rss><channel><item><title>&l9;</title></item></channel></rss>");
    clock_t t0 = clock();
    assert_false(kb_feed_parse(lol, strlen(lol), NULL, 10, &doc, &err));
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
    assert_non_null(strstr(err.msg, "XML"));

    /* Quadratic blow-up: within libxml2's limits, refused by our budget. */
    size_t n = 4000, big = 20000;
    char *q = malloc(big + n * 3 + 512);
    char *p = q + sprintf(q, "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"");
    memset(p, 'x', big);
    p += big;
    p += sprintf(p, "\">]><rss><channel><language>en</language><item><title>");
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "&a;");
    sprintf(p, "</title><guid>q</guid></item></channel></rss>");
    assert_false(kb_feed_parse(q, strlen(q), NULL, 10, &doc, &err));
    assert_non_null(strstr(err.msg, "entities expand"));
    char kib[32];
    snprintf(kib, sizeof(kib), "%d KiB", KB_FEED_ENTITY_BUDGET / 1024);
    assert_non_null(strstr(err.msg, kib));
    free(q);

    /* Broken and foreign documents fail with a line. */
    const char *broken = "<rss><channel><item><title>x</title>";
    assert_false(kb_feed_parse(broken, strlen(broken), NULL, 10, &doc, &err));
    assert_non_null(strstr(err.msg, "XML line"));
    const char *html = "<html><body>hi</body></html>";
    assert_false(kb_feed_parse(html, strlen(html), NULL, 10, &doc, &err));
    assert_non_null(strstr(err.msg, "<html>"));
}

/* ---- mapping ---- */

static struct kb_feed_doc one_entry_doc(struct kb_feed_entry *e, const char *lang)
{
    struct kb_feed_doc doc = {KB_FEED_RSS2, (char *)"Feed Title", (char *)lang, e, 1, 0, NULL};
    return doc;
}

static void test_map_entry(void **state)
{
    (void)state;
    struct kb_feed_entry e = {0};
    e.guid = (char *)"g1";
    e.title = (char *)"  Tram\tline  opens ";
    e.summary = (char *)"It links the port.";
    e.has_published = true;
    e.published = 1709629200;
    e.index = 3;
    struct kb_feed_doc doc = one_entry_doc(&e, "en-us");
    struct kb_feed_map_opts o = {"https://example.org/rss", "gazette", NULL, NULL, 86400, true};
    struct kb_error err;
    int64_t pub, exp;
    int64_t now = 1709700000;
    json_t *obj = kb_feed_map_entry(&o, &doc, &e, "g1", "feed X: entry 3 (\"g1\")", now, now, &pub,
                                    &exp, &err);
    assert_non_null(obj);
    char want_id[64];
    snprintf(want_id, sizeof(want_id), "gazette-%016llx",
             (unsigned long long)kb_feed_hash("https://example.org/rss", "g1"));
    assert_string_equal(json_string_value(json_object_get(obj, "id")), want_id);
    assert_true(kb_id_valid(want_id));
    assert_string_equal(json_string_value(json_object_get(obj, "lang")), "en-us");
    assert_string_equal(json_string_value(json_object_get(obj, "text")),
                        "Tram line opens \xe2\x80\x94 It links the port.");
    assert_string_equal(json_string_value(json_object_get(obj, "source")), "Feed Title");
    assert_string_equal(json_string_value(json_object_get(obj, "published")),
                        "2024-03-05T09:00:00Z");
    assert_string_equal(json_string_value(json_object_get(obj, "expires")), "2024-03-06T09:00:00Z");
    assert_int_equal(exp - pub, 86400);
    json_decref(obj);

    /* Without a usable language: the feed's "en_US" is mended, junk falls to --lang. */
    doc.lang = (char *)"en_US";
    o.with_summary = false;
    o.source = "Gazette";
    o.ttl_s = 0;
    obj = kb_feed_map_entry(&o, &doc, &e, "g1", "w", now, now, &pub, &exp, &err);
    assert_string_equal(json_string_value(json_object_get(obj, "lang")), "en-US");
    assert_string_equal(json_string_value(json_object_get(obj, "text")), "Tram line opens");
    assert_string_equal(json_string_value(json_object_get(obj, "source")), "Gazette");
    assert_null(json_object_get(obj, "expires"));
    assert_int_equal(exp, 0);
    json_decref(obj);
    doc.lang = (char *)"english please";
    o.lang = NULL;
    assert_null(kb_feed_map_entry(&o, &doc, &e, "g1", "w", now, now, &pub, &exp, &err));
    assert_non_null(strstr(err.msg, "field \"lang\""));
    o.lang = "fr";
    obj = kb_feed_map_entry(&o, &doc, &e, "g1", "w", now, now, &pub, &exp, &err);
    assert_string_equal(json_string_value(json_object_get(obj, "lang")), "fr");
    json_decref(obj);

    /* Undated, or dated far ahead: the fallback (first seen) stands. */
    e.published = now + 10 * 86400;
    obj = kb_feed_map_entry(&o, &doc, &e, "g1", "w", now, 1700000000, &pub, &exp, &err);
    assert_int_equal(pub, 1700000000);
    json_decref(obj);

    /* No text at all: the spool's own line, naming the entry. */
    e.title = (char *)" \t ";
    e.summary = NULL;
    assert_null(kb_feed_map_entry(&o, &doc, &e, "g1", "feed U: entry 3 (\"g1\")", now, now, &pub,
                                  &exp, &err));
    assert_string_equal(err.msg, "feed U: entry 3 (\"g1\"): field \"text\": empty after trimming "
                                 "white space");

    /* A huge title is cut to the spool's limit on a character boundary. */
    size_t big = 3 * KB_TEXT_MAX_BYTES; /* 4,000 characters of 3 bytes */
    char *huge = malloc(big + 1);
    for (size_t i = 0; i < big; i += 3)
        memcpy(huge + i, "\xe6\x97\xa5", 3);
    huge[big] = '\0';
    e.title = huge;
    obj = kb_feed_map_entry(&o, &doc, &e, "g1", "w", now, now, &pub, &exp, &err);
    assert_non_null(obj);
    assert_true(strlen(json_string_value(json_object_get(obj, "text"))) <= KB_TEXT_MAX_BYTES);
    json_decref(obj);
    free(huge);
}

static void test_entry_key(void **state)
{
    (void)state;
    struct kb_feed_entry e = {0};
    assert_null(kb_feed_entry_key(&e));
    e.title = (char *)"t";
    char *k = kb_feed_entry_key(&e);
    assert_string_equal(k, "t\n\n");
    free(k);
    /* Two entries with one title on two days are two entries. */
    e.date = (char *)"2024-03-05";
    k = kb_feed_entry_key(&e);
    assert_string_equal(k, "t\n\n2024-03-05");
    free(k);
    e.link = (char *)"https://l";
    k = kb_feed_entry_key(&e);
    assert_string_equal(k, "https://l");
    free(k);
    e.guid = (char *)"g";
    k = kb_feed_entry_key(&e);
    assert_string_equal(k, "g");
    free(k);
}

static int setup(void **state)
{
    (void)state;
    kb_feed_xml_init();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kb_feed_xml_cleanup();
    return 0;
}

/* Links left relative (no xml:base, or a relative one) resolved against
 * the URL the document came from; absolute ones kept byte for byte. */
static void test_relative_links(void **state)
{
    (void)state;
    const char *atom = "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\" "
                       "xml:base=\"news/\"><title>T</title>"
                       "<entry><title>A</title><link href=\"a?x=1#top\"/></entry>"
                       "<entry><title>B</title><link href=\"../b\"/></entry>"
                       "<entry><title>C</title><link href=\"HTTPS://Other.example/%7Ec\"/></entry>"
                       "<entry><title>D</title><link href=\"//cdn.example/d\"/></entry>"
                       "<entry><title>E</title><link href=\"/e\" xml:base=\"https://x.example/\"/>"
                       "</entry></feed>";
    struct kb_feed_doc doc;
    parse_ok(atom, NULL, &doc);
    kb_feed_resolve_links(&doc, "https://site.example/feeds/all.xml");
    assert_int_equal(doc.n, 5);
    assert_string_equal(doc.entries[0].link, "https://site.example/feeds/news/a?x=1#top");
    assert_string_equal(doc.entries[1].link, "https://site.example/feeds/b");
    assert_string_equal(doc.entries[2].link, "HTTPS://Other.example/%7Ec");
    assert_string_equal(doc.entries[3].link, "https://cdn.example/d");
    assert_string_equal(doc.entries[4].link, "https://x.example/e");
    kb_feed_resolve_links(&doc, NULL); /* nothing to resolve against: unchanged */
    assert_string_equal(doc.entries[1].link, "https://site.example/feeds/b");
    kb_feed_doc_free(&doc);

    const char *rss = "<rss version=\"2.0\"><channel><title>T</title>"
                      "<item><title>A</title><link>./x/../story/1</link></item>"
                      "<item><title>B</title><link>story/1</link></item></channel></rss>";
    parse_ok(rss, NULL, &doc);
    kb_feed_resolve_links(&doc, "http://127.0.0.1:8080/f/feed.xml");
    assert_string_equal(doc.entries[0].link, "http://127.0.0.1:8080/f/story/1");
    assert_string_equal(doc.entries[1].link, "http://127.0.0.1:8080/f/story/1");
    kb_feed_doc_free(&doc);
}

static void expect_base64(const char *in, const char *want)
{
    size_t len = 0;
    char *got = kb_feed_base64_decode(in, strlen(in), &len);
    if (want == NULL) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_int_equal(len, strlen(want));
    assert_string_equal(got, want);
    free(got);
}

/* Atom 0.3 mode="base64": the decoder, then titles and content read by type. */
static void test_base64(void **state)
{
    (void)state;
    expect_base64("", "");
    expect_base64("TWFu", "Man");
    expect_base64("TWE=", "Ma");
    expect_base64("TWE", "Ma");
    expect_base64("TQ==", "M");
    expect_base64(" VGV4\n dCBo\r\nZXJl\t", "Text here");
    expect_base64("Q2Fmw6k=", "Caf\xc3\xa9");
    expect_base64("not base64!", NULL);
    expect_base64("TQ==TQ", NULL); /* data after the padding */
    expect_base64("T===", NULL);

    const char *atom03 =
        "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\" xml:lang=\"en\">"
        "<title>T</title>"
        "<entry><title mode=\"base64\">UGxhaW4gJmFtcDsgPGI+</title><id>1</id></entry>"
        "<entry><title mode=\"base64\" type=\"text/html\">PGI+Qm9sZDwvYj4gJmFtcDsgbW9yZQ==</title>"
        "<id>2</id></entry>"
        "<entry><title mode=\"base64\">?!</title><id>3</id>"
        "<content mode=\"base64\">Qm9keQ==</content></entry></feed>";
    struct kb_feed_doc doc;
    parse_ok(atom03, NULL, &doc);
    assert_int_equal(doc.format, KB_FEED_ATOM03);
    assert_int_equal(doc.n, 3);
    assert_string_equal(doc.entries[0].title, "Plain &amp; <b>"); /* text/plain: as decoded */
    assert_string_equal(doc.entries[1].title, "Bold & more");
    assert_null(doc.entries[2].title);
    assert_string_equal(doc.entries[2].summary, "Body");
    kb_feed_doc_free(&doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_to_text),
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_truncate_and_durations),
        cmocka_unit_test(test_parse_rss_cdata_and_max),
        cmocka_unit_test(test_parse_charset_from_http),
        cmocka_unit_test(test_parse_json_feed),
        cmocka_unit_test(test_hostile_xml),
        cmocka_unit_test(test_map_entry),
        cmocka_unit_test(test_entry_key),
        cmocka_unit_test(test_relative_links),
        cmocka_unit_test(test_base64),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
