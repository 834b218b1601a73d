/* SPDX-License-Identifier: MIT */
/* dt_gen_ctl.c: generators for branches, calls, loops, stack, flags, strings and faults. */
#include <string.h>
#include "tests/difftest/dt_gen.h"

static void gen_jmp(struct dt_gen *g, struct dt_item *it)
{
    int cc = (int)dt_below(&g->rng, 16);
    it->br_skip = (uint8_t)dt_below(&g->rng, 4);
    switch (dt_below(&g->rng, 5)) {
    case 0: { /* Jcc rel8 */
        uint8_t b[2] = { (uint8_t)(0x70 + cc), 0 };
        dt_emit(it, b, 2);
        it->br_size = 1;
        it->reads = dt_cc_flags(cc);
        break;
    }
    case 1: { /* Jcc rel32 */
        uint8_t b[6] = { 0x0f, (uint8_t)(0x80 + cc) };
        dt_emit(it, b, 6);
        it->br_size = 4;
        it->reads = dt_cc_flags(cc);
        break;
    }
    case 2: { /* JMP rel8 */
        uint8_t b[2] = { 0xeb, 0 };
        dt_emit(it, b, 2);
        it->br_size = 1;
        it->br_uncond = true;
        break;
    }
    case 3: { /* JMP rel32 */
        uint8_t b[5] = { 0xe9 };
        dt_emit(it, b, 5);
        it->br_size = 4;
        it->br_uncond = true;
        break;
    }
    default: { /* lea r, [rip + d]; jmp r; int3 (skipped) */
        int r = (int)dt_below(&g->rng, 16);
        if (r == R_RSP)
            r = R_RAX;
        int jl = r >= 8 ? 3 : 2;
        uint8_t b[7] = { (uint8_t)(0x48 | (r >> 3) << 2), 0x8d, (uint8_t)(0x05 | (r & 7) << 3),
                         (uint8_t)(jl + 1), 0, 0, 0 };
        dt_emit(it, b, 7);
        uint8_t j[3] = { 0x41, 0xff, (uint8_t)(0xe0 | (r & 7)) };
        dt_emit(it, r >= 8 ? j : j + 1, jl);
        uint8_t cc3 = 0xcc;
        dt_emit(it, &cc3, 1);           /* never executed */
        return;
    }
    }
    it->br_off = (uint8_t)(it->br_size == 1 ? it->len - 1 : it->len - 4);
    it->br_next = it->len;
}

static void gen_call(struct dt_gen *g, struct dt_item *it)
{
    uint8_t body[12];
    int bl = 0;
    if (dt_chance(g, 50)) {              /* body: add r, imm8 */
        int r = (int)dt_below(&g->rng, 16);
        if (r == R_RSP)
            r = R_RBX;
        body[bl++] = (uint8_t)(0x48 | (r >> 3));
        body[bl++] = 0x83;
        body[bl++] = (uint8_t)(0xc0 | (r & 7));
        body[bl++] = (uint8_t)dt_rand(&g->rng);
        it->defs = DT_ARITH;
    }
    if (dt_chance(g, 30)) {              /* ret imm16 */
        uint16_t n = (uint16_t)(8 * dt_below(&g->rng, 4) + (dt_chance(g, 20) ? 2 : 0));
        body[bl++] = 0xc2;
        body[bl++] = (uint8_t)n;
        body[bl++] = (uint8_t)(n >> 8);
    } else {
        body[bl++] = 0xc3;
    }
    if (dt_chance(g, 50)) {
        uint8_t c[5] = { 0xe8, 2, 0, 0, 0 };     /* call f */
        dt_emit(it, c, 5);
    } else {                                     /* lea r, [rip+d]; call r */
        int r = (int)dt_below(&g->rng, 16);
        if (r == R_RSP)
            r = R_RSI;
        int cl = r >= 8 ? 3 : 2;
        uint8_t l[7] = { (uint8_t)(0x48 | (r >> 3) << 2), 0x8d, (uint8_t)(0x05 | (r & 7) << 3),
                         (uint8_t)(cl + 2), 0, 0, 0 };
        dt_emit(it, l, 7);
        uint8_t c[3] = { 0x41, 0xff, (uint8_t)(0xd0 | (r & 7)) };
        dt_emit(it, r >= 8 ? c : c + 1, cl);
    }
    uint8_t j[2] = { 0xeb, (uint8_t)bl };
    dt_emit(it, j, 2);
    int al = bl > 3 ? 4 : 0;
    if (al)
        dt_emit(it, body, al);
    dt_emit(it, body + al, bl - al);
}

