/* SPDX-License-Identifier: MIT */
/* tr_string.c: MOVS CMPS STOS LODS SCAS with REP/REPE/REPNE, through helper_string. */
#include "cpu/tr.h"
#include "cpu/helpers.h"
#include "cpu/strop.h"

bool tr_string(struct tr *s)
{
    const struct x86_insn *in = s->in;
    unsigned kind;
    switch (in->op) {
    case X86_OP_MOVS: kind = STR_MOVS; break;
    case X86_OP_CMPS: kind = STR_CMPS; break;
    case X86_OP_STOS: kind = STR_STOS; break;
    case X86_OP_LODS: kind = STR_LODS; break;
    case X86_OP_INS: kind = STR_INS; break;
    case X86_OP_OUTS: kind = STR_OUTS; break;
    default: kind = STR_SCAS; break;
    }
    unsigned size = (in->opcode & 1) ? in->opsize : 1;
    unsigned rep = STR_REP_NONE;
    if (in->rep == X86_REP_F3)
        rep = (kind == STR_CMPS || kind == STR_SCAS) ? STR_REP_E : STR_REP;
    else if (in->rep == X86_REP_F2)
        rep = (kind == STR_CMPS || kind == STR_SCAS) ? STR_REP_NE : STR_REP;
    unsigned seg = in->seg_override != X86_SEG_NONE ? in->seg_override : X86_SEG_DS;
    uint64_t desc = STR_DESC(kind, size, in->addrsize, rep, seg) | (s->single ? STR_ONE : 0);
    ir_temp more = tr_tmp(s);
    tr_call(s, &helper_string, more, tr_const(s, desc), IR_NONE, IR_NONE, IR_NONE);
    s->cc_op = CC_OP_DYNAMIC;
    if (rep == STR_REP_NONE)
        return true;
    /* Not finished: run this instruction again (as a new block, so budget and
       interrupts are checked between rounds). */
    unsigned again = ir_label_new(s->b);
    ir_brcond(s->b, 64, IR_NE, more, tr_const(s, 0), again);
    tr_goto(s, 0, s->next_eip);
    ir_label(s->b, again);
    tr_goto(s, 1, s->eip);
    return true;
}
