/* SPDX-License-Identifier: MIT */
/* test_opt.c: the optimizer keeps behaviour (random blocks, before/after) and does remove what it should. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>
#include "ir_harness.h"
#include "translate/opt.h"

static uint64_t seed;
static uint64_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}
static unsigned rn(unsigned n) { return (unsigned)(rnd() % n); }

static uint64_t h_mix(void *env, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    (void)env;
    return a * 31 + (b ^ (c >> 3)) - d;
}
static const struct ir_helper helper_mix = { h_mix, "mix", IR_HELPER_PURE | IR_HELPER_NO_ENV };

static uint64_t noenv_calls;
static uint64_t h_noenv(void *env, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    (void)env; (void)c; (void)d;
    noenv_calls = noenv_calls * 7 + a + 1;   /* a side effect outside env */
    return a ^ b;
}
static const struct ir_helper helper_noenv = { h_noenv, "noenv", IR_HELPER_NO_ENV };

static uint64_t h_env(void *envp, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
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
    unsigned npool;
    ir_temp locals[12];
    ir_temp dst[32];    /* writable temps */
    unsigned ndst;
};

static ir_temp pick_in(struct gen *g)
{
    static const uint64_t special[] = { 0, 1, 2, 7, 8, 31, 32, 63, 64, 0xff, 0x80, 0x7fff, 0x8000,
                                        0xffffffff, 0x80000000, ~0ull, 1ull << 63 };
    switch (rn(8)) {
    case 0:
        return ir_const(g->b, 64, special[rn(sizeof(special) / sizeof(special[0]))]);
    case 1:
        return ir_const(g->b, 64, rnd());
    default:
        return g->pool[rn(g->npool)];
    }
}

static ir_temp pick_out(struct gen *g)
{
    return g->dst[rn(g->ndst)];
}

/* An address inside the four harness pages (some mapped, some not), or in "MMIO". */
static ir_temp gen_addr(struct gen *g)
{
    ir_temp a = g->locals[11];
    ir_binop(g->b, IR_AND, 64, a, pick_in(g), ir_const(g->b, 64, rn(4) ? 0x3fff : 0x3ff8));
    unsigned k = rn(40);
    ir_binop(g->b, IR_ADD, 64, a, a,
             ir_const(g->b, 64, k == 0 ? H_FAULT_BASE : k < 4 ? H_MMIO_BASE : H_MEM_BASE));
    return a;
}

