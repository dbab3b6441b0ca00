/* The wall's schedule (app/wallplan.h): a pure function of the items and
 * the frame, so any window of it agrees with any other; items never
 * overlap; epochs end clean; joins and ghosts leave what came before in
 * place; breaking news starts at its stamp's frame. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "app/wallplan.h"

#define HZ 60.0
#define EPOCH 18000 /* 300 s */
#define T0 1704067200000LL
#define F0 (T0 / 1000 * 60)

static const struct kb_wall_params P = {
    .hz = HZ, .px_per_frame = 2, .epoch_frames = EPOCH, .area_w = 3000, .gap = 60, .home = -1};

static struct kb_wall_item item(double width, int motion)
{
    return (struct kb_wall_item){.stamp_ms = T0 - 60000, .width = width, .motion = motion};
}

/* Entries a and b of one plan describe the same item at the same place. */
static void assert_same(const struct kb_wall_entry *a, size_t na, const struct kb_wall_entry *b,
                        size_t nb, double from, double to)
{
    size_t i = 0, j = 0;
    while (i < na && a[i].start < from)
        i++;
    while (j < nb && b[j].start < from)
        j++;
    for (; i < na && j < nb && a[i].start <= to && b[j].start <= to; i++, j++) {
        assert_int_equal(a[i].item, b[j].item);
        assert_true(a[i].start == b[j].start);
    }
}

static void test_windows_agree(void **state)
{
    (void)state;
    struct kb_wall_item it[5] = {item(900, -1), item(1500, -1), item(700, -1), item(2100, -1),
                                 item(1200, -1)};
    struct kb_wall_plan a, b;
    /* A tile that has run for an hour and one that just started. */
    kb_wall_plan_make(it, 5, &P, F0 + 3 * EPOCH + 100, F0 + 4 * EPOCH, &a);
    kb_wall_plan_make(it, 5, &P, F0 + 3 * EPOCH + 5000, F0 + 3 * EPOCH + 9000, &b);
    assert_true(a.n_normal > 10);
    assert_true(b.n_normal > 2);
    assert_same(a.normal, a.n_normal, b.normal, b.n_normal, (F0 + 3 * EPOCH + 5000) * 2.0,
                (F0 + 3 * EPOCH + 9000) * 2.0);
    kb_wall_plan_release(&a);
    kb_wall_plan_release(&b);
}

static void test_no_overlap_and_clean_epochs(void **state)
{
    (void)state;
    struct kb_wall_item it[4] = {item(900, -1), item(1500, +1), item(700, -1), item(2100, +1)};
    struct kb_wall_plan pl;
    kb_wall_plan_make(it, 4, &P, F0, F0 + 3 * EPOCH, &pl);
    assert_true(pl.n_normal > 20);
    for (size_t i = 0; i + 1 < pl.n_normal; i++) {
        const struct kb_wall_entry *e = &pl.normal[i], *f = &pl.normal[i + 1];
        double need = it[e->item].motion == it[f->item].motion ? P.gap : P.area_w;
        assert_true(f->start >= e->start + it[e->item].width + need - 1e-6);
        /* No item crosses into the next epoch. */
        int64_t k = (int64_t)floor(e->start / 2.0) / EPOCH;
        double tail = it[e->item].motion == P.home ? P.gap : P.area_w;
        assert_true(e->start + it[e->item].width + tail <= (double)(k + 1) * EPOCH * 2.0 + 1e-6);
    }
    /* Each epoch starts on its first frame, with an item moving the home way. */
    for (size_t i = 0; i < pl.n_normal; i++) {
        if (fmod(pl.normal[i].start, EPOCH * 2.0) == 0)
            assert_int_equal(it[pl.normal[i].item].motion, P.home);
    }
    kb_wall_plan_release(&pl);
}

static void test_join_keeps_the_past(void **state)
{
    (void)state;
    struct kb_wall_item it[4] = {item(900, -1), item(1500, -1), item(700, -1), item(1100, -1)};
    int64_t post = T0 + 100000; /* 100 s into the first epoch */
    it[3].stamp_ms = post;
    struct kb_wall_plan with, without;
    kb_wall_plan_make(it, 4, &P, F0, F0 + EPOCH - 1, &with);
    kb_wall_plan_make(it, 3, &P, F0, F0 + EPOCH - 1, &without);
    double j = (double)kb_wall_frame_at(HZ, post) * 2.0;
    /* Before the join both agree; the new item is the first after it. */
    assert_same(with.normal, with.n_normal, without.normal, without.n_normal, 0, j - 1);
    size_t k = 0;
    while (k < with.n_normal && with.normal[k].start < j)
        k++;
    assert_true(k < with.n_normal);
    assert_int_equal(with.normal[k].item, 3);
    /* And it never shows before its stamp. */
    for (size_t i = 0; i < k; i++)
        assert_int_not_equal(with.normal[i].item, 3);
    kb_wall_plan_release(&with);
    kb_wall_plan_release(&without);
}

/* The entries of a and b that start before x are the same. */
static void assert_same_before(const struct kb_wall_plan *a, const struct kb_wall_plan *b, double x)
{
    size_t na = 0, nb = 0;
    while (na < a->n_normal && a->normal[na].start < x)
        na++;
    while (nb < b->n_normal && b->normal[nb].start < x)
        nb++;
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_int_equal(a->normal[i].item, b->normal[i].item);
        assert_true(a->normal[i].start == b->normal[i].start);
    }
}

