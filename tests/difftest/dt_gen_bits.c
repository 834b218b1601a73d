/* SPDX-License-Identifier: MIT */
/* dt_gen_bits.c: generators for bit tests/scans, BMI1/BMI2, ADX, BSWAP, CMOVcc, SETcc. */
#include "tests/difftest/dt_gen.h"

static void gen_bt(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    int osz = dt_rand_osz(g, 2);
    dt_ctx_init(g, &c, osz);
    int op = (int)dt_below(&g->rng, 4);          /* BT BTS BTR BTC */
    struct dt_ins in = { .osz = osz, .opreg = -1, .modrm = true, .map = 1 };
    bool imm = dt_chance(g, 40), mem = dt_chance(g, 50);
    if (imm) {
        in.opc = 0xba;
        in.reg = 4 + op;
        in.immsz = 1;
        in.imm = dt_below(&g->rng, 4) ? dt_below(&g->rng, (uint32_t)osz * 8) : dt_rand(&g->rng) & 0xff;
        if (mem)
            dt_mem(g, it, &c, osz, 1, 0, 0, &in.rm);
        else
            in.rm = dt_rm_reg(op ? dt_reg_dst(g, &c) : dt_reg_src(g, &c));
    } else {
        static const uint8_t opc[4] = { 0xa3, 0xab, 0xb3, 0xbb };
        in.opc = opc[op];
        if (mem) {
            int off = dt_reg_dst(g, &c);
            dt_mem(g, it, &c, osz, 1, 80, 1u << off, &in.rm);
            int64_t bits = (int64_t)dt_below(&g->rng, 1024) - 512;
            uint64_t v = (uint64_t)bits;
            if (osz == 2)
                v = (v & 0xffff) | (dt_rand(&g->rng) & ~0xffffull);
            else if (osz == 4)
                v = (v & 0xffffffff) | (dt_rand(&g->rng) & ~0xffffffffull);
            dt_emit_movimm(it, off, v);
            in.reg = off;
        } else {
            in.rm = dt_rm_reg(op ? dt_reg_dst(g, &c) : dt_reg_src(g, &c));
            in.reg = dt_reg_src(g, &c);
        }
    }
    if (op && in.rm.mem && dt_chance(g, 30))
        in.pfx[in.npfx++] = 0xf0;
    dt_enc(it, &in);
    it->defs = DT_CF;
    it->undefs = DT_OF | DT_SF | DT_ZF | DT_AF | DT_PF;
}

static void gen_bitscan(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    int osz = dt_rand_osz(g, 2);
    dt_ctx_init(g, &c, osz);
    struct dt_ins in = { .osz = osz, .opreg = -1, .modrm = true, .map = 1 };
    int op;
    for (;;) {
        op = (int)dt_below(&g->rng, 5);          /* BSF BSR TZCNT LZCNT POPCNT */
        if ((op == 2 && !g->feat.bmi1) || (op == 3 && !g->feat.lzcnt) ||
            (op == 4 && !g->feat.popcnt))
            continue;
        break;
    }
    static const uint8_t opc[5] = { 0xbc, 0xbd, 0xbc, 0xbd, 0xb8 };
    in.opc = opc[op];
    if (op >= 2)
        in.pfx[in.npfx++] = 0xf3;
    in.reg = dt_reg_dst(g, &c);
    dt_rm_any(g, it, &c, false, true, 0, &in.rm);
    dt_enc(it, &in);
    if (op < 2) {
        it->defs = DT_ZF;
        it->undefs = DT_CF | DT_OF | DT_SF | DT_AF | DT_PF;
    } else if (op < 4) {
        it->defs = DT_CF | DT_ZF;
        it->undefs = DT_OF | DT_SF | DT_AF | DT_PF;
    } else {
        it->defs = DT_ARITH;
    }
}

/* A general register (0..15, not RSP when written) for VEX forms. */
static int vreg(struct dt_gen *g, bool dst)
{
    for (;;) {
        int r = (int)dt_below(&g->rng, 16);
        if (!dst || r != R_RSP)
            return r;
    }
}

static void vex_rm(struct dt_gen *g, struct dt_item *it, int osz, unsigned avoid, struct dt_rm *rm)
{
    struct dt_ctx c = { .osz = osz };
    if (dt_chance(g, 40))
        dt_mem(g, it, &c, osz, 1, 0, avoid, rm);
    else
        *rm = dt_rm_reg(vreg(g, false));
}

