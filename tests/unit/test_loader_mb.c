/* SPDX-License-Identifier: MIT */
/* test_loader_mb.c: multiboot v1 (a.out kludge and ELF) and plain ELF32/ELF64 loaders on synthetic images. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "machine/loader.h"

#define RAM (32u << 20)

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static void wr16(uint8_t *p, uint32_t v) { p[0] = v; p[1] = v >> 8; }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, v); wr16(p + 2, v >> 16); }
static void wr64(uint8_t *p, uint64_t v) { wr32(p, (uint32_t)v); wr32(p + 4, (uint32_t)(v >> 32)); }

/* ---- synthetic ELF: two PT_LOAD segments (code + data with bss) ---- */
struct seg {
    uint64_t vaddr, paddr, filesz, memsz;
};

static uint8_t *make_elf(bool is64, const struct seg *segs, unsigned nseg, uint64_t entry,
                         size_t *len)
{
    unsigned eh = is64 ? 64 : 52, ph = is64 ? 56 : 32;
    size_t data_off = 0x1000, n = data_off;
    for (unsigned i = 0; i < nseg; i++)
        n += segs[i].filesz;
    uint8_t *e = calloc(1, n);
    memcpy(e, "\x7f" "ELF", 4);
    e[4] = is64 ? 2 : 1;
    e[5] = 1;
    e[6] = 1;
    wr16(e + 16, 2);                                /* ET_EXEC */
    wr16(e + 18, is64 ? 62 : 3);
    wr32(e + 20, 1);
    if (is64) {
        wr64(e + 24, entry);
        wr64(e + 32, eh);
        wr16(e + 52, eh);
        wr16(e + 54, ph);
        wr16(e + 56, nseg);
    } else {
        wr32(e + 24, (uint32_t)entry);
        wr32(e + 28, eh);
        wr16(e + 40, eh);
        wr16(e + 42, ph);
        wr16(e + 44, nseg);
    }
    size_t off = data_off;
    for (unsigned i = 0; i < nseg; i++) {
        uint8_t *p = e + eh + i * ph;
        wr32(p, 1);
        if (is64) {
            wr32(p + 4, 7);
            wr64(p + 8, off);
            wr64(p + 16, segs[i].vaddr);
            wr64(p + 24, segs[i].paddr);
            wr64(p + 32, segs[i].filesz);
            wr64(p + 40, segs[i].memsz);
        } else {
            wr32(p + 4, (uint32_t)off);
            wr32(p + 8, (uint32_t)segs[i].vaddr);
            wr32(p + 12, (uint32_t)segs[i].paddr);
            wr32(p + 16, (uint32_t)segs[i].filesz);
            wr32(p + 20, (uint32_t)segs[i].memsz);
            wr32(p + 24, 7);
        }
        for (uint64_t j = 0; j < segs[i].filesz; j++)
            e[off + j] = (uint8_t)(j * 13 + i + 1);
        off += segs[i].filesz;
    }
    *len = n;
    return e;
}

static int run(struct memmap *mm, const uint8_t *k, size_t len, const char *cmdline,
               const struct loader_blob *mods, unsigned nmods, struct loader_result *r, char *err)
{
    struct loader_args a = { { k, len, "kern", NULL }, cmdline, mods, nmods, true };
    err[0] = '\0';
    return loader_load(mm, &a, r, err, 256);
}

static void test_elf32_and_64(void **state)
{
    (void)state;
    struct memmap *mm = memmap_new(RAM, 0);
    uint8_t *ram = memmap_ram_base(mm);
    struct seg s32[2] = { { 0x100000, 0x100000, 0x300, 0x300 }, { 0x200000, 0x200000, 0x80, 0x3000 } };
    struct loader_result r;
    char err[256];
    size_t len;

    memset(ram + 0x200000, 0xaa, 0x4000);           /* the bss must be cleared */
    uint8_t *e = make_elf(false, s32, 2, 0x100010, &len);
    assert_int_equal(loader_detect(e, len), LOADER_ELF);
    assert_int_equal(run(mm, e, len, NULL, NULL, 0, &r, err), 0);
    assert_int_equal(r.kind, LOADER_ELF);
    assert_memory_equal(ram + 0x100000, e + 0x1000, 0x300);
    assert_memory_equal(ram + 0x200000, e + 0x1300, 0x80);
    for (unsigned i = 0x80; i < 0x3000; i++)
        if (ram[0x200000 + i] != 0)
            fail_msg("bss byte %#x not cleared", i);
    assert_int_equal(ram[0x203000], 0xaa);          /* but nothing past memsz */
    assert_int_equal(r.boot.mode, SYSBUS_BOOT_PROT32);
    assert_int_equal(r.boot.rip, 0x100010);
    assert_int_equal(r.boot.gpr[4], LOADER_STACK_TOP);
    assert_int_equal(r.load_start, 0x100000);
    assert_int_equal(r.load_end, 0x203000);
    /* an initrd makes no sense for a plain ELF */
    struct loader_blob m = { e, 10, "x", NULL };
    assert_int_equal(run(mm, e, len, NULL, &m, 1, &r, err), -1);
    free(e);

    /* ELF64 linked high, loaded by physical address; entry translated */
    struct seg s64[1] = { { 0xffffffff80100000ull, 0x100000, 0x200, 0x1000 } };
    e = make_elf(true, s64, 1, 0xffffffff80100040ull, &len);
    assert_int_equal(run(mm, e, len, NULL, NULL, 0, &r, err), 0);
    assert_int_equal(r.boot.mode, SYSBUS_BOOT_LONG64);
    assert_int_equal(r.boot.rip, 0x100040);
    assert_int_equal(r.boot.cr3, LOADER_PML4_ADDR);
    assert_memory_equal(ram + 0x100000, e + 0x1000, 0x200);
    struct loader_args a = { { e, len, "k", NULL }, NULL, NULL, 0, false };
    assert_int_equal(loader_elf(mm, &a, &r, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "long mode"));
    free(e);
    memmap_free(mm);
}

