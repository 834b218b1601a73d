/* SPDX-License-Identifier: MIT */
/* tr_alu.c: ADD ADC SUB SBB AND OR XOR CMP TEST INC DEC NEG NOT CMPXCHG XADD CMPXCHG8B/16B. */
#include "cpu/tr.h"
#include "cpu/helpers.h"
#include "cpu/rmw.h"

/* Locked read-modify-write through the atomic helper; returns the old value. */
static ir_temp locked(struct tr *s, unsigned kind, const struct tr_opnd *d, ir_temp src, ir_temp extra)
{
    ir_temp old = tr_tmp(s);
    tr_seg_wcheck(s, d->addr);
    tr_call(s, &helper_lock_rmw, old, tr_const(s, kind | (d->size << 8) | (d->op->seg == X86_SEG_SS ? RMW_SS : 0)), d->addr, src,
            extra == IR_NONE ? tr_const(s, 0) : extra);
    return old;
}

bool tr_alu(struct tr *s)
{
    const struct x86_insn *in = s->in;
    unsigned op = in->op;
    struct tr_opnd d;
    tr_opnd(s, &d, &in->ops[0]);
    unsigned size = d.size, w = tr_w(size), lg = tr_lg(size);
    const struct x86_operand *so = &in->ops[1];
    ir_temp res = tr_tmp(s);

    /* xor r, r / sub r, r: constant zero, no dependence on the old value */
    if ((op == X86_OP_XOR || op == X86_OP_SUB) && d.op->kind == X86_OPK_REG &&
        so->kind == X86_OPK_REG && so->reg == d.op->reg && so->regclass == d.op->regclass) {
        ir_temp z = tr_const(s, 0);
        tr_write(s, &d, z);
        if (op == X86_OP_XOR)
            tr_set_cc(s, CC_OP_LOGIC + lg, z, IR_NONE, IR_NONE);
        else
            tr_set_cc(s, CC_OP_SUB + lg, z, z, z);
        return true;
    }
    ir_temp b = tr_src(s, so);
    ir_temp c = IR_NONE, a;
    if (op == X86_OP_ADC || op == X86_OP_SBB)
        c = tr_cf(s);
    if (in->lock) {
        static const unsigned kinds[] = {
            [X86_OP_ADD] = RMW_ADD, [X86_OP_OR] = RMW_OR, [X86_OP_ADC] = RMW_ADC,
            [X86_OP_SBB] = RMW_SBB, [X86_OP_AND] = RMW_AND, [X86_OP_SUB] = RMW_SUB,
            [X86_OP_XOR] = RMW_XOR,
        };
        if (op == X86_OP_CMP)
            return false;
        a = locked(s, kinds[op], &d, b, c);
    } else {
        a = tr_read(s, &d);
    }
    switch (op) {
    case X86_OP_ADD: ir_binop(s->b, IR_ADD, w, res, a, b); break;
    case X86_OP_SUB: case X86_OP_CMP: ir_binop(s->b, IR_SUB, w, res, a, b); break;
    case X86_OP_AND: ir_binop(s->b, IR_AND, w, res, a, b); break;
    case X86_OP_OR: ir_binop(s->b, IR_OR, w, res, a, b); break;
    case X86_OP_XOR: ir_binop(s->b, IR_XOR, w, res, a, b); break;
    case X86_OP_ADC: {
        ir_temp t = tr_tmp(s);
        ir_binop(s->b, IR_ADD, w, t, a, b);
        ir_binop(s->b, IR_ADD, w, res, t, c);
        break;
    }
    case X86_OP_SBB: {
        ir_temp t = tr_tmp(s);
        ir_binop(s->b, IR_SUB, w, t, a, b);
        ir_binop(s->b, IR_SUB, w, res, t, c);
        break;
    }
    default:
        return false;
    }
    if (op != X86_OP_CMP && !in->lock)
        tr_write(s, &d, res);
    switch (op) {
    case X86_OP_ADD: tr_set_cc(s, CC_OP_ADD + lg, res, b, a); break;
    case X86_OP_SUB: case X86_OP_CMP: tr_set_cc(s, CC_OP_SUB + lg, res, b, a); break;
    case X86_OP_ADC: tr_set_cc(s, CC_OP_ADC + lg, res, b, c); break;
    case X86_OP_SBB: tr_set_cc(s, CC_OP_SBB + lg, res, b, c); break;
    default: tr_set_cc(s, CC_OP_LOGIC + lg, res, IR_NONE, IR_NONE); break;
    }
    return true;
}

bool tr_test(struct tr *s)
{
    unsigned size = s->in->ops[0].size;
    ir_temp a = tr_src(s, &s->in->ops[0]);
    ir_temp b = tr_src(s, &s->in->ops[1]);
    ir_temp res = tr_tmp(s);
    ir_binop(s->b, IR_AND, tr_w(size), res, a, b);
    tr_set_cc(s, CC_OP_LOGIC + tr_lg(size), res, IR_NONE, IR_NONE);
    return true;
}

bool tr_incdec(struct tr *s)
{
    bool inc = s->in->op == X86_OP_INC;
    struct tr_opnd d;
    tr_opnd(s, &d, &s->in->ops[0]);
    unsigned w = tr_w(d.size), lg = tr_lg(d.size);
    ir_temp c = tr_cf(s), res = tr_tmp(s), one = tr_const(s, 1), a;
    if (s->in->lock)
        a = locked(s, inc ? RMW_ADD : RMW_SUB, &d, one, IR_NONE);
    else
        a = tr_read(s, &d);
    ir_binop(s->b, inc ? IR_ADD : IR_SUB, w, res, a, one);
    if (!s->in->lock)
        tr_write(s, &d, res);
    tr_set_cc(s, (inc ? CC_OP_INC : CC_OP_DEC) + lg, res, IR_NONE, c);
    return true;
}

