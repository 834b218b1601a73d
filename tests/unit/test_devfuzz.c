/* SPDX-License-Identifier: MIT */
/* test_devfuzz.c: random guest port traffic and time jumps against all devices must not crash. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "hw/debugexit.h"
#include "hw/pic.h"
#include "hw/pit.h"
#include "hw/port80.h"
#include "hw/rtc.h"
#include "hw/uart.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int intr_level, exits;
static void cpu_intr(void *o, int n, int level) { (void)o; (void)n; intr_level = level; }
static void on_exit_req(void *o, int status) { (void)o; (void)status; exits++; }

static const uint16_t ports[] = {
    0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x70, 0x71,
    0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff, 0x80, 0x501, 0x502, 0x1234,
};

static void test_random_traffic(void **state)
{
    (void)state;
    struct bus *io = bus_new("io", 0xffff);
    struct clock *clock = clock_new_icount(2);
    struct chardev *cd = chardev_memory_new(256);
    struct irq_line intr = irq_line_make(cpu_intr, NULL, 0);
    struct pic *pic = pic_init(io, 0x20, 0xa0, 0x4d0, &intr);
    struct pit *pit = pit_init(io, clock, 0x40, 0x61, pic_irq(pic, 0));
    struct rtc *rtc = rtc_init(io, clock, 0x70, pic_irq(pic, 8));
    struct uart *uart = uart_init(io, clock, 0x3f8, pic_irq(pic, 4), cd);
    struct debugexit *de = debugexit_init(io, 0x501, 2, on_exit_req, NULL);
    struct port80 *p80 = port80_init(io, 0x80, NULL, NULL);
    assert_true(pic && pit && rtc && uart && de && p80);
    unsigned vectors = 0, timers = 0;
    for (int i = 0; i < 300000; i++) {
        uint64_t r = next();
        uint16_t port = ports[r % (sizeof(ports) / sizeof(ports[0]))];
        unsigned size = 1u << ((r >> 8) % 3);
        switch ((r >> 12) % 8) {
        case 0: case 1: case 2:
            bus_write(io, port, next(), size);
            break;
        case 3: case 4:
            bus_read(io, port, size);
            break;
        case 5:
            clock_advance_insns(clock, next() % 5000);
            timers += clock_run_timers(clock);
            break;
        case 6:
            if (intr_level) {
                uint8_t v = pic_get_interrupt(pic);
                vectors += v != 0;
            }
            break;
        default: {
            uint8_t b[4] = { (uint8_t)r, (uint8_t)(r >> 8), (uint8_t)(r >> 16), 1 };
            chardev_push(cd, b, 1 + (r >> 20) % 4);
            uint8_t out[256];
            chardev_memory_take(cd, out, sizeof(out));
            break;
        }
        }
        if (i % 50000 == 0)
            clock_advance_insns(clock, 1ull << 34);   /* a big jump now and then */
    }
    assert_true(exits > 0);
    assert_true(vectors > 0);
    assert_true(timers > 0);
    port80_free(p80);
    debugexit_free(de);
    uart_free(uart);
    rtc_free(rtc);
    pit_free(pit);
    pic_free(pic);
    chardev_close(cd);
    clock_free(clock);
    bus_free(io);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_random_traffic) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
