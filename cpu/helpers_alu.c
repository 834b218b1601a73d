/* SPDX-License-Identifier: MIT */
/* helpers_alu.c: C helpers for MUL/DIV, rotates, SHLD/SHRD, PDEP/PEXT. */
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/helpers.h"

static int64_t sext(uint64_t v, unsigned size)
{
    unsigned sh = 64 - 8 * size;
    return size >= 8 ? (int64_t)v : (int64_t)(v << sh) >> sh;
}

static void set_mul_flags(struct cpu *cpu, unsigned size, uint64_t lo, uint64_t ovf)
{
    unsigned lg = size == 8 ? 3 : size == 4 ? 2 : size == 2 ? 1 : 0;
    cpu->cc_src2 = cc_compute_all(cpu->cc_op, cpu->cc_dst, cpu->cc_src, cpu->cc_src2);
    cpu->cc_op = CC_OP_MUL + lg;
    cpu->cc_dst = lo;
    cpu->cc_src = ovf;
}

/* a0 = kind (0 MUL, 1 IMUL, 2 DIV, 3 IDIV) | size << 8, a1 = source operand. */
static uint64_t h_muldiv(void *env, uint64_t desc, uint64_t src, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    unsigned kind = desc & 0xff, size = (unsigned)(desc >> 8) & 0xff;
    uint64_t m = helper_mask(size);
    (void)a2; (void)a3;
    src &= m;
    if (size == 1) {
        uint64_t ax = cpu->gpr[0] & 0xffff, al = ax & 0xff;
        switch (kind) {
        case 0: {
            uint64_t p = al * src;
            helper_set_gpr(cpu, 0, 2, p);
            set_mul_flags(cpu, 1, p & 0xff, p >> 8);
            break;
        }
        case 1: {
            int64_t p = sext(al, 1) * sext(src, 1);
            helper_set_gpr(cpu, 0, 2, (uint64_t)p);
            set_mul_flags(cpu, 1, (uint64_t)p & 0xff, p != sext((uint64_t)p, 1));
            break;
        }
        case 2: {
            if (!src || ax / src > 0xff)
                cpu_raise(cpu, EXC_DE, false, 0);
            helper_set_gpr(cpu, 0, 2, (ax / src) | ((ax % src) << 8));
            break;
        }
        default: {
            int64_t n = sext(ax, 2), d = sext(src, 1);
            if (!d)
                cpu_raise(cpu, EXC_DE, false, 0);
            int64_t q = n / d, r = n % d;
            if (q > 127 || q < -128)
                cpu_raise(cpu, EXC_DE, false, 0);
            helper_set_gpr(cpu, 0, 2, ((uint64_t)q & 0xff) | (((uint64_t)r & 0xff) << 8));
            break;
        }
        }
        return 0;
    }
    unsigned bits = 8 * size;
    uint64_t a = cpu->gpr[0] & m, dx = cpu->gpr[2] & m;
    switch (kind) {
    case 0: {
        unsigned __int128 p = (unsigned __int128)a * src;
        uint64_t lo = (uint64_t)p & m, hi = (uint64_t)(p >> bits) & m;
        helper_set_gpr(cpu, 0, size, lo);
        helper_set_gpr(cpu, 2, size, hi);
        set_mul_flags(cpu, size, lo, hi);
        break;
    }
    case 1: {
        __int128 p = (__int128)sext(a, size) * sext(src, size);
        uint64_t lo = (uint64_t)p & m, hi = (uint64_t)(p >> bits) & m;
        helper_set_gpr(cpu, 0, size, lo);
        helper_set_gpr(cpu, 2, size, hi);
        set_mul_flags(cpu, size, lo, (__int128)sext(lo, size) != p);
        break;
    }
    case 2: {
        unsigned __int128 n = ((unsigned __int128)dx << bits) | a;
        if (!src)
            cpu_raise(cpu, EXC_DE, false, 0);
        unsigned __int128 q = n / src;
        if (q > m)
            cpu_raise(cpu, EXC_DE, false, 0);
        helper_set_gpr(cpu, 0, size, (uint64_t)q);
        helper_set_gpr(cpu, 2, size, (uint64_t)(n % src));
        break;
    }
    default: {
        __int128 n = (__int128)(((unsigned __int128)dx << bits) | a);
        if (bits < 64)
            n = (int64_t)sext((uint64_t)n, 2 * size);
        int64_t d = sext(src, size);
        if (!d)
            cpu_raise(cpu, EXC_DE, false, 0);
        __int128 mn = -((__int128)1 << (bits - 1)), mx = ((__int128)1 << (bits - 1)) - 1;
        if (d == -1 && (unsigned __int128)n == (unsigned __int128)1 << 127)
            cpu_raise(cpu, EXC_DE, false, 0); /* the only quotient that overflows __int128 */
        __int128 q = n / d, r = n % d;
        if (q < mn || q > mx)
            cpu_raise(cpu, EXC_DE, false, 0);
        helper_set_gpr(cpu, 0, size, (uint64_t)q);
        helper_set_gpr(cpu, 2, size, (uint64_t)r);
        break;
    }
    }
    return 0;
}
const struct ir_helper helper_muldiv = { h_muldiv, "muldiv", 0 };

