/* SPDX-License-Identifier: MIT */
/* test_ifconv.c: Jcc over a few instructions turned branch-free (cpu/tr_ifconv.c) vs one instruction at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/bare.h"
#include "cpu/cpu.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static unsigned rn(unsigned n) { return (unsigned)(rnd() % n); }

struct enc { uint8_t b[4], n; };

/* Register-only instructions a region may hold (and some it may not). */
static const struct enc region_pool[] = {
    { { 0xff, 0xc1 }, 2 },             /* inc ecx */
    { { 0xff, 0xca }, 2 },             /* dec edx */
    { { 0x01, 0xd8 }, 2 },             /* add eax, ebx */
    { { 0x83, 0xeb, 0x05 }, 3 },       /* sub ebx, 5 */
    { { 0x31, 0xc1 }, 2 },             /* xor ecx, eax */
    { { 0x89, 0xda }, 2 },             /* mov edx, ebx */
    { { 0xf7, 0xd8 }, 2 },             /* neg eax */
    { { 0xf7, 0xd3 }, 2 },             /* not ebx */
    { { 0xd1, 0xe0 }, 2 },             /* shl eax, 1 */
    { { 0xc1, 0xeb, 0x03 }, 3 },       /* shr ebx, 3 */
    { { 0x48, 0xff, 0xc1 }, 3 },       /* inc rcx */
    { { 0x21, 0xd9 }, 2 },             /* and ecx, ebx */
    { { 0x80, 0xc4, 0x07 }, 3 },       /* add ah, 7 */
    { { 0x0f, 0xb6, 0xc3 }, 3 },       /* movzx eax, bl */
    { { 0x85, 0xc9 }, 2 },             /* test ecx, ecx */
    { { 0x39, 0xd0 }, 2 },             /* cmp eax, edx */
    { { 0x48, 0xff, 0xca }, 3 },       /* dec rdx */
    { { 0x11, 0xc8 }, 2 },             /* adc eax, ecx: not converted */
    { { 0xd3, 0xe0 }, 2 },             /* shl eax, cl: not converted */
    { { 0x89, 0x1c, 0x24 }, 3 },       /* mov [rsp], ebx: not converted */
};
static const struct enc setters[] = {
    { { 0x39, 0xd8 }, 2 },             /* cmp eax, ebx */
    { { 0xf6, 0xc1, 0x05 }, 3 },       /* test cl, 5 */
    { { 0x01, 0xd0 }, 2 },             /* add eax, edx */
    { { 0x29, 0xc8 }, 2 },             /* sub eax, ecx */
    { { 0xff, 0xc0 }, 2 },             /* inc eax */
    { { 0x90 }, 1 },                   /* nop: flags of whatever came before */
};
/* After a region: readers of the flags it may have changed. */
static const struct enc readers[] = {
    { { 0xff, 0xc6 }, 2 },             /* inc esi (keeps CF) */
    { { 0xff, 0xcf }, 2 },             /* dec edi */
    { { 0x83, 0xd6, 0x00 }, 3 },       /* adc esi, 0 */
    { { 0x0f, 0x92, 0xc7 }, 3 },       /* setc bh */
    { { 0x9c, 0x5f }, 2 },             /* pushf; pop rdi */
    { { 0x90 }, 1 },
};

static size_t put(uint8_t *p, const struct enc *e)
{
    memcpy(p, e->b, e->n);
    return e->n;
}

/* A region of 0..6 instructions (sometimes too many, or not convertible). */
static size_t make_region(uint8_t *p, unsigned min)
{
    unsigned k = min + rn(rn(4) ? 5 : 7);
    size_t rl = 0;
    for (unsigned i = 0; i < k; i++)
        rl += put(p + rl, &region_pool[rn(rn(5) ? 17 : sizeof(region_pool) / sizeof(region_pool[0]))]);
    return rl;
}

/* A program of segments `setter; jcc T; R1; T: reader` or
   `setter; jcc T; R1; jmp J; T: R2; [jmp J; filler]; J: reader`, ending in hlt. */
