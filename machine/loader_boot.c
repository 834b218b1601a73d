/* SPDX-License-Identifier: MIT */
/* loader_boot.c: what every loader shares: boot GDT, identity page tables, dispatch, range checks. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "machine/loader.h"

#define GDT_CODE32 0x00cf9a000000ffffull   /* base 0, limit 4 GiB, execute/read, D=1 */
#define GDT_CODE64 0x00af9a000000ffffull   /* execute/read, L=1 */
#define GDT_DATA   0x00cf92000000ffffull   /* read/write, B=1 */

#define CR0_PE  0x00000001ull
#define CR0_ET  0x00000010ull
#define CR0_PG  0x80000000ull
#define CR4_PAE 0x00000020ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull

int loader_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int loader_zero(struct memmap *mm, uint64_t addr, uint64_t len)
{
    static const uint8_t zeros[4096];

    if (len == 0)
        return 0;
    if (addr + len < addr || memmap_ram_ptr(mm, addr, 1) == NULL ||
        memmap_ram_ptr(mm, addr + len - 1, 1) == NULL)
        return -1;
    while (len) {
        size_t n = len > sizeof(zeros) ? sizeof(zeros) : (size_t)len;
        if (memmap_write(mm, addr, zeros, n) < 0)
            return -1;
        addr += n;
        len -= n;
    }
    return 0;
}

bool loader_range_ok(struct memmap *mm, uint64_t addr, uint64_t len)
{
    uint64_t end = addr + len;

    if (end < addr || end > MEMMAP_4G || end > memmap_ram_below_4g(mm))
        return false;
    if (len && addr < LOADER_AREA_END && end > LOADER_AREA_START)
        return false;
    return true;
}

int loader_boot_setup(struct memmap *mm, enum sysbus_boot_mode mode,
                      struct sysbus_boot_state *st, char *err, size_t errlen)
{
    uint64_t gdt[4] = { 0, GDT_CODE32, mode == SYSBUS_BOOT_LONG64 ? GDT_CODE64 : GDT_CODE32,
                        GDT_DATA };

    if (memmap_write(mm, LOADER_GDT_ADDR, gdt, sizeof(gdt)) < 0)
        return loader_fail(err, errlen, "no RAM for the boot GDT at %#x", LOADER_GDT_ADDR);
    st->mode = mode;
    st->gdt_base = LOADER_GDT_ADDR;
    st->gdt_limit = sizeof(gdt) - 1;
    st->cs = LOADER_BOOT_CS;
    st->ds = LOADER_BOOT_DS;
    st->rflags = 2;
    st->cr0 = CR0_PE | CR0_ET;
    st->cr3 = 0;
    st->cr4 = 0;
    st->efer = 0;
    st->mmio_hole = MEMMAP_DEFAULT_HOLE;
    if (mode != SYSBUS_BOOT_LONG64)
        return 0;

    /* PML4[0] -> PDPT; PDPT[0..3] -> 4 page directories of 2 MiB pages. */
    uint64_t table[512];
    uint64_t pdpt = LOADER_PML4_ADDR + 0x1000, pd = LOADER_PML4_ADDR + 0x2000;
    memset(table, 0, sizeof(table));
    table[0] = pdpt | 3;
    if (memmap_write(mm, LOADER_PML4_ADDR, table, sizeof(table)) < 0)
        return loader_fail(err, errlen, "no RAM for the boot page tables");
    memset(table, 0, sizeof(table));
    for (unsigned i = 0; i < 4; i++)
        table[i] = (pd + i * 0x1000ull) | 3;
    if (memmap_write(mm, pdpt, table, sizeof(table)) < 0)
        return loader_fail(err, errlen, "no RAM for the boot page tables");
    for (unsigned g = 0; g < 4; g++) {
        for (unsigned i = 0; i < 512; i++)
            table[i] = ((uint64_t)g << 30) + ((uint64_t)i << 21) + 0x83;  /* P RW PS */
        if (memmap_write(mm, pd + g * 0x1000ull, table, sizeof(table)) < 0)
            return loader_fail(err, errlen, "no RAM for the boot page tables");
    }
    st->cr0 |= CR0_PG;
    st->cr3 = LOADER_PML4_ADDR;
    st->cr4 = CR4_PAE;
    st->efer = EFER_LME | EFER_LMA;
    return 0;
}

enum loader_kind loader_detect(const uint8_t *data, size_t len)
{
    if (loader_multiboot_header(data, len) >= 0)
        return LOADER_MULTIBOOT;
    if (len >= 0x206 && memcmp(data + 0x202, "HdrS", 4) == 0)
        return LOADER_LINUX;
    if (len >= 4 && memcmp(data, "\x7f" "ELF", 4) == 0)
        return LOADER_ELF;
    return LOADER_NONE;
}

int loader_load(struct memmap *mm, const struct loader_args *a, struct loader_result *r,
                char *err, size_t errlen)
{
    switch (loader_detect(a->kernel.data, a->kernel.len)) {
    case LOADER_MULTIBOOT:
        return loader_multiboot(mm, a, r, err, errlen);
    case LOADER_LINUX:
        return loader_linux(mm, a, r, err, errlen);
    case LOADER_ELF:
        return loader_elf(mm, a, r, err, errlen);
    default:
        return loader_fail(err, errlen, "%s: not a Linux bzImage, multiboot or ELF kernel",
                           a->kernel.name ? a->kernel.name : "kernel");
    }
}
