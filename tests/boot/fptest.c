/* SPDX-License-Identifier: MIT */
/* fptest: a static Linux program that exercises x87, MMX, SSE2, SSE3/SSSE3, SSE4.1/4.2, AES and PCLMUL and prints hashes of every result; run on the host and in the guest, the outputs must be identical. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <immintrin.h>
#include <wmmintrin.h>

#define ITERS 4000

/* ---- deterministic inputs ---- */
static uint64_t rng = 0x243f6a8885a308d3ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const uint64_t dspecial[] = {
    0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
    0xfff8000000000000ull, 0x7ff4000000000001ull, 0x0000000000000001ull,
    0x000fffffffffffffull, 0x0010000000000000ull, 0x7fefffffffffffffull,
    0x41e0000000000000ull, 0xc3e0000000000000ull, 0x3fe0000000000000ull,
};
static const uint32_t fspecial[] = {
    0, 0x80000000u, 0x3f800000u, 0xbf800000u, 0x7f800000u, 0xff800000u,
    0x7fc00000u, 0xffc00000u, 0x7fa00001u, 0x00000001u, 0x007fffffu,
    0x00800000u, 0x7f7fffffu, 0x4f000000u, 0xcf000000u, 0x3f000000u,
};

/* A double: a special value, a small-exponent value, or random bits. */
static uint64_t rdouble(void)
{
    uint64_t r = rnd();
    switch (r & 7) {
    case 0: return dspecial[(r >> 3) & 15];
    case 1: case 2: case 3:   /* moderate magnitudes, both signs */
        return (rnd() & 0x800fffffffffffffull) | ((uint64_t)(0x3f0 + (r >> 8) % 32) << 52);
    default: return rnd();
    }
}
static uint32_t rfloat(void)
{
    uint64_t r = rnd();
    switch (r & 7) {
    case 0: return fspecial[(r >> 3) & 15];
    case 1: case 2: case 3:
        return ((uint32_t)rnd() & 0x807fffffu) | ((uint32_t)(0x70 + (r >> 8) % 32) << 23);
    default: return (uint32_t)rnd();
    }
}
static __m128i rvec(int fp)
{
    uint64_t q[2];
    if (fp == 2) {
        q[0] = rdouble();
        q[1] = rdouble();
    } else if (fp == 1) {
        q[0] = rfloat() | (uint64_t)rfloat() << 32;
        q[1] = rfloat() | (uint64_t)rfloat() << 32;
    } else {
        q[0] = rnd();
        q[1] = (rnd() & 1) ? rnd() : q[0] ^ (rnd() & 0x0101010101010101ull);
    }
    __m128i v;
    memcpy(&v, q, 16);
    return v;
}

/* ---- result hashing (FNV-1a, 64-bit) ---- */
static uint64_t hash;
static unsigned long count;
static void h(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        hash = (hash ^ b[i]) * 0x100000001b3ull;
    count++;
}
static void hv(__m128i v) { h(&v, 16); }
static void hd(__m128d v) { h(&v, 16); }
static void hs(__m128 v) { h(&v, 16); }
static void hld(long double x) { h(&x, 10); } /* the 80 bits, not the padding */
static void hu(uint64_t x) { h(&x, 8); }
static void begin(void) { hash = 0xcbf29ce484222325ull; count = 0; }
static void end(const char *name) { printf("%-10s %016llx %lu\n", name, (unsigned long long)hash, count); }

static uint32_t mxcsr_flags(void) { return _mm_getcsr() & 0x3f; }
static void set_mxcsr(uint64_t r)
{
    /* all exceptions masked; random rounding, DAZ, FTZ */
    _mm_setcsr(0x1f80 | (uint32_t)(r & 0x6000) | (uint32_t)(r & 0x8040));
}

#define OPAQUE(v) __asm__ volatile("" : "+x"(v))

