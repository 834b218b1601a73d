/* SPDX-License-Identifier: MIT */
/* test_pit.c: 8254 through the I/O bus on a deterministic clock: modes, IRQ0 timing, latches. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "hw/pit.h"

struct rig {
    struct bus *io;
    struct clock *clock;
    struct pit *pit;
    struct irq_line line;
    int level, rises;
    int64_t last_rise;
};

static void irq_rec(void *opaque, int n, int level)
{
    struct rig *r = opaque;
    if (level && !r->level) {
        r->rises++;
        r->last_rise = clock_ns(r->clock);
    }
    r->level = level;
}

static int setup(void **state)
{
    static struct rig r;
    r = (struct rig){ 0 };
    r.io = bus_new("io", 0xffff);
    r.clock = clock_new_icount(0);
    r.line = irq_line_make(irq_rec, &r, 0);
    r.pit = pit_init(r.io, r.clock, 0x40, 0x61, &r.line);
    *state = &r;
    return r.pit ? 0 : -1;
}

static int teardown(void **state)
{
    struct rig *r = *state;
    pit_free(r->pit);
    clock_free(r->clock);
    bus_free(r->io);
    return 0;
}

static void out8(struct rig *r, uint16_t port, uint8_t v) { bus_write(r->io, port, v, 1); }
static uint8_t in8(struct rig *r, uint16_t port) { return (uint8_t)bus_read(r->io, port, 1); }

/* Runs the clock to absolute time t, firing timers at their deadlines. */
static void run_to(struct rig *r, int64_t t)
{
    while (clock_next_deadline(r->clock) <= t) {
        int64_t d = clock_next_deadline(r->clock);
        clock_advance_ns(r->clock, d - clock_ns(r->clock));
        clock_run_timers(r->clock);
    }
    clock_advance_ns(r->clock, t - clock_ns(r->clock));
    clock_run_timers(r->clock);
}

#define NS_PER_SEC_TEST 1000000000ll

static int64_t tick_ns(uint64_t t) { return clock_ticks_to_ns(t, PIT_FREQ_HZ); }

static uint16_t read16(struct rig *r, uint16_t port)
{
    uint8_t lo = in8(r, port);
    return (uint16_t)(lo | in8(r, port) << 8);
}

static void test_mode2_periodic_irq(void **state)
{
    struct rig *r = *state;
    out8(r, 0x43, 0x34);                    /* ch0, lo/hi, mode 2 */
    out8(r, 0x40, 1193 & 0xff);
    out8(r, 0x40, 1193 >> 8);
    assert_int_equal(r->level, 1);          /* OUT goes high on the control word */
    r->rises = 0;
    run_to(r, tick_ns(1192) - 1);
    assert_int_equal(r->level, 1);
    run_to(r, tick_ns(1192));
    assert_int_equal(r->level, 0);          /* low for the count of 1 */
    run_to(r, tick_ns(1193) - 1);
    assert_int_equal(r->rises, 0);
    run_to(r, tick_ns(1193));
    assert_int_equal(r->rises, 1);
    assert_int_equal(r->last_rise, tick_ns(1193));
    run_to(r, 100 * 1000 * 1000);           /* 100 ms */
    assert_int_equal(r->rises, 100);        /* 1193 ticks = 0.99985 ms */
    assert_int_equal(r->last_rise, tick_ns(1193 * 100));
}

static void test_mode0_one_shot_and_latch(void **state)
{
    struct rig *r = *state;
    out8(r, 0x43, 0x30);                    /* ch0, lo/hi, mode 0 */
    assert_int_equal(r->level, 0);
    out8(r, 0x40, 100);
    out8(r, 0x40, 0);
    run_to(r, tick_ns(50));
    out8(r, 0x43, 0x00);                    /* latch ch0 */
    run_to(r, tick_ns(60));
    assert_int_equal(read16(r, 0x40), 50);  /* the latched value */
    assert_int_equal(read16(r, 0x40), 40);  /* live */
    run_to(r, tick_ns(100) - 1);
    assert_int_equal(r->level, 0);
    run_to(r, tick_ns(100));
    assert_int_equal(r->level, 1);
    assert_int_equal(r->rises, 1);
    run_to(r, tick_ns(70000));
    assert_int_equal(r->rises, 1);          /* no reload in mode 0 */
    /* The counter keeps wrapping: 0 - (70000 - 100) mod 65536. */
    assert_int_equal(read16(r, 0x40), (uint16_t)(100 - 70000));
}

