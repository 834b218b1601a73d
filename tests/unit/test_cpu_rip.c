/* SPDX-License-Identifier: MIT */
/* test_cpu_rip.c: faults in the middle of a block, where rip is not stored eagerly: exact state on both engines. */
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

/*
 * Generated code does not store rip before memory accesses: an LD/ST slow path
 * that faults recovers it from the instruction marker (docs/JIT.md). Each case
 * runs a straight-line program whose fault comes after a few instructions of
 * the same block, on both engines, and checks the state against
 *   - the expected vector, faulting instruction (rip), CR2 / error code, and
 *   - the same program single-stepped (one instruction per block, so rip is
 *     right at every block start), which must end in exactly the same state:
 *     registers, RFLAGS, memory.
 */

#define MEM (1u << 20)       /* memory 0..MEM; the page at MEM is missing */
#define CODE 0x1000u
#define DATA 0x4000u
#define NONCANON 0x8000123400005678ull

struct rcase {
    const char *name;
    enum bare_mode mode;
    uint8_t code[48];
    unsigned len;
    uint64_t gpr[16];        /* initial registers (rsp 0 means 0x8000) */
    uint16_t seg[6];         /* real mode selectors */
    unsigned fault_at;       /* offset of the faulting instruction in code */
    int vector;
    uint64_t cr2;            /* #PF */
    int err;                 /* expected error code, -1: do not check */
};

#define R(i, v) [i] = (v)
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI };

static const struct rcase cases[] = {
    /* mov rax, 5; add rbx, rax; mov [rsi], rbx; mov rcx, [rdi]; sub rdx, rcx; hlt */
    { "load #PF after a store and flags", BARE_MODE_LONG64,
      { 0x48, 0xc7, 0xc0, 0x05, 0, 0, 0, 0x48, 0x01, 0xc3, 0x48, 0x89, 0x1e, 0x48, 0x8b, 0x0f,
        0x48, 0x29, 0xca, 0xf4 }, 20,
      { R(RBX, 0x7ffffffffffffffeull), R(RSI, DATA), R(RDI, MEM + 0x20) }, { 0 }, 13, 14, MEM + 0x20, 0 },
    /* same, store: mov [rdi], rdx */
    { "store #PF after a load", BARE_MODE_LONG64,
      { 0x48, 0xc7, 0xc0, 0x05, 0, 0, 0, 0x48, 0x8b, 0x1e, 0x48, 0x01, 0xc3, 0x48, 0x89, 0x17,
        0xf4 }, 17,
      { R(RSI, DATA), R(RDI, MEM + 0x38), R(RDX, 77) }, { 0 }, 13, 14, MEM + 0x38, 2 },
    /* inc rcx; mov rax, [rdi] with rdi non-canonical: #GP(0) */
    { "non-canonical load #GP", BARE_MODE_LONG64,
      { 0x48, 0xff, 0xc1, 0x48, 0xff, 0xc1, 0x48, 0x8b, 0x07, 0xf4 }, 10,
      { R(RDI, NONCANON) }, { 0 }, 6, 13, 0, 0 },
    /* dec rbx; push rbx (rsp non-canonical): #SS(0) */
    { "push with non-canonical rsp #SS", BARE_MODE_LONG64,
      { 0x48, 0xff, 0xcb, 0x53, 0xf4 }, 5,
      { R(RSP, NONCANON) }, { 0 }, 3, 12, 0, 0 },
    /* add rax, rbx; call rel 0 (push into the missing page) */
    { "call pushing into the missing page", BARE_MODE_LONG64,
      { 0x48, 0x01, 0xd8, 0xe8, 0, 0, 0, 0, 0xf4 }, 9,
      { R(RAX, 3), R(RBX, 4), R(RSP, MEM + 0x100) }, { 0 }, 3, 14, MEM + 0xf8, 2 },
    /* sub rax, 1; mov eax, [rdi] straddling into the missing page: CR2 = its first byte */
    { "split load: CR2 = the missing page", BARE_MODE_LONG64,
      { 0x48, 0x83, 0xe8, 0x01, 0x8b, 0x07, 0xf4 }, 7,
      { R(RDI, MEM - 2) }, { 0 }, 4, 14, MEM, 0 },
    /* add rbx, 1; xchg [rdi], rax (a helper: locked RMW) */
    { "fault inside a helper (xchg)", BARE_MODE_LONG64,
      { 0x48, 0x83, 0xc3, 0x01, 0x48, 0x87, 0x07, 0xf4 }, 8,
      { R(RDI, MEM + 8) }, { 0 }, 4, 14, MEM + 8, -1 },
    /* inc rdx; rep movsb from DATA into the page before the missing one */
    { "fault in a REP MOVSB part way", BARE_MODE_LONG64,
      { 0x48, 0xff, 0xc2, 0xf3, 0xa4, 0xf4 }, 6,
      { R(RSI, DATA), R(RDI, MEM - 5), R(RCX, 20) }, { 0 }, 3, 14, MEM, 2 },
    /* loop: mov rax, [rdi]; add rdi, 8; dec rcx; jnz loop: faults in a later iteration */
    { "load #PF in a later loop iteration", BARE_MODE_LONG64,
      { 0x48, 0x8b, 0x07, 0x48, 0x83, 0xc7, 0x08, 0x48, 0xff, 0xc9, 0x75, 0xf4, 0xf4 }, 13,
      { R(RDI, MEM - 24), R(RCX, 100) }, { 0 }, 0, 14, MEM, 0 },
    /* 32-bit: inc ecx; mov eax, [edi] beyond memory: #PF from the flat map */
    { "32-bit protected mode load", BARE_MODE_PROT32,
      { 0x41, 0x01, 0xc8, 0x8b, 0x07, 0xf4 }, 6,
      { R(RDI, MEM + 0x40) }, { 0 }, 3, -1, 0, -1 },
    /* real mode, CS = 0x80 (base 0x800): inc cx; add ax, cx; mov bx, [di] with DS past memory */
    { "real mode load (rip = IP, not linear)", BARE_MODE_REAL,
      { 0x41, 0x01, 0xc8, 0x8b, 0x1d, 0xf4 }, 6,
      { R(RDI, 0x10) }, { [0] = 0, [1] = 0x80, [2] = 0, [3] = 0xffff }, 3, -1, 0, -1 },
};

