/* SPDX-License-Identifier: MIT */
/* test_pc_apic.c: the PC board's APIC wiring without a vCPU: ISA IRQs to the I/O APIC, INTA through the
   local APIC, HPET legacy replacement, the APIC MSRs and CR8 on the sysbus, the MADT and HPET tables. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "hw/chardev.h"
#include "machine/acpi_tables.h"
#include "machine/bus.h"
#include "machine/clock.h"
#include "machine/machine.h"
#include "machine/memmap.h"

struct rig {
    struct machine *m;
    struct memmap *mm;
    struct bus *io;
    struct clock *clock;
    const struct sysbus *sb;
};

static int setup(void **state)
{
    static struct rig r;
    struct kiln_config cfg;
    struct machine_options opt = { .no_cpu = true };
    char err[256];

    kiln_config_init(&cfg);
    cfg.ram_size = 32u << 20;
    cfg.nserial = 1;
    cfg.serial[0].kind = KILN_CHR_NULL;
    cfg.icount.enabled = true;
    cfg.icount.shift = 0;
    opt.serial_chr[0] = chardev_memory_new(4096);
    r.m = machine_new(&cfg, &opt, err, sizeof(err));
    if (r.m == NULL)
        return -1;
    r.mm = machine_memmap(r.m);
    r.io = machine_io(r.m);
    r.clock = machine_clock(r.m);
    r.sb = machine_sysbus(r.m);
    *state = &r;
    return 0;
}

static int teardown(void **state)
{
    struct rig *r = *state;
    machine_free(r->m);
    return 0;
}

static uint32_t rd(struct rig *r, uint64_t a) { return (uint32_t)memmap_load(r->mm, a, 4); }
static void wr(struct rig *r, uint64_t a, uint32_t v) { memmap_store(r->mm, a, v, 4); }
static void ioapic_pin(struct rig *r, int pin, uint32_t lo)
{
    wr(r, 0xfec00000, 0x11 + 2 * pin);
    wr(r, 0xfec00010, 0);
    wr(r, 0xfec00000, 0x10 + 2 * pin);
    wr(r, 0xfec00010, lo);
}
static bool irr(struct rig *r, unsigned v) { return rd(r, 0xfee00200 + (v / 32) * 16) >> (v % 32) & 1; }

static void run_ns(struct rig *r, int64_t ns)
{
    int64_t end = clock_ns(r->clock) + ns;
    while (clock_next_deadline(r->clock) <= end) {
        clock_advance_ns(r->clock, clock_next_deadline(r->clock) - clock_ns(r->clock));
        clock_run_timers(r->clock);
    }
    if (end > clock_ns(r->clock))
        clock_advance_ns(r->clock, end - clock_ns(r->clock));
}

static void mask_pics(struct rig *r)
{
    bus_write(r->io, 0x21, 0xff, 1);
    bus_write(r->io, 0xa1, 0xff, 1);
}

/* Firmware state: virtual wire, so the 8259 reaches INTR and answers INTA. */
static void test_virtual_wire_default(void **state)
{
    struct rig *r = *state;
    assert_int_equal(rd(r, 0xfee000f0), 0x1ff);
    assert_int_equal(rd(r, 0xfee00350), 0x700);
    assert_int_equal(rd(r, 0xfee00360), 0x400);
    bus_write(r->io, 0x20, 0x11, 1);
    bus_write(r->io, 0x21, 0x08, 1);
    bus_write(r->io, 0x21, 0x04, 1);
    bus_write(r->io, 0x21, 0x01, 1);
    bus_write(r->io, 0x21, 0xef, 1);
    bus_write(r->io, 0x3fc, 0x08, 1);                   /* COM1 THRE -> IRQ 4 */
    bus_write(r->io, 0x3f9, 0x02, 1);
    assert_int_equal(machine_intr_level(r->m), 1);
    assert_int_equal(r->sb->ops->inta(r->sb->opaque), 12);
    bus_write(r->io, 0x20, 0x20, 1);
}

