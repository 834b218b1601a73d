/* SPDX-License-Identifier: MIT */
/* hpet.c: the HPET: capabilities, config (enable, legacy replacement), main counter from the virtual clock, 3 comparators. */
#include <stdlib.h>
#include "hw/hpet.h"

enum { R_CAP = 0x000, R_CONF = 0x010, R_ISR = 0x020, R_COUNTER = 0x0f0, R_TIMER = 0x100 };
#define CONF_ENABLE 1u
#define CONF_LEGACY 2u

/* Timer configuration bits. */
#define TN_LEVEL (1u << 1)
#define TN_INT_EN (1u << 2)
#define TN_PERIODIC (1u << 3)
#define TN_PER_CAP (1u << 4)
#define TN_SIZE_CAP (1u << 5)
#define TN_SETVAL (1u << 6)
#define TN_32BIT (1u << 8)
#define TN_ROUTE_SHIFT 9
#define TN_WRITABLE (TN_LEVEL | TN_INT_EN | TN_PERIODIC | TN_SETVAL | TN_32BIT | (0x1fu << TN_ROUTE_SHIFT))

#define PERIOD_FS (1000000000000000ull / HPET_FREQ_HZ)
#define NS_PER_TICK (1000000000u / HPET_FREQ_HZ)
/* Deadlines further than this many ticks away are not armed (counter wrap in 64-bit mode). */
#define MAX_ARM_TICKS (1ull << 56)

struct hpet_timer {
    struct hpet *h;
    int n;
    uint64_t conf, cmp, period;
    uint64_t target;                /* absolute counter value of the next match */
    bool armed;
    struct timer *t;
};

struct hpet {
    struct hpet_config cfg;
    struct clock *clock;
    uint64_t conf, isr;
    uint64_t counter_base;          /* counter value at base_ns (or frozen value when halted) */
    int64_t base_ns;
    struct hpet_timer tm[HPET_TIMERS];
};

static bool running(const struct hpet *h) { return h->conf & CONF_ENABLE; }
bool hpet_legacy_mode(const struct hpet *h) { return (h->conf & (CONF_ENABLE | CONF_LEGACY)) == (CONF_ENABLE | CONF_LEGACY); }

static uint64_t counter(struct hpet *h)
{
    if (!running(h))
        return h->counter_base;
    int64_t d = clock_ns(h->clock) - h->base_ns;
    return h->counter_base + (d > 0 ? (uint64_t)d / NS_PER_TICK : 0);
}

static uint64_t tmask(const struct hpet_timer *t) { return t->conf & TN_32BIT ? 0xffffffffull : ~0ull; }

/* The line timer t drives now (legacy replacement or its I/O APIC route), or NULL. */
static const struct irq_line *route(const struct hpet_timer *t)
{
    const struct hpet *h = t->h;
    if (hpet_legacy_mode(h) && t->n < 2)
        return h->cfg.legacy[t->n];
    unsigned r = (unsigned)(t->conf >> TN_ROUTE_SHIFT) & 0x1f;
    if (r >= HPET_GSIS || !(h->cfg.route_cap >> r & 1))
        return NULL;
    return h->cfg.gsi[r];
}

/* Sets (fire) or clears the timer's interrupt: level mode keeps the status bit and the line high. */
static void set_irq(struct hpet_timer *t, bool fire)
{
    struct hpet *h = t->h;
    uint64_t bit = 1ull << t->n;
    const struct irq_line *l = route(t);
    if (!fire || !(t->conf & TN_INT_EN) || !running(h)) {
        if (h->isr & bit) {
            h->isr &= ~bit;
            irq_lower(l);
        }
        return;
    }
    if (t->conf & TN_LEVEL) {
        h->isr |= bit;
        irq_raise(l);
    } else {
        irq_pulse(l);
    }
}

