/* SPDX-License-Identifier: MIT */
/* acpi_pm.c: the ACPI PM1 event/control registers and the 3.579545 MHz PM timer. */
#include <stdlib.h>
#include "hw/acpi_pm.h"

/* Bits of PM1_STS/PM1_EN the block implements (others read 0). */
#define STS_MASK (ACPI_PM1_TMR | ACPI_PM1_GBL | ACPI_PM1_PWRBTN | ACPI_PM1_RTC | ACPI_PM1_WAK_STS)
#define EN_MASK  (ACPI_PM1_TMR | ACPI_PM1_GBL | ACPI_PM1_PWRBTN | ACPI_PM1_RTC)
/* PM1_CNT bits that are stored: SCI_EN, BM_RLD, SLP_TYP (GBL_RLS and SLP_EN are write-only). */
#define CNT_MASK (ACPI_PM1_CNT_SCI_EN | 2u | (7u << ACPI_PM1_CNT_SLP_TYP_SHIFT))

struct acpi_pm {
    struct bus *io;
    struct bus_region *region;
    struct clock *clock;
    const struct irq_line *sci;
    acpi_pm_poweroff_fn poweroff;
    void *opaque;
    uint16_t sts, en, cnt;
};

static void update_sci(struct acpi_pm *pm)
{
    irq_set(pm->sci, (pm->sts & pm->en & EN_MASK) != 0);
}

static uint32_t timer_value(struct acpi_pm *pm)
{
    return (uint32_t)(clock_ns_to_ticks(clock_ns(pm->clock), ACPI_PM_TMR_HZ) & 0xffffff);
}

/* The register file as bytes; the timer is sampled once per access. */
static uint64_t pm_read(void *opaque, uint64_t off, unsigned size)
{
    struct acpi_pm *pm = opaque;
    uint8_t r[12] = { 0 };
    uint32_t tmr = off + size > ACPI_PM_TMR && off < ACPI_PM_TMR + 4 ? timer_value(pm) : 0;
    uint64_t v = 0;

    r[0] = (uint8_t)pm->sts;
    r[1] = (uint8_t)(pm->sts >> 8);
    r[2] = (uint8_t)pm->en;
    r[3] = (uint8_t)(pm->en >> 8);
    r[4] = (uint8_t)pm->cnt;
    r[5] = (uint8_t)(pm->cnt >> 8);
    for (unsigned i = 0; i < 4; i++)
        r[8 + i] = (uint8_t)(tmr >> (8 * i));
    for (unsigned i = 0; i < size; i++)
        if (off + i < sizeof(r))
            v |= (uint64_t)r[off + i] << (8 * i);
    return v;
}

static void write_cnt(struct acpi_pm *pm, uint16_t val)
{
    pm->cnt = val & CNT_MASK;
    if (val & ACPI_PM1_CNT_SLP_EN) {
        unsigned typ = (val >> ACPI_PM1_CNT_SLP_TYP_SHIFT) & 7;
        if (typ == ACPI_SLP_TYP_S5 && pm->poweroff)
            pm->poweroff(pm->opaque);
        /* Other sleep states are not modelled: the write is ignored. */
    }
}

static void pm_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct acpi_pm *pm = opaque;

    for (unsigned i = 0; i < size; i++) {
        uint64_t o = off + i;
        uint8_t b = (uint8_t)(val >> (8 * i));
        unsigned sh = (o & 1) ? 8 : 0;
        switch (o) {
        case 0: case 1:
            pm->sts &= (uint16_t)~((unsigned)b << sh);
            break;
        case 2: case 3:
            pm->en = (uint16_t)((pm->en & ~(0xffu << sh)) | ((unsigned)b << sh)) & EN_MASK;
            break;
        case 4:
            write_cnt(pm, (uint16_t)((pm->cnt & 0xff00) | b));
            break;
        case 5:
            write_cnt(pm, (uint16_t)((pm->cnt & 0x00ff) | ((unsigned)b << 8)));
            break;
        default:
            break;
        }
    }
    update_sci(pm);
}

/* Whole-register accesses where the guest makes them (no splitting of a 16-bit
 * PM1_CNT write, so SLP_TYP and SLP_EN arrive together). */
static const struct bus_ops pm_ops = { pm_read, pm_write, 1, 4, false };

struct acpi_pm *acpi_pm_init(struct bus *io, struct clock *clock, uint16_t base,
                             const struct irq_line *sci, acpi_pm_poweroff_fn poweroff,
                             void *opaque)
{
    struct acpi_pm *pm = calloc(1, sizeof(*pm));

    if (pm == NULL)
        return NULL;
    pm->io = io;
    pm->clock = clock;
    pm->sci = sci;
    pm->poweroff = poweroff;
    pm->opaque = opaque;
    pm->region = bus_register(io, base, ACPI_PM_SIZE, &pm_ops, pm, "acpi-pm");
    if (pm->region == NULL) {
        free(pm);
        return NULL;
    }
    acpi_pm_reset(pm);
    return pm;
}

bool acpi_pm_map(struct acpi_pm *pm, uint16_t base, bool enabled)
{
    if (pm->region && enabled && pm->region->base == base)
        return true;
    if (pm->region)
        bus_unregister(pm->io, pm->region);
    pm->region = NULL;
    if (enabled && (uint32_t)base + ACPI_PM_SIZE - 1 <= 0xffff)
        pm->region = bus_register(pm->io, base, ACPI_PM_SIZE, &pm_ops, pm, "acpi-pm");
    return pm->region != NULL || !enabled;
}

void acpi_pm_free(struct acpi_pm *pm)
{
    if (pm == NULL)
        return;
    if (pm->region)
        bus_unregister(pm->io, pm->region);
    free(pm);
}

void acpi_pm_reset(struct acpi_pm *pm)
{
    pm->sts = 0;
    pm->en = 0;
    pm->cnt = ACPI_PM1_CNT_SCI_EN;
    update_sci(pm);
}

void acpi_pm_press_power_button(struct acpi_pm *pm)
{
    pm->sts |= ACPI_PM1_PWRBTN;
    update_sci(pm);
}
