/* SPDX-License-Identifier: MIT */
/* acpi_tables.c: builds kiln's minimal ACPI 1.0 table set so guests find S5 (soft off) and the PM timer. */
#include <string.h>
#include "machine/acpi_tables.h"
#include "hw/acpi_pm.h"
#include "machine/acpi_dsdt.h"

#define HDR_LEN 36
#define FADT_LEN 116             /* revision 1 */
#define FADT3_LEN 244            /* revision 3: with the reset register and X_ fields */
#define MADT_LEN (HDR_LEN + 8 + 8 + 12 + 10 + 10 + 6)
#define HPET_LEN 56

/* FADT flags: WBINVD works, C1 supported, no fixed sleep button. */
#define FADT_WBINVD     (1u << 0)
#define FADT_PROC_C1    (1u << 2)
#define FADT_SLP_BUTTON (1u << 5)
#define FADT_RESET_REG_SUP (1u << 10)
/* IAPC_BOOT_ARCH (revision 2+): ISA devices, an 8042. */
#define BOOT_ARCH_LEGACY 0x0001
#define BOOT_ARCH_8042   0x0002

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

uint8_t acpi_checksum(const uint8_t *buf, size_t len)
{
    uint8_t sum = 0;

    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + buf[i]);
    return (uint8_t)(0u - sum);
}

/* The common System Description Table header; the checksum is set by finish(). */
static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
    memcpy(t, sig, 4);
    put32(t + 4, len);
    t[8] = rev;
    memcpy(t + 10, "KILN  ", 6);            /* OEMID */
    memcpy(t + 16, "KILNPC  ", 8);          /* OEM table ID */
    put32(t + 24, 1);                       /* OEM revision */
    memcpy(t + 28, "KILN", 4);              /* creator ID */
    put32(t + 32, 1);                       /* creator revision */
}

static void finish(uint8_t *t, uint32_t len)
{
    t[9] = 0;
    t[9] = acpi_checksum(t, len);
}

/* MADT: one enabled CPU (APIC ID 0), the I/O APIC at GSI 0, ISA IRQ 0 on GSI 2,
   the SCI level-triggered active-high, LINT1 as NMI; PC/AT-compatible 8259s present. */
static void build_madt(uint8_t *t, const struct acpi_tables_cfg *cfg)
{
    header(t, "APIC", MADT_LEN, 1);
    put32(t + 36, cfg->lapic_base);
    put32(t + 40, 1);                       /* PCAT_COMPAT */
    uint8_t *e = t + 44;
    e[0] = 0; e[1] = 8; e[2] = 0; e[3] = 0; /* Processor Local APIC: UID 0, APIC ID 0 */
    put32(e + 4, 1);                        /* enabled */
    e += 8;
    e[0] = 1; e[1] = 12; e[2] = 0; e[3] = 0;/* I/O APIC: ID 0 */
    put32(e + 4, cfg->ioapic_base);
    put32(e + 8, 0);                        /* GSI base */
    e += 12;
    e[0] = 2; e[1] = 10; e[2] = 0; e[3] = 0;/* Interrupt Source Override: ISA IRQ 0 */
    put32(e + 4, 2);                        /* -> GSI 2 */
    put16(e + 8, 0);                        /* conforms to the bus (edge, active high) */
    e += 10;
    e[0] = 2; e[1] = 10; e[2] = 0; e[3] = cfg->sci_irq;
    put32(e + 4, cfg->sci_irq);
    put16(e + 8, 0x000d);                   /* active high (01), level (11 << 2) */
    e += 10;
    e[0] = 4; e[1] = 6; e[2] = 0xff;        /* Local APIC NMI: every processor */
    put16(e + 3, 0);                        /* conforms */
    e[5] = 1;                               /* LINT1 */
    finish(t, MADT_LEN);
}

/* HPET: event timer block 0 (3 comparators, 64-bit, legacy capable) at hpet_base. */
static void build_hpet(uint8_t *t, const struct acpi_tables_cfg *cfg)
{
    header(t, "HPET", HPET_LEN, 1);
    put32(t + 36, 0x8086a201u);             /* vendor 8086, legacy capable, 64-bit, 3 timers, rev 1 */
    t[40] = 0;                              /* address space: system memory */
    put32(t + 44, cfg->hpet_base);
    t[52] = 0;                              /* HPET number */
    put16(t + 53, 0x80);                    /* minimum periodic tick */
    finish(t, HPET_LEN);
}

