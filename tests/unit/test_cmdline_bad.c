/* SPDX-License-Identifier: MIT */
/* test_cmdline_bad.c: bad command lines fail with one line naming the option, and never crash. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ui/cmdline.h"

static char errbuf[256];
static FILE *devnull;

static int parse_argv(struct kiln_config *cfg, int argc, char **argv, char *err, size_t errlen)
{
    return kiln_parse_args_ex(cfg, argc, argv, devnull, KILN_FEAT_ALL, err, errlen);
}

/* Parses "kiln" + args and checks the failure: status -1 and one line that
 * starts with `prefix` and contains `want` (if not NULL). */
static void expect_fail(const char *prefix, const char *want, const char *const *args)
{
    struct kiln_config cfg;
    char *argv[64];
    int argc = 0, rc;
    size_t sizes[] = { 0, 1, 7, 40 };

    argv[argc++] = (char *)"kiln";
    for (; *args != NULL; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    memset(errbuf, 0, sizeof(errbuf));
    rc = parse_argv(&cfg, argc, argv, errbuf, sizeof(errbuf));
    kiln_config_free(&cfg);
    if (rc != -1)
        fail_msg("'%s' ...: expected failure, got %d", argc > 1 ? argv[1] : "", rc);
    if (strncmp(errbuf, prefix, strlen(prefix)) != 0)
        fail_msg("message '%s' does not start with '%s'", errbuf, prefix);
    if (want != NULL && strstr(errbuf, want) == NULL)
        fail_msg("message '%s' does not contain '%s'", errbuf, want);
    if (strchr(errbuf, '\n') != NULL || strchr(errbuf, '\r') != NULL)
        fail_msg("message '%s' is not one line", errbuf);
    assert_true(strlen(errbuf) < sizeof(errbuf) - 1 || errbuf[sizeof(errbuf) - 1] == '\0');
    /* short buffers are truncated, never overrun */
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char small[64];
        memset(small, 'Z', sizeof(small));
        rc = parse_argv(&cfg, argc, argv, sizes[i] ? small : NULL, sizes[i]);
        kiln_config_free(&cfg);
        assert_int_equal(rc, -1);
        if (sizes[i] != 0) {
            size_t want_len = strlen(errbuf) < sizes[i] - 1 ? strlen(errbuf) : sizes[i] - 1;
            assert_int_equal(strlen(small), want_len);
            assert_memory_equal(small, errbuf, want_len);
            assert_int_equal(small[sizes[i]], 'Z');
        }
    }
}

#define FAIL(prefix, want, ...) expect_fail(prefix, want, (const char *const[]){ __VA_ARGS__, NULL })

/* One bad value of one option. */
struct bad_value {
    const char *opt, *arg, *want;
};

static void run_bad_values(const struct bad_value *b, size_t n)
{
    char prefix[64];

    for (size_t i = 0; i < n; i++) {
        snprintf(prefix, sizeof(prefix), "kiln: %s: ", b[i].opt);
        expect_fail(prefix, b[i].want, (const char *const[]){ b[i].opt, b[i].arg, NULL });
    }
}

#define RUN_BAD(table) run_bad_values(table, sizeof(table) / sizeof(table[0]))

static void test_unknown_options(void **state)
{
    FAIL("kiln: unknown option '-frobnicate'", NULL, "-frobnicate");
    FAIL("kiln: unknown option '--frobnicate'", NULL, "--frobnicate");
    FAIL("kiln: unknown option '--'", NULL, "--");
    FAIL("kiln: unknown option '---m'", NULL, "---m", "512");
    FAIL("kiln: unknown option '-netdev'", NULL, "-netdev", "user,id=n0");
    FAIL("kiln: unknown option '-bios'", NULL, "-m", "64", "-bios", "bios.bin");
    FAIL("kiln: unknown option '-fo?o'", NULL, "-fo\no");
    FAIL("kiln: -enable-kvm: ", "hardware virtualization", "-enable-kvm");
}