/* ---- x87 ---- */
static void fldcw(uint16_t cw) { __asm__ volatile("fldcw %0" : : "m"(cw)); }
static uint16_t fnstsw_clear(void)
{
    uint16_t sw;
    __asm__ volatile("fnstsw %0; fnclex" : "=m"(sw));
    return sw & 0x023f; /* exception flags and C1 */
}
static long double rld(void)
{
    uint64_t r = rnd();
    long double x;
    unsigned char b[16] = {0};
    uint64_t m = rnd() | 0x8000000000000000ull;  /* normal: explicit integer bit */
    uint16_t se;
    switch (r & 3) {
    case 0: { double d; uint64_t q = rdouble(); memcpy(&d, &q, 8); return (long double)d; }
    case 1: se = (uint16_t)(0x3fff - 40 + (r >> 4) % 80); break;
    case 2: se = (uint16_t)((r >> 4) & 0x7fff); if (se == 0) m &= ~0x8000000000000000ull; break;
    default: se = (uint16_t)(0x3fff + (r >> 4) % 8); break;
    }
    se |= (uint16_t)((r >> 20) & 0x8000);
    memcpy(b, &m, 8);
    memcpy(b + 8, &se, 2);
    memcpy(&x, b, sizeof x);
    return x;
}

static void test_x87_arith(void)
{
    volatile long double va, vb, vr;
    begin();
    for (int i = 0; i < ITERS; i++) {
        uint64_t r = rnd();
        /* all exceptions masked; precision 24/53/64 (not the reserved 1), rounding 0-3 */
        static const uint16_t pc[3] = {0x000, 0x200, 0x300};
        uint16_t cw = 0x037f & ~0x0300;
        cw |= pc[r % 3] | (uint16_t)(((r >> 2) & 3) << 10);
        va = rld();
        vb = rld();
        fldcw(cw);
        fnstsw_clear();
        vr = va + vb; hld(vr); hu(fnstsw_clear());
        vr = va - vb; hld(vr); hu(fnstsw_clear());
        vr = va * vb; hld(vr); hu(fnstsw_clear());
        vr = va / vb; hld(vr); hu(fnstsw_clear());
        long double a = va, b = vb, res, e;
        __asm__ volatile("fsqrt" : "=t"(res) : "0"(a)); hld(res); hu(fnstsw_clear());
        __asm__ volatile("frndint" : "=t"(res) : "0"(a)); hld(res); hu(fnstsw_clear());
        __asm__ volatile("fxtract" : "=t"(res), "=u"(e) : "0"(a)); hld(res); hld(e); hu(fnstsw_clear());
        long double sc = (long double)(int)((r >> 8) % 64) - 32;
        __asm__ volatile("fscale" : "=t"(res) : "0"(a), "u"(sc)); hld(res); hu(fnstsw_clear());
        /* FPREM/FPREM1 with exponent difference below 64 (the partial-remainder
           step size beyond that is implementation specific) */
        long double num = b * (long double)(int64_t)(rnd() % 1000000007);
        uint16_t sw;
        __asm__ volatile("fprem; fnstsw %1" : "=t"(res), "=m"(sw) : "0"(num), "u"(b)); hld(res); hu(sw & 0x4700);
        fnstsw_clear();
        __asm__ volatile("fprem1; fnstsw %1" : "=t"(res), "=m"(sw) : "0"(num), "u"(b)); hld(res); hu(sw & 0x4700);
        fnstsw_clear();
        uint8_t zf, pf, cf;
        __asm__ volatile("fucomip %%st(1), %%st; setz %0; setp %1; setc %2; fstp %%st(0)"
                         : "=r"(zf), "=r"(pf), "=r"(cf) : "t"(a), "u"(b));
        hu(zf | pf << 1 | cf << 2); hu(fnstsw_clear());
        int64_t q;
        __asm__ volatile("fistpll %0" : "=m"(q) : "t"(a) : "st"); hu((uint64_t)q); hu(fnstsw_clear());
        float f = (float)va; h(&f, 4); hu(fnstsw_clear());
        double d = (double)va; h(&d, 8); hu(fnstsw_clear());
        /* BCD round trip */
        unsigned char bcd[10];
        long double small = (long double)(int64_t)(rnd() % 1000000000000000000ll) * ((r & 1) ? 1 : -1);
        __asm__ volatile("fbstp %0" : "=m"(bcd) : "t"(small) : "st"); h(bcd, 10);
        __asm__ volatile("fbld %1" : "=t"(res) : "m"(bcd)); hld(res); hu(fnstsw_clear());
    }
    fldcw(0x037f);
    end("x87");
}

