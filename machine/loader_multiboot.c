/* SPDX-License-Identifier: MIT */
/* loader_multiboot.c: multiboot v1 kernels (ELF or a.out kludge), modules, memory map and info struct. */
#include <stdio.h>
#include <string.h>
#include "machine/loader.h"

#define MB_MAGIC        0x1badb002u
#define MB_BOOT_MAGIC   0x2badb002u
#define MB_SEARCH       8192
#define MB_PAGE_ALIGN   0x00000001u   /* modules on 4 KiB boundaries */
#define MB_MEMORY_INFO  0x00000002u
#define MB_VIDEO_MODE   0x00000004u
#define MB_AOUT_KLUDGE  0x00010000u
#define MB_SUPPORTED    (MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_VIDEO_MODE)

/* Info structure flags and offsets. */
#define MBI_MEM         0x001u
#define MBI_CMDLINE     0x004u
#define MBI_MODS        0x008u
#define MBI_MMAP        0x040u
#define MBI_LOADER_NAME 0x200u
#define MBI_SIZE        0x80

#define MB_MAX_MODULES  64

static uint32_t get32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static void put32(uint8_t *p, uint32_t v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

long loader_multiboot_header(const uint8_t *data, size_t len)
{
    size_t lim = len < MB_SEARCH ? len : MB_SEARCH;

    for (size_t off = 0; off + 12 <= lim; off += 4) {
        const uint8_t *h = data + off;
        if (get32(h) == MB_MAGIC && (uint32_t)(get32(h) + get32(h + 4) + get32(h + 8)) == 0)
            return (long)off;
    }
    return -1;
}

/* Bump allocator in the info area. */
struct info_area {
    uint64_t next;
};

static int info_put(struct memmap *mm, struct info_area *ia, const void *data, size_t len,
                    uint32_t *addr)
{
    uint64_t at = (ia->next + 3) & ~3ull;

    if (at + len > LOADER_INFO_END || memmap_write(mm, at, data, len) < 0)
        return -1;
    *addr = (uint32_t)at;
    ia->next = at + len;
    return 0;
}

int loader_multiboot(struct memmap *mm, const struct loader_args *a, struct loader_result *r,
                     char *err, size_t errlen)
{
    const uint8_t *k = a->kernel.data;
    size_t klen = a->kernel.len;
    const char *name = a->kernel.name ? a->kernel.name : "kernel";
    long hoff = loader_multiboot_header(k, klen);
    uint64_t entry, lo, hi;

    if (hoff < 0)
        return loader_fail(err, errlen, "%s: no multiboot header in the first 8 KiB", name);
    const uint8_t *h = k + hoff;
    uint32_t flags = get32(h + 4);
    if (flags & 0xffff & ~MB_SUPPORTED)
        return loader_fail(err, errlen, "%s: multiboot header asks for unsupported features %#x",
                           name, flags & 0xffff & ~MB_SUPPORTED);
    if (a->nmodules > MB_MAX_MODULES)
        return loader_fail(err, errlen, "-initrd: more than %d multiboot modules", MB_MAX_MODULES);

    if (flags & MB_AOUT_KLUDGE) {
        if ((size_t)hoff + 32 > klen)
            return loader_fail(err, errlen, "%s: multiboot a.out header truncated", name);
        uint32_t header_addr = get32(h + 12), load_addr = get32(h + 16);
        uint32_t load_end = get32(h + 20), bss_end = get32(h + 24);
        entry = get32(h + 28);
        if (load_addr > header_addr || header_addr - load_addr > (uint64_t)hoff)
            return loader_fail(err, errlen, "%s: multiboot load_addr %#x inconsistent with "
                               "header_addr %#x", name, load_addr, header_addr);
        uint64_t file_off = (uint64_t)hoff - (header_addr - load_addr);
        uint64_t copy = load_end ? (uint64_t)load_end - load_addr : klen - file_off;
        if (load_end && load_end < load_addr)
            return loader_fail(err, errlen, "%s: multiboot load_end_addr below load_addr", name);
        if (copy > klen - file_off)
            return loader_fail(err, errlen, "%s: multiboot load range runs past the end of the file",
                               name);
        uint64_t end = load_addr + copy;
        if (bss_end) {
            if (bss_end < end)
                return loader_fail(err, errlen, "%s: multiboot bss_end_addr below the load end", name);
            end = bss_end;
        }
        if (!loader_range_ok(mm, load_addr, end - load_addr))
            return loader_fail(err, errlen, "%s: multiboot image [%#x, %#llx) is not in guest RAM "
                               "below 4 GiB or overlaps the boot area", name, load_addr,
                               (unsigned long long)end);
        if (entry < load_addr || entry >= end)
            return loader_fail(err, errlen, "%s: multiboot entry %#llx outside the image", name,
                               (unsigned long long)entry);
        if (memmap_write(mm, load_addr, k + file_off, copy) < 0 ||
            loader_zero(mm, load_addr + copy, end - load_addr - copy) < 0)
            return loader_fail(err, errlen, "%s: cannot write the image", name);
        lo = load_addr;
        hi = end;
    } else {
        bool is64;
        if (loader_elf_segments(mm, &a->kernel, &is64, &entry, &lo, &hi, err, errlen) < 0)
            return -1;
        if (is64)
            return loader_fail(err, errlen, "%s: a multiboot v1 kernel must be ELF32 "
                               "(use a.out kludge or a 32-bit image)", name);
    }

    /* ---- modules above the kernel ---- */
    uint8_t info[MBI_SIZE];
    struct info_area ia = { LOADER_INFO_ADDR };
    uint8_t modlist[MB_MAX_MODULES * 16];
    uint64_t next = (hi + 0xfff) & ~0xfffull;
    uint64_t ram_low = memmap_ram_below_4g(mm);
    uint32_t addr;

    memset(info, 0, sizeof(info));
    memset(modlist, 0, sizeof(modlist));
    for (unsigned i = 0; i < a->nmodules; i++) {
        const struct loader_blob *m = &a->modules[i];
        const char *mname = m->cmdline ? m->cmdline : (m->name ? m->name : "");
        uint64_t at = next < LOADER_AREA_END ? LOADER_AREA_END : next;
        if (flags & MB_PAGE_ALIGN)
            at = (at + 0xfff) & ~0xfffull;
        if (m->len > ram_low || at > ram_low - m->len)
            return loader_fail(err, errlen, "-initrd: module %s (%zu bytes) does not fit in RAM "
                               "below %#llx: use more -m", m->name ? m->name : "?", m->len,
                               (unsigned long long)ram_low);
        if (memmap_write(mm, at, m->data, m->len) < 0)
            return loader_fail(err, errlen, "-initrd: cannot write module %u", i);
        if (info_put(mm, &ia, mname, strlen(mname) + 1, &addr) < 0)
            return loader_fail(err, errlen, "multiboot info area full (module strings too long)");
        put32(modlist + i * 16, (uint32_t)at);
        put32(modlist + i * 16 + 4, (uint32_t)(at + m->len));
        put32(modlist + i * 16 + 8, addr);
        next = (at + m->len + 0xfff) & ~0xfffull;
    }
    if (a->nmodules) {
        if (info_put(mm, &ia, modlist, a->nmodules * 16u, &addr) < 0)
            return loader_fail(err, errlen, "multiboot info area full");
        put32(info + 20, a->nmodules);
        put32(info + 24, addr);
    }

    /* ---- command line: "kernel-name append" ---- */
    char cmd[4096];
    int cl = snprintf(cmd, sizeof(cmd), "%s%s%s", name, a->cmdline && *a->cmdline ? " " : "",
                      a->cmdline ? a->cmdline : "");
    if (cl < 0 || (size_t)cl >= sizeof(cmd))
        return loader_fail(err, errlen, "-append: command line longer than %zu bytes", sizeof(cmd) - 1);
    if (info_put(mm, &ia, cmd, (size_t)cl + 1, &addr) < 0)
        return loader_fail(err, errlen, "multiboot info area full");
    put32(info + 16, addr);

    /* ---- memory map (size field precedes each 20-byte entry) ---- */
    struct e820_entry map[E820_MAX];
    unsigned n = e820_build(mm, map, E820_MAX);
    uint8_t mmap[E820_MAX * 24];
    for (unsigned i = 0; i < n; i++) {
        put32(mmap + i * 24, 20);
        put64(mmap + i * 24 + 4, map[i].addr);
        put64(mmap + i * 24 + 12, map[i].len);
        put32(mmap + i * 24 + 20, map[i].type);
    }
    if (info_put(mm, &ia, mmap, n * 24u, &addr) < 0)
        return loader_fail(err, errlen, "multiboot info area full");
    put32(info + 44, n * 24u);
    put32(info + 48, addr);

    static const char loader_name[] = "kiln";
    if (info_put(mm, &ia, loader_name, sizeof(loader_name), &addr) < 0)
        return loader_fail(err, errlen, "multiboot info area full");
    put32(info + 64, addr);

    /* mem_lower: KiB from 0 (at most 640); mem_upper: KiB from 1 MiB to the first hole. */
    uint64_t lower = ram_low < 0xa0000 ? ram_low : 0x9fc00;
    uint64_t upper = ram_low > 0x100000 ? ram_low - 0x100000 : 0;
    put32(info + 4, (uint32_t)(lower >> 10));
    put32(info + 8, (uint32_t)(upper >> 10));
    put32(info + 0, MBI_MEM | MBI_CMDLINE | MBI_MMAP | MBI_LOADER_NAME |
                        (a->nmodules ? MBI_MODS : 0));
    if (memmap_write(mm, LOADER_PARAMS_ADDR, info, sizeof(info)) < 0)
        return loader_fail(err, errlen, "no RAM for the multiboot info");

    memset(&r->boot, 0, sizeof(r->boot));
    if (loader_boot_setup(mm, SYSBUS_BOOT_PROT32, &r->boot, err, errlen) < 0)
        return -1;
    r->boot.rip = entry;
    r->boot.gpr[0] = MB_BOOT_MAGIC;                    /* EAX */
    r->boot.gpr[3] = LOADER_PARAMS_ADDR;               /* EBX */
    r->kind = LOADER_MULTIBOOT;
    r->load_start = lo;
    r->load_end = hi;
    r->initrd_addr = a->nmodules ? get32(modlist) : 0;
    r->initrd_len = a->nmodules ? a->modules[0].len : 0;
    snprintf(r->summary, sizeof(r->summary),
             "multiboot kernel (%s) at [%#llx, %#llx), entry %#llx, %u module(s)",
             flags & MB_AOUT_KLUDGE ? "a.out kludge" : "ELF", (unsigned long long)lo,
             (unsigned long long)hi, (unsigned long long)entry, a->nmodules);
    return 0;
}
