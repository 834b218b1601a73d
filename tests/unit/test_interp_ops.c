/* SPDX-License-Identifier: MIT */
/* test_interp_ops.c: the interpreter computes every IR op at every width as specified. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "ir_harness.h"

/*
 * An independent reference written with native typed C arithmetic (signed
 * types, __int128), deliberately unlike translate/ir_eval.h.
 */
static uint64_t m_of(unsigned w) { return w == 64 ? ~0ull : (1ull << w) - 1; }

static int64_t s_of(uint64_t v, unsigned w)
{
    switch (w) {
    case 8: return (int8_t)v;
    case 16: return (int16_t)v;
    case 32: return (int32_t)v;
    default: return (int64_t)v;
    }
}

static bool ref_cond(unsigned c, unsigned w, uint64_t a, uint64_t b)
{
    uint64_t ua = a & m_of(w), ub = b & m_of(w);
    int64_t sa = s_of(a, w), sb = s_of(b, w);
    switch (c) {
    case IR_EQ: return ua == ub;
    case IR_NE: return ua != ub;
    case IR_LTU: return ua < ub;
    case IR_GEU: return ua >= ub;
    case IR_LEU: return ua <= ub;
    case IR_GTU: return ua > ub;
    case IR_LT: return sa < sb;
    case IR_GE: return sa >= sb;
    case IR_LE: return sa <= sb;
    case IR_GT: return sa > sb;
    case IR_TSTEQ: return !(ua & ub);
    case IR_TSTNE: return (ua & ub) != 0;
    case IR_ALWAYS: return true;
    default: return false;
    }
}

static uint64_t ref_op(unsigned opc, unsigned w, unsigned cond, uint64_t a, uint64_t b,
                       uint64_t c, uint64_t d, uint64_t aux)
{
    uint64_t m = m_of(w), ua = a & m, ub = b & m;
    int64_t sa = s_of(a, w), sb = s_of(b, w);
    unsigned sh = (unsigned)(b % w);
    unsigned pos = aux & 0xff, len = (aux >> 8) & 0xff;
    uint64_t r = 0;
    switch (opc) {
    case IR_MOV: r = a; break;
    case IR_ADD: r = a + b; break;
    case IR_SUB: r = a - b; break;
    case IR_MUL: r = a * b; break;
    case IR_MULUH: r = (uint64_t)(((unsigned __int128)ua * ub) >> w); break;
    case IR_MULSH: r = (uint64_t)(((__int128)sa * sb) >> w); break;
    case IR_DIVU: r = ub ? ua / ub : 0; break;
    case IR_REMU: r = ub ? ua % ub : 0; break;
    case IR_DIVS:
        r = (sb == 0 || (sb == -1 && sa == s_of(1ull << (w - 1), w))) ? 0 : (uint64_t)(sa / sb);
        break;
    case IR_REMS:
        r = (sb == 0 || (sb == -1 && sa == s_of(1ull << (w - 1), w))) ? 0 : (uint64_t)(sa % sb);
        break;
    case IR_AND: r = a & b; break;
    case IR_OR: r = a | b; break;
    case IR_XOR: r = a ^ b; break;
    case IR_NEG: r = -a; break;
    case IR_NOT: r = ~a; break;
    case IR_SHL: r = ua << sh; break;
    case IR_SHR: r = ua >> sh; break;
    case IR_SAR: r = (uint64_t)(sa >> sh); break;
    case IR_ROTL: r = sh ? (ua << sh) | (ua >> (w - sh)) : ua; break;
    case IR_ROTR: r = sh ? (ua >> sh) | (ua << (w - sh)) : ua; break;
    case IR_SEXT: r = (uint64_t)s_of(a, (unsigned)aux); break;
    case IR_EXTRACT: r = (ua >> pos) & m_of(len); break;
    case IR_DEPOSIT: {
        uint64_t f = m_of(len) << pos;
        r = (ua & ~f) | ((b << pos) & f);
        break;
    }
    case IR_CLZ: {
        unsigned n = 0;
        for (int i = (int)w - 1; i >= 0 && !((ua >> i) & 1); i--)
            n++;
        r = n;
        break;
    }
    case IR_CTZ: {
        unsigned n = 0;
        while (n < w && !((ua >> n) & 1))
            n++;
        r = n;
        break;
    }
    case IR_POPCNT:
        for (unsigned i = 0; i < w; i++)
            r += (ua >> i) & 1;
        break;
    case IR_BSWAP:
        for (unsigned i = 0; i < w / 8; i++)
            r |= ((ua >> (8 * i)) & 0xff) << (w - 8 - 8 * i);
        break;
    case IR_SETCOND: r = ref_cond(cond, w, a, b); break;
    case IR_MOVCOND: r = ref_cond(cond, w, a, b) ? c : d; break;
    }
    return r & m;
}

