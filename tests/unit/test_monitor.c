/* SPDX-License-Identifier: MIT */
/* test_monitor.c: every monitor command against a fake target (memory, page tables) and a bare CPU. */
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
#include "cpu/trace.h"
#include "translate/tb.h"
#include "ui/monitor.h"

#define MEMSZ (4u << 20)

struct fake {
    uint8_t *mem;
    struct monitor_paging pg;
    unsigned bits;
    struct bare_cpu *cpu;
    int stops, conts, resets, quits;
    bool step_irq;
    struct monitor mon;
    char *buf;
    size_t len;
};

static void f_regs(void *o, FILE *out)
{
    struct fake *f = o;
    cpu_dump_state(bare_cpu_cpu(f->cpu), out);
}
static void f_paging(void *o, struct monitor_paging *pg) { *pg = ((struct fake *)o)->pg; }
static unsigned f_bits(void *o) { return ((struct fake *)o)->bits; }
static bool f_read(void *o, uint64_t pa, void *buf, size_t len)
{
    struct fake *f = o;
    if (pa >= MEMSZ || len > MEMSZ - pa)
        return false;
    memcpy(buf, f->mem + pa, len);
    return true;
}
static void f_mtree(void *o, FILE *out) { (void)o; fprintf(out, "ram 0-3fffff\n"); }
static void f_irq(void *o, FILE *out) { (void)o; fprintf(out, "pic master irr=00 imr=ff\n"); }
static void f_jit(void *o, FILE *out)
{
    struct fake *f = o;
    struct tb_stats ts;
    tb_cache_stats(bare_cpu_cpu(f->cpu)->tbc, &ts);
    fprintf(out, "blocks translated %llu live %u\n", (unsigned long long)ts.translated, ts.live);
}
static void f_stop(void *o) { ((struct fake *)o)->stops++; }
static void f_cont(void *o) { ((struct fake *)o)->conts++; }
static void f_reset(void *o) { ((struct fake *)o)->resets++; }
static void f_quit(void *o) { ((struct fake *)o)->quits++; }
static bool f_step_irq(void *o, int set)
{
    struct fake *f = o;
    if (set >= 0)
        f->step_irq = set != 0;
    return f->step_irq;
}

static const struct monitor_ops ops = {
    .dump_regs = f_regs, .get_paging = f_paging, .code_bits = f_bits, .read_phys = f_read,
    .info_mtree = f_mtree, .info_irq = f_irq, .info_jit = f_jit,
    .stop = f_stop, .cont = f_cont, .reset = f_reset, .quit = f_quit, .step_irq = f_step_irq,
};
static const struct monitor_ops ops_min = { .dump_regs = f_regs, .get_paging = f_paging, .read_phys = f_read };

