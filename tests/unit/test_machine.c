/* SPDX-License-Identifier: MIT */
/* test_machine.c: the PC board's ports, the main loop driven by a fake vCPU, requests and kernel boot. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "hw/chardev.h"
#include "hw/pic.h"
#include "hw/pit.h"
#include "hw/uart.h"
#include "machine/bus.h"
#include "machine/clock.h"
#include "machine/machine.h"

/* ------------------------------------------------------------------ a fake vCPU */

enum fake_mode { FAKE_RUN, FAKE_HALT, FAKE_REQ_RESET, FAKE_REQ_TRIPLE, FAKE_REQ_OFF, FAKE_ERROR, FAKE_SPIN };

struct cpu {
    struct sysbus bus;
    enum fake_mode mode;
    int execs, resets, boots, exit_reqs, map_changes;
    int irq;
    bool a20;
    volatile sig_atomic_t exit_flag;
    struct sysbus_boot_state last_boot;
    bool budget_crossed_deadline;
    struct clock *clock;            /* to check budgets against deadlines */
};

static struct cpu *the_cpu;

static struct cpu *f_create(const struct sysbus_cpu_config *cfg, const struct sysbus *bus,
                            char *err, size_t errlen)
{
    (void)cfg;
    (void)err;
    (void)errlen;
    struct cpu *c = calloc(1, sizeof(*c));
    c->bus = *bus;
    the_cpu = c;
    return c;
}
static void f_destroy(struct cpu *c) { free(c); the_cpu = NULL; }
static void f_reset(struct cpu *c) { c->resets++; }
static bool f_boot(struct cpu *c, const struct sysbus_boot_state *st, char *err, size_t n)
{
    (void)err;
    (void)n;
    c->boots++;
    c->last_boot = *st;
    return true;
}
static enum sysbus_exit f_exec(struct cpu *c, uint64_t budget)
{
    c->execs++;
    switch (c->mode) {
    case FAKE_HALT:
        return SYSBUS_EXIT_HALTED;
    case FAKE_REQ_RESET:
        c->mode = FAKE_HALT;
        c->bus.ops->request(c->bus.opaque, SYSBUS_REQ_RESET);
        return SYSBUS_EXIT_REQUEST;
    case FAKE_REQ_TRIPLE:
        c->mode = FAKE_HALT;
        c->bus.ops->request(c->bus.opaque, SYSBUS_REQ_TRIPLE_FAULT);
        return SYSBUS_EXIT_REQUEST;
    case FAKE_REQ_OFF:
        c->bus.ops->request(c->bus.opaque, SYSBUS_REQ_POWEROFF);
        return SYSBUS_EXIT_REQUEST;
    case FAKE_ERROR:
        return SYSBUS_EXIT_ERROR;
    case FAKE_SPIN: {
        /* a guest loop that never does I/O: only request_exit ends it */
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        do
            clock_gettime(CLOCK_MONOTONIC, &t1);
        while (!c->exit_flag && t1.tv_sec - t0.tv_sec < 3);
        c->exit_flag = 0;
        return SYSBUS_EXIT_REQUEST;
    }
    case FAKE_RUN:
        break;
    }
    if (c->clock) {
        int64_t dl = clock_next_deadline(c->clock);
        int64_t now = c->bus.ops->clock_ns(c->bus.opaque);
        if (dl != CLOCK_NEVER && dl > now && now + (int64_t)budget > dl)
            c->budget_crossed_deadline = true;
    }
    c->bus.ops->account(c->bus.opaque, budget);
    return SYSBUS_EXIT_BUDGET;
}
static void f_irq(struct cpu *c, int level) { c->irq = level; }
static void f_a20(struct cpu *c, bool on) { c->a20 = on; }
static void f_exit(struct cpu *c) { c->exit_reqs++; c->exit_flag = 1; }
static void f_map(struct cpu *c) { c->map_changes++; }
static void f_written(struct cpu *c, uint64_t a, uint64_t l) { (void)c; (void)a; (void)l; }

static const struct sysbus_cpu_ops fake_ops = {
    f_create, f_destroy, f_reset, f_boot, f_exec, f_irq, f_a20, f_exit, f_map, f_written, NULL,
};

/* ------------------------------------------------------------------ helpers */

