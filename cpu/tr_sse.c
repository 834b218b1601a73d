/* SPDX-License-Identifier: MIT */
/* tr_sse.c: translation of MMX/SSE instructions (calls helper_sse) and of the FPU/SIMD control ops. */
#include <stddef.h>
#include <string.h>
#include "cpu/tr.h"
#include "cpu/sse.h"
#include "cpu/tr_sse.h"

static unsigned lg_of(unsigned size)
{
    switch (size) {
    case 1: return 0;
    case 2: return 1;
    case 4: return 2;
    case 8: return 3;
    case 16: return 4;
    default: return 5;
    }
}

/* --- inline fast path for the most common moves and logic ops on XMM registers --- */

static int32_t xmm_off(unsigned reg, unsigned half)
{
    return (int32_t)(offsetof(struct cpu, fpu) + offsetof(struct cpu_fpu, xmm) + reg * 16 + half * 8);
}

static int fast_kind(unsigned op)
{
    switch (op) {
    case X86_OP_MOVAPS: case X86_OP_MOVAPD: case X86_OP_MOVDQA: return 1;   /* aligned move */
    case X86_OP_MOVUPS: case X86_OP_MOVUPD: case X86_OP_MOVDQU: return 2;   /* unaligned move */
    case X86_OP_PXOR: case X86_OP_XORPS: case X86_OP_XORPD: return IR_XOR + 10;
    case X86_OP_POR: case X86_OP_ORPS: case X86_OP_ORPD: return IR_OR + 10;
    case X86_OP_PAND: case X86_OP_ANDPS: case X86_OP_ANDPD: return IR_AND + 10;
    default: return 0;
    }
}

/* Emits the inline form guarded by run-time checks (CR0.EM/TS clear, CR4.OSFXSR set,
   alignment / no page crossing); the guards branch to slow, the helper call. */
static void fast_path(struct tr *s, int kind, ir_temp addr, unsigned slow)
{
    const struct x86_insn *in = s->in;
    struct ir_block *b = s->b;
    const struct x86_operand *d = &in->ops[0], *src = &in->ops[1];
    ir_temp t = tr_tmp(s), u = tr_tmp(s);
    ir_ld_env(b, 64, t, (int32_t)offsetof(struct cpu, cr[0]));
    ir_binop(b, IR_AND, 64, u, t, tr_const(s, 0xc));
    ir_brcond(b, 64, IR_NE, u, tr_const(s, 0), slow);
    ir_temp t2 = tr_tmp(s), u2 = tr_tmp(s);
    ir_ld_env(b, 64, t2, (int32_t)offsetof(struct cpu, cr[4]));
    ir_binop(b, IR_AND, 64, u2, t2, tr_const(s, 0x200));
    ir_brcond(b, 64, IR_EQ, u2, tr_const(s, 0), slow);
    bool mem = d->kind == X86_OPK_MEM || src->kind == X86_OPK_MEM;
    if (mem) {
        ir_temp a = tr_tmp(s);
        if (kind == 2) { /* unaligned: stay within one page */
            ir_binop(b, IR_AND, 64, a, addr, tr_const(s, 0xfff));
            ir_brcond(b, 64, IR_GTU, a, tr_const(s, 0xff0), slow);
        } else {
            ir_binop(b, IR_AND, 64, a, addr, tr_const(s, 15));
            ir_brcond(b, 64, IR_NE, a, tr_const(s, 0), slow);
        }
    }
    ir_temp lo = tr_tmp(s), hi = tr_tmp(s);
    if (src->kind == X86_OPK_MEM) {
        ir_temp a8 = tr_tmp(s);
        ir_binop(b, IR_ADD, 64, a8, addr, tr_const(s, 8));
        ir_temp l = tr_ld(s, addr, 8), h = tr_ld(s, a8, 8);
        ir_mov(b, 64, lo, l);
        ir_mov(b, 64, hi, h);
    } else {
        ir_ld_env(b, 64, lo, xmm_off(src->reg, 0));
        ir_ld_env(b, 64, hi, xmm_off(src->reg, 1));
    }
    if (kind >= 10) {
        ir_temp dl = tr_tmp(s), dh = tr_tmp(s);
        ir_ld_env(b, 64, dl, xmm_off(d->reg, 0));
        ir_ld_env(b, 64, dh, xmm_off(d->reg, 1));
        ir_binop(b, (enum ir_opc)(kind - 10), 64, lo, dl, lo);
        ir_binop(b, (enum ir_opc)(kind - 10), 64, hi, dh, hi);
    }
    if (d->kind == X86_OPK_MEM) {
        ir_temp a8 = tr_tmp(s);
        ir_binop(b, IR_ADD, 64, a8, addr, tr_const(s, 8));
        tr_st(s, addr, 8, lo);
        tr_st(s, a8, 8, hi);
    } else {
        ir_st_env(b, 64, lo, xmm_off(d->reg, 0));
        ir_st_env(b, 64, hi, xmm_off(d->reg, 1));
    }
}