static void gen_loop(struct dt_gen *g, struct dt_item *it)
{
    int op = (int)dt_below(&g->rng, 4);      /* E0 LOOPNE, E1 LOOPE, E2 LOOP, E3 JrCXZ */
    bool a32 = dt_chance(g, 25);
    if (op < 3 && dt_chance(g, 40)) {
        /* backward: mov ecx, n; L: add r, imm8; loopcc L */
        int r = (int)dt_below(&g->rng, 16);
        if (r == R_RSP || r == R_RCX)
            r = R_RDX;
        dt_emit_movimm(it, R_RCX, 1 + dt_below(&g->rng, 5));
        uint8_t b[4] = { (uint8_t)(0x48 | (r >> 3)), 0x83, (uint8_t)(0xc0 | (r & 7)),
                         (uint8_t)(dt_chance(g, 50) ? 0 : dt_rand(&g->rng)) };
        dt_emit(it, b, 4);
        uint8_t l[3] = { 0x67, (uint8_t)(0xe0 + op), (uint8_t)(a32 ? -7 : -6) };
        dt_emit(it, a32 ? l : l + 1, a32 ? 3 : 2);
        it->defs = DT_ARITH;
        return;
    }
    uint8_t l[3] = { 0x67, (uint8_t)(0xe0 + op), 0 };
    dt_emit(it, a32 ? l : l + 1, a32 ? 3 : 2);
    it->br_size = 1;
    it->br_off = (uint8_t)(it->len - 1);
    it->br_next = it->len;
    it->br_skip = (uint8_t)dt_below(&g->rng, 4);
    if (op < 2)
        it->reads = DT_ZF;
}

static void gen_pushpop(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    int osz = dt_chance(g, 20) ? 2 : 8;
    dt_ctx_init(g, &c, osz);
    struct dt_ins in = { .osz = osz, .no_w = true, .opreg = -1 };
    switch (dt_below(&g->rng, 7)) {
    case 6: { /* RSP as a destination: add/sub rsp, imm8 or lea rsp, [rsp + d] (stays in the stack) */
        int d = 8 * (int)dt_below(&g->rng, 5) - 16 + (dt_chance(g, 20) ? 4 : 0);
        if (dt_chance(g, 50)) {
            uint8_t b[4] = { 0x48, 0x83, (uint8_t)(d < 0 ? 0xec : 0xc4), (uint8_t)(d < 0 ? -d : d) };
            dt_emit(it, b, 4);
            it->defs = DT_ARITH;
        } else {
            uint8_t b[5] = { 0x48, 0x8d, 0x64, 0x24, (uint8_t)d };
            dt_emit(it, b, 5);
        }
        return;
    }
    case 0: in.opc = 0x50; in.opreg = dt_reg_src(g, &c); break;
    case 1: in.opc = 0x58; in.opreg = dt_reg_dst(g, &c); break;
    case 2:
        if (dt_chance(g, 50)) {
            in.opc = 0x6a;
            in.immsz = 1;
        } else {
            in.opc = 0x68;
            in.immsz = osz == 2 ? 2 : 4;
        }
        in.imm = dt_imm(g, in.immsz);
        break;
    case 3:
        in.opc = 0xff;
        in.modrm = true;
        in.reg = 6;
        dt_rm_any(g, it, &c, false, true, 0, &in.rm);
        break;
    case 4:
        in.opc = 0x8f;
        in.modrm = true;
        in.reg = 0;
        dt_rm_any(g, it, &c, true, true, 0, &in.rm);
        break;
    default: /* push/pop [rsp + disp8]: pop computes the address after the increment */
        in.opc = dt_chance(g, 50) ? 0xff : 0x8f;
        in.modrm = true;
        in.reg = in.opc == 0xff ? 6 : 0;
        in.rm.mem = true;
        in.rm.m.base = R_RSP;
        in.rm.m.index = -1;
        in.rm.m.scale = 1;
        in.rm.m.disp = (int32_t)(8 * dt_below(&g->rng, 5)) - 8;
        break;
    }
    dt_enc(it, &in);
}

static void gen_enter(struct dt_gen *g, struct dt_item *it)
{
    int level = dt_chance(g, 50) ? 0 : (int)dt_below(&g->rng, 4);
    uint16_t size = (uint16_t)(dt_chance(g, 70) ? 8 * dt_below(&g->rng, 9) : dt_below(&g->rng, 70));
    if (level) {
        uint8_t m[3] = { 0x48, 0x89, 0xe5 };  /* mov rbp, rsp */
        dt_emit(it, m, 3);
    }
    uint8_t e[4] = { 0xc8, (uint8_t)size, (uint8_t)(size >> 8), (uint8_t)level };
    dt_emit(it, e, 4);
    if (dt_chance(g, 50)) {
        int r = (int)dt_below(&g->rng, 8);
        uint8_t p = (uint8_t)(0x50 + r);
        dt_emit(it, &p, 1);
    }
    uint8_t l = 0xc9;
    dt_emit(it, &l, 1);
}

