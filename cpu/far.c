/* SPDX-License-Identifier: MIT */
/* far.c: far JMP / CALL / RET and IRET in real, virtual-8086, protected and long mode. */
#include "cpu/sys.h"
#include "cpu/helpers.h"
#include "cpu/sys_helpers.h"

static uint64_t opmask(unsigned size)
{
    return size == 8 ? ~(uint64_t)0 : size == 4 ? 0xffffffffu : 0xffffu;
}

static void set_cs_real(struct cpu *cpu, uint16_t sel, uint64_t ip)
{
    cpu_load_seg_real(cpu, X86_SEG_CS, sel);
    cpu->rip = ip;
}

/* Checks off against CS's limit (not in 64-bit code): #GP(0). */
static void check_limit(struct cpu *cpu, const struct cpu_seg *cs, uint64_t off, bool is64)
{
    if (!is64 && off > cs->limit)
        cpu_raise(cpu, EXC_GP, true, 0);
}

/* The checks of a code segment as a direct JMP/CALL target; returns its descriptor. */
static uint64_t check_code_target(struct cpu *cpu, uint16_t sel, uint64_t d)
{
    unsigned cpl = cpu_cpl(cpu);
    uint32_t err = sel & 0xfffcu;
    if (DESC_CONFORMING(d)) {
        if (DESC_DPL(d) > cpl)
            cpu_raise(cpu, EXC_GP, true, err);
    } else if ((sel & 3u) > cpl || DESC_DPL(d) != cpl) {
        cpu_raise(cpu, EXC_GP, true, err);
    }
    if (!DESC_P(d))
        cpu_raise(cpu, EXC_NP, true, err);
    return d;
}

/* Reads a call gate's target: returns the code descriptor; *tsel / *toff / *params. */
static uint64_t gate_target(struct cpu *cpu, uint16_t sel, uint64_t g, uint64_t ghi, uint16_t *tsel,
                            uint64_t *toff, unsigned *params)
{
    unsigned cpl = cpu_cpl(cpu);
    if (DESC_DPL(g) < cpl || DESC_DPL(g) < (sel & 3u))
        cpu_raise(cpu, EXC_GP, true, sel & 0xfffcu);
    if (!DESC_P(g))
        cpu_raise(cpu, EXC_NP, true, sel & 0xfffcu);
    *tsel = (uint16_t)(g >> 16);
    *toff = (g & 0xffff) | ((DESC_TYPE(g) & 8) ? ((g >> 32) & 0xffff0000u) : 0) | (ghi << 32);
    *params = (unsigned)(g >> 32) & 31;
    uint64_t d;
    if ((*tsel & 0xfffc) == 0)
        cpu_raise(cpu, EXC_GP, true, 0);
    if (!seg_read_desc(cpu, *tsel, &d, NULL) || !DESC_CODE(d) || DESC_DPL(d) > cpl)
        cpu_raise(cpu, EXC_GP, true, *tsel & 0xfffcu);
    if ((cpu->hflags & HF_LMA) && (!DESC_L(d) || DESC_DB(d)))
        cpu_raise(cpu, EXC_GP, true, *tsel & 0xfffcu);
    if (!DESC_P(d))
        cpu_raise(cpu, EXC_NP, true, *tsel & 0xfffcu);
    return d;
}

/* Reads and classifies a far target selector: code descriptor, or a call gate. */
static uint64_t far_desc(struct cpu *cpu, uint16_t sel, uint64_t *hi, bool *gate, bool *task)
{
    uint64_t d;
    *hi = 0;
    *gate = false;
    *task = false;
    if ((sel & 0xfffc) == 0)
        cpu_raise(cpu, EXC_GP, true, 0);
    if (!seg_read_desc(cpu, sel, &d, NULL))
        cpu_raise(cpu, EXC_GP, true, sel & 0xfffcu);
    if (DESC_CODE(d))
        return d;
    unsigned t = DESC_TYPE(d);
    bool lm = (cpu->hflags & HF_LMA) != 0;
    if (!DESC_S(d) && (t == 12 || (!lm && t == 4))) {
        *gate = true;
        if (lm && !seg_read_desc(cpu, sel, &d, hi))
            cpu_raise(cpu, EXC_GP, true, sel & 0xfffcu);
        if (lm && ((*hi >> 40) & 0x1f) != 0)
            cpu_raise(cpu, EXC_GP, true, sel & 0xfffcu);
        return d;
    }
    /* A TSS or a task gate (cpu/task.c decides); data is not a target. */
    if (!DESC_S(d)) {
        *task = true;
        return d;
    }
    cpu_raise(cpu, EXC_GP, true, sel & 0xfffcu);
}

