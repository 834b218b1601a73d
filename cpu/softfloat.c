/* SPDX-License-Identifier: MIT */
/* softfloat.c: our portable 80-bit extended-precision arithmetic (x87), with 128-bit intermediates. */
#include <string.h>
#include "cpu/softfloat.h"

typedef unsigned __int128 u128;
#define BIAS 16383
#define EMIN (-16382)
#define EMAX 16383

bool fx_is_nan(fx80 a) { return (a.se & 0x7fff) == 0x7fff && (a.m << 1) && (a.m >> 63); }
bool fx_is_snan(fx80 a) { return fx_is_nan(a) && !(a.m & (1ull << 62)); }
bool fx_is_inf(fx80 a) { return (a.se & 0x7fff) == 0x7fff && a.m == (1ull << 63); }
bool fx_is_zero(fx80 a) { return (a.se & 0x7fff) == 0 && a.m == 0; }
bool fx_is_denormal(fx80 a) { return (a.se & 0x7fff) == 0 && a.m != 0; }
bool fx_is_unsupported(fx80 a)
{
    unsigned e = a.se & 0x7fff;
    return e != 0 && !(a.m >> 63);
}
fx80 fx_default_nan(void) { fx80 r = { 0xc000000000000000ull, 0xffff }; return r; }
fx80 fx_zero(bool neg) { fx80 r = { 0, (uint16_t)(neg ? 0x8000 : 0) }; return r; }
fx80 fx_inf(bool neg) { fx80 r = { 1ull << 63, (uint16_t)(neg ? 0xffff : 0x7fff) }; return r; }

static bool sgn(fx80 a) { return a.se >> 15; }

/* Unpacked finite nonzero value: m (bit 63 set) * 2^(e - 63), e unbiased. */
static void unpack(fx80 a, int32_t *e, uint64_t *m)
{
    int32_t ex = a.se & 0x7fff;
    uint64_t mm = a.m;
    if (ex == 0)
        ex = 1;
    ex -= BIAS;
    if (mm) {
        int z = __builtin_clzll(mm);
        mm <<= z;
        ex -= z;
    }
    *e = ex;
    *m = mm;
}

static u128 shr_sticky(u128 m, unsigned sh)
{
    if (sh == 0)
        return m;
    if (sh >= 128)
        return m != 0;
    return (m >> sh) | ((m & (((u128)1 << sh) - 1)) != 0);
}

static bool round_to_inf(const struct sf_ctx *c, bool sign)
{
    return c->rc == 0 || (c->rc == 2 && !sign) || (c->rc == 1 && sign);
}

/* Rounds m/2^127 * 2^e (m normalised) to p bits within [emin, emax]: returns the p-bit
   significand (integer bit p-1 clear: denormal at emin), *e updated; *ovf on overflow. */
static uint64_t rnd(struct sf_ctx *c, bool sign, int32_t *e, u128 m, unsigned p, int32_t emin,
                    int32_t emax, bool *ovf)
{
    bool tiny = false;
    *ovf = false;
    if (*e < emin) {
        m = shr_sticky(m, (unsigned)(emin - *e));
        *e = emin;
        tiny = true;
    }
    unsigned drop = 128 - p;
    u128 lsb = (u128)1 << drop, rem = m & (lsb - 1), half = lsb >> 1;
    bool inc;
    switch (c->rc & 3) {
    case 0: inc = rem > half || (rem == half && (m & lsb)); break;
    case 1: inc = sign && rem; break;
    case 2: inc = !sign && rem; break;
    default: inc = false; break;
    }
    m -= rem;
    if (inc) {
        m += lsb;
        if (m == 0) {
            m = (u128)1 << 127;
            (*e)++;
        }
    }
    if (*e > emax) {
        *ovf = true;
        c->flags |= SF_OE | SF_PE;
        if (round_to_inf(c, sign)) {
            c->flags |= SF_C1;
            return 0;
        }
        *e = emax;
        return p == 64 ? ~0ull : ((1ull << p) - 1);
    }
    if (tiny && (c->traps & SF_UE))
        c->flags |= SF_UE;
    if (rem) {
        c->flags |= SF_PE;
        if (tiny)
            c->flags |= SF_UE;
        if (inc)
            c->flags |= SF_C1;
    }
    return (uint64_t)(m >> drop);
}