static void base_config(struct kiln_config *cfg)
{
    kiln_config_init(cfg);
    cfg->ram_size = 32u << 20;
    cfg->nserial = 1;
    cfg->serial[0].kind = KILN_CHR_NULL;
    cfg->ndevices = 1;
    cfg->devices[0].type = KILN_DEV_ISA_DEBUG_EXIT;
    cfg->devices[0].u.isa_debug_exit.iobase = 0x501;
    cfg->devices[0].u.isa_debug_exit.iosize = 2;
}

static uint8_t cmos(struct bus *io, uint8_t index)
{
    bus_write(io, 0x70, index, 1);
    return (uint8_t)bus_read(io, 0x71, 1);
}

static void pic_setup(struct bus *io, uint8_t imr)
{
    bus_write(io, 0x20, 0x11, 1);       /* ICW1: edge, cascade, ICW4 */
    bus_write(io, 0x21, 0x08, 1);       /* ICW2: vectors 8.. */
    bus_write(io, 0x21, 0x04, 1);       /* ICW3: slave on IR2 */
    bus_write(io, 0x21, 0x01, 1);       /* ICW4: 8086 */
    bus_write(io, 0x21, imr, 1);
}

static int64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* ------------------------------------------------------------------ tests */

/* The board's devices answer on their ports, without any vCPU. */
static void test_board_ports(void **state)
{
    (void)state;
    struct kiln_config cfg;
    struct machine_options opt = { .no_cpu = true };
    char err[256];

    base_config(&cfg);
    opt.serial_chr[0] = chardev_memory_new(4096);
    struct machine *m = machine_new(&cfg, &opt, err, sizeof(err));
    assert_non_null(m);
    assert_null(machine_cpu(m));
    struct bus *io = machine_io(m);

    /* CMOS memory size: 640 KiB base, 31 MiB extended, 16 MiB above 16 MiB */
    assert_int_equal(cmos(io, 0x15) | cmos(io, 0x16) << 8, 640);
    assert_int_equal(cmos(io, 0x17) | cmos(io, 0x18) << 8, 31744);
    assert_int_equal(cmos(io, 0x30) | cmos(io, 0x31) << 8, 31744);
    assert_int_equal(cmos(io, 0x34) | cmos(io, 0x35) << 8, 256);

    /* COM1 transmits to its backend */
    bus_write(io, 0x3f8, 'K', 1);
    bus_write(io, 0x3f8, '!', 1);
    uint8_t out[8];
    assert_int_equal(chardev_memory_take(machine_serial_chr(m, 0), out, sizeof(out)), 2);
    assert_memory_equal(out, "K!", 2);
    assert_int_equal(bus_read(io, 0x3fd, 1) & 0x60, 0x60);
    assert_null(machine_uart(m, 1));                      /* no COM2 */
    assert_int_equal(bus_read(io, 0x2f8 + 5, 1), 0xff);

    /* PIC at 0x20: COM1's THRE interrupt (IRQ4) reaches the CPU pin, INTA gives vector 12 */
    pic_setup(io, 0xef);
    assert_int_equal(bus_read(io, 0x21, 1), 0xef);
    assert_int_equal(machine_intr_level(m), 0);
    bus_write(io, 0x3fc, 0x08, 1);                        /* MCR.OUT2 */
    bus_write(io, 0x3f9, 0x02, 1);                        /* IER: THR empty */
    assert_int_equal(machine_intr_level(m), 1);
    const struct sysbus *sb = machine_sysbus(m);
    assert_int_equal(sb->ops->inta(sb->opaque), 12);
    bus_write(io, 0x20, 0x20, 1);                         /* EOI */

    /* PIT at 0x40/0x43, port 0x61 */
    bus_write(io, 0x43, 0x34, 1);
    bus_write(io, 0x40, 0x00, 1);
    bus_write(io, 0x40, 0x10, 1);
    assert_int_equal(pit_reload(machine_pit(m), 0), 0x1000);
    assert_int_equal(pit_mode(machine_pit(m), 0), 2);
    bus_write(io, 0x61, 0x01, 1);
    assert_int_equal(bus_read(io, 0x61, 1) & 1, 1);

    /* port 0x92: A20 gate */
    assert_int_equal(bus_read(io, 0x92, 1) & 2, 2);
    bus_write(io, 0x92, 0x00, 1);
    assert_false(machine_a20(m));
    assert_int_equal(bus_read(io, 0x92, 1) & 2, 0);
    bus_write(io, 0x92, 0x02, 1);
    assert_true(machine_a20(m));

    /* the sysbus memory path: RAM through page_host and mem_read/write, hole unassigned */
    bool wr = false;
    uint8_t *pg = sb->ops->page_host(sb->opaque, 0x5000, &wr);
    assert_non_null(pg);
    assert_true(wr);
    sb->ops->mem_write(sb->opaque, 0x5008, 0x1122334455667788ull, 8);
    assert_int_equal(pg[8], 0x88);
    assert_int_equal(sb->ops->mem_read(sb->opaque, 0x500c, 4), 0x11223344);
    assert_null(sb->ops->page_host(sb->opaque, 0x2000000, &wr));   /* past 32 MiB */
    assert_int_equal(sb->ops->mem_read(sb->opaque, 0x2000000, 4), 0xffffffffu);
    assert_int_equal(sb->ops->io_read(sb->opaque, 0x71, 1), cmos(io, 0x71 & 0x7f) & 0xff);

    /* isa-debug-exit stops the loop with (v << 1) | 1 */
    assert_true(machine_step(m, 0));
    bus_write(io, 0x501, 0x20, 1);
    assert_false(machine_step(m, 0));
    assert_int_equal(machine_stop_reason(m), MACHINE_STOP_DEBUG_EXIT);
    assert_int_equal(machine_exit_status(m), 0x41);
    assert_false(machine_step(m, 0));                     /* stays stopped */
    machine_free(m);
    kiln_config_free(&cfg);
}

