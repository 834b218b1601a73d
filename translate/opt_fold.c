/* SPDX-License-Identifier: MIT */
/* opt_fold.c: the optimizer's forward pass: propagation, constant folding, identities, branches. */
#include <stdlib.h>
#include <string.h>
#include "translate/opt.h"
#include "translate/ir_eval.h"

/*
 * Facts about a temp (a known value, or "equals temp s for readers up to w
 * bits") hold within a straight-line run: they are dropped at labels (by
 * bumping the epoch) and, for globals, after CALLs that may change env. A
 * copy fact stays valid only while its source is not redefined, which is
 * checked with per-temp definition counters. Temps created during the pass
 * are constants, so the per-temp arrays only cover the temps present at the
 * start (n0).
 */
struct fold {
    struct ir_block *b;
    struct ir_opt_stats *st;
    unsigned n0, ng;
    uint32_t epoch;
    uint32_t *fact_epoch, *def_gen, *copy_gen;
    uint64_t *val;
    ir_temp *copy_src;
    uint8_t *known, *copy_w;
    uint8_t *zw;        /* value known zero-extended from zw bits (0: unknown) */
    bool changed;
};

static unsigned temp_width(const struct fold *f, ir_temp t)
{
    const struct ir_temp_info *ti = &f->b->temps[t];
    return ti->kind == IR_TEMP_GLOBAL ? ti->width : 64;
}

static bool facts_valid(const struct fold *f, ir_temp t)
{
    return t < f->n0 && f->fact_epoch[t] == f->epoch;
}

static bool known(const struct fold *f, ir_temp t, uint64_t *v)
{
    if (t == IR_NONE)
        return false;
    if (f->b->temps[t].kind == IR_TEMP_CONST) {
        *v = f->b->temps[t].value;
        return true;
    }
    if (facts_valid(f, t) && f->known[t]) {
        *v = f->val[t];
        return true;
    }
    return false;
}

/* The smallest op width from which v is a zero-extension. */
static unsigned fit_width(uint64_t v)
{
    return v <= 0xff ? 8 : v <= 0xffff ? 16 : v <= 0xffffffffu ? 32 : 64;
}

/* A width w such that t's value is known to be below 2^w. */
static unsigned zwidth(const struct fold *f, ir_temp t)
{
    const struct ir_temp_info *ti = &f->b->temps[t];
    uint64_t v;
    if (known(f, t, &v))
        return fit_width(v);
    unsigned w = ti->kind == IR_TEMP_GLOBAL ? ti->width : 64;
    if (facts_valid(f, t) && f->zw[t] && f->zw[t] < w)
        w = f->zw[t];
    return w;
}

/* s's definition counter; temps made during the pass are constants, never
   redefined, and beyond the per-temp arrays. */
static uint32_t def_gen_of(const struct fold *f, ir_temp s)
{
    return s < f->n0 ? f->def_gen[s] : 0;
}

static ir_temp copy_of(const struct fold *f, ir_temp t, unsigned rw)
{
    if (t == IR_NONE || !facts_valid(f, t))
        return IR_NONE;
    ir_temp s = f->copy_src[t];
    if (s == IR_NONE || f->copy_w[t] < rw || def_gen_of(f, s) != f->copy_gen[t])
        return IR_NONE;
    return s;
}

/* t is being redefined: forget what we knew. */
static void redefine(struct fold *f, ir_temp t)
{
    if (t == IR_NONE || t >= f->n0)
        return;
    f->def_gen[t]++;
    f->fact_epoch[t] = f->epoch;
    f->known[t] = 0;
    f->zw[t] = 0;
    f->copy_src[t] = IR_NONE;
}

/* The width at which op reads its argument k. */
static unsigned read_width(const struct ir_op *op, unsigned k)
{
    switch (op->opc) {
    case IR_LD: case IR_CALL: return 64;
    case IR_ST: return k == 1 ? 64 : op->width;
    case IR_SEXT: /* only the low aux bits matter */
        return op->aux < op->width ? (unsigned)op->aux : op->width;
    case IR_EXTRACT: { /* only the bits below pos + len matter */
        unsigned top = (unsigned)(op->aux & 0xff) + (unsigned)((op->aux >> 8) & 0xff);
        return top < op->width ? top : op->width;
    }
    default: return op->width;
    }
}

