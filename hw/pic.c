/* SPDX-License-Identifier: MIT */
/* pic.c: two cascaded 8259A PICs: init words, OCWs, priorities, ELCR, poll, spurious IRQs. */
#include <stdlib.h>
#include <string.h>
#include "hw/pic.h"

struct pic_chip {
    uint8_t irr;            /* interrupt request register */
    uint8_t isr;            /* in-service register */
    uint8_t imr;            /* interrupt mask register */
    uint8_t lines;          /* current input levels (edge detection) */
    uint8_t elcr;           /* per-input level-trigger bits (ELCR) */
    uint8_t elcr_mask;      /* which ELCR bits are writable */
    uint8_t base;           /* vector base from ICW2 */
    uint8_t lowest;         /* input with the lowest priority (rotation) */
    uint8_t icw3;
    uint8_t init_step;      /* 0 = operational, 1..3 = expecting ICW2..ICW4 */
    bool icw4_needed, single, ltim;
    bool auto_eoi, rotate_aeoi, sfnm, special_mask;
    bool read_isr, poll;
};

struct pic {
    struct pic_chip chip[2];
    struct irq_line in[16];
    const struct irq_line *intr;
    bool intr_level;
    struct bus *io;
    struct bus_region *regs[3];
};

static bool is_level(const struct pic_chip *c, int irq)
{
    return c->ltim || (c->elcr >> irq & 1);
}

/* Priority rank (0 = highest) of the best bit in mask, or 8 if none. */
static int best_rank(const struct pic_chip *c, uint8_t mask)
{
    if (!mask)
        return 8;
    int rank = 0;
    while (!(mask & (1 << ((rank + c->lowest + 1) & 7))))
        rank++;
    return rank;
}

static int rank_to_irq(const struct pic_chip *c, int rank) { return (rank + c->lowest + 1) & 7; }

/* The input this chip would present now, or -1. */
static int chip_pending(const struct pic_chip *c, bool is_master)
{
    int req = best_rank(c, c->irr & ~c->imr);
    if (req == 8)
        return -1;
    uint8_t in_service = c->isr;
    if (c->special_mask)
        in_service &= ~c->imr;
    if (c->sfnm && is_master)
        in_service &= ~(1 << 2);    /* let the slave nest its own priorities */
    if (req < best_rank(c, in_service))
        return rank_to_irq(c, req);
    return -1;
}

static void chip_input(struct pic_chip *c, int irq, int level)
{
    uint8_t m = (uint8_t)(1 << irq);
    if (is_level(c, irq)) {
        if (level)
            c->irr |= m;
        else
            c->irr &= ~m;
    } else if (level && !(c->lines & m)) {
        c->irr |= m;
    }
    if (level)
        c->lines |= m;
    else
        c->lines &= ~m;
}

static void update(struct pic *p)
{
    struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
    if (!m->single)
        chip_input(m, 2, chip_pending(s, false) >= 0);
    bool level = chip_pending(m, true) >= 0;
    if (level != p->intr_level) {
        p->intr_level = level;
        irq_set(p->intr, level);
    }
}

static void input_set(void *opaque, int n, int level)
{
    struct pic *p = opaque;
    if (n < 0 || n > 15)
        return;
    chip_input(&p->chip[n >> 3], n & 7, level);
    update(p);
}

void pic_set_irq(struct pic *pic, int n, int level) { input_set(pic, n, level); }

struct irq_line *pic_irq(struct pic *pic, int n)
{
    return (n >= 0 && n < 16) ? &pic->in[n] : NULL;
}

bool pic_intr_pending(const struct pic *pic) { return pic->intr_level; }

/* Acknowledges irq on a chip: ISR bit (unless auto-EOI), edge IRR cleared. */
static void chip_ack(struct pic_chip *c, int irq)
{
    if (c->auto_eoi) {
        if (c->rotate_aeoi)
            c->lowest = (uint8_t)irq;
    } else {
        c->isr |= (uint8_t)(1 << irq);
    }
    if (!is_level(c, irq))
        c->irr &= (uint8_t)~(1 << irq);
}

