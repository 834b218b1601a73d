/* SPDX-License-Identifier: MIT */
/* x86_64_loop.c: blocks that loop on themselves: pinned globals and the back edge (docs/JIT.md). */
#include "config.h"
#if KILN_HOST_X86_64 && defined(__x86_64__)

#include <stdlib.h>
#include <string.h>
#include "translate/x86_64_int.h"

#define LOOP_MAX_PINS 8      /* globals kept in registers at most */
#define LOOP_CALLEE_SAVED 5  /* rbx r12-r15: the first entries of ra_alloc_order */

/* True when env bytes [off, off + w/8) overlap global g's field. */
static bool env_overlaps(const struct jtemp *g, int64_t off, unsigned w)
{
    int64_t lo = g->off, hi = g->off + g->gw / 8;
    return off < hi && lo < off + (int64_t)(w / 8);
}

/* The most locals live at once (by the allocator's live ranges). */
static int max_live_locals(struct jit *j)
{
    const struct ir_block *b = j->b;
    int *delta = calloc(b->nops + 2, sizeof(*delta));
    if (!delta)
        return -1;
    for (unsigned k = b->ctx->nglobals + 1; k < b->ntemps; k++) {
        const struct jtemp *t = &j->t[k];
        if (t->kind != IR_TEMP_LOCAL || t->first < 0)
            continue;
        unsigned last = t->last < (int32_t)b->nops ? (unsigned)t->last : b->nops;
        delta[t->first]++;
        delta[last + 1]--;
    }
    int live = 0, most = 0;
    for (unsigned i = 0; i <= b->nops; i++) {
        live += delta[i];
        if (live > most)
            most = live;
    }
    free(delta);
    return most;
}

static bool is_cand(const ir_temp *cand, unsigned n, ir_temp g)
{
    for (unsigned k = 0; k < n; k++)
        if (cand[k] == g)
            return true;
    return false;
}

/*
 * Copy coalescing into the globals to be pinned: `op t, ...; mov G, t` (the
 * copy right after the op, t a local written only there, read only after the
 * copy, G at least as wide as the op) becomes `op G, ...` when nothing in t's
 * range after the copy writes G, labels it, or calls a helper that may change
 * it; t's later reads read G. The same IR, minus a copy: G's pinned register
 * takes the value at once. Works on a copy of the ops (j->lblock); false when
 * nothing changed (or out of memory).
 */
static bool coalesce(struct jit *j, const ir_temp *cand, unsigned ncand)
{
    const struct ir_block *b = j->b;
    unsigned n = b->nops;
    if (n > j->lcap_ops) {
        struct ir_op *o = realloc(j->lops, n * sizeof(*o));
        if (!o)
            return false;
        j->lops = o;
        j->lcap_ops = n;
    }
    struct ir_op *ops = j->lops;
    memcpy(ops, b->ops, n * sizeof(*ops));
    bool changed = false;
    for (unsigned i = 0; i + 1 < n; i++) {
        struct ir_op *x = &ops[i], *mv = &ops[i + 1];
        if (mv->opc != IR_MOV || ir_op_defs[x->opc].nout != 1 || x->opc == IR_CALL ||
            !is_cand(cand, ncand, mv->args[0]) || mv->args[1] != x->args[0] || mv->width < x->width ||
            j->t[mv->args[0]].gw < x->width)
            continue;
        ir_temp t = x->args[0], g = mv->args[0];
        const struct jtemp *tt = &j->t[t];
        if (tt->kind != IR_TEMP_LOCAL || tt->first != (int32_t)i)
            continue;
        unsigned last = tt->last < (int32_t)n ? (unsigned)tt->last : n - 1;
        bool ok = true;
        for (unsigned k = i + 2; k <= last && ok; k++) {
            const struct ir_op *q = &ops[k];
            unsigned nout = ir_op_defs[q->opc].nout;
            if (q->opc == IR_LABEL || q->opc == IR_BR)
                ok = false;
            else if (q->opc == IR_CALL &&
                     !(((const struct ir_helper *)(uintptr_t)q->aux)->flags & IR_HELPER_NO_ENV))
                ok = false;
            for (unsigned a = 0; a < nout && ok; a++)
                if (q->args[a] == t || q->args[a] == g)
                    ok = false;     /* t written twice, or G changes while t lives */
        }
        if (!ok)
            continue;
        x->args[0] = g;
        memset(mv, 0, sizeof(*mv));
        mv->opc = IR_NOP;
        mv->width = 64;
        for (unsigned k = i + 2; k <= last; k++) {
            struct ir_op *q = &ops[k];
            unsigned nout = ir_op_defs[q->opc].nout, na = nout + ir_op_defs[q->opc].nin;
            for (unsigned a = nout; a < na && a < IR_MAX_ARGS; a++)
                if (q->args[a] == t)
                    q->args[a] = g;
        }
        changed = true;
    }
    if (!changed)
        return false;
    j->lblock = *b;
    j->lblock.ops = ops;
    return true;
}

