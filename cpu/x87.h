/* SPDX-License-Identifier: MIT */
/* x87.h: the x87 FPU helper interface (cpu/x87.c, x87_ctl.c, tr_x87.c). */
#ifndef KILN_CPU_X87_H
#define KILN_CPU_X87_H

#include <stdint.h>
#include "cpu/softfloat.h"
#include "translate/ir.h"

/* Descriptor fields built by tr_x87 for helper_x87. */
#define X87_DESC(op, d, s, msize, modrm, esc, mem, osz32, cs64)                          \
    ((uint64_t)(op) | (uint64_t)((d) & 15) << 16 | (uint64_t)((s) & 15) << 20 |         \
     (uint64_t)((msize) & 0xff) << 24 | (uint64_t)((modrm) & 0xff) << 32 |               \
     (uint64_t)((esc) & 7) << 40 | (uint64_t)(mem) << 48 | (uint64_t)(osz32) << 49 |     \
     (uint64_t)(cs64) << 50)
#define X87_NONE 8   /* no ST operand */

/* x87(desc, addr, cond, 0): executes one x87 instruction; cond = the FCMOV condition.
   Returns the new arithmetic EFLAGS for FCOMI/FUCOMI(P), else 0. */
extern const struct ir_helper helper_x87;
/* fwait(): #NM (CR0.MP and TS) or #MF (pending unmasked exception, CR0.NE). */
extern const struct ir_helper helper_fwait;

struct cpu;
/* Stack and register access used by the control part (x87_ctl.c). */
unsigned x87_top(const struct cpu *cpu);
unsigned x87_tag_of(fx80 v);
/* FNSTENV/FLDENV/FNSAVE/FRSTOR/FNINIT etc.: returns false if op is not one of them. */
bool x87_ctl(struct cpu *cpu, unsigned op, uint64_t desc, uint64_t addr);

#endif
