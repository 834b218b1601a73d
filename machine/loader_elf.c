/* SPDX-License-Identifier: MIT */
/* loader_elf.c: plain ELF32/ELF64 x86 executables: PT_LOAD segments at their physical addresses. */
#include <stdio.h>
#include <string.h>
#include "machine/loader.h"

#define PT_LOAD 1
#define EM_386 3
#define EM_X86_64 62
#define ET_EXEC 2
#define MAX_PHDRS 256

static uint64_t rd(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

/* Program header i, read with bounds checks into (type, offset, vaddr, paddr, filesz, memsz). */
struct phdr {
    uint32_t type;
    uint64_t offset, vaddr, paddr, filesz, memsz;
};

static bool get_phdr(const uint8_t *d, size_t len, bool is64, uint64_t phoff, unsigned entsize,
                     unsigned i, struct phdr *ph)
{
    uint64_t off = phoff + (uint64_t)i * entsize;

    if (off < phoff || off > len || len - off < entsize)
        return false;
    const uint8_t *p = d + off;
    ph->type = (uint32_t)rd(p, 4);
    if (is64) {
        ph->offset = rd(p + 8, 8);
        ph->vaddr = rd(p + 16, 8);
        ph->paddr = rd(p + 24, 8);
        ph->filesz = rd(p + 32, 8);
        ph->memsz = rd(p + 40, 8);
    } else {
        ph->offset = rd(p + 4, 4);
        ph->vaddr = rd(p + 8, 4);
        ph->paddr = rd(p + 12, 4);
        ph->filesz = rd(p + 16, 4);
        ph->memsz = rd(p + 20, 4);
    }
    return true;
}

int loader_elf_segments(struct memmap *mm, const struct loader_blob *b, bool *is64,
                        uint64_t *entry, uint64_t *lo, uint64_t *hi, char *err, size_t errlen)
{
    const uint8_t *d = b->data;
    size_t len = b->len;
    const char *name = b->name ? b->name : "kernel";

    if (len < 52 || memcmp(d, "\x7f" "ELF", 4) != 0)
        return loader_fail(err, errlen, "%s: not an ELF file", name);
    if (d[4] != 1 && d[4] != 2)
        return loader_fail(err, errlen, "%s: bad ELF class %u", name, d[4]);
    if (d[5] != 1)
        return loader_fail(err, errlen, "%s: not a little-endian ELF file", name);
    *is64 = d[4] == 2;
    if (*is64 && len < 64)
        return loader_fail(err, errlen, "%s: truncated ELF header", name);
    unsigned machine = (unsigned)rd(d + 18, 2);
    if (machine != (*is64 ? EM_X86_64 : EM_386))
        return loader_fail(err, errlen, "%s: ELF machine %u is not %s", name, machine,
                           *is64 ? "x86-64" : "i386");
    if (rd(d + 16, 2) != ET_EXEC)
        return loader_fail(err, errlen, "%s: not an ELF executable (type %u)", name,
                           (unsigned)rd(d + 16, 2));
    uint64_t e_entry = *is64 ? rd(d + 24, 8) : rd(d + 24, 4);
    uint64_t phoff = *is64 ? rd(d + 32, 8) : rd(d + 28, 4);
    unsigned phentsize = (unsigned)rd(d + (*is64 ? 54 : 42), 2);
    unsigned phnum = (unsigned)rd(d + (*is64 ? 56 : 44), 2);
    if (phentsize < (*is64 ? 56u : 32u))
        return loader_fail(err, errlen, "%s: bad program header size %u", name, phentsize);
    if (phnum == 0 || phnum > MAX_PHDRS)
        return loader_fail(err, errlen, "%s: %u program headers (1..%u expected)", name, phnum,
                           MAX_PHDRS);

    /* First pass: validate everything; second: copy. Nothing is written for a bad file. */
    uint64_t low = UINT64_MAX, high = 0, phys_entry = e_entry;
    unsigned nload = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned i = 0; i < phnum; i++) {
            struct phdr ph;
            if (!get_phdr(d, len, *is64, phoff, phentsize, i, &ph))
                return loader_fail(err, errlen, "%s: program header %u lies outside the file",
                                   name, i);
            if (ph.type != PT_LOAD || ph.memsz == 0)
                continue;
            if (pass == 0) {
                if (ph.filesz > ph.memsz)
                    return loader_fail(err, errlen, "%s: segment %u has filesz > memsz", name, i);
                if (ph.offset > len || len - ph.offset < ph.filesz)
                    return loader_fail(err, errlen, "%s: segment %u runs past the end of the file",
                                       name, i);
                if (!loader_range_ok(mm, ph.paddr, ph.memsz))
                    return loader_fail(err, errlen,
                                       "%s: segment %u [%#llx, +%#llx) is not in guest RAM below "
                                       "4 GiB or overlaps the boot area [%#x, %#x)",
                                       name, i, (unsigned long long)ph.paddr,
                                       (unsigned long long)ph.memsz, LOADER_AREA_START,
                                       LOADER_AREA_END);
                if (ph.paddr < low)
                    low = ph.paddr;
                if (ph.paddr + ph.memsz > high)
                    high = ph.paddr + ph.memsz;
                if (e_entry >= ph.vaddr && e_entry - ph.vaddr < ph.memsz)
                    phys_entry = ph.paddr + (e_entry - ph.vaddr);
                nload++;
                continue;
            }
            if (memmap_write(mm, ph.paddr, d + ph.offset, ph.filesz) < 0 ||
                loader_zero(mm, ph.paddr + ph.filesz, ph.memsz - ph.filesz) < 0)
                return loader_fail(err, errlen, "%s: cannot write segment %u", name, i);
        }
        if (pass == 0 && nload == 0)
            return loader_fail(err, errlen, "%s: no loadable segment", name);
    }
    *entry = phys_entry;
    *lo = low;
    *hi = high;
    return 0;
}

int loader_elf(struct memmap *mm, const struct loader_args *a, struct loader_result *r,
               char *err, size_t errlen)
{
    bool is64;
    uint64_t entry, lo, hi;
    const char *name = a->kernel.name ? a->kernel.name : "kernel";

    if (a->nmodules)
        return loader_fail(err, errlen, "-initrd: a plain ELF kernel takes no initrd");
    if (loader_elf_segments(mm, &a->kernel, &is64, &entry, &lo, &hi, err, errlen) < 0)
        return -1;
    if (is64 && !a->long_mode)
        return loader_fail(err, errlen, "%s: a 64-bit ELF needs a CPU with long mode", name);
    if (entry >= MEMMAP_4G)
        return loader_fail(err, errlen, "%s: entry point %#llx is above 4 GiB", name,
                           (unsigned long long)entry);
    memset(&r->boot, 0, sizeof(r->boot));
    if (loader_boot_setup(mm, is64 ? SYSBUS_BOOT_LONG64 : SYSBUS_BOOT_PROT32, &r->boot,
                          err, errlen) < 0)
        return -1;
    r->boot.rip = entry;
    r->boot.gpr[4] = LOADER_STACK_TOP;                 /* RSP */
    r->kind = LOADER_ELF;
    r->load_start = lo;
    r->load_end = hi;
    r->initrd_addr = r->initrd_len = 0;
    snprintf(r->summary, sizeof(r->summary), "ELF%d kernel at [%#llx, %#llx), entry %#llx",
             is64 ? 64 : 32, (unsigned long long)lo, (unsigned long long)hi,
             (unsigned long long)entry);
    return 0;
}
