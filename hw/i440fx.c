/* SPDX-License-Identifier: MIT */
/* i440fx.c: the 82441FX PCI and memory controller: IDs and accept-and-ignore chipset registers. */
#include "hw/i440fx.h"

struct pci_dev *i440fx_init(struct pci_bus *bus, unsigned devfn, uint64_t ram_below_4g)
{
    struct pci_dev *d = pci_dev_new(bus, devfn, "i440FX host bridge", I440FX_VENDOR,
                                    I440FX_DEVICE, 0x02, 0x060000, 0);
    if (d == NULL)
        return NULL;
    uint8_t *c = pci_dev_config(d);
    c[PCI_COMMAND] = PCI_CMD_MEMORY | PCI_CMD_MASTER;
    c[PCI_STATUS] = PCI_STS_FAST_B2B;
    c[PCI_STATUS + 1] = PCI_STS_DEVSEL_MEDIUM >> 8;
    /* DRAM row boundaries (cumulative, 8 MiB units), as firmware leaves them. */
    uint64_t units = ram_below_4g >> 23;
    if (units > 0x80)
        units = 0x80;
    for (unsigned i = 0; i < 8; i++)
        c[0x60 + i] = (uint8_t)units;
    c[I440FX_SMRAM] = 0x02;                 /* C_BASE_SEG: SMRAM at 0xa0000, closed */
    pci_dev_set_wmask(d, 0x50, 0x30, 0xff);
    pci_dev_set_wmask(d, 0x90, 4, 0xff);
    pci_dev_save_reset_state(d);
    return d;
}
