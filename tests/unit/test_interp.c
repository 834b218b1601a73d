/* SPDX-License-Identifier: MIT */
/* test_interp.c: interpreter guest memory (soft TLB, slow paths, faults), helpers and control flow. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "ir_harness.h"

static int setup(void **state)
{
    return h_fx_setup(state, engine_interp_new(&h_guest));
}

#define R(i) (f->hc.r[i])
#define C(v) ir_const(&f->b, 64, (v))

static void check_valid(struct h_fx *f)
{
    const char *err = ir_validate(&f->b);
    if (err)
        fail_msg("invalid block: %s", err);
}

static void test_tlb_hits_and_misses(void **state)
{
    struct h_fx *f = *state;
    h_map_page(&f->env, 0, 0, true);
    h_map_page(&f->env, 0, 1, false);    /* read-only: stores go slow */
    memcpy(h_mem + 0x10, "\x11\x22\x33\x44\x85\x66\x77\x88", 8);
    ir_ld(&f->b, 64, R(0), C(H_MEM_BASE + 0x10), IR_MEM_SIZE(3));
    ir_ld(&f->b, 64, R(1), C(H_MEM_BASE + 0x14), IR_MEM_SIZE(0) | IR_MEM_SIGN);
    ir_ld(&f->b, 32, R(2), C(H_MEM_BASE + 0x13), IR_MEM_SIZE(1) | IR_MEM_SIGN);
    ir_ld(&f->b, 64, R(3), C(H_MEM_BASE + 0x12), IR_MEM_SIZE(2));
    ir_st(&f->b, 64, C(0xa1a2a3a4a5a6a7a8ull), C(H_MEM_BASE + 0x21), IR_MEM_SIZE(2)); /* unaligned */
    ir_st(&f->b, 16, C(0xbeef), C(H_MEM_BASE + 0x1000), IR_MEM_SIZE(1));            /* ro page */
    ir_ld(&f->b, 64, R(4), C(H_MEM_BASE + 0x1000), IR_MEM_SIZE(1));                 /* hit */
    ir_ld(&f->b, 64, R(5), C(H_MEM_BASE + 0x2000), IR_MEM_SIZE(0));                 /* unmapped */
    ir_ld(&f->b, 64, R(6), C(H_MEM_BASE + 0x10), IR_MEM_SIZE(3) | IR_MEM_IDX(1));   /* other mode */
    ir_exit(&f->b, 0);
    check_valid(f);
    h_mem[0x2000] = 0x5c;
    assert_int_equal(h_run(f->e, &f->b, &f->env), TB_EXIT_NOCHAIN);
    assert_int_equal(f->env.r[0], 0x8877668544332211ull);
    assert_int_equal(f->env.r[1], 0xffffffffffffff85ull);
    assert_int_equal(f->env.r[2], 0xffff8544);
    assert_int_equal(f->env.r[3], 0x66854433);
    assert_memory_equal(h_mem + 0x21, "\xa8\xa7\xa6\xa5\x00", 5);
    assert_int_equal(f->env.r[4], 0xbeef);
    assert_int_equal(f->env.mmio_last_val, 0xbeef);
    assert_int_equal(f->env.r[5], 0x5c);
    assert_int_equal(f->env.r[6], 0x8877668544332211ull);
    assert_int_equal(f->env.slow_loads, 2);     /* unmapped + other mode */
    assert_int_equal(f->env.slow_stores, 1);    /* read-only page */
}

static void test_page_crossing(void **state)
{
    struct h_fx *f = *state;
    h_map_page(&f->env, 0, 0, true);
    h_map_page(&f->env, 0, 1, true);
    for (unsigned i = 0; i < 16; i++)
        h_mem[0xff8 + i] = (uint8_t)(0x10 + i);
    ir_ld(&f->b, 64, R(0), C(H_MEM_BASE + 0xffe), IR_MEM_SIZE(2));  /* crosses */
    ir_ld(&f->b, 64, R(1), C(H_MEM_BASE + 0xffc), IR_MEM_SIZE(2));  /* last 4 bytes: fits */
    ir_ld(&f->b, 64, R(2), C(H_MEM_BASE + 0xff9), IR_MEM_SIZE(3));  /* crosses */
    ir_st(&f->b, 64, C(0x0102), C(H_MEM_BASE + 0xfff), IR_MEM_SIZE(1)); /* crosses */
    ir_exit(&f->b, 0);
    check_valid(f);
    h_run(f->e, &f->b, &f->env);
    assert_int_equal(f->env.r[0], 0x19181716);
    assert_int_equal(f->env.r[1], 0x17161514);
    assert_int_equal(f->env.r[2], 0x1817161514131211ull);
    assert_int_equal(f->env.slow_loads, 2);
    assert_int_equal(f->env.slow_stores, 1);
    assert_int_equal(h_mem[0xfff], 0x02);
    assert_int_equal(h_mem[0x1000], 0x01);
}

