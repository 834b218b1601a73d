/* SPDX-License-Identifier: MIT */
/* test_cmdline.c: the command-line parser accepts every option's good forms and fills kiln_config. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "translate/log.h"
#include "ui/cmdline.h"

#define MIB (UINT64_C(1) << 20)

#include "cmdline_harness.h"

static void test_defaults(void **state)
{
    struct kiln_config cfg;
    uint64_t no_sdl = KILN_FEAT_ALL & ~KILN_FEAT_BIT(KILN_FEAT_SDL);

    assert_int_equal(parse_feat(&cfg, no_sdl, (const char *const[]){ NULL }), 0);
    assert_int_equal(cfg.ram_size, 128 * MIB);
    assert_int_equal(cfg.smp.cpus, 1);
    assert_int_equal(cfg.smp.maxcpus, 1);
    assert_null(cfg.kernel);
    assert_int_equal(cfg.ndrives, 0);
    assert_string_equal(cfg.boot.order, "cad");
    assert_string_equal(cfg.boot.once, "");
    assert_int_equal(cfg.display, KILN_DISPLAY_NONE);
    assert_false(cfg.nographic);
    assert_int_equal(cfg.nserial, 1);
    assert_int_equal(cfg.serial[0].kind, KILN_CHR_NULL);
    assert_int_equal(cfg.monitor.kind, KILN_CHR_NONE);
    assert_int_equal(cfg.gdb.kind, KILN_CHR_NONE);
    assert_int_equal(cfg.accel, KILN_ACCEL_JIT);
    assert_int_equal(cfg.log_mask, 0);
    assert_null(cfg.log_file);
    assert_int_equal(cfg.ndevices, 0);
    assert_false(cfg.icount.enabled);
    assert_int_equal(cfg.rtc.base, KILN_RTC_UTC);
    kiln_config_free(&cfg);
    /* the default display is SDL when it is built and compiled in */
    assert_int_equal(parse_feat(&cfg, KILN_FEAT_ALL, (const char *const[]){ NULL }), 0);
    assert_int_equal(cfg.display, KILN_HAVE_SDL ? KILN_DISPLAY_SDL : KILN_DISPLAY_NONE);
    kiln_config_free(&cfg);
    /* with only the interpreter built it is the default accelerator */
    assert_int_equal(parse_feat(&cfg, KILN_FEAT_BIT(KILN_FEAT_INTERP),
                                (const char *const[]){ NULL }), 0);
    assert_int_equal(cfg.accel, KILN_ACCEL_INTERP);
    kiln_config_free(&cfg);
}

static void test_memory(void **state)
{
    static const struct {
        const char *arg;
        uint64_t bytes;
    } cases[] = {
        { "512", 512 * MIB },         { "512M", 512 * MIB },     { "512m", 512 * MIB },
        { "2G", 2048 * MIB },         { "2g", 2048 * MIB },      { "1.5G", 1536 * MIB },
        { "1024K", 1 * MIB },         { "1025k", 1028 * 1024 },  { "size=256M", 256 * MIB },
        { "0x100", 256 * MIB },       { "1T", UINT64_C(1) << 40 }, { "1048576B", 1 * MIB },
        { "1", 1 * MIB },             { "0.5G", 512 * MIB },     { "3000", 3000 * MIB },
        { "1.25", 1310720 },
    };
    struct kiln_config cfg;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (PARSE(&cfg, "-m", cases[i].arg) != 0)
            fail_msg("-m %s: %s", cases[i].arg, errbuf);
        if (cfg.ram_size != cases[i].bytes)
            fail_msg("-m %s: got %llu", cases[i].arg, (unsigned long long)cfg.ram_size);
        assert_int_equal(cfg.ram_size % KILN_RAM_ALIGN, 0);
        kiln_config_free(&cfg);
    }
    PARSE_OK(&cfg, "-m", "256", "--m", "64");
    assert_int_equal(cfg.ram_size, 64 * MIB); /* last one wins, --m works */
    kiln_config_free(&cfg);
}

