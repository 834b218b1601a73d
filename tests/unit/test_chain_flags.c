/* SPDX-License-Identifier: MIT */
/* test_chain_flags.c: guest flags across chained blocks whose successor redefines them, JIT in lockstep with the interpreter (budgets, exit requests, SMC). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/bare.h"
#include "cpu/cpu.h"
#include "translate/tb.h"

/*
 *     mov esi, 300
 * top: mov rbx, rax; and ebx, 3; out 0x80, al; cmp rbx, 1; jz l1
 * l0:  sub rcx, rdx; adc r8, 0; inc rax; dec esi; jnz top; hlt
 * l1:  sub rcx, rdx; sbb r9, 0; add rax, 5; cmp esi, 151; jne skip
 *      mov byte [l0 + 1], 0x11          ; l0's sub becomes adc rcx, rdx (reads CF)
 * skip: dec esi; jnz top; hlt
 * Both successors of top's jz start with a SUB that defines every flag, as
 * does top (AND) for the loop's jnz, so those chained exits skip the flag
 * stores; after the rewrite l0 reads CF first and its edge must store them.
 * The OUT handler raises an exit request right before top's edge every third
 * call.
 */
static const uint8_t prog[] = {
    0xbe, 0x2c, 0x01, 0x00, 0x00, 0x48, 0x89, 0xc3, 0x83, 0xe3, 0x03, 0xe6,
    0x80, 0x48, 0x83, 0xfb, 0x01, 0x74, 0x0f, 0x48, 0x29, 0xd1, 0x49, 0x83,
    0xd0, 0x00, 0x48, 0xff, 0xc0, 0xff, 0xce, 0x75, 0xe4, 0xf4, 0x48, 0x29,
    0xd1, 0x49, 0x83, 0xd9, 0x00, 0x48, 0x83, 0xc0, 0x05, 0x81, 0xfe, 0x97,
    0x00, 0x00, 0x00, 0x75, 0x08, 0xc6, 0x04, 0x25, 0x14, 0x10, 0x00, 0x00,
    0x11, 0xff, 0xce, 0x75, 0xc4, 0xf4,
};
#define CODE 0x1000u

struct io {
    struct bare_cpu *cpu;
    unsigned calls;
    bool requests;
};

static void io_wr(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct io *io = opaque;
    (void)port; (void)value; (void)size;
    if (io->requests && ++io->calls % 3 == 0)
        bare_cpu_cpu(io->cpu)->exit_request = 1;
}

static struct bare_cpu *start(int eng, struct io *io, bool requests, uint64_t seed)
{
    struct bare_cpu *cpu = bare_cpu_new((enum bare_engine)eng, BARE_MODE_LONG64, 0, 1 << 20);
    assert_non_null(cpu);
    assert_true(bare_cpu_write(cpu, CODE, prog, sizeof(prog)));
    io->cpu = cpu;
    io->calls = 0;
    io->requests = requests;
    bare_cpu_set_io(cpu, NULL, io_wr, io);
    struct bare_regs r;
    bare_cpu_get_regs(cpu, &r);
    r.rip = CODE;
    r.gpr[4] = 0x8000;
    r.gpr[1] = 0x8000000000000000ull ^ seed;          /* rcx */
    r.gpr[2] = 0x0123456789abcdefull * (seed | 1);    /* rdx: the SUBs borrow now and then */
    r.rflags = 2;
    bare_cpu_set_regs(cpu, &r);
    return cpu;
}

/* Runs both engines budget instructions at a time, comparing after every stop. */
static uint64_t lockstep(uint64_t budget, bool requests, uint64_t seed)
{
    struct io ioi, ioj;
    struct bare_cpu *ci = start(BARE_ENGINE_INTERP, &ioi, requests, seed);
    struct bare_cpu *cj = start(BARE_ENGINE_JIT, &ioj, requests, seed);
    struct bare_result ri, rj;
    struct bare_regs gi, gj;
    unsigned stops = 0;
    do {
        bare_cpu_run(ci, budget, &ri);
        bare_cpu_run(cj, budget, &rj);
        bare_cpu_cpu(ci)->exit_request = 0;
        bare_cpu_cpu(cj)->exit_request = 0;
        bare_cpu_get_regs(ci, &gi);
        bare_cpu_get_regs(cj, &gj);
        if (ri.stop != rj.stop || ri.insns != rj.insns || memcmp(gi.gpr, gj.gpr, sizeof(gi.gpr)) ||
            gi.rip != gj.rip || gi.rflags != gj.rflags)
            fail_msg("budget %u stop %u: rip %#llx/%#llx rflags %#llx/%#llx rcx %#llx/%#llx "
                     "r8 %#llx/%#llx insns %llu/%llu", (unsigned)budget, stops,
                     (unsigned long long)gi.rip, (unsigned long long)gj.rip,
                     (unsigned long long)gi.rflags, (unsigned long long)gj.rflags,
                     (unsigned long long)gi.gpr[1], (unsigned long long)gj.gpr[1],
                     (unsigned long long)gi.gpr[8], (unsigned long long)gj.gpr[8],
                     (unsigned long long)ri.insns, (unsigned long long)rj.insns);
        assert_true(++stops < 100000);
    } while (ri.stop == BARE_STOP_BUDGET);
    assert_int_equal(ri.stop, BARE_STOP_HLT);
    assert_int_equal(bare_cpu_mem(ci)[CODE + 0x14], 0x11);     /* the rewrite happened */
    struct tb_stats st;
    tb_cache_stats(bare_cpu_cpu(cj)->tbc, &st);
    bare_cpu_free(ci);
    bare_cpu_free(cj);
    return st.chained_fast;
}

static void test_budgets(void **state)
{
    (void)state;
    uint64_t fast = 0;
    for (uint64_t budget = 1; budget <= 40; budget++)
        fast += lockstep(budget, false, budget);
    fast += lockstep(1000000, false, 7);
    assert_true(fast > 0);
}

static void test_exit_requests(void **state)
{
    (void)state;
    uint64_t fast = 0;
    for (uint64_t budget = 3; budget <= 60; budget += 19)
        fast += lockstep(budget, true, budget * 3);
    fast += lockstep(1000000, true, 11);
    assert_true(fast > 0);
}

/* Without the fast exits (-d nochain is not needed: the interpreter never
   uses them), the count of chained exits that skip stores is 0. */
static void test_interp_never_skips(void **state)
{
    (void)state;
    struct io io;
    struct bare_cpu *ci = start(BARE_ENGINE_INTERP, &io, false, 1);
    struct bare_result r;
    bare_cpu_run(ci, 1000000, &r);
    assert_int_equal(r.stop, BARE_STOP_HLT);
    struct tb_stats st;
    tb_cache_stats(bare_cpu_cpu(ci)->tbc, &st);
    assert_true(st.chained > 0);
    assert_int_equal(st.chained_fast, 0);
    bare_cpu_free(ci);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_budgets),
        cmocka_unit_test(test_exit_requests),
        cmocka_unit_test(test_interp_never_skips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
