/* SPDX-License-Identifier: MIT */
/* uart.h: the 16550A serial port (COM1-4 style) connected to a chardev backend. */
#ifndef KILN_HW_UART_H
#define KILN_HW_UART_H

#include <stdbool.h>
#include <stdint.h>
#include "hw/chardev.h"
#include "hw/irq.h"
#include "machine/bus.h"
#include "machine/clock.h"

#define UART_CLOCK_HZ 1843200u      /* 115200 baud with divisor 1 */

struct uart;

/*
 * Creates a 16550A at base (8 ports) raising irq; cd may be NULL (output
 * dropped, no input). Transmission is immediate; the receive FIFO timeout
 * uses the virtual clock and the programmed baud rate. As on PC boards, the
 * interrupt only reaches irq while MCR.OUT2 is set (see uart_set_out2_gate).
 */
struct uart *uart_init(struct bus *io, struct clock *clock, uint16_t base,
                       const struct irq_line *irq, struct chardev *cd);
void uart_free(struct uart *u);

/* false: the interrupt output ignores OUT2 (for boards without the gate). */
void uart_set_out2_gate(struct uart *u, bool gated);
/* Bytes waiting in the receive FIFO (or holding register). */
unsigned uart_rx_count(const struct uart *u);
/* Nanoseconds one character takes at the programmed line settings. */
int64_t uart_char_ns(const struct uart *u);

#endif