uint8_t pic_get_interrupt(struct pic *p)
{
    struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
    uint8_t vector;
    int irq = chip_pending(m, true);
    if (irq < 0) {
        vector = m->base + 7;              /* spurious IRQ7: ISR untouched */
    } else {
        chip_ack(m, irq);
        if (irq == 2 && !m->single) {
            int sirq = chip_pending(s, false);
            if (sirq >= 0) {
                chip_ack(s, sirq);
                vector = s->base + (uint8_t)sirq;
            } else {
                vector = s->base + 7;      /* spurious IRQ15 */
            }
        } else {
            vector = m->base + (uint8_t)irq;
        }
    }
    update(p);
    return vector;
}

static void chip_reset_icw1(struct pic_chip *c, uint8_t val)
{
    c->imr = 0;
    c->isr = 0;
    c->lowest = 7;
    c->special_mask = false;
    c->read_isr = false;
    c->poll = false;
    c->auto_eoi = false;
    c->rotate_aeoi = false;
    c->sfnm = false;
    c->icw4_needed = val & 1;
    c->single = val & 2;
    c->ltim = val & 8;
    /* The edge latches restart: only inputs held high in level mode request. */
    c->irr = 0;
    for (int i = 0; i < 8; i++)
        if (is_level(c, i) && (c->lines >> i & 1))
            c->irr |= (uint8_t)(1 << i);
    c->init_step = 1;
}

static void chip_ocw2(struct pic_chip *c, uint8_t val)
{
    int level = val & 7, rank;
    switch (val >> 5) {
    case 0: c->rotate_aeoi = false; break;     /* rotate in auto-EOI: clear */
    case 4: c->rotate_aeoi = true; break;      /* rotate in auto-EOI: set */
    case 1:                                    /* non-specific EOI */
    case 5:                                    /* rotate on non-specific EOI */
        rank = best_rank(c, c->isr);
        if (rank < 8) {
            int irq = rank_to_irq(c, rank);
            c->isr &= (uint8_t)~(1 << irq);
            if (val >> 5 == 5)
                c->lowest = (uint8_t)irq;
        }
        break;
    case 3:                                    /* specific EOI */
        c->isr &= (uint8_t)~(1 << level);
        break;
    case 7:                                    /* rotate on specific EOI */
        c->isr &= (uint8_t)~(1 << level);
        c->lowest = (uint8_t)level;
        break;
    case 6:                                    /* set priority */
        c->lowest = (uint8_t)level;
        break;
    default:                                   /* 2: no operation */
        break;
    }
}

static void chip_write(struct pic *p, int idx, unsigned a0, uint8_t val)
{
    struct pic_chip *c = &p->chip[idx];
    if (a0 == 0) {
        if (val & 0x10)
            chip_reset_icw1(c, val);
        else if (val & 0x08) {                 /* OCW3 */
            if (val & 0x04)
                c->poll = true;
            if (val & 0x02)
                c->read_isr = val & 1;
            if (val & 0x40)
                c->special_mask = (val >> 5) & 1;
        } else {
            chip_ocw2(c, val);
        }
    } else {
        switch (c->init_step) {
        case 1:                                /* ICW2 */
            c->base = val & 0xf8;
            c->init_step = c->single ? (c->icw4_needed ? 3 : 0) : 2;
            break;
        case 2:                                /* ICW3 */
            c->icw3 = val;
            c->init_step = c->icw4_needed ? 3 : 0;
            break;
        case 3:                                /* ICW4 */
            c->sfnm = (val >> 4) & 1;
            c->auto_eoi = (val >> 1) & 1;
            c->init_step = 0;
            break;
        default:                               /* OCW1 */
            c->imr = val;
            break;
        }
    }
    update(p);
}

