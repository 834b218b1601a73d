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
#include "ir_gen.h"

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
            h_dump_diff("before", &b, "after", &o, &env1, &env2);
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

#define P struct h_pfx *p = *state; struct ir_block *b = &p->b; ir_temp *r = p->hc.r
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

/* A DEPOSIT at bit 0 whose value is a constant the pass itself made (40 + 2),
   then narrow reads of the result: the copy fact's source is a temp created
   during the pass, which the per-temp arrays do not cover (valgrind showed
   ir_opt_fold reading past def_gen there). */
static void test_copy_of_new_constant(void **state)
{
    P;
    ir_temp t = ir_temp_new(b), u = ir_temp_new(b), v = ir_temp_new(b), w = ir_temp_new(b);
    ir_mov(b, 64, t, C(40));
    ir_binop(b, IR_ADD, 64, u, t, C(2));
    ir_deposit(b, 64, v, r[1], u, 0, 8);             /* v = r1 with low byte 42 */
    ir_deposit(b, 64, w, r[2], u, 0, 16);            /* w = r2 with low word 42 */
    ir_mov(b, 8, r[0], v);                           /* the copy: 42 */
    ir_mov(b, 16, r[3], w);                          /* 42 */
    ir_sext(b, 64, r[4], u, 8);                      /* 42 */
    ir_binop(b, IR_ADD, 8, r[5], v, C(1));           /* 43 */
    ir_mov(b, 64, r[6], v);
    ir_exit(b, 0);
    optimize_checked(b);
    struct engine *e = engine_interp_new(&h_guest);
    static struct h_env env;
    h_env_init(&env);
    env.r[1] = 0x1111111111111111ull;
    env.r[2] = 0x2222222222222222ull;
    h_run(e, b, &env);
    assert_int_equal(env.r[0], 42);
    assert_int_equal(env.r[3], 42);
    assert_int_equal(env.r[4], 42);
    assert_int_equal(env.r[5], 43);
    assert_int_equal(env.r[6], 0x111111111111112aull);
    e->destroy(e);
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
    assert_int_equal(count_opc(b, IR_BR), 0);      /* it jumped to the next op */
    assert_int_equal(count_opc(b, IR_LABEL), 0);   /* then nobody jumps to them */
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

static void test_zero_extension_knowledge(void **state)
{
    P;
    ir_temp t = ir_temp_new(b), u = ir_temp_new(b);
    ir_binop(b, IR_ADD, 32, t, r[1], r[2]);
    ir_mov(b, 32, u, t);                              /* t already fits: u == t */
    ir_binop(b, IR_XOR, 64, r[0], u, r[3]);
    ir_binop(b, IR_AND, 64, r[4], p->hc.e16, C(0xffff));   /* e16 has 16 bits */
    ir_binop(b, IR_AND, 32, r[5], r[1], C(0xffff));        /* r1 may have more: kept */
    ir_exit(b, 0);
    optimize_checked(b);
    assert_int_equal(count_opc(b, IR_AND), 1);
    for (unsigned i = 0; i < b->nops; i++)
        if (b->ops[i].opc == IR_XOR)
            assert_int_equal(b->ops[i].args[1], t);
    assert_int_equal(count_writes(b, u), 0);
}

static void test_deposit_low_part_reads(void **state)
{
    P;
    ir_temp v = ir_temp_new(b), t = ir_temp_new(b), u = ir_temp_new(b);
    ir_binop(b, IR_ADD, 16, v, r[1], r[2]);
    ir_deposit(b, 64, r[0], r[0], v, 0, 16);        /* mov ax, ... */
    ir_binop(b, IR_ADD, 16, t, r[0], C(1));         /* reads ax: uses v */
    ir_binop(b, IR_ADD, 32, u, r[0], C(1));         /* reads eax: must use r0 */
    ir_mov(b, 64, r[3], t);
    ir_mov(b, 64, r[4], u);
    ir_exit(b, 0);
    optimize_checked(b);
    unsigned seen = 0;
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        if (op->opc == IR_ADD && op->width == 16 && op->args[0] != v) {
            assert_int_equal(op->args[1], v);
            seen++;
        }
        if (op->opc == IR_ADD && op->width == 32) {
            assert_int_equal(op->args[1], r[0]);
            seen++;
        }
    }
    assert_int_equal(seen, 2);
}

/* A 64-bit op whose local result is only read at 32 bits becomes 32-bit
   (imul r32: no sign extension of the inputs); one 64-bit reader keeps it. */
static void test_narrowing(void **state)
{
    P;
    ir_temp x = ir_temp_new(b), m = ir_temp_new(b), y = ir_temp_new(b), m2 = ir_temp_new(b);
    ir_mov(b, 32, x, r[1]);
    ir_sext(b, 64, y, x, 32);                       /* reads 32 bits: r1 directly */
    ir_binop(b, IR_MUL, 64, m, y, C(0x41c64e6d));
    ir_binop(b, IR_ADD, 32, r[2], m, C(0x3039));
    ir_binop(b, IR_MUL, 64, m2, y, C(3));
    ir_binop(b, IR_ADD, 32, r[3], m2, C(1));
    ir_mov(b, 64, r[4], m2);                        /* a 64-bit reader */
    ir_exit(b, 0);
    optimize_checked(b);
    unsigned n32 = 0, n64 = 0;
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        if (op->opc == IR_MUL && op->width == 32) {
            assert_int_equal(op->args[1], r[1]);
            n32++;
        }
        if (op->opc == IR_MUL && op->width == 64)
            n64++;
    }
    assert_int_equal(n32, 1);
    assert_int_equal(n64, 1);
    struct engine *e = engine_interp_new(&h_guest);
    static struct h_env env;
    h_env_init(&env);
    env.r[1] = 0x12345678fedcba98ull;
    h_run(e, b, &env);
    uint64_t v = (uint64_t)(int64_t)(int32_t)0xfedcba98u;
    assert_int_equal(env.r[2], (uint32_t)(v * 0x41c64e6d + 0x3039));
    assert_int_equal(env.r[3], (uint32_t)(v * 3 + 1));
    assert_int_equal(env.r[4], v * 3);
    e->destroy(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dead_global_write_removed, h_pfx_setup, h_pfx_teardown),
        cmocka_unit_test_setup_teardown(test_global_write_before_sync_kept, h_pfx_setup, h_pfx_teardown),
        cmocka_unit_test_setup_teardown(test_lazy_flags_pattern, h_pfx_setup, h_pfx_teardown),
        cmocka_unit_test_setup_teardown(test_folding_and_identities, h_pfx_setup, h_pfx_teardown),
        cmocka_unit_test_setup_teardown(test_propagation_stops_at_labels, h_pfx_setup, h_pfx_teardown),
        cmocka_unit_test_setup_teardown(test_constant_branches, h_pfx_setup, h_pfx_teardown),
        cmocka_unit_test_setup_teardown(test_copy_respects_width, h_pfx_setup, h_pfx_teardown),
        cmocka_unit_test_setup_teardown(test_zero_extension_knowledge, h_pfx_setup, h_pfx_teardown),
        cmocka_unit_test_setup_teardown(test_deposit_low_part_reads, h_pfx_setup, h_pfx_teardown),
        cmocka_unit_test_setup_teardown(test_narrowing, h_pfx_setup, h_pfx_teardown),
        cmocka_unit_test_setup_teardown(test_copy_of_new_constant, h_pfx_setup, h_pfx_teardown),
        cmocka_unit_test(test_random_blocks_keep_behaviour),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
