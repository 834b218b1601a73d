/* SPDX-License-Identifier: MIT */
/* machine.h: struct machine, the PC built from a configuration: devices, memory, clock, vCPU, main loop. */
#ifndef KILN_MACHINE_MACHINE_H
#define KILN_MACHINE_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "cpu/sysbus.h"
#include "machine/config.h"

struct machine;
struct bus;
struct memmap;
struct clock;
struct chardev;
struct kiln_log;
struct pic;
struct pit;
struct rtc;
struct uart;
struct pci_bus;
struct i8042;
struct acpi_pm;

/* What a caller can add to the configuration (tests, front ends). */
struct machine_options {
    /* The vCPU driver: NULL takes cpu_sys_ops() (the system CPU, if built).
     * Tests pass a fake to exercise the main loop. */
    const struct sysbus_cpu_ops *cpu_ops;
    /* Build the board without any vCPU (device and loader tests): machine_run
     * then only runs timers and I/O until an exit is requested. */
    bool no_cpu;
    /* Non-NULL entries replace the backend of serial port i from the
     * configuration (the machine takes ownership). */
    struct chardev *serial_chr[KILN_MAX_SERIALS];
    /* Largest instruction budget of one exec call in realtime mode
     * (0 = MACHINE_SLICE_DEFAULT): bounds the latency of timers and input. */
    uint64_t slice_insns;
    /* Host time source of the realtime clock, monotonic ns (tests inject a
     * fake host clock; NULL: CLOCK_MONOTONIC). */
    int64_t (*host_time)(void *opaque);
    void *host_time_opaque;
};

#define MACHINE_SLICE_DEFAULT 200000u

/* Why machine_run returned; machine_exit_status gives the process status. */
enum machine_stop {
    MACHINE_STOP_NONE,        /* still running */
    MACHINE_STOP_QUIT,        /* C-a x, SIGTERM, monitor quit: status 0 */
    MACHINE_STOP_DEBUG_EXIT,  /* isa-debug-exit: status (v << 1) | 1 */
    MACHINE_STOP_POWEROFF,    /* the guest powered off: status 0 */
    MACHINE_STOP_RESET,       /* a reset with -no-reboot: status 0 */
    MACHINE_STOP_ERROR,       /* the CPU failed or nothing can run: status 1 */
};

/*
 * Builds the PC that cfg describes (memory, devices, chardev backends, the
 * vCPU) and, with cfg->kernel, loads the kernel/initrd/command line. Returns
 * NULL with a one-line reason in err (without program name) on any failure.
 * cfg is copied where needed; it may be freed afterwards. opt may be NULL.
 */
struct machine *machine_new(const struct kiln_config *cfg, const struct machine_options *opt,
                            char *err, size_t errlen);
/* Frees everything the machine owns (closes chardevs, restores the terminal). */
void machine_free(struct machine *m);

/*
 * Runs until a stop: the vCPU gets budgets up to the next clock deadline,
 * timers run, chardev input is polled (blocking in poll() up to the next
 * deadline while the vCPU is halted), reset requests reset the machine.
 * Returns the process exit status (see enum machine_stop).
 */
int machine_run(struct machine *m);

/* Extra character backends the main loop polls and dispatches (the monitor's);
   not owned: remove nothing, close them after machine_free. False when full. */
#define MACHINE_MAX_EXTRA_CHR 2
bool machine_add_chardev(struct machine *m, struct chardev *cd);
/* Opens the backend a -serial/-monitor option describes; NULL with a reason. */
struct chardev *machine_open_chardev(const struct kiln_chardev *c, char *err, size_t errlen);
/* Pauses / resumes the vCPU (monitor stop/cont, -S): timers and input go on. */
void machine_set_paused(struct machine *m, bool paused);
bool machine_paused(const struct machine *m);
/* gdbstub: vCPU budgets of one instruction while set; and whether the vCPU
   stopped at a breakpoint since the last call (cleared by the call). */
void machine_set_step(struct machine *m, bool one);
bool machine_take_debug_stop(struct machine *m);
/* Whether single steps (machine_set_step) may take an external interrupt
   (default false: the INTR line is hidden from the vCPU for the step unless it
   is halted, so stepping never enters an interrupt handler; the interrupt
   stays pending and is taken when the guest runs). */
void machine_set_step_irq(struct machine *m, bool allow);
bool machine_step_irq(const struct machine *m);

/* Descriptors (not owned) that wake the main loop's waits when readable, so a
   caller of machine_step polling them (the gdbstub's listening socket and
   connection) sees them at once even while the vCPU is halted. Nothing is
   read from them. machine_watch_fd returns false when MACHINE_MAX_WATCH_FD
   are watched already; unwatching an fd not watched does nothing. */
#define MACHINE_MAX_WATCH_FD 2
bool machine_watch_fd(struct machine *m, int fd);
void machine_unwatch_fd(struct machine *m, int fd);

/* System reset now: devices, vCPU, A20, and the kernel loaded again. */
void machine_reset(struct machine *m);

/* Asks machine_run to return with the given stop and status. Async-signal-safe. */
void machine_request_stop(struct machine *m, enum machine_stop why, int status);
/* Same as machine_request_stop(m, MACHINE_STOP_QUIT, 0). Async-signal-safe. */
void machine_request_exit(struct machine *m);
/* Asks for a system reset at the next main-loop iteration (a guest request). */
void machine_request_reset(struct machine *m);
/* Injects an NMI into the vCPU now, whatever the RTC's NMI mask says (the
   monitor's "nmi"); from the machine's thread. Devices drive the NMI line of
   the board instead (machine_int.h nmi_line), which the mask gates. */
void machine_nmi(struct machine *m);
/* Why machine_run stopped (MACHINE_STOP_NONE while running) and the status. */
enum machine_stop machine_stop_reason(const struct machine *m);
int machine_exit_status(const struct machine *m);

/* Runs one main-loop iteration (exec one budget or wait while halted at most
 * max_wait_ns of host time); returns false once stopped. For tests. */
bool machine_step(struct machine *m, int64_t max_wait_ns);

/* Parts, for the monitor, the gdbstub and tests. */
struct bus *machine_io(struct machine *m);
struct memmap *machine_memmap(struct machine *m);
struct clock *machine_clock(struct machine *m);
struct kiln_log *machine_log(struct machine *m);
struct pic *machine_pic(struct machine *m);
struct pit *machine_pit(struct machine *m);
struct rtc *machine_rtc(struct machine *m);
struct uart *machine_uart(struct machine *m, unsigned i);        /* NULL if absent */
struct chardev *machine_serial_chr(struct machine *m, unsigned i);
struct pci_bus *machine_pci(struct machine *m);                  /* PCI bus 0 */
struct i8042 *machine_i8042(struct machine *m);                  /* keyboard controller: the UI's input */
struct acpi_pm *machine_acpi_pm(struct machine *m);              /* PM block (power button) */
struct cpu *machine_cpu(struct machine *m);                      /* NULL without a vCPU */
/* The sysbus the vCPU was given (tests call its ops as a CPU would). */
const struct sysbus *machine_sysbus(struct machine *m);
/* The level of the CPU's INTR input and the A20 gate, as the board drives them. */
int machine_intr_level(const struct machine *m);
/* Prints the local APIC, I/O APIC and HPET state (monitor "info irq"). */
void machine_apic_print(struct machine *m, FILE *out);
bool machine_a20(const struct machine *m);
/* What the kernel loader did (one line, "" without -kernel). */
const char *machine_boot_summary(const struct machine *m);

#endif
