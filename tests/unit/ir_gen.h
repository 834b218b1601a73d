/* SPDX-License-Identifier: MIT */
/* ir_gen.h: a seeded generator of random valid IR blocks over the ir_harness.h guest (for equivalence tests). */
#ifndef KILN_TESTS_IR_GEN_H
#define KILN_TESTS_IR_GEN_H

#include "ir_harness.h"

/*
 * Usage: seed = N; ir_block_init(&b, &hc.ctx); struct gen g = { .hc = &hc, .b = &b };
 * gen_block(&g); then seed = M; fill_env(&env) for a matching random state.
 * Blocks use every pure op at every width, LD/ST (mapped, read-only, unmapped,
 * page-crossing, "MMIO" and faulting addresses), LD_ENV/ST_ENV, three kinds of
 * helper (PURE, NO_ENV with a side effect in noenv_calls, env-touching),
 * forward branches and bounded loops, and end in EXIT, GOTO_TB or GOTO_PTR.
 */

static uint64_t seed;   /* the generator's state: set it to choose a block */
static inline uint64_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}
static inline unsigned rn(unsigned n) { return (unsigned)(rnd() % n); }

static inline uint64_t h_mix(void *env, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    (void)env;
    return a * 31 + (b ^ (c >> 3)) - d;
}
static const struct ir_helper helper_mix = { h_mix, "mix", IR_HELPER_PURE | IR_HELPER_NO_ENV };

static uint64_t noenv_calls;
static inline uint64_t h_noenv(void *env, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    (void)env; (void)c; (void)d;
    noenv_calls = noenv_calls * 7 + a + 1;   /* a side effect outside env */
    return a ^ b;
}
static const struct ir_helper helper_noenv = { h_noenv, "noenv", IR_HELPER_NO_ENV };

static inline uint64_t h_env(void *envp, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    struct h_env *env = envp;
    (void)c; (void)d;
    env->r[5] = env->r[0] * 3 + env->r[1] + a;   /* reads and writes globals */
    env->e32 += (uint32_t)env->r[2] ^ (uint32_t)b;
    return env->r[3] + env->e8;
}
static const struct ir_helper helper_env = { h_env, "envh", 0 };

static const unsigned widths[] = { 8, 16, 32, 64 };

struct gen {
    struct h_ctx *hc;
    struct ir_block *b;
    ir_temp pool[64];   /* readable temps */
    ir_temp recent[4];  /* the last destinations picked: real code reads what it just wrote */
    unsigned nrecent;
    unsigned npool;
    ir_temp locals[12];
    ir_temp dst[32];    /* writable temps */
    unsigned ndst;
};

static inline ir_temp pick_in(struct gen *g)
{
    static const uint64_t special[] = { 0, 1, 2, 7, 8, 31, 32, 63, 64, 0xff, 0x80, 0x7fff, 0x8000,
                                        0xffffffff, 0x80000000, ~0ull, 1ull << 63 };
    switch (rn(8)) {
    case 0:
        return ir_const(g->b, 64, special[rn(sizeof(special) / sizeof(special[0]))]);
    case 1:
        return ir_const(g->b, 64, rnd());
    case 2: case 3: case 4:
        if (g->nrecent)
            return g->recent[rn(g->nrecent < 4 ? g->nrecent : 4)];
        /* fall through */
    default:
        return g->pool[rn(g->npool)];
    }
}

static inline ir_temp pick_out(struct gen *g)
{
    ir_temp t = g->dst[rn(g->ndst)];
    g->recent[g->nrecent++ & 3] = t;
    return t;
}

/* An address inside the four harness pages (some mapped, some not), or in "MMIO". */
static inline ir_temp gen_addr(struct gen *g)
{
    ir_temp a = g->locals[11];
    ir_binop(g->b, IR_AND, 64, a, pick_in(g), ir_const(g->b, 64, rn(4) ? 0x3fff : 0x3ff8));
    unsigned k = rn(40);
    ir_binop(g->b, IR_ADD, 64, a, a,
             ir_const(g->b, 64, k == 0 ? H_FAULT_BASE : k < 4 ? H_MMIO_BASE : H_MEM_BASE));
    return a;
}

