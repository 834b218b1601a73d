/* SPDX-License-Identifier: MIT */
/* test_x87_kat.c: x87 corner cases random difftest seldom reaches (FPREM/FPREM1 of denormals and pseudo-denormals by infinity), against answers measured on the host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/bare.h"

#define MEM (1u << 20)
#define CODE 0x1000u
#define CW 0x3000u
#define ST1 0x3010u
#define ST0 0x3020u
#define OUT 0x3030u

struct fx { uint16_t se; uint64_t m; };

/* fninit; fldcw [CW]; fld tword [ST1]; fld tword [ST0]; op; fnstsw ax; fnclex;
   fstp tword [OUT]; hlt: the result and the status word of op on both engines. */
static void run_op(const uint8_t op[2], uint16_t cw, struct fx st1, struct fx st0,
                   struct fx want, uint16_t want_sw)
{
    uint8_t c[64], *p = c;
    static const uint8_t fninit[] = { 0xdb, 0xe3 }, fnstsw_ax[] = { 0xdf, 0xe0 },
                         fnclex[] = { 0xdb, 0xe2 };
#define EMIT(b) (memcpy(p, b, sizeof(b)), p += sizeof(b))
#define ABS(m0, m1, a) (*p++ = (m0), *p++ = (m1), *p++ = 0x25, memcpy(p, &(uint32_t){ a }, 4), p += 4)
    EMIT(fninit);
    ABS(0xd9, 0x2c, CW);             /* fldcw [CW] */
    ABS(0xdb, 0x2c, ST1);            /* fld tword [ST1] */
    ABS(0xdb, 0x2c, ST0);            /* fld tword [ST0] */
    *p++ = op[0], *p++ = op[1];
    EMIT(fnstsw_ax);
    EMIT(fnclex);
    ABS(0xdb, 0x3c, OUT);            /* fstp tword [OUT] */
    *p++ = 0xf4;
    for (int e = 0; e < 2; e++) {
        struct bare_cpu *cpu = bare_cpu_new((enum bare_engine)e, BARE_MODE_LONG64, 0, MEM);
        assert_non_null(cpu);
        assert_true(bare_cpu_write(cpu, CODE, c, (size_t)(p - c)));
        uint8_t d[10];
        assert_true(bare_cpu_write(cpu, CW, &cw, 2));
        memcpy(d, &st1.m, 8), memcpy(d + 8, &st1.se, 2);
        assert_true(bare_cpu_write(cpu, ST1, d, 10));
        memcpy(d, &st0.m, 8), memcpy(d + 8, &st0.se, 2);
        assert_true(bare_cpu_write(cpu, ST0, d, 10));
        struct bare_regs r = { 0 };
        r.rip = CODE;
        r.gpr[4] = 0x8000;
        r.rflags = 2;
        bare_cpu_set_regs(cpu, &r);
        struct bare_result res;
        bare_cpu_run(cpu, 100, &res);
        bare_cpu_get_regs(cpu, &r);
        assert_int_equal(res.stop, BARE_STOP_HLT);
        struct fx got;
        memcpy(&got.m, bare_cpu_mem(cpu) + OUT, 8);
        memcpy(&got.se, bare_cpu_mem(cpu) + OUT + 8, 2);
        if (got.se != want.se || got.m != want.m || (uint16_t)r.gpr[0] != want_sw)
            fail_msg("%s %02x %02x: st0 %04x:%016llx sw %04x, host %04x:%016llx sw %04x",
                     e ? "jit" : "interp", op[0], op[1], got.se, (unsigned long long)got.m,
                     (unsigned)(uint16_t)r.gpr[0], want.se, (unsigned long long)want.m, want_sw);
        bare_cpu_free(cpu);
    }
}

/* FPREM/FPREM1 of a denormal by infinity is the denormal itself: tiny, so with UE
   unmasked (FCW 0C6E) the host reports UE (ES, B) and stores the bias-adjusted
   value (exponent + 24576); with UE masked only DE. Measured on an AMD EPYC host,
   same answers as difftest's failing sequence 0x34c41a6a11ea6765. */
static void test_fprem_denormal_by_inf(void **state)
{
    (void)state;
    static const uint8_t fprem[2] = { 0xd9, 0xf8 }, fprem1[2] = { 0xd9, 0xf5 };
    const struct fx inf = { 0x7fff, 0x8000000000000000ull }, den = { 0x8000, 0x00003743e4e2fee5ull };
    const struct fx adjusted = { 0xdfef, 0xdd0f938bfb940000ull };
    run_op(fprem, 0x0c6e, inf, den, adjusted, 0xb092);
    run_op(fprem1, 0x0c6e, inf, den, adjusted, 0xb092);
    run_op(fprem, 0x0c7e, inf, den, den, 0x3002);    /* UE masked: DE only, ST0 as it was */
}

/*
 * A pseudo-denormal (exponent 0 with the integer bit set) is worth the normal number of
 * exponent 1. FPREM/FPREM1 of one by infinity return it written that way, with DE (and
 * no UE when UE is unmasked: it is not tiny); with DE unmasked ST0 stays as it was.
 * Measured on an AMD EPYC host; difftest found it (seed 0x6b2a869a0808e1f3, soak seed
 * 0x1909c683f206f242).
 */
static void test_fprem_pseudo_denormal_by_inf(void **state)
{
    (void)state;
    static const uint8_t fprem[2] = { 0xd9, 0xf8 }, fprem1[2] = { 0xd9, 0xf5 };
    const struct fx inf = { 0x7fff, 0x8000000000000000ull };
    const struct fx pd = { 0x0000, 0x9ccc8f940e480efbull }, npd = { 0x8000, 0x9ccc8f940e480efbull };
    const struct fx pd1 = { 0x0001, 0x9ccc8f940e480efbull }, npd1 = { 0x8001, 0x9ccc8f940e480efbull };
    run_op(fprem, 0x037f, inf, pd, pd1, 0x3002);
    run_op(fprem1, 0x037f, inf, pd, pd1, 0x3002);
    run_op(fprem, 0x037f, inf, npd, npd1, 0x3002);
    run_op(fprem, 0x036f, inf, pd, pd1, 0x3002);     /* UE unmasked */
    run_op(fprem, 0x037d, inf, pd, pd, 0xb082);      /* DE unmasked */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fprem_pseudo_denormal_by_inf),
        cmocka_unit_test(test_fprem_denormal_by_inf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
