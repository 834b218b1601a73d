/* SPDX-License-Identifier: MIT */
/* test_clock.c: virtual time in icount and realtime modes, timer ordering and deadlines. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <time.h>
#include <cmocka.h>
#include "machine/clock.h"

static int order[8], norder;
static void cb_record(void *opaque) { order[norder++] = (int)(intptr_t)opaque; }

static void test_icount_time(void **state)
{
    (void)state;
    struct clock *c = clock_new_icount(3);
    assert_int_equal(clock_ns(c), 0);
    clock_advance_insns(c, 5);
    assert_int_equal(clock_ns(c), 40);
    clock_pause(c);                 /* no effect in icount mode */
    clock_advance_insns(c, 1);
    assert_int_equal(clock_ns(c), 48);
    assert_true(clock_wallclock_ns(c) == 946684800ll * CLOCK_NS_PER_SEC + 48);
    clock_set_wallclock_base(c, 1000);
    assert_int_equal(clock_wallclock_ns(c), 1048);
    clock_free(c);
}

static void test_timers_order_and_deadline(void **state)
{
    (void)state;
    struct clock *c = clock_new_icount(0);
    struct timer *a = clock_timer_new(c, cb_record, (void *)1);
    struct timer *b = clock_timer_new(c, cb_record, (void *)2);
    struct timer *d = clock_timer_new(c, cb_record, (void *)3);
    norder = 0;
    assert_true(clock_next_deadline(c) == CLOCK_NEVER);
    timer_mod(a, 300);
    timer_mod(b, 100);
    timer_mod(d, 200);
    assert_int_equal(clock_next_deadline(c), 100);
    assert_int_equal(clock_insns_to_deadline(c), 100);
    timer_mod(b, 400);              /* re-arm moves it */
    assert_int_equal(clock_next_deadline(c), 200);
    timer_del(d);
    assert_false(timer_pending(d));
    clock_advance_ns(c, 299);
    assert_int_equal(clock_run_timers(c), 0);
    clock_advance_insns(c, 1);
    assert_int_equal(clock_run_timers(c), 1);
    assert_int_equal(order[0], 1);
    clock_warp_to_deadline(c);
    assert_int_equal(clock_ns(c), 400);
    assert_int_equal(clock_run_timers(c), 1);
    assert_int_equal(order[1], 2);
    assert_int_equal(norder, 2);
    timer_free(a);
    timer_free(b);
    timer_free(d);
    clock_free(c);
}

/* A timer that re-arms itself each period, like a periodic device. */
struct ticker { struct timer *t; int64_t period; int count; };
static void tick(void *opaque)
{
    struct ticker *k = opaque;
    k->count++;
    timer_mod(k->t, timer_deadline(k->t) == CLOCK_NEVER ?
              clock_ns(timer_clock(k->t)) + k->period : 0);
}

static void test_periodic_rearm(void **state)
{
    (void)state;
    struct clock *c = clock_new_icount(1);
    struct ticker k = { NULL, 1000, 0 };
    k.t = clock_timer_new(c, tick, &k);
    timer_mod(k.t, 1000);
    for (int i = 0; i < 10000; i++) {
        clock_advance_insns(c, 1);
        clock_run_timers(c);
    }
    assert_int_equal(clock_ns(c), 20000);
    assert_int_equal(k.count, 20);
    timer_free(k.t);
    clock_free(c);
}

static void test_realtime_pause(void **state)
{
    (void)state;
    struct clock *c = clock_new_realtime();
    struct timespec ts = { 0, 2000000 };
    nanosleep(&ts, NULL);
    int64_t t1 = clock_ns(c);
    assert_true(t1 >= 2000000);
    clock_pause(c);
    int64_t p = clock_ns(c);
    nanosleep(&ts, NULL);
    assert_int_equal(clock_ns(c), p);
    clock_resume(c);
    nanosleep(&ts, NULL);
    int64_t t2 = clock_ns(c);
    assert_true(t2 >= p + 2000000);
    assert_true(t2 < p + 2000000 + 500000000);   /* the paused time was not counted back */
    assert_true(clock_wallclock_base(c) > 1500000000ll * CLOCK_NS_PER_SEC);
    clock_free(c);
}

static void test_tick_conversion(void **state)
{
    (void)state;
    assert_int_equal(clock_ns_to_ticks(CLOCK_NS_PER_SEC, 1193182), 1193182);
    assert_int_equal(clock_ns_to_ticks(838, 1193182), 0);
    assert_int_equal(clock_ns_to_ticks(839, 1193182), 1);
    assert_int_equal(clock_ticks_to_ns(1, 1193182), 839);
    for (uint64_t t = 0; t < 5000; t += 7)
        assert_int_equal(clock_ns_to_ticks(clock_ticks_to_ns(t, 1193182), 1193182), t);
}

static int hook_calls;
static int64_t hook_deadline;
static void on_deadline(void *o, int64_t d) { (void)o; hook_calls++; hook_deadline = d; }
static void cb_rearm_early(void *opaque)
{
    struct timer *t = opaque;
    timer_mod(t, 1);                            /* inside run_timers: no hook */
}

static void test_deadline_hook(void **state)
{
    (void)state;
    struct clock *c = clock_new_icount(0);
    clock_set_deadline_hook(c, on_deadline, NULL);
    struct timer *a = clock_timer_new(c, cb_record, (void *)1);
    struct timer *b = clock_timer_new(c, cb_record, (void *)2);
    timer_mod(a, 1000);
    assert_int_equal(hook_calls, 1);
    timer_mod(b, 2000);                         /* later: the budget stands */
    assert_int_equal(hook_calls, 1);
    timer_mod(b, 500);
    assert_int_equal(hook_calls, 2);
    assert_int_equal(hook_deadline, 500);
    struct timer *r = clock_timer_new(c, cb_rearm_early, NULL);
    timer_free(r);
    r = clock_timer_new(c, cb_rearm_early, b);
    timer_mod(r, 100);
    assert_int_equal(hook_calls, 3);
    clock_advance_ns(c, 100);
    clock_run_timers(c);
    assert_int_equal(hook_calls, 3);
    timer_free(a);
    timer_free(b);
    timer_free(r);
    clock_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_icount_time),
        cmocka_unit_test(test_timers_order_and_deadline),
        cmocka_unit_test(test_periodic_rearm),
        cmocka_unit_test(test_realtime_pause),
        cmocka_unit_test(test_tick_conversion),
        cmocka_unit_test(test_deadline_hook),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
