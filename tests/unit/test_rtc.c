/* SPDX-License-Identifier: MIT */
/* test_rtc.c: MC146818 through ports 0x70/0x71 on a deterministic clock. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "hw/rtc.h"

#define NS CLOCK_NS_PER_SEC
#define START 1709164798ll          /* 2024-02-28 23:59:58 UTC, a Wednesday */

struct rig {
    struct bus *io;
    struct clock *clock;
    struct rtc *rtc;
    struct irq_line line;
    int level, rises;
};

static void irq_rec(void *opaque, int n, int level)
{
    struct rig *r = opaque;
    if (level && !r->level)
        r->rises++;
    r->level = level;
}

static int setup(void **state)
{
    static struct rig r;
    r = (struct rig){ 0 };
    r.io = bus_new("io", 0xffff);
    r.clock = clock_new_icount(0);
    clock_set_wallclock_base(r.clock, START * NS + NS / 2);
    r.line = irq_line_make(irq_rec, &r, 8);
    r.rtc = rtc_init(r.io, r.clock, 0x70, &r.line);
    *state = &r;
    return r.rtc ? 0 : -1;
}

static int teardown(void **state)
{
    struct rig *r = *state;
    rtc_free(r->rtc);
    clock_free(r->clock);
    bus_free(r->io);
    return 0;
}

static uint8_t cmos(struct rig *r, uint8_t idx)
{
    bus_write(r->io, 0x70, idx, 1);
    return (uint8_t)bus_read(r->io, 0x71, 1);
}

static void cmos_w(struct rig *r, uint8_t idx, uint8_t v)
{
    bus_write(r->io, 0x70, idx, 1);
    bus_write(r->io, 0x71, v, 1);
}

static void run_to(struct rig *r, int64_t t)
{
    while (clock_next_deadline(r->clock) <= t) {
        clock_advance_ns(r->clock, clock_next_deadline(r->clock) - clock_ns(r->clock));
        clock_run_timers(r->clock);
    }
    clock_advance_ns(r->clock, t - clock_ns(r->clock));
    clock_run_timers(r->clock);
}

static void test_time_bcd_and_rollover(void **state)
{
    struct rig *r = *state;
    assert_int_equal(cmos(r, 0x00), 0x58);
    assert_int_equal(cmos(r, 0x02), 0x59);
    assert_int_equal(cmos(r, 0x04), 0x23);
    assert_int_equal(cmos(r, 0x06), 0x04);       /* Wednesday */
    assert_int_equal(cmos(r, 0x07), 0x28);
    assert_int_equal(cmos(r, 0x08), 0x02);
    assert_int_equal(cmos(r, 0x09), 0x24);
    assert_int_equal(cmos(r, 0x32), 0x20);
    assert_int_equal(cmos(r, 0x0d), 0x80);
    run_to(r, NS / 2 - 1);
    assert_int_equal(cmos(r, 0x00), 0x58);
    run_to(r, NS / 2);                           /* exactly on the update */
    assert_int_equal(cmos(r, 0x00), 0x59);
    run_to(r, 2 * NS);
    assert_int_equal(cmos(r, 0x00), 0x00);
    assert_int_equal(cmos(r, 0x04), 0x00);
    assert_int_equal(cmos(r, 0x07), 0x29);       /* leap day */
    assert_int_equal(cmos(r, 0x06), 0x05);
    assert_int_equal(rtc_time(r->rtc), START + 2);
    /* Binary and 12-hour formats. */
    cmos_w(r, 0x0b, 0x04);                       /* binary, 12 h */
    assert_int_equal(cmos(r, 0x07), 29);
    assert_int_equal(cmos(r, 0x04), 12);         /* 12 AM */
    run_to(r, 2 * NS + 13 * 3600 * NS);
    assert_int_equal(cmos(r, 0x04), 0x81);       /* 1 PM */
    cmos_w(r, 0x0b, 0x00);                       /* BCD, 12 h */
    assert_int_equal(cmos(r, 0x04), 0x81);
    cmos_w(r, 0x0b, 0x02);
    assert_int_equal(cmos(r, 0x04), 0x13);
}