static void test_missing_argument(void **state)
{
    static const char *const with_arg[] = {
        "-m", "-machine", "-M", "-smp", "-accel", "-kernel", "-initrd", "-append", "-drive",
        "-hda", "-hdb", "-hdc", "-hdd", "-cdrom", "-boot", "-display", "-serial", "-monitor",
        "-gdb", "-device", "-d", "-D", "-icount", "-seed", "-rtc", "-cpu", "-debugcon", "-vnc",
        "-parallel", "-net", "-nic",
    };
    char prefix[64], dashed[32];

    for (size_t i = 0; i < sizeof(with_arg) / sizeof(with_arg[0]); i++) {
        snprintf(prefix, sizeof(prefix), "kiln: %s: requires an argument", with_arg[i]);
        FAIL(prefix, NULL, with_arg[i]);
        FAIL(prefix, NULL, "-S", with_arg[i]);
        snprintf(dashed, sizeof(dashed), "-%s", with_arg[i]);
        FAIL(prefix, NULL, dashed);
    }
}

static void test_memory(void **state)
{
    static const struct bad_value bad[] = {
        { "-m", "foo", "invalid size 'foo'" }, { "-m", "", "empty" },
        { "-m", "-1", "invalid size" },        { "-m", "0", "minimum" },
        { "-m", "512X", "invalid size" },      { "-m", "512MB", "invalid size" },
        { "-m", "1.G", "invalid size" },       { "-m", ".5G", "invalid size" },
        { "-m", "1e3", "invalid size" },       { "-m", " 512", "invalid size" },
        { "-m", "512 ", "invalid size" },      { "-m", "+512", "invalid size" },
        { "-m", "99999999999999999999", "invalid size" },
        { "-m", "16E", "invalid size" },       { "-m", "2T", "maximum" },
        { "-m", "1025G,", "trailing comma" },  { "-m", "0x", "invalid size" },
        { "-m", "1.5B", "invalid size" },      { "-m", "size=", "invalid size" },
        { "-m", "512,", "trailing comma" },    { "-m", ",512", "empty parameter" },
        { "-m", "512,slots=2", "hotplug" },    { "-m", "512,maxmem=1G", "hotplug" },
        { "-m", "512,foo=1", "unknown parameter 'foo'" },
        { "-m", "0.5", "minimum" },            { "-m", "1023K", "minimum" },
        { "-m", "size", "invalid size" },      { "-m", "=512", "empty parameter name" },
        { "-m", "slots=1", "hotplug" },        { "-m", "1G,,", "invalid size" },
        { "-m", "17179869184T", "invalid size" },
    };

    RUN_BAD(bad);
}

static void test_smp(void **state)
{
    static const struct bad_value bad[] = {
        { "-smp", "0", "between 1" },          { "-smp", "", "empty" },
        { "-smp", "foo", "invalid value" },    { "-smp", "65", "maximum" },
        { "-smp", "cpus=0", "between 1" },     { "-smp", "4,maxcpus=2", "above maxcpus" },
        { "-smp", "4,sockets=3", "does not match" },
        { "-smp", "sockets=2,cores=2,threads=2,maxcpus=4", "does not match" },
        { "-smp", "2,dies=2", "dies" },        { "-smp", "1,foo=2", "unknown parameter" },
        { "-smp", "4,", "trailing comma" },    { "-smp", "99999999999999999999999", "invalid" },
        { "-smp", "-1", "invalid value" },     { "-smp", "cpus=", "invalid value" },
        { "-smp", "2,,3", "invalid value" },   { "-smp", "4096,sockets=4096", "maximum" },
        { "-smp", "2,sockets=4", "does not match" },
        { "-smp", "4097", "between" },
        { "-smp", "2,sockets=2,cores=2", "does not match" },
        { "-smp", "3,cores=2", "does not match" },
        { "-smp", "2,sockets=2,cores=2,threads=1", "does not match" },
    };

    RUN_BAD(bad);
}

