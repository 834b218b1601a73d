/* SPDX-License-Identifier: MIT */
/* test_ioapic_hpet.c: the I/O APIC's redirection table and delivery; the HPET's counter, comparators and routes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "hw/hpet.h"
#include "hw/ioapic.h"

/* ---------------------------------------------------------------- I/O APIC */

struct io_rig {
    struct ioapic *io;
    struct apic_msg last;
    int sent;
};

static void on_msg(void *o, const struct apic_msg *m)
{
    struct io_rig *r = o;
    r->last = *m;
    r->sent++;
}

static int io_setup(void **state)
{
    static struct io_rig r;
    r = (struct io_rig){ 0 };
    const struct apic_sink sink = { on_msg, &r };
    r.io = ioapic_new(2, &sink);
    *state = &r;
    return r.io ? 0 : -1;
}

static int io_teardown(void **state)
{
    struct io_rig *r = *state;
    ioapic_free(r->io);
    return 0;
}

/* Through the MMIO window: IOREGSEL then IOWIN. */
static uint32_t io_rd(struct io_rig *r, uint8_t idx)
{
    ioapic_mmio_ops.write(r->io, 0x00, idx, 4);
    return (uint32_t)ioapic_mmio_ops.read(r->io, 0x10, 4);
}
static void io_wr(struct io_rig *r, uint8_t idx, uint32_t v)
{
    ioapic_mmio_ops.write(r->io, 0x00, idx, 4);
    ioapic_mmio_ops.write(r->io, 0x10, v, 4);
}

static void test_ioapic_regs(void **state)
{
    struct io_rig *r = *state;
    assert_int_equal(io_rd(r, 0x00), 2u << 24);
    assert_int_equal(io_rd(r, 0x01), 0x00170011u);      /* 24 pins, version 0x11 */
    assert_int_equal(io_rd(r, 0x02), 2u << 24);
    io_wr(r, 0x00, 0x0b000000);
    assert_int_equal(io_rd(r, 0x00), 0x0b000000u);
    io_wr(r, 0x01, 0);                                  /* read-only */
    assert_int_equal(io_rd(r, 0x01), 0x00170011u);
    assert_int_equal((uint32_t)ioapic_mmio_ops.read(r->io, 0x00, 4), 0x01);
    for (int pin = 0; pin < IOAPIC_PINS; pin++)
        assert_int_equal(io_rd(r, (uint8_t)(0x10 + 2 * pin)), 0x10000u);
    /* writable bits only: delivery status and remote IRR are read-only */
    io_wr(r, 0x12, 0xffffffffu);
    assert_int_equal(io_rd(r, 0x12), 0x1afffu);
    io_wr(r, 0x13, 0xffffffffu);
    assert_int_equal(io_rd(r, 0x13), 0xff000000u);
    assert_int_equal(r->sent, 0);
}

static void test_ioapic_edge(void **state)
{
    struct io_rig *r = *state;
    io_wr(r, 0x10 + 2 * 2, 0x10031);                    /* pin 2 masked, vector 0x31 */
    ioapic_set_irq(r->io, 2, 1);
    ioapic_set_irq(r->io, 2, 0);
    assert_int_equal(r->sent, 0);
    io_wr(r, 0x11 + 2 * 2, 0x01000000);
    io_wr(r, 0x10 + 2 * 2, 0x00831);                    /* unmasked, logical, lowest priority? no: fixed */
    ioapic_set_irq(r->io, 2, 1);
    assert_int_equal(r->sent, 1);
    assert_int_equal(r->last.vector, 0x31);
    assert_int_equal(r->last.delivery, APIC_DM_FIXED);
    assert_int_equal(r->last.dest, 1);
    assert_true(r->last.logical);
    assert_false(r->last.level);
    ioapic_set_irq(r->io, 2, 1);                        /* no new edge */
    assert_int_equal(r->sent, 1);
    ioapic_set_irq(r->io, 2, 0);
    ioapic_set_irq(r->io, 2, 1);
    assert_int_equal(r->sent, 2);
    ioapic_eoi(r->io, 0x31);                            /* edge: nothing to do */
    assert_int_equal(r->sent, 2);
    /* NMI delivery mode */
    io_wr(r, 0x10 + 2 * 5, 0x00400);
    irq_raise(ioapic_irq(r->io, 5));
    assert_int_equal(r->last.delivery, APIC_DM_NMI);
    assert_int_equal(r->sent, 3);
    assert_null(ioapic_irq(r->io, 24));
    ioapic_set_irq(r->io, 99, 1);                       /* out of range: ignored */
}

