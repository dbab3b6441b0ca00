#include "app/tally.h"

#include <string.h>

void kb_tally_add(struct kb_tally *t, size_t v)
{
    t->total++;
    if (v > t->max)
        t->max = v;
    size_t i = 0;
    while (i < t->n && t->value[i] < v)
        i++;
    if (i < t->n && t->value[i] == v) {
        t->count[i]++;
        return;
    }
    if (t->n == KB_TALLY_MAX) {
        /* Full: the nearer of the neighbours takes it. */
        size_t j = i == t->n                                ? i - 1
                   : i == 0                                 ? 0
                   : v - t->value[i - 1] <= t->value[i] - v ? i - 1
                                                            : i;
        t->count[j]++;
        return;
    }
    memmove(&t->value[i + 1], &t->value[i], (t->n - i) * sizeof(t->value[0]));
    memmove(&t->count[i + 1], &t->count[i], (t->n - i) * sizeof(t->count[0]));
    t->value[i] = v;
    t->count[i] = 1;
    t->n++;
}

size_t kb_tally_p50(const struct kb_tally *t)
{
    if (t->total == 0)
        return 0;
    uint64_t want = (t->total - 1) / 2 + 1, acc = 0;
    for (size_t i = 0; i < t->n; i++) {
        acc += t->count[i];
        if (acc >= want)
            return t->value[i];
    }
    return t->max;
}
