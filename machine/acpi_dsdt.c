/* SPDX-License-Identifier: MIT */
/* acpi_dsdt.c: generates the DSDT's AML: S5, the PCI root bridge, its interrupt routing and link devices. */
#include <stdio.h>
#include <string.h>
#include "hw/pci.h"
#include "machine/acpi_aml.h"
#include "machine/acpi_dsdt.h"
#include "machine/acpi_tables.h"
#include "hw/acpi_pm.h"

static const uint8_t op_scope[] = { AML_SCOPE };
static const uint8_t op_device[] = { AML_EXT, AML_EXT_DEVICE };
static const uint8_t op_method[] = { AML_METHOD };
static const uint8_t op_if[] = { AML_IF };
static const uint8_t op_buffer[] = { AML_BUFFER };
static const uint8_t op_package[] = { AML_PACKAGE };
static const uint8_t op_field[] = { AML_EXT, AML_EXT_FIELD };

/* Resource descriptors are little-endian byte strings. */
static void le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Name(name, Buffer() {bytes}) */
static void name_buffer(struct aml *a, const char *name, const uint8_t *bytes, size_t n)
{
    aml_byte(a, AML_NAME);
    aml_name(a, name);
    aml_open(a, op_buffer, 1);
    aml_int(a, n);
    aml_bytes(a, bytes, n);
    aml_close(a);
}

static void name_int(struct aml *a, const char *name, uint64_t v)
{
    aml_byte(a, AML_NAME);
    aml_name(a, name);
    aml_int(a, v);
}

/* Word address space descriptor (bus number or I/O range), producer, min/max fixed. */
static size_t word_space(uint8_t *p, uint8_t type, uint8_t tflags, uint16_t min, uint16_t max)
{
    p[0] = 0x88;
    le(p + 1, 13, 2);
    p[3] = type;
    p[4] = 0x0c;                        /* MinFixed | MaxFixed, positive decode, producer */
    p[5] = tflags;
    le(p + 6, 0, 2);                    /* granularity */
    le(p + 8, min, 2);
    le(p + 10, max, 2);
    le(p + 12, 0, 2);                   /* translation */
    le(p + 14, (uint32_t)max - min + 1, 2);
    return 16;
}

/* DWord memory descriptor, producer, read-write. */
static size_t dword_mem(uint8_t *p, bool cacheable, uint32_t min, uint32_t max)
{
    p[0] = 0x87;
    le(p + 1, 23, 2);
    p[3] = 0;                           /* memory range */
    p[4] = 0x0c;
    p[5] = cacheable ? 0x03 : 0x01;     /* read-write; cacheable or not */
    le(p + 6, 0, 4);
    le(p + 10, min, 4);
    le(p + 14, max, 4);
    le(p + 18, 0, 4);
    le(p + 22, (uint64_t)max - min + 1, 4);
    return 26;
}

/* IO (Decode16, port, port, 1, len) */
static size_t io_port(uint8_t *p, uint16_t port, uint8_t len)
{
    p[0] = 0x47;
    p[1] = 0x01;
    le(p + 2, port, 2);
    le(p + 4, port, 2);
    p[6] = 1;
    p[7] = len;
    return 8;
}

static size_t irq_noflags(uint8_t *p, unsigned irq)
{
    p[0] = 0x22;
    le(p + 1, 1u << irq, 2);
    return 3;
}

static size_t end_tag(uint8_t *p)
{
    p[0] = 0x79;
    p[1] = 0;
    return 2;
}

static void pci0_crs(struct aml *a, const struct acpi_dsdt_cfg *cfg)
{
    uint8_t r[128];
    size_t n = 0;

    n += word_space(r + n, 2, 0, 0, 0xff);              /* bus numbers 0-255 */
    n += io_port(r + n, 0xcf8, 8);                      /* the configuration ports */
    n += word_space(r + n, 1, 0x03, 0x0000, 0x0cf7);    /* I/O, entire range */
    n += word_space(r + n, 1, 0x03, 0x0d00, 0xffff);
    n += dword_mem(r + n, true, 0xa0000, 0xbffff);      /* legacy VGA window */
    if (cfg->pci_mem_start < cfg->pci_mem_end)
        n += dword_mem(r + n, false, cfg->pci_mem_start, cfg->pci_mem_end);
    n += end_tag(r + n);
    name_buffer(a, "_CRS", r, n);
}

