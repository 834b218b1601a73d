/* SPDX-License-Identifier: MIT */
/* acpi_pm.h: a PIIX4-style ACPI power-management I/O block (PM1 event/control, PM timer). */
#ifndef KILN_HW_ACPI_PM_H
#define KILN_HW_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>
#include "hw/irq.h"
#include "machine/bus.h"
#include "machine/clock.h"

/* Register layout relative to the block's base (QEMU's PIIX4 puts it at 0x600). */
#define ACPI_PM_SIZE        64          /* ports claimed */
#define ACPI_PM1_STS        0x00        /* 16-bit, write 1 to clear */
#define ACPI_PM1_EN         0x02        /* 16-bit */
#define ACPI_PM1_CNT        0x04        /* 16-bit */
#define ACPI_PM_TMR         0x08        /* 32-bit read-only, 24 bits count */
#define ACPI_PM_TMR_HZ      3579545u

/* PM1_STS / PM1_EN bits */
#define ACPI_PM1_TMR        (1u << 0)
#define ACPI_PM1_GBL        (1u << 5)
#define ACPI_PM1_PWRBTN     (1u << 8)
#define ACPI_PM1_RTC        (1u << 10)
#define ACPI_PM1_WAK_STS    (1u << 15)
/* PM1_CNT bits */
#define ACPI_PM1_CNT_SCI_EN (1u << 0)
#define ACPI_PM1_CNT_SLP_TYP_SHIFT 10
#define ACPI_PM1_CNT_SLP_EN (1u << 13)

/* The SLP_TYP value kiln's DSDT gives \_S5 (soft off). */
#define ACPI_SLP_TYP_S5     5

/* The guest asked for soft-off (SLP_EN written with SLP_TYP = S5). */
typedef void (*acpi_pm_poweroff_fn)(void *opaque);

struct acpi_pm;

/*
 * Claims [base, base + ACPI_PM_SIZE) on io. The PM timer counts
 * ACPI_PM_TMR_HZ ticks of clock (24 bits, wrapping). sci is the SCI
 * output (level, high while an enabled PM1 status bit is set; may be NULL).
 * SCI_EN is set at reset: the machine starts in ACPI mode (no SMI_CMD).
 * Returns NULL if the ports are taken or memory runs out.
 */
struct acpi_pm *acpi_pm_init(struct bus *io, struct clock *clock, uint16_t base,
                             const struct irq_line *sci, acpi_pm_poweroff_fn poweroff,
                             void *opaque);
void acpi_pm_free(struct acpi_pm *pm);
/* Moves the block to base (enabled) or takes it off the bus (the PIIX4 PM
   function's PMBA and PMIOSE); false if enabled and the ports are taken
   (the block is then unmapped). */
bool acpi_pm_map(struct acpi_pm *pm, uint16_t base, bool enabled);
/* Power-on state of the registers (the SCI is lowered). */
void acpi_pm_reset(struct acpi_pm *pm);
/* The power button was pressed: sets PWRBTN_STS (SCI if enabled). */
void acpi_pm_press_power_button(struct acpi_pm *pm);

#endif