/* What a tile shows never depends on an item stamped after the frame it is
 * shown at: a tile that learns of a new item a moment before another
 * draws the same frames (the live wall test caught an epoch's spacing that
 * changed, on screen, when an item of later in the epoch arrived). Many
 * spools, posts anywhere in an epoch, on its first frame and its last. */
static void test_later_items_change_nothing_earlier(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    for (int round = 0; round < 300; round++) {
        struct kb_wall_item it[7];
        seed = seed * 1103515245u + 12345u;
        size_t old = 1 + (seed >> 16) % 5;
        for (size_t i = 0; i <= old; i++) {
            seed = seed * 1103515245u + 12345u;
            it[i] = item(300 + (double)((seed >> 12) % 2500), (seed >> 8) % 4 == 0 ? +1 : -1);
        }
        seed = seed * 1103515245u + 12345u;
        int64_t at = round % 3 == 0   ? 0
                     : round % 3 == 1 ? EPOCH - 1
                                      : (int64_t)((seed >> 10) % EPOCH);
        int64_t epoch = 1 + round % 4;
        it[old].stamp_ms = T0 + (epoch * EPOCH + at) * 1000 / 60;
        int64_t f = kb_wall_frame_at(HZ, it[old].stamp_ms);
        struct kb_wall_plan with, without;
        kb_wall_plan_make(it, old + 1, &P, F0, F0 + 6 * EPOCH, &with);
        kb_wall_plan_make(it, old, &P, F0, F0 + 6 * EPOCH, &without);
        assert_true(without.n_normal > 0);
        assert_same_before(&with, &without, (double)f * P.px_per_frame);
        kb_wall_plan_release(&with);
        kb_wall_plan_release(&without);
    }
}

static void test_ghost_keeps_places(void **state)
{
    (void)state;
    struct kb_wall_item it[3] = {item(900, -1), item(1500, -1), item(700, -1)};
    struct kb_wall_plan a, b;
    kb_wall_plan_make(it, 3, &P, F0, F0 + EPOCH - 1, &a);
    it[1].ghost = true;
    kb_wall_plan_make(it, 3, &P, F0, F0 + EPOCH - 1, &b);
    /* The others stand where they stood; the ghost is never shown. */
    size_t j = 0;
    for (size_t i = 0; i < a.n_normal; i++) {
        if (a.normal[i].item == 1)
            continue;
        assert_true(j < b.n_normal);
        assert_int_equal(a.normal[i].item, b.normal[j].item);
        assert_true(a.normal[i].start == b.normal[j].start);
        j++;
    }
    assert_int_equal(j, b.n_normal);
    kb_wall_plan_release(&a);
    kb_wall_plan_release(&b);
}

static void test_breaking_starts_at_its_frame(void **state)
{
    (void)state;
    struct kb_wall_item it[3] = {item(900, -1), item(1500, -1), item(1300, -1)};
    it[2].breaking = true;
    it[2].stamp_ms = T0 + 42123;
    struct kb_wall_plan pl;
    kb_wall_plan_make(it, 3, &P, F0, F0 + EPOCH - 1, &pl);
    double b = (double)kb_wall_frame_at(HZ, T0 + 42123) * 2.0;
    assert_true(pl.breaking_from == b);
    assert_true(pl.n_breaking > 3);
    assert_true(pl.breaking[0].start == b);
    for (size_t i = 0; i < pl.n_breaking; i++)
        assert_int_equal(pl.breaking[i].item, 2);
    for (size_t i = 0; i < pl.n_normal; i++)
        assert_int_not_equal(pl.normal[i].item, 2);
    kb_wall_plan_release(&pl);
    /* Retracted (a ghost), it takes nothing over. */
    it[2].ghost = true;
    kb_wall_plan_make(it, 3, &P, F0, F0 + EPOCH - 1, &pl);
    assert_true(isinf(pl.breaking_from));
    assert_int_equal(pl.n_breaking, 0);
    kb_wall_plan_release(&pl);
}

/* At an epoch boundary the next epoch never starts with the item the last
 * one ended on, whatever the number of items and their widths (two items
 * of equal width were the common case: every epoch held an even number). */
static void test_no_item_follows_itself(void **state)
{
    (void)state;
    const double widths[6] = {900, 1500, 700, 2100, 1200, 1000};
    for (size_t n = 2; n <= 6; n++) {
        for (int same = 0; same < 2; same++) {
            struct kb_wall_item it[6];
            for (size_t i = 0; i < n; i++)
                it[i] = item(same ? 1000 : widths[i], -1);
            struct kb_wall_plan pl;
            kb_wall_plan_make(it, n, &P, F0, F0 + 12 * EPOCH, &pl);
            assert_true(pl.n_normal > 100);
            size_t boundaries = 0;
            for (size_t i = 0; i + 1 < pl.n_normal; i++) {
                assert_int_not_equal(pl.normal[i].item, pl.normal[i + 1].item);
                boundaries += fmod(pl.normal[i + 1].start, EPOCH * 2.0) == 0;
            }
            assert_true(boundaries >= 11);
            kb_wall_plan_release(&pl);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_windows_agree),
        cmocka_unit_test(test_no_overlap_and_clean_epochs),
        cmocka_unit_test(test_join_keeps_the_past),
        cmocka_unit_test(test_later_items_change_nothing_earlier),
        cmocka_unit_test(test_ghost_keeps_places),
        cmocka_unit_test(test_breaking_starts_at_its_frame),
        cmocka_unit_test(test_no_item_follows_itself),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
