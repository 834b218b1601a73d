/* SPDX-License-Identifier: MIT */
/* gdbstub_cpu.c: a gdbstub target for one struct cpu driven with cpu_exec (bare CPU, tools). */
#include <string.h>
#include "cpu/cpu.h"
#include "cpu/debug.h"
#include "cpu/sse.h"
#include "translate/tb.h"
#include "ui/gdbstub.h"

/* gdb's order (rax rbx rcx rdx rsi rdi rbp rsp) -> ours (RAX RCX RDX RBX RSP RBP RSI RDI). */
static const unsigned gpr_map[16] = { 0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15 };

static struct cpu *cpu_of(void *opaque)
{
    return ((struct gdbstub_cpu_target *)opaque)->cpu;
}

static void get_regs(void *opaque, struct gdb_regs *r)
{
    struct cpu *cpu = cpu_of(opaque);
    static const unsigned seg_map[6] = { 1, 2, 3, 0, 4, 5 }; /* cs ss ds es fs gs */
    memset(r, 0, sizeof(*r));
    for (int i = 0; i < 16; i++)
        r->gpr[i] = cpu->gpr[gpr_map[i]];
    r->rip = cpu->rip;
    r->eflags = (uint32_t)cpu_get_eflags(cpu);
    for (int i = 0; i < 6; i++)
        r->seg[i] = cpu->seg[seg_map[i]].sel;
    /* x87: ST(i) is physical register (TOP + i) mod 8. */
    const struct cpu_fpu *f = &cpu->fpu;
    unsigned top = (f->fsw >> 11) & 7;
    for (unsigned i = 0; i < 8; i++) {
        const struct x87_reg *x = &f->st[(top + i) & 7];
        memcpy(r->st[i], &x->mant, 8);
        memcpy(r->st[i] + 8, &x->sexp, 2);
    }
    r->fpu[0] = f->fcw;
    r->fpu[1] = f->fsw;
    r->fpu[2] = f->ftw;
    r->fpu[3] = f->fcs;
    r->fpu[4] = (uint32_t)f->fip;
    r->fpu[5] = f->fds;
    r->fpu[6] = (uint32_t)f->fdp;
    r->fpu[7] = f->fop;
    for (int i = 0; i < 16; i++)
        memcpy(r->xmm[i], &f->xmm[i], 16);
    r->mxcsr = f->mxcsr;
    r->fs_base = cpu->seg[4].base;
    r->gs_base = cpu->seg[5].base;
}

static void set_regs(void *opaque, const struct gdb_regs *r)
{
    struct cpu *cpu = cpu_of(opaque);
    for (int i = 0; i < 16; i++)
        cpu->gpr[gpr_map[i]] = r->gpr[i];
    cpu->rip = r->rip;
    /* Arithmetic flags, DF, TF and AC; IF/IOPL/VM stay as the CPU has them. */
    cpu_set_eflags(cpu, r->eflags, CPU_ARITH_FLAGS | CPU_DF | CPU_TF | CPU_AC);
    for (int i = 0; i < 16; i++)
        memcpy(&cpu->fpu.xmm[i], r->xmm[i], 16);
    if (!(r->mxcsr & ~MXCSR_MASK))
        cpu->fpu.mxcsr = r->mxcsr;
    if (cpu->hflags & HF_CS64) {
        cpu->seg[4].base = r->fs_base;
        cpu->seg[5].base = r->gs_base;
    }
}

/* Host pointer of va's page for the access, or NULL (unmapped or MMIO). */
static uint8_t *host_of(struct cpu *cpu, uint64_t va, bool write, uint64_t *phys)
{
    uint8_t *host = NULL;
    unsigned prot = 0;
    uint64_t ph;
    unsigned acc = (write ? CPU_ACC_WRITE : CPU_ACC_READ) | CPU_ACC_NOFAULT;
    if (!cpu->mem->translate(cpu, va, acc, cpu_mmu_idx(cpu), &ph, &host, &prot) || !host)
        return NULL;
    *phys = (ph & TLB_PAGE_MASK) + (va & ~TLB_PAGE_MASK);
    return host + (va & ~TLB_PAGE_MASK);
}