/* Backends from the configuration: file serial port, debug console, stdio only once. */
static void test_backends(void **state)
{
    (void)state;
    struct kiln_config cfg;
    struct machine_options opt = { .no_cpu = true };
    char err[256], spath[] = "/tmp/kiln-test-serial-XXXXXX", dpath[] = "/tmp/kiln-test-dcon-XXXXXX";
    int sfd = mkstemp(spath), dfd = mkstemp(dpath);
    char buf[16];

    assert_true(sfd >= 0 && dfd >= 0);
    base_config(&cfg);
    cfg.nserial = 2;
    cfg.serial[0].kind = KILN_CHR_NONE;                   /* no COM1 */
    cfg.serial[1].kind = KILN_CHR_FILE;
    cfg.serial[1].path = strdup(spath);
    cfg.debugcon.kind = KILN_CHR_FILE;
    cfg.debugcon.path = strdup(dpath);
    struct machine *m = machine_new(&cfg, &opt, err, sizeof(err));
    if (m == NULL)
        fail_msg("%s", err);
    struct bus *io = machine_io(m);
    assert_null(machine_uart(m, 0));
    assert_non_null(machine_uart(m, 1));
    assert_int_equal(bus_read(io, 0x3fd, 1), 0xff);       /* COM1 absent */
    bus_write(io, 0x2f8, 'S', 1);                         /* COM2 */
    bus_write(io, 0xe9, 'D', 1);
    bus_write(io, 0xe9, 'C', 1);
    assert_int_equal(bus_read(io, 0xe9, 1), 0xe9);
    machine_free(m);
    assert_int_equal(read(sfd, buf, sizeof(buf)), 1);
    assert_int_equal(buf[0], 'S');
    assert_int_equal(read(dfd, buf, sizeof(buf)), 2);
    assert_memory_equal(buf, "DC", 2);
    close(sfd);
    close(dfd);
    unlink(spath);
    unlink(dpath);
    kiln_config_free(&cfg);

    /* a device on a port the board already uses is refused */
    base_config(&cfg);
    cfg.nserial = 2;
    cfg.serial[0].kind = KILN_CHR_NULL;
    cfg.serial[1].kind = KILN_CHR_NULL;
    cfg.devices[0].u.isa_debug_exit.iobase = 0x3f8;       /* collides with COM1 */
    assert_null(machine_new(&cfg, &opt, err, sizeof(err)));
    assert_non_null(strstr(err, "isa-debug-exit"));
    kiln_config_free(&cfg);
}

