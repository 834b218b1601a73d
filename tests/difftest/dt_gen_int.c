/* SPDX-License-Identifier: MIT */
/* dt_gen_int.c: generators for arithmetic, logic, multiply/divide and shift instructions. */
#include "tests/difftest/dt_gen.h"

static void lock_maybe(struct dt_gen *g, struct dt_ins *in, bool ok)
{
    if (ok && in->rm.mem && dt_chance(g, 30))
        in->pfx[in->npfx++] = 0xf0;
}

static int immsz_of(int osz) { return osz == 1 ? 1 : osz == 2 ? 2 : 4; }

static void gen_alu(struct dt_gen *g, struct dt_item *it)
{
    int op = (int)dt_below(&g->rng, 8);
    struct dt_ctx c;
    int osz = dt_rand_osz(g, 1);
    dt_ctx_init(g, &c, osz);
    struct dt_ins in = { .osz = osz, .opreg = -1 };
    int form = (int)dt_below(&g->rng, 5);
    switch (form) {
    case 0: /* r/m, reg */
    case 1: /* reg, r/m */
        in.modrm = true;
        in.opc = (uint8_t)(op * 8 + (form ? 2 : 0) + (osz > 1));
        if (form == 0) {
            dt_rm_any(g, it, &c, true, true, 0, &in.rm);
            in.reg = dt_reg_src(g, &c);
            lock_maybe(g, &in, op != 7);
        } else {
            in.reg = dt_reg_dst(g, &c);
            dt_rm_any(g, it, &c, false, true, 0, &in.rm);
        }
        break;
    case 2: /* AL/eAX, imm */
        in.opc = (uint8_t)(op * 8 + 4 + (osz > 1));
        in.immsz = immsz_of(osz);
        in.imm = dt_imm(g, in.immsz);
        break;
    default: { /* 80/81/83 /op */
        in.modrm = true;
        in.reg = op;
        dt_rm_any(g, it, &c, true, true, 0, &in.rm);
        if (osz == 1) {
            in.opc = 0x80;
            in.immsz = 1;
        } else if (form == 3) {
            in.opc = 0x81;
            in.immsz = immsz_of(osz);
        } else {
            in.opc = 0x83;
            in.immsz = 1;
        }
        in.imm = dt_imm(g, in.immsz);
        lock_maybe(g, &in, op != 7);
        break;
    }
    }
    in.force_rex = c.rex;
    if (dt_chance(g, 10))
        in.junk = (int)(dt_rand(&g->rng) & 0x7fff) | 0x100;
    dt_enc(it, &in);
    it->defs = DT_ARITH;
    if (op == 2 || op == 3)
        it->reads = DT_CF;
    if (op == 1 || op == 4 || op == 6)
        it->undefs = DT_AF;
}

static void gen_test(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    int osz = dt_rand_osz(g, 1);
    dt_ctx_init(g, &c, osz);
    struct dt_ins in = { .osz = osz, .opreg = -1 };
    switch (dt_below(&g->rng, 3)) {
    case 0:
        in.opc = osz == 1 ? 0x84 : 0x85;
        in.modrm = true;
        dt_rm_any(g, it, &c, false, true, 0, &in.rm);
        in.reg = dt_reg_src(g, &c);
        break;
    case 1:
        in.opc = osz == 1 ? 0xa8 : 0xa9;
        in.immsz = immsz_of(osz);
        in.imm = dt_imm(g, in.immsz);
        break;
    default:
        in.opc = osz == 1 ? 0xf6 : 0xf7;
        in.modrm = true;
        in.reg = 0;
        dt_rm_any(g, it, &c, false, true, 0, &in.rm);
        in.immsz = immsz_of(osz);
        in.imm = dt_imm(g, in.immsz);
        break;
    }
    in.force_rex = c.rex;
    dt_enc(it, &in);
    it->defs = DT_ARITH;
    it->undefs = DT_AF;
}

/* INC/DEC (FE/FF /0 /1), NOT/NEG (F6/F7 /2 /3) */
static void gen_unary(struct dt_gen *g, struct dt_item *it, int digit)
{
    struct dt_ctx c;
    int osz = dt_rand_osz(g, 1);
    dt_ctx_init(g, &c, osz);
    struct dt_ins in = { .osz = osz, .opreg = -1, .modrm = true, .reg = digit };
    in.opc = digit < 2 ? (osz == 1 ? 0xfe : 0xff) : (osz == 1 ? 0xf6 : 0xf7);
    dt_rm_any(g, it, &c, true, true, 0, &in.rm);
    lock_maybe(g, &in, true);
    in.force_rex = c.rex;
    if (dt_chance(g, 10))
        in.junk = (int)(dt_rand(&g->rng) & 0x7fff) | 0x100;
    dt_enc(it, &in);
    if (digit < 2)
        it->defs = DT_ARITH & ~DT_CF;
    else if (digit == 3)
        it->defs = DT_ARITH;
}

