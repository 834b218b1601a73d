/* SPDX-License-Identifier: MIT */
/* test_acpi.c: the ACPI PM block (timer, PM1 registers, S5 power-off) and the generated tables. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "hw/acpi_pm.h"
#include "machine/acpi_tables.h"

#define PM 0x600

static int poweroffs;
static void on_poweroff(void *opaque) { (void)opaque; poweroffs++; }

static int sci_level = -1;
static void sci_set(void *opaque, int n, int level) { (void)opaque; assert_int_equal(n, 9); sci_level = level; }

struct fix {
    struct bus *io;
    struct clock *clk;
    struct acpi_pm *pm;
    struct irq_line sci;
};

static int setup(void **state)
{
    static struct fix f;
    f.io = bus_new("io", 0xffff);
    f.clk = clock_new_icount(3);
    f.sci = irq_line_make(sci_set, NULL, 9);
    f.pm = acpi_pm_init(f.io, f.clk, PM, &f.sci, on_poweroff, NULL);
    poweroffs = 0;
    *state = &f;
    return f.pm ? 0 : -1;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    acpi_pm_free(f->pm);
    clock_free(f->clk);
    bus_free(f->io);
    return 0;
}

static void test_timer(void **state)
{
    struct fix *f = *state;

    assert_int_equal(bus_read(f->io, PM + ACPI_PM_TMR, 4), 0);
    clock_advance_insns(f->clk, 1000);                  /* 8000 ns at shift 3 */
    assert_int_equal(bus_read(f->io, PM + ACPI_PM_TMR, 4), 8000ull * 3579545 / 1000000000);
    clock_advance_ns(f->clk, CLOCK_NS_PER_SEC - 8000);  /* now exactly 1 s */
    assert_int_equal(bus_read(f->io, PM + ACPI_PM_TMR, 4), 3579545);
    /* 24 bits: wraps after 2^24 ticks (~4.69 s). */
    clock_advance_ns(f->clk, 4 * CLOCK_NS_PER_SEC);
    assert_int_equal(bus_read(f->io, PM + ACPI_PM_TMR, 4), 5ull * 3579545 - (1u << 24));
    /* Byte reads see the same counter; writes do nothing. */
    uint32_t t = (uint32_t)bus_read(f->io, PM + ACPI_PM_TMR, 4);
    assert_int_equal(bus_read(f->io, PM + ACPI_PM_TMR + 2, 1), (t >> 16) & 0xff);
    assert_int_equal(bus_read(f->io, PM + ACPI_PM_TMR + 3, 1), 0);
    bus_write(f->io, PM + ACPI_PM_TMR, 0, 4);
    assert_int_equal(bus_read(f->io, PM + ACPI_PM_TMR, 4), t);
}

static void test_pm1_regs(void **state)
{
    struct fix *f = *state;

    /* ACPI mode from reset: SCI_EN set, no SMI handshake. */
    assert_int_equal(bus_read(f->io, PM + ACPI_PM1_CNT, 2), ACPI_PM1_CNT_SCI_EN);
    assert_int_equal(bus_read(f->io, PM + ACPI_PM1_STS, 2), 0);
    /* Power button: status latches, SCI follows the enable bit, write 1 clears. */
    acpi_pm_press_power_button(f->pm);
    assert_int_equal(bus_read(f->io, PM + ACPI_PM1_STS, 2), ACPI_PM1_PWRBTN);
    assert_int_equal(sci_level, 0);
    bus_write(f->io, PM + ACPI_PM1_EN, ACPI_PM1_PWRBTN, 2);
    assert_int_equal(bus_read(f->io, PM + ACPI_PM1_EN, 2), ACPI_PM1_PWRBTN);
    assert_int_equal(sci_level, 1);
    bus_write(f->io, PM + ACPI_PM1_STS, 0x0001, 2);     /* other bit: no effect */
    assert_int_equal(sci_level, 1);
    bus_write(f->io, PM + ACPI_PM1_STS, ACPI_PM1_PWRBTN, 2);
    assert_int_equal(bus_read(f->io, PM + ACPI_PM1_STS, 2), 0);
    assert_int_equal(sci_level, 0);
    /* A dword at PM1a_EVT reads status (low) and enable (high). */
    assert_int_equal(bus_read(f->io, PM + ACPI_PM1_STS, 4), (uint32_t)ACPI_PM1_PWRBTN << 16);
    acpi_pm_reset(f->pm);
    assert_int_equal(bus_read(f->io, PM + ACPI_PM1_EN, 2), 0);
}

