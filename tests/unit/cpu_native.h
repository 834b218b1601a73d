/* SPDX-License-Identifier: MIT */
/* cpu_native.h: runs 64-bit code snippets natively on the host and on the bare CPU, to compare. */
#ifndef KILN_TESTS_CPU_NATIVE_H
#define KILN_TESTS_CPU_NATIVE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "cpu/bare.h"

/*
 * One 1 MiB region at a fixed address serves as host memory for native runs and
 * as the bare CPU's guest memory (same addresses, so pointers in registers mean
 * the same on both sides). Code at +0x1000, data at +0x10000, stack below +0x80000.
 */
#define NT_BASE 0x20000000ull
#define NT_SIZE (1u << 20)
#define NT_CODE (NT_BASE + 0x1000)
#define NT_DATA (NT_BASE + 0x10000)
#define NT_DATA_SIZE 0x4000u
#define NT_STACK (NT_BASE + 0x80000)
#define NT_STACK_CHECK 0x1000u   /* bytes below NT_STACK compared */

struct nt_state {
    uint64_t gpr[16];
    uint64_t flags;
};

#if defined(__x86_64__)
void nt_enter(struct nt_state *st, const void *code);
void nt_return(void);
__asm__(
    ".intel_syntax noprefix\n"
    ".text\n"
    ".globl nt_enter\n"
    "nt_enter:\n"
    "  push rbx\n push rbp\n push r12\n push r13\n push r14\n push r15\n"
    "  mov [rip+nt_saved_rsp], rsp\n"
    "  mov [rip+nt_saved_state], rdi\n"
    "  mov [rip+nt_code], rsi\n"
    "  push qword ptr [rdi+128]\n popfq\n"
    "  mov rax, [rdi+0]\n mov rcx, [rdi+8]\n mov rdx, [rdi+16]\n mov rbx, [rdi+24]\n"
    "  mov rsp, [rdi+32]\n mov rbp, [rdi+40]\n mov rsi, [rdi+48]\n"
    "  mov r8, [rdi+64]\n mov r9, [rdi+72]\n mov r10, [rdi+80]\n mov r11, [rdi+88]\n"
    "  mov r12, [rdi+96]\n mov r13, [rdi+104]\n mov r14, [rdi+112]\n mov r15, [rdi+120]\n"
    "  mov rdi, [rdi+56]\n"
    "  jmp qword ptr [rip+nt_code]\n"
    ".globl nt_return\n"
    "nt_return:\n"
    "  mov [rip+nt_tmp], rdi\n"
    "  mov rdi, [rip+nt_saved_state]\n"
    "  mov [rdi+0], rax\n mov [rdi+8], rcx\n mov [rdi+16], rdx\n mov [rdi+24], rbx\n"
    "  mov [rdi+32], rsp\n mov [rdi+40], rbp\n mov [rdi+48], rsi\n"
    "  mov [rdi+64], r8\n mov [rdi+72], r9\n mov [rdi+80], r10\n mov [rdi+88], r11\n"
    "  mov [rdi+96], r12\n mov [rdi+104], r13\n mov [rdi+112], r14\n mov [rdi+120], r15\n"
    "  mov rax, [rip+nt_tmp]\n mov [rdi+56], rax\n"
    "  mov rsp, [rip+nt_saved_rsp]\n"
    "  pushfq\n pop rax\n mov [rdi+128], rax\n cld\n"
    "  pop r15\n pop r14\n pop r13\n pop r12\n pop rbp\n pop rbx\n"
    "  ret\n"
    ".data\n"
    "nt_saved_rsp: .quad 0\n nt_saved_state: .quad 0\n nt_code: .quad 0\n nt_tmp: .quad 0\n"
    ".text\n"
    ".att_syntax prefix\n");
#define NT_HAVE_NATIVE 1
#else
#define NT_HAVE_NATIVE 0
#endif

static uint8_t *nt_mem;          /* the host region, NULL if unavailable */
static struct bare_cpu *nt_cpu[2]; /* per engine (BARE_ENGINE_JIT, BARE_ENGINE_INTERP) */
static uint64_t nt_rng = 0x9e3779b97f4a7c15ull;

static uint64_t nt_rand(void)
{
    nt_rng ^= nt_rng << 13;
    nt_rng ^= nt_rng >> 7;
    nt_rng ^= nt_rng << 17;
    return nt_rng;
}

