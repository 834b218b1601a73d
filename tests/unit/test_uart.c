/* SPDX-License-Identifier: MIT */
/* test_uart.c: 16550A through the I/O bus with a memory chardev and a deterministic clock. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "hw/uart.h"

#define COM1 0x3f8

struct rig {
    struct bus *io;
    struct clock *clock;
    struct chardev *cd;
    struct uart *uart;
    struct irq_line line;
    int level;
};

static void irq_rec(void *opaque, int n, int level) { ((struct rig *)opaque)->level = level; }

static int setup(void **state)
{
    static struct rig r;
    r = (struct rig){ 0 };
    r.io = bus_new("io", 0xffff);
    r.clock = clock_new_icount(0);
    r.cd = chardev_memory_new(4096);
    r.line = irq_line_make(irq_rec, &r, 4);
    r.uart = uart_init(r.io, r.clock, COM1, &r.line, r.cd);
    *state = &r;
    return r.uart ? 0 : -1;
}

static int teardown(void **state)
{
    struct rig *r = *state;
    uart_free(r->uart);
    chardev_close(r->cd);
    clock_free(r->clock);
    bus_free(r->io);
    return 0;
}

static void out8(struct rig *r, unsigned reg, uint8_t v) { bus_write(r->io, COM1 + reg, v, 1); }
static uint8_t in8(struct rig *r, unsigned reg) { return (uint8_t)bus_read(r->io, COM1 + reg, 1); }

static void run_for(struct rig *r, int64_t ns)
{
    int64_t t = clock_ns(r->clock) + ns;
    while (clock_next_deadline(r->clock) <= t) {
        clock_advance_ns(r->clock, clock_next_deadline(r->clock) - clock_ns(r->clock));
        clock_run_timers(r->clock);
    }
    clock_advance_ns(r->clock, t - clock_ns(r->clock));
}

static void test_transmit_and_dlab(void **state)
{
    struct rig *r = *state;
    out8(r, 3, 0x80);                       /* DLAB */
    out8(r, 0, 0x01);
    out8(r, 1, 0x00);
    assert_int_equal(in8(r, 0), 0x01);
    assert_int_equal(in8(r, 1), 0x00);
    out8(r, 3, 0x03);                       /* 8N1 */
    assert_int_equal(uart_char_ns(r->uart), 86805);   /* 10 bits at 115200 */
    const char *msg = "hello";
    for (const char *p = msg; *p; p++) {
        assert_int_equal(in8(r, 5) & 0x60, 0x60);
        out8(r, 0, (uint8_t)*p);
    }
    uint8_t got[16];
    assert_int_equal(chardev_memory_take(r->cd, got, sizeof(got)), 5);
    assert_memory_equal(got, msg, 5);
    out8(r, 7, 0x5a);
    assert_int_equal(in8(r, 7), 0x5a);
    assert_int_equal(in8(r, 1), 0x00);      /* IER, not DLM */
}

static void test_thre_interrupt_and_out2(void **state)
{
    struct rig *r = *state;
    out8(r, 1, 0x02);                       /* ETBEI: THR empty -> interrupt */
    assert_int_equal(in8(r, 2), 0x02);
    assert_int_equal(r->level, 0);          /* OUT2 clear: line gated off */
    assert_int_equal(in8(r, 2), 0x01);      /* the IIR read acknowledged it */
    out8(r, 4, 0x08);                       /* OUT2 */
    out8(r, 0, 'x');
    assert_int_equal(r->level, 1);
    assert_int_equal(in8(r, 2), 0x02);
    assert_int_equal(r->level, 0);
    out8(r, 0, 'y');
    assert_int_equal(r->level, 1);
    out8(r, 1, 0x00);
    assert_int_equal(r->level, 0);
}

static void test_receive_no_fifo(void **state)
{
    struct rig *r = *state;
    out8(r, 4, 0x08);
    out8(r, 1, 0x01);                       /* RDA */
    assert_int_equal(in8(r, 5) & 1, 0);
    chardev_push(r->cd, (const uint8_t *)"ab", 2);
    assert_int_equal(uart_rx_count(r->uart), 1);    /* flow control: one at a time */
    assert_int_equal(in8(r, 5) & 1, 1);
    assert_int_equal(r->level, 1);
    assert_int_equal(in8(r, 2), 0x04);
    assert_int_equal(in8(r, 0), 'a');
    assert_int_equal(in8(r, 0), 'b');               /* delivered once there was room */
    assert_int_equal(in8(r, 5) & 1, 0);
    assert_int_equal(r->level, 0);
}