static void test_ioapic_level(void **state)
{
    struct io_rig *r = *state;
    io_wr(r, 0x10 + 2 * 9, 0x0a049);                    /* level, active low (kept), vector 0x49 */
    ioapic_set_irq(r->io, 9, 1);
    assert_int_equal(r->sent, 1);
    assert_true(r->last.level);
    assert_true(io_rd(r, 0x10 + 2 * 9) & (1u << 14));   /* remote IRR */
    assert_true(io_rd(r, 0x10 + 2 * 9) & (1u << 13));   /* polarity readable */
    ioapic_set_irq(r->io, 9, 0);
    ioapic_set_irq(r->io, 9, 1);                        /* waits for the EOI */
    assert_int_equal(r->sent, 1);
    ioapic_eoi(r->io, 0x48);                            /* another vector */
    assert_int_equal(r->sent, 1);
    ioapic_eoi(r->io, 0x49);                            /* still asserted: again */
    assert_int_equal(r->sent, 2);
    ioapic_set_irq(r->io, 9, 0);
    ioapic_eoi(r->io, 0x49);
    assert_int_equal(r->sent, 2);
    assert_false(io_rd(r, 0x10 + 2 * 9) & (1u << 14));
    /* masked while asserted, unmasked later: delivered then */
    io_wr(r, 0x10 + 2 * 10, 0x1804a);
    ioapic_set_irq(r->io, 10, 1);
    assert_int_equal(r->sent, 2);
    io_wr(r, 0x10 + 2 * 10, 0x0804a);
    assert_int_equal(r->sent, 3);
    assert_int_equal(r->last.vector, 0x4a);
    /* switching to edge drops the remote IRR */
    io_wr(r, 0x10 + 2 * 10, 0x0004a);
    assert_false(io_rd(r, 0x10 + 2 * 10) & (1u << 14));
}

/* ---------------------------------------------------------------- HPET */

struct hp_rig {
    struct clock *clock;
    struct hpet *h;
    struct irq_line legacy[2], gsi[HPET_GSIS];
    int level[2 + HPET_GSIS], rises[2 + HPET_GSIS];
    int legacy_calls;
    bool legacy_on;
};

static void on_line(void *o, int n, int level)
{
    struct hp_rig *r = o;
    if (level && !r->level[n])
        r->rises[n]++;
    r->level[n] = level;
}
static void on_legacy(void *o, bool on)
{
    struct hp_rig *r = o;
    r->legacy_calls++;
    r->legacy_on = on;
}

static int hp_setup(void **state)
{
    static struct hp_rig r;
    r = (struct hp_rig){ 0 };
    r.clock = clock_new_icount(0);
    struct hpet_config cfg = { .route_cap = 0x00f00000u, .legacy_changed = on_legacy, .opaque = &r };
    for (int i = 0; i < 2; i++) {
        r.legacy[i] = irq_line_make(on_line, &r, i);
        cfg.legacy[i] = &r.legacy[i];
    }
    for (int i = 0; i < HPET_GSIS; i++) {
        r.gsi[i] = irq_line_make(on_line, &r, 2 + i);
        cfg.gsi[i] = &r.gsi[i];
    }
    r.h = hpet_new(r.clock, &cfg);
    *state = &r;
    return r.h ? 0 : -1;
}

static int hp_teardown(void **state)
{
    struct hp_rig *r = *state;
    hpet_free(r->h);
    clock_free(r->clock);
    return 0;
}

static void hp_run_to(struct hp_rig *r, int64_t t)
{
    while (clock_next_deadline(r->clock) <= t) {
        clock_advance_ns(r->clock, clock_next_deadline(r->clock) - clock_ns(r->clock));
        clock_run_timers(r->clock);
    }
    if (t > clock_ns(r->clock))
        clock_advance_ns(r->clock, t - clock_ns(r->clock));
}

static uint64_t hr(struct hp_rig *r, uint32_t off) { return hpet_mmio_ops.read(r->h, off, 8); }
static void hw(struct hp_rig *r, uint32_t off, uint64_t v) { hpet_mmio_ops.write(r->h, off, v, 8); }

static void test_hpet_caps_counter(void **state)
{
    struct hp_rig *r = *state;
    uint64_t cap = hr(r, 0);
    assert_int_equal(cap >> 32, 10000000u);             /* 10 ns in fs */
    assert_int_equal(cap & 0xffff, 0xa201);             /* legacy, 64-bit, 3 timers, rev 1 */
    assert_int_equal((cap >> 16) & 0xffff, 0x8086);
    assert_int_equal(hpet_mmio_ops.read(r->h, 4, 4), 10000000u);
    /* halted: the counter stands still */
    hp_run_to(r, 1000);
    assert_int_equal(hr(r, 0xf0), 0);
    hw(r, 0x10, 1);
    hp_run_to(r, 1000 + 12345);
    assert_int_equal(hr(r, 0xf0), 1234);
    hw(r, 0x10, 0);
    hp_run_to(r, 100000);
    assert_int_equal(hr(r, 0xf0), 1234);
    hw(r, 0xf0, 0xfffffffffull);                        /* written while halted */
    assert_int_equal(hpet_mmio_ops.read(r->h, 0xf4, 4), 0xf);
    assert_int_equal(hpet_mmio_ops.read(r->h, 0xf0, 4), 0xffffffffu);
    /* timer caps: periodic and 64-bit capable, routes 20-23 */
    uint64_t t0 = hr(r, 0x100);
    assert_true(t0 & (1u << 4));
    assert_true(t0 & (1u << 5));
    assert_int_equal(t0 >> 32, 0x00f00000u);
    assert_int_equal(r->legacy_calls, 0);
}

