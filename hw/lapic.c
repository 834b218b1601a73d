/* SPDX-License-Identifier: MIT */
/* lapic.c: the local APIC (xAPIC): registers, priorities, IRR/ISR/TMR, EOI, LVT, ICR (the timer: lapic_timer.c). */
#include <stdlib.h>
#include <string.h>
#include "hw/lapic.h"
#include "hw/lapic_int.h"

static const uint32_t lvt_writable[LVT_N] = {
    0x000700ffu,    /* timer: vector, mask, mode (bit 18 = TSC-deadline) */
    0x000107ffu,    /* thermal */
    0x000107ffu,    /* performance counters */
    0x0001a7ffu,    /* LINT0: vector, delivery mode, polarity, trigger, mask */
    0x0001a7ffu,    /* LINT1 */
    0x000100ffu,    /* error */
};

/* ---- 256-bit vector sets ---- */
static void vset(uint32_t *v, unsigned n) { v[n >> 5] |= 1u << (n & 31); }
static void vclr(uint32_t *v, unsigned n) { v[n >> 5] &= ~(1u << (n & 31)); }
static bool vtest(const uint32_t *v, unsigned n) { return v[n >> 5] >> (n & 31) & 1; }
/* Highest set vector, or -1. */
static int vhigh(const uint32_t *v)
{
    for (int i = 7; i >= 0; i--)
        if (v[i])
            return i * 32 + 31 - __builtin_clz(v[i]);
    return -1;
}

static bool hw_enabled(const struct lapic *l) { return (l->base & LAPIC_BASE_EN) != 0; }
static bool sw_enabled(const struct lapic *l) { return hw_enabled(l) && (l->svr & SVR_ENABLE); }

