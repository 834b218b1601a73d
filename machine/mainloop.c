/* SPDX-License-Identifier: MIT */
/* mainloop.c: the main loop: vCPU budgets up to the next deadline, timers, chardev input, idle waits, stops. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include "hw/chardev.h"
#include "machine/clock.h"
#include "machine/machine_int.h"

#define MAX_POLLFDS (KILN_MAX_SERIALS + 1)

/* Collects the input descriptors of the chardevs; returns the count. */
static int gather_fds(struct machine *m, struct pollfd *fds)
{
    int n = 0;

    for (unsigned i = 0; i < KILN_MAX_SERIALS; i++)
        if (m->serial_chr[i])
            n += chardev_pollfds(m->serial_chr[i], fds + n, MAX_POLLFDS - n);
    return n;
}

/* Delivers whatever input is readable now (never blocks). */
static void dispatch_input(struct machine *m)
{
    for (unsigned i = 0; i < KILN_MAX_SERIALS; i++)
        if (m->serial_chr[i])
            chardev_dispatch(m->serial_chr[i]);
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
    if (deadline == CLOCK_NEVER) {
        wait = -1;
    } else {
        wait = deadline - clock_ns(m->clock);
        if (wait < 0)
            wait = 0;
    }
    if (max_wait_ns >= 0 && (wait < 0 || wait > max_wait_ns))
        wait = max_wait_ns;
    wait_events(m, wait);
}

/* One exec call for the vCPU; returns true if it is halted. */
static bool run_cpu(struct machine *m)
{
    uint64_t budget = m->slice;

    if (m->icount) {
        uint64_t to_deadline = clock_insns_to_deadline(m->clock);
        if (to_deadline < budget)
            budget = to_deadline;
    }
    switch (m->cpu_ops->exec(m->cpu, budget)) {
    case SYSBUS_EXIT_HALTED:
        return true;
    case SYSBUS_EXIT_ERROR:
        machine_request_stop(m, MACHINE_STOP_ERROR, 1);
        return false;
    case SYSBUS_EXIT_DEBUG:         /* no debugger attached yet: keep going */
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
    if (m->stop_req != MACHINE_STOP_NONE) {
        m->stop = (enum machine_stop)m->stop_req;
        m->status = (int)m->stop_status;
        if (m->stop == MACHINE_STOP_POWEROFF && m->no_shutdown)
            kiln_log_printf(&m->log, "guest powered off (-no-shutdown: nothing to resume to "
                                     "without a monitor)\n");
        return false;
    }
    clock_run_timers(m->clock);
    dispatch_input(m);
    bool halted = true;
    if (m->cpu && m->stop_req == MACHINE_STOP_NONE && !m->reset_req)
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

int machine_run(struct machine *m)
{
    while (machine_step(m, -1))
        ;
    kiln_log_flush(&m->log);
    return m->status;
}
