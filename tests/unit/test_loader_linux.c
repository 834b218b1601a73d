/* SPDX-License-Identifier: MIT */
/* test_loader_linux.c: the Linux boot protocol loader on synthetic bzImages, good, corrupt and truncated. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "machine/loader.h"

#define RAM (64u << 20)
#define SETUP_SECTS 7
#define SETUP_SIZE ((SETUP_SECTS + 1) * 512)
#define PAYLOAD 0x3000

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static void wr16(uint8_t *p, uint32_t v) { p[0] = v; p[1] = v >> 8; }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, v); wr16(p + 2, v >> 16); }

/* A bzImage of protocol `version` with a recognisable payload. */
static uint8_t *make_bzimage(size_t *len, uint32_t version)
{
    size_t n = SETUP_SIZE + PAYLOAD;
    uint8_t *k = calloc(1, n);

    k[0x1f1] = SETUP_SECTS;
    wr16(k + 0x1fe, 0xaa55);
    k[0x200] = 0xeb;
    k[0x201] = 0x66;                     /* header ends at 0x268 */
    memcpy(k + 0x202, "HdrS", 4);
    wr16(k + 0x206, version);
    k[0x211] = 0x01;                     /* LOADED_HIGH */
    wr32(k + 0x214, 0x100000);
    wr32(k + 0x22c, 0x7fffffff);         /* initrd_addr_max */
    wr32(k + 0x230, 0x200000);
    k[0x234] = 1;
    wr16(k + 0x236, 0x7f);               /* xloadflags: KERNEL_64 ... */
    wr32(k + 0x238, 2047);               /* cmdline_size */
    wr32(k + 0x260, 0x200000);           /* init_size */
    for (size_t i = 0; i < PAYLOAD; i++)
        k[SETUP_SIZE + i] = (uint8_t)(i * 7 + 3);
    *len = n;
    return k;
}

static int load(struct memmap *mm, const uint8_t *k, size_t len, const char *cmdline,
                const struct loader_blob *initrd, bool lm, struct loader_result *r, char *err)
{
    struct loader_args a = { { k, len, "bzImage", NULL }, cmdline, initrd, initrd ? 1 : 0, lm };
    err[0] = '\0';
    return loader_load(mm, &a, r, err, 256);
}

