/* SPDX-License-Identifier: MIT */
/* test_log.c: the debug log: -d lists, enabled tests, output, files and log-once keys. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "translate/log.h"

/* A log writing into a memory buffer. */
struct memlog {
    struct kiln_log log;
    char *buf;
    size_t len;
};

static void memlog_open(struct memlog *m)
{
    kiln_log_init(&m->log);
    m->buf = NULL;
    m->len = 0;
    m->log.out = open_memstream(&m->buf, &m->len);
    assert_non_null(m->log.out);
}

/* Returns the text written so far (valid until memlog_close). */
static const char *memlog_text(struct memlog *m)
{
    fflush(m->log.out);
    return m->buf ? m->buf : "";
}

static void memlog_close(struct memlog *m)
{
    fclose(m->log.out);
    m->log.out = NULL;
    kiln_log_close(&m->log);
    free(m->buf);
}

static unsigned count_lines(const char *s)
{
    unsigned n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void test_init_defaults(void **state)
{
    struct kiln_log log;

    kiln_log_init(&log);
    assert_int_equal(log.mask, 0);
    assert_ptr_equal(log.out, stderr);
    for (int i = 0; i < KILN_LOG_ITEM_COUNT; i++) {
        assert_false(kiln_log_enabled(&log, i));
        assert_false(kiln_log_enabled(NULL, i));
    }
    log.mask = KILN_LOG_BIT(KILN_LOG_MMU);
    assert_true(kiln_log_enabled(&log, KILN_LOG_MMU));
    assert_false(kiln_log_enabled(&log, KILN_LOG_INT));
    kiln_log_close(&log);
}

static void test_item_names(void **state)
{
    for (int i = 0; i < KILN_LOG_ITEM_COUNT; i++) {
        const char *n = kiln_log_item_name(i);
        assert_non_null(n);
        assert_non_null(kiln_log_item_help(i));
        assert_true(strlen(kiln_log_item_help(i)) > 5);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(n, kiln_log_item_name(j));
    }
    assert_null(kiln_log_item_name(KILN_LOG_ITEM_COUNT));
    assert_null(kiln_log_item_name((enum kiln_log_item)-1));
    assert_null(kiln_log_item_help(KILN_LOG_ITEM_COUNT));
    assert_string_equal(kiln_log_item_name(KILN_LOG_IN_ASM), "in_asm");
    assert_string_equal(kiln_log_item_name(KILN_LOG_GUEST_ERRORS), "guest_errors");
    assert_string_equal(kiln_log_item_name(KILN_LOG_NOCHAIN), "nochain");
}

static void test_parse_mask_good(void **state)
{
    uint32_t m = 0xdead;
    char err[128];

    assert_int_equal(kiln_log_parse_mask("in_asm", &m, err, sizeof(err)), 0);
    assert_int_equal(m, KILN_LOG_BIT(KILN_LOG_IN_ASM));
    assert_int_equal(kiln_log_parse_mask("int,out_asm,op_opt", &m, err, sizeof(err)), 0);
    assert_int_equal(m, KILN_LOG_BIT(KILN_LOG_INT) | KILN_LOG_BIT(KILN_LOG_OUT_ASM) |
                            KILN_LOG_BIT(KILN_LOG_OP_OPT));
    assert_int_equal(kiln_log_parse_mask("op,op", &m, err, sizeof(err)), 0);
    assert_int_equal(m, KILN_LOG_BIT(KILN_LOG_OP));
    assert_int_equal(kiln_log_parse_mask("all", &m, err, sizeof(err)), 0);
    assert_int_equal(m, KILN_LOG_ALL_OUTPUT);
    assert_false(m & KILN_LOG_BIT(KILN_LOG_NOCHAIN));
    assert_true(m & KILN_LOG_BIT(KILN_LOG_STATS));
    assert_int_equal(kiln_log_parse_mask("all,nochain", &m, err, sizeof(err)), 0);
    assert_int_equal(m, (UINT32_C(1) << KILN_LOG_ITEM_COUNT) - 1);
    /* every item by its name */
    for (int i = 0; i < KILN_LOG_ITEM_COUNT; i++) {
        assert_int_equal(kiln_log_parse_mask(kiln_log_item_name(i), &m, err, sizeof(err)), 0);
        assert_int_equal(m, KILN_LOG_BIT(i));
    }
}

static void test_parse_mask_bad(void **state)
{
    static const char *const bad[] = { "", ",", "in_asm,", ",int", "in_asm,,int", "foo",
                                       "IN_ASM", "in_asm ", " in_asm", "in", "in_asmx",
                                       "help", "all,bogus", "trace:foo" };
    uint32_t m = 0x1234;
    char err[128];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        assert_int_equal(kiln_log_parse_mask(bad[i], &m, err, sizeof(err)), -1);
        assert_int_equal(m, 0x1234); /* unchanged */
        assert_true(strlen(err) > 0);
        assert_null(strchr(err, '\n'));
    }
    assert_int_equal(kiln_log_parse_mask("int,foo", &m, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "'foo'"));
    assert_int_equal(kiln_log_parse_mask("a\nb", &m, err, sizeof(err)), -1);
    assert_null(strchr(err, '\n'));
    assert_int_equal(kiln_log_parse_mask(NULL, &m, err, sizeof(err)), -1);
    /* tiny or absent error buffers are fine */
    assert_int_equal(kiln_log_parse_mask("foo", &m, err, 1), -1);
    assert_string_equal(err, "");
    assert_int_equal(kiln_log_parse_mask("foo", &m, NULL, 0), -1);
}