static void test_smp(void **state)
{
    static const struct {
        const char *arg;
        unsigned cpus, maxcpus, sockets, cores, threads;
    } cases[] = {
        { "1", 1, 1, 1, 1, 1 },
        { "4", 4, 4, 1, 4, 1 },
        { "cpus=2", 2, 2, 1, 2, 1 },
        { "2,sockets=2", 2, 2, 2, 1, 1 },
        { "cpus=4,cores=2,threads=2", 4, 4, 1, 2, 2 },
        { "sockets=2,cores=2", 4, 4, 2, 2, 1 },
        { "2,maxcpus=4", 2, 4, 1, 4, 1 },
        { "8,sockets=2,cores=2,threads=2", 8, 8, 2, 2, 2 },
        { "64", 64, 64, 1, 64, 1 },
        { "4,dies=1,clusters=1", 4, 4, 1, 4, 1 },
        { "threads=2", 2, 2, 1, 1, 2 },
        { "4,cores=2", 4, 4, 2, 2, 1 },
        { "4,threads=2", 4, 4, 1, 2, 2 },
        { "8,sockets=2,cores=2", 8, 8, 2, 2, 2 },
        { "cores=2,threads=2", 4, 4, 1, 2, 2 },
        { "2,maxcpus=8,cores=4", 2, 8, 2, 4, 1 },
    };
    struct kiln_config cfg;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (PARSE(&cfg, "-smp", cases[i].arg) != 0)
            fail_msg("-smp %s: %s", cases[i].arg, errbuf);
        assert_int_equal(cfg.smp.cpus, cases[i].cpus);
        assert_int_equal(cfg.smp.maxcpus, cases[i].maxcpus);
        assert_int_equal(cfg.smp.sockets, cases[i].sockets);
        assert_int_equal(cfg.smp.cores, cases[i].cores);
        assert_int_equal(cfg.smp.threads, cases[i].threads);
        kiln_config_free(&cfg);
    }
}

static void test_kernel(void **state)
{
    struct kiln_config cfg;

    PARSE_OK(&cfg, "-kernel", "bzImage", "-initrd", "initrd.img", "-append",
             "console=ttyS0 root=/dev/sda,x");
    assert_string_equal(cfg.kernel, "bzImage");
    assert_string_equal(cfg.initrd, "initrd.img");
    assert_string_equal(cfg.append, "console=ttyS0 root=/dev/sda,x");
    kiln_config_free(&cfg);
    /* order does not matter; an empty command line is allowed */
    PARSE_OK(&cfg, "-append", "", "-kernel", "vmlinuz");
    assert_string_equal(cfg.append, "");
    kiln_config_free(&cfg);
}

static void test_machine(void **state)
{
    struct kiln_config cfg;

    PARSE_OK(&cfg, "-M", "pc");
    assert_int_equal(cfg.machine, KILN_MACHINE_PC);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-machine", "type=pc-i440fx-8.2,accel=interp");
    assert_int_equal(cfg.accel, KILN_ACCEL_INTERP);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-machine", "pc,accel=kvm:tcg");
    assert_int_equal(cfg.accel, KILN_ACCEL_JIT);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-machine", "pc,accel=kvm:hvf:interp:tcg");
    assert_int_equal(cfg.accel, KILN_ACCEL_INTERP);
    kiln_config_free(&cfg);
    assert_int_equal(PARSE(&cfg, "-M", "help"), 1);
    assert_non_null(strstr(outbuf, "pc"));
    kiln_config_free(&cfg);
}

static void test_nodefaults(void **state)
{
    struct kiln_config cfg;

    PARSE_OK(&cfg, "-nodefaults");
    assert_int_equal(cfg.nserial, 0);
    assert_int_equal(cfg.monitor.kind, KILN_CHR_NONE);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-nographic", "-nodefaults");
    assert_int_equal(cfg.nserial, 0);
    assert_int_equal(cfg.monitor.kind, KILN_CHR_NONE);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-serial", "stdio", "-nodefaults", "-nographic");
    assert_int_equal(cfg.nserial, 1);
    assert_int_equal(cfg.serial[0].kind, KILN_CHR_STDIO);
    assert_int_equal(cfg.monitor.kind, KILN_CHR_NONE);
    kiln_config_free(&cfg);
}

