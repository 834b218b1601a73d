/* SPDX-License-Identifier: MIT */
/* ioapic.h: the I/O APIC (82093AA-style, 24 pins): redirection table, edge/level, remote IRR, EOI. */
#ifndef KILN_HW_IOAPIC_H
#define KILN_HW_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "hw/apic_msg.h"
#include "hw/irq.h"
#include "machine/bus.h"

#define IOAPIC_DEFAULT_BASE 0xfec00000u
#define IOAPIC_MMIO_SIZE 0x20u
#define IOAPIC_PINS 24

struct ioapic;

/* An I/O APIC with APIC ID id, all pins masked; it sends its messages to sink. */
struct ioapic *ioapic_new(uint8_t id, const struct apic_sink *sink);
void ioapic_free(struct ioapic *io);
/* Power-on state (every entry masked, edge, vector 0; ID kept as configured). */
void ioapic_reset(struct ioapic *io);

/* IOREGSEL at 0x00, IOWIN at 0x10 (32-bit accesses); the board maps it. */
extern const struct bus_ops ioapic_mmio_ops;

/*
 * Input pin n (GSI n). A level is the pin's asserted state: the board's lines
 * carry "asserted", so the polarity bit is kept for the guest to read but
 * does not invert the input (like QEMU).
 */
const struct irq_line *ioapic_irq(struct ioapic *io, int n);
void ioapic_set_irq(struct ioapic *io, int n, int level);
/* A local APIC's EOI for a level-triggered vector: clears remote IRR, resends if still asserted. */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

/* Registers through the index/data pair (tests and the monitor). */
uint32_t ioapic_reg_read(struct ioapic *io, uint8_t index);
void ioapic_reg_write(struct ioapic *io, uint8_t index, uint32_t value);
uint64_t ioapic_entry(const struct ioapic *io, int pin);
void ioapic_dump(const struct ioapic *io, FILE *out);

#endif
