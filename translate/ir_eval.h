/* SPDX-License-Identifier: MIT */
/* ir_eval.h: the arithmetic of every pure IR op, shared by the interpreter and the constant folder. */
#ifndef KILN_TRANSLATE_IR_EVAL_H
#define KILN_TRANSLATE_IR_EVAL_H

#include <stdbool.h>
#include <stdint.h>
#include "translate/ir.h"

/*
 * Everything here works on uint64_t only, so it has no undefined or
 * implementation-defined behaviour on any host: shift counts are reduced
 * first, signed values are handled as two's-complement bit patterns, and
 * division by zero or signed overflow gives 0 (see ir.h). Inputs may carry
 * garbage above the op width; results are zero-extended from the width.
 */

static inline uint64_t ir_mask(unsigned w)
{
    return w >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << w) - 1;
}

/* The low w bits of v, sign-extended to 64 bits (as a bit pattern). */
static inline uint64_t ir_sx(uint64_t v, unsigned w)
{
    if (w >= 64 || w == 0)
        return w ? v : 0;
    uint64_t s = (uint64_t)1 << (w - 1);
    v &= ir_mask(w);
    return (v ^ s) - s;
}

static inline bool ir_eval_cond(unsigned cond, unsigned w, uint64_t a, uint64_t b)
{
    uint64_t m = ir_mask(w), s = (uint64_t)1 << (w - 1);
    a &= m;
    b &= m;
    switch (cond) {
    case IR_EQ: return a == b;
    case IR_NE: return a != b;
    case IR_LTU: return a < b;
    case IR_GEU: return a >= b;
    case IR_LEU: return a <= b;
    case IR_GTU: return a > b;
    case IR_LT: return (a ^ s) < (b ^ s);
    case IR_GE: return (a ^ s) >= (b ^ s);
    case IR_LE: return (a ^ s) <= (b ^ s);
    case IR_GT: return (a ^ s) > (b ^ s);
    case IR_TSTEQ: return (a & b) == 0;
    case IR_TSTNE: return (a & b) != 0;
    case IR_ALWAYS: return true;
    default: return false;
    }
}

/* High 64 bits of the unsigned 128-bit product. */
static inline uint64_t ir_muluh64(uint64_t a, uint64_t b)
{
#ifdef __SIZEOF_INT128__
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
#else
    uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
    return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

static inline uint64_t ir_eval_muluh(unsigned w, uint64_t a, uint64_t b)
{
    if (w == 64)
        return ir_muluh64(a, b);
    uint64_t m = ir_mask(w);
    return ((a & m) * (b & m)) >> w;   /* w <= 32: the product fits */
}

static inline uint64_t ir_eval_mulsh(unsigned w, uint64_t a, uint64_t b)
{
    if (w == 64) {
        uint64_t h = ir_muluh64(a, b);
        if (a >> 63)
            h -= b;
        if (b >> 63)
            h -= a;
        return h;
    }
    /* The exact product of two w-bit signed values fits in 64 bits. */
    return ((ir_sx(a, w) * ir_sx(b, w)) >> w) & ir_mask(w);
}

/* Signed division and remainder on magnitudes; 0 for x/0 and MIN/-1. */
static inline uint64_t ir_eval_divs(unsigned w, uint64_t a, uint64_t b, bool rem)
{
    uint64_t m = ir_mask(w), s = (uint64_t)1 << (w - 1);
    a &= m;
    b &= m;
    if (b == 0 || (a == s && b == m))
        return 0;
    bool na = (a & s) != 0, nb = (b & s) != 0;
    uint64_t ua = na ? (0 - a) & m : a, ub = nb ? (0 - b) & m : b;
    uint64_t r = rem ? ua % ub : ua / ub;
    bool neg = rem ? na : na != nb;
    return (neg ? 0 - r : r) & m;
}

static inline unsigned ir_clz64(uint64_t v)   /* v != 0 */
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_clzll(v);
#else
    unsigned n = 0;
    while (!(v >> 63)) { v <<= 1; n++; }
    return n;
#endif
}

static inline unsigned ir_ctz64(uint64_t v)   /* v != 0 */
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(v);
#else
    unsigned n = 0;
    while (!(v & 1)) { v >>= 1; n++; }
    return n;
#endif
}

static inline unsigned ir_popcnt64(uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_popcountll(v);
#else
    unsigned n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
#endif
}

static inline uint64_t ir_bswap64(uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_bswap64(v);
#else
    uint64_t r = 0;
    for (int i = 0; i < 8; i++, v >>= 8)
        r = (r << 8) | (v & 0xff);
    return r;
#endif
}

