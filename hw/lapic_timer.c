/* SPDX-License-Identifier: MIT */
/* lapic_timer.c: the local APIC timer: current count, divider, one-shot, periodic and TSC-deadline expiry. */
#include "hw/lapic_int.h"

/* ns for n counts at the current divider. */
static int64_t counts_ns(const struct lapic *l, uint64_t n)
{
    return clock_ticks_to_ns(n * l->div, l->cfg.bus_hz);
}

static uint64_t elapsed_counts(struct lapic *l)
{
    int64_t d = clock_ns(l->clock) - l->start_ns;
    return d <= 0 ? 0 : clock_ns_to_ticks(d, l->cfg.bus_hz) / l->div;
}

uint32_t lapic_current_count(struct lapic *l)
{
    if (l->init_count == 0 || lapic_timer_mode(l) == TIMER_DEADLINE)
        return 0;
    uint64_t e = elapsed_counts(l);
    if (lapic_timer_mode(l) == TIMER_PERIODIC)
        return (uint32_t)(l->init_count - e % l->init_count);
    return e >= l->init_count ? 0 : (uint32_t)(l->init_count - e);
}

/* Arms the clock timer for the next expiry of the current mode, or disarms it. */
void lapic_timer_arm(struct lapic *l)
{
    int64_t when = CLOCK_NEVER;
    if (lapic_timer_mode(l) == TIMER_DEADLINE) {
        if (l->deadline)
            when = clock_ticks_to_ns(l->deadline, l->cfg.tsc_hz);
    } else if (l->init_count) {
        uint64_t e = elapsed_counts(l);
        if (lapic_timer_mode(l) == TIMER_PERIODIC)
            when = l->start_ns + counts_ns(l, (e / l->init_count + 1) * l->init_count);
        else if (!l->oneshot_done)
            when = l->start_ns + counts_ns(l, l->init_count);
    }
    if (when == CLOCK_NEVER)
        timer_del(l->timer);
    else
        timer_mod(l->timer, when);
}

void lapic_tick_cb(void *opaque)
{
    struct lapic *l = opaque;
    int64_t now = clock_ns(l->clock);

    if (lapic_timer_mode(l) == TIMER_DEADLINE) {
        if (!l->deadline || now < clock_ticks_to_ns(l->deadline, l->cfg.tsc_hz)) {
            lapic_timer_arm(l);
            return;
        }
        l->deadline = 0;
    } else if (lapic_timer_mode(l) == TIMER_PERIODIC) {
        if (l->init_count == 0)
            return;
    } else {
        if (l->init_count == 0 || l->oneshot_done)
            return;
        if (elapsed_counts(l) < l->init_count) {
            lapic_timer_arm(l);
            return;
        }
        l->oneshot_done = true;
    }
    lapic_lvt_fire(l, LVT_TIMER);
    lapic_timer_arm(l);
}

uint64_t lapic_get_tsc_deadline(struct lapic *l)
{
    return lapic_timer_mode(l) == TIMER_DEADLINE ? l->deadline : 0;
}

void lapic_set_tsc_deadline(struct lapic *l, uint64_t tsc)
{
    if (lapic_timer_mode(l) != TIMER_DEADLINE)
        return;                     /* ignored outside TSC-deadline mode */
    l->deadline = tsc;
    lapic_timer_arm(l);
}

void lapic_timer_set_init(struct lapic *l, uint32_t v)
{
    l->init_count = v;
    l->start_ns = clock_ns(l->clock);
    l->oneshot_done = false;
    if (lapic_timer_mode(l) != TIMER_DEADLINE)
        lapic_timer_arm(l);
}

void lapic_timer_set_div(struct lapic *l, uint32_t v)
{
    /* keep the current count where it is when the divider changes */
    uint32_t cur = lapic_current_count(l);
    l->div_conf = v & 0xb;
    unsigned code = ((v >> 1) & 4) | (v & 3);
    l->div = code == 7 ? 1 : 2u << code;
    if (l->init_count && cur) {
        uint64_t done = l->init_count - cur;
        l->start_ns = clock_ns(l->clock) - counts_ns(l, done);
    }
    lapic_timer_arm(l);
}
