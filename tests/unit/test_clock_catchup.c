/* SPDX-License-Identifier: MIT */
/* test_clock_catchup.c: the realtime clock on a fake host clock: host stalls become a lag caught up step by step. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include "hw/pit.h"
#include "machine/bus.h"
#include "machine/clock.h"
#include "machine/machine.h"

#define MS 1000000ll
#define US 1000ll
#define STEP CLOCK_CATCHUP_STEP_NS
#define RATIO ((int64_t)CLOCK_CATCHUP_RATIO)
#define BUDGET_NS (300 * US)      /* host time of one instruction budget */
#define READ_NS (37 * US)         /* the guest reads the clock this often */
#define LOOP_NS (3 * US)          /* host time the loop spends between slices */
#define PIT_1MS 1194              /* PIT count: 1.0007 ms, one tick per step at most */

/*
 * A simulated main loop (machine/mainloop.c reduced to the clock calls) on a
 * fake host clock, with a PIT in mode 2 (periodic IRQ0) on the same clock.
 */
struct sim {
    int64_t host;               /* fake host CLOCK_MONOTONIC */
    int64_t host0;              /* host time of virtual 0 */
    struct clock *c;
    struct bus *io;
    struct pit *pit;
    struct irq_line line;
    int level, rises;
    /* what the guest saw */
    int64_t last_v;             /* last clock reading */
    int64_t max_slice_step;     /* largest advance between two slice starts */
    int64_t max_read_jump;      /* largest advance between two readings */
    int max_rises;              /* most IRQ0 edges that fell due in one slice */
    int interrupts;             /* slices with an edge: what the PIC passes on */
    int64_t stall_at, stall_ns; /* a stall of stall_ns at host time stall_at */
    int64_t caught_up_at;       /* host time the lag was back to 0 after the stall */
};

static int64_t fake_host(void *opaque) { return ((struct sim *)opaque)->host; }

static void irq_rec(void *opaque, int n, int level)
{
    struct sim *s = opaque;
    (void)n;
    if (level && !s->level)
        s->rises++;
    s->level = level;
}

static void sim_init(struct sim *s, int64_t step, unsigned ratio)
{
    *s = (struct sim){ .host = 5000 * MS, .stall_at = -1, .caught_up_at = -1 };
    s->host0 = s->host;
    s->c = clock_new_realtime_src(fake_host, s);
    assert_non_null(s->c);
    clock_set_catchup(s->c, step, ratio);
    s->io = bus_new("io", 0xffff);
    s->line = irq_line_make(irq_rec, s, 0);
    s->pit = pit_init(s->io, s->c, 0x40, 0x61, &s->line);
    assert_non_null(s->pit);
    bus_write(s->io, 0x43, 0x34, 1);                /* ch0 mode 2 */
    bus_write(s->io, 0x40, PIT_1MS & 0xff, 1);
    bus_write(s->io, 0x40, PIT_1MS >> 8, 1);
}

static void sim_free(struct sim *s)
{
    pit_free(s->pit);
    bus_free(s->io);
    clock_free(s->c);
}

/* One guest reading: monotonic, never ahead of host time, never past the limit. */
static void sim_read(struct sim *s)
{
    int64_t v = clock_ns(s->c);
    int64_t target = s->host - s->host0;
    if (v < s->last_v)
        fail_msg("clock went back: %lld after %lld", (long long)v, (long long)s->last_v);
    if (v > target)
        fail_msg("clock %lld ahead of host time %lld", (long long)v, (long long)target);
    if (v > clock_slice_limit(s->c))
        fail_msg("clock %lld past the slice limit", (long long)v);
    if (v - s->last_v > s->max_read_jump)
        s->max_read_jump = v - s->last_v;
    s->last_v = v;
    if (s->stall_at < 0 && s->caught_up_at < 0 && v == target)
        s->caught_up_at = s->host;
}

/* Host time passes; the stall, if due, happens inside it. */
static void sim_pass(struct sim *s, int64_t ns)
{
    s->host += ns;
    if (s->stall_at >= 0 && s->host >= s->stall_at) {
        s->host += s->stall_ns;
        s->stall_at = -1;
    }
}

/* One loop iteration: a slice starts, its timers run, then the vCPU runs
 * (halted: the loop sleeps to the next deadline). */
