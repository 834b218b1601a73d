/* SPDX-License-Identifier: MIT */
/* sse_fp.c: SSE/SSE2/SSE3/SSE4.1 floating-point operations (scalar and packed) with MXCSR semantics. */
/*
 * Each lane is computed with the host's IEEE float/double arithmetic under the
 * MXCSR rounding mode (fesetround) and its exception flags read back (fetestexcept).
 * Everything x86-specific is done here in C, independent of the host: NaN
 * propagation (first operand wins, SNaN quieted, default NaN = negative QNaN), DAZ,
 * FTZ, the denormal-operand flag, integer-indefinite results of conversions.
 * The only host assumption is IEEE 754 binary32/64 with tininess detected after
 * rounding (x86-64 and AArch64 hosts both do).
 */
#include <fenv.h>
#include <math.h>
#include <string.h>
#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/sse.h"
#include "cpu/softfloat.h"

#ifdef __clang__
#pragma STDC FENV_ACCESS ON
#endif

bool sse_misc_op(struct cpu *cpu, unsigned op, sse_reg *d, const sse_reg *s, unsigned imm,
                 uint64_t *flags);

struct fpx {
    unsigned mxcsr;   /* control bits used */
    unsigned flags;   /* accumulated MXCSR exception flags */
};

/* --- bit-level classification (dbl: binary64, else binary32 in the low bits) --- */
static uint64_t sign_bit(bool dbl) { return dbl ? 1ull << 63 : 1ull << 31; }
static uint64_t exp_mask(bool dbl) { return dbl ? 0x7ff0000000000000ull : 0x7f800000ull; }
static uint64_t man_mask(bool dbl) { return dbl ? 0x000fffffffffffffull : 0x007fffffull; }
static uint64_t qbit(bool dbl) { return dbl ? 1ull << 51 : 1ull << 22; }
static bool is_nan(uint64_t v, bool dbl) { return (v & exp_mask(dbl)) == exp_mask(dbl) && (v & man_mask(dbl)); }
static bool is_snan(uint64_t v, bool dbl) { return is_nan(v, dbl) && !(v & qbit(dbl)); }
static bool is_denorm(uint64_t v, bool dbl) { return !(v & exp_mask(dbl)) && (v & man_mask(dbl)); }
static uint64_t default_nan(bool dbl) { return dbl ? 0xfff8000000000000ull : 0xffc00000ull; }

static double to_d(uint64_t v) { double d; memcpy(&d, &v, 8); return d; }
static float to_f(uint64_t v) { float f; uint32_t u = (uint32_t)v; memcpy(&f, &u, 4); return f; }
static uint64_t of_d(double d) { uint64_t v; memcpy(&v, &d, 8); return v; }
static uint64_t of_f(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

static const int rc_host[4] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO };

static void host_begin(const struct fpx *x)
{
    fesetround(rc_host[(x->mxcsr >> MXCSR_RC_SHIFT) & 3]);
    feclearexcept(FE_ALL_EXCEPT);
}

static void host_end(struct fpx *x, bool arith)
{
    int e = fetestexcept(FE_ALL_EXCEPT);
    if (arith) {
        if (e & FE_INVALID) x->flags |= MXCSR_IE;
        if (e & FE_DIVBYZERO) x->flags |= MXCSR_ZE;
        if (e & FE_OVERFLOW) x->flags |= MXCSR_OE;
        if (e & FE_UNDERFLOW) x->flags |= MXCSR_UE;
    }
    if (e & FE_INEXACT) x->flags |= MXCSR_PE;
    fesetround(FE_TONEAREST);
    feclearexcept(FE_ALL_EXCEPT);
}

/* DAZ and the denormal-operand flag for one input. */
static uint64_t in_fix(struct fpx *x, uint64_t v, bool dbl)
{
    if (is_denorm(v, dbl)) {
        if (x->mxcsr & MXCSR_DAZ)
            return v & sign_bit(dbl);
        x->flags |= MXCSR_DE;
    }
    return v;
}

