/* SPDX-License-Identifier: MIT */
/* test_cpu_faults.c: non-canonical addresses (#GP/#SS) and CR2 of page-straddling accesses, both engines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/bare.h"

#define MEM (1u << 20)     /* memory 0..MEM; the page at MEM is missing */
#define CODE 0x1000u
#define NONCANON 0x8000123400005678ull

struct fcase {
    const char *name;
    uint8_t code[8];
    unsigned len;
    int reg;              /* register given the address */
    uint64_t addr;
    int vector;           /* expected exception */
    uint64_t cr2;         /* #PF only */
    bool check_rip;       /* the fault is at the instruction (CODE) */
};

static const struct fcase cases[] = {
    { "store [rax] non-canonical: #GP", { 0x48, 0x89, 0x18 }, 3, 0, NONCANON, 13, 0, true },
    { "load [rax] non-canonical: #GP", { 0x48, 0x8b, 0x18 }, 3, 0, NONCANON, 13, 0, true },
    { "load [rbp] non-canonical: #SS", { 0x48, 0x8b, 0x5d, 0x00 }, 4, 5, NONCANON, 12, 0, true },
    { "store [rsp+8] non-canonical: #SS", { 0x48, 0x89, 0x5c, 0x24, 0x08 }, 5, 4, NONCANON, 12, 0, true },
    { "push, rsp non-canonical: #SS", { 0x53 }, 1, 4, NONCANON, 12, 0, true },
    { "pop, rsp non-canonical: #SS", { 0x5b }, 1, 4, NONCANON, 12, 0, true },
    { "fs:[rbp] non-canonical: #GP", { 0x64, 0x48, 0x8b, 0x5d, 0x00 }, 5, 5, NONCANON, 13, 0, true },
    /* 64-bit mode ignores ES/CS/SS/DS overrides (as the host does: ss:[rax] #GP, ds:[rbp] #SS) */
    { "ss:[rax] non-canonical: #GP", { 0x36, 0x48, 0x89, 0x18 }, 4, 0, NONCANON, 13, 0, true },
    { "ds:[rbp] non-canonical: #SS", { 0x3e, 0x48, 0x89, 0x5d, 0x00 }, 5, 5, NONCANON, 12, 0, true },
    { "add [rbp], rbx non-canonical: #SS", { 0x48, 0x01, 0x5d, 0x00 }, 4, 5, NONCANON, 12, 0, true },
    { "lock add [rbp], rbx non-canonical: #SS", { 0xf0, 0x48, 0x01, 0x5d, 0x00 }, 5, 5, NONCANON, 12, 0, true },
    { "lock add [rax], rbx non-canonical: #GP", { 0xf0, 0x48, 0x01, 0x18 }, 4, 0, NONCANON, 13, 0, true },
    { "xchg [rbp], rbx non-canonical: #SS", { 0x48, 0x87, 0x5d, 0x00 }, 4, 5, NONCANON, 12, 0, true },
    { "lock bts [rbp], 3 non-canonical: #SS", { 0xf0, 0x48, 0x0f, 0xba, 0x6d, 0x00, 0x03 }, 7, 5, NONCANON, 12, 0,
      true },
    { "cmpxchg16b [rbp] non-canonical: #SS", { 0x48, 0x0f, 0xc7, 0x4d, 0x00 }, 5, 5, 0x8000123400005670ull, 12, 0,
      true },
    { "cmpxchg8b [rax] non-canonical: #GP", { 0x0f, 0xc7, 0x08 }, 3, 0, NONCANON, 13, 0, true },
    { "lods [rsi] non-canonical: #GP", { 0x48, 0xad }, 2, 6, NONCANON, 13, 0, true },
    { "stos [rdi] non-canonical: #GP", { 0x48, 0xab }, 2, 7, NONCANON, 13, 0, true },
    { "store straddling into non-canonical: #GP", { 0x48, 0x89, 0x18 }, 3, 0, 0x00007ffffffffffcull, 13, 0,
      true },
    { "8-byte store straddling into the missing page", { 0x48, 0x89, 0x18 }, 3, 0, MEM - 3, 14, MEM, true },
    { "4-byte load straddling into the missing page", { 0x8b, 0x18 }, 2, 0, MEM - 1, 14, MEM, true },
    { "2-byte store straddling into the missing page", { 0x66, 0x89, 0x18 }, 3, 0, MEM - 1, 14, MEM, true },
    { "push straddling into the missing page", { 0x53 }, 1, 4, MEM + 4, 14, MEM, true },
    { "movups store straddling into the missing page", { 0x0f, 0x11, 0x00 }, 3, 0, MEM - 12, 14, MEM, true },
    { "movups store straddling into non-canonical: #GP", { 0x0f, 0x11, 0x00 }, 3, 0, 0x00007ffffffffff8ull, 13, 0,
      true },
    { "fstp tword straddling into the missing page", { 0xdb, 0x38 }, 2, 0, MEM - 6, 14, MEM, true },
    { "load from the missing page", { 0x48, 0x8b, 0x18 }, 3, 0, MEM + 0x10, 14, MEM + 0x10, true },
    { "jmp to a non-canonical address: #GP", { 0xff, 0xe0 }, 2, 0, NONCANON, 13, 0, false },
};

