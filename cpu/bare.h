/* SPDX-License-Identifier: MIT */
/* bare.h: a vCPU on flat memory with no machine around it, for tests and difftest. */
#ifndef KILN_CPU_BARE_H
#define KILN_CPU_BARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A bare CPU runs guest code at CPL 0 on one flat block of guest memory
 * (guest address mem_base .. mem_base + mem_size, identity "paging": guest
 * virtual = guest physical, no page tables) with no devices. It stops at HLT,
 * at the first exception (which it does not deliver: the state is left at the
 * faulting instruction, as an OS handler would see it), or after a budget of
 * instructions. Accesses outside the memory block raise #PF (64-bit) or #GP.
 */

/* BARE_ENGINE_JIT is the host backend. On hosts with no backend (not x86-64)
   the interpreter stands in; on x86-64 a JIT that cannot be created makes
   bare_cpu_new fail rather than quietly test the interpreter. */
enum bare_engine { BARE_ENGINE_JIT, BARE_ENGINE_INTERP };

enum bare_mode {
    BARE_MODE_REAL,    /* real mode: 16-bit, segments are selector << 4 */
    BARE_MODE_PROT16,  /* protected mode, flat 16-bit code/data segments */
    BARE_MODE_PROT32,  /* protected mode, flat 32-bit segments */
    BARE_MODE_LONG64,  /* 64-bit mode */
};

enum bare_stop {
    BARE_STOP_HLT,        /* executed HLT; rip is past it */
    BARE_STOP_EXCEPTION,  /* raised an exception: see vector, error_code */
    BARE_STOP_BUDGET,     /* ran max_insns instructions (at a block boundary: may run a few more) */
    BARE_STOP_DEBUG,      /* reached a debugger breakpoint (cpu/debug.h); rip is at it */
};

struct bare_regs {
    uint64_t gpr[16];     /* RAX RCX RDX RBX RSP RBP RSI RDI R8..R15 */
    uint64_t rip;
    uint64_t rflags;      /* bit 1 always reads 1 */
    uint16_t seg[6];      /* ES CS SS DS FS GS selectors (real mode: base = sel << 4) */
    uint64_t fs_base, gs_base; /* 64-bit mode */
};

struct bare_result {
    enum bare_stop stop;
    uint8_t vector;       /* BARE_STOP_EXCEPTION: 0 #DE, 6 #UD, 13 #GP, 14 #PF ... */
    bool has_error_code;
    uint32_t error_code;
    uint64_t cr2;         /* #PF: faulting address */
    uint64_t insns;       /* instructions executed (approximate at block granularity) */
};

struct bare_cpu;

/* A new bare CPU with zeroed memory of mem_size bytes at guest address mem_base
   (page-aligned), in the given mode, running on the given engine. NULL on failure. */
struct bare_cpu *bare_cpu_new(enum bare_engine engine, enum bare_mode mode,
                              uint64_t mem_base, size_t mem_size);
struct kiln_log;
/* Sends the -d trace items of log (cpu/trace.h) for this CPU to log; NULL
   turns it off. The log must outlive the CPU; -d stats is written by bare_cpu_free. */
void bare_cpu_set_log(struct bare_cpu *cpu, struct kiln_log *log);
/* Frees it. */
void bare_cpu_free(struct bare_cpu *cpu);
/* Host pointer to the guest memory (mem_size bytes at guest mem_base). Writes
   through it are seen by the CPU (translated code is invalidated). */
uint8_t *bare_cpu_mem(struct bare_cpu *cpu);
/* Copies len bytes into guest memory at guest address addr; false if out of range. */
bool bare_cpu_write(struct bare_cpu *cpu, uint64_t addr, const void *src, size_t len);
/* Reads and sets the registers. */
void bare_cpu_get_regs(struct bare_cpu *cpu, struct bare_regs *regs);
void bare_cpu_set_regs(struct bare_cpu *cpu, const struct bare_regs *regs);
/* With deliver set, exceptions and INT n are delivered the way the mode says
   (real mode: through the IVT at IDTR, reset to base 0 limit 0x3ff; protected
   and long mode: through the IDT the guest loaded) instead of stopping the CPU;
   a triple fault stops it with BARE_STOP_EXCEPTION and vector 8 (#DF).
   Default off. */
void bare_cpu_set_deliver(struct bare_cpu *cpu, bool deliver);
/* Finer: delivers an exception of vector v < 32 only when bit v of mask is set
   (the others stop the CPU as without delivery); INT n of any vector and
   vectors >= 32 are delivered when mask is non-zero. mask 0 = no delivery. */
void bare_cpu_set_deliver_mask(struct bare_cpu *cpu, uint32_t mask);
/* Port I/O hooks for IN/OUT/INS/OUTS (NULL: reads all-ones, writes dropped). */
void bare_cpu_set_io(struct bare_cpu *cpu, uint32_t (*rd)(void *opaque, uint16_t port, unsigned size),
                     void (*wr)(void *opaque, uint16_t port, uint32_t value, unsigned size),
                     void *opaque);
/* The vCPU inside (for the monitor, gdbstub and tests that look at state). */
struct cpu *bare_cpu_cpu(struct bare_cpu *cpu);
/* Runs until HLT, an exception or max_insns instructions. */
void bare_cpu_run(struct bare_cpu *cpu, uint64_t max_insns, struct bare_result *res);

#endif