/* A denormal result: with UE unmasked it underflows even when exact (the host
   reports only tiny and inexact); masked, FTZ flushes it to zero. */
static uint64_t out_fix(struct fpx *x, uint64_t v, bool dbl)
{
    if (!is_denorm(v, dbl))
        return v;
    if (!(x->mxcsr & (MXCSR_UE << MXCSR_MASKS_SHIFT))) {
        x->flags |= MXCSR_UE;
        return v;
    }
    if (x->mxcsr & MXCSR_FZ) {
        x->flags |= MXCSR_UE | MXCSR_PE;
        return v & sign_bit(dbl);
    }
    return v;
}

/* NaN propagation for two-operand arithmetic: returns true with *r set when a or b is NaN. */
static bool nan2(struct fpx *x, uint64_t a, uint64_t b, bool dbl, uint64_t *r)
{
    bool na = is_nan(a, dbl), nb = is_nan(b, dbl);
    if (!na && !nb)
        return false;
    if (is_snan(a, dbl) || is_snan(b, dbl))
        x->flags |= MXCSR_IE;
    *r = (na ? a : b) | qbit(dbl);
    return true;
}

enum { A_ADD, A_SUB, A_MUL, A_DIV, A_SQRT };

static uint64_t arith(struct fpx *x, int k, uint64_t a, uint64_t b, bool dbl)
{
    uint64_t r;
    unsigned f0 = x->flags;
    if (k == A_SQRT) {
        if (is_nan(b, dbl)) {
            if (is_snan(b, dbl))
                x->flags |= MXCSR_IE;
            return b | qbit(dbl);
        }
        b = in_fix(x, b, dbl);
    } else {
        if (nan2(x, a, b, dbl, &r))
            return r;
        a = in_fix(x, a, dbl);
        b = in_fix(x, b, dbl);
    }
    unsigned de = (x->flags & ~f0) & MXCSR_DE;
    x->flags &= ~de | f0;
    struct fpx t = { x->mxcsr, 0 };
    host_begin(&t);
    if (dbl) {
        volatile double va = to_d(a), vb = to_d(b), vr;
        switch (k) {
        case A_ADD: vr = va + vb; break;
        case A_SUB: vr = va - vb; break;
        case A_MUL: vr = va * vb; break;
        case A_DIV: vr = va / vb; break;
        default: vr = sqrt(vb); break;
        }
        r = of_d(vr);
    } else {
        volatile float va = to_f(a), vb = to_f(b), vr;
        switch (k) {
        case A_ADD: vr = va + vb; break;
        case A_SUB: vr = va - vb; break;
        case A_MUL: vr = va * vb; break;
        case A_DIV: vr = va / vb; break;
        default: vr = sqrtf(vb); break;
        }
        r = of_f(vr);
    }
    host_end(&t, true);
    bool ue_trap = (is_denorm(r, dbl) || (t.flags & MXCSR_UE)) &&
                   !(x->mxcsr & (MXCSR_UE << MXCSR_MASKS_SHIFT));
    bool oe_trap = (t.flags & MXCSR_OE) && !(x->mxcsr & (MXCSR_OE << MXCSR_MASKS_SHIFT));
    if ((ue_trap || oe_trap) && !(t.flags & (MXCSR_IE | MXCSR_ZE))) {
        /* UE / OE unmasked: precision is judged on the result rounded with an unbounded
           exponent (the host flags the denormalised or infinite one): redo it in 80-bit
           soft float */
        struct sf_ctx c = { (x->mxcsr >> MXCSR_RC_SHIFT) & 3, dbl ? 53 : 24, 0, 0 };
        fx80 fa = dbl ? fx_from_f64(&c, a) : fx_from_f32(&c, (uint32_t)a);
        fx80 fb = dbl ? fx_from_f64(&c, b) : fx_from_f32(&c, (uint32_t)b);
        c.flags = 0;
        switch (k) {
        case A_ADD: fx_add(&c, fa, fb); break;
        case A_SUB: fx_sub(&c, fa, fb); break;
        case A_MUL: fx_mul(&c, fa, fb); break;
        case A_DIV: fx_div(&c, fa, fb); break;
        default: fx_sqrt(&c, fb); break;
        }
        t.flags = (t.flags & ~(unsigned)MXCSR_PE) | ((c.flags & SF_PE) ? MXCSR_PE : 0);
    }
    /* invalid and divide-by-zero take precedence over the denormal-operand flag */
    if (!(t.flags & (MXCSR_IE | MXCSR_ZE)))
        t.flags |= de;
    x->flags |= t.flags;
    if (is_nan(r, dbl))
        return default_nan(dbl); /* invalid operation: x86's default NaN */
    return out_fix(x, r, dbl);
}