/* Transcendentals are not bit-exact against the host (docs/FPU.md): check
   identities with a tolerance instead and print the number of failures. */
static int near(long double x, long double y, long double tol)
{
    long double d = x - y;
    if (d < 0) d = -d;
    long double m = y < 0 ? -y : y;
    return d <= tol * (m > 1 ? m : 1);
}
static void test_x87_trans(void)
{
    int bad = 0, n = 0;
    const long double tol = 1e-15L;
    fldcw(0x037f);
    for (int i = 0; i < ITERS; i++, n++) {
        long double x = ((long double)(int64_t)(rnd() % 2000001) - 1000000) / 100000.0L; /* [-10, 10] */
        long double s, c, t, one, at, y;
        __asm__ volatile("fsincos" : "=t"(c), "=u"(s) : "0"(x));
        bad += !near(s * s + c * c, 1.0L, tol);
        __asm__ volatile("fsin" : "=t"(y) : "0"(x));
        bad += !near(y, s, tol);
        __asm__ volatile("fptan" : "=t"(one), "=u"(t) : "0"(x));
        bad += one != 1.0L;
        bad += !near(t * c, s, tol * 10);
        __asm__ volatile("fpatan" : "=t"(at) : "0"(c), "u"(s) : "st(1)");
        long double xr = x;  /* atan2(sin x, cos x) is x reduced to (-pi, pi] */
        const long double pi = 3.14159265358979323846264338327950288L;
        while (xr > pi) xr -= 2 * pi;
        while (xr <= -pi) xr += 2 * pi;
        bad += !near(at, xr, tol * 10);
        long double u = x / 10.0L, p, l;
        __asm__ volatile("f2xm1" : "=t"(p) : "0"(u));  /* 2^u - 1, |u| <= 1 */
        long double lg, onel = 1.0L;
        __asm__ volatile("fyl2x" : "=t"(lg) : "0"(p + 1.0L), "u"(onel) : "st(1)");
        bad += !near(lg, u, tol * 10);
        __asm__ volatile("fyl2xp1" : "=t"(l) : "0"(p * 0.25L), "u"(onel) : "st(1)");
        long double l2;
        __asm__ volatile("fyl2x" : "=t"(l2) : "0"(1.0L + p * 0.25L), "u"(onel) : "st(1)");
        bad += !near(l, l2, tol * 10);
    }
    fnstsw_clear();
    printf("%-10s %d of %d identities off by more than 1e-15\n", "x87-trans", bad, n * 8);
}

