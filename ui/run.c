/* SPDX-License-Identifier: MIT */
/* run.c: kiln_run, the bridge from a parsed configuration to the machine: build it, run it, report why it stopped. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "machine/machine.h"
#include "hw/chardev.h"
#include "ui/cmdline.h"
#include "ui/gdbstub_machine.h"
#include "ui/monitor_machine.h"
#include "ui/run.h"

/* The machine SIGTERM/SIGINT/SIGHUP stop (signals are process-wide, so this
 * one pointer is too; it is set only while kiln_run runs a machine). */
static struct machine *volatile signal_machine;

static void on_signal(int sig)
{
    (void)sig;
    if (signal_machine)
        machine_request_exit(signal_machine);
}

static void set_signals(void (*fn)(int))
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

int kiln_run(const struct kiln_config *cfg)
{
    char err[400];
    struct machine *m;
    int status;

    if (cfg->kernel == NULL && cfg->ndrives == 0) {
        kiln_print_usage(stderr);
        return 1;
    }
    if (cfg->kernel == NULL) {
        fprintf(stderr, "kiln: booting from a drive needs the firmware (BIOS), which is not built yet\n");
        return 1;
    }
    m = machine_new(cfg, NULL, err, sizeof(err));
    if (m == NULL) {
        fprintf(stderr, "kiln: %s\n", err);
        return 1;
    }
    if (machine_cpu(m) == NULL) {
        fprintf(stderr,
                "kiln: the PC is built and the kernel is loaded (%s),\n"
                "kiln: but the system CPU (paging, segmentation, interrupt delivery, I/O\n"
                "kiln: instructions: cpu_sys_ops() in cpu/sysbus.h) is not built yet\n",
                machine_boot_summary(m));
        machine_free(m);
        return 1;
    }
    /* The monitor: its own backend (-monitor), or the serial port's mux (mon:stdio). */
    static struct monitor_machine mon;
    struct chardev *mon_chr = NULL;
    bool have_monitor = false;
    monitor_machine_init(&mon, m);
    if (cfg->monitor.kind != KILN_CHR_NONE) {
        mon_chr = machine_open_chardev(&cfg->monitor, err, sizeof(err));
        if (mon_chr == NULL || !machine_add_chardev(m, mon_chr)) {
            fprintf(stderr, "kiln: -monitor: %s\n", mon_chr ? "too many backends" : err);
            if (mon_chr)
                chardev_close(mon_chr);
            machine_free(m);
            return 1;
        }
        monitor_machine_attach(&mon, mon_chr, false);
        have_monitor = true;
    } else {
        for (unsigned i = 0; i < cfg->nserial && !have_monitor; i++) {
            if (cfg->serial[i].mux && machine_serial_chr(m, i)) {
                monitor_machine_attach(&mon, machine_serial_chr(m, i), true);
                have_monitor = true;
            }
        }
    }
    if (cfg->start_paused) {
        if (!have_monitor && cfg->gdb.kind == KILN_CHR_NONE) {
            fprintf(stderr, "kiln: -S: nothing could resume the machine (no monitor, no -s/-gdb)\n");
            machine_free(m);
            if (mon_chr)
                chardev_close(mon_chr);
            return 1;
        }
        machine_set_paused(m, true);
    }
    signal_machine = m;
    set_signals(on_signal);
    if (cfg->gdb.kind == KILN_CHR_TCP)
        status = gdbstub_machine_main(m, cfg->gdb.host, cfg->gdb.port, &mon.mon);
    else
        status = machine_run(m);
    set_signals(SIG_DFL);
    signal_machine = NULL;
    machine_free(m);
    if (mon_chr)
        chardev_close(mon_chr);
    return status;
}
