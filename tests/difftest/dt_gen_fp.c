/* SPDX-License-Identifier: MIT */
/* dt_gen_fp.c: FP/SIMD initial state (values biased to NaNs, infinities, denormals...) and the x87 generator. */
#include <string.h>
#include "tests/difftest/dt_gen.h"

uint32_t dt_fp32(struct dt_rng *r)
{
    uint32_t s = (uint32_t)(dt_rand(r) & 1) << 31, m = (uint32_t)dt_rand(r) & 0x7fffff;
    switch (dt_below(r, 14)) {
    case 0: return s;                                          /* zero */
    case 1: return s | (m ? m : 1);                            /* denormal */
    case 2: return s | 0x7f800000u;                            /* infinity */
    case 3: return s | 0x7fc00000u | (m & 0x3fffff);           /* QNaN */
    case 4: return s | 0x7f800000u | ((m & 0x3fffff) ? (m & 0x3fffff) : 1); /* SNaN */
    case 5: return s | 0x00800000u;                            /* smallest normal */
    case 6: return s | 0x7f7fffffu;                            /* largest normal */
    case 7: return s | 0x3f800000u;                            /* 1 */
    case 8: return s | ((126 + dt_below(r, 3)) << 23) | m;     /* near 1 */
    case 9: return s | ((150 + dt_below(r, 16)) << 23) | m;    /* integer range edges */
    case 10: return s | ((1 + dt_below(r, 24)) << 23) | m;     /* tiny normals */
    case 11: return s | ((230 + dt_below(r, 24)) << 23) | m;   /* huge normals */
    default: return (uint32_t)dt_rand(r);
    }
}

uint64_t dt_fp64(struct dt_rng *r)
{
    uint64_t s = (dt_rand(r) & 1) << 63, m = dt_rand(r) & 0xfffffffffffffull;
    uint64_t q = 0x8000000000000ull;
    switch (dt_below(r, 15)) {
    case 0: return s;
    case 1: return s | (m ? m : 1);
    case 2: return s | 0x7ff0000000000000ull;
    case 3: return s | 0x7ff0000000000000ull | q | (m & (q - 1));
    case 4: return s | 0x7ff0000000000000ull | ((m & (q - 1)) ? (m & (q - 1)) : 1);
    case 5: return s | 0x0010000000000000ull;
    case 6: return s | 0x7fefffffffffffffull;
    case 7: return s | 0x3ff0000000000000ull;
    case 8: return s | (uint64_t)(1022 + dt_below(r, 3)) << 52 | m;
    case 9: return s | (uint64_t)(1053 + dt_below(r, 12)) << 52 | m;   /* near 2^31..2^63 */
    case 10: return s | (uint64_t)(1 + dt_below(r, 60)) << 52 | m;
    case 11: return s | (uint64_t)(1950 + dt_below(r, 96)) << 52 | m;
    case 12: return s | (uint64_t)(874 + dt_below(r, 280)) << 52 | m; /* float32 range edges */
    default: return dt_rand(r);
    }
}

void dt_fp80(struct dt_rng *r, uint8_t *p)
{
    uint64_t m = dt_rand(r) | 1ull << 63;
    unsigned e;
    switch (dt_below(r, 16)) {
    case 0: m = 0; e = 0; break;                                   /* zero */
    case 1: m = 1ull << 63; e = 0x7fff; break;                     /* infinity */
    case 2: m |= 1ull << 62; e = 0x7fff; break;                    /* QNaN */
    case 3: m &= ~(1ull << 62); m |= 1; e = 0x7fff; break;         /* SNaN */
    case 4: m >>= 1 + dt_below(r, 63); e = 0; break;               /* denormal */
    case 5: e = dt_below(r, 64); break;                            /* near underflow */
    case 6: e = 0x7ffe - dt_below(r, 64); break;                   /* near overflow */
    case 7: e = 16383 + dt_below(r, 64); m &= ~0ull << dt_below(r, 64); m |= 1ull << 63; break;
    case 8: m &= ~(1ull << 63); e = 1 + dt_below(r, 0x7ffe); break; /* unnormal (invalid) */
    case 9: e = 16383 - 150 + dt_below(r, 300); break;             /* float/double edges */
    case 10: e = 16383; m = 1ull << 63; break;                     /* 1 */
    default: e = 16383 - 32 + dt_below(r, 64); break;
    }
    uint16_t se = (uint16_t)(e | (dt_rand(r) & 1) << 15);
    memcpy(p, &m, 8);
    memcpy(p + 8, &se, 2);
    memset(p + 10, 0, 6);
}

