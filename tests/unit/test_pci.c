/* SPDX-License-Identifier: MIT */
/* test_pci.c: PCI configuration mechanism #1, masks, BAR mapping, INTx -> PIRQ -> ISA IRQ, PIIX3/PIIX4 PM, 0xCF9. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "hw/acpi_pm.h"
#include "hw/i440fx.h"
#include "hw/pci.h"
#include "hw/piix3.h"
#include "hw/piix_pm.h"
#include "hw/pic.h"
#include "machine/clock.h"
#include "machine/machine.h"

struct fix {
    struct bus *io;
    struct memmap *mm;
    struct clock *clk;
    struct pci_bus *pci;
    struct piix3 *piix3;
    struct acpi_pm *pm;
    int isa[16];            /* last level driven per ISA IRQ */
    int isa_calls;
    int resets;
};

static void on_isa(void *opaque, int irq, int level)
{
    struct fix *f = opaque;
    assert_true(irq >= 0 && irq < 16);
    assert_int_not_equal(f->isa[irq], level);   /* only changes are reported */
    f->isa[irq] = level;
    f->isa_calls++;
}

static void on_reset(void *opaque) { ((struct fix *)opaque)->resets++; }

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof(*f));
    f->io = bus_new("io", 0xffff);
    f->mm = memmap_new(64 << 20, MEMMAP_DEFAULT_HOLE);
    f->clk = clock_new_icount(3);
    f->pci = pci_bus_new(f->io, f->mm);
    assert_true(pci_bus_claim_conf1(f->pci, 0xcf8));
    assert_false(pci_bus_claim_conf1(f->pci, 0xcf8));
    assert_non_null(i440fx_init(f->pci, PCI_DEVFN(0, 0), 64 << 20));
    f->piix3 = piix3_init(f->pci, PCI_DEVFN(1, 0), on_isa, on_reset, f);
    assert_non_null(f->piix3);
    f->pm = acpi_pm_init(f->io, f->clk, 0x600, NULL, NULL, NULL);
    assert_non_null(piix_pm_init(f->pci, PCI_DEVFN(1, 3), f->pm, 0x600));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    piix3_free(f->piix3);
    pci_bus_free(f->pci);
    acpi_pm_free(f->pm);
    clock_free(f->clk);
    memmap_free(f->mm);
    bus_free(f->io);
    free(f);
    return 0;
}

static uint32_t cfg_addr(unsigned devfn, unsigned reg) { return 0x80000000u | devfn << 8 | reg; }

static uint32_t conf_read(struct fix *f, unsigned devfn, unsigned reg, unsigned size)
{
    bus_write(f->io, 0xcf8, cfg_addr(devfn, reg & 0xfc), 4);
    return (uint32_t)bus_read(f->io, 0xcfc + (reg & 3), size);
}

static void conf_write(struct fix *f, unsigned devfn, unsigned reg, uint32_t v, unsigned size)
{
    bus_write(f->io, 0xcf8, cfg_addr(devfn, reg & 0xfc), 4);
    bus_write(f->io, 0xcfc + (reg & 3), v, size);
}

