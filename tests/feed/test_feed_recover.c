/* Reading feeds that are not well-formed (src/feed/recover.h and
 * kb_feed_parse): each repair on its own, what they leave alone (CDATA,
 * comments, declared entities), cut-off documents refused, entries read one
 * by one, and the one line that says what was repaired. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feed/parse.h"
#include "feed/recover.h"

static char *mend(const char *s, struct kb_feed_mend *m)
{
    size_t n;
    char *out = kb_feed_xml_mend(s, strlen(s), &n, m);
    assert_int_equal(strlen(out), n);
    return out;
}

static void test_mend(void **state)
{
    (void)state;
    struct kb_feed_mend m;
    char *s = mend("<t>Caf&eacute; AT&T &foo; a < b &LT; &#233;&#0;\x01</t>", &m);
    assert_string_equal(s, "<t>Café AT&amp;T &amp;foo; a &lt; b &#60; &#233;</t>");
    assert_int_equal(m.entities, 2);
    assert_int_equal(m.unknown, 1);
    assert_int_equal(m.amps, 1);
    assert_int_equal(m.lts, 1);
    assert_int_equal(m.chars, 2);
    free(s);
    /* Left alone: CDATA, comments, processing instructions. */
    s = mend("<?xml version=\"1.0\"?><t><![CDATA[a & b &eacute; <x>]]><!-- & < --></t>", &m);
    assert_string_equal(s,
                        "<?xml version=\"1.0\"?><t><![CDATA[a & b &eacute; <x>]]><!-- & < --></t>");
    free(s);
    /* Attributes: quoted, and their references mended. */
    s = mend("<guid isPermaLink=false>g</guid><a href=\"?a=1&b=2\">x</a>", &m);
    assert_string_equal(s, "<guid isPermaLink=\"false\">g</guid><a href=\"?a=1&amp;b=2\">x</a>");
    assert_int_equal(m.quoted, 1);
    free(s);
    /* HTML's empty elements closed; end tags matched with what is open. */
    s = mend("<i><t>one<br>two <b>bold</t><d><div>x</span></d></i>", &m);
    assert_string_equal(s, "<i><t>one<br/>two <b>bold</b></t><d><div>x</div></d></i>");
    assert_int_equal(m.closed, 1);
    assert_int_equal(m.balanced, 3);
    free(s);
    /* Text before the first tag. */
    s = mend("\n\n junk<?xml version=\"1.0\"?><t/>", &m);
    assert_string_equal(s, "<?xml version=\"1.0\"?><t/>");
    assert_int_equal(m.leading, 7);
    free(s);
    /* A document's own entities are the parser's business. */
    s = mend("<!DOCTYPE t [<!ENTITY eacute \"E\">]><t>&eacute;</t>", &m);
    assert_string_equal(s, "<!DOCTYPE t [<!ENTITY eacute \"E\">]><t>&eacute;</t>");
    free(s);
}

static void test_structure(void **state)
{
    (void)state;
    assert_true(kb_feed_xml_cut_off("<?xml version=\"1.0\"?><rss><channel><item>", 41));
    assert_false(kb_feed_xml_cut_off("<rss><channel/></rss>\n<b>junk", 29));
    assert_false(kb_feed_xml_cut_off("<!-- x --><rdf:RDF a=\">\"></rdf:RDF>", 35));
    assert_false(kb_feed_xml_cut_off("<rss/>", 6));
    assert_true(kb_feed_xml_declares_entities("<!DOCTYPE r [<!ENTITY a \"b\">]><r/>", 34));
    assert_false(kb_feed_xml_declares_entities("<!DOCTYPE rss SYSTEM \"x.dtd\"><r/>", 33));

    const char doc[] = "<rss><channel><item><title>a</title></item><!-- <item> -->"
                       "<item><title>b<b></title><rss:item>c</rss:item><items/></channel></rss>";
    struct kb_feed_span spans[4];
    size_t n = kb_feed_xml_entry_spans(doc, sizeof(doc) - 1, spans, 4);
    assert_int_equal(n, 3);
    assert_memory_equal(doc + spans[0].start, "<item><title>a</title></item>", 29);
    assert_int_equal(spans[0].end - spans[0].start, 29);
    /* The second never closes: it runs up to the next entry. */
    assert_memory_equal(doc + spans[1].end, "<rss:item>", 10);
    assert_memory_equal(doc + spans[2].start, "<rss:item>c</rss:item>", 22);
    assert_int_equal(spans[2].end - spans[2].start, 22);
}

