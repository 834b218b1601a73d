/* SPDX-License-Identifier: MIT */
/* cmdline.c: the option table, argv dispatch, final checks and kiln_main. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "ui/cmdline.h"
#include "ui/options.h"
#include "ui/run.h"

static int opt_help(struct opt_ctx *c, const char *arg)
{
    kiln_print_help(c->out);
    return 1;
}

static int opt_version(struct opt_ctx *c, const char *arg)
{
    fprintf(c->out, "kiln version %s (x86-64 PC emulator, QEMU-compatible command line)\n",
            KILN_VERSION);
    return 1;
}

static int opt_kvm(struct opt_ctx *c, const char *arg)
{
    return opt_fail(c, "kiln never uses hardware virtualization (use -accel jit or interp)");
}

static int opt_kernel(struct opt_ctx *c, const char *arg)
{
    if (arg[0] == '\0')
        return opt_fail(c, "empty file name");
    if (opt_need(c, KILN_FEAT_KERNEL_BOOT) < 0)
        return -1;
    return opt_setstr(c, &c->cfg->kernel, arg);
}

static int opt_initrd(struct opt_ctx *c, const char *arg)
{
    if (arg[0] == '\0')
        return opt_fail(c, "empty file name");
    c->opt_initrd = c->opt;
    return opt_setstr(c, &c->cfg->initrd, arg);
}

static int opt_append(struct opt_ctx *c, const char *arg)
{
    c->opt_append = c->opt;
    return opt_setstr(c, &c->cfg->append, arg);
}

static int opt_logfile(struct opt_ctx *c, const char *arg)
{
    if (arg[0] == '\0')
        return opt_fail(c, "empty file name");
    return opt_setstr(c, &c->cfg->log_file, arg);
}

static int opt_hda(struct opt_ctx *c, const char *arg) { return opt_hdx(c, 0, arg); }
static int opt_hdb(struct opt_ctx *c, const char *arg) { return opt_hdx(c, 1, arg); }
static int opt_hdc(struct opt_ctx *c, const char *arg) { return opt_hdx(c, 2, arg); }
static int opt_hdd(struct opt_ctx *c, const char *arg) { return opt_hdx(c, 3, arg); }

static int opt_nographic(struct opt_ctx *c, const char *arg)
{
    c->cfg->nographic = true;
    return 0;
}

static int opt_gdb_default(struct opt_ctx *c, const char *arg)
{
    return opt_gdb(c, "tcp::1234");
}

static int opt_snapshot(struct opt_ctx *c, const char *arg)
{
    if (opt_need(c, KILN_FEAT_SNAPSHOT) < 0)
        return -1;
    c->snapshot = true;
    return 0;
}

static int opt_nodefaults(struct opt_ctx *c, const char *arg)
{
    c->nodefaults = true;
    return 0;
}

/* Options that exist only to be turned off: -vnc none, -parallel none, -net none. */
static int opt_only_none(struct opt_ctx *c, const char *arg)
{
    static const struct {
        const char *opt, *why;
    } absent[] = {
        { "-vnc", "there is no VNC server" },
        { "-parallel", "there is no parallel port" },
        { "-net", "there is no network card" },
        { "-nic", "there is no network card" },
    };

    if (strcmp(arg, "none") == 0)
        return 0;
    for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
        if (strcmp(c->opt, absent[i].opt) == 0)
            return opt_fail(c, "only 'none' is supported (%s)", absent[i].why);
    return opt_fail(c, "only 'none' is supported");
}

static int opt_debugcon(struct opt_ctx *c, const char *arg)
{
    struct kiln_chardev ch = { .kind = KILN_CHR_NONE };

    if (opt_chardev(c, arg, &ch, false) < 0)
        return -1;
    if (ch.kind != KILN_CHR_NONE && opt_need(c, KILN_FEAT_DEBUGCON) < 0) {
        opt_chardev_clear(&ch);
        return -1;
    }
    opt_chardev_clear(&c->cfg->debugcon);
    c->cfg->debugcon = ch;
    return 0;
}