fx80 fx_round_pack(struct sf_ctx *c, bool sign, int32_t exp, u128 m)
{
    if (m == 0)
        return fx_zero(sign);
    int z = (m >> 64) ? __builtin_clzll((uint64_t)(m >> 64)) : 64 + __builtin_clzll((uint64_t)m);
    m <<= z;
    int32_t e = exp - z;
    bool ovf;
    unsigned p = c->prec;
    /* unmasked OE / UE: the bias-adjusted result (tininess before rounding, as rnd) */
    if ((c->traps & SF_OE) && e > EMAX) {
        e -= 24576;
        c->flags |= SF_OE;
        if (e > EMAX) { /* still out of range (FSCALE): infinity, as the host */
            c->flags |= SF_PE | SF_C1;
            return fx_inf(sign);
        }
    } else if ((c->traps & SF_UE) && e < EMIN) {
        e += 24576;
        c->flags |= SF_UE;
        if (e < EMIN) {
            c->flags |= SF_PE;
            return fx_zero(sign);
        }
    }
    uint64_t s = rnd(c, sign, &e, m, p, EMIN, EMAX, &ovf);
    if (ovf && s == 0)
        return fx_inf(sign);
    uint64_t mant = s << (64 - p);
    fx80 r;
    r.m = mant;
    r.se = (uint16_t)((sign ? 0x8000 : 0) | ((mant >> 63) ? (uint32_t)(e + BIAS) : 0));
    return r;
}

/* value = m * 2^(e - 127) with m normalised at any position */
static fx80 pack(struct sf_ctx *c, bool sign, int32_t e, u128 m)
{
    return fx_round_pack(c, sign, e, m);
}

/* NaN operands: IE for SNaN, the larger-significand NaN (quieted) */
static fx80 nan2(struct sf_ctx *c, fx80 a, fx80 b)
{
    bool na = fx_is_nan(a), nb = fx_is_nan(b);
    if (fx_is_snan(a) || fx_is_snan(b))
        c->flags |= SF_IE;
    fx80 r;
    if (na && nb && fx_is_snan(a) != fx_is_snan(b))
        r = fx_is_snan(a) ? b : a; /* a QNaN wins over an SNaN */
    else if (na && nb)
        r = (a.m << 1) > (b.m << 1) ? a : (a.m << 1) < (b.m << 1) ? b : (sgn(a) ? b : a);
    else
        r = na ? a : b;
    r.m |= 1ull << 62;
    return r;
}

static fx80 invalid(struct sf_ctx *c)
{
    c->flags |= SF_IE;
    return fx_default_nan();
}

/* Common checks for two operands: returns true with *r for NaN / unsupported. */
static bool special2(struct sf_ctx *c, fx80 a, fx80 b, fx80 *r)
{
    if (fx_is_unsupported(a) || fx_is_unsupported(b)) {
        *r = invalid(c);
        return true;
    }
    if (fx_is_nan(a) || fx_is_nan(b)) {
        *r = nan2(c, a, b);
        return true;
    }
    if (fx_is_denormal(a) || fx_is_denormal(b))
        c->flags |= SF_DE;
    return false;
}

static fx80 addsub(struct sf_ctx *c, fx80 a, fx80 b, bool neg)
{
    fx80 r;
    if (special2(c, a, b, &r))
        return r;
    bool sa = sgn(a), sb = sgn(b) ^ neg;
    if (fx_is_inf(a) || fx_is_inf(b)) {
        if (fx_is_inf(a) && fx_is_inf(b) && sa != sb)
            return invalid(c);
        return fx_is_inf(a) ? fx_inf(sa) : fx_inf(sb);
    }
    bool za = fx_is_zero(a), zb = fx_is_zero(b);
    if (za && zb)
        return fx_zero(sa == sb ? sa : c->rc == 1);
    int32_t ea, eb;
    uint64_t ma, mb;
    unpack(a, &ea, &ma);
    unpack(b, &eb, &mb);
    if (za)
        return pack(c, sb, eb, (u128)mb << 64);
    if (zb)
        return pack(c, sa, ea, (u128)ma << 64);
    u128 A = (u128)ma << 63, B = (u128)mb << 63;
    int32_t e = ea;
    if (ea > eb)
        B = shr_sticky(B, (unsigned)(ea - eb));
    else if (eb > ea) {
        A = shr_sticky(A, (unsigned)(eb - ea));
        e = eb;
    }
    /* value = X * 2^(e - 126) = X * 2^((e + 1) - 127) */
    if (sa == sb)
        return pack(c, sa, e + 1, A + B);
    if (A == B)
        return fx_zero(c->rc == 1);
    if (A > B)
        return pack(c, sa, e + 1, A - B);
    return pack(c, sb, e + 1, B - A);
}

fx80 fx_add(struct sf_ctx *c, fx80 a, fx80 b) { return addsub(c, a, b, false); }
fx80 fx_sub(struct sf_ctx *c, fx80 a, fx80 b) { return addsub(c, a, b, true); }

