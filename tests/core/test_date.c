/* core/date: the spool's strict RFC 3339, the feeds' ISO 8601 and RFC 822
 * dialects, and RFC 3339 out. Every expected figure is worked out by hand
 * (2024-03-05T09:00:00Z = 1709629200), never by the C library, so a bug
 * shared with gmtime cannot hide. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/date.h"

static void test_rfc3339(void **state)
{
    (void)state;
    struct {
        const char *s;
        int64_t t;
    } good[] = {
        {"1970-01-01T00:00:00Z", 0},
        {"2021-11-19T10:00:00+07:00", 1637290800},
        {"2021-11-19T03:00:00Z", 1637290800},
        {"2021-11-19t03:00:00z", 1637290800},
        {"2021-11-19T03:00:00.123456Z", 1637290800},
        {"2021-11-18T22:30:00-04:30", 1637290800},
        {"2021-11-19T03:00:00-00:00", 1637290800},
        {"2021-11-20T02:59:00+23:59", 1637290800},
        {"2020-02-29T00:00:00Z", 1582934400},
        {"2016-12-31T23:59:60Z", 1483228800}, /* a leap second: the next minute */
        {"1969-12-31T23:59:59Z", -1},
        {"0000-01-01T00:00:00Z", -62167219200},
        {"9999-12-31T23:59:59Z", 253402300799},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        int64_t t = 0;
        if (!kb_date_parse_rfc3339(good[i].s, &t) || t != good[i].t)
            fail_msg("\"%s\": got %lld, expected %lld", good[i].s, (long long)t,
                     (long long)good[i].t);
    }
    static const char *const bad[] = {
        "2021-11-19",
        "2021-11-19T10:00:00",
        "2021-11-19 10:00:00Z",
        "2021-13-01T00:00:00Z",
        "2021-00-01T00:00:00Z",
        "2021-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z", /* 1900 is not a leap year */
        "2021-11-00T00:00:00Z",
        "2021-11-19T25:00:00Z",
        "2021-11-19T10:60:00Z",
        "2021-11-19T10:00:61Z",
        "2021-11-19T10:00:00+24:00",
        "2021-11-19T10:00:00+0700",
        "2021-11-19T10:00:00+07",
        "2021-11-19T10:00:00.Z",
        "21-11-19T10:00:00Z",
        "2021-11-19T10:00:00Z ",
        " 2021-11-19T10:00:00Z",
        "2021-1-19T10:00:00Z",
        "2021-11-19T10:00:00 GMT",
        "Tue, 05 Mar 2024 09:00:00 GMT",
        "+021-11-19T10:00:00Z",
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t t = 42;
        if (kb_date_parse_rfc3339(bad[i], &t))
            fail_msg("\"%s\" should not parse", bad[i]);
        assert_int_equal(t, 42); /* a refused date leaves the output alone */
    }
}

static int64_t rfc822(const char *s)
{
    int64_t t = -1;
    if (!kb_date_parse_rfc822(s, &t))
        fail_msg("\"%s\" should parse", s);
    return t;
}