static void test_isa_to_ioapic(void **state)
{
    struct rig *r = *state;
    mask_pics(r);
    wr(r, 0xfee00350, 0x10700);                         /* LINT0 masked: symmetric mode */
    ioapic_pin(r, 4, 0x44);                             /* COM1, edge, vector 0x44 */
    bus_write(r->io, 0x3fc, 0x08, 1);
    bus_write(r->io, 0x3f9, 0x02, 1);
    assert_true(irr(r, 0x44));
    assert_int_equal(machine_intr_level(r->m), 1);
    assert_int_equal(r->sb->ops->inta(r->sb->opaque), 0x44);
    assert_int_equal(machine_intr_level(r->m), 0);
    wr(r, 0xfee000b0, 0);
    /* the PIT's IRQ 0 arrives on GSI 2 */
    ioapic_pin(r, 2, 0x30);
    bus_write(r->io, 0x43, 0x34, 1);
    bus_write(r->io, 0x40, 1193 & 0xff, 1);
    bus_write(r->io, 0x40, 1193 >> 8, 1);
    run_ns(r, 1100000);
    assert_true(irr(r, 0x30));
    assert_int_equal(r->sb->ops->inta(r->sb->opaque), 0x30);
    wr(r, 0xfee000b0, 0);
    /* nothing pending any more: INTA gives the spurious vector, ISR untouched */
    assert_int_equal(r->sb->ops->inta(r->sb->opaque), 0xff);   /* nothing: spurious */
}

static void test_hpet_legacy_gating(void **state)
{
    struct rig *r = *state;
    mask_pics(r);
    wr(r, 0xfee00350, 0x10700);
    ioapic_pin(r, 2, 0x30);
    ioapic_pin(r, 8, 0x38);
    /* legacy replacement with timer 0 idle: the PIT no longer reaches GSI 2 */
    wr(r, 0xfed00010, 3);
    bus_write(r->io, 0x43, 0x34, 1);                    /* PIT at ~1 kHz */
    bus_write(r->io, 0x40, 1193 & 0xff, 1);
    bus_write(r->io, 0x40, 1193 >> 8, 1);
    run_ns(r, 5000000);
    assert_false(irr(r, 0x30));
    /* timer 0 periodic 2 ms: it does */
    wr(r, 0xfed00100, (1u << 2) | (1u << 3) | (1u << 6) | (1u << 8));
    uint32_t now = rd(r, 0xfed000f0);
    wr(r, 0xfed00108, now + 200000);
    wr(r, 0xfed00108, 200000);
    run_ns(r, 2100000);
    assert_true(irr(r, 0x30));
    assert_int_equal(r->sb->ops->inta(r->sb->opaque), 0x30);
    wr(r, 0xfee000b0, 0);
    /* timer 1 takes IRQ 8 (GSI 8) */
    wr(r, 0xfed00120, 1u << 2);
    wr(r, 0xfed00128, rd(r, 0xfed000f0) + 10);
    wr(r, 0xfed0012c, 0);
    wr(r, 0xfed00100, 0);
    run_ns(r, 1000);
    assert_true(irr(r, 0x38));
    assert_int_equal(r->sb->ops->inta(r->sb->opaque), 0x38);
    wr(r, 0xfee000b0, 0);
    /* legacy off: the PIT is back */
    wr(r, 0xfed00010, 1);
    run_ns(r, 1100000);
    assert_true(irr(r, 0x30));
}

static void test_msrs_cr8(void **state)
{
    struct rig *r = *state;
    uint64_t v = 0;
    assert_true(r->sb->ops->msr_read(r->sb->opaque, 0x1b, &v));
    assert_int_equal(v, 0xfee00900u);
    assert_false(r->sb->ops->msr_read(r->sb->opaque, 0x10, &v));  /* not the APIC's */
    /* relocate: the registers follow, the old page is gone */
    assert_true(r->sb->ops->msr_write(r->sb->opaque, 0x1b, 0xfed80800u));
    assert_int_equal(rd(r, 0xfed80030), 0x00050014u);
    assert_int_equal(rd(r, 0xfee00030), 0xffffffffu);
    /* globally disabled: no page at all */
    assert_true(r->sb->ops->msr_write(r->sb->opaque, 0x1b, 0xfed80000u));
    assert_int_equal(rd(r, 0xfed80030), 0xffffffffu);
    assert_true(r->sb->ops->msr_write(r->sb->opaque, 0x1b, 0xfee00800u));
    assert_int_equal(rd(r, 0xfee00030), 0x00050014u);
    assert_int_equal(rd(r, 0xfee000f0), 0xff);          /* disabling reset it: software disabled */
    wr(r, 0xfee000f0, 0x1ff);
    assert_false(r->sb->ops->msr_write(r->sb->opaque, 0x1b, 0xfee00c00u));  /* x2APIC */
    /* CR8 is TPR[7:4] */
    r->sb->ops->cr8_write(r->sb->opaque, 5);
    assert_int_equal(rd(r, 0xfee00080), 0x50);
    wr(r, 0xfee00080, 0xa7);
    assert_int_equal(r->sb->ops->cr8_read(r->sb->opaque), 0xa);
    /* TSC deadline: ignored outside its mode, armed in it (TSC = 2 x ns) */
    assert_true(r->sb->ops->msr_write(r->sb->opaque, 0x6e0, 1000));
    assert_true(r->sb->ops->msr_read(r->sb->opaque, 0x6e0, &v));
    assert_int_equal(v, 0);
    wr(r, 0xfee00080, 0);
    wr(r, 0xfee00320, 0x40041);
    uint64_t tsc = (uint64_t)clock_ns(r->clock) * 2 + 2000;
    assert_true(r->sb->ops->msr_write(r->sb->opaque, 0x6e0, tsc));
    run_ns(r, 999);
    assert_false(irr(r, 0x41));
    run_ns(r, 1);
    assert_true(irr(r, 0x41));
}

