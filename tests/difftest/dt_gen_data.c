/* SPDX-License-Identifier: MIT */
/* dt_gen_data.c: generators for moves, exchanges, LEA, conversions, XLAT and NOPs. */
#include "tests/difftest/dt_gen.h"

static int immsz_of(int osz) { return osz == 1 ? 1 : osz == 2 ? 2 : 4; }

static void lock_maybe(struct dt_gen *g, struct dt_ins *in, int pct)
{
    if (in->rm.mem && dt_chance(g, pct))
        in->pfx[in->npfx++] = 0xf0;
}

static void gen_mov(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    int osz = dt_rand_osz(g, 1);
    dt_ctx_init(g, &c, osz);
    struct dt_ins in = { .osz = osz, .opreg = -1 };
    switch (dt_below(&g->rng, 5)) {
    case 0:
        in.opc = osz == 1 ? 0x88 : 0x89;
        in.modrm = true;
        dt_rm_any(g, it, &c, true, true, 0, &in.rm);
        in.reg = dt_reg_src(g, &c);
        break;
    case 1:
        in.opc = osz == 1 ? 0x8a : 0x8b;
        in.modrm = true;
        in.reg = dt_reg_dst(g, &c);
        dt_rm_any(g, it, &c, false, true, 0, &in.rm);
        break;
    case 2:
        in.opc = osz == 1 ? 0xb0 : 0xb8;
        in.opreg = dt_reg_dst(g, &c);
        in.immsz = osz == 8 ? 8 : immsz_of(osz);
        in.imm = dt_imm(g, in.immsz);
        break;
    case 3:
        in.opc = osz == 1 ? 0xc6 : 0xc7;
        in.modrm = true;
        dt_rm_any(g, it, &c, true, true, 0, &in.rm);
        in.immsz = immsz_of(osz);
        in.imm = dt_imm(g, in.immsz);
        break;
    default: { /* moffs: A0..A3 with a 64-bit (or 67: 32-bit) absolute address */
        bool store = dt_chance(g, 50), a32 = dt_chance(g, 25);
        in.opc = (uint8_t)(0xa0 + (store ? 2 : 0) + (osz > 1));
        if (a32)
            in.pfx[in.npfx++] = 0x67;
        in.immsz = a32 ? 4 : 8;
        in.imm = DT_DATA + dt_below(&g->rng, DT_HEAP_SIZE - 8);
        break;
    }
    }
    in.force_rex = c.rex;
    if (dt_chance(g, 10))
        in.junk = (int)(dt_rand(&g->rng) & 0x7fff) | 0x100;
    dt_enc(it, &in);
}

static void gen_movx(struct dt_gen *g, struct dt_item *it)
{
    int osz = dt_rand_osz(g, 2);
    if (dt_chance(g, 25)) {                      /* MOVSXD */
        struct dt_ctx c;
        int o = dt_chance(g, 80) ? 8 : 4;
        dt_ctx_init(g, &c, 4);
        struct dt_ins in = { .osz = o, .opreg = -1, .modrm = true, .opc = 0x63 };
        in.reg = dt_reg_dst(g, &c);
        dt_rm_any(g, it, &c, false, true, 0, &in.rm);
        dt_enc(it, &in);
        return;
    }
    int ssz = dt_chance(g, 50) ? 1 : 2;
    bool sx = dt_chance(g, 50);
    struct dt_ctx c;
    dt_ctx_init(g, &c, ssz);
    if (c.norex && osz == 8)
        c.norex = false;
    struct dt_ins in = { .osz = osz, .opreg = -1, .modrm = true, .map = 1 };
    in.opc = (uint8_t)((sx ? 0xbe : 0xb6) + (ssz == 2));
    dt_rm_any(g, it, &c, false, true, 0, &in.rm);
    struct dt_ctx d = { .osz = osz, .norex = c.norex };
    if (c.norex)
        d.osz = 2;               /* registers 0..7, not RSP */
    in.reg = dt_reg_dst(g, &d);
    in.force_rex = c.rex;
    dt_enc(it, &in);
}

