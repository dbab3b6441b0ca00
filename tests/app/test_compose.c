/* What an item puts on the crawl: quotation marks per language through the
 * laid-out line, the badge only on translated items, the source label. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/compose.h"
#include "app/config.h"
#include "app/present.h"
#include "app/slides.h"
#include "spool/spool.h"

struct fixture {
    struct kb_fonts *fonts;
    struct kb_faces *faces;
    struct kb_config cfg;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct kb_error err;
    f->fonts = kb_fonts_new(kb_fonts_default_chain(), &err);
    if (f->fonts == NULL)
        return -1;
    f->faces = kb_faces_new(f->fonts);
    kb_config_defaults(&f->cfg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    kb_faces_free(f->faces);
    kb_fonts_free(f->fonts);
    free(f);
    return 0;
}

static struct kb_item item(const char *lang, enum kb_item_kind kind, const char *text,
                           const char *by, const char *from)
{
    struct kb_item it;
    memset(&it, 0, sizeof(it));
    snprintf(it.id, sizeof(it.id), "t-%s", lang);
    snprintf(it.lang, sizeof(it.lang), "%s", lang);
    it.kind = kind;
    it.text = (char *)text;
    it.by = (char *)by;
    it.source = "Kabar Nusantara";
    it.story = "";
    it.file = "";
    snprintf(it.translated_from, sizeof(it.translated_from), "%s", from);
    return it;
}

static const struct kb_line *seg(const struct kb_ready *r, enum kb_seg_style style)
{
    for (size_t i = 0; i < r->n_segs; i++) {
        if (r->segs[i].style == style)
            return r->segs[i].line;
    }
    return NULL;
}

/* Each language's marks reach the laid-out line, in the right places. */
/* "12 min ago" in the story's language, with the count's grammar: Arabic
 * says one and two without a number, 3 to 10 in the plural, 11 to 99 in
 * the singular (CLDR's plural forms); Hebrew one and two days. */
static void test_relative_time_grammar(void **state)
{
    (void)state;
    char b[96];
    const int64_t D = 86400;
    assert_string_equal(kb_slide_ago("en", 30, b, sizeof(b)), "just now");
    assert_string_equal(kb_slide_ago("en-GB", 12 * 60, b, sizeof(b)), "12 min ago");
    assert_string_equal(kb_slide_ago("fr", 3 * 3600 + 5, b, sizeof(b)), "il y a 3 h");
    assert_string_equal(kb_slide_ago("ar", 60, b, sizeof(b)), "منذ دقيقة");
    assert_string_equal(kb_slide_ago("ar", 2 * 3600, b, sizeof(b)), "منذ ساعتين");
    assert_string_equal(kb_slide_ago("ar", 7 * D, b, sizeof(b)), "منذ 7 أيام");
    assert_string_equal(kb_slide_ago("ar", 10 * 60, b, sizeof(b)), "منذ 10 دقائق");
    assert_string_equal(kb_slide_ago("ar", 11 * 3600, b, sizeof(b)), "منذ 11 ساعة");
    assert_string_equal(kb_slide_ago("ar", 30 * D, b, sizeof(b)), "منذ 30 يومًا");
    assert_string_equal(kb_slide_ago("ar", 100 * D, b, sizeof(b)), "منذ 100 يوم");
    assert_string_equal(kb_slide_ago("ar", 103 * D, b, sizeof(b)), "منذ 103 أيام");
    assert_string_equal(kb_slide_ago("he", D, b, sizeof(b)), "לפני יום");
    assert_string_equal(kb_slide_ago("he", 2 * D, b, sizeof(b)), "לפני יומיים");
    assert_string_equal(kb_slide_ago("he", 5 * D, b, sizeof(b)), "לפני 5 ימים");
    /* An unknown language reads English. */
    assert_string_equal(kb_slide_ago("xx", 2 * D, b, sizeof(b)), "2 d ago");
}

static void test_quote_marks_per_language(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *lang, *open, *close;
    } cases[] = {
        {"fr", "\u00ab\u202f", "\u202f\u00bb"},
        {"de", "\u201e", "\u201c"},
        {"en", "\u201c", "\u201d"},
        {"es", "\u00ab", "\u00bb"},
        {"ja", "\u300c", "\u300d"},
        {"zh-Hans", "\u201c", "\u201d"},
        {"zh-Hant", "\u300c", "\u300d"},
        {"ar", "\u00ab", "\u00bb"},
        {"he", "\"", "\""},
        {"ru", "\u00ab", "\u00bb"},
        {"id", "\u201c", "\u201d"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct kb_item it = item(cases[i].lang, KB_KIND_QUOTE, "words", "Someone", "");
        struct kb_ready r;
        assert_true(kb_compose_item(f->faces, &f->cfg, &it, 32, &r));
        const struct kb_line *text = seg(&r, KB_SEG_TEXT);
        assert_non_null(text);
        size_t lo = strlen(cases[i].open);
        if (strncmp(text->text, cases[i].open, lo) != 0)
            fail_msg("%s: quote does not open with its mark: %s", cases[i].lang, text->text);
        const char *close = strstr(text->text + lo, cases[i].close);
        assert_non_null(close);
        assert_true(strstr(text->text, "words") < close);
        assert_non_null(strstr(close, "Someone"));
        for (size_t g = 0; g < text->n_glyphs; g++)
            assert_int_not_equal(text->glyphs[g].id, 0);
        kb_ready_release(&r);
    }
}