static void test_conf1(void **state)
{
    struct fix *f = *state;

    /* Linux's type 1 probe: a byte at 0xCFB, then the dword register reads back. */
    bus_write(f->io, 0xcfb, 1, 1);
    bus_write(f->io, 0xcf8, 0x80000000u, 4);
    assert_int_equal(bus_read(f->io, 0xcf8, 4), 0x80000000u);
    bus_write(f->io, 0xcf8, 0xffffffffu, 4);
    assert_int_equal(bus_read(f->io, 0xcf8, 4), 0x80fffffcu);   /* reserved bits read 0 */
    /* IDs through every access width. */
    assert_int_equal(conf_read(f, 0, 0, 4), 0x12378086u);
    assert_int_equal(conf_read(f, 0, 2, 2), 0x1237);
    assert_int_equal(conf_read(f, 0, 3, 1), 0x12);
    assert_int_equal(conf_read(f, PCI_DEVFN(1, 0), 0, 4), 0x70008086u);
    assert_int_equal(conf_read(f, PCI_DEVFN(1, 0), PCI_HEADER_TYPE, 1), 0x80);
    assert_int_equal(conf_read(f, PCI_DEVFN(1, 0), 0x08, 4) >> 8, 0x060100);
    assert_int_equal(conf_read(f, PCI_DEVFN(1, 3), 0, 4), 0x71138086u);
    assert_int_equal(conf_read(f, PCI_DEVFN(0, 0), 0x08, 4) >> 8, 0x060000);
    /* Absent functions, other buses and a disabled address read all-ones. */
    assert_int_equal(conf_read(f, PCI_DEVFN(1, 1), 0, 4), 0xffffffffu);
    assert_int_equal(conf_read(f, PCI_DEVFN(2, 0), 0, 2), 0xffff);
    bus_write(f->io, 0xcf8, 0x80010000u, 4);
    assert_int_equal(bus_read(f->io, 0xcfc, 4), 0xffffffffu);
    bus_write(f->io, 0xcf8, 0x00000000u, 4);
    assert_int_equal(bus_read(f->io, 0xcfc, 4), 0xffffffffu);
    /* Read-only IDs, writable command bits, write-1-to-clear status. */
    conf_write(f, 0, 0, 0xdeadbeef, 4);
    assert_int_equal(conf_read(f, 0, 0, 4), 0x12378086u);
    conf_write(f, 0, PCI_COMMAND, 0xffff, 2);
    assert_int_equal(conf_read(f, 0, PCI_COMMAND, 2), 0x0547);
    uint8_t *c = pci_dev_config(pci_bus_dev(f->pci, 0));
    c[PCI_STATUS + 1] |= 0x20;                         /* received master abort */
    conf_write(f, 0, PCI_STATUS, 0x0000, 2);
    assert_int_equal(conf_read(f, 0, PCI_STATUS + 1, 1) & 0x20, 0x20);
    conf_write(f, 0, PCI_STATUS, 0x2000, 2);
    assert_int_equal(conf_read(f, 0, PCI_STATUS + 1, 1) & 0x20, 0);
    /* Narrow accesses to the address register do not touch it. */
    bus_write(f->io, 0xcf8, cfg_addr(0, 0x10), 4);
    bus_write(f->io, 0xcf8, 0, 1);
    bus_write(f->io, 0xcfa, 0, 2);
    assert_int_equal(bus_read(f->io, 0xcf8, 4), cfg_addr(0, 0x10));
    /* PAM and chipset registers are stored (accept-and-ignore). */
    conf_write(f, 0, I440FX_PAM0, 0x30, 1);
    assert_int_equal(conf_read(f, 0, I440FX_PAM0, 1), 0x30);
}

/* A test device with an I/O and a memory BAR. */
struct tdev {
    uint64_t last_off;
    uint64_t last_val;
};

static uint64_t t_read(void *o, uint64_t off, unsigned size)
{
    (void)size;
    ((struct tdev *)o)->last_off = off;
    return 0x5a00 + off;
}

static void t_write(void *o, uint64_t off, uint64_t v, unsigned size)
{
    (void)size;
    ((struct tdev *)o)->last_off = off;
    ((struct tdev *)o)->last_val = v;
}

static const struct bus_ops t_ops = { t_read, t_write, 1, 4, false };

