/* SPDX-License-Identifier: MIT */
/* test_jit.c: x86-64 JIT: every pure op at every width, fused sequences, chaining, exit requests, faults, code space. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "ir_harness.h"
#include "translate/ir_eval.h"
#include "translate/x86_64.h"

static int setup(void **state)
{
    return h_fx_setup(state, engine_x86_64_new(&h_guest, 4u << 20));
}

#define R(i) (f->hc.r[i])
#define C(v) ir_const(&f->b, 64, (v))

static const uint64_t vals[] = {
    0, 1, 2, 5, 7, 8, 31, 32, 33, 63, 64, 0x7f, 0x80, 0x81, 0xff, 0x7fff, 0x8000, 0xffff,
    0x12345, 0x7fffffff, 0x80000000ull, 0x80000001ull, 0xffffffffull, 0x100000000ull,
    0xfedcba9876543210ull, 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, ~0ull - 1,
};
#define NVALS (sizeof(vals) / sizeof(vals[0]))

/* One op "op.w r2, r0, r1" (operands as globals, or b as a constant), checked against ir_eval. */
static void check_binop(struct h_fx *f, unsigned opc, unsigned w, unsigned cond, uint64_t aux, bool konst)
{
    for (unsigned i = 0; i < NVALS; i++) {
        for (unsigned k = 0; k < NVALS; k++) {
            uint64_t a = vals[i], b = vals[(k * 7 + i) % NVALS] ^ (k > NVALS / 2 ? vals[k] << 3 : 0);
            ir_block_reset(&f->b);
            ir_temp tb = konst ? C(b) : R(1);
            struct ir_op *op = ir_emit(&f->b, opc, w, R(2), R(0),
                                       ir_op_defs[opc].nin > 1 ? tb : IR_NONE, aux);
            op->cond = (uint8_t)cond;
            if (opc == IR_MOVCOND) {
                op->args[3] = R(3);
                op->args[4] = R(4);
            }
            ir_exit(&f->b, 0);
            const char *err = ir_validate(&f->b);
            if (err)
                fail_msg("%s", err);
            h_env_init(&f->env);
            f->env.r[0] = a;
            f->env.r[1] = b;
            f->env.r[3] = 0x1111222233334444ull;
            f->env.r[4] = 0x5555666677778888ull;
            uint64_t x[4] = { a, b, f->env.r[3], f->env.r[4] }, want = 0;
            assert_true(ir_eval(opc, w, cond, x, aux, &want));
            assert_int_equal(h_run(f->e, &f->b, &f->env), TB_EXIT_NOCHAIN);
            f->e->reset(f->e);     /* the block is gone: reuse the code space */
            if (f->env.r[2] != want) {
                ir_dump(&f->b, stderr);
                fail_msg("%s.%u a=%#llx b=%#llx: jit %#llx want %#llx", ir_op_defs[opc].name, w,
                         (unsigned long long)a, (unsigned long long)b,
                         (unsigned long long)f->env.r[2], (unsigned long long)want);
            }
            if (ir_op_defs[opc].nin < 2)
                break;
        }
    }
}

static void test_arith_ops(void **state)
{
    struct h_fx *f = *state;
    static const unsigned ops[] = {
        IR_MOV, IR_ADD, IR_SUB, IR_MUL, IR_MULUH, IR_MULSH, IR_DIVU, IR_DIVS, IR_REMU, IR_REMS,
        IR_AND, IR_OR, IR_XOR, IR_NEG, IR_NOT, IR_SHL, IR_SHR, IR_SAR, IR_ROTL, IR_ROTR,
        IR_CLZ, IR_CTZ, IR_POPCNT,
    };
    for (unsigned n = 0; n < sizeof(ops) / sizeof(ops[0]); n++)
        for (unsigned w = 8; w <= 64; w *= 2)
            for (int konst = 0; konst < 2; konst++)
                check_binop(f, ops[n], w, 0, 0, konst);
}

