/* SPDX-License-Identifier: MIT */
/* tr_emit.c: translator building blocks: registers, addresses, memory, stack, exits. */
#include <stddef.h>
#include <string.h>
#include "cpu/tr.h"
#include "cpu/helpers.h"

ir_temp tr_get_gpr(struct tr *s, unsigned reg, unsigned size)
{
    /* always a copy: the caller may write the register before using the value */
    ir_temp t = tr_tmp(s);
    ir_mov(s->b, tr_w(size), t, CPU_T_GPR(reg & 15));
    return t;
}

void tr_set_gpr(struct tr *s, unsigned reg, unsigned size, ir_temp v)
{
    ir_temp g = CPU_T_GPR(reg & 15);
    if (size >= 4)
        ir_mov(s->b, tr_w(size), g, v); /* 32-bit writes zero-extend */
    else
        ir_deposit(s->b, 64, g, g, v, 0, tr_w(size));
}

ir_temp tr_get_regop(struct tr *s, const struct x86_operand *op)
{
    if (op->regclass == X86_RC_GPR8_HIGH) {
        ir_temp t = tr_tmp(s);
        ir_extract(s->b, 64, t, CPU_T_GPR(op->reg & 3), 8, 8);
        return t;
    }
    return tr_get_gpr(s, op->reg, op->size);
}

void tr_set_regop(struct tr *s, const struct x86_operand *op, ir_temp v)
{
    if (op->regclass == X86_RC_GPR8_HIGH) {
        ir_temp g = CPU_T_GPR(op->reg & 3);
        ir_deposit(s->b, 64, g, g, v, 8, 8);
        return;
    }
    tr_set_gpr(s, op->reg, op->size, v);
}

ir_temp tr_ea(struct tr *s, const struct x86_operand *op)
{
    unsigned aw = tr_w(s->in->addrsize);
    ir_temp t = IR_NONE;
    if (op->rip_rel) {
        uint64_t a = s->next_eip + (uint64_t)op->disp;
        return tr_const(s, a & tr_mask(s->in->addrsize));
    }
    if (op->base != X86_REG_NONE) {
        t = CPU_T_GPR(op->base & 15);
        if (s->rsp_adjust && (op->base & 15) == X86_RSP) {
            ir_temp u = tr_tmp(s);
            ir_binop(s->b, IR_ADD, 64, u, t, tr_const(s, s->rsp_adjust));
            t = u;
        }
    }
    if (op->index != X86_REG_NONE) {
        ir_temp x = CPU_T_GPR(op->index & 15);
        if (op->scale > 1) {
            ir_temp u = tr_tmp(s);
            unsigned sh = op->scale == 8 ? 3 : op->scale == 4 ? 2 : 1;
            ir_binop(s->b, IR_SHL, 64, u, x, tr_const(s, sh));
            x = u;
        }
        if (t == IR_NONE) {
            t = x;
        } else {
            ir_temp u = tr_tmp(s);
            ir_binop(s->b, IR_ADD, 64, u, t, x);
            t = u;
        }
    }
    if (t == IR_NONE)
        return tr_const(s, (uint64_t)op->disp & tr_mask(s->in->addrsize));
    ir_temp u = tr_tmp(s);
    if (op->disp)
        ir_binop(s->b, IR_ADD, aw, u, t, tr_const(s, (uint64_t)op->disp));
    else
        ir_mov(s->b, aw, u, t);
    return u;
}

/* Raises exc(0) at the current instruction (whose state is still untouched). */
static void raise0(struct tr *s, int exc)
{
    tr_set_rip(s, s->eip);
    tr_call(s, &helper_raise, IR_NONE, tr_const(s, (uint64_t)exc), tr_const(s, 0), tr_const(s, 1),
            IR_NONE);
    ir_exit(s->b, CPU_EXIT_CONTINUE);
}

/* Real / virtual-8086 mode: offset + size - 1 must be within the limit. */
static void limit_check(struct tr *s, unsigned seg, ir_temp off, unsigned size)
{
    ir_temp lim = tr_tmp(s), last = tr_tmp(s);
    unsigned ok = ir_label_new(s->b);
    ir_ld_env(s->b, 32, lim, (int32_t)(offsetof(struct cpu, seg) + seg * sizeof(struct cpu_seg) +
                                       offsetof(struct cpu_seg, limit)));
    ir_binop(s->b, IR_ADD, 64, last, off, tr_const(s, size - 1));
    ir_brcond(s->b, 64, IR_LEU, last, lim, ok);
    raise0(s, seg == X86_SEG_SS ? EXC_SS : EXC_GP);
    ir_label(s->b, ok);
}