static uint16_t rand_fcw(struct dt_gen *g)
{
    static const uint16_t pc[3] = { 0, 2, 3 };
    uint16_t masks = dt_chance(g, 80) ? 0x3f : (uint16_t)(dt_rand(&g->rng) & 0x3f);
    return (uint16_t)(0x40 | masks | pc[dt_below(&g->rng, 3)] << 8 | dt_below(&g->rng, 4) << 10);
}

static uint32_t rand_mxcsr(struct dt_gen *g)
{
    uint32_t masks = dt_chance(g, 80) ? 0x1f80 : (uint32_t)(dt_rand(&g->rng) & 0x1f80);
    uint32_t v = masks | dt_below(&g->rng, 4) << 13;
    if (dt_chance(g, 25))
        v |= 0x40;                 /* DAZ */
    if (dt_chance(g, 25))
        v |= 0x8000;               /* FTZ */
    v |= (uint32_t)dt_rand(&g->rng) & 0x3f & (masks >> 7); /* only masked flags set */
    return v;
}

static bool fp_enabled(const struct dt_gen *g)
{
    for (int c = DT_C_X87; c <= DT_C_AES; c++)
        if (g->enabled[c])
            return true;
    return false;
}

uint16_t dt_gen_fcw(struct dt_gen *g) { return rand_fcw(g); }
uint32_t dt_gen_mxcsr(struct dt_gen *g) { return rand_mxcsr(g); }

void dt_fx_default(uint8_t *x)
{
    memset(x, 0, DT_FX_SIZE);
    x[0] = 0x7f;
    x[1] = 0x03;
    x[24] = 0x80;
    x[25] = 0x1f;
}

void dt_gen_fpstate(struct dt_gen *g, struct dt_state *st)
{
    uint8_t *x = st->fx;
    dt_fx_default(x);
    if (!fp_enabled(g))
        return;
    struct dt_rng *r = &g->rng;
    uint16_t fcw = rand_fcw(g);
    uint16_t fsw = (uint16_t)(dt_below(r, 8) << 11 | (dt_rand(r) & 0x4700));
    fsw |= (uint16_t)(dt_rand(r) & fcw & 0x3f & (dt_chance(g, 30) ? 0x3f : 0));
    uint32_t mx = rand_mxcsr(g);
    memcpy(x, &fcw, 2);
    memcpy(x + 2, &fsw, 2);
    x[4] = dt_chance(g, 20) ? 0 : dt_chance(g, 20) ? 0xff : (uint8_t)dt_rand(r);
    memcpy(x + 24, &mx, 4);
    for (int i = 0; i < 8; i++)
        dt_fp80(r, x + DT_FX_ST + 16 * i);
    for (int i = 0; i < 16; i++) {
        uint8_t *v = x + DT_FX_XMM + 16 * i;
        int kind = (int)dt_below(r, 4);
        for (int j = 0; j < 16; j += (kind == 1 ? 8 : 4)) {
            if (kind == 0) {
                uint32_t f = dt_fp32(r);
                memcpy(v + j, &f, 4);
            } else if (kind == 1) {
                uint64_t d = dt_fp64(r);
                memcpy(v + j, &d, 8);
            } else {
                uint32_t w = (uint32_t)dt_value(r);
                memcpy(v + j, &w, 4);
            }
        }
    }
    /* memory operands: a quarter of the 8-byte slots hold FP-flavoured values */
    for (uint32_t i = 0; i < DT_HEAP_SIZE; i += 8) {
        if (!dt_chance(g, 25))
            continue;
        uint64_t v;
        switch (dt_below(r, 3)) {
        case 0: v = dt_fp32(r) | (uint64_t)dt_fp32(r) << 32; break;
        case 1: v = dt_fp64(r); break;
        default: {
            uint8_t t[16];
            dt_fp80(r, t);
            memcpy(&v, t, 8);
            if (i + 8 < DT_HEAP_SIZE)
                memcpy(st->data + i + 8, t + 8, 2);
            break;
        }
        }
        memcpy(st->data + i, &v, 8);
    }
}

