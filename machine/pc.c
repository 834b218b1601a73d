/* SPDX-License-Identifier: MIT */
/* pc.c: the PC board: which device sits on which port and IRQ, RAM and CMOS, A20 and reset via port 0x92. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "hw/acpi_pm.h"
#include "hw/chardev.h"
#include "hw/debugexit.h"
#include "hw/fwcfg.h"
#include "hw/hpet.h"
#include "hw/i440fx.h"
#include "hw/i8042.h"
#include "hw/ioapic.h"
#include "hw/lapic.h"
#include "hw/pci.h"
#include "hw/pic.h"
#include "hw/piix3.h"
#include "hw/piix_pm.h"
#include "hw/pit.h"
#include "hw/port80.h"
#include "hw/rtc.h"
#include "hw/uart.h"
#include "machine/acpi_tables.h"
#include "machine/bus.h"
#include "machine/clock.h"
#include "machine/loader.h"
#include "machine/machine_int.h"
#include "machine/memmap.h"

/* COM1-COM4 and their ISA IRQs. */
static const struct {
    uint16_t port;
    int irq;
} com[KILN_MAX_SERIALS] = { { 0x3f8, 4 }, { 0x2f8, 3 }, { 0x3e8, 4 }, { 0x2e8, 3 } };

#define PORT_DEBUGCON 0xe9
/* The PIIX4-style ACPI PM block and its SCI (as QEMU's pc machine). */
#define PORT_ACPI_PM 0x600
#define IRQ_ACPI_SCI 9
/* PCI configuration mechanism #1 and the functions on bus 0 (as QEMU's pc machine). */
#define PORT_PCI_CONF 0xcf8
#define PORT_RESET_CONTROL 0xcf9   /* the PIIX3's, named by the FADT reset register */
#define DEVFN_I440FX PCI_DEVFN(0, 0)
#define DEVFN_PIIX3 PCI_DEVFN(1, 0)
#define DEVFN_PIIX_PM PCI_DEVFN(1, 3)
/* The PCI memory window ends below the I/O APIC, HPET and local APIC. */
#define PCI_MEM_END 0xfebfffffu

/* ---- the local APIC's INTR output drives the CPU's INTR pin ---- */
static void cpu_intr_set(void *opaque, int n, int level)
{
    struct machine *m = opaque;

    (void)n;
    m->intr_level = level;
    if (m->cpu && !m->irq_masked)
        m->cpu_ops->set_irq_line(m->cpu, level);
}

/* ---- the board's NMI line: a rising edge reaches LINT1 (or, without a local APIC,
   the CPU) unless port 0x70 bit 7 masks it ---- */
static void cpu_nmi_set(void *opaque, int n, int level)
{
    struct machine *m = opaque;

    (void)n;
    if (level && !m->nmi_level && !(m->rtc && rtc_nmi_masked(m->rtc))) {
        if (m->lapic)
            irq_pulse(lapic_lint(m->lapic, 1));
        else
            machine_nmi(m);
    }
    m->nmi_level = level;
}

/* ---- port 0x92, "system control port A": bit 1 gates A20, bit 0 pulses a reset ---- */
static uint64_t port92_read(void *opaque, uint64_t off, unsigned size)
{
    struct machine *m = opaque;

    (void)off;
    (void)size;
    return (m->port92_val & ~2u) | (m->a20 ? 2u : 0u);
}

/* The A20 gate: port 0x92 bit 1 and the keyboard controller's output port both set it. */
static void pc_set_a20(struct machine *m, bool a20)
{
    if (a20 != m->a20) {
        m->a20 = a20;
        if (m->cpu)
            m->cpu_ops->set_a20(m->cpu, a20);
    }
}

static void port92_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct machine *m = opaque;

    (void)off;
    (void)size;
    pc_set_a20(m, (val & 2) != 0);
    if ((val & 1) && !(m->port92_val & 1)) {
        KILN_LOG(&m->log, KILN_LOG_CPU_RESET, "port 0x92: fast reset requested\n");
        machine_request_reset(m);
    }
    m->port92_val = (uint8_t)(val & ~2u);
}

static const struct bus_ops port92_ops = { port92_read, port92_write, 1, 1, false };


/* ---- port 0xe9 debug console: bytes written go to the chardev; reads say 0xe9 ---- */
static uint64_t debugcon_read(void *opaque, uint64_t off, unsigned size)
{
    (void)opaque;
    (void)off;
    (void)size;
    return PORT_DEBUGCON;
}

