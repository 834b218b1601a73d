/* SPDX-License-Identifier: MIT */
/* loader_linux.c: the Linux x86 boot protocol (bzImage >= 2.06): zero page, e820, cmdline, initrd, 32/64-bit entry. */
#include <stdio.h>
#include <string.h>
#include "machine/loader.h"

/* Offsets in the image's setup header and in struct boot_params (the zero page). */
#define HDR_SETUP_SECTS   0x1f1
#define HDR_VID_MODE      0x1fa
#define HDR_BOOT_FLAG     0x1fe
#define HDR_JUMP          0x200
#define HDR_MAGIC         0x202
#define HDR_VERSION       0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS     0x211
#define HDR_CODE32_START  0x214
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE  0x21c
#define HDR_HEAP_END      0x224
#define HDR_CMD_LINE_PTR  0x228
#define HDR_INITRD_MAX    0x22c
#define HDR_KERNEL_ALIGN  0x230
#define HDR_RELOCATABLE   0x234
#define HDR_XLOADFLAGS    0x236
#define HDR_CMDLINE_SIZE  0x238
#define HDR_SETUP_DATA    0x250
#define HDR_PREF_ADDRESS  0x258
#define HDR_INIT_SIZE     0x260
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE  0x0c4
#define BP_EXT_CMD_LINE_PTR  0x0c8
#define BP_E820_ENTRIES   0x1e8
#define BP_HDR_END        0x290   /* the setup header area ends here */
#define BP_E820_TABLE     0x2d0
#define BP_E820_MAX       128
#define BP_SIZE           0x1000

#define LOADED_HIGH       0x01
#define XLF_KERNEL_64     0x01