static void test_accel(void **state)
{
    static const struct bad_value bad[] = {
        { "-accel", "kvm", "hardware virtualization" },
        { "-accel", "hvf", "hardware virtualization" },
        { "-accel", "foo", "unknown accelerator 'foo'" },
        { "-accel", "", "empty" },
        { "-accel", "tcg,tb-size=0", "tb-size" },
        { "-accel", "tcg,tb-size=x", "tb-size" },
        { "-accel", "tcg,thread=multi", "thread=multi" },
        { "-accel", "tcg,one-insn-per-tb=maybe", "on or off" },
        { "-accel", "tb-size=64", "missing accelerator" },
        { "-accel", "jit,", "trailing comma" },
        { "-accel", "tcg,bogus=1", "unknown parameter 'bogus'" },
        { "-accel", "accel=", "unknown accelerator" },
    };

    RUN_BAD(bad);
}

static void test_machine(void **state)
{
    static const struct bad_value bad[] = {
        { "-M", "q35", "q35 is not built" },
        { "-machine", "pc-q35-8.2", "q35 is not built" },
        { "-machine", "isapc", "unsupported machine 'isapc'" },
        { "-machine", "", "empty" },
        { "-machine", "accel=tcg", "missing machine type" },
        { "-machine", "pc,accel=kvm", "hardware virtualization" },
        { "-machine", "pc,accel=kvm:hvf", "no usable accelerator" },
        { "-machine", "pc,accel=:", "no usable accelerator" },
        { "-machine", "pc,usb=on", "unknown parameter 'usb'" },
        { "-machine", "pc,", "trailing comma" },
    };

    RUN_BAD(bad);
}

static void test_kernel(void **state)
{
    FAIL("kiln: -kernel: empty file name", NULL, "-kernel", "");
    FAIL("kiln: -initrd: empty file name", NULL, "-initrd", "");
    FAIL("kiln: -D: empty file name", NULL, "-D", "");
    FAIL("kiln: -initrd: only allowed with -kernel", NULL, "-initrd", "x.img");
    FAIL("kiln: -append: only allowed with -kernel", NULL, "-append", "quiet");
    FAIL("kiln: -append: ", NULL, "--append", "quiet", "-m", "64");
}

/* 65 items: more than OPT_KV_MAX */
#define TOO_MANY_ITEMS                                                                   \
    "a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9,j=10,k=11,l=12,m=13,n=14,o=15,p=16,q=17,r=18,"   \
    "s=19,t=20,u=21,v=22,w=23,x=24,y=25,z=26,A=27,B=28,C=29,D=30,E=31,F=32,G=33,H=34,"    \
    "I=35,J=36,K=37,L=38,M=39,N=40,O=41,P=42,Q=43,R=44,S=45,T=46,U=47,V=48,W=49,X=50,"    \
    "Y=51,Z=52,aa=53,ab=54,ac=55,ad=56,ae=57,af=58,ag=59,ah=60,ai=61,aj=62,ak=63,al=64,"  \
    "am=65"

