/* SPDX-License-Identifier: MIT */
/* test_sys_mmu.c: the page walker (cpu/mmu.c) on hand-built page tables: translations, #PF error codes, A/D bits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/mmu.h"

#define PHYS_SIZE (1u << 20)
static uint8_t phys[PHYS_SIZE];

static uint64_t ld(struct cpu *c, uint64_t pa, unsigned size)
{
    (void)c;
    uint64_t v = 0;
    if (pa + size <= PHYS_SIZE)
        memcpy(&v, phys + pa, size);
    return v;
}

static void st(struct cpu *c, uint64_t pa, uint64_t v, unsigned size)
{
    (void)c;
    if (pa + size <= PHYS_SIZE)
        memcpy(phys + pa, &v, size);
}

static const struct mmu_phys pm = { ld, st };
static struct cpu cpu;

static void put32(uint64_t pa, uint32_t v) { memcpy(phys + pa, &v, 4); }
static void put64(uint64_t pa, uint64_t v) { memcpy(phys + pa, &v, 8); }
static uint64_t get64(uint64_t pa) { uint64_t v; memcpy(&v, phys + pa, 8); return v; }
static uint32_t get32(uint64_t pa) { uint32_t v; memcpy(&v, phys + pa, 4); return v; }

/* Walks and returns the #PF error code, or -1 when it translates (phys in *pa). */
static int walk(uint64_t va, enum cpu_access acc, bool user, uint64_t *pa, unsigned *prot)
{
    struct mmu_result r;
    if (mmu_walk(&cpu, &pm, va, acc, user, &r)) {
        if (pa)
            *pa = r.phys;
        if (prot)
            *prot = r.prot;
        return -1;
    }
    return (int)r.error;
}

/* 32-bit paging: PD at 0x1000, PT at 0x2000. */
static void setup32(void)
{
    memset(phys, 0, sizeof(phys));
    memset(&cpu, 0, sizeof(cpu));
    cpu.cr[0] = 0x80000011;
    cpu.cr[3] = 0x1000;
    put32(0x1000, 0x2000 | 7);                 /* PDE 0: user, writable */
    put32(0x2000 + 1 * 4, 0x5000 | 7);         /* 0x1000: user rw */
    put32(0x2000 + 2 * 4, 0x6000 | 5);         /* 0x2000: user read-only */
    put32(0x2000 + 3 * 4, 0x7000 | 3);         /* 0x3000: supervisor rw */
    put32(0x2000 + 4 * 4, 0x8000 | 1);         /* 0x4000: supervisor read-only */
}

static void test_legacy_translate_and_ad(void **state)
{
    (void)state;
    setup32();
    uint64_t pa;
    unsigned prot = 0;
    assert_int_equal(walk(0x1234, CPU_ACC_READ, true, &pa, &prot), -1);
    assert_int_equal(pa, 0x5000);
    assert_true(prot & CPU_PROT_R);
    assert_false(prot & CPU_PROT_W); /* not dirty yet: a write must walk again */
    assert_int_equal(get32(0x2004) & 0x60, 0x20);
    assert_int_equal(get32(0x1000) & 0x20, 0x20);
    assert_int_equal(walk(0x1234, CPU_ACC_WRITE, true, &pa, &prot), -1);
    assert_true(prot & CPU_PROT_W);
    assert_int_equal(get32(0x2004) & 0x60, 0x60);
}

static void test_legacy_errors(void **state)
{
    (void)state;
    setup32();
    assert_int_equal(walk(0x9000, CPU_ACC_READ, false, NULL, NULL), 0);       /* not present */
    assert_int_equal(walk(0x9000, CPU_ACC_WRITE, true, NULL, NULL), 6);       /* W | U */
    assert_int_equal(walk(0x400000, CPU_ACC_READ, false, NULL, NULL), 0);     /* PDE not present */
    assert_int_equal(walk(0x3000, CPU_ACC_READ, true, NULL, NULL), 5);        /* P | U */
    assert_int_equal(walk(0x3000, CPU_ACC_WRITE, true, NULL, NULL), 7);
    assert_int_equal(walk(0x2000, CPU_ACC_WRITE, true, NULL, NULL), 7);       /* user write, read-only */
    assert_int_equal(walk(0x4000, CPU_ACC_WRITE, false, NULL, NULL), -1);     /* WP clear */
    cpu.cr[0] |= 0x10000;
    assert_int_equal(walk(0x4000, CPU_ACC_WRITE, false, NULL, NULL), 3);      /* WP set */
    assert_int_equal(walk(0x3000, CPU_ACC_FETCH, false, NULL, NULL), -1);
}

static void test_legacy_pse(void **state)
{
    (void)state;
    setup32();
    put32(0x1000 + 2 * 4, 0x00c00000u | 0x87);  /* 0x800000: 4 MiB page at 12 MiB */
    uint64_t pa;
    /* with CR4.PSE the PS bit makes the PDE a 4 MiB page */
    cpu.cr[4] = 0x10;
    assert_int_equal(walk(0x923456, CPU_ACC_READ, true, &pa, NULL), -1);
    assert_int_equal(pa, 0xc00000 + 0x123000);
}