static void gen_op(struct gen *g)
{
    struct ir_block *b = g->b;
    unsigned w = widths[rn(4)];
    unsigned r = rn(100);
    if (r < 60) {
        unsigned opc = IR_MOV + rn(IR_MOVCOND - IR_MOV + 1);
        if (opc == IR_BSWAP && w == 8)
            w = 16;
        if (opc == IR_SEXT && w == 8)
            w = 32;
        struct ir_op *op = ir_emit(b, opc, w, pick_out(g), pick_in(g),
                                   ir_op_defs[opc].nin > 1 ? pick_in(g) : IR_NONE, 0);
        if (!op)
            return;
        if (rn(5) == 0 && ir_op_defs[opc].nin > 1)
            op->args[2] = op->args[1];          /* x op x */
        switch (opc) {
        case IR_SEXT:
            op->aux = w == 16 ? 8 : widths[rn(w == 32 ? 2 : 3)];
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

/* A random valid block: straight code, forward branches, a bounded loop. */
static void gen_block(struct gen *g)
{
    struct ir_block *b = g->b;
    g->npool = g->ndst = 0;
    for (unsigned i = 0; i < H_NREGS; i++)
        g->pool[g->npool++] = g->dst[g->ndst++] = g->hc->r[i];
    g->pool[g->npool++] = g->dst[g->ndst++] = g->hc->e32;
    g->pool[g->npool++] = g->dst[g->ndst++] = g->hc->e16;
    g->pool[g->npool++] = g->dst[g->ndst++] = g->hc->e8;
    for (unsigned i = 0; i < 12; i++) {
        g->locals[i] = ir_temp_new(b);
        ir_mov(b, 64, g->locals[i], ir_const(b, 64, rn(3) ? rnd() : rn(4)));
        if (i < 10)  /* 10: loop counter, 11: addresses */
            g->pool[g->npool++] = g->dst[g->ndst++] = g->locals[i];
    }
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

static void fill_env(struct h_env *env)
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

static uint8_t mem_before[H_MEM_SIZE];
static jmp_buf fault_jb;

/* Runs b; a guest fault (longjmp from the slow path) gives exit code 7. */
static unsigned run_faulting(struct engine *e, const struct ir_block *b, struct h_env *env)
{
    struct tb *volatile tb = h_compile(e, b);
    volatile unsigned r = 7;
    env->fault = &fault_jb;
    if (setjmp(fault_jb) == 0)
        r = (unsigned)(e->exec(e, env, tb) & TB_EXIT_MASK);
    env->fault = NULL;
    h_tb_free(e, tb);
    return r;
}

static void test_random_blocks_keep_behaviour(void **state)
{
    (void)state;
    struct h_ctx hc;
    h_ctx_init(&hc);
    struct engine *e = engine_interp_new(&h_guest);
    struct ir_block b = { 0 }, o = { 0 };
    static struct h_env env1, env2;
    struct ir_opt_stats st = { 0 };
    unsigned total_before = 0, total_after = 0, faults = 0;
    for (unsigned iter = 0; iter < 3000; iter++) {
        seed = 0x1234567ull + iter * 0x9e3779b97f4a7c15ull;
        rnd();
        ir_block_init(&b, &hc.ctx);
        struct gen g = { .hc = &hc, .b = &b };
        gen_block(&g);
        const char *err = ir_validate(&b);
        if (err)
            fail_msg("iter %u: generator made an invalid block: %s", iter, err);
        /* copy b into o and optimize o */
        ir_block_init(&o, &hc.ctx);
        for (unsigned t = o.ntemps; t < b.ntemps; t++)
            ir_temp_new(&o);
        memcpy(o.temps, b.temps, b.ntemps * sizeof(*b.temps));
        for (unsigned i = 0; i < b.nops; i++)
            *ir_emit(&o, IR_NOP, 64, 0, 0, 0, 0) = b.ops[i];
        o.nlabels = b.nlabels;
        ir_optimize_ex(&o, IR_OPT_ALL, &st);
        err = ir_validate(&o);
        if (err) {
            ir_dump(&b, stderr);
            ir_dump(&o, stderr);
            fail_msg("iter %u: optimized block invalid: %s", iter, err);
        }
        total_before += b.nops;
        total_after += o.nops;

        uint64_t envseed = rnd();
        seed = envseed;
        fill_env(&env1);
        for (unsigned i = 0; i < H_MEM_SIZE; i++)
            mem_before[i] = (uint8_t)rnd();
        memcpy(h_mem, mem_before, H_MEM_SIZE);
        noenv_calls = 0;
        unsigned r1 = run_faulting(e, &b, &env1);
        uint64_t calls1 = noenv_calls;
        static uint8_t mem1[H_MEM_SIZE];
        memcpy(mem1, h_mem, H_MEM_SIZE);

        seed = envseed;
        fill_env(&env2);
        memcpy(h_mem, mem_before, H_MEM_SIZE);
        noenv_calls = 0;
        unsigned r2 = run_faulting(e, &o, &env2);
        faults += r1 == 7;
        if (r1 != r2 || memcmp(&env1, &env2, offsetof(struct h_env, tlb)) ||
            memcmp(mem1, h_mem, H_MEM_SIZE) || calls1 != noenv_calls) {
            fprintf(stderr, "---- before\n");
            ir_dump(&b, stderr);
            fprintf(stderr, "---- after\n");
            ir_dump(&o, stderr);
            for (unsigned i = 0; i < H_NREGS; i++)
                fprintf(stderr, "r%u %#llx %#llx\n", i, (unsigned long long)env1.r[i],
                        (unsigned long long)env2.r[i]);
            fprintf(stderr, "e32 %#x %#x e16 %#x %#x e8 %#x %#x\n", env1.e32, env2.e32, env1.e16,
                    env2.e16, env1.e8, env2.e8);
            fail_msg("iter %u: behaviour changed (exit %u vs %u)", iter, r1, r2);
        }
    }
    print_message("random blocks: %u ops -> %u; folded %u simplified %u propagated %u "
                  "branches %u dead %u (globals %u); %u faulted\n", total_before, total_after, st.folded,
                  st.simplified, st.propagated, st.branches, st.dead, st.dead_globals, faults);
    assert_true(total_after < total_before);
    assert_true(faults > 100);
    assert_true(st.folded > 0 && st.simplified > 0 && st.dead_globals > 0 && st.branches > 0);
    ir_block_free(&b);
    ir_block_free(&o);
    e->destroy(e);
}

/* ---- specific patterns ---- */

struct pfx {
    struct h_ctx hc;
    struct ir_block b;
};

static int psetup(void **state)
{
    struct pfx *p = calloc(1, sizeof(*p));
    h_ctx_init(&p->hc);
    ir_block_init(&p->b, &p->hc.ctx);
    *state = p;
    return 0;
}

static int pteardown(void **state)
{
    struct pfx *p = *state;
    ir_block_free(&p->b);
    free(p);
    return 0;
}

static unsigned count_writes(const struct ir_block *b, ir_temp t)
{
    unsigned n = 0;
    for (unsigned i = 0; i < b->nops; i++)
        if (ir_op_defs[b->ops[i].opc].nout && b->ops[i].args[0] == t)
            n++;
    return n;
}

static unsigned count_opc(const struct ir_block *b, unsigned opc)
{
    unsigned n = 0;
    for (unsigned i = 0; i < b->nops; i++)
        n += b->ops[i].opc == opc;
    return n;
}

static void optimize_checked(struct ir_block *b)
{
    assert_null(ir_validate(b));
    ir_optimize(b);
    const char *err = ir_validate(b);
    if (err)
        fail_msg("%s", err);
}

#define P struct pfx *p = *state; struct ir_block *b = &p->b; ir_temp *r = p->hc.r
#define C(v) ir_const(b, 64, (v))

static void test_dead_global_write_removed(void **state)
{
    P;
    ir_temp x = ir_temp_new(b);
    ir_binop(b, IR_ADD, 64, x, r[1], r[2]);
    ir_mov(b, 64, r[0], x);          /* dead: overwritten, nothing in between */
    ir_binop(b, IR_XOR, 64, r[3], r[1], r[2]);
    ir_call(b, &helper_noenv, r[4], r[3], IR_NONE, IR_NONE, IR_NONE); /* NO_ENV: not a sync */
    ir_mov(b, 64, r[0], r[4]);
    ir_exit(b, 0);
    optimize_checked(b);
    assert_int_equal(count_writes(b, r[0]), 1);
    assert_int_equal(count_opc(b, IR_ADD), 0);   /* x is dead too */
}

static void test_global_write_before_sync_kept(void **state)
{
    P;
    ir_mov(b, 64, r[0], r[1]);
    ir_ld(b, 64, r[2], r[3], IR_MEM_SIZE(3));     /* may fault: r0 must be in env */
    ir_mov(b, 64, r[0], r[2]);
    ir_mov(b, 64, r[5], r[1]);
    ir_call(b, &helper_env, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE); /* reads env */
    ir_mov(b, 64, r[5], r[2]);
    ir_mov(b, 64, r[6], r[1]);
    unsigned l = ir_label_new(b);
    ir_brcond(b, 64, IR_EQ, r[7], C(0), l);       /* branch: sync */
    ir_mov(b, 64, r[6], r[2]);
    ir_label(b, l);
    ir_exit(b, 0);
    optimize_checked(b);
    assert_int_equal(count_writes(b, r[0]), 2);
    assert_int_equal(count_writes(b, r[5]), 2);
    assert_int_equal(count_writes(b, r[6]), 2);
}

static void test_lazy_flags_pattern(void **state)
{
    P;
    /* two "instructions" each setting cc_src (r6) and cc_op (e8); only the last survive */
    ir_insn_start(b, 0x100);
    ir_binop(b, IR_ADD, 32, r[0], r[0], r[1]);
    ir_mov(b, 64, r[6], r[0]);
    ir_mov(b, 8, p->hc.e8, C(3));
    ir_insn_start(b, 0x102);
    ir_binop(b, IR_SUB, 32, r[0], r[0], C(1));
    ir_mov(b, 64, r[6], r[0]);
    ir_mov(b, 8, p->hc.e8, C(4));
    ir_goto_tb(b, 0);
    optimize_checked(b);
    assert_int_equal(count_writes(b, r[6]), 1);
    assert_int_equal(count_writes(b, p->hc.e8), 1);
    assert_int_equal(count_writes(b, r[0]), 2);
    assert_int_equal(count_opc(b, IR_INSN_START), 2);
}

static void test_folding_and_identities(void **state)
{
    P;
    ir_temp t = ir_temp_new(b), u = ir_temp_new(b);
    ir_mov(b, 64, t, C(40));
    ir_binop(b, IR_ADD, 32, u, t, C(2));
    ir_binop(b, IR_SHL, 8, r[0], u, C(9));           /* 42 << 1 at width 8 = 84 */
    ir_binop(b, IR_ADD, 64, r[1], r[2], C(0));       /* -> mov */
    ir_binop(b, IR_XOR, 32, r[3], r[2], r[2]);       /* -> 0 */
    ir_binop(b, IR_AND, 64, r[4], r[2], C(0));       /* -> 0 */
    ir_binop(b, IR_MUL, 16, r[5], r[2], C(1));       /* -> mov.16 */
    ir_call(b, &helper_mix, r[6], C(1), C(2), C(3), C(4));   /* pure, constant args */
    ir_call(b, &helper_mix, IR_NONE, r[1], r[2], IR_NONE, IR_NONE);  /* unused: gone */
    ir_call(b, &helper_noenv, IR_NONE, r[1], r[2], IR_NONE, IR_NONE); /* side effect: kept */
    ir_setcond(b, 64, IR_LEU, r[7], r[2], r[2]);     /* -> 1 */
    ir_exit(b, 0);
    optimize_checked(b);
    unsigned pure = 0;
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        assert_true(op->opc == IR_MOV || op->opc == IR_CALL || op->opc == IR_EXIT);
        if (op->opc == IR_CALL)
            pure += op->aux == (uintptr_t)&helper_mix;
    }
    assert_int_equal(pure, 0);
    assert_int_equal(count_opc(b, IR_CALL), 1);
    struct engine *e = engine_interp_new(&h_guest);
    static struct h_env env;
    h_env_init(&env);
    env.r[2] = 0x123456789ull;
    env.r[3] = env.r[4] = 77;
    h_run(e, b, &env);
    assert_int_equal(env.r[0], 84);
    assert_int_equal(env.r[1], 0x123456789ull);
    assert_int_equal(env.r[3], 0);
    assert_int_equal(env.r[4], 0);
    assert_int_equal(env.r[5], 0x6789);
    assert_int_equal(env.r[6], h_mix(NULL, 1, 2, 3, 4));
    assert_int_equal(env.r[7], 1);
    e->destroy(e);
}

static void test_propagation_stops_at_labels(void **state)
{
    P;
    unsigned top = ir_label_new(b);
    ir_mov(b, 64, r[0], C(5));
    ir_label(b, top);
    ir_binop(b, IR_ADD, 64, r[1], r[0], C(1));         /* r0 unknown here (loop) */
    ir_binop(b, IR_SUB, 64, r[0], r[0], C(1));
    ir_brcond(b, 64, IR_NE, r[0], C(0), top);
    ir_exit(b, 0);
    optimize_checked(b);
    assert_int_equal(count_opc(b, IR_ADD), 1);
    assert_int_equal(count_opc(b, IR_SUB), 1);
    assert_int_equal(count_opc(b, IR_BRCOND), 1);
}

static void test_constant_branches(void **state)
{
    P;
    unsigned l1 = ir_label_new(b), l2 = ir_label_new(b);
    ir_temp t = ir_temp_new(b);
    ir_mov(b, 64, t, C(3));
    ir_brcond(b, 32, IR_LTU, t, C(2), l1);       /* never taken: gone */
    ir_mov(b, 64, r[0], C(1));
    ir_label(b, l1);
    ir_brcond(b, 32, IR_GT, t, C(2), l2);        /* always taken: becomes br */
    ir_mov(b, 64, r[1], C(1));                   /* unreachable */
    ir_label(b, l2);
    ir_exit(b, 0);
    optimize_checked(b);
    assert_int_equal(count_opc(b, IR_BRCOND), 0);
    assert_int_equal(count_writes(b, r[1]), 0);
    assert_int_equal(count_writes(b, r[0]), 1);
}

static void test_copy_respects_width(void **state)
{
    P;
    /* e32 = r0 keeps 32 bits: a 64-bit reader of e32 must not see r0 */
    ir_mov(b, 64, p->hc.e32, r[0]);
    ir_binop(b, IR_ADD, 64, r[1], p->hc.e32, C(0));
    ir_temp t = ir_temp_new(b);
    ir_mov(b, 16, t, r[0]);
    ir_binop(b, IR_ADD, 32, r[2], t, C(1));
    ir_exit(b, 0);
    optimize_checked(b);
    struct engine *e = engine_interp_new(&h_guest);
    static struct h_env env;
    h_env_init(&env);
    env.r[0] = 0xaaaabbbbccccddddull;
    h_run(e, b, &env);
    assert_int_equal(env.r[1], 0xccccdddd);
    assert_int_equal(env.r[2], 0xddde);
    e->destroy(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dead_global_write_removed, psetup, pteardown),
        cmocka_unit_test_setup_teardown(test_global_write_before_sync_kept, psetup, pteardown),
        cmocka_unit_test_setup_teardown(test_lazy_flags_pattern, psetup, pteardown),
        cmocka_unit_test_setup_teardown(test_folding_and_identities, psetup, pteardown),
        cmocka_unit_test_setup_teardown(test_propagation_stops_at_labels, psetup, pteardown),
        cmocka_unit_test_setup_teardown(test_constant_branches, psetup, pteardown),
        cmocka_unit_test_setup_teardown(test_copy_respects_width, psetup, pteardown),
        cmocka_unit_test(test_random_blocks_keep_behaviour),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
