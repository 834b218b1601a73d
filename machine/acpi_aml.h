/* SPDX-License-Identifier: MIT */
/* acpi_aml.h: a small AML byte-code writer for the DSDT (names, packages, devices, methods, buffers). */
#ifndef KILN_MACHINE_ACPI_AML_H
#define KILN_MACHINE_ACPI_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* AML opcodes the DSDT uses (ACPI 6.x, section 20). */
enum {
    AML_ZERO = 0x00, AML_ONE = 0x01, AML_NAME = 0x08, AML_BYTE = 0x0a, AML_WORD = 0x0b,
    AML_DWORD = 0x0c, AML_SCOPE = 0x10, AML_BUFFER = 0x11, AML_PACKAGE = 0x12, AML_METHOD = 0x14,
    AML_LOCAL0 = 0x60, AML_ARG0 = 0x68, AML_STORE = 0x70, AML_AND = 0x7b, AML_OR = 0x7d,
    AML_CREATE_DWORD_FIELD = 0x8a, AML_LAND = 0x90, AML_LNOT = 0x92, AML_LEQUAL = 0x93,
    AML_LGREATER = 0x94, AML_LLESS = 0x95, AML_IF = 0xa0, AML_ELSE = 0xa1, AML_RETURN = 0xa4,
    AML_EXT = 0x5b, AML_EXT_OPREGION = 0x80, AML_EXT_FIELD = 0x81, AML_EXT_DEVICE = 0x82,
};
#define AML_REGION_PCI_CONFIG 0x02
#define AML_METHOD_SERIALIZED 0x08

#define AML_MAX_DEPTH 16

/* Output buffer; any overflow or misuse sets err and stops writing. */
struct aml {
    uint8_t *buf;
    size_t len, cap;
    bool err;
    size_t open[AML_MAX_DEPTH];     /* where each open PkgLength goes */
    unsigned depth;
};

void aml_init(struct aml *a, uint8_t *buf, size_t cap);
void aml_byte(struct aml *a, uint8_t b);
void aml_bytes(struct aml *a, const void *p, size_t n);
/* An integer in its shortest encoding (Zero, One, Byte/Word/DWord/QWord prefix). */
void aml_int(struct aml *a, uint64_t v);
/* A name string: "\\" root prefix, "^" parent prefixes, then dot-separated
   segments of up to 4 characters (padded with '_'). */
void aml_name(struct aml *a, const char *path);
/* An EISA id ("PNP0A03") as the DWord integer _HID wants. */
void aml_eisaid(struct aml *a, const char *id);

/* Opens a construct with a PkgLength after the opcode byte(s) op[0..n):
   Scope, Device, Method, If, Else, Package, Buffer, Field. */
void aml_open(struct aml *a, const uint8_t *op, size_t n);
/* Closes the innermost one, encoding its PkgLength in as few bytes as it takes. */
void aml_close(struct aml *a);

/* Bytes written, or 0 after an error. */
size_t aml_finish(struct aml *a);

#endif
