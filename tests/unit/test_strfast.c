/* SPDX-License-Identifier: MIT */
/* test_strfast.c: REP string instructions (the many-elements fast path) vs an element-by-element model, both engines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/bare.h"

#define MEM (1u << 20)
#define CODE 0x1000u
#define DF 0x400u
#define ARITH 0x8d5u

enum op { MOVS, STOS, LODS, SCAS, CMPS };

struct st {
    uint64_t rax, rcx, rsi, rdi, flags;
    bool fault;
    uint64_t cr2;
};

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint64_t mask(unsigned size)
{
    return size == 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * size)) - 1;
}

/* An out-of-memory access (64-bit bare CPU: #PF with CR2 at the first byte outside). */
static bool bad(struct st *s, uint64_t a, unsigned size)
{
    if (a <= MEM - size)
        return false;
    s->cr2 = a >= MEM ? a : MEM;
    return true;
}

static uint64_t get(const uint8_t *m, uint64_t a, unsigned size)
{
    uint64_t v = 0;
    memcpy(&v, m + a, size);
    return v;
}

/* The reference: one element at a time, as the SDM describes. rep: 0 REP/REPE (F3), 1 REPNE (F2). */
static void model(uint8_t *m, struct st *s, enum op op, unsigned size, bool repne)
{
    int64_t step = (s->flags & DF) ? -(int64_t)size : (int64_t)size;
    while (s->rcx) {
        uint64_t a = s->rax & mask(size), b;
        if (op == MOVS || op == LODS || op == CMPS) {
            if (bad(s, s->rsi, size)) { s->fault = true; return; }
            a = get(m, s->rsi, size);
        }
        if (op == MOVS || op == STOS) {
            if (bad(s, s->rdi, size)) { s->fault = true; return; }
            memcpy(m + s->rdi, op == MOVS ? &a : &s->rax, size);
        }
        if (op == LODS)
            s->rax = size >= 4 ? a : (s->rax & ~mask(size)) | a;
        if (op == SCAS || op == CMPS) {
            if (bad(s, s->rdi, size)) { s->fault = true; return; }
            b = get(m, s->rdi, size);
            uint64_t r = (a - b) & mask(size), sign = (mask(size) >> 1) + 1;
            s->flags &= ~(uint64_t)ARITH;
            s->flags |= (a < b ? 0x1u : 0) | (r == 0 ? 0x40u : 0) | ((r & sign) ? 0x80u : 0) |
                        ((((a ^ b) & (a ^ r)) & sign) ? 0x800u : 0) | ((a ^ b ^ r) & 0x10u) |
                        ((__builtin_popcount((unsigned)(r & 0xff)) & 1) ? 0 : 0x4u);
        }
        if (op != STOS && op != SCAS)
            s->rsi += (uint64_t)step;
        if (op != LODS)
            s->rdi += (uint64_t)step;
        s->rcx--;
        if ((op == SCAS || op == CMPS) && (((s->flags & 0x40u) != 0) == repne))
            return;
    }
}

static const uint8_t opc[] = { [MOVS] = 0xa4, [STOS] = 0xaa, [LODS] = 0xac, [SCAS] = 0xae, [CMPS] = 0xa6 };

/* Runs "[66] F3/F2 [48] op; hlt" on engine e from state s with memory m; returns the result state in s and memory in m. */
static bool run_kiln(int e, uint8_t *m, struct st *s, enum op op, unsigned size, bool repne)
{
    struct bare_cpu *cpu = bare_cpu_new((enum bare_engine)e, BARE_MODE_LONG64, 0, MEM);
    if (!cpu)
        return false;
    uint8_t code[8];
    size_t n = 0;
    if (size == 2)
        code[n++] = 0x66;
    code[n++] = repne ? 0xf2 : 0xf3;
    if (size == 8)
        code[n++] = 0x48;
    code[n++] = (uint8_t)(opc[op] | (size > 1));
    code[n++] = 0xf4;
    memcpy(m + CODE, code, n);
    assert_true(bare_cpu_write(cpu, 0, m, MEM));
    struct bare_regs r;
    memset(&r, 0, sizeof(r));
    r.rip = CODE;
    r.gpr[4] = 0x8000;
    r.gpr[0] = s->rax;
    r.gpr[1] = s->rcx;
    r.gpr[6] = s->rsi;
    r.gpr[7] = s->rdi;
    r.rflags = 2 | (s->flags & DF);
    bare_cpu_set_regs(cpu, &r);
    struct bare_result res;
    bare_cpu_run(cpu, 100000000, &res);
    bare_cpu_get_regs(cpu, &r);
    s->fault = res.stop == BARE_STOP_EXCEPTION;
    if (s->fault) {
        assert_int_equal(res.vector, 14);
        s->cr2 = res.cr2;
        assert_int_equal(r.rip, CODE);
    } else {
        assert_int_equal(res.stop, BARE_STOP_HLT);
    }
    s->rax = r.gpr[0];
    s->rcx = r.gpr[1];
    s->rsi = r.gpr[6];
    s->rdi = r.gpr[7];
    s->flags = r.rflags;
    memcpy(m, bare_cpu_mem(cpu), MEM);
    bare_cpu_free(cpu);
    return true;
}

