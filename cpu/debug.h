/* SPDX-License-Identifier: MIT */
/* debug.h: debugger support in the vCPU: breakpoints checked at translation time, single steps. */
#ifndef KILN_CPU_DEBUG_H
#define KILN_CPU_DEBUG_H

#include <stdbool.h>
#include <stdint.h>
#include "cpu/cpu.h"

/*
 * Breakpoints never touch guest memory: the translator ends a block before a
 * breakpoint address, and a block starting at one is just an EXIT with
 * CPU_EXIT_DEBUG (rip at the breakpoint, nothing executed), so cpu_exec
 * returns CPU_EXIT_DEBUG. Addresses are linear (cs base + rip). Changing the
 * set flushes the translation cache (call only outside cpu_exec).
 * Single-instruction blocks (cpu_debug_step, EFLAGS.TF, SMC recovery) do not
 * check breakpoints.
 */
#define CPU_MAX_BP ((unsigned)(sizeof(((struct cpu *)0)->bp) / sizeof(uint64_t)))

/* Adds a breakpoint; true if set (or already there), false when all are used. */
bool cpu_bp_insert(struct cpu *cpu, uint64_t lin);
/* Removes one; false if there was none at lin. */
bool cpu_bp_remove(struct cpu *cpu, uint64_t lin);
/* Removes all. */
void cpu_bp_clear(struct cpu *cpu);

/* True when a breakpoint is set at linear address lin. */
static inline bool cpu_bp_hit(const struct cpu *cpu, uint64_t lin)
{
    for (unsigned i = 0; i < cpu->nbp; i++)
        if (cpu->bp[i] == lin)
            return true;
    return false;
}

/* Executes exactly one instruction (even one at a breakpoint); returns the
   enum cpu_exit of cpu_exec (CPU_EXIT_BUDGET when the instruction retired). */
int cpu_debug_step(struct cpu *cpu);

#endif