static void gen_bmi(struct dt_gen *g, struct dt_item *it, bool bmi2)
{
    int osz = dt_chance(g, 50) ? 8 : 4;
    bool w = osz == 8;
    struct dt_rm rm;
    int op = (int)dt_below(&g->rng, bmi2 ? 8 : 5);
    int dst = vreg(g, true), v = vreg(g, true);
    if (!bmi2) {
        switch (op) {
        case 0: /* ANDN */
            vex_rm(g, it, osz, 0, &rm);
            dt_enc_vex(it, 2, 0, w, v, 0xf2, dst, &rm, 0, 0);
            it->defs = DT_SF | DT_ZF | DT_CF | DT_OF;
            it->undefs = DT_AF | DT_PF;
            return;
        case 1: /* BEXTR: control in vvvv */
            vex_rm(g, it, osz, 1u << v, &rm);
            if (dt_chance(g, 60))
                dt_emit_movimm(it, v, dt_below(&g->rng, 80) | dt_below(&g->rng, 80) << 8 |
                               (dt_chance(g, 20) ? dt_rand(&g->rng) << 16 : 0));
            dt_enc_vex(it, 2, 0, w, v, 0xf7, dst, &rm, 0, 0);
            it->defs = DT_ZF | DT_CF | DT_OF;
            it->undefs = DT_AF | DT_SF | DT_PF;
            return;
        default: /* BLSR /1, BLSMSK /2, BLSI /3: vvvv = destination */
            vex_rm(g, it, osz, 0, &rm);
            dt_enc_vex(it, 2, 0, w, dst, 0xf3, op - 1, &rm, 0, 0);
            it->defs = DT_SF | DT_ZF | DT_CF | DT_OF;
            it->undefs = DT_AF | DT_PF;
            return;
        }
    }
    switch (op) {
    case 0: /* BZHI: index in vvvv */
        vex_rm(g, it, osz, 1u << v, &rm);
        if (dt_chance(g, 60))
            dt_emit_movimm(it, v, dt_below(&g->rng, 80) | (dt_chance(g, 20) ? dt_rand(&g->rng) << 8 : 0));
        dt_enc_vex(it, 2, 0, w, v, 0xf5, dst, &rm, 0, 0);
        it->defs = DT_SF | DT_ZF | DT_CF | DT_OF;
        it->undefs = DT_AF | DT_PF;
        return;
    case 1: /* MULX hi=reg, lo=vvvv, src * rDX */
        vex_rm(g, it, osz, 0, &rm);
        dt_enc_vex(it, 2, 3, w, vreg(g, true), 0xf6, dst, &rm, 0, 0);
        return;
    case 2: /* PDEP */
    case 3: /* PEXT */
        vex_rm(g, it, osz, 0, &rm);
        dt_enc_vex(it, 2, op == 2 ? 3 : 2, w, v, 0xf5, dst, &rm, 0, 0);
        return;
    case 4: /* RORX */
        vex_rm(g, it, osz, 0, &rm);
        dt_enc_vex(it, 3, 3, w, 0, 0xf0, dst, &rm, 1, dt_rand(&g->rng) & 0xff);
        return;
    default: { /* SARX F3, SHLX 66, SHRX F2: count in vvvv */
        static const int pp[3] = { 2, 1, 3 };
        vex_rm(g, it, osz, 0, &rm);
        dt_enc_vex(it, 2, pp[op - 5], w, v, 0xf7, dst, &rm, 0, 0);
        return;
    }
    }
}

static void gen_adx(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    int osz = dt_chance(g, 50) ? 8 : 4;
    dt_ctx_init(g, &c, osz);
    bool ox = dt_chance(g, 50);
    struct dt_ins in = { .osz = osz, .opreg = -1, .modrm = true, .map = 2, .opc = 0xf6 };
    in.pfx[in.npfx++] = ox ? 0xf3 : 0x66;
    in.reg = dt_reg_dst(g, &c);
    dt_rm_any(g, it, &c, false, true, 0, &in.rm);
    dt_enc(it, &in);
    it->reads = it->defs = ox ? DT_OF : DT_CF;
}

static void gen_bswap(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    dt_ctx_init(g, &c, dt_chance(g, 50) ? 8 : 4);
    struct dt_ins in = { .osz = c.osz, .map = 1, .opc = 0xc8 };
    in.opreg = dt_reg_dst(g, &c);
    dt_enc(it, &in);
}

static void gen_cmov(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    dt_ctx_init(g, &c, dt_rand_osz(g, 2));
    int cc = (int)dt_below(&g->rng, 16);
    struct dt_ins in = { .osz = c.osz, .opreg = -1, .modrm = true, .map = 1 };
    in.opc = (uint8_t)(0x40 + cc);
    in.reg = dt_reg_dst(g, &c);
    dt_rm_any(g, it, &c, false, true, 0, &in.rm);
    dt_enc(it, &in);
    it->reads = dt_cc_flags(cc);
}

static void gen_setcc(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    dt_ctx_init(g, &c, 1);
    int cc = (int)dt_below(&g->rng, 16);
    struct dt_ins in = { .osz = 1, .opreg = -1, .modrm = true, .map = 1, .reg = 0 };
    in.opc = (uint8_t)(0x90 + cc);
    dt_rm_any(g, it, &c, true, true, 0, &in.rm);
    in.force_rex = c.rex;
    dt_enc(it, &in);
    it->reads = dt_cc_flags(cc);
}

void dt_gen_bits(struct dt_gen *g, int cls, struct dt_item *it)
{
    switch (cls) {
    case DT_C_BT: gen_bt(g, it); break;
    case DT_C_BITSCAN: gen_bitscan(g, it); break;
    case DT_C_BMI1: gen_bmi(g, it, false); break;
    case DT_C_BMI2: gen_bmi(g, it, true); break;
    case DT_C_ADX: gen_adx(g, it); break;
    case DT_C_BSWAP: gen_bswap(g, it); break;
    case DT_C_CMOV: gen_cmov(g, it); break;
    default: gen_setcc(g, it); break;
    }
}
