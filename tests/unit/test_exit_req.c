/* SPDX-License-Identifier: MIT */
/* test_exit_req.c: an exit request that arrives while a block is looked up or translated, on both engines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/bare.h"
#include "cpu/cpu.h"
#include "translate/log.h"

#define MEM (1u << 20)
#define CODE 0x1000u

/* 0x1000 nop   0x1001 nop   0x1002 hlt */
static const uint8_t prog[] = { 0x90, 0x90, 0xf4 };

/*
 * The alarm that ends a slice (machine/mainloop.c) may set exit_request at any
 * moment, also after the loop's own check and before the block's entry check,
 * e.g. while the block is being translated. The test makes that moment exact:
 * the -d in_asm output of the translation goes to a stream whose writes set the
 * request, so the block is refused at its entry. Nothing ran then: a pending
 * single-step trap must not be raised (it used to be, with rip not advanced:
 * movss_db.asm failed that way under 1 ms alarms).
 */
static ssize_t req_write(void *cookie, const char *buf, size_t n)
{
    (void)buf;
    struct cpu *c = cookie;
    c->exit_request = 1;
    return (ssize_t)n;
}

static void run_engine(enum bare_engine eng)
{
    struct bare_cpu *bc = bare_cpu_new(eng, BARE_MODE_LONG64, 0, MEM);
    assert_non_null(bc);
    struct cpu *c = bare_cpu_cpu(bc);
    assert_true(bare_cpu_write(bc, CODE, prog, sizeof(prog)));
    bare_cpu_set_deliver_mask(bc, 1u << 3); /* a delivering CPU (TF traps), #DB stops it */
    struct bare_regs r;
    bare_cpu_get_regs(bc, &r);
    r.rip = CODE;
    r.rflags |= 0x100; /* TF */
    bare_cpu_set_regs(bc, &r);

    cookie_io_functions_t io = { .write = req_write };
    FILE *f = fopencookie(c, "w", io);
    assert_non_null(f);
    setvbuf(f, NULL, _IONBF, 0);
    struct kiln_log log;
    kiln_log_init(&log);
    log.out = f;
    log.mask = KILN_LOG_BIT(KILN_LOG_IN_ASM);
    bare_cpu_set_log(bc, &log);

    struct bare_result res;
    bare_cpu_run(bc, 100, &res);
    bare_cpu_get_regs(bc, &r);
    assert_int_not_equal(res.stop, BARE_STOP_EXCEPTION);
    assert_int_equal(c->exit_request, 1);   /* the stream did set it */
    assert_int_equal(r.rip, CODE);          /* nothing ran */
    assert_true(r.rflags & 0x100);

    /* The request taken, the same block runs: one NOP, then the trap. */
    bare_cpu_set_log(bc, NULL);
    c->exit_request = 0;
    bare_cpu_run(bc, 100, &res);
    bare_cpu_get_regs(bc, &r);
    assert_int_equal(res.stop, BARE_STOP_EXCEPTION);
    assert_int_equal(res.vector, 1);
    assert_int_equal(r.rip, CODE + 1);
    bare_cpu_free(bc);
    kiln_log_close(&log);
    fclose(f);
}

static void test_interp(void **state) { (void)state; run_engine(BARE_ENGINE_INTERP); }
static void test_jit(void **state) { (void)state; run_engine(BARE_ENGINE_JIT); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interp),
        cmocka_unit_test(test_jit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
