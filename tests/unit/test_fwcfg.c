/* SPDX-License-Identifier: MIT */
/* test_fwcfg.c: fw_cfg through the I/O bus: signature, ID, items, file directory, DMA with hostile addresses, the PC's items. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "hw/fwcfg.h"
#include "machine/machine.h"

#define RAM (1u << 20)

struct fix {
    struct bus *io;
    struct memmap *mm;
    struct fwcfg *f;
    uint64_t written_bytes;
};

static void on_written(void *opaque, uint64_t addr, uint64_t len)
{
    struct fix *x = opaque;
    assert_true(addr + len <= RAM);
    x->written_bytes += len;
}

static int setup(void **state)
{
    struct fix *x = calloc(1, sizeof(*x));
    x->io = bus_new("io", 0xffff);
    x->mm = memmap_new(RAM, MEMMAP_DEFAULT_HOLE);
    x->f = fwcfg_init(x->io, FWCFG_PORT_BASE, x->mm, on_written, x);
    assert_non_null(x->f);
    assert_null(fwcfg_init(x->io, FWCFG_PORT_BASE, x->mm, NULL, NULL));
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    struct fix *x = *state;
    fwcfg_free(x->f);
    memmap_free(x->mm);
    bus_free(x->io);
    free(x);
    return 0;
}

static void sel(struct bus *io, uint16_t key) { bus_write(io, FWCFG_PORT_BASE, key, 2); }

static void readn(struct bus *io, void *buf, size_t n)
{
    uint8_t *p = buf;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)bus_read(io, FWCFG_PORT_BASE + 1, 1);
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

static void test_items(void **state)
{
    struct fix *x = *state;
    uint8_t b[16];

    sel(x->io, FWCFG_SIGNATURE);
    readn(x->io, b, 6);
    assert_memory_equal(b, "QEMU\0\0", 6);              /* zeros past the end */
    sel(x->io, FWCFG_ID);
    readn(x->io, b, 4);
    assert_int_equal(b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24, 3);
    /* Re-selecting restarts at offset 0. */
    sel(x->io, FWCFG_SIGNATURE);
    readn(x->io, b, 2);
    sel(x->io, FWCFG_SIGNATURE);
    readn(x->io, b, 1);
    assert_int_equal(b[0], 'Q');
    /* Integers are little-endian; unknown, arch-local and write-channel keys read 0. */
    assert_true(fwcfg_add_u64(x->f, FWCFG_RAM_SIZE, 0x1122334455667788ull));
    sel(x->io, FWCFG_RAM_SIZE);
    readn(x->io, b, 8);
    assert_int_equal(b[0], 0x88);
    assert_int_equal(b[7], 0x11);
    static const uint16_t empty[] = { 0x1f, 0x8000, 0x8003, 0xffff, 0x401f };
    for (unsigned i = 0; i < 5; i++) {
        sel(x->io, empty[i]);
        readn(x->io, b, 4);
        assert_memory_equal(b, "\0\0\0\0", 4);
    }
    /* The write-channel bit does not change which item is read (as QEMU). */
    sel(x->io, 0x4000);
    readn(x->io, b, 4);
    assert_memory_equal(b, "QEMU", 4);
    /* Bad keys for plain items. */
    assert_false(fwcfg_add_u32(x->f, FWCFG_FILE_DIR, 1));
    assert_false(fwcfg_add_u32(x->f, FWCFG_FILE_FIRST, 1));
    assert_false(fwcfg_add_bytes(x->f, 3, NULL, 4));
    /* Data port writes and byte writes to the selector do nothing harmful. */
    sel(x->io, FWCFG_SIGNATURE);
    bus_write(x->io, FWCFG_PORT_BASE + 1, 0x55, 1);
    readn(x->io, b, 1);
    assert_int_equal(b[0], 'Q');
}

