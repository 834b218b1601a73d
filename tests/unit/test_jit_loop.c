/* SPDX-License-Identifier: MIT */
/* test_jit_loop.c: blocks that loop on themselves (the JIT's back edge, pinned globals) against the interpreter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/bare.h"
#include "tests/unit/bare_cmp.h"
#include "cpu/cpu.h"
#include "translate/log.h"

#define MEM (1u << 20)
#define CODE 0x1000u

/* intloop-like: arithmetic, a shift by CL (flags kept for count 0: internal
   branches), ADC reading the previous iteration's CF, a partial register,
   SETC, an if-converted skip. */
static const uint8_t p_arith[] = {
    /* mov edi, 300; mov eax, 1; mov rbx, 0x9e3779b97f4a7c15; xor ecx, ecx; mov edx, 7
       l: add rax, rbx; xor rcx, rax; rol rcx, 13; imul rdx, rcx; lea rax, [rax+rdx*2+1]
       sub rbx, rdx; shr rdx, 3; or rdx, 5; mov r9d, ecx; and ecx, 7; shl r10, cl
       adc r10, r9; mov cl, r9b; setc r11b; test eax, 1; jz .s; inc r12
       .s: dec rdi; jnz l; hlt */
    0xbf, 0x2c, 0x01, 0x00, 0x00, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x48, 0xbb, 0x15, 0x7c, 0x4a, 0x7f,
    0xb9, 0x79, 0x37, 0x9e, 0x31, 0xc9, 0xba, 0x07, 0x00, 0x00, 0x00, 0x48, 0x01, 0xd8, 0x48, 0x31,
    0xc1, 0x48, 0xc1, 0xc1, 0x0d, 0x48, 0x0f, 0xaf, 0xd1, 0x48, 0x8d, 0x44, 0x50, 0x01, 0x48, 0x29,
    0xd3, 0x48, 0xc1, 0xea, 0x03, 0x48, 0x83, 0xca, 0x05, 0x41, 0x89, 0xc9, 0x83, 0xe1, 0x07, 0x49,
    0xd3, 0xe2, 0x4d, 0x11, 0xca, 0x44, 0x88, 0xc9, 0x41, 0x0f, 0x92, 0xc3, 0xa9, 0x01, 0x00, 0x00,
    0x00, 0x74, 0x03, 0x49, 0xff, 0xc4, 0x48, 0xff, 0xcf, 0x75, 0xc0, 0xf4,
};

/* memcpy-like: loads and stores in access groups, ADC, a 16-bit store. */
static const uint8_t p_copy[] = {
    /* mov esi, 0x20000; mov edi, 0x30000; mov ecx, 200; xor eax, eax
       l: mov rax, [rsi]; mov rdx, [rsi+8]; mov [rdi], rax; mov [rdi+8], rdx; adc rbx, rax
       mov al, bl; mov [rdi+16], ax; add rsi, 16; add rdi, 24; dec ecx; jnz l; hlt */
    0xbe, 0x00, 0x00, 0x02, 0x00, 0xbf, 0x00, 0x00, 0x03, 0x00, 0xb9, 0xc8, 0x00, 0x00, 0x00, 0x31,
    0xc0, 0x48, 0x8b, 0x06, 0x48, 0x8b, 0x56, 0x08, 0x48, 0x89, 0x07, 0x48, 0x89, 0x57, 0x08, 0x48,
    0x11, 0xc3, 0x88, 0xd8, 0x66, 0x89, 0x47, 0x10, 0x48, 0x83, 0xc6, 0x10, 0x48, 0x83, 0xc7, 0x18,
    0xff, 0xc9, 0x75, 0xdd, 0xf4,
};

/* A load walking off the end of memory: #PF after 24 iterations, with every
   register as of the faulting instruction. */