struct run {
    struct bare_result res;
    struct bare_regs r;
    uint8_t *mem;
};

static struct bare_cpu *make(enum bare_engine e, const struct rcase *c, uint64_t *code_lin)
{
    struct bare_cpu *cpu = bare_cpu_new(e, c->mode, 0, MEM);
    assert_non_null(cpu);
    struct bare_regs r;
    memset(&r, 0, sizeof(r));
    memcpy(r.gpr, c->gpr, sizeof(r.gpr));
    if (!r.gpr[RSP])
        r.gpr[RSP] = 0x8000;
    r.rflags = 2;
    memcpy(r.seg, c->seg, sizeof(r.seg));
    uint64_t base = c->mode == BARE_MODE_REAL ? (uint64_t)c->seg[1] << 4 : 0;
    r.rip = CODE - base;
    bare_cpu_set_regs(cpu, &r);
    uint8_t *m = bare_cpu_mem(cpu);
    for (unsigned i = 0; i < 64; i++)
        m[DATA + i] = (uint8_t)(i * 37 + 1);
    assert_true(bare_cpu_write(cpu, CODE, c->code, c->len));
    *code_lin = CODE;
    return cpu;
}

/* step: single-instruction runs until something other than the budget stops it. */
static void run_one(enum bare_engine e, const struct rcase *c, bool step, struct run *out)
{
    uint64_t lin;
    struct bare_cpu *cpu = make(e, c, &lin);
    if (step) {
        for (unsigned n = 0; n < 100000; n++) {
            bare_cpu_run(cpu, 1, &out->res);
            if (out->res.stop != BARE_STOP_BUDGET)
                break;
        }
    } else {
        bare_cpu_run(cpu, 100000, &out->res);
    }
    bare_cpu_get_regs(cpu, &out->r);
    out->mem = malloc(MEM);
    assert_non_null(out->mem);
    memcpy(out->mem, bare_cpu_mem(cpu), MEM);
    bare_cpu_free(cpu);
}

