/* SPDX-License-Identifier: MIT */
/* lapic.h: the local APIC (xAPIC) of the single vCPU: registers, priorities, LVT, timer, IPIs to self. */
#ifndef KILN_HW_LAPIC_H
#define KILN_HW_LAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "hw/apic_msg.h"
#include "hw/irq.h"
#include "machine/bus.h"
#include "machine/clock.h"

#define LAPIC_DEFAULT_BASE 0xfee00000u
#define LAPIC_MMIO_SIZE 0x1000u
#define LAPIC_BASE_BSP (1u << 8)        /* IA32_APIC_BASE bits */
#define LAPIC_BASE_EN (1u << 11)

struct lapic;

/*
 * What the board connects. The local APIC reaches the CPU only through the
 * lines: intr is the CPU's INTR pin (a level), nmi and init are pulsed.
 */
struct lapic_config {
    uint8_t id;                     /* initial APIC ID */
    uint64_t bus_hz;                /* timer input clock (before the divider) */
    uint64_t tsc_hz;                /* the CPU's TSC rate, for TSC-deadline mode */
    const struct irq_line *intr;
    const struct irq_line *nmi;
    const struct irq_line *init;
    void *opaque;                   /* for the callbacks below */
    /* INTA cycle to the 8259 for an ExtINT interrupt: returns its vector. */
    uint8_t (*extint_ack)(void *opaque);
    /* EOI of a level-triggered vector: broadcast to the I/O APICs. */
    void (*eoi_broadcast)(void *opaque, uint8_t vector);
    /* IA32_APIC_BASE changed: map the registers at base (enabled) or unmap them. */
    void (*relocate)(void *opaque, uint64_t base, bool enabled);
};

/* A local APIC in its RESET state (base 0xfee00000, globally enabled, software
 * disabled). relocate is not called for this first base: the board maps it. */
struct lapic *lapic_new(struct clock *clock, const struct lapic_config *cfg);
void lapic_free(struct lapic *l);
/* RESET: every register to its power-on value (calls relocate with the default base). */
void lapic_reset(struct lapic *l);
/* INIT: every register to its RESET value except the APIC ID and IA32_APIC_BASE. */
void lapic_init_ipi(struct lapic *l);
/*
 * What firmware does before it boots an OS (kiln has none): software enable
 * with spurious vector 0xff, LINT0 = ExtINT, LINT1 = NMI ("virtual wire"), so
 * the 8259's INT reaches INTR through the local APIC until the guest changes it.
 */
void lapic_virtual_wire(struct lapic *l);

/* The register page (4 KiB, 32-bit registers 16 bytes apart); the board maps it. */
extern const struct bus_ops lapic_mmio_ops;

/* LINT0 (n = 0: the 8259's INT) and LINT1 (n = 1: NMI) input pins. */
const struct irq_line *lapic_lint(struct lapic *l, int n);
/* An interrupt message (from the I/O APIC, HPET...): accepted if addressed to us. */
void lapic_deliver(struct lapic *l, const struct apic_msg *msg);
/* INTA: the vector the CPU takes (ExtINT: the 8259's; nothing deliverable: spurious). */
uint8_t lapic_ack(struct lapic *l);

/* MSRs and CR8: IA32_APIC_BASE (false: reserved bits set -> #GP), IA32_TSC_DEADLINE. */
uint64_t lapic_get_base(const struct lapic *l);
bool lapic_set_base(struct lapic *l, uint64_t value);
uint64_t lapic_get_tsc_deadline(struct lapic *l);
void lapic_set_tsc_deadline(struct lapic *l, uint64_t tsc);
/* CR8 = TPR[7:4] (64-bit mode). */
uint64_t lapic_get_cr8(const struct lapic *l);
void lapic_set_cr8(struct lapic *l, uint64_t v);

/* Register read/write at offset (what the MMIO ops do; for tests and the monitor). */
uint32_t lapic_read(struct lapic *l, uint32_t offset);
void lapic_write(struct lapic *l, uint32_t offset, uint32_t value);
/* True while the INTR output is asserted. */
bool lapic_intr(const struct lapic *l);
/* Human-readable state ("info lapic"). */
void lapic_dump(struct lapic *l, FILE *out);

#endif
