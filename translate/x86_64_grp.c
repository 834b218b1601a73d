/* SPDX-License-Identifier: MIT */
/* x86_64_grp.c: plans the JIT's access groups (guest accesses checked by one soft-TLB probe). */
#include "config.h"
#if KILN_HOST_X86_64 && defined(__x86_64__)

#include <stdlib.h>
#include <string.h>
#include "translate/tlb.h"
#include "translate/x86_64_int.h"

/*
 * An access group is a set of LD/STs whose addresses are one base temp plus
 * constant displacements, with the same MMU index, in one straight-line run
 * of ops that cannot change the soft TLB (no label, branch, call or exit; the
 * base not written). Its first member probes the TLB once for the whole byte
 * range of the group, with the read and/or write tag as its members need, and
 * keeps the slot's addend in a reserved host register; the other members are
 * a `test` of that register's bit 0 and the host access. Any slow-path call
 * in between (which may refill or flush the TLB) and a failed group probe set
 * bit 0 (addends are page-aligned host minus guest addresses, so even), and
 * the members then check themselves as before (docs/JIT.md).
 */
#define GRP_WINDOW 64      /* ops from head to last member at most */
#define GRP_SPAN 256       /* bytes covered at most (probability of straddling a page) */
#define GRP_OPEN 2         /* groups open at once at most (each holds a register) */
#define GRP_CAND 8         /* candidates followed at once */

static bool writes(const struct ir_op *op, ir_temp t)
{
    return ir_op_defs[op->opc].nout && op->args[0] == t;
}

/* Also *def = the ADD's op index (-1: none). */
static void addr_def(struct jit *j, unsigned at, ir_temp a, ir_temp *base, int64_t *disp, int *def)
{
    *base = a;
    *disp = 0;
    *def = -1;
    unsigned stop = at > 16 ? at - 16 : 0;
    for (unsigned i = at; i-- > stop;) {
        const struct ir_op *op = &j->b->ops[i];
        if (op->opc == IR_LABEL)
            return;
        if (!writes(op, a))
            continue;
        ir_temp g = op->args[1], c = op->args[2];
        if (op->opc != IR_ADD || op->width != 64 || g == a || j->t[c].kind != IR_TEMP_CONST ||
            (int64_t)j->t[c].val != (int32_t)j->t[c].val)
            return;
        for (unsigned k = i + 1; k < at; k++)
            if (writes(&j->b->ops[k], g))
                return;
        *base = g;
        *disp = (int64_t)j->t[c].val;
        *def = (int)i;
        return;
    }
}

void jit_addr_parts(struct jit *j, unsigned at, ir_temp a, ir_temp *base, int64_t *disp)
{
    int def;
    addr_def(j, at, a, base, disp, &def);
}

/*
 * A member whose address is `add.64 t, base, $d` right before it (only
 * instruction markers between), t a local that dies at the member and is not
 * its stored value, and base still live there: the ADD emits nothing (t gets
 * a register but no value) and the member accesses [base + addend + d]; its
 * slow path computes t first.
 */
static void plan_folds(struct jit *j)
{
    const struct ir_block *b = j->b;
    for (unsigned k = 0; k < b->nops; k++) {
        if (j->opg[k] < 0)
            continue;
        const struct ir_op *op = &b->ops[k];
        ir_temp a = op->args[1], base;
        int64_t d;
        int def;
        addr_def(j, k, a, &base, &d, &def);
        if (def < 0 || base != j->grp[j->opg[k]].base || d != j->opd[k] || j->t[a].kind != IR_TEMP_LOCAL ||
            j->t[a].last != (int32_t)k || (op->opc == IR_ST && op->args[0] == a) ||
            (j->t[base].kind == IR_TEMP_LOCAL && j->t[base].last < (int32_t)k))
            continue;
        bool adjacent = true;
        for (unsigned i = (unsigned)def + 1; i < k && adjacent; i++)
            adjacent = b->ops[i].opc == IR_INSN_START || b->ops[i].opc == IR_NOP;
        if (!adjacent)
            continue;
        j->opf[def] = JF_SKIP_ADD;
        j->opf[k] = JF_FOLDED;
    }
}

