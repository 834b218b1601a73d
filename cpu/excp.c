/* SPDX-License-Identifier: MIT */
/* excp.c: raising x86 exceptions by unwinding to the CPU loop. */
#include <stdio.h>
#include <stdlib.h>
#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "translate/engine.h"

void cpu_sync_insn(struct cpu *cpu)
{
    uintptr_t ra = cpu->insn_ra;
    uint64_t lin;
    if (!ra)
        return;
    cpu->insn_ra = 0;
    struct engine *e = cpu->engine;
    if (!e || !e->insn_at || !e->insn_at(e, ra, &lin))
        return;
    /* The marker is the instruction's linear address (cpu_translate); a block
       only runs with the CS base and code size it was translated for. */
    uint64_t rip = lin - cpu->seg[X86_SEG_CS].base;
    cpu->rip = (cpu->hflags & HF_CS64) ? rip : (uint32_t)rip;
}

_Noreturn void cpu_raise(struct cpu *cpu, int vector, bool has_error, uint32_t error)
{
    cpu_sync_insn(cpu);
    cpu->excp_vector = vector;
    cpu->excp_has_error = has_error;
    cpu->excp_error = has_error ? error : 0;
    if (!cpu->in_exec) {
        fprintf(stderr, "kiln: exception %d raised outside cpu_exec\n", vector);
        abort();
    }
    longjmp(cpu->jmp, 1);
}

_Noreturn void cpu_raise_pf(struct cpu *cpu, uint64_t addr, uint32_t error)
{
    cpu->excp_cr2 = addr;
    cpu->cr[2] = addr;
    cpu_raise(cpu, EXC_PF, true, error);
}
