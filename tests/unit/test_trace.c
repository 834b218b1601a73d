/* SPDX-License-Identifier: MIT */
/* test_trace.c: -d trace items on a bare CPU (in_asm, op, op_opt, out_asm, exec, cpu, int, stats, nochain). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/bare.h"
#include "cpu/cpu.h"
#include "translate/log.h"
#include "translate/tb.h"

#define MEM (1u << 20)
#define CODE 0x1000u

/* mov ecx, N; L: add eax, ecx; dec ecx; jnz L; hlt */
static const uint8_t loop_code[] = { 0xb9, 0x05, 0x00, 0x00, 0x00, 0x01, 0xc8, 0xff, 0xc9, 0x75, 0xfa, 0xf4 };
#define LOOP_N 5u
#define LOOP_L (CODE + 5u)

struct tr {
    struct bare_cpu *cpu;
    struct kiln_log log;
    char *buf;
    size_t len;
    struct bare_result res;
    struct bare_regs r;
};

/* A CPU with code at CODE and a log in memory with the given items; false if the engine is missing. */
static void setup(struct tr *t, int engine, enum bare_mode mode, uint32_t mask, const uint8_t *code,
                  size_t n)
{
    memset(t, 0, sizeof(*t));
    t->cpu = bare_cpu_new((enum bare_engine)engine, mode, 0, MEM);
    assert_non_null(t->cpu);      /* a missing engine fails the test, never skips it */
    kiln_log_init(&t->log);
    t->log.out = open_memstream(&t->buf, &t->len);
    assert_non_null(t->log.out);
    t->log.mask = mask;
    bare_cpu_set_log(t->cpu, &t->log);
    assert_true(bare_cpu_write(t->cpu, CODE, code, n));
    t->r.rip = CODE;
    t->r.gpr[4] = 0x8000;
    t->r.rflags = 2;
    bare_cpu_set_regs(t->cpu, &t->r);
}

static void run(struct tr *t)
{
    bare_cpu_run(t->cpu, 100000, &t->res);
    bare_cpu_get_regs(t->cpu, &t->r);
    fflush(t->log.out);
}

/* Frees the CPU (which may write stats), closes the stream: t->buf holds the whole log. */
static void finish(struct tr *t)
{
    bare_cpu_free(t->cpu);
    fclose(t->log.out);
    t->log.out = NULL;
}

