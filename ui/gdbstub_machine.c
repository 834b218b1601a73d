/* SPDX-License-Identifier: MIT */
/* gdbstub_machine.c: the gdbstub target for a whole machine (registers/memory of its vCPU, runs via machine_step). */
#include <stdio.h>
#include <string.h>
#include "cpu/cpu.h"
#include "machine/machine.h"
#include "ui/gdbstub.h"
#include "ui/gdbstub_machine.h"

static enum gdb_run machine_run_slice(void *opaque, bool step)
{
    struct gdbstub_machine_target *t = opaque;
    struct cpu *cpu = t->cpu_t.cpu;
    machine_set_paused(t->m, false);
    if (step) {
        cpu->debug_step = true;
        machine_set_step(t->m, true);
    }
    /* A step must retire an instruction: a pending exit request (from pausing)
       or a timer can end an exec call before it does, so try a few times. */
    uint64_t before = cpu->insn_count;
    bool alive = machine_step(t->m, step ? 0 : 10000000);
    for (int i = 0; step && alive && i < 4 && cpu->insn_count == before; i++)
        alive = machine_step(t->m, 0);
    if (step) {
        cpu->debug_step = false;
        machine_set_step(t->m, false);
    }
    if (!alive)
        return GDB_RUN_EXITED;
    if (machine_take_debug_stop(t->m))
        return GDB_RUN_BREAK;
    return step ? GDB_RUN_STEPPED : GDB_RUN_MORE;
}

void gdbstub_machine_target_init(struct gdbstub_machine_target *t, struct machine *m)
{
    memset(t, 0, sizeof(*t));
    t->m = m;
    t->cpu_t.cpu = machine_cpu(m);
    t->ops = gdbstub_cpu_ops;
    t->ops.run = machine_run_slice;
}