static void test_fifo_trigger_and_timeout(void **state)
{
    struct rig *r = *state;
    out8(r, 3, 0x80); out8(r, 0, 1); out8(r, 1, 0); out8(r, 3, 0x03);
    out8(r, 4, 0x08);
    out8(r, 2, 0xc7);                       /* FIFO on, clear, trigger 14 */
    out8(r, 1, 0x01);
    assert_int_equal(in8(r, 2), 0xc1);
    uint8_t data[20];
    for (int i = 0; i < 20; i++)
        data[i] = (uint8_t)('A' + i);
    chardev_push(r->cd, data, 10);
    assert_int_equal(uart_rx_count(r->uart), 10);
    assert_int_equal(in8(r, 2), 0xc1);      /* below trigger */
    assert_int_equal(r->level, 0);
    run_for(r, 4 * 86805 - 1);
    assert_int_equal(r->level, 0);
    run_for(r, 1);
    assert_int_equal(r->level, 1);
    assert_int_equal(in8(r, 2), 0xcc);      /* character timeout */
    assert_int_equal(in8(r, 0), 'A');
    assert_int_equal(in8(r, 2), 0xc1);      /* a read clears the timeout */
    chardev_push(r->cd, data + 10, 10);     /* 9 + 10 > 16: 3 wait outside */
    assert_int_equal(uart_rx_count(r->uart), 16);
    assert_int_equal(in8(r, 2), 0xc4);      /* trigger level reached */
    assert_int_equal(in8(r, 5) & 0x02, 0);  /* no overrun: flow control held the rest */
    for (int i = 1; i < 20; i++)
        assert_int_equal(in8(r, 0), 'A' + i);
    assert_int_equal(in8(r, 5) & 1, 0);
    assert_int_equal(r->level, 0);
}

static void test_loopback_overrun_and_rls(void **state)
{
    struct rig *r = *state;
    out8(r, 2, 0x01);                       /* FIFO on, trigger 1 */
    out8(r, 4, 0x10 | 0x08);                /* loopback (OUT2 set but gated in loop) */
    out8(r, 1, 0x05);                       /* RDA + RLS */
    for (int i = 0; i < 17; i++)
        out8(r, 0, (uint8_t)i);
    uint8_t got[4];
    assert_int_equal(chardev_memory_take(r->cd, got, sizeof(got)), 0);   /* not sent out */
    assert_int_equal(uart_rx_count(r->uart), 16);
    assert_int_equal(in8(r, 2), 0xc6);      /* RLS beats RDA */
    assert_int_equal(r->level, 0);          /* loopback disconnects the IRQ */
    assert_int_equal(in8(r, 5) & 0x83, 0x83);
    assert_int_equal(in8(r, 5) & 0x02, 0);  /* reading LSR cleared OE */
    assert_int_equal(in8(r, 2), 0xc4);
    for (int i = 0; i < 16; i++)
        assert_int_equal(in8(r, 0), i);
    /* Input from outside is refused while looping back. */
    chardev_push(r->cd, (const uint8_t *)"z", 1);
    assert_int_equal(uart_rx_count(r->uart), 0);
    out8(r, 4, 0x08);
    assert_int_equal(uart_rx_count(r->uart), 1);
    assert_int_equal(in8(r, 0), 'z');
}

static void test_modem_status_and_priority(void **state)
{
    struct rig *r = *state;
    out8(r, 4, 0x10);                       /* loopback, all outputs off */
    in8(r, 6);
    assert_int_equal(in8(r, 6), 0x00);
    out8(r, 4, 0x10 | 0x01 | 0x02 | 0x04);  /* DTR, RTS, OUT1 */
    assert_int_equal(in8(r, 6), 0x73);      /* CTS DSR RI + deltas */
    assert_int_equal(in8(r, 6), 0x70);
    out8(r, 4, 0x10 | 0x01 | 0x02);         /* RI falls: TERI */
    assert_int_equal(in8(r, 6) & 0x04, 0x04);
    /* All four sources pending: reported in priority order as each clears. */
    out8(r, 4, 0x10);                       /* deltas for CTS/DSR */
    out8(r, 0, 0x55);                       /* loop: RDA + THRE */
    for (int i = 0; i < 20; i++)
        out8(r, 0, 0x55);                   /* overrun: RLS */
    out8(r, 1, 0x0f);
    assert_int_equal(in8(r, 2) & 0x0f, 0x06);
    in8(r, 5);
    assert_int_equal(in8(r, 2) & 0x0f, 0x04);
    while (in8(r, 5) & 1)
        in8(r, 0);
    assert_int_equal(in8(r, 2) & 0x0f, 0x02);
    assert_int_equal(in8(r, 2) & 0x0f, 0x00);
    in8(r, 6);
    assert_int_equal(in8(r, 2) & 0x0f, 0x01);
}

static void test_break(void **state)
{
    struct rig *r = *state;
    out8(r, 4, 0x08);
    out8(r, 1, 0x05);                       /* RDA + RLS */
    chardev_send_event(r->cd, CHARDEV_EVENT_BREAK);
    assert_int_equal(r->level, 1);
    assert_int_equal(in8(r, 2), 0x06);
    assert_int_equal(in8(r, 5) & 0x11, 0x11);   /* BI + DR */
    assert_int_equal(in8(r, 2), 0x04);
    assert_int_equal(in8(r, 0), 0x00);
    assert_int_equal(r->level, 0);
    /* Loopback: setting LCR break is received as one. */
    out8(r, 4, 0x10);
    out8(r, 3, 0x43);
    assert_int_equal(in8(r, 5) & 0x11, 0x11);
    out8(r, 3, 0x03);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_transmit_and_dlab), T(test_thre_interrupt_and_out2), T(test_receive_no_fifo),
        T(test_fifo_trigger_and_timeout), T(test_loopback_overrun_and_rls),
        T(test_modem_status_and_priority), T(test_break),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
