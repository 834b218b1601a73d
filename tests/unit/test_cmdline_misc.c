/* SPDX-License-Identifier: MIT */
/* test_cmdline_misc.c: the parser's -cpu, -debugcon and compatibility options (-vnc none...), good and bad. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ui/cmdline.h"

#include "cmdline_harness.h"

/* Expects failure with a message starting with `prefix` and containing `want`. */
#define EXPECT_FAIL(prefix, want, ...)                                                   \
    do {                                                                                 \
        struct kiln_config c_;                                                           \
        assert_int_equal(PARSE(&c_, __VA_ARGS__), -1);                                   \
        if (strncmp(errbuf, prefix, strlen(prefix)) != 0 || !strstr(errbuf, want))       \
            fail_msg("message '%s' lacks '%s' / '%s'", errbuf, prefix, want);            \
        assert_null(strchr(errbuf, '\n'));                                               \
        kiln_config_free(&c_);                                                           \
    } while (0)

static void test_cpu(void **state)
{
    struct kiln_config cfg;

    PARSE_OK(&cfg, "-m", "64");
    assert_int_equal(cfg.cpu.model, KILN_CPU_DEFAULT);
    assert_int_equal(cfg.cpu.nflags, 0);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-cpu", "max");
    assert_int_equal(cfg.cpu.model, KILN_CPU_MAX);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-cpu", "qemu64,+x2apic,-avx2,sse4.1=off,pdpe1gb=on,la57,sse4_2=no");
    assert_int_equal(cfg.cpu.model, KILN_CPU_QEMU64);
    assert_int_equal(cfg.cpu.nflags, 6);
    assert_string_equal(cfg.cpu.flags[0].name, "x2apic");
    assert_true(cfg.cpu.flags[0].on);
    assert_string_equal(cfg.cpu.flags[1].name, "avx2");
    assert_false(cfg.cpu.flags[1].on);
    assert_string_equal(cfg.cpu.flags[2].name, "sse4.1");
    assert_false(cfg.cpu.flags[2].on);
    assert_string_equal(cfg.cpu.flags[3].name, "pdpe1gb");
    assert_true(cfg.cpu.flags[3].on);
    assert_string_equal(cfg.cpu.flags[4].name, "la57");
    assert_true(cfg.cpu.flags[4].on);
    assert_false(cfg.cpu.flags[5].on);
    kiln_config_free(&cfg);
    /* a later -cpu replaces the flags of an earlier one */
    PARSE_OK(&cfg, "-cpu", "max,+a,+b", "-cpu", "base,-c");
    assert_int_equal(cfg.cpu.model, KILN_CPU_BASE);
    assert_int_equal(cfg.cpu.nflags, 1);
    assert_string_equal(cfg.cpu.flags[0].name, "c");
    kiln_config_free(&cfg);
    /* 31-character names fit */
    PARSE_OK(&cfg, "-cpu", "max,+abcdefghijklmnopqrstuvwxyz01234");
    assert_string_equal(cfg.cpu.flags[0].name, "abcdefghijklmnopqrstuvwxyz01234");
    kiln_config_free(&cfg);
    assert_int_equal(PARSE(&cfg, "-cpu", "help"), 1);
    assert_non_null(strstr(outbuf, "qemu64"));
    kiln_config_free(&cfg);

    EXPECT_FAIL("kiln: -cpu: ", "hardware virtualization", "-cpu", "host");
    EXPECT_FAIL("kiln: -cpu: ", "unsupported CPU model 'Skylake-Client'", "-cpu",
                "Skylake-Client");
    EXPECT_FAIL("kiln: -cpu: ", "empty", "-cpu", "");
    EXPECT_FAIL("kiln: -cpu: ", "missing CPU model", "-cpu", "model2=x");
    EXPECT_FAIL("kiln: -cpu: ", "only on/off", "-cpu", "max,vendor=GenuineIntel");
    EXPECT_FAIL("kiln: -cpu: ", "invalid feature flag '+'", "-cpu", "max,+");
    EXPECT_FAIL("kiln: -cpu: ", "invalid feature flag", "-cpu", "max,+a b");
    EXPECT_FAIL("kiln: -cpu: ", "invalid feature flag", "-cpu",
                "max,+abcdefghijklmnopqrstuvwxyz012345");
    EXPECT_FAIL("kiln: -cpu: ", "empty parameter name", "-cpu", "max,=on");
    EXPECT_FAIL("kiln: -cpu: ", "trailing comma", "-cpu", "max,+avx,");
    EXPECT_FAIL("kiln: -cpu: ", "unsupported CPU model '+avx'", "-cpu", "+avx");
    EXPECT_FAIL("kiln: -cpu: ", "too many", "-cpu",
                "max,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,A,B,C,D,E,F,G");
    EXPECT_FAIL("kiln: -cpu: requires an argument", "", "-cpu");
    assert_int_equal(parse_feat(&cfg, 0, (const char *const[]){ "-cpu", "max", NULL }), -1);
    assert_string_equal(errbuf, "kiln: -cpu: CPU model selection is not built yet");
    kiln_config_free(&cfg);
}

