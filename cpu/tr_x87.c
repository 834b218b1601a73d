/* SPDX-License-Identifier: MIT */
/* tr_x87.c: translation of x87 instructions (D8-DF): one helper_x87 call each. */
#include "cpu/tr.h"
#include "cpu/tr_sse.h"
#include "cpu/x87.h"

/* x87 instructions whose memory operand is written (segment write check). */
static bool x87_stores(unsigned op)
{
    switch (op) {
    case X86_OP_FST: case X86_OP_FSTP: case X86_OP_FIST: case X86_OP_FISTP: case X86_OP_FISTTP:
    case X86_OP_FBSTP: case X86_OP_FNSTENV: case X86_OP_FNSTCW: case X86_OP_FNSAVE:
    case X86_OP_FNSTSW:
        return true;
    default:
        return false;
    }
}

bool tr_x87(struct tr *s)
{
    const struct x86_insn *in = s->in;
    unsigned d = X87_NONE, sr = X87_NONE, msize = 0;
    bool mem = false;
    ir_temp addr = tr_const(s, 0);
    for (unsigned i = 0; i < in->nops && i < 2; i++) {
        const struct x86_operand *o = &in->ops[i];
        if (o->kind == X86_OPK_MEM) {
            mem = true;
            msize = o->size;
            addr = tr_linear_chk(s, o->seg, tr_ea(s, o), o->size, x87_stores(in->op));
        } else if (o->kind == X86_OPK_REG && o->regclass == X86_RC_ST) {
            if (i == 0)
                d = o->reg & 7;
            else
                sr = o->reg & 7;
        }
    }
    /* single ST(i) operand: it is the "source" of FLD/FCOM..., the destination of FST/FXCH/FFREE */
    if (in->nops == 1 && d != X87_NONE)
        sr = d;
    ir_temp cond = tr_const(s, 0);
    if (in->op == X86_OP_FCMOVCC)
        cond = tr_cond(s, in->cc);
    uint64_t desc = X87_DESC(in->op, d, sr, msize, in->modrm, in->opcode, mem,
                             in->opsize != 2, s->mode == X86_MODE_64);
    ir_temp r = tr_tmp(s);
    tr_call(s, &helper_x87, r, tr_const(s, desc), addr, cond, tr_const(s, 0));
    if (in->op == X86_OP_FCOMI || in->op == X86_OP_FCOMIP || in->op == X86_OP_FUCOMI ||
        in->op == X86_OP_FUCOMIP) {
        ir_temp f = tr_tmp(s);
        ir_binop(s->b, IR_AND, 64, f, r, tr_const(s, CPU_ARITH_FLAGS));
        tr_set_flags_val(s, f);
    }
    return true;
}

/* FWAIT ends its block, so an IRQ 13 it raised through FERR# (CR0.NE = 0) is
   taken right after it, as the programs that wait for it expect. */
bool tr_fwait(struct tr *s)
{
    tr_call(s, &helper_fwait, IR_NONE, tr_const(s, 0), tr_const(s, 0), tr_const(s, 0), tr_const(s, 0));
    tr_goto(s, 0, s->next_eip);
    return true;
}
