/* SPDX-License-Identifier: MIT */
/* test_msr.c: the memory-type and speculation-control MSRs: values, reserved-bit #GP, read-only and write-only ones, the firmware MTRR setup, and CPUID agreeing with them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/cpu.h"
#include "cpu/helpers.h"
#include "cpu/sys.h"

static struct cpu cpu;

static void reset(void)
{
    memset(&cpu, 0, sizeof(cpu));
}

static bool rd(uint32_t idx, uint64_t *v) { return sys_rdmsr(&cpu, idx, v); }
static bool wr(uint32_t idx, uint64_t v) { return sys_wrmsr(&cpu, idx, v); }

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    cpu.gpr[0] = leaf;
    cpu.gpr[1] = sub;
    helper_cpuid.fn(&cpu, 0, 0, 0, 0);
    r[0] = (uint32_t)cpu.gpr[0];
    r[1] = (uint32_t)cpu.gpr[3];
    r[2] = (uint32_t)cpu.gpr[1];
    r[3] = (uint32_t)cpu.gpr[2];
}

static void test_mtrr(void **state)
{
    (void)state;
    reset();
    uint64_t v;
    assert_true(rd(0xfe, &v));
    assert_int_equal(v & 0xff, 8);             /* eight variable ranges */
    assert_true(v & (1u << 8));                /* fixed ranges */
    assert_false(wr(0xfe, v));                 /* MTRRcap is read-only */
    /* default type: type, FE, E; types 2, 3 and 7 and other bits are reserved */
    assert_true(wr(0x2ff, 0xc06));
    assert_true(rd(0x2ff, &v));
    assert_int_equal(v, 0xc06);
    assert_false(wr(0x2ff, 0xc02));
    assert_false(wr(0x2ff, 0x807));
    assert_false(wr(0x2ff, 0x1006));
    assert_true(rd(0x2ff, &v));
    assert_int_equal(v, 0xc06);                /* refused writes change nothing */
    /* variable ranges: base (type + address bits 12..35), mask (valid bit 11 + address) */
    assert_true(wr(0x200, 0xe0000000ull | 0));
    assert_true(wr(0x201, 0xfe0000000ull | 0x800));
    assert_true(rd(0x201, &v));
    assert_int_equal(v, 0xfe0000800ull);
    assert_false(wr(0x200, 0xe0000000ull | 3));          /* type 3 */
    assert_false(wr(0x200, 0x1000000000ull));            /* beyond 36 physical bits */
    assert_false(wr(0x201, 0xfe0000000ull | 0x400));     /* reserved bit 10 in a mask */
    assert_false(wr(0x200, 0xe0000100ull));              /* reserved bit 8 in a base */
    assert_true(wr(0x20f, 0));
    uint64_t dummy;
    assert_false(rd(0x210, &dummy));                     /* only eight pairs */
    /* fixed ranges: eight valid type bytes */
    assert_true(wr(0x250, 0x0606060606060606ull));
    assert_true(wr(0x26f, 0x0505050505050505ull));
    assert_false(wr(0x259, 0x0006060606060606ull | (2ull << 56)));
    assert_false(wr(0x268, 0x07));
    assert_true(rd(0x26f, &v));
    assert_int_equal(v, 0x0505050505050505ull);
    assert_false(rd(0x251, &dummy));                      /* not a fixed-range MSR */
}

static void test_pat(void **state)
{
    (void)state;
    reset();
    uint64_t v;
    assert_true(wr(0x277, 0x0007040600070406ull));
    assert_true(wr(0x277, 0x0706050401000706ull));       /* UC- (7) is a PAT type */
    assert_true(rd(0x277, &v));
    assert_int_equal(v, 0x0706050401000706ull);
    assert_false(wr(0x277, 0x0000000000000002ull));
    assert_false(wr(0x277, 0x0300000000000000ull));
    assert_false(wr(0x277, 0x0000000000001000ull));      /* bits above the type */
}

static void test_speculation(void **state)
{
    (void)state;
    reset();
    uint64_t v;
    uint32_t r[4];
    cpuid(7, 0, r);
    assert_true(r[3] & (1u << 29));                      /* ARCH_CAPABILITIES */
    assert_true(r[3] & (1u << 26));                      /* SPEC_CTRL / PRED_CMD */
    assert_true(rd(0x10a, &v));
    assert_true(v & 1);                                  /* RDCL_NO: no Meltdown */
    assert_true(v & (1u << 5));                          /* MDS_NO */
    assert_false(v & (1u << 2));                         /* not RSBA */
    assert_false(wr(0x10a, v));
    assert_true(wr(0x48, 3));
    assert_true(rd(0x48, &v));
    assert_int_equal(v, 3);
    assert_false(wr(0x48, 4));                           /* SSBD is not advertised */
    assert_false(rd(0x49, &v));                          /* PRED_CMD is write-only */
    assert_true(wr(0x49, 1));
    assert_false(wr(0x49, 2));
}

static void test_cpuid_consistent(void **state)
{
    (void)state;
    reset();
    uint32_t r[4];
    cpuid(1, 0, r);
    assert_true(r[3] & (1u << 12));                      /* MTRR */
    assert_true(r[3] & (1u << 16));                      /* PAT */
    assert_true(r[3] & (1u << 19));                      /* CLFSH ... */
    assert_int_equal((r[1] >> 8) & 0xff, 8);             /* ... with 64-byte lines */
}

static void test_firmware(void **state)
{
    (void)state;
    reset();
    sys_mtrr_firmware(&cpu, 0xe0000000ull);
    assert_int_equal(cpu.msr_mtrr_def, 0x806);           /* enabled, write-back */
    assert_int_equal(cpu.mtrr_var[0], 0xe0000000ull);    /* uncacheable from the hole ... */
    assert_int_equal(cpu.mtrr_var[1], 0xfe0000800ull);   /* ... 512 MiB up to 4 GiB */
    /* what it set up passes its own checks */
    assert_true(wr(0x200, cpu.mtrr_var[0]));
    assert_true(wr(0x201, cpu.mtrr_var[1]));
    reset();
    sys_mtrr_firmware(&cpu, 0xd0000000ull);              /* 768 MiB: no single range */
    assert_int_equal(cpu.msr_mtrr_def, 0x806);
    assert_int_equal(cpu.mtrr_var[1], 0);
    reset();
    sys_mtrr_firmware(&cpu, 0);
    assert_int_equal(cpu.mtrr_var[1], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mtrr), cmocka_unit_test(test_pat), cmocka_unit_test(test_speculation),
        cmocka_unit_test(test_cpuid_consistent), cmocka_unit_test(test_firmware),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