/* Ordered compare: -1 less, 0 equal, 1 greater, 2 unordered (DAZ applied, DE set). */
static int fcmp(struct fpx *x, uint64_t a, uint64_t b, bool dbl, bool quiet_ok)
{
    if (is_nan(a, dbl) || is_nan(b, dbl)) {
        if (!quiet_ok || is_snan(a, dbl) || is_snan(b, dbl))
            x->flags |= MXCSR_IE;
        return 2;
    }
    a = in_fix(x, a, dbl);
    b = in_fix(x, b, dbl);
    double da = dbl ? to_d(a) : (double)to_f(a), db = dbl ? to_d(b) : (double)to_f(b);
    return da < db ? -1 : da > db ? 1 : 0;
}

static uint64_t minmax(struct fpx *x, uint64_t a, uint64_t b, bool dbl, bool max)
{
    int c = fcmp(x, a, b, dbl, false);
    if (x->mxcsr & MXCSR_DAZ) { /* the flushed values are what is returned */
        if (is_denorm(a, dbl)) a &= sign_bit(dbl);
        if (is_denorm(b, dbl)) b &= sign_bit(dbl);
    }
    if (c == 2 || c == 0)
        return b;
    return (max ? c > 0 : c < 0) ? a : b;
}

static uint64_t cmp_pred(struct fpx *x, uint64_t a, uint64_t b, bool dbl, unsigned pred)
{
    pred &= 7;
    bool signaling = pred == 1 || pred == 2 || pred == 5 || pred == 6;
    int c = fcmp(x, a, b, dbl, !signaling);
    bool r;
    switch (pred) {
    case 0: r = c == 0; break;
    case 1: r = c == -1; break;
    case 2: r = c == -1 || c == 0; break;
    case 3: r = c == 2; break;
    case 4: r = c != 0; break;
    case 5: r = !(c == -1); break;
    case 6: r = !(c == -1 || c == 0); break;
    default: r = c != 2; break;
    }
    return r ? (dbl ? ~0ull : 0xffffffffull) : 0;
}

/* float <-> double */
static uint64_t cvt_fp(struct fpx *x, uint64_t v, bool from_dbl)
{
    bool to_dbl = !from_dbl;
    if (is_nan(v, from_dbl)) {
        if (is_snan(v, from_dbl))
            x->flags |= MXCSR_IE;
        uint64_t sgn = (v & sign_bit(from_dbl)) ? sign_bit(to_dbl) : 0;
        uint64_t m = from_dbl ? (v & man_mask(true)) >> 29 : (v & man_mask(false)) << 29;
        return sgn | exp_mask(to_dbl) | m | qbit(to_dbl);
    }
    v = in_fix(x, v, from_dbl);
    uint64_t r;
    struct fpx t = { x->mxcsr, 0 };
    host_begin(&t);
    if (from_dbl) {
        volatile double a = to_d(v);
        volatile float f = (float)a;
        r = of_f(f);
    } else {
        volatile float a = to_f(v);
        volatile double dd = (double)a;
        r = of_d(dd);
    }
    host_end(&t, true);
    /* double -> float overflowing / underflowing with OE / UE unmasked: precision is
       judged on the significand alone (unbounded exponent) */
    bool trap = ((t.flags & MXCSR_OE) && !(x->mxcsr & (MXCSR_OE << MXCSR_MASKS_SHIFT))) ||
                ((is_denorm(r, false) || (t.flags & MXCSR_UE)) &&
                 !(x->mxcsr & (MXCSR_UE << MXCSR_MASKS_SHIFT)));
    if (from_dbl && trap) {
        uint64_t sig = (v & man_mask(true)) | (is_denorm(v, true) ? 0 : 1ull << 52);
        bool inexact = sig && 64 - __builtin_clzll(sig) - __builtin_ctzll(sig) > 24;
        t.flags = (t.flags & ~(unsigned)MXCSR_PE) | (inexact ? MXCSR_PE : 0);
    }
    x->flags |= t.flags;
    return out_fix(x, r, to_dbl);
}