static void test_bit_ops(void **state)
{
    struct h_fx *f = *state;
    for (unsigned w = 16; w <= 64; w *= 2)
        check_binop(f, IR_BSWAP, w, 0, 0, false);
    for (unsigned w = 8; w <= 64; w *= 2)     /* every source width IR.md allows, >= w too */
        for (unsigned from = 8; from <= 64; from *= 2)
            check_binop(f, IR_SEXT, w, 0, from, false);
    for (unsigned w = 8; w <= 64; w *= 2) {
        for (unsigned len = 1; len <= w; len += (len < 9 ? 1 : 7)) {
            for (unsigned pos = 0; pos + len <= w; pos += 1 + pos / 3) {
                check_binop(f, IR_EXTRACT, w, 0, pos | len << 8, false);
                check_binop(f, IR_DEPOSIT, w, 0, pos | len << 8, pos & 1);
            }
        }
    }
}

static void test_compare_ops(void **state)
{
    struct h_fx *f = *state;
    for (unsigned cond = 0; cond <= IR_NEVER; cond++) {
        for (unsigned w = 8; w <= 64; w *= 2) {
            for (int konst = 0; konst < 2; konst++) {
                check_binop(f, IR_SETCOND, w, cond, 0, konst);
                check_binop(f, IR_MOVCOND, w, cond, 0, konst);
            }
        }
    }
}

static void test_fallback_bitcounts(void **state)
{
    struct h_fx *f = *state;
    engine_x86_64_disable_features(f->e, true, true, true);
    for (unsigned w = 8; w <= 64; w *= 2) {
        check_binop(f, IR_CLZ, w, 0, 0, false);
        check_binop(f, IR_CTZ, w, 0, 0, false);
        check_binop(f, IR_POPCNT, w, 0, 0, false);
    }
}

static void test_narrow_globals(void **state)
{
    struct h_fx *f = *state;
    /* 64-bit results written to 32/16/8-bit globals are truncated to the field. */
    ir_binop(&f->b, IR_ADD, 64, f->hc.e32, R(0), C(0x100000001ull));
    ir_binop(&f->b, IR_ADD, 64, f->hc.e16, f->hc.e16, C(0x10001));
    ir_binop(&f->b, IR_SUB, 64, f->hc.e8, f->hc.e8, C(1));
    ir_mov(&f->b, 64, R(1), f->hc.e32);
    ir_mov(&f->b, 64, R(2), f->hc.e16);
    ir_mov(&f->b, 64, R(3), f->hc.e8);
    ir_exit(&f->b, 0);
    f->env.r[0] = 0xfffffffffull;
    f->env.e16 = 0xffff;
    f->env.e8 = 0;
    assert_int_equal(h_run(f->e, &f->b, &f->env), TB_EXIT_NOCHAIN);
    assert_int_equal(f->env.e32, 0);
    assert_int_equal(f->env.r[1], 0);
    assert_int_equal(f->env.e16, 0);
    assert_int_equal(f->env.r[2], 0);
    assert_int_equal(f->env.e8, 0xff);
    assert_int_equal(f->env.r[3], 0xff);
}

/* Many locals live at once: forces spills to the frame and reloads. */
static void test_register_pressure(void **state)
{
    struct h_fx *f = *state;
    enum { N = 40 };
    ir_temp t[N];
    for (unsigned i = 0; i < N; i++) {
        t[i] = ir_temp_new(&f->b);
        ir_binop(&f->b, IR_MUL, 64, t[i], R(i % H_NREGS), C(i + 3));
    }
    ir_mov(&f->b, 64, R(0), C(0));
    for (unsigned i = 0; i < N; i++) {
        ir_binop(&f->b, IR_ROTL, 64, R(0), R(0), C(5));
        ir_binop(&f->b, IR_XOR, 64, R(0), R(0), t[N - 1 - i]);
    }
    ir_exit(&f->b, 0);
    uint64_t r[H_NREGS];
    for (unsigned i = 0; i < H_NREGS; i++)
        r[i] = f->env.r[i] = 0x0123456789abcdefull * (i + 1);
    uint64_t want = 0;
    for (unsigned i = 0; i < N; i++) {
        unsigned k = N - 1 - i;
        want = (want << 5 | want >> 59) ^ (r[k % H_NREGS] * (k + 3));
    }
    assert_int_equal(h_run(f->e, &f->b, &f->env), TB_EXIT_NOCHAIN);
    assert_int_equal(f->env.r[0], want);
}

