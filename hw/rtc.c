/* SPDX-License-Identifier: MIT */
/* rtc.c: MC146818 time of day from virtual time, alarm/periodic/update IRQs, CMOS RAM. */
#include <stdlib.h>
#include "hw/rtc.h"

#define NS CLOCK_NS_PER_SEC
#define UIP_NS 244000           /* UIP is set this long before each update */

#define B_SET  0x80
#define B_PIE  0x40
#define B_AIE  0x20
#define B_UIE  0x10
#define B_DM   0x04             /* binary (not BCD) */
#define B_24H  0x02
#define C_IRQF 0x80
#define C_PF   0x40
#define C_AF   0x20
#define C_UF   0x10

struct rtc {
    uint8_t cmos[128];
    uint8_t index;
    bool nmi_masked;
    struct clock *clock;
    const struct irq_line *irq;
    struct bus *io;
    struct bus_region *regs;
    int64_t base_secs;          /* time during the second starting at base_ns */
    int64_t base_ns;            /* divider phase: updates at base_ns + k s */
    int64_t frozen_secs;        /* time held while updates are off */
    int64_t last_k;             /* last update accounted in register C */
    int64_t last_p;             /* last periodic tick accounted */
    struct timer *t_update, *t_periodic;
    bool irq_level;
};

/* ---- calendar (proleptic Gregorian, days since 1970-01-01) ---- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct rtc_tm { int64_t year; int mon, mday, hour, min, sec, wday; };

static void civil_from_secs(int64_t t, struct rtc_tm *tm)
{
    int64_t days = t / 86400, rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    tm->hour = (int)(rem / 3600);
    tm->min = (int)(rem / 60 % 60);
    tm->sec = (int)(rem % 60);
    tm->wday = (int)(((days % 7) + 11) % 7);    /* 1970-01-01 was a Thursday (4) */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    tm->mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    tm->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
    tm->year = yoe + era * 400 + (tm->mon <= 2);
}

static int64_t secs_from_civil(const struct rtc_tm *tm)
{
    return days_from_civil(tm->year, tm->mon, tm->mday) * 86400 +
           tm->hour * 3600 + tm->min * 60 + tm->sec;
}

/* ---- register encoding ---- */

static bool binary(const struct rtc *r) { return r->cmos[RTC_REG_B] & B_DM; }
static uint8_t enc(const struct rtc *r, int v) { return binary(r) ? (uint8_t)v : (uint8_t)((v / 10 % 10) << 4 | v % 10); }
static int dec(const struct rtc *r, uint8_t v) { return binary(r) ? v : (v >> 4) * 10 + (v & 15); }

static uint8_t enc_hour(const struct rtc *r, int h)
{
    if (r->cmos[RTC_REG_B] & B_24H)
        return enc(r, h);
    int h12 = h % 12 ? h % 12 : 12;
    return enc(r, h12) | (h >= 12 ? 0x80 : 0);
}

static int dec_hour(const struct rtc *r, uint8_t v)
{
    if (r->cmos[RTC_REG_B] & B_24H)
        return dec(r, v);
    int h = dec(r, v & 0x7f) % 12;
    return h + ((v & 0x80) ? 12 : 0);
}

/* ---- time base ---- */

static bool div_on(const struct rtc *r) { return (r->cmos[RTC_REG_A] & 0x60) != 0x60; }
static bool upd_on(const struct rtc *r) { return div_on(r) && !(r->cmos[RTC_REG_B] & B_SET); }

static int64_t update_index(const struct rtc *r, int64_t now)
{
    int64_t d = now - r->base_ns;
    return d >= 0 ? d / NS : -((-d + NS - 1) / NS);
}

static int64_t cur_secs(const struct rtc *r, int64_t now)
{
    return upd_on(r) ? r->base_secs + update_index(r, now) : r->frozen_secs;
}

static void set_secs(struct rtc *r, int64_t now, int64_t secs)
{
    if (upd_on(r))
        r->base_secs = secs - update_index(r, now);
    else
        r->frozen_secs = secs;
}

