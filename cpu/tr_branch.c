/* SPDX-License-Identifier: MIT */
/* tr_branch.c: JMP Jcc CALL RET LOOP/LOOPE/LOOPNE JrCXZ (near). */
#include "cpu/tr.h"

static uint64_t rel_target(struct tr *s, const struct x86_operand *op)
{
    return (s->next_eip + (uint64_t)op->imm) & tr_eip_mask(s, s->in->opsize);
}

/* Writes rip = v (zero-extended from opsize) and ends the block indirectly. */
static void jump_ind(struct tr *s, ir_temp v)
{
    unsigned sz = s->mode == X86_MODE_64 ? 8 : s->in->opsize;
    ir_mov(s->b, tr_w(sz), CPU_T_RIP, v);
    tr_goto_ind_near(s);
}

bool tr_jmp(struct tr *s)
{
    const struct x86_operand *op = &s->in->ops[0];
    if (op->kind == X86_OPK_REL) {
        uint64_t target = rel_target(s, op);
        if (!tr_follow(s, target))
            tr_goto(s, 0, target);
        return true;
    }
    if (op->kind != X86_OPK_REG && op->kind != X86_OPK_MEM)
        return false;
    jump_ind(s, tr_src(s, op));
    return true;
}

bool tr_jcc(struct tr *s)
{
    const struct x86_operand *op = &s->in->ops[0];
    if (op->kind != X86_OPK_REL)
        return false;
    if (tr_ifconv_begin(s, rel_target(s, op)))
        return true; /* no branch: the block goes on with the instructions it skips */
    unsigned taken = ir_label_new(s->b);
    tr_brcond(s, s->in->cc, taken);
    tr_goto(s, 0, s->next_eip);
    ir_label(s->b, taken);
    tr_goto(s, 1, rel_target(s, op));
    return true;
}

bool tr_call_(struct tr *s)
{
    const struct x86_operand *op = &s->in->ops[0];
    unsigned sz = s->in->opsize;
    ir_temp ret = tr_const(s, s->next_eip);
    if (op->kind == X86_OPK_REL) {
        tr_push(s, ret, sz);
        uint64_t target = rel_target(s, op);
        if (!tr_follow(s, target))
            tr_goto(s, 0, target);
        return true;
    }
    if (op->kind != X86_OPK_REG && op->kind != X86_OPK_MEM)
        return false;
    ir_temp target = tr_src(s, op);
    if (op->kind == X86_OPK_REG && sz == 8) { /* call rsp: read before the push */
        ir_temp t = tr_tmp(s);
        ir_mov(s->b, 64, t, target);
        target = t;
    }
    tr_push(s, ret, sz);
    jump_ind(s, target);
    return true;
}

bool tr_ret(struct tr *s)
{
    unsigned sz = s->in->opsize;
    uint64_t extra = 0;
    if (s->in->nops > 0 && s->in->ops[0].kind == X86_OPK_IMM)
        extra = (uint64_t)s->in->ops[0].imm & 0xffff;
    ir_temp v = tr_pop_load(s, sz, NULL);
    tr_set_sp(s, tr_sp_add(s, (int64_t)(sz + extra)));
    jump_ind(s, v);
    return true;
}

/* rCX at the address size minus one, written back. Returns the new value. */
static ir_temp dec_count(struct tr *s)
{
    unsigned as = s->in->addrsize;
    ir_temp c = tr_tmp(s);
    ir_binop(s->b, IR_SUB, tr_w(as), c, CPU_T_GPR(X86_RCX), tr_const(s, 1));
    tr_set_gpr(s, X86_RCX, as, c);
    return c;
}

static const struct x86_operand *rel_op(struct tr *s)
{
    for (unsigned i = 0; i < s->in->nops && i < 4; i++)
        if (s->in->ops[i].kind == X86_OPK_REL)
            return &s->in->ops[i];
    return NULL;
}

bool tr_loop(struct tr *s)
{
    const struct x86_operand *op = rel_op(s);
    if (!op)
        return false;
    unsigned as = s->in->addrsize;
    ir_temp z = IR_NONE;
    if (s->in->op != X86_OP_LOOP)
        z = tr_cond(s, s->in->op == X86_OP_LOOPE ? 4 : 5); /* ZF / !ZF, before the count moves */
    ir_temp c = dec_count(s);
    ir_temp t = tr_tmp(s);
    ir_setcond(s->b, tr_w(as), IR_NE, t, c, tr_const(s, 0));
    if (z != IR_NONE)
        ir_binop(s->b, IR_AND, 64, t, t, z);
    unsigned taken = ir_label_new(s->b);
    ir_brcond(s->b, 64, IR_NE, t, tr_const(s, 0), taken);
    tr_goto(s, 0, s->next_eip);
    ir_label(s->b, taken);
    tr_goto(s, 1, rel_target(s, op));
    return true;
}

bool tr_jrcxz(struct tr *s)
{
    const struct x86_operand *op = rel_op(s);
    if (!op)
        return false;
    unsigned taken = ir_label_new(s->b);
    ir_brcond(s->b, tr_w(s->in->addrsize), IR_EQ, CPU_T_GPR(X86_RCX), tr_const(s, 0), taken);
    tr_goto(s, 0, s->next_eip);
    ir_label(s->b, taken);
    tr_goto(s, 1, rel_target(s, op));
    return true;
}
