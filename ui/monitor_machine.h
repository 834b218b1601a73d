/* SPDX-License-Identifier: MIT */
/* monitor_machine.h: the monitor attached to a running machine through a character backend. */
#ifndef KILN_UI_MONITOR_MACHINE_H
#define KILN_UI_MONITOR_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include "ui/monitor.h"

struct machine;
struct chardev;

/* A monitor for a machine: a line editor on a chardev running monitor_command. */
struct monitor_machine {
    struct machine *m;
    struct monitor mon;
    struct chardev *cd;
    char line[512];
    size_t len;
    bool overflow;
};

/* The monitor callbacks for a machine (registers and memory of its vCPU,
   memory map, PIC, JIT statistics, stop/cont/system_reset/quit). */
extern const struct monitor_ops monitor_machine_ops;

/* Sets mm up for machine m and, when cd is not NULL, makes it cd's input
   frontend (mux: the Ctrl-A c monitor frontend) and prints the banner/prompt. */
void monitor_machine_init(struct monitor_machine *mm, struct machine *m);
void monitor_machine_attach(struct monitor_machine *mm, struct chardev *cd, bool mux);

/* Feeds input bytes (what the chardev delivers): each complete line runs. */
void monitor_machine_input(struct monitor_machine *mm, const unsigned char *buf, size_t len);

#endif