fx80 fx_mul(struct sf_ctx *c, fx80 a, fx80 b)
{
    fx80 r;
    if (special2(c, a, b, &r))
        return r;
    bool s = sgn(a) ^ sgn(b);
    if (fx_is_inf(a) || fx_is_inf(b)) {
        if (fx_is_zero(a) || fx_is_zero(b))
            return invalid(c);
        return fx_inf(s);
    }
    if (fx_is_zero(a) || fx_is_zero(b))
        return fx_zero(s);
    int32_t ea, eb;
    uint64_t ma, mb;
    unpack(a, &ea, &ma);
    unpack(b, &eb, &mb);
    /* ma*mb * 2^(ea+eb-126) */
    return pack(c, s, ea + eb + 1, (u128)ma * mb);
}

fx80 fx_div(struct sf_ctx *c, fx80 a, fx80 b)
{
    fx80 r;
    unsigned f0 = c->flags;
    if (special2(c, a, b, &r))
        return r;
    bool s = sgn(a) ^ sgn(b);
    if (fx_is_zero(b) && !(f0 & SF_DE))
        c->flags &= ~SF_DE; /* division by zero (or 0/0) takes precedence over DE */
    if (fx_is_inf(a)) {
        if (fx_is_inf(b))
            return invalid(c);
        return fx_inf(s);
    }
    if (fx_is_inf(b))
        return fx_zero(s);
    if (fx_is_zero(b)) {
        if (fx_is_zero(a))
            return invalid(c);
        c->flags |= SF_ZE;
        return fx_inf(s);
    }
    if (fx_is_zero(a))
        return fx_zero(s);
    int32_t ea, eb;
    uint64_t ma, mb;
    unpack(a, &ea, &ma);
    unpack(b, &eb, &mb);
    u128 n = (u128)ma << 64;
    u128 q1 = n / mb, r1 = n % mb;
    u128 n2 = r1 << 64;
    uint64_t q2 = (uint64_t)(n2 / mb);
    bool sticky = (n2 % mb) != 0;
    /* quotient = (q1 * 2^64 + q2) / 2^128 * 2^(ea - eb + 64) */
    u128 q;
    int32_t e;
    if (q1 >> 64) {
        q = (q1 << 63) | (q2 >> 1);
        sticky |= q2 & 1;
        e = ea - eb + 1;
    } else {
        q = (q1 << 64) | q2;
        e = ea - eb;
    }
    /* value = q * 2^(e - 128) = q * 2^((e - 1) - 127) */
    return pack(c, s, e - 1, q | sticky);
}

fx80 fx_sqrt(struct sf_ctx *c, fx80 a)
{
    if (fx_is_unsupported(a))
        return invalid(c);
    if (fx_is_nan(a)) {
        if (fx_is_snan(a))
            c->flags |= SF_IE;
        a.m |= 1ull << 62;
        return a;
    }
    if (fx_is_zero(a))
        return a;
    if (sgn(a))
        return invalid(c);
    if (fx_is_inf(a))
        return a;
    if (fx_is_denormal(a))
        c->flags |= SF_DE;
    int32_t e;
    uint64_t m;
    unpack(a, &e, &m);
    /* value = m * 2^(e-63); X = m << s with (e - 63 - s) even */
    unsigned sh = ((e - 63 - 64) & 1) ? 63 : 64;
    u128 x = (u128)m << sh, rem = 0, root = 0;
    for (int i = 0; i < 64; i++) {
        rem = (rem << 2) | (x >> 126);
        x <<= 2;
        root <<= 1;
        u128 t = (root << 1) | 1;
        if (rem >= t) {
            rem -= t;
            root |= 1;
        }
    }
    u128 mm = (root << 64) | ((u128)(rem > root) << 63) | (rem != 0);
    int32_t k = (e - 63 - (int32_t)sh) / 2;
    /* value = mm * 2^(k - 64) = mm * 2^((k + 63) - 127) */
    return pack(c, false, k + 63, mm);
}

