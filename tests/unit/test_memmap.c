/* SPDX-License-Identifier: MIT */
/* test_memmap.c: RAM layout with the PCI hole, ROM/MMIO overlays, bounds-checked copies. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "machine/memmap.h"

static uint32_t mmio_reg;
static uint64_t mr(void *o, uint64_t off, unsigned size) { (void)o; (void)size; return off == 0 ? mmio_reg : 0; }
static void mw(void *o, uint64_t off, uint64_t v, unsigned size) { (void)o; (void)size; if (off == 0) mmio_reg = (uint32_t)v; }
static const struct bus_ops mops = { mr, mw, 4, 4, false };

static void test_layout_with_hole(void **state)
{
    (void)state;
    /* 4 GiB of RAM (reserved, not touched): 3.5 GiB low, 0.5 GiB high. */
    struct memmap *mm = memmap_new(4ull << 30, 0xe0000000);
    assert_non_null(mm);
    assert_true(memmap_ram_below_4g(mm) == 0xe0000000ull);
    assert_true(memmap_ram_above_4g(mm) == 0x20000000ull);
    struct memmap_hit h;
    assert_int_equal(memmap_find(mm, 0xdffff000, &h), MEMMAP_RAM);
    assert_int_equal(h.len, 0x1000);
    assert_int_equal(memmap_find(mm, 0xe0000000, &h), MEMMAP_UNASSIGNED);
    assert_true(h.len == 0x20000000ull);
    assert_int_equal(memmap_find(mm, 0x100000000ull, &h), MEMMAP_RAM);
    assert_ptr_equal(h.host, memmap_ram_base(mm) + 0xe0000000ull);
    assert_int_equal(memmap_find(mm, 0x120000000ull, &h), MEMMAP_UNASSIGNED);
    /* A store at 4 GiB lands right after the low RAM in the host block. */
    memmap_store(mm, 0x100000000ull, 0x1122334455667788ull, 8);
    assert_true(memmap_load(mm, 0x100000000ull, 8) == 0x1122334455667788ull);
    assert_int_equal(memmap_ram_base(mm)[0xe0000000ull], 0x88);
    assert_true(memmap_load(mm, 0xf0000000, 4) == 0xffffffffu);
    memmap_free(mm);
}

static void test_rom_and_mmio(void **state)
{
    (void)state;
    struct memmap *mm = memmap_new(16 << 20, 0);
    assert_non_null(mm);
    uint8_t bios[0x1000];
    memset(bios, 0x90, sizeof(bios));
    bios[0xff0] = 0xea;
    assert_non_null(memmap_add_rom(mm, 0xfffff000, 0x1000, bios, sizeof(bios), "bios"));
    /* The same ROM bytes aliased below 1 MiB, overlaying RAM. */
    struct memmap_hit h;
    memmap_find(mm, 0xfffff000, &h);
    assert_true(memmap_map_host(mm, 0xff000, 0x1000, h.host, false, "bios-low"));
    assert_int_equal(memmap_load(mm, 0xffff0, 1), 0xea);
    assert_int_equal(memmap_load(mm, 0xfffffff0, 1), 0xea);
    memmap_store(mm, 0xffff0, 0, 1);            /* ROM: ignored */
    assert_int_equal(memmap_load(mm, 0xffff0, 1), 0xea);
    bool w = true;
    assert_non_null(memmap_page_host(mm, 0xff123, &w));
    assert_false(w);
    assert_non_null(memmap_page_host(mm, 0x5000, &w));
    assert_true(w);
    /* MMIO in the middle of a RAM page: that page is no longer host-backed. */
    uint64_t gen = memmap_generation(mm);
    assert_non_null(memmap_add_mmio(mm, 0x10100, 0x10, &mops, NULL, "dev"));
    assert_true(memmap_generation(mm) > gen);
    assert_null(memmap_page_host(mm, 0x10000, &w));
    assert_int_equal(memmap_find(mm, 0x10000, &h), MEMMAP_RAM);
    assert_int_equal(h.len, 0x100);
    memmap_store(mm, 0x10100, 0xcafe, 4);
    assert_int_equal(mmio_reg, 0xcafe);
    assert_int_equal(memmap_load(mm, 0x10100, 4), 0xcafe);
    /* Overlaps are refused. */
    assert_null(memmap_add_mmio(mm, 0xff800, 0x10, &mops, NULL, "clash"));
    assert_false(memmap_map_host(mm, 0x10000, 0x1000, bios, true, "clash"));
    char *text = NULL;
    size_t tlen = 0;
    FILE *f = open_memstream(&text, &tlen);
    memmap_print(mm, f);
    fclose(f);
    assert_non_null(strstr(text, "00000000000ff000-00000000000fffff rom bios-low"));
    assert_non_null(strstr(text, "0000000000010100-000000000001010f mmio dev"));
    assert_true(strstr(text, "bios-low") < strstr(text, "bios\n"));
    free(text);
    assert_true(memmap_remove(mm, 0x10100));
    assert_non_null(memmap_page_host(mm, 0x10000, &w));
    memmap_free(mm);
}

