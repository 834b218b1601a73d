/* SPDX-License-Identifier: MIT */
/* pit.c: 8254 counters computed from virtual time: modes 0-5, BCD, latches, read-back, gates. */
#include <stdlib.h>
#include "hw/pit.h"

struct pit_ch {
    struct pit *pit;
    int idx;
    uint8_t mode, rw, bcd;
    uint32_t n;                 /* reload value in ticks (1..65536 / 10000) */
    uint8_t lsb_pending;        /* first byte of a 2-byte count */
    bool write_msb, read_msb;
    uint16_t latch;             /* latched count */
    uint8_t latch_bytes;        /* bytes of the latched count still to read */
    bool latch_msb;
    bool status_latched;
    uint8_t status;
    bool null_count;
    bool counting;              /* count loaded and started */
    bool out_idle;              /* OUT while not counting */
    bool gate;
    bool frozen;                /* gate low stopped the count */
    uint64_t frozen_d;
    int64_t load_ns;            /* virtual time of tick 0 */
    bool has_pending;           /* mode 2/3: new count waits for the period end */
    uint32_t pending_n;
    uint64_t reload_tick;
    const struct irq_line *irq;
    struct timer *timer;
    uint64_t timer_tick;        /* the OUT change the timer is armed for */
    bool irq_level;
};

struct pit {
    struct pit_ch ch[3];
    struct clock *clock;
    struct bus *io;
    struct bus_region *regs, *port61_reg;
    uint8_t port61;             /* bits 0-3 as written */
};

static int64_t now_ns(const struct pit_ch *c) { return clock_ns(c->pit->clock); }

static uint64_t elapsed(const struct pit_ch *c, int64_t now)
{
    if (c->frozen)
        return c->frozen_d;
    return clock_ns_to_ticks(now - c->load_ns, PIT_FREQ_HZ);
}

static int64_t tick_time(const struct pit_ch *c, uint64_t tick)
{
    return c->load_ns + clock_ticks_to_ns(tick, PIT_FREQ_HZ);
}

/* Mode 2/3: a count written while running takes over at the end of the period. */
static void settle(struct pit_ch *c, int64_t now)
{
    if (c->has_pending && !c->frozen && elapsed(c, now) >= c->reload_tick) {
        c->load_ns = tick_time(c, c->reload_tick);
        c->n = c->pending_n;
        c->has_pending = false;
    }
}

static bool out_at(const struct pit_ch *c, uint64_t d)
{
    uint64_t n = c->n;
    if (!c->counting)
        return c->out_idle;
    switch (c->mode) {
    case 0:
    case 1:
        return d >= n;
    case 2:
        return !c->gate || n == 1 || (d % n) != n - 1;
    case 3:
        return !c->gate || n == 1 || (d % n) < (n + 1) / 2;
    default:            /* 4, 5 */
        return d != n;
    }
}

/* The tick of the next OUT change after tick d, or 0 if none is coming. */
static uint64_t next_change(const struct pit_ch *c, uint64_t d)
{
    uint64_t n = c->n, next = 0, r, base;
    if ((c->mode == 2 || c->mode == 3) && n == 1)
        return c->has_pending ? c->reload_tick : 0;    /* illegal count: OUT stays high */
    switch (c->mode) {
    case 0:
    case 1:
        next = d < n ? n : 0;
        break;
    case 2:
        r = d % n;
        base = d - r;
        next = r < n - 1 ? base + n - 1 : base + n;
        break;
    case 3:
        r = d % n;
        base = d - r;
        next = r < (n + 1) / 2 ? base + (n + 1) / 2 : base + n;
        break;
    default:
        next = d < n ? n : (d == n ? n + 1 : 0);
        break;
    }
    if (c->has_pending && (next == 0 || c->reload_tick < next))
        next = c->reload_tick;
    return next;
}

