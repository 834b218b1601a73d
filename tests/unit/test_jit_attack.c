/* SPDX-License-Identifier: MIT */
/* test_jit_attack.c: adversarial x86 programs for the JIT's self-loops and store-skipping chained exits, against the interpreter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/bare.h"
#include "tests/unit/bare_cmp.h"
#include "cpu/cpu.h"
#include "translate/tb.h"

/*
 * Each program runs on both engines with every small budget, in chunks of
 * many sizes (the cache flushed now and then between chunks, or not), and to its end; every
 * register, the flags, the stop, the instruction count and memory must agree.
 * The sources are nasm; the bytes below are its output.
 */

#define MEM (1u << 20)
#define CODE 0x1000u

/* Self-loop with partial-width writes (AH, BX, DH, R8W, R11W), 32-bit zero
   extension, 32- and 64-bit LEAs (one with index == base), CMOV, SETcc, RCL,
   XCHG of 16-bit halves: fifteen registers live across the back edge.
     mov ecx, 200; mov rax, 0x1122334455667788; mov rbx, 0x99aabbccddeeff00
     mov rdx, 0x0f0e0d0c0b0a0908
   l: add al, cl; adc ah, bl; sub bx, dx; xor dh, al; mov r8w, bx; add bl, ah
     movzx r9d, dl; add r10d, r9d; inc r11w; lea r12d, [r10+r9*4+7]
     lea r13, [r12+r8*8-3]; lea r14, [r13+r13*2]; cmovc r15, r14; setnz sil
     rcl di, 1; bswap r14d; xchg bp, r11w; dec ecx; jnz l; hlt */
static const uint8_t p_partial[] = {
    0xb9, 0xc8, 0x00, 0x00, 0x00, 0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44,
    0x33, 0x22, 0x11, 0x48, 0xbb, 0x00, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa,
    0x99, 0x48, 0xba, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x00,
    0xc8, 0x10, 0xdc, 0x66, 0x29, 0xd3, 0x30, 0xc6, 0x66, 0x41, 0x89, 0xd8,
    0x00, 0xe3, 0x44, 0x0f, 0xb6, 0xca, 0x45, 0x01, 0xca, 0x66, 0x41, 0xff,
    0xc3, 0x47, 0x8d, 0x64, 0x8a, 0x07, 0x4f, 0x8d, 0x6c, 0xc4, 0xfd, 0x4f,
    0x8d, 0x74, 0x6d, 0x00, 0x4d, 0x0f, 0x42, 0xfe, 0x40, 0x0f, 0x95, 0xc6,
    0x66, 0xd1, 0xd7, 0x41, 0x0f, 0xce, 0x66, 0x41, 0x87, 0xeb, 0xff, 0xc9,
    0x75, 0xc1, 0xf4,
};

/* Chained exits into successors that redefine the flags, RDTSC (derived from
   the instruction count) in every pass, and a #PF in the successor entered
   through the fast exit after its SUB (flags and registers as of the load).
     mov ecx, 100; mov rsi, 0xe0010
   top: rdtsc; add r8, rax; test cl, 1; jz even
     sub rbx, rcx; add rsi, 0x1000; mov rdx, [rsi]; jmp next
   even: and rbx, r8; cmp rbx, 5; jb next; inc r9
   next: dec ecx; jnz top; hlt */
static const uint8_t p_tsc_fault[] = {
    0xb9, 0x64, 0x00, 0x00, 0x00, 0xbe, 0x10, 0x00, 0x0e, 0x00, 0x0f, 0x31,
    0x49, 0x01, 0xc0, 0xf6, 0xc1, 0x01, 0x74, 0x0f, 0x48, 0x29, 0xcb, 0x48,
    0x81, 0xc6, 0x00, 0x10, 0x00, 0x00, 0x48, 0x8b, 0x16, 0xeb, 0x0c, 0x4c,
    0x21, 0xc3, 0x48, 0x83, 0xfb, 0x05, 0x72, 0x03, 0x49, 0xff, 0xc1, 0xff,
    0xc9, 0x75, 0xd7, 0xf4,
};