static void test_fault_unwinds(void **state)
{
    struct h_fx *f = *state;
    static jmp_buf jb;
    ir_mov(&f->b, 64, R(0), C(42));                                  /* before: must be in env */
    ir_ld(&f->b, 64, R(1), C(H_FAULT_BASE + 8), IR_MEM_SIZE(3));
    ir_mov(&f->b, 64, R(2), C(43));                                  /* after: never runs */
    ir_exit(&f->b, 0);
    check_valid(f);
    struct tb *volatile tb = h_compile(f->e, &f->b);
    f->env.fault = &jb;
    for (int i = 0; i < 3; i++) {       /* repeatable: nothing leaks or sticks */
        f->env.r[0] = f->env.r[2] = 0;
        if (setjmp(jb) == 0) {
            f->e->exec(f->e, &f->env, tb);
            fail_msg("no fault");
        }
        assert_int_equal(f->env.r[0], 42);
        assert_int_equal(f->env.r[2], 0);
    }
    h_tb_free(f->e, tb);
}

static uint64_t h_env_helper(void *envp, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    struct h_env *env = envp;
    uint64_t seen = env->r[0];
    env->r[1] = a + b + c + d;          /* writes a global behind the block's back */
    return seen;
}
static const struct ir_helper helper_env = { h_env_helper, "env_helper", 0 };

static uint64_t h_mul3(void *envp, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    (void)envp; (void)b; (void)c; (void)d;
    return a * 3;
}
static const struct ir_helper helper_mul3 = { h_mul3, "mul3", IR_HELPER_PURE | IR_HELPER_NO_ENV };

static void test_calls(void **state)
{
    struct h_fx *f = *state;
    ir_mov(&f->b, 64, R(0), C(7));
    ir_call(&f->b, &helper_env, R(2), C(1), C(2), C(3), IR_NONE);   /* sees r0 == 7 */
    ir_binop(&f->b, IR_ADD, 64, R(3), R(1), C(100));                /* reloaded r1 */
    ir_call(&f->b, &helper_mul3, R(4), R(3), IR_NONE, IR_NONE, IR_NONE);
    ir_call(&f->b, &helper_env, IR_NONE, R(4), IR_NONE, IR_NONE, IR_NONE);
    ir_exit(&f->b, 0);
    check_valid(f);
    h_run(f->e, &f->b, &f->env);
    assert_int_equal(f->env.r[2], 7);
    assert_int_equal(f->env.r[3], 106);
    assert_int_equal(f->env.r[4], 318);
    assert_int_equal(f->env.r[1], 318);
}

static void test_loop(void **state)
{
    struct h_fx *f = *state;
    /* r1 = sum of 1..r0, counting r0 down */
    ir_temp i = ir_temp_new(&f->b), s = ir_temp_new(&f->b);
    unsigned top = ir_label_new(&f->b), done = ir_label_new(&f->b);
    ir_mov(&f->b, 64, i, R(0));
    ir_mov(&f->b, 64, s, C(0));
    ir_label(&f->b, top);
    ir_brcond(&f->b, 64, IR_EQ, i, C(0), done);
    ir_binop(&f->b, IR_ADD, 64, s, s, i);
    ir_binop(&f->b, IR_SUB, 64, i, i, C(1));
    ir_br(&f->b, top);
    ir_label(&f->b, done);
    ir_mov(&f->b, 64, R(1), s);
    ir_goto_tb(&f->b, 1);
    check_valid(f);
    f->env.r[0] = 1000;
    assert_int_equal(h_run(f->e, &f->b, &f->env), TB_EXIT_SLOT1);
    assert_int_equal(f->env.r[1], 500500);
    /* signed branch at width 8 */
    ir_block_reset(&f->b);
    unsigned neg = ir_label_new(&f->b);
    ir_mov(&f->b, 64, R(2), C(1));
    ir_brcond(&f->b, 8, IR_LT, R(0), C(0), neg);
    ir_mov(&f->b, 64, R(2), C(0));
    ir_label(&f->b, neg);
    ir_exit(&f->b, 0);
    check_valid(f);
    f->env.r[0] = 0x180;
    h_run(f->e, &f->b, &f->env);
    assert_int_equal(f->env.r[2], 1);
    f->env.r[0] = 0x17f;
    h_run(f->e, &f->b, &f->env);
    assert_int_equal(f->env.r[2], 0);
}

/* Block n adds 1 << (4 n) to r0 and leaves through slot `slot` or GOTO_PTR. */
static struct tb *mk_block(struct h_fx *f, unsigned n, int slot)
{
    ir_block_reset(&f->b);
    ir_binop(&f->b, IR_ADD, 64, R(0), R(0), C(1ull << (4 * n)));
    if (slot >= 0)
        ir_goto_tb(&f->b, (unsigned)slot);
    else
        ir_goto_ptr(&f->b);
    check_valid(f);
    return h_compile(f->e, &f->b);
}

