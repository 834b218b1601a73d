/* SPDX-License-Identifier: MIT */
/* tr_shift.c: SHL SAL SHR SAR (inline) ROL ROR RCL RCR SHLD SHRD (pure helpers). */
#include "cpu/tr.h"
#include "cpu/helpers.h"

/* The count operand of a shift: 1 (D0/D1), CL (D2/D3) or imm8 (C0/C1). imm: *k gets it. */
static ir_temp shift_count(struct tr *s, bool *is_imm, unsigned *k)
{
    const struct x86_insn *in = s->in;
    unsigned op = in->opcode;
    *is_imm = true;
    if (in->map == X86_MAP_1BYTE && (op == 0xd0 || op == 0xd1)) {
        *k = 1;
        return IR_NONE;
    }
    if (in->map == X86_MAP_1BYTE && (op == 0xd2 || op == 0xd3)) {
        *is_imm = false;
        ir_temp c = tr_tmp(s);
        ir_binop(s->b, IR_AND, 64, c, CPU_T_GPR(X86_RCX), tr_const(s, in->ops[0].size == 8 ? 63 : 31));
        return c;
    }
    for (unsigned i = 1; i < in->nops && i < 4; i++)
        if (in->ops[i].kind == X86_OPK_IMM) {
            *k = (unsigned)in->ops[i].imm;
            return IR_NONE;
        }
    *k = 1;
    return IR_NONE;
}

/* SHL/SHR/SAR of a (already loaded) by c (1..63), writing d and the lazy flags. */
static void shift_inline(struct tr *s, unsigned op, const struct tr_opnd *d, ir_temp a, ir_temp c)
{
    unsigned w = tr_w(d->size), lg = tr_lg(d->size);
    ir_temp c1 = tr_tmp(s), t = tr_tmp(s), res = tr_tmp(s), cf = tr_tmp(s);
    ir_binop(s->b, IR_SUB, 64, c1, c, tr_const(s, 1));
    if (op == X86_OP_SHL || op == X86_OP_SAL) {
        ir_binop(s->b, IR_SHL, 64, t, a, c1);           /* a zero-extended: bits above w are 0 */
        ir_extract(s->b, 64, cf, t, w - 1, 1);
        /* the result straight from a (not from t): one shift on the data's path.
           c < 64 but may reach w for 8/16 bits, where IR shifts take it mod w */
        if (w >= 32) {
            ir_binop(s->b, IR_SHL, w, res, a, c);
        } else {
            ir_temp r64 = tr_tmp(s);
            ir_binop(s->b, IR_SHL, 64, r64, a, c);
            ir_mov(s->b, w, res, r64);
        }
        tr_write(s, d, res);
        tr_set_cc(s, CC_OP_SHL + lg, res, cf, IR_NONE);
    } else if (op == X86_OP_SHR) {
        ir_temp az = tr_tmp(s);
        ir_mov(s->b, w, az, a);
        ir_binop(s->b, IR_SHR, 64, t, az, c1);
        ir_binop(s->b, IR_AND, 64, cf, t, tr_const(s, 1));
        ir_binop(s->b, IR_SHR, 64, res, az, c);           /* c < 64: not from t, one shift */
        tr_write(s, d, res);
        /* OF comes from the last 1-bit step: MSB of the value it shifted */
        tr_set_cc(s, CC_OP_SHR + lg, res, cf, t);
    } else {
        ir_temp as = tr_tmp(s);
        ir_sext(s->b, 64, as, a, w);
        ir_binop(s->b, IR_SAR, 64, t, as, c1);
        ir_binop(s->b, IR_AND, 64, cf, t, tr_const(s, 1));
        ir_binop(s->b, IR_SAR, 64, res, as, c);           /* c < 64: not from t, one shift */
        ir_mov(s->b, w, res, res);
        tr_write(s, d, res);
        tr_set_cc(s, CC_OP_SAR + lg, res, cf, IR_NONE);
    }
}

bool tr_shift(struct tr *s)
{
    unsigned op = s->in->op;
    struct tr_opnd d;
    tr_opnd(s, &d, &s->in->ops[0]);
    bool is_imm;
    unsigned k = 0;
    ir_temp c = shift_count(s, &is_imm, &k);
    if (is_imm) {
        k &= d.size == 8 ? 63 : 31;
        if (k == 0) {
            /* count 0: flags unchanged; a 32-bit register is still written (zero-extended) */
            if (d.op->kind == X86_OPK_REG && d.size == 4)
                tr_write(s, &d, tr_read(s, &d));
            return true;
        }
        c = tr_const(s, k);
    }
    ir_temp a = tr_read(s, &d);
    if (op == X86_OP_ROL || op == X86_OP_ROR || op == X86_OP_RCL || op == X86_OP_RCR) {
        unsigned kind = op == X86_OP_ROL ? 0 : op == X86_OP_ROR ? 1 : op == X86_OP_RCL ? 2 : 3;
        ir_temp desc = tr_const(s, kind | (d.size << 8));
        ir_temp f = tr_flags(s), res = tr_tmp(s), nf = tr_tmp(s);
        if (kind < 2) /* ROL/ROR inline; IR rotates take the count modulo the width, like x86 */
            ir_binop(s->b, kind == 0 ? IR_ROTL : IR_ROTR, tr_w(d.size), res, a, c);
        else
            tr_call(s, &helper_rot, res, desc, a, c, f);
        tr_call(s, &helper_rot_flags, nf, desc, a, c, f);
        tr_write(s, &d, res);
        tr_set_flags_val(s, nf);
        return true;
    }
    if (is_imm) {
        shift_inline(s, op, &d, a, c);
        return true;
    }
    unsigned skip = ir_label_new(s->b), done = ir_label_new(s->b);
    ir_brcond(s->b, 64, IR_EQ, c, tr_const(s, 0), skip);
    shift_inline(s, op, &d, a, c);
    ir_br(s->b, done);
    ir_label(s->b, skip);
    if (d.op->kind == X86_OPK_REG && d.size == 4)
        tr_write(s, &d, a);
    ir_label(s->b, done);
    s->cc_op = CC_OP_DYNAMIC;
    return true;
}

bool tr_shd(struct tr *s)
{
    const struct x86_insn *in = s->in;
    struct tr_opnd d;
    tr_opnd(s, &d, &in->ops[0]);
    ir_temp src = tr_get_regop(s, &in->ops[1]);
    ir_temp c;
    if (in->nops >= 3 && in->ops[2].kind == X86_OPK_IMM) {
        unsigned k = (unsigned)in->ops[2].imm & (d.size == 8 ? 63 : 31);
        if (k == 0) {
            if (d.op->kind == X86_OPK_REG && d.size == 4)
                tr_write(s, &d, tr_read(s, &d));
            return true;
        }
        c = tr_const(s, k);
    } else {
        c = tr_tmp(s);
        ir_binop(s->b, IR_AND, 64, c, CPU_T_GPR(X86_RCX), tr_const(s, d.size == 8 ? 63 : 31));
    }
    ir_temp a = tr_read(s, &d);
    ir_temp desc = tr_const(s, (in->op == X86_OP_SHRD ? 1u : 0u) | (d.size << 8));
    ir_temp res = tr_tmp(s), nf = tr_tmp(s), f = tr_flags(s), f2 = tr_tmp(s);
    tr_call(s, &helper_shd, res, desc, a, src, c);
    tr_call(s, &helper_shd_flags, nf, desc, a, src, c);
    ir_movcond(s->b, 64, IR_EQ, f2, c, tr_const(s, 0), f, nf);
    tr_write(s, &d, res);
    tr_set_flags_val(s, f2);
    return true;
}
