/* SPDX-License-Identifier: MIT */
/* test_opt_sink.c: ir_dead_in cases, the sinking pass (handwritten cases, random two-arm blocks on both engines), random if/else diamonds on the JIT. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>
#include "ir_harness.h"
#include "translate/opt.h"
#include "ir_gen.h"

#define P struct h_pfx *p = *state; struct ir_block *b = &p->b; ir_temp *r = p->hc.r
#define C(v) ir_const(b, 64, (v))
#define BIT(t) ((uint64_t)1 << ((t) - 1))

/* The entry charge on scratch[0], as a front end emits it; its label is returned. */
static unsigned charge(struct ir_block *b, uint64_t n)
{
    unsigned l = ir_label_new(b);
    ir_temp t = ir_temp_new(b), t2 = ir_temp_new(b);
    int32_t off = (int32_t)offsetof(struct h_env, scratch);
    ir_ld_env(b, 64, t, off);
    ir_binop(b, IR_SUB, 64, t2, t, ir_const(b, 64, n));
    ir_st_env(b, 64, t2, off);
    ir_brcond(b, 64, IR_LT, t2, ir_const(b, 64, 0), l);
    return l;
}

static void test_dead_in_read_before_write(void **state)
{
    P;
    unsigned l = charge(b, 1);
    ir_binop(b, IR_ADD, 64, r[0], r[0], C(1));   /* read first: live */
    ir_mov(b, 64, r[1], C(5));                   /* written first: dead */
    ir_mov(b, 64, r[2], r[1]);                   /* reads r1 after its write: still dead */
    ir_exit(b, 0);
    ir_label(b, l);                              /* the charge's exit is not in the body */
    ir_exit(b, 1);
    assert_null(ir_validate(b));
    assert_int_equal(ir_dead_in(b), BIT(r[1]) | BIT(r[2]));
}

static void test_dead_in_stops_at_ld_and_call(void **state)
{
    P;
    ir_temp x = ir_temp_new(b);
    ir_mov(b, 64, r[1], C(1));                   /* before the LD: dead */
    ir_ld(b, 64, r[2], r[3], IR_MEM_SIZE(3));    /* may fault: every global observed, r2 too */
    ir_mov(b, 64, r[4], C(2));                   /* after it: live */
    ir_call(b, &helper_noenv, r[5], x, IR_NONE, IR_NONE, IR_NONE);
    ir_exit(b, 0);
    assert_null(ir_validate(b));
    assert_int_equal(ir_dead_in(b), BIT(r[1]));

    ir_block_reset(b);
    ir_call(b, &helper_noenv, r[5], C(3), IR_NONE, IR_NONE, IR_NONE);   /* NO_ENV: a plain write */
    ir_mov(b, 64, r[6], C(1));
    ir_call(b, &helper_env, IR_NONE, C(1), C(2), IR_NONE, IR_NONE);     /* sees env */
    ir_mov(b, 64, r[7], C(1));
    ir_goto_tb(b, 0);
    assert_null(ir_validate(b));
    assert_int_equal(ir_dead_in(b), BIT(r[5]) | BIT(r[6]));
}

static void test_dead_in_partial_writes(void **state)
{
    P;
    ir_temp x = ir_temp_new(b);
    ir_mov(b, 64, x, C(0x1234));
    ir_deposit(b, 64, r[0], r[0], x, 8, 8);      /* a byte of r0: reads the rest */
    ir_mov(b, 32, r[1], x);                      /* a 32-bit write replaces the whole field */
    ir_mov(b, 8, p->hc.e8, x);                   /* a narrow global written whole */
    ir_mov(b, 8, p->hc.e16, x);                  /* an 8-bit op writes all 16 bits of e16 */
    ir_exit(b, 0);
    assert_null(ir_validate(b));
    assert_int_equal(ir_dead_in(b), BIT(r[1]) | BIT(p->hc.e8) | BIT(p->hc.e16));
}

