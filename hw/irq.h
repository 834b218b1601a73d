/* SPDX-License-Identifier: MIT */
/* irq.h: interrupt line objects wiring device outputs to interrupt controller inputs. */
#ifndef KILN_HW_IRQ_H
#define KILN_HW_IRQ_H

#include <stddef.h>

/* One wire: driving it calls set(opaque, n, level) on the receiver. */
struct irq_line {
    void (*set)(void *opaque, int n, int level);
    void *opaque;
    int n;
};

/* Fills a line that drives input n of a receiver. */
static inline struct irq_line irq_line_make(void (*set)(void *, int, int), void *opaque, int n)
{
    struct irq_line l = { set, opaque, n };
    return l;
}

/* Drives the line to level (0 or 1); a NULL or unconnected line does nothing. */
static inline void irq_set(const struct irq_line *l, int level)
{
    if (l && l->set)
        l->set(l->opaque, l->n, level ? 1 : 0);
}
static inline void irq_raise(const struct irq_line *l) { irq_set(l, 1); }
static inline void irq_lower(const struct irq_line *l) { irq_set(l, 0); }
/* A rising then falling edge (edge-triggered inputs latch it). */
static inline void irq_pulse(const struct irq_line *l)
{
    irq_set(l, 1);
    irq_set(l, 0);
}

#endif
