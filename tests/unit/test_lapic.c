/* SPDX-License-Identifier: MIT */
/* test_lapic.c: the local APIC on a deterministic clock: priorities, EOI, LVT, timer modes, IPIs, enable bits. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "hw/lapic.h"

struct rig {
    struct clock *clock;
    struct lapic *l;
    struct irq_line intr, nmi, init;
    int intr_level, nmis, inits, extint_acks, eois;
    uint8_t last_eoi;
    uint64_t reloc_base;
    bool reloc_enabled;
    int relocs;
};

static void on_intr(void *o, int n, int level) { (void)n; ((struct rig *)o)->intr_level = level; }
static void on_nmi(void *o, int n, int level) { (void)n; if (level) ((struct rig *)o)->nmis++; }
static void on_init(void *o, int n, int level) { (void)n; if (level) ((struct rig *)o)->inits++; }
static uint8_t on_extint(void *o) { ((struct rig *)o)->extint_acks++; return 0x28; }
static void on_eoi(void *o, uint8_t v)
{
    struct rig *r = o;
    r->eois++;
    r->last_eoi = v;
}
static void on_reloc(void *o, uint64_t base, bool en)
{
    struct rig *r = o;
    r->relocs++;
    r->reloc_base = base;
    r->reloc_enabled = en;
}

static int setup(void **state)
{
    static struct rig r;
    r = (struct rig){ 0 };
    r.clock = clock_new_icount(0);
    r.intr = irq_line_make(on_intr, &r, 0);
    r.nmi = irq_line_make(on_nmi, &r, 0);
    r.init = irq_line_make(on_init, &r, 0);
    const struct lapic_config cfg = {
        .id = 3, .bus_hz = 1000000000u, .tsc_hz = 2000000000u,
        .intr = &r.intr, .nmi = &r.nmi, .init = &r.init, .opaque = &r,
        .extint_ack = on_extint, .eoi_broadcast = on_eoi, .relocate = on_reloc,
    };
    r.l = lapic_new(r.clock, &cfg);
    *state = &r;
    return r.l ? 0 : -1;
}

static int teardown(void **state)
{
    struct rig *r = *state;
    lapic_free(r->l);
    clock_free(r->clock);
    return 0;
}

static void run_to(struct rig *r, int64_t t)
{
    while (clock_next_deadline(r->clock) <= t) {
        clock_advance_ns(r->clock, clock_next_deadline(r->clock) - clock_ns(r->clock));
        clock_run_timers(r->clock);
    }
    if (t > clock_ns(r->clock))
        clock_advance_ns(r->clock, t - clock_ns(r->clock));
}

static uint32_t rd(struct rig *r, uint32_t off) { return lapic_read(r->l, off); }
static void wr(struct rig *r, uint32_t off, uint32_t v) { lapic_write(r->l, off, v); }
static bool irr(struct rig *r, unsigned v) { return rd(r, 0x200 + (v / 32) * 16) >> (v % 32) & 1; }
static bool isr(struct rig *r, unsigned v) { return rd(r, 0x100 + (v / 32) * 16) >> (v % 32) & 1; }
static bool tmr(struct rig *r, unsigned v) { return rd(r, 0x180 + (v / 32) * 16) >> (v % 32) & 1; }

static void fixed(struct rig *r, uint8_t vec, bool level)
{
    const struct apic_msg m = { .vector = vec, .delivery = APIC_DM_FIXED, .dest = 3, .level = level };
    lapic_deliver(r->l, &m);
}

static void test_reset_state(void **state)
{
    struct rig *r = *state;
    assert_int_equal(rd(r, 0x20), 3u << 24);
    assert_int_equal(rd(r, 0x30), 0x00050014u);
    assert_int_equal(rd(r, 0xf0), 0xff);                 /* software disabled */
    assert_int_equal(rd(r, 0xe0), 0xffffffffu);          /* flat model */
    for (uint32_t off = 0x320; off <= 0x370; off += 0x10)
        assert_int_equal(rd(r, off), 0x10000u);          /* masked */
    assert_int_equal(lapic_get_base(r->l), 0xfee00900u); /* BSP, enabled */
    /* software disabled: an unmask attempt keeps the mask */
    wr(r, 0x350, 0x700);
    assert_int_equal(rd(r, 0x350), 0x10700u);
    /* disabled: fixed interrupts are not delivered, a PIC interrupt does not get through */
    fixed(r, 0x40, false);
    irq_raise(lapic_lint(r->l, 0));
    assert_int_equal(r->intr_level, 0);
    irq_lower(lapic_lint(r->l, 0));
}