static void gen_movbe(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    dt_ctx_init(g, &c, dt_rand_osz(g, 2));
    bool store = dt_chance(g, 50);
    struct dt_ins in = { .osz = c.osz, .opreg = -1, .modrm = true, .map = 2 };
    in.opc = store ? 0xf1 : 0xf0;
    dt_mem(g, it, &c, c.osz, 1, 0, 0, &in.rm);
    in.reg = store ? dt_reg_src(g, &c) : dt_reg_dst(g, &c);
    dt_enc(it, &in);
}

static void gen_lea(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    dt_ctx_init(g, &c, dt_rand_osz(g, 2));
    struct dt_ins in = { .osz = c.osz, .opreg = -1, .modrm = true, .opc = 0x8d };
    in.reg = dt_reg_dst(g, &c);
    struct dt_mem *m = &in.rm.m;
    in.rm.mem = true;
    m->scale = 1 << dt_below(&g->rng, 4);
    m->base = dt_chance(g, 85) ? (int)dt_below(&g->rng, 16) : -1;
    m->index = dt_chance(g, 60) ? (int)dt_below(&g->rng, 16) : -1;
    if (m->index == R_RSP)
        m->index = -1;
    m->disp = dt_chance(g, 50) ? (int32_t)dt_value(&g->rng) : (int32_t)dt_below(&g->rng, 256) - 128;
    m->addr32 = dt_chance(g, 25);
    if (dt_chance(g, 10)) {
        m->rip = true;
        m->disp = (int32_t)dt_below(&g->rng, DT_DATA_SIZE);
    }
    dt_enc(it, &in);
}

static void gen_xchg(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    dt_ctx_init(g, &c, dt_rand_osz(g, 1));
    struct dt_ins in = { .osz = c.osz, .opreg = -1 };
    if (c.osz > 1 && dt_chance(g, 30)) {       /* 90+r: xchg rAX, r */
        in.opc = 0x90;
        do
            in.opreg = dt_reg_dst(g, &c);
        while (in.opreg == 0);
    } else {
        in.opc = c.osz == 1 ? 0x86 : 0x87;
        in.modrm = true;
        dt_rm_any(g, it, &c, true, true, 0, &in.rm);
        in.reg = dt_reg_dst(g, &c);
        lock_maybe(g, &in, 30);
    }
    in.force_rex = c.rex;
    dt_enc(it, &in);
}

/* CMPXCHG (0F B0/B1) and XADD (0F C0/C1) */
static void gen_cmpxchg_xadd(struct dt_gen *g, struct dt_item *it, bool xadd)
{
    struct dt_ctx c;
    dt_ctx_init(g, &c, dt_rand_osz(g, 1));
    struct dt_ins in = { .osz = c.osz, .opreg = -1, .modrm = true, .map = 1 };
    in.opc = (uint8_t)((xadd ? 0xc0 : 0xb0) + (c.osz > 1));
    dt_rm_any(g, it, &c, true, true, xadd ? 0 : 1u << R_RAX, &in.rm);
    in.reg = dt_reg_dst(g, &c);
    if (!xadd && dt_chance(g, 40)) {
        /* make the comparison succeed: mov acc, dest */
        struct dt_ins ld = { .osz = c.osz, .opreg = -1, .modrm = true, .reg = R_RAX, .rm = in.rm };
        ld.opc = c.osz == 1 ? 0x8a : 0x8b;
        ld.force_rex = c.rex;
        dt_enc(it, &ld);
    }
    lock_maybe(g, &in, 30);
    in.force_rex = c.rex;
    dt_enc(it, &in);
    it->defs = DT_ARITH;
}

