/* SPDX-License-Identifier: MIT */
/* helpers_far.c: far transfers and IRET (real / virtual-8086 mode), CLI/STI, BCD adjust. */
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/helpers.h"

static bool realish(const struct cpu *cpu)
{
    return !(cpu->hflags & HF_PE) || (cpu->hflags & HF_VM);
}

static uint64_t sp_mask(const struct cpu *cpu)
{
    return (cpu->hflags & HF_CS64) ? ~(uint64_t)0 : (cpu->hflags & HF_SS32) ? 0xffffffffu : 0xffff;
}

static void set_sp(struct cpu *cpu, uint64_t v)
{
    uint64_t m = sp_mask(cpu);
    cpu->gpr[4] = (cpu->gpr[4] & ~m) | (v & m);
}

/* Stack slot address for offset sp (wrapped to the stack size), with the real-mode limit check. */
static uint64_t stack_addr(struct cpu *cpu, uint64_t sp, unsigned size)
{
    sp &= sp_mask(cpu);
    if (realish(cpu) && sp + size - 1 > cpu->seg[2].limit)
        cpu_raise(cpu, EXC_SS, true, 0);
    return (cpu->seg[2].base + sp) & 0xffffffffu;
}

/* a0 = operand size | FAR_*, a1 = selector (or RET's extra bytes), a2 = offset, a3 = return ip. */
static uint64_t h_far(void *env, uint64_t desc, uint64_t sel, uint64_t off, uint64_t next)
{
    struct cpu *cpu = env;
    unsigned size = desc & 0xff, kind = (unsigned)desc & ~0xffu;
    unsigned idx = cpu_mmu_idx(cpu);
    uint64_t m = size == 2 ? 0xffff : 0xffffffffu;
    if (!realish(cpu))
        cpu_raise(cpu, EXC_GP, true, kind == FAR_JMP || kind == FAR_CALL ? (uint32_t)sel & 0xfffc : 0);
    uint64_t sp = cpu->gpr[4];
    switch (kind) {
    case FAR_JMP:
        break;
    case FAR_CALL: {
        if ((off & m) > cpu->seg[1].limit)
            cpu_raise(cpu, EXC_GP, true, 0);
        uint64_t a1 = stack_addr(cpu, sp - size, size), a2 = stack_addr(cpu, sp - 2 * size, size);
        cpu_st(cpu, a1, cpu->seg[1].sel, size, idx);
        cpu_st(cpu, a2, next, size, idx);
        set_sp(cpu, sp - 2 * size);
        break;
    }
    default: { /* FAR_RET, FAR_IRET */
        uint64_t ip = cpu_ld(cpu, stack_addr(cpu, sp, size), size, idx);
        uint64_t cs = cpu_ld(cpu, stack_addr(cpu, sp + size, size), size, idx) & 0xffff;
        uint64_t fl = 0;
        if (kind == FAR_IRET)
            fl = cpu_ld(cpu, stack_addr(cpu, sp + 2 * size, size), size, idx);
        if ((ip & m) > cpu->seg[1].limit && kind == FAR_RET)
            cpu_raise(cpu, EXC_GP, true, 0);
        if (kind == FAR_IRET) {
            if ((cpu->hflags & HF_VM) && ((cpu->eflags >> 12) & 3) < 3)
                cpu_raise(cpu, EXC_GP, true, 0);
            uint64_t mask = CPU_ARITH_FLAGS | CPU_TF | CPU_IF | CPU_DF | CPU_NT;
            if (!(cpu->hflags & HF_VM))
                mask |= CPU_IOPL;
            if (size == 4)
                mask |= CPU_AC | CPU_ID;
            set_sp(cpu, sp + 3 * size);
            cpu_set_eflags(cpu, fl, mask);
        } else {
            set_sp(cpu, sp + 2 * size + sel);
        }
        sel = cs;
        off = ip;
        break;
    }
    }
    cpu_load_seg_real(cpu, 1, (uint16_t)sel);
    cpu->rip = off & m;
    return 0;
}
const struct ir_helper helper_far = { h_far, "far", 0 };

