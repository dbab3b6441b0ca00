#include "app/schedule.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const day_names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* A three-letter day name (any case, "Monday" too) at *p: its number, and
 * *p moved past it; -1 if none. */
static int parse_day(const char **p)
{
    for (int d = 0; d < 7; d++) {
        if (strncasecmp(*p, day_names[d], 3) == 0) {
            const char *q = *p + 3;
            while (isalpha((unsigned char)*q))
                q++;
            *p = q;
            return d;
        }
    }
    return -1;
}

/* HH:MM (00:00 to 24:00) at *p, as minutes; -1 if malformed. */
static int parse_time(const char **p)
{
    const char *q = *p;
    if (!isdigit((unsigned char)q[0]))
        return -1;
    int h = q[0] - '0';
    q++;
    if (isdigit((unsigned char)*q))
        h = h * 10 + (*q++ - '0');
    if (*q != ':' || !isdigit((unsigned char)q[1]) || !isdigit((unsigned char)q[2]))
        return -1;
    int m = (q[1] - '0') * 10 + (q[2] - '0');
    if (h > 24 || m > 59 || (h == 24 && m != 0))
        return -1;
    *p = q + 3;
    return h * 60 + m;
}

/* The days part of a window: a day, a range, "daily", or nothing. */
static bool parse_days(const char **p, unsigned char *days)
{
    if (strncasecmp(*p, "daily", 5) == 0) {
        *p += 5;
        *days = 0x7f;
        return true;
    }
    if (isdigit((unsigned char)**p)) {
        *days = 0x7f;
        return true;
    }
    int a = parse_day(p);
    if (a < 0)
        return false;
    int b = a;
    if (**p == '-') {
        (*p)++;
        b = parse_day(p);
        if (b < 0)
            return false;
    }
    *days = 0;
    for (int d = a;; d = (d + 1) % 7) {
        *days |= (unsigned char)(1u << d);
        if (d == b)
            break;
    }
    return true;
}

static bool fail(char *why, size_t n, int window, const char *what, const char *at)
{
    int len = 0;
    while (at[len] != '\0' && at[len] != ',')
        len++;
    snprintf(why, n, "window %d: expected %s, got '%.*s'", window, what, len > 40 ? 40 : len, at);
    return false;
}

bool kb_schedule_parse(const char *text, struct kb_schedule *s, char *why, size_t why_n)
{
    struct kb_schedule out = {0};
    const char *p = skip_space(text);
    if (*p == '\0') {
        *s = out;
        return true;
    }
    for (int i = 1;; i++) {
        p = skip_space(p);
        if (out.n == KB_SCHEDULE_MAX) {
            snprintf(why, why_n, "more than %d windows", KB_SCHEDULE_MAX);
            return false;
        }
        struct kb_window w;
        const char *at = p;
        if (!parse_days(&p, &w.days))
            return fail(why, why_n, i, "a day (Mon ... Sun), a range (Mon-Fri) or daily", at);
        p = skip_space(p);
        at = p;
        int start = parse_time(&p);
        int end = start >= 0 && *p == '-' ? (p++, parse_time(&p)) : -1;
        if (start < 0 || end < 0)
            return fail(why, why_n, i, "HH:MM-HH:MM", at);
        if (start == 24 * 60)
            return fail(why, why_n, i, "a start before 24:00", at);
        w.start = (short)start;
        w.end = (short)end;
        out.w[out.n++] = w;
        p = skip_space(p);
        if (*p == '\0')
            break;
        if (*p != ',')
            return fail(why, why_n, i, "',' or the end", p);
        p++;
    }
    *s = out;
    return true;
}

/* Is minute `minute` of weekday wday inside window w? A window that runs
 * past midnight covers the start day from start and the next day up to end. */
static bool in_window(const struct kb_window *w, int wday, int minute)
{
    if (w->end > w->start)
        return (w->days & (1u << wday)) && minute >= w->start && minute < w->end;
    int yesterday = (wday + 6) % 7;
    return ((w->days & (1u << wday)) && minute >= w->start) ||
           ((w->days & (1u << yesterday)) && minute < w->end);
}

bool kb_schedule_on(const struct kb_schedule *s, int wday, int minute)
{
    if (s->n == 0)
        return true;
    for (int i = 0; i < s->n; i++)
        if (in_window(&s->w[i], wday, minute))
            return true;
    return false;
}

int kb_schedule_next_change(const struct kb_schedule *s, int wday, int minute)
{
    bool now = kb_schedule_on(s, wday, minute);
    for (int step = 1; step <= 7 * 1440; step++) {
        int m = minute + step;
        if (kb_schedule_on(s, (wday + m / 1440) % 7, m % 1440) != now)
            return step;
    }
    return 7 * 1440;
}
