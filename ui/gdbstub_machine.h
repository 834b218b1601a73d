/* SPDX-License-Identifier: MIT */
/* gdbstub_machine.h: a gdbstub target for a whole machine. */
#ifndef KILN_UI_GDBSTUB_MACHINE_H
#define KILN_UI_GDBSTUB_MACHINE_H

#include "ui/gdbstub.h"

struct machine;

/* cpu_t comes first: the register, memory and breakpoint callbacks are the
   struct cpu ones (gdbstub_cpu_ops); run drives machine_step, so timers,
   devices and the monitor keep working while gdb lets the guest run. */
struct gdbstub_machine_target {
    struct gdbstub_cpu_target cpu_t;
    struct machine *m;
    struct gdb_target_ops ops;   /* pass &t->ops and t to gdbstub_init */
    bool resumed;                /* gdb let the guest run (c/s), no stop reported yet */
};

/* Sets t up for machine m (which must have a vCPU). */
void gdbstub_machine_target_init(struct gdbstub_machine_target *t, struct machine *m);

struct monitor;

/*
 * Runs machine m with a gdb stub listening on host:port (host NULL:
 * 127.0.0.1; port 0: any, the one chosen is printed) until the machine stops.
 * The guest runs (unless paused, -S) while nobody is connected; the listening
 * socket and the connection are polled between vCPU slices and wake the
 * loop's idle waits. A connection stops the guest; gdb drives it while
 * attached (the monitor and devices keep working); detach or a closed
 * connection lets it run on and the stub listens again; kill ends the run
 * with status 0. mon (may be NULL) answers qRcmd. Returns the exit status.
 */
int gdbstub_machine_main(struct machine *m, const char *host, unsigned port, struct monitor *mon);

#endif
