/* SPDX-License-Identifier: MIT */
/* pci.h: PCI bus 0: configuration spaces, BAR mapping, INTx routing, configuration mechanism #1. */
#ifndef KILN_HW_PCI_H
#define KILN_HW_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "machine/bus.h"
#include "machine/memmap.h"

#define PCI_DEVFN(slot, fn) ((unsigned)(((slot) << 3) | (fn)))
#define PCI_SLOT(devfn) (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn) ((devfn) & 7)
#define PCI_CONFIG_SIZE 256
#define PCI_NUM_BARS 6

/* Standard header offsets. */
#define PCI_VENDOR_ID      0x00
#define PCI_DEVICE_ID      0x02
#define PCI_COMMAND        0x04
#define PCI_STATUS         0x06
#define PCI_REVISION_ID    0x08
#define PCI_CLASS_PROG     0x09
#define PCI_CLASS_DEVICE   0x0a
#define PCI_HEADER_TYPE    0x0e
#define PCI_BAR0           0x10
#define PCI_SUBSYS_VENDOR  0x2c
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN  0x3d

/* Command register bits. */
#define PCI_CMD_IO          0x0001
#define PCI_CMD_MEMORY      0x0002
#define PCI_CMD_MASTER      0x0004
#define PCI_CMD_PARITY      0x0040
#define PCI_CMD_SERR        0x0100
#define PCI_CMD_INTX_DISABLE 0x0400
/* Status register bits. */
#define PCI_STS_INTERRUPT   0x0008
#define PCI_STS_FAST_B2B    0x0080
#define PCI_STS_DEVSEL_MEDIUM 0x0200
#define PCI_STS_ERRORS      0xf900          /* write-1-to-clear error bits */

#define PCI_HEADER_MULTIFUNCTION 0x80

/* BAR kinds for pci_register_bar. */
enum pci_bar_type {
    PCI_BAR_IO,             /* I/O space, size 4..256 bytes (power of two) */
    PCI_BAR_MEM32,          /* 32-bit memory, size >= 16 (power of two) */
    PCI_BAR_MEM64,          /* 64-bit memory: takes two BAR slots (idx and idx + 1) */
};
#define PCI_BAR_UNMAPPED UINT64_MAX

struct pci_bus;
struct pci_dev;

/* Told after a configuration write was applied (off and size as the guest wrote). */
typedef void (*pci_config_write_fn)(void *opaque, struct pci_dev *d, unsigned off,
                                    uint32_t val, unsigned size);
/* Told after the device's configuration was restored to its power-on state. */
typedef void (*pci_reset_fn)(void *opaque, struct pci_dev *d);
/* Told when the level of PIRQ line pirq (0..3 = A..D, the wired-OR of every INTx
   swizzled onto it) changes. */
typedef void (*pci_pirq_fn)(void *opaque, unsigned pirq, int level);
/* Handles the byte at 0xCF9 (the PIIX reset control register), which shares the
   dword of the configuration address register. */
typedef uint8_t (*pci_cf9_read_fn)(void *opaque);
typedef void (*pci_cf9_write_fn)(void *opaque, uint8_t val);

/*
 * Creates bus 0. I/O BARs are mapped on io, memory BARs on mm (either may be
 * NULL for tests without BARs of that kind). Nothing is claimed on io yet.
 */
struct pci_bus *pci_bus_new(struct bus *io, struct memmap *mm);
/* Frees the bus, its devices and the 0xCF8 ports. */
void pci_bus_free(struct pci_bus *b);
/*
 * Claims configuration mechanism #1: the address register (32-bit accesses
 * at base) and the data window base + 4 .. base + 7 (1, 2 and 4-byte
 * accesses). Byte accesses at base + 1 go to the cf9 hook when set (else
 * they read 0xff and are dropped); other narrow accesses to base..base + 3
 * read all-ones and are ignored, as on the i440FX. false if the ports are taken.
 */
bool pci_bus_claim_conf1(struct pci_bus *b, uint16_t base);
void pci_bus_set_cf9(struct pci_bus *b, pci_cf9_read_fn rd, pci_cf9_write_fn wr, void *opaque);
/* Installs the PIRQ router (the PIIX3): receives PIRQ A-D levels. */
void pci_bus_set_router(struct pci_bus *b, pci_pirq_fn fn, void *opaque);
/* The current level of PIRQ A-D (pirq 0..3). */
int pci_bus_pirq_level(const struct pci_bus *b, unsigned pirq);
/* The PIRQ (0..3) that INTx pin (1..4 = INTA..INTD) of a device in slot
   reaches: (slot + pin - 1) mod 4, the usual PCI swizzle. */