static uint32_t ppr(const struct lapic *l)
{
    int isrv = vhigh(l->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
    return (l->tpr & 0xf0) >= isr_class ? l->tpr & 0xff : isr_class;
}

/* The IRR vector the CPU would get now, or -1. */
static int deliverable(const struct lapic *l)
{
    int v = vhigh(l->irr);
    if (v < 0 || ((uint32_t)v & 0xf0) <= (ppr(l) & 0xf0))
        return -1;
    return v;
}

static bool lint0_extint(const struct lapic *l)
{
    uint32_t e = l->lvt[LVT_LINT0];
    return l->lint_level[0] && !(e & LVT_MASKED) && ((e >> 8) & 7) == APIC_DM_EXTINT;
}

/* Recomputes INTR. Globally disabled: LINT0 goes straight to INTR (bypass). */
static void update(struct lapic *l)
{
    bool out;
    if (!hw_enabled(l))
        out = l->lint_level[0] != 0;
    else
        out = sw_enabled(l) && (lint0_extint(l) || l->extint_msg || deliverable(l) >= 0);
    if (out != l->intr_out) {
        l->intr_out = out;
        irq_set(l->cfg.intr, out);
    }
}

static void error(struct lapic *l, uint32_t bits);

/* A fixed interrupt is accepted into the IRR (TMR records its trigger mode). */
static void accept(struct lapic *l, uint8_t vector, bool level)
{
    if (vector < 16) {
        error(l, ESR_RECV_ILLEGAL);
        return;
    }
    vset(l->irr, vector);
    if (level)
        vset(l->tmr, vector);
    else
        vclr(l->tmr, vector);
    update(l);
}

static void error(struct lapic *l, uint32_t bits)
{
    bool fresh = (l->esr_pending & bits) != bits;
    l->esr_pending |= bits;
    uint32_t e = l->lvt[LVT_ERROR];
    if (fresh && !(e & LVT_MASKED) && (e & 0xff) >= 16)
        accept(l, (uint8_t)(e & 0xff), false);
}

/* An LVT source fires (timer, error...): fixed, NMI or ExtINT delivery. */
void lapic_lvt_fire(struct lapic *l, int idx)
{
    uint32_t e = l->lvt[idx];
    if ((e & LVT_MASKED) || !sw_enabled(l))
        return;
    switch ((e >> 8) & 7) {
    case APIC_DM_NMI:
        irq_pulse(l->cfg.nmi);
        break;
    case APIC_DM_EXTINT:
        update(l);
        break;
    case APIC_DM_FIXED:
        if ((idx == LVT_LINT0 || idx == LVT_LINT1) && (e & LVT_LEVEL)) {
            if (e & LVT_REMOTE_IRR)
                return;
            l->lvt[idx] |= LVT_REMOTE_IRR;
            accept(l, (uint8_t)e, true);
        } else {
            accept(l, (uint8_t)e, false);
        }
        break;
    default:            /* SMI, INIT via the LVT: not modelled */
        break;
    }
}

/* ---------------------------------------------------------------- EOI, IPIs */

static void eoi(struct lapic *l)
{
    int v = vhigh(l->isr);
    if (v < 0)
        return;
    vclr(l->isr, (unsigned)v);
    if (vtest(l->tmr, (unsigned)v)) {
        for (int i = LVT_LINT0; i <= LVT_LINT1; i++) {
            if ((l->lvt[i] & LVT_REMOTE_IRR) && (l->lvt[i] & 0xff) == (unsigned)v) {
                l->lvt[i] &= ~LVT_REMOTE_IRR;
                if (l->lint_level[i - LVT_LINT0])
                    lapic_lvt_fire(l, i);
            }
        }
        if (l->cfg.eoi_broadcast)
            l->cfg.eoi_broadcast(l->cfg.opaque, (uint8_t)v);
    }
    update(l);
}

/* Does destination dest (physical or logical) name this APIC? */
static bool addressed(const struct lapic *l, uint8_t dest, bool logical)
{
    if (!logical)
        return dest == 0xff || dest == (l->id >> 24);
    uint8_t lid = (uint8_t)(l->ldr >> 24);
    if (dest == 0xff)
        return true;
    if ((l->dfr >> 28) == 0xf)              /* flat model */
        return (lid & dest) != 0;
    /* cluster model: bits 7-4 cluster (0xf = all), bits 3-0 members */
    return ((dest >> 4) == (lid >> 4) || (dest >> 4) == 0xf) && (dest & lid & 0x0f) != 0;
}

static void receive(struct lapic *l, const struct apic_msg *m)
{
    switch (m->delivery) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:            /* one CPU: it is the lowest priority one */
        if (sw_enabled(l))
            accept(l, m->vector, m->level);
        break;
    case APIC_DM_NMI:
        irq_pulse(l->cfg.nmi);
        break;
    case APIC_DM_INIT:
        irq_pulse(l->cfg.init);
        break;
    case APIC_DM_EXTINT:
        if (sw_enabled(l)) {
            l->extint_msg = true;
            update(l);
        }
        break;
    default:                        /* SMI; SIPI to a CPU not waiting for one */
        break;
    }
}

void lapic_deliver(struct lapic *l, const struct apic_msg *msg)
{
    if (hw_enabled(l) && addressed(l, msg->dest, msg->logical))
        receive(l, msg);
}

/* ICR low written: send the IPI (delivery is instantaneous; the status bit never stays set). */
static void send_ipi(struct lapic *l)
{
    struct apic_msg m = {
        .vector = (uint8_t)l->icr_lo,
        .delivery = (uint8_t)((l->icr_lo >> 8) & 7),
        .dest = (uint8_t)(l->icr_hi >> 24),
        .logical = (l->icr_lo >> 11) & 1,
        .level = (l->icr_lo >> 15) & 1,
    };
    unsigned shorthand = (l->icr_lo >> 18) & 3;

    if (m.delivery == APIC_DM_INIT && m.level && !((l->icr_lo >> 14) & 1))
        return;                     /* INIT level de-assert: no effect on modern CPUs */
    if ((m.delivery == APIC_DM_FIXED || m.delivery == APIC_DM_LOWEST) && m.vector < 16) {
        error(l, ESR_SEND_ILLEGAL);
        return;
    }
    m.level = false;                /* IPIs are edge-triggered (the TMR bit stays clear) */
    bool self = shorthand == 1 || shorthand == 2 ||
                (shorthand == 0 && addressed(l, m.dest, m.logical));
    if (self)
        receive(l, &m);
}

