/* SPDX-License-Identifier: MIT */
/* test_pf_rmw.c: #PF error code W/R bit for loads, stores and read-modify-writes of a missing page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/bare.h"

/*
 * A read-modify-write instruction (ADD [m], r; INC [m]; NEG [m]; shifts, rotates, SHLD;
 * BTS/BTR/BTC...) whose operand is on
 * a missing page faults with W/R = 1 on the x86 hosts we compare against (AMD and Intel:
 * the read is done with write intent), like a store; only a plain read (MOV r, [m];
 * CMP; ADD r, [m]) gets W/R = 0. Found by difftest's rloop class
 * (difftest --classes rloop); the rows below are what this host's CPU reported for each
 * instruction (SIGSEGV's error code), checked by hand.
 */

#define MEM 0x10000u       /* memory 0..0xffff: 0x10000 is missing */
#define CODE 0x1000u

/* mov rax, 0x10000 (+ ofs); <insn>; hlt -> the #PF error code's W/R bit */
static int wbit(int engine, const uint8_t *insn, size_t n)
{
    uint8_t code[32] = { 0x48, 0xc7, 0xc0, 0x00, 0x00, 0x01, 0x00 };   /* mov rax, 0x10000 */
    memcpy(code + 7, insn, n);
    code[7 + n] = 0xf4;
    struct bare_cpu *cpu = bare_cpu_new(engine ? BARE_ENGINE_JIT : BARE_ENGINE_INTERP,
                                        BARE_MODE_LONG64, 0, MEM);
    assert_non_null(cpu);
    assert_true(bare_cpu_write(cpu, CODE, code, 8 + n));
    struct bare_regs r;
    bare_cpu_get_regs(cpu, &r);
    r.rip = CODE;
    r.gpr[4] = 0x8000;
    r.gpr[3] = 5;
    r.rflags = 2;
    bare_cpu_set_regs(cpu, &r);
    struct bare_result res;
    bare_cpu_run(cpu, 1000, &res);
    bare_cpu_free(cpu);
    assert_int_equal(res.stop, BARE_STOP_EXCEPTION);
    assert_int_equal(res.vector, 14);
    assert_true(res.has_error_code);
    assert_int_equal(res.cr2, 0x10000);
    return (res.error_code >> 1) & 1;
}

static void test_pf_wbit(void **state)
{
    (void)state;
    static const struct { uint8_t b[4]; size_t n; int w; const char *what; } t[] = {
        { { 0x8b, 0x18 }, 2, 0, "mov ebx, [rax]" },
        { { 0x3b, 0x18 }, 2, 0, "cmp ebx, [rax]" },
        { { 0x03, 0x18 }, 2, 0, "add ebx, [rax]" },
        { { 0x89, 0x18 }, 2, 1, "mov [rax], ebx" },
        { { 0x01, 0x18 }, 2, 1, "add [rax], ebx" },
        { { 0xff, 0x00 }, 2, 1, "inc dword [rax]" },
        { { 0xf7, 0x18 }, 2, 1, "neg dword [rax]" },
        { { 0x87, 0x18 }, 2, 1, "xchg [rax], ebx" },
        { { 0xf0, 0x01, 0x18 }, 3, 1, "lock add [rax], ebx" },
        { { 0x11, 0x18 }, 2, 1, "adc [rax], ebx" },
        { { 0xf7, 0x10 }, 2, 1, "not dword [rax]" },
        { { 0xd1, 0x20 }, 2, 1, "shl dword [rax], 1" },
        { { 0xd3, 0x00 }, 2, 1, "rol dword [rax], cl" },
        { { 0xd1, 0x10 }, 2, 1, "rcl dword [rax], 1" },
        { { 0x0f, 0xa4, 0x18, 0x03 }, 4, 1, "shld [rax], ebx, 3" },
        { { 0x0f, 0xba, 0x28, 0x03 }, 4, 1, "bts dword [rax], 3" },
        { { 0x0f, 0xb3, 0x18 }, 3, 1, "btr [rax], ebx" },
        { { 0x0f, 0xba, 0x20, 0x03 }, 4, 0, "bt dword [rax], 3" },
        { { 0x0f, 0xa3, 0x18 }, 3, 0, "bt [rax], ebx" },
        { { 0x0f, 0xc1, 0x18 }, 3, 1, "xadd [rax], ebx" },
        { { 0x0f, 0xb1, 0x18 }, 3, 1, "cmpxchg [rax], ebx" },
        { { 0x0f, 0x94, 0x00 }, 3, 1, "sete byte [rax]" },
        { { 0x85, 0x18 }, 2, 0, "test [rax], ebx" },
    };
    for (int e = 0; e < 2; e++) {
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
            int w = wbit(e, t[i].b, t[i].n);
            if (w != t[i].w)
                print_error("%s: %s: W/R %d, expected %d\n", e ? "jit" : "interp", t[i].what, w,
                            t[i].w);
            assert_int_equal(w, t[i].w);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pf_wbit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