static void make_mov(struct fold *f, struct ir_op *op, ir_temp src)
{
    op->opc = IR_MOV;
    op->cond = 0;
    op->aux = 0;
    op->args[1] = src;
    op->args[2] = op->args[3] = op->args[4] = IR_NONE;
    f->changed = true;
}

static void make_const(struct fold *f, struct ir_op *op, uint64_t v)
{
    ir_temp c = ir_const(f->b, 64, v & ir_mask(op->width));
    if (c != IR_NONE)
        make_mov(f, op, c);
}

/* Result of cond(x, x), or -1 when it depends on x. */
static int cond_same(unsigned cond)
{
    switch (cond) {
    case IR_EQ: case IR_GEU: case IR_LEU: case IR_GE: case IR_LE: case IR_ALWAYS: return 1;
    case IR_NE: case IR_LTU: case IR_GTU: case IR_LT: case IR_GT: case IR_NEVER: return 0;
    default: return -1;
    }
}

/* Decides cond(a, c) at width w if possible: 1, 0 or -1 (unknown). */
static int decide(const struct fold *f, unsigned cond, unsigned w, ir_temp a, ir_temp c)
{
    uint64_t va, vc;
    if (cond == IR_ALWAYS)
        return 1;
    if (cond == IR_NEVER)
        return 0;
    if (known(f, a, &va) && known(f, c, &vc))
        return ir_eval_cond(cond, w, va, vc);
    if (a == c)
        return cond_same(cond);
    return -1;
}

#define DONE(x) do { x; return; } while (0)

/* Folds or simplifies pure op (MOV..MOVCOND) in place. */
static void fold_pure(struct fold *f, struct ir_op *op)
{
    const struct ir_op_def *def = &ir_op_defs[op->opc];
    unsigned w = op->width;
    uint64_t m = ir_mask(w), x[4] = { 0, 0, 0, 0 };
    bool all = true;
    for (unsigned k = 0; k < def->nin; k++)
        all &= known(f, op->args[1 + k], &x[k]);
    uint64_t r;
    if (op->opc == IR_MOV)
        return;
    if (all && ir_eval(op->opc, w, op->cond, x, op->aux, &r)) {
        make_const(f, op, r);
        f->st->folded++;
        return;
    }
    ir_temp a = op->args[1], c = op->args[2];
    uint64_t va = 0, vc = 0;
    bool ka = known(f, a, &va), kc = def->nin > 1 && known(f, c, &vc);
    va &= m;
    vc &= m;
    unsigned before = f->st->simplified;
    f->st->simplified++;
    switch (op->opc) {
    case IR_ADD: case IR_OR: case IR_XOR:
        if (kc && vc == 0)
            DONE(make_mov(f, op, a));
        if (ka && va == 0)
            DONE(make_mov(f, op, c));
        if (op->opc == IR_OR && ((kc && vc == m) || (ka && va == m)))
            DONE(make_const(f, op, m));
        if (a == c)
        {
            if (op->opc == IR_XOR)
                DONE(make_const(f, op, 0));
            if (op->opc == IR_OR)
                DONE(make_mov(f, op, a));
        }
        break;
    case IR_SUB:
        if (kc && vc == 0)
            DONE(make_mov(f, op, a));
        if (a == c)
            DONE(make_const(f, op, 0));
        break;
    case IR_AND:
        if ((kc && vc == 0) || (ka && va == 0))
            DONE(make_const(f, op, 0));
        /* a mask keeping every bit the other side can have */
        if (kc && (vc & ir_mask(zwidth(f, a))) == (m & ir_mask(zwidth(f, a))))
            DONE(make_mov(f, op, a));
        if (ka && (va & ir_mask(zwidth(f, c))) == (m & ir_mask(zwidth(f, c))))
            DONE(make_mov(f, op, c));
        if (a == c)
            DONE(make_mov(f, op, a));
        break;
    case IR_MUL:
        if (kc && vc == 1)
            DONE(make_mov(f, op, a));
        if (ka && va == 1)
            DONE(make_mov(f, op, c));
        /* fall through */
    case IR_MULUH: case IR_MULSH:
        if ((kc && vc == 0) || (ka && va == 0))
            DONE(make_const(f, op, 0));
        break;
    case IR_DIVU: case IR_DIVS:
        if (kc && vc == 1)
            DONE(make_mov(f, op, a));
        break;
    case IR_REMU:
        if (kc && vc == 1)
            DONE(make_const(f, op, 0));
        break;
    case IR_SHL: case IR_SHR: case IR_SAR: case IR_ROTL: case IR_ROTR:
        if (kc && (vc & (w - 1)) == 0)
            DONE(make_mov(f, op, a));
        if (ka && va == 0)
            DONE(make_const(f, op, 0));
        break;
    case IR_SEXT:
        if (op->aux >= w)
            DONE(make_mov(f, op, a));
        break;
    case IR_EXTRACT:
        if ((op->aux & 0xff) == 0 && ((op->aux >> 8) & 0xff) == w)
            DONE(make_mov(f, op, a));
        break;
    case IR_DEPOSIT:
        if ((op->aux & 0xff) == 0 && ((op->aux >> 8) & 0xff) == w)
            DONE(make_mov(f, op, c));
        break;
    case IR_SETCOND: {
        int d = decide(f, op->cond, w, a, c);
        if (d >= 0)
            DONE(make_const(f, op, (uint64_t)d));
        break;
    }
    case IR_MOVCOND: {
        int d = decide(f, op->cond, w, a, c);
        if (d >= 0)
            DONE(make_mov(f, op, d ? op->args[3] : op->args[4]));
        if (op->args[3] == op->args[4])
            DONE(make_mov(f, op, op->args[3]));
        break;
    }
    default:
        break;
    }
    f->st->simplified = before;
}

