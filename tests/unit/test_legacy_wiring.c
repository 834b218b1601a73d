/* SPDX-License-Identifier: MIT */
/* test_legacy_wiring.c: PIT, RTC and UART wired to the PIC pair, serviced like a CPU would. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "hw/pic.h"
#include "hw/pit.h"
#include "hw/rtc.h"
#include "hw/uart.h"

#define NS CLOCK_NS_PER_SEC

struct board {
    struct bus *io;
    struct clock *clock;
    struct pic *pic;
    struct pit *pit;
    struct rtc *rtc;
    struct uart *uart;
    struct chardev *cd;
    struct irq_line intr;
    int intr_level;
    unsigned count[256];
};

static void cpu_intr(void *o, int n, int level) { ((struct board *)o)->intr_level = level; }
static void out8(struct board *b, uint16_t p, uint8_t v) { bus_write(b->io, p, v, 1); }
static uint8_t in8(struct board *b, uint16_t p) { return (uint8_t)bus_read(b->io, p, 1); }

/* The "CPU": run in 10 us steps, take interrupts, run handlers that EOI. */
static void run(struct board *b, int64_t until)
{
    while (clock_ns(b->clock) < until) {
        clock_advance_ns(b->clock, 10000);
        clock_run_timers(b->clock);
        while (b->intr_level) {
            uint8_t v = pic_get_interrupt(b->pic);
            b->count[v]++;
            if (v == 0x70 + 0) {                    /* RTC handler reads C */
                out8(b, 0x70, 0x0c);
                in8(b, 0x71);
            }
            if (v == 0x08 + 4)                      /* UART handler drains RX */
                while (in8(b, 0x3fd) & 1)
                    in8(b, 0x3f8);
            if (v >= 0x70)
                out8(b, 0xa0, 0x20);
            out8(b, 0x20, 0x20);
        }
    }
}

static void test_timer_rtc_uart_through_pic(void **state)
{
    (void)state;
    static struct board b;
    b.io = bus_new("io", 0xffff);
    b.clock = clock_new_icount(0);
    b.cd = chardev_memory_new(64);
    b.intr = irq_line_make(cpu_intr, &b, 0);
    b.pic = pic_init(b.io, 0x20, 0xa0, 0x4d0, &b.intr);
    b.pit = pit_init(b.io, b.clock, 0x40, 0x61, pic_irq(b.pic, 0));
    b.rtc = rtc_init(b.io, b.clock, 0x70, pic_irq(b.pic, 8));
    b.uart = uart_init(b.io, b.clock, 0x3f8, pic_irq(b.pic, 4), b.cd);
    /* BIOS-style setup. */
    out8(&b, 0x20, 0x11); out8(&b, 0x21, 0x08); out8(&b, 0x21, 0x04); out8(&b, 0x21, 0x01);
    out8(&b, 0xa0, 0x11); out8(&b, 0xa1, 0x70); out8(&b, 0xa1, 0x02); out8(&b, 0xa1, 0x01);
    out8(&b, 0x21, 0x00); out8(&b, 0xa1, 0x00);
    out8(&b, 0x43, 0x34); out8(&b, 0x40, 1193 & 0xff); out8(&b, 0x40, 1193 >> 8);   /* ~1 kHz */
    out8(&b, 0x70, 0x0a); out8(&b, 0x71, 0x2a);                                   /* 64 Hz */
    out8(&b, 0x70, 0x0b); out8(&b, 0x71, 0x42);                                   /* PIE */
    out8(&b, 0x3fc, 0x08); out8(&b, 0x3f9, 0x01);                                 /* OUT2, RDA */
    run(&b, NS / 2);
    chardev_push(b.cd, (const uint8_t *)"k", 1);
    run(&b, NS);
    assert_in_range(b.count[0x08], 999, 1001);
    assert_in_range(b.count[0x70], 63, 65);
    assert_int_equal(b.count[0x0c], 1);
    assert_int_equal(b.count[0x0f] + b.count[0x77], 0);     /* no spurious interrupts */
    uart_free(b.uart);
    rtc_free(b.rtc);
    pit_free(b.pit);
    pic_free(b.pic);
    chardev_close(b.cd);
    clock_free(b.clock);
    bus_free(b.io);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_timer_rtc_uart_through_pic) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