static const uint8_t p_fault[] = {
    /* mov esi, 0xe8010; mov ecx, 100; xor ebx, ebx
       l: add rbx, [rsi]; inc r8; mov [rsi+8], r8; add rsi, 0x1000; dec ecx; jnz l; hlt */
    0xbe, 0x10, 0x80, 0x0e, 0x00, 0xb9, 0x64, 0x00, 0x00, 0x00, 0x31, 0xdb, 0x48, 0x03, 0x1e, 0x49,
    0xff, 0xc0, 0x4c, 0x89, 0x46, 0x08, 0x48, 0x81, 0xc6, 0x00, 0x10, 0x00, 0x00, 0xff, 0xc9, 0x75,
    0xeb, 0xf4,
};

/* Port I/O helpers inside the loop (the test's hooks; one of them sets the exit request). */
static const uint8_t p_io[] = {
    /* mov ecx, 50; mov edx, 0x80; l: in eax, dx; add rbx, rax; lea eax, [rbx+rcx]; out dx, al
       dec ecx; jnz l; hlt */
    0xb9, 0x32, 0x00, 0x00, 0x00, 0xba, 0x80, 0x00, 0x00, 0x00, 0xed, 0x48, 0x01, 0xc3, 0x8d, 0x04,
    0x0b, 0xee, 0xff, 0xc9, 0x75, 0xf4, 0xf4,
};

/* A store into the loop's own code: each iteration adds one more than the last. */
static const uint8_t p_smc[] = {
    /* mov ecx, 10; lea rdi, [rel imm]; l: add ebx, 1 (imm: its last byte); inc byte [rdi]
       dec ecx; jnz l; hlt */
    0xb9, 0x0a, 0x00, 0x00, 0x00, 0x48, 0x8d, 0x3d, 0x02, 0x00, 0x00, 0x00, 0x83, 0xc3, 0x01, 0xfe,
    0x07, 0xff, 0xc9, 0x75, 0xf7, 0xf4,
};

/* Helpers that change guest registers in env (string ops, MUL/DIV) and x87 ones. */
static const uint8_t p_helpers[] = {
    /* mov r8d, 20; mov edi, 0x40000; mov esi, 0x40000
       l: stosb; lodsb; movsb; cmpxchg [rdi], ebx; xadd [rdi+4], ecx; bsf edx, r8d; div r8
       mul r8; cwd; cqo; bswap r9; xlatb; fld1; fistp dword [rdi+8]; dec r8d; jnz l; hlt */
    0x41, 0xb8, 0x14, 0x00, 0x00, 0x00, 0xbf, 0x00, 0x00, 0x04, 0x00, 0xbe, 0x00, 0x00, 0x04, 0x00,
    0xaa, 0xac, 0xa4, 0x0f, 0xb1, 0x1f, 0x0f, 0xc1, 0x4f, 0x04, 0x41, 0x0f, 0xbc, 0xd0, 0x49, 0xf7,
    0xf0, 0x49, 0xf7, 0xe0, 0x66, 0x99, 0x48, 0x99, 0x49, 0x0f, 0xc9, 0xd7, 0xd9, 0xe8, 0xdb, 0x5f,
    0x08, 0x41, 0xff, 0xc8, 0x75, 0xda, 0xf4,
};

/* Real mode: 16-bit registers, memory through DS (base 0). */
static const uint8_t p_real[] = {
    /* mov cx, 300; mov si, 0x2000; l: add ax, cx; adc bx, 0; mov dx, [si]; add [si+2], dx
       xor al, ah; shl dx, cl; lea di, [bx+si+3]; add si, 2; dec cx; jnz l; hlt */
    0xb9, 0x2c, 0x01, 0xbe, 0x00, 0x20, 0x01, 0xc8, 0x83, 0xd3, 0x00, 0x8b, 0x14, 0x01, 0x54, 0x02,
    0x30, 0xe0, 0xd3, 0xe2, 0x8d, 0x78, 0x03, 0x83, 0xc6, 0x02, 0x49, 0x75, 0xe9, 0xf4,
};

