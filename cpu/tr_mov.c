/* SPDX-License-Identifier: MIT */
/* tr_mov.c: MOV MOVZX MOVSX MOVSXD MOVBE LEA XCHG CBW CWD BSWAP CMOVcc SETcc XLAT MOV Sreg NOP. */
#include <stddef.h>
#include "cpu/tr.h"
#include "cpu/helpers.h"
#include "cpu/rmw.h"

bool tr_nop(struct tr *s)
{
    (void)s;
    return true;
}

bool tr_mov(struct tr *s)
{
    struct tr_opnd d;
    ir_temp v = tr_src(s, &s->in->ops[1]);
    tr_opnd(s, &d, &s->in->ops[0]);
    tr_write(s, &d, v);
    return true;
}

bool tr_movx(struct tr *s)
{
    const struct x86_operand *dop = &s->in->ops[0], *sop = &s->in->ops[1];
    ir_temp v = tr_src(s, sop);
    unsigned ds = dop->size, ss = sop->size;
    if (s->in->op != X86_OP_MOVZX && ss < ds) {
        ir_temp t = tr_tmp(s);
        ir_sext(s->b, tr_w(ds), t, v, tr_w(ss));
        v = t;
    }
    tr_set_regop(s, dop, v);
    return true;
}

bool tr_lea(struct tr *s)
{
    const struct x86_operand *m = &s->in->ops[1];
    if (m->kind != X86_OPK_MEM)
        return false;
    tr_set_regop(s, &s->in->ops[0], tr_ea(s, m));
    return true;
}

bool tr_xchg(struct tr *s)
{
    const struct x86_operand *a = &s->in->ops[0], *b = &s->in->ops[1];
    if (a->kind == X86_OPK_MEM || b->kind == X86_OPK_MEM) {
        const struct x86_operand *m = a->kind == X86_OPK_MEM ? a : b;
        const struct x86_operand *r = a->kind == X86_OPK_MEM ? b : a;
        struct tr_opnd d;
        tr_opnd(s, &d, m);
        ir_temp v = tr_get_regop(s, r), old = tr_tmp(s);
        unsigned desc = RMW_XCHG | (d.size << 8) | (m->seg == X86_SEG_SS ? RMW_SS : 0);
        tr_seg_wcheck(s, d.addr);
        tr_call(s, &helper_lock_rmw, old, tr_const(s, desc), d.addr, v, tr_const(s, 0));
        tr_set_regop(s, r, old);
        return true;
    }
    ir_temp va = tr_get_regop(s, a), vb = tr_get_regop(s, b);
    if (va == CPU_T_GPR(a->reg & 15)) { /* 64-bit: copy before overwriting */
        ir_temp t = tr_tmp(s);
        ir_mov(s->b, 64, t, va);
        va = t;
    }
    tr_set_regop(s, a, vb);
    tr_set_regop(s, b, va);
    return true;
}

bool tr_cbw(struct tr *s)
{
    unsigned sz = s->in->opsize;
    ir_temp t = tr_tmp(s);
    ir_sext(s->b, tr_w(sz), t, CPU_T_GPR(X86_RAX), tr_w(sz / 2));
    tr_set_gpr(s, X86_RAX, sz, t);
    return true;
}

bool tr_cwd(struct tr *s)
{
    unsigned sz = s->in->opsize;
    ir_temp t = tr_tmp(s);
    ir_binop(s->b, IR_SAR, tr_w(sz), t, CPU_T_GPR(X86_RAX), tr_const(s, tr_w(sz) - 1));
    tr_set_gpr(s, X86_RDX, sz, t);
    return true;
}

bool tr_bswap(struct tr *s)
{
    const struct x86_operand *r = &s->in->ops[0];
    unsigned sz = r->size;
    ir_temp t = tr_tmp(s);
    if (sz == 2)
        t = tr_const(s, 0); /* BSWAP r16 is undefined: hardware writes 0 */
    else
        ir_unop(s->b, IR_BSWAP, tr_w(sz), t, CPU_T_GPR(r->reg & 15));
    tr_set_gpr(s, r->reg, sz, t);
    return true;
}

bool tr_movbe(struct tr *s)
{
    const struct x86_operand *d = &s->in->ops[0], *m = &s->in->ops[1];
    unsigned sz = d->size;
    ir_temp v = tr_src(s, m), t = tr_tmp(s);
    ir_unop(s->b, IR_BSWAP, tr_w(sz), t, v);
    struct tr_opnd o;
    tr_opnd(s, &o, d);
    tr_write(s, &o, t);
    return true;
}

bool tr_cmov(struct tr *s)
{
    const struct x86_operand *d = &s->in->ops[0];
    unsigned sz = d->size;
    ir_temp v = tr_src(s, &s->in->ops[1]);
    ir_temp c = tr_cond(s, s->in->cc), cur = tr_get_regop(s, d), r = tr_tmp(s);
    ir_movcond(s->b, tr_w(sz), IR_NE, r, c, tr_const(s, 0), v, cur);
    tr_set_regop(s, d, r); /* 32-bit: zero-extends even when false */
    return true;
}

bool tr_setcc(struct tr *s)
{
    struct tr_opnd d;
    tr_opnd(s, &d, &s->in->ops[0]);
    d.size = 1;
    ir_temp c = tr_cond(s, s->in->cc);
    tr_write(s, &d, c);
    return true;
}

bool tr_xlat(struct tr *s)
{
    unsigned as = s->in->addrsize;
    unsigned seg = s->in->seg_override != X86_SEG_NONE ? s->in->seg_override : X86_SEG_DS;
    ir_temp al = tr_get_gpr(s, X86_RAX, 1), off = tr_tmp(s);
    ir_binop(s->b, IR_ADD, tr_w(as), off, CPU_T_GPR(X86_RBX), al);
    ir_temp v = tr_ld(s, tr_linear(s, seg, off, 1), 1);
    tr_set_gpr(s, X86_RAX, 1, v);
    return true;
}

bool tr_mov_sreg(struct tr *s)
{
    const struct x86_operand *a = &s->in->ops[0], *b = &s->in->ops[1];
    if (b->kind == X86_OPK_REG && b->regclass == X86_RC_SEG) {
        /* MOV r/m, Sreg */
        if (b->reg > 5)
            return false;
        ir_temp v = tr_tmp(s);
        ir_ld_env(s->b, 16, v, (int32_t)(offsetof(struct cpu, seg) + b->reg * sizeof(struct cpu_seg) +
                                         offsetof(struct cpu_seg, sel)));
        tr_write_w16(s, a, v);
        return true;
    }
    if (a->kind != X86_OPK_REG || a->regclass != X86_RC_SEG || a->reg > 5 || a->reg == X86_SEG_CS)
        return false;
    struct x86_operand src = *b;
    if (src.kind == X86_OPK_MEM)
        src.size = 2;
    ir_temp v = tr_src(s, &src);
    tr_call(s, &helper_load_seg, IR_NONE, tr_const(s, a->reg), v, IR_NONE, IR_NONE);
    /* hflags may have changed (a DS base becoming non-zero...): look the next
       block up under the new ones, never through a chain made under the old */
    tr_end_next(s);
    return true;
}
