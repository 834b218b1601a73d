/* SPDX-License-Identifier: MIT */
/* ir_harness.h: a fake guest (env, soft TLB, guest memory, slow paths) for running IR blocks in unit tests. */
#ifndef KILN_TESTS_IR_HARNESS_H
#define KILN_TESTS_IR_HARNESS_H

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "translate/engine.h"
#include "translate/tb.h"
#include "translate/ir.h"

#define H_NREGS 8
#define H_MEM_BASE 0x10000u       /* guest address of mem[0] */
#define H_MEM_SIZE 0x4000u        /* four pages */
#define H_MMIO_BASE 0x80000u      /* reads give a pattern, writes are logged */

struct h_env {
    uint64_t r[H_NREGS];          /* 64-bit globals r0..r7 */
    uint32_t e32;                 /* a 32-bit global */
    uint16_t e16;                 /* a 16-bit global */
    uint8_t e8;                   /* an 8-bit global */
    uint32_t exit_request;
    uint64_t scratch[4];          /* LD_ENV / ST_ENV area (not globals) */
    int64_t icount;               /* a budget counter (test_jit_diff's self-loop blocks charge it) */
    unsigned slow_loads, slow_stores;
    uint64_t mmio_last_addr, mmio_last_val;
    jmp_buf *fault;               /* slow paths longjmp here for addresses >= H_FAULT_BASE */
    struct tb *lookup_result;
    struct engine *engine;        /* when set, slow paths ask it which instruction called them */
    uint64_t insn_sum;            /* hash of those answers, in call order */
    uint64_t insn_last;           /* the last answer (H_NO_INSN: none) */
    uint64_t glob_sum;            /* hash of the globals each slow path saw in env, in call order */
    struct tlb tlb;
};
#define H_NO_INSN (~(uint64_t)0)
#define H_FAULT_BASE 0xf0000000u

static uint8_t h_mem[H_MEM_SIZE];

/* Records the engine's insn_at answer for the slow path returning to ra,
   and the globals in env (engines must have stored them before a slow path). */
static inline void h_note_insn(struct h_env *env, uintptr_t ra)
{
    uint64_t w, h = env->e32 ^ (uint64_t)env->e16 << 32 ^ (uint64_t)env->e8 << 48;
    for (unsigned i = 0; i < H_NREGS; i++)
        h = h * 0x100000001b3ull ^ env->r[i];
    env->glob_sum = env->glob_sum * 1000003u ^ h;
    if (!env->engine)
        return;
    if (!env->engine->insn_at || !env->engine->insn_at(env->engine, ra, &w))
        w = H_NO_INSN;
    env->insn_last = w;
    env->insn_sum = env->insn_sum * 1000003u + w;
}

static __attribute__((noinline)) uint64_t h_slow_load(void *envp, uint64_t addr, unsigned memop)
{
    struct h_env *env = envp;
    unsigned size = IR_MEM_GET_SIZE(memop);
    h_note_insn(env, (uintptr_t)__builtin_return_address(0));
    env->slow_loads++;
    if (addr >= H_FAULT_BASE && env->fault)
        longjmp(*env->fault, 1);
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint64_t a = addr + i, byte;
        if (a >= H_MEM_BASE && a < H_MEM_BASE + H_MEM_SIZE)
            byte = h_mem[a - H_MEM_BASE];
        else
            byte = (a * 7 + 3) & 0xff;   /* "MMIO" pattern */
        v |= byte << (8 * i);
    }
    return v;
}

static __attribute__((noinline)) void h_slow_store(void *envp, uint64_t addr, uint64_t value,
                                                   unsigned memop)
{
    struct h_env *env = envp;
    unsigned size = IR_MEM_GET_SIZE(memop);
    h_note_insn(env, (uintptr_t)__builtin_return_address(0));
    env->slow_stores++;
    if (addr >= H_FAULT_BASE && env->fault)
        longjmp(*env->fault, 1);
    env->mmio_last_addr = addr;
    env->mmio_last_val = value;
    for (unsigned i = 0; i < size; i++) {
        uint64_t a = addr + i;
        if (a >= H_MEM_BASE && a < H_MEM_BASE + H_MEM_SIZE)
            h_mem[a - H_MEM_BASE] = (uint8_t)(value >> (8 * i));
    }
}

static inline struct tb *h_lookup(void *envp)
{
    return ((struct h_env *)envp)->lookup_result;
}

static const struct engine_guest h_guest = {
    .tlb_offset = offsetof(struct h_env, tlb),
    .slow = { h_slow_load, h_slow_store },
    .lookup = h_lookup,
    .exit_request_offset = offsetof(struct h_env, exit_request),
};

/* Maps guest page [H_MEM_BASE + n * 4K] in MMU mode `mode`. */
static inline void h_map_page(struct h_env *env, unsigned mode, unsigned n, bool writable)
{
    uint64_t va = H_MEM_BASE + (uint64_t)n * TLB_PAGE_SIZE;
    struct tlb_entry *e = &env->tlb.e[mode][(va >> TLB_PAGE_BITS) & (TLB_SIZE - 1)];
    e->read_tag = va;
    e->write_tag = writable ? va : va | TLB_SLOW;
    e->code_tag = va;
    e->addend = (intptr_t)((uintptr_t)h_mem - (uintptr_t)H_MEM_BASE);
}

