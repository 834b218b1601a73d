/* SPDX-License-Identifier: MIT */
/* task.c: hardware task switches (16- and 32-bit TSS) for far JMP/CALL, task gates, IRET with NT. */
#include "cpu/debug.h"
#include "cpu/mmu.h"
#include "cpu/sys.h"

#define TSS_BUSY ((uint64_t)2 << 40)

/* TSS types: 1 available 16-bit, 3 busy 16-bit, 9 available 32-bit, 11 busy 32-bit. */
static bool tss_type(unsigned t) { return t == 1 || t == 3 || t == 9 || t == 11; }

static uint64_t tss_ld(struct cpu *cpu, uint64_t base, unsigned off, unsigned size)
{
    return cpu_ld(cpu, (base + off) & 0xffffffffu, size, 0);
}

static void tss_st(struct cpu *cpu, uint64_t base, unsigned off, uint64_t v, unsigned size)
{
    cpu_st(cpu, (base + off) & 0xffffffffu, v, size, 0);
}

/* Linear address of the type byte of GDT selector sel's descriptor. */
static uint64_t desc_type_addr(const struct cpu *cpu, uint16_t sel)
{
    return (cpu->gdtr.base + (sel & 0xfff8u) + 5) & 0xffffffffu;
}

/* The state a task switch loads, read from the new TSS before anything changes. */
struct task_state {
    uint64_t cr3, eip, eflags;
    uint64_t gpr[8];
    uint16_t sel[6];    /* ES CS SS DS FS GS */
    uint16_t ldt;
    bool trap;          /* T bit (32-bit TSS) */
};

static void read_state(struct cpu *cpu, const struct cpu_seg *t, bool t32, struct task_state *ns)
{
    uint64_t b = t->base;
    if (t32) {
        ns->cr3 = tss_ld(cpu, b, 0x1c, 4);
        ns->eip = tss_ld(cpu, b, 0x20, 4);
        ns->eflags = tss_ld(cpu, b, 0x24, 4);
        for (unsigned i = 0; i < 8; i++)
            ns->gpr[i] = tss_ld(cpu, b, 0x28 + 4 * i, 4);
        for (unsigned i = 0; i < 6; i++)
            ns->sel[i] = (uint16_t)tss_ld(cpu, b, 0x48 + 4 * i, 2);
        ns->ldt = (uint16_t)tss_ld(cpu, b, 0x60, 2);
        ns->trap = (tss_ld(cpu, b, 0x64, 2) & 1) != 0;
    } else {
        ns->cr3 = cpu->cr[3];
        ns->eip = tss_ld(cpu, b, 0x0e, 2);
        ns->eflags = tss_ld(cpu, b, 0x10, 2);
        /* 16-bit TSS: the upper halves of the 32-bit registers are kept. */
        for (unsigned i = 0; i < 8; i++)
            ns->gpr[i] = (cpu->gpr[i] & 0xffff0000u) | tss_ld(cpu, b, 0x12 + 2 * i, 2);
        for (unsigned i = 0; i < 4; i++)
            ns->sel[i] = (uint16_t)tss_ld(cpu, b, 0x22 + 2 * i, 2);
        ns->sel[4] = ns->sel[5] = 0;
        ns->ldt = (uint16_t)tss_ld(cpu, b, 0x2a, 2);
        ns->trap = false;
    }
}

/* Saves the outgoing task's dynamic state into its TSS. */
static void save_state(struct cpu *cpu, const struct cpu_seg *t, bool t32, uint64_t eip, uint64_t eflags)
{
    uint64_t b = t->base;
    if (t32) {
        tss_st(cpu, b, 0x20, eip & 0xffffffffu, 4);
        tss_st(cpu, b, 0x24, eflags & 0xffffffffu, 4);
        for (unsigned i = 0; i < 8; i++)
            tss_st(cpu, b, 0x28 + 4 * i, cpu->gpr[i] & 0xffffffffu, 4);
        for (unsigned i = 0; i < 6; i++)
            tss_st(cpu, b, 0x48 + 4 * i, cpu->seg[i].sel, 2);
    } else {
        tss_st(cpu, b, 0x0e, eip & 0xffff, 2);
        tss_st(cpu, b, 0x10, eflags & 0xffff, 2);
        for (unsigned i = 0; i < 8; i++)
            tss_st(cpu, b, 0x12 + 2 * i, cpu->gpr[i] & 0xffff, 2);
        for (unsigned i = 0; i < 4; i++)
            tss_st(cpu, b, 0x22 + 2 * i, cpu->seg[i].sel, 2);
    }
}

