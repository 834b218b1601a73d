/* SPDX-License-Identifier: MIT */
/* pci.c: PCI bus 0: config spaces with write masks, BARs mapped on the buses, INTx to PIRQs, 0xCF8/0xCFC. */
#include <stdlib.h>
#include <string.h>
#include "hw/pci.h"

struct pci_bar {
    enum pci_bar_type type;
    uint64_t size;                  /* 0: not implemented */
    const struct bus_ops *ops;
    void *opaque;
    const char *name;
    uint64_t mapped;                /* PCI_BAR_UNMAPPED or the base it is mapped at */
    struct bus_region *region;      /* I/O BARs: the io bus region */
};

struct pci_dev {
    struct pci_bus *bus;
    unsigned devfn;
    const char *name;
    uint8_t config[PCI_CONFIG_SIZE];
    uint8_t wmask[PCI_CONFIG_SIZE];
    uint8_t w1cmask[PCI_CONFIG_SIZE];
    uint8_t reset_config[PCI_CONFIG_SIZE];
    struct pci_bar bar[PCI_NUM_BARS];
    pci_config_write_fn write_hook;
    pci_reset_fn reset_hook;
    void *hook_opaque;
    int irq_level;                  /* the device's INTx output, unmasked */
    bool irq_asserted;              /* what it contributes to its PIRQ now */
};

struct pci_bus {
    struct bus *io;
    struct memmap *mm;
    struct pci_dev *dev[256];
    unsigned pirq_count[4];         /* devices asserting each PIRQ */
    pci_pirq_fn router;
    void *router_opaque;
    /* configuration mechanism #1 */
    struct bus_region *conf_addr, *conf_data;
    uint32_t cf8;
    pci_cf9_read_fn cf9_read;
    pci_cf9_write_fn cf9_write;
    void *cf9_opaque;
};

static uint32_t cfg_get(const uint8_t *c, unsigned off, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)c[off + i] << (8 * i);
    return v;
}

static void cfg_put(uint8_t *c, unsigned off, uint32_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        c[off + i] = (uint8_t)(v >> (8 * i));
}

unsigned pci_swizzle(unsigned slot, unsigned pin)
{
    return (slot + pin - 1) & 3;
}

/* ---- INTx ---- */

static void intx_update(struct pci_dev *d)
{
    struct pci_bus *b = d->bus;
    uint16_t cmd = (uint16_t)cfg_get(d->config, PCI_COMMAND, 2);
    unsigned pin = d->config[PCI_INTERRUPT_PIN];
    bool assert = d->irq_level && !(cmd & PCI_CMD_INTX_DISABLE) && pin >= 1 && pin <= 4;

    if (d->irq_level)
        d->config[PCI_STATUS] |= PCI_STS_INTERRUPT;
    else
        d->config[PCI_STATUS] &= (uint8_t)~PCI_STS_INTERRUPT;
    if (assert == d->irq_asserted)
        return;
    d->irq_asserted = assert;
    unsigned pirq = pci_swizzle(PCI_SLOT(d->devfn), pin ? pin : 1);
    unsigned before = b->pirq_count[pirq];
    b->pirq_count[pirq] = assert ? before + 1 : before - 1;
    if ((before != 0) != (b->pirq_count[pirq] != 0) && b->router)
        b->router(b->router_opaque, pirq, b->pirq_count[pirq] != 0);
}

void pci_set_irq(struct pci_dev *d, int level)
{
    if (d == NULL)
        return;
    d->irq_level = level ? 1 : 0;
    intx_update(d);
}

int pci_bus_pirq_level(const struct pci_bus *b, unsigned pirq)
{
    return pirq < 4 && b->pirq_count[pirq] != 0;
}

/* ---- BARs ---- */

static void bar_unmap(struct pci_dev *d, struct pci_bar *bar)
{
    if (bar->mapped == PCI_BAR_UNMAPPED)
        return;
    if (bar->type == PCI_BAR_IO) {
        if (bar->region)
            bus_unregister(d->bus->io, bar->region);
        bar->region = NULL;
    } else if (d->bus->mm) {
        memmap_remove(d->bus->mm, bar->mapped);
    }
    bar->mapped = PCI_BAR_UNMAPPED;
}

