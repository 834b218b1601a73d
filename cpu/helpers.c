/* SPDX-License-Identifier: MIT */
/* helpers.c: C helpers for exceptions, EFLAGS writes, segment loads, RDTSC. */
#include "cpu/cpu.h"
#include "cpu/debug.h"
#include "cpu/flags.h"
#include "cpu/helpers.h"
#include "cpu/sys.h"

static uint64_t h_raise(void *env, uint64_t vec, uint64_t err, uint64_t has_err, uint64_t a3)
{
    (void)a3;
    cpu_raise(env, (int)vec, has_err != 0, (uint32_t)err);
}
const struct ir_helper helper_raise = { h_raise, "raise", 0 };

static uint64_t h_rdtsc(void *env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a0; (void)a1; (void)a2; (void)a3;
    uint64_t t = cpu->tsc ? cpu->tsc(cpu)
                          : cpu->insn_count + (uint64_t)(cpu->icount_start - cpu->icount_left);
    cpu->gpr[0] = (uint32_t)t;
    cpu->gpr[2] = t >> 32;
    return 0;
}
const struct ir_helper helper_rdtsc = { h_rdtsc, "rdtsc", 0 };

/* POPF / SAHF style writes: a0 = value, a1 = operand size (1 = SAHF: low byte only).
   Returns 1 when the translation state (hflags) changed. */
static uint64_t h_write_eflags(void *env, uint64_t v, uint64_t size, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a2; (void)a3;
    uint64_t mask;
    if (size == 1) {
        mask = CPU_CF | CPU_PF | CPU_AF | CPU_ZF | CPU_SF;
    } else {
        unsigned cpl = (cpu->hflags & HF_CPL_MASK) >> HF_CPL_SHIFT;
        unsigned iopl = (unsigned)(cpu->eflags >> 12) & 3;
        if ((cpu->hflags & HF_VM) && iopl < 3)
            cpu_raise(cpu, EXC_GP, true, 0);
        mask = CPU_ARITH_FLAGS | CPU_TF | CPU_IF | CPU_DF | CPU_IOPL | CPU_NT | CPU_AC | CPU_ID;
        if (cpl > 0)
            mask &= ~(uint64_t)CPU_IOPL;
        if (cpl > iopl)
            mask &= ~(uint64_t)CPU_IF;
        if (size == 2)
            mask &= 0xffff;
    }
    uint32_t hf = cpu->hflags;
    cpu_set_eflags(cpu, v, mask);
    if ((cpu->eflags & CPU_IF) && cpu->irq_line)
        cpu->exit_request = 1; /* POPF enabled interrupts with INTR pending: take it now */
    /* AC at CPL 3 (HF_AC), or under SMAP (HF_SMAP_AC): tr_popf looks the next block up */
    return cpu->hflags != hf;
}
const struct ir_helper helper_write_eflags = { h_write_eflags, "write_eflags", 0 };

/* MOV/POP to a segment register: a0 = segment, a1 = selector, a2 = 1 for LxS
   (which, unlike MOV SS and POP SS, opens no interrupt or debug shadow). */
static uint64_t h_load_seg(void *env, uint64_t seg, uint64_t sel, uint64_t lxs, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a3;
    if (!(cpu->hflags & HF_PE) || (cpu->hflags & HF_VM))
        cpu_load_seg_real(cpu, (int)seg, (uint16_t)sel);
    else
        cpu_load_seg(cpu, (int)seg, (uint16_t)sel); /* protected mode: cpu/seg.c */
    if (seg == 2 && !lxs) {
        cpu->irq_inhibit_pending = true; /* MOV SS / POP SS interrupt shadow (cpu/sys_cpu.c) */
        cpu_dbg_ss_loaded(cpu);          /* ... and #DB shadow (cpu/dbgreg.c) */
    }
    return 0;
}
const struct ir_helper helper_load_seg = { h_load_seg, "load_seg", 0 };

static uint64_t h_read_eflags(void *env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a0; (void)a1; (void)a2; (void)a3;
    if ((cpu->hflags & HF_VM) && ((cpu->eflags >> 12) & 3) < 3)
        cpu_raise(cpu, EXC_GP, true, 0);
    return cpu_get_eflags(cpu) & ~(uint64_t)(CPU_VM | CPU_RF);
}
const struct ir_helper helper_read_eflags = { h_read_eflags, "read_eflags", 0 };