/* The badge only on translated items, in the item's language. */
static void test_badge_only_when_translated(void **state)
{
    struct fixture *f = *state;
    struct kb_item plain = item("fr", KB_KIND_HEADLINE, "Le tramway reprend", NULL, "");
    struct kb_item tr = item("fr", KB_KIND_HEADLINE, "Le tramway reprend", NULL, "id");
    struct kb_ready r;
    assert_true(kb_compose_item(f->faces, &f->cfg, &plain, 32, &r));
    assert_null(seg(&r, KB_SEG_BADGE));
    assert_non_null(seg(&r, KB_SEG_SOURCE));
    assert_string_equal(seg(&r, KB_SEG_SOURCE)->text, "Kabar Nusantara");
    kb_ready_release(&r);

    assert_true(kb_compose_item(f->faces, &f->cfg, &tr, 32, &r));
    const struct kb_line *badge = seg(&r, KB_SEG_BADGE);
    assert_non_null(badge);
    assert_string_equal(badge->text, "traduit automatiquement de l\u2019indon\u00e9sien");
    assert_true(badge->px < 32);
    kb_ready_release(&r);

    f->cfg.translation_badge = false;
    assert_true(kb_compose_item(f->faces, &f->cfg, &tr, 32, &r));
    assert_null(seg(&r, KB_SEG_BADGE));
    kb_ready_release(&r);
    f->cfg.translation_badge = true;
}

static void test_badges_localized(void **state)
{
    (void)state;
    static const struct {
        const char *lang, *want;
    } cases[] = {
        {"en", "machine-translated from Indonesian"},
        {"id", "terjemahan mesin dari bahasa Inggris"},
        {"ja",
         "\u30a4\u30f3\u30c9\u30cd\u30b7\u30a2\u8a9e\u304b\u3089\u306e\u6a5f\u68b0\u7ffb\u8a33"},
        {"zh-Hans", "\u673a\u5668\u7ffb\u8bd1\u81ea\u5370\u5c3c\u8bed"},
        {"ar", "\u062a\u0631\u062c\u0645\u0629 \u0622\u0644\u064a\u0629 \u0645\u0646 "
               "\u0627\u0644\u0625\u0646\u062f\u0648\u0646\u064a\u0633\u064a\u0629"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *b = kb_present_badge(cases[i].lang, strcmp(cases[i].lang, "id") ? "id" : "en");
        assert_string_equal(b, cases[i].want);
        free(b);
    }
}

/* A right-to-left item's chrome takes its direction. */
static void test_rtl_segments_follow_text(void **state)
{
    struct fixture *f = *state;
    struct kb_item it =
        item("ar", KB_KIND_HEADLINE,
             "\u0645\u062a\u0631\u0648 \u0627\u0644\u0631\u064a\u0627\u0636", NULL, "id");
    struct kb_ready r;
    assert_true(kb_compose_item(f->faces, &f->cfg, &it, 32, &r));
    for (size_t i = 0; i < r.n_segs; i++)
        assert_int_equal(r.segs[i].line->base_dir, KB_DIR_RTL);
    kb_ready_release(&r);
    assert_true(kb_present_rtl("ar"));
    assert_true(kb_present_rtl("fa-IR"));
    assert_true(kb_present_rtl("he"));
    assert_false(kb_present_rtl("fr"));
    assert_false(kb_present_rtl("arn")); /* Mapudungun is not Arabic */
}

/* Everything the demo spool puts on screen (texts with their quotation
 * marks, sources, badges, separators) has a glyph: no tofu. */
static void test_demo_spool_has_no_tofu(void **state)
{
    struct fixture *f = *state;
    struct kb_spool_opts so = {.dir = KB_TEST_SOURCE_DIR "/assets/demo-spool", .settle_s = 0};
    struct kb_spool *spool = kb_spool_new(&so, NULL, NULL);
    kb_spool_update(spool, 0);
    size_t n;
    const struct kb_item *const *items = kb_spool_items(spool, &n);
    assert_true(n >= 16);
    size_t glyphs = 0;
    for (size_t i = 0; i < n; i++) {
        struct kb_ready r;
        assert_true(kb_compose_item(f->faces, &f->cfg, items[i], 48, &r));
        for (size_t s = 0; s < r.n_segs; s++) {
            const struct kb_line *l = r.segs[s].line;
            for (size_t g = 0; g < l->n_glyphs; g++, glyphs++) {
                if (l->glyphs[g].id == 0)
                    fail_msg("%s: glyph 0 (tofu) at byte %u of \"%s\"", items[i]->file,
                             l->glyphs[g].cluster, l->text);
            }
        }
        kb_ready_release(&r);
    }
    assert_true(glyphs > 1000);
    kb_spool_free(spool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relative_time_grammar),
        cmocka_unit_test(test_quote_marks_per_language),
        cmocka_unit_test(test_badge_only_when_translated),
        cmocka_unit_test(test_badges_localized),
        cmocka_unit_test(test_rtl_segments_follow_text),
        cmocka_unit_test(test_demo_spool_has_no_tofu),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