static void gen_mul(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    int osz = dt_rand_osz(g, 1);
    dt_ctx_init(g, &c, osz);
    struct dt_ins in = { .osz = osz, .opreg = -1, .modrm = true };
    in.opc = osz == 1 ? 0xf6 : 0xf7;
    in.reg = 4 + (int)dt_below(&g->rng, 2);
    dt_rm_any(g, it, &c, false, true, 0, &in.rm);
    in.force_rex = c.rex;
    dt_enc(it, &in);
    it->defs = DT_CF | DT_OF;
    it->undefs = DT_SF | DT_ZF | DT_AF | DT_PF;
}

static void gen_imul(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    int osz = dt_rand_osz(g, 2);
    dt_ctx_init(g, &c, osz);
    struct dt_ins in = { .osz = osz, .opreg = -1, .modrm = true, .map = 0 };
    in.reg = dt_reg_dst(g, &c);
    switch (dt_below(&g->rng, 3)) {
    case 0: in.map = 1; in.opc = 0xaf; break;
    case 1: in.opc = 0x69; in.immsz = immsz_of(osz); break;
    default: in.opc = 0x6b; in.immsz = 1; break;
    }
    in.imm = dt_imm(g, in.immsz);
    dt_rm_any(g, it, &c, false, true, 0, &in.rm);
    dt_enc(it, &in);
    it->defs = DT_CF | DT_OF;
    it->undefs = DT_SF | DT_ZF | DT_AF | DT_PF;
}

static void gen_div(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    int osz = dt_rand_osz(g, 1);
    bool sgn = dt_chance(g, 50);
    dt_ctx_init(g, &c, osz);
    /* mostly make the high half small so that the quotient fits */
    int setup = (int)dt_below(&g->rng, 10);
    if (setup < 4) {
        if (osz == 1) {
            uint8_t b[2] = { 0x66, 0x98 };              /* cbw */
            uint8_t z[2] = { 0x30, 0xe4 };              /* xor ah, ah */
            if (sgn)
                dt_emit(it, b, 2);
            else
                dt_emit(it, z, 2);
        } else if (sgn) {
            struct dt_ins cv = { .osz = osz, .opreg = -1, .opc = 0x99 }; /* cwd/cdq/cqo */
            dt_enc(it, &cv);
        } else {
            uint8_t z[2] = { 0x31, 0xd2 };              /* xor edx, edx */
            dt_emit(it, z, 2);
        }
    } else if (setup < 6 && osz > 1) {
        dt_emit_movimm(it, R_RDX, dt_below(&g->rng, 4));
    }
    struct dt_ins in = { .osz = osz, .opreg = -1, .modrm = true };
    in.opc = osz == 1 ? 0xf6 : 0xf7;
    in.reg = sgn ? 7 : 6;
    unsigned avoid = 1u << R_RAX | 1u << R_RDX;
    if (dt_chance(g, 50)) {
        dt_mem(g, it, &c, osz, 1, 0, avoid, &in.rm);
    } else {
        int r;
        do
            r = dt_reg_dst(g, &c);
        while (c.norex ? (r == 0 || r == 4 || r == 2) : (r == R_RAX || r == R_RDX));
        if (dt_chance(g, 15)) {
            /* divisor 0 (#DE) or -1 (overflow with the most negative dividend) */
            uint64_t v = dt_chance(g, 50) ? 0 : ~0ull;
            if (c.norex && r >= 4) {
                uint8_t mv[2] = { 0xb4 | (uint8_t)(r - 4), (uint8_t)v };  /* mov ah.., imm8 */
                dt_emit(it, mv, 2);
            } else {
                dt_emit_movimm(it, r, v);
            }
        }
        in.rm = dt_rm_reg(r);
    }
    in.force_rex = c.rex;
    dt_enc(it, &in);
    it->undefs = DT_ARITH;
}

/* Flags of a shift/rotate by a known masked count mc of an osz-byte operand. */
static void shift_flags(struct dt_item *it, int op, int osz, int mc, bool known)
{
    bool rc = op == 2 || op == 3, rot = op < 4;
    if (rc)
        it->reads = DT_CF;
    if (!known) {
        it->undefs = DT_OF | (rot ? 0 : DT_AF);
        if (rc)
            it->defs = DT_CF;
        if (!rot && osz <= 2 && op != 7)
            it->undefs |= DT_CF;
        return;
    }
    if (mc == 0)
        return;
    it->defs = rot ? DT_CF : (DT_CF | DT_SF | DT_ZF | DT_PF);
    if (mc == 1)
        it->defs |= DT_OF;
    else
        it->undefs |= DT_OF;
    if (!rot) {
        it->undefs |= DT_AF;
        if (osz <= 2 && op != 7 && mc >= osz * 8) {
            it->defs &= (uint16_t)~DT_CF;
            it->undefs |= DT_CF;
        }
    }
}