/* Flags through the stack and AH inside a loop; the fifth pass from the end
   sets TF with POPF (single-step #DB from then on).
     mov ecx, 20
   l: pushfq; pop rax; lahf; add bl, ah; cmp ecx, 5; jne .n; or eax, 0x100
   .n: push rax; popfq; sahf; inc rdx; dec ecx; jnz l; hlt */
static const uint8_t p_flags[] = {
    0xb9, 0x14, 0x00, 0x00, 0x00, 0x9c, 0x58, 0x9f, 0x00, 0xe3, 0x83, 0xf9,
    0x05, 0x75, 0x05, 0x0d, 0x00, 0x01, 0x00, 0x00, 0x50, 0x9d, 0x9e, 0x48,
    0xff, 0xc2, 0xff, 0xc9, 0x75, 0xe7, 0xf4,
};

/* 16-bit self-loop (LOOP) walking SI up to the segment limit: the word store
   at [si+2] = 0xffff faults (#GP) in the 254th pass.
     mov cx, 0x9000; mov si, 0xff00
   l: add ax, [si]; adc bx, ax; mov [si+2], bx; add si, 1; loop l; hlt */
static const uint8_t p_seg16[] = {
    0xb9, 0x00, 0x90, 0xbe, 0x00, 0xff, 0x03, 0x04, 0x11, 0xc3, 0x89, 0x5c,
    0x02, 0x83, 0xc6, 0x01, 0xe2, 0xf4, 0xf4,
};

/* REP STOSB with counts 0..7, JRCXZ, an inner LOOP (a self-loop inside an
   outer loop).
     mov r12d, 40; mov rdi, 0x40000
   l: mov ecx, r12d; and ecx, 7; mov al, r12b; rep stosb; jrcxz .z; inc r13
   .z: mov ecx, 3
   .in: add r14, rcx; loop .in
     dec r12d; jnz l; hlt */
static const uint8_t p_string[] = {
    0x41, 0xbc, 0x28, 0x00, 0x00, 0x00, 0xbf, 0x00, 0x00, 0x04, 0x00, 0x44,
    0x89, 0xe1, 0x83, 0xe1, 0x07, 0x44, 0x88, 0xe0, 0xf3, 0xaa, 0xe3, 0x03,
    0x49, 0xff, 0xc5, 0xb9, 0x03, 0x00, 0x00, 0x00, 0x49, 0x01, 0xce, 0xe2,
    0xfb, 0x41, 0xff, 0xcc, 0x75, 0xe1, 0xf4,
};

/* A pointer chase (mov rax, [rax]) into a pinned register with PUSH below it:
   the tenth push goes below address 0 (#PF), with RSP and RAX as of it.
     mov esp, 0x48; mov eax, 0x30000; mov ecx, 1000
   l: mov rax, [rax]; and eax, 0xfff8; or eax, 0x30000; push rax; add rbx, rax
     dec ecx; jnz l; hlt */
static const uint8_t p_chase[] = {
    0xbc, 0x48, 0x00, 0x00, 0x00, 0xb8, 0x00, 0x00, 0x03, 0x00, 0xb9, 0xe8,
    0x03, 0x00, 0x00, 0x48, 0x8b, 0x00, 0x25, 0xf8, 0xff, 0x00, 0x00, 0x0d,
    0x00, 0x00, 0x03, 0x00, 0x50, 0x48, 0x01, 0xc3, 0xff, 0xc9, 0x75, 0xeb,
    0xf4,
};

/* IN (a helper that may change env) in a self-loop with a skip inside the
   block and ten registers in a dependency chain.
     mov edx, 0x80; mov r15d, 60
   l: in eax, dx; mov r8, rax; xor r9, r8; add r10, r9; sub r11, r10; and r12, r11
     or r13, r12; imul r14, r13; cmp al, 0x80; jb .s; add rbx, r14
   .s: add rsi, rbx; adc rdi, rsi; dec r15d; jnz l; hlt */