static void test_bars(void **state)
{
    struct fix *f = *state;
    struct tdev t = { 0, 0 };
    unsigned devfn = PCI_DEVFN(3, 0);
    struct pci_dev *d = pci_dev_new(f->pci, devfn, "test", 0x1234, 0x5678, 1, 0x020000, 0);

    assert_non_null(d);
    assert_null(pci_dev_new(f->pci, devfn, "dup", 1, 2, 0, 0, 0));
    assert_true(pci_register_bar(d, 0, PCI_BAR_IO, 32, &t_ops, &t, "tio"));
    assert_true(pci_register_bar(d, 1, PCI_BAR_MEM32, 4096, &t_ops, &t, "tmem"));
    assert_true(pci_register_bar(d, 2, PCI_BAR_MEM64, 1 << 20, &t_ops, &t, "tmem64"));
    assert_false(pci_register_bar(d, 3, PCI_BAR_IO, 32, &t_ops, &t, "taken by 64-bit BAR"));
    assert_false(pci_register_bar(d, 4, PCI_BAR_IO, 24, &t_ops, &t, "not a power of two"));
    assert_false(pci_register_bar(d, 5, PCI_BAR_MEM64, 4096, &t_ops, &t, "needs two slots"));
    pci_dev_save_reset_state(d);

    /* Sizing: all-ones reads back the size mask with the type bits. */
    conf_write(f, devfn, 0x10, 0xffffffff, 4);
    assert_int_equal(conf_read(f, devfn, 0x10, 4), 0xffffffe1u);
    conf_write(f, devfn, 0x14, 0xffffffff, 4);
    assert_int_equal(conf_read(f, devfn, 0x14, 4), 0xfffff000u);
    conf_write(f, devfn, 0x18, 0xffffffff, 4);
    conf_write(f, devfn, 0x1c, 0xffffffff, 4);
    assert_int_equal(conf_read(f, devfn, 0x18, 4), 0xfff00004u);
    assert_int_equal(conf_read(f, devfn, 0x1c, 4), 0xffffffffu);
    /* Program, then nothing decodes until the command register says so. */
    conf_write(f, devfn, 0x10, 0xc000, 4);
    conf_write(f, devfn, 0x14, 0xe0001000u, 4);
    conf_write(f, devfn, 0x18, 0x00000000u, 4);
    conf_write(f, devfn, 0x1c, 0x00000001u, 4);         /* 4 GiB + 0 */
    assert_int_equal(bus_read(f->io, 0xc004, 2), 0xffff);
    assert_int_equal(pci_bar_address(d, 0), PCI_BAR_UNMAPPED);
    conf_write(f, devfn, PCI_COMMAND, PCI_CMD_IO, 2);
    assert_int_equal(pci_bar_address(d, 0), 0xc000);
    assert_int_equal(pci_bar_address(d, 1), PCI_BAR_UNMAPPED);
    assert_int_equal(bus_read(f->io, 0xc004, 2), 0x5a04);
    conf_write(f, devfn, PCI_COMMAND, PCI_CMD_IO | PCI_CMD_MEMORY, 2);
    assert_int_equal(pci_bar_address(d, 1), 0xe0001000u);
    assert_int_equal(pci_bar_address(d, 2), 0x100000000ull);
    assert_int_equal(memmap_load(f->mm, 0xe0001010u, 4), 0x5a10);
    memmap_store(f->mm, 0x100000020ull, 0x77, 1);
    assert_int_equal(t.last_off, 0x20);
    assert_int_equal(t.last_val, 0x77);
    /* Move the I/O BAR: the old ports go away. */
    conf_write(f, devfn, 0x10, 0xd000, 2);
    assert_int_equal(bus_read(f->io, 0xc004, 2), 0xffff);
    assert_int_equal(bus_read(f->io, 0xd004, 2), 0x5a04);
    /* A BAR onto ports someone else owns (0xcf8) stays unmapped; low bits are read-only. */
    conf_write(f, devfn, 0x10, 0x0cf0, 4);
    assert_int_equal(conf_read(f, devfn, 0x10, 4), 0x0ce1);
    assert_int_equal(pci_bar_address(d, 0), PCI_BAR_UNMAPPED);
    assert_int_equal(bus_read(f->io, 0xcf8, 4), cfg_addr(devfn, 0x10));
    /* A BAR running past 64 KiB of ports is not decoded. */
    conf_write(f, devfn, 0x10, 0x1fffe0, 4);
    assert_int_equal(pci_bar_address(d, 0), PCI_BAR_UNMAPPED);
    /* Disabling memory decode removes both memory BARs. */
    conf_write(f, devfn, PCI_COMMAND, 0, 2);
    assert_int_equal(memmap_load(f->mm, 0xe0001010u, 4), 0xffffffffu);
    assert_int_equal(pci_bar_address(d, 2), PCI_BAR_UNMAPPED);
    /* Reset restores the power-on values. */
    conf_write(f, devfn, PCI_COMMAND, PCI_CMD_IO | PCI_CMD_MEMORY, 2);
    pci_bus_reset(f->pci);
    assert_int_equal(conf_read(f, devfn, 0x14, 4), 0);
    assert_int_equal(pci_bar_address(d, 1), PCI_BAR_UNMAPPED);
    pci_dev_free(d);
    assert_int_equal(conf_read(f, devfn, 0, 4), 0xffffffffu);
}