static uint8_t rand_count(struct dt_gen *g)
{
    switch (dt_below(&g->rng, 4)) {
    case 0: return 1;
    case 1: return (uint8_t)dt_below(&g->rng, 8);
    case 2: return (uint8_t)dt_below(&g->rng, 72);
    default: return (uint8_t)dt_rand(&g->rng);
    }
}

static void gen_shift(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    int osz = dt_rand_osz(g, 1);
    dt_ctx_init(g, &c, osz);
    int op = (int)dt_below(&g->rng, 8);
    struct dt_ins in = { .osz = osz, .opreg = -1, .modrm = true, .reg = op };
    int form = (int)dt_below(&g->rng, 4);
    int count = 1;
    bool known = true;
    if (form == 2) {                 /* CL: set it, or keep the random one */
        if (dt_chance(g, 60)) {
            count = rand_count(g);
            uint8_t mv[2] = { 0xb1, (uint8_t)count };
            dt_emit(it, mv, 2);
        } else {
            known = false;
        }
    }
    unsigned avoid = form == 2 ? 1u << R_RCX : 0;
    if (dt_chance(g, 50)) {
        dt_mem(g, it, &c, osz, 1, 0, avoid, &in.rm);
    } else {
        in.rm = dt_rm_reg(dt_reg_dst(g, &c));
    }
    if (form == 0) {
        in.opc = osz == 1 ? 0xd0 : 0xd1;
    } else if (form == 1) {
        in.opc = osz == 1 ? 0xc0 : 0xc1;
        count = rand_count(g);
        in.immsz = 1;
        in.imm = (uint8_t)count;
    } else if (form == 2) {
        in.opc = osz == 1 ? 0xd2 : 0xd3;
    } else {
        in.opc = osz == 1 ? 0xc0 : 0xc1;
        count = (int)dt_below(&g->rng, 3);
        in.immsz = 1;
        in.imm = (uint8_t)count;
    }
    in.force_rex = c.rex;
    dt_enc(it, &in);
    int mc = count & (osz == 8 ? 63 : 31);
    shift_flags(it, op, osz, mc, known);
}

static void gen_shxd(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    int osz = dt_rand_osz(g, 2);
    dt_ctx_init(g, &c, osz);
    bool right = dt_chance(g, 50), cl = dt_chance(g, 50);
    int count;
    bool known = true;
    if (osz == 2)
        count = (int)dt_below(&g->rng, 17) + (dt_chance(g, 30) ? 32 * (int)dt_below(&g->rng, 8) : 0);
    else
        count = rand_count(g);
    if (cl) {
        if (osz == 2 || dt_chance(g, 60)) {
            uint8_t mv[2] = { 0xb1, (uint8_t)count };
            dt_emit(it, mv, 2);
        } else {
            known = false;
        }
    }
    struct dt_ins in = { .osz = osz, .opreg = -1, .modrm = true, .map = 1 };
    in.opc = (uint8_t)((right ? 0xac : 0xa4) + (cl ? 1 : 0));
    unsigned avoid = cl ? 1u << R_RCX : 0;
    if (dt_chance(g, 50)) {
        dt_mem(g, it, &c, osz, 1, 0, avoid, &in.rm);
    } else {
        in.rm = dt_rm_reg(dt_reg_dst(g, &c));
    }
    in.reg = dt_reg_src(g, &c);
    if (!cl) {
        in.immsz = 1;
        in.imm = (uint8_t)count;
    }
    dt_enc(it, &in);
    int mc = count & (osz == 8 ? 63 : 31);
    if (!known) {
        it->undefs = DT_OF | DT_AF;
        return;
    }
    if (mc == 0)
        return;
    it->defs = DT_CF | DT_SF | DT_ZF | DT_PF | (mc == 1 ? DT_OF : 0);
    it->undefs = DT_AF | (mc == 1 ? 0 : DT_OF);
}

void dt_gen_int(struct dt_gen *g, int cls, struct dt_item *it)
{
    switch (cls) {
    case DT_C_ALU: gen_alu(g, it); break;
    case DT_C_TEST: gen_test(g, it); break;
    case DT_C_INCDEC: gen_unary(g, it, (int)dt_below(&g->rng, 2)); break;
    case DT_C_NEGNOT: gen_unary(g, it, 2 + (int)dt_below(&g->rng, 2)); break;
    case DT_C_MUL: gen_mul(g, it); break;
    case DT_C_IMUL: gen_imul(g, it); break;
    case DT_C_DIV: gen_div(g, it); break;
    case DT_C_SHIFT: gen_shift(g, it); break;
    default: gen_shxd(g, it); break;
    }
}
