/* SPDX-License-Identifier: MIT */
/* tr_priv.c: translation of LGDT..SIDT, LLDT/LTR/SLDT/STR, MOV CR, LMSW/SMSW, CLTS, INVLPG, MSRs, SYSCALL & co. */
#include "cpu/tr.h"
#include "cpu/tr_sys.h"
#include "cpu/sys_helpers.h"

/* Ends the block after an instruction that may have changed the translation state. */
bool tr_sys_desc_table(struct tr *s)
{
    const struct x86_operand *m = &s->in->ops[0];
    if (m->kind != X86_OPK_MEM)
        return false;
    unsigned which;
    switch (s->in->op) {
    case X86_OP_LGDT: which = 0; break;
    case X86_OP_LIDT: which = 1; break;
    case X86_OP_SGDT: which = 2; break;
    default: which = 3; break;
    }
    ir_temp a = tr_linear(s, m->seg, tr_ea(s, m), 6);
    if (which >= 2)
        tr_seg_wcheck(s, a); /* SGDT / SIDT store */
    tr_call(s, &helper_lgdt, IR_NONE, tr_const(s, which), a, tr_const(s, s->in->opsize), IR_NONE);
    return true;
}

/* LLDT LTR (Ew) and SLDT STR (Rv / Mw). */
bool tr_sys_ldt_tr(struct tr *s)
{
    const struct x86_operand *op = &s->in->ops[0];
    unsigned op_id = s->in->op;
    if (op_id == X86_OP_LLDT || op_id == X86_OP_LTR) {
        struct x86_operand o = *op;
        o.size = 2;
        ir_temp sel = tr_src(s, &o);
        tr_call(s, &helper_lldt_ltr, IR_NONE, tr_const(s, op_id == X86_OP_LTR), sel, IR_NONE, IR_NONE);
        return true;
    }
    ir_temp v = tr_tmp(s);
    tr_call(s, &helper_lldt_ltr, v, tr_const(s, op_id == X86_OP_STR ? 3 : 2), IR_NONE, IR_NONE, IR_NONE);
    tr_write_w16(s, op, v);
    return true;
}

/* MOV to/from CRn and DRn. */
bool tr_sys_mov_cr(struct tr *s)
{
    const struct x86_operand *a = &s->in->ops[0], *b = &s->in->ops[1];
    unsigned sz = s->mode == X86_MODE_64 ? 8 : 4;
    unsigned rc = s->in->op == X86_OP_MOV_DR ? X86_RC_DR : X86_RC_CR;
    const struct ir_helper *h = rc == X86_RC_DR ? &helper_mov_dr : &helper_mov_cr;
    if (a->kind == X86_OPK_REG && a->regclass == rc) {
        if (b->kind != X86_OPK_REG)
            return false;
        tr_call(s, h, IR_NONE, tr_const(s, a->reg), tr_get_gpr(s, b->reg, sz), tr_const(s, 1), IR_NONE);
        if (rc == X86_RC_DR) {
            tr_set_rip(s, s->next_eip);
            tr_exit(s, CPU_EXIT_CONTINUE); /* the loop flushes translations the new DRs made stale */
        } else {
            tr_end_next(s); /* PE, PG, LMA, TLB... */
        }
        return true;
    }
    if (b->kind != X86_OPK_REG || b->regclass != rc || a->kind != X86_OPK_REG)
        return false;
    ir_temp v = tr_tmp(s);
    tr_call(s, h, v, tr_const(s, b->reg), tr_const(s, 0), tr_const(s, 0), IR_NONE);
    tr_set_gpr(s, a->reg, sz, v);
    return true;
}

bool tr_sys_msw(struct tr *s)
{
    const struct x86_operand *op = &s->in->ops[0];
    if (s->in->op == X86_OP_LMSW) {
        struct x86_operand o = *op;
        o.size = 2;
        tr_call(s, &helper_lmsw, IR_NONE, tr_src(s, &o), IR_NONE, IR_NONE, IR_NONE);
        tr_end_next(s);
        return true;
    }
    ir_temp v = tr_tmp(s);
    tr_call(s, &helper_mov_cr, v, tr_const(s, 0), tr_const(s, 0), tr_const(s, 0), IR_NONE);
    tr_write_w16(s, op, v);
    return true;
}