static void debugcon_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct machine *m = opaque;
    uint8_t b = (uint8_t)val;

    (void)off;
    (void)size;
    chardev_write(m->debugcon_chr, &b, 1);
}

static const struct bus_ops debugcon_ops = { debugcon_read, debugcon_write, 1, 1, false };

/* ---- callbacks from devices ---- */
static void on_debug_exit(void *opaque, int status)
{
    machine_request_stop(opaque, MACHINE_STOP_DEBUG_EXIT, status);
}

/* Lines of devices that outlive a reset (RTC, ACPI SCI) go to whichever PIC is
   current: the PIC is re-created at reset, so they must not hold its lines.
   The single point where an ISA IRQ fans out to the PIC and the I/O APIC. */
static void isa_irq_set(void *opaque, int n, int level)
{
    pc_isa_irq_set(opaque, n, level);   /* pc_apic.c */
}

/* ---- FERR# -> IRQ 13 (the PC/AT's x87 error route with CR0.NE = 0) ----
   The CPU reports FERR#; the board latches IRQ 13 high until the guest writes
   port 0xF0 (which on the AT also releases IGNNE#; the CPU here never stalls). */
void pc_ferr(struct machine *m)
{
    isa_irq_set(m, 13, 1);
}

static uint64_t portf0_read(void *opaque, uint64_t off, unsigned size)
{
    (void)opaque; (void)off; (void)size;
    return 0xff;
}

static void portf0_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    (void)off; (void)val; (void)size;
    isa_irq_set(opaque, 13, 0);
}

static const struct bus_ops portf0_ops = { portf0_read, portf0_write, 1, 1, false };

/* Sources that share ISA IRQs are ORed before the fan-out: lines of devices that
   outlive a reset (RTC, ACPI SCI) and the PIIX3's PIRQ outputs. */
static void isa_src_set(struct machine *m, uint16_t *src, int n, int level)
{
    if (n < 0 || n > 15)
        return;
    if (level)
        *src |= (uint16_t)(1u << n);
    else
        *src &= (uint16_t)~(1u << n);
    isa_irq_set(m, n, ((m->isa_dev_level | m->isa_pci_level) >> n) & 1);
}

static void isa_dev_irq(void *opaque, int n, int level)
{
    struct machine *m = opaque;

    isa_src_set(m, &m->isa_dev_level, n, level);
}

static void pci_isa_irq(void *opaque, int n, int level)
{
    struct machine *m = opaque;

    isa_src_set(m, &m->isa_pci_level, n, level);
}

static void on_rcr_reset(void *opaque)
{
    struct machine *m = opaque;

    KILN_LOG(&m->log, KILN_LOG_CPU_RESET, "port 0xcf9: reset requested\n");
    machine_request_reset(m);
}

struct pci_bus *machine_pci(struct machine *m) { return m->pci; }
struct i8042 *machine_i8042(struct machine *m) { return m->i8042; }
struct acpi_pm *machine_acpi_pm(struct machine *m) { return m->acpi_pm; }

static void on_i8042_reset(void *opaque)
{
    struct machine *m = opaque;

    KILN_LOG(&m->log, KILN_LOG_CPU_RESET, "i8042: reset line pulsed\n");
    machine_request_reset(m);
}

/* fw_cfg DMA wrote guest memory: drop translations of it. */
static void on_fwcfg_written(void *opaque, uint64_t addr, uint64_t len)
{
    struct machine *m = opaque;

    if (m->cpu && m->cpu_ops->phys_written)
        m->cpu_ops->phys_written(m->cpu, addr, len);
}

/* The firmware configuration items every PC has: RAM size, CPUs, the e820 map. */
static bool pc_fwcfg_init(struct machine *m)
{
    struct e820_entry map[E820_MAX];
    uint8_t raw[E820_MAX * 20];
    unsigned n = e820_build(m->mm, map, E820_MAX);

    m->fwcfg = fwcfg_init(m->io, FWCFG_PORT_BASE, m->mm, on_fwcfg_written, m);
    if (m->fwcfg == NULL)
        return false;
    for (unsigned i = 0; i < n; i++)
        for (unsigned b = 0; b < 8; b++) {
            raw[20 * i + b] = (uint8_t)(map[i].addr >> (8 * b));
            raw[20 * i + 8 + b] = (uint8_t)(map[i].len >> (8 * b));
            if (b < 4)
                raw[20 * i + 16 + b] = (uint8_t)(map[i].type >> (8 * b));
        }
    return fwcfg_add_u64(m->fwcfg, FWCFG_RAM_SIZE, memmap_ram_size(m->mm)) &&
           fwcfg_add_u16(m->fwcfg, FWCFG_NB_CPUS, 1) && fwcfg_add_u16(m->fwcfg, FWCFG_MAX_CPUS, 1) &&
           fwcfg_add_file(m->fwcfg, "etc/e820", raw, 20 * (size_t)n) >= 0;
}