static void arm(struct hpet_timer *t)
{
    struct hpet *h = t->h;
    t->armed = false;
    if (!running(h) || !(t->conf & TN_INT_EN)) {
        timer_del(t->t);
        return;
    }
    uint64_t c = counter(h);
    uint64_t d = (t->cmp - c) & tmask(t);
    if (d == 0)
        d = tmask(t) == ~0ull ? 0 : tmask(t) + 1;   /* just matched: next match after a wrap */
    if (d == 0 || d > MAX_ARM_TICKS) {
        timer_del(t->t);
        return;
    }
    t->target = c + d;
    t->armed = true;
    timer_mod(t->t, h->base_ns + (int64_t)((t->target - h->counter_base) * NS_PER_TICK));
}

static void tick_cb(void *opaque)
{
    struct hpet_timer *t = opaque;
    struct hpet *h = t->h;
    if (!t->armed || !running(h))
        return;
    uint64_t c = counter(h);
    if (c < t->target) {
        timer_mod(t->t, h->base_ns + (int64_t)((t->target - h->counter_base) * NS_PER_TICK));
        return;
    }
    set_irq(t, true);
    uint64_t m = tmask(t), p = t->period & m;
    t->armed = false;
    if (!(t->conf & TN_PERIODIC) || p == 0) {
        if (m == ~0ull) {
            timer_del(t->t);        /* 64-bit one-shot: done (32-bit: again after the wrap) */
            return;
        }
    } else {
        /* next period after now (missed periods are dropped, not replayed) */
        uint64_t late = (c - t->target) & m;
        t->cmp = (t->target + (late / p + 1) * p) & m;
    }
    arm(t);
}

static void set_enable(struct hpet *h, uint64_t conf)
{
    bool was_legacy = hpet_legacy_mode(h);
    uint64_t c = counter(h);
    bool was = running(h);
    if (was && !(conf & CONF_ENABLE))
        for (int i = 0; i < HPET_TIMERS; i++)
            set_irq(&h->tm[i], false);
    h->conf = conf & (CONF_ENABLE | CONF_LEGACY);
    h->counter_base = c;
    h->base_ns = clock_ns(h->clock);
    if (was_legacy != hpet_legacy_mode(h) && h->cfg.legacy_changed)
        h->cfg.legacy_changed(h->cfg.opaque, hpet_legacy_mode(h));
    for (int i = 0; i < HPET_TIMERS; i++)
        arm(&h->tm[i]);
}

/* ---------------------------------------------------------------- registers (64-bit view) */

static uint64_t read64(struct hpet *h, uint32_t reg)
{
    switch (reg) {
    case R_CAP:
        return 1u | ((HPET_TIMERS - 1u) << 8) | (1u << 13) | (1u << 15) | (0x8086u << 16) |
               (PERIOD_FS << 32);
    case R_CONF: return h->conf;
    case R_ISR: return h->isr;
    case R_COUNTER: return counter(h);
    default:
        if (reg >= R_TIMER && reg < R_TIMER + 0x20 * HPET_TIMERS) {
            struct hpet_timer *t = &h->tm[(reg - R_TIMER) / 0x20];
            switch ((reg - R_TIMER) % 0x20) {
            case 0x00: return t->conf | TN_PER_CAP | TN_SIZE_CAP | ((uint64_t)h->cfg.route_cap << 32);
            case 0x08: return t->cmp;
            default: return 0;      /* FSB route: not supported */
            }
        }
        return 0;
    }
}

