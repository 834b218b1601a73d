/* SPDX-License-Identifier: MIT */
/* test_i8042.c: the 8042 controller and its PS/2 keyboard and mouse, driven through ports 0x60/0x64. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "hw/i8042.h"
#include "hw/ps2.h"

struct fix {
    struct bus *io;
    struct i8042 *c;
    struct irq_line kbd, aux;
    int level[2];
    int rises[2];
    int resets;
    int a20;                /* -1 until told */
};

static void irq_set_cb(void *opaque, int n, int level)
{
    struct fix *f = opaque;
    if (level && !f->level[n])
        f->rises[n]++;
    f->level[n] = level;
}

static void on_reset(void *opaque) { ((struct fix *)opaque)->resets++; }
static void on_a20(void *opaque, bool on) { ((struct fix *)opaque)->a20 = on; }

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof(*f));
    f->io = bus_new("io", 0xffff);
    f->kbd = irq_line_make(irq_set_cb, f, 0);
    f->aux = irq_line_make(irq_set_cb, f, 1);
    f->a20 = -1;
    f->c = i8042_init(f->io, 0x60, &f->kbd, &f->aux, on_reset, on_a20, f);
    assert_non_null(f->c);
    assert_null(i8042_init(f->io, 0x60, NULL, NULL, NULL, NULL, NULL));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    i8042_free(f->c);
    bus_free(f->io);
    free(f);
    return 0;
}

static uint8_t status(struct fix *f) { return (uint8_t)bus_read(f->io, 0x64, 1); }
static void cmd(struct fix *f, uint8_t c) { bus_write(f->io, 0x64, c, 1); }
static void data(struct fix *f, uint8_t d) { bus_write(f->io, 0x60, d, 1); }

/* Reads one byte, which must be there (and from the mouse side if aux). */
static uint8_t get(struct fix *f, bool aux)
{
    uint8_t s = status(f);
    if (!(s & I8042_STS_OBF))
        fail_msg("no byte");
    assert_int_equal(!!(s & I8042_STS_AUX), aux);
    return (uint8_t)bus_read(f->io, 0x60, 1);
}

static void expect_at(struct fix *f, bool aux, const uint8_t *bytes, size_t n, int line)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t s = status(f);
        if (!(s & I8042_STS_OBF))
            fail_msg("line %d: byte %zu missing", line, i);
        uint8_t b = get(f, aux);
        if (b != bytes[i])
            fail_msg("line %d: byte %zu is %#x, not %#x", line, i, b, bytes[i]);
    }
    if (status(f) & I8042_STS_OBF)
        fail_msg("line %d: a byte %#x more than expected", line, (unsigned)bus_read(f->io, 0x60, 1));
}
#define EXPECT(f, aux, ...) do { static const uint8_t b_[] = { __VA_ARGS__ }; \
                                 expect_at(f, aux, b_, sizeof(b_), __LINE__); } while (0)

static void test_controller(void **state)
{
    struct fix *f = *state;

    /* Firmware state: system flag, not inhibited, empty. */
    assert_int_equal(status(f), I8042_STS_SYS | I8042_STS_UNLOCKED);
    cmd(f, 0x20);
    assert_true(status(f) & I8042_STS_CMD);
    EXPECT(f, false, 0x65);
    cmd(f, 0xaa);
    EXPECT(f, false, 0x55);
    cmd(f, 0xab);
    EXPECT(f, false, 0x00);
    cmd(f, 0xa9);
    EXPECT(f, false, 0x00);
    cmd(f, 0xa4);
    EXPECT(f, false, 0xf1);
    /* Write and read back the configuration byte and internal RAM. */
    cmd(f, 0x60);
    data(f, 0x47);
    assert_false(status(f) & I8042_STS_CMD);
    assert_int_equal(i8042_config(f->c), 0x47);
    cmd(f, 0x75);
    data(f, 0x99);
    cmd(f, 0x35);
    EXPECT(f, false, 0x99);
    /* Port enables. */
    cmd(f, 0xa7);
    assert_true(i8042_config(f->c) & I8042_CFG_AUX_DIS);
    cmd(f, 0xa8);
    assert_false(i8042_config(f->c) & I8042_CFG_AUX_DIS);
    cmd(f, 0xad);
    assert_true(i8042_config(f->c) & I8042_CFG_KBD_DIS);
    cmd(f, 0xae);
    assert_false(i8042_config(f->c) & I8042_CFG_KBD_DIS);
    /* Controller replies raise IRQ 1 when the keyboard interrupt is on. */
    int r = f->rises[0];
    cmd(f, 0x20);
    assert_int_equal(f->level[0], 1);
    assert_int_equal(f->rises[0], r + 1);
    get(f, false);
    assert_int_equal(f->level[0], 0);
    /* Loopback through the mouse side: AUX status and IRQ 12. */
    cmd(f, 0xd3);
    data(f, 0x5a);
    assert_int_equal(f->level[1], 1);
    EXPECT(f, true, 0x5a);
    assert_int_equal(f->level[1], 0);
    cmd(f, 0xd2);
    data(f, 0x33);
    EXPECT(f, false, 0x33);
}