static const uint8_t p_in[] = {
    0xba, 0x80, 0x00, 0x00, 0x00, 0x41, 0xbf, 0x3c, 0x00, 0x00, 0x00, 0xed,
    0x49, 0x89, 0xc0, 0x4d, 0x31, 0xc1, 0x4d, 0x01, 0xca, 0x4d, 0x29, 0xd3,
    0x4d, 0x21, 0xdc, 0x4d, 0x09, 0xe5, 0x4d, 0x0f, 0xaf, 0xf5, 0x3c, 0x80,
    0x72, 0x03, 0x4c, 0x01, 0xf3, 0x48, 0x01, 0xde, 0x48, 0x11, 0xf7, 0x41,
    0xff, 0xcf, 0x75, 0xd7, 0xf4,
};

/* Register pressure: all sixteen registers in a self-loop, with CMOV, SHLD,
   a rotate and a shift by CL, BSF/POPCNT, BT/SETC, RCR and RSP computed from a
   value stored and reloaded through the stack.
     mov ebp, 150; mov rax, 0x0123456789abcdef; mov rbx, 0x1111111111111111
   l: add rax, rbx; imul rcx, rax, 7; xor rdx, rcx; cmovs rsi, rdx; shld rdi, rsi, 5
     ror r8, cl; adc r9, r8; cmovnc r10, r9; sbb r11, r10; bsf r12, r11; cmovz r12, rax
     popcnt r13, r12; lea r14, [r13+r12*8+0x40]; mov r15, r14; shr r15, cl; bt rax, r15
     setc bl; rcr rbx, 3; mov [rsp-8], rax; add rsp, [rsp-8]; and rsp, 0x7ff8
     or rsp, 0x8000; dec ebp; jnz l; hlt */
static const uint8_t p_pressure[] = {
    0xbd, 0x96, 0x00, 0x00, 0x00, 0x48, 0xb8, 0xef, 0xcd, 0xab, 0x89, 0x67,
    0x45, 0x23, 0x01, 0x48, 0xbb, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
    0x11, 0x48, 0x01, 0xd8, 0x48, 0x6b, 0xc8, 0x07, 0x48, 0x31, 0xca, 0x48,
    0x0f, 0x48, 0xf2, 0x48, 0x0f, 0xa4, 0xf7, 0x05, 0x49, 0xd3, 0xc8, 0x4d,
    0x11, 0xc1, 0x4d, 0x0f, 0x43, 0xd1, 0x4d, 0x19, 0xd3, 0x4d, 0x0f, 0xbc,
    0xe3, 0x4c, 0x0f, 0x44, 0xe0, 0xf3, 0x4d, 0x0f, 0xb8, 0xec, 0x4f, 0x8d,
    0x74, 0xe5, 0x40, 0x4d, 0x89, 0xf7, 0x49, 0xd3, 0xef, 0x4c, 0x0f, 0xa3,
    0xf8, 0x0f, 0x92, 0xc3, 0x48, 0xc1, 0xdb, 0x03, 0x48, 0x89, 0x44, 0x24,
    0xf8, 0x48, 0x03, 0x64, 0x24, 0xf8, 0x48, 0x81, 0xe4, 0xf8, 0x7f, 0x00,
    0x00, 0x48, 0x81, 0xcc, 0x00, 0x80, 0x00, 0x00, 0xff, 0xcd, 0x75, 0xa1,
    0xf4
};

/* A data breakpoint (DR0/DR7, set by the guest) on a store of a self-loop's
   21st pass: the #DB trap comes after that store, before the ADD.
     mov eax, 0x30a0; mov dr0, rax; mov eax, 0xd0001; mov dr7, rax
     mov edi, 0x3000; mov ecx, 40; xor eax, eax
   l: mov [rdi], rax; add rdi, 8; inc rax; add rbx, rax; dec ecx; jnz l; hlt */
static const uint8_t p_watch[] = {
    0xb8, 0xa0, 0x30, 0x00, 0x00, 0x0f, 0x23, 0xc0, 0xb8, 0x01, 0x00, 0x0d,
    0x00, 0x0f, 0x23, 0xf8, 0xbf, 0x00, 0x30, 0x00, 0x00, 0xb9, 0x28, 0x00,
    0x00, 0x00, 0x31, 0xc0, 0x48, 0x89, 0x07, 0x48, 0x83, 0xc7, 0x08, 0x48,
    0xff, 0xc0, 0x48, 0x01, 0xc3, 0xff, 0xc9, 0x75, 0xef, 0xf4
};

