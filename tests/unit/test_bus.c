/* SPDX-License-Identifier: MIT */
/* test_bus.c: bus region lookup, access splitting/combining and unclaimed accesses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "machine/bus.h"

/* A fake device: 16 bytes of registers and a log of the accesses it saw. */
struct fake {
    uint8_t mem[16];
    struct { uint64_t off; unsigned size; int write; } log[64];
    unsigned n;
};

static uint64_t fake_read(void *opaque, uint64_t off, unsigned size)
{
    struct fake *f = opaque;
    uint64_t v = 0;
    f->log[f->n++ % 64] = (typeof(f->log[0])){ off, size, 0 };
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)f->mem[(off + i) % 16] << (8 * i);
    return v;
}

static void fake_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct fake *f = opaque;
    f->log[f->n++ % 64] = (typeof(f->log[0])){ off, size, 1 };
    for (unsigned i = 0; i < size; i++)
        f->mem[(off + i) % 16] = (uint8_t)(val >> (8 * i));
}

static const struct bus_ops ops_byte = { fake_read, fake_write, 1, 1, false };
static const struct bus_ops ops_dword = { fake_read, fake_write, 4, 4, false };
static const struct bus_ops ops_any = { fake_read, fake_write, 1, 8, false };

static void test_byte_device_combines(void **state)
{
    (void)state;
    struct bus *b = bus_new("io", 0xffff);
    struct fake f = { 0 };
    for (int i = 0; i < 16; i++)
        f.mem[i] = (uint8_t)(0x10 + i);
    assert_non_null(bus_register(b, 0x3f8, 8, &ops_byte, &f, "uart"));
    assert_int_equal(bus_read(b, 0x3f8, 4), 0x13121110);
    assert_int_equal(f.n, 4);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(f.log[i].size, 1);
        assert_int_equal(f.log[i].off, i);
    }
    bus_write(b, 0x3f9, 0xaabb, 2);
    assert_int_equal(f.mem[1], 0xbb);
    assert_int_equal(f.mem[2], 0xaa);
    bus_free(b);
}

static void test_dword_device_narrow_and_unaligned(void **state)
{
    (void)state;
    struct bus *b = bus_new("mmio", ~0ull);
    struct fake f = { 0 };
    for (int i = 0; i < 16; i++)
        f.mem[i] = (uint8_t)i;
    assert_non_null(bus_register(b, 0x1000, 16, &ops_dword, &f, "dev"));
    /* A byte read at offset 2 becomes one dword read at 0, shifted. */
    assert_int_equal(bus_read(b, 0x1002, 1), 2);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.log[0].off, 0);
    assert_int_equal(f.log[0].size, 4);
    /* An 8-byte read at offset 2 spans three dwords. */
    f.n = 0;
    assert_true(bus_read(b, 0x1002, 8) == 0x0908070605040302ull);
    assert_int_equal(f.n, 3);
    /* A qword read splits into two dword reads. */
    f.n = 0;
    assert_true(bus_read(b, 0x1000, 8) == 0x0706050403020100ull);
    assert_int_equal(f.n, 2);
    assert_int_equal(f.log[1].off, 4);
    bus_free(b);
}

static int hook_calls;
static uint64_t hook_addr;
static void hook(void *opaque, struct bus *bus, bool is_write, uint64_t addr,
                 unsigned size, uint64_t value)
{
    (void)opaque; (void)bus; (void)is_write; (void)size; (void)value;
    hook_calls++;
    hook_addr = addr;
}

static void test_unclaimed(void **state)
{
    (void)state;
    struct bus *b = bus_new("io", 0xffff);
    struct fake f = { 0 };
    memset(f.mem, 0x42, sizeof(f.mem));
    bus_set_unclaimed_hook(b, hook, NULL);
    assert_int_equal(bus_read(b, 0x1234, 2), 0xffff);
    assert_int_equal(hook_calls, 1);
    assert_int_equal(hook_addr, 0x1234);
    bus_write(b, 0x1234, 5, 1);
    assert_int_equal(hook_calls, 2);
    /* A dword straddling a device edge: half device bytes, half all-ones. */
    assert_non_null(bus_register(b, 0x100, 2, &ops_any, &f, "dev"));
    assert_int_equal(bus_read(b, 0xfe, 4), 0x4242ffff);
    assert_int_equal(bus_read(b, 0x101, 2), 0xff42);
    /* Past the end of the bus. */
    assert_int_equal(bus_read(b, 0xffff, 2), 0xffff);
    bus_set_unclaimed_byte(b, 0);
    assert_int_equal(bus_read(b, 0x2000, 4), 0);
    bus_free(b);
}

static void test_overlap_and_move(void **state)
{
    (void)state;
    struct bus *b = bus_new("io", 0xffff);
    struct fake f1 = { 0 }, f2 = { 0 };
    f1.mem[0] = 1;
    f2.mem[0] = 2;
    struct bus_region *r1 = bus_register(b, 0x20, 2, &ops_byte, &f1, "a");
    assert_non_null(r1);
    assert_null(bus_register(b, 0x21, 2, &ops_byte, &f2, "overlap"));
    assert_null(bus_register(b, 0xffff, 2, &ops_byte, &f2, "past end"));
    assert_null(bus_register(b, 0x31, 4, &ops_dword, &f2, "misaligned"));
    struct bus_region *r2 = bus_register(b, 0x10, 2, &ops_byte, &f2, "b");
    assert_non_null(r2);
    assert_int_equal(bus_count(b), 2);
    assert_ptr_equal(bus_region_at(b, 0), r2);
    assert_int_equal(bus_read(b, 0x20, 1), 1);
    assert_int_equal(bus_read(b, 0x10, 1), 2);
    assert_false(bus_move(b, r2, 0x21));
    assert_true(bus_move(b, r2, 0x40));
    assert_int_equal(bus_read(b, 0x10, 1), 0xff);
    assert_int_equal(bus_read(b, 0x40, 1), 2);
    bus_unregister(b, r1);
    assert_int_equal(bus_read(b, 0x20, 1), 0xff);
    assert_null(bus_find(b, 0x20));
    bus_free(b);
}

static void test_many_regions_lookup(void **state)
{
    (void)state;
    struct bus *b = bus_new("io", 0xffff);
    static struct fake f[100];
    for (int i = 99; i >= 0; i--) {
        f[i].mem[0] = (uint8_t)i;
        assert_non_null(bus_register(b, (uint64_t)i * 16, 4, &ops_byte, &f[i], "x"));
    }
    for (int i = 0; i < 100; i++) {
        assert_int_equal(bus_read(b, (uint64_t)i * 16, 1), i);
        assert_int_equal(bus_read(b, (uint64_t)i * 16 + 8, 1), 0xff);
    }
    bus_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_byte_device_combines),
        cmocka_unit_test(test_dword_device_narrow_and_unaligned),
        cmocka_unit_test(test_unclaimed),
        cmocka_unit_test(test_overlap_and_move),
        cmocka_unit_test(test_many_regions_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