/* _PRT: every slot but the chipset's 0, pins INTA-INTD, to the link the swizzle picks. */
static void pci0_prt(struct aml *a)
{
    aml_byte(a, AML_NAME);
    aml_name(a, "_PRT");
    aml_open(a, op_package, 1);
    aml_byte(a, 31 * 4);
    for (unsigned slot = 1; slot < 32; slot++) {
        for (unsigned pin = 0; pin < 4; pin++) {
            char link[5];
            snprintf(link, sizeof(link), "LNK%c", 'A' + pci_swizzle(slot, pin + 1));
            aml_open(a, op_package, 1);
            aml_byte(a, 4);
            aml_byte(a, AML_DWORD);             /* address: slot, any function */
            uint8_t addr[4];
            le(addr, (uint32_t)slot << 16 | 0xffff, 4);
            aml_bytes(a, addr, 4);
            aml_int(a, pin);
            aml_name(a, link);
            aml_int(a, 0);
            aml_close(a);
        }
    }
    aml_close(a);
}

/* The PS/2 controller's two functions, as ACPI PNP devices. */
static void isa_ps2(struct aml *a)
{
    uint8_t r[32];
    size_t n;

    aml_open(a, op_device, 2);
    aml_name(a, "KBD");
    aml_byte(a, AML_NAME);
    aml_name(a, "_HID");
    aml_eisaid(a, "PNP0303");
    n = io_port(r, 0x60, 1);
    n += io_port(r + n, 0x64, 1);
    n += irq_noflags(r + n, 1);
    n += end_tag(r + n);
    name_buffer(a, "_CRS", r, n);
    aml_close(a);

    aml_open(a, op_device, 2);
    aml_name(a, "MOU");
    aml_byte(a, AML_NAME);
    aml_name(a, "_HID");
    aml_eisaid(a, "PNP0F13");
    n = irq_noflags(r, 12);
    n += end_tag(r + n);
    name_buffer(a, "_CRS", r, n);
    aml_close(a);
}

/* Extended interrupt descriptor: consumer, level, active-high, shared; irqs from mask. */
static size_t ext_irq(uint8_t *p, uint32_t mask)
{
    unsigned cnt = 0;

    p[0] = 0x89;
    p[3] = 0x09;
    for (unsigned i = 0; i < 32; i++)
        if (mask >> i & 1)
            le(p + 5 + 4 * cnt++, i, 4);
    if (cnt == 0)
        le(p + 5 + 4 * cnt++, 0, 4);
    p[4] = (uint8_t)cnt;
    le(p + 1, 2 + 4 * cnt, 2);
    return 5 + 4 * cnt;
}

/* And(field, mask, NullName) */
static void and_field(struct aml *a, const char *field, uint8_t mask)
{
    aml_byte(a, AML_AND);
    aml_name(a, field);
    aml_int(a, mask);
    aml_byte(a, 0);
}

