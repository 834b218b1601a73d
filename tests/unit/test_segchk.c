/* SPDX-License-Identifier: MIT */
/* test_segchk.c: the protected-mode segment-check windows (seg_chk_update) and the C-side check (seg_chk_access). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/cpu.h"
#include "cpu/sys.h"

static struct cpu cpu;

/* Protected mode, 32-bit flat code and data everywhere (no segment checked but CS). */
static void reset(void)
{
    memset(&cpu, 0, sizeof(cpu));
    cpu.cr[0] = 1;
    for (int i = 0; i < 6; i++) {
        cpu.seg[i].limit = 0xffffffffu;
        cpu.seg[i].attr = 0x93 | SEG_ATTR_DB | 0x800;
    }
    cpu.seg[X86_SEG_CS].attr = 0x9b | SEG_ATTR_DB | 0x800;
    cpu_update_hflags(&cpu);
}

static void set(int seg, uint16_t attr, uint32_t limit)
{
    cpu.seg[seg].attr = attr;
    cpu.seg[seg].limit = limit;
    cpu_update_hflags(&cpu);
}

/* The vector seg_chk_access raises, or -1. */
static int probe(unsigned seg, uint64_t off, unsigned size, bool write)
{
    cpu.in_exec = true;
    cpu.excp_vector = -1;
    if (setjmp(cpu.jmp) == 0)
        seg_chk_access(&cpu, seg, off, size, write);
    cpu.in_exec = false;
    if (cpu.excp_vector >= 0)
        assert_int_equal(cpu.excp_error, 0);
    return cpu.excp_vector;
}

static void test_flat(void **state)
{
    (void)state;
    reset();
    assert_int_equal(cpu.hflags & HF_SEGCHK_ALL, HF_SEGCHK(X86_SEG_CS));
    assert_int_equal(probe(X86_SEG_DS, 0xfffffffcu, 4, true), -1);
    /* CS: readable code, not writable */
    assert_int_equal(probe(X86_SEG_CS, 0x1000, 4, false), -1);
    assert_int_equal(probe(X86_SEG_CS, 0x1000, 4, true), EXC_GP);
    /* real mode and 64-bit code: no bits at all */
    cpu.cr[0] = 0;
    cpu_update_hflags(&cpu);
    assert_int_equal(cpu.hflags & HF_SEGCHK_ALL, 0);
    cpu.cr[0] = 1;
    cpu.efer = EFER_LMA;
    cpu.seg[X86_SEG_CS].attr |= SEG_ATTR_L;
    set(X86_SEG_DS, 0, 0);
    assert_int_equal(cpu.hflags & HF_SEGCHK_ALL, 0);
    /* compatibility mode: checked like protected mode */
    cpu.seg[X86_SEG_CS].attr &= (uint16_t)~SEG_ATTR_L;
    cpu_update_hflags(&cpu);
    assert_true(cpu.hflags & HF_SEGCHK(X86_SEG_DS));
    assert_int_equal(probe(X86_SEG_DS, 0, 1, false), EXC_GP);
}

static void test_expand_up(void **state)
{
    (void)state;
    reset();
    set(X86_SEG_DS, 0x93 | SEG_ATTR_DB, 0xfff);
    assert_true(cpu.hflags & HF_SEGCHK(X86_SEG_DS));
    assert_int_equal(cpu.segchk[X86_SEG_DS].lo, 0);
    assert_int_equal(cpu.segchk[X86_SEG_DS].hi, 0xfff);
    assert_int_equal(probe(X86_SEG_DS, 0xfff, 1, true), -1);
    assert_int_equal(probe(X86_SEG_DS, 0xffc, 4, false), -1);
    assert_int_equal(probe(X86_SEG_DS, 0x1000, 1, false), EXC_GP);
    assert_int_equal(probe(X86_SEG_DS, 0xfff, 2, false), EXC_GP);
    /* SS: #SS */
    set(X86_SEG_SS, 0x93 | SEG_ATTR_DB, 0xfff);
    assert_int_equal(probe(X86_SEG_SS, 0xffe, 4, true), EXC_SS);
    /* 4 GiB - 1 limit on a read-only segment: checked, wrap refused */
    set(X86_SEG_ES, 0x91 | SEG_ATTR_DB, 0xffffffffu);
    assert_true(cpu.hflags & HF_SEGCHK(X86_SEG_ES));
    assert_int_equal(probe(X86_SEG_ES, 0xfffffffcu, 4, false), -1);
    assert_int_equal(probe(X86_SEG_ES, 0xfffffffeu, 4, false), EXC_GP);
    assert_int_equal(probe(X86_SEG_ES, 0, 1, true), EXC_GP);
}

