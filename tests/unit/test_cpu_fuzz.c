/* SPDX-License-Identifier: MIT */
/* test_cpu_fuzz.c: random code in every mode must never crash, and both engines must agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/bare.h"

#define MEM (256u << 10)
#define CODE 0x1000u
#define ROUNDS 400

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Random code: raw bytes, with some common opcodes and prefixes mixed in. */
static void random_code(uint8_t *p, size_t n)
{
    static const uint8_t common[] = { 0x66, 0x67, 0xf3, 0xf2, 0xf0, 0x48, 0x4c, 0x0f, 0x89, 0x8b,
                                      0x01, 0x29, 0x31, 0xff, 0xf7, 0xd3, 0xc1, 0xe8, 0xc3, 0x74,
                                      0xeb, 0xa4, 0xab, 0x50, 0x58, 0x8d, 0x38, 0xc4, 0xc5 };
    for (size_t i = 0; i < n; i++)
        p[i] = (rnd() & 3) ? (uint8_t)rnd() : common[rnd() % sizeof(common)];
}

static void run_mode(enum bare_mode mode)
{
    struct bare_cpu *cpu[2];
    for (int e = 0; e < 2; e++) {
        cpu[e] = bare_cpu_new((enum bare_engine)e, mode, 0, MEM);
        assert_non_null(cpu[e]);
    }
    static uint8_t code[256];
    unsigned mismatches = 0;
    for (unsigned round = 0; round < ROUNDS; round++) {
        random_code(code, sizeof(code));
        struct bare_regs r0;
        memset(&r0, 0, sizeof(r0));
        for (int i = 0; i < 16; i++)
            r0.gpr[i] = (rnd() & 1) ? rnd() & 0xffff : rnd() % MEM;
        r0.gpr[4] = MEM / 2;
        r0.rip = CODE;
        r0.rflags = 2 | (rnd() & 0x8d5);
        struct bare_regs r[2];
        struct bare_result res[2];
        for (int e = 0; e < 2; e++) {
            uint8_t *m = bare_cpu_mem(cpu[e]);
            memset(m, 0, MEM);
            memcpy(m + CODE, code, sizeof(code));
            bare_cpu_set_regs(cpu[e], &r0);
            bare_cpu_run(cpu[e], 64, &res[e]);
            bare_cpu_get_regs(cpu[e], &r[e]);
        }
        bool same = res[0].stop == res[1].stop && r[0].rip == r[1].rip &&
                    memcmp(r[0].gpr, r[1].gpr, sizeof(r[0].gpr)) == 0 &&
                    (res[0].stop != BARE_STOP_EXCEPTION || res[0].vector == res[1].vector) &&
                    ((r[0].rflags ^ r[1].rflags) & 0x8d5) == 0 &&
                    memcmp(bare_cpu_mem(cpu[0]), bare_cpu_mem(cpu[1]), MEM) == 0;
        if (!same && mismatches++ < 3) {
            printf("mode %d round %u: engines differ (stop %d/%d, rip %llx/%llx)\n  code:", mode, round,
                   res[0].stop, res[1].stop, (unsigned long long)r[0].rip, (unsigned long long)r[1].rip);
            for (int i = 0; i < 32; i++)
                printf(" %02x", code[i]);
            printf("\n");
        }
    }
    for (int e = 0; e < 2; e++)
        bare_cpu_free(cpu[e]);
    assert_int_equal(mismatches, 0);
}

static void test_fuzz_real(void **state) { (void)state; run_mode(BARE_MODE_REAL); }
static void test_fuzz_prot16(void **state) { (void)state; run_mode(BARE_MODE_PROT16); }
static void test_fuzz_prot32(void **state) { (void)state; run_mode(BARE_MODE_PROT32); }
static void test_fuzz_long64(void **state) { (void)state; run_mode(BARE_MODE_LONG64); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fuzz_real),
        cmocka_unit_test(test_fuzz_prot16),
        cmocka_unit_test(test_fuzz_prot32),
        cmocka_unit_test(test_fuzz_long64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