static void link_device(struct aml *a, unsigned i)
{
    char name[5], field[5];
    uint8_t r[32];
    size_t n;

    snprintf(name, sizeof(name), "LNK%c", 'A' + i);
    snprintf(field, sizeof(field), "PRQ%u", i);
    aml_open(a, op_device, 2);
    aml_name(a, name);
    aml_byte(a, AML_NAME);
    aml_name(a, "_HID");
    aml_eisaid(a, "PNP0C0F");
    name_int(a, "_UID", i + 1);
    n = ext_irq(r, ACPI_DSDT_LINK_IRQS);
    n += end_tag(r + n);
    name_buffer(a, "_PRS", r, n);

    /* Method (_STA) { If (And (PRQx, 0x80)) { Return (0x09) } Return (0x0B) } */
    aml_open(a, op_method, 1);
    aml_name(a, "_STA");
    aml_byte(a, 0);
    aml_open(a, op_if, 1);
    and_field(a, field, 0x80);
    aml_byte(a, AML_RETURN);
    aml_int(a, 0x09);
    aml_close(a);
    aml_byte(a, AML_RETURN);
    aml_int(a, 0x0b);
    aml_close(a);

    /* Method (_DIS) { Or (PRQx, 0x80, PRQx) } */
    aml_open(a, op_method, 1);
    aml_name(a, "_DIS");
    aml_byte(a, 0);
    aml_byte(a, AML_OR);
    aml_name(a, field);
    aml_int(a, 0x80);
    aml_name(a, field);
    aml_close(a);

    /* Method (_CRS, 0, Serialized) { Name (RBUF, <one IRQ 0>) CreateDWordField (RBUF, 5, IRQV)
         If (LLess (PRQx, 0x80)) { Store (And (PRQx, 0x0F), IRQV) } Return (RBUF) } */
    aml_open(a, op_method, 1);
    aml_name(a, "_CRS");
    aml_byte(a, AML_METHOD_SERIALIZED);
    n = ext_irq(r, 0);
    n += end_tag(r + n);
    name_buffer(a, "RBUF", r, n);
    aml_byte(a, AML_CREATE_DWORD_FIELD);
    aml_name(a, "RBUF");
    aml_byte(a, AML_BYTE);
    aml_byte(a, 5);
    aml_name(a, "IRQV");
    aml_open(a, op_if, 1);
    aml_byte(a, AML_LLESS);
    aml_name(a, field);
    aml_int(a, 0x80);
    aml_byte(a, AML_STORE);
    and_field(a, field, 0x0f);
    aml_name(a, "IRQV");
    aml_close(a);
    aml_byte(a, AML_RETURN);
    aml_name(a, "RBUF");
    aml_close(a);

    /* Method (_SRS, 1, Serialized) { CreateDWordField (Arg0, 5, IRQW) Store (IRQW, PRQx) } */
    aml_open(a, op_method, 1);
    aml_name(a, "_SRS");
    aml_byte(a, 1 | AML_METHOD_SERIALIZED);
    aml_byte(a, AML_CREATE_DWORD_FIELD);
    aml_byte(a, AML_ARG0);
    aml_byte(a, AML_BYTE);
    aml_byte(a, 5);
    aml_name(a, "IRQW");
    aml_byte(a, AML_STORE);
    aml_name(a, "IRQW");
    aml_name(a, field);
    aml_close(a);

    aml_close(a);
}

size_t acpi_dsdt_aml(uint8_t *buf, size_t cap, const struct acpi_dsdt_cfg *cfg)
{
    struct aml a;

    aml_init(&a, buf, cap);
    /* Name (\_S5, Package (4) { 5, 5, 0, 0 }) */
    aml_byte(&a, AML_NAME);
    aml_name(&a, "\\_S5");
    aml_open(&a, op_package, 1);
    aml_byte(&a, 4);
    aml_int(&a, ACPI_SLP_TYP_S5);
    aml_int(&a, ACPI_SLP_TYP_S5);
    aml_int(&a, 0);
    aml_int(&a, 0);
    aml_close(&a);

    aml_open(&a, op_scope, 1);
    aml_name(&a, "\\_SB");

    aml_open(&a, op_device, 2);
    aml_name(&a, "PCI0");
    aml_byte(&a, AML_NAME);
    aml_name(&a, "_HID");
    aml_eisaid(&a, "PNP0A03");
    name_int(&a, "_ADR", 0);
    name_int(&a, "_UID", 0);
    pci0_crs(&a, cfg);
    pci0_prt(&a);
    /* Device (ISA) { Name (_ADR, 0x00010000) OperationRegion (P40C, PCI_Config, 0x60, 4) } */
    aml_open(&a, op_device, 2);
    aml_name(&a, "ISA");
    name_int(&a, "_ADR", 0x00010000);
    aml_byte(&a, AML_EXT);
    aml_byte(&a, AML_EXT_OPREGION);
    aml_name(&a, "P40C");
    aml_byte(&a, AML_REGION_PCI_CONFIG);
    aml_int(&a, 0x60);
    aml_int(&a, 4);
    if (cfg->i8042)
        isa_ps2(&a);
    aml_close(&a);
    aml_close(&a);                              /* PCI0 */

    /* Field (PCI0.ISA.P40C, ByteAcc, NoLock, Preserve) { PRQ0, 8, ... PRQ3, 8 } */
    aml_open(&a, op_field, 2);
    aml_name(&a, "PCI0.ISA.P40C");
    aml_byte(&a, 0x01);
    for (unsigned i = 0; i < 4; i++) {
        char f[5];
        snprintf(f, sizeof(f), "PRQ%u", i);
        aml_bytes(&a, f, 4);
        aml_byte(&a, 8);
    }
    aml_close(&a);
    for (unsigned i = 0; i < 4; i++)
        link_device(&a, i);
    aml_close(&a);                              /* \_SB */
    return aml_finish(&a);
}
