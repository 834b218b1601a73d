/* SPDX-License-Identifier: MIT */
/* test_cpu_bare.c: bare-CPU behaviour on both engines: stops, exceptions, budget, modes, SMC. */
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
#include "translate/tb.h"

#define MEM (1u << 20)
#define CODE 0x1000u

struct run {
    struct bare_cpu *cpu;
    struct bare_regs r;
    struct bare_result res;
};

/* Creates a CPU, loads code at CODE, sets rip/rsp; false if the engine is missing. */
static bool setup(struct run *x, enum bare_engine e, enum bare_mode m, const uint8_t *code, size_t len)
{
    memset(x, 0, sizeof(*x));
    x->cpu = bare_cpu_new(e, m, 0, MEM);
    assert_non_null(x->cpu);      /* a missing engine fails the test, never skips it */
    assert_true(bare_cpu_write(x->cpu, CODE, code, len));
    x->r.rip = CODE;
    x->r.gpr[4] = 0x8000;
    x->r.rflags = 2;
    bare_cpu_set_regs(x->cpu, &x->r);
    return true;
}

static void go(struct run *x, uint64_t budget)
{
    bare_cpu_run(x->cpu, budget, &x->res);
    bare_cpu_get_regs(x->cpu, &x->r);
}

#define FOR_ENGINES(e) for (int e = 0; e < 2; e++)

static void test_hlt(void **state)
{
    (void)state;
    /* mov eax, 1; add eax, 2; add eax, 3; add eax, 4; hlt */
    static const uint8_t c[] = { 0xb8, 0x01, 0x00, 0x00, 0x00, 0x83, 0xc0, 0x02, 0x83, 0xc0, 0x03,
                                 0x83, 0xc0, 0x04, 0xf4 };
    FOR_ENGINES(e) {
        struct run x;
        if (!setup(&x, (enum bare_engine)e, BARE_MODE_LONG64, c, sizeof(c)))
            continue;
        go(&x, 1000);
        assert_int_equal(x.res.stop, BARE_STOP_HLT);
        assert_int_equal(x.r.gpr[0], 10);
        assert_int_equal(x.r.rip, CODE + sizeof(c));
        bare_cpu_free(x.cpu);
    }
}

static void test_single_step(void **state)
{
    (void)state;
    static const uint8_t c[] = { 0xb8, 0x01, 0x00, 0x00, 0x00, 0x83, 0xc0, 0x02, 0x83, 0xc0, 0x03,
                                 0x83, 0xc0, 0x04, 0xf4 };
    static const uint64_t rips[] = { CODE + 5, CODE + 8, CODE + 11, CODE + 14 };
    static const uint64_t rax[] = { 1, 3, 6, 10 };
    FOR_ENGINES(e) {
        struct run x;
        if (!setup(&x, (enum bare_engine)e, BARE_MODE_LONG64, c, sizeof(c)))
            continue;
        for (int i = 0; i < 4; i++) {
            go(&x, 1);
            assert_int_equal(x.res.stop, BARE_STOP_BUDGET);
            assert_int_equal(x.res.insns, 1);
            assert_int_equal(x.r.rip, rips[i]);
            assert_int_equal(x.r.gpr[0], rax[i]);
        }
        go(&x, 1);
        assert_int_equal(x.res.stop, BARE_STOP_HLT);
        bare_cpu_free(x.cpu);
    }
}

static void test_budget_loop(void **state)
{
    (void)state;
    static const uint8_t c[] = { 0xeb, 0xfe }; /* l: jmp l */
    FOR_ENGINES(e) {
        struct run x;
        if (!setup(&x, (enum bare_engine)e, BARE_MODE_LONG64, c, sizeof(c)))
            continue;
        go(&x, 100000);
        assert_int_equal(x.res.stop, BARE_STOP_BUDGET);
        assert_int_equal(x.res.insns, 100000);
        assert_int_equal(x.r.rip, CODE);
        bare_cpu_free(x.cpu);
    }
}

