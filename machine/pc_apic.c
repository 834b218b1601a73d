/* SPDX-License-Identifier: MIT */
/* pc_apic.c: the PC's APIC wiring: local APIC (INTR, NMI, INIT, INTA), I/O APIC, HPET, and the ISA IRQ fan-out. */
#include <stdint.h>
#include "hw/hpet.h"
#include "hw/ioapic.h"
#include "hw/lapic.h"
#include "hw/pic.h"
#include "machine/memmap.h"
#include "machine/machine_int.h"

/* The local APIC timer's input clock (the "bus clock"): 1 GHz, like QEMU. */
#define LAPIC_BUS_HZ 1000000000u
/* HPET non-legacy routes: GSI 20-23 (no ISA or PCI source drives them). */
#define HPET_ROUTE_CAP 0x00f00000u

/* ---- ISA IRQs: one point of fan-out to the 8259 pair and the I/O APIC ---- */

static bool hpet_legacy_on(const struct machine *m)
{
    return m->hpet && hpet_legacy_mode(m->hpet);
}

/* Drives the interrupt controllers' inputs for ISA IRQ n. */
static void isa_route(struct machine *m, int n, int level)
{
    if (m->pic)
        pic_set_irq(m->pic, n, level);
    if (m->ioapic && n != 2)            /* IRQ 2 is the cascade; GSI 2 is IRQ 0 */
        ioapic_set_irq(m->ioapic, n == 0 ? 2 : n, level);
}

void pc_isa_irq_set(void *opaque, int n, int level)
{
    struct machine *m = opaque;

    if (n < 0 || n > 15)
        return;
    m->isa_level[n] = (uint8_t)level;
    if ((n == 0 || n == 8) && hpet_legacy_on(m))
        return;                         /* the HPET owns IRQ 0 and 8 */
    isa_route(m, n, level);
}

static void hpet_legacy_set(void *opaque, int n, int level)
{
    struct machine *m = opaque;

    m->hpet_legacy_level[n] = (uint8_t)level;
    if (hpet_legacy_on(m))
        isa_route(m, n ? 8 : 0, level);
}

static void hpet_legacy_changed(void *opaque, bool on)
{
    struct machine *m = opaque;

    isa_route(m, 0, on ? m->hpet_legacy_level[0] : m->isa_level[0]);
    isa_route(m, 8, on ? m->hpet_legacy_level[1] : m->isa_level[8]);
}

/* ---- local APIC <-> CPU ---- */

static void nmi_set(void *opaque, int n, int level)
{
    struct machine *m = opaque;

    (void)n;
    if (level && m->cpu && m->cpu_ops->nmi)
        m->cpu_ops->nmi(m->cpu);
}

static void init_set(void *opaque, int n, int level)
{
    struct machine *m = opaque;

    (void)n;
    if (level && m->cpu) {
        m->init_req = 1;                /* the CPU cannot be reset from inside exec */
        m->cpu_ops->request_exit(m->cpu);
    }
}

void pc_apic_do_init(struct machine *m)
{
    m->init_req = 0;
    KILN_LOG(&m->log, KILN_LOG_CPU_RESET, "INIT IPI: the CPU is re-initialised\n");
    if (m->cpu) {
        /* INIT: the CPU goes to its RESET state, the local APIC too but for its ID
           and base; then what firmware would do again (virtual wire) */
        m->cpu_ops->reset(m->cpu);
        m->cpu_ops->set_a20(m->cpu, m->a20);
        m->cpu_ops->set_irq_line(m->cpu, m->intr_level);
    }
    if (m->lapic) {
        lapic_init_ipi(m->lapic);
        lapic_virtual_wire(m->lapic);
    }
}

static uint8_t extint_ack(void *opaque)
{
    struct machine *m = opaque;

    return m->pic ? pic_get_interrupt(m->pic) : 0xff;
}

static void eoi_broadcast(void *opaque, uint8_t vector)
{
    struct machine *m = opaque;

    if (m->ioapic)
        ioapic_eoi(m->ioapic, vector);
}