/* ---- x87 */

/* An x87 instruction: opcode D8..DF, /digit or register form byte, memory size. */
struct x87_form {
    uint8_t opc;
    int8_t digit;       /* memory form /digit, or -1: register form (modrm = rb + i) */
    uint8_t rb;         /* register form ModRM base (C0, C8...) */
    uint8_t nreg;       /* 8: + ST(i); 1: fixed */
    uint8_t msize;      /* memory form: operand size */
    uint8_t flags;      /* F_RDFL: reads CF ZF PF, F_DEFL: writes all six, F_CW, F_SW */
};
#define F_RDFL 1
#define F_DEFL 2
#define F_CW 4      /* FLDCW: store a biased control word there first */

static const struct x87_form x87_forms[] = {
    /* D8: arithmetic with m32 / ST(i) */
    { 0xd8, 0, 0, 1, 4, 0 }, { 0xd8, 1, 0, 1, 4, 0 }, { 0xd8, 2, 0, 1, 4, 0 }, { 0xd8, 3, 0, 1, 4, 0 },
    { 0xd8, 4, 0, 1, 4, 0 }, { 0xd8, 5, 0, 1, 4, 0 }, { 0xd8, 6, 0, 1, 4, 0 }, { 0xd8, 7, 0, 1, 4, 0 },
    { 0xd8, -1, 0xc0, 8, 0, 0 }, { 0xd8, -1, 0xc8, 8, 0, 0 }, { 0xd8, -1, 0xd0, 8, 0, 0 },
    { 0xd8, -1, 0xd8, 8, 0, 0 }, { 0xd8, -1, 0xe0, 8, 0, 0 }, { 0xd8, -1, 0xe8, 8, 0, 0 },
    { 0xd8, -1, 0xf0, 8, 0, 0 }, { 0xd8, -1, 0xf8, 8, 0, 0 },
    /* D9 */
    { 0xd9, 0, 0, 1, 4, 0 }, { 0xd9, 2, 0, 1, 4, 0 }, { 0xd9, 3, 0, 1, 4, 0 }, { 0xd9, 5, 0, 1, 2, F_CW },
    { 0xd9, 7, 0, 1, 2, 0 },
    { 0xd9, -1, 0xc0, 8, 0, 0 }, { 0xd9, -1, 0xc8, 8, 0, 0 }, { 0xd9, -1, 0xd0, 1, 0, 0 },
    { 0xd9, -1, 0xe0, 1, 0, 0 }, { 0xd9, -1, 0xe1, 1, 0, 0 }, { 0xd9, -1, 0xe4, 1, 0, 0 },
    { 0xd9, -1, 0xe5, 1, 0, 0 }, { 0xd9, -1, 0xe8, 1, 0, 0 }, { 0xd9, -1, 0xe9, 1, 0, 0 },
    { 0xd9, -1, 0xea, 1, 0, 0 }, { 0xd9, -1, 0xeb, 1, 0, 0 }, { 0xd9, -1, 0xec, 1, 0, 0 },
    { 0xd9, -1, 0xed, 1, 0, 0 }, { 0xd9, -1, 0xee, 1, 0, 0 }, { 0xd9, -1, 0xf4, 1, 0, 0 },
    { 0xd9, -1, 0xf5, 1, 0, 0 }, { 0xd9, -1, 0xf6, 1, 0, 0 }, { 0xd9, -1, 0xf7, 1, 0, 0 },
    { 0xd9, -1, 0xf8, 1, 0, 0 }, { 0xd9, -1, 0xfa, 1, 0, 0 }, { 0xd9, -1, 0xfc, 1, 0, 0 },
    { 0xd9, -1, 0xfd, 1, 0, 0 },
    /* DA: m32int arithmetic, FCMOVB/E/BE/U, FUCOMPP */
    { 0xda, 0, 0, 1, 4, 0 }, { 0xda, 1, 0, 1, 4, 0 }, { 0xda, 2, 0, 1, 4, 0 }, { 0xda, 3, 0, 1, 4, 0 },
    { 0xda, 4, 0, 1, 4, 0 }, { 0xda, 5, 0, 1, 4, 0 }, { 0xda, 6, 0, 1, 4, 0 }, { 0xda, 7, 0, 1, 4, 0 },
    { 0xda, -1, 0xc0, 8, 0, F_RDFL }, { 0xda, -1, 0xc8, 8, 0, F_RDFL }, { 0xda, -1, 0xd0, 8, 0, F_RDFL },
    { 0xda, -1, 0xd8, 8, 0, F_RDFL }, { 0xda, -1, 0xe9, 1, 0, 0 },
    /* DB */
    { 0xdb, 0, 0, 1, 4, 0 }, { 0xdb, 1, 0, 1, 4, 0 }, { 0xdb, 2, 0, 1, 4, 0 }, { 0xdb, 3, 0, 1, 4, 0 },
    { 0xdb, 5, 0, 1, 10, 0 }, { 0xdb, 7, 0, 1, 10, 0 },
    { 0xdb, -1, 0xc0, 8, 0, F_RDFL }, { 0xdb, -1, 0xc8, 8, 0, F_RDFL }, { 0xdb, -1, 0xd0, 8, 0, F_RDFL },
    { 0xdb, -1, 0xd8, 8, 0, F_RDFL }, { 0xdb, -1, 0xe2, 1, 0, 0 }, { 0xdb, -1, 0xe3, 1, 0, 0 },
    { 0xdb, -1, 0xe8, 8, 0, F_DEFL }, { 0xdb, -1, 0xf0, 8, 0, F_DEFL },
    /* DC: m64 arithmetic, ST(i) op= ST */
    { 0xdc, 0, 0, 1, 8, 0 }, { 0xdc, 1, 0, 1, 8, 0 }, { 0xdc, 2, 0, 1, 8, 0 }, { 0xdc, 3, 0, 1, 8, 0 },
    { 0xdc, 4, 0, 1, 8, 0 }, { 0xdc, 5, 0, 1, 8, 0 }, { 0xdc, 6, 0, 1, 8, 0 }, { 0xdc, 7, 0, 1, 8, 0 },
    { 0xdc, -1, 0xc0, 8, 0, 0 }, { 0xdc, -1, 0xc8, 8, 0, 0 }, { 0xdc, -1, 0xe0, 8, 0, 0 },
    { 0xdc, -1, 0xe8, 8, 0, 0 }, { 0xdc, -1, 0xf0, 8, 0, 0 }, { 0xdc, -1, 0xf8, 8, 0, 0 },
    /* DD */
    { 0xdd, 0, 0, 1, 8, 0 }, { 0xdd, 1, 0, 1, 8, 0 }, { 0xdd, 2, 0, 1, 8, 0 }, { 0xdd, 3, 0, 1, 8, 0 },
    { 0xdd, 7, 0, 1, 2, 0 },
    { 0xdd, -1, 0xc0, 8, 0, 0 }, { 0xdd, -1, 0xd0, 8, 0, 0 }, { 0xdd, -1, 0xd8, 8, 0, 0 },
    { 0xdd, -1, 0xe0, 8, 0, 0 }, { 0xdd, -1, 0xe8, 8, 0, 0 },
    /* DE: m16int arithmetic, pop forms */
    { 0xde, 0, 0, 1, 2, 0 }, { 0xde, 1, 0, 1, 2, 0 }, { 0xde, 2, 0, 1, 2, 0 }, { 0xde, 3, 0, 1, 2, 0 },
    { 0xde, 4, 0, 1, 2, 0 }, { 0xde, 5, 0, 1, 2, 0 }, { 0xde, 6, 0, 1, 2, 0 }, { 0xde, 7, 0, 1, 2, 0 },
    { 0xde, -1, 0xc0, 8, 0, 0 }, { 0xde, -1, 0xc8, 8, 0, 0 }, { 0xde, -1, 0xd9, 1, 0, 0 },
    { 0xde, -1, 0xe0, 8, 0, 0 }, { 0xde, -1, 0xe8, 8, 0, 0 }, { 0xde, -1, 0xf0, 8, 0, 0 },
    { 0xde, -1, 0xf8, 8, 0, 0 },
    /* DF */
    { 0xdf, 0, 0, 1, 2, 0 }, { 0xdf, 1, 0, 1, 2, 0 }, { 0xdf, 2, 0, 1, 2, 0 }, { 0xdf, 3, 0, 1, 2, 0 },
    { 0xdf, 4, 0, 1, 10, 0 }, { 0xdf, 5, 0, 1, 8, 0 }, { 0xdf, 6, 0, 1, 10, 0 }, { 0xdf, 7, 0, 1, 8, 0 },
    { 0xdf, -1, 0xe0, 1, 0, 0 }, { 0xdf, -1, 0xe8, 8, 0, F_DEFL }, { 0xdf, -1, 0xf0, 8, 0, F_DEFL },
    /* FWAIT */
    { 0x9b, -2, 0, 1, 0, 0 },
};

