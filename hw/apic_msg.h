/* SPDX-License-Identifier: MIT */
/* apic_msg.h: an interrupt message on the (virtual) APIC bus: I/O APIC or HPET -> local APIC. */
#ifndef KILN_HW_APIC_MSG_H
#define KILN_HW_APIC_MSG_H

#include <stdbool.h>
#include <stdint.h>

/* Delivery modes (the same 3-bit encoding in the ICR, the LVT and redirection entries). */
enum apic_dm {
    APIC_DM_FIXED = 0,
    APIC_DM_LOWEST = 1,
    APIC_DM_SMI = 2,
    APIC_DM_NMI = 4,
    APIC_DM_INIT = 5,
    APIC_DM_SIPI = 6,
    APIC_DM_EXTINT = 7,
};

struct apic_msg {
    uint8_t vector;
    uint8_t delivery;       /* enum apic_dm */
    uint8_t dest;           /* APIC ID (physical) or MDA (logical); 0xff = broadcast */
    bool logical;           /* destination mode */
    bool level;             /* level-triggered: the target sets TMR and broadcasts its EOI */
};

/* Where a sender hands its messages (the board connects it to the local APIC). */
struct apic_sink {
    void (*deliver)(void *opaque, const struct apic_msg *msg);
    void *opaque;
};

static inline void apic_send(const struct apic_sink *s, const struct apic_msg *msg)
{
    if (s && s->deliver)
        s->deliver(s->opaque, msg);
}

#endif