static void lapic_relocate(void *opaque, uint64_t base, bool enabled)
{
    struct machine *m = opaque;

    if (m->lapic_mapped != UINT64_MAX)
        memmap_remove(m->mm, m->lapic_mapped);
    m->lapic_mapped = UINT64_MAX;
    if (!enabled)
        return;
    if (memmap_add_mmio(m->mm, base, LAPIC_MMIO_SIZE, &lapic_mmio_ops, m->lapic, "lapic"))
        m->lapic_mapped = base;
    else
        KILN_LOG(&m->log, KILN_LOG_GUEST_ERRORS, "lapic: cannot map the registers at %#llx\n",
                 (unsigned long long)base);
}

static void to_lapic(void *opaque, const struct apic_msg *msg)
{
    struct machine *m = opaque;

    if (m->lapic)
        lapic_deliver(m->lapic, msg);
}

uint8_t pc_inta(struct machine *m)
{
    if (m->lapic)
        return lapic_ack(m->lapic);
    return m->pic ? pic_get_interrupt(m->pic) : 0xff;
}

int pc_apic_init(struct machine *m)
{
    m->lapic_mapped = UINT64_MAX;
    for (int i = 0; i < 16; i++)
        m->isa_irq[i] = irq_line_make(pc_isa_irq_set, m, i);
    m->lapic_nmi = irq_line_make(nmi_set, m, 0);
    m->lapic_init = irq_line_make(init_set, m, 0);
    const struct lapic_config lc = {
        .id = 0, .bus_hz = LAPIC_BUS_HZ, .tsc_hz = SYSBUS_TSC_HZ,
        .intr = &m->cpu_intr, .nmi = &m->lapic_nmi, .init = &m->lapic_init,
        .opaque = m, .extint_ack = extint_ack, .eoi_broadcast = eoi_broadcast,
        .relocate = lapic_relocate,
    };
    m->lapic = lapic_new(m->clock, &lc);
    if (m->lapic == NULL)
        return -1;
    lapic_relocate(m, LAPIC_DEFAULT_BASE, true);
    lapic_virtual_wire(m->lapic);
    const struct apic_sink sink = { to_lapic, m };
    m->ioapic = ioapic_new(0, &sink);
    if (m->ioapic == NULL ||
        !memmap_add_mmio(m->mm, IOAPIC_DEFAULT_BASE, IOAPIC_MMIO_SIZE, &ioapic_mmio_ops,
                         m->ioapic, "ioapic"))
        return -1;
    struct hpet_config hc = { .route_cap = HPET_ROUTE_CAP, .legacy_changed = hpet_legacy_changed,
                              .opaque = m };
    for (int i = 0; i < 2; i++) {
        m->hpet_legacy[i] = irq_line_make(hpet_legacy_set, m, i);
        hc.legacy[i] = &m->hpet_legacy[i];
    }
    for (int i = 0; i < HPET_GSIS && i < IOAPIC_PINS; i++)
        hc.gsi[i] = ioapic_irq(m->ioapic, i);
    m->hpet = hpet_new(m->clock, &hc);
    if (m->hpet == NULL ||
        !memmap_add_mmio(m->mm, HPET_DEFAULT_BASE, HPET_MMIO_SIZE, &hpet_mmio_ops, m->hpet, "hpet"))
        return -1;
    return 0;
}

void pc_apic_reset(struct machine *m)
{
    m->init_req = 0;
    if (m->hpet)
        hpet_reset(m->hpet);
    if (m->ioapic)
        ioapic_reset(m->ioapic);
    if (m->lapic) {
        lapic_reset(m->lapic);
        lapic_virtual_wire(m->lapic);
    }
}

void machine_apic_print(struct machine *m, FILE *out)
{
    if (m->lapic)
        lapic_dump(m->lapic, out);
    if (m->ioapic)
        ioapic_dump(m->ioapic, out);
    if (m->hpet)
        hpet_dump(m->hpet, out);
}

void pc_apic_free(struct machine *m)
{
    hpet_free(m->hpet);
    m->hpet = NULL;
    ioapic_free(m->ioapic);
    m->ioapic = NULL;
    lapic_free(m->lapic);
    m->lapic = NULL;
}
