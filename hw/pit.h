/* SPDX-License-Identifier: MIT */
/* pit.h: the 8254 programmable interval timer (3 channels) and system control port B. */
#ifndef KILN_HW_PIT_H
#define KILN_HW_PIT_H

#include <stdbool.h>
#include <stdint.h>
#include "hw/irq.h"
#include "machine/bus.h"
#include "machine/clock.h"

#define PIT_FREQ_HZ 1193182u

struct pit;

/*
 * Creates the PIT at base (4 ports: counters 0-2 and the control word),
 * clocked at PIT_FREQ_HZ from the virtual clock. Channel 0's OUT drives irq0.
 * port61 (0 = none) is system control port B: channel 2 gate and speaker
 * enable (bits 0-1), refresh toggle (bit 4) and channel 2 OUT (bit 5).
 */
struct pit *pit_init(struct bus *io, struct clock *clock, uint16_t base,
                     uint16_t port61, const struct irq_line *irq0);
void pit_free(struct pit *pit);

/* Current OUT level of channel ch (0..2). */
bool pit_out(struct pit *pit, int ch);
/* Sets the GATE input of channel ch (channel 2 is also set through port 0x61). */
void pit_set_gate(struct pit *pit, int ch, bool level);
/* Current counting element value (binary), mode and reload value, for tests/monitor. */
uint16_t pit_count(struct pit *pit, int ch);
int pit_mode(const struct pit *pit, int ch);
uint32_t pit_reload(const struct pit *pit, int ch);

#endif
