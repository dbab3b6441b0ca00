/* Item rules one by one: language tags, dates, ids, defaults, cleaning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "spool/item.h"

static void test_lang_tags(void **state)
{
    (void)state;
    static const char *const good[] = {
        "fr",
        "ar",
        "zh-Hans",
        "zh-Hant",
        "ja",
        "id",
        "en-GB",
        "EN-gb",
        "es-419",
        "sr-Latn-RS",
        "de-CH-1901",
        "sl-rozaj-biske",
        "zh-yue-HK",
        "ar-afb",
        "en-a-bbb-x-a-ccc",
        "x-whatever",
        "qaa-Qaaa-QM-x-southern",
        "i-klingon",
        "en-GB-oed",
        "zh-min-nan",
        "de-DE-u-co-phonebk",
        "hy-Latn-IT-arevela",
        "tlh",
        "abcde",
    };
    static const char *const bad[] = {
        "",
        "xx_YY",
        "e",
        "en-",
        "-en",
        "en--GB",
        "en-GB-US",
        "123",
        "en-a",
        "en-x",
        "toolongtag",
        "de-1901-1901",
        "en-a-bbb-a-ccc",
        "fr FR",
        "fr\n",
        "ab-abcdefghi",
        "en-GB-",
        "zh-Hans-Hant",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (!kb_lang_tag_valid(good[i]))
            fail_msg("\"%s\" should be a language tag", good[i]);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (kb_lang_tag_valid(bad[i]))
            fail_msg("\"%s\" should not be a language tag", bad[i]);
    }
    char longtag[KB_LANG_MAX + 8] = "x";
    while (strlen(longtag) < KB_LANG_MAX + 2)
        strcat(longtag, "-abc");
    assert_false(kb_lang_tag_valid(longtag));
}

static void test_ids(void **state)
{
    (void)state;
    assert_true(kb_id_valid("antara-20211119-putin-red-lines-fr"));
    assert_true(kb_id_valid("a.b_c:d-E9"));
    assert_false(kb_id_valid(""));
    assert_false(kb_id_valid("a/b"));
    assert_false(kb_id_valid("a b"));
    assert_false(kb_id_valid("caf\xc3\xa9"));
    char id[KB_ID_MAX + 2];
    memset(id, 'a', sizeof(id));
    id[KB_ID_MAX] = '\0';
    assert_true(kb_id_valid(id));
    id[KB_ID_MAX] = 'a';
    id[KB_ID_MAX + 1] = '\0';
    assert_false(kb_id_valid(id));
}

static struct kb_item *parse(const char *json, struct kb_error *err, char **unknown)
{
    json_error_t jerr;
    json_t *obj = json_loads(json, 0, &jerr);
    assert_non_null(obj);
    struct kb_item *item = kb_item_from_json(obj, "spool/t.json", 1000, err, unknown);
    json_decref(obj);
    return item;
}

static void test_defaults_and_cleaning(void **state)
{
    (void)state;
    struct kb_error err;
    kb_error_clear(&err);
    char *unknown = NULL;
    struct kb_item *item = parse(
        "{\"id\": \"a\", \"lang\": \"ar\", \"text\": \"  \\u0645\\u0631\\u062d\\u0628\\u0627\\t\\n"
        "  world\\u0007  \\u202e\", \"story\": null, \"x-new\": 1, \"tags\": []}",
        &err, &unknown);
    assert_non_null(item);
    assert_string_equal(err.msg, "");
    assert_int_equal(item->kind, KB_KIND_HEADLINE);
    assert_int_equal(item->priority, KB_PRIORITY_NORMAL);
    assert_int_equal(item->dir, KB_ITEM_DIR_AUTO);
    assert_int_equal(item->published, 1000); /* the file's mtime */
    assert_int_equal(item->expires, 0);
    assert_int_equal(item->version, 1);
    assert_string_equal(item->story, "");
    assert_string_equal(item->source, "");
    assert_null(item->by);
    /* Trimmed, white space collapsed, BEL dropped, the RLO closed by a PDF. */
    assert_string_equal(item->text, "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 world \xe2\x80\xae"
                                    "\xe2\x80\xac");
    assert_string_equal(unknown, "\"x-new\", \"tags\"");
    free(unknown);

    struct kb_item *copy = kb_item_dup(item);
    assert_true(kb_item_same_content(item, copy));
    assert_ptr_not_equal(copy->text, item->text);
    copy->priority = KB_PRIORITY_HIGH;
    assert_false(kb_item_same_content(item, copy));
    kb_item_free(copy);
    kb_item_free(item);
}