static void test_sleep_types(void **state)
{
    struct fix *f = *state;

    /* SLP_TYP alone (how ACPICA prepares) does nothing; other types with SLP_EN neither. */
    bus_write(f->io, PM + ACPI_PM1_CNT, 1 | (ACPI_SLP_TYP_S5 << 10), 2);
    assert_int_equal(poweroffs, 0);
    for (unsigned typ = 0; typ < 8; typ++) {
        if (typ == ACPI_SLP_TYP_S5)
            continue;
        bus_write(f->io, PM + ACPI_PM1_CNT, 1 | (typ << 10) | ACPI_PM1_CNT_SLP_EN, 2);
    }
    assert_int_equal(poweroffs, 0);
    /* SLP_EN reads back 0; SLP_TYP is kept. */
    assert_int_equal(bus_read(f->io, PM + ACPI_PM1_CNT, 2) & ACPI_PM1_CNT_SLP_EN, 0);
    bus_write(f->io, PM + ACPI_PM1_CNT, 1 | (ACPI_SLP_TYP_S5 << 10) | ACPI_PM1_CNT_SLP_EN, 2);
    assert_int_equal(poweroffs, 1);
    assert_int_equal(bus_read(f->io, PM + ACPI_PM1_CNT, 2), 1 | (ACPI_SLP_TYP_S5 << 10));
    /* Byte-wise: the high byte carries SLP_TYP and SLP_EN together. */
    bus_write(f->io, PM + ACPI_PM1_CNT + 1, (ACPI_SLP_TYP_S5 << 2) | 0x20, 1);
    assert_int_equal(poweroffs, 2);
}

static uint32_t get32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint8_t sum(const uint8_t *p, size_t n) { uint8_t s = 0; while (n--) s += *p++; return s; }

/* The table at guest address addr inside buf (placed at base), checked and returned. */
static const uint8_t *table_at(const uint8_t *buf, uint32_t base, uint32_t addr, const char *sig)
{
    assert_true(addr >= base && addr + 36 <= base + ACPI_TABLES_SIZE);
    const uint8_t *t = buf + (addr - base);
    assert_memory_equal(t, sig, 4);
    uint32_t len = get32(t + 4);
    assert_true(len >= 36 && addr + len <= base + ACPI_TABLES_SIZE);
    assert_int_equal(sum(t, len), 0);
    return t;
}

static void test_tables(void **state)
{
    (void)state;
    static const uint32_t bases[] = { 0xf0000, 0xe0040 };
    for (unsigned b = 0; b < 2; b++) {
        uint8_t buf[ACPI_TABLES_SIZE + 16];
        struct acpi_tables_cfg cfg = { .base = bases[b], .pm_base = 0x600 + (uint16_t)(b * 0x40),
                                       .sci_irq = (uint8_t)(9 + b) };
        assert_int_equal(acpi_tables_build(buf, ACPI_TABLES_SIZE - 1, &cfg), 0);
        cfg.base += 16;                                 /* FACS would be misaligned */
        assert_int_equal(acpi_tables_build(buf, sizeof(buf), &cfg), 0);
        cfg.base -= 16;
        memset(buf, 0xaa, sizeof(buf));
        assert_int_equal(acpi_tables_build(buf, sizeof(buf), &cfg), ACPI_TABLES_SIZE);
        /* RSDP: signature, 20-byte checksum, revision 0, 16-byte aligned. */
        assert_memory_equal(buf, "RSD PTR ", 8);
        assert_int_equal(sum(buf, 20), 0);
        assert_int_equal(buf[15], 0);
        assert_int_equal(cfg.base % 16, 0);
        const uint8_t *rsdt = table_at(buf, cfg.base, get32(buf + 16), "RSDT");
        assert_int_equal(get32(rsdt + 4), 40);          /* one entry */
        const uint8_t *fadt = table_at(buf, cfg.base, get32(rsdt + 36), "FACP");
        assert_true(get32(fadt + 4) >= 116);
        assert_int_equal(fadt[46] | fadt[47] << 8, cfg.sci_irq);
        assert_int_equal(get32(fadt + 48), 0);          /* SMI_CMD: always in ACPI mode */
        assert_int_equal(get32(fadt + 56), cfg.pm_base + ACPI_PM1_STS);
        assert_int_equal(get32(fadt + 64), cfg.pm_base + ACPI_PM1_CNT);
        assert_int_equal(get32(fadt + 76), cfg.pm_base + ACPI_PM_TMR);
        assert_int_equal(fadt[88], 4);
        assert_int_equal(fadt[89], 2);
        assert_int_equal(fadt[91], 4);
        uint32_t facs = get32(fadt + 36);
        assert_int_equal(facs % 64, 0);
        assert_memory_equal(buf + (facs - cfg.base), "FACS", 4);
        assert_int_equal(get32(buf + (facs - cfg.base) + 4), 64);
        const uint8_t *dsdt = table_at(buf, cfg.base, get32(fadt + 40), "DSDT");
        /* It opens with Name (\_S5_, Package (4) { 5, 5, 0, 0 }) as AML; the root bridge follows. */
        static const uint8_t s5[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04,
                                      0x0a, ACPI_SLP_TYP_S5, 0x0a, ACPI_SLP_TYP_S5, 0x00, 0x00 };
        assert_true(get32(dsdt + 4) > 36 + sizeof(s5));
        assert_memory_equal(dsdt + 36, s5, sizeof(s5));
        /* The package length byte counts itself and the rest of the package. */
        assert_int_equal(dsdt[36 + 7], sizeof(s5) - 7);
        /* No APIC bases given: no MADT anywhere (the guest keeps the 8259). */
        for (size_t i = 0; i + 4 <= ACPI_TABLES_SIZE; i++)
            assert_false(memcmp(buf + i, "APIC", 4) == 0);
    }
}

