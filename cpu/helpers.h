/* SPDX-License-Identifier: MIT */
/* helpers.h: C helpers called from translated x86 code (internal to cpu/). */
#ifndef KILN_CPU_HELPERS_H
#define KILN_CPU_HELPERS_H

#include <stdint.h>
#include "translate/ir.h"
#include "cpu/cpu.h"

/* The engines' memory slow paths (cpu/mem.c). */
uint64_t cpu_slow_load(void *env, uint64_t addr, unsigned memop);
void cpu_slow_store(void *env, uint64_t addr, uint64_t value, unsigned memop);

/* raise(vector, error, has_error): raises an exception at the current rip. */
extern const struct ir_helper helper_raise;
/* cpuid(): CPUID on EAX/ECX into EAX/EBX/ECX/EDX. rdtsc(): EDX:EAX = TSC. */
extern const struct ir_helper helper_cpuid, helper_rdtsc;
/* RDRAND/RDSEED: the next 64 bits of the CPU's generator (cpu/rng.c). */
extern const struct ir_helper helper_rdrand;
/* Seeds the generator: deterministically from seed, or from the host's entropy
   when seeded is false. */
void cpu_rng_seed(struct cpu *cpu, bool seeded, uint64_t seed);
/* mul/div family: muldiv(kind, size, src): operates on rAX/rDX; may raise #DE. */
extern const struct ir_helper helper_muldiv;
/* String instructions: string(desc): one or more iterations (see tr_string.c). */
extern const struct ir_helper helper_string;
/* Rotates (pure): rot(kind | size << 8, value, count, eflags) -> result, rot_flags -> flags. */
extern const struct ir_helper helper_rot, helper_rot_flags;
/* SHLD/SHRD (pure): shd(kind | size << 8, dst, src, count) -> result, shd_flags -> flags. */
extern const struct ir_helper helper_shd, helper_shd_flags;
/* Bit manipulation: pdep/pext(src, mask), bzhi etc. */
extern const struct ir_helper helper_pdep, helper_pext;
/* Atomic read-modify-write: lock_rmw(desc, addr, src) -> old value. */
extern const struct ir_helper helper_lock_rmw;
/* cmpxchg8b/16b(desc, addr). */
extern const struct ir_helper helper_cmpxchg8b;
/* popf(value, opsize) with the mode's permission rules. sahf-style eflags write. */
extern const struct ir_helper helper_write_eflags;
/* read_eflags() -> EFLAGS as PUSHF stores it (VM and RF clear). */
extern const struct ir_helper helper_read_eflags;
/* Real-mode segment load: load_seg(seg, selector). */
extern const struct ir_helper helper_load_seg;

/* bcd(BCD_*, base): DAA DAS AAA AAS AAM AAD SALC on AX and the flags. */
enum { BCD_DAA, BCD_DAS, BCD_AAA, BCD_AAS, BCD_AAM, BCD_AAD, BCD_SALC };
extern const struct ir_helper helper_bcd;
/* io(desc, port, value): IN (returns the value) / OUT; desc = size | IO_OUT. */
#define IO_OUT 0x100u
extern const struct ir_helper helper_io;

/* All ones in the low size bytes (an operand of size 1, 2, 4 or 8). */
static inline uint64_t helper_mask(unsigned size)
{
    return size >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * size)) - 1;
}

/* Writes v to GPR r as an operand of size bytes does: sizes 4 and 8 replace the
   whole register (zero-extended), 1 and 2 only its low bytes. */
static inline void helper_set_gpr(struct cpu *cpu, unsigned r, unsigned size, uint64_t v)
{
    if (size >= 4)
        cpu->gpr[r] = v & helper_mask(size);
    else
        cpu->gpr[r] = (cpu->gpr[r] & ~helper_mask(size)) | (v & helper_mask(size));
}

#endif
