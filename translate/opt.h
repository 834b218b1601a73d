/* SPDX-License-Identifier: MIT */
/* opt.h: the IR optimizer (constant folding, propagation, simplification, dead code). */
#ifndef KILN_TRANSLATE_OPT_H
#define KILN_TRANSLATE_OPT_H

#include "translate/ir.h"

/*
 * Passes (docs/IR.md, "The optimizer"):
 *  IR_OPT_FOLD  forward pass over straight-line runs (facts reset at labels and
 *               after CALLs that may touch env): constant and copy propagation,
 *               folding of every pure op with the interpreter's own arithmetic
 *               (translate/ir_eval.h), algebraic identities, conditional
 *               branches with a known outcome, unreachable ops, unused labels.
 *  IR_OPT_DCE   backward liveness: deletes pure ops whose LOCAL result is never
 *               read, writes of GLOBALs that are overwritten before any read or
 *               sync point, and PURE helper calls whose result is unused.
 * The result always passes ir_validate if the input did. Writes of globals are
 * never moved or dropped across a sync point, so precise faults keep working.
 */
#define IR_OPT_FOLD 0x1u
#define IR_OPT_DCE 0x2u
#define IR_OPT_ALL (IR_OPT_FOLD | IR_OPT_DCE)

struct ir_opt_stats {
    unsigned folded;        /* ops replaced by a constant */
    unsigned simplified;    /* ops rewritten by an identity (x+0, x&x...) */
    unsigned propagated;    /* inputs replaced by a constant or a copy's source */
    unsigned branches;      /* conditional branches decided */
    unsigned dead;          /* ops deleted (dead results, dead global writes, unreachable) */
    unsigned dead_globals;  /* of which writes to globals */
};

/* Optimizes b in place with every pass. Does nothing if b->oom or if an op has
   a bad opcode or temp (run ir_validate for the details). */
void ir_optimize(struct ir_block *b);
/* Runs the selected passes (IR_OPT_*); adds what was done to *st if st != NULL. */
void ir_optimize_ex(struct ir_block *b, unsigned passes, struct ir_opt_stats *st);

/* Internal (translate/opt_*.c): one forward pass and one dead-code pass;
   each returns true if it changed something. */
bool ir_opt_fold(struct ir_block *b, struct ir_opt_stats *st);
bool ir_opt_dce(struct ir_block *b, struct ir_opt_stats *st);
/* Part of IR_OPT_FOLD: 64-bit ops whose LOCAL result is only read at <= 32 bits
   become 32-bit ops. */
bool ir_opt_narrow(struct ir_block *b, struct ir_opt_stats *st);

#endif