static void test_output_port(void **state)
{
    struct fix *f = *state;

    cmd(f, 0xd0);
    assert_int_equal(get(f, false) & 3, 3);            /* not in reset, A20 on */
    cmd(f, 0xd1);
    data(f, 0x01);                                      /* A20 off, reset line high */
    assert_int_equal(f->a20, 0);
    assert_int_equal(f->resets, 0);
    cmd(f, 0xd0);
    assert_int_equal(get(f, false) & 3, 1);
    cmd(f, 0xdf);
    assert_int_equal(f->a20, 1);
    cmd(f, 0xdd);
    assert_int_equal(f->a20, 0);
    /* Pulses: 0xfe pulses the reset line, 0xff pulses nothing. */
    cmd(f, 0xff);
    assert_int_equal(f->resets, 0);
    cmd(f, 0xfe);
    assert_int_equal(f->resets, 1);
    cmd(f, 0xf0);
    assert_int_equal(f->resets, 2);
    cmd(f, 0xd1);
    data(f, 0x02);                                      /* reset bit low */
    assert_int_equal(f->resets, 3);
    assert_int_equal(f->a20, 1);
}

static void test_keyboard(void **state)
{
    struct fix *f = *state;

    /* Identify through the translating controller: AB 83 becomes AB 41. */
    data(f, 0xf2);
    EXPECT(f, false, 0xfa, 0xab, 0x41);
    /* Untranslated (XLAT off) it is the keyboard's own answer. */
    cmd(f, 0x60);
    data(f, 0x05);
    data(f, 0xf2);
    EXPECT(f, false, 0xfa, 0xab, 0x83);
    data(f, 0xff);
    EXPECT(f, false, 0xfa, 0xaa);
    data(f, 0xee);
    EXPECT(f, false, 0xee);
    data(f, 0xed);
    data(f, 0x07);
    EXPECT(f, false, 0xfa, 0xfa);
    data(f, 0xf3);
    data(f, 0x20);
    EXPECT(f, false, 0xfa, 0xfa);
    data(f, 0x12);                                      /* not a command */
    EXPECT(f, false, 0xfe);
    /* Scancode set 2: make and F0 break; extended keys with E0. */
    assert_true(i8042_key_event(f->c, 0x04, true));     /* A */
    assert_true(i8042_key_event(f->c, 0x04, false));
    EXPECT(f, false, 0x1c, 0xf0, 0x1c);
    i8042_key_event(f->c, 0x4f, true);                  /* right arrow */
    i8042_key_event(f->c, 0x4f, false);
    EXPECT(f, false, 0xe0, 0x74, 0xe0, 0xf0, 0x74);
    assert_false(i8042_key_event(f->c, 0x01, true));    /* no such key */
    assert_false(status(f) & I8042_STS_OBF);
    /* Get and set the scancode set. */
    data(f, 0xf0);
    data(f, 0x00);
    EXPECT(f, false, 0xfa, 0xfa, 0x02);
    data(f, 0xf0);
    data(f, 0x01);
    EXPECT(f, false, 0xfa, 0xfa);
    i8042_key_event(f->c, 0x04, true);
    i8042_key_event(f->c, 0x04, false);
    EXPECT(f, false, 0x1e, 0x9e);
    data(f, 0xf0);
    data(f, 0x03);                                      /* set 3: refused */
    EXPECT(f, false, 0xfa, 0xfe);
    data(f, 0xf0);
    data(f, 0x02);
    EXPECT(f, false, 0xfa, 0xfa);
    /* Translation on: set 2 becomes set 1, breaks get bit 7, E0 passes. */
    cmd(f, 0x60);
    data(f, 0x45);
    for (unsigned k = 0x04; k <= 0x65; k++) {
        if (k == 0x48)
            continue;                                   /* Pause: make only */
        i8042_key_event(f->c, k, true);
        i8042_key_event(f->c, k, false);
    }
    /* Spot checks of the translated stream: A = 1e/9e first. */
    static const uint8_t first[] = { 0x1e, 0x9e, 0x30, 0xb0 };
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(get(f, false), first[i]);
    while (status(f) & I8042_STS_OBF)
        get(f, false);
    i8042_key_event(f->c, 0x40, true);                  /* F7: set 2 0x83 */
    i8042_key_event(f->c, 0x50, false);                 /* left arrow up */
    i8042_key_event(f->c, 0xe4, true);                  /* right ctrl */
    EXPECT(f, false, 0x41, 0xe0, 0xcb, 0xe0, 0x1d);
    /* Disabled scanning drops keys; a disabled port holds them. */
    data(f, 0xf5);
    EXPECT(f, false, 0xfa);
    i8042_key_event(f->c, 0x04, true);
    assert_false(status(f) & I8042_STS_OBF);
    data(f, 0xf4);
    EXPECT(f, false, 0xfa);
    cmd(f, 0xad);
    i8042_key_event(f->c, 0x04, true);
    assert_false(status(f) & I8042_STS_OBF);
    cmd(f, 0xae);
    EXPECT(f, false, 0x1e);
    /* One IRQ 1 edge per byte. */
    int r = f->rises[0];
    i8042_key_event(f->c, 0x05, true);
    i8042_key_event(f->c, 0x05, false);
    get(f, false);
    get(f, false);
    assert_int_equal(f->rises[0], r + 2);
    assert_int_equal(f->level[0], 0);
}