static void test_elf_rejects(void **state)
{
    (void)state;
    struct memmap *mm = memmap_new(RAM, 0);
    struct seg ok[1] = { { 0x100000, 0x100000, 0x100, 0x100 } };
    struct loader_result r;
    char err[256];
    size_t len;
    static const struct {
        unsigned off, width;
        uint64_t value;
        const char *msg;
    } bad[] = {
        { 18, 2, 62, "not i386" },
        { 16, 2, 3, "not an ELF executable" },
        { 44, 2, 0, "program headers" },
        { 42, 2, 8, "program header size" },
        { 28, 4, 0xfffff000u, "outside the file" },
        { 52 + 16, 4, 0x200, "filesz > memsz" },
        { 52 + 4, 4, 0xffff0000u, "past the end of the file" },
        { 52 + 12, 4, 0x2000, "boot area" },
        { 52 + 12, 4, RAM - 0x80, "not in guest RAM" },
        { 52 + 12, 4, 0xfffffff0u, "not in guest RAM" },
        { 4, 1, 9, "class" },
        { 5, 1, 2, "little-endian" },
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t *e = make_elf(false, ok, 1, 0x100000, &len);
        if (bad[i].width == 1)
            e[bad[i].off] = (uint8_t)bad[i].value;
        else if (bad[i].width == 2)
            wr16(e + bad[i].off, (uint32_t)bad[i].value);
        else
            wr32(e + bad[i].off, (uint32_t)bad[i].value);
        assert_int_equal(run(mm, e, len, NULL, NULL, 0, &r, err), -1);
        if (!strstr(err, bad[i].msg))
            fail_msg("case %zu: message '%s' lacks '%s'", i, err, bad[i].msg);
        free(e);
    }
    memmap_free(mm);
}

/* ---- multiboot ---- */
#define MB_MAGIC 0x1badb002u

/* a.out-kludge image: header at 0x40, loaded at 1 MiB, bss to 1 MiB + 64 KiB. */
static uint8_t *make_aout(uint32_t flags, size_t *len)
{
    size_t n = 0x2000;
    uint8_t *k = calloc(1, n);
    for (size_t i = 0; i < n; i++)
        k[i] = (uint8_t)(i * 3 + 1);
    uint8_t *h = k + 0x40;
    wr32(h, MB_MAGIC);
    wr32(h + 4, flags);
    wr32(h + 8, (uint32_t)(0u - MB_MAGIC - flags));
    wr32(h + 12, 0x100040);     /* header_addr */
    wr32(h + 16, 0x100000);     /* load_addr */
    wr32(h + 20, 0);            /* load_end_addr: whole file */
    wr32(h + 24, 0x110000);     /* bss_end_addr */
    wr32(h + 28, 0x100080);     /* entry */
    *len = n;
    return k;
}