static void gen_flags(struct dt_gen *g, struct dt_item *it)
{
    static const uint8_t simple[5] = { 0xf8, 0xf9, 0xf5, 0xfc, 0xfd }; /* CLC STC CMC CLD STD */
    int op = (int)dt_below(&g->rng, 9);
    bool o16 = dt_chance(g, 20);
    if (op < 5) {
        dt_emit(it, &simple[op], 1);
        if (op < 3)
            it->defs = DT_CF;
        if (op == 2)
            it->reads = DT_CF;
    } else if (op == 5) {
        uint8_t b = dt_chance(g, 50) ? 0x9f : 0x9e;       /* LAHF / SAHF */
        dt_emit(it, &b, 1);
        if (b == 0x9f)
            it->reads = DT_ARITH & ~DT_OF;
        else
            it->defs = DT_ARITH & ~DT_OF;
    } else if (op == 6) {
        uint8_t b[2] = { 0x66, 0x9c };                     /* PUSHF */
        dt_emit(it, o16 ? b : b + 1, o16 ? 2 : 1);
        it->reads = DT_ARITH;
    } else if (op == 7) {
        /* pushf; xor [rsp], mask (arithmetic flags and DF only); popf */
        uint32_t mask = (uint32_t)(dt_rand(&g->rng) & (DT_ARITH | DT_DF));
        uint8_t b[2] = { 0x66, 0x9c };
        dt_emit(it, o16 ? b : b + 1, o16 ? 2 : 1);
        if (o16) {
            uint8_t x[7] = { 0x66, 0x81, 0x34, 0x24, (uint8_t)mask, (uint8_t)(mask >> 8) };
            dt_emit(it, x, 6);
        } else {
            uint8_t x[8] = { 0x48, 0x81, 0x34, 0x24, (uint8_t)mask, (uint8_t)(mask >> 8), 0, 0 };
            dt_emit(it, x, 8);
        }
        uint8_t p[2] = { 0x66, 0x9d };
        dt_emit(it, o16 ? p : p + 1, o16 ? 2 : 1);
        it->reads = it->defs = DT_ARITH;
    } else {
        /* push imm32 (IF and bit 1 set, TF/AC clear); popf */
        uint32_t v = (uint32_t)(dt_rand(&g->rng) & (DT_ARITH | DT_DF)) | 0x202;
        uint8_t b[5] = { 0x68, (uint8_t)v, (uint8_t)(v >> 8), 0, 0 };
        dt_emit(it, b, 5);
        uint8_t p = 0x9d;
        dt_emit(it, &p, 1);
        it->defs = DT_ARITH;
    }
}

static void gen_string(struct dt_gen *g, struct dt_item *it)
{
    static const uint8_t ops[5] = { 0xa4, 0xa6, 0xaa, 0xac, 0xae }; /* MOVS CMPS STOS LODS SCAS */
    int op = (int)dt_below(&g->rng, 5);
    int osz = dt_rand_osz(g, 1);
    bool a32 = dt_chance(g, 20), rep = dt_chance(g, 60);
    int n = rep ? (int)dt_below(&g->rng, 9) : 1;
    const uint32_t margin = 8 * 9;
    uint32_t span = DT_HEAP_SIZE - 2 * margin;
    uint64_t si = DT_DATA + margin + dt_below(&g->rng, span);
    uint64_t di = DT_DATA + margin + dt_below(&g->rng, span);
    if (a32) {
        si |= dt_chance(g, 50) ? dt_rand(&g->rng) << 32 : 0;
        di |= dt_chance(g, 50) ? dt_rand(&g->rng) << 32 : 0;
    }
    /* source segment override (MOVS CMPS LODS): ignored DS/ES..., or GS with its base */
    uint8_t seg = 0;
    if ((op <= 1 || op == 3) && dt_chance(g, 20)) {
        static const uint8_t segs[3] = { 0x26, 0x3e, 0x65 };
        seg = segs[dt_below(&g->rng, 3)];
        if (seg == 0x65)
            si -= DT_GS_BASE;
    }
    if (op <= 1 || op == 3)
        dt_emit_movimm(it, R_RSI, si);
    if (op <= 2 || op == 4)
        dt_emit_movimm(it, R_RDI, di);
    if (rep)
        dt_emit_movimm(it, R_RCX, (uint64_t)n | (a32 && dt_chance(g, 50) ? dt_rand(&g->rng) << 32 : 0));
    struct dt_ins in = { .osz = osz, .opreg = -1, .opc = (uint8_t)(ops[op] + (osz > 1)) };
    if (rep)
        in.pfx[in.npfx++] = dt_chance(g, 50) ? 0xf3 : 0xf2;
    if (a32)
        in.pfx[in.npfx++] = 0x67;
    if (seg)
        in.pfx[in.npfx++] = seg;
    dt_enc(it, &in);
    if ((op == 1 || op == 4) && n > 0)
        it->defs = DT_ARITH;
}

