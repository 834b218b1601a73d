/* SPDX-License-Identifier: MIT */
/* x87_trans.c: FSIN FCOS FSINCOS FPTAN FPATAN F2XM1 FYL2X FYL2XP1 in portable C, with about 120-bit intermediates rounded once to the x87 precision. */
#include <stdbool.h>
#include <stdint.h>
#include "cpu/x87_trans.h"

/*
 * A working value is (-1)^s * m * 2^(e - 127), m normalised with bit 127 set
 * (m == 0 only for zero). Operations truncate, so each loses at most about
 * 2^-126 relative; the series below take a few dozen of them, leaving well over
 * 100 correct bits before the single final rounding by fx_round_pack. The
 * results are therefore the correctly rounded values except when the exact
 * value lies within about 2^-110 (relative) of a rounding boundary.
 */
typedef unsigned __int128 u128;
struct xf {
    bool s;
    int32_t e;
    u128 m;
};

#define BIAS 16383
#define U128(hi, lo) (((u128)(hi) << 64) | (u128)(lo))

/* Constants, rounded to 128 bits (computed with 600-bit arithmetic). */
static const struct xf PI_2 = { false, 0, U128(0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull) };
static const struct xf PI_4 = { false, -1, U128(0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull) };
static const struct xf PI = { false, 1, U128(0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull) };
static const struct xf LN2 = { false, -1, U128(0xb17217f7d1cf79abull, 0xc9e3b39803f2f6afull) };
static const struct xf LOG2E = { false, 0, U128(0xb8aa3b295c17f0bbull, 0xbe87fed0691d3e89ull) };
static const struct xf ONE = { false, 0, (u128)1 << 127 };
/* 2/pi: 320 fraction bits, most significant limb first (for Payne-Hanek reduction). */
static const uint64_t TWO_OVER_PI[5] = {
    0xa2f9836e4e441529ull, 0xfc2757d1f534ddc0ull, 0xdb6295993c439041ull,
    0xfe5163abdebbc561ull, 0xb7246e3a424dd2e0ull,
};

static int clz128(u128 m)
{
    uint64_t hi = (uint64_t)(m >> 64);
    return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)m);
}

static struct xf norm(bool s, int32_t e, u128 m)
{
    struct xf r = { s, e, m };
    if (m == 0)
        return r;
    int z = clz128(m);
    r.m = m << z;
    r.e = e - z;
    return r;
}

static struct xf neg(struct xf a)
{
    a.s = !a.s;
    return a;
}

static struct xf mul(struct xf a, struct xf b)
{
    if (a.m == 0 || b.m == 0)
        return (struct xf){ a.s != b.s, 0, 0 };
    uint64_t a1 = (uint64_t)(a.m >> 64), a0 = (uint64_t)a.m, b1 = (uint64_t)(b.m >> 64), b0 = (uint64_t)b.m;
    u128 hh = (u128)a1 * b1, hl = (u128)a1 * b0, lh = (u128)a0 * b1, ll = (u128)a0 * b0;
    u128 mid = (hl & ~(uint64_t)0) + (lh & ~(uint64_t)0) + (ll >> 64);
    u128 hi = hh + (hl >> 64) + (lh >> 64) + (mid >> 64);
    uint64_t lo = (uint64_t)mid;
    struct xf r = { a.s != b.s, a.e + b.e, 0 };
    if (hi >> 127) {
        r.m = hi;
        r.e += 1;
    } else {
        r.m = (hi << 1) | (lo >> 63);
    }
    return r;
}

static struct xf add(struct xf a, struct xf b)
{
    if (a.m == 0)
        return b;
    if (b.m == 0)
        return a;
    if (a.e < b.e || (a.e == b.e && a.m < b.m)) {
        struct xf t = a;
        a = b;
        b = t;
    }
    int32_t d = a.e - b.e;
    if (d >= 128)
        return a;
    u128 bm = b.m >> d;
    if (a.s == b.s) {
        u128 sum = a.m + bm;
        if (sum < a.m) /* carry out of bit 127 */
            return (struct xf){ a.s, a.e + 1, (sum >> 1) | ((u128)1 << 127) };
        return (struct xf){ a.s, a.e, sum };
    }
    return norm(a.s, a.e, a.m - bm);
}