static void test_serial(void **state)
{
    struct kiln_config cfg;

    PARSE_OK(&cfg, "-serial", "stdio", "-serial", "null", "-serial", "file:/tmp/a,b",
             "-serial", "pty");
    assert_int_equal(cfg.nserial, 4);
    assert_int_equal(cfg.serial[0].kind, KILN_CHR_STDIO);
    assert_false(cfg.serial[0].mux);
    assert_int_equal(cfg.serial[1].kind, KILN_CHR_NULL);
    assert_int_equal(cfg.serial[2].kind, KILN_CHR_FILE);
    assert_string_equal(cfg.serial[2].path, "/tmp/a,b");
    assert_int_equal(cfg.serial[3].kind, KILN_CHR_PTY);
    kiln_config_free(&cfg);

    PARSE_OK(&cfg, "-serial", "tcp::4444,server,nowait", "-serial", "tcp:localhost:5555",
             "-serial", "tcp:[::1]:6666,server=on,wait=off,nodelay", "-serial", "mon:stdio");
    assert_int_equal(cfg.serial[0].kind, KILN_CHR_TCP);
    assert_null(cfg.serial[0].host);
    assert_int_equal(cfg.serial[0].port, 4444);
    assert_true(cfg.serial[0].server);
    assert_false(cfg.serial[0].wait);
    assert_string_equal(cfg.serial[1].host, "localhost");
    assert_int_equal(cfg.serial[1].port, 5555);
    assert_false(cfg.serial[1].server);
    assert_true(cfg.serial[1].wait);
    assert_string_equal(cfg.serial[2].host, "::1");
    assert_int_equal(cfg.serial[2].port, 6666);
    assert_true(cfg.serial[2].server);
    assert_false(cfg.serial[2].wait);
    assert_true(cfg.serial[2].nodelay);
    assert_int_equal(cfg.serial[3].kind, KILN_CHR_STDIO);
    assert_true(cfg.serial[3].mux);
    kiln_config_free(&cfg);

    PARSE_OK(&cfg, "-serial", "stdio", "-serial", "none");
    assert_int_equal(cfg.nserial, 0);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-serial", "none", "-serial", "file:x");
    assert_int_equal(cfg.nserial, 1);
    assert_string_equal(cfg.serial[0].path, "x");
    kiln_config_free(&cfg);
}

static void test_monitor_gdb(void **state)
{
    struct kiln_config cfg;

    PARSE_OK(&cfg, "-monitor", "stdio", "-s", "-S");
    assert_int_equal(cfg.monitor.kind, KILN_CHR_STDIO);
    assert_int_equal(cfg.gdb.kind, KILN_CHR_TCP);
    assert_int_equal(cfg.gdb.port, KILN_GDB_DEFAULT_PORT);
    assert_null(cfg.gdb.host);
    assert_true(cfg.gdb.server);
    assert_false(cfg.gdb.wait);
    assert_true(cfg.start_paused);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-monitor", "tcp:127.0.0.1:4000,server,nowait", "-gdb",
             "tcp:127.0.0.1:9000");
    assert_int_equal(cfg.monitor.kind, KILN_CHR_TCP);
    assert_int_equal(cfg.monitor.port, 4000);
    assert_string_equal(cfg.gdb.host, "127.0.0.1");
    assert_int_equal(cfg.gdb.port, 9000);
    assert_true(cfg.gdb.server);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-s", "-gdb", "none", "-monitor", "none");
    assert_int_equal(cfg.gdb.kind, KILN_CHR_NONE);
    assert_int_equal(cfg.monitor.kind, KILN_CHR_NONE);
    assert_false(cfg.start_paused);
    kiln_config_free(&cfg);
}

