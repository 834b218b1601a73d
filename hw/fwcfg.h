/* SPDX-License-Identifier: MIT */
/* fwcfg.h: a QEMU-compatible firmware configuration device (fw_cfg): selector, data, file directory, DMA. */
#ifndef KILN_HW_FWCFG_H
#define KILN_HW_FWCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "machine/bus.h"
#include "machine/memmap.h"

/* Ports on the PC (QEMU's): selector (16-bit) at base, data (8-bit) at base + 1,
   DMA address (64-bit big-endian: high half at base + 4, low half at base + 8). */
#define FWCFG_PORT_BASE 0x510

/* Item keys (QEMU's numbering). */
#define FWCFG_SIGNATURE     0x00    /* "QEMU" */
#define FWCFG_ID            0x01    /* u32 LE feature bits: 1 = traditional interface, 2 = DMA */
#define FWCFG_UUID          0x02
#define FWCFG_RAM_SIZE      0x03    /* u64 LE */
#define FWCFG_NOGRAPHIC     0x04
#define FWCFG_NB_CPUS       0x05    /* u16 LE */
#define FWCFG_MACHINE_ID    0x06
#define FWCFG_KERNEL_ADDR   0x07    /* u32 LE */
#define FWCFG_KERNEL_SIZE   0x08
#define FWCFG_KERNEL_CMDLINE 0x09
#define FWCFG_INITRD_ADDR   0x0a
#define FWCFG_INITRD_SIZE   0x0b
#define FWCFG_BOOT_DEVICE   0x0c
#define FWCFG_NUMA          0x0d
#define FWCFG_BOOT_MENU     0x0e
#define FWCFG_MAX_CPUS      0x0f
#define FWCFG_KERNEL_ENTRY  0x10
#define FWCFG_KERNEL_DATA   0x11
#define FWCFG_INITRD_DATA   0x12
#define FWCFG_CMDLINE_ADDR  0x13
#define FWCFG_CMDLINE_SIZE  0x14
#define FWCFG_CMDLINE_DATA  0x15    /* NUL-terminated */
#define FWCFG_SETUP_ADDR    0x16
#define FWCFG_SETUP_SIZE    0x17
#define FWCFG_SETUP_DATA    0x18
#define FWCFG_FILE_DIR      0x19    /* u32 BE count, then {u32 BE size, u16 BE select, u16, char name[56]} */
#define FWCFG_FILE_FIRST    0x20
#define FWCFG_MAX_FILES     64
#define FWCFG_FILE_NAME     56

/* DMA control word bits (big-endian in the guest's control structure). */
#define FWCFG_DMA_ERROR  0x01
#define FWCFG_DMA_READ   0x02
#define FWCFG_DMA_SKIP   0x04
#define FWCFG_DMA_SELECT 0x08
#define FWCFG_DMA_WRITE  0x10

struct fwcfg;

/* Told after DMA wrote guest memory (so translated code there is dropped). */
typedef void (*fwcfg_written_fn)(void *opaque, uint64_t addr, uint64_t len);

/*
 * Claims base..base + 1 (selector, data) and base + 4..base + 11 (DMA) on io.
 * DMA reads and writes guest memory only through mm's bounds-checked copies
 * (RAM only). The signature, ID (traditional + DMA) and file directory
 * items exist from the start. NULL if the ports are taken.
 */
struct fwcfg *fwcfg_init(struct bus *io, uint16_t base, struct memmap *mm,
                         fwcfg_written_fn written, void *opaque);
void fwcfg_free(struct fwcfg *f);
/* Selector 0, offset 0 (a system reset); the items stay. */
void fwcfg_reset(struct fwcfg *f);

/* Sets item key (below FWCFG_FILE_FIRST) to a copy of data; false for a bad key or no memory. */
bool fwcfg_add_bytes(struct fwcfg *f, uint16_t key, const void *data, size_t len);
/* Sets item key to data without copying (it must stay valid while f lives). */
bool fwcfg_add_ref(struct fwcfg *f, uint16_t key, const void *data, size_t len);
bool fwcfg_add_u16(struct fwcfg *f, uint16_t key, uint16_t v);      /* little-endian */
bool fwcfg_add_u32(struct fwcfg *f, uint16_t key, uint32_t v);
bool fwcfg_add_u64(struct fwcfg *f, uint16_t key, uint64_t v);
/* Adds (or replaces) a named file with a copy of data; returns its selector,
   or -1 (name empty or too long, directory full, no memory). */
int fwcfg_add_file(struct fwcfg *f, const char *name, const void *data, size_t len);

/* The length of item key (0 if absent) - for tests and the monitor. */
size_t fwcfg_item_len(const struct fwcfg *f, uint16_t key);

#endif