static void test_exceptions(void **state)
{
    (void)state;
    static const uint8_t ud[] = { 0x90, 0x0f, 0x0b };
    /* xor ecx, ecx; mov eax, 5; div ecx; hlt */
    static const uint8_t de[] = { 0x31, 0xc9, 0xb8, 0x05, 0x00, 0x00, 0x00, 0xf7, 0xf1, 0xf4 };
    /* mov rax, [0x300000]; hlt */
    static const uint8_t pf[] = { 0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x30, 0x00, 0xf4 };
    /* lock add eax, ecx */
    static const uint8_t lk[] = { 0xf0, 0x01, 0xc8 };
    FOR_ENGINES(e) {
        struct run x;
        if (!setup(&x, (enum bare_engine)e, BARE_MODE_LONG64, ud, sizeof(ud)))
            continue;
        go(&x, 100);
        assert_int_equal(x.res.stop, BARE_STOP_EXCEPTION);
        assert_int_equal(x.res.vector, 6);
        assert_int_equal(x.r.rip, CODE + 1);
        bare_cpu_free(x.cpu);

        setup(&x, (enum bare_engine)e, BARE_MODE_LONG64, de, sizeof(de));
        go(&x, 100);
        assert_int_equal(x.res.stop, BARE_STOP_EXCEPTION);
        assert_int_equal(x.res.vector, 0);
        assert_int_equal(x.r.rip, CODE + 7);
        assert_int_equal(x.r.gpr[0], 5);
        bare_cpu_free(x.cpu);

        setup(&x, (enum bare_engine)e, BARE_MODE_LONG64, pf, sizeof(pf));
        x.r.gpr[0] = 0x1234;
        bare_cpu_set_regs(x.cpu, &x.r);
        go(&x, 100);
        assert_int_equal(x.res.stop, BARE_STOP_EXCEPTION);
        assert_int_equal(x.res.vector, 14);
        assert_true(x.res.has_error_code);
        assert_int_equal(x.res.cr2, 0x300000);
        assert_int_equal(x.r.rip, CODE);
        assert_int_equal(x.r.gpr[0], 0x1234);
        bare_cpu_free(x.cpu);

        setup(&x, (enum bare_engine)e, BARE_MODE_PROT32, pf + 1, sizeof(pf) - 1);
        go(&x, 100);
        assert_int_equal(x.res.stop, BARE_STOP_EXCEPTION);
        assert_int_equal(x.res.vector, 13);
        bare_cpu_free(x.cpu);

        setup(&x, (enum bare_engine)e, BARE_MODE_LONG64, lk, sizeof(lk));
        go(&x, 100);
        assert_int_equal(x.res.stop, BARE_STOP_EXCEPTION);
        assert_int_equal(x.res.vector, 6);
        bare_cpu_free(x.cpu);
    }
}

static void test_real_mode(void **state)
{
    (void)state;
    /* mov ax, 0x200; mov ds, ax; mov [0x10], bx; mov si, 2; mov cx, [bx+si]; push ds; pop es; hlt */
    static const uint8_t c[] = { 0xb8, 0x00, 0x02, 0x8e, 0xd8, 0x89, 0x1e, 0x10, 0x00, 0xbe, 0x02, 0x00,
                                 0x8b, 0x08, 0x1e, 0x07, 0xf4 };
    /* mov cx, 3; l: inc ax; loop l; jcxz e; inc bx; e: hlt */
    static const uint8_t lp[] = { 0xb9, 0x03, 0x00, 0x40, 0xe2, 0xfd, 0xe3, 0x01, 0x43, 0xf4 };
    FOR_ENGINES(e) {
        struct run x;
        if (!setup(&x, (enum bare_engine)e, BARE_MODE_REAL, c, sizeof(c)))
            continue;
        x.r.gpr[3] = 0x0e; /* bx */
        const uint8_t word[2] = { 0x34, 0x12 };
        bare_cpu_write(x.cpu, 0x2000 + 0x10, word, 2);
        bare_cpu_set_regs(x.cpu, &x.r);
        go(&x, 100);
        assert_int_equal(x.res.stop, BARE_STOP_HLT);
        const uint8_t *m = bare_cpu_mem(x.cpu);
        assert_int_equal(m[0x2010], 0x0e);
        assert_int_equal(x.r.gpr[1] & 0xffff, 0x000e); /* [ds:bx+si] = [0x2010] */
        assert_int_equal(x.r.seg[0], 0x200);
        assert_int_equal(x.r.seg[3], 0x200);
        bare_cpu_free(x.cpu);

        setup(&x, (enum bare_engine)e, BARE_MODE_REAL, lp, sizeof(lp));
        go(&x, 100);
        assert_int_equal(x.res.stop, BARE_STOP_HLT);
        assert_int_equal(x.r.gpr[0] & 0xffff, 3);
        assert_int_equal(x.r.gpr[3] & 0xffff, 0);
        bare_cpu_free(x.cpu);
    }
}