static void test_nographic(void **state)
{
    struct kiln_config cfg;

    PARSE_OK(&cfg, "-nographic");
    assert_true(cfg.nographic);
    assert_int_equal(cfg.display, KILN_DISPLAY_NONE);
    assert_int_equal(cfg.nserial, 1);
    assert_int_equal(cfg.serial[0].kind, KILN_CHR_STDIO);
    assert_true(cfg.serial[0].mux);
    assert_int_equal(cfg.monitor.kind, KILN_CHR_NONE);
    kiln_config_free(&cfg);
    /* a given monitor: the serial port gets the terminal alone */
    PARSE_OK(&cfg, "-nographic", "-monitor", "none");
    assert_int_equal(cfg.serial[0].kind, KILN_CHR_STDIO);
    assert_false(cfg.serial[0].mux);
    kiln_config_free(&cfg);
    /* a given serial port: the monitor gets the terminal */
    PARSE_OK(&cfg, "-serial", "file:log.txt", "-nographic");
    assert_int_equal(cfg.serial[0].kind, KILN_CHR_FILE);
    assert_int_equal(cfg.monitor.kind, KILN_CHR_STDIO);
    kiln_config_free(&cfg);
    /* ... unless the monitor is not built */
    assert_int_equal(parse_feat(&cfg, KILN_FEAT_ALL & ~KILN_FEAT_BIT(KILN_FEAT_MONITOR),
                                (const char *const[]){ "-serial", "null", "-nographic",
                                                       NULL }), 0);
    assert_int_equal(cfg.monitor.kind, KILN_CHR_NONE);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-display", "none");
    assert_int_equal(cfg.display, KILN_DISPLAY_NONE);
    assert_int_equal(cfg.serial[0].kind, KILN_CHR_NULL);
    kiln_config_free(&cfg);
    if (KILN_HAVE_SDL) {
        PARSE_OK(&cfg, "-display", "sdl");
        assert_int_equal(cfg.display, KILN_DISPLAY_SDL);
        kiln_config_free(&cfg);
    }
}

static void test_flags_and_log(void **state)
{
    struct kiln_config cfg;

    PARSE_OK(&cfg, "-no-reboot", "--no-shutdown", "-d", "in_asm,int,nochain", "-D",
             "/tmp/kiln.log");
    assert_true(cfg.no_reboot);
    assert_true(cfg.no_shutdown);
    assert_int_equal(cfg.log_mask, KILN_LOG_BIT(KILN_LOG_IN_ASM) | KILN_LOG_BIT(KILN_LOG_INT) |
                                       KILN_LOG_BIT(KILN_LOG_NOCHAIN));
    assert_string_equal(cfg.log_file, "/tmp/kiln.log");
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-d", "all", "-d", "unimp,guest_errors");
    assert_int_equal(cfg.log_mask,
                     KILN_LOG_BIT(KILN_LOG_UNIMP) | KILN_LOG_BIT(KILN_LOG_GUEST_ERRORS));
    kiln_config_free(&cfg);
}

static void test_accel(void **state)
{
    struct kiln_config cfg;

    PARSE_OK(&cfg, "-accel", "interp");
    assert_int_equal(cfg.accel, KILN_ACCEL_INTERP);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-accel", "tcg,tb-size=64,one-insn-per-tb=on,thread=single");
    assert_int_equal(cfg.accel, KILN_ACCEL_JIT);
    assert_int_equal(cfg.tb_size_mib, 64);
    assert_true(cfg.one_insn_per_tb);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-accel", "accel=interp", "-accel", "jit");
    assert_int_equal(cfg.accel, KILN_ACCEL_JIT);
    kiln_config_free(&cfg);
}

static void test_device(void **state)
{
    struct kiln_config cfg;

    PARSE_OK(&cfg, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-device",
             "isa-debug-exit,id=second");
    assert_int_equal(cfg.ndevices, 2);
    assert_int_equal(cfg.devices[0].type, KILN_DEV_ISA_DEBUG_EXIT);
    assert_int_equal(cfg.devices[0].u.isa_debug_exit.iobase, 0xf4);
    assert_int_equal(cfg.devices[0].u.isa_debug_exit.iosize, 4);
    assert_null(cfg.devices[0].id);
    assert_int_equal(cfg.devices[1].u.isa_debug_exit.iobase, 0x501);
    assert_int_equal(cfg.devices[1].u.isa_debug_exit.iosize, 2);
    assert_string_equal(cfg.devices[1].id, "second");
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-device", "driver=isa-debug-exit,iobase=65535,iosize=1");
    assert_int_equal(cfg.devices[0].u.isa_debug_exit.iobase, 0xffff);
    kiln_config_free(&cfg);
}