static unsigned count(const char *hay, const char *needle)
{
    unsigned n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

#define FOR_ENGINES(e) for (int e = 0; e < 2; e++)

static void test_off_writes_nothing(void **state)
{
    (void)state;
    FOR_ENGINES(e) {
        struct tr t;
        setup(&t, e, BARE_MODE_LONG64, 0, loop_code, sizeof(loop_code));
        run(&t);
        assert_int_equal(t.res.stop, BARE_STOP_HLT);
        assert_int_equal(t.r.gpr[0], 15);
        finish(&t);
        assert_int_equal(t.len, 0);
        free(t.buf);
    }
}

static void test_in_asm(void **state)
{
    (void)state;
    FOR_ENGINES(e) {
        struct tr t;
        setup(&t, e, BARE_MODE_LONG64, KILN_LOG_BIT(KILN_LOG_IN_ASM), loop_code, sizeof(loop_code));
        run(&t);
        finish(&t);
        /* Each instruction named with its bytes and address. */
        assert_non_null(strstr(t.buf, "0x0000000000001000:  b9 05 00 00 00"));
        assert_non_null(strstr(t.buf, "mov ecx, 5"));
        assert_non_null(strstr(t.buf, "add eax, ecx"));
        assert_non_null(strstr(t.buf, "dec ecx"));
        assert_non_null(strstr(t.buf, "jne 0x1005"));
        assert_non_null(strstr(t.buf, "hlt"));
        /* Blocks: 0x1000 (to the jnz), 0x1005 (the loop body), 0x100b (hlt): one IN each. */
        assert_int_equal(count(t.buf, "IN: "), 3);
        assert_non_null(strstr(t.buf, "IN: [pc=0000000000001005"));
        assert_non_null(strstr(t.buf, "64-bit"));
        /* No other item leaked in. */
        assert_null(strstr(t.buf, "OP"));
        assert_null(strstr(t.buf, "Trace:"));
        free(t.buf);
    }
}

static void test_in_asm_16bit(void **state)
{
    (void)state;
    /* mov ax, 0x1234; inc ax; hlt (16-bit code: the operand size says 16-bit disassembly) */
    static const uint8_t c[] = { 0xb8, 0x34, 0x12, 0x40, 0xf4 };
    struct tr t;
    setup(&t, BARE_ENGINE_INTERP, BARE_MODE_REAL, KILN_LOG_BIT(KILN_LOG_IN_ASM), c, sizeof(c));
    run(&t);
    finish(&t);
    assert_int_equal(t.r.gpr[0] & 0xffff, 0x1235);
    assert_non_null(strstr(t.buf, "mov ax, 0x1234"));
    assert_non_null(strstr(t.buf, "inc ax"));
    assert_non_null(strstr(t.buf, "16-bit"));
    free(t.buf);
}

static void test_op_opt_out_asm(void **state)
{
    (void)state;
    FOR_ENGINES(e) {
        struct tr t;
        uint32_t m = KILN_LOG_BIT(KILN_LOG_OP) | KILN_LOG_BIT(KILN_LOG_OP_OPT) | KILN_LOG_BIT(KILN_LOG_OUT_ASM);
        setup(&t, e, BARE_MODE_LONG64, m, loop_code, sizeof(loop_code));
        run(&t);
        finish(&t);
        assert_int_equal(count(t.buf, "OP: [pc="), 3);
        assert_int_equal(count(t.buf, "OP after optimization: [pc="), 3);
        assert_int_equal(count(t.buf, "OUT: [pc="), 3);
        /* The IR marks each guest instruction start. */
        assert_non_null(strstr(t.buf, " ---- 0x1005"));
        assert_non_null(strstr(t.buf, " ---- 0x1009"));
        /* The order per block: OP, then OP after optimization, then OUT. */
        const char *op = strstr(t.buf, "OP: "), *opt = strstr(t.buf, "OP after"), *out = strstr(t.buf, "OUT: ");
        assert_true(op < opt && opt < out);
        if (e == BARE_ENGINE_INTERP) {
            assert_non_null(strstr(t.buf, "(interpreter"));
        } else if (!strstr(t.buf, "(interpreter")) {
            /* JIT host code: capstone lines with host addresses. */
            assert_non_null(strstr(out, "  0x"));
        }
        free(t.buf);
    }
}

static void test_exec_cpu_nochain(void **state)
{
    (void)state;
    FOR_ENGINES(e) {
        struct tr t;
        uint32_t m = KILN_LOG_BIT(KILN_LOG_EXEC) | KILN_LOG_BIT(KILN_LOG_CPU);
        setup(&t, e, BARE_MODE_LONG64, m, loop_code, sizeof(loop_code));
        run(&t);
        assert_int_equal(t.r.gpr[0], 15);
        struct tb_stats ts;
        tb_cache_stats(bare_cpu_cpu(t.cpu)->tbc, &ts);
        assert_int_equal(ts.chained, 0);
        finish(&t);
        /* Entries: the first block once, the loop body LOOP_N - 1 more times, hlt once. */
        assert_int_equal(count(t.buf, "Trace: "), LOOP_N + 1);
        assert_int_equal(count(t.buf, "pc=0000000000001005"), LOOP_N - 1);
        assert_int_equal(count(t.buf, "RIP="), LOOP_N + 1);
        /* The state before the first block and before the last loop iteration. */
        assert_non_null(strstr(t.buf, "RIP=0000000000001000"));
        assert_non_null(strstr(t.buf, "RCX=0000000000000001"));
        assert_non_null(strstr(t.buf, "RAX=000000000000000e")); /* 5+4+3+2 */
        free(t.buf);
    }
}

static void test_chaining_on_without_exec(void **state)
{
    (void)state;
    /* Control: the same loop without exec tracing chains the loop body to itself. */
    FOR_ENGINES(e) {
        struct tr t;
        setup(&t, e, BARE_MODE_LONG64, KILN_LOG_BIT(KILN_LOG_IN_ASM), loop_code, sizeof(loop_code));
        run(&t);
        struct tb_stats ts;
        tb_cache_stats(bare_cpu_cpu(t.cpu)->tbc, &ts);
        assert_true(ts.chained > 0);
        finish(&t);
        free(t.buf);
        setup(&t, e, BARE_MODE_LONG64, KILN_LOG_BIT(KILN_LOG_NOCHAIN), loop_code, sizeof(loop_code));
        run(&t);
        tb_cache_stats(bare_cpu_cpu(t.cpu)->tbc, &ts);
        assert_int_equal(ts.chained, 0);
        finish(&t);
        assert_int_equal(t.len, 0); /* nochain is a switch, it writes nothing */
        free(t.buf);
    }
}

static void test_int(void **state)
{
    (void)state;
    /* mov eax, [0x7ffff000] (outside memory: #PF), in 64-bit mode */
    static const uint8_t pf[] = { 0x8b, 0x04, 0x25, 0x00, 0xf0, 0xff, 0x7f };
    static const uint8_t ud[] = { 0x90, 0x0f, 0x0b };
    FOR_ENGINES(e) {
        struct tr t;
        setup(&t, e, BARE_MODE_LONG64, KILN_LOG_BIT(KILN_LOG_INT), pf, sizeof(pf));
        run(&t);
        finish(&t);
        assert_int_equal(t.res.stop, BARE_STOP_EXCEPTION);
        assert_int_equal(t.res.vector, 14);
        assert_non_null(strstr(t.buf, "exception: vector=0x0e error="));
        assert_non_null(strstr(t.buf, "cr2=000000007ffff000"));
        assert_non_null(strstr(t.buf, "pc=0000000000001000"));
        free(t.buf);
        setup(&t, e, BARE_MODE_LONG64, KILN_LOG_BIT(KILN_LOG_INT), ud, sizeof(ud));
        run(&t);
        finish(&t);
        assert_int_equal(t.res.vector, 6);
        assert_non_null(strstr(t.buf, "exception: vector=0x06 at"));
        assert_non_null(strstr(t.buf, "pc=0000000000001001"));
        assert_null(strstr(t.buf, "error="));
        free(t.buf);
    }
}

static void test_stats(void **state)
{
    (void)state;
    FOR_ENGINES(e) {
        struct tr t;
        setup(&t, e, BARE_MODE_LONG64, KILN_LOG_BIT(KILN_LOG_STATS), loop_code, sizeof(loop_code));
        run(&t);
        assert_int_equal(t.len, 0); /* written only at exit */
        finish(&t);
        assert_non_null(strstr(t.buf, "stats: blocks translated       3\n"));
        assert_non_null(strstr(t.buf, "stats: TB cache: translated 3 "));
        assert_non_null(strstr(t.buf, "translation time"));
        free(t.buf);
    }
}

static void test_unimp(void **state)
{
    (void)state;
    /* mov ecx, 0x12345; rdmsr (unknown MSR: #GP) */
    static const uint8_t msr[] = { 0xb9, 0x45, 0x23, 0x01, 0x00, 0x0f, 0x32 };
    /* vaddps xmm0, xmm0, xmm1 (AVX: not implemented, #UD) */
    static const uint8_t avx[] = { 0xc5, 0xf8, 0x58, 0xc1 };
    FOR_ENGINES(e) {
        struct tr t;
        setup(&t, e, BARE_MODE_LONG64, KILN_LOG_BIT(KILN_LOG_UNIMP), msr, sizeof(msr));
        run(&t);
        assert_int_equal(t.res.vector, 13);
        /* the same again: logged once only */
        t.r.rip = CODE;
        bare_cpu_set_regs(t.cpu, &t.r);
        run(&t);
        assert_int_equal(t.res.vector, 13);
        finish(&t);
        assert_int_equal(count(t.buf, "unimplemented: RDMSR of MSR 0x12345"), 1);
        free(t.buf);
        setup(&t, e, BARE_MODE_LONG64, KILN_LOG_BIT(KILN_LOG_UNIMP), avx, sizeof(avx));
        run(&t);
        finish(&t);
        assert_int_equal(t.res.vector, 6);
        assert_int_equal(count(t.buf, "unimplemented: instruction '"), 1);
        assert_non_null(strstr(t.buf, "(raises #UD)"));
        free(t.buf);
        /* nothing when the item is off */
        setup(&t, e, BARE_MODE_LONG64, KILN_LOG_BIT(KILN_LOG_INT), avx, sizeof(avx));
        run(&t);
        finish(&t);
        assert_null(strstr(t.buf, "unimplemented"));
        free(t.buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_off_writes_nothing),
        cmocka_unit_test(test_in_asm),
        cmocka_unit_test(test_in_asm_16bit),
        cmocka_unit_test(test_op_opt_out_asm),
        cmocka_unit_test(test_exec_cpu_nochain),
        cmocka_unit_test(test_chaining_on_without_exec),
        cmocka_unit_test(test_int),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_unimp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
