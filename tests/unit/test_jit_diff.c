/* SPDX-License-Identifier: MIT */
/* test_jit_diff.c: seeded random IR blocks run on the interpreter and the x86-64 JIT, compared exactly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <time.h>
#include <cmocka.h>
#include "ir_harness.h"
#include "translate/x86_64.h"

/* xorshift64* */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}
static unsigned rn(unsigned n) { return (unsigned)(rnd() % n); }

static uint64_t interesting(void)
{
    static const uint64_t v[] = {
        0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000,
        0xffff, 0x10000, 0x7fffffff, 0x80000000ull, 0xffffffffull, 0x100000000ull,
        0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, ~1ull, 0xfffffffffffffff0ull,
        0x123456789abcdef0ull, 0xff00ff00ff00ff00ull,
    };
    switch (rn(4)) {
    case 0: return rnd();
    case 1: return rnd() & 0xff;
    default: return v[rn(sizeof(v) / sizeof(v[0]))];
    }
}

/* ---- test helpers called by CALL ---- */

static uint64_t hf_pure(void *env, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    (void)env;
    return a * 3 + (b ^ (c << 1)) - d;
}
static uint64_t hf_noenv(void *env, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    (void)env;
    return (a >> 3) ^ (b * 0x9e3779b97f4a7c15ull) ^ c ^ (d << 7);
}
static uint64_t hf_env(void *envp, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    struct h_env *env = envp;
    uint64_t r = env->r[0] ^ d ^ env->e32;
    env->r[1] += a;
    env->e16 ^= (uint16_t)b;
    env->e8 += 1;
    env->scratch[0] = c + d;
    return r;
}
/* Raises the exit request for a quarter of its inputs: the next block boundary returns. */
static uint64_t hf_req(void *envp, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    struct h_env *env = envp;
    (void)b; (void)c; (void)d;
    if ((a & 3) == 0)
        env->exit_request = 1;
    return a + 1;
}
static const struct ir_helper helpers[4] = {
    { hf_pure, "pure", IR_HELPER_PURE | IR_HELPER_NO_ENV },
    { hf_noenv, "noenv", IR_HELPER_NO_ENV },
    { hf_env, "env", 0 },
    { hf_req, "req", 0 },
};

/* ---- random block generator ---- */

#define MAXLOCALS 40

struct gen {
    struct ir_block *b;
    struct h_ctx *hc;
    ir_temp loc[MAXLOCALS];
    unsigned nloc;              /* locals in use (3..MAXLOCALS): register pressure varies */
    unsigned pending[8], npending;
    ir_temp abase;              /* a computed address later ones may be near (0: none) */
    unsigned depth;             /* access_run nesting */
    int loop_slot;              /* >= 0: a self-loop block (budget charge, goto_tb slot | SELF) */
};

static const unsigned widths[4] = { 8, 16, 32, 64 };

static ir_temp src(struct gen *g)
{
    switch (rn(10)) {
    case 0: case 1: case 2: case 3:
        return g->hc->r[rn(H_NREGS)];
    case 4:
        return rn(3) == 0 ? g->hc->e32 : rn(2) ? g->hc->e16 : g->hc->e8;
    case 5: case 6: case 7:
        return g->loc[rn(g->nloc)];
    default:
        return ir_const(g->b, 64, interesting());
    }
}

static ir_temp dst(struct gen *g)
{
    switch (rn(8)) {
    case 0: case 1: case 2:
        return g->hc->r[rn(H_NREGS)];
    case 3:
        return rn(3) == 0 ? g->hc->e32 : rn(2) ? g->hc->e16 : g->hc->e8;
    default:
        return g->loc[rn(g->nloc)];
    }
}

/* A guest address: mapped pages, read-only page, unmapped page, MMIO, page crossings. */
static ir_temp address(struct gen *g, unsigned size)
{
    uint64_t a;
    switch (rn(8)) {
    case 0:
        a = H_MEM_BASE + TLB_PAGE_SIZE * (1 + rn(3)) - rn(size + 1);   /* around a boundary */
        break;
    case 1:
        a = H_MMIO_BASE + rn(64);
        break;
    default:
        a = H_MEM_BASE + rn(H_MEM_SIZE - 8);
        break;
    }
    ir_temp t = g->loc[rn(g->nloc)];
    if (g->abase && t != g->abase && rn(3) == 0) {
        /* near an earlier address (the JIT reuses TLB probes for base + disp) */
        ir_binop(g->b, IR_ADD, 64, t, g->abase, ir_const(g->b, 64, (uint64_t)((int64_t)rn(48) - 8)));
        return t;
    }
    if (rn(2))
        return ir_const(g->b, 64, a);
    /* computed: base + (x & 0xff) */
    ir_binop(g->b, IR_AND, 64, t, src(g), ir_const(g->b, 64, 0xff));
    ir_binop(g->b, IR_ADD, 64, t, t, ir_const(g->b, 64, a & ~(uint64_t)0xff));
    g->abase = t;
    return t;
}