static void test_linux_64(void **state)
{
    (void)state;
    struct memmap *mm = memmap_new(RAM, 0);
    size_t len;
    uint8_t *k = make_bzimage(&len, 0x20f);
    uint8_t rd[0x5000];
    struct loader_result r;
    char err[256];

    for (size_t i = 0; i < sizeof(rd); i++)
        rd[i] = (uint8_t)(i ^ 0x5a);
    struct loader_blob initrd = { rd, sizeof(rd), "initrd", NULL };
    assert_int_equal(loader_detect(k, len), LOADER_LINUX);
    assert_int_equal(load(mm, k, len, "console=ttyS0 quiet", &initrd, true, &r, err), 0);
    assert_int_equal(r.kind, LOADER_LINUX);

    /* the protected-mode payload at 1 MiB */
    uint8_t *ram = memmap_ram_base(mm);
    assert_memory_equal(ram + 0x100000, k + SETUP_SIZE, PAYLOAD);
    /* the zero page: header copied, loader fields set */
    uint8_t *bp = ram + LOADER_PARAMS_ADDR;
    assert_memory_equal(bp + 0x202, "HdrS", 4);
    assert_int_equal(bp[0x1f1], SETUP_SECTS);
    assert_int_equal(bp[0x210], 0xff);
    assert_int_equal(bp[0x211] & 1, 1);
    assert_int_equal(rd32(bp + 0x228), LOADER_CMDLINE_ADDR);
    assert_string_equal((char *)ram + LOADER_CMDLINE_ADDR, "console=ttyS0 quiet");
    /* initrd: page aligned, as high as RAM allows, above the kernel, intact */
    uint32_t ia = rd32(bp + 0x218);
    assert_int_equal(ia, r.initrd_addr);
    assert_int_equal(rd32(bp + 0x21c), sizeof(rd));
    assert_int_equal(ia & 0xfff, 0);
    assert_true(ia + sizeof(rd) <= RAM);
    assert_true(ia + sizeof(rd) + 0x1000 > RAM);
    assert_true(ia >= 0x100000 + 0x200000);
    assert_memory_equal(ram + ia, rd, sizeof(rd));
    /* e820: low RAM, reserved EBDA and BIOS, RAM from 1 MiB to the end */
    assert_int_equal(bp[0x1e8], 4);
    assert_int_equal(rd64(bp + 0x2d0), 0);
    assert_int_equal(rd64(bp + 0x2d0 + 8), 0x9fc00);
    assert_int_equal(rd32(bp + 0x2d0 + 16), E820_RAM);
    assert_int_equal(rd32(bp + 0x2d0 + 20 + 16), E820_RESERVED);
    assert_int_equal(rd64(bp + 0x2d0 + 60), 0x100000);
    assert_int_equal(rd64(bp + 0x2d0 + 68), RAM - 0x100000);
    /* 64-bit entry: startup_64 at load + 0x200, RSI = zero page, paging on */
    assert_int_equal(r.boot.mode, SYSBUS_BOOT_LONG64);
    assert_int_equal(r.boot.rip, 0x100200);
    assert_int_equal(r.boot.gpr[6], LOADER_PARAMS_ADDR);
    assert_int_equal(r.boot.cs, 0x10);
    assert_int_equal(r.boot.ds, 0x18);
    assert_int_equal(r.boot.cr3, LOADER_PML4_ADDR);
    assert_true(r.boot.cr0 & 0x80000001u);
    assert_true(r.boot.cr4 & 0x20);
    assert_int_equal(r.boot.efer & 0x500, 0x500);
    assert_int_equal(r.boot.rflags, 2);                  /* interrupts off */
    /* GDT: 0x10 is a 64-bit code segment, 0x18 flat data */
    uint64_t cs = rd64(ram + r.boot.gdt_base + 0x10), ds = rd64(ram + r.boot.gdt_base + 0x18);
    assert_true(cs & (1ull << 53));                      /* L */
    assert_int_equal((cs >> 40) & 0x9a, 0x9a);
    assert_int_equal((ds >> 40) & 0xff, 0x92);
    assert_true(r.boot.gdt_limit >= 0x1f);
    /* page tables: identity, 2 MiB pages, all of 0-4 GiB */
    uint64_t pml4 = rd64(ram + LOADER_PML4_ADDR);
    uint64_t pdpt = pml4 & ~0xfffull;
    assert_int_equal(pml4 & 1, 1);
    for (unsigned g = 0; g < 4; g++) {
        uint64_t pd = rd64(ram + pdpt + g * 8) & ~0xfffull;
        assert_int_equal(rd64(ram + pd), ((uint64_t)g << 30) | 0x83);
        assert_int_equal(rd64(ram + pd + 511 * 8), ((uint64_t)g << 30) + (511ull << 21) + 0x83);
    }
    assert_non_null(strstr(r.summary, "64-bit"));

    /* without long mode in the CPU: startup_32 at the load address, paging off */
    assert_int_equal(load(mm, k, len, NULL, NULL, false, &r, err), 0);
    assert_int_equal(r.boot.mode, SYSBUS_BOOT_PROT32);
    assert_int_equal(r.boot.rip, 0x100000);
    assert_int_equal(r.boot.cr0 & 0x80000001u, 1);
    assert_int_equal(rd64(ram + r.boot.gdt_base + 0x10) & (1ull << 53), 0);
    assert_int_equal(rd32(ram + LOADER_PARAMS_ADDR + 0x218), 0);    /* no initrd */
    assert_string_equal((char *)ram + LOADER_CMDLINE_ADDR, "");

    /* a relocatable kernel with a preferred address (16 MiB, 2 MiB aligned) is loaded there */
    wr32(k + 0x258, 0x1000000);
    assert_int_equal(load(mm, k, len, "", NULL, true, &r, err), 0);
    assert_int_equal(r.load_start, 0x1000000);
    assert_int_equal(r.boot.rip, 0x1000200);
    assert_memory_equal(ram + 0x1000000, k + SETUP_SIZE, PAYLOAD);
    assert_int_equal(rd32(ram + LOADER_PARAMS_ADDR + 0x214), 0x1000000);   /* code32_start */
    /* ... unless it is misaligned or not relocatable: then 1 MiB, but RAM must
     * still hold pref + init_size, where it will decompress */
    wr32(k + 0x258, 0x1001000);
    assert_int_equal(load(mm, k, len, "", NULL, true, &r, err), 0);
    assert_int_equal(r.load_start, 0x100000);
    wr32(k + 0x258, 0x1000000);
    k[0x234] = 0;
    assert_int_equal(load(mm, k, len, "", NULL, true, &r, err), 0);
    assert_int_equal(r.load_start, 0x100000);
    wr32(k + 0x260, RAM - 0x1000000 + 0x1000);
    assert_int_equal(load(mm, k, len, "", NULL, true, &r, err), -1);
    assert_non_null(strstr(err, "needs"));
    free(k);

    /* protocol 2.09: no xloadflags, so the 32-bit entry even with long mode */
    k = make_bzimage(&len, 0x209);
    assert_int_equal(load(mm, k, len, "x", NULL, true, &r, err), 0);
    assert_int_equal(r.boot.mode, SYSBUS_BOOT_PROT32);
    free(k);
    memmap_free(mm);
}

