/* SPDX-License-Identifier: MIT */
/* test_jit_chain.c: chained exits that skip the stores their successor overwrites, against the interpreter, with forced exits at the edge. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>
#include "ir_harness.h"
#include "translate/opt.h"

/*
 * A fake guest with the x86 shape: r0..r3 "registers", r4/r5/r6 and e32 the
 * lazy flags (cc_dst, cc_src, cc_src2, cc_op), r7 the guest PC, scratch[0] the
 * instruction budget. The predecessor compares r0 with r1 and branches; each
 * successor starts with its entry charge, then does what its kind says.
 */
enum succ_kind {
    S_DEFINES,        /* overwrites all four flag globals and the PC first */
    S_READS_CC,       /* reads cc_dst first, then overwrites everything */
    S_READS_ALL,      /* reads every flag global first */
    S_LOADS,          /* a guest load before its flag writes (may fault) */
    S_ZERO_INIT,      /* reads a local before writing it (no body entry) */
};

static struct h_ctx hc;
#define CC_OP hc.e32
#define RIP hc.r[7]
#define BUDGET_OFF ((int32_t)offsetof(struct h_env, scratch))

static uint64_t h_request(void *envp, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    struct h_env *env = envp;
    (void)b; (void)c; (void)d;
    if (a)
        env->exit_request = 1;
    return 0;
}
static const struct ir_helper helper_request = { h_request, "request", 0 };

static void charge(struct ir_block *b, uint64_t n, unsigned label)
{
    ir_temp t = ir_temp_new(b), t2 = ir_temp_new(b);
    ir_ld_env(b, 64, t, BUDGET_OFF);
    ir_binop(b, IR_SUB, 64, t2, t, ir_const(b, 64, n));
    ir_st_env(b, 64, t2, BUDGET_OFF);
    ir_brcond(b, 64, IR_LT, t2, ir_const(b, 64, 0), label);
}

/* The predecessor: (a request raised by a helper,) cmp r0, r1; je taken. */
static void build_pred(struct ir_block *b, bool request)
{
    ir_block_init(b, &hc.ctx);
    unsigned lb = ir_label_new(b), taken = ir_label_new(b);
    ir_temp *r = hc.r, t = ir_temp_new(b);
    charge(b, 3, lb);
    ir_insn_start(b, 0x10);
    ir_call(b, &helper_request, IR_NONE, ir_const(b, 64, request), IR_NONE, IR_NONE, IR_NONE);
    ir_binop(b, IR_ADD, 64, r[2], r[2], ir_const(b, 64, 5));
    ir_insn_start(b, 0x12);
    ir_binop(b, IR_SUB, 64, t, r[0], r[1]);
    ir_mov(b, 32, CC_OP, ir_const(b, 32, 0xf));
    ir_mov(b, 64, r[4], t);
    ir_mov(b, 64, r[5], r[1]);
    ir_mov(b, 64, r[6], r[0]);
    ir_insn_start(b, 0x15);
    ir_brcond(b, 64, IR_EQ, r[0], r[1], taken);
    ir_mov(b, 64, RIP, ir_const(b, 64, 0x17));
    ir_goto_tb(b, 0);
    ir_label(b, taken);
    ir_mov(b, 64, RIP, ir_const(b, 64, 0x40));
    ir_goto_tb(b, 1);
    ir_label(b, lb);
    ir_exit(b, 9);
}