/* An interesting 64-bit value: edges of each size and random bits. */
static uint64_t nt_value(void)
{
    static const uint64_t edge[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000u,
        0xffffffffu, 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, 0x100, 0x10000,
        0x100000000ull, 31, 32, 63, 64, 7, 8, 15, 16,
    };
    uint64_t r = nt_rand();
    switch (r & 7) {
    case 0: case 1: return edge[(r >> 8) % (sizeof(edge) / sizeof(edge[0]))];
    case 2: return nt_rand() & 0xff;
    case 3: return nt_rand() & 0xffff;
    case 4: return nt_rand() & 0xffffffffu;
    case 5: return edge[(r >> 8) % (sizeof(edge) / sizeof(edge[0]))] + ((r >> 40) & 3) - 1;
    default: return nt_rand();
    }
}

static bool nt_init(void)
{
    if (!NT_HAVE_NATIVE)
        return false;
    if (!nt_mem) {
        void *p = mmap((void *)(uintptr_t)NT_BASE, NT_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (p == MAP_FAILED || p != (void *)(uintptr_t)NT_BASE)
            return false;
        nt_mem = p;
    }
    return true;
}

static struct bare_cpu *nt_bare(enum bare_engine e)
{
    if (!nt_cpu[e])
        nt_cpu[e] = bare_cpu_new(e, BARE_MODE_LONG64, NT_BASE, NT_SIZE);
    return nt_cpu[e];
}

/* Random registers and flags; registers in ptr_mask point into the data area. */
static void nt_random_state(struct nt_state *st, unsigned ptr_mask)
{
    for (int i = 0; i < 16; i++)
        st->gpr[i] = nt_value();
    for (int i = 0; i < 16; i++)
        if (ptr_mask & (1u << i))
            st->gpr[i] = NT_DATA + 0x1000 + (nt_rand() & 0x7f8) + ((nt_rand() & 3) == 0 ? (nt_rand() & 7) : 0);
    st->gpr[4] = NT_STACK - (nt_rand() & 0x70);
    st->flags = 0x202 | (nt_rand() & 0x8d5);
}

static void nt_random_data(void)
{
    for (unsigned i = 0; i < NT_DATA_SIZE; i += 8) {
        uint64_t v = nt_value();
        memcpy(nt_mem + (NT_DATA - NT_BASE) + i, &v, 8);
    }
    memset(nt_mem + (NT_STACK - NT_BASE) - NT_STACK_CHECK, 0x5a, NT_STACK_CHECK);
}

/* Runs code natively from st (updated in place). */
static void nt_run_native(const uint8_t *code, size_t len, struct nt_state *st)
{
    uint8_t *c = nt_mem + (NT_CODE - NT_BASE);
    memcpy(c, code, len);
    c[len] = 0xff; c[len + 1] = 0x25; /* jmp [rip+0] */
    memset(c + len + 2, 0, 4);
    uint64_t ret = (uint64_t)(uintptr_t)nt_return;
    memcpy(c + len + 6, &ret, 8);
    __builtin___clear_cache((char *)c, (char *)c + len + 14);
#if NT_HAVE_NATIVE
    nt_enter(st, c);
#endif
}

/* Runs code (followed by HLT) on the bare CPU from st with memory image img. */
static int nt_run_bare(enum bare_engine e, const uint8_t *code, size_t len, const uint8_t *img,
                       struct nt_state *st, struct bare_result *res)
{
    struct bare_cpu *cpu = nt_bare(e);
    if (!cpu)
        fail_msg("no bare CPU for engine %d", (int)e);   /* a failure, never a skip */
    uint8_t *m = bare_cpu_mem(cpu);
    memcpy(m, img, NT_SIZE);
    memcpy(m + (NT_CODE - NT_BASE), code, len);
    m[NT_CODE - NT_BASE + len] = 0xf4;
    struct bare_regs r;
    memset(&r, 0, sizeof(r));
    memcpy(r.gpr, st->gpr, sizeof(r.gpr));
    r.rip = NT_CODE;
    r.rflags = st->flags;
    bare_cpu_set_regs(cpu, &r);
    bare_cpu_run(cpu, 100000, res);
    bare_cpu_get_regs(cpu, &r);
    memcpy(st->gpr, r.gpr, sizeof(r.gpr));
    st->flags = r.rflags;
    return 0;
}

#endif