/* float -> int32/int64 (trunc: toward zero, else MXCSR rounding). */
static uint64_t cvt_fi(struct fpx *x, uint64_t v, bool dbl, bool trunc, bool i64)
{
    uint64_t indef = i64 ? 1ull << 63 : 0x80000000ull;
    if (is_nan(v, dbl)) {
        x->flags |= MXCSR_IE;
        return indef;
    }
    if (is_denorm(v, dbl) && (x->mxcsr & MXCSR_DAZ))
        v &= sign_bit(dbl);
    double a = dbl ? to_d(v) : (double)to_f(v), r;
    struct fpx t = *x;
    if (trunc)
        t.mxcsr = (t.mxcsr & ~(3u << MXCSR_RC_SHIFT)) | 3u << MXCSR_RC_SHIFT;
    host_begin(&t);
    volatile double va = a, vr = nearbyint(va);
    r = vr;
    host_end(&t, false);
    double lim = i64 ? 9223372036854775808.0 : 2147483648.0;
    if (!(r < lim) || r < -lim) {
        x->flags |= MXCSR_IE;
        return indef;
    }
    if (r != a)
        x->flags |= MXCSR_PE;
    int64_t iv = (int64_t)r;
    return i64 ? (uint64_t)iv : (uint32_t)(int32_t)iv;
}

/* int -> float/double with MXCSR rounding. */
static uint64_t cvt_if(struct fpx *x, int64_t v, bool dbl)
{
    uint64_t r;
    host_begin(x);
    volatile int64_t vv = v;
    if (dbl) {
        volatile double dd = (double)vv;
        r = of_d(dd);
    } else {
        volatile float f = (float)vv;
        r = of_f(f);
    }
    host_end(x, false);
    return r;
}

/* ROUNDSS/SD/PS/PD lane. */
static uint64_t round_lane(struct fpx *x, uint64_t v, bool dbl, unsigned imm)
{
    if (is_nan(v, dbl)) {
        if (is_snan(v, dbl))
            x->flags |= MXCSR_IE;
        return v | qbit(dbl);
    }
    if (is_denorm(v, dbl) && (x->mxcsr & MXCSR_DAZ))
        v &= sign_bit(dbl);
    struct fpx t = *x;
    if (!(imm & 4))
        t.mxcsr = (t.mxcsr & ~(3u << MXCSR_RC_SHIFT)) | (imm & 3) << MXCSR_RC_SHIFT;
    t.flags = 0;
    uint64_t r;
    host_begin(&t);
    if (dbl) {
        volatile double a = to_d(v), b = nearbyint(a);
        r = of_d(b);
    } else {
        volatile float a = to_f(v), b = nearbyintf(a);
        r = of_f(b);
    }
    host_end(&t, false);
    if (r != v && !(imm & 8))
        x->flags |= MXCSR_PE;
    return r;
}

/* Approximate reciprocals (RCP/RSQRT): the exact value rounded to 12 significant bits.
   Intel's table-based results differ in the last bits (see docs/FPU.md). */
static uint64_t approx(struct fpx *x, uint64_t v, bool rsqrt)
{
    if (is_nan(v, false))
        return v | qbit(false);
    if (is_denorm(v, false))
        v &= sign_bit(false); /* denormal inputs are treated as zero */
    float f = to_f(v);
    if (rsqrt && f < 0 && !(v == sign_bit(false)))
        return default_nan(false);
    (void)x;
    double r = rsqrt ? 1.0 / sqrt((double)f) : 1.0 / (double)f;
    uint64_t b = of_f((float)r);
    if (!is_nan(b, false) && (b & exp_mask(false)) != exp_mask(false)) {
        if (is_denorm(b, false) || !(b & exp_mask(false)))
            return b & sign_bit(false); /* tiny results flush to zero */
        b = (b + 0x400) & ~0x7ffull;
    }
    return b;
}