/* With a reset register the FADT is revision 3 (244 bytes) and names it. */
static void test_fadt_reset_reg(void **state)
{
    (void)state;
    static uint8_t buf[ACPI_TABLES_SIZE];
    struct acpi_tables_cfg cfg = { .base = ACPI_TABLES_BASE, .pm_base = 0x600, .sci_irq = 9,
                                   .pci_mem_start = 0x20000000, .pci_mem_end = 0xfebfffff,
                                   .i8042 = true, .reset_port = 0xcf9, .reset_value = 6 };
    assert_int_equal(acpi_tables_build(buf, sizeof(buf), &cfg), ACPI_TABLES_SIZE);
    const uint8_t *rsdt = table_at(buf, cfg.base, get32(buf + 16), "RSDT");
    const uint8_t *fadt = table_at(buf, cfg.base, get32(rsdt + 36), "FACP");
    assert_int_equal(get32(fadt + 4), 244);
    assert_int_equal(fadt[8], 3);
    assert_true(get32(fadt + 112) & (1u << 10));           /* RESET_REG_SUP */
    assert_int_equal(fadt[116], 1);                         /* system I/O */
    assert_int_equal(fadt[117], 8);
    assert_int_equal(get32(fadt + 120), 0xcf9);
    assert_int_equal(get32(fadt + 124), 0);
    assert_int_equal(fadt[128], 6);
    assert_int_equal(fadt[109] | fadt[110] << 8, 3);       /* legacy devices, 8042 */
    /* The FADT ends before the DSDT starts. */
    assert_true(get32(rsdt + 36) + 244 <= get32(fadt + 40));
    /* Without one: revision 1, 116 bytes, no reset flag. */
    cfg.reset_port = 0;
    acpi_tables_build(buf, sizeof(buf), &cfg);
    assert_int_equal(get32(fadt + 4), 116);
    assert_int_equal(fadt[8], 1);
    assert_false(get32(fadt + 112) & (1u << 10));
}

static void test_install(void **state)
{
    (void)state;
    struct memmap *mm = memmap_new(2 << 20, MEMMAP_DEFAULT_HOLE);
    struct acpi_tables_cfg cfg = { .base = ACPI_TABLES_BASE, .pm_base = 0x600, .sci_irq = 9 };
    uint8_t want[ACPI_TABLES_SIZE], got[ACPI_TABLES_SIZE];
    assert_non_null(mm);
    assert_int_equal(acpi_tables_install(mm, &cfg), 0);
    acpi_tables_build(want, sizeof(want), &cfg);
    assert_int_equal(memmap_read(mm, ACPI_TABLES_BASE, got, sizeof(got)), 0);
    assert_memory_equal(got, want, sizeof(want));
    /* Not RAM: refused, nothing written. */
    cfg.base = 0x300000;
    assert_int_equal(acpi_tables_install(mm, &cfg), -1);
    memmap_free(mm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_timer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pm1_regs, setup, teardown),
        cmocka_unit_test(test_fadt_reset_reg),
        cmocka_unit_test_setup_teardown(test_sleep_types, setup, teardown),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_install),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
