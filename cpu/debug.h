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
 * Debugger single steps do not check the debugger's breakpoints
 * (CPU_CF_NODBGBP), re-executions of an instruction after an unwind check
 * none (CPU_CF_NOBP); EFLAGS.TF steps check all.
 * The guest's instruction breakpoints (DR0-3 with DR7 R/W = 00) use the same
 * block boundary: the block starting at one first calls helper_dbg_bp.
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

/*
 * Watchpoints (data breakpoints) of the guest's DR0-DR3/DR7 and of the
 * debugger share one table (struct cpu_dbg, rebuilt by cpu_dbg_update). While
 * it holds any memory range, the soft TLB gives the pages of watched ranges a
 * TLB_SLOW tag (write tag for write watches, both for read/access ones), so
 * only those accesses reach cpu_ld/cpu_st, which call cpu_watch_check. A hit
 * inside a multi-instruction block unwinds before the access (like a store to
 * the running block's code) and the loop runs the instruction again alone; a
 * hit in a one-instruction block is recorded, the instruction completes, and
 * the loop then raises #DB (guest DRn: DR6.Bn) or returns CPU_EXIT_DEBUG with
 * the debugger's hit in cpu_debug_watch_hit (rip after the instruction; a REP
 * string instruction stops after the iteration that hit). Nothing changes for
 * generated code when no watch is enabled.
 */
#define CPU_MAX_WP 16u
enum { CPU_WP_WRITE = 1, CPU_WP_READ = 2, CPU_WP_ACCESS = 3 };

/* Adds a debugger watchpoint on [lin, lin+len) for writes, reads or both
   (CPU_WP_*); true if set (or already there), false when full or len is 0. */
bool cpu_wp_insert(struct cpu *cpu, uint64_t lin, uint64_t len, unsigned kind);
/* Removes the one with this address, length and kind; false if none. */
bool cpu_wp_remove(struct cpu *cpu, uint64_t lin, uint64_t len, unsigned kind);
/* Removes all debugger watchpoints. */
void cpu_wp_clear(struct cpu *cpu);
/* After cpu_exec returned CPU_EXIT_DEBUG: true when a debugger watchpoint
   stopped it (not a breakpoint), with that watchpoint's address and kind
   (CPU_WP_*); clears the record. */
bool cpu_debug_watch_hit(struct cpu *cpu, uint64_t *lin, unsigned *kind);

/* Guest debug registers (cpu/dbgreg.c). MOV to/from DRn with its checks
   (#UD for DR4/5 under CR4.DE, #GP at CPL > 0 or for high bits of DR6/7, #DB
   with DR6.BD under DR7.GD); returns the value read. */
uint64_t cpu_dr_access(struct cpu *cpu, unsigned n, uint64_t value, bool write);
/* Rebuilds the watch table from DR7/DR0-3 and the debugger's watchpoints;
   flushes the TLB when the data ranges changed and asks the loop to flush
   translations when the instruction breakpoints changed. */
void cpu_dbg_update(struct cpu *cpu);
/* Slow-path check of a data access of size bytes at lin (cpu/mem.c). */
void cpu_watch_check(struct cpu *cpu, uint64_t lin, unsigned size, bool write);
/* I/O breakpoints (DR7 R/W = 10 with CR4.DE) on a port access. */
void cpu_watch_io(struct cpu *cpu, uint16_t port, unsigned size);
/* Which accesses to the page at lin must take the slow path: bit 0 reads,
   bit 1 writes. */
unsigned cpu_watch_page(const struct cpu *cpu, uint64_t page);
/* DRn enabled as instruction breakpoints at linear address lin (bit mask). */
unsigned cpu_dbg_exec_match(const struct cpu *cpu, uint64_t lin);
/* The loop's hooks: before choosing a block (raises a pending #DB, flushes
   translations the debug registers made stale), and after a block that ran
   alone (hits of its instruction: #DB trap, or CPU_EXIT_DEBUG for the
   debugger's; returns -1 to go on), or after a MOV/POP SS (opens its #DB
   shadow) and after the instruction in that shadow. *tf: EFLAGS.TF was set
   before it; cleared when the single-step trap is suppressed or was raised. */
void cpu_dbg_loop_top(struct cpu *cpu);
/* MOV SS / POP SS loaded SS (not LSS): the next instruction is in its #DB shadow. */
void cpu_dbg_ss_loaded(struct cpu *cpu);
int cpu_dbg_after_insn(struct cpu *cpu, bool *tf);
/* An exception unwound the instruction: its hits do not count (but those held
   by a MOV/POP SS trap after the delivery). */
void cpu_dbg_discard(struct cpu *cpu);
/* The helper the translator calls before an instruction at a guest
   instruction breakpoint: (linear address) -> raises #DB unless EFLAGS.RF. */
extern const struct ir_helper helper_dbg_bp;

/* tb cflags bits (guest-defined): breakpoints at the block's first instruction
   are not checked (re-executions after an unwind), or only the guest's are
   (debugger single steps). */
#define CPU_CF_NOBP 0x100u
#define CPU_CF_NODBGBP 0x200u

/* Executes exactly one instruction (even one at a breakpoint); returns the
   enum cpu_exit of cpu_exec (CPU_EXIT_BUDGET when the instruction retired). */
int cpu_debug_step(struct cpu *cpu);

#endif