static void test_rfc822(void **state)
{
    (void)state;
    assert_int_equal(rfc822("Tue, 05 Mar 2024 10:00:00 +0100"), 1709629200);
    assert_int_equal(rfc822("05 Mar 2024 09:00:00 GMT"), 1709629200);
    assert_int_equal(rfc822("Tue, 5 Mar 2024 09:00 UT"), 1709629200);
    assert_int_equal(rfc822("Tue, 05 Mar 2024 09:00:00 UTC"), 1709629200);
    assert_int_equal(rfc822("Tue, 05 Mar 2024 10:00:00 +01:00"), 1709629200);
    assert_int_equal(rfc822("Tue, 05 Mar 2024 09:00:00"), 1709629200); /* no zone: UTC */
    assert_int_equal(rfc822("Tue, 05 mar 2024 09:00:00 Z (Coordinated)"), 1709629200);
    assert_int_equal(rfc822("  Tue, 05 Mar 2024 09:00:00.250 +0000  "), 1709629200);
    assert_int_equal(rfc822("5-Mar-2024 09:00:00 GMT"), 1709629200);
    /* A weekday that does not match is ignored: the date decides. */
    assert_int_equal(rfc822("Sun, 05 Mar 2024 09:00:00 GMT"), 1709629200);
    /* Two-digit years (RFC 2822 4.3): below 50 is 20xx, else 19xx. */
    assert_int_equal(rfc822("Tue, 05 Mar 24 09:00:00 GMT"), 1709629200);
    assert_int_equal(rfc822("Thu, 01 Jan 70 00:00:00 GMT"), 0);
    assert_int_equal(rfc822("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
    assert_int_equal(rfc822("Thu, 29 Feb 2024 23:59:59 -0000"), 1709251199);
    /* A military letter other than Z means "unknown": taken as UTC. */
    assert_int_equal(rfc822("Tue, 05 Mar 2024 09:00:00 A"), 1709629200);
    /* A named zone with an offset after it adds both. */
    assert_int_equal(rfc822("Tue, 05 Mar 2024 10:00:00 GMT+0100"), 1709629200);
    int64_t t = 42;
    static const char *const bad[] = {
        "",
        "yesterday",
        "Tue, 30 Feb 2024 10:00:00 GMT",
        "Tue, 05 Foo 2024 10:00:00 GMT",
        "Tue, 05 Mar 2024 25:00:00 GMT",
        "Tue, 05 Mar 2024 10:60:00 GMT",
        "Tue, 05 Mar 2024 10:00:00 GMT trailing",
        "Tue, 05 Mar 2024 10:00:00 Mars/Olympus",
        "Tue, 05 Mar 2024 10:00:00 CEST",
        "Tue, 05 Mar 2024 10:00:00 +2400",
        "Tue, 05 Mar 1899 10:00:00 GMT", /* before 1900: a typo */
        "Tue, 05 Mar 202 10:00:00 GMT",
        "Tue, 05 Mar 2024",
        "Tue, 05 Mar 2024 10",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (kb_date_parse_rfc822(bad[i], &t))
            fail_msg("\"%s\" should not parse", bad[i]);
    }
    assert_int_equal(t, 42);
}

/* Each of the zones RFC 822 names, at the same instant. */
static void test_rfc822_named_zones(void **state)
{
    (void)state;
    static const struct {
        const char *zone;
        int hours;
    } zones[] = {{"GMT", 0},  {"UT", 0},   {"EST", -5}, {"EDT", -4}, {"CST", -6}, {"CDT", -5},
                 {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}, {"gmt", 0},  {"pst", -8}};
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
        /* 09:00Z seen from the zone: 09 + hours o'clock (all between 01 and 09). */
        char s[64];
        snprintf(s, sizeof(s), "Tue, 05 Mar 2024 %02d:00:00 %s", 9 + zones[i].hours, zones[i].zone);
        int64_t t = 0;
        if (!kb_date_parse_rfc822(s, &t) || t != 1709629200)
            fail_msg("\"%s\": got %lld", s, (long long)t);
    }
}

static void test_iso8601(void **state)
{
    (void)state;
    int64_t t;
    assert_true(kb_date_parse_iso8601("2024-03-05T09:00:00Z", &t));
    assert_int_equal(t, 1709629200);
    assert_true(kb_date_parse_iso8601("2024-03-05T10:00:00.123+01:00", &t));
    assert_int_equal(t, 1709629200);
    assert_true(kb_date_parse_iso8601("2024-03-05T10:00:00,5+01:00", &t));
    assert_int_equal(t, 1709629200);
    assert_true(kb_date_parse_iso8601("2024-03-05 09:00:00", &t));
    assert_int_equal(t, 1709629200);
    assert_true(kb_date_parse_iso8601("2024-03-05T04:00-0500", &t));
    assert_int_equal(t, 1709629200);
    assert_true(kb_date_parse_iso8601("2024-03-05T14:30+05:30", &t));
    assert_int_equal(t, 1709629200);
    assert_true(kb_date_parse_iso8601("2024-03-05T10:00:00+01", &t));
    assert_int_equal(t, 1709629200);
    assert_true(kb_date_parse_iso8601(" 2024-03-05T09:00:00Z ", &t));
    assert_int_equal(t, 1709629200);
    assert_true(kb_date_parse_iso8601("2024-03-05", &t));
    assert_int_equal(t, 1709596800);
    static const char *const bad[] = {
        "2024-13-05", "2024-03-05T09",
        "05/03/2024", "2024-03-05T09:00:00 GMT",
        "1899-12-31", "2024-03-05T09:00:00+25:00",
        "2024-3-5",   "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (kb_date_parse_iso8601(bad[i], &t))
            fail_msg("\"%s\" should not parse", bad[i]);
    }
    /* Either form through one door. */
    assert_true(kb_date_parse("Tue, 05 Mar 2024 09:00:00 GMT", &t));
    assert_int_equal(t, 1709629200);
    assert_true(kb_date_parse("2024-03-05T09:00:00Z", &t));
    assert_int_equal(t, 1709629200);
    assert_false(kb_date_parse("soon", &t));
}

static void test_format(void **state)
{
    (void)state;
    char out[KB_DATE_RFC3339_SIZE];
    kb_date_format_rfc3339(1709629200, out);
    assert_string_equal(out, "2024-03-05T09:00:00Z");
    kb_date_format_rfc3339(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
    kb_date_format_rfc3339(951868799, out); /* leap day of a century leap year */
    assert_string_equal(out, "2000-02-29T23:59:59Z");
    kb_date_format_rfc3339(4107542399, out); /* 2100 is not a leap year */
    assert_string_equal(out, "2100-02-28T23:59:59Z");
    /* Clamped to what RFC 3339 can write. */
    kb_date_format_rfc3339(-1, out);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
    kb_date_format_rfc3339(INT64_MAX, out);
    assert_string_equal(out, "9999-12-31T23:59:59Z");
}

/* Format then parse gives the same second, over days that cross month,
 * year and century ends; and the strict and the lenient reader agree. */
static void test_round_trip(void **state)
{
    (void)state;
    char out[KB_DATE_RFC3339_SIZE];
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t t = (int64_t)(x % 253402300800ULL);
        if (i < 400)
            t = (int64_t)i * 86400 * 91 + 86399; /* last seconds of days near quarter ends */
        kb_date_format_rfc3339(t, out);
        int64_t strict = -1, lenient = -1;
        if (!kb_date_parse_rfc3339(out, &strict) || strict != t)
            fail_msg("%lld -> \"%s\" -> %lld", (long long)t, out, (long long)strict);
        if (t >= -2208988800 && (!kb_date_parse(out, &lenient) || lenient != t))
            fail_msg("%lld -> \"%s\" -> %lld (lenient)", (long long)t, out, (long long)lenient);
    }
}

/* The same instant written in many zones reads back as one second. */
static void test_zones_agree(void **state)
{
    (void)state;
    static const char *const same[] = {
        "2024-12-31T23:30:00Z",      "2025-01-01T00:30:00+01:00", "2024-12-31T18:30:00-05:00",
        "2025-01-01T05:00:00+05:30", "2025-01-01T13:15:00+13:45", "2024-12-31T12:30:00-11:00",
    };
    int64_t first = 0;
    assert_true(kb_date_parse_rfc3339(same[0], &first));
    for (size_t i = 1; i < sizeof(same) / sizeof(same[0]); i++) {
        int64_t t = 0;
        assert_true(kb_date_parse_rfc3339(same[i], &t));
        assert_int_equal(t, first);
        assert_true(kb_date_parse_iso8601(same[i], &t));
        assert_int_equal(t, first);
    }
    char out[KB_DATE_RFC3339_SIZE];
    kb_date_format_rfc3339(first, out);
    assert_string_equal(out, "2024-12-31T23:30:00Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_rfc822),
        cmocka_unit_test(test_rfc822_named_zones),
        cmocka_unit_test(test_iso8601),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_zones_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
