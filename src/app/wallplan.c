#include "app/wallplan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

/* A layout being built: entries in start order, each with the position in
 * its rotation it came from, so a join can go on where it cut. */
struct lay {
    struct kb_wall_entry *e;
    size_t n, cap;
};

/* Bounds the work of one layout however small the items are. */
#define LAY_MAX 100000

int64_t kb_wall_frame_at(double hz, int64_t t_ms)
{
    return (int64_t)ceil((double)t_ms * hz / 1000.0 - 1e-6);
}

static void lay_push(struct lay *l, size_t item, double start)
{
    if (l->n == l->cap) {
        l->cap = l->cap * 2 + 16;
        l->e = kb_xreallocarray(l->e, l->cap, sizeof(*l->e));
    }
    l->e[l->n++] = (struct kb_wall_entry){item, start};
}

/* The space after item a when b comes next: a gap if they move the same
 * way, else the whole area, so a leaves before b enters from its side. */
static double sep(const struct kb_wall_item *it, size_t a, size_t b, const struct kb_wall_params *p)
{
    return it[a].motion == it[b].motion ? p->gap : p->area_w;
}

/* The space an item needs after it at the end of an epoch: a gap if it
 * moves the home way (the next epoch starts with such an item), else the
 * whole area. */
static double tail(const struct kb_wall_item *it, size_t a, const struct kb_wall_params *p)
{
    return it[a].motion == p->home ? p->gap : p->area_w;
}

/* A rotation: first (shown once, in order), then set from set[at]
 * round and round. */
struct seq {
    const size_t *first;
    size_t n_first;
    const size_t *set;
    size_t n_set, at;
};

static size_t seq_item(const struct seq *s, size_t i)
{
    if (i < s->n_first)
        return s->first[i];
    return s->set[(s->at + i - s->n_first) % s->n_set];
}

/* Lays s out from pos, each item whole before `to` (with its tail), and
 * with justify spreads what is left over the gaps after each. With
 * justify the epoch does not end on item `avoid` (the next epoch's first,
 * SIZE_MAX for none) while another item is laid: one item fewer, its
 * room spread over the gaps, so no item follows itself at the boundary. */
static void lay_run(const struct kb_wall_item *it, const struct kb_wall_params *p,
                    const struct seq *s, double pos, double to, bool justify, size_t avoid,
                    struct lay *out)
{
    if (s->n_first + s->n_set == 0)
        return;
    size_t a = out->n;
    for (size_t i = 0; out->n < LAY_MAX; i++) {
        if (i >= s->n_first && s->n_set == 0)
            break;
        size_t k = seq_item(s, i);
        if (pos + it[k].width + tail(it, k, p) > to)
            break;
        lay_push(out, k, pos);
        size_t next = i + 1 < s->n_first || s->n_set > 0 ? seq_item(s, i + 1) : k;
        pos += it[k].width + sep(it, k, next, p);
    }
    if (justify && out->n >= 2 && out->n > a && out->e[out->n - 1].item == avoid)
        out->n--;
    size_t m = out->n - a;
    if (!justify || m == 0)
        return;
    const struct kb_wall_entry *last = &out->e[out->n - 1];
    double left = to - (last->start + it[last->item].width + tail(it, last->item, p));
    for (size_t i = 0; i < m && left > 0; i++)
        out->e[a + i].start += floor(left * (double)i / (double)m);
}

/* Index of x in set (set holds it), or 0. */
static size_t index_in(const size_t *set, size_t n, size_t x)
{
    for (size_t i = 0; i < n; i++) {
        if (set[i] == x)
            return i;
    }
    return 0;
}

/* Lays out again from the first entry at or after px: the joined items
 * first, then the rotation of set (which holds them) going on from the
 * item that was cut. */
