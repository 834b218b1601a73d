/* SPDX-License-Identifier: MIT */
/* dt_gen.h: helpers shared by the difftest instruction generators. */
#ifndef KILN_DT_GEN_H
#define KILN_DT_GEN_H

#include "tests/difftest/dt_enc.h"

#define R_RAX 0
#define R_RCX 1
#define R_RDX 2
#define R_RBX 3
#define R_RSP 4
#define R_RBP 5
#define R_RSI 6
#define R_RDI 7

/* Operand context of one instruction: size, and for byte operands whether the
   instruction is REX-free (AH..BH usable, r8b.. not) or has a REX (SPL..DIL). */
struct dt_ctx {
    int osz;
    bool norex;   /* byte regs 4..7 mean AH..BH; no register >= 8 anywhere */
    bool rex;     /* a REX is needed (byte regs 4..7 mean SPL..DIL) */
};

void dt_ctx_init(struct dt_gen *g, struct dt_ctx *c, int osz);
/* Random operand size among 1, 2, 4, 8 (min_size..8). */
int dt_rand_osz(struct dt_gen *g, int min_size);
/* A register to write (never RSP/SPL) or to read, valid in the context. */
int dt_reg_dst(struct dt_gen *g, struct dt_ctx *c);
int dt_reg_src(struct dt_gen *g, struct dt_ctx *c);
/* A memory operand of size bytes (aligned to align) in the heap, at least margin bytes
   from its edges; emits the base/index set-up (never into registers of avoid mask).
   Returns the target offset in the data buffer. */
uint32_t dt_mem(struct dt_gen *g, struct dt_item *it, struct dt_ctx *c, int size, int align,
                int margin, unsigned avoid, struct dt_rm *rm);
/* A register (dst: writable) or, with probability 1/2 when allowed, a memory operand. */
void dt_rm_any(struct dt_gen *g, struct dt_item *it, struct dt_ctx *c, bool dst, bool allow_mem,
               unsigned avoid, struct dt_rm *rm);
/* Immediate of n bytes, biased to interesting values. */
uint64_t dt_imm(struct dt_gen *g, int n);
/* Flags read by condition code cc. */
uint16_t dt_cc_flags(int cc);

/* The common end of every item: undefined flags kiln claims to match count as defined,
   and the flag-defining prelude (used when the item reads possibly undefined flags). */
void dt_item_finish(struct dt_gen *g, struct dt_item *it);
/* The item holds an instruction whose mnemonic is name (as x86_op_name spells it). */
bool dt_item_has(const struct dt_item *it, const char *name);
/* rloop (dt_gen_loop.c): fills s->it[i..] with a loop: head, 1..6 body items drawn from
   classes cls[0..nc) (and the loop's own Jcc, CPUID and late-fault items), tail; uses at
   most room (>= 3) items and loop id (< DT_LOOP_IDS). Returns the number of items used. */
int dt_gen_rloop(struct dt_gen *g, struct dt_seq *s, int i, int room, int id, const int *cls, int nc);

/* Per-class generators. */
void dt_gen_int(struct dt_gen *g, int cls, struct dt_item *it);
void dt_gen_bits(struct dt_gen *g, int cls, struct dt_item *it);
void dt_gen_ctl(struct dt_gen *g, int cls, struct dt_item *it);
void dt_gen_data(struct dt_gen *g, int cls, struct dt_item *it);
void dt_gen_x87(struct dt_gen *g, struct dt_item *it);
void dt_gen_simd(struct dt_gen *g, int cls, struct dt_item *it);

/* FP-flavoured random values (dt_gen_fp.c): zeros, denormals, infinities, quiet and
   signalling NaNs, smallest/largest normals, values near 1 and the integer limits. */
uint32_t dt_fp32(struct dt_rng *r);
uint64_t dt_fp64(struct dt_rng *r);
void dt_fp80(struct dt_rng *r, uint8_t *p);   /* 10 bytes (+6 zero bytes) */
/* A random x87 control word / MXCSR (mostly masked; rounding, precision, DAZ, FTZ). */
uint16_t dt_gen_fcw(struct dt_gen *g);
uint32_t dt_gen_mxcsr(struct dt_gen *g);

static inline bool dt_chance(struct dt_gen *g, int pct) { return dt_below(&g->rng, 100) < (uint32_t)pct; }

#endif
