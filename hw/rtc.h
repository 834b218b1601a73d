/* SPDX-License-Identifier: MIT */
/* rtc.h: the MC146818 real-time clock and its 128-byte CMOS RAM. */
#ifndef KILN_HW_RTC_H
#define KILN_HW_RTC_H

#include <stdbool.h>
#include <stdint.h>
#include "hw/irq.h"
#include "machine/bus.h"
#include "machine/clock.h"

/* CMOS offsets the board fills in (BIOS conventions). */
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d
#define RTC_CENTURY 0x32

struct rtc;

/*
 * Creates the RTC with its index port at base (bit 7 = NMI mask) and data
 * port at base + 1. The time starts at the clock's wallclock (UTC); the
 * interrupt output (IRQF of register C) drives irq.
 */
struct rtc *rtc_init(struct bus *io, struct clock *clock, uint16_t base,
                     const struct irq_line *irq);
void rtc_free(struct rtc *rtc);

/* Raw CMOS bytes 0x0e..0x7f (the board's setter); earlier offsets act as guest writes. */
void rtc_cmos_set(struct rtc *rtc, unsigned index, uint8_t value);
uint8_t rtc_cmos_get(struct rtc *rtc, unsigned index);
/*
 * Fills the memory-size bytes BIOSes read: 0x15-0x16 base KiB (640), 0x17-0x18
 * and 0x30-0x31 KiB above 1 MiB, 0x34-0x35 64 KiB units above 16 MiB, 0x5b-0x5d
 * 64 KiB units above 4 GiB; then updates the 0x2e-0x2f checksum.
 */
void rtc_set_memory(struct rtc *rtc, uint64_t below_4g, uint64_t above_4g);
/* Recomputes the standard checksum of 0x10-0x2d into 0x2e (high), 0x2f (low). */
void rtc_update_checksum(struct rtc *rtc);

/* True when the guest set the NMI-disable bit (port base bit 7). */
bool rtc_nmi_masked(const struct rtc *rtc);
/* The RTC's current time in seconds since the Unix epoch. */
int64_t rtc_time(struct rtc *rtc);
/* Moves the RTC to epoch seconds t (keeps the divider phase). */
void rtc_set_time(struct rtc *rtc, int64_t t);

#endif