static void build_succ(struct ir_block *b, enum succ_kind k, uint64_t n)
{
    ir_block_init(b, &hc.ctx);
    unsigned lb = ir_label_new(b);
    ir_temp *r = hc.r, t = ir_temp_new(b), old = ir_temp_new(b), z = ir_temp_new(b);
    charge(b, n, lb);
    ir_insn_start(b, 0x17);
    if (k == S_READS_CC)
        ir_binop(b, IR_XOR, 64, r[3], r[3], r[4]);
    if (k == S_READS_ALL) {
        ir_binop(b, IR_ADD, 64, r[3], r[4], r[5]);
        ir_binop(b, IR_ADD, 64, r[3], r[3], r[6]);
        ir_binop(b, IR_ADD, 64, r[3], r[3], CC_OP);
    }
    if (k == S_LOADS) {
        ir_mov(b, 64, RIP, ir_const(b, 64, 0x17));
        ir_ld(b, 64, r[3], r[3], IR_MEM_SIZE(3));
    }
    if (k == S_ZERO_INIT)
        ir_binop(b, IR_ADD, 64, r[3], r[3], z);
    ir_mov(b, 64, old, r[2]);
    ir_binop(b, IR_SUB, 64, t, r[2], r[3]);
    ir_mov(b, 64, r[2], t);
    ir_mov(b, 32, CC_OP, ir_const(b, 32, 0x10));
    ir_mov(b, 64, r[4], t);
    ir_mov(b, 64, r[5], r[3]);
    ir_mov(b, 64, r[6], old);
    ir_mov(b, 64, RIP, ir_const(b, 64, 0x1a));
    ir_exit(b, 5);
    ir_label(b, lb);
    ir_exit(b, 9);
}

struct pair {
    struct engine *e;
    struct tb *pred, *succ;
};

static void pair_build(struct pair *p, struct engine *e, bool request, enum succ_kind k, uint64_t n)
{
    struct ir_block b = { 0 };
    p->e = e;
    build_pred(&b, request);
    ir_optimize(&b);
    assert_null(ir_validate(&b));
    p->pred = h_compile(e, &b);
    build_succ(&b, k, n);
    ir_optimize(&b);
    assert_null(ir_validate(&b));
    p->succ = h_compile(e, &b);
    assert_non_null(p->pred);
    assert_non_null(p->succ);
    p->succ->dead_in = ir_dead_in(&b);      /* what tb_commit does */
    ir_block_free(&b);
    for (unsigned s = 0; s < 2; s++) {
        p->pred->jmp_dest[s] = p->succ;
        e->link(e, p->pred, s, p->succ);
    }
}

static void pair_free(struct pair *p)
{
    h_tb_free(p->e, p->pred);
    h_tb_free(p->e, p->succ);
}

/* Runs the pair from pred; returns (0: pred, 1: succ) << 2 | how. */
static unsigned pair_run(struct pair *p, struct h_env *env)
{
    uintptr_t r = p->e->exec(p->e, env, p->pred);
    struct tb *last = (struct tb *)(r & ~(uintptr_t)TB_EXIT_MASK);
    assert_true(last == p->pred || last == p->succ);
    return (last == p->succ) << 2 | (unsigned)(r & TB_EXIT_MASK);
}

static void fill(struct h_env *env, unsigned i, uint64_t budget, uint32_t req)
{
    h_env_init(env);
    for (unsigned k = 0; k < H_NREGS; k++)
        env->r[k] = 0x1111111111111111ull * (k + 1) + i;
    if (i & 1)
        env->r[1] = env->r[0];              /* the other arm */
    env->r[3] = H_MEM_BASE + 8 * (i % 16);
    env->e32 = 0x77;
    env->scratch[0] = budget;
    env->exit_request = req;
    h_map_page(env, 0, 0, true);
}

