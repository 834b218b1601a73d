/* SPDX-License-Identifier: MIT */
/* piix_pm.h: the PIIX4 power-management PCI function (8086:7113) that decodes the ACPI PM block. */
#ifndef KILN_HW_PIIX_PM_H
#define KILN_HW_PIIX_PM_H

#include "hw/acpi_pm.h"
#include "hw/pci.h"

#define PIIX_PM_VENDOR 0x8086
#define PIIX_PM_DEVICE 0x7113
#define PIIX_PM_PMBA   0x40         /* PM I/O base: bit 0 reads 1, bits 15:6 the base */
#define PIIX_PM_PMREGMISC 0x80      /* bit 0: PMIOSE, the PM I/O space is decoded */
#define PIIX_PM_SMBBA  0x90         /* SMBus I/O base (bit 0 reads 1; no SMBus behind it) */

/*
 * Adds the function at devfn (00:01.3 on the PC) in front of pm: PMBA starts
 * at pm_base with PMIOSE set (what firmware leaves), and writes to PMBA or
 * PMREGMISC move or unmap the block (acpi_pm_map). Revision 3 (PIIX4E/M, no
 * errata Linux has to work around). No INTx pin: the SCI goes to ISA IRQ 9
 * directly. The SMBus base is writable but stays disabled (nothing decodes it).
 * The device belongs to the bus (pci_bus_free frees it). NULL if devfn is taken.
 */
struct pci_dev *piix_pm_init(struct pci_bus *bus, unsigned devfn, struct acpi_pm *pm,
                             uint16_t pm_base);

#endif
