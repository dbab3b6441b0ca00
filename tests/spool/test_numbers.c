/* A field kabar does not read never breaks an item (docs/spool.md), even a
 * number jansson cannot hold: a real beyond a double, an integer beyond
 * 64 bits. One the item needs is still refused, by its field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spool/item.h"
#include "spool/parse.h"

static bool parse(const char *json, struct kb_error *err)
{
    struct kb_item **items = NULL;
    size_t n = 0;
    bool ok = kb_spool_parse(json, strlen(json), "x.json", 0, 10, NULL, &items, &n, err);
    for (size_t i = 0; i < n; i++)
        kb_item_free(items[i]);
    free(items);
    return ok;
}

static void test_unknown_huge_numbers_accepted(void **state)
{
    (void)state;
    struct kb_error err;
    const char *cases[] = {
        "{\"id\": \"a\", \"lang\": \"en\", \"text\": \"x\", \"x_rank\": 1e400}",
        "{\"id\": \"a\", \"lang\": \"en\", \"text\": \"x\", \"x_rank\": -1.5E+99999}",
        "{\"id\": \"a\", \"lang\": \"en\", \"text\": \"x\", \"x_big\": "
        "123456789012345678901234567890}",
        "{\"id\": \"a\", \"lang\": \"en\", \"text\": \"x\", \"x\": [1e400, {\"y\": "
        "-99999999999999999999}]}",
        "{\"items\": [{\"id\": \"a\", \"lang\": \"en\", \"text\": \"1e400\", \"n\": 1e400}]}",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (!parse(cases[i], &err))
            fail_msg("%s: %s", cases[i], err.msg);
    }
}

static void test_needed_field_as_huge_number_refused(void **state)
{
    (void)state;
    struct kb_error err;
    assert_false(parse("{\"id\": \"a\", \"lang\": \"en\", \"text\": 1e400}", &err));
    assert_string_equal(err.msg, "x.json: field \"text\": expected a string, got a number");
    /* And a number inside a string is text, left as it is. */
    assert_true(
        parse("{\"id\": \"a\", \"lang\": \"en\", \"text\": \"1e400 99999999999999999999\"}", &err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_huge_numbers_accepted),
        cmocka_unit_test(test_needed_field_as_huge_number_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
