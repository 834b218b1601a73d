/* SPDX-License-Identifier: MIT */
/* machine_int.h: the layout of struct machine, shared by machine.c, pc.c and mainloop.c only. */
#ifndef KILN_MACHINE_MACHINE_INT_H
#define KILN_MACHINE_MACHINE_INT_H

#include <signal.h>
#include <time.h>
#include "hw/irq.h"
#include "machine/loader.h"
#include "machine/machine.h"
#include "translate/log.h"

struct debugexit;
struct port80;
struct acpi_pm;
struct bus_region;
struct lapic;
struct ioapic;
struct hpet;
struct pci_bus;
struct piix3;
struct i8042;
struct fwcfg;

struct machine {
    /* configuration kept after machine_new */
    bool no_reboot, no_shutdown;
    bool icount, icount_sleep;
    uint64_t slice;

    struct kiln_log log;
    struct clock *clock;
    struct memmap *mm;
    struct bus *io;

    /* the board */
    struct pic *pic;
    struct pit *pit;
    struct rtc *rtc;
    struct uart *uart[KILN_MAX_SERIALS];
    struct chardev *serial_chr[KILN_MAX_SERIALS];
    struct chardev *extra_chr[MACHINE_MAX_EXTRA_CHR]; /* monitor etc. (not owned), polled by the loop */
    bool paused;                        /* monitor "stop" / -S: the vCPU does not run */
    bool step_once;                     /* gdbstub single step: exec budgets of 1 */
    bool debug_stop;                    /* the vCPU stopped at a debugger breakpoint */
    bool step_irq;                      /* single steps may enter interrupt handlers */
    bool irq_masked;                    /* a step hides INTR from the vCPU (step_irq off) */
    int watch_fd[MACHINE_MAX_WATCH_FD]; /* descriptors that wake the loop (gdbstub) */
    unsigned nwatch;
    struct debugexit *debugexit[KILN_MAX_DEVICES];
    unsigned ndebugexit;
    struct port80 *port80;
    struct acpi_pm *acpi_pm;
    struct irq_line acpi_sci;           /* PM block SCI -> IRQ 9 of the current PIC */
    struct irq_line rtc_irq; /* IRQ 8 to the current PIC (it outlives a reset) */
    uint16_t isa_dev_level;             /* ISA IRQs held high by lines that outlive a reset (RTC, SCI) */
    uint16_t isa_pci_level;             /* ISA IRQs held high by the PIIX3's PIRQ routing */
    struct pci_bus *pci;                /* bus 0: i440FX 00:00.0, PIIX3 00:01.0, PIIX4 PM 00:01.3 */
    struct piix3 *piix3;
    struct i8042 *i8042;                /* keyboard controller (kept across resets, reset in place) */
    struct irq_line kbd_irq, aux_irq;   /* its IRQ 1 and 12 */
    struct fwcfg *fwcfg;                /* QEMU-compatible firmware configuration at 0x510 */
    struct bus_region *port92;
    struct bus_region *portf0;          /* 0xF0: clears the FERR# -> IRQ 13 latch */
    uint8_t port92_val;
    struct bus_region *debugcon;
    struct chardev *debugcon_chr;
    struct irq_line cpu_intr;           /* the local APIC's INTR output -> the CPU's INTR pin */
    struct irq_line nmi_line;           /* device NMI sources -> LINT1 (port 0x70 bit 7 masks them) */
    int nmi_level;
    int intr_level;
    /* APICs (pc_apic.c): created once, reset with the board */
    struct lapic *lapic;
    struct ioapic *ioapic;
    struct hpet *hpet;
    uint64_t lapic_mapped;              /* base of the mapped LAPIC page, or UINT64_MAX */
    struct irq_line lapic_nmi, lapic_init;
    volatile sig_atomic_t init_req;     /* INIT IPI: the CPU is re-initialised after exec */
    struct irq_line isa_irq[16];        /* ISA IRQ n -> PIC input n and I/O APIC GSI (0 -> 2) */
    uint8_t isa_level[16];              /* what each ISA source drives */
    struct irq_line hpet_legacy[2];     /* HPET timers 0/1 in legacy replacement (IRQ 0/8) */
    uint8_t hpet_legacy_level[2];
    bool a20;

    /* the vCPU */
    const struct sysbus_cpu_ops *cpu_ops;
    struct cpu *cpu;
    struct sysbus sysbus;
    bool halted;
    bool cpu_halted;                    /* the last exec ended in HLT (halted is also set while paused) */
    /* realtime: a host timer that ends the vCPU's budget at the next deadline */
    bool have_alarm;
    timer_t alarm;
    struct sigaction old_alarm_action;

    /* requests (may be set from signal handlers or device callbacks) */
    volatile sig_atomic_t stop_req;     /* enum machine_stop, NONE when running */
    volatile sig_atomic_t stop_status;
    volatile sig_atomic_t reset_req;
    enum machine_stop stop;
    int status;

    /* direct kernel boot, replayed at each reset */
    bool have_kernel;
    uint8_t *kernel_data, *initrd_data[KILN_MAX_DEVICES];
    size_t kernel_len;
    struct loader_blob modules[KILN_MAX_DEVICES];
    unsigned nmodules;
    char *kernel_name, *cmdline, *initrd_spec;
    struct loader_result boot;
};

/* mainloop.c: removes the realtime alarm timer and its signal handler. */
void machine_alarm_stop(struct machine *m);

/* pc.c: builds and tears down the board's devices from the configuration. */
int pc_init(struct machine *m, const struct kiln_config *cfg, const struct machine_options *opt,
            char *err, size_t errlen);
void pc_free(struct machine *m);
/* Publishes the loaded kernel, setup, initrd and command line in fw_cfg (after load_kernel). */
void pc_fwcfg_kernel(struct machine *m);
/* Device-side reset (PIC, PIT... reinitialised as at power-on; A20 on). */
void pc_reset(struct machine *m);
/* The CPU's FERR# output: latches IRQ 13 until the guest writes port 0xF0. */
void pc_ferr(struct machine *m);

/* pc_apic.c: the local APIC, I/O APIC and HPET, and the ISA IRQ fan-out. */
int pc_apic_init(struct machine *m);
void pc_apic_reset(struct machine *m);
void pc_apic_free(struct machine *m);
/* ISA IRQ n's level from its device: to PIC input n and I/O APIC GSI n (IRQ 0 -> GSI 2). */
void pc_isa_irq_set(void *opaque, int n, int level);
/* The vector for the CPU's interrupt acknowledge (through the local APIC). */
uint8_t pc_inta(struct machine *m);
/* Runs an INIT IPI's CPU re-initialisation (after exec returned). */
void pc_apic_do_init(struct machine *m);

#endif