static void check_case(enum bare_engine e, const struct rcase *c)
{
    struct run whole, step;
    run_one(e, c, false, &whole);
    run_one(e, c, true, &step);
    const char *en = e == BARE_ENGINE_JIT ? "jit" : "interp";
    uint64_t base = c->mode == BARE_MODE_REAL ? (uint64_t)c->seg[1] << 4 : 0;
    if (whole.res.stop != BARE_STOP_EXCEPTION || (c->vector >= 0 && whole.res.vector != c->vector))
        fail_msg("%s, %s: stop %d vector %d", en, c->name, (int)whole.res.stop, whole.res.vector);
    if (whole.r.rip != CODE - base + c->fault_at)
        fail_msg("%s, %s: rip %#llx, want %#llx", en, c->name, (unsigned long long)whole.r.rip,
                 (unsigned long long)(CODE - base + c->fault_at));
    if (c->vector == 14 && whole.res.cr2 != c->cr2)
        fail_msg("%s, %s: cr2 %#llx, want %#llx", en, c->name, (unsigned long long)whole.res.cr2,
                 (unsigned long long)c->cr2);
    if (c->err >= 0 && (!whole.res.has_error_code || whole.res.error_code != (uint32_t)c->err))
        fail_msg("%s, %s: error code %#x, want %#x", en, c->name, whole.res.error_code, c->err);
    /* The single-stepped run is the reference for everything else. */
    if (whole.res.vector != step.res.vector || whole.res.error_code != step.res.error_code ||
        whole.res.cr2 != step.res.cr2 || memcmp(&whole.r, &step.r, sizeof(whole.r)) != 0) {
        for (unsigned i = 0; i < 16; i++)
            if (whole.r.gpr[i] != step.r.gpr[i])
                fprintf(stderr, "  gpr%u %#llx vs %#llx\n", i, (unsigned long long)whole.r.gpr[i],
                        (unsigned long long)step.r.gpr[i]);
        fail_msg("%s, %s: state differs from the single-stepped run (rip %#llx/%#llx rflags %#llx/%#llx)",
                 en, c->name, (unsigned long long)whole.r.rip, (unsigned long long)step.r.rip,
                 (unsigned long long)whole.r.rflags, (unsigned long long)step.r.rflags);
    }
    if (memcmp(whole.mem, step.mem, MEM) != 0)
        fail_msg("%s, %s: memory differs from the single-stepped run", en, c->name);
    free(whole.mem);
    free(step.mem);
}

static void test_mid_block_faults(void **state)
{
    (void)state;
    for (int e = 0; e < 2; e++)
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
            check_case((enum bare_engine)e, &cases[i]);
}

/* The REP case resumes: after the fault, make the page reachable by moving
   rdi back (the OS "fixing" it is not possible on the bare CPU) and check the
   count/pointers continue exactly where the fault left them. */
static void test_rep_fault_resume(void **state)
{
    (void)state;
    const struct rcase *c = &cases[7];
    for (int e = 0; e < 2; e++) {
        uint64_t lin;
        struct bare_cpu *cpu = make((enum bare_engine)e, c, &lin);
        struct bare_result res;
        bare_cpu_run(cpu, 100000, &res);
        assert_int_equal(res.stop, BARE_STOP_EXCEPTION);
        struct bare_regs r;
        bare_cpu_get_regs(cpu, &r);
        assert_int_equal(r.rip, CODE + 3);
        assert_int_equal(r.gpr[RCX], 15);          /* five bytes copied */
        assert_int_equal(r.gpr[RDI], MEM);
        assert_int_equal(r.gpr[RSI], DATA + 5);
        assert_int_equal(r.gpr[RDX], 1);           /* inc rdx before it: done once */
        r.gpr[RDI] = DATA + 0x100;                 /* continue elsewhere */
        bare_cpu_set_regs(cpu, &r);
        bare_cpu_run(cpu, 100000, &res);
        assert_int_equal(res.stop, BARE_STOP_HLT);
        bare_cpu_get_regs(cpu, &r);
        assert_int_equal(r.gpr[RCX], 0);
        assert_int_equal(r.gpr[RDX], 1);           /* the REP resumed, inc not re-run */
        const uint8_t *m = bare_cpu_mem(cpu);
        for (unsigned i = 0; i < 15; i++)
            assert_int_equal(m[DATA + 0x100 + i], m[DATA + 5 + i]);
        bare_cpu_free(cpu);
    }
}

/* cpu_sync_insn outside a slow path changes nothing. */
static void test_sync_outside_slow_path(void **state)
{
    (void)state;
    struct bare_cpu *bc = bare_cpu_new(BARE_ENGINE_JIT, BARE_MODE_LONG64, 0, MEM);
    assert_non_null(bc);
    struct cpu *cpu = bare_cpu_cpu(bc);
    cpu->rip = 0x1234;
    cpu_sync_insn(cpu);
    assert_int_equal(cpu->rip, 0x1234);
    cpu->insn_ra = (uintptr_t)&test_sync_outside_slow_path; /* not generated code */
    cpu_sync_insn(cpu);
    assert_int_equal(cpu->rip, 0x1234);
    assert_int_equal(cpu->insn_ra, 0);
    bare_cpu_free(bc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mid_block_faults),
        cmocka_unit_test(test_rep_fault_resume),
        cmocka_unit_test(test_sync_outside_slow_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