unsigned pci_swizzle(unsigned slot, unsigned pin);

/*
 * Adds a device (function) at devfn (0..255) with its IDs, revision, 24-bit
 * class code (class << 16 | subclass << 8 | prog-if) and header type. The
 * configuration space starts zeroed with only the command register's IO,
 * MEMORY, MASTER, PARITY, SERR and INTX_DISABLE bits, the status error bits
 * (write 1 to clear) and the interrupt line writable. NULL if devfn is taken.
 */
struct pci_dev *pci_dev_new(struct pci_bus *b, unsigned devfn, const char *name,
                            uint16_t vendor, uint16_t device, uint8_t revision,
                            uint32_t class_code, uint8_t header_type);
/* Removes the device (unmapping its BARs, lowering its INTx). */
void pci_dev_free(struct pci_dev *d);

/* Direct access to the configuration bytes, for a model setting its power-on
   values (call pci_dev_save_reset_state afterwards). */
uint8_t *pci_dev_config(struct pci_dev *d);
/* Marks bits writable by the guest: mask bytes for [off, off + len). */
void pci_dev_set_wmask(struct pci_dev *d, unsigned off, unsigned len, uint8_t mask);
/* Marks bits write-1-to-clear. */
void pci_dev_set_w1cmask(struct pci_dev *d, unsigned off, unsigned len, uint8_t mask);
/* The config write hook (model registers with side effects). */
void pci_dev_set_write_hook(struct pci_dev *d, pci_config_write_fn fn, void *opaque);
/* The reset hook (shares the write hook's opaque: set both with the same one). */
void pci_dev_set_reset_hook(struct pci_dev *d, pci_reset_fn fn, void *opaque);
/* The INTx pin (1..4 = INTA..INTD, 0 = none) the device uses. */
void pci_dev_set_pin(struct pci_dev *d, unsigned pin);
/* Records the current configuration as what pci_dev_reset restores. */
void pci_dev_save_reset_state(struct pci_dev *d);

/*
 * Declares BAR idx (0..5; MEM64 uses idx + 1 too) of size bytes (power of
 * two: at least 4 for I/O, at least 16 for memory). The region is mapped on
 * the I/O bus or the memory map with ops/opaque when the command register
 * enables that space and the BAR holds a valid address; it moves or goes
 * away as the guest reprograms the BAR or the command register. A mapping
 * that would overlap another region or leave the address space is not made
 * (the BAR keeps its value; the monitor shows it as unmapped).
 * false on a bad index, size or type.
 */
bool pci_register_bar(struct pci_dev *d, unsigned idx, enum pci_bar_type type, uint64_t size,
                      const struct bus_ops *ops, void *opaque, const char *name);
/* Where BAR idx is mapped now, or PCI_BAR_UNMAPPED. */
uint64_t pci_bar_address(const struct pci_dev *d, unsigned idx);

/* Drives the device's INTx pin (a level). Masked by COMMAND.INTX_DISABLE;
   STATUS.INTERRUPT shows the unmasked level. */
void pci_set_irq(struct pci_dev *d, int level);

/* Power-on state of one device or of all (BARs unmapped, INTx low). */
void pci_dev_reset(struct pci_dev *d);
void pci_bus_reset(struct pci_bus *b);

/* Configuration accesses of 1, 2 or 4 bytes at off (aligned to size) of
   bus 0 devfn; absent functions read all-ones and ignore writes. */
uint32_t pci_config_read(struct pci_bus *b, unsigned devfn, unsigned off, unsigned size);
void pci_config_write(struct pci_bus *b, unsigned devfn, unsigned off, uint32_t val, unsigned size);

/* The device at devfn or NULL; its devfn and name. */
struct pci_dev *pci_bus_dev(struct pci_bus *b, unsigned devfn);
unsigned pci_dev_devfn(const struct pci_dev *d);
const char *pci_dev_name(const struct pci_dev *d);

/* Lists the devices (IDs, class, command, IRQ, BARs) for the monitor's "info pci". */
void pci_bus_print(struct pci_bus *b, FILE *out);

#endif