size_t acpi_tables_build(uint8_t *buf, size_t len, const struct acpi_tables_cfg *cfg)
{
    /* The FACS must be 64-byte aligned, so the whole block is. */
    if (buf == NULL || len < ACPI_TABLES_SIZE || cfg->base % 64 != 0)
        return 0;
    memset(buf, 0, ACPI_TABLES_SIZE);

    /* RSDP (ACPI 1.0): signature, checksum over 20 bytes, OEMID, revision 0, RSDT. */
    uint8_t *rsdp = buf + ACPI_OFF_RSDP;
    memcpy(rsdp, "RSD PTR ", 8);
    memcpy(rsdp + 9, "KILN  ", 6);
    rsdp[15] = 0;
    put32(rsdp + 16, cfg->base + ACPI_OFF_RSDT);
    rsdp[8] = acpi_checksum(rsdp, 20);

    /* FACS: no checksum; hardware signature 0, no waking vector, global lock free. */
    uint8_t *facs = buf + ACPI_OFF_FACS;
    memcpy(facs, "FACS", 4);
    put32(facs + 4, 64);

    /* RSDT: the FADT, then the MADT and HPET tables when the board has them. */
    uint8_t *rsdt = buf + ACPI_OFF_RSDT;
    uint32_t rlen = HDR_LEN;
    put32(rsdt + rlen, cfg->base + ACPI_OFF_FADT);
    rlen += 4;
    if (cfg->lapic_base && cfg->ioapic_base) {
        build_madt(buf + ACPI_OFF_MADT, cfg);
        put32(rsdt + rlen, cfg->base + ACPI_OFF_MADT);
        rlen += 4;
    }
    if (cfg->hpet_base) {
        build_hpet(buf + ACPI_OFF_HPET, cfg);
        put32(rsdt + rlen, cfg->base + ACPI_OFF_HPET);
        rlen += 4;
    }
    header(rsdt, "RSDT", rlen, 1);
    finish(rsdt, rlen);

    /* FADT revision 1. SMI_CMD = 0: the machine is always in ACPI mode. */
    uint8_t *f = buf + ACPI_OFF_FADT;
    /* With a reset register: revision 3 (the register came with ACPI 2.0); the
       X_ fields stay 0, so the 32-bit addresses are the ones used. */
    bool rev3 = cfg->reset_port != 0;
    uint32_t flen = rev3 ? FADT3_LEN : FADT_LEN;
    header(f, "FACP", flen, rev3 ? 3 : 1);
    put32(f + 36, cfg->base + ACPI_OFF_FACS);       /* FIRMWARE_CTRL */
    put32(f + 40, cfg->base + ACPI_OFF_DSDT);       /* DSDT */
    put16(f + 46, cfg->sci_irq);                    /* SCI_INT */
    put32(f + 48, 0);                               /* SMI_CMD */
    put32(f + 56, cfg->pm_base + ACPI_PM1_STS);     /* PM1a_EVT_BLK */
    put32(f + 64, cfg->pm_base + ACPI_PM1_CNT);     /* PM1a_CNT_BLK */
    put32(f + 76, cfg->pm_base + ACPI_PM_TMR);      /* PM_TMR_BLK */
    f[88] = 4;                                      /* PM1_EVT_LEN */
    f[89] = 2;                                      /* PM1_CNT_LEN */
    f[91] = 4;                                      /* PM_TMR_LEN */
    put16(f + 96, 0x0fff);                          /* P_LVL2_LAT: C2 unsupported */
    put16(f + 98, 0xffff);                          /* P_LVL3_LAT: C3 unsupported */
    f[108] = 0x32;                                  /* CENTURY: the RTC's CMOS byte */
    put32(f + 112, FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON | (rev3 ? FADT_RESET_REG_SUP : 0));
    if (rev3) {
        put16(f + 109, BOOT_ARCH_LEGACY | (cfg->i8042 ? BOOT_ARCH_8042 : 0));
        f[116] = 1;                                 /* RESET_REG: system I/O, */
        f[117] = 8;                                 /* 8 bits wide, */
        f[119] = 1;                                 /* byte access, */
        put32(f + 120, cfg->reset_port);            /* at the reset control port */
        f[128] = cfg->reset_value;                  /* RESET_VALUE */
    }
    finish(f, flen);

    /* DSDT: \_S5, the PCI root bridge, its routing and link devices. */
    const struct acpi_dsdt_cfg dcfg = { cfg->pci_mem_start, cfg->pci_mem_end, cfg->i8042 };
    uint8_t *d = buf + ACPI_OFF_DSDT;
    size_t aml = acpi_dsdt_aml(d + HDR_LEN, ACPI_TABLES_SIZE - ACPI_OFF_DSDT - HDR_LEN, &dcfg);
    if (aml == 0)
        return 0;
    uint32_t dlen = HDR_LEN + (uint32_t)aml;
    header(d, "DSDT", dlen, 1);
    finish(d, dlen);
    return ACPI_TABLES_SIZE;
}

int acpi_tables_install(struct memmap *mm, const struct acpi_tables_cfg *cfg)
{
    uint8_t buf[ACPI_TABLES_SIZE];

    if (acpi_tables_build(buf, sizeof(buf), cfg) == 0)
        return -1;
    return memmap_write(mm, cfg->base, buf, sizeof(buf));
}