static void gen_cmpxchgb(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    bool wide = g->feat.cx16 && dt_chance(g, 50);
    int half = wide ? 8 : 4;
    dt_ctx_init(g, &c, 2 * half);
    struct dt_ins in = { .osz = wide ? 8 : 4, .opreg = -1, .modrm = true, .map = 1, .opc = 0xc7,
                         .reg = 1 };
    unsigned avoid = 1u << R_RAX | 1u << R_RDX;
    dt_mem(g, it, &c, 2 * half, wide ? 16 : 1, 0, avoid, &in.rm);
    if (dt_chance(g, 40)) {
        struct dt_ins ld = { .osz = half, .opreg = -1, .modrm = true, .opc = 0x8b, .rm = in.rm };
        ld.reg = R_RAX;
        dt_enc(it, &ld);
        ld.reg = R_RDX;
        ld.rm.m.disp += half;
        dt_enc(it, &ld);
    }
    lock_maybe(g, &in, 50);
    dt_enc(it, &in);
    it->defs = DT_ZF;
}

static void gen_convert(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ins in = { .osz = dt_rand_osz(g, 2), .opreg = -1 };
    in.opc = dt_chance(g, 50) ? 0x98 : 0x99;
    dt_enc(it, &in);
}

static void gen_xlat(struct dt_gen *g, struct dt_item *it)
{
    bool a32 = dt_chance(g, 25);
    uint64_t t = DT_DATA + dt_below(&g->rng, DT_HEAP_SIZE - 256);
    if (a32 && dt_chance(g, 50))
        t |= dt_rand(&g->rng) << 32;
    dt_emit_movimm(it, R_RBX, t);
    struct dt_ins in = { .osz = dt_chance(g, 30) ? 8 : 4, .opreg = -1, .opc = 0xd7 };
    if (a32)
        in.pfx[in.npfx++] = 0x67;
    dt_enc(it, &in);
}

static void gen_nop(struct dt_gen *g, struct dt_item *it)
{
    switch (dt_below(&g->rng, 4)) {
    case 0: { uint8_t b = 0x90; dt_emit(it, &b, 1); break; }
    case 1: { uint8_t b[2] = { 0x66, 0x90 }; dt_emit(it, b, 2); break; }
    case 2: { uint8_t b[2] = { 0xf3, 0x90 }; dt_emit(it, b, 2); break; }
    default: { /* 0F 1F /0 with any operand (nothing is accessed) */
        struct dt_ins in = { .osz = dt_rand_osz(g, 2), .opreg = -1, .modrm = true, .map = 1,
                             .opc = 0x1f, .reg = 0 };
        if (dt_chance(g, 50)) {
            in.rm.mem = true;
            in.rm.m.base = (int)dt_below(&g->rng, 16);
            in.rm.m.index = dt_chance(g, 50) ? (int)dt_below(&g->rng, 16) : -1;
            if (in.rm.m.index == R_RSP)
                in.rm.m.index = -1;
            in.rm.m.scale = 1 << dt_below(&g->rng, 4);
            in.rm.m.disp = (int32_t)dt_value(&g->rng);
        } else {
            in.rm = dt_rm_reg((int)dt_below(&g->rng, 16));
        }
        dt_enc(it, &in);
        break;
    }
    }
}

void dt_gen_data(struct dt_gen *g, int cls, struct dt_item *it)
{
    switch (cls) {
    case DT_C_MOV: gen_mov(g, it); break;
    case DT_C_MOVX: gen_movx(g, it); break;
    case DT_C_MOVBE: gen_movbe(g, it); break;
    case DT_C_LEA: gen_lea(g, it); break;
    case DT_C_XCHG: gen_xchg(g, it); break;
    case DT_C_CMPXCHG: gen_cmpxchg_xadd(g, it, false); break;
    case DT_C_XADD: gen_cmpxchg_xadd(g, it, true); break;
    case DT_C_CMPXCHGB: gen_cmpxchgb(g, it); break;
    case DT_C_CONVERT: gen_convert(g, it); break;
    case DT_C_XLAT: gen_xlat(g, it); break;
    default: gen_nop(g, it); break;
    }
}