static void test_virtual_wire(void **state)
{
    struct rig *r = *state;
    lapic_virtual_wire(r->l);
    assert_int_equal(rd(r, 0xf0), 0x1ff);
    irq_raise(lapic_lint(r->l, 0));
    assert_int_equal(r->intr_level, 1);
    assert_int_equal(lapic_ack(r->l), 0x28);            /* the 8259's vector */
    assert_int_equal(r->extint_acks, 1);
    assert_int_equal(rd(r, 0x100 + 0x20), 0);           /* ISR untouched by ExtINT */
    irq_lower(lapic_lint(r->l, 0));
    assert_int_equal(r->intr_level, 0);
    /* LINT1 NMI: one NMI per rising edge */
    irq_raise(lapic_lint(r->l, 1));
    irq_raise(lapic_lint(r->l, 1));
    irq_lower(lapic_lint(r->l, 1));
    irq_raise(lapic_lint(r->l, 1));
    assert_int_equal(r->nmis, 2);
    /* masking LINT0 stops the PIC */
    wr(r, 0x350, 0x10700);
    irq_raise(lapic_lint(r->l, 0));
    assert_int_equal(r->intr_level, 0);
}

static void test_priorities(void **state)
{
    struct rig *r = *state;
    wr(r, 0xf0, 0x1ef);
    fixed(r, 0x31, false);
    fixed(r, 0x45, false);
    assert_true(irr(r, 0x31) && irr(r, 0x45));
    assert_int_equal(r->intr_level, 1);
    assert_int_equal(lapic_ack(r->l), 0x45);
    assert_true(isr(r, 0x45));
    assert_false(irr(r, 0x45));
    assert_int_equal(rd(r, 0xa0), 0x40);                /* PPR = the in-service class */
    assert_int_equal(r->intr_level, 0);                 /* 0x31 is a lower class */
    fixed(r, 0x4f, false);                              /* same class: still held */
    assert_int_equal(r->intr_level, 0);
    fixed(r, 0x52, false);                              /* higher class: nests */
    assert_int_equal(r->intr_level, 1);
    assert_int_equal(lapic_ack(r->l), 0x52);
    wr(r, 0xb0, 0);                                     /* EOI ends 0x52 */
    assert_false(isr(r, 0x52));
    assert_true(isr(r, 0x45));
    wr(r, 0xb0, 0);
    assert_int_equal(r->intr_level, 1);
    assert_int_equal(lapic_ack(r->l), 0x4f);
    wr(r, 0xb0, 0);
    /* TPR holds back classes at or below it */
    wr(r, 0x80, 0x30);
    assert_int_equal(rd(r, 0xa0), 0x30);
    assert_int_equal(r->intr_level, 0);
    assert_int_equal(lapic_ack(r->l), 0xef);            /* spurious, nothing changes */
    assert_true(irr(r, 0x31));
    assert_int_equal(rd(r, 0x100 + 0x10), 0);
    /* CR8 is TPR[7:4] */
    lapic_set_cr8(r->l, 2);
    assert_int_equal(rd(r, 0x80), 0x20);
    assert_int_equal(lapic_get_cr8(r->l), 2);
    assert_int_equal(r->intr_level, 1);
    assert_int_equal(lapic_ack(r->l), 0x31);
    assert_int_equal(r->eois, 0);                       /* edge vectors: no broadcast */
    wr(r, 0xb0, 0);
    assert_int_equal(r->eois, 0);
}

static void test_level_eoi_broadcast(void **state)
{
    struct rig *r = *state;
    wr(r, 0xf0, 0x1ff);
    fixed(r, 0x61, true);
    assert_true(tmr(r, 0x61));
    assert_int_equal(lapic_ack(r->l), 0x61);
    wr(r, 0xb0, 0);
    assert_int_equal(r->eois, 1);
    assert_int_equal(r->last_eoi, 0x61);
    /* the same vector edge-triggered clears TMR */
    fixed(r, 0x61, false);
    assert_false(tmr(r, 0x61));
    /* vectors 0-15 are illegal: ESR bit 6 after the ESR write */
    fixed(r, 0x0e, false);
    assert_false(irr(r, 0x0e));
    assert_int_equal(rd(r, 0x280), 0);
    wr(r, 0x280, 0);
    assert_int_equal(rd(r, 0x280), 0x40);
    wr(r, 0x280, 0);
    assert_int_equal(rd(r, 0x280), 0);
}

