/* SPDX-License-Identifier: MIT */
/* sse_exec.c: the MMX/SSE helper: CR0/CR4 checks, operand access, moves and dispatch. */
#include <string.h>
#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/sse.h"


void fpu_reset(struct cpu *cpu)
{
    memset(&cpu->fpu, 0, sizeof(cpu->fpu));
    cpu->fpu.mxcsr = MXCSR_DEFAULT;
    cpu->fpu.fcw = 0x037f;
    cpu->fpu.ftw = 0xffff;
    cpu->fpu.xcr0 = 1;
}

static unsigned opsize_of(unsigned lg) { return 1u << lg; }

static void ld_mem(struct cpu *cpu, uint64_t addr, unsigned size, sse_reg *r)
{
    unsigned idx = cpu_mmu_idx(cpu);
    memset(r, 0, sizeof(*r));
    if (size >= 8) {
        r->q[0] = cpu_ld(cpu, addr, 8, idx);
        if (size == 16)
            r->q[1] = cpu_ld(cpu, addr + 8, 8, idx);
    } else {
        r->q[0] = cpu_ld(cpu, addr, size, idx);
    }
}

static void st_mem(struct cpu *cpu, uint64_t addr, unsigned size, const sse_reg *r)
{
    unsigned idx = cpu_mmu_idx(cpu);
    if (size == 16) {
        /* probe both halves for write before storing anything (precise faults) */
        cpu_probe(cpu, addr, 16, true, idx);
        cpu_st(cpu, addr, r->q[0], 8, idx);
        cpu_st(cpu, addr + 8, r->q[1], 8, idx);
    } else {
        cpu_st(cpu, addr, r->q[0], size > 8 ? 8 : size, idx);
    }
}

/* Reads operand i (registers whole, memory at its size zero-extended). */
static void rd(struct cpu *cpu, uint64_t desc, unsigned i, uint64_t addr, sse_reg *r)
{
    unsigned reg = SSE_DESC_REG(desc, i), size = opsize_of(SSE_DESC_LG(desc, i));
    switch (SSE_DESC_KIND(desc, i)) {
    case SSE_K_XMM: *r = cpu->fpu.xmm[reg]; return;
    case SSE_K_MMX: memset(r, 0, sizeof(*r)); r->q[0] = cpu->fpu.st[reg & 7].mant; return;
    case SSE_K_GPR:
        memset(r, 0, sizeof(*r));
        r->q[0] = cpu->gpr[reg] & (size >= 8 ? ~0ull : (1ull << (size * 8)) - 1);
        return;
    case SSE_K_MEM: ld_mem(cpu, addr, size, r); return;
    case SSE_K_IMM: memset(r, 0, sizeof(*r)); r->q[0] = (desc >> 16) & 0xff; return;
    default: memset(r, 0, sizeof(*r)); return;
    }
}

static void set_mmx(struct cpu *cpu, unsigned reg, uint64_t v)
{
    cpu->fpu.st[reg & 7].mant = v;
    cpu->fpu.st[reg & 7].sexp = 0xffff;
}

/* Writes operand i: XMM whole, MMX low 64, GPR (32-bit writes zero-extend), memory at size. */
static void wr(struct cpu *cpu, uint64_t desc, unsigned i, uint64_t addr, const sse_reg *r)
{
    unsigned reg = SSE_DESC_REG(desc, i), size = opsize_of(SSE_DESC_LG(desc, i));
    switch (SSE_DESC_KIND(desc, i)) {
    case SSE_K_XMM: cpu->fpu.xmm[reg] = *r; return;
    case SSE_K_MMX: set_mmx(cpu, reg, r->q[0]); return;
    case SSE_K_GPR:
        cpu->gpr[reg] = size >= 8 ? r->q[0] : (uint32_t)r->q[0];
        return;
    case SSE_K_MEM: st_mem(cpu, addr, size, r); return;
    default: return;
    }
}