/* Faults: #UD, #PF on the unmapped page after memory, #GP (16 bytes, misaligned
   CMPXCHG16B); noncanon: #GP/#SS; pfsplit: an access straddling into the missing page. */
static void gen_fault(struct dt_gen *g, int cls, struct dt_item *it)
{
    int r = (int)dt_below(&g->rng, 16), r2 = (int)dt_below(&g->rng, 16);
    if (r == R_RSP)
        r = R_RDI;
    struct dt_ins in = { .osz = 8, .opreg = -1, .modrm = true, .reg = r2 };
    if (cls == DT_C_NONCANON) {
        dt_emit_movimm(it, r, 0x8000000000000000ull | (dt_rand(&g->rng) & 0x7fff000000000000ull) |
                                  dt_below(&g->rng, 0x10000));
    } else if (cls == DT_C_PFSPLIT) {
        in.osz = 2 << dt_below(&g->rng, 3);
        dt_emit_movimm(it, r, DT_GUARD - 1 - dt_below(&g->rng, (uint32_t)in.osz - 1));
    } else {
        switch (dt_below(&g->rng, 5)) {
        case 0: { /* ud2 */
            uint8_t b[2] = { 0x0f, 0x0b };
            dt_emit(it, b, 2);
            return;
        }
        case 1: { /* LOCK on a register destination: #UD */
            uint8_t b[3] = { 0xf0, 0x01, (uint8_t)(0xc0 | (r & 7) | (r2 & 7) << 3) };
            dt_emit(it, b, 3);
            return;
        }
        case 2: { /* 16 bytes: #GP(0) */
            uint8_t b[16];
            memset(b, 0x2e, 15);
            b[15] = 0x90;
            dt_emit(it, b, 16);
            return;
        }
        case 3: /* CMPXCHG16B on an address that is not 16-byte aligned: #GP(0) */
            if (g->feat.cx16) {
                dt_emit_movimm(it, r, DT_DATA + 8 + 16 * dt_below(&g->rng, 64));
                struct dt_ins x = { .osz = 8, .opreg = -1, .modrm = true, .map = 1, .opc = 0xc7,
                                    .reg = 1 };
                x.rm.mem = true;
                x.rm.m.base = r;
                x.rm.m.index = -1;
                x.rm.m.scale = 1;
                dt_enc(it, &x);
                return;
            }
            /* fall through */
        default: /* access to the unmapped page after memory: #PF */
            dt_emit_movimm(it, r, DT_GUARD + dt_below(&g->rng, 0x1000));
            break;
        }
    }
    in.opc = dt_chance(g, 50) ? 0x8b : 0x89;
    in.rm.mem = true;
    in.rm.m.base = r;
    in.rm.m.index = -1;
    in.rm.m.scale = 1;
    dt_enc(it, &in);
}