static void test_icount_rtc(void **state)
{
    struct kiln_config cfg;

    PARSE_OK(&cfg, "-icount", "4");
    assert_true(cfg.icount.enabled);
    assert_int_equal(cfg.icount.shift, 4);
    assert_true(cfg.icount.sleep);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-icount", "shift=auto,sleep=off");
    assert_int_equal(cfg.icount.shift, KILN_ICOUNT_AUTO);
    assert_false(cfg.icount.sleep);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-icount", "shift=0", "-icount", "shift=10");
    assert_int_equal(cfg.icount.shift, 10);
    assert_false(cfg.seed_set);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-seed", "18446744073709551615", "-seed", "42");
    assert_true(cfg.seed_set);
    assert_int_equal(cfg.seed, 42);
    kiln_config_free(&cfg);

    PARSE_OK(&cfg, "-rtc", "base=localtime,clock=vm,driftfix=slew");
    assert_int_equal(cfg.rtc.base, KILN_RTC_LOCALTIME);
    assert_int_equal(cfg.rtc.clock, KILN_RTC_CLOCK_VM);
    assert_true(cfg.rtc.driftfix_slew);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-rtc", "base=2006-06-17T16:01:21");
    assert_int_equal(cfg.rtc.base, KILN_RTC_DATETIME);
    assert_int_equal(cfg.rtc.base_time, 1150560081);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-rtc", "base=2000-02-29,clock=rt");
    assert_int_equal(cfg.rtc.base_time, 951782400);
    assert_int_equal(cfg.rtc.clock, KILN_RTC_CLOCK_RT);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-rtc", "base=1969-12-31T23:59:59");
    assert_int_equal(cfg.rtc.base_time, -1);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-rtc", "base=1970-01-01", "-rtc", "base=utc,driftfix=none");
    assert_int_equal(cfg.rtc.base, KILN_RTC_UTC);
    assert_false(cfg.rtc.driftfix_slew);
    kiln_config_free(&cfg);
}

static void test_help_version(void **state)
{
    struct kiln_config cfg;

    assert_int_equal(PARSE(&cfg, "-version"), 1);
    assert_non_null(strstr(outbuf, KILN_VERSION));
    kiln_config_free(&cfg);
    assert_int_equal(PARSE(&cfg, "--help"), 1);
    assert_non_null(strstr(outbuf, "-nographic"));
    assert_non_null(strstr(outbuf, "-drive"));
    kiln_config_free(&cfg);
    assert_int_equal(PARSE(&cfg, "-h"), 1);
    assert_non_null(strstr(outbuf, "usage"));
    kiln_config_free(&cfg);
    assert_int_equal(PARSE(&cfg, "-d", "help"), 1);
    assert_non_null(strstr(outbuf, "guest_errors"));
    kiln_config_free(&cfg);
    assert_int_equal(PARSE(&cfg, "-device", "help"), 1);
    assert_non_null(strstr(outbuf, "isa-debug-exit"));
    kiln_config_free(&cfg);
    assert_int_equal(PARSE(&cfg, "-device", "isa-debug-exit,help"), 1);
    assert_non_null(strstr(outbuf, "iobase"));
    kiln_config_free(&cfg);
    /* help stops the parse: a later bad option is not looked at */
    assert_int_equal(PARSE(&cfg, "-version", "-frobnicate"), 1);
    kiln_config_free(&cfg);
}

