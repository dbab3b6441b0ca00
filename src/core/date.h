/* Dates, parsed and formatted in one place: the spool's strict RFC 3339,
 * the ISO 8601 and RFC 822 dialects feeds write, and RFC 3339 out in UTC.
 * Calendar arithmetic is done by hand, without timegm or gmtime, so no time
 * zone or locale setting can change what a date in a file means. Pure
 * functions: no I/O, no global state, nothing allocated. */
#ifndef KB_CORE_DATE_H
#define KB_CORE_DATE_H

#include <stdbool.h>
#include <stdint.h>

/* Room for kb_date_format_rfc3339's text and its NUL ("2024-03-05T09:00:00Z"
 * is 20 bytes; the rest is slack). */
#define KB_DATE_RFC3339_SIZE 32

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
int64_t kb_days_from_civil(int64_t y, int m, int d);
/* Days in month m (1-12) of year y. */
int kb_days_in_month(int64_t y, int m);

/* Parses a strict RFC 3339 date-time, as the spool requires
 * ("2021-11-19T10:00:00+07:00", "...Z"; "t" and "z" may be lower case;
 * fractions of a second are accepted and dropped; a leap second counts as
 * the next minute's first). Years 0000-9999. Into Unix seconds. */
bool kb_date_parse_rfc3339(const char *s, int64_t *out);

/* Parses an ISO 8601 date as Atom, RSS 1.0 (dc:date) and JSON Feed write
 * it: RFC 3339, and also "2024-03-05 10:00:00", no zone (UTC), "+0100",
 * minutes only, or a date alone (midnight UTC). Years 1900-9999. */
bool kb_date_parse_iso8601(const char *s, int64_t *out);

/* Parses an RFC 822 / RFC 2822 date as RSS writes it ("Tue, 05 Mar 2024
 * 10:00:00 +0100"), with the usual slips: no weekday, no seconds, a
 * two-digit year, zone names (GMT, UT, EST ... PDT), "+01:00", no zone
 * (UTC), a trailing comment. Years 1900-9999. */
bool kb_date_parse_rfc822(const char *s, int64_t *out);

/* kb_date_parse_iso8601, else kb_date_parse_rfc822: what a feed's date
 * field may hold. */
bool kb_date_parse(const char *s, int64_t *out);

/* Formats Unix seconds as RFC 3339 in UTC ("2024-03-05T09:00:00Z") into out.
 * Times before 1970 or after 9999-12-31T23:59:59Z are clamped to those
 * ends, so the text is always a date the parsers above read back. */
void kb_date_format_rfc3339(int64_t t, char out[KB_DATE_RFC3339_SIZE]);

#endif