static void test_mode3_square_wave(void **state)
{
    struct rig *r = *state;
    out8(r, 0x43, 0x36);                    /* ch0, lo/hi, mode 3 */
    out8(r, 0x40, 10);
    out8(r, 0x40, 0);
    r->rises = 0;
    assert_true(pit_out(r->pit, 0));
    run_to(r, tick_ns(4));
    assert_true(pit_out(r->pit, 0));
    assert_int_equal(pit_count(r->pit, 0), 2);
    run_to(r, tick_ns(5));
    assert_false(pit_out(r->pit, 0));
    run_to(r, tick_ns(10));
    assert_true(pit_out(r->pit, 0));
    assert_int_equal(r->rises, 1);
    run_to(r, tick_ns(1000));
    assert_int_equal(r->rises, 100);
    /* Odd count: high for (n+1)/2, low for (n-1)/2. */
    out8(r, 0x43, 0x36);
    out8(r, 0x40, 7);
    out8(r, 0x40, 0);
    int64_t t0 = clock_ns(r->clock);
    int high = 0;
    for (int t = 0; t < 7; t++) {
        run_to(r, t0 + tick_ns(t));
        high += pit_out(r->pit, 0);
    }
    assert_int_equal(high, 4);
}

static void test_readback_and_byte_modes(void **state)
{
    struct rig *r = *state;
    out8(r, 0x43, 0x14);                    /* ch0, lsb only, mode 2 */
    out8(r, 0x40, 0x50);
    assert_int_equal(pit_reload(r->pit, 0), 0x50);
    out8(r, 0x43, 0x60 | 0x0a);             /* ch1, msb only, mode 5 */
    out8(r, 0x41, 0x02);
    assert_int_equal(pit_reload(r->pit, 1), 0x200);
    assert_int_equal(pit_mode(r->pit, 1), 5);
    run_to(r, tick_ns(0x10));
    /* Read-back: status and count of ch0. */
    out8(r, 0x43, 0xc2);
    uint8_t st = in8(r, 0x40);
    assert_int_equal(st & 0x3f, 0x14);      /* rw=1, mode 2, binary */
    assert_int_equal(st & 0x80, 0x80);      /* OUT high in mode 2 */
    assert_int_equal(st & 0x40, 0);         /* count loaded */
    assert_int_equal(in8(r, 0x40), 0x40);   /* 0x50 - 0x10 */
    /* Status only, then a fresh control word shows null count. */
    out8(r, 0x43, 0x34);
    out8(r, 0x43, 0xe2);
    assert_int_equal(in8(r, 0x40) & 0x7f, 0x74);
    /* Mode 6 is mode 2, mode 7 is mode 3. */
    out8(r, 0x43, 0x3c);
    assert_int_equal(pit_mode(r->pit, 0), 2);
    out8(r, 0x43, 0x3e);
    assert_int_equal(pit_mode(r->pit, 0), 3);
}

static void test_bcd(void **state)
{
    struct rig *r = *state;
    out8(r, 0x43, 0x31);                    /* ch0, lo/hi, mode 0, BCD */
    out8(r, 0x40, 0x00);
    out8(r, 0x40, 0x10);                    /* 1000 */
    assert_int_equal(pit_reload(r->pit, 0), 1000);
    run_to(r, tick_ns(1));
    assert_int_equal(read16(r, 0x40), 0x0999);
    run_to(r, tick_ns(1000));
    assert_int_equal(r->rises, 1);
    run_to(r, tick_ns(1001));
    assert_int_equal(read16(r, 0x40), 0x9999);
}

