/* SPDX-License-Identifier: MIT */
/* ioapic.c: the I/O APIC: IOREGSEL/IOWIN, ID/version/arbitration, 24 redirection entries, edge/level delivery. */
#include <stdlib.h>
#include "hw/ioapic.h"

#define RTE_MASKED (1ull << 16)
#define RTE_LEVEL (1ull << 15)
#define RTE_REMOTE_IRR (1ull << 14)
#define RTE_POLARITY (1ull << 13)
#define RTE_DELIVS (1ull << 12)
#define RTE_LOGICAL (1ull << 11)
/* Writable: vector, delivery mode, destination mode, polarity, trigger, mask, destination. */
#define RTE_WRITABLE (0xff000000000000ffull | 0x700 | RTE_LOGICAL | RTE_POLARITY | RTE_LEVEL | RTE_MASKED)
#define VERSION (0x11u | ((IOAPIC_PINS - 1u) << 16))

struct ioapic {
    uint8_t id;
    uint8_t regsel;
    uint32_t levels;                    /* asserted pins */
    uint64_t rte[IOAPIC_PINS];
    struct apic_sink sink;
    struct irq_line in[IOAPIC_PINS];
};

static void send(struct ioapic *io, int pin)
{
    uint64_t e = io->rte[pin];
    struct apic_msg m = {
        .vector = (uint8_t)e,
        .delivery = (uint8_t)((e >> 8) & 7),
        .dest = (uint8_t)(e >> 56),
        .logical = (e & RTE_LOGICAL) != 0,
        .level = (e & RTE_LEVEL) != 0,
    };
    if (m.delivery == APIC_DM_EXTINT || m.delivery == APIC_DM_NMI || m.delivery == APIC_DM_INIT)
        m.level = false;                /* these never take part in EOI */
    apic_send(&io->sink, &m);
}

/* A level pin that is asserted, unmasked and not waiting for its EOI sends (again). */
static void service_level(struct ioapic *io, int pin)
{
    uint64_t e = io->rte[pin];
    if (!(io->levels >> pin & 1) || (e & RTE_MASKED) || !(e & RTE_LEVEL) || (e & RTE_REMOTE_IRR))
        return;
    unsigned dm = (e >> 8) & 7;
    if (dm == APIC_DM_FIXED || dm == APIC_DM_LOWEST)
        io->rte[pin] |= RTE_REMOTE_IRR;
    send(io, pin);
}

void ioapic_set_irq(struct ioapic *io, int n, int level)
{
    if (n < 0 || n >= IOAPIC_PINS)
        return;
    uint32_t bit = 1u << n;
    bool was = (io->levels & bit) != 0;
    io->levels = level ? io->levels | bit : io->levels & ~bit;
    uint64_t e = io->rte[n];
    if (e & RTE_LEVEL)
        service_level(io, n);
    else if (level && !was && !(e & RTE_MASKED))
        send(io, n);
}

static void pin_set(void *opaque, int n, int level) { ioapic_set_irq(opaque, n, level); }

const struct irq_line *ioapic_irq(struct ioapic *io, int n)
{
    return n >= 0 && n < IOAPIC_PINS ? &io->in[n] : NULL;
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
    for (int i = 0; i < IOAPIC_PINS; i++) {
        if ((io->rte[i] & RTE_REMOTE_IRR) && (uint8_t)io->rte[i] == vector) {
            io->rte[i] &= ~RTE_REMOTE_IRR;
            service_level(io, i);
        }
    }
}

uint32_t ioapic_reg_read(struct ioapic *io, uint8_t index)
{
    switch (index) {
    case 0x00: return (uint32_t)io->id << 24;
    case 0x01: return VERSION;
    case 0x02: return (uint32_t)io->id << 24;      /* arbitration ID */
    default:
        if (index >= 0x10 && index < 0x10 + 2 * IOAPIC_PINS) {
            uint64_t e = io->rte[(index - 0x10) / 2];
            return index & 1 ? (uint32_t)(e >> 32) : (uint32_t)e;
        }
        return 0xffffffffu;
    }
}

void ioapic_reg_write(struct ioapic *io, uint8_t index, uint32_t v)
{
    if (index == 0x00) {
        io->id = (uint8_t)((v >> 24) & 0x0f);
        return;
    }
    if (index < 0x10 || index >= 0x10 + 2 * IOAPIC_PINS)
        return;                             /* version, arbitration: read-only */
    int pin = (index - 0x10) / 2;
    uint64_t e = io->rte[pin];
    uint64_t nv = index & 1 ? (e & 0xffffffffull) | ((uint64_t)v << 32)
                            : (e & 0xffffffff00000000ull) | v;
    nv = (nv & RTE_WRITABLE) | (e & RTE_REMOTE_IRR);
    if (!(nv & RTE_LEVEL))
        nv &= ~RTE_REMOTE_IRR;              /* edge mode has no remote IRR */
    io->rte[pin] = nv;
    service_level(io, pin);                 /* e.g. unmasked while the line is high */
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    struct ioapic *io = opaque;
    (void)size;
    if (off == 0x00)
        return io->regsel;
    if (off == 0x10)
        return ioapic_reg_read(io, io->regsel);
    return 0;
}

static void mmio_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct ioapic *io = opaque;
    (void)size;
    if (off == 0x00)
        io->regsel = (uint8_t)v;
    else if (off == 0x10)
        ioapic_reg_write(io, io->regsel, (uint32_t)v);
}

const struct bus_ops ioapic_mmio_ops = { mmio_read, mmio_write, 4, 4, false };

uint64_t ioapic_entry(const struct ioapic *io, int pin)
{
    return pin >= 0 && pin < IOAPIC_PINS ? io->rte[pin] : 0;
}

void ioapic_reset(struct ioapic *io)
{
    io->regsel = 0;
    for (int i = 0; i < IOAPIC_PINS; i++)
        io->rte[i] = RTE_MASKED;
}

struct ioapic *ioapic_new(uint8_t id, const struct apic_sink *sink)
{
    struct ioapic *io = calloc(1, sizeof(*io));
    if (io == NULL)
        return NULL;
    io->id = id & 0x0f;
    if (sink)
        io->sink = *sink;
    for (int i = 0; i < IOAPIC_PINS; i++)
        io->in[i] = irq_line_make(pin_set, io, i);
    ioapic_reset(io);
    return io;
}

void ioapic_free(struct ioapic *io)
{
    free(io);
}

void ioapic_dump(const struct ioapic *io, FILE *out)
{
    static const char *const dm[8] = { "fixed", "lowest", "smi", "?", "nmi", "init", "?", "extint" };
    fprintf(out, "ioapic: id %u, %d pins, asserted %#08x\n", io->id, IOAPIC_PINS, io->levels);
    for (int i = 0; i < IOAPIC_PINS; i++) {
        uint64_t e = io->rte[i];
        if ((e & RTE_MASKED) && (uint8_t)e == 0)
            continue;
        fprintf(out, "  pin %2d: vec %#04x %-6s %s %s dest %#x%s%s%s\n", i, (unsigned)(uint8_t)e,
                dm[(e >> 8) & 7], e & RTE_LEVEL ? "level" : "edge ",
                e & RTE_POLARITY ? "low " : "high", (unsigned)(e >> 56),
                e & RTE_LOGICAL ? " logical" : " physical", e & RTE_MASKED ? " masked" : "",
                e & RTE_REMOTE_IRR ? " remote-irr" : "");
    }
}
