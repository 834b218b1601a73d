/* SPDX-License-Identifier: MIT */
/* x87_ctl.c: x87 control instructions: FNINIT FNCLEX FLDCW FNSTCW FNSTSW FNSTENV FLDENV FNSAVE FRSTOR. */
#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/x87.h"

void fpu_x87_fninit(struct cpu_fpu *f)
{
    f->fcw = 0x037f;
    f->fsw = 0;
    f->ftw = 0xffff;
    f->fop = 0;
    f->fip = f->fdp = 0;
    f->fcs = f->fds = 0;
}

static void update_es(struct cpu *cpu)
{
    if (cpu->fpu.fsw & ~cpu->fpu.fcw & 0x3f)
        cpu->fpu.fsw |= 0x8080;
    else
        cpu->fpu.fsw &= 0x7f7f;
}

/* Full tag word as FNSTENV stores it: non-empty tags recomputed from the contents. */
static uint16_t tag_word(const struct cpu *cpu)
{
    uint16_t t = 0;
    for (unsigned p = 0; p < 8; p++) {
        unsigned tag = (cpu->fpu.ftw >> (2 * p)) & 3;
        if (tag != 3) {
            fx80 v = { cpu->fpu.st[p].mant, cpu->fpu.st[p].sexp };
            tag = x87_tag_of(v);
        }
        t |= (uint16_t)(tag << (2 * p));
    }
    return t;
}

static void st(struct cpu *cpu, uint64_t a, uint64_t v, unsigned n) { cpu_st(cpu, a, v, n, cpu_mmu_idx(cpu)); }
static uint64_t ld(struct cpu *cpu, uint64_t a, unsigned n) { return cpu_ld(cpu, a, n, cpu_mmu_idx(cpu)); }

/* Real-address and virtual-8086 mode use another image: the instruction and
   data pointers are linear addresses (20 bits in the 16-bit image, 32 in the
   32-bit one) split around the opcode, with no selectors. */
static bool real_image(const struct cpu *cpu)
{
    return !(cpu->cr[0] & CR0_PE) || (cpu->eflags & CPU_VM);
}

static void store_env_real(struct cpu *cpu, uint64_t a, bool o32)
{
    struct cpu_fpu *f = &cpu->fpu;
    uint32_t ip = (uint32_t)((uint32_t)f->fcs * 16u + (uint32_t)f->fip), dp = (uint32_t)f->fdp;
    uint32_t op = f->fop & 0x7ff;
    if (o32) {
        st(cpu, a, 0xffff0000u | f->fcw, 4);
        st(cpu, a + 4, 0xffff0000u | f->fsw, 4);
        st(cpu, a + 8, 0xffff0000u | tag_word(cpu), 4);
        st(cpu, a + 12, 0xffff0000u | (ip & 0xffff), 4);
        st(cpu, a + 16, (ip >> 16) << 12 | op, 4);
        st(cpu, a + 20, 0xffff0000u | (dp & 0xffff), 4);
        st(cpu, a + 24, (dp >> 16) << 12, 4);
    } else {
        st(cpu, a, f->fcw, 2);
        st(cpu, a + 2, f->fsw, 2);
        st(cpu, a + 4, tag_word(cpu), 2);
        st(cpu, a + 6, ip & 0xffff, 2);
        st(cpu, a + 8, ((ip >> 16) & 0xf) << 12 | op, 2);
        st(cpu, a + 10, dp & 0xffff, 2);
        st(cpu, a + 12, ((dp >> 16) & 0xf) << 12, 2);
    }
}

static void load_env_real(struct cpu *cpu, uint64_t a, bool o32)
{
    struct cpu_fpu *f = &cpu->fpu;
    uint32_t w[7];
    unsigned n = o32 ? 4 : 2;
    for (unsigned i = 0; i < 7; i++)
        w[i] = (uint32_t)ld(cpu, a + i * n, n);
    f->fcw = (uint16_t)w[0];
    f->fsw = (uint16_t)w[1];
    f->ftw = (uint16_t)w[2];
    if (o32) {
        f->fip = (w[3] & 0xffff) | ((w[4] >> 12) & 0xffff) << 16;
        f->fdp = (w[5] & 0xffff) | ((w[6] >> 12) & 0xffff) << 16;
    } else {
        f->fip = (w[3] & 0xffff) | ((w[4] >> 12) & 0xf) << 16;
        f->fdp = (w[5] & 0xffff) | ((w[6] >> 12) & 0xf) << 16;
    }
    f->fop = (uint16_t)(w[4] & 0x7ff);
    f->fcs = 0; /* the pointer is linear: CS 0 keeps fcs * 16 + fip equal to it */
    f->fds = 0;
}

/* Environment image: 28 bytes (32-bit) or 14 bytes (16-bit), in the layout of
   the current mode. */
