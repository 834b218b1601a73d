/* SPDX-License-Identifier: MIT */
/* msr.c: RDMSR/WRMSR, SYSCALL/SYSRET, SYSENTER/SYSEXIT, SWAPGS, RDTSCP. */
#include "cpu/sys.h"
#include "cpu/trace.h"
#include "cpu/trace_unimp.h"
#include "cpu/sys_helpers.h"


static uint64_t tsc(struct cpu *cpu)
{
    return cpu->tsc ? cpu->tsc(cpu) : cpu->insn_count + (uint64_t)(cpu->icount_start - cpu->icount_left);
}

static bool canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* Reads MSR idx into *v; false for an unknown MSR (#GP). */
bool sys_rdmsr(struct cpu *cpu, uint32_t idx, uint64_t *v)
{
    if ((idx == 0x1b || idx == 0x6e0) && cpu->apic_msr)
        return cpu->apic_msr(cpu, idx, false, v);
    int r = sys_msr_mtrr(cpu, idx, false, v);
    if (r >= 0)
        return r;
    switch (idx) {
    case 0x10: *v = tsc(cpu); return true;
    case 0x1b: *v = 0xfee00100u; return true;      /* APIC base: BSP, xAPIC disabled */
    case 0x8b: *v = 0; return true;                /* microcode revision */
    case 0x17: case 0x140: case 0x179: case 0x17a: /* platform id, misc features, MCG_CAP/STATUS */
        *v = 0;
        return true;
    case 0x3a: *v = 1; return true;                /* feature control: locked, no VMX/SMX */
    case 0x1a0: *v = 1; return true;               /* misc enable: fast strings */
    case 0x174: *v = cpu->sysenter_cs; return true;
    case 0x175: *v = cpu->sysenter_esp; return true;
    case 0x176: *v = cpu->sysenter_eip; return true;
    case 0xc0000080: *v = cpu->efer; return true;
    case 0xc0000081: *v = cpu->star; return true;
    case 0xc0000082: *v = cpu->lstar; return true;
    case 0xc0000083: *v = cpu->cstar; return true;
    case 0xc0000084: *v = cpu->sfmask; return true;
    case 0xc0000100: *v = cpu->seg[X86_SEG_FS].base; return true;
    case 0xc0000101: *v = cpu->seg[X86_SEG_GS].base; return true;
    case 0xc0000102: *v = cpu->kernel_gs_base; return true;
    case 0xc0000103: *v = cpu->tsc_aux; return true;
    default:
        return false;
    }
}

/* Writes MSR idx; false for an unknown MSR or a reserved-bit violation (#GP). */
bool sys_wrmsr(struct cpu *cpu, uint32_t idx, uint64_t v)
{
    if ((idx == 0x1b || idx == 0x6e0) && cpu->apic_msr)
        return cpu->apic_msr(cpu, idx, true, &v);
    int r = sys_msr_mtrr(cpu, idx, true, &v);
    if (r >= 0)
        return r;
    switch (idx) {
    case 0x10: return true; /* TSC writes are ignored */
    case 0x1b: case 0x8b: case 0x1a0: case 0x140: case 0x17a: return true; /* ignored */
    case 0x174: cpu->sysenter_cs = v & 0xffff; return true;
    case 0x175: if (!canonical(v)) return false; cpu->sysenter_esp = v; return true;
    case 0x176: if (!canonical(v)) return false; cpu->sysenter_eip = v; return true;
    case 0xc0000080: {
        if (v & ~(uint64_t)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
            return false;
        if ((cpu->cr[0] & 0x80000000u) && ((v ^ cpu->efer) & EFER_LME))
            return false;
        uint64_t nv = (v & ~(uint64_t)EFER_LMA) | (cpu->efer & EFER_LMA);
        if ((nv ^ cpu->efer) & EFER_NXE)
            cpu_tlb_flush(cpu);
        cpu->efer = nv;
        cpu_update_hflags(cpu);
        return true;
    }
    case 0xc0000081: cpu->star = v; return true;
    case 0xc0000082: if (!canonical(v)) return false; cpu->lstar = v; return true;
    case 0xc0000083: if (!canonical(v)) return false; cpu->cstar = v; return true;
    case 0xc0000084: cpu->sfmask = v & 0xffffffffu; return true;
    case 0xc0000100: if (!canonical(v)) return false; cpu->seg[X86_SEG_FS].base = v; return true;
    case 0xc0000101: if (!canonical(v)) return false; cpu->seg[X86_SEG_GS].base = v; return true;
    case 0xc0000102: if (!canonical(v)) return false; cpu->kernel_gs_base = v; return true;
    case 0xc0000103: cpu->tsc_aux = v & 0xffffffffu; return true;
    default: return false;
    }
}

/* (write) RDMSR / WRMSR on ECX with EDX:EAX. */
static uint64_t h_msr(void *env, uint64_t write, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a1; (void)a2; (void)a3;
    sys_check_cpl0(cpu);
    uint32_t idx = (uint32_t)cpu->gpr[1];
    if (write) {
        uint64_t v = (uint32_t)cpu->gpr[0] | (cpu->gpr[2] << 32);
        if (!sys_wrmsr(cpu, idx, v)) {
            if (kiln_log_enabled(cpu->log, KILN_LOG_UNIMP))
                cpu_trace_unimp_msr(cpu, idx, true);
            cpu_raise(cpu, EXC_GP, true, 0);
        }
    } else {
        uint64_t v;
        if (!sys_rdmsr(cpu, idx, &v)) {
            if (kiln_log_enabled(cpu->log, KILN_LOG_UNIMP))
                cpu_trace_unimp_msr(cpu, idx, false);
            cpu_raise(cpu, EXC_GP, true, 0);
        }
        cpu->gpr[0] = (uint32_t)v;
        cpu->gpr[2] = v >> 32;
    }
    return 0;
}
const struct ir_helper helper_msr = { h_msr, "msr", 0 };

/* A flat segment cache: code (64-bit when l64) or data, at privilege dpl. */
static void set_flat(struct cpu *cpu, int seg, uint16_t sel, bool code, unsigned dpl, bool l64)
{
    struct cpu_seg *s = &cpu->seg[seg];
    s->sel = sel;
    s->base = 0;
    s->limit = 0xffffffffu;
    s->attr = (uint16_t)((code ? 0x9b : 0x93) | (dpl << 5) | 0x800 |
                         (l64 ? SEG_ATTR_L : SEG_ATTR_DB));
}

/* kind: 0 SYSCALL, 1 SYSRET, 2 SYSENTER, 3 SYSEXIT; next = the next rip; opsize. */
static uint64_t h_fastcall(void *env, uint64_t kind, uint64_t next, uint64_t opsize, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a3;
    bool lma = (cpu->hflags & HF_LMA) != 0;
    uint64_t fl = cpu_get_eflags(cpu);
    switch (kind) {
    case 0: { /* SYSCALL */
        if (!(cpu->efer & EFER_SCE))
            cpu_raise(cpu, EXC_UD, false, 0);
        uint16_t sel = (uint16_t)(cpu->star >> 32);
        cpu->gpr[1] = next;
        if (lma) {
            cpu->gpr[11] = fl & ~(uint64_t)CPU_RF;
            set_flat(cpu, X86_SEG_CS, sel & 0xfffc, true, 0, true);
            set_flat(cpu, X86_SEG_SS, (uint16_t)((sel + 8) & 0xfffc), false, 0, false);
            cpu->rip = cpu_64bit(cpu) ? cpu->lstar : cpu->cstar;
            cpu_set_eflags(cpu, fl & ~cpu->sfmask & ~(uint64_t)CPU_RF, ~(uint64_t)CPU_VM);
        } else {
            cpu->gpr[1] = (uint32_t)next;
            set_flat(cpu, X86_SEG_CS, sel & 0xfffc, true, 0, false);
            set_flat(cpu, X86_SEG_SS, (uint16_t)((sel + 8) & 0xfffc), false, 0, false);
            cpu->rip = (uint32_t)cpu->star;
            cpu_set_eflags(cpu, fl & ~(uint64_t)(CPU_IF | CPU_RF | CPU_VM), ~(uint64_t)0);
        }
        cpu_set_cpl(cpu, 0);
        break;
    }
    case 1: { /* SYSRET */
        if (!(cpu->efer & EFER_SCE))
            cpu_raise(cpu, EXC_UD, false, 0);
        if (!cpu_pmode(cpu) || cpu_cpl(cpu) != 0)
            cpu_raise(cpu, EXC_GP, true, 0);
        uint16_t sel = (uint16_t)(cpu->star >> 48);
        if (opsize == 8) {
            if (!canonical(cpu->gpr[1]))
                cpu_raise(cpu, EXC_GP, true, 0);
            set_flat(cpu, X86_SEG_CS, (uint16_t)((sel + 16) | 3), true, 3, true);
            cpu->rip = cpu->gpr[1];
        } else {
            set_flat(cpu, X86_SEG_CS, (uint16_t)(sel | 3), true, 3, false);
            cpu->rip = (uint32_t)cpu->gpr[1];
        }
        /* SS as Intel's SYSRET loads it: flat (base 0, limit 4 GiB - 1), not the cache of
           the kernel's SS (a null one has limit 0: the segment checks of a
           compatibility-mode return would fault every stack access) */
        set_flat(cpu, X86_SEG_SS, (uint16_t)((sel + 8) | 3), false, 3, false);
        cpu_set_cpl(cpu, 3);
        if (lma)
            cpu_set_eflags(cpu, (cpu->gpr[11] & 0x3c7fd7u) | 2, ~(uint64_t)0);
        else
            cpu_set_eflags(cpu, fl | CPU_IF, ~(uint64_t)0);
        break;
    }
    case 2: { /* SYSENTER */
        if (!cpu_pmode(cpu) || (cpu->sysenter_cs & 0xfffc) == 0)
            cpu_raise(cpu, EXC_GP, true, 0);
        uint16_t sel = (uint16_t)cpu->sysenter_cs;
        set_flat(cpu, X86_SEG_CS, sel & 0xfffc, true, 0, lma);
        set_flat(cpu, X86_SEG_SS, (uint16_t)((sel + 8) & 0xfffc), false, 0, false);
        cpu->rip = lma ? cpu->sysenter_eip : (uint32_t)cpu->sysenter_eip;
        cpu->gpr[X86_RSP] = lma ? cpu->sysenter_esp : (uint32_t)cpu->sysenter_esp;
        cpu_set_eflags(cpu, fl & ~(uint64_t)(CPU_IF | CPU_RF | CPU_VM), ~(uint64_t)0);
        cpu_set_cpl(cpu, 0);
        break;
    }
    default: { /* SYSEXIT */
        if (!cpu_pmode(cpu) || (cpu->sysenter_cs & 0xfffc) == 0 || cpu_cpl(cpu) != 0)
            cpu_raise(cpu, EXC_GP, true, 0);
        uint16_t sel = (uint16_t)cpu->sysenter_cs;
        bool w = opsize == 8;
        set_flat(cpu, X86_SEG_CS, (uint16_t)((sel + (w ? 32 : 16)) | 3), true, 3, w);
        set_flat(cpu, X86_SEG_SS, (uint16_t)((sel + (w ? 40 : 24)) | 3), false, 3, false);
        cpu->rip = w ? cpu->gpr[2] : (uint32_t)cpu->gpr[2];
        cpu->gpr[X86_RSP] = w ? cpu->gpr[1] : (uint32_t)cpu->gpr[1];
        cpu_set_cpl(cpu, 3);
        break;
    }
    }
    cpu_update_hflags(cpu);
    return 0;
}
const struct ir_helper helper_fastcall = { h_fastcall, "fastcall", 0 };

static uint64_t h_swapgs(void *env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a0; (void)a1; (void)a2; (void)a3;
    sys_check_cpl0(cpu);
    uint64_t t = cpu->seg[X86_SEG_GS].base;
    cpu->seg[X86_SEG_GS].base = cpu->kernel_gs_base;
    cpu->kernel_gs_base = t;
    return 0;
}
const struct ir_helper helper_swapgs = { h_swapgs, "swapgs", 0 };

/* RDTSCP (0): EDX:EAX = TSC, ECX = TSC_AUX; RDPID (1) -> TSC_AUX. */
static uint64_t h_rdtscp(void *env, uint64_t pid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a1; (void)a2; (void)a3;
    if (pid)
        return cpu->tsc_aux;
    uint64_t t = tsc(cpu);
    cpu->gpr[0] = (uint32_t)t;
    cpu->gpr[2] = t >> 32;
    cpu->gpr[1] = (uint32_t)cpu->tsc_aux;
    return 0;
}
const struct ir_helper helper_rdtscp = { h_rdtscp, "rdtscp", 0 };