/* Reset via port 0x92 re-creates the devices and resets the vCPU; -no-reboot exits. */
static void test_reset(void **state)
{
    (void)state;
    struct kiln_config cfg;
    struct machine_options opt = { .cpu_ops = &fake_ops };
    char err[256];

    base_config(&cfg);
    struct machine *m = machine_new(&cfg, &opt, err, sizeof(err));
    assert_non_null(m);
    struct cpu *c = the_cpu;
    assert_ptr_equal(machine_cpu(m), c);
    assert_true(c->a20);
    c->mode = FAKE_HALT;
    struct bus *io = machine_io(m);
    pic_setup(io, 0xef);
    bus_write(io, 0x92, 0x00, 1);
    assert_false(c->a20);
    bus_write(io, 0x92, 0x01, 1);                         /* fast reset (A20 off) */
    assert_true(c->exit_reqs > 0);
    assert_true(machine_step(m, 0));
    assert_int_equal(c->resets, 1);
    assert_true(c->a20);                                  /* A20 back on */
    struct pic_regs pr;
    pic_get_regs(machine_pic(m), 0, &pr);
    assert_int_equal(pr.imr, 0);                          /* PIC at power-on */

    /* The RTC outlives the reset: its IRQ 8 must reach the NEW slave PIC. */
    pic_setup(io, 0xfb);
    bus_write(io, 0xa0, 0x11, 1);
    bus_write(io, 0xa1, 0x70, 1);
    bus_write(io, 0xa1, 0x02, 1);
    bus_write(io, 0xa1, 0x01, 1);
    bus_write(io, 0xa1, 0xfe, 1);                         /* only IRQ 8 */
    bus_write(io, 0x70, 0x0a, 1);
    bus_write(io, 0x71, 0x23, 1);                         /* periodic, 8192 Hz */
    bus_write(io, 0x70, 0x0b, 1);
    bus_write(io, 0x71, 0x42, 1);                         /* PIE, 24-hour */
    bool seen = false;
    for (int i = 0; i < 200 && !seen; i++) {
        machine_step(m, 1000000);
        pic_get_regs(machine_pic(m), 1, &pr);
        seen = (pr.irr | pr.isr) & 1;
    }
    assert_true(seen);
    bus_write(io, 0x70, 0x0b, 1);
    bus_write(io, 0x71, 0x02, 1);                         /* periodic off again */
    bus_write(io, 0x70, 0x0c, 1);
    (void)bus_read(io, 0x71, 1);

    /* guest reset request and triple fault both reset */
    c->mode = FAKE_REQ_RESET;
    assert_true(machine_step(m, 0));
    assert_true(machine_step(m, 0));
    assert_int_equal(c->resets, 2);
    c->mode = FAKE_REQ_TRIPLE;
    assert_true(machine_step(m, 0));
    assert_true(machine_step(m, 0));
    assert_int_equal(c->resets, 3);
    /* power off stops with status 0 */
    c->mode = FAKE_REQ_OFF;
    assert_true(machine_step(m, 0));
    assert_false(machine_step(m, 0));
    assert_int_equal(machine_stop_reason(m), MACHINE_STOP_POWEROFF);
    assert_int_equal(machine_exit_status(m), 0);
    machine_free(m);

    /* -no-reboot: a reset ends the run */
    cfg.no_reboot = true;
    m = machine_new(&cfg, &opt, err, sizeof(err));
    the_cpu->mode = FAKE_REQ_TRIPLE;
    assert_int_equal(machine_run(m), 0);
    assert_int_equal(machine_stop_reason(m), MACHINE_STOP_RESET);
    assert_int_equal(the_cpu->resets, 0);
    machine_free(m);
    /* an exec error stops with status 1; machine_request_exit with 0 */
    m = machine_new(&cfg, &opt, err, sizeof(err));
    the_cpu->mode = FAKE_ERROR;
    assert_int_equal(machine_run(m), 1);
    assert_int_equal(machine_stop_reason(m), MACHINE_STOP_ERROR);
    machine_free(m);
    m = machine_new(&cfg, &opt, err, sizeof(err));
    the_cpu->mode = FAKE_HALT;
    machine_request_exit(m);
    assert_int_equal(machine_run(m), 0);
    assert_int_equal(machine_stop_reason(m), MACHINE_STOP_QUIT);
    machine_free(m);
    kiln_config_free(&cfg);
}

/* icount: budgets never run past the next timer deadline, and time moves
 * only with accounted instructions; the PIT's IRQ0 reaches the CPU pin. */