static void gen_op_random(struct gen *g);

/*
 * A run of loads and stores at one computed base plus small displacements
 * (the JIT's access groups, docs/JIT.md), in a mapped page, across a page
 * boundary, in the read-only page (stores take the slow path, as stores into
 * code pages do), in MMIO, or just below the faulting range (a later member
 * faults after earlier ones took effect); other ops (calls, branches, writes
 * of the base or of the address temps) may come in between.
 */
static void access_run(struct gen *g)
{
    struct ir_block *b = g->b;
    uint64_t a;
    switch (rn(7)) {
    case 0:
        a = H_MEM_BASE + TLB_PAGE_SIZE * (1 + rn(3)) - rn(72);
        break;
    case 1:
        a = H_MMIO_BASE + rn(64);
        break;
    case 2:
        a = H_FAULT_BASE - rn(48);
        break;
    case 3:
        a = H_MEM_BASE + 2 * TLB_PAGE_SIZE + rn(TLB_PAGE_SIZE - 64);
        break;
    default:
        a = H_MEM_BASE + rn(H_MEM_SIZE - 64);
        break;
    }
    ir_temp base = g->loc[rn(g->nloc)];
    ir_binop(b, IR_AND, 64, base, src(g), ir_const(b, 64, 7));
    ir_binop(b, IR_ADD, 64, base, base, ir_const(b, 64, a));
    unsigned n = 2 + rn(7), idx = rn(8) == 0;
    ir_temp prev = IR_NONE;
    for (unsigned i = 0; i < n; i++) {
        if (rn(2))
            ir_insn_start(b, interesting());
        unsigned lg = rn(4), w = widths[lg + rn(4 - lg)];
        int64_t d = (int64_t)rn(72) - 8;
        ir_temp t = base;
        if (prev != IR_NONE && rn(3) == 0) {
            /* from the previous address, like a second PUSH: rsp - 8 - 8 */
            t = g->loc[rn(g->nloc)];
            ir_binop(b, IR_ADD, 64, t, prev, ir_const(b, 64, (uint64_t)(int64_t)(rn(24) - 12)));
            if (rn(2))
                ir_mov(b, 64, base, prev);      /* the stack pointer moves */
        } else if (d || rn(2)) {
            t = g->loc[rn(g->nloc)];
            ir_binop(b, IR_ADD, 64, t, base, ir_const(b, 64, (uint64_t)d));
        }
        prev = t;
        unsigned memop = IR_MEM_SIZE(lg) | IR_MEM_IDX(idx);
        if (rn(2))
            ir_ld(b, w, rn(8) ? dst(g) : base, t, memop | (rn(3) == 0 ? IR_MEM_SIGN : 0));
        else
            ir_st(b, w, src(g), t, memop);
        if (rn(4) == 0)
            gen_op_random(g);
    }
}