/* Poll command: the read acts as an acknowledge; returns 0x80|irq or 0. */
static uint8_t chip_poll(struct pic *p, int idx)
{
    struct pic_chip *c = &p->chip[idx];
    c->poll = false;
    int irq = chip_pending(c, idx == 0);
    if (irq < 0)
        return 0;
    chip_ack(c, irq);
    update(p);
    return (uint8_t)(0x80 | irq);
}

static uint8_t chip_read(struct pic *p, int idx, unsigned a0)
{
    struct pic_chip *c = &p->chip[idx];
    if (c->poll)
        return chip_poll(p, idx);
    if (a0 == 0)
        return c->read_isr ? c->isr : c->irr;
    return c->imr;
}

static uint64_t master_read(void *o, uint64_t off, unsigned size) { return chip_read(o, 0, (unsigned)off); }
static uint64_t slave_read(void *o, uint64_t off, unsigned size) { return chip_read(o, 1, (unsigned)off); }
static void master_write(void *o, uint64_t off, uint64_t v, unsigned size) { chip_write(o, 0, (unsigned)off, (uint8_t)v); }
static void slave_write(void *o, uint64_t off, uint64_t v, unsigned size) { chip_write(o, 1, (unsigned)off, (uint8_t)v); }

static uint64_t elcr_read(void *o, uint64_t off, unsigned size)
{
    struct pic *p = o;
    return p->chip[off & 1].elcr;
}

static void elcr_write(void *o, uint64_t off, uint64_t v, unsigned size)
{
    struct pic *p = o;
    struct pic_chip *c = &p->chip[off & 1];
    c->elcr = (uint8_t)v & c->elcr_mask;
    /* Inputs switched to level mode now follow their line. */
    for (int i = 0; i < 8; i++)
        if (c->elcr >> i & 1)
            chip_input(c, i, c->lines >> i & 1);
    update(p);
}

static const struct bus_ops master_ops = { master_read, master_write, 1, 1, false };
static const struct bus_ops slave_ops = { slave_read, slave_write, 1, 1, false };
static const struct bus_ops elcr_ops = { elcr_read, elcr_write, 1, 1, false };

struct pic *pic_init(struct bus *io, uint16_t master_base, uint16_t slave_base,
                     uint16_t elcr_base, const struct irq_line *intr)
{
    struct pic *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->io = io;
    p->intr = intr;
    for (int i = 0; i < 16; i++)
        p->in[i] = irq_line_make(input_set, p, i);
    for (int i = 0; i < 2; i++) {
        p->chip[i].lowest = 7;
        p->chip[i].ltim = false;
    }
    /* IRQ 0, 1, 2 (cascade), 8 and 13 are always edge triggered. */
    p->chip[0].elcr_mask = 0xf8;
    p->chip[1].elcr_mask = 0xde;
    p->regs[0] = bus_register(io, master_base, 2, &master_ops, p, "pic-master");
    p->regs[1] = bus_register(io, slave_base, 2, &slave_ops, p, "pic-slave");
    if (elcr_base)
        p->regs[2] = bus_register(io, elcr_base, 2, &elcr_ops, p, "elcr");
    if (!p->regs[0] || !p->regs[1] || (elcr_base && !p->regs[2])) {
        pic_free(p);
        return NULL;
    }
    return p;
}

void pic_free(struct pic *pic)
{
    if (!pic)
        return;
    for (int i = 0; i < 3; i++)
        if (pic->regs[i])
            bus_unregister(pic->io, pic->regs[i]);
    free(pic);
}

void pic_get_regs(const struct pic *pic, int chip, struct pic_regs *out)
{
    const struct pic_chip *c = &pic->chip[chip & 1];
    *out = (struct pic_regs){ c->irr, c->isr, c->imr, c->elcr, c->base,
                              c->auto_eoi, c->special_mask, c->sfnm };
}
