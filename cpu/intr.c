/* SPDX-License-Identifier: MIT */
/* intr.c: exception and interrupt delivery (real-mode IVT, protected and long-mode IDT, #DF, triple fault). */
#include <stddef.h>
#include "cpu/sys.h"
#include "cpu/trace.h"

void cpu_set_cpl(struct cpu *cpu, unsigned cpl)
{
    cpu->hflags = (cpu->hflags & ~HF_CPL_MASK) | ((cpl & 3u) << HF_CPL_SHIFT);
    cpu_update_hflags(cpu);
}

void sys_stack_cur(struct cpu *cpu, struct sys_stack *st)
{
    const struct cpu_seg *ss = &cpu->seg[X86_SEG_SS];
    st->base = cpu_64bit(cpu) ? 0 : ss->base;
    st->spmask = cpu_64bit(cpu) ? ~(uint64_t)0 : (cpu->hflags & HF_SS32) ? 0xffffffffu : 0xffffu;
    st->sp = cpu->gpr[X86_RSP] & st->spmask;
    st->limit = ss->limit;
    st->attr = ss->attr;
    st->exc = EXC_SS;
    st->err = 0;
    st->mmu = cpu_mmu_idx(cpu);
}

/* Raises the stack fault when [off, off+size) is outside the segment (protected mode). */
static void stack_check(struct cpu *cpu, const struct sys_stack *st, uint64_t off, unsigned size)
{
    if (st->spmask == ~(uint64_t)0)
        return; /* 64-bit: no limits */
    uint64_t last = off + size - 1;
    bool down = (st->attr & 0x1c) == 0x14; /* data, expand-down */
    if (down) {
        uint64_t top = (st->attr & SEG_ATTR_DB) ? 0xffffffffu : 0xffffu;
        if (off <= st->limit || last > top)
            cpu_raise(cpu, st->exc, true, st->err);
    } else if (last > st->limit || last < off) {
        cpu_raise(cpu, st->exc, true, st->err);
    }
}

void sys_push(struct cpu *cpu, struct sys_stack *st, uint64_t v, unsigned size)
{
    uint64_t sp = (st->sp - size) & st->spmask;
    stack_check(cpu, st, sp, size);
    uint64_t lin = st->base + sp;
    if (st->spmask != ~(uint64_t)0)
        lin &= 0xffffffffu;
    cpu_st(cpu, lin, v, size, st->mmu | CPU_MEM_SS);
    st->sp = sp;
}

uint64_t sys_pop(struct cpu *cpu, struct sys_stack *st, unsigned size)
{
    stack_check(cpu, st, st->sp, size);
    uint64_t lin = st->base + st->sp;
    if (st->spmask != ~(uint64_t)0)
        lin &= 0xffffffffu;
    uint64_t v = cpu_ld(cpu, lin, size, st->mmu | CPU_MEM_SS);
    st->sp = (st->sp + size) & st->spmask;
    return v;
}

void sys_stack_commit(struct cpu *cpu, const struct sys_stack *st)
{
    if (st->spmask == 0xffffu)
        cpu->gpr[X86_RSP] = (cpu->gpr[X86_RSP] & ~(uint64_t)0xffff) | (st->sp & 0xffff);
    else
        cpu->gpr[X86_RSP] = st->sp; /* 32-bit stacks zero-extend into RSP */
}

/* Real mode (and the IVT of a CPU with PE clear): push FLAGS, CS, IP; load CS:IP from the table. */
static void deliver_real(struct cpu *cpu, int vector)
{
    uint64_t off = (uint64_t)vector * 4;
    if (off + 3 > cpu->idtr.limit)
        cpu_raise(cpu, EXC_GP, true, (uint32_t)vector * 8 + 2);
    uint32_t ent = (uint32_t)cpu_ld(cpu, (cpu->idtr.base + off) & 0xffffffffu, 4, 0);
    struct sys_stack st;
    sys_stack_cur(cpu, &st);
    sys_push(cpu, &st, cpu_get_eflags(cpu) & 0xffff, 2);
    sys_push(cpu, &st, cpu->seg[X86_SEG_CS].sel, 2);
    sys_push(cpu, &st, cpu->rip & 0xffff, 2);
    sys_stack_commit(cpu, &st);
    cpu->eflags &= ~(uint64_t)(CPU_IF | CPU_TF | CPU_AC | CPU_RF);
    cpu_load_seg_real(cpu, X86_SEG_CS, (uint16_t)(ent >> 16));
    cpu->rip = ent & 0xffff;
}