int fx_cmp(struct sf_ctx *c, fx80 a, fx80 b, bool quiet)
{
    if (fx_is_unsupported(a) || fx_is_unsupported(b)) {
        c->flags |= SF_IE;
        return 2;
    }
    if (fx_is_nan(a) || fx_is_nan(b)) {
        if (!quiet || fx_is_snan(a) || fx_is_snan(b))
            c->flags |= SF_IE;
        return 2;
    }
    if (fx_is_denormal(a) || fx_is_denormal(b))
        c->flags |= SF_DE;
    bool za = fx_is_zero(a), zb = fx_is_zero(b);
    if (za && zb)
        return 0;
    bool sa = sgn(a), sb = sgn(b);
    if (sa != sb)
        return sa ? -1 : 1;
    /* same sign: compare magnitudes via unpacked form (denormals normalised) */
    int32_t ea = 0, eb = 0;
    uint64_t ma = 0, mb = 0;
    if (!za) unpack(a, &ea, &ma);
    if (!zb) unpack(b, &eb, &mb);
    if (fx_is_inf(a)) ea = 1 << 20;
    if (fx_is_inf(b)) eb = 1 << 20;
    int mag;
    if (za) mag = -1;
    else if (zb) mag = 1;
    else mag = ea != eb ? (ea < eb ? -1 : 1) : ma != mb ? (ma < mb ? -1 : 1) : 0;
    return sa ? -mag : mag;
}

/* Rounds a finite nonzero a to an integer in RC mode (or toward zero). */
static fx80 round_int(struct sf_ctx *c, fx80 a, unsigned rc)
{
    int32_t e;
    uint64_t m;
    bool s = sgn(a);
    unpack(a, &e, &m);
    if (e >= 63)
        return a;
    uint64_t rem, half, lsbv;
    bool inc;
    if (e < 0) {
        /* |a| < 1 */
        c->flags |= SF_PE;
        switch (rc) {
        case 0: inc = e == -1 && m > (1ull << 63); break;
        case 1: inc = s; break;
        case 2: inc = !s; break;
        default: inc = false; break;
        }
        if (inc) {
            c->flags |= SF_C1;
            fx80 r = { 1ull << 63, (uint16_t)((s ? 0x8000 : 0) | BIAS) };
            return r;
        }
        return fx_zero(s);
    }
    unsigned f = 63 - (unsigned)e;
    lsbv = 1ull << f;
    rem = m & (lsbv - 1);
    half = lsbv >> 1;
    switch (rc) {
    case 0: inc = rem > half || (rem == half && (m & lsbv)); break;
    case 1: inc = s && rem; break;
    case 2: inc = !s && rem; break;
    default: inc = false; break;
    }
    if (!rem)
        return a;
    c->flags |= SF_PE;
    m -= rem;
    if (inc) {
        c->flags |= SF_C1;
        m += lsbv;
        if (m == 0) {
            m = 1ull << 63;
            e++;
        }
    }
    fx80 r = { m, (uint16_t)((s ? 0x8000 : 0) | (uint32_t)(e + BIAS)) };
    return r;
}

fx80 fx_round_int(struct sf_ctx *c, fx80 a)
{
    if (fx_is_unsupported(a))
        return invalid(c);
    if (fx_is_nan(a)) {
        if (fx_is_snan(a))
            c->flags |= SF_IE;
        a.m |= 1ull << 62;
        return a;
    }
    if (fx_is_inf(a) || fx_is_zero(a))
        return a;
    if (fx_is_denormal(a))
        c->flags |= SF_DE;
    return round_int(c, a, c->rc & 3);
}

uint64_t fx_to_int(struct sf_ctx *c, fx80 a, unsigned size, bool trunc)
{
    uint64_t indef = 1ull << (size * 8 - 1);
    if (fx_is_unsupported(a) || fx_is_nan(a) || fx_is_inf(a)) {
        c->flags |= SF_IE;
        return indef;
    }
    if (fx_is_zero(a))
        return 0;
    struct sf_ctx t = *c;
    t.flags = 0;
    fx80 r = round_int(&t, a, trunc ? 3 : c->rc & 3);
    if (fx_is_zero(r)) {
        c->flags |= t.flags;
        return 0;
    }
    int32_t e;
    uint64_t m;
    unpack(r, &e, &m);
    bool s = sgn(r);
    unsigned bits = size * 8;
    if (e >= (int32_t)bits - 1) {
        if (!(s && e == (int32_t)bits - 1 && m == (1ull << 63))) {
            c->flags |= SF_IE;
            return indef;
        }
    }
    c->flags |= t.flags;
    uint64_t v = e >= 63 ? m : m >> (63 - e);
    if (s)
        v = 0 - v;
    return bits == 64 ? v : v & ((1ull << bits) - 1);
}

fx80 fx_from_i64(int64_t v)
{
    if (v == 0)
        return fx_zero(false);
    bool s = v < 0;
    uint64_t m = s ? 0 - (uint64_t)v : (uint64_t)v;
    int z = __builtin_clzll(m);
    fx80 r = { m << z, (uint16_t)((s ? 0x8000 : 0) | (uint32_t)(BIAS + 63 - z)) };
    return r;
}

