/* SPDX-License-Identifier: MIT */
/* test_tb_jc.c: the jump cache: hits, misses, key mismatch, eviction, invalidation (SMC), flush, on both engines. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "cpu/bare.h"
#include "cpu/cpu.h"
#include "ir_harness.h"

/* ---- the cache alone, with an engine that compiles nothing ---- */

static bool nop_compile(struct engine *e, struct tb *tb, const struct ir_block *b)
{
    (void)e; (void)b;
    tb->code = tb;               /* something to find in the entries */
    return true;
}
static void nop_link(struct engine *e, struct tb *from, unsigned slot, struct tb *to)
{
    (void)e; (void)from; (void)slot; (void)to;
}
static void nop_release(struct engine *e, struct tb *tb) { (void)e; tb->code = NULL; }
static void nop_reset(struct engine *e) { (void)e; }

static const struct engine nop_engine = {
    .name = "nop", .compile = nop_compile, .link = nop_link,
    .release = nop_release, .reset = nop_reset,
};

static struct tb *add(struct tb_cache *c, uint64_t pc, uint64_t flags, uint64_t phys)
{
    struct tb *tb = tb_alloc(c, pc, 0, flags, 0);
    assert_non_null(tb);
    tb->phys_pc = phys;
    tb->size = 8;
    tb->phys_page[0] = phys & TLB_PAGE_MASK;
    assert_true(tb_commit(c, tb, NULL));
    return tb;
}

static void test_empty_never_matches(void **state)
{
    (void)state;
    struct engine e = nop_engine;
    struct tb_cache *c = tb_cache_new(&e, 64);
    assert_non_null(c);
    const struct tb_jc *jc = tb_cache_jc(c);
    assert_non_null(jc);
    /* every key whose words could equal a cleared slot's (i ^ 1, 0, 0) */
    for (uint64_t k = 0; k < 2 * TB_JC_SIZE; k++)
        assert_null(tb_jc_find(jc, k, 0, 0));
    for (unsigned i = 0; i < TB_JC_SIZE; i++)
        assert_int_not_equal(tb_jc_index(jc->e[i].key[0]), i);
    tb_cache_free(c);
}

static void test_hit_miss_key(void **state)
{
    (void)state;
    struct engine e = nop_engine;
    struct tb_cache *c = tb_cache_new(&e, 64);
    const struct tb_jc *jc = tb_cache_jc(c);
    struct tb *a = add(c, 0x401000, 7, 0x5000);
    struct tb *b = add(c, 0x401234, 7, 0x5000);
    assert_null(tb_jc_find(jc, 0x401000, 0, 7));        /* not filled yet */
    tb_jc_set(c, 0x401000, 0, 7, a);
    tb_jc_set(c, 0x401234, 0, 7, b);
    assert_ptr_equal(tb_jc_find(jc, 0x401000, 0, 7), a);
    assert_ptr_equal(tb_jc_find(jc, 0x401234, 0, 7), b);
    unsigned i = tb_jc_index(0x401000);
    assert_ptr_equal(jc->e[i].code, a->code);           /* what the JIT jumps to */
    assert_int_equal(a->jc_slot, i + 1);
    /* any other word of the key misses */
    assert_null(tb_jc_find(jc, 0x401000, 0, 8));
    assert_null(tb_jc_find(jc, 0x401000, 0x10, 7));
    assert_null(tb_jc_find(jc, 0x401001, 0, 7));
    assert_null(tb_jc_find(jc, 0x401000 + ((uint64_t)1 << 40), 0, 7));
    struct tb_stats st;
    tb_cache_stats(c, &st);
    assert_int_equal(st.jc_fills, 2);
    tb_cache_free(c);
}

static void test_eviction(void **state)
{
    (void)state;
    struct engine e = nop_engine;
    struct tb_cache *c = tb_cache_new(&e, 64);
    const struct tb_jc *jc = tb_cache_jc(c);
    struct tb *a = add(c, 0x1000, 1, 0x1000);
    struct tb *b = add(c, 0x2000, 1, 0x2000);
    /* two keys on the same slot: the second evicts the first */
    uint64_t k1 = 0x1000, k2 = 0x1000 + ((uint64_t)1 << (2 * TB_JC_BITS));
    assert_int_equal(tb_jc_index(k1), tb_jc_index(k2));
    tb_jc_set(c, k1, 0, 1, a);
    tb_jc_set(c, k2, 0, 1, b);
    assert_null(tb_jc_find(jc, k1, 0, 1));
    assert_ptr_equal(tb_jc_find(jc, k2, 0, 1), b);
    assert_int_equal(a->jc_slot, 0);
    /* a block cached under a second key leaves its first slot */
    tb_jc_set(c, 0x7777, 0, 1, b);
    assert_null(tb_jc_find(jc, k2, 0, 1));
    assert_ptr_equal(tb_jc_find(jc, 0x7777, 0, 1), b);
    assert_int_equal(b->jc_slot, tb_jc_index(0x7777) + 1);
    unsigned n = 0;
    for (unsigned i = 0; i < TB_JC_SIZE; i++)
        n += jc->tb[i] == b;
    assert_int_equal(n, 1);
    tb_cache_free(c);
}