static void test_multiboot_aout(void **state)
{
    (void)state;
    struct memmap *mm = memmap_new(RAM, 0);
    uint8_t *ram = memmap_ram_base(mm);
    size_t len;
    uint8_t *k = make_aout(0x00010003, &len);
    uint8_t m1[100], m2[5000];
    struct loader_blob mods[2] = { { m1, sizeof(m1), "mod1", "mod1 arg=1" },
                                   { m2, sizeof(m2), "mod2", NULL } };
    struct loader_result r;
    char err[256];

    memset(m1, 0x11, sizeof(m1));
    memset(m2, 0x22, sizeof(m2));
    memset(ram + 0x100000, 0xee, 0x20000);
    assert_int_equal(loader_detect(k, len), LOADER_MULTIBOOT);
    assert_int_equal(loader_multiboot_header(k, len), 0x40);
    assert_int_equal(run(mm, k, len, "quiet", mods, 2, &r, err), 0);
    assert_int_equal(r.kind, LOADER_MULTIBOOT);
    assert_memory_equal(ram + 0x100000, k, len);
    assert_int_equal(ram[0x100000 + len], 0);                 /* bss cleared */
    assert_int_equal(ram[0x10ffff], 0);
    assert_int_equal(r.boot.mode, SYSBUS_BOOT_PROT32);
    assert_int_equal(r.boot.rip, 0x100080);
    assert_int_equal(r.boot.gpr[0], 0x2badb002u);
    assert_int_equal(r.boot.gpr[3], LOADER_PARAMS_ADDR);

    const uint8_t *mbi = ram + LOADER_PARAMS_ADDR;
    uint32_t flags = rd32(mbi);
    assert_int_equal(flags & 0x24d, 0x24d);                  /* mem, cmdline, mods, mmap, name */
    assert_int_equal(rd32(mbi + 4), 639);
    assert_int_equal(rd32(mbi + 8), (RAM - 0x100000) / 1024);
    assert_string_equal((const char *)ram + rd32(mbi + 16), "kern quiet");
    assert_string_equal((const char *)ram + rd32(mbi + 64), "kiln");
    /* modules: page aligned (flag bit 0), above the kernel, in order, with strings */
    assert_int_equal(rd32(mbi + 20), 2);
    const uint8_t *ml = ram + rd32(mbi + 24);
    uint32_t s1 = rd32(ml), e1 = rd32(ml + 4), s2 = rd32(ml + 16), e2 = rd32(ml + 20);
    assert_int_equal(s1 & 0xfff, 0);
    assert_int_equal(s2 & 0xfff, 0);
    assert_true(s1 >= 0x110000);
    assert_int_equal(e1 - s1, sizeof(m1));
    assert_int_equal(e2 - s2, sizeof(m2));
    assert_true(s2 >= e1);
    assert_memory_equal(ram + s1, m1, sizeof(m1));
    assert_memory_equal(ram + s2, m2, sizeof(m2));
    assert_string_equal((const char *)ram + rd32(ml + 8), "mod1 arg=1");
    assert_string_equal((const char *)ram + rd32(ml + 24), "mod2");
    /* memory map: 24-byte records with a leading size of 20 */
    uint32_t mlen = rd32(mbi + 44), maddr = rd32(mbi + 48);
    assert_int_equal(mlen % 24, 0);
    assert_true(mlen >= 3 * 24);
    uint64_t ram_total = 0;
    for (uint32_t o = 0; o < mlen; o += 24) {
        assert_int_equal(rd32(ram + maddr + o), 20);
        if (rd32(ram + maddr + o + 20) == 1)
            ram_total += rd64(ram + maddr + o + 12);
    }
    assert_int_equal(ram_total, 0x9fc00 + RAM - 0x100000);
    free(k);
    memmap_free(mm);
}

