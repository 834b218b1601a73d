/* SPDX-License-Identifier: MIT */
/* excp.c: raising x86 exceptions by unwinding to the CPU loop. */
#include <stdio.h>
#include <stdlib.h>
#include "cpu/cpu.h"

_Noreturn void cpu_raise(struct cpu *cpu, int vector, bool has_error, uint32_t error)
{
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
