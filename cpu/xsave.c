/* SPDX-License-Identifier: MIT */
/* xsave.c: the XSAVE feature set: XSAVE XSAVEOPT XSAVEC XRSTOR (standard and compacted) XGETBV XSETBV. */
#include <string.h>
#include "cpu/cpu.h"
#include "cpu/sse.h"
#include "cpu/sys.h"

#define XCOMP_COMPACT (1ull << 63)
#define HDR 512u               /* offset of the XSAVE header */

/*
 * XINUSE: is a component out of its initial configuration? Computed from the
 * values (an exact answer is always architecturally valid), the way the reference
 * host (AMD EPYC) does: x87 counts FCW, FSW, the tags and the eight 80-bit
 * registers but not FOP/FIP/FDP/FCS/FDS; SSE counts the XMM registers, and MXCSR
 * only for XSAVEC (whose compacted XRSTOR would reset MXCSR with the component).
 */
static bool x87_inuse(const struct cpu_fpu *f)
{
    if (f->fcw != 0x037f || f->fsw != 0 || f->ftw != 0xffff)
        return true;
    for (unsigned i = 0; i < 8; i++)
        if (f->st[i].mant || f->st[i].sexp)
            return true;
    return false;
}

static bool xmm_inuse(const struct cpu_fpu *f)
{
    for (unsigned i = 0; i < 16; i++)
        if (f->xmm[i].q[0] | f->xmm[i].q[1])
            return true;
    return false;
}

/* Stores bytes [off, off + len) of image b (8-byte multiples). */
static void store(struct cpu *cpu, uint64_t addr, const uint8_t *b, unsigned off, unsigned len)
{
    unsigned idx = cpu_mmu_idx(cpu);
    for (unsigned i = off; i < off + len; i += 8)
        cpu_st(cpu, addr + i, fpu_image_get(b, i, 8), 8, idx);
}

/* XSAVE / XSAVEOPT / XSAVEC. rfbm = XCR0 & EDX:EAX. */
static void xsave(struct cpu *cpu, uint64_t addr, unsigned kind, uint64_t rfbm)
{
    struct cpu_fpu *f = &cpu->fpu;
    unsigned op = kind & 0xff, idx = cpu_mmu_idx(cpu), nxmm = (kind & XS_LONG) ? 16 : 8;
    bool x87u = x87_inuse(f), sseu = xmm_inuse(f);
    if (op == XS_XSAVEC)
        sseu |= f->mxcsr != MXCSR_DEFAULT;
    uint64_t bv_set = rfbm & ((x87u ? 1u : 0u) | (sseu ? 2u : 0u));
    /* XSAVE writes every requested component; XSAVEOPT and XSAVEC skip those in
       their initial configuration (the init optimization; XSAVEOPT still writes
       MXCSR). No modified optimization: always valid. */
    bool opt = op != XS_XSAVE;
    bool wr_x87 = (rfbm & 1) && (!opt || x87u);
    bool wr_xmm = (rfbm & 2) && (!opt || sseu);
    bool wr_mx = (rfbm & 2) && (op != XS_XSAVEC || sseu);
    uint8_t b[XSAVE_AREA_SIZE];
    memset(b, 0, sizeof(b));
    cpu_probe(cpu, addr, XSAVE_AREA_SIZE, true, idx);
    uint64_t bv = cpu_ld(cpu, addr + HDR, 8, idx);
    if (wr_x87) {
        fpu_x87_save_image(cpu, b, (kind & XS_REXW) != 0);
        store(cpu, addr, b, 0, 24);
        store(cpu, addr, b, 32, 128);
    }
    if (wr_mx) { /* standard form: also with AVX, not supported here */
        fpu_image_put(b, 24, f->mxcsr, 4);
        fpu_image_put(b, 28, MXCSR_MASK, 4);
        store(cpu, addr, b, 24, 8);
    }
    if (wr_xmm) {
        for (unsigned i = 0; i < nxmm; i++)
            memcpy(b + 160 + 16 * i, f->xmm[i].b, 16);
        store(cpu, addr, b, 160, 16 * nxmm);
    }
    if (op == XS_XSAVEC) {
        cpu_st(cpu, addr + HDR, bv_set, 8, idx);
        cpu_st(cpu, addr + HDR + 8, rfbm | XCOMP_COMPACT, 8, idx);
    } else {
        cpu_st(cpu, addr + HDR, (bv & ~rfbm) | bv_set, 8, idx);
    }
}

/* The x87 component's initial configuration: FNINIT state, data registers zero. */
static void x87_init(struct cpu_fpu *f)
{
    fpu_x87_fninit(f);
    memset(f->st, 0, sizeof(f->st));
}