static void test_uip(void **state)
{
    struct rig *r = *state;
    /* Updates happen at virtual 0.5 s + k. */
    assert_int_equal(cmos(r, 0x0a), 0x26);
    run_to(r, NS / 2 + NS - 244001);
    assert_int_equal(cmos(r, 0x0a) & 0x80, 0);
    run_to(r, NS / 2 + NS - 244000);
    assert_int_equal(cmos(r, 0x0a) & 0x80, 0x80);
    assert_int_equal(cmos(r, 0x00), 0x59);       /* not yet updated */
    run_to(r, NS / 2 + NS);
    assert_int_equal(cmos(r, 0x0a) & 0x80, 0);
    assert_int_equal(cmos(r, 0x00), 0x00);
}

static void test_update_ended_irq(void **state)
{
    struct rig *r = *state;
    assert_int_equal(cmos(r, 0x0c), 0x00);
    cmos_w(r, 0x0b, 0x12);                       /* UIE, 24 h */
    run_to(r, NS / 2 - 1);
    assert_int_equal(r->level, 0);
    run_to(r, NS / 2);
    assert_int_equal(r->level, 1);
    assert_int_equal(cmos(r, 0x0c) & 0xb0, 0x90); /* IRQF | UF (PF runs too) */
    assert_int_equal(r->level, 0);               /* read clears */
    assert_int_equal(cmos(r, 0x0c) & 0xb0, 0x00);
    run_to(r, 10 * NS);
    assert_int_equal(r->rises, 2);               /* level stays up until C is read */
    /* UF is set even without UIE (polled), without an IRQ. */
    cmos(r, 0x0c);
    cmos_w(r, 0x0b, 0x02);
    run_to(r, 12 * NS);
    assert_int_equal(cmos(r, 0x0c), 0x50);       /* UF and PF, no IRQF */
    assert_int_equal(r->rises, 2);
}

static void test_periodic_irq(void **state)
{
    struct rig *r = *state;
    cmos_w(r, 0x0b, 0x42);                       /* PIE; rate 6 = 1024 Hz */
    int ticks = 0;
    int64_t t0 = clock_ns(r->clock);
    while (clock_ns(r->clock) < t0 + NS) {
        run_to(r, clock_next_deadline(r->clock));
        if (r->level) {
            assert_int_equal(cmos(r, 0x0c) & 0xc0, 0xc0);
            ticks++;
        }
    }
    assert_in_range(ticks, 1023, 1025);
    /* Rate 15 = 2 Hz. */
    cmos_w(r, 0x0a, 0x2f);
    cmos(r, 0x0c);
    r->rises = 0;
    int64_t t1 = clock_ns(r->clock);
    for (int i = 0; i < 10; i++) {
        run_to(r, clock_next_deadline(r->clock));
        cmos(r, 0x0c);
    }
    assert_int_equal(r->rises, 10);
    int64_t span = clock_ns(r->clock) - t1;
    assert_in_range(span, 9 * NS / 2, 5 * NS);
    /* Rate 0 stops it. */
    cmos_w(r, 0x0a, 0x20);
    assert_true(clock_next_deadline(r->clock) == CLOCK_NEVER);
}

static void test_alarm(void **state)
{
    struct rig *r = *state;
    /* Alarm at 00:00:01 on the next day (3 s ahead), 24 h BCD. */
    cmos_w(r, 0x01, 0x01);
    cmos_w(r, 0x03, 0x00);
    cmos_w(r, 0x05, 0x00);
    cmos_w(r, 0x0b, 0x22);                       /* AIE */
    run_to(r, NS / 2 + 2 * NS - 1);
    assert_int_equal(r->level, 0);
    run_to(r, NS / 2 + 2 * NS);
    assert_int_equal(r->level, 1);
    assert_int_equal(cmos(r, 0x0c) & 0xa0, 0xa0);
    /* Don't-care hour and minute: every minute at second 01. */
    cmos_w(r, 0x03, 0xc0);
    cmos_w(r, 0x05, 0xff);
    r->rises = 0;
    for (int i = 0; i < 180; i++) {
        run_to(r, clock_ns(r->clock) + NS);
        if (r->level)
            cmos(r, 0x0c);
    }
    assert_int_equal(r->rises, 3);
}

