/* SPDX-License-Identifier: MIT */
/* fxsave.c: FXSAVE/FXRSTOR, LDMXCSR/STMXCSR (helper_fpctl) and the x87 tag word helpers. */
#include <string.h>
#include "cpu/cpu.h"
#include "cpu/sse.h"
#include "cpu/tr_sse.h"


/* Tag of a non-empty register from its contents: 0 valid, 1 zero, 2 special. */
static unsigned tag_of(const struct x87_reg *r)
{
    unsigned e = r->sexp & 0x7fff;
    if (e == 0x7fff)
        return 2;
    if (e == 0)
        return r->mant ? 2 : 1;
    return (r->mant >> 63) ? 0 : 2;
}

void fpu_x87_save_image(const struct cpu *cpu, uint8_t *b, bool rexw)
{
    const struct cpu_fpu *f = &cpu->fpu;
    fpu_image_put(b, 0, f->fcw, 2);
    fpu_image_put(b, 2, f->fsw, 2);
    unsigned ab = 0;
    for (unsigned i = 0; i < 8; i++)
        if (((f->ftw >> (2 * i)) & 3) != 3)
            ab |= 1u << i;
    b[4] = (uint8_t)ab;
    b[5] = 0;
    fpu_image_put(b, 6, f->fop, 2);
    if (rexw) {
        fpu_image_put(b, 8, f->fip, 8);
        fpu_image_put(b, 16, f->fdp, 8);
    } else {
        fpu_image_put(b, 8, f->fip, 4);
        fpu_image_put(b, 12, f->fcs, 4);
        fpu_image_put(b, 16, f->fdp, 4);
        fpu_image_put(b, 20, f->fds, 4);
    }
    unsigned top = (f->fsw >> 11) & 7;
    for (unsigned i = 0; i < 8; i++) {
        const struct x87_reg *r = &f->st[(top + i) & 7];
        fpu_image_put(b, 32 + 16 * i, r->mant, 8);
        fpu_image_put(b, 40 + 16 * i, r->sexp, 8);
    }
}

void fpu_x87_load_image(struct cpu *cpu, const uint8_t *b, bool rexw)
{
    struct cpu_fpu *f = &cpu->fpu;
    f->fcw = (uint16_t)fpu_image_get(b, 0, 2);
    f->fsw = (uint16_t)fpu_image_get(b, 2, 2);
    /* ES and B summarise the unmasked exception flags (the host recomputes them) */
    if (f->fsw & ~f->fcw & 0x3f)
        f->fsw |= 0x8080;
    else
        f->fsw &= 0x7f7f;
    f->fop = (uint16_t)(fpu_image_get(b, 6, 2) & 0x7ff);
    if (rexw) {
        f->fip = fpu_image_get(b, 8, 8);
        f->fdp = fpu_image_get(b, 16, 8);
    } else {
        f->fip = fpu_image_get(b, 8, 4);
        f->fcs = (uint16_t)fpu_image_get(b, 12, 2);
        f->fdp = fpu_image_get(b, 16, 4);
        f->fds = (uint16_t)fpu_image_get(b, 20, 2);
    }
    unsigned top = (f->fsw >> 11) & 7;
    for (unsigned i = 0; i < 8; i++) {
        struct x87_reg *r = &f->st[(top + i) & 7];
        r->mant = fpu_image_get(b, 32 + 16 * i, 8);
        r->sexp = (uint16_t)fpu_image_get(b, 40 + 16 * i, 2);
    }
    uint16_t ftw = 0;
    for (unsigned i = 0; i < 8; i++)
        ftw |= (uint16_t)(((b[4] >> i) & 1 ? tag_of(&f->st[i]) : 3u) << (2 * i));
    f->ftw = ftw;
}

static void fxsave(struct cpu *cpu, uint64_t addr, unsigned kind)
{
    struct cpu_fpu *f = &cpu->fpu;
    unsigned idx = cpu_mmu_idx(cpu), nxmm = (kind & FPCTL_LONG) ? 16 : 8;
    uint8_t b[416];
    memset(b, 0, sizeof(b));
    fpu_x87_save_image(cpu, b, (kind & FPCTL_REXW) != 0);
    fpu_image_put(b, 24, f->mxcsr, 4);
    fpu_image_put(b, 28, MXCSR_MASK, 4);
    for (unsigned i = 0; i < nxmm; i++)
        memcpy(b + 160 + 16 * i, f->xmm[i].b, 16);
    unsigned len = 160 + 16 * nxmm;
    cpu_probe(cpu, addr, 512, true, idx);
    for (unsigned i = 0; i < len; i += 8)
        cpu_st(cpu, addr + i, fpu_image_get(b, i, 8), 8, idx);
}

static void fxrstor(struct cpu *cpu, uint64_t addr, unsigned kind)
{
    struct cpu_fpu *f = &cpu->fpu;
    unsigned idx = cpu_mmu_idx(cpu), nxmm = (kind & FPCTL_LONG) ? 16 : 8;
    uint8_t b[416];
    unsigned len = 160 + 16 * nxmm;
    cpu_probe(cpu, addr, 512, false, idx);
    for (unsigned i = 0; i < len; i += 8)
        fpu_image_put(b, i, cpu_ld(cpu, addr + i, 8, idx), 8);
    uint32_t mx = (uint32_t)fpu_image_get(b, 24, 4);
    if (mx & ~MXCSR_MASK)
        cpu_raise(cpu, EXC_GP, true, 0);
    fpu_x87_load_image(cpu, b, (kind & FPCTL_REXW) != 0);
    f->mxcsr = mx;
    for (unsigned i = 0; i < nxmm; i++)
        memcpy(f->xmm[i].b, b + 160 + 16 * i, 16);
}

static uint64_t h_fpctl(void *env, uint64_t kind, uint64_t addr, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a2; (void)a3;
    unsigned k = kind & 0xff, idx = cpu_mmu_idx(cpu);
    switch (k) {
    case FPCTL_FXSAVE: case FPCTL_FXRSTOR:
        if (cpu->cr[0] & (CR0_EM | CR0_TS))
            cpu_raise(cpu, EXC_NM, false, 0);
        if (addr & 15)
            cpu_raise(cpu, EXC_GP, true, 0);
        if (k == FPCTL_FXSAVE)
            fxsave(cpu, addr, (unsigned)kind);
        else
            fxrstor(cpu, addr, (unsigned)kind);
        return 0;
    case FPCTL_LDMXCSR: case FPCTL_STMXCSR:
        if ((cpu->cr[0] & CR0_EM) || !(cpu->cr[4] & CR4_OSFXSR))
            cpu_raise(cpu, EXC_UD, false, 0);
        if (cpu->cr[0] & CR0_TS)
            cpu_raise(cpu, EXC_NM, false, 0);
        if (k == FPCTL_STMXCSR) {
            cpu_st(cpu, addr, cpu->fpu.mxcsr, 4, idx);
        } else {
            uint32_t v = (uint32_t)cpu_ld(cpu, addr, 4, idx);
            if (v & ~MXCSR_MASK)
                cpu_raise(cpu, EXC_GP, true, 0);
            cpu->fpu.mxcsr = v;
        }
        return 0;
    default:
        cpu_raise(cpu, EXC_UD, false, 0);
    }
}
const struct ir_helper helper_fpctl = { h_fpctl, "fpctl", 0 };
