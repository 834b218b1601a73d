/* SPDX-License-Identifier: MIT */
/* i440fx.h: the Intel 82441FX (i440FX) PCI host bridge at 00:00.0. */
#ifndef KILN_HW_I440FX_H
#define KILN_HW_I440FX_H

#include "hw/pci.h"

#define I440FX_VENDOR 0x8086
#define I440FX_DEVICE 0x1237
#define I440FX_PAM0   0x59          /* PAM0..PAM6: 0x59-0x5f */
#define I440FX_SMRAM  0x72

/*
 * Adds the host bridge function at devfn (00:00.0 on the PC). Its chipset
 * registers 0x50-0x7f and 0x90-0x93 (PAM, DRB, SMRAM, error status...) are
 * stored as written but have no effect: the board's RAM below 1 MiB is
 * always plain RAM (there is no shadowed BIOS to protect) and there is no
 * SMM. The DRB registers report ram_below_4g (capped at 1 GiB, 8 MiB units).
 * NULL if devfn is taken.
 */
struct pci_dev *i440fx_init(struct pci_bus *bus, unsigned devfn, uint64_t ram_below_4g);

#endif