static int side_effects;

static int bump(void)
{
    return ++side_effects;
}

static void test_printf_and_macro(void **state)
{
    struct memlog m;

    memlog_open(&m);
    kiln_log_printf(&m.log, "hello %d %s\n", 42, "x");
    assert_string_equal(memlog_text(&m), "hello 42 x\n");
    side_effects = 0;
    KILN_LOG(&m.log, KILN_LOG_INT, "int %d\n", bump());
    assert_int_equal(side_effects, 0); /* arguments not evaluated when off */
    assert_string_equal(memlog_text(&m), "hello 42 x\n");
    m.log.mask = KILN_LOG_BIT(KILN_LOG_INT);
    KILN_LOG(&m.log, KILN_LOG_INT, "int %d\n", bump());
    KILN_LOG(&m.log, KILN_LOG_CPU, "cpu %d\n", bump());
    assert_int_equal(side_effects, 1);
    assert_string_equal(memlog_text(&m), "hello 42 x\nint 1\n");
    kiln_log_printf(NULL, "ignored %d", 1);
    KILN_LOG((struct kiln_log *)NULL, KILN_LOG_INT, "ignored\n");
    memlog_close(&m);
}

static void test_once(void **state)
{
    struct kiln_log log;
    char key[32];

    kiln_log_init(&log);
    assert_true(kiln_log_once(&log, "msr 0x10"));
    assert_false(kiln_log_once(&log, "msr 0x10"));
    assert_true(kiln_log_once(&log, "msr 0x11"));
    assert_true(kiln_log_once(&log, ""));
    assert_false(kiln_log_once(&log, ""));
    assert_false(kiln_log_once(&log, NULL));
    assert_false(kiln_log_once(NULL, "x"));
    /* many keys: each is new exactly once, across table growth */
    for (int i = 0; i < 3000; i++) {
        snprintf(key, sizeof(key), "port %d", i);
        assert_true(kiln_log_once(&log, key));
    }
    for (int i = 0; i < 3000; i++) {
        snprintf(key, sizeof(key), "port %d", i);
        assert_false(kiln_log_once(&log, key));
    }
    assert_false(log.once_full);
    kiln_log_close(&log);
    /* after close the set is empty again */
    assert_true(kiln_log_once(&log, "msr 0x10"));
    kiln_log_close(&log);
}

static void test_once_limit(void **state)
{
    struct kiln_log log;
    char key[32];
    unsigned fresh = 0;

    kiln_log_init(&log);
    for (int i = 0; i < KILN_LOG_ONCE_MAX + 500; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        fresh += kiln_log_once(&log, key);
    }
    assert_int_equal(fresh, KILN_LOG_ONCE_MAX);
    assert_true(log.once_full);
    assert_false(kiln_log_once(&log, "k0"));
    assert_false(kiln_log_once(&log, "brand new"));
    kiln_log_close(&log);
}