static void test_dead_in_paths(void **state)
{
    P;
    unsigned l = ir_label_new(b), m = ir_label_new(b), top = ir_label_new(b);
    ir_temp n = ir_temp_new(b);
    ir_mov(b, 64, r[0], C(1));
    ir_brcond(b, 64, IR_EQ, r[7], C(0), l);      /* a branch is not an observation */
    ir_mov(b, 64, r[1], C(1));                   /* one path only: live */
    ir_mov(b, 64, r[2], C(1));
    ir_br(b, m);
    ir_label(b, l);
    ir_mov(b, 64, r[2], C(2));                   /* r2 on both paths: dead */
    ir_label(b, m);
    ir_mov(b, 64, n, C(3));
    ir_label(b, top);                            /* a loop reading r3 before writing it */
    ir_binop(b, IR_ADD, 64, r[4], r[3], C(1));
    ir_mov(b, 64, r[3], C(9));
    ir_binop(b, IR_SUB, 64, n, n, C(1));
    ir_brcond(b, 64, IR_NE, n, C(0), top);
    ir_goto_tb(b, 1);
    assert_null(ir_validate(b));
    assert_int_equal(ir_dead_in(b), BIT(r[0]) | BIT(r[2]) | BIT(r[4]));
}

/* cc-like writes before a two-way branch, then two exit arms. */
static void build_flags_block(struct ir_block *b, ir_temp *r, bool second_ref)
{
    unsigned taken = ir_label_new(b);
    ir_temp t = ir_temp_new(b);
    ir_insn_start(b, 0x10);
    ir_binop(b, IR_SUB, 64, t, r[0], r[1]);
    ir_mov(b, 32, r[6], ir_const(b, 32, 0xf));   /* "cc_op" */
    ir_mov(b, 64, r[4], t);                      /* "cc_dst" */
    ir_mov(b, 64, r[5], r[1]);                   /* "cc_src": a global source */
    ir_insn_start(b, 0x13);
    if (second_ref)
        ir_brcond(b, 64, IR_NE, r[2], ir_const(b, 64, 0), taken);
    ir_brcond(b, 64, IR_EQ, r[0], r[1], taken);
    ir_mov(b, 64, r[7], ir_const(b, 64, 0x15));  /* "rip" */
    ir_goto_tb(b, 0);
    ir_label(b, taken);
    ir_mov(b, 64, r[7], ir_const(b, 64, 0x19));
    ir_goto_tb(b, 1);
}

static unsigned writes_between(const struct ir_block *b, ir_temp t, unsigned from, unsigned to)
{
    unsigned n = 0;
    for (unsigned i = from; i < to && i < b->nops; i++)
        n += ir_op_defs[b->ops[i].opc].nout && b->ops[i].args[0] == t;
    return n;
}

static unsigned find(const struct ir_block *b, unsigned opc, unsigned nth)
{
    for (unsigned i = 0; i < b->nops; i++)
        if (b->ops[i].opc == opc && nth-- == 0)
            return i;
    return b->nops;
}

static void test_sink_flags_pattern(void **state)
{
    P;
    build_flags_block(b, r, false);
    struct ir_opt_stats st = { 0 };
    ir_optimize_ex(b, IR_OPT_ALL, &st);
    assert_null(ir_validate(b));
    assert_int_equal(st.sunk, 3);
    unsigned br = find(b, IR_BRCOND, 0), g0 = find(b, IR_GOTO_TB, 0), g1 = find(b, IR_GOTO_TB, 1);
    assert_true(br < g0 && g0 < g1 && g1 < b->nops);
    for (unsigned k = 4; k <= 6; k++) {
        assert_int_equal(writes_between(b, r[k], 0, br), 0);
        assert_int_equal(writes_between(b, r[k], br, g0), 1);
        assert_int_equal(writes_between(b, r[k], g0, g1), 1);
    }
    /* the moved writes are the last ops of each arm, in their order */
    assert_int_equal(b->ops[g0 - 1].args[0], r[5]);
    assert_int_equal(b->ops[g0 - 3].args[0], r[6]);
    assert_int_equal(b->ops[g1 - 1].args[0], r[5]);
}

