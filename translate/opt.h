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
 *  IR_OPT_SINK  once, after the others: MOVs to globals before a block's
 *               final two-way branch move into both exit arms, just before
 *               their terminators (translate/opt_sink.c), where the JIT can
 *               skip them on a chained exit whose successor overwrites them.
 * The result always passes ir_validate if the input did. Writes of globals are
 * never moved or dropped across a sync point, so precise faults keep working.
 */
#define IR_OPT_FOLD 0x1u
#define IR_OPT_DCE 0x2u
#define IR_OPT_SINK 0x4u
#define IR_OPT_ALL (IR_OPT_FOLD | IR_OPT_DCE | IR_OPT_SINK)

struct ir_opt_stats {
    unsigned folded;        /* ops replaced by a constant */
    unsigned simplified;    /* ops rewritten by an identity (x+0, x&x...) */
    unsigned propagated;    /* inputs replaced by a constant or a copy's source */
    unsigned branches;      /* conditional branches decided */
    unsigned dead;          /* ops deleted (dead results, dead global writes, unreachable) */
    unsigned dead_globals;  /* of which writes to globals */
    unsigned sunk;          /* writes of globals moved into exit arms (each counted once) */
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

/* Part of IR_OPT_SINK (translate/opt_sink.c); true if it moved something. */
bool ir_opt_sink(struct ir_block *b, struct ir_opt_stats *st);

/* The globals the block overwrites before anything can read or observe them,
   on every path from the start of its body (after its entry charge, if it
   begins with LD_ENV/SUB/ST_ENV/BRCOND on one env counter): bit t - 1 for the
   global temp t. Observation points: exits, LD, ST and CALLs without
   IR_HELPER_NO_ENV; labels and branches are only control flow. tb_commit
   stores it in tb->dead_in. 0 for NULL, a bad or an out-of-memory block. */
uint64_t ir_dead_in(const struct ir_block *b);

#endif
