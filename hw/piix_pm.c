/* SPDX-License-Identifier: MIT */
/* piix_pm.c: the PIIX4 PM function: PMBA/PMREGMISC map the ACPI PM register block on the I/O bus. */
#include "hw/piix_pm.h"

static void pm_remap(struct acpi_pm *pm, const uint8_t *c)
{
    uint16_t base = (uint16_t)((c[PIIX_PM_PMBA] | c[PIIX_PM_PMBA + 1] << 8) & 0xffc0);

    acpi_pm_map(pm, base, (c[PIIX_PM_PMREGMISC] & 1) && base != 0);
}

static void on_write(void *opaque, struct pci_dev *d, unsigned off, uint32_t val, unsigned size)
{
    (void)val;
    if ((off < PIIX_PM_PMBA + 4 && off + size > PIIX_PM_PMBA) ||
        (off <= PIIX_PM_PMREGMISC && off + size > PIIX_PM_PMREGMISC))
        pm_remap(opaque, pci_dev_config(d));
}

static void on_reset(void *opaque, struct pci_dev *d)
{
    pm_remap(opaque, pci_dev_config(d));
}

struct pci_dev *piix_pm_init(struct pci_bus *bus, unsigned devfn, struct acpi_pm *pm,
                             uint16_t pm_base)
{
    struct pci_dev *d = pci_dev_new(bus, devfn, "PIIX4 ACPI PM", PIIX_PM_VENDOR, PIIX_PM_DEVICE,
                                    0x03, 0x068000, 0);
    if (d == NULL || pm == NULL)
        return d;
    uint8_t *c = pci_dev_config(d);
    c[PCI_STATUS + 1] = PCI_STS_DEVSEL_MEDIUM >> 8;
    c[PIIX_PM_PMBA] = (uint8_t)((pm_base & 0xc0) | 1);
    c[PIIX_PM_PMBA + 1] = (uint8_t)(pm_base >> 8);
    c[PIIX_PM_PMREGMISC] = 1;
    c[PIIX_PM_SMBBA] = 1;
    pci_dev_set_wmask(d, PIIX_PM_PMBA, 1, 0xc0);
    pci_dev_set_wmask(d, PIIX_PM_PMBA + 1, 1, 0xff);
    pci_dev_set_wmask(d, PIIX_PM_PMREGMISC, 1, 0x01);
    pci_dev_set_wmask(d, PIIX_PM_SMBBA, 1, 0xf0);
    pci_dev_set_wmask(d, PIIX_PM_SMBBA + 1, 1, 0xff);
    pci_dev_save_reset_state(d);
    pci_dev_set_write_hook(d, on_write, pm);
    pci_dev_set_reset_hook(d, on_reset, pm);
    pm_remap(pm, c);
    return d;
}