/* The address BAR idx decodes now, or PCI_BAR_UNMAPPED. */
static uint64_t bar_target(const struct pci_dev *d, unsigned idx)
{
    const struct pci_bar *bar = &d->bar[idx];
    uint16_t cmd = (uint16_t)cfg_get(d->config, PCI_COMMAND, 2);
    uint32_t lo = cfg_get(d->config, PCI_BAR0 + 4 * idx, 4);
    uint64_t addr;

    if (bar->type == PCI_BAR_IO) {
        if (!(cmd & PCI_CMD_IO))
            return PCI_BAR_UNMAPPED;
        addr = lo & ~3u;
        if (addr == 0 || addr + bar->size - 1 > 0xffff)
            return PCI_BAR_UNMAPPED;
        return addr;
    }
    if (!(cmd & PCI_CMD_MEMORY))
        return PCI_BAR_UNMAPPED;
    addr = lo & ~0xfull;
    if (bar->type == PCI_BAR_MEM64)
        addr |= (uint64_t)cfg_get(d->config, PCI_BAR0 + 4 * (idx + 1), 4) << 32;
    /* All-ones while the OS sizes the BAR, zero while unassigned: never decode. */
    if (addr == 0 || addr > MEMMAP_PHYS_LIMIT - bar->size + 1 ||
        (bar->type == PCI_BAR_MEM32 && addr + bar->size > MEMMAP_4G) ||
        addr == (~(bar->size - 1) & (bar->type == PCI_BAR_MEM64 ? ~0ull : 0xffffffffull) & ~0xfull))
        return PCI_BAR_UNMAPPED;
    return addr;
}

static void bars_update(struct pci_dev *d)
{
    for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
        struct pci_bar *bar = &d->bar[i];
        if (bar->size == 0)
            continue;
        uint64_t want = bar_target(d, i);
        if (want == bar->mapped)
            continue;
        bar_unmap(d, bar);
        if (want == PCI_BAR_UNMAPPED)
            continue;
        if (bar->type == PCI_BAR_IO) {
            if (d->bus->io == NULL)
                continue;
            bar->region = bus_register(d->bus->io, want, bar->size, bar->ops, bar->opaque, bar->name);
            if (bar->region)
                bar->mapped = want;
        } else if (d->bus->mm) {
            if (memmap_add_mmio(d->bus->mm, want, bar->size, bar->ops, bar->opaque, bar->name))
                bar->mapped = want;
        }
    }
}

bool pci_register_bar(struct pci_dev *d, unsigned idx, enum pci_bar_type type, uint64_t size,
                      const struct bus_ops *ops, void *opaque, const char *name)
{
    unsigned slots = type == PCI_BAR_MEM64 ? 2 : 1;

    if (d == NULL || idx + slots > PCI_NUM_BARS || size == 0 || (size & (size - 1)) != 0 ||
        ops == NULL || (type == PCI_BAR_IO && (size < 4 || size > 256)) ||
        (type != PCI_BAR_IO && size < 16) || (type == PCI_BAR_MEM32 && size > 0x80000000ull) ||
        (type == PCI_BAR_MEM64 && size > (1ull << 40)))
        return false;
    for (unsigned i = idx; i < idx + slots; i++)
        if (d->bar[i].size || (i > 0 && d->bar[i - 1].type == PCI_BAR_MEM64 && d->bar[i - 1].size))
            return false;
    struct pci_bar *bar = &d->bar[idx];
    *bar = (struct pci_bar){ type, size, ops, opaque, name, PCI_BAR_UNMAPPED, NULL };
    unsigned off = PCI_BAR0 + 4 * idx;
    uint64_t mask = ~(size - 1);
    if (type == PCI_BAR_IO) {
        cfg_put(d->config, off, 1, 4);                 /* bit 0: I/O space */
        cfg_put(d->wmask, off, (uint32_t)(mask & 0xfffffffcu), 4);
    } else {
        cfg_put(d->config, off, type == PCI_BAR_MEM64 ? 4 : 0, 4);
        cfg_put(d->wmask, off, (uint32_t)(mask & 0xfffffff0u), 4);
        if (type == PCI_BAR_MEM64)
            cfg_put(d->wmask, off + 4, (uint32_t)(mask >> 32), 4);
    }
    return true;
}

