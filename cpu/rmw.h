/* SPDX-License-Identifier: MIT */
/* rmw.h: operation codes of the atomic read-modify-write helper (cpu/helpers_rmw.c). */
#ifndef KILN_CPU_RMW_H
#define KILN_CPU_RMW_H

/* helper_lock_rmw(kind | size << 8 | RMW_SS?, addr, src, extra) -> old value.
   extra: carry in (ADC/SBB), expected value (CMPXCHG). RMW_SS: the address is a
   stack-segment reference (#SS(0), not #GP(0), when non-canonical). */
#define RMW_SS (1u << 16)
enum {
    RMW_ADD, RMW_OR, RMW_ADC, RMW_SBB, RMW_AND, RMW_SUB, RMW_XOR, RMW_XCHG,
    RMW_NEG, RMW_NOT, RMW_CMPXCHG, RMW_BTS, RMW_BTR, RMW_BTC,
};

#endif
