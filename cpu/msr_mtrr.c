/* SPDX-License-Identifier: MIT */
/* msr_mtrr.c: memory-type MSRs (MTRRs, PAT) and the speculation-control MSRs, with their reserved-bit checks. */
#include "cpu/sys.h"
#include "cpu/sys_helpers.h"

/*
 * kiln caches nothing and speculates nothing, so memory types and speculation
 * controls change no behaviour; these MSRs are storage with the architectural
 * checks, so that operating systems find what CPUID advertises. The physical
 * address width is 36 bits (no CPUID leaf 0x80000008).
 */
#define PHYS_BITS 36
#define PHYS_MASK ((((uint64_t)1 << PHYS_BITS) - 1) & ~(uint64_t)0xfff)

#define MTRR_VCNT 8
#define MTRRCAP (MTRR_VCNT | 1u << 8 | 1u << 10) /* 8 variable ranges, fixed ranges, WC */

/* ARCH_CAPABILITIES: RDCL_NO, SKIP_L1DFL_VMENTRY, SSB_NO, MDS_NO, IF_PSCHANGE_MC_NO,
   TAA_NO, SBDR_SSDP_NO, FBSDP_NO, PSDP_NO, BHI_NO, PBRSB_NO, GDS_NO, RFDS_NO, and
   IBRS_ALL (enhanced IBRS): an emulator has none of those speculative side
   channels, and saying so spares guests their mitigations (page-table
   isolation, retpolines, buffer clearing) which only cost time here. */
#define ARCH_CAPS (1u << 0 | 1u << 1 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 6 | 1u << 8 | \
                   1u << 13 | 1u << 14 | 1u << 15 | 1u << 20 | 1u << 24 | 1u << 26 | 1u << 27)

/* UC WC WT WP WB are valid MTRR types; PAT also has UC- (7). */
static bool mtrr_type_ok(uint64_t t) { return t == 0 || t == 1 || t == 4 || t == 5 || t == 6; }
static bool pat_type_ok(uint64_t t) { return mtrr_type_ok(t) || t == 7; }

static bool bytes_ok(uint64_t v, bool pat)
{
    for (unsigned i = 0; i < 8; i++) {
        uint64_t t = (v >> (8 * i)) & 0xff;
        if (!(pat ? pat_type_ok(t) : mtrr_type_ok(t)))
            return false;
    }
    return true;
}

static int fixed_index(uint32_t idx)
{
    if (idx == 0x250)
        return 0;
    if (idx == 0x258 || idx == 0x259)
        return (int)(idx - 0x258) + 1;
    if (idx >= 0x268 && idx <= 0x26f)
        return (int)(idx - 0x268) + 3;
    return -1;
}

int sys_msr_mtrr(struct cpu *cpu, uint32_t idx, bool write, uint64_t *v)
{
    int f;
    switch (idx) {
    case 0xfe: /* MTRRcap: read-only */
        if (write)
            return 0;
        *v = MTRRCAP;
        return 1;
    case 0x2ff: /* MTRRdefType: type, FE (10), E (11) */
        if (!write) {
            *v = cpu->msr_mtrr_def;
            return 1;
        }
        if ((*v & ~(uint64_t)0xcff) || !mtrr_type_ok(*v & 0xff))
            return 0;
        cpu->msr_mtrr_def = *v;
        return 1;
    case 0x277: /* PAT */
        if (!write) {
            *v = cpu->msr_pat;
            return 1;
        }
        if (!bytes_ok(*v, true))
            return 0;
        cpu->msr_pat = *v;
        cpu_tlb_flush(cpu);
        return 1;
    case 0x10a: /* ARCH_CAPABILITIES: read-only */
        if (write)
            return 0;
        *v = ARCH_CAPS;
        return 1;
    case 0x48: /* SPEC_CTRL: IBRS, STIBP */
        if (!write) {
            *v = cpu->msr_spec_ctrl;
            return 1;
        }
        if (*v & ~(uint64_t)3)
            return 0;
        cpu->msr_spec_ctrl = *v;
        return 1;
    case 0x49: /* PRED_CMD: write-only, IBPB */
        return write && !(*v & ~(uint64_t)1);
    default:
        break;
    }
    if (idx >= 0x200 && idx < 0x200 + 2 * MTRR_VCNT) {
        uint64_t *r = &cpu->mtrr_var[idx - 0x200];
        if (!write) {
            *v = *r;
            return 1;
        }
        bool mask = idx & 1;
        uint64_t ok = PHYS_MASK | (mask ? 1u << 11 : 0xffu);
        if ((*v & ~ok) || (!mask && !mtrr_type_ok(*v & 0xff)))
            return 0;
        *r = *v;
        return 1;
    }
    if ((f = fixed_index(idx)) >= 0) {
        if (!write) {
            *v = cpu->mtrr_fixed[f];
            return 1;
        }
        if (!bytes_ok(*v, false))
            return 0;
        cpu->mtrr_fixed[f] = *v;
        return 1;
    }
    return -1;
}

void sys_mtrr_firmware(struct cpu *cpu, uint64_t hole)
{
    cpu->msr_mtrr_def = 1u << 11 | 6; /* enabled, default write-back */
    uint64_t size = ((uint64_t)1 << 32) - hole;
    if (hole && hole < ((uint64_t)1 << 32) && !(size & (size - 1)) && !(hole & (size - 1))) {
        cpu->mtrr_var[0] = hole;                                 /* uncacheable */
        cpu->mtrr_var[1] = (~(size - 1) & PHYS_MASK) | 1u << 11; /* valid */
    }
}