uint64_t pci_bar_address(const struct pci_dev *d, unsigned idx)
{
    return d && idx < PCI_NUM_BARS ? d->bar[idx].mapped : PCI_BAR_UNMAPPED;
}

/* ---- configuration space ---- */

static bool cfg_access_ok(unsigned off, unsigned size)
{
    return (size == 1 || size == 2 || size == 4) && off < PCI_CONFIG_SIZE && (off & (size - 1)) == 0;
}

uint32_t pci_config_read(struct pci_bus *b, unsigned devfn, unsigned off, unsigned size)
{
    struct pci_dev *d = pci_bus_dev(b, devfn);

    if (!cfg_access_ok(off, size))
        return 0xffffffffu;
    if (d == NULL)
        return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    return cfg_get(d->config, off, size);
}

void pci_config_write(struct pci_bus *b, unsigned devfn, unsigned off, uint32_t val, unsigned size)
{
    struct pci_dev *d = pci_bus_dev(b, devfn);

    if (d == NULL || !cfg_access_ok(off, size))
        return;
    for (unsigned i = 0; i < size; i++) {
        uint8_t v = (uint8_t)(val >> (8 * i));
        unsigned o = off + i;
        d->config[o] = (uint8_t)((d->config[o] & ~d->wmask[o]) | (v & d->wmask[o]));
        d->config[o] &= (uint8_t)~(v & d->w1cmask[o]);
    }
    unsigned end = off + size;
    if ((off < PCI_COMMAND + 2 && end > PCI_COMMAND) || (off < PCI_BAR0 + 24 && end > PCI_BAR0))
        bars_update(d);
    if (off < PCI_COMMAND + 2 && end > PCI_COMMAND)
        intx_update(d);
    if (d->write_hook)
        d->write_hook(d->hook_opaque, d, off, val, size);
}

/* ---- devices ---- */

struct pci_dev *pci_dev_new(struct pci_bus *b, unsigned devfn, const char *name,
                            uint16_t vendor, uint16_t device, uint8_t revision,
                            uint32_t class_code, uint8_t header_type)
{
    if (b == NULL || devfn > 255 || b->dev[devfn])
        return NULL;
    struct pci_dev *d = calloc(1, sizeof(*d));
    if (d == NULL)
        return NULL;
    d->bus = b;
    d->devfn = devfn;
    d->name = name;
    for (unsigned i = 0; i < PCI_NUM_BARS; i++)
        d->bar[i].mapped = PCI_BAR_UNMAPPED;
    cfg_put(d->config, PCI_VENDOR_ID, vendor, 2);
    cfg_put(d->config, PCI_DEVICE_ID, device, 2);
    d->config[PCI_REVISION_ID] = revision;
    cfg_put(d->config, PCI_CLASS_PROG, class_code, 3);
    d->config[PCI_HEADER_TYPE] = header_type;
    cfg_put(d->wmask, PCI_COMMAND, PCI_CMD_IO | PCI_CMD_MEMORY | PCI_CMD_MASTER | PCI_CMD_PARITY |
            PCI_CMD_SERR | PCI_CMD_INTX_DISABLE, 2);
    cfg_put(d->w1cmask, PCI_STATUS, PCI_STS_ERRORS, 2);
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
    memcpy(d->reset_config, d->config, sizeof(d->config));
    b->dev[devfn] = d;
    return d;
}

void pci_dev_free(struct pci_dev *d)
{
    if (d == NULL)
        return;
    pci_set_irq(d, 0);
    for (unsigned i = 0; i < PCI_NUM_BARS; i++)
        bar_unmap(d, &d->bar[i]);
    d->bus->dev[d->devfn] = NULL;
    free(d);
}