/*
 * Rotates: a0 = kind (0 ROL, 1 ROR, 2 RCL, 3 RCR) | size << 8, a1 = value, a2 = count,
 * a3 = current EFLAGS. rot() returns the result, rot_flags() the new six flags.
 */
static void rotate(uint64_t desc, uint64_t v, uint64_t cnt, uint64_t f, uint64_t *res, uint64_t *nf)
{
    unsigned kind = desc & 0xff, size = (unsigned)(desc >> 8) & 0xff, bits = 8 * size;
    uint64_t m = helper_mask(size), msb = (m >> 1) + 1;
    unsigned c = (unsigned)cnt & (size == 8 ? 63 : 31);
    v &= m;
    *res = v;
    *nf = f & CPU_ARITH_FLAGS;
    if (c == 0)
        return;
    uint64_t r = v, cf = f & CPU_CF;
    if (kind == 0 || kind == 1) {
        unsigned k = c % bits;
        if (kind == 0)
            r = k ? ((v << k) | (v >> (bits - k))) & m : v;
        else
            r = k ? ((v >> k) | (v << (bits - k))) & m : v;
        if (kind == 0)
            cf = r & 1;
        else
            cf = (r & msb) ? 1 : 0;
    } else {
        unsigned k = c % (bits + 1);
        for (unsigned i = 0; i < k; i++) {
            if (kind == 2) {
                uint64_t out = (r & msb) ? 1 : 0;
                r = ((r << 1) | cf) & m;
                cf = out;
            } else {
                uint64_t out = r & 1;
                r = (r >> 1) | (cf ? msb : 0);
                cf = out;
            }
        }
    }
    uint64_t of;
    if (kind == 0 || kind == 2)
        of = ((r & msb) ? 1 : 0) ^ cf;
    else
        of = ((r & msb) ? 1 : 0) ^ ((r & (msb >> 1)) ? 1 : 0);
    *res = r;
    *nf = (*nf & ~(uint64_t)(CPU_CF | CPU_OF)) | (cf ? CPU_CF : 0) | (of ? CPU_OF : 0);
}

static uint64_t h_rot(void *env, uint64_t desc, uint64_t v, uint64_t cnt, uint64_t f)
{
    uint64_t r, nf;
    (void)env;
    rotate(desc, v, cnt, f, &r, &nf);
    return r;
}

static uint64_t h_rot_flags(void *env, uint64_t desc, uint64_t v, uint64_t cnt, uint64_t f)
{
    uint64_t r, nf;
    (void)env;
    rotate(desc, v, cnt, f, &r, &nf);
    return nf;
}
const struct ir_helper helper_rot = { h_rot, "rot", IR_HELPER_NO_ENV | IR_HELPER_PURE };
const struct ir_helper helper_rot_flags = { h_rot_flags, "rot_flags", IR_HELPER_NO_ENV | IR_HELPER_PURE };