static inline void gen_op(struct gen *g)
{
    struct ir_block *b = g->b;
    unsigned w = widths[rn(4)];
    unsigned r = rn(100);
    if (r < 60) {
        unsigned opc = IR_MOV + rn(IR_MOVCOND - IR_MOV + 1);
        if (opc == IR_BSWAP && w == 8)
            w = 16;
        struct ir_op *op = ir_emit(b, opc, w, pick_out(g), pick_in(g),
                                   ir_op_defs[opc].nin > 1 ? pick_in(g) : IR_NONE, 0);
        if (!op)
            return;
        if (rn(5) == 0 && ir_op_defs[opc].nin > 1)
            op->args[2] = op->args[1];          /* x op x */
        switch (opc) {
        case IR_SEXT:
            op->aux = widths[rn(4)];
            break;
        case IR_EXTRACT: case IR_DEPOSIT: {
            unsigned len = 1 + rn(w), pos = rn(w - len + 1);
            op->aux = pos | len << 8;
            break;
        }
        case IR_SETCOND:
            op->cond = (uint8_t)rn(IR_NEVER + 1);
            break;
        case IR_MOVCOND:
            op->cond = (uint8_t)rn(IR_NEVER + 1);
            op->args[3] = pick_in(g);
            op->args[4] = pick_in(g);
            break;
        default:
            break;
        }
    } else if (r < 68) {
        ir_temp a = gen_addr(g);
        unsigned size = rn(4);
        unsigned lw = widths[size + rn(4 - size)];
        unsigned memop = IR_MEM_SIZE(size) | ((size * 8 < lw && rn(2)) ? IR_MEM_SIGN : 0);
        ir_ld(b, lw, pick_out(g), a, memop);
    } else if (r < 74) {
        ir_temp a = gen_addr(g);
        unsigned size = rn(4);
        ir_st(b, widths[size + rn(4 - size)], pick_in(g), a, IR_MEM_SIZE(size));
    } else if (r < 78) {
        int32_t off = (int32_t)(offsetof(struct h_env, scratch) + 8 * rn(4));
        if (rn(2))
            ir_ld_env(b, w, pick_out(g), off);
        else
            ir_st_env(b, w, pick_in(g), off);
    } else if (r < 86) {
        static const struct ir_helper *const hs[] = { &helper_mix, &helper_noenv, &helper_env };
        ir_call(b, hs[rn(3)], rn(6) ? pick_out(g) : IR_NONE, pick_in(g), pick_in(g),
                rn(2) ? pick_in(g) : IR_NONE, pick_in(g));
    } else {
        ir_mov(b, w, pick_out(g), pick_in(g));
    }
}

/* A generated block's start: the globals and locals 0-9 become inputs and
   outputs; the 12 locals start with random constants (10: a loop counter,
   11: addresses, for gen_block). */
static inline void gen_begin(struct gen *g)
{
    struct ir_block *b = g->b;
    g->npool = g->ndst = g->nrecent = 0;
    for (unsigned i = 0; i < H_NREGS; i++)
        g->pool[g->npool++] = g->dst[g->ndst++] = g->hc->r[i];
    g->pool[g->npool++] = g->dst[g->ndst++] = g->hc->e32;
    g->pool[g->npool++] = g->dst[g->ndst++] = g->hc->e16;
    g->pool[g->npool++] = g->dst[g->ndst++] = g->hc->e8;
    for (unsigned i = 0; i < 12; i++) {
        g->locals[i] = ir_temp_new(b);
        ir_mov(b, 64, g->locals[i], ir_const(b, 64, rn(3) ? rnd() : rn(4)));
        if (i < 10)
            g->pool[g->npool++] = g->dst[g->ndst++] = g->locals[i];
    }
}

/* A random valid block: straight code, forward branches, a bounded loop. */
static inline void gen_block(struct gen *g)
{
    struct ir_block *b = g->b;
    gen_begin(g);
    unsigned nsect = 1 + rn(4);
    for (unsigned s = 0; s < nsect; s++) {
        ir_insn_start(b, 0x1000 + s);
        unsigned kind = rn(3), n = 2 + rn(12);
        if (kind == 0) {                        /* straight */
            for (unsigned i = 0; i < n; i++)
                gen_op(g);
        } else if (kind == 1) {                 /* if (cond) skip */
            unsigned l = ir_label_new(b);
            ir_brcond(b, widths[rn(4)], (enum ir_cond)rn(IR_NEVER + 1), pick_in(g), pick_in(g), l);
            for (unsigned i = 0; i < n; i++)
                gen_op(g);
            ir_label(b, l);
        } else {                                /* loop 1..4 times */
            unsigned top = ir_label_new(b);
            ir_temp cnt = g->locals[10];
            ir_mov(b, 64, cnt, ir_const(b, 64, 1 + rn(4)));
            ir_label(b, top);
            for (unsigned i = 0; i < n; i++)
                gen_op(g);
            ir_binop(b, IR_SUB, 64, cnt, cnt, ir_const(b, 64, 1));
            ir_brcond(b, 64, IR_NE, cnt, ir_const(b, 64, 0), top);
        }
    }
    switch (rn(3)) {
    case 0: ir_exit(b, 0); break;
    case 1: ir_goto_tb(b, rn(2)); break;
    default: ir_goto_ptr(b); break;
    }
}

static inline void fill_env(struct h_env *env)
{
    h_env_init(env);
    for (unsigned i = 0; i < H_NREGS; i++)
        env->r[i] = rn(3) ? rnd() : rn(70);
    env->e32 = (uint32_t)rnd();
    env->e16 = (uint16_t)rnd();
    env->e8 = (uint8_t)rnd();
    for (unsigned i = 0; i < 4; i++)
        env->scratch[i] = rnd();
    h_map_page(env, 0, 0, true);
    h_map_page(env, 0, 1, true);
    h_map_page(env, 0, 2, false);
}

#endif