static void test_drive(void **state)
{
    static const struct bad_value bad[] = {
        { "-drive", "", "empty" },
        { "-drive", "foo.img", "unknown parameter 'foo.img'" },
        { "-drive", "file=", "empty file name" },
        { "-drive", "file=a,format=vmdk", "format 'vmdk'" },
        { "-drive", "file=a,if=scsi", "if=scsi" },
        { "-drive", "file=a,media=tape", "media 'tape'" },
        { "-drive", "file=a,index=4", "out of range" },
        { "-drive", "file=a,if=virtio,index=8", "out of range" },
        { "-drive", "file=a,index=x", "invalid value 'x' for index" },
        { "-drive", "file=a,index=-1", "invalid value" },
        { "-drive", "file=a,index=99999999999999999999", "invalid value" },
        { "-drive", "file=a,readonly=maybe", "on or off" },
        { "-drive", "if=ide", "file= is required" },
        { "-drive", "file=a,if=virtio,media=cdrom", "if=ide" },
        { "-drive", "file=a,if=none,index=0", "if=none" },
        { "-drive", "file=a,bus=2", "bus" },
        { "-drive", "file=a,unit=2", "unit" },
        { "-drive", "file=a,if=virtio,bus=0", "if=ide only" },
        { "-drive", "file=a,index=0,bus=1", "does not match" },
        { "-drive", "file=a,cache=bogus", "cache mode" },
        { "-drive", "file=a,", "trailing comma" },
        { "-drive", "=a", "empty parameter name" },
        { "-drive", ",file=a", "empty parameter" },
        { "-drive", "file=a,,,", "trailing comma" },
        { "-drive", "file=a,id=", "empty id" },
        { "-drive", "file=a,foo=bar", "unknown parameter 'foo'" },
        { "-drive", "file", "empty file name" },
        { "-drive", "file=a,snapshot=2", "on or off" },
        { "-drive", TOO_MANY_ITEMS, "too many parameters" },
        { "-hda", "", "empty file name" },
        { "-cdrom", "", "empty file name" },
    };

    RUN_BAD(bad);
    FAIL("kiln: -hda: ", "index 0 of if=ide is already in use", "-hda", "a", "-hda", "b");
    FAIL("kiln: -hda: ", "already in use", "-hda", "a", "b.img");
    FAIL("kiln: -cdrom: ", "index 2", "-drive", "file=a,index=2", "-cdrom", "x");
    FAIL("kiln: -hdc: ", "index 2", "-cdrom", "x", "-hdc", "y");
    FAIL("kiln: -drive: ", "no free index", "-drive", "file=a", "-drive", "file=b", "-drive",
         "file=c", "-drive", "file=d", "-drive", "file=e");
    FAIL("kiln: -drive: ", "too many drives", "-hda", "a", "-hdb", "b", "-hdc", "c", "-hdd",
         "d", "-drive", "file=e,if=virtio", "-drive", "file=f,if=virtio", "-drive",
         "file=g,if=virtio", "-drive", "file=h,if=virtio", "-drive", "file=i,if=virtio");
}

static void test_boot(void **state)
{
    static const struct bad_value bad[] = {
        { "-boot", "", "empty" },
        { "-boot", "x", "invalid boot device 'x'" },
        { "-boot", "cc", "twice" },
        { "-boot", "order=", "empty order" },
        { "-boot", "order=C", "invalid boot device 'C'" },
        { "-boot", "abcdefghijklmnopa", "too long" },
        { "-boot", "menu=maybe", "on or off" },
        { "-boot", "splash=x.bmp", "unknown parameter 'splash'" },
        { "-boot", "order=c,", "trailing comma" },
        { "-boot", "once=z", "invalid boot device 'z'" },
        { "-boot", "c d", "invalid boot device ' '" },
    };

    RUN_BAD(bad);
}

static void test_display(void **state)
{
    static const struct bad_value bad[] = {
        { "-display", "gtk", "gtk is not built" },
        { "-display", "vnc=:0", "vnc is not built" },
        { "-display", "curses", "not built" },
        { "-display", "foo", "unknown display 'foo'" },
        { "-display", "", "missing display" },
        { "-display", "none,foo", "options are not supported" },
        { "-display", ",none", "missing display" },
        { "-display", "sdl,gl=on", NULL },
    };

    RUN_BAD(bad);
    FAIL("kiln: -nographic: cannot be used with -display", NULL, "-display", "none",
         "-nographic");
}