static void seg_unusable(struct cpu_seg *sc, uint16_t sel)
{
    sc->sel = sel;
    sc->base = 0;
    sc->limit = 0;
    sc->attr = 0;
}

/* Loads the LDTR of the new task: #TS(ldt) unless null or a present LDT descriptor in the GDT. */
static void load_ldt(struct cpu *cpu, uint16_t sel, uint32_t ext)
{
    uint64_t d;
    if ((sel & 0xfffc) == 0) {
        seg_unusable(&cpu->ldtr, sel);
        return;
    }
    if ((sel & 4) || !seg_read_desc(cpu, sel, &d, NULL) || DESC_S(d) || DESC_TYPE(d) != 2 || !DESC_P(d))
        cpu_raise(cpu, EXC_TS, true, (sel & 0xfffcu) | ext);
    seg_cache_set(&cpu->ldtr, sel, d, 0);
}

/* Protected-mode segment loads of the new task, each fault with its selector. */
static void load_segs(struct cpu *cpu, const uint16_t *sel, uint32_t ext)
{
    uint64_t d;
    uint16_t cs = sel[X86_SEG_CS], ss = sel[X86_SEG_SS];
    unsigned cpl = cs & 3u;
    /* CS: a code segment whose DPL matches the RPL (conforming: DPL <= RPL). */
    if ((cs & 0xfffc) == 0 || !seg_read_desc(cpu, cs, &d, NULL) || !DESC_CODE(d))
        cpu_raise(cpu, EXC_TS, true, (cs & 0xfffcu) | ext);
    if (DESC_CONFORMING(d) ? DESC_DPL(d) > cpl : DESC_DPL(d) != cpl)
        cpu_raise(cpu, EXC_TS, true, (cs & 0xfffcu) | ext);
    if (!DESC_P(d))
        cpu_raise(cpu, EXC_NP, true, (cs & 0xfffcu) | ext);
    seg_set_accessed(cpu, cs, d);
    seg_load_cs(cpu, cs, d, cpl);
    /* SS: writable data at RPL = DPL = CPL. */
    if ((ss & 0xfffc) == 0 || !seg_read_desc(cpu, ss, &d, NULL) || (ss & 3u) != cpl ||
        DESC_DPL(d) != cpl || !DESC_WRITABLE_DATA(d))
        cpu_raise(cpu, EXC_TS, true, (ss & 0xfffcu) | ext);
    if (!DESC_P(d))
        cpu_raise(cpu, EXC_SS, true, (ss & 0xfffcu) | ext);
    seg_set_accessed(cpu, ss, d);
    seg_cache_set(&cpu->seg[X86_SEG_SS], ss, d | ((uint64_t)1 << 40), 0);
    static const int data[4] = { X86_SEG_DS, X86_SEG_ES, X86_SEG_FS, X86_SEG_GS };
    for (int i = 0; i < 4; i++) {
        uint16_t s = sel[data[i]];
        uint32_t err = (s & 0xfffcu) | ext;
        if ((s & 0xfffc) == 0)
            continue; /* null: stays unusable */
        if (!seg_read_desc(cpu, s, &d, NULL) || !DESC_S(d) || !DESC_READABLE(d))
            cpu_raise(cpu, EXC_TS, true, err);
        if (!DESC_CONFORMING(d) && (DESC_DPL(d) < cpl || DESC_DPL(d) < (s & 3u)))
            cpu_raise(cpu, EXC_TS, true, err);
        if (!DESC_P(d))
            cpu_raise(cpu, EXC_NP, true, err);
        seg_set_accessed(cpu, s, d);
        seg_cache_set(&cpu->seg[data[i]], s, d | ((uint64_t)1 << 40), 0);
    }
    cpu_update_hflags(cpu);
}