/* Reads a stack pointer for privilege level dpl (or IST slot ist) from the current TSS. */
static void tss_stack(struct cpu *cpu, unsigned dpl, unsigned ist, uint16_t *ss, uint64_t *sp, uint32_t ext)
{
    unsigned type = (cpu->tr.attr & 0xf);
    uint64_t off;
    if (cpu->hflags & HF_LMA) {
        off = ist ? 0x24 + 8 * (uint64_t)(ist - 1) : 4 + 8 * (uint64_t)dpl;
        if (off + 7 > cpu->tr.limit)
            cpu_raise(cpu, EXC_TS, true, (cpu->tr.sel & 0xfffcu) | ext);
        *sp = cpu_ld(cpu, cpu->tr.base + off, 8, 0);
        *ss = 0;
        return;
    }
    if (type == 9 || type == 11) {
        off = 4 + 8 * (uint64_t)dpl;
        if (off + 5 > cpu->tr.limit)
            cpu_raise(cpu, EXC_TS, true, (cpu->tr.sel & 0xfffcu) | ext);
        *sp = (uint32_t)cpu_ld(cpu, (cpu->tr.base + off) & 0xffffffffu, 4, 0);
        *ss = (uint16_t)cpu_ld(cpu, (cpu->tr.base + off + 4) & 0xffffffffu, 2, 0);
    } else {
        off = 2 + 4 * (uint64_t)dpl;
        if (off + 3 > cpu->tr.limit)
            cpu_raise(cpu, EXC_TS, true, (cpu->tr.sel & 0xfffcu) | ext);
        *sp = (uint16_t)cpu_ld(cpu, (cpu->tr.base + off) & 0xffffffffu, 2, 0);
        *ss = (uint16_t)cpu_ld(cpu, (cpu->tr.base + off + 2) & 0xffffffffu, 2, 0);
    }
}