static int32_t segchk_off(unsigned seg, size_t field)
{
    return (int32_t)(offsetof(struct cpu, segchk) + seg * sizeof(struct cpu_segchk) + field);
}

/*
 * Protected mode, a segment that is not flat (HF_SEGCHK): offsets off..off+size-1
 * must lie in [segchk.lo, segchk.hi] (computed at segment load: the limit, an
 * expand-down window, empty for a null or execute-only segment). The sum is
 * 64-bit, so an access wrapping past 4 GiB - 1 faults.
 */
static void window_check(struct tr *s, unsigned seg, ir_temp off, unsigned size)
{
    ir_temp lo = tr_tmp(s), hi = tr_tmp(s), last = tr_tmp(s);
    unsigned ok = ir_label_new(s->b), bad = ir_label_new(s->b);
    ir_ld_env(s->b, 32, lo, segchk_off(seg, offsetof(struct cpu_segchk, lo)));
    ir_brcond(s->b, 64, IR_LTU, off, lo, bad);
    ir_ld_env(s->b, 32, hi, segchk_off(seg, offsetof(struct cpu_segchk, hi)));
    ir_binop(s->b, IR_ADD, 64, last, off, tr_const(s, size - 1));
    ir_brcond(s->b, 64, IR_LEU, last, hi, ok);
    ir_label(s->b, bad);
    raise0(s, seg == X86_SEG_SS ? EXC_SS : EXC_GP);
    ir_label(s->b, ok);
}

void tr_seg_wcheck(struct tr *s, ir_temp addr)
{
    unsigned n = s->nchk_addr < 8 ? s->nchk_addr : 8;
    for (unsigned i = 0; i < n; i++) {
        /* newest first: the entry of the tr_linear that made addr */
        unsigned j = (s->nchk_addr - 1 - i) % 8;
        if (s->chk_addr[j] != addr)
            continue;
        unsigned seg = s->chk_seg[j];
        ir_temp w = tr_tmp(s);
        unsigned ok = ir_label_new(s->b);
        ir_ld_env(s->b, 32, w, segchk_off(seg, offsetof(struct cpu_segchk, wr)));
        ir_brcond(s->b, 32, IR_NE, w, tr_const(s, 0), ok);
        raise0(s, seg == X86_SEG_SS ? EXC_SS : EXC_GP);
        ir_label(s->b, ok);
        return;
    }
}

/* CR0.AM, EFLAGS.AC and CPL 3 (HF_AC): a 2-, 4- or 8-byte access must be aligned (#AC(0)). */
static ir_temp align_check(struct tr *s, ir_temp a, unsigned size)
{
    if (!(s->hflags & HF_AC) || (size != 2 && size != 4 && size != 8))
        return a;
    ir_temp m = tr_tmp(s);
    unsigned ok = ir_label_new(s->b);
    ir_binop(s->b, IR_AND, 64, m, a, tr_const(s, size - 1));
    ir_brcond(s->b, 64, IR_EQ, m, tr_const(s, 0), ok);
    raise0(s, EXC_AC);
    ir_label(s->b, ok);
    return a;
}

ir_temp tr_linear(struct tr *s, unsigned seg, ir_temp off, unsigned size)
{
    bool add, chk;
    if (seg >= 6)
        seg = X86_SEG_DS;
    if (size && (!(s->hflags & HF_PE) || (s->hflags & HF_VM)))
        limit_check(s, seg, off, size);
    /* HF_SEGCHK bits are only ever set in protected mode outside 64-bit code */
    chk = (s->hflags & HF_SEGCHK(seg)) != 0;
    if (chk && size)
        window_check(s, seg, off, size);
    if (s->mode == X86_MODE_64) {
        /* Remember stack references: a non-canonical one raises #SS(0), not #GP(0). */
        if (seg == X86_SEG_SS)
            s->ss_addr[s->nss_addr++ % 4] = off;
        add = seg == X86_SEG_FS || seg == X86_SEG_GS;
    }
    else
        add = (s->hflags & HF_ADDSEG) || seg == X86_SEG_FS || seg == X86_SEG_GS || seg == X86_SEG_CS;
    if (!add && !chk)
        return align_check(s, off, size);
    ir_temp a = tr_tmp(s);
    if (add) {
        ir_temp base = tr_tmp(s);
        ir_ld_env(s->b, 64, base, (int32_t)(offsetof(struct cpu, seg) + seg * sizeof(struct cpu_seg)
                                            + offsetof(struct cpu_seg, base)));
        ir_binop(s->b, IR_ADD, s->mode == X86_MODE_64 ? 64 : 32, a, off, base);
    } else {
        ir_mov(s->b, 64, a, off); /* a temp of its own: tr_seg_wcheck finds the segment by it */
    }
    if (chk) {
        s->chk_addr[s->nchk_addr % 8] = a;
        s->chk_seg[s->nchk_addr % 8] = (uint8_t)seg;
        s->nchk_addr++;
    }
    return align_check(s, a, size);
}