static struct xf sub(struct xf a, struct xf b)
{
    return add(a, neg(b));
}

/* a / b by restoring division: 128 quotient bits. */
static struct xf divide(struct xf a, struct xf b)
{
    if (a.m == 0)
        return (struct xf){ a.s != b.s, 0, 0 };
    u128 r = a.m, d = b.m, q = 0;
    bool top = false;
    for (int i = 0; i < 128; i++) {
        q <<= 1;
        if (top || r >= d) {
            r -= d;
            q |= 1;
        }
        top = r >> 127;
        r <<= 1;
    }
    return norm(a.s != b.s, a.e - b.e, q);
}

static struct xf divu(struct xf a, uint64_t n)
{
    struct xf b = norm(false, 127, n);
    return divide(a, b);
}

static struct xf from_fx(fx80 a)
{
    int32_t e = (a.se & 0x7fff) ? (int32_t)(a.se & 0x7fff) - BIAS : 1 - BIAS;
    return norm(a.se >> 15, e, (u128)a.m << 64);
}

/* Rounds once to the x87 format (precision and rounding per c); always inexact. */
static fx80 to_fx(struct sf_ctx *c, struct xf a)
{
    c->flags |= SF_PE;
    return fx_round_pack(c, a.s, a.e, a.m | 1); /* the sticky bit: never exact */
}

static bool sign_of(fx80 a) { return a.se >> 15; }
static fx80 quiet(struct sf_ctx *c, fx80 a)
{
    if (fx_is_snan(a))
        c->flags |= SF_IE;
    a.m |= 1ull << 62;
    return a;
}
static fx80 invalid(struct sf_ctx *c)
{
    c->flags |= SF_IE;
    return fx_default_nan();
}
/* The NaN result of a two-operand instruction (the x87 rules, as fx_add's). */
static fx80 nan2(struct sf_ctx *c, fx80 a, fx80 b)
{
    fx80 zero = fx_zero(false);
    return fx_add(c, fx_is_nan(a) ? a : zero, fx_is_nan(b) ? b : zero);
}

/* ---- sin, cos, tan ---- */

/* x reduced modulo pi/2: r in [-pi/4, pi/4] and the quadrant k mod 4, for a
   finite nonzero |x| < 2^63 (Payne-Hanek with 320 bits of 2/pi). */
static struct xf reduce(struct xf x, unsigned *quadrant)
{
    /* |x| = M * 2^(e - 63) with M the top 64 bits of x.m (exact: x came from 64 bits). */
    uint64_t M = (uint64_t)(x.m >> 64);
    int32_t sh = x.e - 63;
    if (x.e < -1) { /* |x| < 1/2 < pi/4: nothing to reduce */
        *quadrant = 0;
        return x;
    }
    /* P = M * (2/pi) as a 384-bit fixed-point number with 320 fraction bits. */
    uint64_t p[6] = { 0 }; /* p[0] most significant */
    for (int i = 4; i >= 0; i--) {
        u128 t = (u128)M * TWO_OVER_PI[i];
        int j = i + 1;
        u128 s = (u128)p[j] + (uint64_t)t;
        p[j] = (uint64_t)s;
        u128 carry = (s >> 64) + (uint64_t)(t >> 64);
        for (int k = j - 1; k >= 0 && carry; k--) {
            s = (u128)p[k] + (uint64_t)carry;
            p[k] = (uint64_t)s;
            carry = (s >> 64) + (carry >> 64);
        }
    }
    /* x * 2/pi = P * 2^-fbits: bits at and above fbits are the integer part. */
    int fbits = 320 - sh;                 /* 321..384 for x.e in -1..62 */
#define PBIT(i) ((i) < 0 || (i) >= 384 ? 0u : (unsigned)((p[5 - (i) / 64] >> ((i) % 64)) & 1))
    unsigned k = PBIT(fbits) | PBIT(fbits + 1) << 1;
    /* the first 256 fraction bits (fbits >= 321 leaves at least 65 below them) */
    u128 fh = 0, fl = 0;
    for (int n = 0; n < 128; n++) {
        fh = (fh << 1) | PBIT(fbits - 1 - n);
        fl = (fl << 1) | PBIT(fbits - 129 - n);
    }
#undef PBIT
    bool up = fh >> 127;                  /* fraction >= 1/2: k + 1 and r = fraction - 1 */
    if (up) {                             /* 1 - fraction, in 256-bit two's complement */
        fl = ~fl + 1;
        fh = ~fh + (fl == 0);
        k++;
    }
    struct xf r;
    if (fh) {                             /* value = (fh:fl) * 2^-256 */
        int z = clz128(fh);
        r = (struct xf){ up, -1 - z, z ? (fh << z) | (fl >> (128 - z)) : fh };
    } else {
        int z = clz128(fl);
        r = (struct xf){ up, -129 - z, fl << z };
    }
    *quadrant = k & 3;
    r = mul(r, PI_2);
    if (x.s)
        r.s = !r.s;
    if (x.s)
        *quadrant = (4 - *quadrant) & 3;
    return r;
}