static void gen_op_random(struct gen *g)
{
    struct ir_block *b = g->b;
    unsigned w = widths[rn(4)];
    static const unsigned binops[] = {
        IR_ADD, IR_SUB, IR_MUL, IR_MULUH, IR_MULSH, IR_DIVU, IR_DIVS, IR_REMU, IR_REMS,
        IR_AND, IR_OR, IR_XOR, IR_SHL, IR_SHR, IR_SAR, IR_ROTL, IR_ROTR,
    };
    static const unsigned unops[] = { IR_MOV, IR_NEG, IR_NOT, IR_CLZ, IR_CTZ, IR_POPCNT, IR_BSWAP };
    switch (rn(20)) {
    case 0: case 1: case 2: case 3: case 4: case 5: {
        unsigned opc = binops[rn(sizeof(binops) / sizeof(binops[0]))];
        ir_temp a = src(g), c = src(g);
        if (opc >= IR_DIVU && opc <= IR_REMS && rn(3) == 0)
            c = ir_const(b, 64, rn(2) ? 0 : ~0ull);
        ir_binop(b, opc, w, dst(g), a, c);
        break;
    }
    case 6: case 7: {
        unsigned opc = unops[rn(sizeof(unops) / sizeof(unops[0]))];
        if (opc == IR_BSWAP && w == 8)
            w = 16;
        ir_unop(b, opc, w, dst(g), src(g));
        break;
    }
    case 8:
        if (w == 8)
            w = 64;
        ir_sext(b, w, dst(g), src(g), widths[rn(w == 16 ? 1 : w == 32 ? 2 : 3)]);
        break;
    case 9: {
        unsigned len = 1 + rn(w), pos = rn(w - len + 1);
        if (rn(2))
            ir_extract(b, w, dst(g), src(g), pos, len);
        else
            ir_deposit(b, w, dst(g), src(g), src(g), pos, len);
        break;
    }
    case 10:
        ir_setcond(b, w, (enum ir_cond)rn(IR_NEVER + 1), dst(g), src(g), src(g));
        break;
    case 11:
        ir_movcond(b, w, (enum ir_cond)rn(IR_NEVER + 1), dst(g), src(g), src(g), src(g), src(g));
        break;
    case 12: case 13: {
        unsigned lg = rn(4);
        while ((8u << lg) > w)
            w = widths[rn(4)];
        unsigned memop = IR_MEM_SIZE(lg) | IR_MEM_IDX(rn(8) == 0 ? 1 : 0);
        ir_temp a = address(g, 1u << lg);
        if (rn(2))
            ir_ld(b, w, dst(g), a, memop | (rn(2) ? IR_MEM_SIGN : 0));
        else
            ir_st(b, w, src(g), a, memop);
        break;
    }
    case 14: {
        int32_t off = (int32_t)(offsetof(struct h_env, scratch) + 8 * rn(4) + (rn(2) ? 0 : (8 - w / 8)));
        if (rn(2))
            ir_ld_env(b, w, dst(g), off);
        else
            ir_st_env(b, w, src(g), off);
        break;
    }
    case 15:
        ir_call(b, &helpers[rn(4)], rn(4) ? dst(g) : IR_NONE, src(g), src(g),
                rn(2) ? src(g) : IR_NONE, src(g));
        break;
    case 16:
        if (g->npending < 8) {
            unsigned l = ir_label_new(b);
            g->pending[g->npending++] = l;
            ir_brcond(b, w, (enum ir_cond)rn(IR_NEVER + 1), src(g), src(g), l);
        }
        break;
    case 17:
        if (g->npending) {
            unsigned k = rn(g->npending);
            ir_label(b, g->pending[k]);
            g->pending[k] = g->pending[--g->npending];
        }
        break;
    case 18:
        if (g->depth++ < 2)
            access_run(g);
        g->depth--;
        break;
    default: {
        unsigned opc = binops[rn(12)];
        ir_binop(b, opc, w, dst(g), src(g), ir_const(b, 64, interesting()));
        break;
    }
    }
}

static void place_pending(struct gen *g)
{
    while (g->npending)
        ir_label(g->b, g->pending[--g->npending]);
}