static void test_channel2_gate_port61(void **state)
{
    struct rig *r = *state;
    out8(r, 0x61, 0x00);
    out8(r, 0x43, 0xb0);                    /* ch2, lo/hi, mode 0 */
    out8(r, 0x42, 0xe8);
    out8(r, 0x42, 0x03);                    /* 1000 */
    run_to(r, tick_ns(500));
    assert_int_equal(pit_count(r->pit, 2), 1000);   /* gate low: no counting */
    out8(r, 0x61, 0x01);
    int64_t t0 = clock_ns(r->clock);
    assert_int_equal(in8(r, 0x61) & 0x21, 0x01);
    run_to(r, t0 + tick_ns(400));
    out8(r, 0x61, 0x00);                    /* pause at 600 */
    run_to(r, t0 + tick_ns(5000));
    assert_int_equal(pit_count(r->pit, 2), 600);
    out8(r, 0x61, 0x03);
    t0 = clock_ns(r->clock);
    run_to(r, t0 + tick_ns(599));
    assert_int_equal(in8(r, 0x61) & 0x20, 0);
    run_to(r, t0 + tick_ns(600));
    assert_int_equal(in8(r, 0x61) & 0x23, 0x23);
    /* The refresh bit toggles. */
    int seen = 0;
    for (int i = 0; i < 8; i++) {
        seen |= 1 << ((in8(r, 0x61) >> 4) & 1);
        run_to(r, clock_ns(r->clock) + 7000);
    }
    assert_int_equal(seen, 3);
}

static void test_mode1_gate_trigger(void **state)
{
    struct rig *r = *state;
    out8(r, 0x43, 0xb2);                    /* ch2, lo/hi, mode 1 */
    out8(r, 0x42, 50);
    out8(r, 0x42, 0);
    assert_true(pit_out(r->pit, 2));
    run_to(r, tick_ns(100));
    assert_true(pit_out(r->pit, 2));        /* waits for a trigger */
    out8(r, 0x61, 0x01);
    int64_t t0 = clock_ns(r->clock);
    assert_false(pit_out(r->pit, 2));
    run_to(r, t0 + tick_ns(49));
    assert_false(pit_out(r->pit, 2));
    run_to(r, t0 + tick_ns(50));
    assert_true(pit_out(r->pit, 2));
}

static void test_mode4_strobe_and_mode2_reprogram(void **state)
{
    struct rig *r = *state;
    out8(r, 0x43, 0x38);                    /* ch0, lo/hi, mode 4 */
    out8(r, 0x40, 20);
    out8(r, 0x40, 0);
    r->rises = 0;
    run_to(r, tick_ns(19));
    assert_int_equal(r->level, 1);
    run_to(r, tick_ns(20));
    assert_int_equal(r->level, 0);
    run_to(r, tick_ns(21));
    assert_int_equal(r->level, 1);
    assert_int_equal(r->rises, 1);
    run_to(r, tick_ns(1000));
    assert_int_equal(r->rises, 1);
    /* Mode 2 reprogrammed mid-period: the new count starts at the period end. */
    out8(r, 0x43, 0x34);
    out8(r, 0x40, 100);
    out8(r, 0x40, 0);
    int64_t t0 = clock_ns(r->clock);
    r->rises = 0;
    run_to(r, t0 + tick_ns(30));
    out8(r, 0x40, 10);
    out8(r, 0x40, 0);
    run_to(r, t0 + tick_ns(99));
    assert_int_equal(r->rises, 0);
    assert_int_equal(pit_reload(r->pit, 0), 100);
    run_to(r, t0 + tick_ns(100));
    assert_int_equal(r->rises, 1);
    run_to(r, t0 + tick_ns(200));
    assert_int_equal(r->rises, 11);
}

/* Timers that run late (the CPU loop checks them between blocks) must not
 * swallow the one-tick low pulse of mode 2; a long stall replays few edges. */
static void test_late_timers(void **state)
{
    struct rig *r = *state;
    out8(r, 0x43, 0x34);
    out8(r, 0x40, 100);
    out8(r, 0x40, 0);
    r->rises = 0;
    int64_t step = tick_ns(150);
    for (int i = 1; i <= 200; i++) {
        clock_advance_ns(r->clock, step);
        clock_run_timers(r->clock);
    }
    assert_int_equal(r->rises, 300);        /* 200 * 150 / 100 */
    clock_advance_ns(r->clock, NS_PER_SEC_TEST);
    clock_run_timers(r->clock);
    assert_in_range(r->rises, 301, 303);
    assert_true(clock_next_deadline(r->clock) > clock_ns(r->clock));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_mode2_periodic_irq), T(test_mode0_one_shot_and_latch), T(test_mode3_square_wave),
        T(test_readback_and_byte_modes), T(test_bcd), T(test_channel2_gate_port61),
        T(test_mode1_gate_trigger), T(test_mode4_strobe_and_mode2_reprogram),
        T(test_late_timers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