static void test_invalidate_and_flush(void **state)
{
    (void)state;
    struct engine e = nop_engine;
    struct tb_cache *c = tb_cache_new(&e, 64);
    const struct tb_jc *jc = tb_cache_jc(c);
    struct tb *a = add(c, 0x1000, 1, 0x3000);
    struct tb *b = add(c, 0x2000, 1, 0x4000);
    tb_jc_set(c, 0x1000, 0, 1, a);
    tb_jc_set(c, 0x2000, 0, 1, b);
    /* a write to a's code (SMC) invalidates a and clears its entry, not b's */
    assert_int_equal(tb_invalidate_phys_range(c, 0x3004, 0x3005), 1);
    assert_null(tb_jc_find(jc, 0x1000, 0, 1));
    assert_ptr_equal(tb_jc_find(jc, 0x2000, 0, 1), b);
    /* an invalid block is never cached */
    tb_jc_set(c, 0x1000, 0, 1, a);
    assert_null(tb_jc_find(jc, 0x1000, 0, 1));
    /* a new translation for the key can be */
    struct tb *a2 = add(c, 0x1000, 1, 0x3000);
    tb_jc_set(c, 0x1000, 0, 1, a2);
    assert_ptr_equal(tb_jc_find(jc, 0x1000, 0, 1), a2);
    /* flush clears everything; so does tb_jc_clear */
    tb_flush(c);
    assert_null(tb_jc_find(jc, 0x1000, 0, 1));
    assert_null(tb_jc_find(jc, 0x2000, 0, 1));
    struct tb *d = add(c, 0x2000, 1, 0x4000);
    tb_jc_set(c, 0x2000, 0, 1, d);
    assert_ptr_equal(tb_jc_find(jc, 0x2000, 0, 1), d);
    tb_jc_clear(c);
    assert_null(tb_jc_find(jc, 0x2000, 0, 1));
    assert_int_equal(d->jc_slot, 0);
    tb_cache_free(c);
}

/* ---- GOTO_PTR through the jump cache on both engines (the JIT probes inline) ---- */

/* The harness env with a jump-cache pointer; the key is (r0, e32). */
struct jenv {
    struct h_env h;
    struct tb_jc *jc;
    unsigned lookups;
};

static struct tb *j_lookup(void *envp)
{
    struct jenv *env = envp;
    env->lookups++;
    struct tb *tb = tb_jc_find(env->jc, env->h.r[0], env->h.e32, 0);
    return tb ? tb : env->h.lookup_result;
}

static const struct engine_guest j_guest = {
    .tlb_offset = offsetof(struct h_env, tlb),
    .slow = { h_slow_load, h_slow_store },
    .lookup = j_lookup,
    .exit_request_offset = offsetof(struct h_env, exit_request),
    .jc_nkeys = 2,
    .jc_offset = offsetof(struct jenv, jc),
    .jc_key_offset = { offsetof(struct h_env, r[0]), offsetof(struct h_env, e32) },
    .jc_key_width = { 64, 32 },
};

/* Raises the exit request when r3 is non-zero. */
static uint64_t maybe_request(void *envp, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    struct h_env *env = envp;
    (void)a; (void)b; (void)c; (void)d;
    if (env->r[3])
        env->exit_request = 1;
    return 0;
}
static const struct ir_helper maybe_request_h = { maybe_request, "maybe_request", 0 };

static struct tb *commit(struct tb_cache *c, struct ir_block *b, uint64_t pc)
{
    struct tb *tb = tb_alloc(c, pc, 0, 0, 0);
    assert_non_null(tb);
    tb->phys_pc = pc;
    tb->size = 4;
    tb->phys_page[0] = pc & TLB_PAGE_MASK;
    assert_true(tb_commit(c, tb, b));
    return tb;
}