static void test_sse_fp(void)
{
    begin();
    for (int i = 0; i < ITERS; i++) {
        __m128d a = _mm_castsi128_pd(rvec(2)), b = _mm_castsi128_pd(rvec(2)), r;
        __m128 fa = _mm_castsi128_ps(rvec(1)), fb = _mm_castsi128_ps(rvec(1)), fr;
        set_mxcsr(rnd());
        OPAQUE(a); OPAQUE(b); OPAQUE(fa); OPAQUE(fb);
#define D(expr) do { r = (expr); OPAQUE(r); hd(r); hu(mxcsr_flags()); } while (0)
#define S(expr) do { fr = (expr); OPAQUE(fr); hs(fr); hu(mxcsr_flags()); } while (0)
        D(_mm_add_pd(a, b)); D(_mm_sub_pd(a, b)); D(_mm_mul_pd(a, b)); D(_mm_div_pd(a, b));
        D(_mm_sqrt_pd(a)); D(_mm_min_pd(a, b)); D(_mm_max_pd(a, b)); D(_mm_add_sd(a, b));
        D(_mm_cmplt_pd(a, b)); D(_mm_cmpunord_pd(a, b)); D(_mm_cmpnle_pd(a, b));
        D(_mm_hadd_pd(a, b)); D(_mm_addsub_pd(a, b));
        D(_mm_cvtps_pd(fa)); D(_mm_cvtepi32_pd(_mm_castpd_si128(a)));
        D(_mm_round_pd(a, _MM_FROUND_TO_NEAREST_INT)); D(_mm_round_pd(a, _MM_FROUND_CUR_DIRECTION));
        D(_mm_round_sd(a, b, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC));
        D(_mm_dp_pd(a, b, 0x31)); D(_mm_blendv_pd(a, b, a));
        S(_mm_add_ps(fa, fb)); S(_mm_sub_ps(fa, fb)); S(_mm_mul_ps(fa, fb)); S(_mm_div_ps(fa, fb));
        S(_mm_sqrt_ps(fa)); S(_mm_min_ps(fa, fb)); S(_mm_max_ps(fa, fb)); S(_mm_mul_ss(fa, fb));
        S(_mm_cmpge_ps(fa, fb)); S(_mm_cmpord_ps(fa, fb)); S(_mm_hsub_ps(fa, fb));
        S(_mm_cvtpd_ps(a)); S(_mm_cvtepi32_ps(_mm_castps_si128(fa)));
        S(_mm_round_ps(fa, _MM_FROUND_TO_NEG_INF)); S(_mm_dp_ps(fa, fb, 0xf3));
        S(_mm_insert_ps(fa, fb, 0x9c)); S(_mm_movehdup_ps(fa));
        __m128i ci;
        ci = _mm_cvtpd_epi32(a); OPAQUE(ci); hv(ci); hu(mxcsr_flags());
        ci = _mm_cvttpd_epi32(a); OPAQUE(ci); hv(ci); hu(mxcsr_flags());
        ci = _mm_cvtps_epi32(fa); OPAQUE(ci); hv(ci); hu(mxcsr_flags());
        ci = _mm_cvttps_epi32(fa); OPAQUE(ci); hv(ci); hu(mxcsr_flags());
        hu((uint64_t)_mm_cvtsd_si64(a)); hu(mxcsr_flags());
        hu((uint64_t)_mm_cvttss_si64(fa)); hu(mxcsr_flags());
        hu((uint64_t)_mm_ucomilt_sd(a, b)); hu((uint64_t)_mm_comieq_ss(fa, fb)); hu(mxcsr_flags());
        int ex = _mm_extract_ps(fa, 2); hu((uint32_t)ex);
        D(_mm_cvtsi64_sd(a, (int64_t)rnd()));
    }
    _mm_setcsr(0x1f80);
    end("sse-fp");
}