static void gen_block(struct gen *g, unsigned nops)
{
    struct ir_block *b = g->b;
    unsigned budget_label = 0;
    if (g->loop_slot >= 0) {
        /* the x86 front end's budget charge, which the JIT's back edge repeats */
        budget_label = ir_label_new(b);
        ir_temp t = ir_temp_new(b), t2 = ir_temp_new(b);
        int32_t off = (int32_t)offsetof(struct h_env, icount);
        ir_ld_env(b, 64, t, off);
        ir_binop(b, IR_SUB, 64, t2, t, ir_const(b, 64, 1 + rn(9)));
        ir_st_env(b, 64, t2, off);
        ir_brcond(b, 64, IR_LT, t2, ir_const(b, 64, 0), budget_label);
    }
    g->nloc = rn(4) ? 3 + rn(12) : 3 + rn(MAXLOCALS - 3);
    bool skip_init = rn(3) == 0;   /* then some locals are read before any write (zero) */
    for (unsigned i = 0; i < g->nloc; i++) {
        g->loc[i] = ir_temp_new(b);
        if (!skip_init || rn(2))
            ir_mov(b, 64, g->loc[i], rn(2) ? ir_const(b, 64, interesting()) : g->hc->r[rn(H_NREGS)]);
    }
    g->npending = 0;
    /* Up to two counted loops, possibly nested; forward labels never cross a loop edge. */
    ir_temp counter[2];
    unsigned label[2], depth = 0, loops = 0;
    for (unsigned i = 0; i < nops; i++) {
        if (loops < 2 && depth < 2 && rn(nops) < 2) {
            place_pending(g);
            counter[depth] = ir_temp_new(b);
            ir_mov(b, 64, counter[depth], ir_const(b, 64, 1 + rn(4)));
            label[depth] = ir_label_new(b);
            ir_label(b, label[depth]);
            depth++;
            loops++;
        }
        if (rn(3) == 0)   /* instruction markers: slow paths must be placed after them */
            ir_insn_start(b, interesting());
        gen_op_random(g);
        while (depth && (rn(nops) < 2 || i == nops - 1)) {
            depth--;
            place_pending(g);
            ir_binop(b, IR_SUB, 64, counter[depth], counter[depth], ir_const(b, 64, 1));
            ir_brcond(b, 64, IR_NE, counter[depth], ir_const(b, 64, 0), label[depth]);
        }
    }
    place_pending(g);
    if (g->loop_slot >= 0) {
        ir_goto_tb(b, (unsigned)g->loop_slot | IR_GOTO_TB_SELF);
        ir_label(b, budget_label);
        ir_exit(b, 0);
        return;
    }
    switch (rn(4)) {
    case 0: ir_goto_tb(b, 0); break;
    case 1: ir_goto_tb(b, 1); break;
    case 2: ir_goto_ptr(b); break;
    default: ir_exit(b, 0); break;
    }
}

/* ---- running and comparing ---- */

static void env_random(struct h_env *env)
{
    h_env_init(env);
    for (unsigned i = 0; i < H_NREGS; i++)
        env->r[i] = interesting();
    env->e32 = (uint32_t)interesting();
    env->e16 = (uint16_t)interesting();
    env->e8 = (uint8_t)interesting();
    for (unsigned i = 0; i < 4; i++)
        env->scratch[i] = rnd();
    h_map_page(env, 0, 0, true);
    h_map_page(env, 0, 1, true);
    h_map_page(env, 0, 2, false);
    /* page 3 unmapped; mode 1 unmapped except page 0 */
    h_map_page(env, 1, 0, true);
}

static uint8_t mem0[H_MEM_SIZE], mem_ref[H_MEM_SIZE];
static unsigned insn_answers;   /* blocks whose last slow path the interpreter placed */
static unsigned faults;         /* blocks that faulted (a slow path unwound) */

/* exec with slow paths at H_FAULT_BASE and above unwinding: true when one did. */
static bool run_guarded(struct engine *e, struct h_env *env, struct tb *tb, uintptr_t *r)
{
    jmp_buf jb;
    env->fault = &jb;
    if (setjmp(jb)) {
        env->fault = NULL;
        return true;
    }
    *r = e->exec(e, env, tb);
    env->fault = NULL;
    return false;
}

static bool same_env(const struct h_env *a, const struct h_env *b)
{
    return !memcmp(a->r, b->r, sizeof(a->r)) && a->e32 == b->e32 && a->e16 == b->e16 &&
           a->e8 == b->e8 && !memcmp(a->scratch, b->scratch, sizeof(a->scratch)) &&
           a->slow_loads == b->slow_loads && a->slow_stores == b->slow_stores &&
           a->mmio_last_addr == b->mmio_last_addr && a->mmio_last_val == b->mmio_last_val &&
           a->exit_request == b->exit_request && a->insn_sum == b->insn_sum && a->icount == b->icount &&
           a->glob_sum == b->glob_sum;
}

static void print_env(const char *tag, const struct h_env *e)
{
    fprintf(stderr, "%s:", tag);
    for (unsigned i = 0; i < H_NREGS; i++)
        fprintf(stderr, " r%u=%016llx", i, (unsigned long long)e->r[i]);
    fprintf(stderr, "\n  e32=%08x e16=%04x e8=%02x scratch=%llx,%llx,%llx,%llx slow=%u/%u mmio=%llx:%llx\n",
            e->e32, e->e16, e->e8, (unsigned long long)e->scratch[0],
            (unsigned long long)e->scratch[1], (unsigned long long)e->scratch[2],
            (unsigned long long)e->scratch[3], e->slow_loads, e->slow_stores,
            (unsigned long long)e->mmio_last_addr, (unsigned long long)e->mmio_last_val);
    fprintf(stderr, "  insn_at: sum %016llx last %llx icount %lld\n", (unsigned long long)e->insn_sum,
            (unsigned long long)e->insn_last, (long long)e->icount);
}