static bool fast_ok(const struct x86_insn *in, int kind)
{
    if (!kind || in->nops != 2)
        return false;
    const struct x86_operand *d = &in->ops[0], *src = &in->ops[1];
    bool dx = d->kind == X86_OPK_REG && d->regclass == X86_RC_XMM;
    bool sx = src->kind == X86_OPK_REG && src->regclass == X86_RC_XMM;
    if (kind >= 10)
        return dx && (sx || (src->kind == X86_OPK_MEM && src->size == 16));
    return (dx && (sx || (src->kind == X86_OPK_MEM && src->size == 16))) ||
           (sx && d->kind == X86_OPK_MEM && d->size == 16);
}

bool tr_sse(struct tr *s)
{
    const struct x86_insn *in = s->in;
    struct x86_operand mem;
    const struct x86_operand *ops = in->ops;
    unsigned nops = in->nops;
    uint64_t od[3] = { 0, 0, 0 };
    unsigned imm = 0;
    ir_temp addr = tr_const(s, 0);
    if (in->op == X86_OP_MASKMOVQ || in->op == X86_OP_MASKMOVDQU) {
        /* implicit destination DS:rDI (segment override allowed) */
        memset(&mem, 0, sizeof(mem));
        mem.kind = X86_OPK_MEM;
        mem.seg = in->seg_override != X86_SEG_NONE ? in->seg_override : X86_SEG_DS;
        mem.base = X86_RDI;
        mem.index = X86_REG_NONE;
        mem.scale = 1;
        mem.size = in->op == X86_OP_MASKMOVQ ? 8 : 16;
        addr = tr_linear_chk(s, mem.seg, tr_ea(s, &mem), mem.size, true);
    }
    if (nops > 3)
        return false;
    for (unsigned i = 0; i < nops; i++) {
        const struct x86_operand *o = &ops[i];
        unsigned lg = lg_of(o->size);
        switch (o->kind) {
        case X86_OPK_REG:
            if (o->regclass == X86_RC_XMM)
                od[i] = SSE_DESC_OPND(SSE_K_XMM, o->reg, lg);
            else if (o->regclass == X86_RC_MMX)
                od[i] = SSE_DESC_OPND(SSE_K_MMX, o->reg & 7, lg);
            else if (o->regclass == X86_RC_GPR)
                od[i] = SSE_DESC_OPND(SSE_K_GPR, o->reg, lg);
            else
                return false;
            break;
        case X86_OPK_MEM:
            if (lg > 4)
                return false;
            od[i] = SSE_DESC_OPND(SSE_K_MEM, 0, lg);
            /* a memory first operand is the destination */
            addr = tr_linear_chk(s, o->seg, tr_ea(s, o), o->size, i == 0 && nops > 1);
            break;
        case X86_OPK_IMM:
            od[i] = SSE_DESC_OPND(SSE_K_IMM, 0, 0);
            imm = (unsigned)o->imm & 0xff;
            break;
        default:
            return false;
        }
    }
    uint64_t desc = SSE_DESC(in->op, imm, od[0], od[1], od[2]) | (in->rex_w ? SSE_DESC_REXW : 0);
    int fk = fast_kind(in->op);
    unsigned slow = 0, done = 0;
    if (fast_ok(in, fk)) {
        slow = ir_label_new(s->b);
        done = ir_label_new(s->b);
        fast_path(s, fk, addr, slow);
        ir_br(s->b, done);
        ir_label(s->b, slow);
    }
    ir_temp r = tr_tmp(s);
    tr_call(s, &helper_sse, r, tr_const(s, desc), addr, tr_const(s, 0), tr_const(s, 0));
    if (done)
        ir_label(s->b, done);
    switch (in->op) {
    case X86_OP_COMISS: case X86_OP_COMISD: case X86_OP_UCOMISS: case X86_OP_UCOMISD:
    case X86_OP_PTEST: case X86_OP_PCMPESTRI: case X86_OP_PCMPISTRI: case X86_OP_PCMPESTRM:
    case X86_OP_PCMPISTRM: {
        ir_temp f = tr_tmp(s);
        ir_binop(s->b, IR_AND, 64, f, r, tr_const(s, CPU_ARITH_FLAGS));
        tr_set_flags_val(s, f);
        break;
    }
    default:
        break;
    }
    return true;
}