/* One case on both engines against the model. CR2 is compared for every fault,
   including an element split across the end of memory (CR2 = the first byte of
   the missing page). */
static void check_case(const uint8_t *init, const struct st *s0, enum op op, unsigned size, bool repne)
{
    static uint8_t want[MEM], got[MEM];
    memcpy(want, init, MEM);
    struct st w = *s0;
    model(want, &w, op, size, repne);
    for (int e = 0; e < 2; e++) {
        struct st g = *s0;
        memcpy(got, init, MEM);
        if (!run_kiln(e, got, &g, op, size, repne))
            continue;
        memcpy(want + CODE, got + CODE, 8); /* the test's own code bytes */
        if (g.fault != w.fault || g.rcx != w.rcx || g.rsi != w.rsi || g.rdi != w.rdi ||
            g.rax != w.rax || (g.fault && g.cr2 != w.cr2) ||
            ((op == SCAS || op == CMPS) && (g.flags & ARITH) != (w.flags & ARITH)) ||
            memcmp(got, want, MEM) != 0)
            fail_msg("engine %d op %d size %u repne %d df %d: rcx %#llx/%#llx rsi %#llx/%#llx "
                     "rdi %#llx/%#llx rax %#llx/%#llx fault %d/%d cr2 %#llx/%#llx flags %#llx/%#llx mem %d",
                     e, op, size, repne, (int)((s0->flags & DF) != 0),
                     (unsigned long long)g.rcx, (unsigned long long)w.rcx, (unsigned long long)g.rsi,
                     (unsigned long long)w.rsi, (unsigned long long)g.rdi, (unsigned long long)w.rdi,
                     (unsigned long long)g.rax, (unsigned long long)w.rax, g.fault, w.fault,
                     (unsigned long long)g.cr2, (unsigned long long)w.cr2,
                     (unsigned long long)g.flags, (unsigned long long)w.flags, memcmp(got, want, MEM));
    }
}

static uint8_t init_mem[MEM];

/* Random memory with a small alphabet (so SCAS/CMPS stop at random places) and random ranges. */
static void random_case(enum op op, bool overlap, bool near_end)
{
    unsigned sizes[] = { 1, 2, 4, 8 }, size = sizes[rnd() % 4];
    bool back = rnd() & 1, repne = rnd() & 1;
    uint8_t alpha = (uint8_t)(rnd() % 3 ? 2 : 0x100 - 1);
    for (size_t i = 0x10000; i < MEM; i++)
        init_mem[i] = (uint8_t)(rnd() % alpha);
    struct st s = { 0 };
    s.flags = back ? DF : 0;
    s.rcx = 1 + rnd() % (rnd() % 4 ? 300 : 20000);
    s.rax = rnd() & (rnd() & 1 ? 1 : ~(uint64_t)0);
    uint64_t span = s.rcx * size + 16;
    s.rsi = 0x20000 + rnd() % (MEM / 2) + (back ? span : 0);
    if (overlap)
        s.rdi = s.rsi + (rnd() % 24) - 12;
    else
        s.rdi = 0x20000 + rnd() % (MEM / 2) + (back ? span : 0);
    if (near_end && !back) {
        uint64_t *p = rnd() & 1 ? &s.rdi : &s.rsi;
        *p = MEM - (s.rcx * size) / 2 - rnd() % 8;
    }
    check_case(init_mem, &s, op, size, repne);
}

static void test_random_movs(void **state)
{
    (void)state;
    for (int i = 0; i < 40; i++)
        random_case(MOVS, i % 2, i % 5 == 4);
}

static void test_random_stos_lods(void **state)
{
    (void)state;
    for (int i = 0; i < 30; i++)
        random_case(i % 2 ? STOS : LODS, false, i % 5 == 4);
}

static void test_random_scas_cmps(void **state)
{
    (void)state;
    for (int i = 0; i < 40; i++)
        random_case(i % 2 ? SCAS : CMPS, i % 4 == 1, i % 5 == 4);
}

/* Overlap by one element: a forward copy replicates the first element, a backward copy
   onto the lower neighbour replicates the last. Known answers, not only the model. */
