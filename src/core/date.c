#include "core/date.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int64_t kb_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int kb_days_in_month(int64_t y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* Locale-free: isdigit and isalpha may accept more under some locales. */
static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int64_t to_unix(int y, int mo, int d, int h, int mi, int s, int64_t offset)
{
    /* A leap second (:60) is counted as the first second of the next minute. */
    return kb_days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + mi * 60 + s - offset;
}

/* ---- strict RFC 3339 (the spool) ---- */

/* Exactly n digits. */
static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool kb_date_parse_rfc3339(const char *s, int64_t *out)
{
    /* date-time = full-date "T" full-time (RFC 3339 section 5.6). */
    int y, mo, d, h, mi, sec;
    if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &sec))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > kb_days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (!is_digit(*p))
            return false;
        while (is_digit(*p))
            p++;
    }
    int64_t offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return false;
        offset = (int64_t)oh * 3600 + om * 60;
        if (*p == '-')
            offset = -offset;
        p += 6;
    } else {
        return false;
    }
    if (*p != '\0')
        return false;
    *out = to_unix(y, mo, d, h, mi, sec, offset);
    return true;
}

/* ---- the feeds' dialects ---- */

/* Feeds' dates outside 1900-9999 are typos; RFC 3339 cannot write them anyway. */
static bool valid_fields(int y, int mo, int d, int h, int mi, int s)
{
    return y >= 1900 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 &&
           d <= kb_days_in_month(y, mo) && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 &&
           s <= 60;
}

/* Reads 1..max digits; returns how many (0 if none). */
static int read_int(const char **p, int max, int *out)
{
    int n = 0, v = 0;
    while (n < max && is_digit(**p)) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    *out = v;
    return n;
}

static void skip_space(const char **p)
{
    while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
        (*p)++;
}

/* "+0100", "-05:00", "+01", in seconds east of UTC. */
static bool numeric_zone(const char **p, int64_t *offset)
{
    char sign = **p;
    if (sign != '+' && sign != '-')
        return false;
    const char *q = *p + 1;
    int hh, mm = 0;
    if (read_int(&q, 2, &hh) != 2)
        return false;
    if (*q == ':')
        q++;
    if (is_digit(*q) && read_int(&q, 2, &mm) != 2)
        return false;
    if (hh > 23 || mm > 59)
        return false;
    *offset = ((int64_t)hh * 3600 + mm * 60) * (sign == '-' ? -1 : 1);
    *p = q;
    return true;
}