static void test_files(void **state)
{
    struct fix *x = *state;
    uint8_t b[64 * 3 + 4];

    sel(x->io, FWCFG_FILE_DIR);
    readn(x->io, b, 4);
    assert_int_equal(be32(b), 0);
    assert_int_equal(fwcfg_add_file(x->f, "etc/one", "abc", 3), FWCFG_FILE_FIRST);
    assert_int_equal(fwcfg_add_file(x->f, "etc/two", "hello", 5), FWCFG_FILE_FIRST + 1);
    assert_int_equal(fwcfg_add_file(x->f, "etc/one", "abcd", 4), FWCFG_FILE_FIRST); /* replaced */
    assert_int_equal(fwcfg_add_file(x->f, "", "x", 1), -1);
    char longname[FWCFG_FILE_NAME + 1];
    memset(longname, 'n', sizeof(longname) - 1);
    longname[FWCFG_FILE_NAME] = 0;
    assert_int_equal(fwcfg_add_file(x->f, longname, "x", 1), -1);
    longname[FWCFG_FILE_NAME - 1] = 0;                  /* 55 characters + NUL fit */
    assert_int_equal(fwcfg_add_file(x->f, longname, "x", 1), FWCFG_FILE_FIRST + 2);

    sel(x->io, FWCFG_FILE_DIR);
    readn(x->io, b, sizeof(b));
    assert_int_equal(be32(b), 3);
    assert_int_equal(be32(b + 4), 4);                   /* size */
    assert_int_equal(b[8] << 8 | b[9], FWCFG_FILE_FIRST);
    assert_string_equal((char *)b + 12, "etc/one");
    assert_int_equal(be32(b + 68), 5);
    assert_int_equal(b[72] << 8 | b[73], FWCFG_FILE_FIRST + 1);
    assert_string_equal((char *)b + 76, "etc/two");
    assert_int_equal(strlen((char *)b + 140), FWCFG_FILE_NAME - 1);
    sel(x->io, FWCFG_FILE_FIRST + 1);
    readn(x->io, b, 6);
    assert_memory_equal(b, "hello\0", 6);
    /* The directory is full at FWCFG_MAX_FILES. */
    for (int i = 3; i < FWCFG_MAX_FILES; i++) {
        char name[16];
        snprintf(name, sizeof(name), "f%d", i);
        assert_int_equal(fwcfg_add_file(x->f, name, name, strlen(name)), FWCFG_FILE_FIRST + i);
    }
    assert_int_equal(fwcfg_add_file(x->f, "one-too-many", "x", 1), -1);
    assert_int_equal(fwcfg_item_len(x->f, FWCFG_FILE_DIR), 4 + 64 * FWCFG_MAX_FILES);
}

/* Writes a DMA control structure at ctl and triggers it through the port. */
static void dma(struct fix *x, uint64_t ctl, uint32_t control, uint32_t len, uint64_t addr)
{
    uint8_t d[16];
    for (int i = 0; i < 4; i++) {
        d[i] = (uint8_t)(control >> (24 - 8 * i));
        d[4 + i] = (uint8_t)(len >> (24 - 8 * i));
        d[8 + i] = (uint8_t)(addr >> (56 - 8 * i));
        d[12 + i] = (uint8_t)(addr >> (24 - 8 * i));
    }
    if (ctl <= RAM - 16)
        assert_int_equal(memmap_write(x->mm, ctl, d, 16), 0);
    /* outl(cpu_to_be32(high), 0x514); outl(cpu_to_be32(low), 0x518) */
    uint32_t hi = (uint32_t)(ctl >> 32), lo = (uint32_t)ctl;
    bus_write(x->io, FWCFG_PORT_BASE + 4, __builtin_bswap32(hi), 4);
    bus_write(x->io, FWCFG_PORT_BASE + 8, __builtin_bswap32(lo), 4);
}

static uint32_t control_word(struct fix *x, uint64_t ctl)
{
    uint8_t d[4];
    assert_int_equal(memmap_read(x->mm, ctl, d, 4), 0);
    return be32(d);
}