static void test_set_time(void **state)
{
    struct rig *r = *state;
    cmos_w(r, 0x0b, 0x82);                       /* SET: hold updates */
    cmos_w(r, 0x00, 0x30);
    cmos_w(r, 0x02, 0x20);
    cmos_w(r, 0x04, 0x10);
    cmos_w(r, 0x07, 0x15);
    cmos_w(r, 0x08, 0x06);
    cmos_w(r, 0x09, 0x99);
    cmos_w(r, 0x32, 0x19);
    run_to(r, 5 * NS);
    assert_int_equal(cmos(r, 0x00), 0x30);       /* frozen */
    cmos_w(r, 0x0b, 0x02);
    run_to(r, 6 * NS);
    assert_int_equal(cmos(r, 0x00), 0x31);
    assert_int_equal(cmos(r, 0x09), 0x99);
    assert_int_equal(cmos(r, 0x32), 0x19);
    assert_int_equal(rtc_time(r->rtc), 929442031);   /* 1999-06-15 10:20:31 */
    /* Binary write. */
    cmos_w(r, 0x0b, 0x06);
    cmos_w(r, 0x02, 45);
    assert_int_equal(cmos(r, 0x02), 45);
    /* Divider reset stops time; release: first update 500 ms later. */
    cmos_w(r, 0x0a, 0x70);
    uint8_t s = cmos(r, 0x00);
    run_to(r, 20 * NS);
    assert_int_equal(cmos(r, 0x00), s);
    cmos_w(r, 0x0a, 0x26);
    run_to(r, 20 * NS + NS / 2 - 1);
    assert_int_equal(cmos(r, 0x00), s);
    run_to(r, 20 * NS + NS / 2);
    assert_int_equal(cmos(r, 0x00), s + 1);
}

static void test_cmos_ram_and_nmi(void **state)
{
    struct rig *r = *state;
    rtc_set_memory(r->rtc, 0xe0000000ull, 0x20000000ull);
    assert_int_equal(cmos(r, 0x15) | cmos(r, 0x16) << 8, 640);
    assert_int_equal(cmos(r, 0x17) | cmos(r, 0x18) << 8, 0xffff);
    assert_int_equal(cmos(r, 0x30) | cmos(r, 0x31) << 8, 0xffff);
    assert_int_equal(cmos(r, 0x34) | cmos(r, 0x35) << 8, (0xe0000000 - (16 << 20)) >> 16);
    assert_int_equal(cmos(r, 0x5b) | cmos(r, 0x5c) << 8 | cmos(r, 0x5d) << 16, 0x2000);
    unsigned sum = 0;
    for (int i = 0x10; i <= 0x2d; i++)
        sum += cmos(r, (uint8_t)i);
    assert_int_equal(cmos(r, 0x2e) << 8 | cmos(r, 0x2f), sum & 0xffff);
    rtc_set_memory(r->rtc, 32 << 20, 0);
    assert_int_equal(cmos(r, 0x17) | cmos(r, 0x18) << 8, 31 * 1024);
    assert_int_equal(cmos(r, 0x34) | cmos(r, 0x35) << 8, 256);
    /* Plain RAM bytes, NMI mask bit, read-only C/D. */
    cmos_w(r, 0x50, 0xa5);
    assert_int_equal(cmos(r, 0x50), 0xa5);
    assert_false(rtc_nmi_masked(r->rtc));
    bus_write(r->io, 0x70, 0x80 | 0x50, 1);
    assert_true(rtc_nmi_masked(r->rtc));
    assert_int_equal(bus_read(r->io, 0x71, 1), 0xa5);
    cmos_w(r, 0x0d, 0x00);
    assert_int_equal(cmos(r, 0x0d), 0x80);
    rtc_cmos_set(r->rtc, 0x3d, 0x21);
    assert_int_equal(cmos(r, 0x3d), 0x21);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_time_bcd_and_rollover), T(test_uip), T(test_update_ended_irq),
        T(test_periodic_irq), T(test_alarm), T(test_set_time), T(test_cmos_ram_and_nmi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