static void sim_slice(struct sim *s, bool halted)
{
    int64_t before = s->last_v;
    clock_slice_begin(s->c);
    sim_read(s);
    if (s->last_v - before > s->max_slice_step)
        s->max_slice_step = s->last_v - before;
    s->rises = 0;
    clock_run_timers(s->c);
    if (s->rises > s->max_rises)
        s->max_rises = s->rises;
    if (s->rises)
        s->interrupts++;
    if (halted) {
        int64_t d = clock_next_deadline(s->c);
        clock_slice_extend(s->c, d);
        int64_t wait = clock_host_ns_until(s->c, d);
        assert_true(wait >= 0);
        sim_pass(s, wait);
        sim_read(s);
    } else {
        int64_t until = clock_next_deadline(s->c), limit = clock_slice_limit(s->c);
        if (limit < until)
            until = limit;
        int64_t wait = clock_host_ns_until(s->c, until);   /* the alarm */
        int64_t run = wait < 0 || wait > BUDGET_NS ? BUDGET_NS : wait;
        int64_t end = s->host + (run > 0 ? run : 1);
        do {
            sim_pass(s, end - s->host < READ_NS ? end - s->host : READ_NS);
            sim_read(s);
        } while (s->host < end);
    }
    sim_pass(s, LOOP_NS);
}

/* Runs slices until host time reaches host_end. */
static void sim_run(struct sim *s, int64_t host_end, bool halted)
{
    while (s->host < host_end)
        sim_slice(s, halted);
}

/* Catching up a lag L at up to RATIO x host time takes L / (RATIO - 1) of host
 * time; the loop's own time between slices (LOOP_NS per slice) slows it a little. */
static int64_t catchup_bound(int64_t lag, int64_t slice_host)
{
    int64_t t = lag / (RATIO - 1);
    return t + t * LOOP_NS / slice_host + 2 * STEP;
}

/* A busy vCPU stalled for stall_ns: steps stay <= STEP, each PIT tick is a
 * separate interrupt, time catches up within the bound and then follows the host. */
static void check_busy_stall(int64_t stall_ns, int64_t stall_after)
{
    struct sim s;
    sim_init(&s, STEP, CLOCK_CATCHUP_RATIO);
    sim_run(&s, s.host0 + 20 * MS, false);
    assert_true(clock_lag_ns(s.c) <= LOOP_NS);
    s.stall_at = s.host + stall_after;
    s.stall_ns = stall_ns;
    int64_t stall_end = s.stall_at + stall_ns;
    sim_run(&s, stall_end + 2 * READ_NS, false);
    int64_t lag = clock_lag_ns(s.c);
    assert_true(lag >= stall_ns - 2 * STEP);
    s.caught_up_at = -1;
    int64_t bound = catchup_bound(stall_ns, STEP / RATIO);
    sim_run(&s, stall_end + bound + 50 * MS, false);
    if (s.caught_up_at < 0 || s.caught_up_at - stall_end > bound)
        fail_msg("a %lld ms stall caught up after %lld ns (bound %lld)", (long long)(stall_ns / MS),
                 (long long)(s.caught_up_at - stall_end), (long long)bound);
    assert_true(clock_lag_ns(s.c) <= LOOP_NS);
    assert_true(s.max_slice_step <= STEP);
    assert_true(s.max_read_jump <= STEP);
    assert_int_equal(s.max_rises, 1);
    /* every tick of the virtual time elapsed reached the guest on its own */
    int64_t ticks = clock_ns_to_ticks(s.last_v, PIT_FREQ_HZ) / PIT_1MS;
    assert_true(s.interrupts >= ticks - 1 && s.interrupts <= ticks + 1);
    /* back in step: the clock is the host's again */
    assert_int_equal(s.last_v, s.host - s.host0 - LOOP_NS);
    sim_free(&s);
}

static void test_busy_stall(void **state)
{
    (void)state;
    /* stalls of several lengths, at several points of a slice */
    check_busy_stall(500 * MS, 0);
    check_busy_stall(500 * MS, 123 * US);
    check_busy_stall(37 * MS, 211 * US);
    check_busy_stall(1700 * MS, 50 * US);
}

/* A halted vCPU (an idle guest on a 1 ms tick) stalled in its sleep: it may
 * sleep to the deadline, no further; the lag is caught up the same way. */
