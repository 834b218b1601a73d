/* SPDX-License-Identifier: MIT */
/* run_sysbus.c: multiboot-style guests on the full-system CPU (cpu_sys_ops) behind a scripted fake bus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/sysbus.h"
#include "translate/log.h"

/*
 * The guests are tests/guest .asm files built with mb.inc (flat, loaded at 1 MiB,
 * entered at the header's entry address in flat 32-bit protected mode). What
 * the real machine cannot script is done by test ports of this fake bus:
 *   0xe0  write: pulse NMI now (as a device would during an OUT)
 *   0xe1  write: pulse NMI the next time the CPU halts (a wake-up source)
 *   0x3f8 write: output text; 0xf4 write: the result (0 = pass, n = check n failed)
 * A guest that halts with nothing armed, stops with an error or runs out of
 * rounds fails.
 */
#define RAM (4u << 20)
#define LOAD 0x100000u
#define GDT 0x800u

struct fake {
    uint8_t *ram;
    const struct sysbus_cpu_ops *ops;
    struct cpu *cpu;
    char out[4096];
    size_t n;
    int result;          /* -1: none */
    bool nmi_at_hlt;
    bool triple;
    int64_t ns;
};

static uint8_t *page_host(void *o, uint64_t pa, bool *w)
{
    struct fake *f = o;
    *w = true;
    return pa + 4096 <= RAM ? f->ram + pa : NULL;
}
static uint64_t mem_read(void *o, uint64_t pa, unsigned size)
{
    struct fake *f = o;
    uint64_t v = 0;
    if (pa + size > RAM)
        return ~(uint64_t)0;
    memcpy(&v, f->ram + pa, size);
    return v;
}
static void mem_write(void *o, uint64_t pa, uint64_t v, unsigned size)
{
    struct fake *f = o;
    if (pa + size <= RAM)
        memcpy(f->ram + pa, &v, size);
}
static uint32_t io_read(void *o, uint16_t port, unsigned size)
{
    (void)o; (void)port;
    return size == 4 ? 0xffffffffu : size == 2 ? 0xffffu : 0xffu;
}
static void io_write(void *o, uint16_t port, uint32_t v, unsigned size)
{
    struct fake *f = o;
    (void)size;
    if (port == 0x3f8 && f->n + 1 < sizeof(f->out))
        f->out[f->n++] = (char)v;
    else if (port == 0xf4)
        f->result = (int)(v & 0xffff);
    else if (port == 0xe0)
        f->ops->nmi(f->cpu);
    else if (port == 0xe1)
        f->nmi_at_hlt = true;
}
static uint8_t inta(void *o) { (void)o; return 0x27; }
static void account(void *o, uint64_t n) { (void)o; (void)n; }
static int64_t clock_ns(void *o) { struct fake *f = o; return f->ns += 1000; }
static void request(void *o, enum sysbus_request r)
{
    struct fake *f = o;
    if (r == SYSBUS_REQ_TRIPLE_FAULT)
        f->triple = true;
}
static const struct sysbus_ops fake_ops = {
    .page_host = page_host, .mem_read = mem_read, .mem_write = mem_write, .io_read = io_read,
    .io_write = io_write, .inta = inta, .account = account, .clock_ns = clock_ns, .request = request,
};

static void run(const char *name, bool interp)
{
    char path[512], err[256];
    snprintf(path, sizeof(path), "%s/%s.bin", GUEST_DIR, name);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        print_error("cannot open %s\n", path);
        fail();
    }
    static struct fake f;
    memset(&f, 0, sizeof(f));
    f.ram = calloc(1, RAM);
    assert_non_null(f.ram);
    size_t len = fread(f.ram + LOAD, 1, RAM - LOAD, fp);
    fclose(fp);
    assert_true(len > 32);
    f.result = -1;
    f.ops = cpu_sys_ops();
    assert_non_null(f.ops);
    static struct kiln_log log;
    struct sysbus bus = { &fake_ops, &f, &log };
    struct sysbus_cpu_config cfg = { .interp = interp };
    f.cpu = f.ops->create(&cfg, &bus, err, sizeof(err));
    assert_non_null(f.cpu);
    static const uint64_t gdt[3] = { 0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull };
    memcpy(f.ram + GDT, gdt, sizeof(gdt));
    uint32_t entry;
    memcpy(&entry, f.ram + LOAD + 28, 4); /* the multiboot header's entry_addr */
    struct sysbus_boot_state bs = {
        .mode = SYSBUS_BOOT_PROT32, .rip = entry, .rflags = 2, .cs = 0x08, .ds = 0x10,
        .gdt_base = GDT, .gdt_limit = sizeof(gdt) - 1, .cr0 = 0x11,
    };
    bs.gpr[0] = 0x2badb002;
    assert_true(f.ops->set_boot_state(f.cpu, &bs, err, sizeof(err)));
    const char *why = "ran out of rounds";
    for (int round = 0; round < 2000 && f.result < 0; round++) {
        enum sysbus_exit r = f.ops->exec(f.cpu, 100000);
        if (f.result >= 0)
            break;
        if (f.triple) {
            why = "triple fault";
            break;
        }
        if (r == SYSBUS_EXIT_ERROR) {
            why = "exec error";
            break;
        }
        if (r == SYSBUS_EXIT_HALTED) {
            if (!f.nmi_at_hlt) {
                why = "halted with no wake-up armed";
                break;
            }
            f.nmi_at_hlt = false;
            f.ops->nmi(f.cpu);
        }
    }
    f.ops->destroy(f.cpu);
    free(f.ram);
    f.out[f.n] = 0;
    if (f.result != 0) {
        print_error("%s (%s): result %d (%s)\noutput: %s\n", name, interp ? "interp" : "jit", f.result,
                    f.result < 0 ? why : "check failed", f.out);
        fail();
    }
}

static void test_nmi_interp(void **st) { (void)st; run("nmi", true); }
static void test_nmi_jit(void **st) { (void)st; run("nmi", false); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nmi_interp), cmocka_unit_test(test_nmi_jit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