void pc_fwcfg_kernel(struct machine *m)
{
    struct fwcfg *f = m->fwcfg;
    const char *cl = m->cmdline ? m->cmdline : "";

    if (f == NULL || !m->have_kernel)
        return;
    fwcfg_add_u32(f, FWCFG_CMDLINE_ADDR, LOADER_CMDLINE_ADDR);
    fwcfg_add_u32(f, FWCFG_CMDLINE_SIZE, (uint32_t)strlen(cl) + 1);
    fwcfg_add_bytes(f, FWCFG_CMDLINE_DATA, cl, strlen(cl) + 1);
    if (m->boot.kind != LOADER_LINUX || m->kernel_len < 0x200)
        return;
    /* A bzImage: the real-mode setup ((setup_sects or 4) + 1 sectors) and the rest. */
    size_t setup = ((size_t)(m->kernel_data[0x1f1] ? m->kernel_data[0x1f1] : 4) + 1) * 512;
    if (setup >= m->kernel_len)
        return;
    fwcfg_add_u32(f, FWCFG_SETUP_ADDR, LOADER_PARAMS_ADDR);
    fwcfg_add_u32(f, FWCFG_SETUP_SIZE, (uint32_t)setup);
    fwcfg_add_ref(f, FWCFG_SETUP_DATA, m->kernel_data, setup);
    fwcfg_add_u32(f, FWCFG_KERNEL_ADDR, (uint32_t)m->boot.load_start);
    fwcfg_add_u32(f, FWCFG_KERNEL_SIZE, (uint32_t)(m->kernel_len - setup));
    fwcfg_add_ref(f, FWCFG_KERNEL_DATA, m->kernel_data + setup, m->kernel_len - setup);
    if (m->nmodules == 1) {
        fwcfg_add_u32(f, FWCFG_INITRD_ADDR, (uint32_t)m->boot.initrd_addr);
        fwcfg_add_u32(f, FWCFG_INITRD_SIZE, (uint32_t)m->modules[0].len);
        fwcfg_add_ref(f, FWCFG_INITRD_DATA, m->modules[0].data, m->modules[0].len);
    }
}

static void on_i8042_a20(void *opaque, bool on)
{
    pc_set_a20(opaque, on);
}

static void on_acpi_poweroff(void *opaque)
{
    struct machine *m = opaque;

    KILN_LOG(&m->log, KILN_LOG_CPU_RESET, "ACPI: guest entered S5 (soft off)\n");
    machine_request_stop(m, MACHINE_STOP_POWEROFF, 0);
}

/* Writes the ACPI tables into the BIOS area (skipped if firmware ROM sits there). */
static void pc_install_acpi(struct machine *m)
{
    const struct acpi_tables_cfg cfg = {
        ACPI_TABLES_BASE, PORT_ACPI_PM, IRQ_ACPI_SCI,
        m->lapic ? LAPIC_DEFAULT_BASE : 0, m->ioapic ? IOAPIC_DEFAULT_BASE : 0,
        m->hpet ? HPET_DEFAULT_BASE : 0,
        (uint32_t)memmap_ram_below_4g(m->mm), PCI_MEM_END, m->i8042 != NULL,
        PORT_RESET_CONTROL, PIIX3_RCR_SRST | PIIX3_RCR_RCPU,
    };

    if (acpi_tables_install(m->mm, &cfg) < 0)
        KILN_LOG(&m->log, KILN_LOG_GUEST_ERRORS, "ACPI: no RAM at %#x for the tables\n",
                 ACPI_TABLES_BASE);
}

static void on_post_code(void *opaque, uint8_t code)
{
    struct machine *m = opaque;

    KILN_LOG(&m->log, KILN_LOG_GUEST_ERRORS, "POST code %#04x\n", code);
}

static void on_escape(void *opaque, char cmd)
{
    if (cmd == 'x')
        machine_request_exit(opaque);
}

