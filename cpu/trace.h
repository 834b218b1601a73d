/* SPDX-License-Identifier: MIT */
/* trace.h: the -d trace output of the vCPU (in_asm, op, out_asm, exec, cpu, int, stats). */
#ifndef KILN_CPU_TRACE_H
#define KILN_CPU_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "translate/log.h"

struct cpu;
struct tb;
struct ir_block;

/*
 * The callers test kiln_log_enabled(cpu->log, item) first (an inline mask
 * test), so none of this costs anything while its item is off. Everything is
 * written to cpu->log; a NULL log writes nothing.
 */

/* True while per-block-entry tracing (exec, cpu) or nochain is on: the CPU
   loop then neither chains blocks nor lets engines jump block to block. */
static inline bool cpu_trace_nochain(const struct kiln_log *log)
{
    return __builtin_expect(log != NULL &&
                            (log->mask & (KILN_LOG_BIT(KILN_LOG_NOCHAIN) | KILN_LOG_BIT(KILN_LOG_EXEC) |
                                          KILN_LOG_BIT(KILN_LOG_CPU))) != 0, 0);
}

/* in_asm: the guest code of the block just translated at linear address pc
   (size bytes), one instruction a line: address, bytes, Intel syntax
   (capstone, in the CPU's current code size). */
void cpu_trace_in_asm(struct cpu *cpu, uint64_t pc, uint32_t size);

/* op / op_opt: the IR of b under a title line. */
void cpu_trace_ir(struct cpu *cpu, const char *title, uint64_t pc, const struct ir_block *b);

/* out_asm: the host code of tb (JIT) or a note that the interpreter runs it. */
void cpu_trace_out_asm(struct cpu *cpu, const struct tb *tb);

/* exec: one line per block entry (tb pointer, pc, cs:rip). */
void cpu_trace_exec(struct cpu *cpu, const struct tb *tb);

/* Writes the register state (GPRs, rip, eflags, segments, control and
   descriptor-table registers) to out; used by -d cpu and the monitor. */
void cpu_dump_state(struct cpu *cpu, FILE *out);

/* int: an exception or interrupt about to be delivered (or stopping the CPU):
   vector, error code (when has_err), CS:RIP, CR2 for #PF, and whether it is
   external (hw), a software INT n, or an exception. */
void cpu_trace_int(struct cpu *cpu, int vector, bool has_err, uint32_t err, bool hw);

/* unimp: see cpu/trace_unimp.h (apart: capstone also names a type x86_insn). */

/* stats: the counters of cpu->stats and of the TB cache. */
void cpu_trace_stats(struct cpu *cpu);

#endif