static void test_intx_routing(void **state)
{
    struct fix *f = *state;
    const unsigned p3 = PCI_DEVFN(1, 0);
    struct pci_dev *a = pci_dev_new(f->pci, PCI_DEVFN(3, 0), "a", 1, 1, 0, 0, 0);
    struct pci_dev *b = pci_dev_new(f->pci, PCI_DEVFN(4, 0), "b", 1, 2, 0, 0, 0);
    pci_dev_set_pin(a, 1);                              /* INTA, slot 3 -> PIRQD */
    pci_dev_set_pin(b, 4);                              /* INTD, slot 4 -> PIRQD */
    pci_dev_save_reset_state(a);
    pci_dev_save_reset_state(b);
    assert_int_equal(pci_swizzle(3, 1), 3);
    assert_int_equal(pci_swizzle(4, 4), 3);
    assert_int_equal(pci_swizzle(1, 1), 1);
    assert_int_equal(conf_read(f, PCI_DEVFN(3, 0), PCI_INTERRUPT_PIN, 1), 1);

    /* Power-on routing: A, B -> 10, C, D -> 11. */
    assert_int_equal(piix3_pirq_route(f->piix3, 0), 10);
    assert_int_equal(piix3_pirq_route(f->piix3, 3), 11);
    pci_set_irq(a, 1);
    assert_int_equal(f->isa[11], 1);
    assert_int_equal(conf_read(f, PCI_DEVFN(3, 0), PCI_STATUS, 2) & PCI_STS_INTERRUPT, PCI_STS_INTERRUPT);
    /* Shared: the line stays up until both are low. */
    pci_set_irq(b, 1);
    pci_set_irq(a, 0);
    assert_int_equal(f->isa[11], 1);
    pci_set_irq(b, 0);
    assert_int_equal(f->isa[11], 0);
    /* Re-route PIRQD to IRQ 5 while asserted: 5 rises, 11 does not. */
    pci_set_irq(a, 1);
    conf_write(f, p3, PIIX3_PIRQRC + 3, 5, 1);
    assert_int_equal(f->isa[11], 0);
    assert_int_equal(f->isa[5], 1);
    /* Reserved targets (0, 1, 2, 8, 13) and bit 7 disable the PIRQ. */
    conf_write(f, p3, PIIX3_PIRQRC + 3, 8, 1);
    assert_int_equal(f->isa[5], 0);
    assert_int_equal(f->isa[8], 0);
    assert_int_equal(piix3_pirq_route(f->piix3, 3), -1);
    conf_write(f, p3, PIIX3_PIRQRC + 3, 0x89, 1);
    assert_int_equal(f->isa[9], 0);
    conf_write(f, p3, PIIX3_PIRQRC + 3, 0x79, 1);      /* bits 6:4 are reserved: read 0 */
    assert_int_equal(conf_read(f, p3, PIIX3_PIRQRC + 3, 1), 0x09);
    assert_int_equal(f->isa[9], 1);
    /* Two PIRQs onto one IRQ are ORed; a dword write routes all four. */
    conf_write(f, p3, PIIX3_PIRQRC, 0x09090909, 4);
    pci_set_irq(a, 0);
    assert_int_equal(f->isa[9], 0);
    /* COMMAND.INTX_DISABLE masks the pin but not STATUS.INTERRUPT. */
    conf_write(f, PCI_DEVFN(3, 0), PCI_COMMAND, PCI_CMD_INTX_DISABLE, 2);
    pci_set_irq(a, 1);
    assert_int_equal(f->isa[9], 0);
    assert_int_equal(conf_read(f, PCI_DEVFN(3, 0), PCI_STATUS, 1) & PCI_STS_INTERRUPT, PCI_STS_INTERRUPT);
    conf_write(f, PCI_DEVFN(3, 0), PCI_COMMAND, 0, 2);
    assert_int_equal(f->isa[9], 1);
    /* Reset: routes back to 10/10/11/11, every INTx low, every line low. */
    pci_bus_reset(f->pci);
    assert_int_equal(f->isa[9], 0);
    assert_int_equal(pci_bus_pirq_level(f->pci, 3), 0);
    assert_int_equal(conf_read(f, p3, PIIX3_PIRQRC, 4), 0x0b0b0a0au);
    pci_dev_free(a);
    pci_dev_free(b);
}

