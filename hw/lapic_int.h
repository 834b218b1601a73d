/* SPDX-License-Identifier: MIT */
/* lapic_int.h: local APIC internals shared by hw/lapic.c and hw/lapic_timer.c. */
#ifndef KILN_HW_LAPIC_INT_H
#define KILN_HW_LAPIC_INT_H

#include "hw/lapic.h"

/* Register offsets. */
enum {
    R_ID = 0x20, R_VER = 0x30, R_TPR = 0x80, R_APR = 0x90, R_PPR = 0xa0, R_EOI = 0xb0,
    R_RRD = 0xc0, R_LDR = 0xd0, R_DFR = 0xe0, R_SVR = 0xf0, R_ISR = 0x100, R_TMR = 0x180,
    R_IRR = 0x200, R_ESR = 0x280, R_CMCI = 0x2f0, R_ICR_LO = 0x300, R_ICR_HI = 0x310,
    R_LVT = 0x320, R_INIT_COUNT = 0x380, R_CUR_COUNT = 0x390, R_DIV = 0x3e0,
};
/* LVT entries, in register order from 0x320. */
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_N };

#define LVT_MASKED (1u << 16)
#define LVT_LEVEL (1u << 15)
#define LVT_REMOTE_IRR (1u << 14)
#define SVR_ENABLE (1u << 8)
#define ESR_SEND_ILLEGAL (1u << 5)
#define ESR_RECV_ILLEGAL (1u << 6)
#define ESR_ILLEGAL_REG (1u << 7)
#define VERSION 0x00050014u             /* xAPIC version 0x14, 6 LVT entries */

enum { TIMER_ONESHOT, TIMER_PERIODIC, TIMER_DEADLINE };

struct lapic {
    struct lapic_config cfg;
    struct clock *clock;
    struct timer *timer;
    uint64_t base;                  /* IA32_APIC_BASE */
    uint32_t id, tpr, ldr, dfr, svr, esr, esr_pending, icr_lo, icr_hi;
    uint32_t lvt[LVT_N];
    uint32_t irr[8], isr[8], tmr[8];
    /* timer */
    uint32_t init_count, div_conf;
    unsigned div;                   /* 1..128 */
    int64_t start_ns;               /* when init_count was loaded (counting from it) */
    bool oneshot_done;
    uint64_t deadline;              /* IA32_TSC_DEADLINE (0 = disarmed) */
    /* pins and output */
    int lint_level[2];
    bool extint_msg;                /* an ExtINT message from the I/O APIC waits for INTA */
    bool intr_out;
    struct irq_line lint[2];
};

static inline unsigned lapic_timer_mode(const struct lapic *l) { return (l->lvt[LVT_TIMER] >> 17) & 3; }

/* An LVT source fires (timer, error...): fixed, NMI or ExtINT delivery (lapic.c). */
void lapic_lvt_fire(struct lapic *l, int idx);

/* The timer (lapic_timer.c). */
/* The current-count register. */
uint32_t lapic_current_count(struct lapic *l);
/* Arms the clock timer for the next expiry of the current mode, or disarms it. */
void lapic_timer_arm(struct lapic *l);
/* The clock timer's callback: fires LVT timer when the count or deadline is reached. */
void lapic_tick_cb(void *opaque);
/* Writes of the initial-count and divide-configuration registers. */
void lapic_timer_set_init(struct lapic *l, uint32_t v);
void lapic_timer_set_div(struct lapic *l, uint32_t v);

#endif
