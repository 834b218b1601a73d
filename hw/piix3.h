/* SPDX-License-Identifier: MIT */
/* piix3.h: the Intel 82371SB (PIIX3) PCI-to-ISA bridge: PIRQ routing and the reset control register. */
#ifndef KILN_HW_PIIX3_H
#define KILN_HW_PIIX3_H

#include "hw/pci.h"

#define PIIX3_VENDOR   0x8086
#define PIIX3_DEVICE   0x7000
#define PIIX3_PIRQRC   0x60         /* PIRQ A-D route control: 0x60-0x63 */
#define PIIX3_PIRQ_DISABLE 0x80
#define PIIX3_RCR_SRST 0x02         /* reset control register (0xCF9) bits */
#define PIIX3_RCR_RCPU 0x04

/* The bridge drives ISA IRQ irq (0..15) to level with this. */
typedef void (*piix3_isa_irq_fn)(void *opaque, int irq, int level);
/* The guest asked for a system reset (RCR.RCPU written 1). */
typedef void (*piix3_reset_fn)(void *opaque);

struct piix3;

/*
 * Adds function 0 of the PIIX3 at devfn (00:01.0 on the PC; header type
 * multi-function, as functions 1-3 exist) and installs it as bus's PIRQ router
 * and as the owner of the byte at 0xCF9 (reset control register).
 * Each PIRQ x is sent to the ISA IRQ in PIRQRC[x] bits 3:0 unless bit 7 is set
 * or the IRQ is one the chip reserves (0, 1, 2, 8, 13); several PIRQs on one
 * IRQ are ORed. The line is a level: the guest must make that IRQ level
 * triggered in the ELCR (0x4d0, in hw/pic.c), as on hardware.
 * Power-on routing is what firmware leaves: PIRQ A-D to IRQs 10, 10, 11, 11.
 * Registers 0x4c-0xff other than PIRQRC are stored and ignored.
 * NULL if devfn is taken or memory runs out.
 */
struct piix3 *piix3_init(struct pci_bus *bus, unsigned devfn, piix3_isa_irq_fn isa_irq,
                         piix3_reset_fn reset, void *opaque);
void piix3_free(struct piix3 *p);
/* The ISA IRQ PIRQ pirq (0..3) is routed to, or -1 when disabled. */
int piix3_pirq_route(const struct piix3 *p, unsigned pirq);

#endif