/* Ops that end every open group: control flow, calls, and env stores into the TLB. */
static bool ends_groups(struct jit *j, const struct ir_op *op)
{
    switch (op->opc) {
    case IR_LABEL: case IR_BR: case IR_BRCOND: case IR_CALL: case IR_GOTO_TB: case IR_GOTO_PTR:
    case IR_EXIT:
        return true;
    case IR_ST_ENV: {
        uint64_t lo = j->e.guest->tlb_offset, hi = lo + sizeof(struct tlb);
        return op->aux + op->width / 8 > lo && op->aux < hi;
    }
    default:
        return op->opc >= IR_NUM_OPS;
    }
}

static bool grow(struct jit *j)
{
    unsigned n = j->b->nops;
    if (n > j->opcap) {
        int32_t *g = realloc(j->opg, n * sizeof(*g));
        if (!g)
            return false;
        j->opg = g;
        int64_t *d = realloc(j->opd, n * sizeof(*d));
        if (!d)
            return false;
        j->opd = d;
        uint8_t *f = realloc(j->opf, n);
        if (!f)
            return false;
        j->opf = f;
        uint8_t **fb = realloc(j->fb_at, n * sizeof(*fb));
        if (!fb)
            return false;
        j->fb_at = fb;
        j->opcap = n;
    }
    return true;
}

static int new_grp(struct jit *j)
{
    if (j->ngrp == j->grpcap) {
        unsigned cap = j->grpcap ? j->grpcap * 2 : 16;
        struct jgrp *g = realloc(j->grp, cap * sizeof(*g));
        if (!g)
            return -1;
        j->grp = g;
        j->grpcap = cap;
    }
    return (int)j->ngrp++;
}

/* Keeps the groups of >= 2 members, at most GRP_OPEN open at any op, in head order. */
static bool accept(struct jit *j)
{
    unsigned n = j->b->nops;
    uint8_t *open = calloc(n ? n : 1, 1);
    if (!open)
        return false;
    for (unsigned g = 0; g < j->ngrp; g++) {
        struct jgrp *p = &j->grp[g];
        p->ok = false;
        p->reg = -1;
        if (p->n < 2)
            continue;
        bool room = true;
        for (unsigned i = p->head; i <= p->last && room; i++)
            room = open[i] < GRP_OPEN;
        if (!room)
            continue;
        p->ok = true;
        for (unsigned i = p->head; i <= p->last; i++)
            open[i]++;
    }
    free(open);
    for (unsigned i = 0; i < n; i++)
        if (j->opg[i] >= 0 && !j->grp[j->opg[i]].ok)
            j->opg[i] = -1;
    return true;
}

/* Regions: the unions of overlapping accepted groups' [head, last]. */
static bool plan_regions(struct jit *j)
{
    j->nrg = 0;
    for (unsigned g = 0; g < j->ngrp; g++) {      /* groups are in head order */
        struct jgrp *p = &j->grp[g];
        if (!p->ok)
            continue;
        if (j->nrg && p->head <= j->rg[j->nrg - 1].end) {
            if (p->last > j->rg[j->nrg - 1].end)
                j->rg[j->nrg - 1].end = p->last;
        } else {
            if (j->nrg == j->rgcap) {
                unsigned cap = j->rgcap ? j->rgcap * 2 : 8;
                struct jregion *r = realloc(j->rg, cap * sizeof(*r));
                if (!r)
                    return false;
                j->rg = r;
                j->rgcap = cap;
            }
            struct jregion *r = &j->rg[j->nrg++];
            memset(r, 0, sizeof(*r));
            r->start = p->head;
            r->end = p->last;
        }
        p->region = j->nrg - 1;
    }
    return true;
}