static void parse_ok(const char *text, struct kb_feed_doc *doc)
{
    struct kb_error err;
    if (!kb_feed_parse(text, strlen(text), "application/rss+xml", 100, doc, &err))
        fail_msg("refused: %s", err.msg);
}

static void test_parse_repairs(void **state)
{
    (void)state;
    struct kb_feed_doc doc;
    /* Well-formed: nothing to say. */
    parse_ok("<rss><channel><item><title>Fine</title></item></channel></rss>", &doc);
    assert_null(doc.repairs);
    kb_feed_doc_free(&doc);
    /* Undefined entities and a bare &: mended, said in one line. */
    parse_ok("<rss><channel><item><title>Caf&eacute; &amp; AT&T</title></item>"
             "<item><title>B&ouml;rse</title></item></channel></rss>",
             &doc);
    assert_int_equal(doc.n, 2);
    assert_string_equal(doc.entries[0].title, "Café & AT&T");
    assert_string_equal(doc.entries[1].title, "Börse");
    assert_non_null(doc.repairs);
    assert_non_null(strstr(doc.repairs, "2 undefined entities decoded, 1 bare & escaped"));
    kb_feed_doc_free(&doc);
    /* Duplicate attributes cannot be mended: recovered, with libxml2's
     * message in the line, and every entry kept. */
    parse_ok("<rss><channel>\n<item><title>One</title></item>\n"
             "<item><guid a=\"1\" a=\"2\">g</guid><title>Two</title></item>\n"
             "<item><title>Three</title></item></channel></rss>",
             &doc);
    assert_int_equal(doc.n, 3);
    assert_string_equal(doc.entries[2].title, "Three");
    assert_non_null(strstr(doc.repairs, "recovered from"));
    if (strstr(doc.repairs, "at 3:") == NULL)
        fail_msg("no position in: %s", doc.repairs);
    assert_non_null(strstr(doc.repairs, "Attribute a redefined"));
    kb_feed_doc_free(&doc);
}

static void test_parse_refusals(void **state)
{
    (void)state;
    struct kb_feed_doc doc;
    struct kb_error err;
    /* Cut off: refused, not read as a shorter feed. */
    const char *cut = "<rss><channel><item><title>One</title></item><item><title>Tw";
    assert_false(kb_feed_parse(cut, strlen(cut), NULL, 100, &doc, &err));
    assert_non_null(strstr(err.msg, "cut off"));
    /* A document with its own entities gets no recovery. */
    const char *loop = "<!DOCTYPE r [<!ENTITY a \"&b;\"><!ENTITY b \"&a;\">]>"
                       "<rss><channel><item><title>&a;</title></item></channel></rss>";
    assert_false(kb_feed_parse(loop, strlen(loop), NULL, 100, &doc, &err));
    assert_non_null(strstr(err.msg, "XML"));
    /* Not a feed at all. */
    const char *page = "<html><body><p>Hello &nbsp; world</p></body></html>";
    assert_false(kb_feed_parse(page, strlen(page), "text/html", 100, &doc, &err));
    assert_non_null(strstr(err.msg, "not an RSS or Atom feed"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mend),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_parse_repairs),
        cmocka_unit_test(test_parse_refusals),
    };
    kb_feed_xml_init();
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    kb_feed_xml_cleanup();
    return failed;
}