static int setup(void **state)
{
    struct fake *f = calloc(1, sizeof(*f));
    f->mem = calloc(1, MEMSZ);
    f->bits = 64;
    f->cpu = bare_cpu_new(BARE_ENGINE_INTERP, BARE_MODE_LONG64, 0, 1 << 20);
    assert_non_null(f->cpu);
    monitor_init(&f->mon, &ops, f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fake *f = *state;
    bare_cpu_free(f->cpu);
    free(f->mem);
    free(f->buf);
    free(f);
    return 0;
}

/* Runs a command; returns its output (valid until the next run). */
static const char *run(struct fake *f, const char *line, int expect_rc)
{
    free(f->buf);
    f->buf = NULL;
    FILE *out = open_memstream(&f->buf, &f->len);
    int rc = monitor_command(&f->mon, line, out);
    fclose(out);
    if (rc != expect_rc)
        fprintf(stderr, "command '%s' gave: %s", line, f->buf);
    assert_int_equal(rc, expect_rc);
    return f->buf;
}

static void put32(struct fake *f, uint64_t pa, uint32_t v) { memcpy(f->mem + pa, &v, 4); }
static void put64(struct fake *f, uint64_t pa, uint64_t v) { memcpy(f->mem + pa, &v, 8); }

static void test_help_unknown_empty(void **state)
{
    struct fake *f = *state;
    const char *o = run(f, "help", 0);
    /* help names every command this file tests */
    static const char *const cmds[] = { "info registers", "info tlb", "info mem", "info mtree", "info pci",
                                        "info irq", "info jit", "x/FMT", "xp/FMT", "stop", "cont",
                                        "system_reset", "quit" };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        assert_non_null(strstr(o, cmds[i]));
    assert_non_null(strstr(run(f, "frobnicate 1", -1), "unknown command: 'frobnicate'"));
    assert_string_equal(run(f, "   ", 0), "");
    assert_non_null(strstr(run(f, "info", -1), "info: what?"));
    assert_non_null(strstr(run(f, "info bogus", -1), "unknown item 'bogus'"));
}

static void test_info_registers(void **state)
{
    struct fake *f = *state;
    struct bare_regs r;
    bare_cpu_get_regs(f->cpu, &r);
    r.gpr[0] = 0x123456789abcdefull;
    r.gpr[15] = 0xfeedull;
    r.rip = 0x4321;
    bare_cpu_set_regs(f->cpu, &r);
    const char *o = run(f, "info registers", 0);
    assert_non_null(strstr(o, "RAX=0123456789abcdef"));
    assert_non_null(strstr(o, "R15=000000000000feed"));
    assert_non_null(strstr(o, "RIP=0000000000004321"));
    assert_non_null(strstr(o, "CR0="));
    assert_non_null(strstr(o, "CS ="));
}

static void test_info_other(void **state)
{
    struct fake *f = *state;
    assert_non_null(strstr(run(f, "info mtree", 0), "ram 0-3fffff"));
    assert_non_null(strstr(run(f, "info irq", 0), "pic master"));
    assert_non_null(strstr(run(f, "info pci", 0), "no PCI bus"));
    /* info jit reflects the CPU's cache: run a block first */
    static const uint8_t c[] = { 0x90, 0xf4 };
    assert_true(bare_cpu_write(f->cpu, 0x1000, c, sizeof(c)));
    struct bare_regs r;
    bare_cpu_get_regs(f->cpu, &r);
    r.rip = 0x1000;
    bare_cpu_set_regs(f->cpu, &r);
    struct bare_result res;
    bare_cpu_run(f->cpu, 100, &res);
    assert_non_null(strstr(run(f, "info jit", 0), "blocks translated 1 live 1"));
    /* A target without the optional callbacks says so. */
    monitor_init(&f->mon, &ops_min, f);
    assert_non_null(strstr(run(f, "info mtree", -1), "not available"));
    assert_non_null(strstr(run(f, "info jit", -1), "not available"));
    assert_non_null(strstr(run(f, "stop", -1), "not available"));
    assert_non_null(strstr(run(f, "system_reset", -1), "not available"));
}

static void test_control(void **state)
{
    struct fake *f = *state;
    run(f, "stop", 0);
    run(f, "cont", 0);
    run(f, "c", 0);
    run(f, "system_reset", 0);
    assert_int_equal(f->stops, 1);
    assert_int_equal(f->conts, 2);
    assert_int_equal(f->resets, 1);
    assert_false(f->mon.quit_requested);
    run(f, "quit", 0);
    assert_true(f->mon.quit_requested);
    assert_int_equal(f->quits, 1);
}

static void test_singlestep_irq(void **state)
{
    struct fake *f = *state;
    assert_string_equal(run(f, "singlestep-irq", 0), "singlestep-irq: off\n");
    assert_string_equal(run(f, "singlestep-irq on", 0), "singlestep-irq: on\n");
    assert_true(f->step_irq);
    assert_string_equal(run(f, "singlestep-irq", 0), "singlestep-irq: on\n");
    assert_non_null(strstr(run(f, "singlestep-irq maybe", -1), "usage"));
    assert_non_null(strstr(run(f, "singlestep-irq on off", -1), "usage"));
    assert_true(f->step_irq);
    assert_string_equal(run(f, "singlestep-irq off", 0), "singlestep-irq: off\n");
    assert_false(f->step_irq);
    monitor_init(&f->mon, &ops_min, f);
    assert_non_null(strstr(run(f, "singlestep-irq on", -1), "not available"));
}

static void test_xp_formats(void **state)
{
    struct fake *f = *state;
    static const uint8_t d[] = { 0x41, 0x42, 0xff, 0x7f, 0x00, 0x80, 0x01, 0x02, 0x10, 0x20, 0x30, 0x40 };
    memcpy(f->mem + 0x2000, d, sizeof(d));
    assert_string_equal(run(f, "xp/4xb 0x2000", 0), "0000000000002000: 0x41 0x42 0xff 0x7f\n");
    assert_string_equal(run(f, "xp/2xh 0x2000", 0), "0000000000002000: 0x4241 0x7fff\n");
    assert_string_equal(run(f, "xp/x 0x2000", 0), "0000000000002000: 0x7fff4241\n");
    assert_string_equal(run(f, "xp/xg 0x2000", 0), "0000000000002000: 0x020180007fff4241\n");
    assert_string_equal(run(f, "xp/3db 0x2002", 0), "0000000000002002: -1 127 0\n");
    assert_string_equal(run(f, "xp/2ub 0x2002", 0), "0000000000002002: 255 127\n");
    assert_string_equal(run(f, "xp/dh 0x2004", 0), "0000000000002004: -32768\n");
    assert_string_equal(run(f, "xp/3c 0x2000", 0), "0000000000002000: 'A' 'B' '\\xff'\n");
    /* 16 bytes a line for x/b */
    const char *o = run(f, "xp/20xb 8192", 0);
    assert_non_null(strstr(o, "0000000000002010: 0x00 0x00 0x00 0x00\n"));
    /* Errors: beyond memory, bad format, bad address, missing address */
    assert_non_null(strstr(run(f, "xp/x 0x10000000", -1), "cannot access memory"));
    assert_non_null(strstr(run(f, "xp/q 0x2000", -1), "bad format"));
    assert_non_null(strstr(run(f, "xp/0x 0x2000", -1), "bad format"));
    assert_non_null(strstr(run(f, "xp/x zz", -1), "bad address"));
    assert_non_null(strstr(run(f, "xp/x", -1), "usage"));
}

static void test_x_disasm(void **state)
{
    struct fake *f = *state;
    /* mov eax, 1; add rax, rbx; ret */
    static const uint8_t c[] = { 0xb8, 0x01, 0x00, 0x00, 0x00, 0x48, 0x01, 0xd8, 0xc3 };
    memcpy(f->mem + 0x3000, c, sizeof(c));
    const char *o = run(f, "xp/3i 0x3000", 0);
    assert_non_null(strstr(o, "0000000000003000:  mov eax, 1\n"));
    assert_non_null(strstr(o, "0000000000003005:  add rax, rbx\n"));
    assert_non_null(strstr(o, "0000000000003008:  ret"));
    /* In 16-bit code the same bytes decode differently */
    f->bits = 16;
    o = run(f, "xp/1i 0x3000", 0);
    assert_non_null(strstr(o, "mov ax, 1"));
}

/* Builds 4-level tables: va 0x400000 -> pa 0x200000 (rw, user), va 0xffff800000001000 -> 0x5000 (ro),
   a 2 MiB page at va 0x40000000 -> 0x000000 */
static void build_4level(struct fake *f)
{
    memset(f->mem + 0x10000, 0, 0x10000);
    uint64_t pml4 = 0x10000, pdpt = 0x11000, pd = 0x12000, pt = 0x13000;
    uint64_t pdpt_hi = 0x14000, pd_hi = 0x15000, pt_hi = 0x16000;
    put64(f, pml4 + 0 * 8, pdpt | 7);
    put64(f, pdpt + 0 * 8, pd | 7);
    put64(f, pd + 2 * 8, pt | 7);             /* va 0x400000 */
    put64(f, pt + 0 * 8, 0x200000 | 7);
    put64(f, pdpt + 1 * 8, pd | 7);           /* va 0x40000000 uses the same pd... */
    put64(f, pd + 0 * 8, 0x000000 | 0x80 | 3); /* ...whose entry 0 is a 2 MiB page, supervisor */
    put64(f, pml4 + 256 * 8, pdpt_hi | 3);    /* va 0xffff800000000000 */
    put64(f, pdpt_hi, pd_hi | 3);
    put64(f, pd_hi, pt_hi | 3);
    put64(f, pt_hi + 1 * 8, 0x5000 | 1);      /* read-only */
    f->pg.cr0 = 0x80000011;
    f->pg.cr3 = pml4;
    f->pg.cr4 = 0x20;
    f->pg.efer = 0x500;
}

static void test_paging_4level(void **state)
{
    struct fake *f = *state;
    build_4level(f);
    put32(f, 0x200010, 0xcafebabe);
    put32(f, 0x5008, 0x11223344);
    put32(f, 0x100, 0x55667788);
    assert_string_equal(run(f, "x/x 0x400010", 0), "0000000000400010: 0xcafebabe\n");
    assert_string_equal(run(f, "x/x 0xffff800000001008", 0), "ffff800000001008: 0x11223344\n");
    assert_string_equal(run(f, "x/x 0x40000100", 0), "0000000040000100: 0x55667788\n");
    assert_non_null(strstr(run(f, "x/x 0x401000", -1), "cannot access memory"));
    assert_non_null(strstr(run(f, "x/x 0x0000800000000000", -1), "cannot access memory")); /* non-canonical */
    /* x reads across a page boundary into an unmapped page: fails at the right address */
    assert_non_null(strstr(run(f, "x/1025x 0x400000", -1), "0000000000401000: cannot access memory"));

    const char *o = run(f, "info tlb", 0);
    assert_non_null(strstr(o, "paging: 4-level"));
    assert_non_null(strstr(o, "0000000000400000: 0000000000200000 rwu\n"));
    assert_non_null(strstr(o, "ffff800000001000: 0000000000005000 r-s\n"));
    assert_non_null(strstr(o, "0000000040000000: 0000000000000000 rws 2M\n"));
    /* the 2 MiB page also appears at va 0 (pd is shared by pdpt entries 0 and 1) */
    assert_non_null(strstr(o, "0000000000000000: 0000000000000000 rws 2M\n"));

    o = run(f, "info mem", 0);
    assert_non_null(strstr(o, "0000000000400000-0000000000401000 0000000000001000 0000000000200000 rwu\n"));
    assert_non_null(strstr(o, "ffff800000001000-ffff800000002000 0000000000001000 0000000000005000 r-s\n"));
}

static void test_paging_mem_coalesce(void **state)
{
    struct fake *f = *state;
    build_4level(f);
    /* three more consecutive pages after 0x400000 -> 0x201000.. (rw user): one range of 4 pages */
    for (unsigned i = 1; i < 4; i++)
        put64(f, 0x13000 + i * 8, (0x200000 + i * 0x1000) | 7);
    /* then a page with different attributes breaks the range */
    put64(f, 0x13000 + 4 * 8, 0x204000 | 5);
    const char *o = run(f, "info mem", 0);
    assert_non_null(strstr(o, "0000000000400000-0000000000404000 0000000000004000 0000000000200000 rwu\n"));
    assert_non_null(strstr(o, "0000000000404000-0000000000405000 0000000000001000 0000000000204000 r-u\n"));
}

static void test_paging_32bit_pae(void **state)
{
    struct fake *f = *state;
    memset(f->mem + 0x20000, 0, 0x10000);
    /* 32-bit: pd at 0x20000; va 0x00801000 -> 0x300000 via pt 0x21000; 4 MiB page at va 0xc0000000 -> 0x000000 */
    put32(f, 0x20000 + 2 * 4, 0x21000 | 7);
    put32(f, 0x21000 + 1 * 4, 0x300000 | 3);
    put32(f, 0x20000 + 0x300 * 4, 0x0 | 0x80 | 3);
    put32(f, 0x300004, 0xdeadbeef);
    put32(f, 0x1234, 0x0badf00d);
    f->pg = (struct monitor_paging){ .cr0 = 0x80000011, .cr3 = 0x20000, .cr4 = 0x10, .efer = 0 };
    assert_string_equal(run(f, "x/x 0x801004", 0), "0000000000801004: 0xdeadbeef\n");
    assert_string_equal(run(f, "x/x 0xc0001234", 0), "00000000c0001234: 0x0badf00d\n");
    const char *o = run(f, "info tlb", 0);
    assert_non_null(strstr(o, "paging: 32-bit"));
    assert_non_null(strstr(o, "0000000000801000: 0000000000300000 rws\n"));
    assert_non_null(strstr(o, "00000000c0000000: 0000000000000000 rws 4M\n"));
    /* Without CR4.PSE the PS bit is ignored: the entry points at a page table at 0 */
    f->pg.cr4 = 0;
    assert_null(strstr(run(f, "info tlb", 0), " 4M"));

    /* PAE: pdpt at 0x28000 (entry 3 -> pd 0x29000), va 0xc0200000 is a 2 MiB page -> 0x200000;
       va 0x00005000 -> 0x7000 through pdpt[0] -> pd 0x2a000 -> pt 0x2b000 */
    put64(f, 0x28000 + 3 * 8, 0x29000 | 1);
    put64(f, 0x29000 + 1 * 8, 0x200000 | 0x80 | 3);
    put64(f, 0x28000, 0x2a000 | 1);
    put64(f, 0x2a000, 0x2b000 | 7);
    put64(f, 0x2b000 + 5 * 8, 0x7000 | 7);
    put32(f, 0x200040, 0x13572468);
    put32(f, 0x7010, 0x24681357);
    f->pg = (struct monitor_paging){ .cr0 = 0x80000011, .cr3 = 0x28000, .cr4 = 0x20, .efer = 0 };
    assert_string_equal(run(f, "x/x 0xc0200040", 0), "00000000c0200040: 0x13572468\n");
    assert_string_equal(run(f, "x/x 0x5010", 0), "0000000000005010: 0x24681357\n");
    o = run(f, "info tlb", 0);
    assert_non_null(strstr(o, "paging: PAE"));
    assert_non_null(strstr(o, "00000000c0200000: 0000000000200000 rws 2M\n"));
    assert_non_null(strstr(o, "0000000000005000: 0000000000007000 rwu\n"));

    /* Paging off: x is physical */
    f->pg = (struct monitor_paging){ .cr0 = 0x11 };
    assert_string_equal(run(f, "x/x 0x1234", 0), "0000000000001234: 0x0badf00d\n");
    assert_non_null(strstr(run(f, "info mem", 0), "paging is disabled"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_help_unknown_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_info_registers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_info_other, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control, setup, teardown),
        cmocka_unit_test_setup_teardown(test_singlestep_irq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xp_formats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_x_disasm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paging_4level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paging_mem_coalesce, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paging_32bit_pae, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