static uint16_t count_at(const struct pit_ch *c, uint64_t d)
{
    uint64_t n = c->n, m = c->bcd ? 10000 : 65536, v;
    if (!c->counting)
        return (uint16_t)(n % m);
    switch (c->mode) {
    case 2:
        v = n - d % n;
        break;
    case 3:
        v = n - (2 * d) % n;
        break;
    default:
        v = (n + m - d % m) % m;
        break;
    }
    return (uint16_t)(v % m);
}

static uint16_t to_bcd(uint16_t v)
{
    return (uint16_t)((v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 | (v / 1000 % 10) << 12);
}

/* Drives the IRQ with OUT at tick d and arms the timer for the change after it. */
static void drive_at(struct pit_ch *c, uint64_t d)
{
    bool out = out_at(c, d);
    if (out != c->irq_level) {
        c->irq_level = out;
        irq_set(c->irq, out);
    }
    uint64_t next = (c->counting && !c->frozen) ? next_change(c, d) : 0;
    c->timer_tick = next;
    if (next)
        timer_mod(c->timer, tick_time(c, next));
    else
        timer_del(c->timer);
}

/* Re-evaluates OUT now (after a register or gate change). */
static void update(struct pit_ch *c)
{
    if (!c->irq)
        return;
    int64_t now = now_ns(c);
    settle(c, now);
    drive_at(c, elapsed(c, now));
}

/*
 * A timer that runs late must not swallow short OUT pulses (mode 2 is low
 * for one tick): evaluate at the tick it was armed for; the clock runs it
 * again at once for the following changes. Far behind (a long stall), skip
 * to the last period so at most a few edges are replayed.
 */
static void timer_fired(void *opaque)
{
    struct pit_ch *c = opaque;
    int64_t now = now_ns(c);
    uint64_t d_now = elapsed(c, now), tick = c->timer_tick;
    if (!tick || c->frozen || tick > d_now) {
        update(c);
        return;
    }
    if (c->has_pending && tick >= c->reload_tick) {
        c->load_ns = tick_time(c, c->reload_tick);  /* the new count starts here */
        c->n = c->pending_n;
        c->has_pending = false;
        d_now = elapsed(c, now);
        tick = 0;
    }
    if ((c->mode == 2 || c->mode == 3) && d_now > c->n * 2 && tick < d_now - c->n * 2)
        tick = next_change(c, d_now - c->n - 1);
    drive_at(c, tick);
}

static void start(struct pit_ch *c, int64_t now)
{
    c->load_ns = now;
    c->counting = true;
    c->null_count = false;
    c->has_pending = false;
    c->frozen = false;
    if (!c->gate && (c->mode == 0 || c->mode == 4 || c->mode == 2 || c->mode == 3)) {
        c->frozen = true;       /* loaded, waits for the gate */
        c->frozen_d = 0;
    }
}

static void load_count(struct pit_ch *c, uint16_t raw)
{
    int64_t now = now_ns(c);
    uint32_t n;
    if (c->bcd) {
        n = (raw & 15) + (raw >> 4 & 15) * 10 + (raw >> 8 & 15) * 100 + (raw >> 12 & 15) * 1000;
        if (n == 0)
            n = 10000;
    } else {
        n = raw ? raw : 65536;
    }
    settle(c, now);
    c->null_count = true;
    switch (c->mode) {
    case 1:
    case 5:                     /* takes effect at the next gate trigger */
        c->pending_n = n;
        if (!c->counting)
            c->n = n;
        c->has_pending = false;
        break;
    case 2:
    case 3:
        if (c->counting && !c->frozen) {
            uint64_t d = elapsed(c, now);
            c->pending_n = n;
            c->reload_tick = (d / c->n + 1) * c->n;
            c->has_pending = true;
            break;
        }
        c->n = n;
        start(c, now);
        break;
    default:                    /* 0, 4: restart now */
        c->n = n;
        start(c, now);
        break;
    }
    update(c);
}

static void control_word(struct pit_ch *c, uint8_t val)
{
    c->rw = (val >> 4) & 3;
    c->mode = (val >> 1) & 7;
    if (c->mode > 5)
        c->mode -= 4;
    c->bcd = val & 1;
    c->write_msb = c->read_msb = false;
    c->latch_bytes = 0;
    c->status_latched = false;
    c->counting = false;
    c->has_pending = false;
    c->pending_n = 0;
    c->frozen = false;
    c->null_count = true;
    c->out_idle = c->mode != 0;
    update(c);
}

static uint8_t status_of(struct pit_ch *c, int64_t now)
{
    settle(c, now);
    return (uint8_t)((out_at(c, elapsed(c, now)) ? 0x80 : 0) | (c->null_count ? 0x40 : 0) |
                     c->rw << 4 | c->mode << 1 | c->bcd);
}

static void latch_count(struct pit_ch *c, int64_t now)
{
    if (c->latch_bytes)
        return;                 /* a latched count is held until read */
    settle(c, now);
    uint16_t v = count_at(c, elapsed(c, now));
    c->latch = c->bcd ? to_bcd(v) : v;
    c->latch_bytes = c->rw == 3 ? 2 : 1;
    c->latch_msb = c->rw == 2;
}

static void write_cmd(struct pit *p, uint8_t val)
{
    int sc = val >> 6;
    int64_t now = clock_ns(p->clock);
    if (sc == 3) {              /* read-back */
        for (int i = 0; i < 3; i++) {
            if (!(val & (2 << i)))
                continue;
            struct pit_ch *c = &p->ch[i];
            if (!(val & 0x20))
                latch_count(c, now);
            if (!(val & 0x10) && !c->status_latched) {
                c->status = status_of(c, now);
                c->status_latched = true;
            }
        }
        return;
    }
    struct pit_ch *c = &p->ch[sc];
    if (((val >> 4) & 3) == 0)
        latch_count(c, now);
    else
        control_word(c, val);
}

static uint8_t read_counter(struct pit_ch *c)
{
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->latch_bytes) {
        uint8_t b = c->latch_msb ? c->latch >> 8 : c->latch & 0xff;
        c->latch_msb = !c->latch_msb;
        c->latch_bytes--;
        return b;
    }
    int64_t now = now_ns(c);
    settle(c, now);
    uint16_t v = count_at(c, elapsed(c, now));
    if (c->bcd)
        v = to_bcd(v);
    switch (c->rw) {
    case 1:
        return v & 0xff;
    case 2:
        return v >> 8;
    default:
        c->read_msb = !c->read_msb;
        return c->read_msb ? v & 0xff : v >> 8;
    }
}