static void test_mouse(void **state)
{
    struct fix *f = *state;

    cmd(f, 0x60);
    data(f, 0x47);                                      /* both ports and interrupts on */
    cmd(f, 0xd4);
    data(f, 0xf2);
    EXPECT(f, true, 0xfa, 0x00);
    cmd(f, 0xd4);
    data(f, 0xff);
    EXPECT(f, true, 0xfa, 0xaa, 0x00);
    /* Not reporting yet: movement is kept, no packet. */
    i8042_mouse_event(f->c, 3, 4, 0, 0);
    assert_false(status(f) & I8042_STS_OBF);
    cmd(f, 0xd4);
    data(f, 0xf4);
    EXPECT(f, true, 0xfa);
    assert_int_equal(f->level[1], 0);
    i8042_mouse_event(f->c, 2, -10, 0, 1);
    assert_int_equal(f->level[1], 1);
    EXPECT(f, true, 0x29, 0x05, 0xfa);                  /* left, Y negative; 3+2, 4-10 */
    /* Status request, sample rate, resolution. */
    cmd(f, 0xd4);
    data(f, 0xe8);
    cmd(f, 0xd4);
    data(f, 0x03);
    cmd(f, 0xd4);
    data(f, 0xe9);
    EXPECT(f, true, 0xfa, 0xfa, 0xfa, 0x24, 0x03, 100);
    /* IntelliMouse: rates 200, 100, 80 turn the ID into 3 and packets into 4 bytes. */
    static const uint8_t rates[] = { 200, 100, 80 };
    for (unsigned i = 0; i < 3; i++) {
        cmd(f, 0xd4);
        data(f, 0xf3);
        cmd(f, 0xd4);
        data(f, rates[i]);
        EXPECT(f, true, 0xfa, 0xfa);
    }
    cmd(f, 0xd4);
    data(f, 0xf2);
    EXPECT(f, true, 0xfa, 0x03);
    i8042_mouse_event(f->c, -1, 1, 2, 0);
    EXPECT(f, true, 0x18, 0xff, 0x01, 0x02);
    /* A big move is split into packets of at most 255/-256. */
    i8042_mouse_event(f->c, 600, 0, 0, 0);
    EXPECT(f, true, 0x08, 0xff, 0x00, 0x00, 0x08, 0xff, 0x00, 0x00, 0x08, 0x5a, 0x00, 0x00);
    /* Remote mode: nothing until read data (EB). */
    cmd(f, 0xd4);
    data(f, 0xf0);
    EXPECT(f, true, 0xfa);
    i8042_mouse_event(f->c, 7, 0, 0, 2);
    assert_false(status(f) & I8042_STS_OBF);
    cmd(f, 0xd4);
    data(f, 0xeb);
    EXPECT(f, true, 0xfa, 0x0a, 0x07, 0x00, 0x00);
    /* Mouse data waits while the mouse port is disabled. */
    cmd(f, 0xd4);
    data(f, 0xea);
    EXPECT(f, true, 0xfa);
    cmd(f, 0xa7);
    i8042_mouse_event(f->c, 1, 0, 0, 0);
    assert_false(status(f) & I8042_STS_OBF);
    cmd(f, 0xa8);
    EXPECT(f, true, 0x08, 0x01, 0x00, 0x00);
    /* Wrap mode echoes until EC. */
    cmd(f, 0xd4);
    data(f, 0xee);
    cmd(f, 0xd4);
    data(f, 0x42);
    cmd(f, 0xd4);
    data(f, 0xec);
    EXPECT(f, true, 0xfa, 0x42, 0xfa);
}