/* ---------------------------------------------------------------- registers */

uint32_t lapic_read(struct lapic *l, uint32_t off)
{
    if (off & 0xf)
        return 0;
    switch (off) {
    case R_ID: return l->id;
    case R_VER: return VERSION;
    case R_TPR: return l->tpr;
    case R_APR: return 0;
    case R_PPR: return ppr(l);
    case R_LDR: return l->ldr;
    case R_DFR: return l->dfr | 0x0fffffffu;
    case R_SVR: return l->svr;
    case R_ESR: return l->esr;
    case R_ICR_LO: return l->icr_lo & ~(1u << 12);
    case R_ICR_HI: return l->icr_hi;
    case R_INIT_COUNT: return l->init_count;
    case R_CUR_COUNT: return lapic_current_count(l);
    case R_DIV: return l->div_conf;
    case R_EOI: case R_RRD: case R_CMCI: return 0;
    default:
        if (off >= R_ISR && off < R_ISR + 0x80)
            return l->isr[(off - R_ISR) >> 4];
        if (off >= R_TMR && off < R_TMR + 0x80)
            return l->tmr[(off - R_TMR) >> 4];
        if (off >= R_IRR && off < R_IRR + 0x80)
            return l->irr[(off - R_IRR) >> 4];
        if (off >= R_LVT && off < R_LVT + LVT_N * 0x10)
            return l->lvt[(off - R_LVT) >> 4];
        error(l, ESR_ILLEGAL_REG);
        return 0;
    }
}

static void write_lvt(struct lapic *l, int idx, uint32_t v)
{
    uint32_t old = l->lvt[idx];
    v &= lvt_writable[idx];
    if (!(l->svr & SVR_ENABLE))
        v |= LVT_MASKED;            /* software disabled: masks cannot be cleared */
    l->lvt[idx] = v | (old & LVT_REMOTE_IRR);
    if (idx == LVT_TIMER && ((old ^ v) >> 17 & 3)) {
        /* a mode switch stops the timer (and disarms the deadline) */
        l->deadline = 0;
        l->oneshot_done = true;
        l->init_count = 0;
    }
    if (idx == LVT_TIMER)
        lapic_timer_arm(l);
    if (idx == LVT_LINT0 || idx == LVT_LINT1) {
        int n = idx - LVT_LINT0;
        if (l->lint_level[n] && (old & LVT_MASKED) && !(v & LVT_MASKED) && (v & LVT_LEVEL))
            lapic_lvt_fire(l, idx);       /* an unmasked level input that is already high */
    }
    update(l);
}

void lapic_write(struct lapic *l, uint32_t off, uint32_t v)
{
    if (off & 0xf)
        return;
    switch (off) {
    case R_ID: l->id = v & 0xff000000u; break;
    case R_TPR: l->tpr = v & 0xff; update(l); break;
    case R_EOI: eoi(l); break;
    case R_LDR: l->ldr = v & 0xff000000u; break;
    case R_DFR: l->dfr = v & 0xf0000000u; break;
    case R_SVR:
        l->svr = v & 0x3ffu;
        if (!(v & SVR_ENABLE))
            for (int i = 0; i < LVT_N; i++)
                l->lvt[i] |= LVT_MASKED;
        update(l);
        break;
    case R_ESR:
        l->esr = l->esr_pending;
        l->esr_pending = 0;
        break;
    case R_ICR_HI: l->icr_hi = v & 0xff000000u; break;
    case R_ICR_LO:
        l->icr_lo = v & 0x000ccfffu;
        send_ipi(l);
        break;
    case R_INIT_COUNT: lapic_timer_set_init(l, v); break;
    case R_DIV: lapic_timer_set_div(l, v); break;
    case R_CUR_COUNT: case R_VER: case R_APR: case R_PPR: case R_RRD: case R_CMCI:
        break;                      /* read-only */
    default:
        if (off >= R_LVT && off < R_LVT + LVT_N * 0x10)
            write_lvt(l, (int)((off - R_LVT) >> 4), v);
        else if (!(off >= R_ISR && off < R_IRR + 0x80))
            error(l, ESR_ILLEGAL_REG);
        break;
    }
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    (void)size;
    return lapic_read(opaque, (uint32_t)off);
}

