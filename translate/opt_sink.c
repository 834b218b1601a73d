/* SPDX-License-Identifier: MIT */
/* opt_sink.c: global-write sinking into a block's exit arms, and the globals dead at block entry. */
#include <stdlib.h>
#include <string.h>
#include "translate/opt.h"

/*
 * Sinking. A block that ends with a two-way branch looks like
 *
 *     ... writes of globals ...
 *     brcond c, L
 *     <arm 1: writes of globals, insn_start, st_env>  goto_tb / goto_ptr / exit
 *   L:
 *     <arm 2: the same kinds of op>                    goto_tb / goto_ptr / exit
 *
 * The brcond is a sync point, so the engines store every global written
 * before it there. The pass moves MOVs to globals from before the brcond to
 * just before the terminator of both arms (computations stay where they are:
 * duplicating them would cost more than the stores), where an engine may defer
 * them further (the JIT's chained exits, docs/JIT.md). An op moves when nothing
 * between it and the arms' ends (the ops it passes, the brcond, the arms)
 * reads or writes its output, writes one of its inputs, or is a sync point
 * or has a side effect that is not an env store of a non-global field, and L
 * is the target of that brcond alone. The moved ops keep their order and read
 * the same input values, so every exit sees the same guest state: the
 * interpreter's results do not change. Locals read in arm 2 live across the
 * label, which both engines allow (the JIT spills them at the brcond).
 */

static bool is_sync(const struct ir_op *op)
{
    if (op->opc == IR_CALL) {
        const struct ir_helper *h = (const struct ir_helper *)(uintptr_t)op->aux;
        return !h || !(h->flags & IR_HELPER_NO_ENV);
    }
    return (ir_op_defs[op->opc].flags & IR_OP_SYNC) != 0;
}

static bool is_exit(unsigned opc)
{
    return opc == IR_GOTO_TB || opc == IR_GOTO_PTR || opc == IR_EXIT;
}

/* The index of the terminator ending the arm that starts at i, or -1 when the
   arm holds anything but writes of globals, INSN_START, NOP and ST_ENV. */
static int arm_end(const struct ir_block *b, unsigned i)
{
    unsigned ng = b->ctx->nglobals;
    for (; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        if (is_exit(op->opc))
            return (int)i;
        if (op->opc == IR_NOP || op->opc == IR_INSN_START || op->opc == IR_ST_ENV)
            continue;
        if (op->opc == IR_MOV && op->args[0] >= 1 && op->args[0] <= ng)
            continue;
        return -1;
    }
    return -1;
}

static unsigned label_refs(const struct ir_block *b, uint64_t label)
{
    unsigned n = 0;
    for (unsigned i = 0; i < b->nops; i++)
        if ((b->ops[i].opc == IR_BR || b->ops[i].opc == IR_BRCOND) && b->ops[i].aux == label)
            n++;
    return n;
}

/* Marks op's inputs in rd and its output in wr. */
static void note(const struct ir_op *op, uint8_t *rd, uint8_t *wr, unsigned n)
{
    const struct ir_op_def *def = &ir_op_defs[op->opc];
    for (unsigned k = 0; k < (unsigned)def->nout + def->nin && k < IR_MAX_ARGS; k++) {
        ir_temp a = op->args[k];
        if (a == IR_NONE || a >= n)
            continue;
        if (k < def->nout)
            wr[a] = 1;
        else
            rd[a] = 1;
    }
}

/* A MOV to a global whose output and input the later ops leave alone. */
static bool movable(const struct ir_block *b, const struct ir_op *op, const uint8_t *rd, const uint8_t *wr)
{
    const struct ir_op_def *def = &ir_op_defs[op->opc];
    unsigned ng = b->ctx->nglobals;
    if (op->opc != IR_MOV)     /* copies only: computations stay before the branch */
        return false;
    ir_temp d = op->args[0];
    if (d < 1 || d > ng || rd[d] || wr[d])
        return false;
    for (unsigned k = 1; k < 1u + def->nin && k < IR_MAX_ARGS; k++) {
        ir_temp a = op->args[k];
        if (a != IR_NONE && (a >= b->ntemps || wr[a]))
            return false;
    }
    return true;
}