/* Protected-mode and long-mode delivery through the IDT. */
static void deliver_prot(struct cpu *cpu, int vector, enum intr_kind kind, bool has_error, uint32_t error)
{
    bool lm = (cpu->hflags & HF_LMA) != 0;
    /* EXT: an event external to the program (INTR, NMI, an exception being
       delivered), not INT n / INT3 / INTO (SDM vol. 3 6.13). */
    uint32_t ext = kind == INTR_SOFT ? 0u : 1u;
    uint32_t gerr = (uint32_t)vector * 8 + 2 + ext;
    unsigned esize = lm ? 16 : 8;
    uint64_t off = (uint64_t)vector * esize;
    if (off + esize - 1 > cpu->idtr.limit)
        cpu_raise(cpu, EXC_GP, true, gerr);
    uint64_t gate = cpu_ld(cpu, cpu->idtr.base + off, 8, 0);
    uint64_t gate_hi = lm ? cpu_ld(cpu, cpu->idtr.base + off + 8, 8, 0) : 0;
    unsigned type = DESC_TYPE(gate), cpl = cpu_cpl(cpu);
    bool ok_type = lm ? (type == 14 || type == 15 || (type == 5 && 0))
                      : (type == 5 || type == 6 || type == 7 || type == 14 || type == 15);
    if (DESC_S(gate) || !ok_type)
        cpu_raise(cpu, EXC_GP, true, gerr);
    if (kind == INTR_SOFT && DESC_DPL(gate) < cpl)
        cpu_raise(cpu, EXC_GP, true, gerr);
    if (!DESC_P(gate))
        cpu_raise(cpu, EXC_NP, true, gerr);
    if (type == 5) {
        task_gate_intr(cpu, gate, has_error, error, ext);
        return;
    }
    bool trap = (type & 1) != 0, gate32 = (type & 8) != 0;
    uint16_t csel = (uint16_t)(gate >> 16);
    uint64_t target = (gate & 0xffff) | ((gate >> 32) & 0xffff0000u);
    if (lm)
        target |= gate_hi << 32;
    unsigned ist = lm ? (unsigned)(gate >> 32) & 7 : 0;
    if ((csel & 0xfffc) == 0)
        cpu_raise(cpu, EXC_GP, true, ext);
    uint64_t cdesc;
    if (!seg_read_desc(cpu, csel, &cdesc, NULL))
        cpu_raise(cpu, EXC_GP, true, (csel & 0xfffcu) | ext);
    unsigned dpl = DESC_DPL(cdesc);
    if (!DESC_CODE(cdesc) || dpl > cpl)
        cpu_raise(cpu, EXC_GP, true, (csel & 0xfffcu) | ext);
    if (!DESC_P(cdesc))
        cpu_raise(cpu, EXC_NP, true, (csel & 0xfffcu) | ext);
    if (lm && (!DESC_L(cdesc) || DESC_DB(cdesc)))
        cpu_raise(cpu, EXC_GP, true, (csel & 0xfffcu) | ext);
    bool vm = (cpu->eflags & CPU_VM) != 0;
    bool inner = !DESC_CONFORMING(cdesc) && dpl < cpl;
    if (vm && (!inner || dpl != 0))
        cpu_raise(cpu, EXC_GP, true, (csel & 0xfffcu) | ext);
    uint64_t flags = cpu_get_eflags(cpu);
    uint16_t old_ss = cpu->seg[X86_SEG_SS].sel, old_cs = cpu->seg[X86_SEG_CS].sel;
    uint64_t old_sp = cpu->gpr[X86_RSP];
    struct sys_stack st;
    uint16_t new_ss = 0;
    uint64_t ss_desc = 0;
    unsigned psize = lm ? 8 : gate32 ? 4 : 2;
    if (inner || (lm && ist)) {
        uint64_t nsp;
        tss_stack(cpu, inner ? dpl : cpl, ist, &new_ss, &nsp, ext);
        if (lm) {
            new_ss = (uint16_t)(inner ? dpl : cpl);
            st.base = 0;
            st.spmask = ~(uint64_t)0;
            st.sp = nsp & ~(uint64_t)15;
            st.limit = 0xffffffffu;
            st.attr = 0;
        } else {
            ss_desc = seg_check_ss(cpu, new_ss, dpl, EXC_TS);
            struct cpu_seg tmp;
            seg_cache_set(&tmp, new_ss, ss_desc, 0);
            st.base = tmp.base;
            st.spmask = DESC_DB(ss_desc) ? 0xffffffffu : 0xffffu;
            st.sp = nsp & st.spmask;
            st.limit = tmp.limit;
            st.attr = tmp.attr;
        }
        st.exc = EXC_SS;
        st.err = (new_ss & 0xfffcu) | ext;
        st.mmu = 0;
    } else {
        sys_stack_cur(cpu, &st);
        st.mmu = 0;
        if (lm)
            st.sp &= ~(uint64_t)15;
    }
    if (vm) {
        for (int s = X86_SEG_GS; s >= X86_SEG_FS; s--)
            sys_push(cpu, &st, cpu->seg[s].sel, psize);
        sys_push(cpu, &st, cpu->seg[X86_SEG_DS].sel, psize);
        sys_push(cpu, &st, cpu->seg[X86_SEG_ES].sel, psize);
    }
    if (inner || lm) {
        sys_push(cpu, &st, old_ss, psize);
        sys_push(cpu, &st, old_sp, psize);
    }
    sys_push(cpu, &st, flags & (psize == 2 ? 0xffffu : ~(uint64_t)0), psize);
    sys_push(cpu, &st, old_cs, psize);
    sys_push(cpu, &st, cpu->rip, psize);
    if (has_error)
        sys_push(cpu, &st, error, psize);
    /* Everything that can fault is done: commit. */
    if (inner || (lm && ist)) {
        if (lm) {
            struct cpu_seg *ss = &cpu->seg[X86_SEG_SS];
            ss->sel = new_ss;
            ss->base = 0;
            ss->limit = 0xffffffffu;
            ss->attr = 0;
        } else {
            seg_set_accessed(cpu, new_ss, ss_desc);
            seg_cache_set(&cpu->seg[X86_SEG_SS], new_ss, ss_desc, 0);
        }
    }
    if (vm) {
        for (int s = 0; s < 6; s++)
            if (s != X86_SEG_CS && s != X86_SEG_SS) {
                cpu->seg[s].sel = 0;
                cpu->seg[s].base = 0;
                cpu->seg[s].limit = 0;
                cpu->seg[s].attr = 0;
            }
    }
    cpu->eflags &= ~(uint64_t)(CPU_TF | CPU_VM | CPU_RF | CPU_NT);
    if (!trap)
        cpu->eflags &= ~(uint64_t)CPU_IF;
    seg_set_accessed(cpu, csel, cdesc);
    seg_load_cs(cpu, csel, cdesc, inner ? dpl : cpl);
    sys_stack_commit(cpu, &st);
    if (!lm && !gate32)
        target &= 0xffff;
    cpu->rip = target;
    cpu_update_hflags(cpu);
}