ir_temp tr_linear_chk(struct tr *s, unsigned seg, ir_temp off, unsigned size, bool write)
{
    if (seg >= 6)
        seg = X86_SEG_DS;
    if (size && (!(s->hflags & HF_PE) || (s->hflags & HF_VM)))
        limit_check(s, seg, off, size);
    if (size && (s->hflags & HF_SEGCHK(seg)))
        window_check(s, seg, off, size);
    ir_temp a = tr_linear(s, seg, off, 0);
    if (write)
        tr_seg_wcheck(s, a);
    return a;
}

static unsigned memop(struct tr *s, ir_temp addr, unsigned size)
{
    unsigned m = IR_MEM_SIZE(tr_lg(size)) | IR_MEM_IDX(s->mmu_idx);
    if (addr == s->rmw_addr && addr != IR_NONE)
        m |= CPU_MEMOP_RMW;
    unsigned n = s->nss_addr < 4 ? s->nss_addr : 4;
    for (unsigned i = 0; i < n; i++)
        if (s->ss_addr[i] == addr)
            return m | CPU_MEMOP_SS;
    return m;
}

ir_temp tr_ld(struct tr *s, ir_temp addr, unsigned size)
{
    ir_temp t = tr_tmp(s);
    ir_ld(s->b, tr_w(size), t, addr, memop(s, addr, size));
    return t;
}

ir_temp tr_lds(struct tr *s, ir_temp addr, unsigned size, unsigned w)
{
    ir_temp t = tr_tmp(s);
    ir_ld(s->b, w, t, addr, memop(s, addr, size) | IR_MEM_SIGN);
    return t;
}

void tr_st(struct tr *s, ir_temp addr, unsigned size, ir_temp v)
{
    if (s->nchk_addr)
        tr_seg_wcheck(s, addr);
    ir_st(s->b, tr_w(size), v, addr, memop(s, addr, size));
}

void tr_opnd(struct tr *s, struct tr_opnd *o, const struct x86_operand *op)
{
    o->op = op;
    o->size = op->size;
    o->addr = op->kind == X86_OPK_MEM ? tr_addr(s, op) : IR_NONE;
    /* The memory destination of a read-modify-write (the LOCKable forms): a write
       through a segment that refuses it faults before the load, as on hardware
       (segmentation before paging, no MMIO read). */
    if (o->addr != IR_NONE && s->nchk_addr && op == &s->in->ops[0] && (s->in->flags & X86_F_LOCKABLE))
        tr_seg_wcheck(s, o->addr);
    if (o->addr != IR_NONE && op == &s->in->ops[0] && tr_is_rmw(s->in))
        s->rmw_addr = o->addr;
}

bool tr_is_rmw(const struct x86_insn *in)
{
    if (in->flags & X86_F_LOCKABLE)  /* ALU, INC..NOT, BTS/BTR/BTC, XADD, CMPXCHG, XCHG */
        return true;
    switch (in->op) {
    case X86_OP_ROL: case X86_OP_ROR: case X86_OP_RCL: case X86_OP_RCR:
    case X86_OP_SHL: case X86_OP_SAL: case X86_OP_SHR: case X86_OP_SAR:
    case X86_OP_SHLD: case X86_OP_SHRD:
        return true;
    default:
        return false;
    }
}

ir_temp tr_read(struct tr *s, const struct tr_opnd *o)
{
    switch (o->op->kind) {
    case X86_OPK_MEM: return tr_ld(s, o->addr, o->size);
    case X86_OPK_REG: return tr_get_regop(s, o->op);
    default: return tr_const(s, (uint64_t)o->op->imm & tr_mask(o->size));
    }
}

void tr_write(struct tr *s, const struct tr_opnd *o, ir_temp v)
{
    if (o->op->kind == X86_OPK_MEM)
        tr_st(s, o->addr, o->size, v);
    else if (o->op->kind == X86_OPK_REG)
        tr_set_regop(s, o->op, v);
}

void tr_write_w16(struct tr *s, const struct x86_operand *op, ir_temp v)
{
    struct tr_opnd d;
    tr_opnd(s, &d, op);
    if (op->kind == X86_OPK_MEM)
        d.size = 2;
    tr_write(s, &d, v);
}

ir_temp tr_src(struct tr *s, const struct x86_operand *op)
{
    struct tr_opnd o;
    tr_opnd(s, &o, op);
    return tr_read(s, &o);
}

