/* SPDX-License-Identifier: MIT */
/* test_acpi_dsdt.c: the AML writer (PkgLength, names, integers, EISA ids) and the generated DSDT's _PRT and _CRS. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "hw/pci.h"
#include "machine/acpi_aml.h"
#include "machine/acpi_dsdt.h"

/* Decodes a PkgLength at p: returns its value and sets *n to its size in bytes. */
static size_t pkglen(const uint8_t *p, unsigned *n)
{
    unsigned extra = p[0] >> 6;
    size_t v = extra ? (p[0] & 0x0f) : (p[0] & 0x3f);
    for (unsigned i = 0; i < extra; i++)
        v |= (size_t)p[1 + i] << (4 + 8 * i);
    *n = 1 + extra;
    return v;
}

static void test_pkglength(void **state)
{
    (void)state;
    static uint8_t buf[1 << 21];
    static const size_t bodies[] = { 0, 1, 62, 63, 64, 0xffd, 0xffe, 0x1000, 0xffffc, 0xffffd, 0x100000 };
    static const unsigned want_n[] = { 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4 };
    for (unsigned i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        struct aml a;
        aml_init(&a, buf, sizeof(buf));
        static const uint8_t op = AML_BUFFER;
        aml_open(&a, &op, 1);
        for (size_t k = 0; k < bodies[i]; k++)
            aml_byte(&a, (uint8_t)k);
        aml_close(&a);
        size_t len = aml_finish(&a);
        unsigned n;
        assert_int_equal(buf[0], AML_BUFFER);
        size_t got = pkglen(buf + 1, &n);
        assert_int_equal(got, bodies[i] + n);                   /* counts itself */
        assert_int_equal(n, want_n[i]);
        assert_int_equal(len, 1 + n + bodies[i]);
        if (bodies[i])
            assert_int_equal(buf[1 + n + bodies[i] - 1], (uint8_t)(bodies[i] - 1));
    }
    /* Unbalanced opens, too deep nesting and overflow are errors, never writes past cap. */
    struct aml a;
    uint8_t small[8];
    aml_init(&a, small, sizeof(small));
    static const uint8_t op = AML_SCOPE;
    aml_open(&a, &op, 1);
    assert_int_equal(aml_finish(&a), 0);
    aml_init(&a, small, sizeof(small));
    aml_close(&a);
    assert_int_equal(aml_finish(&a), 0);
    aml_init(&a, small, sizeof(small));
    aml_bytes(&a, "123456789", 9);
    assert_int_equal(aml_finish(&a), 0);
}

static void test_names_ints(void **state)
{
    (void)state;
    uint8_t buf[64];
    struct aml a;

    aml_init(&a, buf, sizeof(buf));
    aml_name(&a, "\\_SB.PCI0.ISA");
    static const uint8_t want[] = { '\\', 0x2f, 3, '_', 'S', 'B', '_', 'P', 'C', 'I', '0', 'I', 'S', 'A', '_' };
    assert_int_equal(aml_finish(&a), sizeof(want));
    assert_memory_equal(buf, want, sizeof(want));
    aml_init(&a, buf, sizeof(buf));
    aml_name(&a, "^A.B");
    static const uint8_t want2[] = { '^', 0x2e, 'A', '_', '_', '_', 'B', '_', '_', '_' };
    assert_int_equal(aml_finish(&a), sizeof(want2));
    assert_memory_equal(buf, want2, sizeof(want2));
    aml_init(&a, buf, sizeof(buf));
    aml_name(&a, "TOOLONG");
    assert_int_equal(aml_finish(&a), 0);

    aml_init(&a, buf, sizeof(buf));
    aml_int(&a, 0);
    aml_int(&a, 1);
    aml_int(&a, 0xff);
    aml_int(&a, 0x100);
    aml_int(&a, 0x10000);
    aml_int(&a, 0x100000000ull);
    static const uint8_t ints[] = { 0x00, 0x01, 0x0a, 0xff, 0x0b, 0x00, 0x01, 0x0c, 0, 0, 1, 0,
                                    0x0e, 0, 0, 0, 0, 1, 0, 0, 0 };
    assert_int_equal(aml_finish(&a), sizeof(ints));
    assert_memory_equal(buf, ints, sizeof(ints));
    /* EisaId("PNP0A03") is 0x030AD041 (the value every PC DSDT carries). */
    aml_init(&a, buf, sizeof(buf));
    aml_eisaid(&a, "PNP0A03");
    static const uint8_t eisa[] = { 0x0c, 0x41, 0xd0, 0x0a, 0x03 };
    assert_int_equal(aml_finish(&a), sizeof(eisa));
    assert_memory_equal(buf, eisa, sizeof(eisa));
}