static const unsigned widths[] = { 8, 16, 32, 64 };

/* Runs "opc.w r4, r0, r1 [, r2, r3]" through the interpreter. */
static uint64_t run_op(struct engine *e, struct h_ctx *hc, unsigned opc, unsigned w, unsigned cond,
                       uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t aux)
{
    static struct ir_block blk;
    static struct h_env env;
    ir_block_init(&blk, &hc->ctx);
    struct ir_op *op = ir_emit(&blk, opc, w, hc->r[4], hc->r[0], ir_op_defs[opc].nin > 1 ? hc->r[1] : IR_NONE, aux);
    op->cond = (uint8_t)cond;
    if (opc == IR_MOVCOND) {
        op->args[3] = hc->r[2];
        op->args[4] = hc->r[3];
    }
    ir_exit(&blk, 0);
    const char *err = ir_validate(&blk);
    if (err)
        fail_msg("%s", err);
    h_env_init(&env);
    env.r[0] = a; env.r[1] = b; env.r[2] = c; env.r[3] = d;
    env.r[4] = 0x5a5a5a5a5a5a5a5aull;
    assert_int_equal(h_run(e, &blk, &env), TB_EXIT_NOCHAIN);
    return env.r[4];
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t interesting(unsigned w)
{
    static const uint64_t fixed[] = { 0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 127, 128,
                                      0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
                                      0xffffffff, 0x7fffffffffffffffull, 0x8000000000000000ull,
                                      ~0ull, ~1ull };
    uint64_t r = rnd();
    switch (r % 4) {
    case 0: return fixed[(r >> 8) % (sizeof(fixed) / sizeof(fixed[0]))];
    case 1: return rnd();
    case 2: return (rnd() & m_of(w)) | (rnd() << 40);  /* garbage above w */
    default: return -(rnd() % 5) ^ ((r >> 8) & 1 ? (1ull << (w - 1)) : 0);
    }
}

static void test_random_vs_reference(void **state)
{
    (void)state;
    struct h_ctx hc;
    h_ctx_init(&hc);
    struct engine *e = engine_interp_new(&h_guest);
    for (unsigned opc = IR_MOV; opc <= IR_MOVCOND; opc++) {
        for (unsigned wi = 0; wi < 4; wi++) {
            unsigned w = widths[wi];
            if (opc == IR_BSWAP && w == 8)
                continue;
            for (unsigned it = 0; it < 120; it++) {
                uint64_t a = interesting(w), b = interesting(w), c = rnd(), d = rnd(), aux = 0;
                unsigned cond = 0;
                if (opc == IR_SEXT) {
                    aux = widths[rnd() % 4];   /* >= w: a mov */
                } else if (opc == IR_EXTRACT || opc == IR_DEPOSIT) {
                    unsigned len = 1 + (unsigned)(rnd() % w);
                    unsigned pos = (unsigned)(rnd() % (w - len + 1));
                    aux = pos | len << 8;
                } else if (opc == IR_SETCOND || opc == IR_MOVCOND) {
                    cond = it % (IR_NEVER + 1);
                }
                uint64_t got = run_op(e, &hc, opc, w, cond, a, b, c, d, aux);
                uint64_t want = ref_op(opc, w, cond, a, b, c, d, aux);
                if (got != want)
                    fail_msg("%s.%u cond %u a=%#llx b=%#llx aux=%#llx: got %#llx want %#llx",
                             ir_op_defs[opc].name, w, cond, (unsigned long long)a,
                             (unsigned long long)b, (unsigned long long)aux,
                             (unsigned long long)got, (unsigned long long)want);
            }
        }
    }
    e->destroy(e);
}

/* Hand-computed edge cases: these pin the spec, not just agreement. */
static void test_edge_cases(void **state)
{
    (void)state;
    struct h_ctx hc;
    h_ctx_init(&hc);
    struct engine *e = engine_interp_new(&h_guest);
    struct { unsigned opc, w, cond; uint64_t a, b, aux, want; } t[] = {
        { IR_ADD, 8, 0, 0xff, 1, 0, 0 },
        { IR_ADD, 32, 0, 0xffffffff, 2, 0, 1 },
        { IR_SUB, 16, 0, 0, 1, 0, 0xffff },
        { IR_MOV, 8, 0, 0x1234, 0, 0, 0x34 },
        { IR_SHL, 32, 0, 1, 31, 0, 0x80000000 },
        { IR_SHL, 32, 0, 1, 32, 0, 1 },              /* count mod w */
        { IR_SHL, 8, 0, 3, 9, 0, 6 },
        { IR_SHR, 64, 0, ~0ull, 63, 0, 1 },
        { IR_SHR, 64, 0, ~0ull, 64, 0, ~0ull },
        { IR_SAR, 8, 0, 0x80, 7, 0, 0xff },
        { IR_SAR, 16, 0, 0x8000, 17, 0, 0xc000 },
        { IR_SAR, 64, 0, 1ull << 63, 63, 0, ~0ull },
        { IR_SAR, 32, 0, 0x40000000, 31, 0, 0 },
        { IR_ROTL, 8, 0, 0x81, 1, 0, 0x03 },
        { IR_ROTL, 16, 0, 0x8001, 16, 0, 0x8001 },
        { IR_ROTR, 32, 0, 1, 1, 0, 0x80000000 },
        { IR_ROTR, 64, 0, 1, 65, 0, 1ull << 63 },
        { IR_SEXT, 64, 0, 0x80, 0, 8, 0xffffffffffffff80ull },
        { IR_SEXT, 32, 0, 0x8000, 0, 16, 0xffff8000 },
        { IR_SEXT, 64, 0, 0x7fffffff, 0, 32, 0x7fffffff },
        { IR_SEXT, 64, 0, 0x8000000000000000ull, 0, 64, 0x8000000000000000ull },
        { IR_SEXT, 16, 0, 0x18000, 0, 32, 0x8000 },
        { IR_EXTRACT, 32, 0, 0xabcd1234, 0, 8 | 8 << 8, 0x12 },
        { IR_EXTRACT, 64, 0, ~0ull, 0, 0 | 64 << 8, ~0ull },
        { IR_DEPOSIT, 32, 0, 0xffffffff, 0, 4 | 8 << 8, 0xfffff00f },
        { IR_CLZ, 32, 0, 0, 0, 0, 32 },
        { IR_CLZ, 8, 0, 1, 0, 0, 7 },
        { IR_CLZ, 64, 0, 1ull << 40, 0, 0, 23 },
        { IR_CTZ, 16, 0, 0, 0, 0, 16 },
        { IR_CTZ, 64, 0, 0, 0, 0, 64 },
        { IR_CTZ, 32, 0, 0x100000000ull, 0, 0, 32 },   /* bits above w ignored */
        { IR_POPCNT, 16, 0, 0x1ffff, 0, 0, 16 },
        { IR_BSWAP, 16, 0, 0x1234, 0, 0, 0x3412 },
        { IR_BSWAP, 32, 0, 0x11223344, 0, 0, 0x44332211 },
        { IR_BSWAP, 64, 0, 0x0102030405060708ull, 0, 0, 0x0807060504030201ull },
        { IR_MULUH, 64, 0, ~0ull, ~0ull, 0, ~0ull - 1 },
        { IR_MULSH, 64, 0, ~0ull, ~0ull, 0, 0 },         /* -1 * -1 = 1 */
        { IR_MULSH, 64, 0, ~0ull, 2, 0, ~0ull },         /* -2: high half all ones */
        { IR_MULSH, 64, 0, 1ull << 63, 1ull << 63, 0, 1ull << 62 },
        { IR_MULUH, 32, 0, 0xffffffff, 0xffffffff, 0, 0xfffffffe },
        { IR_MULSH, 8, 0, 0x80, 0x80, 0, 0x40 },
        { IR_MUL, 64, 0, 1ull << 32, 1ull << 32, 0, 0 },
        { IR_DIVU, 32, 0, 7, 0, 0, 0 },
        { IR_DIVS, 32, 0, 0x80000000, 0xffffffff, 0, 0 },   /* overflow: 0 */
        { IR_DIVS, 8, 0, 0xf9, 2, 0, 0xfd },                /* -7/2 = -3 */
        { IR_REMS, 8, 0, 0xf9, 2, 0, 0xff },                /* -7%2 = -1 */
        { IR_REMS, 16, 0, 7, 0xfffe, 0, 1 },                /* 7%-2 = 1 */
        { IR_DIVS, 64, 0, 1ull << 63, ~0ull, 0, 0 },
        { IR_REMU, 64, 0, ~0ull, 10, 0, 5 },
        { IR_SETCOND, 8, IR_LT, 0x80, 0x7f, 0, 1 },
        { IR_SETCOND, 8, IR_LTU, 0x80, 0x7f, 0, 0 },
        { IR_SETCOND, 32, IR_GT, 0x100000000ull, 0xffffffff, 0, 1 },  /* 0 > -1 */
        { IR_SETCOND, 64, IR_LE, 1ull << 63, 0, 0, 1 },
        { IR_SETCOND, 16, IR_TSTNE, 0x10000, 0xffff, 0, 0 },
        { IR_SETCOND, 64, IR_NEVER, 0, 0, 0, 0 },
        { IR_SETCOND, 64, IR_ALWAYS, 0, 1, 0, 1 },
        { IR_NEG, 16, 0, 1, 0, 0, 0xffff },
        { IR_NOT, 32, 0, 0, 0, 0, 0xffffffff },
    };
    for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        uint64_t got = run_op(e, &hc, t[i].opc, t[i].w, t[i].cond, t[i].a, t[i].b, 0, 0, t[i].aux);
        if (got != t[i].want)
            fail_msg("case %u %s.%u: got %#llx want %#llx", i, ir_op_defs[t[i].opc].name, t[i].w,
                     (unsigned long long)got, (unsigned long long)t[i].want);
        /* and the reference agrees with the hand value */
        assert_int_equal(ref_op(t[i].opc, t[i].w, t[i].cond, t[i].a, t[i].b, 0, 0, t[i].aux),
                         t[i].want);
    }
    e->destroy(e);
}