static void test_sink_refused(void **state)
{
    P;
    struct ir_opt_stats st = { 0 };
    build_flags_block(b, r, true);               /* the label has two branches */
    ir_optimize_ex(b, IR_OPT_SINK, &st);
    assert_int_equal(st.sunk, 0);

    ir_block_reset(b);                           /* an arm that loads */
    unsigned l = ir_label_new(b);
    ir_mov(b, 64, r[4], r[0]);
    ir_brcond(b, 64, IR_EQ, r[0], r[1], l);
    ir_ld(b, 64, r[3], r[2], IR_MEM_SIZE(3));
    ir_goto_tb(b, 0);
    ir_label(b, l);
    ir_goto_tb(b, 1);
    ir_optimize_ex(b, IR_OPT_SINK, &st);
    assert_int_equal(st.sunk, 0);

    ir_block_reset(b);                           /* sources and results touched later */
    l = ir_label_new(b);
    ir_temp t = ir_temp_new(b);
    ir_mov(b, 64, t, r[0]);
    ir_mov(b, 64, r[4], t);                      /* t is rewritten below: stays */
    ir_mov(b, 64, r[5], r[1]);                   /* r1 is written in arm 2: stays */
    ir_mov(b, 64, r[6], r[2]);                   /* r2 is written below: stays */
    ir_mov(b, 64, r[3], r[6]);
    ir_mov(b, 64, t, C(4));
    ir_ld_env(b, 64, r[2], (int32_t)offsetof(struct h_env, scratch));   /* moves? no: reads env */
    ir_mov(b, 64, r[7], r[0]);                   /* free to move */
    ir_brcond(b, 64, IR_EQ, t, r[0], l);
    ir_goto_tb(b, 0);
    ir_label(b, l);
    ir_mov(b, 64, r[1], C(0));
    ir_goto_tb(b, 1);
    ir_optimize_ex(b, IR_OPT_SINK, &st);
    assert_null(ir_validate(b));
    assert_int_equal(st.sunk, 2);                /* r7, and r3 (its source r6 is never written after) */
    unsigned br = find(b, IR_BRCOND, 0);
    assert_int_equal(writes_between(b, r[7], 0, br), 0);
    assert_int_equal(writes_between(b, r[4], 0, br), 1);
    assert_int_equal(writes_between(b, r[5], 0, br), 1);
    assert_int_equal(writes_between(b, r[6], 0, br), 1);
    assert_int_equal(writes_between(b, r[2], 0, br), 1);
}

/* ---- random blocks ending in a two-way branch: unoptimized vs optimized ---- */

static void gen_two_arm_block(struct gen *g)
{
    struct ir_block *b = g->b;
    gen_begin(g);
    unsigned n = rn(10);
    for (unsigned i = 0; i < n; i++)
        gen_op(g);
    n = 1 + rn(8);                               /* the "flag" writes: mostly to globals */
    for (unsigned i = 0; i < n; i++) {
        if (rn(4) == 0) {
            gen_op(g);
            continue;
        }
        ir_temp d = g->dst[rn(H_NREGS + 3)];
        unsigned w = widths[rn(4)];
        if (rn(2))
            ir_mov(b, w, d, pick_in(g));
        else
            ir_binop(b, IR_ADD + rn(IR_XOR - IR_ADD + 1), w, d, pick_in(g), pick_in(g));
    }
    unsigned l = ir_label_new(b);
    ir_brcond(b, widths[rn(4)], (enum ir_cond)rn(IR_ALWAYS), pick_in(g), pick_in(g), l);
    for (unsigned arm = 0; arm < 2; arm++) {
        if (arm)
            ir_label(b, l);
        if (rn(3) == 0)
            ir_insn_start(b, 0x2000 + arm);
        unsigned k = rn(4);
        for (unsigned i = 0; i < k; i++) {
            if (rn(5) == 0)
                ir_st_env(b, 64, pick_in(g), (int32_t)offsetof(struct h_env, scratch) + 8);
            else
                ir_mov(b, widths[rn(4)], g->dst[rn(H_NREGS + 3)], pick_in(g));
        }
        switch (rn(4)) {
        case 0: ir_exit(b, 2 + arm); break;
        case 1: ir_goto_ptr(b); break;
        default: ir_goto_tb(b, arm); break;
        }
    }
}

