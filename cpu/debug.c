/* SPDX-License-Identifier: MIT */
/* debug.c: debugger breakpoints and single steps of the vCPU. */
#include "cpu/debug.h"
#include "translate/tb.h"

/* Translations made with the old breakpoint set are wrong now. */
static void bp_changed(struct cpu *cpu)
{
    if (cpu->tbc)
        tb_flush(cpu->tbc);
}

bool cpu_bp_insert(struct cpu *cpu, uint64_t lin)
{
    if (cpu_bp_hit(cpu, lin))
        return true;
    if (cpu->nbp >= CPU_MAX_BP)
        return false;
    cpu->bp[cpu->nbp++] = lin;
    bp_changed(cpu);
    return true;
}

bool cpu_bp_remove(struct cpu *cpu, uint64_t lin)
{
    for (unsigned i = 0; i < cpu->nbp; i++) {
        if (cpu->bp[i] == lin) {
            cpu->bp[i] = cpu->bp[--cpu->nbp];
            bp_changed(cpu);
            return true;
        }
    }
    return false;
}

void cpu_bp_clear(struct cpu *cpu)
{
    if (cpu->nbp) {
        cpu->nbp = 0;
        bp_changed(cpu);
    }
}

int cpu_debug_step(struct cpu *cpu)
{
    cpu->debug_step = true;
    int r = cpu_exec(cpu, 1);
    cpu->debug_step = false;
    return r;
}

_Static_assert((int)CPU_WP_WRITE == (int)CPU_WATCH_W && (int)CPU_WP_READ == (int)CPU_WATCH_R &&
                   (int)CPU_WP_ACCESS == (int)CPU_WATCH_RW,
               "debugger watch kinds are watch-table kinds");
_Static_assert(CPU_MAX_WP <= sizeof(((struct cpu_dbg *)0)->wp) / sizeof(((struct cpu_dbg *)0)->wp[0]),
               "room for the debugger's watchpoints");

bool cpu_wp_insert(struct cpu *cpu, uint64_t lin, uint64_t len, unsigned kind)
{
    struct cpu_dbg *d = &cpu->dbg;
    if (len == 0 || kind < CPU_WP_WRITE || kind > CPU_WP_ACCESS || lin + (len - 1) < lin)
        return false;
    for (unsigned i = 0; i < d->nwp; i++)
        if (d->wp[i].addr == lin && d->wp[i].len == len && d->wp[i].kind == kind)
            return true;
    if (d->nwp >= CPU_MAX_WP)
        return false;
    d->wp[d->nwp].addr = lin;
    d->wp[d->nwp].len = len;
    d->wp[d->nwp].kind = (uint8_t)kind;
    d->nwp++;
    cpu_dbg_update(cpu);
    return true;
}

bool cpu_wp_remove(struct cpu *cpu, uint64_t lin, uint64_t len, unsigned kind)
{
    struct cpu_dbg *d = &cpu->dbg;
    for (unsigned i = 0; i < d->nwp; i++) {
        if (d->wp[i].addr == lin && d->wp[i].len == len && d->wp[i].kind == kind) {
            d->wp[i] = d->wp[--d->nwp];
            cpu_dbg_update(cpu);
            return true;
        }
    }
    return false;
}

void cpu_wp_clear(struct cpu *cpu)
{
    if (cpu->dbg.nwp) {
        cpu->dbg.nwp = 0;
        cpu_dbg_update(cpu);
    }
}

bool cpu_debug_watch_hit(struct cpu *cpu, uint64_t *lin, unsigned *kind)
{
    if (!cpu->dbg.stop_kind)
        return false;
    *lin = cpu->dbg.stop_addr;
    *kind = cpu->dbg.stop_kind;
    cpu->dbg.stop_kind = 0;
    return true;
}
