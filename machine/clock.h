/* SPDX-License-Identifier: MIT */
/* clock.h: the virtual clock (the only time source of devices and RDTSC) and its timers. */
#ifndef KILN_MACHINE_CLOCK_H
#define KILN_MACHINE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define CLOCK_NS_PER_SEC 1000000000ll
#define CLOCK_NEVER INT64_MAX

enum clock_mode {
    CLOCK_MODE_REALTIME,     /* follows host CLOCK_MONOTONIC while running */
    CLOCK_MODE_ICOUNT,       /* advances only by executed instructions: ns = insns << shift */
};

struct clock;
struct timer;
typedef void (*timer_cb)(void *opaque);

/* A clock at virtual time 0, running (realtime) or waiting for instructions (icount).
 * The wallclock base is host time now (realtime) or 2000-01-01 00:00:00 UTC (icount). */
struct clock *clock_new_realtime(void);
struct clock *clock_new_icount(unsigned shift);
/* Host time source of a realtime clock: monotonic ns (CLOCK_MONOTONIC by default). */
typedef int64_t (*clock_host_fn)(void *opaque);
/* A realtime clock that reads host time from fn (tests inject a fake; NULL: CLOCK_MONOTONIC). */
struct clock *clock_new_realtime_src(clock_host_fn fn, void *opaque);
/* Frees the clock; its timers must have been freed. */
void clock_free(struct clock *c);

enum clock_mode clock_mode(const struct clock *c);
unsigned clock_icount_shift(const struct clock *c);

/* Current virtual time in nanoseconds (monotonic, starts at 0). */
int64_t clock_ns(struct clock *c);

/* Realtime: stop / restart time (while the VM is stopped). Nestable. No-op in icount. */
void clock_pause(struct clock *c);
void clock_resume(struct clock *c);
bool clock_paused(const struct clock *c);

/*
 * Realtime catch-up (docs/SYSTEM.md "Time"). Once enabled, the
 * clock follows host time through slices that the main loop marks:
 *   - during one slice it advances by at most step_ns (the slice's limit),
 *   - and at most ratio times as fast as host time;
 *   - it never runs ahead of host time (the realtime target).
 * A host stall therefore leaves a lag (target - clock) that is caught up at
 * up to ratio x real time, one step per slice, instead of a jump: a periodic
 * timer with a period >= step_ns sees each of its ticks fall due in a
 * separate slice. While no timer is pending a slice has no limit (nothing can
 * fall due); arming one gives the slice its limit at once. step_ns 0 turns it
 * off (the clock is the host's). No-op in icount mode. The machine uses CLOCK_CATCHUP_STEP_NS and CLOCK_CATCHUP_RATIO.
 */
#define CLOCK_CATCHUP_STEP_NS 1000000ll      /* 1 ms: one tick of HZ=1000 per slice */
#define CLOCK_CATCHUP_RATIO 4u
void clock_set_catchup(struct clock *c, int64_t step_ns, unsigned ratio);
/* Starts a slice: the limit becomes now + step_ns (none while no timer is
 * pending). No-op without catch-up. */
void clock_slice_begin(struct clock *c);
/* The vCPU is halted until virtual time until (CLOCK_NEVER: no timer): the
 * slice's limit is raised to it, since no timer falls due before it. */
void clock_slice_extend(struct clock *c, int64_t until);
/* The current slice's limit (virtual ns), or CLOCK_NEVER without catch-up. */
int64_t clock_slice_limit(struct clock *c);
/* Lag: host-following target minus the clock (0 in icount mode or without catch-up). */
int64_t clock_lag_ns(struct clock *c);
/* Host ns from now until the clock reads >= vt (0 if it already does), or -1
 * if it cannot within this slice (vt beyond the limit, paused, CLOCK_NEVER).
 * Icount: vt - now (the host time that many virtual ns would last at 1:1). */
int64_t clock_host_ns_until(struct clock *c, int64_t vt);

/* Icount: n instructions were executed (ignored in realtime mode). */
void clock_advance_insns(struct clock *c, uint64_t n);
/* Icount: move time forward by ns (idle CPU skipping to a deadline; tests). */
void clock_advance_ns(struct clock *c, int64_t ns);
/* Icount: jump to the next timer deadline if it is in the future (halted CPU). */
void clock_warp_to_deadline(struct clock *c);

/* Earliest pending timer deadline (virtual ns), or CLOCK_NEVER. */
int64_t clock_next_deadline(struct clock *c);
/* Icount: instructions to run before the next deadline (>= 1), or UINT64_MAX. */
uint64_t clock_insns_to_deadline(struct clock *c);
/*
 * Called when a timer_mod makes the earliest deadline earlier than it was
 * (e.g. a device reprogrammed during a CPU budget): the CPU loop should end
 * its current budget so it can be recomputed. Not called from inside
 * clock_run_timers (the loop recomputes after running timers anyway).
 */
typedef void (*clock_deadline_fn)(void *opaque, int64_t deadline_ns);
void clock_set_deadline_hook(struct clock *c, clock_deadline_fn fn, void *opaque);
/* Runs every timer whose deadline is <= now, in deadline order; returns how many ran. */
unsigned clock_run_timers(struct clock *c);

/* Host wallclock (ns since the Unix epoch) corresponding to virtual time 0. */
int64_t clock_wallclock_base(const struct clock *c);
void clock_set_wallclock_base(struct clock *c, int64_t epoch_ns);
/* Wallclock now: base + clock_ns. */
int64_t clock_wallclock_ns(struct clock *c);

/* Conversions between ns and ticks of a hz-frequency counter (floor / ceil). */
uint64_t clock_ns_to_ticks(int64_t ns, uint64_t hz);
int64_t clock_ticks_to_ns(uint64_t ticks, uint64_t hz);

/* Timers: callbacks run from clock_run_timers; they may re-arm or delete any timer. */
struct timer *clock_timer_new(struct clock *c, timer_cb cb, void *opaque);
void timer_free(struct timer *t);
/* Arms (or re-arms) the timer for absolute virtual time deadline_ns. */
void timer_mod(struct timer *t, int64_t deadline_ns);
void timer_del(struct timer *t);
bool timer_pending(const struct timer *t);
int64_t timer_deadline(const struct timer *t);   /* CLOCK_NEVER if not pending */
struct clock *timer_clock(const struct timer *t);

#endif