static void test_dma(void **state)
{
    struct fix *x = *state;
    uint8_t buf[64];

    /* The DMA register reads the "QEMU CFG" signature. */
    uint32_t sig_hi = (uint32_t)bus_read(x->io, FWCFG_PORT_BASE + 4, 4);
    assert_memory_equal(&sig_hi, "QEMU", 4);
    fwcfg_add_file(x->f, "etc/data", "0123456789", 10);

    /* Select + read 16 bytes: the file, then zeros; the control word becomes 0. */
    memset(buf, 0xee, sizeof(buf));
    memmap_write(x->mm, 0x2000, buf, sizeof(buf));
    dma(x, 0x1000, (uint32_t)FWCFG_FILE_FIRST << 16 | FWCFG_DMA_SELECT | FWCFG_DMA_READ, 16, 0x2000);
    assert_int_equal(control_word(x, 0x1000), 0);
    memmap_read(x->mm, 0x2000, buf, 20);
    assert_memory_equal(buf, "0123456789\0\0\0\0\0\0\xee", 17);
    assert_true(x->written_bytes >= 16);
    /* Skip, then read continues from the new offset; the data port agrees. */
    dma(x, 0x1000, (uint32_t)FWCFG_FILE_FIRST << 16 | FWCFG_DMA_SELECT | FWCFG_DMA_SKIP, 3, 0);
    dma(x, 0x1000, FWCFG_DMA_READ, 2, 0x2000);
    memmap_read(x->mm, 0x2000, buf, 2);
    assert_memory_equal(buf, "34", 2);
    uint8_t c = (uint8_t)bus_read(x->io, FWCFG_PORT_BASE + 1, 1);
    assert_int_equal(c, '5');
    /* A destination outside RAM (or wrapping) is an error, and nothing is written there. */
    dma(x, 0x1000, (uint32_t)FWCFG_FILE_FIRST << 16 | FWCFG_DMA_SELECT | FWCFG_DMA_READ, 16, RAM - 8);
    assert_int_equal(control_word(x, 0x1000), FWCFG_DMA_ERROR);
    dma(x, 0x1000, FWCFG_DMA_READ, 0xffffffffu, 0xfffffffffffffff0ull);
    assert_int_equal(control_word(x, 0x1000), FWCFG_DMA_ERROR);
    dma(x, 0x1000, FWCFG_DMA_READ, 64, 0xe0000000ull);
    assert_int_equal(control_word(x, 0x1000), FWCFG_DMA_ERROR);
    /* Writes are refused (no writable items). */
    dma(x, 0x1000, FWCFG_DMA_WRITE, 4, 0x2000);
    assert_int_equal(control_word(x, 0x1000), FWCFG_DMA_ERROR);
    /* A control structure outside RAM: nothing happens (and nothing crashes). */
    uint64_t before = x->written_bytes;
    dma(x, RAM - 8, FWCFG_DMA_READ, 4, 0x2000);
    dma(x, 0xfffffffffffffff8ull, FWCFG_DMA_READ, 4, 0x2000);
    assert_int_equal(x->written_bytes, before);
    /* Zero length: success, nothing copied. */
    dma(x, 0x1000, FWCFG_DMA_READ, 0, 0x2000);
    assert_int_equal(control_word(x, 0x1000), 0);
    /* A big read into RAM is clamped by RAM, never past it. */
    dma(x, 0x1000, (uint32_t)FWCFG_SIGNATURE << 16 | FWCFG_DMA_SELECT | FWCFG_DMA_READ, 0x200000, 0x3000);
    assert_int_equal(control_word(x, 0x1000), FWCFG_DMA_ERROR);
    memmap_read(x->mm, 0x3000, buf, 8);
    assert_memory_equal(buf, "QEMU\0\0\0\0", 8);
}

/* The PC's fw_cfg: RAM size, CPU count and etc/e820 as the loaders see them. */
static void test_pc_items(void **state)
{
    (void)state;
    struct kiln_config cfg;
    struct machine_options opt = { .no_cpu = true };
    char err[256];

    kiln_config_init(&cfg);
    cfg.ram_size = 64u << 20;
    struct machine *m = machine_new(&cfg, &opt, err, sizeof(err));
    assert_non_null(m);
    struct bus *io = machine_io(m);
    uint8_t b[8 * 20];
    sel(io, FWCFG_SIGNATURE);
    readn(io, b, 4);
    assert_memory_equal(b, "QEMU", 4);
    sel(io, FWCFG_RAM_SIZE);
    readn(io, b, 8);
    assert_int_equal(b[3], 0x04);                       /* 64 MiB = 0x04000000 */
    sel(io, FWCFG_NB_CPUS);
    readn(io, b, 2);
    assert_int_equal(b[0], 1);
    /* Find etc/e820 in the directory and check its first and last RAM entries. */
    uint8_t dir[4 + 64 * 4];
    sel(io, FWCFG_FILE_DIR);
    readn(io, dir, sizeof(dir));
    assert_true(be32(dir) >= 1);
    assert_string_equal((char *)dir + 12, "etc/e820");
    uint32_t size = be32(dir + 4);
    assert_int_equal(size % 20, 0);
    assert_true(size >= 60 && size <= sizeof(b));
    sel(io, (uint16_t)(dir[8] << 8 | dir[9]));
    readn(io, b, size);
    assert_memory_equal(b, "\0\0\0\0\0\0\0\0", 8);      /* first entry starts at 0 */
    assert_int_equal(b[16], 1);                          /* RAM */
    const uint8_t *last = b + size - 20;
    uint64_t end = 0;
    for (int i = 7; i >= 0; i--)
        end = end << 8 | last[i];
    uint64_t len = 0;
    for (int i = 15; i >= 8; i--)
        len = len << 8 | last[i];
    assert_int_equal(end + len, 64u << 20);
    machine_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_items, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dma, setup, teardown),
        cmocka_unit_test(test_pc_items),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
