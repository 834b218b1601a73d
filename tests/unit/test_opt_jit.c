/* SPDX-License-Identifier: MIT */
/* test_opt_jit.c: random blocks, optimized and run on the JIT, behave as unoptimized ones on the interpreter. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>
#include "ir_gen.h"
#include "translate/opt.h"

/*
 * The optimizer leaves shapes a front end rarely emits (constants as first
 * operands, stores of constants to constant addresses, decided branches, long
 * copy chains); this checks the JIT copes with all of them. Skipped (passes
 * trivially) on hosts without the JIT.
 */
static uint8_t mem0[H_MEM_SIZE], mem1[H_MEM_SIZE];
static jmp_buf fault_jb;

static unsigned run(struct engine *e, const struct ir_block *b, struct h_env *env, bool *ok)
{
    struct tb *volatile tb = calloc(1, sizeof(struct tb));
    volatile unsigned r = 7;
    *ok = tb && e->compile(e, tb, b);
    if (!*ok) {
        free(tb);
        return 0;
    }
    env->fault = &fault_jb;
    if (setjmp(fault_jb) == 0)
        r = (unsigned)(e->exec(e, env, tb) & TB_EXIT_MASK);
    env->fault = NULL;
    e->release(e, tb);
    free(tb);
    return r;
}

static void test_optimized_on_jit(void **state)
{
    (void)state;
    struct engine *jit = engine_x86_64_new(&h_guest, 8u << 20);
    if (!jit) {
        print_message("no JIT on this host: skipped\n");
        return;
    }
    struct engine *ref = engine_interp_new(&h_guest);
    struct h_ctx hc;
    h_ctx_init(&hc);
    struct ir_block b = { 0 }, o = { 0 };
    static struct h_env env1, env2;
    unsigned runs = 0;
    for (unsigned iter = 0; iter < 1500; iter++) {
        seed = 0xabcdef12345ull + iter * 0x9e3779b97f4a7c15ull;
        rnd();
        ir_block_init(&b, &hc.ctx);
        struct gen g = { .hc = &hc, .b = &b };
        gen_block(&g);
        assert_null(ir_validate(&b));
        ir_block_init(&o, &hc.ctx);
        for (unsigned t = o.ntemps; t < b.ntemps; t++)
            ir_temp_new(&o);
        memcpy(o.temps, b.temps, b.ntemps * sizeof(*b.temps));
        for (unsigned i = 0; i < b.nops; i++)
            *ir_emit(&o, IR_NOP, 64, 0, 0, 0, 0) = b.ops[i];
        o.nlabels = b.nlabels;
        ir_optimize(&o);
        assert_null(ir_validate(&o));

        uint64_t envseed = rnd();
        for (unsigned i = 0; i < H_MEM_SIZE; i++)
            mem0[i] = (uint8_t)rnd();
        bool ok1, ok2;
        seed = envseed;
        fill_env(&env1);
        memcpy(h_mem, mem0, H_MEM_SIZE);
        noenv_calls = 0;
        unsigned r1 = run(ref, &b, &env1, &ok1);
        uint64_t calls1 = noenv_calls;
        memcpy(mem1, h_mem, H_MEM_SIZE);
        seed = envseed;
        fill_env(&env2);
        memcpy(h_mem, mem0, H_MEM_SIZE);
        noenv_calls = 0;
        unsigned r2 = run(jit, &o, &env2, &ok2);
        if (!ok2) {             /* out of code space: start again */
            jit->reset(jit);
            r2 = run(jit, &o, &env2, &ok2);
        }
        assert_true(ok1 && ok2);
        runs++;
        if (r1 != r2 || memcmp(&env1, &env2, offsetof(struct h_env, tlb)) ||
            memcmp(mem1, h_mem, H_MEM_SIZE) || calls1 != noenv_calls) {
            h_dump_diff("interpreter ran", &b, "JIT ran", &o, &env1, &env2);
            fail_msg("iter %u: JIT on optimized IR differs (exit %u vs %u)", iter, r1, r2);
        }
    }
    print_message("%u random blocks agree\n", runs);
    ir_block_free(&b);
    ir_block_free(&o);
    ref->destroy(ref);
    jit->destroy(jit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optimized_on_jit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