static void write_counter(struct pit_ch *c, uint8_t val)
{
    switch (c->rw) {
    case 1:
        load_count(c, val);
        break;
    case 2:
        load_count(c, (uint16_t)(val << 8));
        break;
    case 3:
        if (!c->write_msb) {
            c->lsb_pending = val;
            c->write_msb = true;
            if (c->mode == 0) {         /* the first byte stops mode 0 counting */
                c->counting = false;
                c->out_idle = false;
                update(c);
            }
        } else {
            c->write_msb = false;
            load_count(c, (uint16_t)(c->lsb_pending | val << 8));
        }
        break;
    default:
        break;                          /* not programmed yet */
    }
}

static uint64_t pit_read(void *opaque, uint64_t off, unsigned size)
{
    struct pit *p = opaque;
    return off < 3 ? read_counter(&p->ch[off]) : 0xff;
}

static void pit_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct pit *p = opaque;
    if (off < 3)
        write_counter(&p->ch[off], (uint8_t)val);
    else
        write_cmd(p, (uint8_t)val);
}

void pit_set_gate(struct pit *p, int ch, bool level)
{
    if (ch < 0 || ch > 2)
        return;
    struct pit_ch *c = &p->ch[ch];
    if (c->gate == level)
        return;
    int64_t now = clock_ns(p->clock);
    settle(c, now);
    switch (c->mode) {
    case 0:
    case 4:                             /* gate low suspends counting */
        if (!level && c->counting && !c->frozen) {
            c->frozen_d = elapsed(c, now);
            c->frozen = true;
        } else if (level && c->frozen) {
            c->load_ns = now - clock_ticks_to_ns(c->frozen_d, PIT_FREQ_HZ);
            c->frozen = false;
        }
        break;
    case 1:
    case 5:                             /* rising edge (re)triggers */
        if (level && c->pending_n) {
            c->n = c->pending_n;
            c->load_ns = now;
            c->counting = true;
            c->null_count = false;
        }
        break;
    default:                            /* 2, 3: low stops, rising reloads */
        if (!level && c->counting) {
            c->frozen_d = elapsed(c, now);
            c->frozen = true;
        } else if (level && c->counting) {
            if (c->has_pending) {
                c->n = c->pending_n;
                c->has_pending = false;
            }
            c->load_ns = now;
            c->frozen = false;
        }
        break;
    }
    c->gate = level;
    update(c);
}

