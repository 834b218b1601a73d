/* SPDX-License-Identifier: MIT */
/* irq.c: IRQ line helpers: fan-out of one line and wired-OR of shared lines. */
#include <string.h>
#include "hw/irq.h"

static void fanout_set(void *opaque, int n, int level)
{
    struct irq_fanout *f = opaque;
    for (unsigned i = 0; i < f->n; i++)
        irq_set(f->out[i], level);
}

void irq_fanout_init(struct irq_fanout *f)
{
    memset(f, 0, sizeof(*f));
    f->in = irq_line_make(fanout_set, f, 0);
}

int irq_fanout_add(struct irq_fanout *f, const struct irq_line *out)
{
    if (f->n >= IRQ_FANOUT_MAX)
        return -1;
    f->out[f->n++] = out;
    return 0;
}

static void or_set(void *opaque, int n, int level)
{
    struct irq_or *o = opaque;
    uint32_t before = o->levels, bit = 1u << (n & 31);
    o->levels = level ? (o->levels | bit) : (o->levels & ~bit);
    if (!before != !o->levels)
        irq_set(o->out, o->levels != 0);
}

void irq_or_init(struct irq_or *o, const struct irq_line *out)
{
    memset(o, 0, sizeof(*o));
    o->out = out;
    for (int i = 0; i < 32; i++)
        o->in[i] = irq_line_make(or_set, o, i);
}