/* Ops whose 16-byte memory operand may be misaligned. */
static bool unaligned_ok(unsigned op)
{
    switch (op) {
    case X86_OP_MOVUPS: case X86_OP_MOVUPD: case X86_OP_MOVDQU: case X86_OP_LDDQU:
    case X86_OP_PCMPESTRI: case X86_OP_PCMPESTRM: case X86_OP_PCMPISTRI: case X86_OP_PCMPISTRM:
    case X86_OP_MASKMOVDQU:
        return true;
    default:
        return false;
    }
}

static unsigned pmovmsk(const sse_reg *s, unsigned nbytes, unsigned esize)
{
    unsigned m = 0;
    for (unsigned i = 0; i < nbytes / esize; i++)
        m |= (unsigned)(s->b[i * esize + esize - 1] >> 7) << i;
    return m;
}

static uint64_t h_sse(void *env, uint64_t desc, uint64_t addr, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a2; (void)a3;
    unsigned op = desc & 0xffff, imm = (desc >> 16) & 0xff;
    bool has_xmm = false, has_mmx = false;
    for (unsigned i = 0; i < 3; i++) {
        unsigned k = SSE_DESC_KIND(desc, i);
        has_xmm |= k == SSE_K_XMM;
        has_mmx |= k == SSE_K_MMX;
    }
    if (cpu->cr[0] & CR0_EM)
        cpu_raise(cpu, EXC_UD, false, 0);
    if ((has_xmm || (!has_mmx && op != X86_OP_EMMS)) && !(cpu->cr[4] & CR4_OSFXSR))
        cpu_raise(cpu, EXC_UD, false, 0);
    if (cpu->cr[0] & CR0_TS)
        cpu_raise(cpu, EXC_NM, false, 0);
    /* MMX instructions (EMMS too) report a pending x87 exception first (as the host) */
    if ((has_mmx || op == X86_OP_EMMS) && (cpu->fpu.fsw & 0x80) && (cpu->cr[0] & CR0_NE))
        cpu_raise(cpu, EXC_MF, false, 0);
    for (unsigned i = 0; i < 3; i++)
        if (SSE_DESC_KIND(desc, i) == SSE_K_MEM && SSE_DESC_LG(desc, i) == 4 && (addr & 15) &&
            !unaligned_ok(op))
            cpu_raise(cpu, EXC_GP, true, 0);
    if (op == X86_OP_EMMS) { /* all tags empty; TOP = 0 as every MMX instruction */
        cpu->fpu.fsw &= (uint16_t)~0x3800u;
        cpu->fpu.ftw = 0xffff;
        return 0;
    }
    if (has_mmx) { /* MMX transition: TOP = 0, all registers valid */
        cpu->fpu.fsw &= (uint16_t)~0x3800u;
        cpu->fpu.ftw = 0;
    }
    unsigned k0 = SSE_DESC_KIND(desc, 0), k1 = SSE_DESC_KIND(desc, 1);
    unsigned width = k0 == SSE_K_MMX ? 8 : 16;
    sse_reg d, s, t;
    uint64_t flags = 0;
    switch (op) {
    case X86_OP_MOVAPS: case X86_OP_MOVAPD: case X86_OP_MOVUPS: case X86_OP_MOVUPD:
    case X86_OP_MOVDQA: case X86_OP_MOVDQU: case X86_OP_LDDQU: case X86_OP_MOVNTPS:
    case X86_OP_MOVNTPD: case X86_OP_MOVNTDQ: case X86_OP_MOVNTQ: case X86_OP_MOVNTDQA:
        rd(cpu, desc, 1, addr, &s);
        wr(cpu, desc, 0, addr, &s);
        return 0;
    case X86_OP_MOVD: case X86_OP_MOVQ: case X86_OP_MOVQ2DQ: case X86_OP_MOVDQ2Q:
        rd(cpu, desc, 1, addr, &s);
        if (k0 == SSE_K_XMM || k0 == SSE_K_MMX || k0 == SSE_K_GPR) {
            unsigned sz = opsize_of(SSE_DESC_LG(desc, 1));
            if (k1 != SSE_K_MEM && k1 != SSE_K_GPR)
                sz = opsize_of(SSE_DESC_LG(desc, 0)) < sz ? opsize_of(SSE_DESC_LG(desc, 0)) : sz;
            if (sz < 8)
                s.q[0] &= (1ull << (sz * 8)) - 1;
            s.q[1] = 0;
        }
        wr(cpu, desc, 0, addr, &s);
        return 0;
    case X86_OP_MOVSS: case X86_OP_MOVSD:
        rd(cpu, desc, 1, addr, &s);
        if (k0 == SSE_K_XMM && k1 == SSE_K_XMM) {
            rd(cpu, desc, 0, addr, &d);
            if (op == X86_OP_MOVSS)
                d.d[0] = s.d[0];
            else
                d.q[0] = s.q[0];
            s = d;
        }
        wr(cpu, desc, 0, addr, &s);
        return 0;
    case X86_OP_MOVLPS: case X86_OP_MOVLPD: case X86_OP_MOVHPS: case X86_OP_MOVHPD:
    case X86_OP_MOVHLPS: case X86_OP_MOVLHPS: {
        bool hi_dst = op == X86_OP_MOVHPS || op == X86_OP_MOVHPD || op == X86_OP_MOVLHPS;
        rd(cpu, desc, 1, addr, &s);
        if (k0 == SSE_K_MEM) { /* store: low or high quadword of the register */
            if (op == X86_OP_MOVHPS || op == X86_OP_MOVHPD)
                s.q[0] = s.q[1];
            wr(cpu, desc, 0, addr, &s);
            return 0;
        }
        rd(cpu, desc, 0, addr, &d);
        uint64_t v = op == X86_OP_MOVHLPS ? s.q[1] : s.q[0];
        d.q[hi_dst ? 1 : 0] = v;
        wr(cpu, desc, 0, addr, &d);
        return 0;
    }
    case X86_OP_MOVSLDUP: case X86_OP_MOVSHDUP: case X86_OP_MOVDDUP:
        rd(cpu, desc, 1, addr, &s);
        if (op == X86_OP_MOVDDUP)
            d.q[0] = d.q[1] = s.q[0];
        else
            for (int i = 0; i < 4; i += 2)
                d.d[i] = d.d[i + 1] = s.d[i + (op == X86_OP_MOVSHDUP)];
        wr(cpu, desc, 0, addr, &d);
        return 0;
    case X86_OP_PMOVMSKB: case X86_OP_MOVMSKPS: case X86_OP_MOVMSKPD:
        rd(cpu, desc, 1, addr, &s);
        memset(&d, 0, sizeof(d));
        d.q[0] = pmovmsk(&s, SSE_DESC_KIND(desc, 1) == SSE_K_MMX ? 8 : 16,
                         op == X86_OP_PMOVMSKB ? 1 : op == X86_OP_MOVMSKPS ? 4 : 8);
        wr(cpu, desc, 0, addr, &d);
        return 0;
    case X86_OP_PEXTRW: case X86_OP_PEXTRB: case X86_OP_PEXTRD: case X86_OP_EXTRACTPS: {
        rd(cpu, desc, 1, addr, &s);
        unsigned n = op == X86_OP_PEXTRB ? 1 : op == X86_OP_PEXTRW ? 2 :
                     (op == X86_OP_PEXTRD && SSE_DESC_LG(desc, 0) == 3) ? 8 : 4;
        unsigned lanes = (SSE_DESC_KIND(desc, 1) == SSE_K_MMX ? 8 : 16) / n;
        memset(&d, 0, sizeof(d));
        memcpy(&d.q[0], &s.b[(imm % lanes) * n], n);
        wr(cpu, desc, 0, addr, &d);
        return 0;
    }
    case X86_OP_PINSRW: case X86_OP_PINSRB: case X86_OP_PINSRD: {
        rd(cpu, desc, 1, addr, &s);
        rd(cpu, desc, 0, addr, &d);
        unsigned n = op == X86_OP_PINSRB ? 1 : op == X86_OP_PINSRW ? 2 :
                     SSE_DESC_LG(desc, 1) == 3 ? 8 : 4;
        unsigned lanes = width / n;
        memcpy(&d.b[(imm % lanes) * n], &s.q[0], n);
        wr(cpu, desc, 0, addr, &d);
        return 0;
    }
    case X86_OP_PCMPESTRI: case X86_OP_PCMPESTRM: case X86_OP_PCMPISTRI: case X86_OP_PCMPISTRM:
        rd(cpu, desc, 0, addr, &d);
        rd(cpu, desc, 1, addr, &s);
        return sse_pcmpstr(cpu, op, &d, &s, imm, (desc & SSE_DESC_REXW) != 0);
    case X86_OP_INSERTPS: {
        rd(cpu, desc, 0, addr, &d);
        rd(cpu, desc, 1, addr, &s);
        uint32_t v = k1 == SSE_K_MEM ? s.d[0] : s.d[(imm >> 6) & 3];
        d.d[(imm >> 4) & 3] = v;
        for (unsigned i = 0; i < 4; i++)
            if (imm & (1u << i))
                d.d[i] = 0;
        wr(cpu, desc, 0, addr, &d);
        return 0;
    }
    case X86_OP_MASKMOVDQU: case X86_OP_MASKMOVQ: {
        rd(cpu, desc, 0, addr, &d);
        rd(cpu, desc, 1, addr, &s);
        unsigned n = k0 == SSE_K_MMX ? 8 : 16, idx = cpu_mmu_idx(cpu);
        for (unsigned i = 0; i < n; i++) /* probe first: no partial store on a fault */
            if (s.b[i] & 0x80)
                cpu_probe(cpu, addr + i, 1, true, idx);
        for (unsigned i = 0; i < n; i++)
            if (s.b[i] & 0x80)
                cpu_st(cpu, addr + i, d.b[i], 1, idx);
        return 0;
    }
    case X86_OP_CVTSI2SS: case X86_OP_CVTSI2SD:
        rd(cpu, desc, 0, addr, &d);
        rd(cpu, desc, 1, addr, &s);
        sse_fp_cvt_gpr(cpu, op, &d, &s, opsize_of(SSE_DESC_LG(desc, 1)), NULL);
        wr(cpu, desc, 0, addr, &d);
        return 0;
    case X86_OP_CVTSS2SI: case X86_OP_CVTTSS2SI: case X86_OP_CVTSD2SI: case X86_OP_CVTTSD2SI:
        rd(cpu, desc, 1, addr, &s);
        memset(&d, 0, sizeof(d));
        sse_fp_cvt_gpr(cpu, op, &d, &s, opsize_of(SSE_DESC_LG(desc, 0)), &d.q[0]);
        wr(cpu, desc, 0, addr, &d);
        return 0;
    default:
        break;
    }
    /* generic: dst = dst op src (imm) */
    rd(cpu, desc, 0, addr, &d);
    rd(cpu, desc, 1, addr, &s);
    if (SSE_DESC_KIND(desc, 1) == SSE_K_IMM)
        s.q[0] = imm;
    t = d;
    if (!sse_int_op(cpu, op, &t, &s, imm, width) && !sse_fp_op(cpu, op, &t, &s, imm, &flags))
        cpu_raise(cpu, EXC_UD, false, 0);
    if (op == X86_OP_PTEST || op == X86_OP_COMISS || op == X86_OP_COMISD || op == X86_OP_UCOMISS ||
        op == X86_OP_UCOMISD || op == X86_OP_PCMPESTRI || op == X86_OP_PCMPISTRI ||
        op == X86_OP_PCMPESTRM || op == X86_OP_PCMPISTRM)
        flags |= 1ull << 63; /* tells the translator the flags changed */
    if (SSE_DESC_KIND(desc, 0) == SSE_K_XMM || SSE_DESC_KIND(desc, 0) == SSE_K_MMX ||
        SSE_DESC_KIND(desc, 0) == SSE_K_GPR)
        if (memcmp(&t, &d, sizeof(t)) != 0 || SSE_DESC_KIND(desc, 0) != SSE_K_XMM)
            wr(cpu, desc, 0, addr, &t);
    return flags;
}
const struct ir_helper helper_sse = { h_sse, "sse", 0 };