static void on_unclaimed(void *opaque, struct bus *bus, bool is_write, uint64_t addr,
                         unsigned size, uint64_t value)
{
    struct machine *m = opaque;

    if (!kiln_log_enabled(&m->log, KILN_LOG_UNIMP) && !kiln_log_enabled(&m->log, KILN_LOG_GUEST_ERRORS))
        return;
    if (is_write)
        kiln_log_printf(&m->log, "%s: unclaimed write %#llx size %u value %#llx\n", bus_name(bus),
                        (unsigned long long)addr, size, (unsigned long long)value);
    else
        kiln_log_printf(&m->log, "%s: unclaimed read %#llx size %u\n", bus_name(bus),
                        (unsigned long long)addr, size);
}

/* A chardev from its command-line description. */
static struct chardev *open_chr(const struct kiln_chardev *c, char *err, size_t errlen)
{
    struct chardev *cd = NULL;

    switch (c->kind) {
    case KILN_CHR_NONE:
        return NULL;
    case KILN_CHR_NULL:
        cd = chardev_null_new();
        break;
    case KILN_CHR_STDIO:
        cd = chardev_stdio_new();
        break;
    case KILN_CHR_FILE:
        cd = chardev_file_new(c->path, NULL);
        break;
    case KILN_CHR_PTY:
        cd = chardev_pty_new("serial");
        break;
    case KILN_CHR_TCP:
        cd = c->server ? chardev_tcp_server_new(c->host, c->port, c->wait)
                       : chardev_tcp_client_new(c->host ? c->host : "127.0.0.1", c->port);
        break;
    }
    if (cd == NULL)
        snprintf(err, errlen, "cannot open the character backend");
    return cd;
}

struct chardev *machine_open_chardev(const struct kiln_chardev *c, char *err, size_t errlen)
{
    return open_chr(c, err, errlen);
}

/* The devices a system reset re-creates in their power-on state. */
static int pc_devices_init(struct machine *m, unsigned nserial)
{
    /* Devices drive m->isa_irq[n] (pc_apic.c), which feeds the current PIC and
       the I/O APIC; the PIC's INT goes to the local APIC's LINT0. */
    m->pic = pic_init(m->io, 0x20, 0xa0, 0x4d0, lapic_lint(m->lapic, 0));
    if (m->pic == NULL)
        return -1;
    m->pit = pit_init(m->io, m->clock, 0x40, 0x61, &m->isa_irq[0]);
    if (m->pit == NULL)
        return -1;
    for (unsigned i = 0; i < nserial; i++) {
        if (m->serial_chr[i] == NULL)
            continue;       /* -serial none for this port */
        m->uart[i] = uart_init(m->io, m->clock, com[i].port, &m->isa_irq[com[i].irq],
                               m->serial_chr[i]);
        if (m->uart[i] == NULL)
            return -1;
    }
    return 0;
}

static void pc_devices_free(struct machine *m)
{
    for (unsigned i = 0; i < KILN_MAX_SERIALS; i++) {
        uart_free(m->uart[i]);
        m->uart[i] = NULL;
    }
    pit_free(m->pit);
    m->pit = NULL;
    pic_free(m->pic);
    m->pic = NULL;
    if (m->lapic)
        irq_lower(lapic_lint(m->lapic, 0));
}