static void test_prot32(void **state)
{
    (void)state;
    /* mov eax, 0x12345678; push eax; call f; pop ecx; hlt; f: mov edx, [esp+4]; ret */
    static const uint8_t c[] = { 0xb8, 0x78, 0x56, 0x34, 0x12, 0x50, 0xe8, 0x02, 0x00, 0x00, 0x00, 0x59,
                                 0xf4, 0x8b, 0x54, 0x24, 0x04, 0xc3 };
    FOR_ENGINES(e) {
        struct run x;
        if (!setup(&x, (enum bare_engine)e, BARE_MODE_PROT32, c, sizeof(c)))
            continue;
        go(&x, 100);
        assert_int_equal(x.res.stop, BARE_STOP_HLT);
        assert_int_equal(x.r.gpr[1], 0x12345678);
        assert_int_equal(x.r.gpr[2], 0x12345678);
        assert_int_equal(x.r.gpr[4], 0x8000);
        bare_cpu_free(x.cpu);
    }
}

/* Self-modifying code: a store into the running block, into the next instruction,
   into a chained block, and host writes between runs. */
static void test_smc(void **state)
{
    (void)state;
    /* lea rbx, [rel t]; mov byte [rbx+1], 42; t: mov eax, 7; hlt */
    static const uint8_t next[] = { 0x48, 0x8d, 0x1d, 0x04, 0x00, 0x00, 0x00, 0xc6, 0x43, 0x01, 0x2a,
                                    0xb8, 0x07, 0x00, 0x00, 0x00, 0xf4 };
    /* lea rbx, [rel t]; mov byte [rbx+1], 42; mov byte [rbx+1], 43; t: mov eax, 7; hlt */
    static const uint8_t cur[] = { 0x48, 0x8d, 0x1d, 0x08, 0x00, 0x00, 0x00, 0xc6, 0x43, 0x01, 0x2a,
                                   0xc6, 0x43, 0x01, 0x2b, 0xb8, 0x07, 0x00, 0x00, 0x00, 0xf4 };
    /* mov ecx, 5; lea rbx, [rel f]; l: call f; inc byte [rbx+2]; dec ecx; jnz l; hlt;
       f: add eax, 1; ret */
    static const uint8_t chained[] = { 0xb9, 0x05, 0x00, 0x00, 0x00, 0x48, 0x8d, 0x1d, 0x0d, 0x00, 0x00,
                                       0x00, 0xe8, 0x08, 0x00, 0x00, 0x00, 0xfe, 0x43, 0x02, 0xff, 0xc9,
                                       0x75, 0xf4, 0xf4, 0x83, 0xc0, 0x01, 0xc3 };
    FOR_ENGINES(e) {
        struct run x;
        if (!setup(&x, (enum bare_engine)e, BARE_MODE_LONG64, next, sizeof(next)))
            continue;
        go(&x, 100);
        assert_int_equal(x.res.stop, BARE_STOP_HLT);
        assert_int_equal(x.r.gpr[0], 42);
        bare_cpu_free(x.cpu);

        setup(&x, (enum bare_engine)e, BARE_MODE_LONG64, cur, sizeof(cur));
        go(&x, 100);
        assert_int_equal(x.res.stop, BARE_STOP_HLT);
        assert_int_equal(x.r.gpr[0], 43);
        bare_cpu_free(x.cpu);

        setup(&x, (enum bare_engine)e, BARE_MODE_LONG64, chained, sizeof(chained));
        go(&x, 1000);
        assert_int_equal(x.res.stop, BARE_STOP_HLT);
        assert_int_equal(x.r.gpr[0], 1 + 2 + 3 + 4 + 5);
        /* run it again: f now adds 6 the first time; host-side patch of the loop count */
        uint8_t *m = bare_cpu_mem(x.cpu);
        m[CODE + 1] = 2; /* mov ecx, 2 */
        x.r.rip = CODE;
        x.r.gpr[0] = 0;
        bare_cpu_set_regs(x.cpu, &x.r);
        go(&x, 1000);
        assert_int_equal(x.res.stop, BARE_STOP_HLT);
        assert_int_equal(x.r.gpr[0], 6 + 7);
        bare_cpu_free(x.cpu);
    }
}