void sys_far_jmp(struct cpu *cpu, uint16_t sel, uint64_t off, unsigned opsize, uint64_t next)
{
    off &= opmask(opsize);
    if (!cpu_pmode(cpu)) {
        check_limit(cpu, &cpu->seg[X86_SEG_CS], off, false);
        set_cs_real(cpu, sel, off);
        return;
    }
    uint64_t hi, d;
    bool gate, task;
    d = far_desc(cpu, sel, &hi, &gate, &task);
    if (task) {
        if (!task_far(cpu, sel, d, false, next))
            cpu_raise(cpu, EXC_GP, true, sel & 0xfffcu);
        return;
    }
    unsigned cpl = cpu_cpl(cpu);
    if (gate) {
        uint16_t tsel;
        unsigned params;
        d = gate_target(cpu, sel, d, hi, &tsel, &off, &params);
        if (DESC_CONFORMING(d) ? DESC_DPL(d) > cpl : DESC_DPL(d) != cpl)
            cpu_raise(cpu, EXC_GP, true, tsel & 0xfffcu);
        sel = tsel;
    } else {
        check_code_target(cpu, sel, d);
    }
    struct cpu_seg tmp;
    seg_cache_set(&tmp, sel, d, 0);
    bool is64 = (cpu->hflags & HF_LMA) && DESC_L(d);
    check_limit(cpu, &tmp, off, is64);
    seg_set_accessed(cpu, sel, d);
    seg_load_cs(cpu, sel, d, cpl);
    cpu->rip = is64 ? off : off & 0xffffffffu;
}