/* 4-level: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000. */
static void setup64(void)
{
    memset(phys, 0, sizeof(phys));
    memset(&cpu, 0, sizeof(cpu));
    cpu.cr[0] = 0x80000011;
    cpu.cr[3] = 0x1000;
    cpu.cr[4] = 0x20;
    cpu.efer = 0x500 | 0x800; /* LME LMA NXE */
    put64(0x1000, 0x2000 | 7);
    put64(0x2000, 0x3000 | 7);
    put64(0x3000, 0x4000 | 7);
    put64(0x4000 + 1 * 8, 0x9000 | 7 | ((uint64_t)1 << 63)); /* 0x1000: NX */
    put64(0x4000 + 2 * 8, 0xa000 | 7);
    put64(0x3000 + 1 * 8, 0x600000 | 0x87);                  /* 2 MiB page at 6 MiB */
    put64(0x2000 + 1 * 8, 0x40000000 | 0x83);                /* 1 GiB page, supervisor */
}

static void test_long_mode(void **state)
{
    (void)state;
    setup64();
    uint64_t pa;
    unsigned prot = 0;
    assert_int_equal(walk(0x2000, CPU_ACC_FETCH, true, &pa, &prot), -1);
    assert_int_equal(pa, 0xa000);
    assert_true(prot & CPU_PROT_X);
    assert_int_equal(walk(0x1000, CPU_ACC_READ, true, &pa, &prot), -1);
    assert_false(prot & CPU_PROT_X);
    assert_int_equal(walk(0x1000, CPU_ACC_FETCH, true, NULL, NULL), 0x15);    /* P | U | I */
    assert_int_equal(walk(0x3000, CPU_ACC_FETCH, false, NULL, NULL), 0x10);   /* not present, I */
    assert_int_equal(walk(0x212345, CPU_ACC_READ, true, &pa, NULL), -1);
    assert_int_equal(pa, 0x612000);
    assert_int_equal(walk(0x40123456, CPU_ACC_READ, false, &pa, NULL), -1);
    assert_int_equal(pa, 0x40123000);
    assert_int_equal(walk(0x40123456, CPU_ACC_READ, true, NULL, NULL), 5);
    /* accessed bits on every level of the walk */
    assert_int_equal(get64(0x1000) & 0x20, 0x20);
    assert_int_equal(get64(0x2000) & 0x20, 0x20);
    /* NX without EFER.NXE is a reserved bit */
    cpu.efer &= ~(uint64_t)0x800;
    assert_int_equal(walk(0x1000, CPU_ACC_READ, false, NULL, NULL), 0x9);     /* P | RSVD */
    /* reserved physical-address bits */
    put64(0x4000 + 3 * 8, 0x000f000000000000ull | 0xb000 | 7);
    assert_int_equal(walk(0x3000, CPU_ACC_WRITE, true, NULL, NULL), 0xf);     /* P | W | U | RSVD */
}

static void test_pae_legacy(void **state)
{
    (void)state;
    memset(phys, 0, sizeof(phys));
    memset(&cpu, 0, sizeof(cpu));
    cpu.cr[0] = 0x80000011;
    cpu.cr[3] = 0x1020;   /* 32-byte aligned PDPT */
    cpu.cr[4] = 0x20;
    put64(0x1020 + 3 * 8, 0x3000 | 1 | 0x18);     /* 0xc0000000..; PWT, PCD allowed */
    put64(0x3000 + 0, 0x200000 | 0x83);           /* 2 MiB at 2 MiB */
    assert_true(mmu_load_pdptes(&cpu, &pm, cpu.cr[3]));
    assert_true(mmu_pae_legacy(&cpu));
    uint64_t pa;
    assert_int_equal(walk(0xc0001234, CPU_ACC_READ, false, &pa, NULL), -1);
    assert_int_equal(pa, 0x201000);
    assert_int_equal(walk(0x00001234, CPU_ACC_READ, false, NULL, NULL), 0);   /* PDPTE 0 absent */
    /* the walk uses the registers: a PDPTE changed in memory counts after the next load */
    put64(0x1020 + 0, 0x3000 | 1);
    assert_int_equal(walk(0x00001234, CPU_ACC_READ, false, NULL, NULL), 0);
    assert_true(mmu_load_pdptes(&cpu, &pm, cpu.cr[3]));
    assert_int_equal(walk(0x00001234, CPU_ACC_READ, false, &pa, NULL), -1);
    assert_int_equal(pa, 0x201000);
    /* reserved bits of a present PDPTE: the load fails and changes nothing */
    static const uint64_t bad[] = { 2, 4, 0x20, 0x40, 0x80, 0x100, (uint64_t)1 << 40, (uint64_t)1 << 51,
                                    (uint64_t)1 << 63 };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        put64(0x1020 + 0, 0x4000 | 1 | bad[i]);
        assert_false(mmu_load_pdptes(&cpu, &pm, cpu.cr[3]));
        assert_int_equal(cpu.pdpte[0], 0x3000 | 1);
    }
    put64(0x1020 + 0, ~(uint64_t)1);              /* not present: the rest is ignored */
    assert_true(mmu_load_pdptes(&cpu, &pm, cpu.cr[3]));
    assert_int_equal(walk(0x00001234, CPU_ACC_READ, false, NULL, NULL), 0);
    cpu.efer = 0x500;                             /* long mode: no PDPTE registers */
    assert_false(mmu_pae_legacy(&cpu));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legacy_translate_and_ad),
        cmocka_unit_test(test_legacy_errors),
        cmocka_unit_test(test_legacy_pse),
        cmocka_unit_test(test_long_mode),
        cmocka_unit_test(test_pae_legacy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
