/* SPDX-License-Identifier: MIT */
/* ir.c: IR op table, contexts, blocks, builder and validation. */
#include <stdlib.h>
#include <string.h>
#include "translate/ir.h"
#include "translate/tlb.h"

const struct ir_op_def ir_op_defs[IR_NUM_OPS] = {
#define IR_X(name, o, i, f) [IR_##name] = { #name, o, i, f },
    IR_OPS(IR_X)
#undef IR_X
};

static bool width_ok(unsigned w)
{
    return w == 8 || w == 16 || w == 32 || w == 64;
}

void ir_ctx_init(struct ir_ctx *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
}

ir_temp ir_ctx_global(struct ir_ctx *ctx, int32_t offset, unsigned width, const char *name)
{
    if (ctx->nglobals >= IR_MAX_GLOBALS || !width_ok(width))
        return IR_NONE;
    struct ir_temp_info *g = &ctx->globals[ctx->nglobals++];
    memset(g, 0, sizeof(*g));
    g->kind = IR_TEMP_GLOBAL;
    g->width = (uint8_t)width;
    g->env_offset = offset;
    g->name = name;
    return (ir_temp)ctx->nglobals;  /* temp 1 is globals[0] */
}

static bool temps_reserve(struct ir_block *b, unsigned n)
{
    if (n <= b->temps_cap)
        return true;
    unsigned cap = b->temps_cap ? b->temps_cap : 64;
    while (cap < n)
        cap *= 2;
    struct ir_temp_info *t = realloc(b->temps, cap * sizeof(*t));
    if (!t) {
        b->oom = true;
        return false;
    }
    b->temps = t;
    b->temps_cap = cap;
    return true;
}

void ir_block_reset(struct ir_block *b)
{
    const struct ir_ctx *ctx = b->ctx;
    unsigned ng = ctx ? ctx->nglobals : 0;
    b->nops = 0;
    b->nlabels = 0;
    b->ntemps = 0;
    b->oom = false;
    if (!temps_reserve(b, ng + 1))
        return;
    memset(&b->temps[0], 0, sizeof(b->temps[0]));
    if (ng)
        memcpy(&b->temps[1], ctx->globals, ng * sizeof(b->temps[0]));
    b->ntemps = ng + 1;
}

void ir_block_init(struct ir_block *b, const struct ir_ctx *ctx)
{
    b->ctx = ctx;
    ir_block_reset(b);
}

void ir_block_free(struct ir_block *b)
{
    free(b->ops);
    free(b->temps);
    b->ops = NULL;
    b->temps = NULL;
    b->nops = b->ops_cap = b->ntemps = b->temps_cap = b->nlabels = 0;
}

ir_temp ir_temp_new(struct ir_block *b)
{
    if (!temps_reserve(b, b->ntemps + 1))
        return IR_NONE;
    struct ir_temp_info *t = &b->temps[b->ntemps];
    memset(t, 0, sizeof(*t));
    t->kind = IR_TEMP_LOCAL;
    t->width = 64;
    return (ir_temp)b->ntemps++;
}

ir_temp ir_const(struct ir_block *b, unsigned width, uint64_t v)
{
    if (width < 64)
        v &= ((uint64_t)1 << width) - 1;
    /* Share a recent equal constant: cheap and catches the common repeats. */
    unsigned lo = b->ntemps > 48 ? b->ntemps - 48 : 1;
    for (unsigned i = b->ntemps; i-- > lo;) {
        if (b->temps[i].kind == IR_TEMP_CONST && b->temps[i].value == v)
            return (ir_temp)i;
    }
    if (!temps_reserve(b, b->ntemps + 1))
        return IR_NONE;
    struct ir_temp_info *t = &b->temps[b->ntemps];
    memset(t, 0, sizeof(*t));
    t->kind = IR_TEMP_CONST;
    t->width = 64;
    t->value = v;
    return (ir_temp)b->ntemps++;
}

unsigned ir_label_new(struct ir_block *b)
{
    return b->nlabels++;
}