/* sin(r) and cos(r) for |r| <= pi/4 by their Taylor series (Horner, 15 terms). */
static struct xf sin_series(struct xf r)
{
    struct xf r2 = mul(r, r), t = ONE;
    for (int k = 15; k >= 1; k--)
        t = sub(ONE, divu(mul(t, r2), (uint64_t)(2 * k) * (uint64_t)(2 * k + 1)));
    return mul(r, t);
}

static struct xf cos_series(struct xf r)
{
    struct xf r2 = mul(r, r), t = ONE;
    for (int k = 15; k >= 1; k--)
        t = sub(ONE, divu(mul(t, r2), (uint64_t)(2 * k - 1) * (uint64_t)(2 * k)));
    return t;
}

bool x87t_trig(struct sf_ctx *c, enum x87t_trig which, fx80 a, fx80 *r1, fx80 *r2)
{
    if (fx_is_nan(a)) {
        *r1 = *r2 = quiet(c, a);
        return true;
    }
    if (fx_is_unsupported(a) || fx_is_inf(a)) {
        *r1 = *r2 = invalid(c);
        return true;
    }
    if ((a.se & 0x7fff) >= BIAS + 63)
        return false; /* |x| >= 2^63: C2 = 1, the operand stays */
    if (fx_is_zero(a)) {
        *r1 = a;                                  /* sin, tan: the signed zero */
        *r2 = fx_from_i64(1);                     /* cos */
        if (which == X87T_COS)
            *r1 = *r2;
        return true;
    }
    if (fx_is_denormal(a))
        c->flags |= SF_DE;
    unsigned q;
    struct xf r = reduce(from_fx(a), &q);
    struct xf s = sin_series(r), co = cos_series(r), sn, cs;
    switch (q) {
    case 0: sn = s; cs = co; break;
    case 1: sn = co; cs = neg(s); break;
    case 2: sn = neg(s); cs = neg(co); break;
    default: sn = neg(co); cs = s; break;
    }
    switch (which) {
    case X87T_SIN: *r1 = to_fx(c, sn); break;
    case X87T_COS: *r1 = to_fx(c, cs); break;
    case X87T_SINCOS: *r1 = to_fx(c, sn); *r2 = to_fx(c, cs); break;
    case X87T_TAN: *r1 = to_fx(c, divide(sn, cs)); break;
    }
    return true;
}

/* ---- arctangent ---- */