static void test_idle_stall(void **state)
{
    (void)state;
    struct sim s;
    sim_init(&s, STEP, CLOCK_CATCHUP_RATIO);
    sim_run(&s, s.host0 + 20 * MS, true);
    assert_true(clock_lag_ns(s.c) <= LOOP_NS);
    s.stall_at = s.host + 10 * US;
    s.stall_ns = 500 * MS;
    int64_t stall_end = s.stall_at + s.stall_ns;
    sim_run(&s, stall_end + 2 * READ_NS, true);
    assert_true(clock_lag_ns(s.c) >= 490 * MS);
    s.caught_up_at = -1;
    int64_t bound = catchup_bound(s.stall_ns, STEP / RATIO);
    sim_run(&s, stall_end + bound + 50 * MS, true);
    assert_true(s.caught_up_at >= 0 && s.caught_up_at - stall_end <= bound);
    /* a deadline is at most one PIT period away: steps stay within it */
    assert_true(s.max_slice_step <= clock_ticks_to_ns(PIT_1MS, PIT_FREQ_HZ));
    assert_int_equal(s.max_rises, 1);
    int64_t ticks = clock_ns_to_ticks(s.last_v, PIT_FREQ_HZ) / PIT_1MS;
    assert_true(s.interrupts >= ticks - 1 && s.interrupts <= ticks + 1);
    sim_free(&s);
}

/* Without a stall the clock is host time: it lags only by the loop's time
 * between an alarm at the limit and the next slice, made up at once. */
static void test_no_stall_follows_host(void **state)
{
    (void)state;
    struct sim s;
    sim_init(&s, STEP, CLOCK_CATCHUP_RATIO);
    for (int i = 0; i < 2000; i++) {
        sim_slice(&s, i % 3 == 0);
        assert_true(clock_lag_ns(s.c) <= LOOP_NS);
    }
    s.caught_up_at = -1;
    sim_slice(&s, false);
    assert_true(s.caught_up_at >= 0);                   /* made up within a slice */
    assert_int_equal(s.max_rises, 1);
    sim_free(&s);
}

/* The alarm time: while a lag is caught up the clock reaches a deadline
 * RATIO times sooner; never beyond the slice's limit. */
static void test_host_ns_until(void **state)
{
    (void)state;
    struct sim s;
    sim_init(&s, STEP, CLOCK_CATCHUP_RATIO);
    clock_slice_begin(s.c);
    int64_t v = clock_ns(s.c);
    assert_int_equal(clock_host_ns_until(s.c, v + STEP / 2), STEP / 2);
    assert_int_equal(clock_host_ns_until(s.c, v + STEP + 1), -1);
    assert_int_equal(clock_host_ns_until(s.c, CLOCK_NEVER), -1);
    assert_int_equal(clock_host_ns_until(s.c, v), 0);
    s.host += 100 * MS;                                     /* stall */
    assert_int_equal(clock_ns(s.c), v + STEP);              /* stopped at the limit */
    clock_slice_begin(s.c);
    v = clock_ns(s.c);
    assert_int_equal(clock_lag_ns(s.c), 100 * MS - STEP);
    assert_int_equal(clock_host_ns_until(s.c, v + STEP), STEP / RATIO);
    s.host += STEP / RATIO / 2;
    assert_int_equal(clock_ns(s.c), v + STEP / 2);           /* RATIO x host time */
    /* halted until a far deadline: the limit rises to it */
    clock_slice_extend(s.c, v + 50 * MS);
    assert_int_equal(clock_host_ns_until(s.c, v + 50 * MS), 50 * MS / RATIO - STEP / RATIO / 2);
    /* a pause keeps the lag; resumed, it is caught up again */
    int64_t lag = clock_lag_ns(s.c);
    clock_pause(s.c);
    int64_t p = clock_ns(s.c);
    s.host += 1000 * MS;
    assert_int_equal(clock_ns(s.c), p);
    clock_resume(s.c);
    assert_int_equal(clock_lag_ns(s.c), lag);
    s.host += US;
    assert_int_equal(clock_ns(s.c), p + RATIO * US);
    sim_free(&s);
}

/* Catch-up off (step 0): the clock is host time, stalls included (the old
 * rule), and the simulation shows the failure the catch-up cures: the guest
 * sees a 500 ms jump and the PIT ticks of the stall reach it as one interrupt. */
