/* SPDX-License-Identifier: MIT */
/* test_debugexit.c: isa-debug-exit status encoding and the port 0x80 POST code latch. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "hw/debugexit.h"
#include "hw/port80.h"

static int last_status = -1, calls;
static void on_exit_req(void *opaque, int status) { (void)opaque; last_status = status; calls++; }

static int codes[4], ncodes;
static void on_post(void *opaque, uint8_t code) { (void)opaque; codes[ncodes++ % 4] = code; }

static void test_debug_exit(void **state)
{
    (void)state;
    struct bus *io = bus_new("io", 0xffff);
    struct debugexit *d = debugexit_init(io, 0xf4, 4, on_exit_req, NULL);
    assert_non_null(d);
    bus_write(io, 0xf4, 0x00, 1);
    assert_int_equal(last_status, 1);
    bus_write(io, 0xf4, 0x10, 1);
    assert_int_equal(last_status, 0x21);
    bus_write(io, 0xf4, 0x31, 4);               /* one dword access, one call */
    assert_int_equal(last_status, 0x63);
    assert_int_equal(calls, 3);
    assert_int_equal(bus_read(io, 0xf4, 1), 0);
    bus_write(io, 0xf8, 0x31, 1);               /* outside its ports */
    assert_int_equal(calls, 3);
    debugexit_free(d);
    /* QEMU's default placement. */
    d = debugexit_init(io, 0x501, 2, on_exit_req, NULL);
    assert_non_null(d);
    bus_write(io, 0x501, 0x02, 1);
    assert_int_equal(last_status, 5);
    debugexit_free(d);
    bus_free(io);
}

static void test_port80(void **state)
{
    (void)state;
    struct bus *io = bus_new("io", 0xffff);
    struct port80 *p = port80_init(io, 0x80, on_post, NULL);
    assert_non_null(p);
    assert_int_equal(port80_last(p), 0);
    bus_write(io, 0x80, 0x55, 1);
    bus_write(io, 0x80, 0xaa, 1);
    assert_int_equal(port80_last(p), 0xaa);
    assert_int_equal(ncodes, 2);
    assert_int_equal(codes[0], 0x55);
    assert_int_equal(bus_read(io, 0x80, 1), 0xff);
    port80_free(p);
    bus_free(io);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_debug_exit), cmocka_unit_test(test_port80),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
