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
};

/* Sets t up for machine m (which must have a vCPU). */
void gdbstub_machine_target_init(struct gdbstub_machine_target *t, struct machine *m);

#endif
