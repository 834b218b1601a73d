/* SPDX-License-Identifier: MIT */
/* priv.c: helpers of the privileged instructions: descriptor tables, control and debug registers, LLDT/LTR, CLTS, INVLPG. */
#include "cpu/debug.h"
#include "cpu/mmu.h"
#include "cpu/sys.h"
#include "cpu/sys_helpers.h"

/* VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT UMIP, FSGSBASE, OSXSAVE, SMEP, SMAP. */
#define CR4_VALID (0x0fffu | (1u << 16) | (1u << 18) | (1u << 20) | (1u << 21))

/* #GP(0) unless CPL 0 (and not virtual-8086 mode). */
void sys_check_cpl0(struct cpu *cpu)
{
    if ((cpu->hflags & HF_PE) && ((cpu->hflags & HF_VM) || cpu_cpl(cpu) != 0))
        cpu_raise(cpu, EXC_GP, true, 0);
}

/* #UD in real and virtual-8086 mode (LLDT, LTR, SLDT, STR, LAR, LSL, VERR, VERW, ARPL). */
static void check_pmode(struct cpu *cpu)
{
    if (!cpu_pmode(cpu))
        cpu_raise(cpu, EXC_UD, false, 0);
}

/* which: 0 LGDT, 1 LIDT, 2 SGDT, 3 SIDT; addr: linear address of the operand. */
static uint64_t h_lgdt(void *env, uint64_t which, uint64_t addr, uint64_t opsize, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a3;
    unsigned idx = cpu_mmu_idx(cpu);
    bool is64 = cpu_64bit(cpu);
    struct { uint64_t base; uint32_t limit; } *t = which & 1 ? (void *)&cpu->idtr : (void *)&cpu->gdtr;
    uint64_t a2 = is64 ? addr + 2 : (addr + 2) & 0xffffffffu;
    if (which < 2) {
        sys_check_cpl0(cpu);
        uint64_t limit = cpu_ld(cpu, addr, 2, idx);
        uint64_t base = cpu_ld(cpu, a2, is64 ? 8 : 4, idx);
        if (!is64 && opsize == 2)
            base &= 0xffffff;
        if (is64 && (uint64_t)((int64_t)(base << 16) >> 16) != base)
            cpu_raise(cpu, EXC_GP, true, 0);
        t->limit = (uint32_t)limit;
        t->base = base;
    } else {
        if ((cpu->cr[4] & (1u << 11)) && cpu_cpl(cpu) > 0 && (cpu->hflags & HF_PE))
            cpu_raise(cpu, EXC_GP, true, 0); /* UMIP */
        cpu_st(cpu, addr, t->limit & 0xffff, 2, idx);
        cpu_st(cpu, a2, is64 ? t->base : t->base & 0xffffffffu, is64 ? 8 : 4, idx);
    }
    return 0;
}
const struct ir_helper helper_lgdt = { h_lgdt, "lgdt", 0 };