static uint64_t period_cycles(const struct rtc *r)
{
    unsigned rs = r->cmos[RTC_REG_A] & 15;
    if (!rs)
        return 0;
    return rs <= 2 ? 1u << (rs + 6) : 1u << (rs - 1);
}

static int64_t periodic_index(const struct rtc *r, int64_t now, uint64_t cyc)
{
    int64_t d = now - r->base_ns;
    if (d < 0)
        return -1;
    return (int64_t)((unsigned __int128)d * 32768 / ((unsigned __int128)NS * cyc));
}

static bool alarm_match(const struct rtc *r, int64_t secs)
{
    struct rtc_tm tm;
    civil_from_secs(secs, &tm);
    uint8_t cur[3] = { enc(r, tm.sec), enc(r, tm.min), enc_hour(r, tm.hour) };
    for (int i = 0; i < 3; i++) {
        uint8_t a = r->cmos[1 + 2 * i];
        if ((a & 0xc0) != 0xc0 && a != cur[i])
            return false;
    }
    return true;
}

static void update_irq(struct rtc *r)
{
    uint8_t c = r->cmos[RTC_REG_C] & 0x70;
    if (c & r->cmos[RTC_REG_B] & (B_PIE | B_AIE | B_UIE))
        c |= C_IRQF;
    r->cmos[RTC_REG_C] = c;
    bool level = c & C_IRQF;
    if (level != r->irq_level) {
        r->irq_level = level;
        irq_set(r->irq, level);
    }
}

/* Accounts the updates and periodic ticks that happened up to now in register C. */
static void sync(struct rtc *r, int64_t now)
{
    if (upd_on(r)) {
        int64_t k = update_index(r, now);
        if (k > r->last_k) {
            r->cmos[RTC_REG_C] |= C_UF;
            int64_t from = r->last_k + 1;
            if (k - from > 86400)
                from = k - 86400;
            for (int64_t j = k; j >= from; j--) {
                if (alarm_match(r, r->base_secs + j)) {
                    r->cmos[RTC_REG_C] |= C_AF;
                    break;
                }
            }
            r->last_k = k;
        }
    }
    uint64_t cyc = period_cycles(r);
    if (div_on(r) && cyc) {
        int64_t p = periodic_index(r, now, cyc);
        if (p > r->last_p) {
            r->cmos[RTC_REG_C] |= C_PF;
            r->last_p = p;
        }
    }
    update_irq(r);
}

/* Restarts the accounting of updates/ticks from now (after a rate or mode change). */
static void resync_counters(struct rtc *r, int64_t now)
{
    r->last_k = update_index(r, now);
    uint64_t cyc = period_cycles(r);
    r->last_p = cyc ? periodic_index(r, now, cyc) : 0;
}

static void arm_timers(struct rtc *r)
{
    uint8_t b = r->cmos[RTC_REG_B];
    uint64_t cyc = period_cycles(r);
    if (div_on(r) && cyc && (b & B_PIE)) {
        unsigned __int128 t = ((unsigned __int128)(r->last_p + 1) * cyc * NS + 32767) / 32768;
        timer_mod(r->t_periodic, r->base_ns + (int64_t)t);
    } else {
        timer_del(r->t_periodic);
    }
    if (upd_on(r) && (b & (B_UIE | B_AIE)))
        timer_mod(r->t_update, r->base_ns + (r->last_k + 1) * NS);
    else
        timer_del(r->t_update);
}

static void rtc_timer_fired(void *opaque)
{
    struct rtc *r = opaque;
    sync(r, clock_ns(r->clock));
    arm_timers(r);
}

/* ---- registers ---- */