static void test_sse_int(void)
{
    begin();
    for (int i = 0; i < ITERS; i++) {
        __m128i a = rvec(0), b = rvec(0), r;
        OPAQUE(a); OPAQUE(b);
#define I(expr) do { r = (expr); OPAQUE(r); hv(r); } while (0)
        /* SSE2 */
        I(_mm_adds_epi16(a, b)); I(_mm_subs_epu8(a, b)); I(_mm_mulhi_epi16(a, b));
        I(_mm_mul_epu32(a, b)); I(_mm_madd_epi16(a, b)); I(_mm_sad_epu8(a, b));
        I(_mm_packs_epi16(a, b)); I(_mm_packus_epi16(a, b)); I(_mm_unpackhi_epi8(a, b));
        I(_mm_shuffle_epi32(a, 0x1b)); I(_mm_sll_epi64(a, _mm_cvtsi32_si128((int)(rnd() % 70))));
        I(_mm_sra_epi16(a, _mm_cvtsi32_si128((int)(rnd() % 20)))); I(_mm_srli_si128(a, 5));
        I(_mm_avg_epu8(a, b)); I(_mm_cmpgt_epi32(a, b)); hu((uint64_t)_mm_movemask_epi8(a));
        /* SSSE3 */
        I(_mm_shuffle_epi8(a, b)); I(_mm_alignr_epi8(a, b, 7)); I(_mm_maddubs_epi16(a, b));
        I(_mm_mulhrs_epi16(a, b)); I(_mm_hadd_epi16(a, b)); I(_mm_sign_epi8(a, b)); I(_mm_abs_epi32(a));
        /* SSE4.1 */
        I(_mm_blendv_epi8(a, b, a)); I(_mm_blend_epi16(a, b, 0xa5)); I(_mm_min_epi32(a, b));
        I(_mm_max_epu32(a, b)); I(_mm_mullo_epi32(a, b)); I(_mm_mul_epi32(a, b));
        I(_mm_minpos_epu16(a)); I(_mm_mpsadbw_epu8(a, b, 5)); I(_mm_packus_epi32(a, b));
        I(_mm_cvtepi8_epi16(a)); I(_mm_cvtepu16_epi64(a)); I(_mm_cmpeq_epi64(a, b));
        I(_mm_insert_epi8(a, (int)rnd(), 9)); hu((uint64_t)_mm_extract_epi16(a, 3));
        hu((uint64_t)_mm_testc_si128(a, b) | (uint64_t)_mm_testz_si128(a, b) << 1);
        /* SSE4.2 */
        I(_mm_cmpgt_epi64(a, b));
        uint64_t c = 0xffffffffu;
        c = _mm_crc32_u8((uint32_t)c, (uint8_t)rnd());
        c = _mm_crc32_u16((uint32_t)c, (uint16_t)rnd());
        c = _mm_crc32_u32((uint32_t)c, (uint32_t)rnd());
        c = _mm_crc32_u64(c, rnd());
        hu(c);
        int la = (int)(rnd() % 20) - 2, lb = (int)(rnd() % 20) - 2;
        hu((uint64_t)_mm_cmpestri(a, la, b, lb, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ANY));
        hu((uint64_t)_mm_cmpestri(a, la, b, lb, _SIDD_SWORD_OPS | _SIDD_CMP_RANGES | _SIDD_MOST_SIGNIFICANT));
        I(_mm_cmpestrm(a, la, b, lb, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ORDERED | _SIDD_UNIT_MASK));
        hu((uint64_t)_mm_cmpistri(a, b, _SIDD_UWORD_OPS | _SIDD_CMP_EQUAL_EACH | _SIDD_NEGATIVE_POLARITY));
        I(_mm_cmpistrm(a, b, _SIDD_SBYTE_OPS | _SIDD_CMP_RANGES | _SIDD_BIT_MASK));
        hu((uint64_t)_mm_cmpistrc(a, b, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ANY) |
           (uint64_t)_mm_cmpistrz(a, b, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ANY) << 1);
        /* AES and PCLMULQDQ */
        I(_mm_aesenc_si128(a, b)); I(_mm_aesdeclast_si128(a, b)); I(_mm_aesimc_si128(a));
        I(_mm_aeskeygenassist_si128(a, 0x1b)); I(_mm_clmulepi64_si128(a, b, 0x10));
        /* MMX */
        __m64 ma = _mm_cvtsi64_m64(_mm_cvtsi128_si64(a)), mb = _mm_cvtsi64_m64(_mm_cvtsi128_si64(b));
        __m64 mr = _mm_adds_pi16(ma, mb);
        mr = _mm_xor_si64(mr, _mm_mulhi_pi16(ma, mb));
        mr = _mm_xor_si64(mr, _mm_unpacklo_pi8(ma, mb));
        mr = _mm_xor_si64(mr, _mm_slli_pi32(ma, 3));
        hu((uint64_t)_mm_cvtm64_si64(mr));
        _mm_empty();
    }
    end("sse-int");
}

int main(void)
{
    printf("fptest: x87 MMX SSE2 SSE3 SSSE3 SSE4.1 SSE4.2 AES PCLMUL, %d iterations\n", ITERS);
    test_x87_arith();
    test_x87_trans();
    test_sse_fp();
    test_sse_int();
    printf("fptest: done\n");
    return 0;
}
