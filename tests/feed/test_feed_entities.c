/* The HTML 5 named references (src/feed/html_entities.c, generated from
 * Debian's python3 html.entities) and their use: decoded exactly once,
 * whether libxml2's HTML parser knows the name (HTML 4) or not (HTML 5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feed/entities.h"
#include "feed/recover.h"
#include "feed/text.h"

static void check(const char *name, const char *want)
{
    char out[KB_FEED_ENTITY_UTF8_MAX + 1];
    size_t n = kb_feed_entity_lookup(name, strlen(name), out);
    if (want == NULL) {
        assert_int_equal(n, 0);
        return;
    }
    out[n] = '\0';
    if (strcmp(out, want) != 0)
        fail_msg("&%s; gave \"%s\", not \"%s\"", name, out, want);
}

static void test_lookup(void **state)
{
    (void)state;
    check("eacute", "é");
    check("Eacute", "É"); /* case matters */
    check("nbsp", "\xc2\xa0");
    check("hellip", "…");
    check("euro", "€");
    check("amp", "&");
    check("AMP", "&");
    check("NotEqual", "≠");
    check("bigstar", "★");
    check("Afr", "𝔄");                              /* outside the BMP */
    check("NotEqualTilde", "\xe2\x89\x82\xcc\xb8"); /* two code points */
    check("zwnj", "\xe2\x80\x8c");
    check("nosuchthing", NULL);
    check("", NULL);
    check("eacute;", NULL);
    check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL);
}

static void check_html(const char *html, const char *want)
{
    char *text = kb_feed_html_to_text(html, strlen(html));
    if (strcmp(text, want) != 0)
        fail_msg("\"%s\" gave \"%s\", not \"%s\"", html, text, want);
    free(text);
}

static void test_html_once(void **state)
{
    (void)state;
    check_html("Wait&hellip; and see", "Wait… and see");
    check_html("HTML5 &NotEqual; &check; &bigstar;", "HTML5 ≠ ✓ ★");
    /* Decoded once: an escaped reference stays a reference. */
    check_html("&amp;hellip; &amp;NotEqual;", "&hellip; &NotEqual;");
    check_html("&LT;b&GT; is text", "<b> is text");
    check_html("&lt;b&gt; is text", "<b> is text");
    /* A leading <script> drops only itself. */
    check_html("<script>alert(1)</script>After", "After");
    check_html("<style>b{}</style><p>One</p><p>two</p>", "One two");
}

static void test_html5_refs(void **state)
{
    (void)state;
    size_t n;
    char *s = kb_feed_html5_refs("a &NotEqual; &eacute; &nosuch; &LT;", 35, &n);
    /* HTML 4 names are left to the parser; markup characters stay references. */
    assert_string_equal(s, "a ≠ &eacute; &nosuch; &#60;");
    assert_int_equal(n, strlen(s));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_html_once),
        cmocka_unit_test(test_html5_refs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