static uint64_t port61_read(void *opaque, uint64_t off, unsigned size)
{
    struct pit *p = opaque;
    int64_t now = clock_ns(p->clock);
    uint8_t v = p->port61 & 0x0f;
    if ((now / 15085) & 1)
        v |= 0x10;                      /* DRAM refresh request toggle */
    if (pit_out(p, 2))
        v |= 0x20;
    return v;
}

static void port61_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct pit *p = opaque;
    p->port61 = (uint8_t)val & 0x0f;
    pit_set_gate(p, 2, val & 1);
}

static const struct bus_ops pit_ops = { pit_read, pit_write, 1, 1, false };
static const struct bus_ops port61_ops = { port61_read, port61_write, 1, 1, false };

struct pit *pit_init(struct bus *io, struct clock *clock, uint16_t base,
                     uint16_t port61, const struct irq_line *irq0)
{
    struct pit *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->clock = clock;
    p->io = io;
    for (int i = 0; i < 3; i++) {
        struct pit_ch *c = &p->ch[i];
        c->pit = p;
        c->idx = i;
        c->gate = i != 2;               /* channels 0 and 1 have GATE tied high */
        c->n = 65536;
        c->mode = 3;
        c->out_idle = true;
    }
    p->ch[0].irq = irq0;
    p->ch[0].timer = clock_timer_new(clock, timer_fired, &p->ch[0]);
    p->regs = bus_register(io, base, 4, &pit_ops, p, "pit");
    if (port61)
        p->port61_reg = bus_register(io, port61, 1, &port61_ops, p, "port61");
    if (!p->ch[0].timer || !p->regs || (port61 && !p->port61_reg)) {
        pit_free(p);
        return NULL;
    }
    return p;
}

void pit_free(struct pit *p)
{
    if (!p)
        return;
    timer_free(p->ch[0].timer);
    if (p->regs)
        bus_unregister(p->io, p->regs);
    if (p->port61_reg)
        bus_unregister(p->io, p->port61_reg);
    free(p);
}

static struct pit_ch *chan(struct pit *p, int ch) { return &p->ch[ch >= 0 && ch < 3 ? ch : 0]; }

bool pit_out(struct pit *p, int ch)
{
    struct pit_ch *c = chan(p, ch);
    int64_t now = clock_ns(p->clock);
    settle(c, now);
    return out_at(c, elapsed(c, now));
}

uint16_t pit_count(struct pit *p, int ch)
{
    struct pit_ch *c = chan(p, ch);
    int64_t now = clock_ns(p->clock);
    settle(c, now);
    return count_at(c, elapsed(c, now));
}

int pit_mode(const struct pit *p, int ch) { return p->ch[ch >= 0 && ch < 3 ? ch : 0].mode; }
uint32_t pit_reload(const struct pit *p, int ch) { return p->ch[ch >= 0 && ch < 3 ? ch : 0].n; }
