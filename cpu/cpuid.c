/* SPDX-License-Identifier: MIT */
/* cpuid.c: the CPUID instruction: a fixed feature set, exactly what kiln implements. */
#include <string.h>
#include "cpu/cpu.h"
#include "cpu/helpers.h"
#include "cpu/sse.h"

/* The machine models a local APIC when cpu->apic_msr is set (xAPIC with TSC-deadline, no x2APIC). */
static void cpuid(const struct cpu *cpu, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    memset(r, 0, 4 * sizeof(uint32_t));
    switch (leaf) {
    case 0:
        r[0] = 0xd;
        memcpy(&r[1], "Genu", 4); /* EBX EDX ECX spell the vendor */
        memcpy(&r[3], "ineI", 4);
        memcpy(&r[2], "ntel", 4);
        break;
    case 1:
        r[0] = 0x000306a9;          /* family 6 */
        r[2] = (1u << 13) | (1u << 22) | (1u << 23); /* CX16 MOVBE POPCNT */
        r[3] = (1u << 4) | (1u << 8) | (1u << 15);   /* TSC CX8 CMOV */
        r[3] |= 1u << 19;                            /* CLFSH */
        r[1] = 8u << 8;                              /* CLFLUSH line: 8 * 8 = 64 bytes */
        /* System CPU (docs/SYSTEM.md): PSE MSR PAE SEP MTRR PGE PAT */
        r[3] |= (1u << 3) | (1u << 5) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 13) | (1u << 16);
        /* FPU/SIMD (docs/FPU.md): FPU MMX FXSR SSE SSE2; SSE3 SSSE3 SSE4.1 */
        r[3] |= (1u << 0) | (1u << 23) | (1u << 24) | (1u << 25) | (1u << 26);
        r[2] |= (1u << 0) | (1u << 9) | (1u << 19);
        r[2] |= (1u << 1) | (1u << 25) | (1u << 20); /* PCLMULQDQ AES SSE4.2 */
        r[2] |= 1u << 26;                              /* XSAVE */
        r[2] |= 1u << 30;                              /* RDRAND (cpu/rng.c) */
        if (cpu->cr[4] & CR4_OSXSAVE)
            r[2] |= 1u << 27;                          /* OSXSAVE mirrors CR4.OSXSAVE */
        if (cpu->apic_msr) {
            r[3] |= 1u << 9;        /* APIC (docs/DEVICES.md) */
            r[2] |= 1u << 24;       /* TSC-deadline timer */
        }
        break;
    case 6:
        if (cpu->apic_msr)
            r[0] = 1u << 2;         /* ARAT: the APIC timer runs in every C-state */
        break;
    case 7:
        if (sub == 0) {
            r[1] = (1u << 3) | (1u << 8) | (1u << 19) | (1u << 23); /* BMI1 BMI2 ADX CLFLUSHOPT */
            r[1] |= 1u << 18;                          /* RDSEED (cpu/rng.c) */
            r[1] |= (1u << 7) | (1u << 20); /* SMEP SMAP (cpu/mmu.c); no INVPCID (CR4.PCIDE is reserved) */
            /* SPEC_CTRL (IBRS/IBPB), STIBP, ARCH_CAPABILITIES (cpu/msr_mtrr.c) */
            r[3] = (1u << 26) | (1u << 27) | (1u << 29);
        }
        break;
    case 0xd: /* XSAVE: x87 and SSE state only (cpu/xsave.c) */
        if (sub == 0) {
            r[0] = (uint32_t)XCR0_SUPPORTED;
            r[1] = XSAVE_AREA_SIZE;  /* for the components enabled in XCR0 */
            r[2] = XSAVE_AREA_SIZE;  /* for all supported components */
        } else if (sub == 1) {
            r[0] = (1u << 0) | (1u << 1); /* XSAVEOPT XSAVEC */
            r[1] = XSAVE_AREA_SIZE;       /* compacted size of XCR0's components */
        }
        break;
    case 0x80000000:
        r[0] = 0x80000001;
        break;
    case 0x80000001:
        r[2] = (1u << 0) | (1u << 5);  /* LAHF/SAHF in 64-bit mode, LZCNT */
        r[3] = (1u << 11) | (1u << 20) | (1u << 27) | (1u << 29); /* SYSCALL NX RDTSCP LM */
        break;
    default:
        break;
    }
}

static uint64_t h_cpuid(void *env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    uint32_t r[4];
    (void)a0; (void)a1; (void)a2; (void)a3;
    cpuid(cpu, (uint32_t)cpu->gpr[0], (uint32_t)cpu->gpr[1], r);
    cpu->gpr[0] = r[0];
    cpu->gpr[3] = r[1];
    cpu->gpr[1] = r[2];
    cpu->gpr[2] = r[3];
    return 0;
}
const struct ir_helper helper_cpuid = { h_cpuid, "cpuid", 0 };