static void test_timer_oneshot_periodic(void **state)
{
    struct rig *r = *state;
    wr(r, 0xf0, 0x1ff);
    wr(r, 0x3e0, 0xb);                                  /* divide by 1 */
    wr(r, 0x320, 0x40);                                 /* one-shot, vector 0x40 */
    wr(r, 0x380, 1000);                                 /* 1000 ns at 1 GHz */
    run_to(r, 400);
    assert_int_equal(rd(r, 0x390), 600);
    assert_false(irr(r, 0x40));
    run_to(r, 999);
    assert_false(irr(r, 0x40));
    run_to(r, 1000);
    assert_true(irr(r, 0x40));
    assert_int_equal(rd(r, 0x390), 0);
    assert_int_equal(lapic_ack(r->l), 0x40);
    wr(r, 0xb0, 0);
    run_to(r, 10000);
    assert_false(irr(r, 0x40));                         /* one-shot: once */
    /* periodic, divide by 16: period 16 * 100 ns */
    wr(r, 0x3e0, 0x3);
    wr(r, 0x320, 0x20041);
    int64_t t0 = clock_ns(r->clock);
    wr(r, 0x380, 100);
    int ticks = 0;
    for (int64_t t = t0; t <= t0 + 10 * 1600; t += 100) {
        run_to(r, t);
        if (irr(r, 0x41)) {
            ticks++;
            assert_int_equal((t - t0) % 1600, 0);
            assert_int_equal(lapic_ack(r->l), 0x41);
            wr(r, 0xb0, 0);
        }
    }
    assert_int_equal(ticks, 10);
    assert_int_equal(rd(r, 0x3e0), 0x3);
    /* masked: counts on, no interrupt; initial count 0 stops it */
    wr(r, 0x320, 0x30041);
    run_to(r, clock_ns(r->clock) + 5000);
    assert_false(irr(r, 0x41));
    assert_true(rd(r, 0x390) > 0);
    wr(r, 0x380, 0);
    assert_int_equal(rd(r, 0x390), 0);
}

static void test_tsc_deadline(void **state)
{
    struct rig *r = *state;
    wr(r, 0xf0, 0x1ff);
    wr(r, 0x320, 0x40050);                              /* TSC-deadline, vector 0x50 */
    assert_int_equal(rd(r, 0x320), 0x40050);
    wr(r, 0x380, 1234);                                 /* ignored in this mode */
    assert_int_equal(rd(r, 0x390), 0);
    lapic_set_tsc_deadline(r->l, 20000);                /* 10 us at 2 GHz */
    assert_int_equal(lapic_get_tsc_deadline(r->l), 20000);
    run_to(r, 9999);
    assert_false(irr(r, 0x50));
    run_to(r, 10000);
    assert_true(irr(r, 0x50));
    assert_int_equal(lapic_get_tsc_deadline(r->l), 0);  /* disarmed once it fired */
    assert_int_equal(lapic_ack(r->l), 0x50);
    wr(r, 0xb0, 0);
    /* a deadline in the past fires at once; 0 disarms */
    lapic_set_tsc_deadline(r->l, 100);
    run_to(r, clock_ns(r->clock));
    assert_true(irr(r, 0x50));
    assert_int_equal(lapic_ack(r->l), 0x50);
    wr(r, 0xb0, 0);
    lapic_set_tsc_deadline(r->l, 2 * (uint64_t)clock_ns(r->clock) + 1000);
    lapic_set_tsc_deadline(r->l, 0);
    run_to(r, clock_ns(r->clock) + 100000);
    assert_false(irr(r, 0x50));
    /* leaving the mode disarms and makes the MSR read 0 */
    lapic_set_tsc_deadline(r->l, 2 * (uint64_t)clock_ns(r->clock) + 1000);
    wr(r, 0x320, 0x00050);
    assert_int_equal(lapic_get_tsc_deadline(r->l), 0);
    run_to(r, clock_ns(r->clock) + 100000);
    assert_false(irr(r, 0x50));
}