/* 32-bit protected mode. */
static const uint8_t p_prot32[] = {
    /* mov ecx, 300; mov esi, 0x20000; l: add eax, ecx; adc ebx, 0; mov edx, [esi]
       add [esi+4], edx; xor al, ah; imul edx, ecx; lea edi, [ebx+esi*4+3]; add esi, 4
       dec ecx; jnz l; hlt */
    0xb9, 0x2c, 0x01, 0x00, 0x00, 0xbe, 0x00, 0x00, 0x02, 0x00, 0x01, 0xc8, 0x83, 0xd3, 0x00, 0x8b,
    0x16, 0x01, 0x56, 0x04, 0x30, 0xe0, 0x0f, 0xaf, 0xd1, 0x8d, 0x7c, 0xb3, 0x03, 0x83, 0xc6, 0x04,
    0x49, 0x75, 0xe7, 0xf4,
};

static const struct prog progs[] = {
    { "arith", p_arith, sizeof(p_arith), BARE_MODE_LONG64 },
    { "copy", p_copy, sizeof(p_copy), BARE_MODE_LONG64 },
    { "fault", p_fault, sizeof(p_fault), BARE_MODE_LONG64 },
    { "io", p_io, sizeof(p_io), BARE_MODE_LONG64 },
    { "smc", p_smc, sizeof(p_smc), BARE_MODE_LONG64 },
    { "helpers", p_helpers, sizeof(p_helpers), BARE_MODE_LONG64 },
    { "real", p_real, sizeof(p_real), BARE_MODE_REAL },
    { "prot32", p_prot32, sizeof(p_prot32), BARE_MODE_PROT32 },
};
#define NPROGS (sizeof(progs) / sizeof(progs[0]))

/* Port hooks: IN returns a running value; OUT records; the request_at-th OUT sets the exit request. */
struct io {
    struct bare_cpu *cpu;
    unsigned ins, outs, request_at;
    uint64_t sum;
};

static uint32_t io_rd(void *opaque, uint16_t port, unsigned size)
{
    struct io *io = opaque;
    (void)size;
    return (uint32_t)(++io->ins * 0x9e3779b1u) ^ port;
}

static void io_wr(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct io *io = opaque;
    (void)size;
    io->sum = io->sum * 31 + value + port;
    if (++io->outs == io->request_at)
        bare_cpu_cpu(io->cpu)->exit_request = 1;
}

/* The state compared after a run. */
struct state {
    struct bare_regs r;
    struct bare_result res;
    uint64_t mem;         /* hash of guest memory */
    unsigned ins, outs;
    uint64_t io;
};

static uint64_t mem_hash(struct bare_cpu *cpu)
{
    static const uint32_t ranges[][2] = {
        { 0x1000, 0x1100 }, { 0x2000, 0x2400 }, { 0x20000, 0x20600 }, { 0x30000, 0x31400 },
        { 0x40000, 0x40100 }, { 0xe8000, 0x100000 },
    };
    return bc_mem_hash(cpu, ranges, sizeof(ranges) / sizeof(ranges[0]));
}

static struct bare_cpu *start(const struct prog *p, int engine, struct io *io)
{
    struct bare_cpu *cpu = bare_cpu_new((enum bare_engine)engine, p->mode, 0, MEM);
    assert_non_null(cpu);
    assert_true(bare_cpu_write(cpu, CODE, p->code, p->len));
    uint8_t *m = bare_cpu_mem(cpu);
    for (uint32_t a = 0x20000; a < 0x21000; a++)
        m[a] = (uint8_t)(a * 7 + (a >> 8));
    for (uint32_t a = 0xe8000; a < 0x100000; a += 8)
        m[a] = (uint8_t)(a >> 12);
    struct bare_regs r;
    memset(&r, 0, sizeof(r));
    bare_cpu_get_regs(cpu, &r);
    for (uint32_t a = 0x2000; a < 0x2400; a++)
        m[a] = (uint8_t)(a * 13 + 5);
    r.rip = CODE;
    r.gpr[4] = 0x8000;
    r.rflags = 2;
    bare_cpu_set_regs(cpu, &r);
    memset(io, 0, sizeof(*io));
    io->cpu = cpu;
    bare_cpu_set_io(cpu, io_rd, io_wr, io);
    return cpu;
}