bool loop_plan(struct jit *j)
{
    const struct ir_block *b = j->b;
    j->loop = false;
    j->loop_head = NULL;
    j->npinned = 0;
    if (j->no_loop || (j->tb->cflags & TB_CF_NOCHAIN))
        return true;
    bool self = false, call = false;
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        if (op->opc == IR_GOTO_TB && (op->aux & IR_GOTO_TB_SELF))
            self = true;
        if (op->opc == IR_CALL)
            call = true;
    }
    if (!self || !jit_counter_match(j, 0, &j->loop_n, &j->loop_icount_off))
        return true;
    j->loop = true;

    /* Score each global by its uses (a read saves a load and a store, a write a store). */
    unsigned ng = b->ctx->nglobals;
    uint32_t *score = calloc(ng + 1, sizeof(*score));
    if (!score)
        return false;
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        unsigned nout = ir_op_defs[op->opc].nout, n = nout + ir_op_defs[op->opc].nin;
        for (unsigned k = 0; k < n && k < IR_MAX_ARGS; k++) {
            ir_temp a = op->args[k];
            if (a < 1 || a > ng || j->t[a].kind != IR_TEMP_GLOBAL || score[a] == UINT32_MAX)
                continue;
            if (k >= nout)
                score[a] += 2;
            else if (op->opc != IR_MOV || j->t[op->args[1]].kind != IR_TEMP_CONST)
                score[a] += 1;   /* a constant is stored as cheaply as it is moved */
        }
    }
    /* A global whose env field the block also reads or writes as env must stay in env. */
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        if (op->opc != IR_LD_ENV && op->opc != IR_ST_ENV)
            continue;
        for (unsigned g = 1; g <= ng; g++)
            if (j->t[g].kind == IR_TEMP_GLOBAL &&
                env_overlaps(&j->t[g], (int64_t)(int32_t)(uint32_t)op->aux, op->width))
                score[g] = UINT32_MAX;
    }

    /* The candidates, best first; copies into them coalesced (the block is rewritten). */
    ir_temp cand[LOOP_MAX_PINS];
    unsigned ncand = 0;
    while (ncand < LOOP_MAX_PINS) {
        unsigned best = 0;
        for (unsigned g = 1; g <= ng; g++)
            if (score[g] && score[g] != UINT32_MAX && (!best || score[g] > score[best]))
                best = g;
        if (!best)
            break;
        cand[ncand++] = best;
        score[best] = 0;
    }
    free(score);
    if (ncand && coalesce(j, cand, ncand)) {
        j->b = &j->lblock;        /* plan the rewritten block afresh */
        if (!ra_begin(j) || !grp_plan(j))
            return false;
    }

    /* Registers: leave the block's locals (as many as are live at once, at
       least 2) and the access groups' addends theirs. Too few for some op
       (every register locked) fails the compile: jit_compile retries with half
       the pins, then without the loop. */
    int live = max_live_locals(j);
    if (live < 0)
        return false;
    int reserved = 0;
    for (unsigned g = 0; g < j->ngrp; g++)
        if (j->grp[g].ok)
            reserved = 2;
    int need = live > 2 ? live : 2;
    int npin = 11 - reserved - need;
    if (npin > LOOP_MAX_PINS)
        npin = LOOP_MAX_PINS;
    if (call && npin > LOOP_CALLEE_SAVED)
        npin = LOOP_CALLEE_SAVED;   /* calls clobber the others */
    if (j->pin_limit >= 0 && npin > j->pin_limit)
        npin = j->pin_limit;
    j->npinned = 0;
    for (int p = 0; p < npin && p < (int)ncand; p++, j->npinned++)
        ra_pin(j, cand[p], ra_alloc_order[p]);
    return true;
}

void loop_entry(struct jit *j)
{
    j->loop_start = j->x.p;
    for (int r = 0; r < 16; r++) {
        if (!(j->pinmask & (1u << r)))
            continue;
        const struct jtemp *t = &j->t[j->owner[r]];
        gen_load_env(j, r, t->gw, t->off);
    }
}