/* Narrow float formats: ebits exponent bits, fbits fraction bits. */
static fx80 from_narrow(struct sf_ctx *c, uint64_t v, unsigned ebits, unsigned fbits)
{
    bool s = (v >> (ebits + fbits)) & 1;
    int32_t e = (int32_t)((v >> fbits) & ((1u << ebits) - 1));
    uint64_t f = v & ((1ull << fbits) - 1);
    int32_t bias = (1 << (ebits - 1)) - 1;
    if (e == (1 << ebits) - 1) {
        if (!f)
            return fx_inf(s);
        /* NaN: kept signaling (the caller quiets it and raises IE where it is used) */
        fx80 r = { (1ull << 63) | (f << (63 - fbits)), (uint16_t)((s ? 0x8000 : 0) | 0x7fff) };
        return r;
    }
    if (e == 0) {
        if (!f)
            return fx_zero(s);
        c->flags |= SF_DE;
        int z = __builtin_clzll(f);
        /* value = f * 2^(1 - bias - fbits) */
        fx80 r = { f << z, (uint16_t)((s ? 0x8000 : 0) | (uint32_t)(BIAS + 1 - bias - (int32_t)fbits + 63 - z)) };
        return r;
    }
    fx80 r = { (1ull << 63) | (f << (63 - fbits)), (uint16_t)((s ? 0x8000 : 0) | (uint32_t)(e - bias + BIAS)) };
    return r;
}

fx80 fx_from_f32(struct sf_ctx *c, uint32_t v) { return from_narrow(c, v, 8, 23); }
fx80 fx_from_f64(struct sf_ctx *c, uint64_t v) { return from_narrow(c, v, 11, 52); }

static uint64_t to_narrow(struct sf_ctx *c, fx80 a, unsigned ebits, unsigned fbits)
{
    bool s = sgn(a);
    uint64_t sbit = (uint64_t)s << (ebits + fbits);
    uint64_t emax_field = (1ull << ebits) - 1;
    if (fx_is_unsupported(a)) {
        c->flags |= SF_IE;
        a = fx_default_nan();
        s = true;
        sbit = (uint64_t)1 << (ebits + fbits);
    }
    if (fx_is_nan(a)) {
        if (fx_is_snan(a))
            c->flags |= SF_IE;
        uint64_t f = ((a.m << 1) >> (64 - fbits)) | (1ull << (fbits - 1));
        return sbit | emax_field << fbits | f;
    }
    if (fx_is_inf(a))
        return sbit | emax_field << fbits;
    if (fx_is_zero(a))
        return sbit;
    int32_t e;
    uint64_t m;
    unpack(a, &e, &m);
    int32_t bias = (1 << (ebits - 1)) - 1;
    bool ovf;
    uint64_t r = rnd(c, s, &e, (u128)m << 64, fbits + 1, 1 - bias, bias, &ovf);
    if (ovf && r == 0)
        return sbit | emax_field << fbits;
    uint64_t ef = (r >> fbits) ? (uint64_t)(e + bias) : 0;
    return sbit | ef << fbits | (r & ((1ull << fbits) - 1));
}

uint32_t fx_to_f32(struct sf_ctx *c, fx80 a) { return (uint32_t)to_narrow(c, a, 8, 23); }
uint64_t fx_to_f64(struct sf_ctx *c, fx80 a) { return to_narrow(c, a, 11, 52); }

fx80 fx_scale(struct sf_ctx *c, fx80 a, fx80 b)
{
    fx80 r;
    if (special2(c, a, b, &r))
        return r;
    if (fx_is_inf(b)) {
        if (sgn(b)) {
            if (fx_is_inf(a))
                return invalid(c);
            return fx_zero(sgn(a));
        }
        if (fx_is_zero(a))
            return invalid(c);
        return fx_inf(sgn(a));
    }
    if (fx_is_inf(a) || fx_is_zero(a))
        return a;
    struct sf_ctx t = *c;
    t.rc = 3;
    t.flags = 0;
    int64_t n = fx_is_zero(b) ? 0 : (int64_t)fx_to_int(&t, b, 8, true);
    if (t.flags & SF_IE)
        n = sgn(b) ? -100000 : 100000;
    if (n > 100000) n = 100000;
    if (n < -100000) n = -100000;
    int32_t e;
    uint64_t m;
    unpack(a, &e, &m);
    struct sf_ctx t2 = *c;
    t2.prec = 64;
    fx80 res = pack(&t2, sgn(a), e + (int32_t)n, (u128)m << 64);
    c->flags |= t2.flags;
    return res;
}
