/* SPDX-License-Identifier: MIT */
/* tr_far.c: LES LDS LSS LFS LGS, BOUND, BCD adjust and SALC (far transfers: tr_system.c). */
#include "cpu/tr.h"
#include "cpu/helpers.h"

bool tr_lxs(struct tr *s)
{
    static const unsigned segs[] = {
        [X86_OP_LES] = X86_SEG_ES, [X86_OP_LDS] = X86_SEG_DS, [X86_OP_LSS] = X86_SEG_SS,
        [X86_OP_LFS] = X86_SEG_FS, [X86_OP_LGS] = X86_SEG_GS,
    };
    const struct x86_operand *r = &s->in->ops[0], *m = &s->in->ops[1];
    if (m->kind != X86_OPK_MEM)
        return false;
    unsigned sz = s->in->opsize;
    ir_temp ea = tr_ea(s, m), ea2 = tr_tmp(s);
    ir_temp off = tr_ld(s, tr_linear(s, m->seg, ea, sz), sz);
    ir_binop(s->b, IR_ADD, tr_w(s->in->addrsize), ea2, ea, tr_const(s, sz));
    ir_temp sel = tr_ld(s, tr_linear(s, m->seg, ea2, 2), 2);
    tr_call(s, &helper_load_seg, IR_NONE, tr_const(s, segs[s->in->op]), sel, tr_const(s, 1), IR_NONE);
    tr_set_regop(s, r, off);
    tr_end_next(s); /* segment bases / hflags changed: no chain (tr_mov_sreg) */
    return true;
}

bool tr_bound(struct tr *s)
{
    const struct x86_operand *r = &s->in->ops[0], *m = &s->in->ops[1];
    if (m->kind != X86_OPK_MEM)
        return false;
    unsigned sz = r->size, w = tr_w(sz);
    ir_temp ea = tr_ea(s, m), ea2 = tr_tmp(s);
    ir_temp lo = tr_ld(s, tr_linear(s, m->seg, ea, sz), sz);
    ir_binop(s->b, IR_ADD, tr_w(s->in->addrsize), ea2, ea, tr_const(s, sz));
    ir_temp hi = tr_ld(s, tr_linear(s, m->seg, ea2, sz), sz);
    ir_temp v = tr_get_regop(s, r);
    unsigned bad = ir_label_new(s->b), ok = ir_label_new(s->b);
    ir_brcond(s->b, w, IR_LT, v, lo, bad);
    ir_brcond(s->b, w, IR_LE, v, hi, ok);
    ir_label(s->b, bad);
    tr_call(s, &helper_raise, IR_NONE, tr_const(s, EXC_BR), tr_const(s, 0), tr_const(s, 0), IR_NONE);
    ir_exit(s->b, CPU_EXIT_CONTINUE);
    ir_label(s->b, ok);
    return true;
}

bool tr_bcd(struct tr *s)
{
    unsigned kind;
    switch (s->in->op) {
    case X86_OP_DAA: kind = BCD_DAA; break;
    case X86_OP_DAS: kind = BCD_DAS; break;
    case X86_OP_AAA: kind = BCD_AAA; break;
    case X86_OP_AAS: kind = BCD_AAS; break;
    case X86_OP_AAM: kind = BCD_AAM; break;
    case X86_OP_AAD: kind = BCD_AAD; break;
    default: kind = BCD_SALC; break;
    }
    uint64_t imm = (kind == BCD_AAM || kind == BCD_AAD) ? (uint64_t)s->in->ops[0].imm & 0xff : 0;
    tr_call(s, &helper_bcd, IR_NONE, tr_const(s, kind), tr_const(s, imm), IR_NONE, IR_NONE);
    if (kind != BCD_SALC)
        s->cc_op = CC_OP_EFLAGS;
    return true;
}