static void test_chaining(void **state)
{
    struct h_fx *f = *state;
    struct tb *a = mk_block(f, 0, 0), *b = mk_block(f, 1, 1), *c = mk_block(f, 2, -1);
    uintptr_t r;
    /* unchained */
    r = f->e->exec(f->e, &f->env, a);
    assert_ptr_equal((void *)(r & ~(uintptr_t)TB_EXIT_MASK), a);
    assert_int_equal(r & TB_EXIT_MASK, TB_EXIT_SLOT0);
    assert_int_equal(f->env.r[0], 0x1);
    /* a -> b -> (slot 1 unchained) */
    a->jmp_dest[0] = b;
    f->e->link(f->e, a, 0, b);
    f->env.r[0] = 0;
    r = f->e->exec(f->e, &f->env, a);
    assert_ptr_equal((void *)(r & ~(uintptr_t)TB_EXIT_MASK), b);
    assert_int_equal(r & TB_EXIT_MASK, TB_EXIT_SLOT1);
    assert_int_equal(f->env.r[0], 0x11);
    /* a -> b -> c -> goto_ptr: lookup finds nothing */
    b->jmp_dest[1] = c;
    f->env.r[0] = 0;
    r = f->e->exec(f->e, &f->env, a);
    assert_ptr_equal((void *)(r & ~(uintptr_t)TB_EXIT_MASK), c);
    assert_int_equal(r & TB_EXIT_MASK, TB_EXIT_NOCHAIN);
    assert_int_equal(f->env.r[0], 0x111);
    /* the exit request is honoured at entry: c does not run */
    f->env.r[0] = 0;
    f->env.exit_request = 1;
    r = f->e->exec(f->e, &f->env, c);
    assert_ptr_equal((void *)(r & ~(uintptr_t)TB_EXIT_MASK), c);
    assert_int_equal(r & TB_EXIT_MASK, TB_EXIT_REQUESTED);
    assert_int_equal(f->env.r[0], 0);           /* c did not run */
    h_tb_free(f->e, a);
    h_tb_free(f->e, b);
    h_tb_free(f->e, c);
}

/* A helper that raises the exit request after it has been called n times. */
static uint64_t h_countdown(void *envp, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    struct h_env *env = envp;
    (void)a; (void)b; (void)c; (void)d;
    if (++env->r[7] == 5)
        env->exit_request = 1;
    return 0;
}
static const struct ir_helper helper_countdown = { h_countdown, "countdown", 0 };

static void test_exit_request_in_chain(void **state)
{
    struct h_fx *f = *state;
    ir_binop(&f->b, IR_ADD, 64, R(0), R(0), C(1));
    ir_call(&f->b, &helper_countdown, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    ir_goto_ptr(&f->b);
    check_valid(f);
    struct tb *loop = h_compile(f->e, &f->b);
    ir_block_reset(&f->b);
    ir_binop(&f->b, IR_ADD, 64, R(1), R(1), C(1));
    ir_goto_tb(&f->b, 0);
    struct tb *first = h_compile(f->e, &f->b);
    first->jmp_dest[0] = loop;
    f->env.lookup_result = loop;            /* loop chains to itself via lookup */
    uintptr_t r = f->e->exec(f->e, &f->env, first);
    assert_ptr_equal((void *)(r & ~(uintptr_t)TB_EXIT_MASK), loop);
    assert_int_equal(r & TB_EXIT_MASK, TB_EXIT_REQUESTED);
    assert_int_equal(f->env.r[7], 5);
    assert_int_equal(f->env.r[0], 5);
    assert_int_equal(f->env.r[1], 1);
    h_tb_free(f->e, loop);
    h_tb_free(f->e, first);
}

static void test_movcond_and_setcond_blocks(void **state)
{
    struct h_fx *f = *state;
    ir_temp t = ir_temp_new(&f->b);
    ir_setcond(&f->b, 32, IR_GEU, t, R(0), R(1));
    ir_movcond(&f->b, 64, IR_NE, R(2), t, C(0), R(0), R(1));     /* max unsigned 32 */
    ir_exit(&f->b, 0);
    check_valid(f);
    f->env.r[0] = 0x1ffffffffull;   /* low 32 = 0xffffffff */
    f->env.r[1] = 5;
    h_run(f->e, &f->b, &f->env);
    assert_int_equal(f->env.r[2], 0x1ffffffffull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tlb_hits_and_misses, setup, h_fx_teardown),
        cmocka_unit_test_setup_teardown(test_page_crossing, setup, h_fx_teardown),
        cmocka_unit_test_setup_teardown(test_fault_unwinds, setup, h_fx_teardown),
        cmocka_unit_test_setup_teardown(test_calls, setup, h_fx_teardown),
        cmocka_unit_test_setup_teardown(test_loop, setup, h_fx_teardown),
        cmocka_unit_test_setup_teardown(test_chaining, setup, h_fx_teardown),
        cmocka_unit_test_setup_teardown(test_exit_request_in_chain, setup, h_fx_teardown),
        cmocka_unit_test_setup_teardown(test_movcond_and_setcond_blocks, setup, h_fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