/* atan(z) for 0 <= z <= 1. */
static struct xf atan01(struct xf z)
{
    struct xf base = { false, 0, 0 };
    if (z.m && z.e >= -1) { /* z >= 1/2: atan z = pi/4 + atan((z - 1) / (z + 1)), |w| <= 1/3 */
        base = PI_4;
        z = divide(sub(z, ONE), add(z, ONE));
    }
    /* atan w = w - w^3/3 + w^5/5 - ...; |w| < 1/2 needs 62 terms for 2^-120 */
    struct xf w2 = mul(z, z), t = { false, 0, 0 };
    for (int k = 62; k >= 1; k--)
        t = sub(divu(ONE, (uint64_t)(2 * k + 1)), mul(w2, t));
    /* t = 1/3 - w^2/5 + ...; atan w = w - w^3 t */
    return add(base, sub(z, mul(mul(z, w2), t)));
}

fx80 x87t_atan2(struct sf_ctx *c, fx80 y, fx80 x)
{
    if (fx_is_nan(y) || fx_is_nan(x))
        return nan2(c, y, x);
    if (fx_is_unsupported(y) || fx_is_unsupported(x))
        return invalid(c);
    if (fx_is_denormal(y) || fx_is_denormal(x))
        c->flags |= SF_DE;
    bool ys = sign_of(y), xs = sign_of(x);
    struct xf res;
    if (fx_is_zero(y) || (fx_is_inf(x) && !fx_is_inf(y))) {
        if (!xs)
            return fx_zero(ys);                  /* atan2(+-0, +x) and atan2(+-y, +inf) */
        res = PI;                                /* x negative: +-pi */
    } else if (fx_is_zero(x) || (fx_is_inf(y) && !fx_is_inf(x))) {
        res = PI_2;
    } else if (fx_is_inf(y)) {                   /* both infinite */
        res = xs ? add(PI_2, PI_4) : PI_4;
    } else {
        struct xf fy = from_fx(y), fx = from_fx(x);
        fy.s = fx.s = false;
        bool swap = fy.e > fx.e || (fy.e == fx.e && fy.m > fx.m);
        struct xf z = swap ? divide(fx, fy) : divide(fy, fx);
        res = atan01(z);
        if (swap)
            res = sub(PI_2, res);
        if (xs)
            res = sub(PI, res);
    }
    res.s = ys;
    return to_fx(c, res);
}

/* ---- logarithm ---- */

/* ln(x) for a finite x > 0: x = m * 2^k with m in [sqrt(1/2), sqrt(2)),
   ln x = k ln 2 + 2 atanh((m - 1) / (m + 1)). */
static struct xf ln_xf(struct xf x)
{
    int32_t k = x.e;
    struct xf m = { false, 0, x.m };
    /* sqrt(1/2) * 2 = 1.414...: above it use m / 2 */
    if (x.m > U128(0xb504f333f9de6484ull, 0x597d89b3754abe9full)) {
        m.e = -1;
        k += 1;
    }
    struct xf s = divide(sub(m, ONE), add(m, ONE)); /* |s| <= 0.1716 */
    struct xf s2 = mul(s, s), t = { false, 0, 0 };
    for (int j = 24; j >= 1; j--)
        t = add(divu(ONE, (uint64_t)(2 * j + 1)), mul(s2, t));
    /* atanh s = s + s^3 t */
    struct xf at = add(s, mul(mul(s, s2), t));
    at.e += 1; /* times 2 */
    struct xf kl = mul(norm(k < 0, 127, (u128)(uint64_t)(k < 0 ? -(int64_t)k : k)), LN2);
    return add(kl, at);
}

/* ln(1 + x) for x > -1: 2 atanh(x / (2 + x)) for |x| < 1/4 (accurate for tiny x),
   else ln of the exact sum. */
static struct xf ln1p_xf(struct xf x)
{
    if (x.e >= -2)
        return ln_xf(add(ONE, x));
    struct xf two = { false, 1, (u128)1 << 127 };
    struct xf s = divide(x, add(two, x));
    struct xf s2 = mul(s, s), t = { false, 0, 0 };
    for (int j = 24; j >= 1; j--)
        t = add(divu(ONE, (uint64_t)(2 * j + 1)), mul(s2, t));
    struct xf at = add(s, mul(mul(s, s2), t));
    at.e += 1;
    return at;
}