/* A PURE helper with constant arguments is called now (with a NULL env). */
static void fold_call(struct fold *f, struct ir_op *op)
{
    const struct ir_helper *h = (const struct ir_helper *)(uintptr_t)op->aux;
    uint64_t x[4] = { 0, 0, 0, 0 };
    if (!h || !h->fn || !(h->flags & IR_HELPER_PURE) || op->args[0] == IR_NONE)
        return;
    for (unsigned k = 0; k < 4; k++)
        if (op->args[1 + k] != IR_NONE && !known(f, op->args[1 + k], &x[k]))
            return;
    uint64_t r = h->fn(NULL, x[0], x[1], x[2], x[3]);
    op->width = 64;
    make_const(f, op, r);
    f->st->folded++;
}

/* Counts the branches to each label; NOPs out labels nobody jumps to. */
static void drop_unused_labels(struct fold *f)
{
    struct ir_block *b = f->b;
    unsigned *refs = calloc(b->nlabels ? b->nlabels : 1, sizeof(*refs));
    if (!refs)
        return;
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        if ((op->opc == IR_BR || op->opc == IR_BRCOND) && op->aux < b->nlabels)
            refs[op->aux]++;
    }
    for (unsigned i = 0; i < b->nops; i++) {
        struct ir_op *op = &b->ops[i];
        if (op->opc == IR_LABEL && op->aux < b->nlabels && !refs[op->aux]) {
            op->opc = IR_NOP;
            op->aux = 0;
            f->changed = true;
        }
    }
    free(refs);
}

/* The width from which op's result is known to be zero-extended (before d is redefined). */
static unsigned result_zwidth(const struct fold *f, const struct ir_op *op)
{
    unsigned w = op->width, x;
    switch (op->opc) {
    case IR_CALL:
        return 64;
    case IR_SETCOND: case IR_CLZ: case IR_CTZ: case IR_POPCNT:
        return 8;
    case IR_MOV:
        x = zwidth(f, op->args[1]);
        return x < w ? x : w;
    case IR_AND:
        x = zwidth(f, op->args[1]);
        if (zwidth(f, op->args[2]) < x)
            x = zwidth(f, op->args[2]);
        return x < w ? x : w;
    case IR_EXTRACT:
        x = fit_width(ir_mask((unsigned)(op->aux >> 8) & 0xff));
        return x < w ? x : w;
    default:
        return w;
    }
}