static uint64_t lane(const sse_reg *r, unsigned i, bool dbl) { return dbl ? r->q[i] : r->d[i]; }
static void set_lane(sse_reg *r, unsigned i, bool dbl, uint64_t v)
{
    if (dbl) r->q[i] = v; else r->d[i] = (uint32_t)v;
}

/* Writes accumulated flags into MXCSR; unmasked ones raise #XM (#UD without CR4.OSXMMEXCPT). */
void sse_fp_raise(struct cpu *cpu, unsigned flags)
{
    unsigned masks = (cpu->fpu.mxcsr >> MXCSR_MASKS_SHIFT) & 0x3f;
    /* an unmasked pre-computation exception (IE DE ZE) in any lane: the
       post-computation ones (OE UE PE) are not reported */
    if (flags & ~masks & (MXCSR_IE | MXCSR_DE | MXCSR_ZE))
        flags &= ~(unsigned)(MXCSR_OE | MXCSR_UE | MXCSR_PE);
    cpu->fpu.mxcsr |= flags & 0x3f;
    if (flags & ~masks & 0x3f)
        cpu_raise(cpu, (cpu->cr[4] & 0x400) ? EXC_XM : EXC_UD, false, 0);
}

bool sse_fp_op(struct cpu *cpu, unsigned op, sse_reg *d, const sse_reg *s, unsigned imm,
               uint64_t *flags_out)
{
    struct fpx x = { cpu->fpu.mxcsr, 0 };
    sse_reg r = *d;
    bool dbl = false;
    unsigned n = 4;
    int k = -1;
    switch (op) {
    /* arithmetic: PS (4 lanes) PD (2) SS (1) SD (1) */
#define AR(OPN, K) \
    case X86_OP_##OPN##PS: k = K; break; \
    case X86_OP_##OPN##PD: k = K; dbl = true; n = 2; break; \
    case X86_OP_##OPN##SS: k = K; n = 1; break; \
    case X86_OP_##OPN##SD: k = K; dbl = true; n = 1; break;
    AR(ADD, A_ADD) AR(SUB, A_SUB) AR(MUL, A_MUL) AR(DIV, A_DIV) AR(SQRT, A_SQRT)
    AR(MIN, 10) AR(MAX, 11) AR(CMP, 12)
#undef AR
    case X86_OP_ADDSUBPS: k = 13; break;
    case X86_OP_ADDSUBPD: k = 13; dbl = true; n = 2; break;
    case X86_OP_ROUNDPS: k = 14; break;
    case X86_OP_ROUNDPD: k = 14; dbl = true; n = 2; break;
    case X86_OP_ROUNDSS: k = 14; n = 1; break;
    case X86_OP_ROUNDSD: k = 14; dbl = true; n = 1; break;
    default: break;
    }
    if (k >= 0) {
        for (unsigned i = 0; i < n; i++) {
            uint64_t a = lane(d, i, dbl), b = lane(s, i, dbl), v;
            switch (k) {
            case 10: v = minmax(&x, a, b, dbl, false); break;
            case 11: v = minmax(&x, a, b, dbl, true); break;
            case 12: v = cmp_pred(&x, a, b, dbl, imm); break;
            case 13: v = arith(&x, (i & 1) ? A_ADD : A_SUB, a, b, dbl); break;
            case 14: v = round_lane(&x, b, dbl, imm); break;
            default: v = arith(&x, k, a, b, dbl); break;
            }
            set_lane(&r, i, dbl, v);
        }
        goto done;
    }
    switch (op) {
    case X86_OP_HADDPS: case X86_OP_HSUBPS: case X86_OP_HADDPD: case X86_OP_HSUBPD: {
        dbl = op == X86_OP_HADDPD || op == X86_OP_HSUBPD;
        int kk = op == X86_OP_HADDPS || op == X86_OP_HADDPD ? A_ADD : A_SUB;
        n = dbl ? 2 : 4;
        for (unsigned i = 0; i < n; i++) {
            const sse_reg *src = i < n / 2 ? d : s;
            unsigned j = (i % (n / 2)) * 2;
            set_lane(&r, i, dbl, arith(&x, kk, lane(src, j, dbl), lane(src, j + 1, dbl), dbl));
        }
        break;
    }
    case X86_OP_COMISS: case X86_OP_UCOMISS: case X86_OP_COMISD: case X86_OP_UCOMISD: {
        dbl = op == X86_OP_COMISD || op == X86_OP_UCOMISD;
        int c = fcmp(&x, lane(d, 0, dbl), lane(s, 0, dbl), dbl, op == X86_OP_UCOMISS || op == X86_OP_UCOMISD);
        *flags_out = c == 2 ? CPU_ZF | CPU_PF | CPU_CF : c == -1 ? CPU_CF : c == 0 ? CPU_ZF : 0;
        break;
    }
    case X86_OP_CVTSS2SD: set_lane(&r, 0, true, cvt_fp(&x, s->d[0], false)); break;
    case X86_OP_CVTSD2SS: set_lane(&r, 0, false, cvt_fp(&x, s->q[0], true)); break;
    case X86_OP_CVTPS2PD:
        r.q[0] = cvt_fp(&x, s->d[0], false);
        r.q[1] = cvt_fp(&x, s->d[1], false);
        break;
    case X86_OP_CVTPD2PS:
        r.d[0] = (uint32_t)cvt_fp(&x, s->q[0], true);
        r.d[1] = (uint32_t)cvt_fp(&x, s->q[1], true);
        r.q[1] = 0;
        break;
    case X86_OP_CVTDQ2PS: for (unsigned i = 0; i < 4; i++) r.d[i] = (uint32_t)cvt_if(&x, s->sd[i], false); break;
    case X86_OP_CVTDQ2PD:
        r.q[0] = cvt_if(&x, s->sd[0], true);
        r.q[1] = cvt_if(&x, s->sd[1], true);
        break;
    case X86_OP_CVTPI2PS:
        r.d[0] = (uint32_t)cvt_if(&x, s->sd[0], false);
        r.d[1] = (uint32_t)cvt_if(&x, s->sd[1], false);
        break;
    case X86_OP_CVTPI2PD:
        r.q[0] = cvt_if(&x, s->sd[0], true);
        r.q[1] = cvt_if(&x, s->sd[1], true);
        break;
    case X86_OP_CVTPS2DQ: case X86_OP_CVTTPS2DQ:
        for (unsigned i = 0; i < 4; i++)
            r.d[i] = (uint32_t)cvt_fi(&x, s->d[i], false, op == X86_OP_CVTTPS2DQ, false);
        break;
    case X86_OP_CVTPD2DQ: case X86_OP_CVTTPD2DQ:
        for (unsigned i = 0; i < 2; i++)
            r.d[i] = (uint32_t)cvt_fi(&x, s->q[i], true, op == X86_OP_CVTTPD2DQ, false);
        r.q[1] = 0;
        break;
    case X86_OP_CVTPS2PI: case X86_OP_CVTTPS2PI:
        for (unsigned i = 0; i < 2; i++)
            r.d[i] = (uint32_t)cvt_fi(&x, s->d[i], false, op == X86_OP_CVTTPS2PI, false);
        r.q[1] = 0;
        break;
    case X86_OP_CVTPD2PI: case X86_OP_CVTTPD2PI:
        for (unsigned i = 0; i < 2; i++)
            r.d[i] = (uint32_t)cvt_fi(&x, s->q[i], true, op == X86_OP_CVTTPD2PI, false);
        r.q[1] = 0;
        break;
    case X86_OP_DPPS: case X86_OP_DPPD: {
        dbl = op == X86_OP_DPPD;
        n = dbl ? 2 : 4;
        uint64_t t[4] = { 0, 0, 0, 0 };
        for (unsigned i = 0; i < n; i++)
            if (imm & (0x10u << i))
                t[i] = arith(&x, A_MUL, lane(d, i, dbl), lane(s, i, dbl), dbl);
        /* two stages (products, then sums), each with its own exception rules. Any
           unmasked exception of the products traps before the sums are looked at
           (on the host an overflowing product plus -inf reports OE alone, not IE); an
           unmasked pre-computation exception of the sums keeps the products' flags */
        unsigned masks = (x.mxcsr >> MXCSR_MASKS_SHIFT) & 0x3f;
        unsigned pre = MXCSR_IE | MXCSR_DE | MXCSR_ZE, post = MXCSR_OE | MXCSR_UE | MXCSR_PE;
        if (x.flags & ~masks & 0x3f)
            break;                       /* the products trap: r unused */
        unsigned mul_flags = x.flags;
        x.flags = 0;
        uint64_t sum;
        if (dbl) {
            sum = arith(&x, A_ADD, t[0], t[1], true);
        } else {
            uint64_t a01 = arith(&x, A_ADD, t[0], t[1], false);
            uint64_t a23 = arith(&x, A_ADD, t[2], t[3], false);
            sum = arith(&x, A_ADD, a01, a23, false);
        }
        if (x.flags & ~masks & pre)
            x.flags &= ~post;
        x.flags |= mul_flags;
        if (x.flags & ~masks & 0x3f) {   /* trap without the whole-instruction rule */
            cpu->fpu.mxcsr |= x.flags & 0x3f;
            cpu_raise(cpu, (cpu->cr[4] & 0x400) ? EXC_XM : EXC_UD, false, 0);
        }
        for (unsigned i = 0; i < n; i++)
            set_lane(&r, i, dbl, (imm & (1u << i)) ? sum : 0);
        break;
    }
    case X86_OP_RCPPS: case X86_OP_RSQRTPS:
        for (unsigned i = 0; i < 4; i++)
            r.d[i] = (uint32_t)approx(&x, s->d[i], op == X86_OP_RSQRTPS);
        break;
    case X86_OP_RCPSS: case X86_OP_RSQRTSS:
        r.d[0] = (uint32_t)approx(&x, s->d[0], op == X86_OP_RSQRTSS);
        break;
    default:
        return sse_misc_op(cpu, op, d, s, imm, flags_out);
    }
done:
    sse_fp_raise(cpu, x.flags);
    *d = r;
    return true;
}

