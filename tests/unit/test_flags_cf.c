/* SPDX-License-Identifier: MIT */
/* test_flags_cf.c: the short CF computation agrees with the full lazy-flags one for every cc_op. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/bare.h"
#include "cpu/cpu.h"
#include "cpu/flags.h"

static uint64_t rng = 0x243f6a8885a308d3u;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Random values biased to the edges where carries happen. */
static uint64_t val(void)
{
    static const uint64_t edge[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
                                     0x80000000u, 0xffffffffu, 0x7fffffffffffffffu,
                                     0x8000000000000000u, ~(uint64_t)0 };
    switch (rnd() % 4) {
    case 0: return edge[rnd() % (sizeof(edge) / sizeof(edge[0]))];
    case 1: return edge[rnd() % (sizeof(edge) / sizeof(edge[0]))] + (rnd() % 3) - 1;
    case 2: return rnd() % 4;
    default: return rnd();
    }
}

static void test_cf_matches_all(void **state)
{
    (void)state;
    for (unsigned op = 0; op < CC_OP_NUM + 8; op++) {
        for (int i = 0; i < 20000; i++) {
            uint64_t d = val(), s = val(), s2 = val();
            uint64_t all = cc_compute_all(op, d, s, s2) & CPU_CF;
            uint64_t cf = cc_compute_cf(op, d, s, s2);
            if (all != cf)
                fail_msg("cc_op %u dst %#llx src %#llx src2 %#llx: all %llu cf %llu", op,
                         (unsigned long long)d, (unsigned long long)s, (unsigned long long)s2,
                         (unsigned long long)all, (unsigned long long)cf);
        }
    }
}

/* Known answers (not only agreement): 32-bit SUB 1 - 2 borrows, ADD without carry, INC keeps CF. */
static void test_cf_known(void **state)
{
    (void)state;
    assert_int_equal(cc_compute_cf(CC_OP_SUB + 2, 0xffffffffu, 2, 1), 1);
    assert_int_equal(cc_compute_cf(CC_OP_SUB + 2, 1, 1, 2), 0);
    assert_int_equal(cc_compute_cf(CC_OP_ADD + 0, 0x01, 0x02, 0xff), 1);
    assert_int_equal(cc_compute_cf(CC_OP_ADD + 3, 3, 1, 2), 0);
    assert_int_equal(cc_compute_cf(CC_OP_INC + 2, 5, 0, 1), 1);
    assert_int_equal(cc_compute_cf(CC_OP_LOGIC + 3, 5, 9, 9), 0);
    assert_int_equal(cc_compute_cf(CC_OP_EFLAGS, 0, CPU_CF | CPU_ZF, 0), 1);
}

/*
 * INC/DEC at the start of a block (cc_op unknown when translating) keep CF:
 * after CMP/SUB the JIT computes it inline, after other ops through cc_cf.
 * Program: op al/ax/eax/rax, bl..rbx; jmp $+2; inc/dec rcx; setc dl; hlt.
 */
static void test_cf_across_block(void **state)
{
    (void)state;
    static const uint8_t ops[] = { 0x38, 0x28, 0x00, 0x84 };   /* cmp sub add test r/m8, r8 */
    for (int e = 0; e < 2; e++) {
        struct bare_cpu *cpu = bare_cpu_new((enum bare_engine)e, BARE_MODE_LONG64, 0, 1u << 20);
        assert_non_null(cpu);
        for (unsigned k = 0; k < 4; k++)
            for (unsigned lg = 0; lg < 4; lg++)
                for (unsigned inc = 0; inc < 2; inc++) {
                    uint8_t code[16];
                    unsigned n = 0;
                    if (lg == 1)
                        code[n++] = 0x66;
                    if (lg == 3)
                        code[n++] = 0x48;
                    code[n++] = (uint8_t)(ops[k] + (lg ? 1 : 0));
                    code[n++] = 0xd8;
                    const uint8_t rest[] = { 0xeb, 0x00, 0x48, 0xff, (uint8_t)(inc ? 0xc1 : 0xc9),
                                             0x0f, 0x92, 0xc2, 0xf4 };
                    memcpy(code + n, rest, sizeof(rest));
                    uint64_t at = 0x1000 + 0x20 * (k * 8 + lg * 2 + inc);
                    assert_true(bare_cpu_write(cpu, at, code, n + sizeof(rest)));
                    uint64_t m = lg == 3 ? ~(uint64_t)0 : ((uint64_t)1 << (8 << lg)) - 1;
                    for (int i = 0; i < 300; i++) {
                        struct bare_regs r;
                        memset(&r, 0, sizeof(r));
                        r.gpr[0] = val();
                        r.gpr[3] = val();
                        r.gpr[1] = val();
                        r.gpr[2] = 0x55;
                        r.gpr[4] = 0x8000;
                        r.rflags = 2 | (rnd() & 1);
                        r.rip = at;
                        uint64_t a = r.gpr[0] & m, b = r.gpr[3] & m;
                        uint64_t want = k < 2 ? a < b : k == 2 ? ((a + b) & m) < a : 0;
                        bare_cpu_set_regs(cpu, &r);
                        struct bare_result res;
                        bare_cpu_run(cpu, 100, &res);
                        assert_int_equal(res.stop, BARE_STOP_HLT);
                        bare_cpu_get_regs(cpu, &r);
                        if ((r.gpr[2] & 0xff) != want)
                            fail_msg("engine %d op %u size %u %s: a=%#llx b=%#llx CF %llu, want %llu", e, k,
                                     1u << lg, inc ? "inc" : "dec", (unsigned long long)a,
                                     (unsigned long long)b, (unsigned long long)(r.gpr[2] & 0xff),
                                     (unsigned long long)want);
                    }
                }
        bare_cpu_free(cpu);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cf_matches_all),
        cmocka_unit_test(test_cf_known),
        cmocka_unit_test(test_cf_across_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