static void lay_join(const struct kb_wall_item *it, const struct kb_wall_params *p,
                     const size_t *joined, size_t nj, const size_t *set, size_t ns, double px,
                     double to, bool justify, size_t avoid, struct lay *l)
{
    size_t j = 0;
    while (j < l->n && l->e[j].start < px)
        j++;
    size_t at = 0;
    if (j < l->n)
        at = index_in(set, ns, l->e[j].item);
    else if (j > 0)
        at = (index_in(set, ns, l->e[j - 1].item) + 1) % (ns ? ns : 1);
    /* Never before px: the joined item would enter the screen before its
     * frame, where a tile that had not learnt of it yet drew the gap. */
    double pos = px;
    if (j > 0) {
        const struct kb_wall_entry *prev = &l->e[j - 1];
        pos = fmax(px, prev->start + it[prev->item].width + sep(it, prev->item, joined[0], p));
    }
    l->n = j;
    struct seq s = {joined, nj, set, ns, at};
    lay_run(it, p, &s, pos, to, justify, avoid, l);
}

/* Items (by kind) whose stamp's frame is at most f, in published order. */
static size_t set_upto(const struct kb_wall_item *it, size_t n, const struct kb_wall_params *p,
                       bool breaking, int64_t lo, int64_t f, size_t *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t fi = kb_wall_frame_at(p->hz, it[i].stamp_ms);
        if (it[i].breaking == breaking && fi >= lo && fi <= f)
            out[m++] = i;
    }
    return m;
}

/* The frames at which items of this kind join between lo (exclusive) and
 * hi (exclusive), in order, without repeats. */
static size_t join_frames(const struct kb_wall_item *it, size_t n, const struct kb_wall_params *p,
                          bool breaking, int64_t lo, int64_t hi, int64_t *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t fi = kb_wall_frame_at(p->hz, it[i].stamp_ms);
        if (it[i].breaking != breaking || fi <= lo || fi >= hi)
            continue;
        size_t k = m;
        while (k > 0 && out[k - 1] > fi)
            k--;
        if (k > 0 && out[k - 1] == fi)
            continue;
        memmove(out + k + 1, out + k, (m - k) * sizeof(*out));
        out[k] = fi;
        m++;
    }
    return m;
}

/* The items of this kind whose frame is exactly f. */
static size_t set_at(const struct kb_wall_item *it, size_t n, const struct kb_wall_params *p,
                     bool breaking, int64_t f, size_t *out)
{
    return set_upto(it, n, p, breaking, f, f, out);
}

/* Where a rotation of set (ns items) that is to start near first_at
 * starts: the first item from there moving the home way. */
static size_t rotation_start(const struct kb_wall_item *it, const struct kb_wall_params *p,
                             const size_t *set, size_t ns, size_t first_at)
{
    size_t at = first_at % ns;
    for (size_t k = 0; k < ns; k++) {
        if (it[set[(at + k) % ns]].motion == p->home)
            return (at + k) % ns;
    }
    return at;
}

/* The item the epoch after this one starts with, as the items stamped up
 * to frame f know it (SIZE_MAX when fewer than two): what a layout made
 * at f must not end on. */
static size_t next_first(const struct kb_wall_item *it, size_t n, const struct kb_wall_params *p,
                         int64_t lo, int64_t f, size_t next_at, size_t *set)
{
    size_t nn = set_upto(it, n, p, false, lo, f, set);
    return nn > 1 ? set[rotation_start(it, p, set, nn, next_at)] : SIZE_MAX;
}

/* Lays out one kind from frame `start` to frame `end`: the items stamped
 * from lo up to frame `init` (start or just before it) from the start,
 * then the joins of those stamped after init and before end. With justify
 * (an epoch), the epoch from `end` on starts at rotation next_at, and each
 * part is laid out so as not to end on that epoch's first item as the
 * items known at the part's own frame tell it: a layout never depends on
 * an item stamped after the frame it is made at, so an item learnt of a
 * moment late changes nothing already on the screen. */
