/* SPDX-License-Identifier: MIT */
/* test_pic.c: 8259A pair through the I/O bus: init, priority, EOI, cascade, ELCR, modes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "hw/pic.h"

struct rig {
    struct bus *io;
    struct pic *pic;
    struct irq_line intr;
    int level, edges;
};

static void cpu_intr(void *opaque, int n, int level)
{
    struct rig *r = opaque;
    if (level && !r->level)
        r->edges++;
    r->level = level;
}

static void out8(struct rig *r, uint16_t port, uint8_t v) { bus_write(r->io, port, v, 1); }
static uint8_t in8(struct rig *r, uint16_t port) { return (uint8_t)bus_read(r->io, port, 1); }

/* The usual BIOS programming: vectors 0x08 and 0x70, cascade on IR2, 8086 mode. */
static void bios_init(struct rig *r, uint8_t icw4)
{
    out8(r, 0x20, 0x11); out8(r, 0x21, 0x08); out8(r, 0x21, 0x04); out8(r, 0x21, icw4);
    out8(r, 0xa0, 0x11); out8(r, 0xa1, 0x70); out8(r, 0xa1, 0x02); out8(r, 0xa1, icw4);
    out8(r, 0x21, 0x00);
    out8(r, 0xa1, 0x00);
}

static int setup(void **state)
{
    static struct rig r;
    r = (struct rig){ 0 };
    r.io = bus_new("io", 0xffff);
    r.intr = irq_line_make(cpu_intr, &r, 0);
    r.pic = pic_init(r.io, 0x20, 0xa0, 0x4d0, &r.intr);
    bios_init(&r, 0x01);
    *state = &r;
    return r.pic ? 0 : -1;
}

static int teardown(void **state)
{
    struct rig *r = *state;
    pic_free(r->pic);
    bus_free(r->io);
    return 0;
}

static void irq(struct rig *r, int n, int level) { irq_set(pic_irq(r->pic, n), level); }

static void test_basic_delivery_and_eoi(void **state)
{
    struct rig *r = *state;
    assert_int_equal(r->level, 0);
    irq(r, 1, 1);
    assert_int_equal(r->level, 1);
    assert_int_equal(pic_get_interrupt(r->pic), 0x09);
    assert_int_equal(r->level, 0);
    out8(r, 0x20, 0x0b);                        /* read ISR */
    assert_int_equal(in8(r, 0x20), 0x02);
    out8(r, 0x20, 0x0a);                        /* read IRR: edge latch cleared */
    assert_int_equal(in8(r, 0x20), 0x00);
    out8(r, 0x20, 0x20);                        /* EOI */
    out8(r, 0x20, 0x0b);
    assert_int_equal(in8(r, 0x20), 0x00);
    /* Edge: the line still high gives no second interrupt. */
    assert_int_equal(r->level, 0);
    irq(r, 1, 0);
    irq(r, 1, 1);
    assert_int_equal(r->level, 1);
    assert_int_equal(pic_get_interrupt(r->pic), 0x09);
}

static void test_priority_and_nesting(void **state)
{
    struct rig *r = *state;
    irq(r, 3, 1);
    irq(r, 1, 1);
    assert_int_equal(pic_get_interrupt(r->pic), 0x09);  /* IRQ1 beats IRQ3 */
    assert_int_equal(r->level, 0);                      /* IRQ3 waits for IRQ1 */
    irq(r, 0, 1);
    assert_int_equal(r->level, 1);                      /* IRQ0 nests */
    assert_int_equal(pic_get_interrupt(r->pic), 0x08);
    out8(r, 0x20, 0x20);                                /* EOI IRQ0 (highest in service) */
    assert_int_equal(r->level, 0);
    out8(r, 0x20, 0x20);                                /* EOI IRQ1 */
    assert_int_equal(r->level, 1);
    assert_int_equal(pic_get_interrupt(r->pic), 0x0b);
    out8(r, 0x20, 0x63);                                /* specific EOI IRQ3 */
    out8(r, 0x20, 0x0b);
    assert_int_equal(in8(r, 0x20), 0);
    /* Masking. */
    out8(r, 0x21, 0x10);
    assert_int_equal(in8(r, 0x21), 0x10);
    irq(r, 4, 1);
    assert_int_equal(r->level, 0);
    out8(r, 0x21, 0x00);
    assert_int_equal(r->level, 1);
    assert_int_equal(pic_get_interrupt(r->pic), 0x0c);
}

static void test_cascade(void **state)
{
    struct rig *r = *state;
    irq(r, 10, 1);
    assert_int_equal(r->level, 1);
    assert_int_equal(pic_get_interrupt(r->pic), 0x72);
    out8(r, 0x20, 0x0b);
    assert_int_equal(in8(r, 0x20), 0x04);
    out8(r, 0xa0, 0x0b);
    assert_int_equal(in8(r, 0xa0), 0x04);
    /* Slave IRQ8 (higher than 10 on the slave) nests only after master EOI? No:
     * the master's IR2 is in service, so nothing from the slave gets through. */
    irq(r, 8, 1);
    assert_int_equal(r->level, 0);
    out8(r, 0xa0, 0x20);
    out8(r, 0x20, 0x20);
    assert_int_equal(r->level, 1);
    assert_int_equal(pic_get_interrupt(r->pic), 0x70);
    out8(r, 0xa0, 0x20);
    out8(r, 0x20, 0x20);
    assert_int_equal(r->level, 0);
    /* Masking the cascade input on the master blocks the whole slave. */
    out8(r, 0x21, 0x04);
    irq(r, 15, 1);
    assert_int_equal(r->level, 0);
    out8(r, 0x21, 0x00);
    assert_int_equal(pic_get_interrupt(r->pic), 0x77);
}

