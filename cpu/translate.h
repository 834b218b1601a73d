/* SPDX-License-Identifier: MIT */
/* translate.h: the x86 translator's entry point, used by the CPU loop. */
#ifndef KILN_CPU_TRANSLATE_H
#define KILN_CPU_TRANSLATE_H

#include <stdint.h>
#include "cpu/cpu.h"
#include "translate/tb.h"


/* What cpu_translate found out about the block. */
/* A block goes on across at most CPU_TR_MAX_RUNS - 1 direct jumps on its page. */
#define CPU_TR_MAX_RUNS 5

struct cpu_tr_info {
    uint64_t pc;             /* linear address of the first byte */
    uint64_t phys_pc;
    uint64_t phys_page[2];
    uint32_t size, icount;   /* size: bytes from pc to the end of the last one covered */
    uint32_t span_before;    /* bytes covered before pc (a jump followed backward) */
    unsigned op_icount;      /* prologue op patched by cpu_translate_patch */
    unsigned nruns;          /* straight runs of instructions (1 + jumps followed) */
    struct { uint64_t pc; uint32_t len; } run[CPU_TR_MAX_RUNS];
};

/* Linear address of the current instruction (cs_base + rip, wrapped outside 64-bit mode). */
static inline uint64_t cpu_pc_linear(const struct cpu *cpu)
{
    uint64_t lin = cpu->seg[1].base + cpu->rip;
    return (cpu->hflags & HF_CS64) ? lin : (lin & 0xffffffffu);
}

/* The translated block for the current state (pc, the physical memory it maps to
   now, CS base, hflags) and cflags, or NULL when there is none or fetching at pc
   would fault. Never raises. (cpu/exec.c) */
struct tb *cpu_tb_lookup(struct cpu *cpu, uint32_t cflags);

/* Translates the block starting at the CPU's current state into b (freshly
   initialised). A fetch fault on the first instruction raises it (unwinds).
   Returns 0, or -1 when the IR builder ran out of memory. */
int cpu_translate(struct cpu *cpu, struct ir_block *b, uint32_t cflags, struct cpu_tr_info *info);
/* Fills in the instruction count the prologue needs (tb: the block it becomes). */
void cpu_translate_patch(struct ir_block *b, const struct cpu_tr_info *info, struct tb *tb);
/* The translated block (cflags 0) for the current state, or NULL: the jump
   cache first, then tb_lookup (which refills the jump cache). */
struct tb *cpu_tb_find(struct cpu *cpu);

#endif