int pc_init(struct machine *m, const struct kiln_config *cfg, const struct machine_options *opt,
            char *err, size_t errlen)
{
    unsigned nserial = cfg->nserial > KILN_MAX_SERIALS ? KILN_MAX_SERIALS : cfg->nserial;
    bool have_stdio = false;

    /* RAM: below the PCI hole at 0xe0000000, the rest from 4 GiB up. */
    m->mm = memmap_new(cfg->ram_size, MEMMAP_DEFAULT_HOLE);
    if (m->mm == NULL)
        return snprintf(err, errlen, "cannot allocate %llu MiB of guest RAM",
                        (unsigned long long)(cfg->ram_size >> 20)), -1;
    m->io = bus_new("io", 0xffff);
    if (m->io == NULL)
        return snprintf(err, errlen, "out of memory"), -1;
    memmap_set_unclaimed_hook(m->mm, on_unclaimed, m);
    bus_set_unclaimed_hook(m->io, on_unclaimed, m);
    m->cpu_intr = irq_line_make(cpu_intr_set, m, 0);
    m->nmi_line = irq_line_make(cpu_nmi_set, m, 0);

    /* Serial backends (the command line's, or the caller's). */
    for (unsigned i = 0; i < KILN_MAX_SERIALS; i++) {
        struct chardev *given = opt ? opt->serial_chr[i] : NULL;
        if (given) {
            m->serial_chr[i] = given;
            if (i >= nserial)
                nserial = i + 1;
            continue;
        }
        if (i >= nserial || cfg->serial[i].kind == KILN_CHR_NONE)
            continue;
        if (cfg->serial[i].kind == KILN_CHR_STDIO) {
            if (have_stdio)
                return snprintf(err, errlen, "-serial: only one serial port can use stdio"), -1;
            have_stdio = true;
        }
        char why[160];
        m->serial_chr[i] = open_chr(&cfg->serial[i], why, sizeof(why));
        if (m->serial_chr[i] == NULL)
            return snprintf(err, errlen, "-serial: COM%u: %s", i + 1, why), -1;
        if (cfg->serial[i].kind == KILN_CHR_STDIO || cfg->serial[i].mux)
            chardev_set_escape(m->serial_chr[i], on_escape, m);
    }

    /* Local APIC, I/O APIC, HPET: kept, reset with the board. */
    if (pc_apic_init(m) < 0)
        return snprintf(err, errlen, "board wiring failed: APIC or HPET"), -1;
    /* Interrupt controller, timer, COM ports: re-created at each reset. */
    if (pc_devices_init(m, KILN_MAX_SERIALS) < 0)
        return snprintf(err, errlen, "board wiring failed: a legacy port is taken twice"), -1;

    /* RTC (battery-backed: kept across resets) with the CMOS memory size. */
    if (cfg->rtc.base == KILN_RTC_DATETIME) {
        clock_set_wallclock_base(m->clock, cfg->rtc.base_time * CLOCK_NS_PER_SEC);
    } else if (cfg->rtc.base == KILN_RTC_LOCALTIME) {
        time_t now = (time_t)(clock_wallclock_base(m->clock) / CLOCK_NS_PER_SEC);
        struct tm lt;
        if (localtime_r(&now, &lt) != NULL)
            clock_set_wallclock_base(m->clock, clock_wallclock_base(m->clock) +
                                                   (int64_t)lt.tm_gmtoff * CLOCK_NS_PER_SEC);
    }
    m->rtc_irq = irq_line_make(isa_dev_irq, m, 8);
    m->rtc = rtc_init(m->io, m->clock, 0x70, &m->rtc_irq);
    if (m->rtc == NULL)
        return snprintf(err, errlen, "board wiring failed: RTC ports taken"), -1;
    rtc_set_memory(m->rtc, memmap_ram_below_4g(m->mm), memmap_ram_above_4g(m->mm));

    /* POST codes, A20 + fast reset, debug console, isa-debug-exit. */
    m->port80 = port80_init(m->io, 0x80, on_post_code, m);
    m->a20 = true;
    m->port92 = bus_register(m->io, 0x92, 1, &port92_ops, m, "port92 (A20, reset)");
    m->portf0 = bus_register(m->io, 0xf0, 1, &portf0_ops, m, "FERR# latch (IRQ 13)");
    if (m->port80 == NULL || m->port92 == NULL || m->portf0 == NULL)
        return snprintf(err, errlen, "board wiring failed: port 0x80/0x92/0xf0 taken"), -1;
    /* Keyboard controller with PS/2 keyboard (IRQ 1) and mouse (IRQ 12). */
    m->kbd_irq = irq_line_make(isa_dev_irq, m, 1);
    m->aux_irq = irq_line_make(isa_dev_irq, m, 12);
    m->i8042 = i8042_init(m->io, 0x60, &m->kbd_irq, &m->aux_irq, on_i8042_reset, on_i8042_a20, m);
    if (m->i8042 == NULL)
        return snprintf(err, errlen, "board wiring failed: ports 0x60/0x64 taken"), -1;
    if (!pc_fwcfg_init(m))
        return snprintf(err, errlen, "board wiring failed: fw_cfg ports 0x510-0x51b taken"), -1;
    /* ACPI: PM registers (SCI on IRQ 9) and the tables describing them. */
    m->acpi_sci = irq_line_make(isa_dev_irq, m, IRQ_ACPI_SCI);
    m->acpi_pm = acpi_pm_init(m->io, m->clock, PORT_ACPI_PM, &m->acpi_sci, on_acpi_poweroff, m);
    if (m->acpi_pm == NULL)
        return snprintf(err, errlen, "board wiring failed: ACPI PM ports taken"), -1;
    pc_install_acpi(m);
    /* PCI: host bridge, ISA bridge (PIRQ routing, 0xCF9 reset), PM function. */
    m->pci = pci_bus_new(m->io, m->mm);
    if (m->pci == NULL || !pci_bus_claim_conf1(m->pci, PORT_PCI_CONF))
        return snprintf(err, errlen, "board wiring failed: PCI configuration ports taken"), -1;
    m->piix3 = piix3_init(m->pci, DEVFN_PIIX3, pci_isa_irq, on_rcr_reset, m);
    if (i440fx_init(m->pci, DEVFN_I440FX, memmap_ram_below_4g(m->mm)) == NULL || m->piix3 == NULL ||
        piix_pm_init(m->pci, DEVFN_PIIX_PM, m->acpi_pm, PORT_ACPI_PM) == NULL)
        return snprintf(err, errlen, "out of memory"), -1;
    if (cfg->debugcon.kind != KILN_CHR_NONE) {
        char why[160];
        if (cfg->debugcon.kind == KILN_CHR_STDIO && have_stdio)
            return snprintf(err, errlen, "-debugcon: stdio is already used by a serial port"), -1;
        m->debugcon_chr = open_chr(&cfg->debugcon, why, sizeof(why));
        if (m->debugcon_chr == NULL)
            return snprintf(err, errlen, "-debugcon: %s", why), -1;
        m->debugcon = bus_register(m->io, PORT_DEBUGCON, 1, &debugcon_ops, m, "debugcon");
        if (m->debugcon == NULL)
            return snprintf(err, errlen, "-debugcon: port 0xe9 is taken"), -1;
    }
    for (unsigned i = 0; i < cfg->ndevices && i < KILN_MAX_DEVICES; i++) {
        const struct kiln_device *d = &cfg->devices[i];
        if (d->type != KILN_DEV_ISA_DEBUG_EXIT)
            continue;
        m->debugexit[m->ndebugexit] = debugexit_init(m->io, d->u.isa_debug_exit.iobase,
                                                     d->u.isa_debug_exit.iosize,
                                                     on_debug_exit, m);
        if (m->debugexit[m->ndebugexit] == NULL)
            return snprintf(err, errlen, "-device isa-debug-exit: ports %#x-%#x are taken",
                            d->u.isa_debug_exit.iobase,
                            d->u.isa_debug_exit.iobase + d->u.isa_debug_exit.iosize - 1), -1;
        m->ndebugexit++;
    }
    return 0;
}