static void test_full_item(void **state)
{
    (void)state;
    struct kb_error err;
    struct kb_item *item = parse(
        "{\"id\": \"antara-20211119-putin-red-lines-fr\", \"kind\": \"quote\", \"lang\": \"fr\","
        " \"text\": \"Les lignes rouges\", \"by\": \" Vladimir  Poutine \", \"source\": "
        "\"DigitalSiber\", \"story\": \"20211119-putin-red-lines\", \"translated_from\": \"id\","
        " \"priority\": \"breaking\", \"published\": \"2021-11-19T10:00:00+07:00\", \"expires\": "
        "\"2021-11-26T10:00:00+07:00\", \"dir\": \"ltr\"}",
        &err, NULL);
    assert_non_null(item);
    assert_int_equal(item->kind, KB_KIND_QUOTE);
    assert_string_equal(item->by, "Vladimir Poutine");
    assert_string_equal(item->source, "DigitalSiber");
    assert_string_equal(item->story, "20211119-putin-red-lines");
    assert_string_equal(item->translated_from, "id");
    assert_int_equal(item->priority, KB_PRIORITY_BREAKING);
    assert_int_equal(item->published, 1637290800);
    assert_int_equal(item->expires, 1637290800 + 7 * 86400);
    assert_int_equal(item->dir, KB_ITEM_DIR_LTR);
    assert_string_equal(kb_priority_name(item->priority), "breaking");
    assert_string_equal(kb_kind_name(item->kind), "quote");
    kb_item_free(item);
}

static void test_bounds_are_inclusive(void **state)
{
    (void)state;
    struct kb_error err;
    /* 4,000 bytes of text and 64 characters of source are allowed. */
    char *json = malloc(8192);
    int o = sprintf(json, "{\"id\": \"a\", \"lang\": \"en\", \"text\": \"");
    for (int i = 0; i < KB_TEXT_MAX_BYTES; i++)
        json[o++] = 'x';
    o += sprintf(json + o, "\", \"source\": \"");
    for (int i = 0; i < KB_SOURCE_MAX; i++)
        o += sprintf(json + o, "\xf0\x9f\x93\xb0"); /* 4-byte characters */
    sprintf(json + o, "\"}");
    struct kb_item *item = parse(json, &err, NULL);
    assert_non_null(item);
    assert_int_equal(strlen(item->text), KB_TEXT_MAX_BYTES);
    assert_int_equal(strlen(item->source), KB_SOURCE_MAX * 4);
    kb_item_free(item);
    free(json);
}

static void test_field_errors_name_the_field(void **state)
{
    (void)state;
    struct {
        const char *json, *msg;
    } cases[] = {
        {"{\"id\": \"a\", \"lang\": \"en\", \"text\": \"x\", \"source\": 5}",
         "spool/t.json: field \"source\": expected a string, got a number"},
        {"{\"id\": \"a\", \"lang\": \"en\", \"text\": \"x\", \"expires\": {}}",
         "spool/t.json: field \"expires\": expected a string, got an object"},
        {"{\"id\": \"a\", \"lang\": \"en\", \"text\": \"x\", \"dir\": \"RTL\"}",
         "spool/t.json: field \"dir\": \"RTL\" is not auto, ltr or rtl"},
        {"{\"id\": \"a\", \"lang\": \"zh-Hans-Hant\", \"text\": \"x\"}",
         "spool/t.json: field \"lang\": \"zh-Hans-Hant\" is not a BCP 47 language tag"},
        {"{\"id\": \"a\\\"b\", \"lang\": \"en\", \"text\": \"x\"}",
         "spool/t.json: field \"id\": \"a\\\"b\" is not a valid id (1-128 characters of A-Z a-z "
         "0-9 . _ : -)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct kb_error err;
        kb_error_clear(&err);
        assert_null(parse(cases[i].json, &err, NULL));
        assert_string_equal(err.msg, cases[i].msg);
    }
    /* A string made without jansson's checks is still checked. */
    json_t *obj = json_pack("{s:s, s:s, s:o}", "id", "a", "lang", "en", "text",
                            json_stringn_nocheck("ab\xff", 3));
    struct kb_error err;
    assert_null(kb_item_from_json(obj, "spool/z.json", 0, &err, NULL));
    assert_string_equal(err.msg, "spool/z.json: field \"text\": invalid UTF-8 at byte 2");
    json_decref(obj);
    assert_null(kb_item_from_json(NULL, "spool/z.json", 0, &err, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lang_tags),
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_defaults_and_cleaning),
        cmocka_unit_test(test_full_item),
        cmocka_unit_test(test_bounds_are_inclusive),
        cmocka_unit_test(test_field_errors_name_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