/* Random guest traffic and input never crash, never overflow, and a reset
   brings back the firmware state. */
static void test_fuzz(void **state)
{
    struct fix *f = *state;
    uint64_t x = 0x243f6a8885a308d3ull;

    for (unsigned i = 0; i < 300000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        switch (x % 6) {
        case 0: bus_write(f->io, 0x64, (x >> 8) & 0xff, 1); break;
        case 1: bus_write(f->io, 0x60, (x >> 8) & 0xff, 1); break;
        case 2: (void)bus_read(f->io, 0x60, 1); break;
        case 3: (void)bus_read(f->io, 0x64, 1); break;
        case 4: i8042_key_event(f->c, (x >> 8) & 0xff, (x >> 16) & 1); break;
        case 5: i8042_mouse_event(f->c, (int)((x >> 8) & 0xffff) - 0x8000,
                                  (int)((x >> 24) & 0xffff) - 0x8000, (int)((x >> 40) & 0xff) - 0x80,
                                  (x >> 48) & 0xff); break;
        }
    }
    i8042_reset(f->c);
    assert_int_equal(status(f), I8042_STS_SYS | I8042_STS_UNLOCKED);
    assert_int_equal(i8042_config(f->c), 0x65);
    assert_int_equal(f->level[0], 0);
    assert_int_equal(f->level[1], 0);
    data(f, 0xf2);
    EXPECT(f, false, 0xfa, 0xab, 0x41);
}

static void test_translate_table(void **state)
{
    (void)state;
    /* Replies and prefixes pass; F7's 0x83 is the one code above 0x7f that maps. */
    assert_int_equal(ps2_translate(0xfa), 0xfa);
    assert_int_equal(ps2_translate(0xe0), 0xe0);
    assert_int_equal(ps2_translate(0x83), 0x41);
    assert_int_equal(ps2_translate(0x76), 0x01);        /* Esc */
    assert_int_equal(ps2_translate(0x5a), 0x1c);        /* Enter */
    assert_int_equal(ps2_translate(0x29), 0x39);        /* Space */
    assert_int_equal(ps2_translate(0x12), 0x2a);        /* left shift */
    /* Every set 2 code a key can send translates to its set 1 code (no two keys share one). */
    uint8_t seen[128] = { 0 };
    for (unsigned c = 1; c < 0x80; c++) {
        uint8_t t = ps2_translate((uint8_t)c);
        if (t != c) {
            assert_true(t < 0x80);
            assert_int_equal(seen[t], 0);
            seen[t] = 1;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_controller, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyboard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mouse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
        cmocka_unit_test(test_translate_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