static void test_multiboot_elf_and_rejects(void **state)
{
    (void)state;
    struct memmap *mm = memmap_new(RAM, 0);
    struct loader_result r;
    char err[256];
    size_t len;

    /* ELF32 with a multiboot header inside its first segment (file offset 0x1000) */
    struct seg s[1] = { { 0x100000, 0x100000, 0x400, 0x800 } };
    uint8_t *e = make_elf(false, s, 1, 0x100020, &len);
    wr32(e + 0x1000, MB_MAGIC);
    wr32(e + 0x1004, 0x2);
    wr32(e + 0x1008, (uint32_t)(0u - MB_MAGIC - 2));
    assert_int_equal(loader_detect(e, len), LOADER_MULTIBOOT);
    assert_int_equal(run(mm, e, len, NULL, NULL, 0, &r, err), 0);
    assert_int_equal(r.kind, LOADER_MULTIBOOT);
    assert_int_equal(r.boot.rip, 0x100020);
    assert_int_equal(r.boot.gpr[0], 0x2badb002u);
    assert_string_equal((char *)memmap_ram_base(mm) + rd32(memmap_ram_base(mm) + LOADER_PARAMS_ADDR + 16),
                        "kern");
    /* a bad checksum is no header */
    wr32(e + 0x1008, 0);
    assert_int_equal(loader_detect(e, len), LOADER_ELF);
    free(e);

    /* ELF64 multiboot v1 is refused */
    struct seg s64[1] = { { 0x100000, 0x100000, 0x400, 0x400 } };
    e = make_elf(true, s64, 1, 0x100000, &len);
    wr32(e + 0x1000, MB_MAGIC);
    wr32(e + 0x1004, 0);
    wr32(e + 0x1008, (uint32_t)(0u - MB_MAGIC));
    assert_int_equal(run(mm, e, len, NULL, NULL, 0, &r, err), -1);
    assert_non_null(strstr(err, "ELF32"));
    free(e);

    /* a header past 8 KiB is not found */
    uint8_t *big = calloc(1, 0x3000);
    wr32(big + 0x2000, MB_MAGIC);
    wr32(big + 0x2008, (uint32_t)(0u - MB_MAGIC));
    assert_int_equal(loader_multiboot_header(big, 0x3000), -1);
    assert_int_equal(loader_multiboot_header(big, 0x1800), -1);
    free(big);

    /* a.out kludge inconsistencies */
    static const struct {
        unsigned off;
        uint32_t value;
        const char *msg;
    } bad[] = {
        { 12, 0x0ff000, "inconsistent" },         /* header_addr below load_addr */
        { 12, 0x200000, "inconsistent" },         /* header before the file start */
        { 20, 0x180000, "past the end" },         /* load_end beyond the file */
        { 20, 0x0f0000, "below load_addr" },
        { 24, 0x100100, "bss_end_addr below" },
        { 28, 0x200000, "entry" },
        { 16, 0x001000, "inconsistent" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t *k = make_aout(0x00010000, &len);
        wr32(k + 0x40 + bad[i].off, bad[i].value);
        assert_int_equal(run(mm, k, len, NULL, NULL, 0, &r, err), -1);
        if (!strstr(err, bad[i].msg))
            fail_msg("case %zu: message '%s' lacks '%s'", i, err, bad[i].msg);
        free(k);
    }
    /* unsupported required features; image beyond RAM; module too large */
    uint8_t *k = make_aout(0x00010008, &len);
    assert_int_equal(run(mm, k, len, NULL, NULL, 0, &r, err), -1);
    assert_non_null(strstr(err, "unsupported"));
    free(k);
    k = make_aout(0x00010000, &len);
    wr32(k + 0x40 + 24, RAM + 0x1000);
    assert_int_equal(run(mm, k, len, NULL, NULL, 0, &r, err), -1);
    assert_non_null(strstr(err, "not in guest RAM"));
    wr32(k + 0x40 + 24, 0x110000);
    struct loader_blob huge = { k, (size_t)RAM, "huge", NULL };
    assert_int_equal(run(mm, k, len, NULL, &huge, 1, &r, err), -1);
    assert_non_null(strstr(err, "does not fit"));
    free(k);
    memmap_free(mm);
}

/* Truncation and corruption never crash and never load outside RAM. */
static void test_mb_elf_fuzz(void **state)
{
    (void)state;
    struct memmap *mm = memmap_new(4u << 20, 0);
    struct seg s[2] = { { 0x100000, 0x100000, 0x300, 0x400 }, { 0x180000, 0x180000, 0x100, 0x8000 } };
    size_t elen, alen;
    uint8_t *e = make_elf(false, s, 2, 0x100000, &elen);
    uint8_t *a = make_aout(0x00010003, &alen);
    struct loader_result r;
    char err[256];
    uint8_t mod[300];
    struct loader_blob mods[1] = { { mod, sizeof(mod), "m", NULL } };

    srand(99);
    for (unsigned it = 0; it < 4000; it++) {
        bool use_elf = it & 1;
        const uint8_t *src = use_elf ? e : a;
        size_t n = use_elf ? elen : alen;
        if (it % 3 == 0)
            n = (size_t)rand() % (n + 1);
        uint8_t *t = malloc(n ? n : 1);
        memcpy(t, src, n);
        unsigned region = use_elf ? 52 + 64 : 0x60;
        for (unsigned j = 0; n && j < 1 + (unsigned)rand() % 3; j++) {
            size_t at = (size_t)rand() % (region < n ? region : n);
            if (!use_elf && at < 0x40 && n > 0x4c)
                at += 0x40;
            t[at] = (uint8_t)rand();
        }
        int rc = run(mm, t, n, "x", use_elf ? NULL : mods, use_elf ? 0 : 1, &r, err);
        if (rc == 0)
            assert_true(r.load_end <= (4u << 20) && r.load_start >= LOADER_AREA_END);
        else
            assert_true(err[0] != '\0');
        free(t);
    }
    free(e);
    free(a);
    memmap_free(mm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elf32_and_64),
        cmocka_unit_test(test_elf_rejects),
        cmocka_unit_test(test_multiboot_aout),
        cmocka_unit_test(test_multiboot_elf_and_rejects),
        cmocka_unit_test(test_mb_elf_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
