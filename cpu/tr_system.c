/* SPDX-License-Identifier: MIT */
/* tr_system.c: translation of INT*, IRET, far JMP/CALL/RET and CLI/STI for every mode. */
#include <stddef.h>
#include "cpu/tr.h"
#include "cpu/tr_sys.h"
#include "cpu/sys_helpers.h"

/* Ends the block after a helper that changed CS, CPL, mode or IF: the next block
   is looked up with the new hflags. */
static void end_dyn(struct tr *s)
{
    tr_goto_ind(s);
}

bool tr_sys_int(struct tr *s)
{
    unsigned op = s->in->op, kind = 0;
    int vec;
    if (op == X86_OP_INT3) {
        vec = EXC_BP;
        kind = 1;
    } else if (op == X86_OP_INT1) {
        vec = EXC_DB;
        kind = 3;
    } else if (op == X86_OP_INTO) {
        vec = EXC_OF;
        kind = 2;
    } else {
        vec = (int)(s->in->ops[0].imm & 0xff);
    }
    unsigned skip = 0;
    if (op == X86_OP_INTO) {
        if (s->mode == X86_MODE_64)
            return false;
        skip = ir_label_new(s->b);
        tr_brcond(s, 1, skip); /* NO: no trap */
    }
    tr_set_rip(s, s->next_eip);
    tr_call(s, &helper_int, IR_NONE, tr_const(s, (uint64_t)vec), tr_const(s, kind),
            tr_const(s, s->eip), IR_NONE);
    if (op == X86_OP_INTO) {
        tr_exit(s, CPU_EXIT_CONTINUE); /* not reached */
        s->ended = false;
        ir_label(s->b, skip);
        tr_goto(s, 0, s->next_eip);
    } else {
        tr_exit(s, CPU_EXIT_CONTINUE);
    }
    return true;
}

bool tr_sys_iret(struct tr *s)
{
    tr_call(s, &helper_iret, IR_NONE, tr_const(s, s->in->opsize), tr_const(s, s->next_eip), IR_NONE,
            IR_NONE);
    if (s->cpu->dbg.exec_mask)
        tr_exit(s, CPU_EXIT_CONTINUE); /* RF may be set: the loop runs what follows (cpu/debug.h) */
    else
        end_dyn(s);
    return true;
}

bool tr_sys_retf(struct tr *s)
{
    uint64_t imm = 0;
    if (s->in->nops > 0 && s->in->ops[0].kind == X86_OPK_IMM)
        imm = (uint64_t)s->in->ops[0].imm & 0xffff;
    tr_call(s, &helper_retf, IR_NONE, tr_const(s, s->in->opsize), tr_const(s, imm), IR_NONE, IR_NONE);
    end_dyn(s);
    return true;
}

/* The selector and offset of a far operand (ptr16:16/32 immediate or m16:16/32/64). */
static void far_operand(struct tr *s, const struct x86_operand *op, ir_temp *sel, ir_temp *off)
{
    unsigned sz = s->in->opsize;
    if (op->kind == X86_OPK_FAR) {
        *sel = tr_const(s, (uint64_t)s->in->imm2 & 0xffff);
        *off = tr_const(s, (uint64_t)op->imm & tr_mask(sz));
        return;
    }
    ir_temp ea = tr_ea(s, op);
    *off = tr_ld(s, tr_linear(s, op->seg, ea, sz), sz);
    ir_temp ea2 = tr_tmp(s);
    ir_binop(s->b, IR_ADD, tr_w(s->in->addrsize), ea2, ea, tr_const(s, sz));
    *sel = tr_ld(s, tr_linear(s, op->seg, ea2, 2), 2);
}

bool tr_sys_farjmp(struct tr *s)
{
    const struct x86_operand *op = &s->in->ops[0];
    if (op->kind != X86_OPK_FAR && op->kind != X86_OPK_MEM)
        return false;
    ir_temp sel, off;
    far_operand(s, op, &sel, &off);
    tr_call(s, &helper_far_jmp, IR_NONE, sel, off, tr_const(s, s->in->opsize),
            tr_const(s, s->next_eip));
    end_dyn(s);
    return true;
}

bool tr_sys_farcall(struct tr *s)
{
    const struct x86_operand *op = &s->in->ops[0];
    if (op->kind != X86_OPK_FAR && op->kind != X86_OPK_MEM)
        return false;
    ir_temp sel, off;
    far_operand(s, op, &sel, &off);
    tr_call(s, &helper_far_call, IR_NONE, sel, off, tr_const(s, s->in->opsize),
            tr_const(s, s->next_eip));
    end_dyn(s);
    return true;
}

bool tr_sys_cli(struct tr *s)
{
    if (s->in->op == X86_OP_CLI) {
        tr_call(s, &helper_cli, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
        return true;
    }
    tr_call(s, &helper_sti, IR_NONE, tr_const(s, s->next_eip), IR_NONE, IR_NONE, IR_NONE);
    tr_set_rip(s, s->next_eip);
    end_dyn(s);
    return true;
}