/* SMC on another page (a chained callee patched between calls) and data written
   next to code on the running block's page. */
static void test_smc_pages(void **state)
{
    (void)state;
    /* mov ecx, 5; mov rbx, 0x3000; l: call rbx; inc byte [rbx+2]; mov [rbx+0x100], ecx;
       dec ecx; jnz l; hlt */
    static const uint8_t main_[] = { 0xb9, 0x05, 0x00, 0x00, 0x00, 0xbb, 0x00, 0x30, 0x00, 0x00, 0xff,
                                     0xd3, 0xfe, 0x43, 0x02, 0x89, 0x8b, 0x00, 0x01, 0x00, 0x00, 0xff,
                                     0xc9, 0x75, 0xf1, 0xf4 };
    static const uint8_t callee[] = { 0x83, 0xc0, 0x01, 0xc3 }; /* add eax, 1; ret */
    /* mov ecx, 100; l: mov [rel d], ecx; add eax, [rel d]; dec ecx; jnz l; hlt; d: dd 0 */
    static const uint8_t data[] = { 0xb9, 0x64, 0x00, 0x00, 0x00, 0x89, 0x0d, 0x0b, 0x00, 0x00, 0x00,
                                    0x03, 0x05, 0x05, 0x00, 0x00, 0x00, 0xff, 0xc9, 0x75, 0xf0, 0xf4,
                                    0x00, 0x00, 0x00, 0x00 };
    FOR_ENGINES(e) {
        struct run x;
        if (!setup(&x, (enum bare_engine)e, BARE_MODE_LONG64, main_, sizeof(main_)))
            continue;
        assert_true(bare_cpu_write(x.cpu, 0x3000, callee, sizeof(callee)));
        go(&x, 10000);
        assert_int_equal(x.res.stop, BARE_STOP_HLT);
        assert_int_equal(x.r.gpr[0], 1 + 2 + 3 + 4 + 5);
        assert_int_equal(bare_cpu_mem(x.cpu)[0x3100], 1);
        bare_cpu_free(x.cpu);

        setup(&x, (enum bare_engine)e, BARE_MODE_LONG64, data, sizeof(data));
        go(&x, 10000);
        assert_int_equal(x.res.stop, BARE_STOP_HLT);
        assert_int_equal(x.r.gpr[0], 100 * 101 / 2);
        bare_cpu_free(x.cpu);
    }
}

/* A REP MOVS that runs off the end of memory faults with the registers of the
   failing iteration. */
static void test_rep_fault(void **state)
{
    (void)state;
    /* cld; mov rcx, 0x10000; mov rsi, 0x1000; mov rdi, 0xf8000; rep movsb; hlt */
    static const uint8_t c[] = { 0xfc, 0xb9, 0x00, 0x00, 0x01, 0x00, 0xbe, 0x00, 0x10, 0x00, 0x00, 0xbf,
                                 0x00, 0x80, 0x0f, 0x00, 0xf3, 0xa4, 0xf4 };
    FOR_ENGINES(e) {
        struct run x;
        if (!setup(&x, (enum bare_engine)e, BARE_MODE_LONG64, c, sizeof(c)))
            continue;
        go(&x, 1000000);
        assert_int_equal(x.res.stop, BARE_STOP_EXCEPTION);
        assert_int_equal(x.res.vector, 14);
        assert_int_equal(x.res.cr2, 0x100000);
        assert_int_equal(x.r.rip, CODE + 16);
        assert_int_equal(x.r.gpr[7], 0x100000);
        assert_int_equal(x.r.gpr[6], 0x1000 + 0x8000);
        assert_int_equal(x.r.gpr[1], 0x10000 - 0x8000);
        const uint8_t *m = bare_cpu_mem(x.cpu);
        assert_memory_equal(m + 0xf8000, m + 0x1000, 0x8000);
        bare_cpu_free(x.cpu);
    }
}

