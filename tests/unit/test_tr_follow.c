/* SPDX-License-Identifier: MIT */
/* test_tr_follow.c: blocks that go on across direct JMP/CALL on their page: results, block counts, SMC in the covered span. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/bare.h"
#include "cpu/cpu.h"

static struct bare_cpu *start(int eng, const uint8_t *code, size_t len, uint64_t at)
{
    struct bare_cpu *cpu = bare_cpu_new((enum bare_engine)eng, BARE_MODE_LONG64, 0, 1 << 20);
    assert_non_null(cpu);
    assert_true(bare_cpu_write(cpu, at, code, len));
    struct bare_regs r;
    bare_cpu_get_regs(cpu, &r);
    r.rip = at;
    r.gpr[4] = 0x8000;
    r.rflags = 2;
    bare_cpu_set_regs(cpu, &r);
    return cpu;
}

/* jmp a; int3 x2; a: mov eax, 1; call f; add eax, 10; jmp b; int3; f: add eax, 100; ret; b: hlt */
static const uint8_t prog[] = { 0xeb, 0x02, 0xcc, 0xcc, 0xb8, 0x01, 0x00, 0x00, 0x00, 0xe8, 0x06, 0x00,
                                0x00, 0x00, 0x83, 0xc0, 0x0a, 0xeb, 0x05, 0xcc, 0x83, 0xc0, 0x64, 0xc3,
                                0xf4 };

static void test_follow_blocks(void **state)
{
    (void)state;
    for (int eng = 0; eng < 2; eng++) {
        struct bare_cpu *cpu = start(eng, prog, sizeof(prog), 0x1000);
        struct bare_result res;
        bare_cpu_run(cpu, 1000, &res);
        struct bare_regs r;
        bare_cpu_get_regs(cpu, &r);
        assert_int_equal(res.stop, BARE_STOP_HLT);
        assert_int_equal(r.gpr[0], 111);
        assert_int_equal(r.rip, 0x1019);
        assert_int_equal(r.gpr[4], 0x8000);
        assert_int_equal(res.insns, 8);
        /* 0x1000 (jmp, mov, call, add, ret) and 0x100e (add, jmp, hlt): two
           blocks where a jump ending each block would give five */
        assert_int_equal(bare_cpu_cpu(cpu)->stats.translated, 2);
        bare_cpu_free(cpu);
    }
}

/* The same program with a budget that ends inside the first block: the block is
   retried one instruction at a time, and the count stays exact. */
static void test_follow_budget(void **state)
{
    (void)state;
    for (int eng = 0; eng < 2; eng++) {
        for (uint64_t budget = 1; budget <= 8; budget++) {
            struct bare_cpu *cpu = start(eng, prog, sizeof(prog), 0x1000);
            struct bare_result res;
            bare_cpu_run(cpu, budget, &res);
            if (res.stop != BARE_STOP_HLT) {
                assert_int_equal(res.stop, BARE_STOP_BUDGET);
                assert_true(res.insns <= budget);
                bare_cpu_run(cpu, 1000, &res);
            }
            struct bare_regs r;
            bare_cpu_get_regs(cpu, &r);
            assert_int_equal(res.stop, BARE_STOP_HLT);
            assert_int_equal(r.gpr[0], 111);
            bare_cpu_free(cpu);
        }
    }
}

/* A jump to another page ends the block (blocks stay on one page). */
static void test_no_follow_across_pages(void **state)
{
    (void)state;
    static const uint8_t a[] = { 0xe9, 0xfb, 0x0f, 0x00, 0x00 };       /* 0x1000: jmp 0x2000 */
    static const uint8_t b[] = { 0xb8, 0x07, 0x00, 0x00, 0x00, 0xf4 }; /* 0x2000: mov eax, 7; hlt */
    for (int eng = 0; eng < 2; eng++) {
        struct bare_cpu *cpu = start(eng, a, sizeof(a), 0x1000);
        assert_true(bare_cpu_write(cpu, 0x2000, b, sizeof(b)));
        struct bare_result res;
        bare_cpu_run(cpu, 1000, &res);
        struct bare_regs r;
        bare_cpu_get_regs(cpu, &r);
        assert_int_equal(res.stop, BARE_STOP_HLT);
        assert_int_equal(r.gpr[0], 7);
        assert_int_equal(bare_cpu_cpu(cpu)->stats.translated, 2);
        bare_cpu_free(cpu);
    }
}

/*
 * A block covers code before its first instruction when it follows a jump
 * backward; a store there must invalidate it:
 *   mov ecx, 5; xor eax, eax; mov rbx, back + 2; jmp L
 *   back: add eax, 1; dec ecx; jz done; inc byte [rbx]     (patches the 1)
 *   L: jmp back
 *   done: hlt
 * The block starting at `inc` runs inc, jmp back, add, dec, jz: its add lies
 * before its start. Each pass adds one more: 1 + 2 + 3 + 4 + 5.
 */
static void test_smc_before_start(void **state)
{
    (void)state;
    static const uint8_t c[] = { 0xb9, 0x05, 0x00, 0x00, 0x00, 0x31, 0xc0, 0x48, 0xbb, 0x15, 0x10, 0x00,
                                 0x00, 0x00, 0x00, 0x00, 0x00, 0xeb, 0x09, 0x83, 0xc0, 0x01, 0xff, 0xc9,
                                 0x74, 0x04, 0xfe, 0x03, 0xeb, 0xf5, 0xf4 };
    for (int eng = 0; eng < 2; eng++) {
        struct bare_cpu *cpu = start(eng, c, sizeof(c), 0x1000);
        struct bare_result res;
        bare_cpu_run(cpu, 10000, &res);
        struct bare_regs r;
        bare_cpu_get_regs(cpu, &r);
        assert_int_equal(res.stop, BARE_STOP_HLT);
        assert_int_equal(r.gpr[0], 15);
        bare_cpu_free(cpu);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_follow_blocks),
        cmocka_unit_test(test_follow_budget),
        cmocka_unit_test(test_no_follow_across_pages),
        cmocka_unit_test(test_smc_before_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