static void test_chardevs(void **state)
{
    static const struct bad_value bad[] = {
        { "-serial", "foo", "unknown backend 'foo'" },
        { "-serial", "", "unknown backend" },
        { "-serial", "vc", "'vc' is not supported" },
        { "-serial", "vc:80Cx24C", "'vc' is not supported" },
        { "-serial", "tcp:", "empty" },
        { "-serial", "tcp:1234", "invalid tcp address" },
        { "-serial", "tcp::0", "invalid tcp port '0'" },
        { "-serial", "tcp::65536", "invalid tcp port" },
        { "-serial", "tcp::abc", "invalid tcp port 'abc'" },
        { "-serial", "tcp::", "invalid tcp port" },
        { "-serial", "tcp::1234,bogus", "unknown parameter 'bogus'" },
        { "-serial", "tcp::1234,server=maybe", "on or off" },
        { "-serial", "tcp::1234,nowait=on", "unknown parameter 'nowait'" },
        { "-serial", "tcp:[::1:1234", "invalid tcp address" },
        { "-serial", "tcp::1234,", "trailing comma" },
        { "-serial", "tcp:,server", "empty parameter" },
        { "-serial", "tcp:server", "invalid tcp address" },
        { "-serial", "file:", "empty file name" },
        { "-serial", "mon:none", "invalid backend" },
        { "-serial", "mon:mon:stdio", "invalid backend" },
        { "-serial", "udp::1234", "unknown backend 'udp'" },
        { "-serial", "unix:/tmp/s", "unknown backend 'unix'" },
        { "-serial", "/dev/ttyS0", "unknown backend" },
        { "-monitor", "foo", "unknown backend" },
        { "-monitor", "mon:stdio", "unknown backend 'mon'" },
        { "-monitor", "", "unknown backend" },
        { "-monitor", "tcp:x", "invalid tcp address" },
        { "-gdb", "", "unsupported gdb connection" },
        { "-gdb", "1234", "unsupported gdb connection '1234'" },
        { "-gdb", "stdio", "unsupported gdb connection" },
        { "-gdb", "tcp:", "empty" },
        { "-gdb", "tcp::99999", "invalid tcp port" },
        { "-gdb", "tcp:host", "invalid tcp address" },
        { "-gdb", "none,x", "unsupported" },
    };

    RUN_BAD(bad);
    FAIL("kiln: -serial: too many serial ports", NULL, "-serial", "null", "-serial", "null",
         "-serial", "null", "-serial", "null", "-serial", "null");
    FAIL("kiln: -serial: stdio is used by more than one", NULL, "-serial", "stdio", "-serial",
         "mon:stdio");
    FAIL("kiln: -monitor: stdio is already used", NULL, "-serial", "stdio", "-monitor",
         "stdio");
    FAIL("kiln: -monitor: stdio is already used", NULL, "-nographic", "-serial", "mon:stdio",
         "-monitor", "stdio");
    FAIL("kiln: -monitor: stdio is already used", NULL, "-nographic", "-monitor", "stdio");
}

static void test_log_options(void **state)
{
    static const struct bad_value bad[] = {
        { "-d", "", "empty" },
        { "-d", "foo", "unknown log item 'foo'" },
        { "-d", "in_asm,", "empty log item" },
        { "-d", ",int", "empty log item" },
        { "-d", "in_asm,,op", "empty log item" },
        { "-d", "trace:x", "unknown log item 'trace:x'" },
        { "-d", "help,int", "unknown log item 'help'" },
    };

    RUN_BAD(bad);
}