/* a0 = 1 for STI, 0 for CLI. */
static uint64_t h_cli_sti(void *env, uint64_t sti, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a1; (void)a2; (void)a3;
    unsigned cpl = (cpu->hflags & HF_CPL_MASK) >> HF_CPL_SHIFT;
    unsigned iopl = (unsigned)(cpu->eflags >> 12) & 3;
    if ((cpu->hflags & HF_PE) && cpl > iopl)
        cpu_raise(cpu, EXC_GP, true, 0);
    if (sti)
        cpu->eflags |= CPU_IF;
    else
        cpu->eflags &= ~(uint64_t)CPU_IF;
    return 0;
}
const struct ir_helper helper_cli_sti = { h_cli_sti, "cli_sti", 0 };

static uint64_t szp8(uint64_t v)
{
    v &= 0xff;
    return cc_parity(v) | (v == 0 ? CPU_ZF : 0) | ((v & 0x80) ? CPU_SF : 0);
}

/* a0 = BCD_*, a1 = AAM/AAD base. Works on AX and the flags. */
static uint64_t h_bcd(void *env, uint64_t kind, uint64_t imm, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a2; (void)a3;
    uint64_t f = cc_compute_all(cpu->cc_op, cpu->cc_dst, cpu->cc_src, cpu->cc_src2);
    uint64_t ax = cpu->gpr[0] & 0xffff, al = ax & 0xff, ah = ax >> 8;
    bool cf = f & CPU_CF, af = f & CPU_AF;
    uint64_t nf = f & CPU_OF;
    switch (kind) {
    case BCD_DAA: case BCD_DAS: {
        uint64_t old = al;
        bool ncf = false;
        if ((al & 0xf) > 9 || af) {
            ncf = cf || (kind == BCD_DAA ? al + 6 > 0xff : al < 6);
            al = (kind == BCD_DAA ? al + 6 : al - 6) & 0xff;
            af = true;
        } else {
            af = false;
        }
        if (old > 0x99 || cf) {
            al = (kind == BCD_DAA ? al + 0x60 : al - 0x60) & 0xff;
            ncf = true;
        }
        cf = ncf;
        ax = (ax & 0xff00) | al;
        nf = szp8(al);
        break;
    }
    case BCD_AAA: case BCD_AAS:
        if ((al & 0xf) > 9 || af) {
            if (kind == BCD_AAA) {
                ax = (ax + 0x106) & 0xffff;
            } else {
                ax = (ax - 6) & 0xffff; /* the borrow reaches AH, as on the 286 */
                ax = (ax - 0x100) & 0xffff;
            }
            af = cf = true;
        } else {
            af = cf = false;
        }
        ax &= 0xff0f;
        nf = szp8(ax);
        break;
    case BCD_AAM:
        if (imm == 0)
            cpu_raise(cpu, EXC_DE, false, 0);
        ax = ((al / imm) << 8) | (al % imm);
        nf = szp8(ax);
        af = cf = false;
        break;
    case BCD_AAD:
        ax = (al + ah * imm) & 0xff;
        nf = szp8(ax);
        af = cf = false;
        break;
    default: /* SALC */
        cpu->gpr[0] = (cpu->gpr[0] & ~(uint64_t)0xff) | (cf ? 0xff : 0);
        return 0;
    }
    cpu->gpr[0] = (cpu->gpr[0] & ~(uint64_t)0xffff) | ax;
    cpu->cc_op = CC_OP_EFLAGS;
    cpu->cc_src = (nf & ~(uint64_t)(CPU_CF | CPU_AF)) | (cf ? CPU_CF : 0) | (af ? CPU_AF : 0);
    return 0;
}
const struct ir_helper helper_bcd = { h_bcd, "bcd", 0 };
