/* SPDX-License-Identifier: MIT */
/* test_x87_trans.c: the x87 transcendentals (cpu/x87_trans.c) against the host's x87: special operands exactly, finite results within one 64-bit ulp, identities. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/x87_trans.h"

#if defined(__x86_64__)
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static long double to_ld(fx80 a)
{
    long double v = 0;
    memcpy(&v, &a.m, 8);
    memcpy((char *)&v + 8, &a.se, 2);
    return v;
}
static fx80 from_ld(long double v)
{
    fx80 a;
    memcpy(&a.m, &v, 8);
    memcpy(&a.se, (char *)&v + 8, 2);
    return a;
}

/* A finite value with exponent in [lo, hi] (unbiased), random significand and sign. */
static fx80 rval(int lo, int hi, bool neg_ok)
{
    fx80 a;
    a.m = rnd() | 0x8000000000000000ull;
    a.se = (uint16_t)(16383 + lo + (int)(rnd() % (uint64_t)(hi - lo + 1)));
    if (neg_ok && (rnd() & 1))
        a.se |= 0x8000;
    return a;
}

enum { SIN, COS, TAN, ATAN, YL2X, YL2XP1, XM1 };
static const char *const names[] = { "fsin", "fcos", "fptan", "fpatan", "fyl2x", "fyl2xp1", "f2xm1" };

/* The host's answer (round to nearest, 64-bit precision, all masked). */
static fx80 host(int f, fx80 a, fx80 b, uint16_t *sw)
{
    long double x = to_ld(a), y = to_ld(b), r = 0;
    uint16_t cw = 0x037f;
    switch (f) {
#define ONE_OP(insn) __asm__ volatile("fninit; fldcw %3; fldt %2; " insn "; fnstsw %1; fstpt %0; fninit" \
                                      : "=m"(r), "=m"(*sw) : "m"(x), "m"(cw))
#define TWO_OP(insn) __asm__ volatile("fninit; fldcw %4; fldt %3; fldt %2; " insn "; fnstsw %1; fstpt %0; fninit" \
                                      : "=m"(r), "=m"(*sw) : "m"(x), "m"(y), "m"(cw))
    case SIN: ONE_OP("fsin"); break;
    case COS: ONE_OP("fcos"); break;
    case TAN: ONE_OP("fptan; fstp %%st(0)"); break;
    case ATAN: TWO_OP("fpatan"); break;
    case YL2X: TWO_OP("fyl2x"); break;
    case YL2XP1: TWO_OP("fyl2xp1"); break;
    default: ONE_OP("f2xm1"); break;
#undef ONE_OP
#undef TWO_OP
    }
    return from_ld(r);
}

static fx80 ours(int f, fx80 a, fx80 b, unsigned *flags)
{
    struct sf_ctx c = { 0, 64, 0, 0 };
    fx80 r = { 0, 0 }, r2;
    switch (f) {
    case SIN: x87t_trig(&c, X87T_SIN, a, &r, &r2); break;
    case COS: x87t_trig(&c, X87T_COS, a, &r, &r2); break;
    case TAN: x87t_trig(&c, X87T_TAN, a, &r, &r2); break;
    case ATAN: r = x87t_atan2(&c, b, a); break;
    case YL2X: r = x87t_yl2x(&c, b, a, false); break;
    case YL2XP1: r = x87t_yl2x(&c, b, a, true); break;
    default: r = x87t_2xm1(&c, a); break;
    }
    *flags = c.flags;
    return r;
}

/* Distance in 64-bit ulps between two finite values of the same sign (as ordered integers). */
static uint64_t ulps(fx80 a, fx80 b)
{
    if ((a.se ^ b.se) & 0x8000)
        return ~0ull;
    unsigned __int128 x = ((unsigned __int128)(a.se & 0x7fff) << 64) | a.m;
    unsigned __int128 y = ((unsigned __int128)(b.se & 0x7fff) << 64) | b.m;
    unsigned __int128 d = x > y ? x - y : y - x;
    return d > 1000000 ? ~0ull : (uint64_t)d;
}

static unsigned far_count[7], total[7], max_ulps[7];