bool tr_negnot(struct tr *s)
{
    bool neg = s->in->op == X86_OP_NEG;
    struct tr_opnd d;
    tr_opnd(s, &d, &s->in->ops[0]);
    unsigned w = tr_w(d.size), lg = tr_lg(d.size);
    ir_temp res = tr_tmp(s), a;
    if (s->in->lock)
        a = locked(s, neg ? RMW_NEG : RMW_NOT, &d, tr_const(s, 0), IR_NONE);
    else
        a = tr_read(s, &d);
    ir_unop(s->b, neg ? IR_NEG : IR_NOT, w, res, a);
    if (!s->in->lock)
        tr_write(s, &d, res);
    if (neg)
        tr_set_cc(s, CC_OP_SUB + lg, res, a, tr_const(s, 0));
    return true;
}

/* The 64-bit value reg would hold after writing v at size (without writing it). */
static ir_temp merged(struct tr *s, unsigned reg, unsigned size, ir_temp v)
{
    ir_temp t = tr_tmp(s);
    if (size >= 4)
        ir_mov(s->b, tr_w(size), t, v);
    else
        ir_deposit(s->b, 64, t, CPU_T_GPR(reg), v, 0, tr_w(size));
    return t;
}

bool tr_cmpxchg(struct tr *s)
{
    struct tr_opnd d;
    tr_opnd(s, &d, &s->in->ops[0]);
    unsigned size = d.size, w = tr_w(size);
    const struct x86_operand *so = &s->in->ops[s->in->nops - 1];
    ir_temp src = tr_get_regop(s, so);
    ir_temp acc = tr_get_gpr(s, X86_RAX, size);
    ir_temp old;
    if (s->in->lock) {
        old = locked(s, RMW_CMPXCHG, &d, src, acc);
    } else {
        old = tr_read(s, &d);
        if (d.op->kind == X86_OPK_MEM) {
            ir_temp nv = tr_tmp(s);
            ir_movcond(s->b, w, IR_EQ, nv, old, acc, src, old);
            tr_st(s, d.addr, size, nv);
        }
    }
    ir_temp res = tr_tmp(s);
    ir_binop(s->b, IR_SUB, w, res, acc, old);
    /* failure: rAX = old; success: a register destination = src */
    ir_temp nrax = tr_tmp(s);
    ir_movcond(s->b, 64, IR_EQ, nrax, res, tr_const(s, 0), CPU_T_GPR(X86_RAX),
               merged(s, X86_RAX, size, old));
    ir_mov(s->b, 64, CPU_T_GPR(X86_RAX), nrax);
    if (d.op->kind == X86_OPK_REG) {
        if (d.op->regclass == X86_RC_GPR8_HIGH) {
            ir_temp g = CPU_T_GPR(d.op->reg & 3), nd = tr_tmp(s), dep = tr_tmp(s);
            ir_deposit(s->b, 64, dep, g, src, 8, 8);
            ir_movcond(s->b, 64, IR_EQ, nd, res, tr_const(s, 0), dep, g);
            ir_mov(s->b, 64, g, nd);
        } else {
            ir_temp g = CPU_T_GPR(d.op->reg), nd = tr_tmp(s);
            ir_movcond(s->b, 64, IR_EQ, nd, res, tr_const(s, 0), merged(s, d.op->reg, size, src), g);
            ir_mov(s->b, 64, g, nd);
        }
    }
    tr_set_cc(s, CC_OP_SUB + tr_lg(size), res, old, acc);
    return true;
}

bool tr_xadd(struct tr *s)
{
    struct tr_opnd d;
    tr_opnd(s, &d, &s->in->ops[0]);
    unsigned size = d.size, w = tr_w(size);
    const struct x86_operand *so = &s->in->ops[1];
    ir_temp src = tr_get_regop(s, so), old, sum = tr_tmp(s);
    if (s->in->lock)
        old = locked(s, RMW_ADD, &d, src, IR_NONE);
    else
        old = tr_read(s, &d);
    ir_binop(s->b, IR_ADD, w, sum, old, src);
    if (d.op->kind == X86_OPK_MEM) {
        if (!s->in->lock)
            tr_st(s, d.addr, size, sum);
        tr_set_regop(s, so, old);
    } else {
        tr_set_regop(s, so, old);
        tr_set_regop(s, d.op, sum);
    }
    tr_set_cc(s, CC_OP_ADD + tr_lg(size), sum, src, old);
    return true;
}

bool tr_cmpxchg8b(struct tr *s)
{
    const struct x86_operand *m = &s->in->ops[0];
    if (m->kind != X86_OPK_MEM)
        return false;
    unsigned size = s->in->op == X86_OP_CMPXCHG16B ? 16 : 8;
    if (size == 16 && s->mode != X86_MODE_64)
        return false;
    ir_temp a = tr_addr(s, m);
    tr_seg_wcheck(s, a);
    tr_call(s, &helper_cmpxchg8b, IR_NONE, tr_const(s, size), a, tr_const(s, m->seg == X86_SEG_SS),
            IR_NONE);
    s->cc_op = CC_OP_EFLAGS;
    return true;
}