static void test_off_follows_host(void **state)
{
    (void)state;
    struct sim s;
    sim_init(&s, 0, CLOCK_CATCHUP_RATIO);
    clock_slice_begin(s.c);
    s.host += 500 * MS;
    assert_int_equal(clock_ns(s.c), s.host - s.host0);
    assert_int_equal(clock_slice_limit(s.c), CLOCK_NEVER);
    assert_int_equal(clock_lag_ns(s.c), 0);
    sim_free(&s);

    sim_init(&s, 0, CLOCK_CATCHUP_RATIO);
    sim_run(&s, s.host0 + 20 * MS, false);
    s.stall_at = s.host + 100 * US;
    s.stall_ns = 500 * MS;
    sim_run(&s, s.host + 600 * MS, false);
    assert_true(s.max_read_jump >= 500 * MS - STEP);
    int64_t ticks = clock_ns_to_ticks(s.last_v, PIT_FREQ_HZ) / PIT_1MS;
    assert_true(s.interrupts < ticks - 400);
    sim_free(&s);
}

static void cb_none(void *opaque) { (void)opaque; }
static int64_t fake_host_ns(void *opaque) { return *(int64_t *)opaque; }

/* No timer pending: nothing can fall due together, so a slice has no limit
 * (and the loop arms no alarm); arming a timer gives it one at once. */
static void test_no_timer_no_limit(void **state)
{
    (void)state;
    int64_t host = 777 * MS;
    struct clock *c = clock_new_realtime_src(fake_host_ns, &host);
    clock_set_catchup(c, STEP, CLOCK_CATCHUP_RATIO);
    clock_slice_begin(c);
    assert_int_equal(clock_slice_limit(c), CLOCK_NEVER);
    assert_int_equal(clock_host_ns_until(c, clock_slice_limit(c)), -1);
    host += 500 * MS;
    assert_int_equal(clock_ns(c), 500 * MS);
    struct timer *t = clock_timer_new(c, cb_none, NULL);
    timer_mod(t, 600 * MS);
    assert_int_equal(clock_slice_limit(c), 500 * MS + STEP);
    host += 500 * MS;
    assert_int_equal(clock_ns(c), 500 * MS + STEP);
    clock_slice_begin(c);
    assert_int_equal(clock_slice_limit(c), 500 * MS + 2 * STEP);
    timer_free(t);
    clock_slice_begin(c);
    assert_int_equal(clock_slice_limit(c), CLOCK_NEVER);
    clock_free(c);
}

/* Icount clocks ignore all of it. */
static void test_icount_unchanged(void **state)
{
    (void)state;
    struct clock *c = clock_new_icount(0);
    clock_set_catchup(c, STEP, CLOCK_CATCHUP_RATIO);
    clock_slice_begin(c);
    clock_advance_ns(c, 500 * MS);
    clock_slice_begin(c);
    assert_int_equal(clock_ns(c), 500 * MS);
    assert_int_equal(clock_slice_limit(c), CLOCK_NEVER);
    assert_int_equal(clock_lag_ns(c), 0);
    clock_free(c);
}

/* ---- the real main loop (machine_step) with a fake vCPU on the fake host clock ---- */

struct cpu {
    struct sysbus bus;
    int64_t *host;              /* the fake host clock */
    int64_t run_ns;             /* host time one exec lasts */
    int64_t stall_ns;           /* added to the next exec (then 0) */
    int irq;                    /* INTR pin */
    int interrupts;             /* taken: INTA + EOI, as a guest would */
    int64_t last_v, max_jump;   /* the clock as the vCPU reads it */
};

static struct cpu *fcpu;