bool grp_plan(struct jit *j)
{
    const struct ir_block *b = j->b;
    j->ngrp = 0;
    j->nrg = 0;
    if (!grow(j))
        return false;
    for (unsigned i = 0; i < b->nops; i++)
        j->opg[i] = -1;
    memset(j->opf, 0, b->nops);
    if (j->no_groups)
        return true;
    /* lw[t]: the op that last wrote temp t in this straight-line run (-1: before
       it); addv[i]: for an ADD of a constant at op i, lw of its input then. */
    int32_t *lw = malloc((b->ntemps ? b->ntemps : 1) * sizeof(*lw));
    int32_t *addv = malloc((b->nops ? b->nops : 1) * sizeof(*addv));
    if (!lw || !addv) {
        free(lw);
        free(addv);
        return false;
    }
    for (unsigned t = 0; t < b->ntemps; t++)
        lw[t] = -1;
    int cand[GRP_CAND];
    unsigned nc = 0;
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        addv[i] = -1;
        if (ends_groups(j, op)) {
            nc = 0;
            if (op->opc == IR_LABEL)
                for (unsigned t = 0; t < b->ntemps; t++)
                    lw[t] = -1;
        }
        if (op->opc == IR_ADD && op->width == 64 && op->args[1] != op->args[0])
            addv[i] = lw[op->args[1]];
        if (op->opc == IR_LD || op->opc == IR_ST) {
            /* The address's value: root's value after op ver, plus d. */
            ir_temp base = op->args[1];
            int64_t d = 0;
            int32_t ver = lw[base];
            for (unsigned link = 0; link < 4 && ver >= 0; link++) {
                const struct ir_op *a = &b->ops[ver];
                ir_temp c = a->args[2];
                if (a->opc != IR_ADD || a->width != 64 || a->args[1] == base ||
                    j->t[c].kind != IR_TEMP_CONST || (int64_t)j->t[c].val != (int32_t)j->t[c].val ||
                    (int64_t)(d + (int64_t)j->t[c].val) != (int32_t)(d + (int64_t)j->t[c].val))
                    break;
                d += (int64_t)j->t[c].val;
                base = a->args[1];
                ver = addv[ver];
            }
            unsigned size = IR_MEM_GET_SIZE((unsigned)op->aux);
            unsigned idx = IR_MEM_GET_IDX((unsigned)op->aux) & (TLB_MMU_MODES - 1);
            int g = -1;
            for (unsigned c = 0; c < nc; c++) {
                struct jgrp *p = &j->grp[cand[c]];
                if (p->base != base || p->ver != ver || p->idx != idx)
                    continue;
                int64_t lo = d < p->dmin ? d : p->dmin;
                int64_t hi = d + (int64_t)size > p->dend ? d + (int64_t)size : p->dend;
                if (hi - lo <= GRP_SPAN && i - p->head <= GRP_WINDOW) {
                    g = cand[c];
                    p->dmin = lo;
                    p->dend = hi;
                } else {
                    cand[c] = cand[--nc];     /* a new group takes over this value */
                }
                break;
            }
            if (g < 0) {
                g = new_grp(j);
                if (g < 0) {
                    free(lw);
                    free(addv);
                    return false;
                }
                struct jgrp *p = &j->grp[g];
                memset(p, 0, sizeof(*p));
                p->base = base;
                p->ver = ver;
                p->idx = idx;
                p->dmin = d;
                p->dend = d + (int64_t)size;
                p->head = i;
                if (nc == GRP_CAND)
                    cand[0] = cand[--nc];     /* forget the oldest */
                cand[nc++] = g;
            }
            struct jgrp *p = &j->grp[g];
            p->last = i;
            p->n++;
            if (op->opc == IR_LD)
                p->ld = true;
            else
                p->st = true;
            j->opg[i] = g;
            j->opd[i] = d;
        }
        if (ir_op_defs[op->opc].nout && op->args[0] < b->ntemps)
            lw[op->args[0]] = (int32_t)i;
    }
    free(lw);
    free(addv);
    if (!accept(j))
        return false;
    plan_folds(j);
    return plan_regions(j);
}

#endif