/* Random blocks with if/else diamonds (brcond L1; ...; br L2; L1: ...; L2:),
   whose L1 only the brcond reaches: the JIT keeps its registers across it. */
static void gen_diamond_block(struct gen *g)
{
    struct ir_block *b = g->b;
    gen_begin(g);
    unsigned nsect = 1 + rn(4);
    for (unsigned s = 0; s < nsect; s++) {
        ir_insn_start(b, 0x3000 + s);
        unsigned n = rn(6);
        for (unsigned i = 0; i < n; i++)
            gen_op(g);
        unsigned l1 = ir_label_new(b), l2 = ir_label_new(b);
        ir_brcond(b, widths[rn(4)], (enum ir_cond)rn(IR_ALWAYS), pick_in(g), pick_in(g), l1);
        n = rn(8);
        for (unsigned i = 0; i < n; i++)
            gen_op(g);
        ir_br(b, l2);
        ir_label(b, l1);
        n = rn(8);
        for (unsigned i = 0; i < n; i++)
            gen_op(g);
        ir_label(b, l2);
    }
    for (unsigned i = 0; i < 4; i++)          /* read what the arms wrote */
        ir_binop(b, IR_ADD, 64, g->hc->r[i], g->hc->r[i], g->locals[rn(10)]);
    switch (rn(3)) {
    case 0: ir_exit(b, 0); break;
    case 1: ir_goto_tb(b, rn(2)); break;
    default: ir_goto_ptr(b); break;
    }
}

static void copy_block(struct ir_block *o, const struct ir_block *b, struct h_ctx *hc)
{
    ir_block_init(o, &hc->ctx);
    for (unsigned t = o->ntemps; t < b->ntemps; t++)
        ir_temp_new(o);
    memcpy(o->temps, b->temps, b->ntemps * sizeof(*b->temps));
    for (unsigned i = 0; i < b->nops; i++)
        *ir_emit(o, IR_NOP, 64, 0, 0, 0, 0) = b->ops[i];
    o->nlabels = b->nlabels;
}

static uint64_t mem_hash;   /* of guest memory after the last run_env */

static unsigned run_env(struct engine *e, const struct ir_block *b, uint64_t envseed, struct h_env *env)
{
    seed = envseed;
    fill_env(env);
    for (unsigned i = 0; i < H_MEM_SIZE; i++)
        h_mem[i] = (uint8_t)rnd();
    env->lookup_result = NULL;
    uintptr_t r;
    struct tb *tb = h_compile(e, b);
    assert_non_null(tb);
    r = e->exec(e, env, tb);
    h_tb_free(e, tb);
    mem_hash = 0;
    for (unsigned i = 0; i < H_MEM_SIZE; i++)
        mem_hash = mem_hash * 1000003u + h_mem[i];
    return (unsigned)(r & TB_EXIT_MASK);
}