/* POPF that changes the translation state (EFLAGS.AC under CR4.SMAP at CPL 0 picks
   the MMU mode of data accesses) ends its block with a lookup and the run goes on:
   it used to raise an exit request, which the bare CPU takes as a stop. */
static void test_popf_state(void **state)
{
    (void)state;
    static const uint8_t c[] = {
        0x9c,                                     /* pushfq */
        0x81, 0x0c, 0x24, 0x00, 0x00, 0x04, 0x00, /* or dword [rsp], 0x40000 (AC) */
        0x9d,                                     /* popfq */
        0xb8, 0x07, 0x00, 0x00, 0x00,             /* mov eax, 7 */
        0x9c,                                     /* pushfq */
        0x81, 0x24, 0x24, 0xff, 0xff, 0xfb, 0xff, /* and dword [rsp], ~0x40000 */
        0x9d,                                     /* popfq */
        0x83, 0xc0, 0x01,                         /* add eax, 1 */
        0xf4,                                     /* hlt */
    };
    FOR_ENGINES(e) {
        struct run x;
        if (!setup(&x, (enum bare_engine)e, BARE_MODE_LONG64, c, sizeof(c)))
            continue;
        struct cpu *vc = bare_cpu_cpu(x.cpu);
        vc->cr[4] |= CR4_SMAP;
        cpu_update_hflags(vc);
        go(&x, 1000);
        assert_int_equal(x.res.stop, BARE_STOP_HLT);
        assert_int_equal(x.res.insns, 9);
        assert_int_equal(x.r.gpr[0], 8);
        assert_int_equal(x.r.rflags & 0x40000, 0);
        bare_cpu_free(x.cpu);
    }
}

/* Every block left in the JIT cache of cpu (which ran n instructions of len bytes each
   from CODE, through a cache flush) compiled to as many bytes of host code as the same
   block does when the same JIT translates it afresh (its cache emptied first, so no
   retry): the block translated again after the flush, the one that did not fit, went
   through the optimizer as the others did. Host code size and not bytes: the code holds
   addresses. The same CPU re-translates, since whether a helper call takes a rel32
   depends on where the code buffer lies. Returns how many blocks it compared. */
static unsigned check_blocks_fresh(struct bare_cpu *cpu, unsigned len, unsigned n)
{
    struct cpu *vc = bare_cpu_cpu(cpu);
    struct tb_stats st;
    tb_cache_stats(vc->tbc, &st);
    const uint64_t flushes = st.flushes;
    struct seen { uint64_t pc; uint32_t icount, size, code_size; } *seen = calloc(st.live + 1, sizeof(*seen));
    assert_non_null(seen);
    unsigned nseen = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t pc = CODE + (uint64_t)i * len;
        struct tb *tb = tb_lookup(vc->tbc, pc, pc, vc->seg[1].base, vc->hflags, 0);
        if (!tb)
            continue;
        assert_true(nseen < st.live);
        seen[nseen++] = (struct seen){ pc, tb->icount, tb->size, tb->code_size };
    }
    unsigned own = 0;
    for (unsigned k = 0; k < nseen; k++) {
        if (k % 256 == 0) {                      /* far from full: no flush of its own */
            tb_flush(vc->tbc);
            own++;
        }
        struct bare_regs r;
        bare_cpu_get_regs(cpu, &r);
        r.rip = seen[k].pc;
        bare_cpu_set_regs(cpu, &r);
        struct bare_result res;
        bare_cpu_run(cpu, seen[k].icount, &res);
        struct tb *tb = tb_lookup(vc->tbc, seen[k].pc, seen[k].pc, vc->seg[1].base, vc->hflags, 0);
        assert_non_null(tb);
        assert_int_equal(tb->icount, seen[k].icount);
        assert_int_equal(tb->size, seen[k].size);
        if (tb->code_size != seen[k].code_size)
            fail_msg("block at %#llx: %u bytes of host code after the flush, %u translated afresh",
                     (unsigned long long)seen[k].pc, seen[k].code_size, tb->code_size);
    }
    tb_cache_stats(vc->tbc, &st);
    assert_int_equal(st.flushes, flushes + own); /* no retry while re-translating */
    free(seen);
    return nseen;
}