/* Globals narrower than 64 bits keep only their width; ops read them zero-extended. */
static void test_narrow_globals(void **state)
{
    (void)state;
    struct h_ctx hc;
    h_ctx_init(&hc);
    struct engine *e = engine_interp_new(&h_guest);
    struct ir_block b = { 0 };
    struct h_env env;
    ir_block_init(&b, &hc.ctx);
    ir_mov(&b, 64, hc.e32, hc.r[0]);                 /* e32 = low 32 bits of r0 */
    ir_binop(&b, IR_ADD, 64, hc.r[1], hc.e32, ir_const(&b, 64, 1));
    ir_mov(&b, 64, hc.e8, hc.r[0]);
    ir_mov(&b, 64, hc.r[2], hc.e8);
    ir_binop(&b, IR_SUB, 16, hc.e16, hc.e16, ir_const(&b, 16, 1));
    ir_exit(&b, 0);
    assert_null(ir_validate(&b));
    h_env_init(&env);
    env.r[0] = 0x11223344ffffffffull;
    env.e16 = 0;
    h_run(e, &b, &env);
    assert_int_equal(env.e32, 0xffffffff);
    assert_int_equal(env.r[1], 0x100000000ull);
    assert_int_equal(env.e8, 0xff);
    assert_int_equal(env.r[2], 0xff);
    assert_int_equal(env.e16, 0xffff);
    ir_block_free(&b);
    e->destroy(e);
}