static uint8_t read_reg(struct rtc *r, unsigned idx)
{
    int64_t now = clock_ns(r->clock);
    struct rtc_tm tm;
    if (idx <= 9 || idx == RTC_CENTURY) {
        civil_from_secs(cur_secs(r, now), &tm);
        switch (idx) {
        case 0: return enc(r, tm.sec);
        case 2: return enc(r, tm.min);
        case 4: return enc_hour(r, tm.hour);
        case 6: return enc(r, tm.wday + 1);
        case 7: return enc(r, tm.mday);
        case 8: return enc(r, tm.mon);
        case 9: return enc(r, (int)(tm.year % 100));
        case RTC_CENTURY: return enc(r, (int)(tm.year / 100 % 100));
        default: return r->cmos[idx];          /* alarms */
        }
    }
    switch (idx) {
    case RTC_REG_A: {
        uint8_t a = r->cmos[RTC_REG_A] & 0x7f;
        if (upd_on(r) && (now - r->base_ns) % NS >= NS - UIP_NS)
            a |= 0x80;
        return a;
    }
    case RTC_REG_C: {
        sync(r, now);
        uint8_t c = r->cmos[RTC_REG_C];
        r->cmos[RTC_REG_C] = 0;
        update_irq(r);
        arm_timers(r);
        return c;
    }
    case RTC_REG_D:
        return 0x80;                            /* valid RAM and time */
    default:
        return r->cmos[idx & 0x7f];
    }
}

static void write_time(struct rtc *r, unsigned idx, uint8_t v, int64_t now)
{
    struct rtc_tm tm;
    civil_from_secs(cur_secs(r, now), &tm);
    switch (idx) {
    case 0: tm.sec = dec(r, v) % 60; break;
    case 2: tm.min = dec(r, v) % 60; break;
    case 4: tm.hour = dec_hour(r, v) % 24; break;
    case 7: tm.mday = dec(r, v) ? dec(r, v) % 32 : 1; break;
    case 8: tm.mon = dec(r, v) >= 1 && dec(r, v) <= 12 ? dec(r, v) : 1; break;
    case 9: tm.year = tm.year / 100 * 100 + dec(r, v) % 100; break;
    case RTC_CENTURY: tm.year = (int64_t)(dec(r, v) % 100) * 100 + tm.year % 100; break;
    default: return;                            /* day of week: derived from the date */
    }
    set_secs(r, now, secs_from_civil(&tm));
}

static void write_reg(struct rtc *r, unsigned idx, uint8_t v)
{
    int64_t now = clock_ns(r->clock);
    sync(r, now);
    switch (idx) {
    case 1: case 3: case 5:
        r->cmos[idx] = v;
        break;
    case 0: case 2: case 4: case 6: case 7: case 8: case 9: case RTC_CENTURY:
        write_time(r, idx, v, now);
        r->cmos[idx] = v;
        break;
    case RTC_REG_A: {
        bool was_on = div_on(r);
        int64_t secs = cur_secs(r, now);
        r->cmos[RTC_REG_A] = v & 0x7f;
        if (was_on && !div_on(r)) {
            r->frozen_secs = secs;
        } else if (!was_on && div_on(r)) {
            r->base_ns = now - NS / 2;          /* first update 500 ms later */
            if (upd_on(r))
                r->base_secs = secs;
            else
                r->frozen_secs = secs;
        }
        resync_counters(r, now);
        break;
    }
    case RTC_REG_B: {
        bool was_upd = upd_on(r);
        int64_t secs = cur_secs(r, now);
        if (v & B_SET)
            v &= ~B_UIE;                        /* SET clears UIE */
        r->cmos[RTC_REG_B] = v;
        if (was_upd != upd_on(r)) {
            if (upd_on(r))
                r->base_secs = secs - update_index(r, now);
            else
                r->frozen_secs = secs;
            resync_counters(r, now);
        }
        break;
    }
    case RTC_REG_C:
    case RTC_REG_D:
        break;                                  /* read-only */
    default:
        r->cmos[idx & 0x7f] = v;
        break;
    }
    update_irq(r);
    arm_timers(r);
}

static uint64_t rtc_read(void *opaque, uint64_t off, unsigned size)
{
    struct rtc *r = opaque;
    return off == 0 ? 0xff : read_reg(r, r->index);
}