static void test_overlap_pattern(void **state)
{
    (void)state;
    for (int back = 0; back < 2; back++) {
        memset(init_mem, 0, MEM);
        for (int i = 0; i < 9000; i++)
            init_mem[0x30000 + i] = (uint8_t)(i * 7 + 1);
        struct st s = { 0 };
        s.flags = back ? DF : 0;
        s.rcx = 8000;
        s.rsi = back ? 0x30000 + 8000 : 0x30000;
        s.rdi = back ? s.rsi - 1 : s.rsi + 1;
        check_case(init_mem, &s, MOVS, 1, false);
        /* the model itself: forward replicates the first byte, backward the last */
        static uint8_t m2[MEM];
        memcpy(m2, init_mem, MEM);
        model(m2, &s, MOVS, 1, false);
        uint64_t lo = back ? 0x30000 + 8000 - 8000 : 0x30001, v = init_mem[back ? 0x30000 + 8000 : 0x30000];
        for (uint64_t a = lo; a < lo + 8000; a++)
            assert_int_equal(m2[a], v);
    }
}

/* A fault part way (the destination runs off the end of memory, inside a page or with an
   element straddling it): the earlier elements done, registers at the faulting element. */
static void test_fault_part_way(void **state)
{
    (void)state;
    static const unsigned sizes[] = { 1, 2, 4, 8 };
    for (int i = 0; i < 4; i++) {
        for (int mis = 0; mis < 2; mis++) {
            memset(init_mem, 0x5a, MEM);
            struct st s = { 0 };
            s.rcx = 3000;
            s.rsi = 0x40000;
            s.rdi = MEM - 1000 * sizes[i] - (unsigned)mis;
            s.rax = 0x1122334455667788u;
            check_case(init_mem, &s, MOVS, sizes[i], false);
            check_case(init_mem, &s, STOS, sizes[i], false);
        }
    }
}

/* REP STOSB over the instructions that follow it in the same page: the new bytes run. */
static void test_smc_stos(void **state)
{
    (void)state;
    /* lea rdi,[rip+7]; mov ecx,5; rep stosb (al = 0x90); mov eax,1; hlt */
    static const uint8_t c[] = { 0x48, 0x8d, 0x3d, 0x07, 0x00, 0x00, 0x00, 0xb9, 0x05, 0x00, 0x00, 0x00,
                                 0xf3, 0xaa, 0xb8, 0x01, 0x00, 0x00, 0x00, 0xf4 };
    for (int e = 0; e < 2; e++) {
        struct bare_cpu *cpu = bare_cpu_new((enum bare_engine)e, BARE_MODE_LONG64, 0, MEM);
        if (!cpu)
            continue;
        assert_true(bare_cpu_write(cpu, CODE, c, sizeof(c)));
        struct bare_regs r;
        memset(&r, 0, sizeof(r));
        r.rip = CODE;
        r.gpr[4] = 0x8000;
        r.gpr[0] = 0x90;
        r.rflags = 2;
        bare_cpu_set_regs(cpu, &r);
        struct bare_result res;
        bare_cpu_run(cpu, 1000, &res);
        bare_cpu_get_regs(cpu, &r);
        assert_int_equal(res.stop, BARE_STOP_HLT);
        assert_int_equal(r.gpr[0], 0x90); /* mov eax, 1 was overwritten by NOPs */
        assert_int_equal(r.gpr[1], 0);
        bare_cpu_free(cpu);
    }
}

/* A long REP STOS under a small budget stops part way with consistent registers
   (the fast path does not run past the budget). */
static void test_budget(void **state)
{
    (void)state;
    static const uint8_t c[] = { 0xf3, 0x48, 0xab, 0xf4 };
    for (int e = 0; e < 2; e++) {
        struct bare_cpu *cpu = bare_cpu_new((enum bare_engine)e, BARE_MODE_LONG64, 0, MEM);
        if (!cpu)
            continue;
        assert_true(bare_cpu_write(cpu, CODE, c, sizeof(c)));
        struct bare_regs r;
        memset(&r, 0, sizeof(r));
        r.rip = CODE;
        r.gpr[4] = 0x8000;
        r.gpr[1] = 100000;
        r.gpr[7] = 0x20000;
        r.rflags = 2;
        bare_cpu_set_regs(cpu, &r);
        struct bare_result res;
        bare_cpu_run(cpu, 5000, &res);
        bare_cpu_get_regs(cpu, &r);
        assert_int_equal(res.stop, BARE_STOP_BUDGET);
        uint64_t done = 100000 - r.gpr[1];
        assert_true(done >= 4000 && done <= 5000);
        assert_int_equal(r.gpr[7], 0x20000 + 8 * done);
        assert_int_equal(r.rip, CODE);
        bare_cpu_free(cpu);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_movs),
        cmocka_unit_test(test_random_stos_lods),
        cmocka_unit_test(test_random_scas_cmps),
        cmocka_unit_test(test_overlap_pattern),
        cmocka_unit_test(test_fault_part_way),
        cmocka_unit_test(test_smc_stos),
        cmocka_unit_test(test_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
