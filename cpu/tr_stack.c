/* SPDX-License-Identifier: MIT */
/* tr_stack.c: PUSH POP (all forms) ENTER LEAVE PUSHF POPF PUSHA POPA. */
#include <stddef.h>
#include "cpu/tr.h"
#include "cpu/helpers.h"

static ir_temp seg_sel(struct tr *s, unsigned seg)
{
    ir_temp v = tr_tmp(s);
    ir_ld_env(s->b, 16, v, (int32_t)(offsetof(struct cpu, seg) + seg * sizeof(struct cpu_seg) +
                                     offsetof(struct cpu_seg, sel)));
    return v;
}

bool tr_push_(struct tr *s)
{
    const struct x86_operand *op = &s->in->ops[0];
    unsigned sz = s->in->opsize;
    ir_temp v;
    if (op->kind == X86_OPK_REG && op->regclass == X86_RC_SEG) {
        if (op->reg > 5)
            return false;
        v = seg_sel(s, op->reg);
    } else if (op->kind == X86_OPK_IMM) {
        v = tr_const(s, (uint64_t)op->imm & tr_mask(sz));
    } else {
        struct x86_operand o = *op;
        o.size = (uint16_t)sz;
        v = tr_src(s, &o);
        if (v == CPU_T_GPR(X86_RSP)) { /* push rsp pushes the old value */
            ir_temp t = tr_tmp(s);
            ir_mov(s->b, 64, t, v);
            v = t;
        }
    }
    tr_push(s, v, sz);
    return true;
}

bool tr_pop_(struct tr *s)
{
    const struct x86_operand *op = &s->in->ops[0];
    unsigned sz = s->in->opsize;
    ir_temp nsp, v = tr_pop_load(s, sz, &nsp);
    if (op->kind == X86_OPK_REG && op->regclass == X86_RC_SEG) {
        if (op->reg > 5 || op->reg == X86_SEG_CS)
            return false;
        tr_call(s, &helper_load_seg, IR_NONE, tr_const(s, op->reg), v, IR_NONE, IR_NONE);
        tr_set_sp(s, tr_sp_add(s, sz));
        tr_end_next(s); /* hflags may have changed: no chain (tr_mov_sreg) */
        return true;
    }
    if (op->kind == X86_OPK_MEM) {
        struct x86_operand o = *op;
        o.size = (uint16_t)sz;
        s->rsp_adjust = sz;
        ir_temp a = tr_addr(s, &o);
        s->rsp_adjust = 0;
        tr_st(s, a, sz, v);
        tr_set_sp(s, nsp);
        return true;
    }
    if (op->kind != X86_OPK_REG)
        return false;
    tr_set_sp(s, nsp);
    struct x86_operand o = *op;
    o.size = (uint16_t)sz;
    tr_set_regop(s, &o, v);
    return true;
}

bool tr_leave(struct tr *s)
{
    unsigned sz = s->in->opsize;
    ir_temp bp = tr_get_gpr(s, X86_RBP, s->ssize);
    ir_temp v = tr_ld(s, tr_linear(s, X86_SEG_SS, bp, sz), sz);
    ir_temp nsp = tr_tmp(s);
    ir_binop(s->b, IR_ADD, tr_w(s->ssize), nsp, bp, tr_const(s, sz));
    tr_set_sp(s, nsp);
    tr_set_gpr(s, X86_RBP, sz, v);
    return true;
}

bool tr_enter(struct tr *s)
{
    unsigned sz = s->in->opsize, ssw = tr_w(s->ssize);
    uint64_t alloc = (uint64_t)s->in->ops[0].imm & 0xffff;
    unsigned level = (unsigned)s->in->imm2 & 31;
    if (s->in->nops > 1 && s->in->ops[1].kind == X86_OPK_IMM)
        level = (unsigned)s->in->ops[1].imm & 31;
    /* All stores first (at addresses computed from the old rSP/rBP), then the registers. */
    ir_temp t = tr_sp_add(s, -(int64_t)sz);
    ir_temp bp = tr_get_gpr(s, X86_RBP, sz);
    tr_st(s, tr_linear(s, X86_SEG_SS, t, sz), sz, bp);
    ir_temp frame = t;
    for (unsigned i = 1; i < level; i++) {
        ir_temp src = tr_tmp(s), n = tr_tmp(s);
        ir_binop(s->b, IR_SUB, ssw, src, CPU_T_GPR(X86_RBP), tr_const(s, (uint64_t)i * sz));
        ir_temp v = tr_ld(s, tr_linear(s, X86_SEG_SS, src, sz), sz);
        ir_binop(s->b, IR_SUB, ssw, n, t, tr_const(s, sz));
        tr_st(s, tr_linear(s, X86_SEG_SS, n, sz), sz, v);
        t = n;
    }
    if (level > 0) {
        ir_temp n = tr_tmp(s);
        ir_binop(s->b, IR_SUB, ssw, n, t, tr_const(s, sz));
        tr_st(s, tr_linear(s, X86_SEG_SS, n, sz), sz, frame);
        t = n;
    }
    ir_temp nsp = tr_tmp(s);
    ir_binop(s->b, IR_SUB, ssw, nsp, t, tr_const(s, alloc));
    tr_set_gpr(s, X86_RBP, sz, frame);
    tr_set_sp(s, nsp);
    return true;
}

bool tr_pushf(struct tr *s)
{
    unsigned sz = s->in->opsize;
    ir_temp f = tr_tmp(s);
    tr_call(s, &helper_read_eflags, f, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    tr_push(s, f, sz);
    return true;
}

bool tr_popf(struct tr *s)
{
    unsigned sz = s->in->opsize;
    ir_temp v = tr_pop_load(s, sz, NULL), changed = tr_tmp(s);
    tr_call(s, &helper_write_eflags, changed, v, tr_const(s, sz), IR_NONE, IR_NONE);
    tr_set_sp(s, tr_sp_add(s, sz));
    s->cc_op = CC_OP_EFLAGS;
    /* IF, TF, AC... may have changed: the block ends. When the translation state
       changed too (AC at CPL 3 or under SMAP), the next block is looked up, not
       chained: a chain made under the old state must not be followed. */
    unsigned same = ir_label_new(s->b);
    ir_brcond(s->b, 64, IR_EQ, changed, tr_const(s, 0), same);
    tr_end_next(s);
    ir_label(s->b, same);
    tr_goto(s, 0, s->next_eip);
    return true;
}

bool tr_pusha(struct tr *s)
{
    unsigned sz = s->in->opsize;
    ir_temp t = CPU_T_GPR(X86_RSP);
    for (unsigned r = 0; r < 8; r++) {
        ir_temp n = tr_tmp(s);
        ir_binop(s->b, IR_SUB, tr_w(s->ssize), n, t, tr_const(s, sz));
        tr_st(s, tr_linear(s, X86_SEG_SS, n, sz), sz, CPU_T_GPR(r));
        t = n;
    }
    tr_set_sp(s, t);
    return true;
}

bool tr_popa(struct tr *s)
{
    unsigned sz = s->in->opsize;
    ir_temp v[8];
    for (unsigned i = 0; i < 8; i++) {
        ir_temp a = tr_sp_add(s, (int64_t)(i * sz));
        v[7 - i] = tr_ld(s, tr_linear(s, X86_SEG_SS, a, sz), sz);
    }
    tr_set_sp(s, tr_sp_add(s, 8 * sz));
    for (unsigned r = 0; r < 8; r++)
        if (r != X86_RSP)
            tr_set_gpr(s, r, sz, v[r]);
    return true;
}