static void write_cr0(struct cpu *cpu, uint64_t v)
{
    uint64_t old = cpu->cr[0];
    if (v >> 32)
        cpu_raise(cpu, EXC_GP, true, 0);
    if (((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
        cpu_raise(cpu, EXC_GP, true, 0);
    bool enter_lm = (v & CR0_PG) && !(old & CR0_PG) && (cpu->efer & EFER_LME);
    if (enter_lm && (!(cpu->cr[4] & CR4_PAE) || (cpu->seg[X86_SEG_CS].attr & SEG_ATTR_L)))
        cpu_raise(cpu, EXC_GP, true, 0);
    /* PAE paging after the write and CD, NW or PG changed: the PDPTEs reload (#GP(0) if bad). */
    if ((v & CR0_PG) && (cpu->cr[4] & CR4_PAE) && !enter_lm && !(cpu->efer & EFER_LMA) &&
        ((old ^ v) & (CR0_PG | CR0_CD | CR0_NW)) && !mmu_load_pdptes(cpu, NULL, cpu->cr[3]))
        cpu_raise(cpu, EXC_GP, true, 0);
    if (enter_lm)
        cpu->efer |= EFER_LMA;
    if (!(v & CR0_PG) && (old & CR0_PG) && (cpu->efer & EFER_LMA)) {
        if (cpu_64bit(cpu))
            cpu_raise(cpu, EXC_GP, true, 0);
        cpu->efer &= ~(uint64_t)EFER_LMA;
    }
    cpu->cr[0] = v | CR0_ET;
    if (!(v & CR0_PE))
        cpu_set_cpl(cpu, 0);
    if ((old ^ v) & (CR0_PG | CR0_PE | CR0_WP))
        cpu_tlb_flush(cpu);
    cpu_update_hflags(cpu);
}

static void write_cr4(struct cpu *cpu, uint64_t v)
{
    if (v & ~(uint64_t)CR4_VALID)
        cpu_raise(cpu, EXC_GP, true, 0);
    if ((cpu->efer & EFER_LMA) && !(v & CR4_PAE))
        cpu_raise(cpu, EXC_GP, true, 0);
    /* PAE paging after the write and PAE, PGE, PSE or SMEP changed: the PDPTEs reload. */
    if ((cpu->cr[0] & CR0_PG) && (v & CR4_PAE) && !(cpu->efer & EFER_LMA) &&
        ((cpu->cr[4] ^ v) & (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP)) && !mmu_load_pdptes(cpu, NULL, cpu->cr[3]))
        cpu_raise(cpu, EXC_GP, true, 0);
    if ((cpu->cr[4] ^ v) & (CR4_PSE | CR4_PAE | CR4_PGE | (1u << 20) | (1u << 21)))
        cpu_tlb_flush(cpu);
    uint64_t old = cpu->cr[4];
    cpu->cr[4] = v;
    cpu_update_hflags(cpu);
    if ((old ^ v) & 0x8u)
        cpu_dbg_update(cpu); /* CR4.DE: I/O breakpoints */
}

void sys_write_cr(struct cpu *cpu, unsigned cr, uint64_t v)
{
    switch (cr) {
    case 0: write_cr0(cpu, v); break;
    case 2: cpu->cr[2] = v; break;
    case 3:
        if (!(cpu->hflags & HF_LMA))
            v &= 0xffffffffu;
        else if (v >> 52)
            cpu_raise(cpu, EXC_GP, true, 0);
        if (mmu_pae_legacy(cpu) && !mmu_load_pdptes(cpu, NULL, v))
            cpu_raise(cpu, EXC_GP, true, 0); /* a reserved bit in a present PDPTE: CR3 unchanged */
        cpu->cr[3] = v;
        cpu_tlb_flush_nonglobal(cpu); /* global pages stay (CR4.PGE) */
        break;
    case 4: write_cr4(cpu, v); break;
    case 8:
        if (v >> 4)
            cpu_raise(cpu, EXC_GP, true, 0);
        cpu->cr8 = v;
        if (cpu->cr8_set)
            cpu->cr8_set(cpu, v);   /* the local APIC's TPR */
        break;
    default:
        cpu_raise(cpu, EXC_UD, false, 0);
    }
}

/* (cr, value, write) -> value read. */
static uint64_t h_mov_cr(void *env, uint64_t cr, uint64_t v, uint64_t write, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a3;
    if (cr == 1 || (cr > 4 && cr != 8))
        cpu_raise(cpu, EXC_UD, false, 0);
    sys_check_cpl0(cpu);
    if (write) {
        sys_write_cr(cpu, (unsigned)cr, v);
        return 0;
    }
    if (cr == 8)
        return cpu->cr8_get ? cpu->cr8_get(cpu) : cpu->cr8;
    return cpu->cr[cr];
}
const struct ir_helper helper_mov_cr = { h_mov_cr, "mov_cr", 0 };

/* LMSW: loads CR0 bits 0..3; cannot clear PE. */
static uint64_t h_lmsw(void *env, uint64_t v, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a1; (void)a2; (void)a3;
    sys_check_cpl0(cpu);
    uint64_t cr0 = (cpu->cr[0] & ~(uint64_t)0xe) | (v & 0xe) | ((cpu->cr[0] | v) & 1);
    write_cr0(cpu, cr0);
    return 0;
}
const struct ir_helper helper_lmsw = { h_lmsw, "lmsw", 0 };

static uint64_t h_clts(void *env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a0; (void)a1; (void)a2; (void)a3;
    sys_check_cpl0(cpu);
    cpu->cr[0] &= ~(uint64_t)CR0_TS;
    return 0;
}
const struct ir_helper helper_clts = { h_clts, "clts", 0 };

/* STAC / CLAC: set / clear EFLAGS.AC; #UD at CPL > 0 and in virtual-8086 mode. */
static uint64_t h_stac(void *env, uint64_t set, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a1; (void)a2; (void)a3;
    if ((cpu->hflags & HF_PE) && ((cpu->hflags & HF_VM) || cpu_cpl(cpu) != 0))
        cpu_raise(cpu, EXC_UD, false, 0);
    if (set)
        cpu->eflags |= CPU_AC;
    else
        cpu->eflags &= ~(uint64_t)CPU_AC;
    cpu_update_hflags(cpu);
    return 0;
}
const struct ir_helper helper_stac = { h_stac, "stac", 0 };

/* WBINVD, INVD: nothing is cached; only the privilege check remains. */
static uint64_t h_wbinvd(void *env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    (void)a0; (void)a1; (void)a2; (void)a3;
    sys_check_cpl0(env);
    return 0;
}
const struct ir_helper helper_wbinvd = { h_wbinvd, "wbinvd", 0 };

static uint64_t h_invlpg(void *env, uint64_t addr, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)addr; (void)a1; (void)a2; (void)a3;
    sys_check_cpl0(cpu);
    cpu_tlb_flush(cpu); /* whole TLB: correct, if slower than one page */
    return 0;
}
const struct ir_helper helper_invlpg = { h_invlpg, "invlpg", 0 };

/* which: 0 LLDT, 1 LTR (sel), 2 SLDT, 3 STR (-> selector). */
static uint64_t h_lldt_ltr(void *env, uint64_t which, uint64_t selv, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a2; (void)a3;
    check_pmode(cpu);
    if (which == 2 || which == 3) {
        if ((cpu->cr[4] & (1u << 11)) && cpu_cpl(cpu) > 0)
            cpu_raise(cpu, EXC_GP, true, 0); /* UMIP */
        return which == 2 ? cpu->ldtr.sel : cpu->tr.sel;
    }
    sys_check_cpl0(cpu);
    uint16_t sel = (uint16_t)selv;
    uint32_t err = sel & 0xfffcu;
    bool lm = (cpu->hflags & HF_LMA) != 0;
    uint64_t d, hi = 0;
    if ((sel & 0xfffc) == 0) {
        if (which == 1)
            cpu_raise(cpu, EXC_GP, true, 0);
        cpu->ldtr.sel = sel;
        cpu->ldtr.base = 0;
        cpu->ldtr.limit = 0;
        cpu->ldtr.attr = 0;
        return 0;
    }
    if ((sel & 4) || !seg_read_desc(cpu, sel, &d, lm ? &hi : NULL))
        cpu_raise(cpu, EXC_GP, true, err);
    unsigned type = DESC_TYPE(d);
    if (DESC_S(d) || (which == 0 ? type != 2 : (type != 9 && !(type == 1 && !lm))))
        cpu_raise(cpu, EXC_GP, true, err);
    if (!DESC_P(d))
        cpu_raise(cpu, EXC_NP, true, err);
    if (lm && (hi >> 40 & 0x1f) != 0)
        cpu_raise(cpu, EXC_GP, true, err);
    if (which == 0) {
        seg_cache_set(&cpu->ldtr, sel, d, lm ? hi & 0xffffffffu : 0);
    } else {
        d |= (uint64_t)2 << 40; /* busy */
        uint64_t a = (cpu->gdtr.base + (sel & 0xfff8u));
        if (!lm)
            a &= 0xffffffffu;
        cpu_st(cpu, a + 5, (uint8_t)(d >> 40), 1, 0);
        seg_cache_set(&cpu->tr, sel, d, lm ? hi & 0xffffffffu : 0);
    }
    return 0;
}
const struct ir_helper helper_lldt_ltr = { h_lldt_ltr, "lldt_ltr", 0 };

/* LAR (0) / LSL (1) / VERR (2) / VERW (3) of sel: sets ZF; returns the value (LAR/LSL) when ZF. */
static uint64_t h_larlsl(void *env, uint64_t op, uint64_t selv, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a2; (void)a3;
    check_pmode(cpu);
    uint16_t sel = (uint16_t)selv;
    uint64_t d, ret = 0;
    bool ok = false;
    unsigned cpl = cpu_cpl(cpu), rpl = sel & 3u;
    if ((sel & 0xfffc) && seg_read_desc(cpu, sel, &d, NULL)) {
        unsigned type = DESC_TYPE(d), dpl = DESC_DPL(d);
        bool priv_ok = DESC_CONFORMING(d) || (dpl >= cpl && dpl >= rpl);
        bool lm = (cpu->hflags & HF_LMA) != 0;
        if (op == 0 || op == 1) {
            bool sys_ok;
            if (lm)
                sys_ok = type == 2 || type == 9 || type == 11 || (op == 0 && (type == 12));
            else
                sys_ok = (type >= 1 && type <= 3) || type == 9 || type == 11 ||
                         (op == 0 && (type == 4 || type == 5 || type == 12));
            ok = priv_ok && (DESC_S(d) || sys_ok);
            if (op == 0)
                ret = (d >> 32) & 0x00f0ff00u;
            else {
                struct cpu_seg sc;
                seg_cache_set(&sc, sel, d, 0);
                ret = sc.limit;
            }
        } else if (DESC_S(d)) {
            ok = priv_ok && (op == 2 ? DESC_READABLE(d) : DESC_WRITABLE_DATA(d));
        }
    }
    uint64_t f = cpu_get_eflags(cpu);
    cpu_set_eflags(cpu, ok ? f | CPU_ZF : f & ~(uint64_t)CPU_ZF, CPU_ARITH_FLAGS);
    return ok ? ret : ~(uint64_t)0;
}
const struct ir_helper helper_larlsl = { h_larlsl, "larlsl", 0 };

/* MOV DR: (dr, value, write) -> value read (cpu/dbgreg.c). */
static uint64_t h_mov_dr(void *env, uint64_t dr, uint64_t v, uint64_t write, uint64_t a3)
{
    (void)a3;
    return cpu_dr_access(env, dr > 15 ? 15 : (unsigned)dr, v, write != 0);
}
const struct ir_helper helper_mov_dr = { h_mov_dr, "mov_dr", 0 };