void pc_reset(struct machine *m)
{
    pc_devices_free(m);
    pc_apic_reset(m);
    /* The same ports were just released, so this cannot fail short of memory. */
    if (pc_devices_init(m, KILN_MAX_SERIALS) < 0)
        machine_request_stop(m, MACHINE_STOP_ERROR, 1);
    m->port92_val = 0;
    m->a20 = true;
    if (m->acpi_pm) {
        acpi_pm_reset(m->acpi_pm);
        pc_install_acpi(m);
    }
    if (m->pci)
        pci_bus_reset(m->pci);
    if (m->i8042)
        i8042_reset(m->i8042);
    if (m->fwcfg)
        fwcfg_reset(m->fwcfg);
    /* The new PIC starts with its inputs low: give it the lines still held. */
    for (int n = 0; n < 16; n++)
        if ((m->isa_dev_level | m->isa_pci_level) >> n & 1)
            isa_irq_set(m, n, 1);
}

void pc_free(struct machine *m)
{
    pc_devices_free(m);
    for (unsigned i = 0; i < m->ndebugexit; i++)
        debugexit_free(m->debugexit[i]);
    m->ndebugexit = 0;
    if (m->debugcon)
        bus_unregister(m->io, m->debugcon);
    if (m->port92)
        bus_unregister(m->io, m->port92);
    if (m->portf0)
        bus_unregister(m->io, m->portf0);
    port80_free(m->port80);
    i8042_free(m->i8042);
    m->i8042 = NULL;
    fwcfg_free(m->fwcfg);
    m->fwcfg = NULL;
    piix3_free(m->piix3);
    m->piix3 = NULL;
    pci_bus_free(m->pci);
    m->pci = NULL;
    pc_apic_free(m);
    acpi_pm_free(m->acpi_pm);
    m->acpi_pm = NULL;
    rtc_free(m->rtc);
    for (unsigned i = 0; i < KILN_MAX_SERIALS; i++)
        if (m->serial_chr[i])
            chardev_close(m->serial_chr[i]);
    if (m->debugcon_chr)
        chardev_close(m->debugcon_chr);
    bus_free(m->io);
    memmap_free(m->mm);
}