void sys_far_call(struct cpu *cpu, uint16_t sel, uint64_t off, unsigned opsize, uint64_t next)
{
    struct sys_stack st;
    off &= opmask(opsize);
    sys_stack_cur(cpu, &st);
    uint16_t old_cs = cpu->seg[X86_SEG_CS].sel;
    if (!cpu_pmode(cpu)) {
        check_limit(cpu, &cpu->seg[X86_SEG_CS], off, false);
        sys_push(cpu, &st, old_cs, opsize);
        sys_push(cpu, &st, next, opsize);
        sys_stack_commit(cpu, &st);
        set_cs_real(cpu, sel, off);
        return;
    }
    uint64_t hi, d;
    bool gate, task;
    d = far_desc(cpu, sel, &hi, &gate, &task);
    if (task) {
        if (!task_far(cpu, sel, d, true, next))
            cpu_raise(cpu, EXC_GP, true, sel & 0xfffcu);
        return;
    }
    unsigned cpl = cpu_cpl(cpu);
    bool lm = (cpu->hflags & HF_LMA) != 0;
    if (!gate) {
        check_code_target(cpu, sel, d);
        struct cpu_seg tmp;
        seg_cache_set(&tmp, sel, d, 0);
        bool is64 = lm && DESC_L(d);
        sys_push(cpu, &st, old_cs, opsize);
        sys_push(cpu, &st, next, opsize);
        check_limit(cpu, &tmp, off, is64);
        seg_set_accessed(cpu, sel, d);
        sys_stack_commit(cpu, &st);
        seg_load_cs(cpu, sel, d, cpl);
        cpu->rip = is64 ? off : off & 0xffffffffu;
        return;
    }
    uint16_t tsel;
    unsigned params;
    uint64_t g = d;
    d = gate_target(cpu, sel, g, hi, &tsel, &off, &params);
    unsigned dpl = DESC_DPL(d);
    unsigned psize = lm ? 8 : (DESC_TYPE(g) & 8) ? 4 : 2;
    struct cpu_seg tmp;
    seg_cache_set(&tmp, tsel, d, 0);
    bool is64 = lm && DESC_L(d);
    if (!DESC_CONFORMING(d) && dpl < cpl) {
        /* Inner privilege: new stack from the TSS, copy the parameters. */
        uint16_t nss;
        uint64_t nsp, ssd = 0;
        struct sys_stack ns;
        uint64_t off_tss;
        if (lm) {
            off_tss = 4 + 8 * (uint64_t)dpl;
            if (off_tss + 7 > cpu->tr.limit)
                cpu_raise(cpu, EXC_TS, true, cpu->tr.sel & 0xfffcu);
            nsp = cpu_ld(cpu, cpu->tr.base + off_tss, 8, 0);
            nss = (uint16_t)dpl;
            ns.base = 0;
            ns.spmask = ~(uint64_t)0;
            ns.sp = nsp;
            ns.limit = 0xffffffffu;
            ns.attr = 0;
        } else {
            bool t32 = (cpu->tr.attr & 8) != 0;
            off_tss = t32 ? 4 + 8 * (uint64_t)dpl : 2 + 4 * (uint64_t)dpl;
            if (off_tss + (t32 ? 5 : 3) > cpu->tr.limit)
                cpu_raise(cpu, EXC_TS, true, cpu->tr.sel & 0xfffcu);
            nsp = cpu_ld(cpu, (cpu->tr.base + off_tss) & 0xffffffffu, t32 ? 4 : 2, 0);
            nss = (uint16_t)cpu_ld(cpu, (cpu->tr.base + off_tss + (t32 ? 4 : 2)) & 0xffffffffu, 2, 0);
            ssd = seg_check_ss(cpu, nss, dpl, EXC_TS);
            struct cpu_seg sc;
            seg_cache_set(&sc, nss, ssd, 0);
            ns.base = sc.base;
            ns.spmask = DESC_DB(ssd) ? 0xffffffffu : 0xffffu;
            ns.sp = nsp & ns.spmask;
            ns.limit = sc.limit;
            ns.attr = sc.attr;
        }
        ns.exc = EXC_SS;
        ns.err = nss & 0xfffcu;
        ns.mmu = 0;
        sys_push(cpu, &ns, cpu->seg[X86_SEG_SS].sel, psize);
        sys_push(cpu, &ns, cpu->gpr[X86_RSP] & st.spmask, psize);
        for (unsigned i = params; i-- > 0 && !lm;) {
            uint64_t a = (st.sp + (uint64_t)i * psize) & st.spmask;
            uint64_t v = cpu_ld(cpu, (st.base + a) & 0xffffffffu, psize, st.mmu);
            sys_push(cpu, &ns, v, psize);
        }
        sys_push(cpu, &ns, old_cs, psize);
        sys_push(cpu, &ns, next, psize);
        check_limit(cpu, &tmp, off, is64);
        if (lm) {
            struct cpu_seg *ss = &cpu->seg[X86_SEG_SS];
            ss->sel = nss;
            ss->base = 0;
            ss->limit = 0xffffffffu;
            ss->attr = 0;
        } else {
            seg_set_accessed(cpu, nss, ssd);
            seg_cache_set(&cpu->seg[X86_SEG_SS], nss, ssd | ((uint64_t)1 << 40), 0);
        }
        seg_load_cs(cpu, tsel, d, dpl);
        sys_stack_commit(cpu, &ns);
    } else {
        sys_push(cpu, &st, old_cs, psize);
        sys_push(cpu, &st, next, psize);
        check_limit(cpu, &tmp, off, is64);
        sys_stack_commit(cpu, &st);
        seg_load_cs(cpu, tsel, d, cpl);
    }
    cpu->rip = is64 ? off : off & (psize == 2 ? 0xffffu : 0xffffffffu);
    cpu_update_hflags(cpu);
}