uint8_t *pci_dev_config(struct pci_dev *d) { return d->config; }
unsigned pci_dev_devfn(const struct pci_dev *d) { return d->devfn; }
const char *pci_dev_name(const struct pci_dev *d) { return d->name; }

void pci_dev_set_wmask(struct pci_dev *d, unsigned off, unsigned len, uint8_t mask)
{
    for (unsigned i = off; i < off + len && i < PCI_CONFIG_SIZE; i++)
        d->wmask[i] = mask;
}

void pci_dev_set_w1cmask(struct pci_dev *d, unsigned off, unsigned len, uint8_t mask)
{
    for (unsigned i = off; i < off + len && i < PCI_CONFIG_SIZE; i++)
        d->w1cmask[i] = mask;
}

void pci_dev_set_write_hook(struct pci_dev *d, pci_config_write_fn fn, void *opaque)
{
    d->write_hook = fn;
    d->hook_opaque = opaque;
}

void pci_dev_set_reset_hook(struct pci_dev *d, pci_reset_fn fn, void *opaque)
{
    d->reset_hook = fn;
    d->hook_opaque = opaque;
}

void pci_dev_set_pin(struct pci_dev *d, unsigned pin)
{
    d->config[PCI_INTERRUPT_PIN] = pin <= 4 ? (uint8_t)pin : 0;
}

void pci_dev_save_reset_state(struct pci_dev *d)
{
    memcpy(d->reset_config, d->config, sizeof(d->config));
}

void pci_dev_reset(struct pci_dev *d)
{
    d->irq_level = 0;
    memcpy(d->config, d->reset_config, sizeof(d->config));
    intx_update(d);
    bars_update(d);
    if (d->reset_hook)
        d->reset_hook(d->hook_opaque, d);
}

void pci_bus_reset(struct pci_bus *b)
{
    b->cf8 = 0;
    for (unsigned i = 0; i < 256; i++)
        if (b->dev[i])
            pci_dev_reset(b->dev[i]);
}

struct pci_dev *pci_bus_dev(struct pci_bus *b, unsigned devfn)
{
    return b && devfn < 256 ? b->dev[devfn] : NULL;
}

/* ---- configuration mechanism #1 ---- */

static uint64_t conf_addr_read(void *opaque, uint64_t off, unsigned size)
{
    struct pci_bus *b = opaque;

    if (size == 4 && off == 0)
        return b->cf8;
    if (size == 1 && off == 1 && b->cf9_read)
        return b->cf9_read(b->cf9_opaque);
    return (1ull << (8 * size)) - 1;
}

static void conf_addr_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct pci_bus *b = opaque;

    if (size == 4 && off == 0)
        b->cf8 = (uint32_t)val & 0x80fffffcu;   /* reserved bits 30:24 and 1:0 read 0 */
    else if (size == 1 && off == 1 && b->cf9_write)
        b->cf9_write(b->cf9_opaque, (uint8_t)val);
}

static const struct bus_ops conf_addr_ops = { conf_addr_read, conf_addr_write, 1, 4, false };

/* The devfn and register the address register selects, or -1 (disabled, other bus). */
static int conf_target(const struct pci_bus *b, unsigned *reg)
{
    if (!(b->cf8 & 0x80000000u) || ((b->cf8 >> 16) & 0xff) != 0)
        return -1;
    *reg = b->cf8 & 0xfc;
    return (int)((b->cf8 >> 8) & 0xff);
}

static uint64_t conf_data_read(void *opaque, uint64_t off, unsigned size)
{
    struct pci_bus *b = opaque;
    unsigned reg;
    int devfn = conf_target(b, &reg);

    if (devfn < 0)
        return (1ull << (8 * size)) - 1;
    return pci_config_read(b, (unsigned)devfn, reg + (unsigned)off, size);
}

