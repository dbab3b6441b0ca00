/* The render loop's pacing: given frame times, which frame comes next,
 * which frames count as dropped, when the loop stops and sleeps, and when
 * it stops trusting vsync. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "app/pace.h"

#define HZ 50.0
#define T0 1000.0

static void test_virtual_clock_counts_frames(void **state)
{
    (void)state;
    struct kb_pace p;
    kb_pace_init(&p, HZ, T0, true, true);
    for (uint64_t n = 0; n < 10; n++) {
        assert_int_equal(p.frame, n);
        /* However late the present, the virtual clock drops nothing... */
        assert_false(kb_pace_presented(&p, n, T0 + 10.0 * (double)n));
        /* ...never sleeps... */
        double until = -1;
        assert_false(kb_pace_sleep(&p, n, &until));
        /* ...and never stops trusting vsync. */
        assert_false(kb_pace_check_vsync(&p, n, 0.0));
        kb_pace_advance(&p, 0);
    }
    assert_int_equal(p.frame, 10);
    assert_true(kb_pace_time(&p) > 10 / HZ - 1e-9 && kb_pace_time(&p) < 10 / HZ + 1e-9);
    assert_true(p.vsync);
}

static void test_real_clock_follows_the_refresh(void **state)
{
    (void)state;
    struct kb_pace p;
    kb_pace_init(&p, HZ, T0, false, true);
    double period = 1 / HZ;
    /* On time: the next frame. */
    kb_pace_advance(&p, T0 + 1.0 * period);
    assert_int_equal(p.frame, 1);
    /* The clock is 3.6 periods in: frame 4, skipping what was missed. */
    kb_pace_advance(&p, T0 + 3.6 * period);
    assert_int_equal(p.frame, 4);
    /* A clock that has not moved on (or went back): still one forward. */
    kb_pace_advance(&p, T0 + 2.0 * period);
    assert_int_equal(p.frame, 5);
}

static void test_dropped_frames(void **state)
{
    (void)state;
    struct kb_pace p;
    kb_pace_init(&p, HZ, T0, false, true);
    double period = 1 / HZ;
    /* The first present is never dropped, however long opening took. */
    assert_false(kb_pace_presented(&p, 0, T0 + 5.0));
    double t = T0 + 5.0;
    assert_false(kb_pace_presented(&p, 1, t += period));
    assert_false(kb_pace_presented(&p, 2, t += 1.4 * period));
    assert_true(kb_pace_presented(&p, 3, t += 1.6 * period));
    /* Measured from the present before, not from the start. */
    assert_false(kb_pace_presented(&p, 4, t += period));
}

static void test_sleeps_only_without_vsync(void **state)
{
    (void)state;
    struct kb_pace p;
    double until = -1;
    kb_pace_init(&p, HZ, T0, false, true);
    assert_false(kb_pace_sleep(&p, 3, &until));
    kb_pace_init(&p, HZ, T0, false, false);
    assert_true(kb_pace_sleep(&p, 3, &until));
    /* Pass 3 ends where pass 4 begins on the refresh grid from t0. */
    assert_true(until > T0 + 4 / HZ - 1e-9 && until < T0 + 4 / HZ + 1e-9);
}

static void test_false_vsync_is_found(void **state)
{
    (void)state;
    struct kb_pace p;
    kb_pace_init(&p, HZ, T0, false, true);
    /* Presents that come back in a tenth of a period: no vsync wait. */
    for (uint64_t n = 0; n < KB_PACE_VSYNC_PROBE - 1; n++)
        assert_false(kb_pace_check_vsync(&p, n, 0.1 / HZ));
    assert_true(p.vsync);
    assert_true(kb_pace_check_vsync(&p, KB_PACE_VSYNC_PROBE - 1, 0.1 / HZ));
    assert_false(p.vsync);
    /* Pacing by the clock from here on. */
    double until;
    assert_true(kb_pace_sleep(&p, KB_PACE_VSYNC_PROBE, &until));
}

static void test_true_vsync_is_kept(void **state)
{
    (void)state;
    struct kb_pace p;
    kb_pace_init(&p, HZ, T0, false, true);
    /* Exactly KB_PACE_VSYNC_FAST fast presents is not more than it. */
    for (uint64_t n = 0; n < KB_PACE_VSYNC_PROBE; n++) {
        double frame_s = n < KB_PACE_VSYNC_FAST ? 0.1 / HZ : 1 / HZ;
        assert_false(kb_pace_check_vsync(&p, n, frame_s));
    }
    assert_true(p.vsync);
    /* Past the probe, even fast presents change nothing. */
    for (uint64_t n = KB_PACE_VSYNC_PROBE; n < 3 * KB_PACE_VSYNC_PROBE; n++)
        assert_false(kb_pace_check_vsync(&p, n, 0.0));
    assert_true(p.vsync);
}

static void test_stop_and_last_frame(void **state)
{
    (void)state;
    struct kb_pace p;
    kb_pace_init(&p, HZ, T0, true, true);
    /* --frames 3: passes 0..2 run, pass 2 is the last. */
    assert_false(kb_pace_done(&p, 2, 3, 0));
    assert_false(kb_pace_last(&p, 1, 3, 0));
    assert_true(kb_pace_last(&p, 2, 3, 0));
    assert_true(kb_pace_done(&p, 3, 3, 0));
    /* --seconds 0.09 at 50 Hz: frames 0..4 run, frame 4 is the last. */
    for (int i = 0; i < 3; i++)
        kb_pace_advance(&p, 0);
    assert_false(kb_pace_last(&p, 3, 0, 0.09));
    kb_pace_advance(&p, 0);
    assert_false(kb_pace_done(&p, 4, 0, 0.09));
    assert_true(kb_pace_last(&p, 4, 0, 0.09));
    kb_pace_advance(&p, 0);
    assert_true(kb_pace_done(&p, 5, 0, 0.09));
    /* No limits: never done, never last. */
    assert_false(kb_pace_done(&p, 1000000, 0, 0));
    assert_false(kb_pace_last(&p, 1000000, 0, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_virtual_clock_counts_frames),
        cmocka_unit_test(test_real_clock_follows_the_refresh),
        cmocka_unit_test(test_dropped_frames),
        cmocka_unit_test(test_sleeps_only_without_vsync),
        cmocka_unit_test(test_false_vsync_is_found),
        cmocka_unit_test(test_true_vsync_is_kept),
        cmocka_unit_test(test_stop_and_last_frame),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