/* Runs `iters` random blocks; returns the number of mismatches. */
static unsigned run_diff(uint64_t seed, unsigned iters, bool no_features)
{
    struct h_ctx hc;
    h_ctx_init(&hc);
    struct engine *ref = engine_interp_new(&h_guest);
    struct engine *jit = engine_x86_64_new(&h_guest, 16u << 20);
    if (!jit) {
        ref->destroy(ref);
        return 0;
    }
    if (no_features)
        engine_x86_64_disable_features(jit, true, true, true);
    struct ir_block b = { 0 };
    ir_block_init(&b, &hc.ctx);
    /* The tail block T that random blocks chain or GOTO_PTR to: r7 ^= r0; r6 += 1; goto_tb 0. */
    struct ir_block tb_ir = { 0 };
    ir_block_init(&tb_ir, &hc.ctx);
    ir_binop(&tb_ir, IR_XOR, 64, hc.r[7], hc.r[7], hc.r[0]);
    ir_binop(&tb_ir, IR_ADD, 64, hc.r[6], hc.r[6], ir_const(&tb_ir, 64, 1));
    ir_goto_tb(&tb_ir, 0);
    struct tb tail_r = { 0 }, tail_j = { 0 };
    assert_true(ref->compile(ref, &tail_r, &tb_ir));
    assert_true(jit->compile(jit, &tail_j, &tb_ir));
    static struct h_env env0, envr, envj;
    unsigned bad = 0;
    for (unsigned it = 0; it < iters && bad < 3; it++) {
        uint64_t bseed = seed + it * 0x9e3779b97f4a7c15ull;
        rng_state = bseed | 1;
        ir_block_reset(&b);
        struct gen g = { .b = &b, .hc = &hc, .loop_slot = rn(3) == 0 ? (int)rn(2) : -1 };
        gen_block(&g, rn(8) ? 4 + rn(40) : 40 + rn(160));
        const char *err = ir_validate(&b);
        if (err) {
            fprintf(stderr, "generator made an invalid block (seed %#llx): %s\n",
                    (unsigned long long)bseed, err);
            ir_dump(&b, stderr);
            bad++;
            continue;
        }
        if (getenv("KILN_VERBOSE")) {
            fprintf(stderr, "block %u seed %#llx\n", it, (unsigned long long)bseed);
            ir_dump(&b, stderr);
        }
        env_random(&env0);
        for (unsigned i = 0; i < H_MEM_SIZE; i++)
            mem0[i] = (uint8_t)rnd();
        bool chain[2] = { rn(2) == 0, rn(2) == 0 }, ptr = rn(2) == 0;
        if (rn(16) == 0)
            env0.exit_request = 1;
        /* A self-loop block runs until its budget is gone: linked to itself
           (the JIT then loops in place) or, a quarter of the time, not. */
        bool self = g.loop_slot >= 0 && rn(4) != 0;
        env0.icount = (int64_t)rn(90);

        struct tb tr = { 0 }, tj = { 0 };
        memcpy(&envr, &env0, sizeof(env0));
        envr.engine = ref;
        memcpy(h_mem, mem0, H_MEM_SIZE);
        if (!ref->compile(ref, &tr, &b)) {
            bad++;
            continue;
        }
        for (unsigned s = 0; s < 2; s++)
            tr.jmp_dest[s] = chain[s] ? &tail_r : NULL;
        if (g.loop_slot >= 0)
            tr.jmp_dest[g.loop_slot] = self ? &tr : NULL;
        envr.lookup_result = ptr ? &tail_r : NULL;
        uintptr_t rr = 0;
        bool fault_r = run_guarded(ref, &envr, &tr, &rr);
        insn_answers += envr.slow_loads + envr.slow_stores && envr.insn_last != H_NO_INSN;
        memcpy(mem_ref, h_mem, H_MEM_SIZE);

        memcpy(&envj, &env0, sizeof(env0));
        envj.engine = jit;
        memcpy(h_mem, mem0, H_MEM_SIZE);
        if (!jit->compile(jit, &tj, &b)) {
            jit->reset(jit);
            assert_true(jit->compile(jit, &tail_j, &tb_ir));
            if (!jit->compile(jit, &tj, &b)) {
                fprintf(stderr, "JIT compile failed (seed %#llx)\n", (unsigned long long)bseed);
                bad++;
                ref->release(ref, &tr);
                continue;
            }
        }
        for (unsigned s = 0; s < 2; s++) {
            if (g.loop_slot >= 0)
                chain[s] = false;
            tj.jmp_dest[s] = chain[s] ? &tail_j : NULL;
            if (chain[s])
                jit->link(jit, &tj, s, &tail_j);
        }
        if (self) {
            tj.jmp_dest[g.loop_slot] = &tj;
            jit->link(jit, &tj, (unsigned)g.loop_slot, &tj);
        }
        envj.lookup_result = ptr ? &tail_j : NULL;
        uintptr_t rj = 0;
        bool fault_j = run_guarded(jit, &envj, &tj, &rj);
        faults += fault_r;
        uintptr_t tbr = rr & ~(uintptr_t)TB_EXIT_MASK, tbj = rj & ~(uintptr_t)TB_EXIT_MASK;
        bool ok = same_env(&envr, &envj) && !memcmp(mem_ref, h_mem, H_MEM_SIZE) &&
                  fault_r == fault_j &&
                  (fault_r || ((rr & TB_EXIT_MASK) == (rj & TB_EXIT_MASK) &&
                               ((tbr == (uintptr_t)&tr && tbj == (uintptr_t)&tj) ||
                                (tbr == (uintptr_t)&tail_r && tbj == (uintptr_t)&tail_j))));
        if (!ok) {
            bad++;
            fprintf(stderr, "MISMATCH: seed %#llx (block %u of run seed %#llx)%s\n",
                    (unsigned long long)bseed, it, (unsigned long long)seed,
                    no_features ? " [no lzcnt/tzcnt/popcnt]" : "");
            ir_dump(&b, stderr);
            print_env("initial", &env0);
            print_env("interp ", &envr);
            print_env("jit    ", &envj);
            fprintf(stderr, "faulted: interp %d jit %d (loop slot %d, linked to itself %d, exit request %u)\n", fault_r, fault_j, g.loop_slot, self, env0.exit_request);
            fprintf(stderr, "exit: interp %u%s jit %u%s (chain %d %d, lookup %d)\n", (unsigned)(rr & 3),
                    tbr == (uintptr_t)&tr ? "" : " from the tail block", (unsigned)(rj & 3),
                    tbj == (uintptr_t)&tj ? "" : " from the tail block", chain[0], chain[1], ptr);
            for (unsigned i = 0; i < H_MEM_SIZE; i++)
                if (mem_ref[i] != h_mem[i])
                    fprintf(stderr, "mem[%#x]: interp %02x jit %02x\n", i, mem_ref[i], h_mem[i]);
            engine_x86_64_dump(&tj, stderr);
        }
        ref->release(ref, &tr);
        jit->release(jit, &tj);
    }
    ref->release(ref, &tail_r);
    jit->release(jit, &tail_j);
    ir_block_free(&tb_ir);
    ir_block_free(&b);
    ref->destroy(ref);
    jit->destroy(jit);
    return bad;
}