/* Writes the bits of mask in reg to v (a 4-byte access covers one half). */
static void write64(struct hpet *h, uint32_t reg, uint64_t v, uint64_t mask)
{
    switch (reg) {
    case R_CONF:
        set_enable(h, (h->conf & ~mask) | (v & mask));
        return;
    case R_ISR: {
        uint64_t clr = v & mask & h->isr;
        for (int i = 0; i < HPET_TIMERS; i++)
            if (clr >> i & 1)
                set_irq(&h->tm[i], false);
        return;
    }
    case R_COUNTER:
        h->counter_base = (counter(h) & ~mask) | (v & mask);
        h->base_ns = clock_ns(h->clock);
        for (int i = 0; i < HPET_TIMERS; i++)
            arm(&h->tm[i]);
        return;
    default:
        break;
    }
    if (reg < R_TIMER || reg >= R_TIMER + 0x20 * HPET_TIMERS)
        return;
    struct hpet_timer *t = &h->tm[(reg - R_TIMER) / 0x20];
    switch ((reg - R_TIMER) % 0x20) {
    case 0x00: {
        const struct irq_line *old_route = route(t);
        uint64_t nc = (t->conf & ~mask) | (v & mask);
        nc &= TN_WRITABLE;
        if ((h->isr >> t->n & 1) && (!(nc & TN_LEVEL) || !(nc & TN_INT_EN) || route(t) != old_route))
            set_irq(t, false);      /* an active level interrupt goes away */
        t->conf = nc;
        if (nc & TN_32BIT) {
            t->cmp &= 0xffffffffu;
            t->period &= 0xffffffffu;
        }
        break;
    }
    case 0x08: {
        uint64_t m = mask & tmask(t);
        if (!(t->conf & TN_PERIODIC) || (t->conf & TN_SETVAL))
            t->cmp = (t->cmp & ~m) | (v & m);
        if (t->conf & TN_PERIODIC)
            t->period = (t->period & ~m) | (v & m);
        t->conf &= ~(uint64_t)TN_SETVAL;
        break;
    }
    default:
        return;
    }
    arm(t);
}

uint64_t hpet_read(struct hpet *h, uint32_t off, unsigned size)
{
    if (off >= HPET_MMIO_SIZE)
        return 0;
    uint64_t v = read64(h, off & ~7u);
    if (size == 8)
        return v;
    return (uint32_t)(off & 4 ? v >> 32 : v);
}

void hpet_write(struct hpet *h, uint32_t off, uint64_t v, unsigned size)
{
    if (off >= HPET_MMIO_SIZE)
        return;
    if (size == 8)
        write64(h, off & ~7u, v, ~0ull);
    else if (off & 4)
        write64(h, off & ~7u, v << 32, 0xffffffff00000000ull);
    else
        write64(h, off & ~7u, v & 0xffffffffu, 0xffffffffull);
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    return hpet_read(opaque, (uint32_t)off, size);
}

static void mmio_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    hpet_write(opaque, (uint32_t)off, v, size);
}

const struct bus_ops hpet_mmio_ops = { mmio_read, mmio_write, 4, 8, false };

/* ---------------------------------------------------------------- lifecycle */

void hpet_reset(struct hpet *h)
{
    if (running(h))
        set_enable(h, 0);
    h->conf = 0;
    h->isr = 0;
    h->counter_base = 0;
    h->base_ns = clock_ns(h->clock);
    for (int i = 0; i < HPET_TIMERS; i++) {
        struct hpet_timer *t = &h->tm[i];
        t->conf = 0;
        t->cmp = ~0ull;
        t->period = 0;
        t->armed = false;
        timer_del(t->t);
    }
}

struct hpet *hpet_new(struct clock *clock, const struct hpet_config *cfg)
{
    struct hpet *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return NULL;
    h->cfg = *cfg;
    h->clock = clock;
    for (int i = 0; i < HPET_TIMERS; i++) {
        h->tm[i].h = h;
        h->tm[i].n = i;
        h->tm[i].t = clock_timer_new(clock, tick_cb, &h->tm[i]);
        if (h->tm[i].t == NULL) {
            hpet_free(h);
            return NULL;
        }
    }
    hpet_reset(h);
    return h;
}

void hpet_free(struct hpet *h)
{
    if (h == NULL)
        return;
    for (int i = 0; i < HPET_TIMERS; i++)
        if (h->tm[i].t)
            timer_free(h->tm[i].t);
    free(h);
}

void hpet_dump(struct hpet *h, FILE *out)
{
    fprintf(out, "hpet: %s%s, counter %#llx, status %#llx\n", running(h) ? "running" : "halted",
            hpet_legacy_mode(h) ? ", legacy replacement" : "", (unsigned long long)counter(h),
            (unsigned long long)h->isr);
    for (int i = 0; i < HPET_TIMERS; i++)
        fprintf(out, "  timer %d: conf %#llx cmp %#llx period %#llx\n", i,
                (unsigned long long)h->tm[i].conf, (unsigned long long)h->tm[i].cmp,
                (unsigned long long)h->tm[i].period);
}