static void test_env_access(void **state)
{
    (void)state;
    struct h_ctx hc;
    h_ctx_init(&hc);
    struct engine *e = engine_interp_new(&h_guest);
    struct ir_block b = { 0 };
    struct h_env env;
    ir_block_init(&b, &hc.ctx);
    ir_temp t = ir_temp_new(&b);
    int32_t s0 = offsetof(struct h_env, scratch), s1 = s0 + 8;
    ir_ld_env(&b, 32, t, s0);
    ir_st_env(&b, 16, t, s1);
    ir_ld_env(&b, 64, hc.r[0], s0);
    ir_ld_env(&b, 8, hc.r[1], s0 + 1);
    ir_exit(&b, 0);
    assert_null(ir_validate(&b));
    h_env_init(&env);
    env.scratch[0] = 0x8877665544332211ull;
    env.scratch[1] = ~0ull;
    h_run(e, &b, &env);
    assert_int_equal(env.scratch[1], 0xffffffffffff2211ull);
    assert_int_equal(env.r[0], 0x8877665544332211ull);
    assert_int_equal(env.r[1], 0x22);
    ir_block_free(&b);
    e->destroy(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_random_vs_reference),
        cmocka_unit_test(test_narrow_globals),
        cmocka_unit_test(test_env_access),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