/* With nothing built, options needing a part fail naming it; the rest parse. */
static void test_features(void **state)
{
    static const struct {
        const char *opt, *arg, *what;
    } gated[] = {
        { "-smp", "2", "SMP" },
        { "-kernel", "bzImage", "kernel boot" },
        { "-hda", "a.img", "IDE disk" },
        { "-cdrom", "a.iso", "CD-ROM" },
        { "-drive", "file=a,if=virtio", "virtio" },
        { "-boot", "d", "boot device" },
        { "-serial", "stdio", "serial port" },
        { "-serial", "pty", "pty" },
        { "-serial", "tcp::4444,server", "tcp backend" },
        { "-serial", "tcp::4444", "tcp" },
        { "-monitor", "stdio", "monitor" },
        { "-gdb", "tcp::1234", "gdb stub" },
        { "-s", NULL, "gdb stub" },
        { "-display", "sdl", "SDL" },
        { "-accel", "jit", "JIT" },
        { "-accel", "interp", "interpreter" },
        { "-icount", "3", "instruction-counted" },
        { "-rtc", "base=utc", "real-time clock" },
        { "-device", "isa-debug-exit", "isa-debug-exit" },
    };
    static const char *const ungated[] = { "-m", "1G", "-d", "int", "-D", "x.log", "-S",
                                           "-no-reboot", "-no-shutdown", "-serial", "none",
                                           "-monitor", "none", "-gdb", "none", "-nographic",
                                           NULL };
    struct kiln_config cfg;
    char want[64];

    for (size_t i = 0; i < sizeof(gated) / sizeof(gated[0]); i++) {
        const char *args[] = { gated[i].opt, gated[i].arg, NULL };
        assert_int_equal(parse_feat(&cfg, 0, args), -1);
        snprintf(want, sizeof(want), "kiln: %s: ", gated[i].opt);
        if (strncmp(errbuf, want, strlen(want)) != 0 || !strstr(errbuf, gated[i].what) ||
            !strstr(errbuf, "is not built yet"))
            fail_msg("%s %s: unexpected message '%s'", gated[i].opt, gated[i].arg, errbuf);
        kiln_config_free(&cfg);
        /* and all built, it parses */
        if (parse_feat(&cfg, KILN_FEAT_ALL, args) != 0 && !strstr(errbuf, "compiled in"))
            fail_msg("%s %s: %s", gated[i].opt, gated[i].arg, errbuf);
        kiln_config_free(&cfg);
    }
    if (parse_feat(&cfg, 0, ungated) != 0)
        fail_msg("ungated options failed: %s", errbuf);
    assert_int_equal(cfg.nserial, 0);
    kiln_config_free(&cfg);
    /* -smp 1 needs no SMP */
    assert_int_equal(parse_feat(&cfg, 0, (const char *const[]){ "-smp", "1", NULL }), 0);
    kiln_config_free(&cfg);
    /* a listening tcp backend does not need the client one */
    assert_int_equal(parse_feat(&cfg, KILN_FEAT_ALL & ~KILN_FEAT_BIT(KILN_FEAT_CHR_TCP_CLIENT),
                                (const char *const[]){ "-serial", "tcp::5,server", NULL }), 0);
    kiln_config_free(&cfg);
    assert_int_equal(parse_feat(&cfg, KILN_FEAT_ALL & ~KILN_FEAT_BIT(KILN_FEAT_CHR_TCP_CLIENT),
                                (const char *const[]){ "-serial", "tcp::5", NULL }), -1);
    assert_non_null(strstr(errbuf, "kiln: -serial: the tcp client backend"));
    kiln_config_free(&cfg);
}

static void test_feature_table(void **state)
{
    uint64_t built = kiln_features_built();

    for (int f = 0; f < KILN_FEAT_COUNT; f++) {
        assert_non_null(kiln_feature_name(f));
        assert_non_null(kiln_feature_what(f));
        assert_int_equal(kiln_feature_built(f), (built >> f) & 1);
        for (int g = 0; g < f; g++)
            assert_string_not_equal(kiln_feature_name(f), kiln_feature_name(g));
    }
    assert_null(kiln_feature_name(KILN_FEAT_COUNT));
    assert_false(kiln_feature_built(KILN_FEAT_COUNT));
    assert_int_equal(built & ~KILN_FEAT_ALL, 0);
}

/* The public entry point uses the real feature table. */
static void test_public_entry(void **state)
{
    struct kiln_config cfg;
    char *argv[] = { "kiln", "-m", "2G", "-d", "cpu", NULL };
    char err[128];

    assert_int_equal(kiln_parse_args(&cfg, 5, argv, err, sizeof(err)), 0);
    assert_int_equal(cfg.ram_size, 2048 * MIB);
    assert_int_equal(cfg.log_mask, KILN_LOG_BIT(KILN_LOG_CPU));
    kiln_config_free(&cfg);
    assert_int_equal(kiln_parse_args(&cfg, 0, argv, err, sizeof(err)), 0);
    kiln_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),      cmocka_unit_test(test_memory),
        cmocka_unit_test(test_smp),           cmocka_unit_test(test_kernel),
        cmocka_unit_test(test_machine),       cmocka_unit_test(test_nodefaults),
        cmocka_unit_test(test_serial),        cmocka_unit_test(test_monitor_gdb),
        cmocka_unit_test(test_nographic),     cmocka_unit_test(test_flags_and_log),
        cmocka_unit_test(test_accel),         cmocka_unit_test(test_device),
        cmocka_unit_test(test_icount_rtc),    cmocka_unit_test(test_help_version),
        cmocka_unit_test(test_features),      cmocka_unit_test(test_feature_table),
        cmocka_unit_test(test_public_entry),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);

    free(outbuf);
    return rc;
}