/* Common tail of RETF and IRET in protected mode: cs:ip popped already. */
static void ret_prot(struct cpu *cpu, struct sys_stack *st, uint16_t sel, uint64_t ip, unsigned opsize,
                     unsigned imm, bool iret, uint64_t flags)
{
    unsigned cpl = cpu_cpl(cpu), rpl = sel & 3u;
    uint32_t err = sel & 0xfffcu;
    uint64_t d;
    if ((sel & 0xfffc) == 0)
        cpu_raise(cpu, EXC_GP, true, 0);
    if (!seg_read_desc(cpu, sel, &d, NULL) || !DESC_CODE(d) || rpl < cpl)
        cpu_raise(cpu, EXC_GP, true, err);
    if (DESC_CONFORMING(d) ? DESC_DPL(d) > rpl : DESC_DPL(d) != rpl)
        cpu_raise(cpu, EXC_GP, true, err);
    if (!DESC_P(d))
        cpu_raise(cpu, EXC_NP, true, err);
    bool lm = (cpu->hflags & HF_LMA) != 0;
    bool is64 = lm && DESC_L(d);
    if (lm && DESC_L(d) && DESC_DB(d))
        cpu_raise(cpu, EXC_GP, true, err);
    st->sp = (st->sp + imm) & st->spmask;
    bool outer = rpl > cpl || (iret && cpu_64bit(cpu));
    uint16_t nss = 0;
    uint64_t nsp = 0, ssd = 0;
    if (outer) {
        nsp = sys_pop(cpu, st, opsize);
        nss = (uint16_t)sys_pop(cpu, st, opsize);
        if ((nss & 0xfffc) == 0 && lm && is64 && rpl != 3) {
            ssd = 0; /* null SS allowed returning to 64-bit code at CPL < 3 */
        } else {
            if ((nss & 0xfffc) == 0)
                cpu_raise(cpu, EXC_GP, true, 0);
            if (!seg_read_desc(cpu, nss, &ssd, NULL) || (nss & 3u) != rpl ||
                !DESC_WRITABLE_DATA(ssd) || DESC_DPL(ssd) != rpl)
                cpu_raise(cpu, EXC_GP, true, nss & 0xfffcu);
            if (!DESC_P(ssd))
                cpu_raise(cpu, EXC_SS, true, nss & 0xfffcu);
        }
    }
    struct cpu_seg tmp;
    seg_cache_set(&tmp, sel, d, 0);
    check_limit(cpu, &tmp, ip, is64);
    /* Commit. */
    seg_set_accessed(cpu, sel, d);
    if (iret) {
        uint64_t mask = CPU_ARITH_FLAGS | CPU_TF | CPU_DF | CPU_NT | CPU_RF | CPU_AC | CPU_ID;
        unsigned iopl = (unsigned)(cpu->eflags >> 12) & 3;
        if (cpl == 0)
            mask |= CPU_IOPL | CPU_VIF | CPU_VIP;
        if (cpl <= iopl)
            mask |= CPU_IF;
        if (opsize == 2)
            mask &= 0xffff;
        cpu_set_eflags(cpu, flags, mask);
    }
    if (!outer) {
        seg_load_cs(cpu, sel, d, cpl);
        sys_stack_commit(cpu, st);
    } else {
        seg_load_cs(cpu, sel, d, rpl);
        if (ssd) {
            seg_set_accessed(cpu, nss, ssd);
            seg_cache_set(&cpu->seg[X86_SEG_SS], nss, ssd | ((uint64_t)1 << 40), 0);
        } else {
            struct cpu_seg *ss = &cpu->seg[X86_SEG_SS];
            ss->sel = nss;
            ss->base = 0;
            ss->limit = 0xffffffffu;
            ss->attr = (uint16_t)(0x93 | (rpl << 5));
        }
        cpu_update_hflags(cpu);
        struct sys_stack n2;
        sys_stack_cur(cpu, &n2);
        n2.sp = (nsp + (iret ? 0 : imm)) & n2.spmask;
        if (!cpu_64bit(cpu) && n2.spmask == 0xffffffffu && opsize == 2)
            n2.sp = (cpu->gpr[X86_RSP] & ~(uint64_t)0xffff) | (n2.sp & 0xffff);
        sys_stack_commit(cpu, &n2);
        if (rpl > cpl)
            seg_validate_outer(cpu);
    }
    cpu->rip = is64 ? ip : ip & opmask(opsize);
    cpu_update_hflags(cpu);
}

