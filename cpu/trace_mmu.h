/* SPDX-License-Identifier: MIT */
/* trace_mmu.h: the -d mmu log: page walks, soft-TLB fills and flushes. */
#ifndef KILN_CPU_TRACE_MMU_H
#define KILN_CPU_TRACE_MMU_H

#include <stdbool.h>
#include <stdint.h>
#include "translate/log.h"

struct cpu;
struct mmu_result;

/*
 * Callers test kiln_log_enabled(cpu->log, KILN_LOG_MMU) first, so with the
 * item off each hook costs a load and a predicted branch on a slow path (a
 * TLB miss, a walk, a flush) and nothing on the fast path.
 */

/* A page walk for va (acc: enum cpu_access, maybe | CPU_ACC_NOFAULT) by a user
   or supervisor access: "mmu: walk va=... read|write|fetch sup|user -> pa=...
   prot=rwx [global]" or "-> #PF err=..." when ok is false. */
void cpu_trace_mmu_walk(struct cpu *cpu, uint64_t va, unsigned acc, bool user, bool ok,
                        const struct mmu_result *r);

/* A soft-TLB fill of va's page in TLB mode idx: "mmu: fill va=... mode=N ->
   pa=... prot=rwx ram|mmio", or "-> fault" when ok is false. */
void cpu_trace_mmu_fill(struct cpu *cpu, uint64_t va, unsigned acc, unsigned idx, bool ok, uint64_t pa,
                        unsigned prot, bool ram);

/* A TLB flush ("all" or "non-global"), with the guest's rip. */
void cpu_trace_mmu_flush(struct cpu *cpu, const char *what);

#endif