struct ir_op *ir_emit(struct ir_block *b, enum ir_opc opc, unsigned width,
                      ir_temp a0, ir_temp a1, ir_temp a2, uint64_t aux)
{
    if (b->oom)
        return NULL;
    if (b->nops == b->ops_cap) {
        unsigned cap = b->ops_cap ? b->ops_cap * 2 : 256;
        struct ir_op *o = realloc(b->ops, cap * sizeof(*o));
        if (!o) {
            b->oom = true;
            return NULL;
        }
        b->ops = o;
        b->ops_cap = cap;
    }
    struct ir_op *op = &b->ops[b->nops++];
    memset(op, 0, sizeof(*op));
    op->opc = (uint16_t)opc;
    op->width = (uint8_t)width;
    op->args[0] = a0;
    op->args[1] = a1;
    op->args[2] = a2;
    op->aux = aux;
    return op;
}

void ir_setcond(struct ir_block *b, unsigned w, enum ir_cond cond, ir_temp d, ir_temp a, ir_temp c)
{
    struct ir_op *op = ir_emit(b, IR_SETCOND, w, d, a, c, 0);
    if (op)
        op->cond = (uint8_t)cond;
}

void ir_movcond(struct ir_block *b, unsigned w, enum ir_cond cond, ir_temp d, ir_temp a, ir_temp c,
                ir_temp t, ir_temp f)
{
    struct ir_op *op = ir_emit(b, IR_MOVCOND, w, d, a, c, 0);
    if (op) {
        op->cond = (uint8_t)cond;
        op->args[3] = t;
        op->args[4] = f;
    }
}

void ir_brcond(struct ir_block *b, unsigned w, enum ir_cond cond, ir_temp a, ir_temp c, unsigned label)
{
    struct ir_op *op = ir_emit(b, IR_BRCOND, w, a, c, IR_NONE, label);
    if (op)
        op->cond = (uint8_t)cond;
}

void ir_call(struct ir_block *b, const struct ir_helper *h, ir_temp d,
             ir_temp a0, ir_temp a1, ir_temp a2, ir_temp a3)
{
    struct ir_op *op = ir_emit(b, IR_CALL, 64, d, a0, a1, (uint64_t)(uintptr_t)h);
    if (op) {
        op->args[3] = a2;
        op->args[4] = a3;
    }
}

/* ---- validation ---- */

static _Thread_local char verr[160];

#define FAIL(...) do { snprintf(verr, sizeof(verr), __VA_ARGS__); return verr; } while (0)

static bool is_terminator(unsigned opc)
{
    return opc == IR_GOTO_TB || opc == IR_GOTO_PTR || opc == IR_EXIT || opc == IR_BR;
}