static const struct prog progs[] = {
    { "partial", p_partial, sizeof(p_partial), BARE_MODE_LONG64 },
    { "tsc_fault", p_tsc_fault, sizeof(p_tsc_fault), BARE_MODE_LONG64 },
    { "flags", p_flags, sizeof(p_flags), BARE_MODE_LONG64 },
    { "seg16_real", p_seg16, sizeof(p_seg16), BARE_MODE_REAL },
    { "seg16_prot", p_seg16, sizeof(p_seg16), BARE_MODE_PROT16 },
    { "string", p_string, sizeof(p_string), BARE_MODE_LONG64 },
    { "chase", p_chase, sizeof(p_chase), BARE_MODE_LONG64 },
    { "in", p_in, sizeof(p_in), BARE_MODE_LONG64 },
    { "pressure", p_pressure, sizeof(p_pressure), BARE_MODE_LONG64 },
    { "watch", p_watch, sizeof(p_watch), BARE_MODE_LONG64 },
};
#define NPROGS (sizeof(progs) / sizeof(progs[0]))

struct state {
    struct bare_regs r;
    struct bare_result res;
    uint64_t mem;
};

static uint64_t mem_hash(struct bare_cpu *cpu)
{
    static const uint32_t ranges[][2] = { { 0, 0x12000 }, { 0x40000, 0x40100 } };
    return bc_mem_hash(cpu, ranges, sizeof(ranges) / sizeof(ranges[0]));
}

/* IN returns a running value (one CPU runs at a time: start() resets it). */
static uint32_t io_count;

static uint32_t io_rd(void *opaque, uint16_t port, unsigned size)
{
    (void)opaque;
    (void)size;
    return (uint32_t)(++io_count * 0x9e3779b1u) ^ port;
}

static struct bare_cpu *start(const struct prog *p, int engine)
{
    struct bare_cpu *cpu = bare_cpu_new((enum bare_engine)engine, p->mode, 0, MEM);
    assert_non_null(cpu);
    uint8_t *m = bare_cpu_mem(cpu);
    for (uint32_t a = 0x2000; a < MEM; a += 3)
        m[a] = (uint8_t)(a * 7 + (a >> 9));
    assert_true(bare_cpu_write(cpu, CODE, p->code, p->len));
    struct bare_regs r;
    memset(&r, 0, sizeof(r));
    bare_cpu_get_regs(cpu, &r);
    r.rip = CODE;
    r.gpr[4] = 0x8000;
    r.rflags = 2;
    bare_cpu_set_regs(cpu, &r);
    io_count = 0;
    bare_cpu_set_io(cpu, io_rd, NULL, NULL);
    return cpu;
}

static void same(const struct prog *p, const char *what, unsigned arg, const struct state *a,
                 const struct state *b)
{
    bc_same(p->name, what, arg, &a->r, &a->res, &b->r, &b->res);
    if (a->mem != b->mem)
        fail_msg("%s %s %u: memory differs", p->name, what, arg);
}

/* Runs p in chunks of `chunk` instructions (0: one long run) until it stops
   otherwise; flush: the translation cache is emptied after every fourth chunk. */
static void run_chunks(const struct prog *p, int engine, uint64_t chunk, bool flush, struct state *s)
{
    struct bare_cpu *cpu = start(p, engine);
    struct bare_result res;
    uint64_t total = 0;
    unsigned runs = 0;
    do {
        bare_cpu_run(cpu, chunk ? chunk : 10000000, &res);
        total += res.insns;
        if (flush && runs % 4 == 1)
            tb_flush(bare_cpu_cpu(cpu)->tbc);
    } while (res.stop == BARE_STOP_BUDGET && ++runs < 200000);
    res.insns = total;
    memset(s, 0, sizeof(*s));
    bare_cpu_get_regs(cpu, &s->r);
    s->res = res;
    s->mem = mem_hash(cpu);
    bare_cpu_free(cpu);
}