static void test_hpet_oneshot_route(void **state)
{
    struct hp_rig *r = *state;
    hw(r, 0x140, (21u << 9) | (1u << 2));               /* timer 2: edge, enabled, GSI 21 */
    hw(r, 0x148, 500);                                  /* at 5 us */
    hw(r, 0x10, 1);
    hp_run_to(r, 4990);
    assert_int_equal(r->rises[2 + 21], 0);
    hp_run_to(r, 5000);
    assert_int_equal(r->rises[2 + 21], 1);
    assert_int_equal(r->level[2 + 21], 0);              /* edge: a pulse */
    hp_run_to(r, 1000000);
    assert_int_equal(r->rises[2 + 21], 1);              /* 64-bit one-shot: once */
    assert_int_equal(hr(r, 0x20), 0);                   /* no status in edge mode */
    /* level mode: status bit and line stay until written 1 */
    hw(r, 0x140, (21u << 9) | (1u << 2) | (1u << 1));
    hw(r, 0x148, hr(r, 0xf0) + 100);
    hp_run_to(r, clock_ns(r->clock) + 1000);
    assert_int_equal(r->level[2 + 21], 1);
    assert_int_equal(hr(r, 0x20), 4);
    hw(r, 0x20, 3);                                     /* other bits: no effect */
    assert_int_equal(hr(r, 0x20), 4);
    hw(r, 0x20, 4);
    assert_int_equal(hr(r, 0x20), 0);
    assert_int_equal(r->level[2 + 21], 0);
    /* a route outside the capability goes nowhere */
    hw(r, 0x140, (5u << 9) | (1u << 2));
    hw(r, 0x148, hr(r, 0xf0) + 100);
    hp_run_to(r, clock_ns(r->clock) + 1000);
    assert_int_equal(r->rises[2 + 5], 0);
}

static void test_hpet_periodic_legacy(void **state)
{
    struct hp_rig *r = *state;
    /* Linux's sequence: SETVAL + comparator = now + period, then the period */
    hw(r, 0x100, (1u << 2) | (1u << 3) | (1u << 6) | (1u << 8));    /* 32-bit, like Linux */
    hpet_mmio_ops.write(r->h, 0x108, 1000, 4);
    hpet_mmio_ops.write(r->h, 0x108, 1000, 4);
    assert_false(hr(r, 0x100) & (1u << 6));             /* SETVAL clears itself */
    hw(r, 0x10, 3);                                     /* enable + legacy replacement */
    assert_int_equal(r->legacy_calls, 1);
    assert_true(r->legacy_on);
    assert_true(hpet_legacy_mode(r->h));
    for (int k = 1; k <= 10; k++) {
        hp_run_to(r, k * 10000 - 10);
        assert_int_equal(r->rises[0], k - 1);
        hp_run_to(r, k * 10000);
        assert_int_equal(r->rises[0], k);
    }
    assert_int_equal(hr(r, 0x108), 11000);              /* comparator moved on */
    /* a late timer drops missed periods instead of bursting */
    hp_run_to(r, 0);
    clock_advance_ns(r->clock, 55000);
    clock_run_timers(r->clock);
    assert_int_equal(r->rises[0], 11);
    assert_int_equal(hr(r, 0x108), 16000);
    /* timer 1 -> legacy line 1 (IRQ 8) */
    hw(r, 0x120, 1u << 2);
    hw(r, 0x128, hr(r, 0xf0) + 10);
    hp_run_to(r, clock_ns(r->clock) + 100);
    assert_int_equal(r->rises[1], 1);
    /* leaving legacy replacement tells the board */
    hw(r, 0x10, 1);
    assert_int_equal(r->legacy_calls, 2);
    assert_false(r->legacy_on);
    /* 64-bit one-shot: a 4-byte write leaves the upper half */
    hw(r, 0x120, 1u << 2);
    hw(r, 0x128, ~0ull);
    hpet_mmio_ops.write(r->h, 0x128, 5, 4);
    assert_int_equal(hr(r, 0x128), 0xffffffff00000005ull);
    /* 32-bit mode: the comparator keeps 32 bits */
    hw(r, 0x100, (1u << 2) | (1u << 8));
    hw(r, 0x108, 0x123456789ull);
    assert_int_equal(hr(r, 0x108), 0x23456789u);
    hpet_reset(r->h);
    assert_int_equal(hr(r, 0x10), 0);
    assert_int_equal(hr(r, 0xf0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ioapic_regs, io_setup, io_teardown),
        cmocka_unit_test_setup_teardown(test_ioapic_edge, io_setup, io_teardown),
        cmocka_unit_test_setup_teardown(test_ioapic_level, io_setup, io_teardown),
        cmocka_unit_test_setup_teardown(test_hpet_caps_counter, hp_setup, hp_teardown),
        cmocka_unit_test_setup_teardown(test_hpet_oneshot_route, hp_setup, hp_teardown),
        cmocka_unit_test_setup_teardown(test_hpet_periodic_legacy, hp_setup, hp_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
