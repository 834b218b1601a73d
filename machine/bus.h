/* SPDX-License-Identifier: MIT */
/* bus.h: one address-decoding bus for port I/O and MMIO; devices register regions. */
#ifndef KILN_MACHINE_BUS_H
#define KILN_MACHINE_BUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A device describes how it wants to be accessed. read/write receive the
 * offset inside the region and an access size in bytes (1, 2, 4 or 8) that
 * lies within [min_access, max_access]. The bus splits wider or misaligned
 * guest accesses into device-sized pieces and combines the results; an
 * access narrower than min_access becomes one min_access-sized access (reads
 * are shifted and masked, writes are zero-extended and shifted into place).
 * min_access/max_access of 0 mean 1 and 4. If unaligned is false, every call
 * the device sees is naturally aligned to its size.
 */
struct bus_ops {
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
    unsigned min_access;
    unsigned max_access;
    bool unaligned;
};

struct bus_region {
    uint64_t base;
    uint64_t size;
    const struct bus_ops *ops;
    void *opaque;
    const char *name;       /* not copied: must outlive the region */
};

struct bus;

/* Called for every access no region claims (one call per unclaimed byte run). */
typedef void (*bus_unclaimed_fn)(void *opaque, struct bus *bus, bool is_write,
                                 uint64_t addr, unsigned size, uint64_t value);

/* Creates an empty bus whose addresses are [0, limit] (e.g. 0xffff for ports). */
struct bus *bus_new(const char *name, uint64_t limit);
/* Frees the bus and its region records (not the devices). */
void bus_free(struct bus *bus);
const char *bus_name(const struct bus *bus);

/* Value returned for reads of unclaimed bytes, one byte replicated (default 0xff). */
void bus_set_unclaimed_byte(struct bus *bus, uint8_t byte);
/* Installs the hook told about unclaimed accesses (NULL removes it). */
void bus_set_unclaimed_hook(struct bus *bus, bus_unclaimed_fn fn, void *opaque);

/*
 * Claims [base, base + size) for a device. Fails (returns NULL) if the range is
 * empty, leaves the bus, overlaps another region, or is not aligned to the
 * device's min_access. The returned record stays valid until removed.
 */
struct bus_region *bus_register(struct bus *bus, uint64_t base, uint64_t size,
                                const struct bus_ops *ops, void *opaque,
                                const char *name);
/* Releases a region (the pointer becomes invalid). */
void bus_unregister(struct bus *bus, struct bus_region *r);
/* Moves a region to a new base (PCI BARs); returns false (unchanged) on conflict. */
bool bus_move(struct bus *bus, struct bus_region *r, uint64_t new_base);

/* The region containing addr, or NULL. */
const struct bus_region *bus_find(struct bus *bus, uint64_t addr);
/* The region containing addr, else the first one above it, or NULL. */
const struct bus_region *bus_next(struct bus *bus, uint64_t addr);
/* Number of regions and the i-th in address order (for "info mtree"-style dumps). */
unsigned bus_count(const struct bus *bus);
const struct bus_region *bus_region_at(const struct bus *bus, unsigned i);

/* Lists the regions ("base-last name") for the monitor. */
void bus_print(const struct bus *bus, FILE *out);

/*
 * Guest accesses of 1..8 bytes at addr (little endian). Bytes nobody claims
 * read as the unclaimed byte; writes to them are dropped. Accesses running
 * past the bus limit treat the excess as unclaimed.
 */
uint64_t bus_read(struct bus *bus, uint64_t addr, unsigned size);
void bus_write(struct bus *bus, uint64_t addr, uint64_t value, unsigned size);

#endif