static inline void h_env_init(struct h_env *env)
{
    memset(env, 0, sizeof(*env));
    tlb_flush(&env->tlb);
}

struct h_ctx {
    struct ir_ctx ctx;
    ir_temp r[H_NREGS], e32, e16, e8;
};

static inline void h_ctx_init(struct h_ctx *c)
{
    static const char *const names[H_NREGS] = { "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7" };
    ir_ctx_init(&c->ctx);
    for (unsigned i = 0; i < H_NREGS; i++)
        c->r[i] = ir_ctx_global(&c->ctx, (int32_t)(offsetof(struct h_env, r) + 8 * i), 64, names[i]);
    c->e32 = ir_ctx_global(&c->ctx, offsetof(struct h_env, e32), 32, "e32");
    c->e16 = ir_ctx_global(&c->ctx, offsetof(struct h_env, e16), 16, "e16");
    c->e8 = ir_ctx_global(&c->ctx, offsetof(struct h_env, e8), 8, "e8");
}

/* Compiles b into a fresh tb (freed with h_tb_free). */
static inline struct tb *h_compile(struct engine *e, const struct ir_block *b)
{
    struct tb *tb = calloc(1, sizeof(*tb));
    if (!tb || !e->compile(e, tb, b)) {
        free(tb);
        return NULL;
    }
    return tb;
}

static inline void h_tb_free(struct engine *e, struct tb *tb)
{
    if (tb) {
        e->release(e, tb);
        free(tb);
    }
}

/* Compiles, runs once and frees; returns exec's value with the tb bits replaced by 0. */
static inline unsigned h_run(struct engine *e, const struct ir_block *b, struct h_env *env)
{
    struct tb *tb = h_compile(e, b);
    if (!tb)
        return 99;
    uintptr_t r = e->exec(e, env, tb);
    h_tb_free(e, tb);
    return (unsigned)(r & TB_EXIT_MASK);
}

/* A test fixture around one engine: the fake guest's globals, a block on them, an env. */
struct h_fx {
    struct h_ctx hc;
    struct engine *e;
    struct ir_block b;
    struct h_env env;
};

/* cmocka setup: *state = a new fixture around engine e (owned by it from then on),
   with h_mem cleared; -1 when e is NULL (the engine could not be created). */
static inline int h_fx_setup(void **state, struct engine *e)
{
    struct h_fx *f = e ? calloc(1, sizeof(*f)) : NULL;
    if (!f) {
        if (e)
            e->destroy(e);
        return -1;
    }
    h_ctx_init(&f->hc);
    f->e = e;
    ir_block_init(&f->b, &f->hc.ctx);
    h_env_init(&f->env);
    memset(h_mem, 0, sizeof(h_mem));
    *state = f;
    return 0;
}

/* cmocka teardown of h_fx_setup's fixture. */
static inline int h_fx_teardown(void **state)
{
    struct h_fx *f = *state;
    ir_block_free(&f->b);
    f->e->destroy(f->e);
    free(f);
    return 0;
}

/* A block over the harness's globals, without an engine (optimizer tests). */
struct h_pfx {
    struct h_ctx hc;
    struct ir_block b;
};

/* cmocka setup: *state = a new h_pfx (-1 when out of memory). */
static inline int h_pfx_setup(void **state)
{
    struct h_pfx *p = calloc(1, sizeof(*p));
    if (!p)
        return -1;
    h_ctx_init(&p->hc);
    ir_block_init(&p->b, &p->hc.ctx);
    *state = p;
    return 0;
}

/* cmocka teardown of h_pfx_setup's fixture. */
static inline int h_pfx_teardown(void **state)
{
    struct h_pfx *p = *state;
    ir_block_free(&p->b);
    free(p);
    return 0;
}

/* Writes to stderr the two blocks (under the headings ha and hb) that two runs
   executed and the globals they left in e1 and e2, for a failed comparison. */
static inline void h_dump_diff(const char *ha, const struct ir_block *a, const char *hb,
                               const struct ir_block *b, const struct h_env *e1, const struct h_env *e2)
{
    fprintf(stderr, "---- %s\n", ha);
    ir_dump(a, stderr);
    fprintf(stderr, "---- %s\n", hb);
    ir_dump(b, stderr);
    for (unsigned i = 0; i < H_NREGS; i++)
        fprintf(stderr, "r%u %#llx %#llx\n", i, (unsigned long long)e1->r[i], (unsigned long long)e2->r[i]);
    fprintf(stderr, "e32 %#x %#x e16 %#x %#x e8 %#x %#x\n", e1->e32, e2->e32, e1->e16, e2->e16,
            e1->e8, e2->e8);
}

#endif
