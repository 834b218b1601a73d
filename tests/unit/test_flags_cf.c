/* SPDX-License-Identifier: MIT */
/* test_flags_cf.c: the short CF computation agrees with the full lazy-flags one for every cc_op. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cf_matches_all),
        cmocka_unit_test(test_cf_known),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