static void lay_span(const struct kb_wall_item *it, size_t n, const struct kb_wall_params *p,
                     bool breaking, int64_t lo, int64_t init, int64_t start, int64_t end,
                     size_t first_at, size_t next_at, bool justify, struct lay *l)
{
    size_t *set = kb_xcalloc(n + 1, sizeof(*set)), *joined = kb_xcalloc(n + 1, sizeof(*joined));
    int64_t *joins = kb_xcalloc(n + 1, sizeof(*joins));
    double to = (double)end * p->px_per_frame;
    size_t avoid = justify ? next_first(it, n, p, lo, init, next_at, set) : SIZE_MAX;
    size_t ns = set_upto(it, n, p, breaking, lo, init, set);
    if (ns > 0) {
        struct seq s = {NULL, 0, set, ns, rotation_start(it, p, set, ns, first_at)};
        lay_run(it, p, &s, (double)start * p->px_per_frame, to, justify, avoid, l);
    }
    size_t nj = join_frames(it, n, p, breaking, init, end, joins);
    for (size_t k = 0; k < nj; k++) {
        if (justify)
            avoid = next_first(it, n, p, lo, joins[k], next_at, set);
        size_t m = set_at(it, n, p, breaking, joins[k], joined);
        ns = set_upto(it, n, p, breaking, lo, joins[k], set);
        lay_join(it, p, joined, m, set, ns, (double)joins[k] * p->px_per_frame, to, justify, avoid,
                 l);
    }
    free(set);
    free(joined);
    free(joins);
}

/* Copies the entries of l that are on the crawl between px from and to,
 * ghosts left out. */
static void keep(const struct kb_wall_item *it, const struct kb_wall_params *p, const struct lay *l,
                 double from, double to, struct kb_wall_entry **out, size_t *n)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct kb_wall_entry *e = &l->e[i];
        if (it[e->item].ghost || e->start > to || e->start + it[e->item].width + p->area_w < from)
            continue;
        *out = kb_xreallocarray(*out, *n + 1, sizeof(**out));
        (*out)[(*n)++] = *e;
    }
}

static void plan_breaking(const struct kb_wall_item *it, size_t n, const struct kb_wall_params *p,
                          int64_t from, int64_t to, struct kb_wall_plan *plan)
{
    int64_t run = INT64_MAX;
    for (size_t i = 0; i < n; i++) {
        int64_t fi = kb_wall_frame_at(p->hz, it[i].stamp_ms);
        if (it[i].breaking && !it[i].ghost && fi < run)
            run = fi;
    }
    if (run == INT64_MAX || run > to)
        return;
    plan->breaking_from = (double)run * p->px_per_frame;
    struct lay l = {0};
    lay_span(it, n, p, true, run, run, run, to + 1, 0, 0, false, &l);
    keep(it, p, &l, (double)from * p->px_per_frame, (double)to * p->px_per_frame, &plan->breaking,
         &plan->n_breaking);
    free(l.e);
}

void kb_wall_plan_make(const struct kb_wall_item *items, size_t n, const struct kb_wall_params *p,
                       int64_t from, int64_t to, struct kb_wall_plan *plan)
{
    memset(plan, 0, sizeof(*plan));
    plan->breaking_from = INFINITY;
    if (p->epoch_frames <= 0 || p->px_per_frame <= 0)
        return;
    int64_t ef = p->epoch_frames;
    int64_t k0 = (from >= 0 ? from / ef : (from - ef + 1) / ef) - 1;
    int64_t k1 = to >= 0 ? to / ef : (to - ef + 1) / ef;
    for (int64_t k = k0; k <= k1; k++) {
        struct lay l = {0};
        size_t first_at = (size_t)(k < 0 ? -k : k), next_at = (size_t)(k + 1 < 0 ? -k - 1 : k + 1);
        /* An item stamped on an epoch's first frame joins it, like any
         * other stamped within it: the epoch before never knew of it. */
        lay_span(items, n, p, false, INT64_MIN, k * ef - 1, k * ef, (k + 1) * ef, first_at, next_at,
                 true, &l);
        keep(items, p, &l, (double)from * p->px_per_frame, (double)to * p->px_per_frame,
             &plan->normal, &plan->n_normal);
        free(l.e);
    }
    plan_breaking(items, n, p, from, to, plan);
}

void kb_wall_plan_release(struct kb_wall_plan *plan)
{
    free(plan->normal);
    free(plan->breaking);
    memset(plan, 0, sizeof(*plan));
}
