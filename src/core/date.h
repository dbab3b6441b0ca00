/* Calendar arithmetic without timegm, so no time zone or locale setting
 * can change what a date in a file means. */
#ifndef KB_CORE_DATE_H
#define KB_CORE_DATE_H

#include <stdbool.h>
#include <stdint.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
int64_t kb_days_from_civil(int64_t y, int m, int d);
/* Days in month m (1-12) of year y. */
int kb_days_in_month(int64_t y, int m);

#endif