static struct cpu *f_create(const struct sysbus_cpu_config *cfg, const struct sysbus *bus,
                            char *err, size_t errlen)
{
    (void)cfg;
    (void)err;
    (void)errlen;
    struct cpu *c = calloc(1, sizeof(*c));
    if (c)
        c->bus = *bus;
    fcpu = c;
    return c;
}
static void f_destroy(struct cpu *c) { free(c); fcpu = NULL; }
static void f_reset(struct cpu *c) { (void)c; }
static bool f_boot(struct cpu *c, const struct sysbus_boot_state *st, char *e, size_t n)
{
    (void)c;
    (void)st;
    (void)e;
    (void)n;
    return true;
}
static void f_read_clock(struct cpu *c)
{
    int64_t v = c->bus.ops->clock_ns(c->bus.opaque);
    assert_true(v >= c->last_v);
    if (v - c->last_v > c->max_jump)
        c->max_jump = v - c->last_v;
    c->last_v = v;
}
static enum sysbus_exit f_exec(struct cpu *c, uint64_t budget)
{
    (void)budget;
    if (c->irq) {
        (void)c->bus.ops->inta(c->bus.opaque);
        c->bus.ops->io_write(c->bus.opaque, 0x20, 0x20, 1);      /* EOI */
        c->interrupts++;
    }
    f_read_clock(c);
    *c->host += c->run_ns / 2 + c->stall_ns;
    c->stall_ns = 0;
    f_read_clock(c);
    *c->host += c->run_ns - c->run_ns / 2;
    f_read_clock(c);
    return SYSBUS_EXIT_BUDGET;
}
static void f_irq(struct cpu *c, int level) { c->irq = level; }
static void f_a20(struct cpu *c, bool on) { (void)c; (void)on; }
static void f_exit(struct cpu *c) { (void)c; }
static void f_map(struct cpu *c) { (void)c; }
static void f_written(struct cpu *c, uint64_t a, uint64_t l) { (void)c; (void)a; (void)l; }

static const struct sysbus_cpu_ops fake_ops = {
    f_create, f_destroy, f_reset, f_boot, f_exec, f_irq, f_a20, f_exit, f_map, f_written, NULL,
};

/* machine_step marks the slices: a 500 ms stall inside one exec reaches the
 * vCPU as steps of at most 1 ms, and every PIT tick as its own interrupt. */
static void test_machine_stall(void **state)
{
    (void)state;
    int64_t host = 1000 * MS;
    struct kiln_config cfg;
    struct machine_options opt = { .cpu_ops = &fake_ops, .host_time = fake_host_ns,
                                   .host_time_opaque = &host };
    char err[256];

    kiln_config_init(&cfg);
    cfg.ram_size = 16u << 20;
    struct machine *m = machine_new(&cfg, &opt, err, sizeof(err));
    if (m == NULL)
        fail_msg("%s", err);
    struct cpu *c = fcpu;
    assert_non_null(c);
    c->host = &host;
    c->run_ns = 200 * US;
    int64_t host0 = host;
    struct bus *io = machine_io(m);
    bus_write(io, 0x20, 0x11, 1);                           /* 8259: vectors 8.., IRQ0 only */
    bus_write(io, 0x21, 0x08, 1);
    bus_write(io, 0x21, 0x04, 1);
    bus_write(io, 0x21, 0x01, 1);
    bus_write(io, 0x21, 0xfe, 1);
    bus_write(io, 0x43, 0x34, 1);                           /* PIT ch0 mode 2, 1.0007 ms */
    bus_write(io, 0x40, PIT_1MS & 0xff, 1);
    bus_write(io, 0x40, PIT_1MS >> 8, 1);
    while (host < host0 + 30 * MS)
        assert_true(machine_step(m, 0));
    c->stall_ns = 500 * MS;
    int64_t stall_end = host + 500 * MS;
    int64_t bound = catchup_bound(500 * MS, c->run_ns);
    while (host < stall_end + bound)
        assert_true(machine_step(m, 0));
    struct clock *clk = machine_clock(m);
    assert_true(clock_lag_ns(clk) == 0);
    assert_int_equal(clock_ns(clk), host - host0);
    assert_true(c->max_jump <= STEP);
    int64_t ticks = clock_ns_to_ticks(c->last_v, PIT_FREQ_HZ) / PIT_1MS;
    if (c->interrupts < ticks - 2 || c->interrupts > ticks + 1)
        fail_msg("%d interrupts for %lld ticks", c->interrupts, (long long)ticks);
    machine_free(m);
    kiln_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_busy_stall),
        cmocka_unit_test(test_idle_stall),
        cmocka_unit_test(test_no_stall_follows_host),
        cmocka_unit_test(test_host_ns_until),
        cmocka_unit_test(test_off_follows_host),
        cmocka_unit_test(test_no_timer_no_limit),
        cmocka_unit_test(test_icount_unchanged),
        cmocka_unit_test(test_machine_stall),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
