/* SPDX-License-Identifier: MIT */
/* machine.c: struct machine: creation from the configuration, the sysbus given to the vCPU, reset, requests. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hw/lapic.h"
#include "hw/pic.h"
#include "machine/bus.h"
#include "machine/clock.h"
#include "machine/machine_int.h"
#include "machine/memmap.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ------------------------------------------------------------------ sysbus (what the vCPU sees) */

static uint8_t *sb_page_host(void *opaque, uint64_t paddr, bool *writable)
{
    struct machine *m = opaque;

    return memmap_page_host(m->mm, paddr, writable);
}

static uint64_t sb_mem_read(void *opaque, uint64_t paddr, unsigned size)
{
    struct machine *m = opaque;

    return memmap_load(m->mm, paddr, size);
}

static void sb_mem_write(void *opaque, uint64_t paddr, uint64_t value, unsigned size)
{
    struct machine *m = opaque;

    memmap_store(m->mm, paddr, value, size);
}

static uint32_t sb_io_read(void *opaque, uint16_t port, unsigned size)
{
    struct machine *m = opaque;

    return (uint32_t)bus_read(m->io, port, size);
}

static void sb_io_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct machine *m = opaque;

    bus_write(m->io, port, value, size);
}

static uint8_t sb_inta(void *opaque)
{
    struct machine *m = opaque;

    return pc_inta(m);
}

static void sb_account(void *opaque, uint64_t n)
{
    struct machine *m = opaque;

    clock_advance_insns(m->clock, n);   /* no-op in realtime mode */
}

static int64_t sb_clock_ns(void *opaque)
{
    struct machine *m = opaque;

    return clock_ns(m->clock);
}

static void sb_request(void *opaque, enum sysbus_request req)
{
    struct machine *m = opaque;

    switch (req) {
    case SYSBUS_REQ_TRIPLE_FAULT:
        KILN_LOG(&m->log, KILN_LOG_CPU_RESET, "triple fault: system reset\n");
        machine_request_reset(m);
        break;
    case SYSBUS_REQ_RESET:
        machine_request_reset(m);
        break;
    case SYSBUS_REQ_POWEROFF:
        machine_request_stop(m, MACHINE_STOP_POWEROFF, 0);
        break;
    case SYSBUS_REQ_FERR:
        pc_ferr(m);
        break;
    }
}

/* The local APIC's MSRs: IA32_APIC_BASE and IA32_TSC_DEADLINE. */
static bool sb_msr_read(void *opaque, uint32_t idx, uint64_t *value)
{
    struct machine *m = opaque;

    if (m->lapic == NULL)
        return false;
    if (idx == 0x1b)
        *value = lapic_get_base(m->lapic);
    else if (idx == 0x6e0)
        *value = lapic_get_tsc_deadline(m->lapic);
    else
        return false;
    return true;
}

static bool sb_msr_write(void *opaque, uint32_t idx, uint64_t value)
{
    struct machine *m = opaque;

    if (m->lapic == NULL)
        return false;
    if (idx == 0x1b)
        return lapic_set_base(m->lapic, value);
    if (idx == 0x6e0) {
        lapic_set_tsc_deadline(m->lapic, value);
        return true;
    }
    return false;
}

static uint64_t sb_cr8_read(void *opaque)
{
    struct machine *m = opaque;

    return m->lapic ? lapic_get_cr8(m->lapic) : 0;
}

static void sb_cr8_write(void *opaque, uint64_t value)
{
    struct machine *m = opaque;

    if (m->lapic)
        lapic_set_cr8(m->lapic, value);
}

static const struct sysbus_ops machine_sysbus_ops = {
    sb_page_host, sb_mem_read, sb_mem_write, sb_io_read, sb_io_write,
    sb_inta, sb_account, sb_clock_ns, sb_request,
    sb_msr_read, sb_msr_write, sb_cr8_read, sb_cr8_write,
};

