/* SPDX-License-Identifier: MIT */
/* memmap.h: the guest physical address space: RAM (with the PCI hole), ROM, MMIO. */
#ifndef KILN_MACHINE_MEMMAP_H
#define KILN_MACHINE_MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "machine/bus.h"

#define MEMMAP_PAGE_SIZE 4096ull
#define MEMMAP_4G 0x100000000ull
/* Default start of the PCI hole: RAM beyond it is relocated above 4 GiB. */
#define MEMMAP_DEFAULT_HOLE 0xe0000000ull
/* Highest guest physical address handled (52-bit physical addresses). */
#define MEMMAP_PHYS_LIMIT ((1ull << 52) - 1)

enum memmap_kind {
    MEMMAP_UNASSIGNED,
    MEMMAP_RAM,
    MEMMAP_ROM,         /* host-backed, guest writes ignored */
    MEMMAP_MMIO,
};

/* Result of memmap_find. */
struct memmap_hit {
    enum memmap_kind kind;
    uint8_t *host;              /* RAM/ROM: host address of addr */
    bool writable;              /* RAM (and ROM mapped writable) */
    uint64_t len;               /* bytes from addr with the same mapping (>= 1) */
    struct bus_region *mmio;    /* MMIO: the region */
    uint64_t offset;            /* MMIO: offset of addr inside it */
};

struct memmap;

/* Called after every change of the map (so CPUs flush their TLBs). */
typedef void (*memmap_change_fn)(void *opaque, struct memmap *mm);

/*
 * Creates the address space with ram_size bytes of RAM (mmap'ed, zeroed).
 * RAM fills [0, min(ram_size, hole)); the rest is placed at 4 GiB upward.
 * hole of 0 means MEMMAP_DEFAULT_HOLE. Returns NULL on failure.
 */
struct memmap *memmap_new(uint64_t ram_size, uint64_t hole);
void memmap_free(struct memmap *mm);

uint64_t memmap_ram_size(const struct memmap *mm);
uint64_t memmap_ram_below_4g(const struct memmap *mm);
uint64_t memmap_ram_above_4g(const struct memmap *mm);
/* Host base of the whole RAM block (RAM offset 0 = guest address 0). */
uint8_t *memmap_ram_base(const struct memmap *mm);

/*
 * Maps host memory (size bytes at host, owned by the caller) at guest base,
 * overlaying RAM. writable=false makes it ROM. Returns false on overlap
 * with another overlay, misalignment (4 KiB) or bad range.
 */
bool memmap_map_host(struct memmap *mm, uint64_t base, uint64_t size,
                     uint8_t *host, bool writable, const char *name);
/* Adds a ROM holding a copy of data (len <= size; the rest reads 0xff). */
uint8_t *memmap_add_rom(struct memmap *mm, uint64_t base, uint64_t size,
                        const void *data, size_t len, const char *name);
/* Adds an MMIO region (any alignment), overlaying RAM. NULL on conflict. */
struct bus_region *memmap_add_mmio(struct memmap *mm, uint64_t base, uint64_t size,
                                   const struct bus_ops *ops, void *opaque,
                                   const char *name);
/* Removes an overlay (host mapping or MMIO) starting at base; false if none. */
bool memmap_remove(struct memmap *mm, uint64_t base);
/* The bus MMIO regions live on (to move BARs with bus_move + memmap_changed). */
struct bus *memmap_mmio_bus(struct memmap *mm);
/* Signals a map change made directly on the MMIO bus. */
void memmap_changed(struct memmap *mm);

void memmap_set_change_hook(struct memmap *mm, memmap_change_fn fn, void *opaque);
/* Bumped on every change; a TLB may compare it instead of using the hook. */
uint64_t memmap_generation(const struct memmap *mm);
/* Hook for unassigned accesses and ignored ROM writes (logging). */
void memmap_set_unclaimed_hook(struct memmap *mm, bus_unclaimed_fn fn, void *opaque);

/* Lists RAM, ROM/host mappings and MMIO regions in address order (monitor "info mtree"). */
void memmap_print(struct memmap *mm, FILE *out);

/* Describes what backs guest physical address addr. Returns hit->kind. */
enum memmap_kind memmap_find(struct memmap *mm, uint64_t addr, struct memmap_hit *hit);
/*
 * For a soft TLB: host address of the 4 KiB page holding addr if the whole
 * page is backed by one RAM/ROM mapping (else NULL); *writable says whether
 * guest stores may go straight to it.
 */
uint8_t *memmap_page_host(struct memmap *mm, uint64_t addr, bool *writable);

/* Slow-path guest accesses of 1..8 bytes, dispatching to RAM, ROM or MMIO.
 * Unassigned reads return all-ones; unassigned and ROM writes are dropped. */
uint64_t memmap_load(struct memmap *mm, uint64_t addr, unsigned size);
void memmap_store(struct memmap *mm, uint64_t addr, uint64_t value, unsigned size);

/*
 * Bounds-checked copies for DMA and loaders: succeed (return 0) only if every
 * byte lies in RAM (reads also accept ROM); otherwise copy nothing and return -1.
 */
int memmap_read(struct memmap *mm, uint64_t addr, void *buf, size_t len);
int memmap_write(struct memmap *mm, uint64_t addr, const void *buf, size_t len);
/* Host pointer to [addr, addr+len) if it is one contiguous RAM span, else NULL. */
uint8_t *memmap_ram_ptr(struct memmap *mm, uint64_t addr, size_t len);

#endif