/* initrd_addr_max is obeyed; an initrd that cannot fit is refused. */
static void test_linux_initrd_limits(void **state)
{
    (void)state;
    struct memmap *mm = memmap_new(RAM, 0);
    size_t len;
    uint8_t *k = make_bzimage(&len, 0x20f);
    static uint8_t rd[0x5000];
    struct loader_blob initrd = { rd, sizeof(rd), "initrd", NULL };
    struct loader_result r;
    char err[256];

    wr32(k + 0x22c, 0x3fffff);
    assert_int_equal(load(mm, k, len, "", &initrd, true, &r, err), 0);
    assert_int_equal(r.initrd_addr, 0x400000 - 0x5000);
    /* the limit leaves no room above the kernel (which ends at 3 MiB) */
    wr32(k + 0x22c, 0x300fff);
    assert_int_equal(load(mm, k, len, "", &initrd, true, &r, err), -1);
    assert_non_null(strstr(err, "does not fit"));
    /* an initrd larger than RAM */
    wr32(k + 0x22c, 0x7fffffff);
    struct loader_blob huge = { rd, (size_t)RAM + 4096, "big", NULL };
    assert_int_equal(load(mm, k, len, "", &huge, true, &r, err), -1);
    assert_non_null(strstr(err, "does not fit"));
    free(k);
    memmap_free(mm);
}

/* Every malformed header is refused with a message naming the problem. */
static void test_linux_rejects(void **state)
{
    (void)state;
    struct memmap *mm = memmap_new(RAM, 0);
    struct loader_result r;
    char err[256];
    size_t len;
    static const struct {
        unsigned off, width;
        uint32_t value;
        const char *msg;
    } bad[] = {
        { 0x206, 2, 0x205, "too old" },
        { 0x211, 1, 0x00, "zImage" },
        { 0x1f1, 1, 200, "leaves no kernel" },
        { 0x201, 1, 0x00, "header too short" },
        { 0x238, 4, 5, "exceeds the kernel's limit" },
        { 0x260, 4, 0x7000000, "needs" },
        { 0x1fe, 2, 0x1234, "no Linux setup header" },
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t *k = make_bzimage(&len, 0x20f);
        if (bad[i].width == 1)
            k[bad[i].off] = (uint8_t)bad[i].value;
        else if (bad[i].width == 2)
            wr16(k + bad[i].off, bad[i].value);
        else
            wr32(k + bad[i].off, bad[i].value);
        struct loader_args a = { { k, len, "bzImage", NULL }, "console=ttyS0", NULL, 0, true };
        assert_int_equal(loader_linux(mm, &a, &r, err, sizeof(err)), -1);
        if (!strstr(err, bad[i].msg))
            fail_msg("case %zu: message '%s' lacks '%s'", i, err, bad[i].msg);
        free(k);
    }
    /* two initrds */
    uint8_t *k = make_bzimage(&len, 0x20f);
    struct loader_blob two[2] = { { k, 16, "a", NULL }, { k, 16, "b", NULL } };
    struct loader_args a = { { k, len, "bzImage", NULL }, "", two, 2, true };
    assert_int_equal(loader_linux(mm, &a, &r, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "one initrd"));
    /* not a kernel at all */
    memset(k, 0x90, 0x400);
    assert_int_equal(load(mm, k, len, "", NULL, true, &r, err), -1);
    assert_non_null(strstr(err, "not a Linux bzImage, multiboot or ELF"));
    free(k);
    memmap_free(mm);
}

/* Truncated at every length and randomly corrupted images: a clean result
 * or a message, and no access outside the image or guest RAM (run under
 * ASan/valgrind to see it: every buffer is allocated at its exact size). */
