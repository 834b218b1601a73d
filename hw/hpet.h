/* SPDX-License-Identifier: MIT */
/* hpet.h: the HPET (IA-PC high precision event timer): a 64-bit counter and 3 comparators. */
#ifndef KILN_HW_HPET_H
#define KILN_HW_HPET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "hw/irq.h"
#include "machine/bus.h"
#include "machine/clock.h"

#define HPET_DEFAULT_BASE 0xfed00000u
#define HPET_MMIO_SIZE 0x400u
#define HPET_TIMERS 3
#define HPET_FREQ_HZ 100000000u         /* 10 ns per tick */
#define HPET_GSIS 24

struct hpet;

struct hpet_config {
    /* Legacy replacement: timer 0 drives legacy[0] (ISA IRQ 0), timer 1 legacy[1] (IRQ 8). */
    const struct irq_line *legacy[2];
    /* Tn_INT_ROUTE_CNF targets: I/O APIC inputs; only the pins in route_cap are offered. */
    const struct irq_line *gsi[HPET_GSIS];
    uint32_t route_cap;
    /* Called when LEG_RT_CNF (with ENABLE_CNF) switches legacy replacement on or off,
       so the board stops (or resumes) routing the PIT's and RTC's outputs. */
    void (*legacy_changed)(void *opaque, bool on);
    void *opaque;
};

/* An HPET in its power-on state (halted, counter 0, timers disabled). */
struct hpet *hpet_new(struct clock *clock, const struct hpet_config *cfg);
void hpet_free(struct hpet *h);
void hpet_reset(struct hpet *h);

/* The 1 KiB register block (8-byte registers, 4- or 8-byte accesses); the board maps it. */
extern const struct bus_ops hpet_mmio_ops;
uint64_t hpet_read(struct hpet *h, uint32_t offset, unsigned size);
void hpet_write(struct hpet *h, uint32_t offset, uint64_t value, unsigned size);

/* True while the counter runs with legacy replacement routing. */
bool hpet_legacy_mode(const struct hpet *h);
void hpet_dump(struct hpet *h, FILE *out);

#endif