/* --- stack --- */

ir_temp tr_sp_add(struct tr *s, int64_t delta)
{
    ir_temp t = tr_tmp(s);
    ir_binop(s->b, IR_ADD, tr_w(s->ssize), t, CPU_T_GPR(X86_RSP), tr_const(s, (uint64_t)delta));
    return t;
}

void tr_set_sp(struct tr *s, ir_temp v)
{
    tr_set_gpr(s, X86_RSP, s->ssize, v);
}

void tr_push(struct tr *s, ir_temp v, unsigned size)
{
    ir_temp sp = tr_sp_add(s, -(int64_t)size);
    tr_st(s, tr_linear(s, X86_SEG_SS, sp, size), size, v);
    tr_set_sp(s, sp);
}

ir_temp tr_pop_load(struct tr *s, unsigned size, ir_temp *newsp)
{
    ir_temp sp = tr_get_gpr(s, X86_RSP, s->ssize);
    ir_temp v = tr_ld(s, tr_linear(s, X86_SEG_SS, sp, size), size);
    if (newsp)
        *newsp = tr_sp_add(s, size);
    return v;
}

/* --- control --- */

uint64_t tr_eip_mask(const struct tr *s, unsigned opsize)
{
    if (s->mode == X86_MODE_64)
        return ~(uint64_t)0;
    return tr_mask(opsize);
}

void tr_set_rip(struct tr *s, uint64_t eip)
{
    ir_mov(s->b, 64, CPU_T_RIP, tr_const(s, eip));
}

void tr_exit(struct tr *s, unsigned reason)
{
    ir_st_env(s->b, 32, ir_const(s->b, 32, reason), (int32_t)offsetof(struct cpu, exit_reason));
    ir_exit(s->b, reason);
    s->ended = true;
}

void tr_goto(struct tr *s, unsigned slot, uint64_t eip)
{
    tr_set_rip(s, eip);
    if (s->single) {
        tr_exit(s, CPU_EXIT_CONTINUE);
        return;
    }
    uint64_t lin = s->cs_base + eip;
    if (s->mode != X86_MODE_64)
        lin &= 0xffffffffu;
    if ((lin & TLB_PAGE_MASK) == s->page)
        ir_goto_tb(s->b, slot | (eip == s->start_eip ? IR_GOTO_TB_SELF : 0)); /* a loop on itself */
    else
        ir_goto_ptr_jc(s->b);
    s->ended = true;
}

bool tr_follow(struct tr *s, uint64_t eip)
{
    if (s->single || s->follows >= TR_MAX_FOLLOWS)
        return false;
    uint64_t lin = s->cs_base + eip;
    if (s->mode != X86_MODE_64)
        lin &= 0xffffffffu;
    if ((lin & TLB_PAGE_MASK) != s->page)
        return false;
    s->follows++;
    s->next_eip = eip;
    return true;
}

void tr_goto_ind_near(struct tr *s)
{
    if (s->single)
        tr_exit(s, CPU_EXIT_CONTINUE);
    else
        ir_goto_ptr_jc(s->b);
    s->ended = true;
}

void tr_end_next(struct tr *s)
{
    tr_set_rip(s, s->next_eip);
    tr_goto_ind(s);
}

void tr_goto_ind(struct tr *s)
{
    if (s->single)
        tr_exit(s, CPU_EXIT_CONTINUE);
    else
        ir_goto_ptr(s->b);
    s->ended = true;
}

void tr_raise(struct tr *s, int vector, uint32_t error, bool has_error)
{
    tr_set_rip(s, s->eip);
    tr_call(s, &helper_raise, IR_NONE, tr_const(s, (uint64_t)vector), tr_const(s, error),
            tr_const(s, has_error), IR_NONE);
    tr_exit(s, CPU_EXIT_CONTINUE); /* not reached */
}

void tr_modrm_op(struct tr *s, struct x86_operand *out, unsigned size)
{
    const struct x86_insn *in = s->in;
    for (unsigned i = 0; i < in->nops && i < 4; i++)
        if (in->ops[i].kind == X86_OPK_MEM) {
            *out = in->ops[i];
            out->size = (uint16_t)size;
            return;
        }
    memset(out, 0, sizeof(*out));
    out->kind = X86_OPK_REG;
    out->size = (uint16_t)size;
    unsigned rm = (in->modrm & 7u) | (in->rex_b ? 8u : 0u);
    if (size == 1 && !in->rex && rm >= 4 && rm < 8) {
        out->regclass = X86_RC_GPR8_HIGH;
        out->reg = (uint8_t)(rm - 4);
    } else {
        out->regclass = X86_RC_GPR;
        out->reg = (uint8_t)rm;
    }
}
