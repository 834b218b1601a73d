/* SPDX-License-Identifier: MIT */
/* trace_mmu.c: the -d mmu log lines (page walks, soft-TLB fills, flushes). */
#include <inttypes.h>
#include "cpu/cpu.h"
#include "cpu/mmu.h"
#include "cpu/trace_mmu.h"

static const char *acc_name(unsigned acc)
{
    switch (acc & 3) {
    case CPU_ACC_WRITE: return "write";
    case CPU_ACC_FETCH: return "fetch";
    default: return "read";
    }
}

static void prot_str(unsigned prot, char out[4])
{
    out[0] = (prot & CPU_PROT_R) ? 'r' : '-';
    out[1] = (prot & CPU_PROT_W) ? 'w' : '-';
    out[2] = (prot & CPU_PROT_X) ? 'x' : '-';
    out[3] = '\0';
}

void cpu_trace_mmu_walk(struct cpu *cpu, uint64_t va, unsigned acc, bool user, bool ok,
                        const struct mmu_result *r)
{
    if (!ok) {
        kiln_log_printf(cpu->log, "mmu: walk va=%016" PRIx64 " %s %s%s -> #PF err=%x\n", va, acc_name(acc),
                        user ? "user" : "sup", (acc & CPU_ACC_NOFAULT) ? " probe" : "", (unsigned)r->error);
        return;
    }
    char p[4];
    prot_str(r->prot, p);
    kiln_log_printf(cpu->log, "mmu: walk va=%016" PRIx64 " %s %s%s -> pa=%012" PRIx64 " prot=%s%s\n", va,
                    acc_name(acc), user ? "user" : "sup", (acc & CPU_ACC_NOFAULT) ? " probe" : "", r->phys, p,
                    r->global ? " global" : "");
}

void cpu_trace_mmu_fill(struct cpu *cpu, uint64_t va, unsigned acc, unsigned idx, bool ok, uint64_t pa,
                        unsigned prot, bool ram)
{
    if (!ok) {
        kiln_log_printf(cpu->log, "mmu: fill va=%016" PRIx64 " %s mode=%u -> fault\n", va, acc_name(acc), idx);
        return;
    }
    char p[4];
    prot_str(prot, p);
    kiln_log_printf(cpu->log, "mmu: fill va=%016" PRIx64 " %s mode=%u -> pa=%012" PRIx64 " prot=%s %s\n", va,
                    acc_name(acc), idx, pa, p, ram ? "ram" : "mmio");
}

void cpu_trace_mmu_flush(struct cpu *cpu, const char *what)
{
    kiln_log_printf(cpu->log, "mmu: flush %s at rip=%016" PRIx64 "\n", what, cpu->rip);
}
