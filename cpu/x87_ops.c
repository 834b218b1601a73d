/* SPDX-License-Identifier: MIT */
/* x87_ops.c: x87 operands and the longer operations: memory loads (float, integer), constants, packed BCD, FXAM, FPREM/FPREM1. */
#include "cpu/decode.h"
#include "cpu/x87_int.h"

/* Memory operand as an fx80 (float or integer by op). */
static fx80 load_mem_raw(struct x87x *x, unsigned op, uint64_t addr, unsigned size)
{
    struct cpu *cpu = x->cpu;
    bool is_int = op == X86_OP_FILD || (op >= X86_OP_FIADD && op <= X86_OP_FIDIVR);
    if (is_int) {
        uint64_t v = ldm(cpu, addr, size);
        int64_t iv = size == 2 ? (int16_t)v : size == 4 ? (int32_t)v : (int64_t)v;
        return fx_from_i64(iv);
    }
    if (size == 4)
        return fx_from_f32(&x->c, (uint32_t)ldm(cpu, addr, 4));
    if (size == 8)
        return fx_from_f64(&x->c, ldm(cpu, addr, 8));
    fx80 v;
    v.m = ldm(cpu, addr, 8);
    v.se = (uint16_t)ldm(cpu, addr + 8, 2);
    return v;
}

/* A memory source operand: its denormal-operand flag is only raised when the other
   operand (a, if given) is not a NaN / unsupported value. */
fx80 x87_load_mem2(struct x87x *x, unsigned op, uint64_t addr, unsigned size, const fx80 *a)
{
    unsigned f0 = x->c.flags;
    fx80 v = load_mem_raw(x, op, addr, size);
    if (a && (fx_is_nan(*a) || fx_is_unsupported(*a)) && !(f0 & SF_DE))
        x->c.flags &= ~SF_DE;
    return v;
}

static const struct { uint64_t hi, lo; int32_t e; } konst[] = {
    /* FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 (significand to 128 bits) */
    { 0xd49a784bcd1b8afeull, 0x492bf6ff4dafdb4cull, 16384 },
    { 0xb8aa3b295c17f0bbull, 0xbe87fed0691d3e88ull, 16383 },
    { 0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull, 16384 },
    { 0x9a209a84fbcff798ull, 0x8f8959ac0b7c9178ull, 16381 },
    { 0xb17217f7d1cf79abull, 0xc9e3b39803f2f6afull, 16382 },
};

fx80 x87_constant(struct x87x *x, unsigned op)
{
    fx80 one = { 1ull << 63, 16383 };
    switch (op) {
    case X86_OP_FLD1: return one;
    case X86_OP_FLDZ: return fx_zero(false);
    default: break;
    }
    unsigned k = op == X86_OP_FLDL2T ? 0 : op == X86_OP_FLDL2E ? 1 : op == X86_OP_FLDPI ? 2 :
                 op == X86_OP_FLDLG2 ? 3 : 4;
    struct sf_ctx c = { x->c.rc, 64, 0, 0 };
    unsigned __int128 m = (unsigned __int128)konst[k].hi << 64 | konst[k].lo;
    fx80 r = fx_round_pack(&c, false, konst[k].e - 16383, m);
    return r; /* no flags: the constants are exact by definition */
}

/* BCD: 18 digits + sign byte. */
fx80 x87_bcd_load(struct cpu *cpu, uint64_t addr)
{
    uint64_t lo = ldm(cpu, addr, 8);
    unsigned hi = (unsigned)ldm(cpu, addr + 8, 2);
    uint64_t v = 0;
    for (int i = 8; i >= 0; i--) {
        unsigned byte = i == 8 ? (hi & 0xff) : (unsigned)(lo >> (8 * i)) & 0xff;
        v = v * 100 + ((byte >> 4) & 15) * 10 + (byte & 15);
    }
    fx80 r = fx_from_i64((int64_t)v);
    if (hi & 0x8000)
        r.se |= 0x8000;
    return r;
}

