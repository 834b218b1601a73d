/* SPDX-License-Identifier: MIT */
/* tr_muldiv.c: MUL IMUL (all forms) DIV IDIV. */
#include "cpu/tr.h"
#include "cpu/helpers.h"

/* One-operand forms (F6/F7 /4../7) go to helper_muldiv: kind 0 MUL, 1 IMUL, 2 DIV, 3 IDIV. */
static bool muldiv1(struct tr *s, unsigned kind)
{
    unsigned sz = (s->in->opcode & 1) ? s->in->opsize : 1;
    struct x86_operand rm;
    tr_modrm_op(s, &rm, sz);
    ir_temp v = tr_src(s, &rm);
    tr_call(s, &helper_muldiv, IR_NONE, tr_const(s, kind | (sz << 8)), v, IR_NONE, IR_NONE);
    if (kind < 2)
        s->cc_op = CC_OP_MUL + tr_lg(sz);
    return true;
}

bool tr_mul(struct tr *s)
{
    return muldiv1(s, 0);
}

bool tr_div(struct tr *s)
{
    return muldiv1(s, s->in->op == X86_OP_DIV ? 2 : 3);
}

bool tr_imul(struct tr *s)
{
    const struct x86_insn *in = s->in;
    if (in->map == X86_MAP_1BYTE && (in->opcode == 0xf6 || in->opcode == 0xf7))
        return muldiv1(s, 1);
    /* IMUL r, r/m (0F AF) or IMUL r, r/m, imm (69, 6B) */
    const struct x86_operand *d = &in->ops[0];
    unsigned sz = d->size, w = tr_w(sz);
    ir_temp a, b;
    if (in->nops >= 3) {
        a = tr_src(s, &in->ops[1]);
        b = tr_const(s, (uint64_t)in->ops[2].imm);
    } else {
        a = tr_get_regop(s, d);
        b = tr_src(s, &in->ops[1]);
    }
    ir_temp lo = tr_tmp(s), ovf = tr_tmp(s);
    if (sz == 8) {
        ir_temp hi = tr_tmp(s), sg = tr_tmp(s);
        ir_binop(s->b, IR_MUL, 64, lo, a, b);
        ir_binop(s->b, IR_MULSH, 64, hi, a, b);
        ir_binop(s->b, IR_SAR, 64, sg, lo, tr_const(s, 63));
        ir_binop(s->b, IR_XOR, 64, ovf, hi, sg);
    } else {
        ir_temp sa = tr_tmp(s), sb = tr_tmp(s), p = tr_tmp(s), r = tr_tmp(s);
        ir_sext(s->b, 64, sa, a, w);
        ir_sext(s->b, 64, sb, b, w);
        ir_binop(s->b, IR_MUL, 64, p, sa, sb);
        ir_sext(s->b, 64, r, p, w);
        ir_binop(s->b, IR_XOR, 64, ovf, p, r);
        ir_mov(s->b, w, lo, p);
    }
    ir_temp old = tr_flags(s);
    tr_set_regop(s, d, lo);
    tr_set_cc(s, CC_OP_MUL + tr_lg(sz), lo, ovf, old);
    return true;
}