const char *ir_validate(const struct ir_block *b)
{
    if (b->oom)
        return "block ran out of memory";
    if (!b->ctx || b->ntemps < b->ctx->nglobals + 1)
        return "block has no context or lost its globals";
    for (unsigned t = 1; t < b->ntemps; t++) {
        unsigned k = b->temps[t].kind;
        if ((t <= b->ctx->nglobals) != (k == IR_TEMP_GLOBAL))
            FAIL("temp %u: bad kind %u", t, k);
        if (k == IR_TEMP_GLOBAL && !width_ok(b->temps[t].width))
            FAIL("global %u: bad width", t);
    }
    unsigned char *defined = calloc(b->nlabels ? b->nlabels : 1, 1);
    if (!defined)
        return "out of memory while validating";
    const char *res = NULL;
    /* Labels first: each defined exactly once. */
    for (unsigned i = 0; i < b->nops && !res; i++) {
        const struct ir_op *op = &b->ops[i];
        if (op->opc != IR_LABEL)
            continue;
        if (op->aux >= b->nlabels) {
            snprintf(verr, sizeof(verr), "op %u: label %llu never allocated", i,
                     (unsigned long long)op->aux);
            res = verr;
        } else if (defined[op->aux]++) {
            snprintf(verr, sizeof(verr), "op %u: label %llu defined twice", i,
                     (unsigned long long)op->aux);
            res = verr;
        }
    }
    for (unsigned i = 0; i < b->nops && !res; i++) {
        const struct ir_op *op = &b->ops[i];
        if ((op->opc == IR_BR || op->opc == IR_BRCOND) &&
            (op->aux >= b->nlabels || !defined[op->aux])) {
            snprintf(verr, sizeof(verr), "op %u: branch to undefined label %llu", i,
                     (unsigned long long)op->aux);
            res = verr;
        }
    }
    free(defined);
    if (res)
        return res;

    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        if (op->opc >= IR_NUM_OPS)
            FAIL("op %u: bad opcode %u", i, op->opc);
        const struct ir_op_def *def = &ir_op_defs[op->opc];
        const char *nm = def->name;
        unsigned w = op->width;
        if (!width_ok(w))
            FAIL("op %u (%s): bad width %u", i, nm, w);
        unsigned n = def->nout + def->nin;
        for (unsigned k = 0; k < IR_MAX_ARGS; k++) {
            ir_temp t = op->args[k];
            if (k >= n) {
                if (t != IR_NONE)
                    FAIL("op %u (%s): extra argument %u", i, nm, k);
                continue;
            }
            if (t >= b->ntemps)
                FAIL("op %u (%s): argument %u: temp %u out of range", i, nm, k, t);
            if (t == IR_NONE && op->opc != IR_CALL)
                FAIL("op %u (%s): argument %u missing", i, nm, k);
            if (k < def->nout && t != IR_NONE && b->temps[t].kind == IR_TEMP_CONST)
                FAIL("op %u (%s): writes a constant", i, nm);
        }
        switch (op->opc) {
        case IR_SETCOND: case IR_MOVCOND: case IR_BRCOND:
            if (op->cond > IR_NEVER)
                FAIL("op %u (%s): bad condition %u", i, nm, op->cond);
            break;
        default:
            if (op->cond)
                FAIL("op %u (%s): condition on a non-conditional op", i, nm);
        }
        switch (op->opc) {
        case IR_SEXT:
            if (op->aux != 8 && op->aux != 16 && op->aux != 32 && op->aux != 64)
                FAIL("op %u (SEXT): bad source width %llu at width %u", i,
                     (unsigned long long)op->aux, w);
            break;
        case IR_EXTRACT: case IR_DEPOSIT: {
            unsigned pos = op->aux & 0xff, len = (op->aux >> 8) & 0xff;
            if ((op->aux >> 16) || len == 0 || pos + len > w)
                FAIL("op %u (%s): bad field pos %u len %u at width %u", i, nm, pos, len, w);
            break;
        }
        case IR_BSWAP:
            if (w == 8)
                FAIL("op %u (BSWAP): width 8", i);
            break;
        case IR_LD_ENV: case IR_ST_ENV: {
            if (op->aux >> 32)
                FAIL("op %u (%s): bad env offset", i, nm);
            /* must not touch a global's field: engines cache globals */
            int64_t lo = (int32_t)(uint32_t)op->aux, hi = lo + w / 8;
            for (unsigned g = 1; g <= b->ctx->nglobals; g++) {
                int64_t glo = b->temps[g].env_offset, ghi = glo + b->temps[g].width / 8;
                if (lo < ghi && glo < hi)
                    FAIL("op %u (%s): env+%lld overlaps global %s", i, nm, (long long)lo,
                         b->temps[g].name ? b->temps[g].name : "?");
            }
            break;
        }
        case IR_LD: case IR_ST: {
            unsigned m = (unsigned)op->aux;
            if ((op->aux & ~(uint64_t)0xffff07) || IR_MEM_GET_IDX(m) >= TLB_MMU_MODES)
                FAIL("op %u (%s): bad memop %#llx", i, nm, (unsigned long long)op->aux);
            if (IR_MEM_GET_SIZE(m) * 8 > w)
                FAIL("op %u (%s): access of %u bytes wider than width %u", i, nm,
                     IR_MEM_GET_SIZE(m), w);
            if (op->opc == IR_ST && (m & IR_MEM_SIGN))
                FAIL("op %u (ST): sign flag on a store", i);
            break;
        }
        case IR_CALL: {
            const struct ir_helper *h = (const struct ir_helper *)(uintptr_t)op->aux;
            if (!h || !h->fn)
                FAIL("op %u (CALL): no helper", i);
            if ((h->flags & IR_HELPER_PURE) && !(h->flags & IR_HELPER_NO_ENV))
                FAIL("op %u (CALL %s): PURE without NO_ENV", i, h->name ? h->name : "?");
            if (w != 64)
                FAIL("op %u (CALL): width %u", i, w);
            break;
        }
        case IR_GOTO_TB:
            if ((op->aux & ~(uint64_t)IR_GOTO_TB_SELF) > 1)
                FAIL("op %u (GOTO_TB): slot %llu", i, (unsigned long long)op->aux);
            break;
        default:
            break;
        }
    }
    if (b->nops == 0 || !is_terminator(b->ops[b->nops - 1].opc))
        return "block does not end with GOTO_TB, GOTO_PTR, EXIT or BR";
    return NULL;
}