static void on_map_change(void *opaque, struct memmap *mm)
{
    struct machine *m = opaque;

    (void)mm;
    if (m->cpu)
        m->cpu_ops->map_changed(m->cpu);
}

static void on_new_deadline(void *opaque, int64_t deadline_ns)
{
    struct machine *m = opaque;

    (void)deadline_ns;
    if (m->cpu)
        m->cpu_ops->request_exit(m->cpu);   /* recompute the budget */
}

/* ------------------------------------------------------------------ kernel loading */

/* Reads a whole file of at most max bytes into a new buffer. */
static uint8_t *read_file(const char *path, uint64_t max, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;

    if (f == NULL) {
        fail(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : (size_t)1 << 20;
            if (cap > max)
                break;                          /* more than max bytes: refused below */
            if (ncap > max + 1)
                ncap = (size_t)max + 1;
            uint8_t *nb = realloc(buf, ncap);
            if (nb == NULL) {
                fail(err, errlen, "%s: out of memory", path);
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (n > max) {
        fail(err, errlen, "%s: larger than guest RAM (%llu bytes)", path, (unsigned long long)max);
        free(buf);
        fclose(f);
        return NULL;
    }
    if (ferror(f)) {
        fail(err, errlen, "%s: read error", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Reads -kernel and -initrd (a comma-separated module list for multiboot, each
 * "file [string]"). */
static int read_boot_files(struct machine *m, const struct kiln_config *cfg, char *err,
                           size_t errlen)
{
    uint64_t max = cfg->ram_size;

    m->kernel_name = strdup(cfg->kernel);
    m->cmdline = strdup(cfg->append ? cfg->append : "");
    if (m->kernel_name == NULL || m->cmdline == NULL)
        return fail(err, errlen, "out of memory");
    char why[300];
    m->kernel_data = read_file(cfg->kernel, max, &m->kernel_len, why, sizeof(why));
    if (m->kernel_data == NULL)
        return fail(err, errlen, "-kernel: %s", why);
    if (cfg->initrd == NULL)
        return 0;
    m->initrd_spec = strdup(cfg->initrd);
    if (m->initrd_spec == NULL)
        return fail(err, errlen, "out of memory");
    bool multiboot = loader_detect(m->kernel_data, m->kernel_len) == LOADER_MULTIBOOT;
    char *save = NULL;
    for (char *tok = multiboot ? strtok_r(m->initrd_spec, ",", &save) : m->initrd_spec; tok;
         tok = multiboot ? strtok_r(NULL, ",", &save) : NULL) {
        if (m->nmodules == KILN_MAX_DEVICES)
            return fail(err, errlen, "-initrd: more than %d modules", KILN_MAX_DEVICES);
        struct loader_blob *b = &m->modules[m->nmodules];
        char *space = multiboot ? strchr(tok, ' ') : NULL;
        b->cmdline = multiboot ? tok : NULL;        /* "file args" as the module string */
        if (space) {
            *space = '\0';
            b->name = strdup(tok);
            *space = ' ';
        } else {
            b->name = strdup(tok);
        }
        if (b->name == NULL)
            return fail(err, errlen, "out of memory");
        m->initrd_data[m->nmodules] = read_file(b->name, max, &b->len, why, sizeof(why));
        if (m->initrd_data[m->nmodules] == NULL) {
            free((char *)b->name);
            return fail(err, errlen, "-initrd: %s", why);
        }
        b->data = m->initrd_data[m->nmodules];
        m->nmodules++;
    }
    return 0;
}

/* Puts the kernel into RAM and the vCPU into its starting state. */
static int load_kernel(struct machine *m, char *err, size_t errlen)
{
    struct loader_args a = {
        .kernel = { m->kernel_data, m->kernel_len, m->kernel_name, NULL },
        .cmdline = m->cmdline,
        .modules = m->modules,
        .nmodules = m->nmodules,
        .long_mode = true,
    };
    char why[300];

    if (loader_load(m->mm, &a, &m->boot, why, sizeof(why)) < 0)
        return fail(err, errlen, "-kernel: %s", why);
    if (m->cpu && !m->cpu_ops->set_boot_state(m->cpu, &m->boot.boot, why, sizeof(why)))
        return fail(err, errlen, "-kernel: the CPU cannot start it: %s", why);
    return 0;
}

/* ------------------------------------------------------------------ lifecycle */

struct machine *machine_new(const struct kiln_config *cfg, const struct machine_options *opt,
                            char *err, size_t errlen)
{
    struct machine *m = calloc(1, sizeof(*m));
    char why[300];

    if (m == NULL) {
        fail(err, errlen, "out of memory");
        return NULL;
    }
    kiln_log_init(&m->log);
    m->log.mask = cfg->log_mask;
    if (cfg->log_file && kiln_log_open(&m->log, cfg->log_file, why, sizeof(why)) < 0) {
        fail(err, errlen, "-D: %s", why);
        goto out;
    }
    m->no_reboot = cfg->no_reboot;
    m->no_shutdown = cfg->no_shutdown;
    m->icount = cfg->icount.enabled;
    m->icount_sleep = cfg->icount.sleep;
    m->slice = opt && opt->slice_insns ? opt->slice_insns : MACHINE_SLICE_DEFAULT;
    if (m->icount) {
        int shift = cfg->icount.shift == KILN_ICOUNT_AUTO ? 3 : cfg->icount.shift;
        m->clock = clock_new_icount((unsigned)shift);
    } else {
        m->clock = opt ? clock_new_realtime_src(opt->host_time, opt->host_time_opaque)
                       : clock_new_realtime();
        if (m->clock)
            clock_set_catchup(m->clock, CLOCK_CATCHUP_STEP_NS, CLOCK_CATCHUP_RATIO);
    }
    if (m->clock == NULL) {
        fail(err, errlen, "out of memory");
        goto out;
    }
    if (pc_init(m, cfg, opt, err, errlen) < 0)
        goto out;
    memmap_set_change_hook(m->mm, on_map_change, m);
    clock_set_deadline_hook(m->clock, on_new_deadline, m);

    /* The vCPU. */
    m->sysbus.ops = &machine_sysbus_ops;
    m->sysbus.opaque = m;
    m->sysbus.log = &m->log;
    m->cpu_ops = opt && opt->cpu_ops ? opt->cpu_ops : cpu_sys_ops();
    if (opt && opt->no_cpu)
        m->cpu_ops = NULL;
    if (m->cpu_ops) {
        struct sysbus_cpu_flag flags[KILN_MAX_CPU_FLAGS];
        static const char *const models[] = { NULL, "max", "qemu64", "base" };
        for (unsigned i = 0; i < cfg->cpu.nflags && i < KILN_MAX_CPU_FLAGS; i++) {
            flags[i].name = cfg->cpu.flags[i].name;
            flags[i].on = cfg->cpu.flags[i].on;
        }
        struct sysbus_cpu_config cc = {
            .index = 0,
            .interp = cfg->accel == KILN_ACCEL_INTERP,
            .one_insn_per_tb = cfg->one_insn_per_tb,
            .tb_size_mib = cfg->tb_size_mib,
            .model = (unsigned)cfg->cpu.model < 4 ? models[cfg->cpu.model] : NULL,
            .flags = flags,
            .nflags = cfg->cpu.nflags,
            /* Deterministic runs get deterministic random numbers. */
            .rng_seeded = cfg->seed_set || cfg->icount.enabled,
            .rng_seed = cfg->seed_set ? cfg->seed : 0,
        };
        m->cpu = m->cpu_ops->create(&cc, &m->sysbus, why, sizeof(why));
        if (m->cpu == NULL) {
            fail(err, errlen, "cannot create the CPU: %s", why);
            goto out;
        }
        m->cpu_ops->set_irq_line(m->cpu, m->intr_level);
        m->cpu_ops->set_a20(m->cpu, m->a20);
    }

    if (cfg->kernel) {
        m->have_kernel = true;
        if (read_boot_files(m, cfg, err, errlen) < 0 || load_kernel(m, err, errlen) < 0)
            goto out;
        pc_fwcfg_kernel(m);
    }
    return m;
out:
    machine_free(m);
    return NULL;
}

void machine_free(struct machine *m)
{
    if (m == NULL)
        return;
    machine_alarm_stop(m);
    if (m->cpu)
        m->cpu_ops->destroy(m->cpu);
    m->cpu = NULL;
    if (m->mm || m->io)
        pc_free(m);
    if (m->clock)
        clock_free(m->clock);
    free(m->kernel_data);
    for (unsigned i = 0; i < m->nmodules; i++) {
        free(m->initrd_data[i]);
        free((char *)m->modules[i].name);
    }
    free(m->kernel_name);
    free(m->cmdline);
    free(m->initrd_spec);
    kiln_log_close(&m->log);
    free(m);
}

void machine_reset(struct machine *m)
{
    char why[400];

    KILN_LOG(&m->log, KILN_LOG_CPU_RESET, "system reset\n");
    pc_reset(m);
    m->halted = false;
    if (m->cpu) {
        m->cpu_ops->reset(m->cpu);
        m->cpu_ops->set_a20(m->cpu, m->a20);
        m->cpu_ops->set_irq_line(m->cpu, m->intr_level);
    }
    /* No firmware yet: a reset boots the kernel again, from a fresh copy. */
    if (m->have_kernel && load_kernel(m, why, sizeof(why)) < 0) {
        kiln_log_printf(&m->log, "reset: %s\n", why);
        machine_request_stop(m, MACHINE_STOP_ERROR, 1);
    }
}

/* ------------------------------------------------------------------ requests */

void machine_request_stop(struct machine *m, enum machine_stop why, int status)
{
    if (m->stop_req == MACHINE_STOP_NONE) {
        m->stop_status = status;
        m->stop_req = why;
    }
    if (m->cpu)
        m->cpu_ops->request_exit(m->cpu);
}

void machine_request_exit(struct machine *m)
{
    machine_request_stop(m, MACHINE_STOP_QUIT, 0);
}

void machine_nmi(struct machine *m)
{
    if (m->cpu && m->cpu_ops->nmi)
        m->cpu_ops->nmi(m->cpu);
}

void machine_request_reset(struct machine *m)
{
    m->reset_req = 1;
    if (m->cpu)
        m->cpu_ops->request_exit(m->cpu);
}

enum machine_stop machine_stop_reason(const struct machine *m) { return m->stop; }
int machine_exit_status(const struct machine *m) { return m->status; }

/* ------------------------------------------------------------------ accessors */

struct bus *machine_io(struct machine *m) { return m->io; }
struct memmap *machine_memmap(struct machine *m) { return m->mm; }
struct clock *machine_clock(struct machine *m) { return m->clock; }
struct kiln_log *machine_log(struct machine *m) { return &m->log; }
struct pic *machine_pic(struct machine *m) { return m->pic; }
struct pit *machine_pit(struct machine *m) { return m->pit; }
struct rtc *machine_rtc(struct machine *m) { return m->rtc; }
struct cpu *machine_cpu(struct machine *m) { return m->cpu; }
const struct sysbus *machine_sysbus(struct machine *m) { return &m->sysbus; }
int machine_intr_level(const struct machine *m) { return m->intr_level; }
bool machine_a20(const struct machine *m) { return m->a20; }
const char *machine_boot_summary(const struct machine *m)
{
    return m->have_kernel ? m->boot.summary : "";
}

struct uart *machine_uart(struct machine *m, unsigned i)
{
    return i < KILN_MAX_SERIALS ? m->uart[i] : NULL;
}

struct chardev *machine_serial_chr(struct machine *m, unsigned i)
{
    return i < KILN_MAX_SERIALS ? m->serial_chr[i] : NULL;
}