static void check_kind(enum succ_kind k, bool expect_fast)
{
    struct engine *ei = engine_interp_new(&h_guest), *ej = engine_x86_64_new(&h_guest, 4u << 20);
    assert_non_null(ei);
    if (!ej) {
        ei->destroy(ei);
        skip();
    }
    static struct h_env e1, e2;
    unsigned fast = 0, runs = 0;
    for (unsigned req = 0; req < 3; req++) {
        struct pair pi, pj;
        pair_build(&pi, ei, req == 2, k, 4);
        pair_build(&pj, ej, req == 2, k, 4);
        fast += pj.pred->jmp_deferred[0] != 0;
        if (expect_fast)
            assert_true(pj.pred->jmp_deferred[0] != 0 && pj.pred->jmp_deferred[1] != 0);
        else
            assert_int_equal(pj.pred->jmp_deferred[0] | pj.pred->jmp_deferred[1], 0);
        for (uint64_t budget = 0; budget < 10; budget++) {
            for (unsigned i = 0; i < 4; i++) {
                fill(&e1, i, budget, req == 1);
                fill(&e2, i, budget, req == 1);
                unsigned r1 = pair_run(&pi, &e1), r2 = pair_run(&pj, &e2);
                runs++;
                if (r1 != r2 || memcmp(&e1, &e2, offsetof(struct h_env, slow_loads)))
                    fail_msg("kind %d req %u budget %u i %u: exit %u vs %u, r4 %#llx vs %#llx, "
                             "e32 %#x vs %#x", k, req, (unsigned)budget, i, r1, r2,
                             (unsigned long long)e1.r[4], (unsigned long long)e2.r[4], e1.e32, e2.e32);
            }
        }
        /* unlinking restores the plain exit */
        ej->link(ej, pj.pred, 0, NULL);
        pj.pred->jmp_dest[0] = NULL;
        assert_int_equal(pj.pred->jmp_deferred[0], 0);
        fill(&e2, 0, 100, 0);
        assert_int_equal(pair_run(&pj, &e2), TB_EXIT_SLOT0);
        assert_int_equal(e2.r[4], e2.r[0] - e2.r[1]);   /* the flags were stored */
        assert_int_equal(e2.e32, 0xf);
        pair_free(&pi);
        pair_free(&pj);
    }
    assert_int_equal(fast, expect_fast ? 3 : 0);
    assert_true(runs > 100);
    ei->destroy(ei);
    ej->destroy(ej);
}

static void test_successor_defines(void **s) { (void)s; check_kind(S_DEFINES, true); }
static void test_successor_reads_cc(void **s) { (void)s; check_kind(S_READS_CC, true); }
static void test_successor_reads_all(void **s) { (void)s; check_kind(S_READS_ALL, true); }
static void test_successor_loads(void **s) { (void)s; check_kind(S_LOADS, true); }
static void test_successor_zero_init(void **s) { (void)s; check_kind(S_ZERO_INIT, false); }

/* dead_in of each successor, as the link decides with it. */
static void test_successor_dead_in(void **state)
{
    (void)state;
    struct ir_block b = { 0 };
    uint64_t cc = (uint64_t)1 << (hc.r[4] - 1) | (uint64_t)1 << (hc.r[5] - 1) |
                  (uint64_t)1 << (hc.r[6] - 1) | (uint64_t)1 << (CC_OP - 1), pc = (uint64_t)1 << (RIP - 1);
    build_succ(&b, S_DEFINES, 1);
    ir_optimize(&b);
    assert_int_equal(ir_dead_in(&b), cc | pc);
    build_succ(&b, S_READS_CC, 1);
    ir_optimize(&b);
    assert_int_equal(ir_dead_in(&b), (cc & ~((uint64_t)1 << (hc.r[4] - 1))) | pc);
    build_succ(&b, S_READS_ALL, 1);
    ir_optimize(&b);
    assert_int_equal(ir_dead_in(&b), pc | (uint64_t)1 << (hc.r[3] - 1));   /* r3 = r4 + r5 writes r3 */
    build_succ(&b, S_LOADS, 1);
    ir_optimize(&b);
    assert_int_equal(ir_dead_in(&b), pc);
    ir_block_free(&b);
}

/* A successor replaced (as after SMC) by one that reads the flags first:
   the relink takes the plain path and stores them. */