static void test_unimp(void **state)
{
    struct memlog m;
    const char *t;

    memlog_open(&m);
    kiln_log_unimp(&m.log, "cpuid", "cpuid leaf %#x", 0x40000000u);
    assert_string_equal(memlog_text(&m), ""); /* unimp is off */
    m.log.mask = KILN_LOG_BIT(KILN_LOG_UNIMP);
    kiln_log_unimp(&m.log, "cpuid", "cpuid leaf %#x", 0x40000000u);
    kiln_log_unimp(&m.log, "cpuid", "cpuid leaf %#x", 0x40000001u);
    kiln_log_unimp(&m.log, "port 0x80", "port %#x", 0x80u);
    kiln_log_unimp(&m.log, NULL, "msr %#x", 0x10u);
    kiln_log_unimp(&m.log, NULL, "msr %#x", 0x10u);
    kiln_log_unimp(&m.log, NULL, "msr %#x", 0x11u);
    t = memlog_text(&m);
    assert_string_equal(t, "unimplemented: cpuid leaf 0x40000000\n"
                           "unimplemented: port 0x80\n"
                           "unimplemented: msr 0x10\n"
                           "unimplemented: msr 0x11\n");
    memlog_close(&m);
}

static void test_unimp_overflow(void **state)
{
    struct memlog m;
    const char *t;

    memlog_open(&m);
    m.log.mask = KILN_LOG_BIT(KILN_LOG_UNIMP);
    for (int i = 0; i < KILN_LOG_ONCE_MAX + 100; i++)
        kiln_log_unimp(&m.log, NULL, "thing %d", i);
    t = memlog_text(&m);
    assert_int_equal(count_lines(t), KILN_LOG_ONCE_MAX + 1);
    assert_non_null(strstr(t, "dropping"));
    assert_null(strstr(t, "thing 8200\n"));
    memlog_close(&m);
}

static void test_open_file(void **state)
{
    char path[] = "/tmp/kiln-test-log-XXXXXX";
    char buf[128] = { 0 };
    char err[160];
    struct kiln_log log;
    FILE *f;
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    close(fd);
    kiln_log_init(&log);
    assert_int_equal(kiln_log_open(&log, path, err, sizeof(err)), 0);
    assert_true(log.owns_out);
    log.mask = KILN_LOG_BIT(KILN_LOG_EXEC);
    KILN_LOG(&log, KILN_LOG_EXEC, "block at %#x\n", 0x7c00u);
    kiln_log_close(&log);
    assert_ptr_equal(log.out, stderr);
    assert_int_equal(log.mask, 0);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_int_equal(fread(buf, 1, sizeof(buf) - 1, f), strlen("block at 0x7c00\n"));
    fclose(f);
    assert_string_equal(buf, "block at 0x7c00\n");
    /* reopening truncates */
    assert_int_equal(kiln_log_open(&log, path, err, sizeof(err)), 0);
    kiln_log_close(&log);
    f = fopen(path, "r");
    assert_int_equal(fread(buf, 1, sizeof(buf), f), 0);
    fclose(f);
    unlink(path);
}

static void test_open_bad(void **state)
{
    struct kiln_log log;
    char err[160];

    kiln_log_init(&log);
    assert_int_equal(kiln_log_open(&log, "/nonexistent-dir/x/log.txt", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent-dir/x/log.txt"));
    assert_ptr_equal(log.out, stderr);
    assert_false(log.owns_out);
    assert_int_equal(kiln_log_open(&log, "", err, sizeof(err)), -1);
    assert_int_equal(kiln_log_open(&log, NULL, err, sizeof(err)), -1);
    kiln_log_close(&log);
}

static void test_help(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    kiln_log_print_help(f);
    fclose(f);
    for (int i = 0; i < KILN_LOG_ITEM_COUNT; i++) {
        char line[64];
        snprintf(line, sizeof(line), "  %s ", kiln_log_item_name(i));
        assert_non_null(strstr(buf, line));
    }
    assert_int_equal(count_lines(buf), KILN_LOG_ITEM_COUNT + 2);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_defaults),
        cmocka_unit_test(test_item_names),
        cmocka_unit_test(test_parse_mask_good),
        cmocka_unit_test(test_parse_mask_bad),
        cmocka_unit_test(test_printf_and_macro),
        cmocka_unit_test(test_once),
        cmocka_unit_test(test_once_limit),
        cmocka_unit_test(test_unimp),
        cmocka_unit_test(test_unimp_overflow),
        cmocka_unit_test(test_open_file),
        cmocka_unit_test(test_open_bad),
        cmocka_unit_test(test_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