/* True when the BR at i jumps to the label right after it. */
static bool branch_to_next(const struct ir_block *b, unsigned i)
{
    for (unsigned j = i + 1; j < b->nops; j++) {
        const struct ir_op *op = &b->ops[j];
        if (op->opc == IR_LABEL && op->aux == b->ops[i].aux)
            return true;
        if (op->opc != IR_NOP && op->opc != IR_INSN_START && op->opc != IR_LABEL)
            return false;
    }
    return false;
}

static void nop_out(struct fold *f, struct ir_op *op)
{
    memset(op, 0, sizeof(*op));
    op->opc = IR_NOP;
    op->width = 64;
    f->st->dead++;
    f->changed = true;
}

bool ir_opt_fold(struct ir_block *b, struct ir_opt_stats *st)
{
    struct fold f = { .b = b, .st = st, .n0 = b->ntemps, .epoch = 1 };
    f.ng = b->ctx->nglobals;
    size_t n = b->ntemps;
    f.fact_epoch = calloc(n, sizeof(uint32_t));
    f.def_gen = calloc(n, sizeof(uint32_t));
    f.copy_gen = calloc(n, sizeof(uint32_t));
    f.val = calloc(n, sizeof(uint64_t));
    f.copy_src = calloc(n, sizeof(ir_temp));
    f.known = calloc(n, 1);
    f.copy_w = calloc(n, 1);
    f.zw = calloc(n, 1);
    if (!f.fact_epoch || !f.def_gen || !f.copy_gen || !f.val || !f.copy_src || !f.known ||
        !f.copy_w || !f.zw)
        goto out;
    drop_unused_labels(&f);

    bool unreachable = false;
    for (unsigned i = 0; i < b->nops && !b->oom; i++) {
        struct ir_op *op = &b->ops[i];
        const struct ir_op_def *def = &ir_op_defs[op->opc];
        if (op->opc == IR_LABEL) {
            f.epoch++;
            unreachable = false;
            continue;
        }
        if (op->opc == IR_NOP)
            continue;
        if (unreachable) {
            nop_out(&f, op);
            continue;
        }
        if (op->opc == IR_INSN_START)
            continue;
        /* Inputs: a copy's source, then a known value as a constant. */
        for (unsigned k = def->nout; k < (unsigned)def->nout + def->nin; k++) {
            ir_temp t = op->args[k], s;
            uint64_t v;
            if (t == IR_NONE)
                continue;
            s = copy_of(&f, t, read_width(op, k));
            if (s != IR_NONE) {
                op->args[k] = t = s;
                st->propagated++;
                f.changed = true;
            }
            if (b->temps[t].kind != IR_TEMP_CONST && known(&f, t, &v)) {
                ir_temp c = ir_const(b, 64, v);
                if (c == IR_NONE)
                    goto out;
                op->args[k] = c;
                st->propagated++;
                f.changed = true;
            }
        }
        if (op->opc >= IR_MOV && op->opc <= IR_MOVCOND) {
            fold_pure(&f, op);
        } else if (op->opc == IR_BRCOND) {
            int d = decide(&f, op->cond, op->width, op->args[0], op->args[1]);
            if (d >= 0) {
                uint64_t label = op->aux;
                memset(op, 0, sizeof(*op));
                op->opc = d ? IR_BR : IR_NOP;
                op->width = 64;
                op->aux = d ? label : 0;
                st->branches++;
                f.changed = true;
            }
        }
        if (op->opc == IR_CALL)
            fold_call(&f, op);
        if (op->opc == IR_CALL) {
            const struct ir_helper *h = (const struct ir_helper *)(uintptr_t)op->aux;
            if (!h || !(h->flags & IR_HELPER_NO_ENV))
                for (ir_temp g = 1; g <= f.ng; g++)
                    redefine(&f, g);
        }
        if (def->nout && op->args[0] != IR_NONE && op->args[0] < f.n0) {
            ir_temp d = op->args[0];
            unsigned cw = temp_width(&f, d) < op->width ? temp_width(&f, d) : op->width;
            unsigned ow = result_zwidth(&f, op);
            redefine(&f, d);
            f.zw[d] = (uint8_t)(ow < cw ? ow : cw);
            if (op->opc == IR_MOV) {
                ir_temp s = op->args[1];
                uint64_t v;
                if (known(&f, s, &v)) {
                    f.known[d] = 1;
                    f.val[d] = v & ir_mask(cw);
                } else if (s != d) {
                    f.copy_src[d] = s;
                    /* d == s entirely when s already fits in cw bits */
                    f.copy_w[d] = (uint8_t)(zwidth(&f, s) <= cw ? 64 : cw);
                    f.copy_gen[d] = def_gen_of(&f, s);
                }
            } else if (op->opc == IR_SEXT && op->aux < cw && op->args[1] != d) {
                /* the low aux bits of d are a's */
                ir_temp s = op->args[1];
                f.copy_src[d] = s;
                f.copy_w[d] = (uint8_t)op->aux;
                f.copy_gen[d] = def_gen_of(&f, s);
            } else if (op->opc == IR_DEPOSIT && (op->aux & 0xff) == 0 && op->args[2] != d) {
                /* the low len bits of d are v's: narrow readers can use v */
                unsigned len = (unsigned)(op->aux >> 8) & 0xff;
                ir_temp s = op->args[2];
                f.copy_src[d] = s;
                f.copy_w[d] = (uint8_t)(len < cw ? len : cw);
                f.copy_gen[d] = def_gen_of(&f, s);
            }
        }
        if (op->opc == IR_BR && branch_to_next(b, i)) {
            nop_out(&f, op);
            continue;
        }
        if (op->opc == IR_BR || op->opc == IR_GOTO_TB || op->opc == IR_GOTO_PTR || op->opc == IR_EXIT)
            unreachable = true;
    }
out:
    free(f.fact_epoch);
    free(f.def_gen);
    free(f.copy_gen);
    free(f.val);
    free(f.copy_src);
    free(f.known);
    free(f.copy_w);
    free(f.zw);
    return f.changed;
}