/*
 * SHLD/SHRD: a0 = (0 SHLD, 1 SHRD) | size << 8, a1 = destination, a2 = source, a3 = count.
 * Counts (masked to 5/6 bits) above the size give the result hardware gives for 16-bit
 * operands: the bits of the 32-bit (dst:src:dst) pattern. Flags only when count != 0.
 */
static void shd(uint64_t desc, uint64_t d, uint64_t sv, uint64_t cnt, uint64_t *res, uint64_t *nf)
{
    unsigned kind = desc & 0xff, size = (unsigned)(desc >> 8) & 0xff, bits = 8 * size;
    uint64_t m = helper_mask(size), msb = (m >> 1) + 1;
    unsigned c = (unsigned)cnt & (size == 8 ? 63 : 31);
    d &= m;
    sv &= m;
    uint64_t r = d, cf = 0;
    for (unsigned i = 0; i < c; i++) {
        /* shift one bit at a time through a (dst, src) pair that rotates the source in */
        if (kind == 0) {
            cf = (r & msb) ? 1 : 0;
            r = ((r << 1) | ((sv & msb) ? 1 : 0)) & m;
            sv = ((sv << 1) | cf) & m;
        } else {
            cf = r & 1;
            r = (r >> 1) | ((sv & 1) ? msb : 0);
            sv = (sv >> 1) | (cf ? msb : 0);
        }
    }
    (void)bits;
    *res = r;
    uint64_t of;
    if (kind == 0)
        of = ((r & msb) ? 1 : 0) ^ cf;
    else
        of = (((r & msb) != 0) ^ ((r & (msb >> 1)) != 0)) ? 1 : 0; /* last 1-bit step */
    *nf = CPU_AF | (cf ? CPU_CF : 0) | (of ? CPU_OF : 0) | cc_parity(r) | (r == 0 ? CPU_ZF : 0) |
          ((r & msb) ? CPU_SF : 0);
}

static uint64_t h_shd(void *env, uint64_t desc, uint64_t d, uint64_t sv, uint64_t cnt)
{
    uint64_t r, nf;
    (void)env;
    shd(desc, d, sv, cnt, &r, &nf);
    return r;
}

static uint64_t h_shd_flags(void *env, uint64_t desc, uint64_t d, uint64_t sv, uint64_t cnt)
{
    uint64_t r, nf;
    (void)env;
    shd(desc, d, sv, cnt, &r, &nf);
    return nf;
}
const struct ir_helper helper_shd = { h_shd, "shd", IR_HELPER_NO_ENV | IR_HELPER_PURE };
const struct ir_helper helper_shd_flags = { h_shd_flags, "shd_flags", IR_HELPER_NO_ENV | IR_HELPER_PURE };

/* PDEP / PEXT: a0 = source, a1 = mask. */
static uint64_t h_pdep(void *env, uint64_t src, uint64_t mask, uint64_t a2, uint64_t a3)
{
    uint64_t r = 0, k = 1;
    (void)env; (void)a2; (void)a3;
    for (; mask; mask &= mask - 1, k <<= 1)
        if (src & k)
            r |= mask & -mask;
    return r;
}

static uint64_t h_pext(void *env, uint64_t src, uint64_t mask, uint64_t a2, uint64_t a3)
{
    uint64_t r = 0, k = 1;
    (void)env; (void)a2; (void)a3;
    for (; mask; mask &= mask - 1, k <<= 1)
        if (src & mask & -mask)
            r |= k;
    return r;
}
const struct ir_helper helper_pdep = { h_pdep, "pdep", IR_HELPER_NO_ENV | IR_HELPER_PURE };
const struct ir_helper helper_pext = { h_pext, "pext", IR_HELPER_NO_ENV | IR_HELPER_PURE };
