/* SPDX-License-Identifier: MIT */
/* pic.h: the dual 8259A programmable interrupt controller of the PC (master + slave). */
#ifndef KILN_HW_PIC_H
#define KILN_HW_PIC_H

#include <stdbool.h>
#include <stdint.h>
#include "hw/irq.h"
#include "machine/bus.h"

struct pic;

/*
 * Creates the master at master_base (2 ports), the slave (cascaded on master
 * IR2) at slave_base and the edge/level control registers at elcr_base
 * (2 ports; 0 = none). intr is driven with the master's INT output.
 */
struct pic *pic_init(struct bus *io, uint16_t master_base, uint16_t slave_base,
                     uint16_t elcr_base, const struct irq_line *intr);
void pic_free(struct pic *pic);

/* The input line for ISA IRQ n (0..15); wire devices to it. */
struct irq_line *pic_irq(struct pic *pic, int n);
/* Directly sets the level of IRQ n (same as irq_set(pic_irq(pic, n), level)). */
void pic_set_irq(struct pic *pic, int n, int level);

/* True while the master's INT output is asserted. */
bool pic_intr_pending(const struct pic *pic);
/*
 * The interrupt acknowledge cycle (the CPU accepted INTR): returns the vector
 * and updates IRR/ISR; a request that vanished yields the spurious IRQ7
 * (or IRQ15) vector without setting ISR.
 */
uint8_t pic_get_interrupt(struct pic *pic);

/* Register snapshot for the monitor and tests (chip 0 = master, 1 = slave). */
struct pic_regs {
    uint8_t irr, isr, imr, elcr, vector_base;
    bool auto_eoi, special_mask, special_fully_nested;
};
void pic_get_regs(const struct pic *pic, int chip, struct pic_regs *out);

#endif