static void snap(struct bare_cpu *cpu, const struct io *io, const struct bare_result *res, struct state *s)
{
    memset(s, 0, sizeof(*s));
    bare_cpu_get_regs(cpu, &s->r);
    s->res = *res;
    s->mem = mem_hash(cpu);
    s->ins = io->ins;
    s->outs = io->outs;
    s->io = io->sum;
}

static void same(const struct prog *p, const char *what, unsigned arg, const struct state *a,
                 const struct state *b)
{
    bc_same(p->name, what, arg, &a->r, &a->res, &b->r, &b->res);
    if (a->mem != b->mem || a->ins != b->ins || a->outs != b->outs || a->io != b->io)
        fail_msg("%s %s %u: memory or port I/O differ", p->name, what, arg);
}

/* The JIT translates p's loop with a SELF goto (else these tests test nothing new). */
static void test_self_goto_emitted(void **state)
{
    (void)state;
    for (unsigned k = 0; k < NPROGS; k++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        struct kiln_log log;
        kiln_log_init(&log);
        log.mask = KILN_LOG_BIT(KILN_LOG_OP_OPT);
        log.out = f;
        struct io io;
        struct bare_cpu *cpu = start(&progs[k], BARE_ENGINE_JIT, &io);
        bare_cpu_set_log(cpu, &log);
        struct bare_result res;
        bare_cpu_run(cpu, 100000, &res);
        bare_cpu_set_log(cpu, NULL);
        bare_cpu_free(cpu);
        fclose(f);
        if (!strstr(buf, " self\n"))
            fail_msg("%s: no goto_tb ... self in its IR", progs[k].name);
        free(buf);
    }
}

/* Runs p from the start in chunks of `chunk` instructions (0: one run) until it
   stops otherwise or after max_runs; the exit request is set at the
   request_at-th OUT (0: never) and cleared after the run it stopped. */
static void run_chunks(const struct prog *p, int engine, uint64_t chunk, unsigned request_at, struct state *s)
{
    struct io io;
    struct bare_cpu *cpu = start(p, engine, &io);
    io.request_at = request_at;
    struct bare_result res;
    uint64_t total = 0;
    unsigned runs = 0;
    do {
        bare_cpu_run(cpu, chunk ? chunk : 1000000, &res);
        total += res.insns;
        bare_cpu_cpu(cpu)->exit_request = 0;
    } while (res.stop == BARE_STOP_BUDGET && ++runs < 100000);
    res.insns = total;
    snap(cpu, &io, &res, s);
    s->res.has_error_code = runs & 1;   /* not compared: keeps the count in the dump */
    bare_cpu_free(cpu);
}

/* Stops after every budget from 1 to a few iterations: the back edge's own
   budget check ends the loop at each point, with the interpreter's count. */
static void test_budgets(void **state)
{
    (void)state;
    for (unsigned k = 0; k < NPROGS; k++) {
        const struct prog *p = &progs[k];
        for (uint64_t b = 1; b <= 160; b++) {
            struct state j, i;
            struct io io;
            struct bare_cpu *cpu = start(p, BARE_ENGINE_JIT, &io);
            struct bare_result res;
            bare_cpu_run(cpu, b, &res);
            snap(cpu, &io, &res, &j);
            bare_cpu_free(cpu);
            cpu = start(p, BARE_ENGINE_INTERP, &io);
            bare_cpu_run(cpu, b, &res);
            snap(cpu, &io, &res, &i);
            bare_cpu_free(cpu);
            same(p, "budget", (unsigned)b, &j, &i);
        }
    }
}