/* Runs n copies of the instruction pat (len bytes; it adds rax to [rsi + 8 * k], k =
   copy % 64, through a disp32 at pat + 3), then HLT, on a fresh CPU of each engine: every
   copy runs once, and the JIT's cache had to be flushed part-way (*flushes); the blocks
   left in the JIT's cache compiled as they do without a flush. */
static void run_copies(const uint8_t *pat, unsigned len, unsigned n, uint64_t *jit_flushes)
{
    enum { SLOTS = 64, BIG = 4u << 20, DATA = 0x300000 };
    size_t size = (size_t)n * len + 1;
    uint8_t *code = malloc(size);
    assert_non_null(code);
    for (unsigned i = 0; i < n; i++) {
        uint32_t d = 8u * (i % SLOTS);
        memcpy(code + (size_t)i * len, pat, len);
        memcpy(code + (size_t)i * len + 3, &d, 4);
    }
    code[size - 1] = 0xf4;                       /* hlt */
    FOR_ENGINES(e) {
        struct bare_cpu *cpu = bare_cpu_new((enum bare_engine)e, BARE_MODE_LONG64, 0, BIG);
        assert_non_null(cpu);
        assert_true(bare_cpu_write(cpu, CODE, code, size));
        struct bare_regs r = { 0 };
        r.rip = CODE;
        r.gpr[0] = 1;                            /* rax */
        r.gpr[6] = DATA;                         /* rsi */
        r.gpr[4] = 0x8000;
        r.rflags = 2;
        bare_cpu_set_regs(cpu, &r);
        struct bare_result res;
        bare_cpu_run(cpu, 8ull * n, &res);   /* up to 7 instructions a copy */
        bare_cpu_get_regs(cpu, &r);
        assert_int_equal(res.stop, BARE_STOP_HLT);
        assert_int_equal(r.rip, CODE + size);
        for (unsigned k = 0; k < SLOTS; k++) {
            uint64_t v;
            memcpy(&v, bare_cpu_mem(cpu) + DATA + 8 * k, 8);
            assert_int_equal(v, n / SLOTS);
        }
        struct tb_stats st;
        tb_cache_stats(bare_cpu_cpu(cpu)->tbc, &st);
        if (e == BARE_ENGINE_JIT) {
            *jit_flushes = st.flushes;
            assert_true(check_blocks_fresh(cpu, len, n) >= 1);
        }
        bare_cpu_free(cpu);
    }
    free(code);
}

/* A cache that fills part-way through a run is flushed and the block that did not fit
   is translated again from scratch (the first attempt's IR was already optimized in
   place) and optimized as any other (check_blocks_fresh): once because the code buffer
   is full (64-instruction blocks of memory ops, ~17 KiB of host code each), once because
   the block table is (four-instruction blocks, where the optimizer's work shows in the
   host code size: a retry that skipped it made the block ~7% larger). */
static void test_cache_full(void **state)
{
    (void)state;
    static const uint8_t add[] = { 0x48, 0x01, 0x86, 0, 0, 0, 0 };            /* add [rsi+d], rax */
    static const uint8_t add_jnz[] = { 0x48, 0x01, 0x86, 0, 0, 0, 0,       /* add [rsi+d], rax */
                                       0x48, 0x83, 0xc1, 0x01, 0x48, 0x83, 0xc1, 0x01, /* add rcx, 1 (x2) */
                                       0x75, 0x00 };                      /* jnz $+2 */
    uint64_t flushes = 0;
    run_copies(add, sizeof(add), 64 * 7000, &flushes);
    assert_true(flushes >= 1);                   /* else this no longer tests a full buffer */
    run_copies(add_jnz, sizeof(add_jnz), 64 * 300, &flushes);
    assert_true(flushes >= 1);                   /* 19200 blocks > the bare CPU's 16384 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hlt),
        cmocka_unit_test(test_single_step),
        cmocka_unit_test(test_budget_loop),
        cmocka_unit_test(test_exceptions),
        cmocka_unit_test(test_real_mode),
        cmocka_unit_test(test_prot32),
        cmocka_unit_test(test_smc),
        cmocka_unit_test(test_smc_pages),
        cmocka_unit_test(test_rep_fault),
        cmocka_unit_test(test_cache_full),
        cmocka_unit_test(test_popf_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