static void test_device(void **state)
{
    static const struct bad_value bad[] = {
        { "-device", "", "empty" },
        { "-device", "foo", "unknown device 'foo'" },
        { "-device", "e1000,netdev=n0", "unknown device 'e1000'" },
        { "-device", "isa-debug-exit,iobase=0x10000", "iobase must be between" },
        { "-device", "isa-debug-exit,iobase=x", "invalid value 'x' for iobase" },
        { "-device", "isa-debug-exit,foo=1", "no property 'foo'" },
        { "-device", "isa-debug-exit,iosize=0", "iosize" },
        { "-device", "isa-debug-exit,iobase=0xffff,iosize=2", "beyond port" },
        { "-device", "iobase=0xf4", "missing device name" },
        { "-device", "isa-debug-exit,", "trailing comma" },
        { "-device", "isa-debug-exit,id=", "empty id" },
        { "-device", ",isa-debug-exit", "empty parameter" },
        { "-device", "isa-debug-exit,iobase=-1", "invalid value" },
        { "-device", "isa-debug-exit,iobase", "invalid value '' for iobase" },
        { "-device", "driver=", "missing device name" },
    };
    const char *args[40];
    int n = 0;

    RUN_BAD(bad);
    for (int i = 0; i < KILN_MAX_DEVICES + 1; i++) {
        args[n++] = "-device";
        args[n++] = "isa-debug-exit";
    }
    args[n] = NULL;
    expect_fail("kiln: -device: too many devices", NULL, args);
}

static void test_icount_rtc(void **state)
{
    static const struct bad_value bad[] = {
        { "-seed", "", "is not a number" },
        { "-seed", "x1", "is not a number" },
        { "-seed", "-5", "is not a number" },
        { "-seed", "18446744073709551616", "is not a number" },
        { "-icount", "", "empty" },
        { "-icount", "11", "between 0 and 10" },
        { "-icount", "shift=x", "invalid value" },
        { "-icount", "sleep=off", "shift= is required" },
        { "-icount", "4,align=on", "align is not supported" },
        { "-icount", "4,foo=1", "unknown parameter" },
        { "-icount", "shift=-1", "invalid value" },
        { "-icount", "auto,sleep=maybe", "on or off" },
        { "-rtc", "", "empty" },
        { "-rtc", "base=foo", "invalid base 'foo'" },
        { "-rtc", "utc", "unknown parameter 'utc'" },
        { "-rtc", "base=2006-13-01", "invalid base" },
        { "-rtc", "base=2006-02-30", "invalid base" },
        { "-rtc", "base=2001-02-29", "invalid base" },
        { "-rtc", "base=1900-02-29", "invalid base" },
        { "-rtc", "base=1899-12-31", "invalid base" },
        { "-rtc", "base=2006-06-17T24:00:00", "invalid base" },
        { "-rtc", "base=2006-06-17T16:01", "invalid base" },
        { "-rtc", "base=2006-6-17", "invalid base" },
        { "-rtc", "base=2006-06-17T16:01:2x", "invalid base" },
        { "-rtc", "clock=foo", "invalid clock" },
        { "-rtc", "driftfix=foo", "invalid driftfix" },
        { "-rtc", "base=utc,x=1", "unknown parameter 'x'" },
    };

    RUN_BAD(bad);
}

/* Quoted user text can neither break the line nor overflow the message. */
static void test_hostile_text(void **state)
{
    char *huge = malloc(200001);

    assert_non_null(huge);
    memset(huge, 'A', 200000);
    huge[200000] = '\0';
    FAIL("kiln: -m: invalid size 'a?b'", NULL, "-m", "a\nb");
    FAIL("kiln: -drive: unknown parameter 'x?y'", NULL, "-drive", "file=a,x\ry=1");
    FAIL("kiln: -m: invalid size 'AAAA", NULL, "-m", huge);
    FAIL("kiln: -serial: unknown backend 'AAA", NULL, "-serial", huge);
    FAIL("kiln: unknown option '-AAA", NULL, "-AAAA");
    huge[0] = '-';
    FAIL("kiln: unknown option '-AAA", NULL, huge);
    FAIL("kiln: -d: unknown log item", NULL, "-d", huge + 1);
    free(huge);
}

/* Random command lines from option names and value fragments: the parser
 * returns -1, 0 or 1, and a failure is always one well-formed line. */