void dt_gen_x87(struct dt_gen *g, struct dt_item *it)
{
    const struct x87_form *f = &x87_forms[dt_below(&g->rng, sizeof x87_forms / sizeof x87_forms[0])];
    if (f->digit == -2) {
        uint8_t b = 0x9b;
        dt_emit(it, &b, 1);
        return;
    }
    struct dt_ins in = { .osz = 4, .opreg = -1, .modrm = true, .opc = f->opc };
    if (f->digit >= 0) {
        struct dt_ctx c;
        dt_ctx_init(g, &c, 4);
        c.norex = false;
        in.reg = f->digit;
        do /* the store in front needs the same address: no RIP-relative form */
            dt_mem(g, it, &c, f->msize, 1, 0, 0, &in.rm);
        while ((f->flags & F_CW) && in.rm.m.rip);
        if (f->flags & F_CW) { /* mov word [mem], imm16: a biased control word */
            struct dt_ins mv = { .osz = 2, .opreg = -1, .modrm = true, .opc = 0xc7, .rm = in.rm,
                                 .immsz = 2, .imm = dt_gen_fcw(g) };
            dt_enc(it, &mv);
        }
    } else {
        /* register form: ModRM = rb + i, i.e. mod 3, reg = (rb >> 3) & 7, rm = i */
        in.reg = (f->rb >> 3) & 7;
        in.rm = dt_rm_reg(f->nreg == 8 ? (int)dt_below(&g->rng, 8) : f->rb & 7);
    }
    dt_enc(it, &in);
    if (f->flags & F_RDFL)
        it->reads |= DT_CF | DT_ZF | DT_PF;
    if (f->flags & F_DEFL)
        it->defs |= DT_ARITH;
}
