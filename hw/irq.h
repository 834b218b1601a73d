/* SPDX-License-Identifier: MIT */
/* irq.h: interrupt line objects wiring device outputs to interrupt controller inputs. */
#ifndef KILN_HW_IRQ_H
#define KILN_HW_IRQ_H

#include <stddef.h>
#include <stdint.h>

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

/*
 * Fan-out: one input line driving several outputs (e.g. ISA IRQ0 to both the
 * PIC and the I/O APIC). Embed it; irq_fanout_input() is the line to give
 * the device. Up to IRQ_FANOUT_MAX outputs.
 */
#define IRQ_FANOUT_MAX 4
struct irq_fanout {
    const struct irq_line *out[IRQ_FANOUT_MAX];
    unsigned n;
    struct irq_line in;
};
void irq_fanout_init(struct irq_fanout *f);
/* Adds an output; returns -1 when full. */
int irq_fanout_add(struct irq_fanout *f, const struct irq_line *out);
static inline struct irq_line *irq_fanout_input(struct irq_fanout *f) { return &f->in; }

/*
 * Wired-OR of up to 32 level inputs onto one output (shared PCI INTx lines):
 * the output is high while any input is high. Input i is irq_or_input(o, i).
 */
struct irq_or {
    const struct irq_line *out;
    uint32_t levels;
    struct irq_line in[32];
};
void irq_or_init(struct irq_or *o, const struct irq_line *out);
static inline struct irq_line *irq_or_input(struct irq_or *o, unsigned i) { return &o->in[i & 31]; }

#endif
