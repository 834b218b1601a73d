/* SPDX-License-Identifier: MIT */
/* mainloop.c: the main loop: vCPU budgets up to the next deadline, timers, chardev input, idle waits, stops. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include "hw/chardev.h"
#include "machine/clock.h"
#include "machine/machine_int.h"

#define MAX_POLLFDS (KILN_MAX_SERIALS + MACHINE_MAX_EXTRA_CHR + MACHINE_MAX_WATCH_FD + 1)
#define IDLE_MAX_NS 1000000000ll     /* longest idle sleep without an event */

/* Collects the input descriptors of the chardevs; returns the count. */
static int gather_fds(struct machine *m, struct pollfd *fds)
{
    int n = 0;

    for (unsigned i = 0; i < KILN_MAX_SERIALS; i++)
        if (m->serial_chr[i])
            n += chardev_pollfds(m->serial_chr[i], fds + n, MAX_POLLFDS - n);
    for (unsigned i = 0; i < MACHINE_MAX_EXTRA_CHR; i++)
        if (m->extra_chr[i])
            n += chardev_pollfds(m->extra_chr[i], fds + n, MAX_POLLFDS - n);
    for (unsigned i = 0; i < m->nwatch && n < MAX_POLLFDS; i++)
        fds[n++] = (struct pollfd){ .fd = m->watch_fd[i], .events = POLLIN };
    return n;
}

/* Delivers whatever input is readable now (never blocks). */
static void dispatch_input(struct machine *m)
{
    for (unsigned i = 0; i < KILN_MAX_SERIALS; i++)
        if (m->serial_chr[i])
            chardev_dispatch(m->serial_chr[i]);
    for (unsigned i = 0; i < MACHINE_MAX_EXTRA_CHR; i++)
        if (m->extra_chr[i])
            chardev_dispatch(m->extra_chr[i]);
}

/*
 * Waits for chardev input or host time, at most wait_ns (< 0: no limit).
 * With no descriptor and no limit it still returns on a signal.
 */
static void wait_events(struct machine *m, int64_t wait_ns)
{
    struct pollfd fds[MAX_POLLFDS];
    int n = gather_fds(m, fds);
    struct timespec ts, *tsp = NULL;

    if (m->stop_req != MACHINE_STOP_NONE || m->reset_req)
        wait_ns = 0;
    if (wait_ns >= 0) {
        ts.tv_sec = (time_t)(wait_ns / CLOCK_NS_PER_SEC);
        ts.tv_nsec = (long)(wait_ns % CLOCK_NS_PER_SEC);
        tsp = &ts;
    }
    if (ppoll(fds, (nfds_t)n, tsp, NULL) > 0)
        dispatch_input(m);
}

/* The vCPU has nothing to run (halted, or no vCPU): sleep until the next event. */
static void idle(struct machine *m, int64_t max_wait_ns)
{
    int64_t deadline = clock_next_deadline(m->clock);
    int64_t wait;

    if (m->icount && deadline != CLOCK_NEVER) {
        /* Virtual time only moves with instructions: jump to the deadline,
         * after sleeping for the same host time with sleep=on. */
        wait = m->icount_sleep ? deadline - clock_ns(m->clock) : 0;
        if (wait < 0)
            wait = 0;
        if (max_wait_ns >= 0 && wait > max_wait_ns)
            wait = max_wait_ns;
        wait_events(m, wait);
        clock_warp_to_deadline(m->clock);
        return;
    }
    /* Realtime: no timer falls due before the deadline, so the halted vCPU
     * may see the clock reach it in one slice; while a lag is caught up the
     * clock runs faster, so the host wait is shorter (clock_host_ns_until). */
    clock_slice_extend(m->clock, deadline);
    wait = clock_host_ns_until(m->clock, deadline);
    if (max_wait_ns >= 0 && (wait < 0 || wait > max_wait_ns))
        wait = max_wait_ns;
    /* A stop requested by a signal just before ppoll() would otherwise wait
     * for the next event: wake at least once a second to look. */
    if (wait < 0 || wait > IDLE_MAX_NS)
        wait = IDLE_MAX_NS;
    wait_events(m, wait);
}

/* ---- realtime alarm: a POSIX timer whose signal carries the machine pointer ---- */
#define ALARM_SIGNAL SIGRTMIN

static void alarm_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    if (si->si_code != SI_TIMER)
        return;
    struct machine *m = si->si_value.sival_ptr;
    if (m && m->cpu)
        m->cpu_ops->request_exit(m->cpu);
}

static void alarm_start(struct machine *m)
{
    struct sigaction sa;
    struct sigevent sev;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = alarm_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(ALARM_SIGNAL, &sa, &m->old_alarm_action) < 0)
        return;
    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = ALARM_SIGNAL;
    sev.sigev_value.sival_ptr = m;
    if (timer_create(CLOCK_MONOTONIC, &sev, &m->alarm) < 0) {
        sigaction(ALARM_SIGNAL, &m->old_alarm_action, NULL);
        return;             /* budgets stay bounded by the slice alone */
    }
    m->have_alarm = true;
}

void machine_alarm_stop(struct machine *m)
{
    if (!m->have_alarm)
        return;
    timer_delete(m->alarm);
    sigaction(ALARM_SIGNAL, &m->old_alarm_action, NULL);
    m->have_alarm = false;
}

/* Arms the alarm for the next deadline (ns of host time from now), or disarms it. */
static void alarm_set(struct machine *m, int64_t ns)
{
    struct itimerspec its;

    if (!m->have_alarm)
        return;
    memset(&its, 0, sizeof(its));
    if (ns > 0) {
        its.it_value.tv_sec = (time_t)(ns / CLOCK_NS_PER_SEC);
        its.it_value.tv_nsec = (long)(ns % CLOCK_NS_PER_SEC);
    }
    timer_settime(m->alarm, 0, &its, NULL);
}

