/* SPDX-License-Identifier: MIT */
/* run_guests.c: runs the tests/guest programs on the bare CPU (both engines) with exception delivery. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/bare.h"

/*
 * A guest is a flat real-mode image loaded at 0x1000 and entered at 0000:1000
 * with 16 MiB of memory at address 0. It writes text to port 0xE9 and ends by
 * writing its result to port 0xF4 (0 = pass, anything else = the failing
 * check's number) and halting. No result, an exception that stops the CPU, or
 * running out of budget fail the test.
 */
#define LOAD 0x1000
#define MEM (16u << 20)

struct guest_io {
    char out[4096];
    size_t n;
    int result;   /* -1: none written */
};

static uint32_t io_read(void *opaque, uint16_t port, unsigned size)
{
    (void)opaque; (void)port;
    return size == 4 ? 0xffffffffu : size == 2 ? 0xffffu : 0xffu;
}

static void io_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct guest_io *g = opaque;
    (void)size;
    if (port == 0xe9 && g->n + 1 < sizeof(g->out))
        g->out[g->n++] = (char)value;
    else if (port == 0xf4)
        g->result = (int)(value & 0xffff);
}

static void run_guest(const char *name, enum bare_engine eng)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s.bin", GUEST_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        print_error("cannot open %s\n", path);
        fail();
    }
    static uint8_t img[1 << 20];
    size_t len = fread(img, 1, sizeof(img), f);
    fclose(f);
    struct bare_cpu *c = bare_cpu_new(eng, BARE_MODE_REAL, 0, MEM);
    assert_non_null(c);
    assert_true(bare_cpu_write(c, LOAD, img, len));
    struct guest_io g = { .n = 0, .result = -1 };
    bare_cpu_set_io(c, io_read, io_write, &g);
    bare_cpu_set_deliver(c, true);
    struct bare_regs r;
    bare_cpu_get_regs(c, &r);
    memset(r.gpr, 0, sizeof(r.gpr));
    r.rip = LOAD;
    r.rflags = 2;
    memset(r.seg, 0, sizeof(r.seg));
    r.gpr[4] = 0x1000;
    bare_cpu_set_regs(c, &r);
    struct bare_result res;
    bare_cpu_run(c, 5000000, &res);
    g.out[g.n] = 0;
    bare_cpu_get_regs(c, &r);
    bare_cpu_free(c);
    if (g.result != 0 || res.stop != BARE_STOP_HLT) {
        print_error("%s (%s): result %d, stop %d (vector %u error %#x) at cs=%#x rip=%#llx\noutput: %s\n",
                    name, eng == BARE_ENGINE_JIT ? "jit" : "interp", g.result, (int)res.stop,
                    res.vector, res.error_code, r.seg[1], (unsigned long long)r.rip, g.out);
        fail();
    }
}

#define GUEST(name)                                                                         \
    static void test_##name##_interp(void **st) { (void)st; run_guest(#name, BARE_ENGINE_INTERP); } \
    static void test_##name##_jit(void **st) { (void)st; run_guest(#name, BARE_ENGINE_JIT); }
GUEST(real)
GUEST(prot)
GUEST(v86)
GUEST(fpenv)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_interp), cmocka_unit_test(test_real_jit),
        cmocka_unit_test(test_prot_interp), cmocka_unit_test(test_prot_jit),
        cmocka_unit_test(test_v86_interp), cmocka_unit_test(test_v86_jit),
        cmocka_unit_test(test_fpenv_interp), cmocka_unit_test(test_fpenv_jit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