static void rtc_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct rtc *r = opaque;
    if (off == 0) {
        r->index = val & 0x7f;
        r->nmi_masked = val & 0x80;
    } else {
        write_reg(r, r->index, (uint8_t)val);
    }
}

static const struct bus_ops rtc_ops = { rtc_read, rtc_write, 1, 1, false };

struct rtc *rtc_init(struct bus *io, struct clock *clock, uint16_t base,
                     const struct irq_line *irq)
{
    struct rtc *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->clock = clock;
    r->irq = irq;
    r->io = io;
    r->cmos[RTC_REG_A] = 0x26;                  /* 32.768 kHz divider, 1024 Hz rate */
    r->cmos[RTC_REG_B] = B_24H;
    r->cmos[RTC_REG_D] = 0x80;
    int64_t now = clock_ns(clock), wall = clock_wallclock_ns(clock);
    int64_t sub = wall % NS;
    if (sub < 0)
        sub += NS;
    r->base_secs = (wall - sub) / NS;
    r->base_ns = now - sub;
    resync_counters(r, now);
    r->t_update = clock_timer_new(clock, rtc_timer_fired, r);
    r->t_periodic = clock_timer_new(clock, rtc_timer_fired, r);
    r->regs = bus_register(io, base, 2, &rtc_ops, r, "rtc");
    if (!r->t_update || !r->t_periodic || !r->regs) {
        rtc_free(r);
        return NULL;
    }
    return r;
}

void rtc_free(struct rtc *r)
{
    if (!r)
        return;
    timer_free(r->t_update);
    timer_free(r->t_periodic);
    if (r->regs)
        bus_unregister(r->io, r->regs);
    free(r);
}

void rtc_cmos_set(struct rtc *r, unsigned index, uint8_t value)
{
    index &= 0x7f;
    if (index < 0x0e || index == RTC_CENTURY)
        write_reg(r, index, value);
    else
        r->cmos[index] = value;
}

uint8_t rtc_cmos_get(struct rtc *r, unsigned index)
{
    index &= 0x7f;
    return (index < 0x0e || index == RTC_CENTURY) ? read_reg(r, index) : r->cmos[index];
}

void rtc_update_checksum(struct rtc *r)
{
    unsigned sum = 0;
    for (int i = 0x10; i <= 0x2d; i++)
        sum += r->cmos[i];
    r->cmos[0x2e] = (uint8_t)(sum >> 8);
    r->cmos[0x2f] = (uint8_t)sum;
}

void rtc_set_memory(struct rtc *r, uint64_t below_4g, uint64_t above_4g)
{
    const uint64_t M = 1 << 20;
    uint64_t ext = below_4g > M ? (below_4g - M) / 1024 : 0;
    uint64_t ext16 = below_4g > 16 * M ? (below_4g - 16 * M) / 65536 : 0;
    uint64_t high = above_4g / 65536;
    if (ext > 0xffff)
        ext = 0xffff;
    if (ext16 > 0xffff)
        ext16 = 0xffff;
    if (high > 0xffffff)
        high = 0xffffff;
    r->cmos[0x15] = 640 & 0xff;
    r->cmos[0x16] = 640 >> 8;
    r->cmos[0x17] = r->cmos[0x30] = (uint8_t)ext;
    r->cmos[0x18] = r->cmos[0x31] = (uint8_t)(ext >> 8);
    r->cmos[0x34] = (uint8_t)ext16;
    r->cmos[0x35] = (uint8_t)(ext16 >> 8);
    r->cmos[0x5b] = (uint8_t)high;
    r->cmos[0x5c] = (uint8_t)(high >> 8);
    r->cmos[0x5d] = (uint8_t)(high >> 16);
    rtc_update_checksum(r);
}

bool rtc_nmi_masked(const struct rtc *r) { return r->nmi_masked; }
int64_t rtc_time(struct rtc *r) { return cur_secs(r, clock_ns(r->clock)); }

void rtc_set_time(struct rtc *r, int64_t t)
{
    int64_t now = clock_ns(r->clock);
    sync(r, now);
    set_secs(r, now, t);
}