/* Conversions with a general register source or destination (helper_sse special case):
   CVTSI2SS/SD (d = xmm, v = integer of size isz), CVT(T)SS2SI/SD2SI (returns the integer). */
bool sse_fp_cvt_gpr(struct cpu *cpu, unsigned op, sse_reg *d, const sse_reg *s, unsigned isz,
                    uint64_t *ival)
{
    struct fpx x = { cpu->fpu.mxcsr, 0 };
    switch (op) {
    case X86_OP_CVTSI2SS: case X86_OP_CVTSI2SD: {
        int64_t v = isz == 8 ? (int64_t)s->q[0] : (int64_t)(int32_t)s->d[0];
        bool dbl = op == X86_OP_CVTSI2SD;
        uint64_t r = cvt_if(&x, v, dbl);
        sse_fp_raise(cpu, x.flags);
        set_lane(d, 0, dbl, r);
        return true;
    }
    case X86_OP_CVTSS2SI: case X86_OP_CVTTSS2SI: case X86_OP_CVTSD2SI: case X86_OP_CVTTSD2SI: {
        bool dbl = op == X86_OP_CVTSD2SI || op == X86_OP_CVTTSD2SI;
        bool tr = op == X86_OP_CVTTSS2SI || op == X86_OP_CVTTSD2SI;
        uint64_t r = cvt_fi(&x, lane(s, 0, dbl), dbl, tr, isz == 8);
        sse_fp_raise(cpu, x.flags);
        *ival = r;
        return true;
    }
    default:
        return false;
    }
}
