/* display_schedule: the hours a screen shows the ticker, e.g.
 * "Mon-Fri 07:00-20:00, Sat 09:00-13:00" (docs/config.md). Outside them
 * kabar shows black at about one frame a second and, where it can, turns
 * the display off (app/blank.c).
 *
 * A schedule is a comma-separated list of windows, each "DAYS HH:MM-HH:MM":
 * DAYS is a day (Mon ... Sun), a range (Mon-Fri, Fri-Mon wraps), "daily" or
 * omitted (every day). A window ending at or before its start runs past
 * midnight into the next day ("Fri 22:00-02:00" includes Saturday 01:00).
 * "24:00" ends a window at midnight. An empty schedule is always on.
 *
 * Plain values, no allocation: a struct kb_schedule is the caller's. */
#ifndef KB_APP_SCHEDULE_H
#define KB_APP_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>

#define KB_SCHEDULE_MAX 16

struct kb_schedule {
    int n;
    struct kb_window {
        unsigned char days; /* bit d set: starts on weekday d (0 = Sunday, as tm_wday) */
        short start, end;   /* minutes since midnight; end <= start: ends the next day */
    } w[KB_SCHEDULE_MAX];
};

/* Parses text into *s. On an error returns false and writes why into
 * why[0..why_n) ("window 2: expected HH:MM-HH:MM, got '7-20'"). */
bool kb_schedule_parse(const char *text, struct kb_schedule *s, char *why, size_t why_n);

/* True if the screen shows the ticker at weekday wday (0 = Sunday) and
 * minute `minute` since midnight, local time. Always true for an empty
 * schedule. */
bool kb_schedule_on(const struct kb_schedule *s, int wday, int minute);

/* Minutes from (wday, minute) to the next change of kb_schedule_on, at most
 * a week (7 * 1440) when it never changes. */
int kb_schedule_next_change(const struct kb_schedule *s, int wday, int minute);

#endif