/* Runs the vCPU for budget instructions at most, up to the next deadline. */
static enum sysbus_exit exec_budget(struct machine *m, uint64_t budget)
{
    enum sysbus_exit why;

    if (m->icount) {
        uint64_t to_deadline = clock_insns_to_deadline(m->clock);
        if (to_deadline < budget)
            budget = to_deadline;
        why = m->cpu_ops->exec(m->cpu, budget);
    } else if (m->have_alarm) {
        /* The alarm ends the budget at the next deadline or at the slice's
         * limit, whichever the clock reaches first (the clock stops at the
         * limit until the next slice: docs/SYSTEM.md "Time"). */
        int64_t until = clock_next_deadline(m->clock);
        int64_t limit = clock_slice_limit(m->clock);
        if (limit < until)
            until = limit;
        int64_t wait = clock_host_ns_until(m->clock, until);
        if (wait >= 0)
            alarm_set(m, wait > 0 ? wait : 1);
        why = m->cpu_ops->exec(m->cpu, budget);
        if (wait >= 0)
            alarm_set(m, 0);
    } else {
        why = m->cpu_ops->exec(m->cpu, budget);
    }
    return why;
}

/* One exec call for the vCPU; returns true if it is halted. */
static bool run_cpu(struct machine *m)
{
    uint64_t budget = m->step_once ? 1 : m->slice;
    enum sysbus_exit why;

    /* A debugger's single step without interrupts: INTR is hidden from the
     * vCPU for this one instruction (a halted vCPU still wakes up). */
    bool mask = m->step_once && !m->step_irq && !m->cpu_halted;
    if (mask) {
        m->irq_masked = true;
        m->cpu_ops->set_irq_line(m->cpu, 0);
    }
    why = exec_budget(m, budget);
    if (mask) {
        m->irq_masked = false;
        m->cpu_ops->set_irq_line(m->cpu, m->intr_level);
    }
    m->cpu_halted = why == SYSBUS_EXIT_HALTED;
    switch (why) {
    case SYSBUS_EXIT_HALTED:
        return true;
    case SYSBUS_EXIT_ERROR:
        machine_request_stop(m, MACHINE_STOP_ERROR, 1);
        return false;
    case SYSBUS_EXIT_DEBUG:         /* a breakpoint: the gdbstub asks machine_take_debug_stop */
        m->debug_stop = true;
        return false;
    case SYSBUS_EXIT_BUDGET:
    case SYSBUS_EXIT_REQUEST:
    default:
        return false;
    }
}

bool machine_step(struct machine *m, int64_t max_wait_ns)
{
    if (m->stop != MACHINE_STOP_NONE)
        return false;
    if (m->reset_req) {
        m->reset_req = 0;
        if (m->no_reboot)
            machine_request_stop(m, MACHINE_STOP_RESET, 0);
        else
            machine_reset(m);
    }
    if (m->init_req)
        pc_apic_do_init(m);
    if (m->stop_req != MACHINE_STOP_NONE) {
        m->stop = (enum machine_stop)m->stop_req;
        m->status = (int)m->stop_status;
        if (m->stop == MACHINE_STOP_POWEROFF && m->no_shutdown)
            kiln_log_printf(&m->log, "guest powered off (-no-shutdown: nothing to resume to "
                                     "without a monitor)\n");
        return false;
    }
    clock_slice_begin(m->clock);
    clock_run_timers(m->clock);
    dispatch_input(m);
    if (m->cpu && !m->have_alarm && !m->icount)
        alarm_start(m);
    bool halted = true;
    if (m->cpu && !m->paused && m->stop_req == MACHINE_STOP_NONE && !m->reset_req)
        halted = run_cpu(m);
    m->halted = halted;
    if (halted) {
        clock_run_timers(m->clock);
        idle(m, max_wait_ns);
    } else if (!m->icount) {
        /* Realtime: look for input without blocking once per slice. */
        wait_events(m, 0);
    }
    return true;
}

bool machine_add_chardev(struct machine *m, struct chardev *cd)
{
    for (unsigned i = 0; i < MACHINE_MAX_EXTRA_CHR; i++) {
        if (m->extra_chr[i] == NULL) {
            m->extra_chr[i] = cd;
            return true;
        }
    }
    return false;
}

void machine_set_paused(struct machine *m, bool paused)
{
    m->paused = paused;
    if (paused && m->cpu && m->cpu_ops)
        m->cpu_ops->request_exit(m->cpu);
}

bool machine_paused(const struct machine *m)
{
    return m->paused;
}

void machine_set_step(struct machine *m, bool one)
{
    m->step_once = one;
}

void machine_set_step_irq(struct machine *m, bool allow)
{
    m->step_irq = allow;
}

bool machine_step_irq(const struct machine *m)
{
    return m->step_irq;
}

bool machine_watch_fd(struct machine *m, int fd)
{
    if (fd < 0 || m->nwatch >= MACHINE_MAX_WATCH_FD)
        return false;
    m->watch_fd[m->nwatch++] = fd;
    return true;
}

void machine_unwatch_fd(struct machine *m, int fd)
{
    for (unsigned i = 0; i < m->nwatch; i++) {
        if (m->watch_fd[i] == fd) {
            m->watch_fd[i] = m->watch_fd[--m->nwatch];
            return;
        }
    }
}

bool machine_take_debug_stop(struct machine *m)
{
    bool hit = m->debug_stop;
    m->debug_stop = false;
    return hit;
}

int machine_run(struct machine *m)
{
    while (machine_step(m, -1))
        ;
    kiln_log_flush(&m->log);
    return m->status;
}