/* Tries the brcond at p; returns the number of ops moved (0: none). *next gets
   the index to go on from. */
static unsigned sink_at(struct ir_block *b, unsigned p, unsigned *next, uint8_t *rd, uint8_t *wr,
                        uint8_t *moved)
{
    const struct ir_op *br = &b->ops[p];
    unsigned n = b->ntemps;
    *next = p + 1;
    if (br->cond == IR_ALWAYS || br->cond == IR_NEVER)
        return 0;
    int g1 = arm_end(b, p + 1);
    if (g1 < 0 || (unsigned)g1 + 1 >= b->nops || b->ops[g1 + 1].opc != IR_LABEL ||
        b->ops[g1 + 1].aux != br->aux)
        return 0;
    int g2 = arm_end(b, (unsigned)g1 + 2);
    if (g2 < 0 || label_refs(b, br->aux) != 1)
        return 0;
    /* A jump back to the block's own start: the JIT keeps globals in host
       registers around that loop (x86_64_loop.c) and pairs each computation
       with the copy into its global; moving the copies would split the pairs. */
    for (unsigned k = 0; k < 2; k++) {
        const struct ir_op *t = &b->ops[k ? g2 : g1];
        if (t->opc == IR_GOTO_TB && (t->aux & IR_GOTO_TB_SELF))
            return 0;
    }
    memset(rd, 0, n);
    memset(wr, 0, n);
    memset(moved, 0, b->nops);
    for (unsigned i = p; i <= (unsigned)g2; i++)
        note(&b->ops[i], rd, wr, n);
    unsigned nm = 0;
    for (unsigned i = p; i-- > 0;) {
        const struct ir_op *op = &b->ops[i];
        if (op->opc == IR_NOP || op->opc == IR_INSN_START)
            continue;
        if (is_sync(op) || (op->opc != IR_ST_ENV && op->opc != IR_CALL &&
                            (ir_op_defs[op->opc].flags & IR_OP_SIDE)))
            break;
        if (movable(b, op, rd, wr)) {
            moved[i] = 1;
            nm++;
            continue;
        }
        note(op, rd, wr, n);
    }
    if (nm == 0)
        return 0;
    unsigned cap = b->nops + 2 * nm;
    struct ir_op *o = malloc(cap * sizeof(*o)), *q = o;
    if (!o)
        return 0;
    struct ir_op *mv = o + b->nops + nm;     /* the moved ops, gathered at the end first */
    unsigned k = 0;
    for (unsigned i = 0; i < p; i++)
        if (moved[i])
            mv[k++] = b->ops[i];
    for (unsigned i = 0; i < p; i++)
        if (!moved[i])
            *q++ = b->ops[i];
    for (unsigned i = p; i < (unsigned)g1; i++)
        *q++ = b->ops[i];
    memmove(q, mv, nm * sizeof(*o));       /* q <= mv: they may overlap only when q == mv */
    q += nm;
    for (unsigned i = (unsigned)g1; i < (unsigned)g2; i++)
        *q++ = b->ops[i];
    memcpy(q, &o[p - nm + ((unsigned)g1 - p)], nm * sizeof(*o));   /* the copy in arm 1 */
    q += nm;
    for (unsigned i = (unsigned)g2; i < b->nops; i++)
        *q++ = b->ops[i];
    free(b->ops);
    b->ops = o;
    b->nops = (unsigned)(q - o);
    b->ops_cap = cap;
    *next = (unsigned)g2 + nm + 1;
    return nm;
}

