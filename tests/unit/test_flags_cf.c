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
                    /* jc +0 ends the block (a jmp would not: blocks go on across it) */
                    const uint8_t rest[] = { 0x72, 0x00, 0x48, 0xff, (uint8_t)(inc ? 0xc1 : 0xc9),
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

/* One flag setter of the mixed test: its bytes (a = eax/al/rax, b = ebx/bl/rbx) and CF. */
struct setter {
    uint8_t code[4], len;
    unsigned lg;    /* operand size log2 */
};
static const struct setter setters[] = {
    { { 0x39, 0xd8 }, 2, 2 },         /* cmp eax, ebx */
    { { 0x38, 0xd8 }, 2, 0 },         /* cmp al, bl */
    { { 0x48, 0x39, 0xd8 }, 3, 3 },   /* cmp rax, rbx */
    { { 0x29, 0xd8 }, 2, 2 },         /* sub eax, ebx */
    { { 0x01, 0xd8 }, 2, 2 },         /* add eax, ebx */
    { { 0x66, 0x01, 0xd8 }, 3, 1 },   /* add ax, bx */
    { { 0x85, 0xd8 }, 2, 2 },         /* test eax, ebx */
    { { 0x31, 0xd8 }, 2, 2 },         /* xor eax, ebx */
    { { 0xd1, 0xe0 }, 2, 2 },         /* shl eax, 1 */
    { { 0xd1, 0xe8 }, 2, 2 },         /* shr eax, 1 */
    { { 0xd0, 0xf8 }, 2, 0 },         /* sar al, 1 */
    { { 0xf7, 0xd8 }, 2, 2 },         /* neg eax */
    { { 0xff, 0xc3 }, 2, 2 },         /* inc ebx */
    { { 0x0f, 0xaf, 0xc3 }, 3, 2 },   /* imul eax, ebx */
    { { 0x11, 0xd8 }, 2, 2 },         /* adc eax, ebx */
    { { 0x90 }, 1, 2 },               /* nop: the flags come from RFLAGS */
};
#define NSETTERS (sizeof(setters) / sizeof(setters[0]))

static uint64_t setter_cf(unsigned i, uint64_t a, uint64_t b, uint64_t cin)
{
    uint64_t m = setters[i].lg == 3 ? ~(uint64_t)0 : ((uint64_t)1 << (8 << setters[i].lg)) - 1;
    a &= m;
    b &= m;
    switch (i) {
    case 0: case 1: case 2: case 3: return a < b;
    case 4: case 5: return ((a + b) & m) < a;
    case 8: return (a >> 31) & 1;
    case 9: case 10: return a & 1;
    case 11: return a != 0;
    case 13: {
        int64_t p = (int64_t)(int32_t)a * (int64_t)(int32_t)b;
        return p != (int64_t)(int32_t)p;
    }
    case 14: return a + b + cin > 0xffffffffu;
    case 12: case 15: return cin;
    default: return 0;
    }
}

/*
 * INC, DEC and ADC at the start of a block read CF from a cc_op unknown at
 * translation time; the translator guesses the one the CPU holds when it
 * translates the block and checks the guess at run time. Many different
 * setters reach the same blocks (through a Jcc, so the block boundary is
 * real), in random order, with a fresh CPU (so a fresh guess) each round.
 */
static void test_cf_guess(void **state)
{
    (void)state;
    enum { COMMON = 0x800, SET0 = 0x1000 };
    /* inc rcx; setc dl; hlt | dec rcx; setc dl; hlt | adc rcx, 0; hlt */
    static const uint8_t tails[3][8] = {
        { 0x48, 0xff, 0xc1, 0x0f, 0x92, 0xc2, 0xf4 },
        { 0x48, 0xff, 0xc9, 0x0f, 0x92, 0xc2, 0xf4 },
        { 0x48, 0x83, 0xd1, 0x00, 0xf4 },
    };
    for (int e = 0; e < 2; e++)
        for (unsigned round = 0; round < 3 * NSETTERS; round++) {
            struct bare_cpu *cpu = bare_cpu_new((enum bare_engine)e, BARE_MODE_LONG64, 0, 1u << 20);
            assert_non_null(cpu);
            for (unsigned t = 0; t < 3; t++)
                assert_true(bare_cpu_write(cpu, COMMON + 0x10 * t, tails[t], sizeof(tails[t])));
            for (unsigned i = 0; i < NSETTERS; i++)
                for (unsigned t = 0; t < 3; t++) {
                    /* setter; jc tail; jmp tail */
                    uint8_t code[16];
                    uint64_t at = SET0 + 0x20 * (i * 3 + t), tail = COMMON + 0x10 * t;
                    unsigned n = setters[i].len;
                    memcpy(code, setters[i].code, n);
                    int32_t d = (int32_t)(tail - (at + n + 6));
                    code[n++] = 0x0f;
                    code[n++] = 0x82;
                    memcpy(code + n, &d, 4);
                    n += 4;
                    d = (int32_t)(tail - (at + n + 5));
                    code[n++] = 0xe9;
                    memcpy(code + n, &d, 4);
                    n += 4;
                    assert_true(bare_cpu_write(cpu, at, code, n));
                }
            for (int it = 0; it < 200; it++) {
                /* the first run of the round translates the tails with its cc_op */
                unsigned i = it == 0 ? round % NSETTERS : (unsigned)(rnd() % NSETTERS);
                unsigned t = it == 0 ? round / NSETTERS : (unsigned)(rnd() % 3);
                struct bare_regs r;
                memset(&r, 0, sizeof(r));
                r.gpr[0] = val();
                r.gpr[3] = val();
                r.gpr[1] = val();
                r.gpr[4] = 0x8000;
                uint64_t cin = rnd() & 1, rcx = r.gpr[1], a = r.gpr[0], b = r.gpr[3];
                r.rflags = 2 | cin;
                r.rip = SET0 + 0x20 * (i * 3 + t);
                uint64_t want = setter_cf(i, r.gpr[0], r.gpr[3], cin);
                bare_cpu_set_regs(cpu, &r);
                struct bare_result res;
                bare_cpu_run(cpu, 100, &res);
                assert_int_equal(res.stop, BARE_STOP_HLT);
                bare_cpu_get_regs(cpu, &r);
                uint64_t got = t == 2 ? r.gpr[1] - rcx : r.gpr[2] & 0xff;
                if (got != want)
                    fail_msg("engine %d round %u setter %u tail %u: a=%#llx b=%#llx cin %llu: CF %llu, want %llu",
                             e, round, i, t, (unsigned long long)a, (unsigned long long)b,
                             (unsigned long long)cin, (unsigned long long)got, (unsigned long long)want);
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
        cmocka_unit_test(test_cf_guess),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