static const uint8_t *find(const uint8_t *p, size_t len, const void *what, size_t n)
{
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(p + i, what, n) == 0)
            return p + i;
    return NULL;
}

static void test_dsdt_prt(void **state)
{
    (void)state;
    static uint8_t buf[8192];
    const struct acpi_dsdt_cfg cfg = { 0x08000000, 0xfebfffff, true };
    size_t len = acpi_dsdt_aml(buf, sizeof(buf), &cfg);
    assert_true(len > 0);
    /* Every smaller buffer is refused as a whole. */
    for (size_t cap = 0; cap < len; cap += 1 + cap / 16)
        assert_int_equal(acpi_dsdt_aml(buf, cap, &cfg), 0);
    assert_int_equal(acpi_dsdt_aml(buf, len, &cfg), len);

    /* Name (_PRT, Package (124) { Package (4) { slot << 16 | 0xffff, pin, LNKx, 0 }, ... }) */
    const uint8_t *p = find(buf, len, "\x08_PRT\x12", 6);
    assert_non_null(p);
    p += 6;
    unsigned n;
    size_t plen = pkglen(p, &n);
    const uint8_t *end = p + plen;
    assert_true(end <= buf + len);
    p += n;
    assert_int_equal(*p++, 124);
    unsigned seen = 0;
    for (unsigned slot = 1; slot < 32; slot++) {
        for (unsigned pin = 0; pin < 4; pin++) {
            assert_int_equal(*p++, AML_PACKAGE);
            size_t el = pkglen(p, &n);
            const uint8_t *next = p + el;
            p += n;
            assert_int_equal(*p++, 4);
            assert_int_equal(*p++, AML_DWORD);
            uint32_t addr = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
            p += 4;
            assert_int_equal(addr, slot << 16 | 0xffff);
            unsigned got_pin = *p == AML_BYTE ? p[1] : *p;
            p += *p == AML_BYTE ? 2 : 1;
            assert_int_equal(got_pin, pin);
            char link[5] = { 0 };
            memcpy(link, p, 4);
            p += 4;
            char want[5] = "LNKA";
            want[3] = (char)('A' + pci_swizzle(slot, pin + 1));
            assert_string_equal(link, want);
            assert_int_equal(*p++, 0);
            assert_ptr_equal(p, next);
            seen++;
        }
    }
    assert_ptr_equal(p, end);
    assert_int_equal(seen, 124);

    /* The root bridge's memory window is the configured one. */
    uint8_t win[8] = { 0x00, 0x00, 0x00, 0x08, 0xff, 0xff, 0xbf, 0xfe };
    assert_non_null(find(buf, len, win, sizeof(win)));
    /* The link devices and the PS/2 devices are there (and not without i8042). */
    assert_non_null(find(buf, len, "LNKD", 4));
    assert_non_null(find(buf, len, "\x0c\x41\xd0\x03\x03", 5));    /* PNP0303 */
    const struct acpi_dsdt_cfg no_kbd = { 0x08000000, 0xfebfffff, false };
    size_t len2 = acpi_dsdt_aml(buf, sizeof(buf), &no_kbd);
    assert_true(len2 > 0 && len2 < len);
    assert_null(find(buf, len2, "\x0c\x41\xd0\x03\x03", 5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pkglength),
        cmocka_unit_test(test_names_ints),
        cmocka_unit_test(test_dsdt_prt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