static void run_case(enum bare_engine e, const struct fcase *c)
{
    struct bare_cpu *cpu = bare_cpu_new(e, BARE_MODE_LONG64, 0, MEM);
    assert_non_null(cpu);
    uint8_t code[16];
    memcpy(code, c->code, c->len);
    code[c->len] = 0xf4; /* hlt */
    assert_true(bare_cpu_write(cpu, CODE, code, c->len + 1u));
    uint8_t *m = bare_cpu_mem(cpu);
    memset(m + MEM - 16, 0x5a, 16);
    struct bare_regs r;
    memset(&r, 0, sizeof(r));
    r.rip = CODE;
    r.rflags = 2;
    r.gpr[4] = 0x8000;
    r.gpr[3] = 0x1122334455667788ull;
    r.gpr[c->reg] = c->addr;
    bare_cpu_set_regs(cpu, &r);
    struct bare_result res;
    bare_cpu_run(cpu, 1000, &res);
    struct bare_regs after;
    bare_cpu_get_regs(cpu, &after);
    if (res.stop != BARE_STOP_EXCEPTION || res.vector != c->vector ||
        (c->vector == 14 && res.cr2 != c->cr2) || (c->vector != 14 && (!res.has_error_code || res.error_code)))
        fail_msg("engine %d, %s: stop %d vector %d error %#x cr2 %#llx (want vector %d cr2 %#llx)", (int)e,
                 c->name, (int)res.stop, res.vector, res.error_code, (unsigned long long)res.cr2, c->vector,
                 (unsigned long long)c->cr2);
    /* Precise: nothing written, no register changed by the faulting instruction. */
    if (c->check_rip) {
        assert_int_equal(after.rip, CODE);
        assert_memory_equal(after.gpr, r.gpr, sizeof(r.gpr));
    }
    for (unsigned i = 0; i < 16; i++)
        assert_int_equal(m[MEM - 16 + i], 0x5a);
    bare_cpu_free(cpu);
}

static void test_faults(void **state)
{
    (void)state;
    for (int e = 0; e < 2; e++)
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
            run_case((enum bare_engine)e, &cases[i]);
}

/* The same accesses through a C helper (REP STOS, one element): CR2 of a split element. */
static void test_string_split(void **state)
{
    (void)state;
    for (int e = 0; e < 2; e++)
        for (uint64_t off = 1; off < 8; off++) {
            struct bare_cpu *cpu = bare_cpu_new((enum bare_engine)e, BARE_MODE_LONG64, 0, MEM);
            assert_non_null(cpu);
            const uint8_t code[] = { 0xf3, 0x48, 0xab, 0xf4 }; /* rep stosq; hlt */
            assert_true(bare_cpu_write(cpu, CODE, code, sizeof(code)));
            struct bare_regs r;
            memset(&r, 0, sizeof(r));
            r.rip = CODE;
            r.rflags = 2;
            r.gpr[4] = 0x8000;
            r.gpr[1] = 3;
            r.gpr[7] = MEM - 16 - off;
            bare_cpu_set_regs(cpu, &r);
            struct bare_result res;
            bare_cpu_run(cpu, 1000, &res);
            assert_int_equal(res.stop, BARE_STOP_EXCEPTION);
            assert_int_equal(res.vector, 14);
            assert_int_equal(res.cr2, MEM);
            bare_cpu_get_regs(cpu, &r);
            assert_int_equal(r.gpr[1], 1); /* two elements done */
            bare_cpu_free(cpu);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_string_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