static void test_budgets(void **state)
{
    (void)state;
    for (unsigned k = 0; k < NPROGS; k++) {
        for (uint64_t b = 1; b <= 70; b++) {
            struct state j, i;
            struct bare_cpu *cpu = start(&progs[k], BARE_ENGINE_JIT);
            bare_cpu_run(cpu, b, &j.res);
            bare_cpu_get_regs(cpu, &j.r);
            j.mem = mem_hash(cpu);
            bare_cpu_free(cpu);
            cpu = start(&progs[k], BARE_ENGINE_INTERP);
            bare_cpu_run(cpu, b, &i.res);
            bare_cpu_get_regs(cpu, &i.r);
            i.mem = mem_hash(cpu);
            bare_cpu_free(cpu);
            same(&progs[k], "budget", (unsigned)b, &j, &i);
        }
    }
}

static void test_chunks(void **state)
{
    (void)state;
    static const uint64_t chunks[] = { 0, 1, 2, 3, 5, 7, 13, 31, 97, 1000 };
    for (unsigned k = 0; k < NPROGS; k++) {
        for (unsigned c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
            for (int flush = 0; flush < 2; flush++) {
                if (flush && chunks[c] > 0 && chunks[c] < 7)
                    continue;               /* a flush per few instructions: slow, adds nothing */
                struct state j, i;
                run_chunks(&progs[k], BARE_ENGINE_JIT, chunks[c], flush, &j);
                run_chunks(&progs[k], BARE_ENGINE_INTERP, chunks[c], flush, &i);
                same(&progs[k], flush ? "flushed chunk" : "chunk", (unsigned)chunks[c], &j, &i);
            }
        }
    }
}

/* Known outcomes, so that both engines going wrong alike fails too. */
static void test_results(void **state)
{
    (void)state;
    for (int e = 0; e < 2; e++) {
        struct state s;
        run_chunks(&progs[1], e, 0, false, &s);           /* tsc_fault */
        assert_int_equal(s.res.stop, BARE_STOP_EXCEPTION);
        assert_int_equal(s.res.vector, 14);
        assert_int_equal(s.res.cr2, 0x100010);
        assert_int_equal(s.r.rip, CODE + 0x1e);          /* the load */
        run_chunks(&progs[3], e, 0, false, &s);           /* seg16 in real mode */
        assert_int_equal(s.res.stop, BARE_STOP_EXCEPTION);
        assert_int_equal(s.r.gpr[6], 0xfffd);             /* the word store at 0xffff */
        assert_int_equal(s.r.rip, CODE + 10);
        run_chunks(&progs[5], e, 0, false, &s);           /* string */
        assert_int_equal(s.res.stop, BARE_STOP_HLT);
        assert_int_equal(s.r.gpr[14], 40 * 6);            /* r14: 3 + 2 + 1 per pass */
        assert_int_equal(s.r.gpr[13], 0);                 /* REP leaves rcx 0: JRCXZ always jumps */
        run_chunks(&progs[6], e, 0, false, &s);           /* chase */
        assert_int_equal(s.res.stop, BARE_STOP_EXCEPTION);
        assert_int_equal(s.res.vector, 14);
        assert_int_equal(s.r.gpr[4], 0);                  /* rsp as of the tenth push */
        assert_int_equal(s.r.gpr[1], 1000 - 9);
        run_chunks(&progs[9], e, 0, false, &s);           /* watch */
        assert_int_equal(s.res.stop, BARE_STOP_EXCEPTION);
        assert_int_equal(s.res.vector, 1);
        assert_int_equal(s.r.rip, CODE + 0x1f);          /* after the store */
        assert_int_equal(s.r.gpr[7], 0x30a0);             /* rdi */
        assert_int_equal(s.r.gpr[0], 20);                 /* rax */
        assert_int_equal(s.r.gpr[1], 40 - 20);            /* rcx */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_results),
        cmocka_unit_test(test_budgets),
        cmocka_unit_test(test_chunks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