static uint32_t get16(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | get16(p + 2) << 16; }
static void put16(uint8_t *p, uint32_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static void put64(uint8_t *p, uint64_t v) { put32(p, v); put32(p + 4, v >> 32); }

int loader_linux(struct memmap *mm, const struct loader_args *a, struct loader_result *r,
                 char *err, size_t errlen)
{
    const uint8_t *k = a->kernel.data;
    size_t klen = a->kernel.len;
    const char *name = a->kernel.name ? a->kernel.name : "kernel";
    const char *cmdline = a->cmdline ? a->cmdline : "";
    uint8_t bp[BP_SIZE];

    /* ---- the setup header: every field read is inside the image ---- */
    if (klen < 0x264)
        return loader_fail(err, errlen, "%s: too short for a bzImage (%zu bytes)", name, klen);
    if (memcmp(k + HDR_MAGIC, "HdrS", 4) != 0 || get16(k + HDR_BOOT_FLAG) != 0xaa55)
        return loader_fail(err, errlen, "%s: no Linux setup header (HdrS, 0xAA55)", name);
    uint32_t version = get16(k + HDR_VERSION);
    if (version < 0x206)
        return loader_fail(err, errlen, "%s: boot protocol %u.%02u is too old (2.06 or later needed)",
                           name, version >> 8, version & 0xff);
    if (!(k[HDR_LOADFLAGS] & LOADED_HIGH))
        return loader_fail(err, errlen, "%s: a zImage (not loaded high) is not supported", name);
    unsigned setup_sects = k[HDR_SETUP_SECTS] ? k[HDR_SETUP_SECTS] : 4;
    size_t setup_size = (size_t)(setup_sects + 1) * 512;
    if (setup_size >= klen)
        return loader_fail(err, errlen, "%s: setup (%zu bytes) leaves no kernel in a %zu-byte file",
                           name, setup_size, klen);
    size_t hdr_end = 0x202 + (size_t)k[HDR_JUMP + 1];   /* end of the header: 0x202 + jump offset */
    if (hdr_end > BP_HDR_END)
        hdr_end = BP_HDR_END;
    if (hdr_end > setup_size)
        return loader_fail(err, errlen, "%s: setup header runs past the setup code", name);
    if (hdr_end < HDR_CMDLINE_SIZE + 4)
        return loader_fail(err, errlen, "%s: setup header too short for protocol %u.%02u",
                           name, version >> 8, version & 0xff);

    const uint8_t *payload = k + setup_size;
    size_t payload_len = klen - setup_size;
    uint64_t load = LOADER_LINUX_ADDR;
    uint64_t init_size = payload_len;
    uint64_t pref = 0;
    if (version >= 0x20a && hdr_end >= HDR_INIT_SIZE + 4) {
        if (get32(k + HDR_INIT_SIZE) > init_size)
            init_size = get32(k + HDR_INIT_SIZE);
        pref = get32(k + HDR_PREF_ADDRESS) | (uint64_t)get32(k + HDR_PREF_ADDRESS + 4) << 32;
    }
    /* A relocatable kernel goes straight to its preferred address when that
     * is aligned as it asks (otherwise it would copy itself there first);
     * either way it decompresses into [max(load, pref), + init_size). */
    uint32_t align = get32(k + HDR_KERNEL_ALIGN);
    if (k[HDR_RELOCATABLE] && pref > load && pref < MEMMAP_4G &&
        align && (align & (align - 1)) == 0 && (pref & (align - 1)) == 0)
        load = pref;
    uint64_t run_at = pref > load && pref < MEMMAP_4G ? pref : load;
    uint64_t ram_low = memmap_ram_below_4g(mm);
    uint64_t kernel_end = (run_at + init_size + 0xfff) & ~0xfffull;
    if (kernel_end > ram_low)
        return loader_fail(err, errlen,
                           "%s: needs %llu MiB of RAM below 4 GiB to decompress (has %llu MiB): use -m",
                           name, (unsigned long long)((kernel_end + (1 << 20) - 1) >> 20),
                           (unsigned long long)(ram_low >> 20));

    /* Command line: cmdline_size (2.06+) bytes at most, without the NUL. */
    uint32_t cmdline_max = get32(k + HDR_CMDLINE_SIZE);
    size_t cl = strlen(cmdline);
    if (cmdline_max >= LOADER_CMDLINE_MAX)
        cmdline_max = LOADER_CMDLINE_MAX - 1;
    if (cl > cmdline_max)
        return loader_fail(err, errlen, "-append: command line of %zu bytes exceeds the kernel's limit of %u",
                           cl, (unsigned)cmdline_max);

    bool entry64 = a->long_mode && version >= 0x20c && (get16(k + HDR_XLOADFLAGS) & XLF_KERNEL_64);

    /* ---- initrd: as high as allowed, page aligned, above the kernel ---- */
    uint64_t initrd_addr = 0, initrd_len = 0;
    if (a->nmodules > 1)
        return loader_fail(err, errlen, "-initrd: Linux takes one initrd (got %u)", a->nmodules);
    if (a->nmodules == 1 && a->modules[0].len > 0) {
        initrd_len = a->modules[0].len;
        uint64_t max = get32(k + HDR_INITRD_MAX);      /* highest address the initrd may use */
        if (max == 0)
            max = 0x37ffffff;                          /* protocol default before 2.03 */
        if (max > ram_low - 1)
            max = ram_low - 1;
        if (initrd_len > max + 1 || ((max + 1 - initrd_len) & ~0xfffull) < kernel_end)
            return loader_fail(err, errlen,
                               "-initrd: %s (%llu bytes) does not fit between the kernel end %#llx "
                               "and %#llx: use more -m",
                               a->modules[0].name ? a->modules[0].name : "initrd",
                               (unsigned long long)initrd_len, (unsigned long long)kernel_end,
                               (unsigned long long)max);
        initrd_addr = (max + 1 - initrd_len) & ~0xfffull;
        if (memmap_write(mm, initrd_addr, a->modules[0].data, initrd_len) < 0)
            return loader_fail(err, errlen, "-initrd: cannot write it at %#llx",
                               (unsigned long long)initrd_addr);
    }

    /* ---- kernel, zero page, command line ---- */
    if (memmap_write(mm, load, payload, payload_len) < 0)
        return loader_fail(err, errlen, "%s: cannot write the kernel at %#llx", name,
                           (unsigned long long)load);
    if (memmap_write(mm, LOADER_CMDLINE_ADDR, cmdline, cl + 1) < 0)
        return loader_fail(err, errlen, "no RAM for the command line");

    memset(bp, 0, sizeof(bp));
    memcpy(bp + HDR_SETUP_SECTS, k + HDR_SETUP_SECTS, hdr_end - HDR_SETUP_SECTS);
    put16(bp + HDR_VID_MODE, 0xffff);                  /* "normal" */
    bp[HDR_TYPE_OF_LOADER] = 0xff;                     /* no assigned loader id */
    bp[HDR_LOADFLAGS] = (bp[HDR_LOADFLAGS] | LOADED_HIGH) & ~0x80; /* no real-mode heap */
    put16(bp + HDR_HEAP_END, 0);
    put32(bp + HDR_CODE32_START, (uint32_t)load);
    put32(bp + HDR_RAMDISK_IMAGE, (uint32_t)initrd_addr);
    put32(bp + HDR_RAMDISK_SIZE, (uint32_t)initrd_len);
    put32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(initrd_addr >> 32));
    put32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(initrd_len >> 32));
    put32(bp + HDR_CMD_LINE_PTR, LOADER_CMDLINE_ADDR);
    put32(bp + BP_EXT_CMD_LINE_PTR, 0);
    if (hdr_end >= HDR_SETUP_DATA + 8)
        put64(bp + HDR_SETUP_DATA, 0);                 /* no setup_data chain */

    struct e820_entry map[E820_MAX];
    unsigned n = e820_build(mm, map, E820_MAX);
    for (unsigned i = 0; i < n && i < BP_E820_MAX; i++) {
        uint8_t *e = bp + BP_E820_TABLE + i * 20;
        put64(e, map[i].addr);
        put64(e + 8, map[i].len);
        put32(e + 16, map[i].type);
    }
    bp[BP_E820_ENTRIES] = (uint8_t)n;
    if (memmap_write(mm, LOADER_PARAMS_ADDR, bp, sizeof(bp)) < 0)
        return loader_fail(err, errlen, "no RAM for the zero page");

    /* ---- entry: startup_64 at load + 0x200, or startup_32 at load ---- */
    memset(&r->boot, 0, sizeof(r->boot));
    if (loader_boot_setup(mm, entry64 ? SYSBUS_BOOT_LONG64 : SYSBUS_BOOT_PROT32, &r->boot,
                          err, errlen) < 0)
        return -1;
    r->boot.rip = entry64 ? load + 0x200 : load;
    r->boot.gpr[6] = LOADER_PARAMS_ADDR;               /* RSI = boot_params */
    r->kind = LOADER_LINUX;
    r->load_start = load;
    r->load_end = load + payload_len;
    r->initrd_addr = initrd_addr;
    r->initrd_len = initrd_len;
    snprintf(r->summary, sizeof(r->summary),
             "Linux bzImage, boot protocol %u.%02u, %zu KiB at %#llx, %s entry",
             version >> 8, version & 0xff, payload_len >> 10, (unsigned long long)load,
             entry64 ? "64-bit" : "32-bit");
    if (initrd_len) {
        size_t used = strlen(r->summary);
        snprintf(r->summary + used, sizeof(r->summary) - used, ", initrd at %#llx (%llu KiB)",
                 (unsigned long long)initrd_addr, (unsigned long long)(initrd_len >> 10));
    }
    return 0;
}