static void check(int f, fx80 a, fx80 b, uint64_t tol)
{
    uint16_t sw;
    unsigned fl;
    fx80 h = host(f, a, b, &sw), o = ours(f, a, b, &fl);
    total[f]++;
    bool hn = (h.se & 0x7fff) == 0x7fff && (h.m << 1), on = fx_is_nan(o);
    if (hn || on || fx_is_inf(h) || fx_is_zero(h)) {
        if (h.se != o.se || h.m != o.m || ((sw & 0x5) != (fl & 0x5))) {
            printf("%s(%04x:%016llx, %04x:%016llx): ours %04x:%016llx flags %x, host %04x:%016llx sw %04x\n",
                   names[f], a.se, (unsigned long long)a.m, b.se, (unsigned long long)b.m, o.se,
                   (unsigned long long)o.m, fl, h.se, (unsigned long long)h.m, sw);
            far_count[f]++;
        }
        return;
    }
    uint64_t d = ulps(h, o);
    if (d > max_ulps[f] && d != ~0ull)
        max_ulps[f] = (unsigned)d;
    if (d > tol) {
        if (far_count[f] < 5)
            printf("%s(%04x:%016llx, %04x:%016llx): ours %04x:%016llx, host %04x:%016llx (%llu ulps)\n", names[f],
                   a.se, (unsigned long long)a.m, b.se, (unsigned long long)b.m, o.se, (unsigned long long)o.m,
                   h.se, (unsigned long long)h.m, (unsigned long long)d);
        far_count[f]++;
    }
}

/* Zeros, infinities, NaNs, +-1, pi/2 and the range limits: results and the IE/ZE
   flags exactly as the host's. */
static void test_special(void **state)
{
    (void)state;
    const fx80 sp[] = {
        { 0, 0 }, { 0, 0x8000 }, { 0x8000000000000000ull, 0x7fff }, { 0x8000000000000000ull, 0xffff },
        { 0xc000000000000000ull, 0x7fff }, { 0xa000000000000000ull, 0x7fff }, { 0x8000000000000000ull, 0x3fff },
        { 0x8000000000000000ull, 0xbfff }, { 0xc90fdaa22168c235ull, 0x3fff }, { 0x8000000000000000ull, 0x403e },
        { 0xffffffffffffffffull, 0x403d }, { 0x8000000000000000ull, 0x3ffd }, { 0x0000000000000001ull, 0x0000 },
    };
    const unsigned n = sizeof(sp) / sizeof(sp[0]);
    memset(far_count, 0, sizeof(far_count));
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = 0; j < n; j++)
            for (int f = 0; f < 7; f++) {
                unsigned e = sp[i].se & 0x7fff;
                bool finite = e != 0x7fff;
                if (f <= TAN && finite && e >= 16383 + 63)
                    continue; /* out of range: the caller's business (C2) */
                if (f <= TAN && finite && e >= 16383 && !fx_is_zero(sp[i]))
                    continue; /* reduced: the host is inexact there (test_reduction) */
                if (f == XM1 && finite && (e > 16383 || (e == 16383 && sp[i].m != 0x8000000000000000ull)))
                    continue; /* |x| > 1: undefined */
                if (f == YL2XP1 && finite && e >= 16383 - 2)
                    continue; /* |x| >= 1 - sqrt(2)/2: undefined */
                check(f, sp[i], sp[j], 1);
            }
    for (int f = 0; f < 7; f++)
        assert_int_equal(far_count[f], 0);
}

/* The host's x87 reduces arguments with a 66-bit pi and returns its own values
   outside the architectural ranges, so it is the reference only where it is
   accurate: |x| <= pi/4 for the trigonometric functions, |x| < 1 - sqrt(2)/2
   for FYL2XP1, |x| <= 1 for F2XM1 (and everywhere for FPATAN and FYL2X). */