static void test_random_two_arm_blocks(void **state)
{
    (void)state;
    struct h_ctx hc;
    h_ctx_init(&hc);
    struct engine *eng[2] = { engine_interp_new(&h_guest), engine_x86_64_new(&h_guest, 8u << 20) };
    assert_non_null(eng[0]);
    struct ir_block b = { 0 }, o = { 0 }, s = { 0 };
    static struct h_env env0, env1, env2;
    struct ir_opt_stats st = { 0 }, sst = { 0 };
    unsigned moved_blocks = 0;
    for (unsigned iter = 0; iter < 3000; iter++) {
        seed = 0xabcdef12ull + iter * 0x9e3779b97f4a7c15ull;
        rnd();
        ir_block_init(&b, &hc.ctx);
        struct gen g = { .hc = &hc, .b = &b };
        gen_two_arm_block(&g);
        if (ir_validate(&b))
            fail_msg("iter %u: generator: %s", iter, ir_validate(&b));
        copy_block(&o, &b, &hc);
        ir_optimize_ex(&o, IR_OPT_ALL, &st);
        copy_block(&s, &b, &hc);
        unsigned before = sst.sunk;
        ir_optimize_ex(&s, IR_OPT_SINK, &sst);  /* the pass alone */
        moved_blocks += sst.sunk != before;
        if (ir_validate(&o) || ir_validate(&s))
            fail_msg("iter %u: optimized block invalid", iter);
        uint64_t envseed = rnd();
        unsigned r0 = run_env(eng[0], &b, envseed, &env0);
        uint64_t m0 = mem_hash;
        for (unsigned e = 0; e < 2; e++) {
            if (!eng[e])
                continue;
            unsigned r1 = run_env(eng[e], &o, envseed, &env1);
            uint64_t m1 = mem_hash;
            unsigned r2 = run_env(eng[e], &s, envseed, &env2);
            if (r0 != r1 || r0 != r2 || m0 != m1 || m0 != mem_hash || memcmp(&env0, &env1, offsetof(struct h_env, slow_loads)) ||
                memcmp(&env0, &env2, offsetof(struct h_env, slow_loads))) {
                ir_dump(&b, stderr);
                ir_dump(&s, stderr);
                fail_msg("iter %u engine %u: behaviour changed", iter, e);
            }
        }
    }
    print_message("two-arm blocks: %u sunk by the pass alone (%u blocks), %u in the full optimizer\n",
                  sst.sunk, moved_blocks, st.sunk);
    assert_true(moved_blocks > 500);
    assert_true(st.sunk > 500);
    ir_block_free(&b);
    ir_block_free(&o);
    ir_block_free(&s);
    for (unsigned e = 0; e < 2; e++)
        if (eng[e])
            eng[e]->destroy(eng[e]);
}

static void test_random_diamonds(void **state)
{
    (void)state;
    struct h_ctx hc;
    h_ctx_init(&hc);
    struct engine *ei = engine_interp_new(&h_guest), *ej = engine_x86_64_new(&h_guest, 8u << 20);
    assert_non_null(ei);
    if (!ej) {
        ei->destroy(ei);
        skip();
    }
    struct ir_block b = { 0 }, o = { 0 };
    static struct h_env env0, env1;
    for (unsigned iter = 0; iter < 4000; iter++) {
        seed = 0x5eed0000ull + iter * 0x9e3779b97f4a7c15ull;
        rnd();
        ir_block_init(&b, &hc.ctx);
        struct gen g = { .hc = &hc, .b = &b };
        gen_diamond_block(&g);
        if (ir_validate(&b))
            fail_msg("iter %u: generator: %s", iter, ir_validate(&b));
        copy_block(&o, &b, &hc);
        ir_optimize(&o);
        uint64_t envseed = rnd();
        unsigned r0 = run_env(ei, &b, envseed, &env0);
        uint64_t m0 = mem_hash;
        for (unsigned k = 0; k < 2; k++) {
            unsigned r1 = run_env(ej, k ? &o : &b, envseed, &env1);
            if (r0 != r1 || m0 != mem_hash || memcmp(&env0, &env1, offsetof(struct h_env, slow_loads))) {
                ir_dump(k ? &o : &b, stderr);
                fail_msg("iter %u (%s): the JIT differs from the interpreter", iter, k ? "optimized" : "as built");
            }
        }
    }
    ir_block_free(&b);
    ir_block_free(&o);
    ei->destroy(ei);
    ej->destroy(ej);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dead_in_read_before_write, h_pfx_setup, h_pfx_teardown),
        cmocka_unit_test_setup_teardown(test_dead_in_stops_at_ld_and_call, h_pfx_setup, h_pfx_teardown),
        cmocka_unit_test_setup_teardown(test_dead_in_partial_writes, h_pfx_setup, h_pfx_teardown),
        cmocka_unit_test_setup_teardown(test_dead_in_paths, h_pfx_setup, h_pfx_teardown),
        cmocka_unit_test_setup_teardown(test_sink_flags_pattern, h_pfx_setup, h_pfx_teardown),
        cmocka_unit_test_setup_teardown(test_sink_refused, h_pfx_setup, h_pfx_teardown),
        cmocka_unit_test(test_random_two_arm_blocks),
        cmocka_unit_test(test_random_diamonds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
