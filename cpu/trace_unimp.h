/* SPDX-License-Identifier: MIT */
/* trace_unimp.h: -d unimp for the vCPU (unimplemented instructions and MSRs, once each). */
#ifndef KILN_CPU_TRACE_UNIMP_H
#define KILN_CPU_TRACE_UNIMP_H

#include <stdbool.h>
#include <stdint.h>

struct cpu;
struct x86_insn;

/* An instruction kiln decodes but does not implement (it raises #UD), once
   per opcode; callers test kiln_log_enabled(cpu->log, KILN_LOG_UNIMP). */
void cpu_trace_unimp_insn(struct cpu *cpu, const struct x86_insn *in, uint64_t ip);
/* RDMSR/WRMSR of an MSR kiln does not know (it raises #GP), once per index. */
void cpu_trace_unimp_msr(struct cpu *cpu, uint32_t idx, bool write);

#endif