static void test_icount_budgets(void **state)
{
    (void)state;
    struct kiln_config cfg;
    struct machine_options opt = { .cpu_ops = &fake_ops, .slice_insns = 100000 };
    char err[256];

    base_config(&cfg);
    cfg.icount.enabled = true;
    cfg.icount.shift = 0;                                 /* 1 ns per instruction */
    struct machine *m = machine_new(&cfg, &opt, err, sizeof(err));
    assert_non_null(m);
    struct cpu *c = the_cpu;
    c->clock = machine_clock(m);
    struct bus *io = machine_io(m);
    pic_setup(io, 0xfe);                                  /* only IRQ0 */
    bus_write(io, 0x43, 0x34, 1);                         /* PIT ch0 mode 2, 1000 ticks = ~838 us */
    bus_write(io, 0x40, 1000 & 0xff, 1);
    bus_write(io, 0x40, 1000 >> 8, 1);
    /* programming makes OUT rise once: take that interrupt first */
    if (c->irq) {
        (void)c->bus.ops->inta(c->bus.opaque);
        bus_write(io, 0x20, 0x20, 1);
    }
    assert_int_equal(c->irq, 0);
    int64_t deadline = clock_next_deadline(machine_clock(m));
    assert_true(deadline > 0 && deadline < 1000000);
    for (int i = 0; i < 50 && c->irq == 0; i++)
        assert_true(machine_step(m, 0));
    assert_false(c->budget_crossed_deadline);
    assert_int_equal(c->irq, 1);
    /* the timer ran at its deadline; the step then ran one more budget */
    assert_true(clock_ns(machine_clock(m)) >= deadline);
    assert_true(clock_ns(machine_clock(m)) <= deadline + 2 * 100000);
    /* a halted CPU in icount mode jumps to the next deadline without sleeping */
    bus_write(io, 0x20, 0x20, 1);
    (void)c->bus.ops->inta(c->bus.opaque);
    c->mode = FAKE_HALT;
    int64_t next = clock_next_deadline(machine_clock(m));
    int64_t t0 = host_ns();
    assert_true(machine_step(m, -1));
    assert_true(host_ns() - t0 < 100000000);
    assert_int_equal(clock_ns(machine_clock(m)), next);
    machine_free(m);
    kiln_config_free(&cfg);
}

/* Realtime: a halted CPU waits in poll() (no busy loop) and input wakes it. */
static void test_idle_waits(void **state)
{
    (void)state;
    struct kiln_config cfg;
    struct machine_options opt = { .cpu_ops = &fake_ops };
    char err[256];
    int p[2];

    assert_int_equal(pipe(p), 0);
    base_config(&cfg);
    opt.serial_chr[0] = chardev_fd_new(p[0], -1, true);
    struct machine *m = machine_new(&cfg, &opt, err, sizeof(err));
    assert_non_null(m);
    struct cpu *c = the_cpu;
    c->mode = FAKE_HALT;
    int64_t t0 = host_ns();
    assert_true(machine_step(m, 40000000));               /* nothing to do: sleeps 40 ms */
    int64_t dt = host_ns() - t0;
    assert_true(dt >= 30000000);
    assert_int_equal(c->execs, 1);
    /* input arrives during the wait: it ends at once and the UART has the byte */
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        usleep(50000);
        _exit(write(p[1], "z", 1) == 1 ? 0 : 1);
    }
    t0 = host_ns();
    assert_true(machine_step(m, 3000000000ll));
    dt = host_ns() - t0;
    waitpid(child, NULL, 0);
    if (dt > 1000000000)
        fail_msg("input did not end the wait (%lld ns)", (long long)dt);
    assert_int_equal(uart_rx_count(machine_uart(m, 0)), 1);
    assert_int_equal(bus_read(machine_io(m), 0x3f8, 1), 'z');
    machine_free(m);
    close(p[1]);
    kiln_config_free(&cfg);
}

/* Realtime: a host alarm ends a budget that would run past the next timer
 * deadline or past the slice's limit (one catch-up step, docs/SYSTEM.md). */
static void test_realtime_alarm(void **state)
{
    (void)state;
    struct kiln_config cfg;
    struct machine_options opt = { .cpu_ops = &fake_ops, .slice_insns = UINT64_MAX };
    char err[256];

    base_config(&cfg);
    struct machine *m = machine_new(&cfg, &opt, err, sizeof(err));
    assert_non_null(m);
    struct cpu *c = the_cpu;
    struct bus *io = machine_io(m);
    pic_setup(io, 0xfe);
    bus_write(io, 0x43, 0x34, 1);                         /* PIT ch0: 11932 ticks = 10 ms */
    bus_write(io, 0x40, 11932 & 0xff, 1);
    bus_write(io, 0x40, 11932 >> 8, 1);
    c->exit_flag = 0;
    c->mode = FAKE_SPIN;
    int64_t t0 = host_ns();
    assert_true(machine_step(m, 0));
    int64_t dt = host_ns() - t0;
    if (dt > 1000000000)
        fail_msg("the budget was not cut at the deadline (%lld ns)", (long long)dt);
    /* cut at the slice's limit, about one step after it began, before the
     * 10 ms deadline; the clock went no further, however loaded the host */
    assert_true(dt >= CLOCK_CATCHUP_STEP_NS / 2);
    assert_true(clock_ns(machine_clock(m)) <= 3 * CLOCK_CATCHUP_STEP_NS);
    /* next step: the timer runs and IRQ0 reaches the CPU */
    if (c->irq) {
        (void)c->bus.ops->inta(c->bus.opaque);
        bus_write(io, 0x20, 0x20, 1);
    }
    c->mode = FAKE_HALT;
    for (int i = 0; i < 100 && !c->irq; i++)
        assert_true(machine_step(m, 50000000));
    assert_int_equal(c->irq, 1);
    machine_free(m);
    kiln_config_free(&cfg);
}