static bool access(void *opaque, uint64_t va, uint8_t *buf, size_t len, bool write)
{
    struct cpu *cpu = cpu_of(opaque);
    while (len > 0) {
        uint64_t phys;
        size_t chunk = TLB_PAGE_SIZE - (size_t)(va & ~TLB_PAGE_MASK);
        if (chunk > len)
            chunk = len;
        uint8_t *h = host_of(cpu, va, write, &phys);
        if (!h)
            return false;
        if (write) {
            memcpy(h, buf, chunk);
            if (cpu->tbc)
                tb_invalidate_phys_range(cpu->tbc, phys, phys + chunk);
        } else {
            memcpy(buf, h, chunk);
        }
        buf += chunk;
        va += chunk;
        len -= chunk;
    }
    return true;
}

static bool read_mem(void *opaque, uint64_t va, void *buf, size_t len)
{
    return access(opaque, va, buf, len, false);
}

static bool write_mem(void *opaque, uint64_t va, const void *buf, size_t len)
{
    return access(opaque, va, (uint8_t *)(uintptr_t)buf, len, true);
}

static uint64_t linear(struct cpu *cpu, uint64_t addr)
{
    /* gdb speaks in rip values: add the CS base outside 64-bit mode */
    if (cpu->hflags & HF_CS64)
        return addr;
    return (cpu->seg[1].base + addr) & 0xffffffffu;
}

static bool bp_insert(void *opaque, enum gdb_bp type, uint64_t addr)
{
    (void)type; /* software and hardware breakpoints are the same translation-time check */
    struct cpu *cpu = cpu_of(opaque);
    return cpu_bp_insert(cpu, linear(cpu, addr));
}

static bool bp_remove(void *opaque, enum gdb_bp type, uint64_t addr)
{
    (void)type;
    struct cpu *cpu = cpu_of(opaque);
    return cpu_bp_remove(cpu, linear(cpu, addr));
}

/* Watchpoints: gdb's data addresses are linear (as for m/M), kinds map to CPU_WP_*. */
static bool wp_insert(void *opaque, enum gdb_bp type, uint64_t addr, uint64_t len)
{
    struct cpu *cpu = cpu_of(opaque);
    return cpu_wp_insert(cpu, addr, len, (unsigned)type - 1);
}

static bool wp_remove(void *opaque, enum gdb_bp type, uint64_t addr, uint64_t len)
{
    struct cpu *cpu = cpu_of(opaque);
    return cpu_wp_remove(cpu, addr, len, (unsigned)type - 1);
}

static bool watch_hit(void *opaque, enum gdb_bp *type, uint64_t *addr)
{
    unsigned kind;
    if (!cpu_debug_watch_hit(cpu_of(opaque), addr, &kind))
        return false;
    *type = (enum gdb_bp)(kind + 1);
    return true;
}

static enum gdb_run run(void *opaque, bool step)
{
    struct gdbstub_cpu_target *t = opaque;
    struct cpu *cpu = t->cpu;
    cpu->excp_vector = -1;
    int r = step ? cpu_debug_step(cpu) : cpu_exec(cpu, t->slice ? t->slice : 100000);
    switch (r) {
    case CPU_EXIT_DEBUG:
        return GDB_RUN_BREAK;
    case CPU_EXIT_HLT:
        return GDB_RUN_EXITED;
    case CPU_EXIT_EXCEPTION:
        return GDB_RUN_FAULT;
    default:
        return step ? GDB_RUN_STEPPED : GDB_RUN_MORE;
    }
}

const struct gdb_target_ops gdbstub_cpu_ops = {
    .get_regs = get_regs,
    .set_regs = set_regs,
    .read_mem = read_mem,
    .write_mem = write_mem,
    .bp_insert = bp_insert,
    .bp_remove = bp_remove,
    .wp_insert = wp_insert,
    .wp_remove = wp_remove,
    .watch_hit = watch_hit,
    .run = run,
};

_Static_assert(GDB_BP_WRITE - 1 == CPU_WP_WRITE && GDB_BP_READ - 1 == CPU_WP_READ &&
                   GDB_BP_ACCESS - 1 == CPU_WP_ACCESS,
               "gdb watchpoint types map to CPU_WP_* by subtracting 1");
