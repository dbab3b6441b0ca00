/* display_schedule: what the parser accepts and refuses (with a reason a
 * technician can act on), and whether the screen is on at a given minute,
 * including windows past midnight, day ranges that wrap and the next change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "app/schedule.h"

enum { SUN, MON, TUE, WED, THU, FRI, SAT };
#define HM(h, m) ((h)*60 + (m))

static struct kb_schedule parse_ok(const char *text)
{
    struct kb_schedule s;
    char why[128] = "";
    if (!kb_schedule_parse(text, &s, why, sizeof(why)))
        fail_msg("'%s' refused: %s", text, why);
    return s;
}

static void test_empty_is_always_on(void **state)
{
    (void)state;
    struct kb_schedule s = parse_ok("  ");
    assert_int_equal(s.n, 0);
    assert_true(kb_schedule_on(&s, SUN, HM(3, 0)));
    assert_int_equal(kb_schedule_next_change(&s, SUN, 0), 7 * 1440);
}

static void test_office_hours(void **state)
{
    (void)state;
    struct kb_schedule s = parse_ok("Mon-Fri 07:00-20:00, Sat 09:00-13:00");
    assert_int_equal(s.n, 2);
    assert_false(kb_schedule_on(&s, MON, HM(6, 59)));
    assert_true(kb_schedule_on(&s, MON, HM(7, 0)));
    assert_true(kb_schedule_on(&s, FRI, HM(19, 59)));
    assert_false(kb_schedule_on(&s, FRI, HM(20, 0))); /* the end is excluded */
    assert_true(kb_schedule_on(&s, SAT, HM(12, 0)));
    assert_false(kb_schedule_on(&s, SAT, HM(13, 0)));
    assert_false(kb_schedule_on(&s, SUN, HM(12, 0)));
    /* Friday 20:00 off until Saturday 09:00: 13 hours. */
    assert_int_equal(kb_schedule_next_change(&s, FRI, HM(20, 0)), 13 * 60);
    assert_int_equal(kb_schedule_next_change(&s, MON, HM(7, 0)), 13 * 60);
}

static void test_past_midnight(void **state)
{
    (void)state;
    struct kb_schedule s = parse_ok("Fri 22:00-02:00");
    assert_true(kb_schedule_on(&s, FRI, HM(23, 0)));
    assert_true(kb_schedule_on(&s, SAT, HM(1, 59)));
    assert_false(kb_schedule_on(&s, SAT, HM(2, 0)));
    assert_false(kb_schedule_on(&s, FRI, HM(1, 0))); /* Thursday night was not in it */
    assert_false(kb_schedule_on(&s, SAT, HM(23, 0)));
}

static void test_ranges_days_and_case(void **state)
{
    (void)state;
    struct kb_schedule s = parse_ok("fri-mon 10:00-11:00");
    assert_true(kb_schedule_on(&s, SUN, HM(10, 30)));
    assert_true(kb_schedule_on(&s, MON, HM(10, 30)));
    assert_false(kb_schedule_on(&s, TUE, HM(10, 30)));
    s = parse_ok("daily 06:00-24:00");
    assert_true(kb_schedule_on(&s, WED, HM(23, 59)));
    assert_false(kb_schedule_on(&s, WED, HM(5, 59)));
    s = parse_ok("08:00-09:00");
    assert_true(kb_schedule_on(&s, THU, HM(8, 0)));
    s = parse_ok("Monday 7:30-8:00");
    assert_true(kb_schedule_on(&s, MON, HM(7, 30)));
    assert_false(kb_schedule_on(&s, TUE, HM(7, 30)));
}

static void refused(const char *text, const char *reason)
{
    struct kb_schedule s;
    char why[128] = "";
    if (kb_schedule_parse(text, &s, why, sizeof(why)))
        fail_msg("'%s' accepted", text);
    if (strstr(why, reason) == NULL)
        fail_msg("'%s': reason '%s' lacks '%s'", text, why, reason);
}

static void test_refused_with_a_reason(void **state)
{
    (void)state;
    refused("Mon-Fri 7-20", "window 1: expected HH:MM-HH:MM, got '7-20'");
    refused("Mon 07:00-20:00, Sunday", "window 2: expected HH:MM-HH:MM");
    refused("Mo 07:00-20:00", "window 1: expected a day");
    refused("Mon 25:00-26:00", "HH:MM-HH:MM");
    refused("Mon 07:60-08:00", "HH:MM-HH:MM");
    refused("Mon 24:00-08:00", "a start before 24:00");
    refused("Mon 07:00-08:00; Tue 07:00-08:00", "',' or the end");
    refused("Mon-Xyz 07:00-08:00", "a day");
    char many[512] = "";
    for (int i = 0; i < KB_SCHEDULE_MAX + 1; i++)
        strcat(many, i ? ", Mon 01:00-02:00" : "Mon 01:00-02:00");
    refused(many, "more than 16 windows");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_is_always_on),    cmocka_unit_test(test_office_hours),
        cmocka_unit_test(test_past_midnight),         cmocka_unit_test(test_ranges_days_and_case),
        cmocka_unit_test(test_refused_with_a_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
