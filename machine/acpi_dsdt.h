/* SPDX-License-Identifier: MIT */
/* acpi_dsdt.h: the AML of kiln's DSDT: \_S5, the PCI0 host bridge with its _PRT, PCI link devices, PS/2. */
#ifndef KILN_MACHINE_ACPI_DSDT_H
#define KILN_MACHINE_ACPI_DSDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct acpi_dsdt_cfg {
    uint32_t pci_mem_start;     /* the PCI memory window: [start, end] (end inclusive) */
    uint32_t pci_mem_end;
    bool i8042;                 /* describe the PS/2 keyboard and mouse (PNP0303, PNP0F13) */
};

/* The link devices' possible IRQs (PIIX3 PIRQ routing targets), as a mask. */
#define ACPI_DSDT_LINK_IRQS ((1u << 5) | (1u << 10) | (1u << 11))

/*
 * Writes the DSDT body (the AML after the 36-byte header) into buf:
 *   \_S5 = Package {5, 5, 0, 0};
 *   \_SB.PCI0 (PNP0A03, bus 0): _CRS with bus 0-255, ports 0xcf8-0xcff,
 *     0-0xcf7 and 0xd00-0xffff, memory 0xa0000-0xbffff and the PCI window;
 *     _PRT: slots 1-31, INTA-INTD through LNKA-LNKD with the swizzle of
 *     hw/pci.h (pci_swizzle); \_SB.PCI0.ISA (00:01.0) with an operation region
 *     on its PIRQ route control registers 0x60-0x63;
 *   \_SB.LNKA-LNKD (PNP0C0F): _PRS level, active-high, shared IRQs 5, 10,
 *     11; _STA/_CRS/_SRS/_DIS read and write PIRQRC (bit 7 = disabled);
 *   with cfg->i8042, \_SB.PCI0.ISA.KBD (ports 0x60/0x64, IRQ 1) and
 *     \_SB.PCI0.ISA.MOU (IRQ 12).
 * Returns the length, or 0 if cap is too small.
 */
size_t acpi_dsdt_aml(uint8_t *buf, size_t cap, const struct acpi_dsdt_cfg *cfg);

#endif