/* "GMT", "EST+0100", "+0100" or a military letter, after an RFC 822 time. */
static bool rfc822_zone(const char **pp, int64_t *offset)
{
    static const struct {
        const char *name;
        int hours;
    } zones[] = {{"UT", 0},   {"UTC", 0},  {"GMT", 0},  {"Z", 0},    {"EST", -5}, {"EDT", -4},
                 {"CST", -6}, {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
    const char *p = *pp;
    *offset = 0;
    if (*p == '+' || *p == '-') {
        if (!numeric_zone(&p, offset))
            return false;
    } else if (is_alpha(*p)) {
        const char *start = p;
        while (is_alpha(*p))
            p++;
        size_t n = (size_t)(p - start);
        bool known = false;
        for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
            if (strlen(zones[i].name) == n && strncasecmp(start, zones[i].name, n) == 0) {
                *offset = (int64_t)zones[i].hours * 3600;
                known = true;
            }
        }
        /* RFC 2822 4.3: other zone names (military letters) mean "unknown",
         * taken as UTC; a word like "GMT+1" is not worth guessing about. */
        if (!known && n > 1)
            return false;
        if (*p == '+' || *p == '-') {
            int64_t extra;
            if (!numeric_zone(&p, &extra))
                return false;
            *offset += extra;
        }
    }
    *pp = p;
    return true;
}

/* "05 Mar 2024", "5-March-24": day, month name, year. */
static bool rfc822_day(const char **pp, int *y, int *mo, int *d)
{
    static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec"};
    const char *p = *pp;
    if (read_int(&p, 2, d) == 0)
        return false;
    skip_space(&p);
    if (*p == '-')
        p++;
    *mo = 0;
    for (int i = 0; i < 12; i++) {
        if (strncasecmp(p, months[i], 3) == 0) {
            *mo = i + 1;
            break;
        }
    }
    if (*mo == 0)
        return false;
    while (is_alpha(*p))
        p++;
    skip_space(&p);
    if (*p == '-')
        p++;
    int ydigits = read_int(&p, 4, y);
    if (ydigits == 2)
        *y += *y < 50 ? 2000 : 1900; /* RFC 2822 section 4.3 */
    else if (ydigits != 4)
        return false;
    *pp = p;
    return true;
}

bool kb_date_parse_rfc822(const char *s, int64_t *out)
{
    const char *p = s;
    skip_space(&p);
    /* An optional day name ("Tue," or "Tuesday,"), whatever it says: the date
     * decides, and feeds get the weekday wrong often enough. */
    if (is_alpha(*p)) {
        while (is_alpha(*p))
            p++;
        if (*p == ',')
            p++;
        skip_space(&p);
    }
    int d, mo, y, h, mi, sec = 0;
    if (!rfc822_day(&p, &y, &mo, &d))
        return false;
    skip_space(&p);
    if (read_int(&p, 2, &h) == 0 || *p++ != ':' || read_int(&p, 2, &mi) != 2)
        return false;
    if (*p == ':') {
        p++;
        if (read_int(&p, 2, &sec) != 2)
            return false;
    }
    if (*p == '.') { /* fractions: not RFC 822, but seen */
        p++;
        while (is_digit(*p))
            p++;
    }
    skip_space(&p);
    int64_t offset;
    if (!rfc822_zone(&p, &offset))
        return false;
    skip_space(&p);
    if (*p != '\0' && *p != '(')
        return false;
    if (!valid_fields(y, mo, d, h, mi, sec))
        return false;
    *out = to_unix(y, mo, d, h, mi, sec, offset);
    return true;
}

bool kb_date_parse_iso8601(const char *s, int64_t *out)
{
    const char *p = s;
    skip_space(&p);
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (read_int(&p, 4, &y) != 4 || *p++ != '-' || read_int(&p, 2, &mo) != 2 || *p++ != '-' ||
        read_int(&p, 2, &d) != 2)
        return false;
    int64_t offset = 0;
    if (*p == 'T' || *p == 't' || (*p == ' ' && is_digit(p[1]))) {
        p++;
        if (read_int(&p, 2, &h) != 2 || *p++ != ':' || read_int(&p, 2, &mi) != 2)
            return false;
        if (*p == ':') {
            p++;
            if (read_int(&p, 2, &sec) != 2)
                return false;
        }
        if (*p == '.' || *p == ',') {
            p++;
            while (is_digit(*p))
                p++;
        }
        skip_space(&p);
        if (*p == 'Z' || *p == 'z')
            p++;
        else if ((*p == '+' || *p == '-') && !numeric_zone(&p, &offset))
            return false;
    }
    skip_space(&p);
    if (*p != '\0' || !valid_fields(y, mo, d, h, mi, sec))
        return false;
    *out = to_unix(y, mo, d, h, mi, sec, offset);
    return true;
}

bool kb_date_parse(const char *s, int64_t *out)
{
    return kb_date_parse_iso8601(s, out) || kb_date_parse_rfc822(s, out);
}

/* ---- RFC 3339 out ---- */

void kb_date_format_rfc3339(int64_t t, char out[KB_DATE_RFC3339_SIZE])
{
    if (t < 0)
        t = 0;
    if (t > 253402300799) /* 9999-12-31T23:59:59Z */
        t = 253402300799;
    /* civil_from_days, the inverse of kb_days_from_civil. */
    int64_t days = t / 86400;
    int secs = (int)(t - days * 86400);
    int64_t z = days + 719468;
    int64_t era = z / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int y = (int)(yoe + era * 400) + (m <= 2);
    /* The remainders change nothing (the fields are in range) but let the
     * compiler see the text fits. */
    snprintf(out, KB_DATE_RFC3339_SIZE, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)y % 10000u,
             (unsigned)m % 100u, (unsigned)d % 100u, (unsigned)(secs / 3600) % 100u,
             (unsigned)(secs / 60 % 60) % 100u, (unsigned)(secs % 60) % 100u);
}
