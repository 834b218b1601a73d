/* SPDX-License-Identifier: MIT */
/* acpi_tables.h: the ACPI tables kiln writes into the BIOS area (RSDP, RSDT, FADT, FACS, DSDT). */
#ifndef KILN_MACHINE_ACPI_TABLES_H
#define KILN_MACHINE_ACPI_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "machine/memmap.h"

/* Where the PC board puts them: the start of the reserved BIOS area (Linux
 * scans 0xe0000-0xfffff for the RSDP on 16-byte boundaries). */
#define ACPI_TABLES_BASE 0xf0000u

/* Offsets inside the block. */
#define ACPI_OFF_RSDP 0x000     /* 20 bytes, revision 0 (ACPI 1.0) */
#define ACPI_OFF_FACS 0x040     /* 64 bytes, 64-byte aligned */
#define ACPI_OFF_RSDT 0x080     /* header + up to 3 entries (FADT, MADT, HPET) */
#define ACPI_OFF_FADT 0x0c0     /* revision 1 (116 bytes) or 3 (244 bytes, with the reset register) */
#define ACPI_OFF_MADT 0x1c0     /* header + LAPIC, I/O APIC, 2 overrides, LAPIC NMI: 90 bytes */
#define ACPI_OFF_HPET 0x240     /* 56 bytes */
#define ACPI_OFF_DSDT 0x280     /* header + the AML of machine/acpi_dsdt.c, up to the end */
#define ACPI_TABLES_SIZE 0x1000

struct acpi_tables_cfg {
    uint32_t base;              /* guest physical address of the block (64-byte aligned) */
    uint16_t pm_base;           /* the PM I/O block (PM1a_EVT at +0, PM1a_CNT at +4, PM_TMR at +8) */
    uint8_t sci_irq;
    uint32_t lapic_base;        /* MADT (local APIC, I/O APIC, IRQ 0 -> GSI 2, SCI level); 0 = none */
    uint32_t ioapic_base;
    uint32_t hpet_base;         /* HPET table; 0 = none */
    uint32_t pci_mem_start;     /* the DSDT's PCI memory window [start, end]; none if start >= end */
    uint32_t pci_mem_end;
    bool i8042;                 /* the DSDT describes the PS/2 controller */
    uint16_t reset_port;        /* FADT reset register (system I/O), 0 = none: FADT revision 1 */
    uint8_t reset_value;
};

/*
 * Fills buf (at least ACPI_TABLES_SIZE bytes) with the tables for cfg, all
 * checksums set. The DSDT (machine/acpi_dsdt.h) defines \_S5 = Package
 * {5, 5, 0, 0} (ACPI_SLP_TYP_S5), the PCI root bridge with its interrupt
 * routing and link devices. The MADT and HPET tables are listed when their
 * bases are set.
 * Returns the number of bytes used, or 0 if len is too small or base is
 * not 64-byte aligned.
 */
size_t acpi_tables_build(uint8_t *buf, size_t len, const struct acpi_tables_cfg *cfg);
/* Builds the tables and copies them to cfg->base in guest RAM; -1 if that is not RAM. */
int acpi_tables_install(struct memmap *mm, const struct acpi_tables_cfg *cfg);
/* The byte that makes the sum of buf[0..len) zero. */
uint8_t acpi_checksum(const uint8_t *buf, size_t len);

#endif