void task_switch(struct cpu *cpu, uint16_t sel, uint64_t desc, enum task_src src, uint64_t eip,
                 bool has_error, uint32_t error, uint32_t ext)
{
    bool t32 = (DESC_TYPE(desc) & 8) != 0;
    struct cpu_seg nt, ot = cpu->tr;
    bool ot32 = (ot.attr & 8) != 0;
    uint32_t nerr = (sel & 0xfffcu) | ext;
    seg_cache_set(&nt, sel, desc, 0);
    if (!DESC_P(desc))
        cpu_raise(cpu, EXC_NP, true, nerr);
    if (nt.limit < (t32 ? 0x67u : 0x2bu))
        cpu_raise(cpu, EXC_TS, true, nerr);
    if (ot.limit < (ot32 ? 0x5fu : 0x29u))
        cpu_raise(cpu, EXC_TS, true, (ot.sel & 0xfffcu) | ext);
    /* Everything that can fault in the old task's context first: read the new
       state, probe every store (old TSS, new TSS link, both descriptors). */
    struct task_state ns;
    read_state(cpu, &nt, t32, &ns);
    if (ot32)
        cpu_probe(cpu, (ot.base + 0x20) & 0xffffffffu, 0x40, true, 0);
    else
        cpu_probe(cpu, (ot.base + 0x0e) & 0xffffffffu, 0x1c, true, 0);
    bool nest = src == TASK_CALL || src == TASK_INT;
    if (nest)
        cpu_probe(cpu, nt.base & 0xffffffffu, 2, true, 0);
    if (src == TASK_JMP || src == TASK_IRET)
        cpu_probe(cpu, desc_type_addr(cpu, ot.sel), 1, true, 0);
    if (src != TASK_IRET)
        cpu_probe(cpu, desc_type_addr(cpu, sel), 1, true, 0);

    /* Commit: the old task. */
    uint64_t flags = cpu_get_eflags(cpu);
    if (src == TASK_JMP || src == TASK_IRET) {
        uint64_t a = desc_type_addr(cpu, ot.sel);
        cpu_st(cpu, a, cpu_ld(cpu, a, 1, 0) & ~2u, 1, 0);
    }
    if (src == TASK_IRET)
        flags &= ~(uint64_t)CPU_NT;
    save_state(cpu, &ot, ot32, eip, flags);
    if (nest) {
        tss_st(cpu, nt.base, 0, ot.sel, 2);
        ns.eflags |= CPU_NT;
    }
    if (src != TASK_IRET) {
        uint64_t a = desc_type_addr(cpu, sel);
        cpu_st(cpu, a, cpu_ld(cpu, a, 1, 0) | 2u, 1, 0);
    }
    /* The new task: TR, CR0.TS, CR3, registers; then the checked loads, whose
       faults are the new task's. */
    seg_cache_set(&cpu->tr, sel, desc | TSS_BUSY, 0);
    cpu->cr[0] |= CR0_TS;
    if (cpu->dr[7] & 0x155) { /* L0-L3 and LE belong to the old task */
        cpu->dr[7] &= ~(uint64_t)0x155;
        cpu_dbg_update(cpu);
    }
    bool pdpte_bad = false;
    if (t32 && (cpu->cr[0] & CR0_PG)) {
        uint64_t cr3 = ns.cr3 & 0xffffffffu;
        /* PAE paging and CR3 changes: the PDPTEs reload; a bad one is a #GP(0)
           of the new task (after the commit point), the registers keep the old entries. */
        pdpte_bad = cr3 != cpu->cr[3] && mmu_pae_legacy(cpu) && !mmu_load_pdptes(cpu, NULL, cr3);
        cpu->cr[3] = cr3;
        cpu_tlb_flush_nonglobal(cpu);
    }
    cpu->delivering = 0; /* what follows is the new task's, not a nested fault */
    cpu->delivering_soft = false;
    cpu->excp_soft = false;
    cpu->irq_inhibit = false;
    cpu_set_eflags(cpu, ns.eflags | 2, 0x3f7fd7u);
    cpu->rip = ns.eip;
    for (unsigned i = 0; i < 8; i++)
        cpu->gpr[i] = ns.gpr[i];
    for (unsigned i = 0; i < 6; i++)
        seg_unusable(&cpu->seg[i], ns.sel[i]);
    seg_unusable(&cpu->ldtr, ns.ldt);
    bool vm = (cpu->eflags & CPU_VM) != 0;
    cpu_set_cpl(cpu, vm ? 3 : ns.sel[X86_SEG_CS] & 3u);
    load_ldt(cpu, ns.ldt, ext);
    if (vm) {
        for (int i = 0; i < 6; i++) {
            struct cpu_seg *sc = &cpu->seg[i];
            sc->base = (uint64_t)ns.sel[i] << 4;
            sc->limit = 0xffff;
            sc->attr = i == X86_SEG_CS ? 0xfb : 0xf3;
        }
        cpu_update_hflags(cpu);
    } else {
        load_segs(cpu, ns.sel, ext);
    }
    if (pdpte_bad)
        cpu_raise(cpu, EXC_GP, true, 0);
    if (has_error) {
        struct sys_stack st;
        sys_stack_cur(cpu, &st);
        sys_push(cpu, &st, error, t32 ? 4 : 2);
        sys_stack_commit(cpu, &st);
    }
    if (cpu->rip > cpu->seg[X86_SEG_CS].limit)
        cpu_raise(cpu, EXC_GP, true, 0);
    if (ns.trap) {
        cpu->dr[6] |= 0x8000; /* BT: the debug trap of the T bit */
        cpu_raise(cpu, EXC_DB, false, 0);
    }
}