static void test_relink_to_reader(void **state)
{
    (void)state;
    struct engine *ej = engine_x86_64_new(&h_guest, 4u << 20);
    if (!ej)
        skip();
    struct pair p;
    pair_build(&p, ej, false, S_DEFINES, 2);
    assert_true(p.pred->jmp_deferred[0] != 0);
    struct ir_block b = { 0 };
    build_succ(&b, S_READS_ALL, 2);
    ir_optimize(&b);
    struct tb *reader = h_compile(ej, &b);
    assert_non_null(reader);
    reader->dead_in = ir_dead_in(&b);
    for (unsigned s = 0; s < 2; s++) {
        ej->link(ej, p.pred, s, NULL);
        p.pred->jmp_dest[s] = reader;
        ej->link(ej, p.pred, s, reader);
    }
    /* only the PC is skipped now: the stub stores the flags */
    assert_int_equal(p.pred->jmp_deferred[0], (uint64_t)1 << (RIP - 1));
    static struct h_env e;
    fill(&e, 0, 100, 0);
    uintptr_t r = ej->exec(ej, &e, p.pred);
    assert_ptr_equal((struct tb *)(r & ~(uintptr_t)TB_EXIT_MASK), reader);
    uint64_t d = e.r[0] - e.r[1];
    assert_int_equal(e.r[3], d + e.r[1] + e.r[0] + 0xf);   /* r3 = cc_dst + cc_src + cc_src2 + cc_op */
    ir_block_free(&b);
    h_tb_free(ej, reader);
    pair_free(&p);
    ej->destroy(ej);
}

/* A fused shl+add+add (x86_64_fuse.c) whose register for the shifted input
   evicts the added local: that local must be spilled, not dropped (found by
   difftest once sinking kept more values live across a block's end). */
static void test_fused_lea_under_pressure(void **state)
{
    (void)state;
    struct engine *ei = engine_interp_new(&h_guest), *ej = engine_x86_64_new(&h_guest, 4u << 20);
    assert_non_null(ei);
    if (!ej) {
        ei->destroy(ei);
        skip();
    }
    for (unsigned nl = 0; nl < 14; nl++) {
        struct ir_block b = { 0 };
        ir_block_init(&b, &hc.ctx);
        ir_temp *r = hc.r, y = ir_temp_new(&b), t = ir_temp_new(&b), u = ir_temp_new(&b);
        ir_temp v = ir_temp_new(&b), l[14];
        for (unsigned k = 0; k < nl; k++) {
            l[k] = ir_temp_new(&b);
            ir_binop(&b, IR_ADD, 64, l[k], r[k % 8], ir_const(&b, 64, k * 77 + 1));
        }
        ir_binop(&b, IR_XOR, 64, y, r[0], r[1]);
        for (unsigned k = 0; k < nl; k++)   /* y becomes the least recently used */
            ir_binop(&b, IR_ADD, 64, l[k], l[k], ir_const(&b, 64, 3));
        ir_binop(&b, IR_SHL, 64, t, r[2], ir_const(&b, 64, 3));
        ir_binop(&b, IR_ADD, 64, u, y, t);
        ir_binop(&b, IR_ADD, 64, v, u, ir_const(&b, 64, 0x68));
        ir_mov(&b, 64, r[3], v);
        for (unsigned k = 0; k < nl; k++)
            ir_binop(&b, IR_XOR, 64, r[4], r[4], l[k]);
        ir_exit(&b, 0);
        assert_null(ir_validate(&b));
        static struct h_env e1, e2;
        fill(&e1, nl, 100, 0);
        fill(&e2, nl, 100, 0);
        h_run(ei, &b, &e1);
        h_run(ej, &b, &e2);
        assert_int_equal(e1.r[3], e2.r[3]);
        assert_int_equal(e1.r[4], e2.r[4]);
        ir_block_free(&b);
    }
    ei->destroy(ei);
    ej->destroy(ej);
}

int main(void)
{
    h_ctx_init(&hc);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_successor_dead_in),
        cmocka_unit_test(test_successor_defines),
        cmocka_unit_test(test_successor_reads_cc),
        cmocka_unit_test(test_successor_reads_all),
        cmocka_unit_test(test_successor_loads),
        cmocka_unit_test(test_successor_zero_init),
        cmocka_unit_test(test_relink_to_reader),
        cmocka_unit_test(test_fused_lea_under_pressure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