static void test_random(void **state)
{
    (void)state;
    memset(far_count, 0, sizeof(far_count));
    for (int i = 0; i < 20000; i++) {
        fx80 small = rval(-30, -1, true), any = rval(-60, 60, true);
        check(SIN, small, small, 1);
        check(COS, small, small, 1);
        check(TAN, small, small, 1);
        check(ATAN, any, rval(-60, 60, true), 1);
        check(YL2X, rval(-100, 100, false), rval(-10, 10, true), 1);
        check(YL2XP1, rval(-40, -3, true), rval(-10, 10, true), 1);
        check(XM1, rval(-40, -1, true), small, 1);
    }
    for (int f = 0; f < 7; f++)
        printf("%-8s %u cases, %u beyond 1 ulp of the host, largest difference %u ulps\n", names[f],
               total[f], far_count[f], max_ulps[f]);
    for (int f = 0; f < 7; f++)
        assert_int_equal(far_count[f], 0);
}

/* Large arguments and arguments next to multiples of pi/2, where the host's
   66-bit pi is wrong: the correctly rounded values (600-bit reference). */
static const struct { fx80 x, r[3]; } kat[] = {
    { { 0xc90fdaa22168c235ull, 0x3fff }, { { 0x8000000000000000ull, 0x3fff }, { 0xece675d1fc8f8cbbull, 0xbfbd }, { 0x8a51e04daabda35full, 0xc040 } } },
    { { 0xffffffffffffffffull, 0x403d }, { { 0xdf327e112abeef8full, 0x3ffe }, { 0xfac035ec484929c2ull, 0x3ffd }, { 0xe3de9ed3992f3138ull, 0x3fff } } },
    { { 0xc90fdaa22168c234ull, 0x4020 }, { { 0xc4c6628b80dc1cd0ull, 0xbfe0 }, { 0xfffffffffffffffbull, 0x3ffe }, { 0xc4c6628b80dc1cd4ull, 0xbfe0 } } },
    { { 0x8000000000000000ull, 0x4035 }, { { 0xe5b7baf9b05b9c15ull, 0x3ffe }, { 0xe1f8b44688a1ff25ull, 0xbffd }, { 0x821f3bd83e26f86aull, 0xc000 } } },
    { { 0x8f4d3e27dda1494cull, 0x402f }, { { 0xf01290f1a5e22af5ull, 0xbffe }, { 0xb1c6f686e890bd4dull, 0xbffd }, { 0xacda4fc962a7aa2dull, 0x4000 } } },
    { { 0x8201e2bd73ab4876ull, 0xc030 }, { { 0xf82b92fae9a0b1f9ull, 0xbffd }, { 0xdfeac9d358803b05ull, 0xbffe }, { 0x8ddd30bfd67b4b70ull, 0x3ffe } } },
    { { 0xaf45e678309d6b79ull, 0x4038 }, { { 0xe7b2f215c6095706ull, 0xbffd }, { 0xe4496ff76f4e6799ull, 0x3ffe }, { 0x81e9c63e3bd11223ull, 0xbffe } } },
    { { 0xa13ffe7979cb9e86ull, 0xc033 }, { { 0xcdb779f6ed38d872ull, 0x3ffe }, { 0x985ebcb9177ba581ull, 0xbffe }, { 0xacd07b006b24868aull, 0xbfff } } },
};

static void test_reduction(void **state)
{
    (void)state;
    static const enum x87t_trig w[3] = { X87T_SIN, X87T_COS, X87T_TAN };
    for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++)
        for (int f = 0; f < 3; f++) {
            struct sf_ctx c = { 0, 64, 0, 0 };
            fx80 r = { 0, 0 }, r2;
            assert_true(x87t_trig(&c, w[f], kat[i].x, &r, &r2));
            assert_int_equal(r.se, kat[i].r[f].se);
            assert_int_equal(r.m, kat[i].r[f].m);
            assert_true(c.flags & SF_PE);
        }
    /* 2^63 and beyond: out of range, C2 for the caller */
    struct sf_ctx c = { 0, 64, 0, 0 };
    fx80 r, r2, big = { 0x8000000000000000ull, 0x403e };
    assert_false(x87t_trig(&c, X87T_SIN, big, &r, &r2));
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_special), cmocka_unit_test(test_random),
                                        cmocka_unit_test(test_reduction) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
#else
int main(void)
{
    printf("[  PASSED  ] 0 test(s).\n"); /* needs an x87 host to compare with */
    return 0;
}
#endif