void x87_bcd_store(struct x87x *x, uint64_t addr, fx80 v)
{
    struct cpu *cpu = x->cpu;
    struct sf_ctx t = x->c;
    t.flags = 0;
    uint64_t iv = fx_to_int(&t, v, 8, false);
    bool neg = (v.se >> 15) & 1;
    uint64_t mag = neg ? 0 - iv : iv;
    if ((t.flags & SF_IE) || mag > 999999999999999999ull) {
        x->c.flags |= SF_IE;
        if (!(cpu->fpu.fcw & SF_IE))
            return; /* unmasked: memory not written */
        stm(cpu, addr, 0xc000000000000000ull, 8); /* packed BCD indefinite */
        stm(cpu, addr + 8, 0xffff, 2);
        return;
    }
    x->c.flags |= t.flags;
    uint64_t lo = 0;
    unsigned hi = neg ? 0x8000 : 0;
    for (int i = 0; i < 9; i++) {
        unsigned d2 = (unsigned)(mag % 100);
        mag /= 100;
        unsigned byte = (d2 / 10) << 4 | (d2 % 10);
        if (i < 8)
            lo |= (uint64_t)byte << (8 * i);
        else
            hi |= byte;
    }
    stm(cpu, addr, lo, 8);
    stm(cpu, addr + 8, hi, 2);
}

void x87_fxam(struct x87x *x)
{
    struct cpu *cpu = x->cpu;
    fx80 v = get(cpu, 0);
    unsigned c1 = (v.se >> 15) & 1;
    x->c1_set = true;
    x->c1 = c1;
    if (empty(cpu, 0)) { set_cc(cpu, 1, 0, 1); return; }
    if (fx_is_unsupported(v)) { set_cc(cpu, 0, 0, 0); return; }
    if (fx_is_nan(v)) { set_cc(cpu, 0, 0, 1); return; }
    if (fx_is_inf(v)) { set_cc(cpu, 0, 1, 1); return; }
    if (fx_is_zero(v)) { set_cc(cpu, 1, 0, 0); return; }
    if (fx_is_denormal(v)) { set_cc(cpu, 1, 1, 0); return; }
    set_cc(cpu, 0, 1, 0);
}

