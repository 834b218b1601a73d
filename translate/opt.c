/* SPDX-License-Identifier: MIT */
/* opt.c: the optimizer driver and its dead-code pass (backward liveness). */
#include <stdlib.h>
#include <string.h>
#include "translate/opt.h"

/*
 * Liveness walks the block backwards. Every global is live at each sync point
 * (it must hold its value in env there): before LD, ST and CALLs without
 * IR_HELPER_NO_ENV, at labels and branches, and at block exits. A LOCAL is
 * live at an exit never, and at a label or branch whenever the block reads it
 * anywhere (a cheap, safe stand-in for liveness around loops). An op with no
 * side effect whose output is not live is deleted; so is a PURE helper call.
 */
static bool dce_removable(const struct ir_op *op)
{
    if (op->opc == IR_CALL) {
        const struct ir_helper *h = (const struct ir_helper *)(uintptr_t)op->aux;
        return h && (h->flags & IR_HELPER_PURE);
    }
    return !(ir_op_defs[op->opc].flags & IR_OP_SIDE);
}

static bool is_sync(const struct ir_op *op)
{
    if (op->opc == IR_CALL) {
        const struct ir_helper *h = (const struct ir_helper *)(uintptr_t)op->aux;
        return !h || !(h->flags & IR_HELPER_NO_ENV);
    }
    return (ir_op_defs[op->opc].flags & IR_OP_SYNC) != 0;
}

bool ir_opt_dce(struct ir_block *b, struct ir_opt_stats *st)
{
    unsigned n = b->ntemps, ng = b->ctx->nglobals;
    uint8_t *live = calloc(n, 1), *used = calloc(n, 1);
    bool changed = false;
    if (!live || !used)
        goto out;
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        const struct ir_op_def *def = &ir_op_defs[op->opc];
        for (unsigned k = def->nout; k < (unsigned)def->nout + def->nin; k++)
            if (op->args[k] < n)
                used[op->args[k]] = 1;
    }
    memset(live + 1, 1, ng);    /* falling off the end counts as an exit */
    for (unsigned i = b->nops; i-- > 0;) {
        struct ir_op *op = &b->ops[i];
        const struct ir_op_def *def = &ir_op_defs[op->opc];
        switch (op->opc) {
        case IR_NOP: case IR_INSN_START:
            continue;
        case IR_GOTO_TB: case IR_GOTO_PTR: case IR_EXIT:
            memset(live, 0, n);
            memset(live + 1, 1, ng);
            continue;
        case IR_LABEL:
            memset(live + 1, 1, ng);
            continue;
        case IR_BR:
            memcpy(live, used, n);
            memset(live + 1, 1, ng);
            continue;
        case IR_BRCOND:
            for (unsigned t = 0; t < n; t++)
                live[t] |= used[t];
            memset(live + 1, 1, ng);
            break;
        default:
            break;
        }
        ir_temp d = def->nout ? op->args[0] : IR_NONE;
        if (def->nout && dce_removable(op) && (d == IR_NONE || (d < n && !live[d]))) {
            if (d != IR_NONE && d <= ng)
                st->dead_globals++;
            st->dead++;
            memset(op, 0, sizeof(*op));
            op->opc = IR_NOP;
            op->width = 64;
            changed = true;
            continue;
        }
        if (d != IR_NONE && d < n)
            live[d] = 0;
        for (unsigned k = def->nout; k < (unsigned)def->nout + def->nin; k++)
            if (op->args[k] < n)
                live[op->args[k]] = 1;
        if (is_sync(op))
            memset(live + 1, 1, ng);
    }
out:
    free(live);
    free(used);
    return changed;
}

/* Removes NOPs. */
static void compact(struct ir_block *b)
{
    unsigned j = 0;
    for (unsigned i = 0; i < b->nops; i++)
        if (b->ops[i].opc != IR_NOP)
            b->ops[j++] = b->ops[i];
    b->nops = j;
}

/* Cheap structural checks so a malformed block is left alone, not misread. */
static bool sane(const struct ir_block *b)
{
    if (b->oom || !b->ctx || b->ntemps < b->ctx->nglobals + 1)
        return false;
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        if (op->opc >= IR_NUM_OPS)
            return false;
        for (unsigned k = 0; k < IR_MAX_ARGS; k++)
            if (op->args[k] >= b->ntemps)
                return false;
    }
    return true;
}

void ir_optimize_ex(struct ir_block *b, unsigned passes, struct ir_opt_stats *st)
{
    struct ir_opt_stats s;
    memset(&s, 0, sizeof(s));
    if (!sane(b))
        return;
    for (unsigned iter = 0; iter < 4; iter++) {
        bool changed = false;
        if (passes & IR_OPT_FOLD) {
            changed |= ir_opt_narrow(b, &s);
            changed |= ir_opt_fold(b, &s);
        }
        if ((passes & IR_OPT_DCE) && !b->oom)
            changed |= ir_opt_dce(b, &s);
        compact(b);
        if (!changed || b->oom)
            break;
    }
    if ((passes & IR_OPT_SINK) && !b->oom)
        ir_opt_sink(b, &s);
    if (st) {
        st->folded += s.folded;
        st->simplified += s.simplified;
        st->propagated += s.propagated;
        st->branches += s.branches;
        st->dead += s.dead;
        st->dead_globals += s.dead_globals;
        st->sunk += s.sunk;
    }
}

void ir_optimize(struct ir_block *b)
{
    ir_optimize_ex(b, IR_OPT_ALL, NULL);
}