/* Runs tb three times, counting the longjmps out of it. */
static int run_faulting(struct engine *e, struct h_env *env, struct tb *tb)
{
    jmp_buf jb;
    volatile int faulted = 0;
    env->fault = &jb;
    for (volatile int round = 0; round < 3; round++) {
        if (setjmp(jb) == 0)
            e->exec(e, env, tb);
        else
            faulted++;
    }
    env->fault = NULL;
    return faulted;
}

static void test_memory_and_fault(void **state)
{
    struct h_fx *f = *state;
    h_map_page(&f->env, 0, 0, true);
    memcpy(h_mem + 0x20, "\x81\x82\x83\x84\x85\x86\x87\x88", 8);
    ir_ld(&f->b, 64, R(0), C(H_MEM_BASE + 0x20), IR_MEM_SIZE(1) | IR_MEM_SIGN);
    ir_ld(&f->b, 32, R(1), C(H_MEM_BASE + 0x20), IR_MEM_SIZE(0) | IR_MEM_SIGN);
    ir_ld(&f->b, 64, R(2), C(H_MEM_BASE + 0xffe), IR_MEM_SIZE(2));          /* crosses: slow */
    ir_st(&f->b, 64, C(0x1122334455667788ull), C(H_MEM_BASE + 0x40), IR_MEM_SIZE(3));
    ir_st(&f->b, 32, R(0), C(H_MMIO_BASE + 4), IR_MEM_SIZE(1));             /* slow */
    ir_exit(&f->b, 0);
    assert_int_equal(h_run(f->e, &f->b, &f->env), TB_EXIT_NOCHAIN);
    assert_int_equal(f->env.r[0], 0xffffffffffff8281ull);
    assert_int_equal(f->env.r[1], 0xffffff81u);
    assert_int_equal(f->env.slow_loads, 1);
    assert_int_equal(f->env.slow_stores, 1);
    assert_int_equal(f->env.mmio_last_val, 0x8281);
    assert_memory_equal(h_mem + 0x40, "\x88\x77\x66\x55\x44\x33\x22\x11", 8);

    /* A faulting slow path longjmps out of generated code; r3's write before it is in env. */
    ir_block_reset(&f->b);
    ir_mov(&f->b, 64, R(3), C(42));
    ir_ld(&f->b, 64, R(4), C(H_FAULT_BASE), IR_MEM_SIZE(3));
    ir_mov(&f->b, 64, R(3), C(43));
    ir_exit(&f->b, 0);
    struct tb *tb = h_compile(f->e, &f->b);
    assert_non_null(tb);
    assert_int_equal(run_faulting(f->e, &f->env, tb), 3);
    assert_int_equal(f->env.r[3], 42);
    h_tb_free(f->e, tb);
    /* the engine still runs code after unwinding */
    ir_block_reset(&f->b);
    ir_binop(&f->b, IR_ADD, 64, R(3), R(3), C(1));
    ir_exit(&f->b, 0);
    assert_int_equal(h_run(f->e, &f->b, &f->env), TB_EXIT_NOCHAIN);
    assert_int_equal(f->env.r[3], 43);
}

static uint64_t set_request_at_5(void *envp, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    struct h_env *env = envp;
    (void)b; (void)c; (void)d;
    if (a == 5)
        env->exit_request = 1;
    return 0;
}
static const struct ir_helper req_helper = { set_request_at_5, "req", 0 };