/* FPREM / FPREM1: partial remainder (exact), C0 C3 C1 = low quotient bits, C2 = incomplete. */
void x87_fprem(struct x87x *x, bool ieee)
{
    struct cpu *cpu = x->cpu;
    fx80 a = rd(x, 0), b = rd(x, 1);
    if (x->uflow) {
        put(cpu, 0, fx_default_nan());
        cpu->fpu.fsw &= (uint16_t)~FSW_C2;
        return;
    }
    if (fx_is_nan(a) || fx_is_nan(b) || fx_is_unsupported(a) || fx_is_unsupported(b) ||
        fx_is_inf(a) || fx_is_zero(b)) {
        fx80 r;
        if (fx_is_nan(a) || fx_is_nan(b)) {
            struct sf_ctx t = x->c;
            r = fx_add(&t, a, b);
            x->c.flags |= t.flags;
        } else {
            x->c.flags |= SF_IE;
            r = fx_default_nan();
        }
        put(cpu, 0, r);
        cpu->fpu.fsw &= (uint16_t)~FSW_C2;
        return;
    }
    if (fx_is_denormal(a) || fx_is_denormal(b))
        x->c.flags |= SF_DE;
    if (fx_is_zero(a) || fx_is_inf(b)) {
        /* the remainder is ST0 itself; a denormal one is tiny: with UE unmasked it
           is reported and ST0 gets the bias-adjusted value, as the host does. A
           pseudo-denormal (exponent 0, integer bit set) is the normal number of
           exponent 1, and the host writes it back so (not tiny: no UE) */
        if (!fx_is_zero(a) && !(a.se & 0x7fff) && (a.m >> 63)) {
            a.se |= 1;
            put(cpu, 0, a);
        } else if (fx_is_denormal(a) && (x->c.traps & SF_UE)) {
            int32_t e = 1;
            uint64_t m = a.m;
            while (!(m >> 63)) { m <<= 1; e--; }
            struct sf_ctx t = { 0, 64, 0, SF_UE };
            put(cpu, 0, fx_round_pack(&t, a.se >> 15, e - 16383, (unsigned __int128)m << 64));
            x->c.flags |= t.flags & SF_UE;
        }
        set_cc(cpu, 0, 0, 0);
        x->c1_set = true;
        x->c1 = 0;
        return;
    }
    int32_t ea = (a.se & 0x7fff) ? (a.se & 0x7fff) : 1, eb = (b.se & 0x7fff) ? (b.se & 0x7fff) : 1;
    uint64_t ma = a.m, mb = b.m;
    while (!(ma >> 63)) { ma <<= 1; ea--; }
    while (!(mb >> 63)) { mb <<= 1; eb--; }
    int32_t d = ea - eb;
    bool sa = a.se >> 15;
    if (d >= 64) {
        /* partial: reduce by 2^(d - n) multiples, n in 32..63 */
        int32_t n = 32 + (d % 32);
        unsigned __int128 r = ma;
        for (int32_t i = 0; i <= n; i++) {
            if (r >= mb) r -= mb;
            if (i < n) r <<= 1;
        }
        /* r now = (ma * 2^n) mod mb, value exponent eb + (d - n) */
        struct sf_ctx t = { 0, 64, 0, x->c.traps & SF_UE };
        fx80 res = r ? fx_round_pack(&t, sa, eb - 16383 + (d - n), (unsigned __int128)r << 64) : fx_zero(sa);
        x->c.flags |= t.flags & SF_UE; /* exact: only an unmasked UE reports a tiny one */
        put(cpu, 0, res);
        set_cc(cpu, 0, 1, 0);
        x->c1_set = true;
        x->c1 = 0;
        return;
    }
    uint64_t q = 0;
    unsigned __int128 r = ma;
    int32_t e = ea;
    if (d >= 0) {
        for (int32_t i = 0; i <= d; i++) {
            q <<= 1;
            if (r >= mb) { r -= mb; q |= 1; }
            if (i < d) r <<= 1;
        }
        e = eb;
    }
    /* r * 2^(e - 16383 - 63) is the truncated remainder (|r| < |b|) */
    bool sr = sa;
    if (ieee) {
        /* round quotient to nearest: compare 2r with mb (at exponent eb) */
        unsigned __int128 rr = d >= 0 ? r : 0;
        if (d >= 0) {
            unsigned __int128 twice = rr << 1;
            if (twice > mb || (twice == mb && (q & 1))) {
                r = mb - rr;
                sr = !sa;
                q++;
            }
        } else if (d == -1) {
            /* |a| in [|b|/2, |b|): quotient rounds to 1 if |a| > |b|/2 */
            unsigned __int128 A = ma, B = mb;
            if (A > B) {
                /* remainder = a - b (exact), at exponent eb with a shifted */
                unsigned __int128 diff = (B << 1) - A; /* at exponent ea (one lower) */
                r = diff;
                e = ea;
                sr = !sa;
                q = 1;
            }
        }
    }
    struct sf_ctx t = { 0, 64, 0, x->c.traps & SF_UE };
    fx80 res = r ? fx_round_pack(&t, sr, e - 16383, r << 64) : fx_zero(sa);
    x->c.flags |= t.flags & SF_UE;
    if (r && fx_is_zero(res))
        res = fx_zero(sr);
    put(cpu, 0, res);
    set_cc(cpu, (q >> 1) & 1, 0, (q >> 2) & 1);
    x->c1_set = true;
    x->c1 = q & 1;
}