static void test_debugcon(void **state)
{
    struct kiln_config cfg;

    PARSE_OK(&cfg, "-m", "64");
    assert_int_equal(cfg.debugcon.kind, KILN_CHR_NONE);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-debugcon", "file:/tmp/debug.log");
    assert_int_equal(cfg.debugcon.kind, KILN_CHR_FILE);
    assert_string_equal(cfg.debugcon.path, "/tmp/debug.log");
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-debugcon", "stdio", "-serial", "null");
    assert_int_equal(cfg.debugcon.kind, KILN_CHR_STDIO);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-debugcon", "stdio", "-debugcon", "none");
    assert_int_equal(cfg.debugcon.kind, KILN_CHR_NONE);
    kiln_config_free(&cfg);
    EXPECT_FAIL("kiln: -debugcon: ", "stdio is already used", "-debugcon", "stdio", "-serial",
                "stdio");
    EXPECT_FAIL("kiln: -debugcon: ", "stdio is already used", "-debugcon", "stdio",
                "-nographic");
    EXPECT_FAIL("kiln: -debugcon: ", "unknown backend", "-debugcon", "mon:stdio");
    EXPECT_FAIL("kiln: -debugcon: ", "empty file name", "-debugcon", "file:");
    assert_int_equal(parse_feat(&cfg, 0, (const char *const[]){ "-debugcon", "null", NULL }),
                     -1);
    assert_non_null(strstr(errbuf, "not built yet"));
    kiln_config_free(&cfg);
    assert_int_equal(parse_feat(&cfg, 0, (const char *const[]){ "-debugcon", "none", NULL }),
                     0);
    kiln_config_free(&cfg);
}

static void test_only_none(void **state)
{
    static const char *const opts[] = { "-vnc", "-parallel", "-net", "-nic" };
    struct kiln_config cfg;
    char prefix[40];

    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        assert_int_equal(parse_feat(&cfg, 0, (const char *const[]){ opts[i], "none", NULL }),
                         0);
        kiln_config_free(&cfg);
        snprintf(prefix, sizeof(prefix), "kiln: %s: ", opts[i]);
        EXPECT_FAIL(prefix, "only 'none' is supported", opts[i], ":0");
        EXPECT_FAIL(prefix, "only 'none' is supported", opts[i], "");
        EXPECT_FAIL(prefix, "only 'none' is supported", opts[i], "none,x");
    }
    EXPECT_FAIL("kiln: -vnc: ", "no VNC server", "-vnc", ":1");
    EXPECT_FAIL("kiln: -net: ", "network card", "-net", "user");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpu),
        cmocka_unit_test(test_debugcon),
        cmocka_unit_test(test_only_none),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);

    free(outbuf);
    return rc;
}
