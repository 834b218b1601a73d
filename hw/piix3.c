/* SPDX-License-Identifier: MIT */
/* piix3.c: the PIIX3 ISA bridge function: PIRQ A-D to ISA IRQ routing and the 0xCF9 reset control register. */
#include <stdlib.h>
#include "hw/piix3.h"

struct piix3 {
    struct pci_bus *bus;
    struct pci_dev *dev;
    piix3_isa_irq_fn isa_irq;
    piix3_reset_fn reset;
    void *opaque;
    uint16_t driven;            /* ISA IRQs the bridge holds high now */
    uint8_t rcr;
};

/* IRQs the PIRQ router may drive (not 0, 1, 2, 8, 13). */
#define ROUTABLE 0xdef8u

int piix3_pirq_route(const struct piix3 *p, unsigned pirq)
{
    if (pirq > 3)
        return -1;
    uint8_t r = pci_dev_config(p->dev)[PIIX3_PIRQRC + pirq];
    if (r & PIIX3_PIRQ_DISABLE || !(ROUTABLE >> (r & 15) & 1))
        return -1;
    return r & 15;
}

static void route_update(struct piix3 *p)
{
    uint16_t want = 0;

    for (unsigned i = 0; i < 4; i++) {
        int irq = piix3_pirq_route(p, i);
        if (irq >= 0 && pci_bus_pirq_level(p->bus, i))
            want |= (uint16_t)(1u << irq);
    }
    uint16_t changed = want ^ p->driven;
    p->driven = want;
    for (int irq = 0; irq < 16; irq++)
        if (changed >> irq & 1)
            p->isa_irq(p->opaque, irq, want >> irq & 1);
}

static void on_pirq(void *opaque, unsigned pirq, int level)
{
    (void)pirq;
    (void)level;
    route_update(opaque);
}

static void on_write(void *opaque, struct pci_dev *d, unsigned off, uint32_t val, unsigned size)
{
    (void)d;
    (void)val;
    if (off < PIIX3_PIRQRC + 4 && off + size > PIIX3_PIRQRC)
        route_update(opaque);
}

static void on_reset(void *opaque, struct pci_dev *d)
{
    struct piix3 *p = opaque;

    (void)d;
    p->rcr = 0;
    route_update(p);
}

static uint8_t rcr_read(void *opaque)
{
    return ((struct piix3 *)opaque)->rcr;
}

static void rcr_write(void *opaque, uint8_t val)
{
    struct piix3 *p = opaque;

    p->rcr = val & PIIX3_RCR_SRST;
    if (val & PIIX3_RCR_RCPU && p->reset)
        p->reset(p->opaque);
}

struct piix3 *piix3_init(struct pci_bus *bus, unsigned devfn, piix3_isa_irq_fn isa_irq,
                         piix3_reset_fn reset, void *opaque)
{
    struct piix3 *p = calloc(1, sizeof(*p));

    if (p == NULL || isa_irq == NULL)
        return free(p), NULL;
    p->dev = pci_dev_new(bus, devfn, "PIIX3 ISA bridge", PIIX3_VENDOR, PIIX3_DEVICE, 0,
                         0x060100, PCI_HEADER_MULTIFUNCTION);
    if (p->dev == NULL)
        return free(p), NULL;
    p->bus = bus;
    p->isa_irq = isa_irq;
    p->reset = reset;
    p->opaque = opaque;
    uint8_t *c = pci_dev_config(p->dev);
    c[PCI_COMMAND] = PCI_CMD_IO | PCI_CMD_MEMORY | PCI_CMD_MASTER;
    c[PCI_STATUS + 1] = PCI_STS_DEVSEL_MEDIUM >> 8;
    c[0x4c] = 0x4d;                         /* ISA I/O recovery timer */
    c[0x4e] = 0x03;                         /* X-bus chip select */
    /* The chip resets PIRQRC to 0x80 (disabled); kiln is the firmware and routes
       PIRQ A-D to IRQs 10, 10, 11, 11 as a PC BIOS (SeaBIOS) leaves them. */
    c[PIIX3_PIRQRC + 0] = c[PIIX3_PIRQRC + 1] = 10;
    c[PIIX3_PIRQRC + 2] = c[PIIX3_PIRQRC + 3] = 11;
    c[0x69] = 0x02;                         /* top of memory */
    c[0x70] = c[0x71] = 0x80;               /* motherboard IRQs disabled */
    c[0x76] = c[0x77] = 0x0c;               /* motherboard DMA disabled */
    pci_dev_set_wmask(p->dev, 0x4c, 0xb4, 0xff);
    pci_dev_set_wmask(p->dev, PIIX3_PIRQRC, 4, PIIX3_PIRQ_DISABLE | 0x0f);
    pci_dev_save_reset_state(p->dev);
    pci_dev_set_write_hook(p->dev, on_write, p);
    pci_dev_set_reset_hook(p->dev, on_reset, p);
    pci_bus_set_router(bus, on_pirq, p);
    pci_bus_set_cf9(bus, rcr_read, rcr_write, p);
    return p;
}

void piix3_free(struct piix3 *p)
{
    if (p == NULL)
        return;
    pci_bus_set_router(p->bus, NULL, NULL);
    pci_bus_set_cf9(p->bus, NULL, NULL, NULL);
    for (int irq = 0; irq < 16; irq++)
        if (p->driven >> irq & 1)
            p->isa_irq(p->opaque, irq, 0);
    pci_dev_free(p->dev);
    free(p);
}