static void test_chaining(void **state)
{
    struct h_fx *f = *state;
    struct engine *e = f->e;
    /* A: r0++; if r0 >= 100 exit; goto_tb 0 */
    unsigned l = ir_label_new(&f->b);
    ir_binop(&f->b, IR_ADD, 64, R(0), R(0), C(1));
    ir_call(&f->b, &req_helper, IR_NONE, R(0), IR_NONE, IR_NONE, IR_NONE);
    ir_brcond(&f->b, 64, IR_GEU, R(0), C(100), l);
    ir_goto_tb(&f->b, 0);
    ir_label(&f->b, l);
    ir_exit(&f->b, 0);
    struct tb *a = h_compile(e, &f->b);
    /* B: r1 += 10; goto_tb 1 */
    ir_block_reset(&f->b);
    ir_binop(&f->b, IR_ADD, 64, R(1), R(1), C(10));
    ir_goto_tb(&f->b, 1);
    struct tb *b = h_compile(e, &f->b);
    assert_non_null(a);
    assert_non_null(b);

    /* unlinked: each exec runs one block */
    assert_int_equal(e->exec(e, &f->env, a), (uintptr_t)a | TB_EXIT_SLOT0);
    assert_int_equal(f->env.r[0], 1);
    assert_int_equal(e->exec(e, &f->env, b), (uintptr_t)b | TB_EXIT_SLOT1);
    assert_int_equal(f->env.r[1], 10);

    /* a -> b -> a (loop through two blocks) until r0 reaches 100, in one exec,
       except that the helper raises an exit request when r0 == 5 */
    e->link(e, a, 0, b);
    e->link(e, b, 1, a);
    assert_int_equal(e->exec(e, &f->env, a), (uintptr_t)b | TB_EXIT_REQUESTED);
    assert_int_equal(f->env.r[0], 5);
    assert_int_equal(f->env.r[1], 40);
    f->env.exit_request = 0;
    assert_int_equal(e->exec(e, &f->env, b), (uintptr_t)a | TB_EXIT_NOCHAIN);
    assert_int_equal(f->env.r[0], 100);
    assert_int_equal(f->env.r[1], 990);

    /* a request before the first block returns that block, having run nothing */
    f->env.exit_request = 1;
    assert_int_equal(e->exec(e, &f->env, a), (uintptr_t)a | TB_EXIT_REQUESTED);
    assert_int_equal(f->env.r[0], 100);
    f->env.exit_request = 0;

    /* unlink restores the exit */
    f->env.r[0] = 0;
    e->link(e, a, 0, NULL);
    assert_int_equal(e->exec(e, &f->env, a), (uintptr_t)a | TB_EXIT_SLOT0);
    assert_int_equal(f->env.r[0], 1);
    assert_int_equal(f->env.r[1], 990);

    /* GOTO_PTR: lookup finds b, which exits through its unlinked slot 1 */
    ir_block_reset(&f->b);
    ir_binop(&f->b, IR_ADD, 64, R(2), R(2), C(7));
    ir_goto_ptr(&f->b);
    struct tb *p = h_compile(e, &f->b);
    e->link(e, b, 1, NULL);
    f->env.lookup_result = b;
    assert_int_equal(e->exec(e, &f->env, p), (uintptr_t)b | TB_EXIT_SLOT1);
    assert_int_equal(f->env.r[2], 7);
    assert_int_equal(f->env.r[1], 1000);
    f->env.lookup_result = NULL;
    assert_int_equal(e->exec(e, &f->env, p), (uintptr_t)p | TB_EXIT_NOCHAIN);
    assert_int_equal(f->env.r[2], 14);

    /* the disassembler prints the block */
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    engine_x86_64_dump(a, out);
    fclose(out);
    assert_non_null(strstr(buf, "jmp"));
    assert_non_null(strstr(buf, "cmp"));
    free(buf);
    h_tb_free(e, a);
    h_tb_free(e, b);
    h_tb_free(e, p);
}

static void test_code_space(void **state)
{
    (void)state;
    struct h_ctx hc;
    h_ctx_init(&hc);
    struct engine *e = engine_x86_64_new(&h_guest, 65536);
    assert_non_null(e);
    struct ir_block b = { 0 };
    ir_block_init(&b, &hc.ctx);
    for (unsigned i = 0; i < 200; i++)
        ir_binop(&b, IR_ADD, 64, hc.r[i % H_NREGS], hc.r[(i + 1) % H_NREGS], hc.r[(i + 3) % H_NREGS]);
    ir_exit(&b, 0);
    struct tb tb;
    unsigned n = 0;
    memset(&tb, 0, sizeof(tb));
    while (e->compile(e, &tb, &b) && n < 10000)
        n++;
    assert_true(n > 5 && n < 10000);            /* filled up, then refused */
    e->reset(e);
    assert_true(e->compile(e, &tb, &b));        /* room again after reset */
    ir_block_free(&b);
    e->destroy(e);
}