/* CRC32 r32/r64, r/m8/16/32/64 (SSE4.2, a general-register instruction). */
bool tr_crc32(struct tr *s)
{
    const struct x86_insn *in = s->in;
    if (in->nops != 2)
        return false;
    unsigned dsz = in->ops[0].size, ssz = in->ops[1].size;
    ir_temp acc = tr_get_gpr(s, in->ops[0].reg, 4);
    ir_temp v = tr_src(s, &in->ops[1]);
    ir_temp r = tr_tmp(s);
    tr_call(s, &helper_crc32, r, acc, v, tr_const(s, ssz), tr_const(s, 0));
    tr_set_gpr(s, in->ops[0].reg, dsz == 8 ? 8 : 4, r);
    return true;
}

bool tr_fpctl(struct tr *s)
{
    const struct x86_insn *in = s->in;
    unsigned kind;
    switch (in->op) {
    case X86_OP_FXSAVE: kind = FPCTL_FXSAVE; break;
    case X86_OP_FXRSTOR: kind = FPCTL_FXRSTOR; break;
    case X86_OP_LDMXCSR: kind = FPCTL_LDMXCSR; break;
    case X86_OP_STMXCSR: kind = FPCTL_STMXCSR; break;
    default: return false;
    }
    if (in->nops < 1 || in->ops[0].kind != X86_OPK_MEM)
        return false;
    if (kind == FPCTL_FXSAVE || kind == FPCTL_FXRSTOR)
        kind |= (in->rex_w ? FPCTL_REXW : 0) | (s->mode == X86_MODE_64 ? FPCTL_LONG : 0);
    ir_temp addr = tr_linear_chk(s, in->ops[0].seg, tr_ea(s, &in->ops[0]),
                                 (kind & 0xff) == FPCTL_FXSAVE || (kind & 0xff) == FPCTL_FXRSTOR ? 512 : 4,
                                 (kind & 0xff) == FPCTL_FXSAVE || (kind & 0xff) == FPCTL_STMXCSR);
    tr_call(s, &helper_fpctl, IR_NONE, tr_const(s, kind), addr, tr_const(s, 0), tr_const(s, 0));
    return true;
}

bool tr_xsave(struct tr *s)
{
    const struct x86_insn *in = s->in;
    unsigned kind;
    switch (in->op) {
    case X86_OP_XSAVE: kind = XS_XSAVE; break;
    case X86_OP_XSAVEOPT: kind = XS_XSAVEOPT; break;
    case X86_OP_XSAVEC: kind = XS_XSAVEC; break;
    case X86_OP_XRSTOR: kind = XS_XRSTOR; break;
    case X86_OP_XGETBV: kind = XS_XGETBV; break;
    case X86_OP_XSETBV: kind = XS_XSETBV; break;
    default: return false;
    }
    ir_temp addr = tr_const(s, 0);
    if (kind != XS_XGETBV && kind != XS_XSETBV) {
        if (in->nops < 1 || in->ops[0].kind != X86_OPK_MEM)
            return false;
        kind |= (in->rex_w ? XS_REXW : 0) | (s->mode == X86_MODE_64 ? XS_LONG : 0);
        /* the legacy area and the header at least (the rest depends on the mask) */
        addr = tr_linear_chk(s, in->ops[0].seg, tr_ea(s, &in->ops[0]), 576, (kind & 0xff) != XS_XRSTOR);
    }
    tr_call(s, &helper_xsave, IR_NONE, tr_const(s, kind), addr, tr_const(s, 0), tr_const(s, 0));
    return true;
}