void sys_retf(struct cpu *cpu, unsigned opsize, unsigned imm)
{
    struct sys_stack st;
    sys_stack_cur(cpu, &st);
    uint64_t ip = sys_pop(cpu, &st, opsize);
    uint16_t sel = (uint16_t)sys_pop(cpu, &st, opsize);
    if (!cpu_pmode(cpu)) {
        check_limit(cpu, &cpu->seg[X86_SEG_CS], ip, false);
        st.sp = (st.sp + imm) & st.spmask;
        sys_stack_commit(cpu, &st);
        set_cs_real(cpu, sel, ip);
        return;
    }
    ret_prot(cpu, &st, sel, ip, opsize, imm, false, 0);
}

void sys_iret(struct cpu *cpu, unsigned opsize, uint64_t next)
{
    struct sys_stack st;
    bool vm = (cpu->hflags & HF_VM) != 0;
    unsigned iopl = (unsigned)(cpu->eflags >> 12) & 3;
    if (vm && iopl < 3)
        cpu_raise(cpu, EXC_GP, true, 0);
    if (cpu_pmode(cpu) && (cpu->eflags & CPU_NT)) {
        task_iret(cpu, next); /* task return through the back link (#GP(0) in long mode) */
        return;
    }
    sys_stack_cur(cpu, &st);
    uint64_t ip = sys_pop(cpu, &st, opsize);
    uint16_t sel = (uint16_t)sys_pop(cpu, &st, opsize);
    uint64_t flags = sys_pop(cpu, &st, opsize);
    if (!cpu_pmode(cpu)) {
        check_limit(cpu, &cpu->seg[X86_SEG_CS], ip & opmask(opsize), false);
        uint64_t mask = CPU_ARITH_FLAGS | CPU_TF | CPU_IF | CPU_DF | CPU_IOPL | CPU_NT | CPU_RF |
                        CPU_AC | CPU_ID;
        if (vm)
            mask &= ~(uint64_t)CPU_IOPL;
        if (opsize == 2)
            mask &= 0xffff;
        sys_stack_commit(cpu, &st);
        cpu_set_eflags(cpu, flags, mask);
        set_cs_real(cpu, sel, ip & opmask(opsize));
        return;
    }
    if (cpu_cpl(cpu) == 0 && (flags & CPU_VM) && opsize == 4 && !(cpu->hflags & HF_LMA)) {
        /* Return to virtual-8086 mode. */
        uint64_t esp = sys_pop(cpu, &st, 4);
        uint16_t ss = (uint16_t)sys_pop(cpu, &st, 4), es = (uint16_t)sys_pop(cpu, &st, 4);
        uint16_t ds = (uint16_t)sys_pop(cpu, &st, 4), fs = (uint16_t)sys_pop(cpu, &st, 4);
        uint16_t gs = (uint16_t)sys_pop(cpu, &st, 4);
        cpu_set_eflags(cpu, flags, 0x3f7fd5u);
        cpu_set_cpl(cpu, 3);
        static const int order[6] = { X86_SEG_CS, X86_SEG_SS, X86_SEG_ES, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS };
        const uint16_t sels[6] = { sel, ss, es, ds, fs, gs };
        for (int i = 0; i < 6; i++) {
            struct cpu_seg *sc = &cpu->seg[order[i]];
            sc->sel = sels[i];
            sc->base = (uint64_t)sels[i] << 4;
            sc->limit = 0xffff;
            sc->attr = i == 0 ? 0xfb : 0xf3;
        }
        cpu->gpr[X86_RSP] = (uint32_t)esp;
        cpu->rip = ip & 0xffff;
        cpu_update_hflags(cpu);
        return;
    }
    ret_prot(cpu, &st, sel, ip, opsize, 0, true, flags);
}
