/* A tally of sizes seen once a frame (bytes presented), for the stats'
 * median and maximum: exact counts of each distinct value, which a ticker
 * has few of (the bar, the bar and the panel, the whole screen). Past
 * KB_TALLY_MAX distinct values, a new one counts towards the nearest kept
 * value (its maximum stays exact). A plain value the caller owns. */
#ifndef KB_APP_TALLY_H
#define KB_APP_TALLY_H

#include <stddef.h>
#include <stdint.h>

#define KB_TALLY_MAX 64

struct kb_tally {
    size_t n; /* distinct values kept, sorted ascending */
    size_t value[KB_TALLY_MAX];
    uint64_t count[KB_TALLY_MAX];
    uint64_t total;
    size_t max;
};

void kb_tally_add(struct kb_tally *t, size_t v);
/* The median of what was added (the lower one of an even count); 0 if nothing. */
size_t kb_tally_p50(const struct kb_tally *t);

#endif