static void test_rcr(void **state)
{
    struct fix *f = *state;

    assert_int_equal(bus_read(f->io, 0xcf9, 1), 0);
    bus_write(f->io, 0xcf9, PIIX3_RCR_SRST, 1);
    assert_int_equal(f->resets, 0);
    assert_int_equal(bus_read(f->io, 0xcf9, 1), PIIX3_RCR_SRST);
    bus_write(f->io, 0xcf9, PIIX3_RCR_SRST | PIIX3_RCR_RCPU, 1);
    assert_int_equal(f->resets, 1);
    /* A dword write to 0xCF8 is the address register, never a reset. */
    bus_write(f->io, 0xcf8, 0x80000400u, 4);
    assert_int_equal(f->resets, 1);
    pci_bus_reset(f->pci);
    assert_int_equal(bus_read(f->io, 0xcf9, 1), 0);
}

static void test_piix_pm(void **state)
{
    struct fix *f = *state;
    const unsigned fn = PCI_DEVFN(1, 3);

    assert_int_equal(conf_read(f, fn, PIIX_PM_PMBA, 4), 0x601);
    assert_int_equal(conf_read(f, fn, PIIX_PM_PMREGMISC, 1), 1);
    clock_advance_ns(f->clk, CLOCK_NS_PER_SEC);
    assert_int_equal(bus_read(f->io, 0x608, 4), ACPI_PM_TMR_HZ);
    /* Move the block to 0xb000: the old ports are free, the timer answers there. */
    conf_write(f, fn, PIIX_PM_PMBA, 0xb000, 4);
    assert_int_equal(conf_read(f, fn, PIIX_PM_PMBA, 4), 0xb001);
    assert_int_equal(bus_read(f->io, 0x608, 4), 0xffffffffu);
    assert_int_equal(bus_read(f->io, 0xb008, 4), ACPI_PM_TMR_HZ);
    /* PMIOSE off: not decoded at all. */
    conf_write(f, fn, PIIX_PM_PMREGMISC, 0, 1);
    assert_int_equal(bus_read(f->io, 0xb008, 4), 0xffffffffu);
    /* Reset: back at 0x600. */
    pci_bus_reset(f->pci);
    assert_int_equal(bus_read(f->io, 0x608, 4), ACPI_PM_TMR_HZ);
}

/* Random configuration traffic from a hostile guest never corrupts the IDs or crashes. */
static void test_fuzz(void **state)
{
    struct fix *f = *state;
    uint64_t x = 0x9e3779b97f4a7c15ull;

    for (unsigned i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        unsigned port = 0xcf8 + (unsigned)(x % 8);
        unsigned size = 1u << ((x >> 8) % 3);
        if (port == 0xcf9 && size == 1)
            continue;                                   /* would count resets */
        if ((x >> 12) & 1)
            bus_write(f->io, port, x >> 20, size);
        else
            (void)bus_read(f->io, port, size);
    }
    assert_int_equal(pci_config_read(f->pci, 0, 0, 4), 0x12378086u);
    assert_int_equal(pci_config_read(f->pci, PCI_DEVFN(1, 0), 0, 4), 0x70008086u);
    assert_int_equal(pci_config_read(f->pci, PCI_DEVFN(1, 3), 0, 4), 0x71138086u);
    /* Misaligned or out-of-range direct accesses are refused. */
    assert_int_equal(pci_config_read(f->pci, 0, 255, 2), 0xffffffffu);
    assert_int_equal(pci_config_read(f->pci, 0, 256, 1), 0xffffffffu);
    assert_int_equal(pci_config_read(f->pci, 300, 0, 4), 0xffffffffu);
    pci_config_write(f->pci, 0, 254, 0xffffffff, 4);
}