static int opt_paused(struct opt_ctx *c, const char *arg)
{
    c->cfg->start_paused = true;
    return 0;
}

static int opt_no_reboot(struct opt_ctx *c, const char *arg)
{
    c->cfg->no_reboot = true;
    return 0;
}

static int opt_no_shutdown(struct opt_ctx *c, const char *arg)
{
    c->cfg->no_shutdown = true;
    return 0;
}

struct opt_def {
    const char *name;    /* with its dash: "-m" */
    const char *argname; /* NULL for a flag */
    opt_handler fn;
    const char *help;
};

static const struct opt_def options[] = {
    { "-help", NULL, opt_help, "print this help and exit" },
    { "-h", NULL, opt_help, "same as -help" },
    { "-version", NULL, opt_version, "print the version and exit" },
    { "-machine", "TYPE", opt_machine, "pc (the only machine)[,accel=ACCEL]; help lists them" },
    { "-M", "TYPE", opt_machine, "same as -machine" },
    { "-cpu", "MODEL", opt_cpu, "max, qemu64 or base[,+flag][,-flag][,flag=on|off]; "
      "help lists them" },
    { "-m", "SIZE", opt_memory, "guest RAM: 512 (MiB), 512M, 2G... (default 128M)" },
    { "-smp", "N", opt_smp, "CPUs: N or cpus=N[,maxcpus=][,sockets=][,cores=][,threads=]" },
    { "-accel", "ACCEL", opt_accel, "jit (alias tcg) or interp[,tb-size=MiB][,one-insn-per-tb=on]" },
    { "-enable-kvm", NULL, opt_kvm, "refused: kiln never uses hardware virtualization" },
    { "-kernel", "FILE", opt_kernel, "boot this Linux kernel (bzImage) directly" },
    { "-initrd", "FILE", opt_initrd, "initial ramdisk for -kernel" },
    { "-append", "CMDLINE", opt_append, "kernel command line for -kernel" },
    { "-drive", "OPTS", opt_drive, "file=F[,format=raw|qcow2][,if=ide|virtio|none]\n"
      "[,media=disk|cdrom][,index=N][,readonly=on][,snapshot=on][,id=]" },
    { "-hda", "FILE", opt_hda, "IDE disk 0 (primary master)" },
    { "-hdb", "FILE", opt_hdb, "IDE disk 1 (primary slave)" },
    { "-hdc", "FILE", opt_hdc, "IDE disk 2 (secondary master)" },
    { "-hdd", "FILE", opt_hdd, "IDE disk 3 (secondary slave)" },
    { "-cdrom", "FILE", opt_cdrom, "IDE CD-ROM image at index 2" },
    { "-snapshot", NULL, opt_snapshot, "never write to disk images (snapshot=on for all)" },
    { "-boot", "OPTS", opt_boot, "[order=]LETTERS (c disk, d CD-ROM)[,once=][,menu=on|off]" },
    { "-nodefaults", NULL, opt_nodefaults, "no default serial port or monitor" },
    { "-nographic", NULL, opt_nographic, "no display; serial port and monitor on the terminal" },
    { "-display", "TYPE", opt_display, "none or sdl" },
    { "-serial", "DEV", opt_serial, "stdio, null, none, file:PATH, pty, mon:stdio,\n"
      "tcp:[HOST]:PORT[,server][,nowait] (up to 4 ports)" },
    { "-monitor", "DEV", opt_monitor, "the monitor on stdio, none, tcp:... (as -serial)" },
    { "-gdb", "DEV", opt_gdb, "gdb stub on tcp::PORT, tcp:HOST:PORT, or none" },
    { "-debugcon", "DEV", opt_debugcon, "debug console on port 0xe9 (backends as -serial)" },
    { "-s", NULL, opt_gdb_default, "same as -gdb tcp::1234" },
    { "-S", NULL, opt_paused, "do not start the CPUs (wait for gdb or the monitor)" },
    { "-device", "DEV", opt_device, "add a device: isa-debug-exit[,iobase=][,iosize=]; "
      "help lists them" },
    { "-d", "ITEMS", opt_debug_log, "log items, comma-separated; -d help lists them" },
    { "-D", "FILE", opt_logfile, "write the log to FILE instead of stderr" },
    { "-icount", "OPTS", opt_icount, "[shift=]N|auto[,sleep=on|off]: clock counts "
      "instructions (2^N ns each)" },
    { "-seed", "N", opt_seed, "RDRAND/RDSEED from a pseudo-random generator seeded with N "
      "(deterministic; with -icount the seed is 0 unless given)" },
    { "-rtc", "OPTS", opt_rtc, "base=utc|localtime|DATE[,clock=host|rt|vm][,driftfix=none|slew]" },
    { "-vnc", "none", opt_only_none, "accepted for compatibility: there is no VNC server" },
    { "-parallel", "none", opt_only_none, "accepted for compatibility: no parallel port" },
    { "-net", "none", opt_only_none, "accepted for compatibility: no network card" },
    { "-nic", "none", opt_only_none, "same as -net none" },
    { "-no-reboot", NULL, opt_no_reboot, "exit when the guest reboots" },
    { "-no-shutdown", NULL, opt_no_shutdown, "stop, do not exit, when the guest powers off" },
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

void kiln_print_usage(FILE *f)
{
    fprintf(f, "usage: kiln [options] [disk_image]\n"
               "Try 'kiln -help' for more information.\n");
}

void kiln_print_help(FILE *f)
{
    fprintf(f, "kiln %s, an x86-64 PC emulator\n"
               "usage: kiln [options] [disk_image]\n\n"
               "Options (--opt works as -opt; a bare disk_image is -hda):\n",
            KILN_VERSION);
    for (size_t i = 0; i < NOPTIONS; i++) {
        char head[40];
        snprintf(head, sizeof(head), "%s%s%s", options[i].name,
                 options[i].argname ? " " : "", options[i].argname ? options[i].argname : "");
        fprintf(f, "  %-18s ", head);
        for (const char *h = options[i].help; *h; h++) {
            fputc(*h, f);
            if (*h == '\n')
                fprintf(f, "  %-18s ", "");
        }
        fputc('\n', f);
    }
    fprintf(f, "\nDuring -nographic: Ctrl-A x quits, Ctrl-A c switches to the monitor.\n");
}

/* Fails naming the option with its own spelling (for unknown options). */
static int fail_raw(struct opt_ctx *c, const char *fmt, const char *what)
{
    c->opt = NULL;
    if (c->err != NULL && c->errlen > 0) {
        snprintf(c->err, c->errlen, fmt, what);
        for (char *p = c->err; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
    }
    return -1;
}

/* Returns true when chardev ch uses the terminal. */
static bool uses_stdio(const struct kiln_chardev *ch)
{
    return ch->kind == KILN_CHR_STDIO;
}

/* Applies defaults that depend on several options, and cross-option checks. */
static int opt_finish(struct opt_ctx *c)
{
    struct kiln_config *cfg = c->cfg;
    unsigned serial_stdio = 0;

    if (cfg->kernel == NULL && cfg->initrd != NULL) {
        c->opt = c->opt_initrd;
        return opt_fail(c, "only allowed with -kernel");
    }
    if (cfg->kernel == NULL && cfg->append != NULL) {
        c->opt = c->opt_append;
        return opt_fail(c, "only allowed with -kernel");
    }
    if (cfg->nographic && c->display_given) {
        c->opt = "-nographic";
        return opt_fail(c, "cannot be used with -display");
    }
    if (!c->display_given)
        cfg->display = !cfg->nographic && KILN_HAVE_SDL && (c->built & KILN_FEAT_BIT(KILN_FEAT_SDL))
                           ? KILN_DISPLAY_SDL : KILN_DISPLAY_NONE;
    if (c->snapshot)
        for (unsigned i = 0; i < cfg->ndrives; i++)
            cfg->drives[i].snapshot = true;
    if (c->nodefaults && !c->serial_given) {
        opt_chardev_clear(&cfg->serial[0]);
        cfg->nserial = 0;
    }
    if (cfg->nographic && !c->nodefaults) {
        /* QEMU: serial and monitor share the terminal unless either was given. */
        if (!c->serial_given && !c->monitor_given) {
            opt_chardev_clear(&cfg->serial[0]);
            cfg->serial[0].kind = KILN_CHR_STDIO;
            cfg->serial[0].mux = true;
            cfg->nserial = 1;
        } else if (!c->serial_given) {
            opt_chardev_clear(&cfg->serial[0]);
            cfg->serial[0].kind = KILN_CHR_STDIO;
            cfg->nserial = 1;
        } else if (!c->monitor_given && (c->built & KILN_FEAT_BIT(KILN_FEAT_MONITOR))) {
            opt_chardev_clear(&cfg->monitor);
            cfg->monitor.kind = KILN_CHR_STDIO;
        }
    }
    if (!c->accel_given)
        cfg->accel = (c->built & KILN_FEAT_BIT(KILN_FEAT_JIT)) ||
                             !(c->built & KILN_FEAT_BIT(KILN_FEAT_INTERP))
                         ? KILN_ACCEL_JIT : KILN_ACCEL_INTERP;
    for (unsigned i = 0; i < cfg->nserial; i++)
        serial_stdio += uses_stdio(&cfg->serial[i]);
    if (serial_stdio > 1) {
        c->opt = "-serial";
        return opt_fail(c, "stdio is used by more than one serial port");
    }
    if (serial_stdio && uses_stdio(&cfg->monitor)) {
        c->opt = "-monitor";
        return opt_fail(c, "stdio is already used by a serial port (use -serial mon:stdio)");
    }
    if (uses_stdio(&cfg->debugcon) && (serial_stdio || uses_stdio(&cfg->monitor))) {
        c->opt = "-debugcon";
        return opt_fail(c, "stdio is already used by another device");
    }
    return 0;
}

int kiln_parse_args_ex(struct kiln_config *cfg, int argc, char **argv, FILE *out,
                       uint64_t built, char *err, size_t errlen)
{
    struct opt_ctx c = { .cfg = cfg, .out = out, .built = built, .err = err, .errlen = errlen };

    kiln_config_init(cfg);
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    for (int i = 1; i < argc && argv[i] != NULL; i++) {
        const char *a = argv[i], *name = a;
        const struct opt_def *od = NULL;
        const char *arg = NULL;
        int rc;

        if (a[0] != '-' || a[1] == '\0') {
            /* A bare image name, as in QEMU, is the first IDE disk. */
            c.opt = "-hda";
            if (opt_hdx(&c, 0, a) < 0)
                return -1;
            continue;
        }
        if (a[1] == '-' && a[2] != '\0')
            name = a + 1;
        for (size_t k = 0; k < NOPTIONS && od == NULL; k++)
            if (strcmp(options[k].name, name) == 0)
                od = &options[k];
        if (od == NULL)
            return fail_raw(&c, "kiln: unknown option '%.80s' (try -help)", a);
        c.opt = od->name;
        if (od->argname != NULL) {
            if (i + 1 >= argc || argv[i + 1] == NULL)
                return opt_fail(&c, "requires an argument (%s)", od->argname);
            arg = argv[++i];
        }
        rc = od->fn(&c, arg);
        if (rc != 0)
            return rc < 0 ? -1 : 1;
    }
    c.opt = NULL;
    return opt_finish(&c);
}

int kiln_parse_args(struct kiln_config *cfg, int argc, char **argv, char *err, size_t errlen)
{
    return kiln_parse_args_ex(cfg, argc, argv, stdout, kiln_features_built(), err, errlen);
}

int kiln_main(int argc, char **argv)
{
    struct kiln_config cfg;
    char err[256];
    int rc = kiln_parse_args(&cfg, argc, argv, err, sizeof(err));

    if (rc < 0) {
        fprintf(stderr, "%s\n", err);
        rc = 1;
    } else if (rc > 0) {
        rc = fflush(stdout) == 0 ? 0 : 1;
    } else {
        rc = kiln_run(&cfg);
    }
    kiln_config_free(&cfg);
    return rc;
}