/* The budget charge the x86 front end puts at every block start, which the JIT
   fuses into `sub qword [env], n; js`: the same result as the interpreter for
   counters around 0 and at the wrap-around. */
static void test_counter_dec(void **state)
{
    struct h_fx *f = *state;
    struct engine *ie = engine_interp_new(&h_guest);
    assert_non_null(ie);
    static const uint64_t starts[] = { 0, 1, 2, 3, 4, 0x7fffffffffffffffull, 0x8000000000000000ull,
                                       0x8000000000000001ull, 0x8000000000000002ull, ~0ull, 1000 };
    static const uint64_t subs[] = { 0, 1, 3, 127, 128, 0x7fffffff };
    int32_t off = (int32_t)offsetof(struct h_env, scratch[1]);
    for (unsigned si = 0; si < sizeof(subs) / sizeof(subs[0]); si++) {
        ir_block_reset(&f->b);
        unsigned l = ir_label_new(&f->b);
        ir_temp t = ir_temp_new(&f->b), t2 = ir_temp_new(&f->b);
        ir_ld_env(&f->b, 64, t, off);
        ir_binop(&f->b, IR_SUB, 64, t2, t, C(subs[si]));
        ir_st_env(&f->b, 64, t2, off);
        ir_brcond(&f->b, 64, IR_LT, t2, C(0), l);
        ir_binop(&f->b, IR_ADD, 64, R(0), R(0), C(1));
        ir_exit(&f->b, 0);
        ir_label(&f->b, l);
        ir_binop(&f->b, IR_ADD, 64, R(1), R(1), C(1));
        ir_exit(&f->b, 1);
        for (unsigned k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
            struct h_env e1, e2;
            h_env_init(&e1);
            e1.scratch[1] = starts[k];
            e2 = e1;
            h_run(f->e, &f->b, &e1);
            h_run(ie, &f->b, &e2);
            assert_int_equal(e1.scratch[1], starts[k] - subs[si]);
            assert_int_equal(e1.scratch[1], e2.scratch[1]);
            assert_int_equal(e1.r[0], e2.r[0]);
            assert_int_equal(e1.r[1], e2.r[1]);
            assert_int_equal(e1.r[1], (int64_t)(starts[k] - subs[si]) < 0);
        }
    }
    /* and the fused form is what was emitted */
    struct tb *tb = h_compile(f->e, &f->b);
    assert_non_null(tb);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    engine_x86_64_dump(tb, out);
    fclose(out);
    assert_non_null(strstr(buf, "sub      qword ptr [rbp"));
    assert_non_null(strstr(buf, "js "));
    free(buf);
    h_tb_free(f->e, tb);
    ie->destroy(ie);
}