/* On the PC board: a device's INTx reaches the 8259 through the PIIX3, and a
   PIRQ sharing IRQ 9 with the ACPI SCI is ORed with it. */
static void test_board_intx(void **state)
{
    (void)state;
    struct kiln_config cfg;
    struct machine_options opt = { .no_cpu = true };
    char err[256];

    kiln_config_init(&cfg);
    cfg.ram_size = 32u << 20;
    struct machine *m = machine_new(&cfg, &opt, err, sizeof(err));
    assert_non_null(m);
    struct bus *io = machine_io(m);
    struct pci_bus *pci = machine_pci(m);
    assert_non_null(pci);
    struct pci_dev *d = pci_dev_new(pci, PCI_DEVFN(3, 0), "test", 1, 1, 0, 0, 0);
    pci_dev_set_pin(d, 1);                              /* INTA of slot 3: PIRQD -> IRQ 11 */
    /* 8259 pair initialised, nothing masked, IRQ 9 and 11 level-triggered. */
    static const uint8_t init[][2] = { { 0x20, 0x11 }, { 0x21, 0x08 }, { 0x21, 0x04 }, { 0x21, 0x01 },
                                       { 0x21, 0x00 }, { 0xa0, 0x11 }, { 0xa1, 0x70 }, { 0xa1, 0x02 },
                                       { 0xa1, 0x01 }, { 0xa1, 0x00 } };
    for (unsigned i = 0; i < sizeof(init) / sizeof(init[0]); i++)
        bus_write(io, init[i][0], init[i][1], 1);
    bus_write(io, 0x4d1, 0x0a, 1);
    struct pic_regs r;
    pci_set_irq(d, 1);
    pic_get_regs(machine_pic(m), 1, &r);
    assert_int_equal(r.irr & 0x08, 0x08);
    pci_set_irq(d, 0);
    pic_get_regs(machine_pic(m), 1, &r);
    assert_int_equal(r.irr & 0x08, 0);
    /* PIRQD onto IRQ 9, shared with the SCI (power button enabled and pressed). */
    bus_write(io, 0xcf8, 0x80000800u | PIIX3_PIRQRC, 4);
    bus_write(io, 0xcfc + 3, 9, 1);
    bus_write(io, 0x602, 0x0100, 2);                    /* PM1_EN.PWRBTN */
    acpi_pm_press_power_button(machine_acpi_pm(m));
    pci_set_irq(d, 1);
    pci_set_irq(d, 0);                                  /* the SCI still holds IRQ 9 */
    pic_get_regs(machine_pic(m), 1, &r);
    assert_int_equal(r.irr & 0x02, 0x02);
    pci_set_irq(d, 1);
    bus_write(io, 0x600, 0x0100, 2);                    /* clear PWRBTN_STS: the PCI line holds it */
    pic_get_regs(machine_pic(m), 1, &r);
    assert_int_equal(r.irr & 0x02, 0x02);
    pci_set_irq(d, 0);
    pic_get_regs(machine_pic(m), 1, &r);
    assert_int_equal(r.irr & 0x02, 0);
    /* A system reset: routing back to 10/10/11/11, the line low. */
    pci_set_irq(d, 1);
    machine_reset(m);
    assert_int_equal(pci_config_read(pci, PCI_DEVFN(1, 0), PIIX3_PIRQRC, 4), 0x0b0b0a0au);
    machine_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_conf1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intx_routing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rcr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_piix_pm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
        cmocka_unit_test(test_board_intx),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