static void test_elcr_level(void **state)
{
    struct rig *r = *state;
    out8(r, 0x4d1, 0xff);
    assert_int_equal(in8(r, 0x4d1), 0xde);              /* IRQ8 and 13 stay edge */
    out8(r, 0x4d0, 0x07);
    assert_int_equal(in8(r, 0x4d0), 0x00);
    out8(r, 0x4d1, 0x08);                               /* IRQ11 level */
    irq(r, 11, 1);
    assert_int_equal(pic_get_interrupt(r->pic), 0x73);
    out8(r, 0xa0, 0x20);
    out8(r, 0x20, 0x20);
    assert_int_equal(r->level, 1);                      /* still asserted: again */
    assert_int_equal(pic_get_interrupt(r->pic), 0x73);
    irq(r, 11, 0);
    out8(r, 0xa0, 0x20);
    out8(r, 0x20, 0x20);
    assert_int_equal(r->level, 0);
    /* A level request that drops before INTA: the master latched the edge on
     * IR2, the slave has nothing left, so the CPU gets spurious IRQ15 and the
     * master (only) has IR2 in service. */
    irq(r, 11, 1);
    assert_int_equal(r->level, 1);
    irq(r, 11, 0);
    assert_int_equal(pic_get_interrupt(r->pic), 0x77);
    out8(r, 0xa0, 0x0b);
    assert_int_equal(in8(r, 0xa0), 0x00);
    out8(r, 0x20, 0x0b);
    assert_int_equal(in8(r, 0x20), 0x04);
    out8(r, 0x20, 0x20);
    assert_int_equal(r->level, 0);
    out8(r, 0x4d1, 0x00);
}

static void test_spurious_irq7(void **state)
{
    struct rig *r = *state;
    out8(r, 0x20, 0x0b);
    assert_int_equal(pic_get_interrupt(r->pic), 0x0f);  /* nothing pending */
    assert_int_equal(in8(r, 0x20), 0x00);               /* ISR untouched */
    /* Slave request masked after the master saw IR2: slave spurious vector. */
    irq(r, 11, 1);
    out8(r, 0xa1, 0x08);
    assert_int_equal(pic_get_interrupt(r->pic), 0x77);
    out8(r, 0x20, 0x20);
    assert_int_equal(r->level, 0);
    out8(r, 0xa1, 0x00);                                /* IRR11 still latched */
    assert_int_equal(pic_get_interrupt(r->pic), 0x73);
}

static void test_auto_eoi_and_poll(void **state)
{
    struct rig *r = *state;
    bios_init(r, 0x03);                                 /* auto-EOI */
    irq(r, 5, 1);
    assert_int_equal(pic_get_interrupt(r->pic), 0x0d);
    out8(r, 0x20, 0x0b);
    assert_int_equal(in8(r, 0x20), 0x00);
    bios_init(r, 0x01);
    irq(r, 6, 1);
    out8(r, 0x20, 0x0c);                                /* poll */
    assert_int_equal(in8(r, 0x20), 0x86);
    out8(r, 0x20, 0x0b);
    assert_int_equal(in8(r, 0x20), 0x40);
    out8(r, 0x20, 0x0c);
    assert_int_equal(in8(r, 0x20), 0x00);               /* nothing more */
}

static void test_rotation(void **state)
{
    struct rig *r = *state;
    irq(r, 3, 1);
    assert_int_equal(pic_get_interrupt(r->pic), 0x0b);
    out8(r, 0x20, 0xa0);                                /* rotate on non-specific EOI */
    irq(r, 5, 1);
    irq(r, 2 + 0, 0);
    irq(r, 3, 0);
    irq(r, 3, 1);
    /* IRQ3 is now lowest: order is 4,5,6,7,0,1,2,3. */
    assert_int_equal(pic_get_interrupt(r->pic), 0x0d);
    out8(r, 0x20, 0x20);
    irq(r, 0, 1);
    assert_int_equal(pic_get_interrupt(r->pic), 0x08);
    out8(r, 0x20, 0x20);
    assert_int_equal(pic_get_interrupt(r->pic), 0x0b);
    out8(r, 0x20, 0x20);
    out8(r, 0x20, 0xc7);                                /* set priority: IRQ7 lowest */
    irq(r, 1, 1); irq(r, 6, 1);
    assert_int_equal(pic_get_interrupt(r->pic), 0x09);
}

static void test_special_mask_mode(void **state)
{
    struct rig *r = *state;
    irq(r, 1, 1);
    assert_int_equal(pic_get_interrupt(r->pic), 0x09);
    irq(r, 5, 1);
    assert_int_equal(r->level, 0);                      /* blocked by IRQ1 in service */
    out8(r, 0x21, 0x02);                                /* mask IRQ1 */
    out8(r, 0x20, 0x68);                                /* special mask mode on */
    assert_int_equal(r->level, 1);
    assert_int_equal(pic_get_interrupt(r->pic), 0x0d);
    struct pic_regs regs;
    pic_get_regs(r->pic, 0, &regs);
    assert_true(regs.special_mask);
    assert_int_equal(regs.isr, 0x22);
    out8(r, 0x20, 0x48);                                /* off */
    pic_get_regs(r->pic, 0, &regs);
    assert_false(regs.special_mask);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_basic_delivery_and_eoi), T(test_priority_and_nesting), T(test_cascade),
        T(test_elcr_level), T(test_spurious_irq7), T(test_auto_eoi_and_poll),
        T(test_rotation), T(test_special_mask_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