static size_t make_prog(uint8_t *p)
{
    size_t n = 0;
    unsigned segs = 10 + rn(30);
    for (unsigned s = 0; s < segs; s++) {
        n += put(p + n, &setters[rn(sizeof(setters) / sizeof(setters[0]))]);
        uint8_t r1[40], r2[40];
        size_t l1 = make_region(r1, 1), l2;
        p[n++] = (uint8_t)(0x70 + rn(16));
        if (rn(2)) {
            p[n++] = (uint8_t)l1;
            memcpy(p + n, r1, l1);
            n += l1;
        } else {
            l1 = make_region(r1, 0);
            l2 = make_region(r2, 0);
            unsigned form = rn(3);     /* 0: R2 falls into J, 1: jmp J right after, 2: over a filler */
            size_t tail = form == 0 ? 0 : form == 1 ? 2 : 4;
            p[n++] = (uint8_t)(l1 + 2);
            memcpy(p + n, r1, l1);
            n += l1;
            p[n++] = 0xeb;
            p[n++] = (uint8_t)(l2 + tail);
            memcpy(p + n, r2, l2);
            n += l2;
            if (form) {
                p[n++] = 0xeb;
                p[n++] = (uint8_t)(form == 2 ? 2 : 0);
                if (form == 2) {
                    p[n++] = 0xff;   /* inc eax: never run */
                    p[n++] = 0xc0;
                }
            }
        }
        n += put(p + n, &readers[rn(sizeof(readers) / sizeof(readers[0]))]);
    }
    p[n++] = 0xf4;
    return n;
}

static void start_regs(struct bare_regs *r, uint64_t seed)
{
    uint64_t save = rng;
    rng = seed | 1;
    memset(r, 0, sizeof(*r));
    for (unsigned i = 0; i < 16; i++)
        r->gpr[i] = rn(3) ? rnd() : rn(4);
    r->gpr[4] = 0x8000;
    r->rflags = 2 | (rnd() & 0x8d5);
    r->rip = 0x1000;
    rng = save;
}

static void check_same(const struct bare_regs *a, const struct bare_regs *b, const char *what,
                       uint64_t seed, uint64_t insns)
{
    for (unsigned i = 0; i < 16; i++)
        if (a->gpr[i] != b->gpr[i])
            fail_msg("%s (seed %#llx, %llu insns): gpr %u %#llx, one at a time %#llx", what,
                     (unsigned long long)seed, (unsigned long long)insns, i,
                     (unsigned long long)a->gpr[i], (unsigned long long)b->gpr[i]);
    if (a->rip != b->rip || (a->rflags & 0x8d5) != (b->rflags & 0x8d5))
        fail_msg("%s (seed %#llx, %llu insns): rip %#llx flags %#llx, one at a time rip %#llx flags %#llx",
                 what, (unsigned long long)seed, (unsigned long long)insns, (unsigned long long)a->rip,
                 (unsigned long long)a->rflags, (unsigned long long)b->rip, (unsigned long long)b->rflags);
}

/* The reference: one instruction per block (a budget of 1 translates single instructions). */
static uint64_t run_single(struct bare_cpu *cpu, uint64_t max, struct bare_regs *out)
{
    uint64_t n = 0;
    struct bare_result res;
    while (n < max) {
        bare_cpu_run(cpu, 1, &res);
        n += res.insns;
        if (res.stop != BARE_STOP_BUDGET)
            break;
    }
    bare_cpu_get_regs(cpu, out);
    return n;
}

static void test_ifconv_matches_single_steps(void **state)
{
    (void)state;
    static uint8_t prog[4096];
    for (int e = 0; e < 2; e++)
        for (unsigned it = 0; it < 150; it++) {
            uint64_t seed = rnd();
            size_t len = make_prog(prog);
            struct bare_regs r0, a, b;
            start_regs(&r0, seed);
            struct bare_cpu *cpu = bare_cpu_new((enum bare_engine)e, BARE_MODE_LONG64, 0, 1u << 20);
            struct bare_cpu *ref = bare_cpu_new((enum bare_engine)e, BARE_MODE_LONG64, 0, 1u << 20);
            assert_non_null(cpu);
            assert_non_null(ref);
            assert_true(bare_cpu_write(cpu, 0x1000, prog, len));
            assert_true(bare_cpu_write(ref, 0x1000, prog, len));
            /* the whole program */
            bare_cpu_set_regs(cpu, &r0);
            struct bare_result res;
            bare_cpu_run(cpu, 100000, &res);
            assert_int_equal(res.stop, BARE_STOP_HLT);
            uint64_t total = res.insns;
            bare_cpu_get_regs(cpu, &a);
            bare_cpu_set_regs(ref, &r0);
            uint64_t n = run_single(ref, 100000, &b);
            assert_int_equal(n, total);
            check_same(&a, &b, e ? "jit" : "interp", seed, total);
            /* stopped by the budget anywhere: the count and the state agree */
            for (int k = 0; k < 4; k++) {
                uint64_t stop = 1 + rn((unsigned)total);
                bare_cpu_set_regs(cpu, &r0);
                bare_cpu_run(cpu, stop, &res);
                bare_cpu_get_regs(cpu, &a);
                bare_cpu_set_regs(ref, &r0);
                n = run_single(ref, res.insns, &b);
                assert_int_equal(n, res.insns);
                check_same(&a, &b, e ? "jit, budget" : "interp, budget", seed, res.insns);
            }
            bare_cpu_free(cpu);
            bare_cpu_free(ref);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ifconv_matches_single_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