fx80 x87t_yl2x(struct sf_ctx *c, fx80 y, fx80 x, bool plus1)
{
    if (fx_is_nan(y) || fx_is_nan(x))
        return nan2(c, y, x);
    if (fx_is_unsupported(y) || fx_is_unsupported(x))
        return invalid(c);
    if (fx_is_denormal(y) || fx_is_denormal(x))
        c->flags |= SF_DE;
    bool ys = sign_of(y), xs = sign_of(x);
    struct xf fx = from_fx(x);
    /* the logarithm's argument u = x (+ 1) classified: < 0, 0, (0,1), 1, > 1, inf */
    int cls;  /* -2: u < 0, -1: u in (0,1), 0: u == 1, 1: u > 1, 2: u == +inf, 3: u == 0 */
    if (fx_is_inf(x))
        cls = xs ? -2 : 2;
    else if (plus1)
        cls = fx_is_zero(x) ? 0 : (xs ? (fx.e >= 0 ? (fx.e == 0 && fx.m == ((u128)1 << 127) ? 3 : -2) : -1) : 1);
    else
        cls = fx_is_zero(x) ? 3 : xs ? -2 : (fx.e == 0 && fx.m == ((u128)1 << 127)) ? 0 : fx.e >= 0 ? 1 : -1;
    if (cls == -2)
        return invalid(c);
    if (cls == 3) {                               /* log(0) = -inf */
        if (fx_is_zero(y))
            return invalid(c);
        if (!fx_is_inf(y))
            c->flags |= SF_ZE;
        return fx_inf(!ys);
    }
    if (cls == 2)                                 /* log(+inf) = +inf */
        return fx_is_zero(y) ? invalid(c) : fx_inf(ys);
    if (cls == 0) {                               /* log(1) = +0 */
        if (fx_is_inf(y))
            return invalid(c);
        return fx_zero(ys != (plus1 && xs));
    }
    if (fx_is_inf(y))
        return fx_inf(ys != (cls < 0));
    if (fx_is_zero(y))
        return fx_zero(ys != (cls < 0));
    struct xf l = plus1 ? ln1p_xf(fx) : ln_xf(fx);
    return to_fx(c, mul(mul(l, LOG2E), from_fx(y)));
}

/* ---- 2^x - 1 ---- */

/* e^t - 1 by its series, for |t| <= 0.7. */
static struct xf expm1_series(struct xf t)
{
    struct xf sum = { false, 0, 0 };
    for (int k = 30; k >= 1; k--)
        sum = mul(divu(t, (uint64_t)k), add(ONE, sum));
    return sum;
}

fx80 x87t_2xm1(struct sf_ctx *c, fx80 a)
{
    if (fx_is_nan(a))
        return quiet(c, a);
    if (fx_is_unsupported(a))
        return invalid(c);
    if (fx_is_zero(a))
        return a;
    if (fx_is_inf(a))
        return sign_of(a) ? fx_from_i64(-1) : a;
    if (fx_is_denormal(a))
        c->flags |= SF_DE;
    struct xf x = from_fx(a);
    if (x.e >= 0) {
        /* outside the architectural range (-1, 1): 2^x - 1 = 2^k * 2^f - 1 with
           |f| <= 1/2 (beyond |x| = 2^15 the result saturates) */
        if (x.e >= 15)
            return x.s ? fx_from_i64(-1) : fx_inf(false);
        int64_t k = (int64_t)((x.m >> (127 - x.e)));
        struct xf f = sub(x, norm(x.s, 127, (u128)(uint64_t)k));
        if (x.s)
            k = -k;
        struct xf p = add(expm1_series(mul(f, LN2)), ONE);
        p.e += (int32_t)k;
        return to_fx(c, sub(p, ONE));
    }
    return to_fx(c, expm1_series(mul(x, LN2)));
}