static uint64_t run_seed(void)
{
    const char *s = getenv("KILN_SEED");
    if (s)
        return strtoull(s, NULL, 0);
    return (uint64_t)time(NULL) * 0x100000001b3ull ^ (uint64_t)clock();
}

static unsigned iterations(void)
{
    const char *s = getenv("KILN_ITERS");
    return s ? (unsigned)strtoul(s, NULL, 0) : 3000;
}

static void test_random_blocks(void **state)
{
    (void)state;
    uint64_t seed = run_seed();
    fprintf(stderr, "test_jit_diff: seed %#llx (KILN_SEED=... to repeat)\n", (unsigned long long)seed);
    insn_answers = faults = 0;
    assert_int_equal(run_diff(seed, iterations(), false), 0);
    assert_true(insn_answers > 0);   /* the instruction markers were exercised */
    assert_true(faults > 0);         /* and faults part way through blocks */
}

static void test_random_blocks_no_features(void **state)
{
    (void)state;
    uint64_t seed = run_seed() ^ 0x5555;
    fprintf(stderr, "test_jit_diff (fallbacks): seed %#llx\n", (unsigned long long)seed);
    assert_int_equal(run_diff(seed, iterations() / 3, true), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_blocks),
        cmocka_unit_test(test_random_blocks_no_features),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