static void test_random_lines(void **state)
{
    static const char *const opts[] = {
        "-m", "-smp", "-accel", "-kernel", "-initrd", "-append", "-drive", "-hda", "-cdrom",
        "-boot", "-nographic", "-display", "-serial", "-monitor", "-gdb", "-s", "-S",
        "-device", "-d", "-D", "-icount", "-rtc", "-no-reboot", "--no-shutdown", "-hdd",
        "-x", "--", "-machine", "-snapshot", "-nodefaults", "-cpu", "-debugcon", "-vnc",
    };
    static const char *const frags[] = {
        "", ",", ",,", "=", "file=", "a", "0", "1", "4", "0x", "0xffff", "99999999999999999999",
        "G", "M", "K", ".", "-", "tcp:", ":", "::1", "1234", "server", "nowait", "stdio",
        "mon:", "none", "null", "file:", "pty", "index=", "if=", "virtio", "ide", "media=",
        "cdrom", "isa-debug-exit", "iobase=", "iosize=", "in_asm", "help", "base=", "shift=",
        "auto", "sdl", "jit", "interp", "tcg", "order=", "d", "c", "cpus=", "sockets=",
        "[", "]", "\n", "\xff", "utc", "2006-06-17", "T", "readonly", "on", "off",
        "pc", "q35", "accel=", "kvm:tcg", "max", "+avx", "-x2apic", "host",
    };
    uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);
    char storage[8][96];
    char *argv[10];
    unsigned fails = 0, oks = 0;

    for (int iter = 0; iter < 30000; iter++) {
        struct kiln_config cfg;
        int argc = 1, rc;

        argv[0] = (char *)"kiln";
        while (argc < 9) {
            seed = seed * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
            unsigned r = (unsigned)(seed >> 33);
            if (r % 5 == 0 && argc > 1)
                break;
            if (r % 3 == 0) {
                argv[argc++] = (char *)opts[(r >> 4) % (sizeof(opts) / sizeof(opts[0]))];
            } else {
                char *s = storage[argc - 1];
                size_t len = 0;
                s[0] = '\0';
                for (unsigned k = 0; k < 1 + (r >> 8) % 5; k++) {
                    const char *f = frags[(r >> (10 + 3 * k)) % (sizeof(frags) / sizeof(frags[0]))];
                    if (len + strlen(f) + 1 >= sizeof(storage[0]))
                        break;
                    strcpy(s + len, f);
                    len += strlen(f);
                }
                argv[argc++] = s;
            }
        }
        argv[argc] = NULL;
        memset(errbuf, 0, sizeof(errbuf));
        rc = parse_argv(&cfg, argc, argv, errbuf, sizeof(errbuf));
        assert_true(rc >= -1 && rc <= 1);
        if (rc == -1) {
            fails++;
            assert_true(strncmp(errbuf, "kiln: ", 6) == 0);
            assert_null(strchr(errbuf, '\n'));
        } else if (rc == 0) {
            oks++;
            assert_true(cfg.nserial <= KILN_MAX_SERIALS);
            assert_true(cfg.ndrives <= KILN_MAX_DRIVES);
            assert_true(cfg.ram_size >= KILN_RAM_MIN && cfg.ram_size <= KILN_RAM_MAX);
        }
        kiln_config_free(&cfg);
    }
    /* the generator exercises both outcomes */
    assert_true(fails > 1000);
    assert_true(oks > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_options), cmocka_unit_test(test_missing_argument),
        cmocka_unit_test(test_memory),          cmocka_unit_test(test_smp),
        cmocka_unit_test(test_accel),           cmocka_unit_test(test_kernel),
        cmocka_unit_test(test_machine),
        cmocka_unit_test(test_drive),           cmocka_unit_test(test_boot),
        cmocka_unit_test(test_display),         cmocka_unit_test(test_chardevs),
        cmocka_unit_test(test_log_options),     cmocka_unit_test(test_device),
        cmocka_unit_test(test_icount_rtc),      cmocka_unit_test(test_hostile_text),
        cmocka_unit_test(test_random_lines),
    };
    int rc;

    devnull = fopen("/dev/null", "w");
    if (devnull == NULL)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    fclose(devnull);
    return rc;
}
