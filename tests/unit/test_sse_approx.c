/* SPDX-License-Identifier: MIT */
/* test_sse_approx.c: RCPPS/RCPSS/RSQRTPS/RSQRTSS by property (vendor tables differ), against the host. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "tests/unit/cpu_native.h"

#define ITERS 3000
#define IN (NT_DATA + 0x1000)
#define OUT (NT_DATA + 0x1100)

static uint8_t img[NT_SIZE];

/* ldmxcsr [rdi+32]; movups xmm1, [rdi]; movups xmm0, [rdi+16]; <op> xmm0, xmm1; movups [rsi], xmm0;
   stmxcsr [rsi+16] */
static size_t build(uint8_t *c, unsigned which)
{
    static const uint8_t ops[4][4] = {
        { 0x0f, 0x53, 0xc1 }, { 0x0f, 0x52, 0xc1 }, { 0xf3, 0x0f, 0x53, 0xc1 }, { 0xf3, 0x0f, 0x52, 0xc1 },
    };
    size_t n = 0;
    static const uint8_t pre[] = { 0x0f, 0xae, 0x57, 0x20, 0x0f, 0x10, 0x0f, 0x0f, 0x10, 0x47, 0x10 };
    memcpy(c, pre, sizeof pre);
    n = sizeof pre;
    size_t l = which < 2 ? 3 : 4;
    memcpy(c + n, ops[which], l);
    n += l;
    static const uint8_t post[] = { 0x0f, 0x11, 0x06, 0x0f, 0xae, 0x5e, 0x10 };
    memcpy(c + n, post, sizeof post);
    return n + sizeof post;
}

static uint32_t rand_in(void)
{
    uint32_t s = (uint32_t)(nt_rand() & 1) << 31;
    switch (nt_rand() % 8) {
    case 0: return s | (uint32_t)(nt_rand() & 0x7fffff);           /* zero / denormal */
    case 1: return s | 0x7f800000u;                                /* infinity */
    case 2: return s | 0x7fc00000u | (uint32_t)(nt_rand() & 0x3fffff); /* QNaN */
    case 3: return s | 0x7f800001u | (uint32_t)(nt_rand() & 0x3fffff); /* SNaN */
    case 4: return s | (uint32_t)((nt_rand() % 4) << 23 | (nt_rand() & 0x7fffff)); /* tiny */
    case 5: return s | (uint32_t)((250 + nt_rand() % 5) << 23 | (nt_rand() & 0x7fffff)); /* huge */
    default: return s | (uint32_t)((64 + nt_rand() % 128) << 23 | (nt_rand() & 0x7fffff));
    }
}

static float f_of(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/* Relative error of approximation a against the exact value e (both finite, non-zero). */
static double rel(uint32_t a, double e) { return fabs(((double)f_of(a) - e) / e); }

static double max_err[4], max_vs_host[4];

/* Property of one lane: x the input, k kiln's result, h the host's. false: a failure. */
static bool lane_ok(unsigned which, uint32_t x, uint32_t k, uint32_t h)
{
    bool rsq = which & 1;
    uint32_t ax = x & 0x7fffffffu;
    bool nan = ax > 0x7f800000u, zero_like = (ax & 0x7f800000u) == 0, inf = ax == 0x7f800000u;
    double v = f_of(x);
    if (nan || zero_like || inf || (rsq && (x >> 31)))
        return k == h;  /* special inputs: NaNs, ±0/denormal -> ±inf, ±inf -> ±0, x < 0 -> NaN */
    double e = rsq ? 1.0 / sqrt(v) : 1.0 / v;
    if (fabs(e) < 1.17549435e-38 || fabs(e) > 3.4e38)
        return k == h || ((k & 0x7f800000u) == 0 && (h & 0x7f800000u) == 0); /* tiny: flush */
    double ek = rel(k, e), eh = rel(h, e);
    if (ek > max_err[which]) max_err[which] = ek;
    double d = fabs((double)f_of(k) - (double)f_of(h)) / fabs(e);
    if (d > max_vs_host[which]) max_vs_host[which] = d;
    return ek <= 1.5 / 4096 && eh <= 1.5 / 4096 && (k >> 31) == (h >> 31);
}

static void test_approx(void **state)
{
    (void)state;
    if (!nt_init())
        skip();
    static const char *const names[4] = { "rcpps", "rsqrtps", "rcpss", "rsqrtss" };
    unsigned fails = 0;
    for (unsigned it = 0; it < ITERS && fails < 10; it++) {
        unsigned which = it % 4;
        uint8_t code[32];
        size_t len = build(code, which);
        struct nt_state in, want;
        nt_random_state(&in, 0);
        nt_random_data();
        in.gpr[7] = IN;
        in.gpr[6] = OUT;
        uint32_t x[9];
        for (int i = 0; i < 8; i++)
            x[i] = i < 4 ? rand_in() : (uint32_t)nt_rand();
        x[8] = 0x1f80 | (nt_rand() & 1 ? 0x8040 : 0) | (uint32_t)(nt_rand() % 4) << 13; /* DAZ/FTZ, RC */
        memcpy(nt_mem + (IN - NT_BASE), x, sizeof x);
        memcpy(img, nt_mem, NT_SIZE);
        want = in;
        nt_run_native(code, len, &want);
        const uint8_t *hm = nt_mem + (OUT - NT_BASE);
        for (int e = 0; e < 2; e++) {
            struct nt_state got = in;
            struct bare_result res;
            nt_run_bare((enum bare_engine)e, code, len, img, &got, &res);
            const uint8_t *km = bare_cpu_mem(nt_bare((enum bare_engine)e)) + (OUT - NT_BASE);
            uint32_t k[5], h[5];
            memcpy(k, km, 20);
            memcpy(h, hm, 20);
            bool ok = res.stop == BARE_STOP_HLT && k[4] == h[4]; /* MXCSR: no flags */
            unsigned nl = which < 2 ? 4 : 1;
            for (unsigned l = 0; l < 4; l++)
                ok = ok && (l < nl ? lane_ok(which, x[l], k[l], h[l]) : k[l] == h[l]);
            if (!ok) {
                printf("[%s] %s in %08x %08x %08x %08x: kiln %08x %08x %08x %08x host %08x %08x %08x %08x"
                       " mxcsr %x/%x\n", e ? "interp" : "jit", names[which], x[0], x[1], x[2], x[3],
                       k[0], k[1], k[2], k[3], h[0], h[1], h[2], h[3], k[4], h[4]);
                fails++;
            }
        }
    }
    for (unsigned w = 0; w < 4; w++)
        printf("%s: max relative error kiln %.3g (bound 1.5*2^-12 = %.3g), max |kiln - host| / exact %.3g\n",
               names[w], max_err[w], 1.5 / 4096, max_vs_host[w]);
    assert_int_equal(fails, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_approx),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    for (int e = 0; e < 2; e++)
        bare_cpu_free(nt_cpu[e]);
    return r;
}