static void test_expand_down(void **state)
{
    (void)state;
    reset();
    set(X86_SEG_FS, 0x97 | SEG_ATTR_DB, 0xfff);    /* B = 1 */
    assert_int_equal(cpu.segchk[X86_SEG_FS].lo, 0x1000);
    assert_int_equal(cpu.segchk[X86_SEG_FS].hi, 0xffffffffu);
    assert_int_equal(probe(X86_SEG_FS, 0x1000, 4, true), -1);
    assert_int_equal(probe(X86_SEG_FS, 0xfff, 1, false), EXC_GP);
    assert_int_equal(probe(X86_SEG_FS, 0xffe, 2, false), EXC_GP);
    set(X86_SEG_GS, 0x97, 0xfff);                  /* B = 0 */
    assert_int_equal(cpu.segchk[X86_SEG_GS].hi, 0xffff);
    assert_int_equal(probe(X86_SEG_GS, 0xfffe, 2, false), -1);
    assert_int_equal(probe(X86_SEG_GS, 0xffff, 2, false), EXC_GP);
    assert_int_equal(probe(X86_SEG_GS, 0x10000, 1, false), EXC_GP);
    /* limit at the top: nothing is valid */
    set(X86_SEG_GS, 0x97, 0xffff);
    assert_int_equal(probe(X86_SEG_GS, 0x8000, 1, false), EXC_GP);
    /* expand-down with limit 0, B = 1: everything but the 4 GiB wrap, still checked */
    set(X86_SEG_GS, 0x97 | SEG_ATTR_DB, 0);
    assert_true(cpu.hflags & HF_SEGCHK(X86_SEG_GS));
    assert_int_equal(probe(X86_SEG_GS, 0, 1, false), EXC_GP);
    assert_int_equal(probe(X86_SEG_GS, 1, 4, false), -1);
}

static void test_types(void **state)
{
    (void)state;
    reset();
    set(X86_SEG_DS, 0, 0);                         /* null */
    assert_int_equal(probe(X86_SEG_DS, 0, 1, false), EXC_GP);
    set(X86_SEG_DS, 0x99 | SEG_ATTR_DB | 0x800, 0xffffffffu); /* execute-only code */
    assert_int_equal(probe(X86_SEG_DS, 0, 1, false), EXC_GP);
    set(X86_SEG_DS, 0x9b | SEG_ATTR_DB | 0x800, 0xffffffffu); /* execute/read code */
    assert_int_equal(probe(X86_SEG_DS, 0, 4, false), -1);
    assert_int_equal(probe(X86_SEG_DS, 0, 4, true), EXC_GP);
    set(X86_SEG_DS, 0x93 | SEG_ATTR_DB | 0x800, 0xffffffffu); /* flat again */
    assert_false(cpu.hflags & HF_SEGCHK(X86_SEG_DS));
    /* virtual-8086 mode: no protected-mode bits */
    set(X86_SEG_DS, 0, 0);
    cpu.eflags |= CPU_VM;
    cpu_update_hflags(&cpu);
    assert_int_equal(cpu.hflags & HF_SEGCHK_ALL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flat),
        cmocka_unit_test(test_expand_up),
        cmocka_unit_test(test_expand_down),
        cmocka_unit_test(test_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