static void test_bounds_checked_copies(void **state)
{
    (void)state;
    struct memmap *mm = memmap_new(1 << 20, 0);
    assert_non_null(mm);
    uint8_t buf[64], out[64];
    for (int i = 0; i < 64; i++)
        buf[i] = (uint8_t)i;
    assert_int_equal(memmap_write(mm, 0x1000, buf, 64), 0);
    assert_int_equal(memmap_read(mm, 0x1000, out, 64), 0);
    assert_memory_equal(buf, out, 64);
    /* Crossing the end of RAM: refused, nothing written. */
    uint8_t *ram = memmap_ram_base(mm);
    ram[0xfffe0] = 0x5a;
    assert_int_equal(memmap_write(mm, 0xfffe0, buf, 64), -1);
    assert_int_equal(ram[0xfffe0], 0x5a);
    assert_int_equal(memmap_read(mm, 0xfffe0, out, 64), -1);
    /* Wrapping around the address space. */
    assert_int_equal(memmap_write(mm, ~0ull - 10, buf, 64), -1);
    assert_int_equal(memmap_read(mm, 0xfffffffffffff000ull, out, 1), -1);
    /* Into an MMIO region: refused. */
    assert_non_null(memmap_add_mmio(mm, 0x2000, 0x1000, &mops, NULL, "dev"));
    assert_int_equal(memmap_write(mm, 0x1fc0, buf, 0x41), -1);
    assert_int_equal(memmap_write(mm, 0x1fc0, buf, 0x40), 0);
    assert_null(memmap_ram_ptr(mm, 0x1fc0, 0x41));
    assert_ptr_equal(memmap_ram_ptr(mm, 0x1fc0, 0x40), ram + 0x1fc0);
    /* ROM: readable, not writable. */
    assert_non_null(memmap_add_rom(mm, 0xf0000, 0x1000, buf, 64, "rom"));
    assert_int_equal(memmap_read(mm, 0xf0000, out, 64), 0);
    assert_memory_equal(buf, out, 64);
    assert_int_equal(memmap_write(mm, 0xf0000, buf, 1), -1);
    memmap_free(mm);
}

static void test_straddling_access(void **state)
{
    (void)state;
    struct memmap *mm = memmap_new(1 << 20, 0);
    memmap_store(mm, 0xffffe, 0x44332211, 4);  /* half RAM, half unassigned */
    assert_int_equal(memmap_load(mm, 0xffffe, 4), 0xffff2211);
    memmap_free(mm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_with_hole),
        cmocka_unit_test(test_rom_and_mmio),
        cmocka_unit_test(test_bounds_checked_copies),
        cmocka_unit_test(test_straddling_access),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