/* CLTS, STAC, CLAC, INVLPG, RDMSR, WRMSR, SWAPGS, RDTSCP, RDPID, WBINVD, INVD, CLFLUSH, CLFLUSHOPT. */
bool tr_sys_misc(struct tr *s)
{
    switch (s->in->op) {
    case X86_OP_CLTS:
        tr_call(s, &helper_clts, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
        return true;
    case X86_OP_STAC: case X86_OP_CLAC:
        tr_call(s, &helper_stac, IR_NONE, tr_const(s, s->in->op == X86_OP_STAC), IR_NONE, IR_NONE,
                IR_NONE);
        tr_end_next(s); /* AC selects the MMU mode under SMAP (HF_SMAP_AC) */
        return true;
    case X86_OP_WBINVD: case X86_OP_INVD:
        tr_call(s, &helper_wbinvd, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
        return true;
    case X86_OP_CLFLUSH: case X86_OP_CLFLUSHOPT: {
        /* No cache to flush; the permission checks and faults are a byte load's. */
        const struct x86_operand *m = &s->in->ops[0];
        if (m->kind != X86_OPK_MEM)
            return false;
        tr_ld(s, tr_addr(s, m), 1);
        return true;
    }
    case X86_OP_INVLPG: {
        const struct x86_operand *m = &s->in->ops[0];
        if (m->kind != X86_OPK_MEM)
            return false;
        ir_temp a = tr_linear(s, m->seg, tr_ea(s, m), 0); /* no access: no limit check */
        tr_call(s, &helper_invlpg, IR_NONE, a, IR_NONE, IR_NONE, IR_NONE);
        tr_end_next(s);
        return true;
    }
    case X86_OP_RDMSR: case X86_OP_WRMSR:
        tr_call(s, &helper_msr, IR_NONE, tr_const(s, s->in->op == X86_OP_WRMSR), IR_NONE, IR_NONE,
                IR_NONE);
        if (s->in->op == X86_OP_WRMSR)
            tr_end_next(s); /* EFER, FS/GS bases */
        return true;
    case X86_OP_SWAPGS:
        tr_call(s, &helper_swapgs, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
        return true;
    case X86_OP_RDTSCP:
        tr_call(s, &helper_rdtscp, IR_NONE, tr_const(s, 0), IR_NONE, IR_NONE, IR_NONE);
        return true;
    case X86_OP_RDPID: {
        const struct x86_operand *r = &s->in->ops[0];
        if (r->kind != X86_OPK_REG)
            return false;
        ir_temp v = tr_tmp(s);
        tr_call(s, &helper_rdtscp, v, tr_const(s, 1), IR_NONE, IR_NONE, IR_NONE);
        tr_set_gpr(s, r->reg, s->mode == X86_MODE_64 ? 8 : 4, v);
        return true;
    }
    default:
        return false;
    }
}

/* SYSCALL SYSRET SYSENTER SYSEXIT. */
bool tr_sys_fastcall(struct tr *s)
{
    unsigned kind;
    switch (s->in->op) {
    case X86_OP_SYSCALL: kind = 0; break;
    case X86_OP_SYSRET: kind = 1; break;
    case X86_OP_SYSENTER: kind = 2; break;
    default: kind = 3; break;
    }
    unsigned opsize = s->in->rex_w ? 8 : 4;
    tr_call(s, &helper_fastcall, IR_NONE, tr_const(s, kind), tr_const(s, s->next_eip),
            tr_const(s, opsize), IR_NONE);
    tr_goto_ind(s);
    return true;
}

/* LAR LSL (Gv, Ew) and VERR VERW (Ew). */
bool tr_sys_lar(struct tr *s)
{
    unsigned op_id = s->in->op;
    unsigned kind = op_id == X86_OP_LAR ? 0 : op_id == X86_OP_LSL ? 1 : op_id == X86_OP_VERR ? 2 : 3;
    const struct x86_operand *src = &s->in->ops[kind < 2 ? 1 : 0];
    struct x86_operand o = *src;
    o.size = 2;
    ir_temp sel = tr_src(s, &o);
    ir_temp v = tr_tmp(s);
    tr_call(s, &helper_larlsl, v, tr_const(s, kind), sel, IR_NONE, IR_NONE);
    s->cc_op = CC_OP_EFLAGS;
    if (kind < 2) {
        unsigned skip = ir_label_new(s->b);
        ir_brcond(s->b, 64, IR_EQ, v, tr_const(s, ~(uint64_t)0), skip);
        tr_set_regop(s, &s->in->ops[0], v);
        ir_label(s->b, skip);
    }
    return true;
}