void cpu_interrupt(struct cpu *cpu, int vector, enum intr_kind kind, bool has_error, uint32_t error)
{
    if (!(cpu->hflags & HF_PE)) {
        deliver_real(cpu, vector);
    } else if ((cpu->hflags & HF_VM) && kind == INTR_SOFT && ((cpu->eflags >> 12) & 3) < 3) {
        cpu_raise(cpu, EXC_GP, true, 0); /* INT n in virtual-8086 mode with IOPL < 3 */
    } else {
        deliver_prot(cpu, vector, kind, has_error, error);
    }
    cpu->irq_inhibit = false;
}

static bool contributory(int v)
{
    return v == EXC_DE || v == EXC_TS || v == EXC_NP || v == EXC_SS || v == EXC_GP;
}

void cpu_sys_deliver(struct cpu *cpu)
{
    int v = cpu->excp_vector;
    bool soft = cpu->excp_soft, has_err = cpu->excp_has_error;
    uint32_t err = cpu->excp_error;
    cpu->excp_soft = false;
    if (cpu->delivering) {
        int first = cpu->delivering - 1;
        if (cpu->delivering_soft) {
            cpu->rip = cpu->excp_soft_rip; /* a fault delivering INT n: at the INT */
            first = -1;                    /* and INT n is no exception: no #DF */
        }
        cpu->delivering_soft = false;
        if (first == EXC_DF) {
            cpu->shutdown = true;   /* triple fault */
            cpu->exit_request = 1;
            cpu->delivering = 0;
            return;
        }
        if ((contributory(first) && contributory(v)) ||
            (first == EXC_PF && (contributory(v) || v == EXC_PF))) {
            v = EXC_DF;
            has_err = true;
            err = 0;
            soft = false;
        }
    }
    if (!(cpu->hflags & HF_PE))
        has_err = false; /* real mode pushes no error code */
    /* Faults (#DE #BR #UD #NM #TS #NP #SS #GP #PF #MF #AC #XM #VE) push RF = 1: the
       restarted instruction does not hit its instruction breakpoint again. */
    if (!soft && v >= 0 && v < 32 && ((1u << v) & 0x1b7ce1u))
        cpu->eflags |= CPU_RF;
    cpu->delivering = v + 1;
    cpu->delivering_soft = soft;
    cpu_interrupt(cpu, v, soft ? INTR_SOFT : INTR_EXCEPTION, has_err, err);
    cpu->delivering = 0;
    cpu->delivering_soft = false;
    cpu->excp_vector = -1;
}

void cpu_sys_enable(struct cpu *cpu)
{
    cpu->deliver = cpu_sys_deliver;
    if (cpu->idtr.limit == 0 && cpu->idtr.base == 0)
        cpu->idtr.limit = 0x3ff;
}

/* Delivers external interrupt or NMI vec at an instruction boundary. */
static void take_external(struct cpu *cpu, uint8_t vec)
{
    if (kiln_log_enabled(cpu->log, KILN_LOG_INT))
        cpu_trace_int(cpu, vec, false, 0, true);
    cpu->in_exec = true;
    volatile bool done = false;
    if (setjmp(cpu->jmp) == 0) {
        cpu->delivering = vec + 1;
        cpu_interrupt(cpu, vec, INTR_EXTERNAL, false, 0);
        cpu->delivering = 0;
        done = true;
    } else {
        /* A fault while delivering: the normal nested-fault rules, then whatever follows. */
        for (volatile int guard = 0; guard < 3 && !done; guard++) {
            if (setjmp(cpu->jmp) == 0) {
                cpu_sys_deliver(cpu);
                done = true;
            }
        }
    }
    cpu->in_exec = false;
}

bool cpu_take_irq(struct cpu *cpu, uint8_t (*ack)(void *opaque), void *opaque)
{
    if (!cpu->irq_line || !(cpu->eflags & CPU_IF))
        return false;
    if (cpu->irq_inhibit) {
        if (cpu->rip == cpu->irq_inhibit_rip)
            return false;
        cpu->irq_inhibit = false;
    }
    take_external(cpu, ack(opaque));
    return true;
}

bool cpu_take_nmi(struct cpu *cpu)
{
    if (!cpu->nmi_pending || cpu->nmi_blocked)
        return false;
    if (cpu->irq_inhibit) {
        if (cpu->rip == cpu->irq_inhibit_rip)
            return false;
        cpu->irq_inhibit = false;
    }
    cpu->nmi_pending = false;
    cpu->nmi_blocked = true;
    take_external(cpu, EXC_NMI);
    return true;
}