/* The MADT and HPET tables the board installs. */
static void test_madt_hpet_tables(void **state)
{
    struct rig *r = *state;
    uint8_t buf[ACPI_TABLES_SIZE];
    assert_int_equal(memmap_read(r->mm, ACPI_TABLES_BASE, buf, sizeof(buf)), 0);
    uint32_t rsdt = buf[16] | buf[17] << 8 | buf[18] << 16 | (uint32_t)buf[19] << 24;
    const uint8_t *t = buf + (rsdt - ACPI_TABLES_BASE);
    assert_memory_equal(t, "RSDT", 4);
    uint32_t len = t[4] | t[5] << 8;
    assert_int_equal(len, 36 + 12);
    const uint8_t *madt = NULL, *hpet = NULL;
    for (uint32_t i = 36; i < len; i += 4) {
        uint32_t a = t[i] | t[i + 1] << 8 | t[i + 2] << 16 | (uint32_t)t[i + 3] << 24;
        assert_true(a >= ACPI_TABLES_BASE && a < ACPI_TABLES_BASE + ACPI_TABLES_SIZE);
        const uint8_t *x = buf + (a - ACPI_TABLES_BASE);
        uint8_t sum = 0;
        for (uint32_t k = 0; k < (uint32_t)(x[4] | x[5] << 8); k++)
            sum = (uint8_t)(sum + x[k]);
        assert_int_equal(sum, 0);
        if (!memcmp(x, "APIC", 4))
            madt = x;
        if (!memcmp(x, "HPET", 4))
            hpet = x;
    }
    assert_non_null(madt);
    assert_non_null(hpet);
    assert_int_equal(madt[36] | madt[37] << 8 | madt[38] << 16 | (uint32_t)madt[39] << 24, 0xfee00000u);
    assert_int_equal(madt[40] & 1, 1);                  /* PCAT_COMPAT */
    /* walk the entries: one LAPIC, one I/O APIC, overrides 0->2 and 9 level-high, LINT1 NMI */
    int lapics = 0, ioapics = 0, nmis = 0, iso0 = 0, iso9 = 0;
    uint32_t mlen = madt[4] | madt[5] << 8;
    for (uint32_t i = 44; i < mlen; i += madt[i + 1]) {
        assert_true(madt[i + 1] >= 2 && i + madt[i + 1] <= mlen);
        const uint8_t *e = madt + i;
        switch (e[0]) {
        case 0: lapics++; assert_int_equal(e[4] & 1, 1); break;
        case 1:
            ioapics++;
            assert_int_equal(e[4] | e[5] << 8 | e[6] << 16 | (uint32_t)e[7] << 24, 0xfec00000u);
            break;
        case 2:
            if (e[3] == 0 && e[4] == 2 && (e[8] | e[9] << 8) == 0)
                iso0++;
            if (e[3] == 9 && e[4] == 9 && (e[8] | e[9] << 8) == 0xd)
                iso9++;
            break;
        case 4: nmis++; assert_int_equal(e[5], 1); break;
        default: fail();
        }
    }
    assert_int_equal(lapics, 1);
    assert_int_equal(ioapics, 1);
    assert_int_equal(iso0, 1);
    assert_int_equal(iso9, 1);
    assert_int_equal(nmis, 1);
    assert_int_equal(hpet[4], 56);
    assert_int_equal(hpet[44] | hpet[45] << 8 | hpet[46] << 16 | (uint32_t)hpet[47] << 24, 0xfed00000u);
    uint32_t id = hpet[36] | hpet[37] << 8 | hpet[38] << 16 | (uint32_t)hpet[39] << 24;
    /* the block ID agrees with the device's capabilities register */
    assert_int_equal(id, rd(r, 0xfed00000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_virtual_wire_default, setup, teardown),
        cmocka_unit_test_setup_teardown(test_isa_to_ioapic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hpet_legacy_gating, setup, teardown),
        cmocka_unit_test_setup_teardown(test_msrs_cr8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_madt_hpet_tables, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