static inline uint64_t ir_eval_sar(unsigned w, uint64_t a, uint64_t b)
{
    uint64_t m = ir_mask(w);
    unsigned c = (unsigned)(b & (w - 1));
    a &= m;
    uint64_t r = a >> c;
    if (a >> (w - 1))
        r |= m & ~(m >> c);
    return r;
}

static inline uint64_t ir_eval_rotl(unsigned w, uint64_t a, uint64_t b)
{
    uint64_t m = ir_mask(w);
    unsigned c = (unsigned)(b & (w - 1));
    a &= m;
    return c ? ((a << c) | (a >> (w - c))) & m : a;
}

static inline uint64_t ir_eval_rotr(unsigned w, uint64_t a, uint64_t b)
{
    uint64_t m = ir_mask(w);
    unsigned c = (unsigned)(b & (w - 1));
    a &= m;
    return c ? ((a >> c) | (a << (w - c))) & m : a;
}

static inline uint64_t ir_eval_extract(unsigned w, uint64_t a, uint64_t aux)
{
    unsigned pos = (unsigned)(aux & 63), len = (unsigned)((aux >> 8) & 0xff);
    return ((a & ir_mask(w)) >> pos) & ir_mask(len);
}

static inline uint64_t ir_eval_deposit(unsigned w, uint64_t a, uint64_t b, uint64_t aux)
{
    unsigned pos = (unsigned)(aux & 63), len = (unsigned)((aux >> 8) & 0xff);
    uint64_t fm = ir_mask(len) << pos;
    return ((a & ~fm) | ((b << pos) & fm)) & ir_mask(w);
}

static inline uint64_t ir_eval_clz(unsigned w, uint64_t a)
{
    a &= ir_mask(w);
    return a ? ir_clz64(a) - (64 - w) : w;
}

static inline uint64_t ir_eval_ctz(unsigned w, uint64_t a)
{
    a &= ir_mask(w);
    return a ? ir_ctz64(a) : w;
}

static inline uint64_t ir_eval_bswap(unsigned w, uint64_t a)
{
    return w >= 16 ? ir_bswap64(a) >> (64 - w) : a & 0xff;
}

/*
 * Evaluates pure op opc (MOV .. MOVCOND) at width w on inputs x[0..3].
 * Returns false for ops that are not pure computations.
 */
static inline bool ir_eval(unsigned opc, unsigned w, unsigned cond, const uint64_t *x,
                           uint64_t aux, uint64_t *out)
{
    uint64_t m = ir_mask(w), a = x[0], b = x[1], r;
    switch (opc) {
    case IR_MOV: r = a; break;
    case IR_ADD: r = a + b; break;
    case IR_SUB: r = a - b; break;
    case IR_MUL: r = a * b; break;
    case IR_MULUH: r = ir_eval_muluh(w, a, b); break;
    case IR_MULSH: r = ir_eval_mulsh(w, a, b); break;
    case IR_DIVU: r = (b & m) ? (a & m) / (b & m) : 0; break;
    case IR_REMU: r = (b & m) ? (a & m) % (b & m) : 0; break;
    case IR_DIVS: r = ir_eval_divs(w, a, b, false); break;
    case IR_REMS: r = ir_eval_divs(w, a, b, true); break;
    case IR_AND: r = a & b; break;
    case IR_OR: r = a | b; break;
    case IR_XOR: r = a ^ b; break;
    case IR_NEG: r = 0 - a; break;
    case IR_NOT: r = ~a; break;
    case IR_SHL: r = a << (b & (w - 1)); break;
    case IR_SHR: r = (a & m) >> (b & (w - 1)); break;
    case IR_SAR: r = ir_eval_sar(w, a, b); break;
    case IR_ROTL: r = ir_eval_rotl(w, a, b); break;
    case IR_ROTR: r = ir_eval_rotr(w, a, b); break;
    case IR_SEXT: r = ir_sx(a, (unsigned)aux); break;
    case IR_EXTRACT: r = ir_eval_extract(w, a, aux); break;
    case IR_DEPOSIT: r = ir_eval_deposit(w, a, b, aux); break;
    case IR_CLZ: r = ir_eval_clz(w, a); break;
    case IR_CTZ: r = ir_eval_ctz(w, a); break;
    case IR_POPCNT: r = ir_popcnt64(a & m); break;
    case IR_BSWAP: r = ir_eval_bswap(w, a); break;
    case IR_SETCOND: r = ir_eval_cond(cond, w, a, b); break;
    case IR_MOVCOND: r = ir_eval_cond(cond, w, a, b) ? x[2] : x[3]; break;
    default: return false;
    }
    *out = r & m;
    return true;
}

#endif