/* Whole programs in chunks: the loop is entered and left again and again. */
static void test_chunks(void **state)
{
    (void)state;
    static const uint64_t chunks[] = { 0, 1, 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 64, 97, 1000 };
    for (unsigned k = 0; k < NPROGS; k++) {
        for (unsigned c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
            struct state j, i;
            run_chunks(&progs[k], BARE_ENGINE_JIT, chunks[c], 0, &j);
            run_chunks(&progs[k], BARE_ENGINE_INTERP, chunks[c], 0, &i);
            same(&progs[k], "chunk", (unsigned)chunks[c], &j, &i);
        }
    }
}

/* The exit request set by a helper inside the loop stops it at its back edge. */
static void test_exit_request(void **state)
{
    (void)state;
    const struct prog *p = &progs[3];
    for (unsigned at = 1; at <= 50; at++) {
        struct state j, i;
        struct io io;
        struct bare_cpu *cpu = start(p, BARE_ENGINE_JIT, &io);
        io.request_at = at;
        struct bare_result res;
        bare_cpu_run(cpu, 1000000, &res);
        assert_int_equal(res.stop, BARE_STOP_BUDGET);   /* the request, not HLT */
        assert_int_equal(io.outs, at);                  /* not one iteration more */
        snap(cpu, &io, &res, &j);
        bare_cpu_free(cpu);
        cpu = start(p, BARE_ENGINE_INTERP, &io);
        io.request_at = at;
        bare_cpu_run(cpu, 1000000, &res);
        snap(cpu, &io, &res, &i);
        bare_cpu_free(cpu);
        same(p, "request at", at, &j, &i);
        /* and to the end from there, in chunks */
        run_chunks(p, BARE_ENGINE_JIT, 7, at, &j);
        run_chunks(p, BARE_ENGINE_INTERP, 7, at, &i);
        same(p, "request then chunks", at, &j, &i);
        assert_int_equal(j.res.stop, BARE_STOP_HLT);
    }
}

/* Known results, so that both engines being wrong alike fails too. */
static void test_results(void **state)
{
    (void)state;
    for (int e = 0; e < 2; e++) {
        struct state s;
        run_chunks(&progs[2], e, 0, 0, &s);      /* fault */
        assert_int_equal(s.res.stop, BARE_STOP_EXCEPTION);
        assert_int_equal(s.res.vector, 14);
        assert_int_equal(s.res.cr2, 0x100010);
        assert_int_equal(s.r.rip, CODE + 12);    /* the add */
        assert_int_equal(s.r.gpr[8], 24);        /* r8: 24 iterations done */
        assert_int_equal(s.r.gpr[6], 0x100010);  /* rsi */
        assert_int_equal(s.r.gpr[1], 100 - 24);  /* rcx */
        run_chunks(&progs[4], e, 0, 0, &s);      /* smc */
        assert_int_equal(s.res.stop, BARE_STOP_HLT);
        assert_int_equal(s.r.gpr[3], 55);        /* 1 + 2 + ... + 10 */
        run_chunks(&progs[0], e, 0, 0, &s);      /* arith: 300 iterations */
        assert_int_equal(s.res.stop, BARE_STOP_HLT);
        assert_int_equal(s.r.gpr[7], 0);
        run_chunks(&progs[3], e, 0, 0, &s);      /* io */
        assert_int_equal(s.ins, 50);
        assert_int_equal(s.outs, 50);
        run_chunks(&progs[6], e, 0, 0, &s);      /* real mode */
        assert_int_equal(s.res.stop, BARE_STOP_HLT);
        assert_int_equal(s.r.gpr[6], 0x2000 + 2 * 300);   /* si */
        assert_int_equal(s.r.rip, CODE + sizeof(p_real));
        run_chunks(&progs[7], e, 0, 0, &s);      /* 32-bit */
        assert_int_equal(s.res.stop, BARE_STOP_HLT);
        assert_int_equal(s.r.gpr[6], 0x20000 + 4 * 300); /* esi */
        assert_int_equal(s.r.gpr[1], 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_self_goto_emitted),
        cmocka_unit_test(test_results),
        cmocka_unit_test(test_budgets),
        cmocka_unit_test(test_chunks),
        cmocka_unit_test(test_exit_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