/* -kernel: read, loaded, handed to the CPU; again after a reset; errors are clear. */
static void test_kernel_boot(void **state)
{
    (void)state;
    char kpath[] = "/tmp/kiln-test-kernel-XXXXXX", mpath[] = "/tmp/kiln-test-mod-XXXXXX";
    int kfd = mkstemp(kpath), mfd = mkstemp(mpath);
    uint8_t img[0x1000];
    struct kiln_config cfg;
    struct machine_options opt = { .cpu_ops = &fake_ops };
    char err[256], spec[200];

    assert_true(kfd >= 0 && mfd >= 0);
    /* multiboot a.out kludge image at 1 MiB */
    memset(img, 0x90, sizeof(img));
    uint32_t h[8] = { 0x1badb002u, 0x00010000u, (uint32_t)(0u - 0x1badb002u - 0x00010000u),
                      0x100000, 0x100000, 0, 0x102000, 0x100040 };
    memcpy(img, h, sizeof(h));
    assert_int_equal(write(kfd, img, sizeof(img)), (ssize_t)sizeof(img));
    assert_int_equal(write(mfd, "module-data", 11), 11);
    close(kfd);
    close(mfd);

    base_config(&cfg);
    cfg.kernel = strdup(kpath);
    cfg.append = strdup("hello");
    snprintf(spec, sizeof(spec), "%s arg1,%s", mpath, mpath);
    cfg.initrd = strdup(spec);
    struct machine *m = machine_new(&cfg, &opt, err, sizeof(err));
    if (m == NULL)
        fail_msg("%s", err);
    assert_int_equal(the_cpu->boots, 1);
    assert_int_equal(the_cpu->last_boot.gpr[0], 0x2badb002u);
    assert_int_equal(the_cpu->last_boot.rip, 0x100040);
    assert_non_null(strstr(machine_boot_summary(m), "2 module(s)"));
    the_cpu->mode = FAKE_REQ_RESET;
    assert_true(machine_step(m, 0));
    assert_true(machine_step(m, 0));
    assert_int_equal(the_cpu->resets, 1);
    assert_int_equal(the_cpu->boots, 2);                  /* loaded again after reset */
    machine_free(m);

    /* without a system CPU the board still builds and loads the kernel */
    opt.cpu_ops = NULL;
    if (cpu_sys_ops() == NULL) {
        m = machine_new(&cfg, &opt, err, sizeof(err));
        assert_non_null(m);
        assert_null(machine_cpu(m));
        assert_non_null(strstr(machine_boot_summary(m), "multiboot"));
        machine_free(m);
    }
    opt.cpu_ops = &fake_ops;

    /* errors: missing file, not a kernel, missing module */
    free(cfg.initrd);
    cfg.initrd = strdup("/nonexistent/mod");
    assert_null(machine_new(&cfg, &opt, err, sizeof(err)));
    assert_non_null(strstr(err, "-initrd: /nonexistent/mod"));
    free(cfg.initrd);
    cfg.initrd = NULL;
    free(cfg.kernel);
    cfg.kernel = strdup(mpath);
    assert_null(machine_new(&cfg, &opt, err, sizeof(err)));
    assert_non_null(strstr(err, "not a Linux bzImage, multiboot or ELF"));
    free(cfg.kernel);
    cfg.kernel = strdup("/nonexistent/kernel");
    assert_null(machine_new(&cfg, &opt, err, sizeof(err)));
    assert_non_null(strstr(err, "-kernel: /nonexistent/kernel"));
    kiln_config_free(&cfg);
    unlink(kpath);
    unlink(mpath);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_board_ports),
        cmocka_unit_test(test_backends),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_icount_budgets),
        cmocka_unit_test(test_idle_waits),
        cmocka_unit_test(test_realtime_alarm),
        cmocka_unit_test(test_kernel_boot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
