/* SPDX-License-Identifier: MIT */
/* debug.c: debugger breakpoints and single steps of the vCPU. */
#include "cpu/debug.h"
#include "translate/tb.h"

/* Translations made with the old breakpoint set are wrong now. */
static void bp_changed(struct cpu *cpu)
{
    if (cpu->tbc)
        tb_flush(cpu->tbc);
}

bool cpu_bp_insert(struct cpu *cpu, uint64_t lin)
{
    if (cpu_bp_hit(cpu, lin))
        return true;
    if (cpu->nbp >= CPU_MAX_BP)
        return false;
    cpu->bp[cpu->nbp++] = lin;
    bp_changed(cpu);
    return true;
}

bool cpu_bp_remove(struct cpu *cpu, uint64_t lin)
{
    for (unsigned i = 0; i < cpu->nbp; i++) {
        if (cpu->bp[i] == lin) {
            cpu->bp[i] = cpu->bp[--cpu->nbp];
            bp_changed(cpu);
            return true;
        }
    }
    return false;
}

void cpu_bp_clear(struct cpu *cpu)
{
    if (cpu->nbp) {
        cpu->nbp = 0;
        bp_changed(cpu);
    }
}

int cpu_debug_step(struct cpu *cpu)
{
    cpu->debug_step = true;
    int r = cpu_exec(cpu, 1);
    cpu->debug_step = false;
    return r;
}