/* shl/add/add as one scaled-index LEA (x86_64_fuse.c): every shape, against the interpreter. */
static void test_lea_fuse(void **state)
{
    struct h_fx *f = *state;
    struct engine *ie = engine_interp_new(&h_guest);
    assert_non_null(ie);
    static const int64_t disps[] = { 0, 1, -8, 0x7fffffff, -0x7fffffff - 1, 0x100000000ll };
    static const uint64_t xs[] = { 0, 1, 0x123456789abcdefull, ~0ull, 0x8000000000000000ull };
    bool fused_seen = false;
    for (unsigned k = 0; k <= 4; k++) {
        for (unsigned shape = 0; shape < 8; shape++) {
            for (unsigned di = 0; di < sizeof(disps) / sizeof(disps[0]) + 1; di++) {
                bool third = di < sizeof(disps) / sizeof(disps[0]);
                ir_block_reset(&f->b);
                ir_temp x = R(0), y = R(1), t = ir_temp_new(&f->b), u = ir_temp_new(&f->b);
                if (shape == 4) {            /* both inputs locals */
                    x = ir_temp_new(&f->b);
                    y = ir_temp_new(&f->b);
                    ir_mov(&f->b, 64, x, R(0));
                    ir_mov(&f->b, 64, y, R(1));
                }
                ir_temp out = shape == 2 ? R(0) : shape == 3 ? R(1) : R(2);
                ir_binop(&f->b, IR_SHL, 64, t, x, C(k));
                ir_temp mid = third ? u : out;
                if (shape == 1)
                    ir_binop(&f->b, IR_ADD, 64, mid, t, y);
                else
                    ir_binop(&f->b, IR_ADD, 64, mid, y, t);
                if (third)
                    ir_binop(&f->b, IR_ADD, 64, out, u, C((uint64_t)disps[di]));
                if (shape == 5)              /* t read again: no fusion */
                    ir_binop(&f->b, IR_XOR, 64, R(3), R(3), t);
                if (shape == 6 && third)     /* u read again: shl + add only */
                    ir_binop(&f->b, IR_XOR, 64, R(4), R(4), u);
                if (shape == 7)              /* the shift's input changes right after */
                    ir_binop(&f->b, IR_ADD, 64, x, x, C(5));
                ir_exit(&f->b, 0);
                const char *err = ir_validate(&f->b);
                if (err)
                    fail_msg("%s", err);
                for (unsigned v = 0; v < sizeof(xs) / sizeof(xs[0]); v++) {
                    struct h_env e1, e2;
                    h_env_init(&e1);
                    for (unsigned r = 0; r < H_NREGS; r++)
                        e1.r[r] = xs[(v + r) % 5] ^ (0x1111111111111111ull * r);
                    e2 = e1;
                    h_run(f->e, &f->b, &e1);
                    f->e->reset(f->e);
                    h_run(ie, &f->b, &e2);
                    for (unsigned r = 0; r < H_NREGS; r++)
                        if (e1.r[r] != e2.r[r])
                            fail_msg("k %u shape %u disp %u: r%u jit %#llx interp %#llx", k, shape, di, r,
                                     (unsigned long long)e1.r[r], (unsigned long long)e2.r[r]);
                }
                if (k >= 1 && k <= 3 && shape == 0 && third && di == 2) {
                    struct tb *tb = h_compile(f->e, &f->b);
                    assert_non_null(tb);
                    char *buf = NULL;
                    size_t len = 0;
                    FILE *out_f = open_memstream(&buf, &len);
                    engine_x86_64_dump(tb, out_f);
                    fclose(out_f);
                    fused_seen = strstr(buf, "lea") && strstr(buf, "- 8]") && !strstr(buf, "shl");
                    assert_true(fused_seen);
                    free(buf);
                    h_tb_free(f->e, tb);
                    f->e->reset(f->e);
                }
            }
        }
    }
    assert_true(fused_seen);
    ie->destroy(ie);
}

int main(void)
{
    struct engine *probe = engine_x86_64_new(&h_guest, 65536);
    if (!probe) {   /* not an x86-64 host: nothing to test */
        printf("[==========] 0 test(s) run.\n[  PASSED  ] 0 test(s).\n");
        return 0;
    }
    probe->destroy(probe);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_arith_ops, setup, h_fx_teardown),
        cmocka_unit_test_setup_teardown(test_bit_ops, setup, h_fx_teardown),
        cmocka_unit_test_setup_teardown(test_compare_ops, setup, h_fx_teardown),
        cmocka_unit_test_setup_teardown(test_fallback_bitcounts, setup, h_fx_teardown),
        cmocka_unit_test_setup_teardown(test_narrow_globals, setup, h_fx_teardown),
        cmocka_unit_test_setup_teardown(test_register_pressure, setup, h_fx_teardown),
        cmocka_unit_test_setup_teardown(test_memory_and_fault, setup, h_fx_teardown),
        cmocka_unit_test_setup_teardown(test_chaining, setup, h_fx_teardown),
        cmocka_unit_test_setup_teardown(test_counter_dec, setup, h_fx_teardown),
        cmocka_unit_test_setup_teardown(test_lea_fuse, setup, h_fx_teardown),
        cmocka_unit_test(test_code_space),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