/* Self-modifying code: a store into the very next instruction, which must run modified. */
static void gen_smc(struct dt_gen *g, struct dt_item *it)
{
    int r = (int)dt_below(&g->rng, 16);
    if (r == R_RSP)
        r = R_RAX;
    int rex = r >= 8 ? 1 : 0;
    uint8_t next[6];
    int nl = 0, off;
    uint8_t v;
    if (dt_chance(g, 30)) {
        /* a loop whose body patches itself: mov ecx, 2; L: mov r32, imm32;
           mov byte ptr [rip - x], v (an immediate byte of L); loop L */
        if (r == R_RCX)
            r = R_RDX;
        dt_emit_movimm(it, R_RCX, 2);
        uint8_t body[20];
        int bl = 0;
        if (r >= 8)
            body[bl++] = 0x41;
        body[bl++] = (uint8_t)(0xb8 | (r & 7));
        uint32_t imm = (uint32_t)dt_rand(&g->rng);
        memcpy(body + bl, &imm, 4);
        off = bl + (int)dt_below(&g->rng, 4);
        bl += 4;
        int ml = bl;
        int32_t disp = off - (ml + 7);
        uint8_t st[7] = { 0xc6, 0x05, (uint8_t)disp, (uint8_t)(disp >> 8), (uint8_t)(disp >> 16),
                          (uint8_t)(disp >> 24), (uint8_t)dt_rand(&g->rng) };
        dt_emit(it, body, ml);
        dt_emit(it, st, 7);
        uint8_t lp[2] = { 0xe2, (uint8_t)-(ml + 7 + 2) };
        dt_emit(it, lp, 2);
        return;
    }
    if (dt_chance(g, 50)) {
        /* mov r32, imm32: patch one immediate byte */
        if (rex)
            next[nl++] = 0x41;
        next[nl++] = (uint8_t)(0xb8 | (r & 7));
        uint32_t imm = (uint32_t)dt_rand(&g->rng);
        memcpy(next + nl, &imm, 4);
        off = nl + (int)dt_below(&g->rng, 4);
        nl += 4;
        v = (uint8_t)dt_rand(&g->rng);
    } else {
        /* op r64, r64: patch the opcode among ADD OR ADC SBB AND SUB XOR CMP */
        int r2 = (int)dt_below(&g->rng, 16);
        next[nl++] = (uint8_t)(0x48 | (r2 >> 3) << 2 | rex);
        next[nl++] = 0x01;
        next[nl++] = (uint8_t)(0xc0 | (r2 & 7) << 3 | (r & 7));
        off = 1;
        v = (uint8_t)(0x01 + 8 * dt_below(&g->rng, 8));
        if (v == 0x11 || v == 0x19)
            v = 0x29;            /* keep CF out of it (flags are defined here anyway) */
        it->defs = DT_ARITH;
    }
    /* mov byte ptr [rip + off], v */
    uint8_t st[7] = { 0xc6, 0x05, (uint8_t)off, 0, 0, 0, v };
    dt_emit(it, st, 7);
    dt_emit(it, next, nl);
}

/* A REP string instruction running into the unmapped page after memory part way:
   #PF with RCX/RSI/RDI showing the iterations done. */
static void gen_repfault(struct dt_gen *g, struct dt_item *it)
{
    static const uint8_t ops[5] = { 0xa4, 0xa6, 0xaa, 0xac, 0xae }; /* MOVS CMPS STOS LODS SCAS */
    int op = (int)dt_below(&g->rng, 5);
    int osz = dt_rand_osz(g, 1);
    uint32_t k = dt_below(&g->rng, 6);                 /* elements before the fault */
    uint64_t edge = DT_GUARD - (uint64_t)k * (uint64_t)osz;
    uint64_t other = DT_DATA + (uint64_t)osz * dt_below(&g->rng, 256);
    bool src_faults = op == 3 || (op <= 1 && dt_chance(g, 50));
    uint8_t cld = 0xfc;
    dt_emit(it, &cld, 1);
    if (op <= 1 || op == 3)
        dt_emit_movimm(it, R_RSI, src_faults ? edge : other);
    if (op != 3)
        dt_emit_movimm(it, R_RDI, src_faults ? other : edge);
    dt_emit_movimm(it, R_RCX, k + 1 + dt_below(&g->rng, 8));
    struct dt_ins in = { .osz = osz, .opreg = -1, .opc = (uint8_t)(ops[op] + (osz > 1)) };
    /* CMPS/SCAS: REPNE mostly, so that they do not stop early on a difference */
    in.pfx[in.npfx++] = (op == 1 || op == 4) ? (dt_chance(g, 80) ? 0xf2 : 0xf3) : 0xf3;
    dt_enc(it, &in);
    it->undefs = 0;
    if (op == 1 || op == 4)
        it->defs = 0;   /* may stop before any comparison ... or not: flags as they come */
}

void dt_gen_ctl(struct dt_gen *g, int cls, struct dt_item *it)
{
    switch (cls) {
    case DT_C_REPFAULT: gen_repfault(g, it); break;
    case DT_C_SMC: gen_smc(g, it); break;
    case DT_C_JMP: gen_jmp(g, it); break;
    case DT_C_CALL: gen_call(g, it); break;
    case DT_C_LOOP: gen_loop(g, it); break;
    case DT_C_PUSHPOP: gen_pushpop(g, it); break;
    case DT_C_ENTER: gen_enter(g, it); break;
    case DT_C_FLAGS: gen_flags(g, it); break;
    case DT_C_STRING: gen_string(g, it); break;
    default: gen_fault(g, cls, it); break;
    }
}
