/* What the screen shows, in words: the texts the stats' `showing` list
 * gives for the visible ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/onscreen.h"

/* A ready item of one text segment (and a source label, which is not its text). */
static void ready(struct kb_ready *r, struct kb_line lines[2], const char *id, const char *lang,
                  const char *text)
{
    memset(r, 0, sizeof(*r));
    memset(lines, 0, 2 * sizeof(*lines));
    snprintf(r->id, sizeof(r->id), "%s", id);
    lines[0].text = (char *)"Le Quotidien";
    lines[0].text_len = strlen(lines[0].text);
    snprintf(lines[0].lang, sizeof(lines[0].lang), "%s", lang);
    lines[1].text = (char *)text;
    lines[1].text_len = strlen(text);
    snprintf(lines[1].lang, sizeof(lines[1].lang), "%s", lang);
    r->segs[0] = (struct kb_crawl_seg){.line = &lines[0], .style = KB_SEG_SOURCE};
    r->segs[1] = (struct kb_crawl_seg){.line = &lines[1], .style = KB_SEG_TEXT};
    r->n_segs = 2;
}

static const char *field(json_t *list, size_t i, const char *name)
{
    return json_string_value(json_object_get(json_array_get(list, i), name));
}

static void test_visible_ids_get_their_text(void **state)
{
    (void)state;
    kb_onscreen_reset();
    struct kb_ready r;
    struct kb_line lines[2];
    ready(&r, lines, "a", "ar", "مترو الرياض يضيف رحلات");
    kb_onscreen_note(&r);
    ready(&r, lines, "b", "fr", "<img src=x onerror=alert(1)>");
    kb_onscreen_note(&r);
    ready(&r, lines, "", "en", "the idle message");
    kb_onscreen_note(&r);

    const char *ids[] = {"b", "a", "b", "unknown"};
    json_t *list = kb_onscreen_json(ids, 4);
    assert_int_equal(json_array_size(list), 3);
    assert_string_equal(field(list, 0, "id"), "b");
    assert_string_equal(field(list, 0, "text"), "<img src=x onerror=alert(1)>");
    assert_string_equal(field(list, 0, "lang"), "fr");
    assert_string_equal(field(list, 1, "text"), "مترو الرياض يضيف رحلات");
    assert_string_equal(field(list, 2, "id"), "unknown");
    assert_null(field(list, 2, "text"));
    json_decref(list);

    /* An edit replaces the text. */
    ready(&r, lines, "a", "ar", "نص جديد");
    kb_onscreen_note(&r);
    list = kb_onscreen_json(ids + 1, 1);
    assert_string_equal(field(list, 0, "text"), "نص جديد");
    json_decref(list);
}

static void test_long_text_is_cut_between_characters(void **state)
{
    (void)state;
    kb_onscreen_reset();
    /* 200 three-byte characters: 600 bytes, cut to the last whole one. */
    char text[601] = "";
    for (int i = 0; i < 200; i++)
        strcat(text, "漢");
    struct kb_ready r;
    struct kb_line lines[2];
    ready(&r, lines, "long", "ja", text);
    kb_onscreen_note(&r);
    const char *ids[] = {"long"};
    json_t *list = kb_onscreen_json(ids, 1);
    const char *got = field(list, 0, "text");
    assert_non_null(got); /* jansson refuses invalid UTF-8 */
    assert_int_equal(strlen(got), KB_ONSCREEN_TEXT_MAX / 3 * 3);
    json_decref(list);
}

static void test_the_oldest_is_forgotten_first(void **state)
{
    (void)state;
    kb_onscreen_reset();
    struct kb_ready r;
    struct kb_line lines[2];
    char id[16];
    for (int i = 0; i < KB_ONSCREEN_ITEMS + 1; i++) {
        snprintf(id, sizeof(id), "item-%d", i);
        ready(&r, lines, id, "en", "words");
        kb_onscreen_note(&r);
    }
    const char *ids[] = {"item-0", "item-1"};
    json_t *list = kb_onscreen_json(ids, 2);
    assert_null(field(list, 0, "text"));
    assert_string_equal(field(list, 1, "text"), "words");
    json_decref(list);
}

/* A quote's event carries only its id; its words come from the laid-out
 * pages, the attribution left out. */
static void test_a_quote_gets_its_words(void **state)
{
    (void)state;
    kb_onscreen_reset();
    struct kb_line lines[3];
    memset(lines, 0, sizeof(lines));
    const char *words[] = {"\u00ab Nous ouvrirons la ligne", "avant l\u2019hiver \u00bb",
                           "\u2014 la maire"};
    for (int i = 0; i < 3; i++) {
        lines[i].text = (char *)words[i];
        lines[i].text_len = strlen(words[i]);
        snprintf(lines[i].lang, sizeof(lines[i].lang), "fr");
    }
    struct kb_quote_pages q = {.lines = {&lines[0], &lines[1]}, .n = 2, .attribution = &lines[2]};
    struct kb_event ev = {.type = KB_EVENT_PANEL, .quote = &q};
    snprintf(ev.item.id, sizeof(ev.item.id), "q1");
    kb_onscreen_note_event(&ev);
    /* A quote event without pages, and a removal, change nothing. */
    ev.quote = NULL;
    kb_onscreen_note_event(&ev);
    struct kb_event gone = {.type = KB_EVENT_REMOVE};
    snprintf(gone.item.id, sizeof(gone.item.id), "q1");
    kb_onscreen_note_event(&gone);

    const char *ids[] = {"q1"};
    json_t *list = kb_onscreen_json(ids, 1);
    assert_string_equal(field(list, 0, "text"),
                        "\u00ab Nous ouvrirons la ligne avant l\u2019hiver \u00bb");
    assert_string_equal(field(list, 0, "lang"), "fr");
    json_decref(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_visible_ids_get_their_text),
        cmocka_unit_test(test_long_text_is_cut_between_characters),
        cmocka_unit_test(test_the_oldest_is_forgotten_first),
        cmocka_unit_test(test_a_quote_gets_its_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
