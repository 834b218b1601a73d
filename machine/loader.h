/* SPDX-License-Identifier: MIT */
/* loader.h: direct kernel boot: Linux bzImage, multiboot v1 and plain ELF images into guest RAM. */
#ifndef KILN_MACHINE_LOADER_H
#define KILN_MACHINE_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cpu/sysbus.h"
#include "machine/memmap.h"

/*
 * Low-memory layout the loaders use (all below 640 KiB, above the real-mode
 * IVT and BIOS data area). Images may not load into [LOADER_AREA_START,
 * LOADER_AREA_END).
 */
#define LOADER_GDT_ADDR     0x1000u   /* boot GDT: 0x08 code32, 0x10 boot CS, 0x18 data */
#define LOADER_PML4_ADDR    0x2000u   /* PML4; PDPT at 0x3000; 4 PDs 0x4000-0x7fff: 0-4 GiB identity, 2 MiB pages */
#define LOADER_PARAMS_ADDR  0x8000u   /* Linux zero page / multiboot info (4 KiB) */
#define LOADER_INFO_ADDR    0x9000u   /* multiboot memory map, module list and strings */
#define LOADER_INFO_END     0x20000u
#define LOADER_CMDLINE_ADDR 0x20000u  /* kernel command line, up to 64 KiB */
#define LOADER_CMDLINE_MAX  0x10000u
#define LOADER_AREA_START   0x1000u
#define LOADER_AREA_END     0x30000u
#define LOADER_STACK_TOP    0x9f000u  /* plain ELF: initial stack pointer */
#define LOADER_BOOT_CS      0x10
#define LOADER_BOOT_DS      0x18
#define LOADER_LINUX_ADDR   0x100000u /* where a bzImage's protected-mode part goes */

/* A file in memory: the kernel, an initrd or a multiboot module. */
struct loader_blob {
    const uint8_t *data;
    size_t len;
    const char *name;       /* for messages (file name) */
    const char *cmdline;    /* multiboot module string; NULL = name */
};

struct loader_args {
    struct loader_blob kernel;
    const char *cmdline;                /* -append; NULL = "" */
    const struct loader_blob *modules;  /* Linux: at most one (the initrd); multiboot: modules */
    unsigned nmodules;
    bool long_mode;                     /* the CPU can start in 64-bit mode */
};

enum loader_kind { LOADER_NONE, LOADER_LINUX, LOADER_MULTIBOOT, LOADER_ELF };

struct loader_result {
    enum loader_kind kind;
    struct sysbus_boot_state boot;      /* the state the vCPU starts in */
    uint64_t load_start, load_end;      /* guest physical range of the image */
    uint64_t initrd_addr, initrd_len;   /* Linux initrd / first multiboot module */
    char summary[200];                  /* one line for the user ("Linux bzImage 2.15, ...") */
};

/* What the image looks like (multiboot first, as the header may sit in any format). */
enum loader_kind loader_detect(const uint8_t *data, size_t len);

/*
 * Loads a.kernel (of any supported kind) and its modules into mm and fills
 * r. Returns 0, or -1 with a one-line reason in err; on failure guest RAM
 * may hold partial data but nothing outside RAM was touched.
 */
int loader_load(struct memmap *mm, const struct loader_args *a, struct loader_result *r,
                char *err, size_t errlen);
int loader_linux(struct memmap *mm, const struct loader_args *a, struct loader_result *r,
                 char *err, size_t errlen);
int loader_multiboot(struct memmap *mm, const struct loader_args *a, struct loader_result *r,
                     char *err, size_t errlen);
int loader_elf(struct memmap *mm, const struct loader_args *a, struct loader_result *r,
               char *err, size_t errlen);

/* Copies the PT_LOAD segments of an ELF32 (i386) or ELF64 (x86-64)
 * executable to their physical addresses (after validating all of them) and
 * gives the class, the entry translated to a physical address, and the
 * loaded range. -1 with a reason on any malformed or misplaced segment. */
int loader_elf_segments(struct memmap *mm, const struct loader_blob *b, bool *is64,
                        uint64_t *entry, uint64_t *lo, uint64_t *hi, char *err, size_t errlen);

/* Offset of a valid multiboot v1 header in the first 8 KiB, or -1. */
long loader_multiboot_header(const uint8_t *data, size_t len);

/* ---- shared by the loaders (loader_boot.c) ---- */

/* Writes the boot GDT (and, for LONG64, the identity page tables) and fills
 * the mode, selectors and control registers of st. -1 if RAM is too small. */
int loader_boot_setup(struct memmap *mm, enum sysbus_boot_mode mode,
                      struct sysbus_boot_state *st, char *err, size_t errlen);
/* Zero-fills guest RAM [addr, addr + len); -1 if any byte is not RAM. */
int loader_zero(struct memmap *mm, uint64_t addr, uint64_t len);
/* True if [addr, addr + len) lies in RAM below 4 GiB and avoids the loader area. */
bool loader_range_ok(struct memmap *mm, uint64_t addr, uint64_t len);
/* printf into err (always terminated). Returns -1. */
int loader_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- the BIOS-style memory map (e820.c) ---- */
#define E820_RAM      1
#define E820_RESERVED 2
struct e820_entry {
    uint64_t addr, len;
    uint32_t type;
};
#define E820_MAX 8
/* The PC map for mm: low RAM, EBDA and BIOS reserved, RAM to the hole, RAM above 4 GiB. */
unsigned e820_build(struct memmap *mm, struct e820_entry *out, unsigned max);

#endif