bool ir_opt_sink(struct ir_block *b, struct ir_opt_stats *st)
{
    unsigned n = b->ntemps;
    uint8_t *rd = malloc(n), *wr = malloc(n), *moved = NULL;
    bool changed = false;
    if (!rd || !wr)
        goto out;
    for (unsigned p = 0; p < b->nops;) {
        if (b->ops[p].opc != IR_BRCOND) {
            p++;
            continue;
        }
        free(moved);
        moved = malloc(b->nops);
        if (!moved)
            break;
        unsigned next, nm = sink_at(b, p, &next, rd, wr, moved);
        if (nm) {
            st->sunk += nm;
            changed = true;
        }
        p = next;
    }
out:
    free(moved);
    free(rd);
    free(wr);
    return changed;
}

/*
 * dead_in: backward liveness of globals over the block's control flow, where
 * every global is live at an observation point (an exit, LD, ST, a CALL that
 * may touch env) and a label or branch is only control flow. A global not live
 * where the block's body starts is overwritten on every path before anyone can
 * see it. The body starts after an entry charge (LD_ENV t; SUB t2, t, c;
 * ST_ENV t2 to the same field; BRCOND on t2) when the block begins with one:
 * its failing side leaves before the block does anything, and an engine that
 * enters past it does the charge itself first (docs/JIT.md, chained exits).
 */
static bool entry_charge(const struct ir_block *b)
{
    if (b->nops < 4)
        return false;
    const struct ir_op *ld = &b->ops[0], *sub = ld + 1, *st = ld + 2, *br = ld + 3;
    return ld->opc == IR_LD_ENV && sub->opc == IR_SUB && st->opc == IR_ST_ENV && br->opc == IR_BRCOND &&
           st->aux == ld->aux && sub->args[1] == ld->args[0] && st->args[0] == sub->args[0] &&
           br->args[0] == sub->args[0] && ld->width == 64 && st->width == 64;
}

static uint64_t gbit(const struct ir_block *b, ir_temp t)
{
    return t >= 1 && t <= b->ctx->nglobals ? (uint64_t)1 << (t - 1) : 0;
}

uint64_t ir_dead_in(const struct ir_block *b)
{
    if (!b || !b->ctx)
        return 0;
    unsigned ng = b->ctx->nglobals, nl = b->nlabels;
    if (b->oom || ng == 0 || ng > 64 || b->nops == 0)
        return 0;
    uint64_t all = ng == 64 ? ~(uint64_t)0 : ((uint64_t)1 << ng) - 1;
    uint64_t *live = calloc(b->nops + 1, sizeof(*live));
    int32_t *lpos = calloc(nl ? nl : 1, sizeof(*lpos));
    uint64_t dead = 0;
    if (!live || !lpos)
        goto out;
    for (unsigned l = 0; l < nl; l++)
        lpos[l] = -1;
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        if (op->opc >= IR_NUM_OPS)
            goto out;
        if (op->opc == IR_LABEL && op->aux < nl)
            lpos[op->aux] = (int32_t)i;
    }
    unsigned start = entry_charge(b) ? 4 : 0;
    live[b->nops] = all;                     /* falling off the end counts as an exit */
    for (bool changed = true; changed;) {
        changed = false;
        for (unsigned i = b->nops; i-- > start;) {
            const struct ir_op *op = &b->ops[i];
            const struct ir_op_def *def = &ir_op_defs[op->opc];
            uint64_t v = live[i + 1];
            if (op->opc == IR_BR || op->opc == IR_BRCOND) {
                int32_t t = op->aux < nl ? lpos[op->aux] : -1;
                uint64_t at = t >= 0 ? live[t] : all;   /* a bad label: as if it left */
                v = op->opc == IR_BR ? at : v | at;
            }
            if (is_exit(op->opc) || (is_sync(op) && !(def->flags & IR_OP_BRANCH))) {
                v = all;
            } else {
                if (def->nout)
                    v &= ~gbit(b, op->args[0]);
                for (unsigned k = def->nout; k < (unsigned)def->nout + def->nin && k < IR_MAX_ARGS; k++)
                    v |= gbit(b, op->args[k]);
            }
            if (v != live[i]) {
                live[i] = v;
                changed = true;
            }
        }
    }
    dead = all & ~live[start];
out:
    free(live);
    free(lpos);
    return dead;
}
