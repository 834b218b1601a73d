/* SPDX-License-Identifier: MIT */
/* gdbstub_machine.c: the gdbstub on a whole machine: its target callbacks and the listening main loop. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include "cpu/cpu.h"
#include "cpu/debug.h"
#include "machine/machine.h"
#include "translate/log.h"
#include "ui/gdbstub.h"
#include "ui/gdbstub_machine.h"

/* Stops the guest for gdb: the vCPU pauses, the rest of the machine goes on. */
static void hold(struct gdbstub_machine_target *t)
{
    t->resumed = false;
    machine_set_paused(t->m, true);
}

static enum gdb_run machine_run_slice(void *opaque, bool step)
{
    struct gdbstub_machine_target *t = opaque;
    struct cpu *cpu = t->cpu_t.cpu;
    if (!t->resumed) {
        machine_set_paused(t->m, false);
        t->resumed = true;
    } else if (machine_paused(t->m)) {
        hold(t); /* the monitor's "stop" while gdb let the guest run */
        return GDB_RUN_INTERRUPTED;
    }
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
    if (machine_take_debug_stop(t->m)) {
        hold(t);
        return GDB_RUN_BREAK;
    }
    if (step) {
        hold(t);
        return GDB_RUN_STEPPED;
    }
    return GDB_RUN_MORE;
}

static bool readable(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    return poll(&p, 1, 0) > 0;
}

/* The guest is stopped while gdb has nothing to say: the machine (timers,
   devices, the monitor) keeps running with the vCPU paused. */
static bool machine_wait(void *opaque, int fd)
{
    struct gdbstub_machine_target *t = opaque;
    for (;;) {
        hold(t);
        if (readable(fd))
            return true;
        if (!machine_step(t->m, -1)) /* fd is watched: its input ends the wait */
            return false;
    }
}

void gdbstub_machine_target_init(struct gdbstub_machine_target *t, struct machine *m)
{
    memset(t, 0, sizeof(*t));
    t->m = m;
    t->cpu_t.cpu = machine_cpu(m);
    t->ops = gdbstub_cpu_ops;
    t->ops.run = machine_run_slice;
    t->ops.wait = machine_wait;
}

/* One gdb connection, from its first packet to its end. */
static enum gdbstub_end serve_connection(struct machine *m, int fd, struct monitor *mon)
{
    struct gdbstub_machine_target *t = malloc(sizeof(*t));
    struct gdbstub *g = malloc(sizeof(*g));
    enum gdbstub_end end = GDBSTUB_DISCONNECTED;
    if (t && g && machine_watch_fd(m, fd)) {
        gdbstub_machine_target_init(t, m);
        hold(t); /* gdb connecting stops the guest */
        gdbstub_init(g, fd, &t->ops, t, mon);
        end = gdbstub_serve(g);
        machine_unwatch_fd(m, fd);
        /* gdb's detach removes its breakpoints and watchpoints, a dropped
           connection does not: none may outlive the connection. */
        cpu_bp_clear(t->cpu_t.cpu);
        cpu_wp_clear(t->cpu_t.cpu);
    }
    free(t);
    free(g);
    return end;
}

int gdbstub_machine_main(struct machine *m, const char *host, unsigned port, struct monitor *mon)
{
    char err[200];
    int lfd = gdbstub_listen(host, port, err, sizeof(err));
    if (lfd < 0) {
        fprintf(stderr, "kiln: -gdb: %s\n", err);
        return 1;
    }
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    if (getsockname(lfd, (struct sockaddr *)&sa, &sl) == 0)
        port = ntohs(sa.sin_port);
    fprintf(stderr, "kiln: %s on %s:%u\n", machine_paused(m) ? "waiting for gdb" : "gdb stub listening",
            host && *host ? host : "127.0.0.1", port);
    machine_watch_fd(m, lfd);
    int status = -1;
    for (;;) {
        if (readable(lfd)) {
            int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0) {
                enum gdbstub_end end = serve_connection(m, fd, mon);
                close(fd);
                if (end == GDBSTUB_KILLED) {
                    status = 0;
                    break;
                }
                /* Detached or gone: the guest runs on, and the next gdb may come. */
                if (end != GDBSTUB_EXITED)
                    machine_set_paused(m, false);
            }
        }
        if (!machine_step(m, -1))
            break;
    }
    machine_unwatch_fd(m, lfd);
    close(lfd);
    kiln_log_flush(machine_log(m));
    if (status < 0)
        status = machine_exit_status(m);
    return status;
}