static void mmio_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    (void)size;
    lapic_write(opaque, (uint32_t)off, (uint32_t)v);
}

const struct bus_ops lapic_mmio_ops = { mmio_read, mmio_write, 4, 4, false };

/* ---------------------------------------------------------------- pins, INTA, MSRs */

static void lint_set(void *opaque, int n, int level)
{
    struct lapic *l = opaque;
    int old = l->lint_level[n];
    l->lint_level[n] = level;
    if (!hw_enabled(l)) {
        if (n == 1 && level && !old)
            irq_pulse(l->cfg.nmi);          /* bypass: LINT1 is the NMI pin */
        update(l);
        return;
    }
    uint32_t e = l->lvt[LVT_LINT0 + n];
    unsigned dm = (e >> 8) & 7;
    if (dm == APIC_DM_EXTINT) {
        update(l);
    } else if (level && (!old || ((e & LVT_LEVEL) && dm == APIC_DM_FIXED))) {
        lapic_lvt_fire(l, LVT_LINT0 + n);
    }
}

const struct irq_line *lapic_lint(struct lapic *l, int n)
{
    return &l->lint[n & 1];
}

uint8_t lapic_ack(struct lapic *l)
{
    uint8_t v;
    if (!hw_enabled(l) || lint0_extint(l) || l->extint_msg) {
        l->extint_msg = false;
        v = l->cfg.extint_ack ? l->cfg.extint_ack(l->cfg.opaque) : 0xff;
    } else {
        int d = sw_enabled(l) ? deliverable(l) : -1;
        if (d < 0) {
            v = (uint8_t)l->svr;            /* spurious: ISR untouched */
        } else {
            vclr(l->irr, (unsigned)d);
            vset(l->isr, (unsigned)d);
            v = (uint8_t)d;
        }
    }
    update(l);
    return v;
}

bool lapic_intr(const struct lapic *l) { return l->intr_out; }

uint64_t lapic_get_base(const struct lapic *l) { return l->base; }

bool lapic_set_base(struct lapic *l, uint64_t v)
{
    /* bits 0-7, 9, 10 (x2APIC: not supported) and above 36 physical bits are reserved */
    if (v & ~(uint64_t)0xffffff900ull)
        return false;
    bool was = hw_enabled(l);
    uint64_t old_base = l->base & ~(uint64_t)0xfff;
    v = (v & ~(uint64_t)LAPIC_BASE_BSP) | (l->base & LAPIC_BASE_BSP);
    if (was && !(v & LAPIC_BASE_EN)) {
        /* global disable: back to the RESET state (except the base), as on hardware */
        void (*relocate)(void *, uint64_t, bool) = l->cfg.relocate;
        l->cfg.relocate = NULL;
        lapic_reset(l);
        l->cfg.relocate = relocate;
    }
    l->base = v;
    if (was != hw_enabled(l) || old_base != (v & ~(uint64_t)0xfff)) {
        if (l->cfg.relocate)
            l->cfg.relocate(l->cfg.opaque, v & ~(uint64_t)0xfff, hw_enabled(l));
    }
    update(l);
    return true;
}

uint64_t lapic_get_cr8(const struct lapic *l) { return (l->tpr >> 4) & 0xf; }

void lapic_set_cr8(struct lapic *l, uint64_t v)
{
    l->tpr = (uint32_t)(v & 0xf) << 4;
    update(l);
}

/* ---------------------------------------------------------------- lifecycle */