static void xrstor(struct cpu *cpu, uint64_t addr, unsigned kind, uint64_t rfbm)
{
    struct cpu_fpu *f = &cpu->fpu;
    unsigned idx = cpu_mmu_idx(cpu), nxmm = (kind & XS_LONG) ? 16 : 8;
    uint8_t b[XSAVE_AREA_SIZE];
    cpu_probe(cpu, addr, XSAVE_AREA_SIZE, false, idx);
    for (unsigned i = 0; i < XSAVE_AREA_SIZE; i += 8)
        fpu_image_put(b, i, cpu_ld(cpu, addr + i, 8, idx), 8);
    uint64_t bv = fpu_image_get(b, HDR, 8), comp = fpu_image_get(b, HDR + 8, 8);
    bool compact = (comp & XCOMP_COMPACT) != 0;
    if (compact) {
        if ((comp & ~XCOMP_COMPACT & ~f->xcr0) || (bv & ~comp))
            cpu_raise(cpu, EXC_GP, true, 0);
        for (unsigned i = 16; i < 64; i += 8)
            if (fpu_image_get(b, HDR + i, 8))
                cpu_raise(cpu, EXC_GP, true, 0);
    } else {
        if ((bv & ~f->xcr0) || comp || fpu_image_get(b, HDR + 16, 8))
            cpu_raise(cpu, EXC_GP, true, 0);
    }
    /* MXCSR: standard form loads it whenever SSE is requested; compacted form only
       with XSTATE_BV[1], else it takes its initial value. */
    uint32_t mx = f->mxcsr;
    if ((rfbm & 2) && (!compact || (bv & 2))) {
        mx = (uint32_t)fpu_image_get(b, 24, 4);
        if (mx & ~MXCSR_MASK)
            cpu_raise(cpu, EXC_GP, true, 0);
    } else if (rfbm & 2) {
        mx = MXCSR_DEFAULT;
    }
    if (rfbm & 1) {
        if (bv & 1)
            fpu_x87_load_image(cpu, b, (kind & XS_REXW) != 0);
        else
            x87_init(f);
    }
    if (rfbm & 2) {
        f->mxcsr = mx;
        for (unsigned i = 0; i < nxmm; i++) {
            if (bv & 2)
                memcpy(f->xmm[i].b, b + 160 + 16 * i, 16);
            else
                memset(f->xmm[i].b, 0, 16);
        }
    }
}

static uint64_t h_xsave(void *env, uint64_t kind, uint64_t addr, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a2; (void)a3;
    unsigned op = kind & 0xff;
    if (!(cpu->cr[4] & CR4_OSXSAVE))
        cpu_raise(cpu, EXC_UD, false, 0);
    uint32_t ecx = (uint32_t)cpu->gpr[1];
    uint64_t edx_eax = (uint64_t)(uint32_t)cpu->gpr[2] << 32 | (uint32_t)cpu->gpr[0];
    switch (op) {
    case XS_XGETBV:
        if (ecx != 0)
            cpu_raise(cpu, EXC_GP, true, 0);
        cpu->gpr[0] = (uint32_t)cpu->fpu.xcr0;
        cpu->gpr[2] = (uint32_t)(cpu->fpu.xcr0 >> 32);
        return 0;
    case XS_XSETBV:
        if ((cpu->hflags & HF_PE) && ((cpu->hflags & HF_VM) || cpu_cpl(cpu) != 0))
            cpu_raise(cpu, EXC_GP, true, 0);
        if (ecx != 0 || !(edx_eax & 1) || (edx_eax & ~XCR0_SUPPORTED))
            cpu_raise(cpu, EXC_GP, true, 0);
        cpu->fpu.xcr0 = edx_eax;
        return 0;
    case XS_XSAVE: case XS_XSAVEOPT: case XS_XSAVEC: case XS_XRSTOR:
        if (cpu->cr[0] & CR0_TS)
            cpu_raise(cpu, EXC_NM, false, 0);
        if (addr & 63)
            cpu_raise(cpu, EXC_GP, true, 0);
        if (op == XS_XRSTOR)
            xrstor(cpu, addr, (unsigned)kind, cpu->fpu.xcr0 & edx_eax);
        else
            xsave(cpu, addr, (unsigned)kind, cpu->fpu.xcr0 & edx_eax);
        return 0;
    default:
        cpu_raise(cpu, EXC_UD, false, 0);
    }
}
const struct ir_helper helper_xsave = { h_xsave, "xsave", 0 };