static void run_goto_ptr(struct engine *e)
{
    struct h_ctx hc;
    h_ctx_init(&hc);
    struct ir_block b;
    ir_block_init(&b, &hc.ctx);
    struct tb_cache *c = tb_cache_new(e, 64);
    assert_non_null(c);
    struct jenv env;
    memset(&env, 0, sizeof(env));
    h_env_init(&env.h);
    env.jc = tb_cache_jc(c);

    /* p: r1 += 1; maybe_request; goto_ptr.   t: r2 += 100; exit.   u: r2 += 1000; exit. */
    ir_binop(&b, IR_ADD, 64, hc.r[1], hc.r[1], ir_const(&b, 64, 1));
    ir_call(&b, &maybe_request_h, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    ir_goto_ptr_jc(&b);
    struct tb *p = commit(c, &b, 0x1000);
    /* q: the same with a plain goto_ptr, which always asks lookup */
    ir_block_reset(&b);
    ir_binop(&b, IR_ADD, 64, hc.r[1], hc.r[1], ir_const(&b, 64, 1));
    ir_goto_ptr(&b);
    struct tb *q = commit(c, &b, 0x1800);
    ir_block_reset(&b);
    ir_binop(&b, IR_ADD, 64, hc.r[2], hc.r[2], ir_const(&b, 64, 100));
    ir_exit(&b, 0);
    struct tb *t = commit(c, &b, 0x2000);
    ir_block_reset(&b);
    ir_binop(&b, IR_ADD, 64, hc.r[2], hc.r[2], ir_const(&b, 64, 1000));
    ir_exit(&b, 0);
    struct tb *u = commit(c, &b, 0x3000);

    /* miss: nothing cached, lookup finds nothing */
    env.h.r[0] = 0x2000;
    env.h.e32 = 5;
    assert_int_equal(e->exec(e, &env, p), (uintptr_t)p | TB_EXIT_NOCHAIN);
    assert_int_equal(env.h.r[2], 0);
    assert_int_equal(env.lookups, 1);

    /* hit: t runs (the JIT without calling lookup) */
    tb_jc_set(c, 0x2000, 5, 0, t);
    env.lookups = 0;
    assert_int_equal(e->exec(e, &env, p), (uintptr_t)t | TB_EXIT_NOCHAIN);
    assert_int_equal(env.h.r[2], 100);
    assert_int_equal(env.h.r[1], 2);
    assert_int_equal(env.lookups, 0);
    /* a plain goto_ptr calls lookup (which here probes the jump cache itself) */
    assert_int_equal(e->exec(e, &env, q), (uintptr_t)t | TB_EXIT_NOCHAIN);
    assert_int_equal(env.lookups, 1);
    assert_int_equal(env.h.r[2], 200);
    env.h.r[2] = 100;
    env.h.r[1]--;

    /* key mismatch in either word: miss */
    env.h.e32 = 6;
    assert_int_equal(e->exec(e, &env, p), (uintptr_t)p | TB_EXIT_NOCHAIN);
    env.h.e32 = 5;
    env.h.r[0] = 0x2000 + ((uint64_t)1 << 32);
    assert_int_equal(e->exec(e, &env, p), (uintptr_t)p | TB_EXIT_NOCHAIN);
    assert_int_equal(env.h.r[2], 100);

    /* an exit request raised in p is still honoured on a hit: t does not run */
    env.h.r[0] = 0x2000;
    env.h.r[3] = 1;
    assert_int_equal(e->exec(e, &env, p), (uintptr_t)t | TB_EXIT_REQUESTED);
    assert_int_equal(env.h.r[1], 5);
    assert_int_equal(env.h.r[2], 100);
    env.h.exit_request = 0;
    env.h.r[3] = 0;

    /* a miss falls back to lookup, which finds u */
    env.h.r[0] = 0x3000;
    env.h.lookup_result = u;
    assert_int_equal(e->exec(e, &env, p), (uintptr_t)u | TB_EXIT_NOCHAIN);
    assert_int_equal(env.h.r[2], 1100);
    env.h.lookup_result = NULL;

    /* invalidating t's code (SMC) clears its entry: p's GOTO_PTR misses */
    env.h.r[0] = 0x2000;
    assert_int_equal(e->exec(e, &env, p), (uintptr_t)t | TB_EXIT_NOCHAIN);
    assert_int_equal(env.h.r[2], 1200);
    assert_int_equal(tb_invalidate_phys_range(c, 0x2000, 0x2001), 1);
    assert_int_equal(e->exec(e, &env, p), (uintptr_t)p | TB_EXIT_NOCHAIN);
    assert_int_equal(env.h.r[2], 1200);

    /* re-cached, then a flush empties the jump cache (p is gone too) */
    struct tb *t2 = commit(c, &b, 0x2000);   /* b still holds u's ops */
    tb_jc_set(c, 0x2000, 5, 0, t2);
    assert_int_equal(e->exec(e, &env, p), (uintptr_t)t2 | TB_EXIT_NOCHAIN);
    assert_int_equal(env.h.r[2], 2200);
    tb_flush(c);
    assert_null(tb_jc_find(env.jc, 0x2000, 5, 0));

    tb_cache_free(c);
    ir_block_free(&b);
}

static void test_goto_ptr_interp(void **state)
{
    (void)state;
    struct engine *e = engine_interp_new(&j_guest);
    assert_non_null(e);
    run_goto_ptr(e);
    e->destroy(e);
}

static void test_goto_ptr_jit(void **state)
{
    (void)state;
    struct engine *e = engine_x86_64_new(&j_guest, 1 << 20);
#if defined(__x86_64__)
    assert_non_null(e);
#endif
    if (!e)
        return;
    run_goto_ptr(e);
    e->destroy(e);
}

/* ---- a guest that patches the target of an indirect call between calls ---- */

static void test_cpu_smc_indirect(void **state)
{
    (void)state;
    /* mov ecx, 50; mov ebx, 0x3000; xor esi, esi;
       l: 3x (call rbx; add esi, eax); inc dword [rbx+1]; dec ecx; jnz l; hlt
       (the second and third calls find the callee in the jump cache) */
    static const uint8_t main_[] = { 0xb9, 0x32, 0x00, 0x00, 0x00, 0xbb, 0x00, 0x30, 0x00, 0x00,
                                     0x31, 0xf6, 0xff, 0xd3, 0x01, 0xc6, 0xff, 0xd3, 0x01, 0xc6,
                                     0xff, 0xd3, 0x01, 0xc6, 0xff, 0x43, 0x01, 0xff, 0xc9, 0x75,
                                     0xed, 0xf4 };
    static const uint8_t callee[] = { 0xb8, 0x01, 0x00, 0x00, 0x00, 0xc3 }; /* mov eax, 1; ret */
    for (int eng = 0; eng < 2; eng++) {
        struct bare_cpu *cpu = bare_cpu_new((enum bare_engine)eng, BARE_MODE_LONG64, 0, 1 << 20);
        assert_non_null(cpu);
        assert_true(bare_cpu_write(cpu, 0x1000, main_, sizeof(main_)));
        assert_true(bare_cpu_write(cpu, 0x3000, callee, sizeof(callee)));
        struct bare_regs r;
        bare_cpu_get_regs(cpu, &r);
        r.rip = 0x1000;
        r.gpr[4] = 0x8000;
        r.rflags = 2;
        bare_cpu_set_regs(cpu, &r);
        struct bare_result res;
        bare_cpu_run(cpu, 100000, &res);
        bare_cpu_get_regs(cpu, &r);
        assert_int_equal(res.stop, BARE_STOP_HLT);
        assert_int_equal(r.gpr[6], 3 * 50 * 51 / 2);   /* each call saw the patched immediate */

        /* a TLB flush (CR3 write, INVLPG...) retires every entry: code may map elsewhere now */
        struct cpu *c = bare_cpu_cpu(cpu);
        const struct tb_jc *jc = c->jc;
        uint64_t k2 = c->hflags | (uint64_t)c->jc_gen << 32;
        unsigned live = 0;
        for (unsigned i = 0; i < TB_JC_SIZE; i++) {
            if (jc->tb[i] && jc->e[i].key[2] == k2) {
                assert_ptr_equal(tb_jc_find(jc, jc->e[i].key[0], jc->e[i].key[1], k2), jc->tb[i]);
                live++;
            }
        }
        assert_true(live > 0);
        cpu_tlb_flush(c);
        uint64_t k2new = c->hflags | (uint64_t)c->jc_gen << 32;
        assert_int_not_equal(k2new, k2);
        for (unsigned i = 0; i < TB_JC_SIZE; i++)
            if (jc->tb[i])
                assert_null(tb_jc_find(jc, jc->e[i].key[0], jc->e[i].key[1], k2new));
        bare_cpu_free(cpu);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_never_matches),
        cmocka_unit_test(test_hit_miss_key),
        cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_invalidate_and_flush),
        cmocka_unit_test(test_goto_ptr_interp),
        cmocka_unit_test(test_goto_ptr_jit),
        cmocka_unit_test(test_cpu_smc_indirect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