static void test_icr(void **state)
{
    struct rig *r = *state;
    wr(r, 0xf0, 0x1ff);
    wr(r, 0x300, 0x40000 | 0x71);                       /* self, fixed */
    assert_true(irr(r, 0x71));
    assert_int_equal(rd(r, 0x300) & (1u << 12), 0);     /* delivery status idle */
    wr(r, 0x310, 3u << 24);
    wr(r, 0x300, 0x72);                                 /* physical dest 3: us */
    assert_true(irr(r, 0x72));
    wr(r, 0x310, 5u << 24);
    wr(r, 0x300, 0x73);                                 /* dest 5: not us */
    assert_false(irr(r, 0x73));
    wr(r, 0x300, 0xc0000 | 0x74);                       /* all excluding self */
    assert_false(irr(r, 0x74));
    wr(r, 0x300, 0x80000 | 0x75);                       /* all including self */
    assert_true(irr(r, 0x75));
    /* logical flat: LDR bit match */
    wr(r, 0xd0, 0x04000000);
    wr(r, 0x310, 0x06u << 24);
    wr(r, 0x300, 0x800 | 0x76);
    assert_true(irr(r, 0x76));
    wr(r, 0x310, 0x01u << 24);
    wr(r, 0x300, 0x800 | 0x77);
    assert_false(irr(r, 0x77));
    /* logical cluster: cluster 2, member bit 1 */
    wr(r, 0xe0, 0x0fffffff);
    wr(r, 0xd0, 0x21000000);
    wr(r, 0x310, 0x23u << 24);
    wr(r, 0x300, 0x800 | 0x78);
    assert_true(irr(r, 0x78));
    wr(r, 0x310, 0x31u << 24);
    wr(r, 0x300, 0x800 | 0x79);
    assert_false(irr(r, 0x79));
    /* NMI and INIT to self */
    wr(r, 0x300, 0x40000 | 0x400);
    assert_int_equal(r->nmis, 1);
    wr(r, 0x300, 0x40000 | 0x4500);
    assert_int_equal(r->inits, 1);
    wr(r, 0x300, 0x40000 | 0x8500);                     /* INIT level de-assert: nothing */
    assert_int_equal(r->inits, 1);
    /* an illegal vector is not sent: ESR bit 5 */
    wr(r, 0x300, 0x40000 | 0x05);
    wr(r, 0x280, 0);
    assert_int_equal(rd(r, 0x280), 0x20);
    /* the error LVT raises its vector on a new error */
    wr(r, 0x370, 0x7e);
    wr(r, 0x300, 0x40000 | 0x06);
    assert_true(irr(r, 0x7e));
}

static void test_base_msr(void **state)
{
    struct rig *r = *state;
    lapic_virtual_wire(r->l);
    assert_false(lapic_set_base(r->l, 0xfee00900u | 0x400));    /* x2APIC: not supported */
    assert_false(lapic_set_base(r->l, 0xfee00900u | 1));
    assert_true(lapic_set_base(r->l, 0xfed01800u));             /* move, keep enabled */
    assert_int_equal(r->reloc_base, 0xfed01000u);
    assert_true(r->reloc_enabled);
    assert_int_equal(lapic_get_base(r->l), 0xfed01900u);        /* BSP bit is read-only */
    /* globally disabled: the 8259 goes straight to INTR, LINT1 straight to NMI */
    assert_true(lapic_set_base(r->l, 0xfed01000u));
    assert_false(r->reloc_enabled);
    irq_raise(lapic_lint(r->l, 0));
    assert_int_equal(r->intr_level, 1);
    assert_int_equal(lapic_ack(r->l), 0x28);
    irq_lower(lapic_lint(r->l, 0));
    assert_int_equal(r->intr_level, 0);
    irq_raise(lapic_lint(r->l, 1));
    assert_int_equal(r->nmis, 1);
    /* messages are ignored while disabled; re-enabling starts from the RESET state */
    fixed(r, 0x40, false);
    assert_true(lapic_set_base(r->l, 0xfee00800u));
    assert_true(r->reloc_enabled);
    assert_int_equal(r->reloc_base, 0xfee00000u);
    assert_int_equal(rd(r, 0xf0), 0xff);
    assert_false(irr(r, 0x40));
}

static void test_init_ipi(void **state)
{
    struct rig *r = *state;
    wr(r, 0xf0, 0x1ff);
    wr(r, 0x20, 7u << 24);
    assert_true(lapic_set_base(r->l, 0xfed01900u));
    fixed(r, 0x40, false);                              /* not for us any more: ID 7 */
    const struct apic_msg m = { .vector = 0x40, .delivery = APIC_DM_FIXED, .dest = 7 };
    lapic_deliver(r->l, &m);
    assert_true(irr(r, 0x40));
    int relocs = r->relocs;
    lapic_init_ipi(r->l);
    assert_int_equal(r->relocs, relocs);                /* the page stays */
    assert_int_equal(lapic_get_base(r->l), 0xfed01900u);
    assert_int_equal(rd(r, 0x20), 7u << 24);
    assert_int_equal(rd(r, 0xf0), 0xff);
    assert_false(irr(r, 0x40));
    assert_int_equal(rd(r, 0x320), 0x10000u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reset_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_virtual_wire, setup, teardown),
        cmocka_unit_test_setup_teardown(test_priorities, setup, teardown),
        cmocka_unit_test_setup_teardown(test_level_eoi_broadcast, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timer_oneshot_periodic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsc_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_icr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_base_msr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_ipi, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