/* Reads sel (a TSS in the GDT) for a task switch by JMP/CALL/task gate: #GP(sel)
   unless an available TSS. */
static uint64_t avail_tss(struct cpu *cpu, uint16_t sel, uint32_t ext)
{
    uint64_t d;
    uint32_t err = (sel & 0xfffcu) | ext;
    if ((sel & 4) || (sel & 0xfffc) == 0 || !seg_read_desc(cpu, sel, &d, NULL))
        cpu_raise(cpu, EXC_GP, true, err);
    unsigned t = DESC_TYPE(d);
    if (DESC_S(d) || (t != 1 && t != 9))
        cpu_raise(cpu, EXC_GP, true, err);
    if (!DESC_P(d))
        cpu_raise(cpu, EXC_NP, true, err);
    return d;
}

bool task_far(struct cpu *cpu, uint16_t sel, uint64_t d, bool call, uint64_t next)
{
    unsigned t = DESC_TYPE(d);
    if (DESC_S(d) || (t != 5 && !tss_type(t)))
        return false;
    unsigned cpl = cpu_cpl(cpu), rpl = sel & 3u;
    uint32_t err = sel & 0xfffcu;
    if (cpu->hflags & HF_LMA)
        cpu_raise(cpu, EXC_GP, true, err);
    if (DESC_DPL(d) < cpl || DESC_DPL(d) < rpl)
        cpu_raise(cpu, EXC_GP, true, err);
    if (t == 5) {
        if (!DESC_P(d))
            cpu_raise(cpu, EXC_NP, true, err);
        sel = (uint16_t)(d >> 16);
        d = avail_tss(cpu, sel, 0);
    } else {
        if (t == 3 || t == 11 || (sel & 4))
            cpu_raise(cpu, EXC_GP, true, err);
        if (!DESC_P(d))
            cpu_raise(cpu, EXC_NP, true, err);
    }
    task_switch(cpu, sel, d, call ? TASK_CALL : TASK_JMP, next, false, 0, 0);
    return true;
}

void task_gate_intr(struct cpu *cpu, uint64_t gate, bool has_error, uint32_t error, uint32_t ext)
{
    uint16_t sel = (uint16_t)(gate >> 16);
    uint64_t d = avail_tss(cpu, sel, ext);
    task_switch(cpu, sel, d, TASK_INT, cpu->rip, has_error, error, ext);
}

void task_iret(struct cpu *cpu, uint64_t next)
{
    if (cpu->hflags & HF_LMA)
        cpu_raise(cpu, EXC_GP, true, 0);
    uint16_t sel = (uint16_t)tss_ld(cpu, cpu->tr.base, 0, 2);
    uint32_t err = sel & 0xfffcu;
    uint64_t d;
    if ((sel & 4) || (sel & 0xfffc) == 0 || !seg_read_desc(cpu, sel, &d, NULL))
        cpu_raise(cpu, EXC_TS, true, err);
    unsigned t = DESC_TYPE(d);
    if (DESC_S(d) || (t != 3 && t != 11))
        cpu_raise(cpu, EXC_TS, true, err);
    task_switch(cpu, sel, d, TASK_IRET, next, false, 0, 0);
}