void loop_head(struct jit *j)
{
    struct xbuf *x = &j->x;
    static const uint8_t nops[][8] = {
        { 0 }, { 0x90 }, { 0x66, 0x90 }, { 0x0f, 0x1f, 0x00 }, { 0x0f, 0x1f, 0x40, 0x00 },
        { 0x0f, 0x1f, 0x44, 0x00, 0x00 }, { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
        { 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
    };
    unsigned pad = (16 - ((uintptr_t)x->p & 15)) & 15;   /* HEAD 16-aligned: a jump target every iteration */
    while (pad) {
        unsigned n = pad > 7 ? 7 : pad;
        for (unsigned k = 0; k < n; k++)
            x_b(x, nops[n][k]);
        pad -= n;
    }
    ra_forget_all(j);            /* nothing but the pinned globals in registers; they count as dirty */
    j->loop_head = x->p;
    ra_prologue(j);              /* locals read unwritten are zero in every iteration */
}

bool loop_is_back_edge(struct jit *j, const struct ir_op *op)
{
    uintptr_t d = (uintptr_t)j->tb->engine_data;
    unsigned slot = (unsigned)op->aux & 1;
    return j->loop && j->loop_head && (op->aux & IR_GOTO_TB_SELF) && (!d || (d & 15) == slot + 1);
}


static void emit_charge(struct jit *j, int xop)
{
    struct xbuf *x = &j->x;
    int64_t n = (int64_t)j->loop_n;
    x_rm(x, 64, x_fits8(n) ? 0x83 : 0x81, xop, X_RBP, j->loop_icount_off);
    if (x_fits8(n))
        x_b(x, (uint8_t)n);
    else
        x_d(x, (uint32_t)n);
}

/*
 * The back edge (a SELF GOTO_TB):
 *         cmp dword [rbp + exit_request], 0; jne LEAVE     the block's own entry checks
 *         sub qword [rbp + icount], n; js REFUND
 *         jmp rel32 [A]       -> HEAD while linked to this block, else falls into REFUND
 * REFUND: add qword [rbp + icount], n
 * LEAVE:  store pinned globals
 *         jmp rel32 [B]       the ordinary chain jump (tb->jmp_site): -> to->code, or falls
 *         rax = tb | slot; jmp epilogue
 * Linked to itself, a failed check re-enters the block from its entry, which
 * fails the same way and leaves with the right reason; unlinked (or linked to
 * another block) every path is an ordinary GOTO_TB exit.
 */
void gen_loop_back(struct jit *j, unsigned slot)
{
    struct xbuf *x = &j->x;
    ra_sync_unpinned(j);
    struct jslow list;
    ra_dirty_globals(j, &list);  /* now only pinned ones */
    x_rm(x, 32, 0x83, 7, X_RBP, (int32_t)j->e.guest->exit_request_offset);
    x_b(x, 0);
    uint8_t *req_at = x_jcc32(x, X_CC_NE);
    emit_charge(j, X_SUB);
    uint8_t *bud_at = x_jcc32(x, X_CC_S);
    uint8_t *site_a = x_jmp32(x);        /* displacement 0: falls into REFUND */
    x_patch32(bud_at, x->p);
    emit_charge(j, X_ADD);
    x_patch32(req_at, x->p);
    for (unsigned i = 0; i < list.ndirty; i++)
        gen_store_env(j, list.dirty[i].reg, list.dirty[i].w, list.dirty[i].off);
    uint8_t *site_b = x_jmp32(x);        /* displacement 0: falls into the stub */
    j->tb->jmp_site[slot] = (uintptr_t)site_b;
    x_movi(x, X_RAX, (uint64_t)(uintptr_t)j->tb | slot);
    x_jcc_to(x, -1, j->epilogue);
    /* the record before the block's entry: HEAD and site A (loop_link) */
    uint64_t rec[2] = { (uint64_t)(uintptr_t)j->loop_head, (uint64_t)(uintptr_t)site_a };
    memcpy(j->loop_start - 16, rec, sizeof(rec));
    j->tb->engine_data = (void *)((uintptr_t)(j->loop_start - 16) | (slot + 1));
}

void loop_link(struct tb *from, unsigned slot, struct tb *to)
{
    uintptr_t d = (uintptr_t)from->engine_data;
    if (!d || (d & 15) != slot + 1)
        return;
    uint64_t rec[2];
    memcpy(rec, (const void *)(d & ~(uintptr_t)15), sizeof(rec));
    uint8_t *at = (uint8_t *)(uintptr_t)rec[1];
    const uint8_t *target = to == from ? (const uint8_t *)(uintptr_t)rec[0] : at + 4;
    int32_t rel = (int32_t)(target - (at + 4));
    __atomic_store_n((int32_t *)(void *)at, rel, __ATOMIC_SEQ_CST);
}

#endif
