/* SPDX-License-Identifier: MIT */
/* x87_int.h: internals shared by the x87 helper (cpu/x87.c) and its operations (cpu/x87_ops.c). */
#ifndef KILN_CPU_X87_INT_H
#define KILN_CPU_X87_INT_H

#include "cpu/cpu.h"
#include "cpu/x87.h"

#define FSW_SF 0x40u
#define FSW_ES 0x80u
#define FSW_C0 0x100u
#define FSW_C1 0x200u
#define FSW_C2 0x400u
#define FSW_C3 0x4000u
#define FSW_B 0x8000u

static inline void set_top(struct cpu *cpu, unsigned t)
{
    cpu->fpu.fsw = (uint16_t)((cpu->fpu.fsw & ~0x3800u) | (t & 7) << 11);
}

static inline unsigned phys(const struct cpu *cpu, unsigned i) { return (x87_top(cpu) + i) & 7; }
static inline bool empty(const struct cpu *cpu, unsigned i) { return ((cpu->fpu.ftw >> (2 * phys(cpu, i))) & 3) == 3; }

static inline fx80 get(const struct cpu *cpu, unsigned i)
{
    const struct x87_reg *r = &cpu->fpu.st[phys(cpu, i)];
    fx80 v = { r->mant, r->sexp };
    return v;
}

static inline void set_tag(struct cpu *cpu, unsigned p, unsigned tag)
{
    cpu->fpu.ftw = (uint16_t)((cpu->fpu.ftw & ~(3u << (2 * p))) | tag << (2 * p));
}

static inline void put(struct cpu *cpu, unsigned i, fx80 v)
{
    unsigned p = phys(cpu, i);
    cpu->fpu.st[p].mant = v.m;
    cpu->fpu.st[p].sexp = v.se;
    set_tag(cpu, p, x87_tag_of(v));
}

static inline void pop(struct cpu *cpu)
{
    set_tag(cpu, phys(cpu, 0), 3);
    set_top(cpu, x87_top(cpu) + 1);
}

/* Execution state of one instruction. */
struct x87x {
    struct cpu *cpu;
    struct sf_ctx c;
    bool c1_set;        /* C1 decided by a stack fault */
    bool c1;
    bool uflow;         /* a source register was empty */
};

static inline void stack_fault(struct x87x *x, bool overflow)
{
    x->c.flags |= SF_IE | FSW_SF;
    x->c1_set = true;
    x->c1 = overflow;
}

/* Reads ST(i); an empty register is a stack underflow (result: indefinite). */
static inline fx80 rd(struct x87x *x, unsigned i)
{
    if (empty(x->cpu, i)) {
        stack_fault(x, false);
        x->uflow = true;
        return fx_default_nan();
    }
    return get(x->cpu, i);
}

static inline void push(struct x87x *x, fx80 v)
{
    struct cpu *cpu = x->cpu;
    set_top(cpu, x87_top(cpu) - 1);
    if (!empty(cpu, 0)) {
        stack_fault(x, !x->uflow); /* a source underflow already decided C1 = 0 */
        x->c.flags &= ~(unsigned)(SF_DE | SF_PE | SF_UE | SF_OE);
        v = fx_default_nan();
    }
    put(cpu, 0, v);
}

/* An unmasked exception among those in mask has been raised by this instruction: the
   destination (register or memory) must not be written. */
static inline bool trapped(const struct x87x *x, unsigned mask)
{
    return (x->c.flags & ~x->cpu->fpu.fcw & mask) != 0;
}
#define PRE_TRAPS (SF_IE | SF_DE | SF_ZE)
#define STORE_TRAPS (SF_IE | SF_OE | SF_UE)

static inline void set_cc(struct cpu *cpu, unsigned c3, unsigned c2, unsigned c0)
{
    cpu->fpu.fsw = (uint16_t)((cpu->fpu.fsw & ~(FSW_C3 | FSW_C2 | FSW_C0)) | (c3 ? FSW_C3 : 0) |
                              (c2 ? FSW_C2 : 0) | (c0 ? FSW_C0 : 0));
}

static inline uint64_t ldm(struct cpu *cpu, uint64_t addr, unsigned size)
{
    return cpu_ld(cpu, addr, size, cpu_mmu_idx(cpu));
}

static inline void stm(struct cpu *cpu, uint64_t addr, uint64_t v, unsigned size)
{
    cpu_st(cpu, addr, v, size, cpu_mmu_idx(cpu));
}

static inline unsigned prec_of(uint16_t fcw)
{
    unsigned pc = (fcw >> 8) & 3;
    return pc == 0 ? 24 : pc == 2 ? 53 : 64;
}

/* Memory operand as an fx80 (float or integer by op); its denormal-operand flag is
   only raised when the other operand (a, if given) is not a NaN / unsupported value. */
fx80 x87_load_mem2(struct x87x *x, unsigned op, uint64_t addr, unsigned size, const fx80 *a);
#define load_mem(x, op, addr, size) x87_load_mem2(x, op, addr, size, NULL)
/* FLD1, FLDZ, FLDPI, FLDL2T, FLDL2E, FLDLG2, FLDLN2 rounded by FCW.RC. */
fx80 x87_constant(struct x87x *x, unsigned op);
/* FBLD: 18 packed BCD digits and a sign byte. */
fx80 x87_bcd_load(struct cpu *cpu, uint64_t addr);
/* FBSTP's store (the indefinite when out of range, nothing when IE is unmasked). */
void x87_bcd_store(struct x87x *x, uint64_t addr, fx80 v);
/* FXAM: the class of ST(0) into C3 C2 C0, its sign into C1. */
void x87_fxam(struct x87x *x);
/* FPREM (ieee false) / FPREM1: partial remainder, quotient bits into C0 C3 C1, C2 = incomplete. */
void x87_fprem(struct x87x *x, bool ieee);

#endif