static void conf_data_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct pci_bus *b = opaque;
    unsigned reg;
    int devfn = conf_target(b, &reg);

    if (devfn >= 0)
        pci_config_write(b, (unsigned)devfn, reg + (unsigned)off, (uint32_t)val, size);
}

static const struct bus_ops conf_data_ops = { conf_data_read, conf_data_write, 1, 4, false };

struct pci_bus *pci_bus_new(struct bus *io, struct memmap *mm)
{
    struct pci_bus *b = calloc(1, sizeof(*b));

    if (b == NULL)
        return NULL;
    b->io = io;
    b->mm = mm;
    return b;
}

bool pci_bus_claim_conf1(struct pci_bus *b, uint16_t base)
{
    if (b->io == NULL || b->conf_addr || base > 0xfff8)
        return false;
    b->conf_addr = bus_register(b->io, base, 4, &conf_addr_ops, b, "pci-conf-addr");
    b->conf_data = bus_register(b->io, base + 4u, 4, &conf_data_ops, b, "pci-conf-data");
    if (b->conf_addr == NULL || b->conf_data == NULL) {
        if (b->conf_addr)
            bus_unregister(b->io, b->conf_addr);
        if (b->conf_data)
            bus_unregister(b->io, b->conf_data);
        b->conf_addr = b->conf_data = NULL;
        return false;
    }
    return true;
}

void pci_bus_set_cf9(struct pci_bus *b, pci_cf9_read_fn rd, pci_cf9_write_fn wr, void *opaque)
{
    b->cf9_read = rd;
    b->cf9_write = wr;
    b->cf9_opaque = opaque;
}

void pci_bus_set_router(struct pci_bus *b, pci_pirq_fn fn, void *opaque)
{
    b->router = fn;
    b->router_opaque = opaque;
}

void pci_bus_free(struct pci_bus *b)
{
    if (b == NULL)
        return;
    b->router = NULL;               /* the router may be gone already */
    for (unsigned i = 0; i < 256; i++)
        pci_dev_free(b->dev[i]);
    if (b->conf_addr)
        bus_unregister(b->io, b->conf_addr);
    if (b->conf_data)
        bus_unregister(b->io, b->conf_data);
    free(b);
}

/* ---- monitor ---- */

void pci_bus_print(struct pci_bus *b, FILE *out)
{
    for (unsigned devfn = 0; devfn < 256; devfn++) {
        struct pci_dev *d = b->dev[devfn];
        if (d == NULL)
            continue;
        const uint8_t *c = d->config;
        fprintf(out, "00:%02x.%u %04x:%04x rev %02x class %06x %s: cmd %04x sts %04x",
                PCI_SLOT(devfn), PCI_FUNC(devfn), cfg_get(c, PCI_VENDOR_ID, 2),
                cfg_get(c, PCI_DEVICE_ID, 2), c[PCI_REVISION_ID], cfg_get(c, PCI_CLASS_PROG, 3),
                d->name ? d->name : "?", cfg_get(c, PCI_COMMAND, 2), cfg_get(c, PCI_STATUS, 2));
        if (c[PCI_INTERRUPT_PIN])
            fprintf(out, " INT%c -> PIRQ%c line %u%s", 'A' + c[PCI_INTERRUPT_PIN] - 1,
                    'A' + pci_swizzle(PCI_SLOT(devfn), c[PCI_INTERRUPT_PIN]),
                    c[PCI_INTERRUPT_LINE], d->irq_level ? " (asserted)" : "");
        fputc('\n', out);
        for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
            const struct pci_bar *bar = &d->bar[i];
            if (bar->size == 0)
                continue;
            fprintf(out, "  BAR%u %s size %#llx ", i, bar->type == PCI_BAR_IO ? "I/O" :
                    bar->type == PCI_BAR_MEM64 ? "mem64" : "mem32", (unsigned long long)bar->size);
            if (bar->mapped == PCI_BAR_UNMAPPED)
                fprintf(out, "unmapped\n");
            else
                fprintf(out, "at %#llx\n", (unsigned long long)bar->mapped);
        }
    }
}