/*
 * Narrowing: a 64-bit MOV/ADD/SUB/MUL/AND/OR/XOR/NOT/NEG/SEXT writing a LOCAL
 * that every reader in the block reads at 32 bits or less becomes 32-bit (the
 * low 32 bits of these ops depend only on the low 32 bits of their inputs, and
 * readers see only those). A 32-bit IMUL is then a 32-bit multiply without the
 * sign extension of its inputs. Not to 8/16 bits: those cost the JIT a movzx.
 */
bool ir_opt_narrow(struct ir_block *b, struct ir_opt_stats *st)
{
    unsigned n = b->ntemps;
    uint8_t *maxr = calloc(n, 1);
    bool changed = false;
    if (!maxr)
        return false;
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        const struct ir_op_def *def = &ir_op_defs[op->opc];
        for (unsigned k = def->nout; k < (unsigned)def->nout + def->nin; k++) {
            ir_temp t = op->args[k];
            unsigned rw = read_width(op, k);
            if (t != IR_NONE && t < n && maxr[t] < rw)
                maxr[t] = (uint8_t)rw;
        }
    }
    for (unsigned i = 0; i < b->nops; i++) {
        struct ir_op *op = &b->ops[i];
        ir_temp d = op->args[0];
        if (op->width != 64 || d == IR_NONE || d >= n || b->temps[d].kind != IR_TEMP_LOCAL ||
            maxr[d] == 0 || maxr[d] > 32)
            continue;
        switch (op->opc) {
        case IR_MOV: case IR_ADD: case IR_SUB: case IR_MUL: case IR_AND: case IR_OR:
        case IR_XOR: case IR_NOT: case IR_NEG: case IR_SEXT:
            op->width = 32;
            st->simplified++;
            changed = true;
            break;
        default:
            break;
        }
    }
    free(maxr);
    return changed;
}