static unsigned store_env(struct cpu *cpu, uint64_t a, bool o32)
{
    struct cpu_fpu *f = &cpu->fpu;
    unsigned len = o32 ? 28 : 14;
    cpu_probe(cpu, a, len, true, cpu_mmu_idx(cpu));
    if (real_image(cpu)) {
        store_env_real(cpu, a, o32);
        return len;
    }
    if (o32) {
        st(cpu, a, 0xffff0000u | f->fcw, 4);
        st(cpu, a + 4, 0xffff0000u | f->fsw, 4);
        st(cpu, a + 8, 0xffff0000u | tag_word(cpu), 4);
        st(cpu, a + 12, (uint32_t)f->fip, 4);
        st(cpu, a + 16, f->fcs | (uint32_t)(f->fop & 0x7ff) << 16, 4);
        st(cpu, a + 20, (uint32_t)f->fdp, 4);
        st(cpu, a + 24, 0xffff0000u | f->fds, 4);
    } else {
        st(cpu, a, f->fcw, 2);
        st(cpu, a + 2, f->fsw, 2);
        st(cpu, a + 4, tag_word(cpu), 2);
        st(cpu, a + 6, (uint16_t)f->fip, 2);
        st(cpu, a + 8, f->fcs, 2);
        st(cpu, a + 10, (uint16_t)f->fdp, 2);
        st(cpu, a + 12, f->fds, 2);
    }
    return len;
}

static unsigned load_env(struct cpu *cpu, uint64_t a, bool o32)
{
    struct cpu_fpu *f = &cpu->fpu;
    if (real_image(cpu)) {
        load_env_real(cpu, a, o32);
    } else if (o32) {
        uint64_t w0 = ld(cpu, a, 4), w1 = ld(cpu, a + 4, 4), w2 = ld(cpu, a + 8, 4);
        uint64_t w3 = ld(cpu, a + 12, 4), w4 = ld(cpu, a + 16, 4), w5 = ld(cpu, a + 20, 4);
        uint64_t w6 = ld(cpu, a + 24, 4);
        f->fcw = (uint16_t)w0;
        f->fsw = (uint16_t)w1;
        f->ftw = (uint16_t)w2;
        f->fip = (uint32_t)w3;
        f->fcs = (uint16_t)w4;
        f->fop = (uint16_t)((w4 >> 16) & 0x7ff);
        f->fdp = (uint32_t)w5;
        f->fds = (uint16_t)w6;
    } else {
        f->fcw = (uint16_t)ld(cpu, a, 2);
        f->fsw = (uint16_t)ld(cpu, a + 2, 2);
        f->ftw = (uint16_t)ld(cpu, a + 4, 2);
        f->fip = ld(cpu, a + 6, 2);
        f->fcs = (uint16_t)ld(cpu, a + 8, 2);
        f->fdp = ld(cpu, a + 10, 2);
        f->fds = (uint16_t)ld(cpu, a + 12, 2);
    }
    update_es(cpu);
    return o32 ? 28 : 14;
}

bool x87_ctl(struct cpu *cpu, unsigned op, uint64_t desc, uint64_t addr)
{
    struct cpu_fpu *f = &cpu->fpu;
    bool o32 = (desc >> 49) & 1, mem = (desc >> 48) & 1;
    switch (op) {
    case X86_OP_FNINIT: fpu_x87_fninit(&cpu->fpu); return true;
    case X86_OP_FNCLEX: f->fsw &= 0x7f00; return true;
    case X86_OP_FENI: case X86_OP_FDISI: case X86_OP_FSETPM: return true;
    case X86_OP_FLDCW:
        f->fcw = (uint16_t)(ld(cpu, addr, 2) | 0x40);
        update_es(cpu);
        return true;
    case X86_OP_FNSTCW: st(cpu, addr, f->fcw, 2); return true;
    case X86_OP_FNSTSW:
        if (mem)
            st(cpu, addr, f->fsw, 2);
        else
            cpu->gpr[0] = (cpu->gpr[0] & ~0xffffull) | f->fsw;
        return true;
    case X86_OP_FNSTENV:
        store_env(cpu, addr, o32);
        f->fcw |= 0x3f;
        update_es(cpu);
        return true;
    case X86_OP_FLDENV:
        load_env(cpu, addr, o32);
        return true;
    case X86_OP_FNSAVE: {
        unsigned len = o32 ? 28 : 14;
        cpu_probe(cpu, addr, len + 80, true, cpu_mmu_idx(cpu));
        store_env(cpu, addr, o32);
        unsigned top = (f->fsw >> 11) & 7;
        for (unsigned i = 0; i < 8; i++) {
            const struct x87_reg *r = &f->st[(top + i) & 7];
            st(cpu, addr + len + 10 * i, r->mant, 8);
            st(cpu, addr + len + 10 * i + 8, r->sexp, 2);
        }
        fpu_x87_fninit(f);
        return true;
    }
    case X86_OP_FRSTOR: {
        unsigned len = o32 ? 28 : 14;
        uint64_t m[8];
        uint16_t e[8];
        for (unsigned i = 0; i < 8; i++) {
            m[i] = ld(cpu, addr + len + 10 * i, 8);
            e[i] = (uint16_t)ld(cpu, addr + len + 10 * i + 8, 2);
        }
        load_env(cpu, addr, o32);
        unsigned top = (f->fsw >> 11) & 7;
        for (unsigned i = 0; i < 8; i++) {
            f->st[(top + i) & 7].mant = m[i];
            f->st[(top + i) & 7].sexp = e[i];
        }
        return true;
    }
    default:
        return false;
    }
}