void lapic_reset(struct lapic *l)
{
    l->base = LAPIC_DEFAULT_BASE | LAPIC_BASE_BSP | LAPIC_BASE_EN;
    l->id = (uint32_t)l->cfg.id << 24;
    l->tpr = l->ldr = l->esr = l->esr_pending = l->icr_lo = l->icr_hi = 0;
    l->dfr = 0xf0000000u;
    l->svr = 0xff;
    for (int i = 0; i < LVT_N; i++)
        l->lvt[i] = LVT_MASKED;
    memset(l->irr, 0, sizeof(l->irr));
    memset(l->isr, 0, sizeof(l->isr));
    memset(l->tmr, 0, sizeof(l->tmr));
    l->init_count = 0;
    l->div_conf = 0;
    l->div = 2;
    l->oneshot_done = true;
    l->deadline = 0;
    l->extint_msg = false;
    timer_del(l->timer);
    if (l->cfg.relocate)
        l->cfg.relocate(l->cfg.opaque, LAPIC_DEFAULT_BASE, true);
    update(l);
}

void lapic_init_ipi(struct lapic *l)
{
    uint64_t base = l->base;
    uint32_t id = l->id;
    void (*relocate)(void *, uint64_t, bool) = l->cfg.relocate;
    l->cfg.relocate = NULL;         /* the page stays where it is */
    lapic_reset(l);
    l->cfg.relocate = relocate;
    l->base = base;
    l->id = id;
    update(l);
}

void lapic_virtual_wire(struct lapic *l)
{
    lapic_write(l, R_SVR, SVR_ENABLE | 0xff);
    lapic_write(l, R_LVT + 0x10 * LVT_LINT0, APIC_DM_EXTINT << 8);
    lapic_write(l, R_LVT + 0x10 * LVT_LINT1, APIC_DM_NMI << 8);
}

struct lapic *lapic_new(struct clock *clock, const struct lapic_config *cfg)
{
    struct lapic *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return NULL;
    l->cfg = *cfg;
    if (l->cfg.bus_hz == 0)
        l->cfg.bus_hz = 1000000000u;
    if (l->cfg.tsc_hz == 0)
        l->cfg.tsc_hz = 1000000000u;
    l->clock = clock;
    l->timer = clock_timer_new(clock, lapic_tick_cb, l);
    if (l->timer == NULL) {
        free(l);
        return NULL;
    }
    for (int i = 0; i < 2; i++)
        l->lint[i] = irq_line_make(lint_set, l, i);
    void (*relocate)(void *, uint64_t, bool) = l->cfg.relocate;
    l->cfg.relocate = NULL;         /* the board maps the first page itself */
    lapic_reset(l);
    l->cfg.relocate = relocate;
    return l;
}

void lapic_free(struct lapic *l)
{
    if (l == NULL)
        return;
    timer_free(l->timer);
    free(l);
}

void lapic_dump(struct lapic *l, FILE *out)
{
    static const char *const lvt_name[LVT_N] = { "timer", "thermal", "perf", "LINT0", "LINT1", "error" };
    fprintf(out, "lapic: base %#llx %s, id %u, svr %#x (%s), tpr %#x ppr %#x, esr %#x\n",
            (unsigned long long)(l->base & ~0xfffull), hw_enabled(l) ? "enabled" : "disabled",
            l->id >> 24, l->svr, (l->svr & SVR_ENABLE) ? "sw on" : "sw off", l->tpr, ppr(l), l->esr);
    fprintf(out, "  irr highest %d, isr highest %d, intr %d, ldr %#x dfr %#x\n", vhigh(l->irr),
            vhigh(l->isr), l->intr_out, l->ldr, l->dfr | 0x0fffffffu);
    for (int i = 0; i < LVT_N; i++)
        fprintf(out, "  LVT %-7s %#010x\n", lvt_name[i], l->lvt[i]);
    fprintf(out, "  timer: mode %u, initial %u, current %u, divide %u, deadline %llu\n",
            lapic_timer_mode(l), l->init_count, lapic_current_count(l), l->div,
            (unsigned long long)l->deadline);
}