static void test_linux_truncated_and_fuzzed(void **state)
{
    (void)state;
    struct memmap *mm = memmap_new(4u << 20, 0);   /* small RAM: many placements fail */
    size_t len;
    uint8_t *k = make_bzimage(&len, 0x20f);
    struct loader_result r;
    char err[256];
    unsigned ok = 0, refused = 0;

    wr32(k + 0x260, 0x100000);
    for (size_t n = 0; n <= len; n += (n < 0x300 ? 1 : 61)) {
        uint8_t *t = malloc(n ? n : 1);
        memcpy(t, k, n);
        int rc = load(mm, t, n, "a", NULL, true, &r, err);
        if (rc == 0) {
            ok++;
            assert_true(n > SETUP_SIZE);
        } else {
            refused++;
            assert_true(err[0] != '\0');
        }
        free(t);
    }
    assert_true(ok > 0 && refused > 0);

    srand(1234);
    for (unsigned it = 0; it < 3000; it++) {
        uint8_t *t = malloc(len);
        memcpy(t, k, len);
        for (unsigned j = 0; j < 1 + (unsigned)rand() % 4; j++)
            t[0x1f1 + (unsigned)rand() % 0x80] = (uint8_t)rand();
        static uint8_t rd[8192];
        struct loader_blob initrd = { rd, 1 + (size_t)rand() % sizeof(rd), "rd", NULL };
        int rc = load(mm, t, len, "console=ttyS0", (it & 1) ? &initrd : NULL, it & 2, &r, err);
        if (rc == 0) {
            assert_true(r.boot.rip == r.load_start || r.boot.rip == r.load_start + 0x200);
            assert_true(r.load_start >= 0x100000);
            assert_true(r.load_end <= (4u << 20));
            if (r.initrd_len)
                assert_true(r.initrd_addr >= 0x100000 && r.initrd_addr + r.initrd_len <= (4u << 20));
        } else {
            assert_true(err[0] != '\0');
        }
        free(t);
    }
    free(k);
    memmap_free(mm);
}

/* The real default guest, when tools/mkguest has built it (make demo) in
 * guest-cache/ of the build directory or in $KILN_GUEST_DIR; skipped otherwise. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = n > 0 ? malloc((size_t)n) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void test_linux_real_guest(void **state)
{
    (void)state;
    const char *dir = getenv("KILN_GUEST_DIR") ? getenv("KILN_GUEST_DIR") : "guest-cache";
    char kpath[512], ipath[512];
    size_t klen, ilen;

    snprintf(kpath, sizeof(kpath), "%s/vmlinuz", dir);
    snprintf(ipath, sizeof(ipath), "%s/initramfs.cpio.gz", dir);
    uint8_t *k = slurp(kpath, &klen), *rd = slurp(ipath, &ilen);
    if (k == NULL || rd == NULL) {
        free(k);
        free(rd);
        skip();
    }
    struct memmap *mm = memmap_new(512u << 20, 0);
    struct loader_blob initrd = { rd, ilen, "initramfs", NULL };
    struct loader_result r;
    char err[256];
    if (load(mm, k, klen, "console=ttyS0", &initrd, true, &r, err) != 0)
        fail_msg("%s", err);
    uint8_t *ram = memmap_ram_base(mm), *bp = ram + LOADER_PARAMS_ADDR;
    size_t setup = ((size_t)(k[0x1f1] ? k[0x1f1] : 4) + 1) * 512;
    assert_int_equal(r.boot.mode, SYSBUS_BOOT_LONG64);
    assert_int_equal(r.boot.rip, r.load_start + 0x200);
    assert_memory_equal(ram + r.load_start, k + setup, klen - setup);
    assert_memory_equal(ram + r.initrd_addr, rd, ilen);
    assert_int_equal(rd32(bp + 0x218), r.initrd_addr);
    assert_true(r.initrd_addr + ilen <= (512u << 20));
    assert_true(r.initrd_addr >= r.load_start + rd32(k + 0x260));
    assert_int_equal(r.load_start, rd32(k + 0x258));           /* at its pref_address */
    /* 64 MiB is too little for this kernel's init_size: a clear refusal */
    struct memmap *small = memmap_new(64u << 20, 0);
    assert_int_equal(load(small, k, klen, "", NULL, true, &r, err), -1);
    assert_non_null(strstr(err, "use -m"));
    memmap_free(small);
    memmap_free(mm);
    free(k);
    free(rd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linux_64),
        cmocka_unit_test(test_linux_initrd_limits),
        cmocka_unit_test(test_linux_rejects),
        cmocka_unit_test(test_linux_truncated_and_fuzzed),
        cmocka_unit_test(test_linux_real_guest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
