/* SPDX-License-Identifier: MIT */
/* x87.c: the x87 FPU helper: executes one x87 instruction (stack, status word, exceptions; operations in x87_ops.c). */
#include <string.h>
#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/x87.h"
#include "cpu/x87_int.h"
#include "cpu/x87_trans.h"

unsigned x87_top(const struct cpu *cpu) { return (cpu->fpu.fsw >> 11) & 7; }

unsigned x87_tag_of(fx80 v)
{
    unsigned e = v.se & 0x7fff;
    if (e == 0x7fff)
        return 2;
    if (e == 0)
        return v.m ? 2 : 1;
    return (v.m >> 63) ? 0 : 2;
}

/* Ends an instruction: exception flags into FSW, C1, ES/B summary. */
static void finish(struct x87x *x, bool c1_from_round)
{
    struct cpu *cpu = x->cpu;
    uint16_t fsw = cpu->fpu.fsw;
    fsw |= (uint16_t)(x->c.flags & (0x3fu | FSW_SF));
    bool c1 = x->c1_set ? x->c1 : c1_from_round ? (x->c.flags & SF_C1) != 0 : false;
    fsw = (uint16_t)((fsw & ~FSW_C1) | (c1 ? FSW_C1 : 0));
    if (fsw & ~cpu->fpu.fcw & 0x3f)
        fsw |= FSW_ES | FSW_B;
    cpu->fpu.fsw = fsw;
}

static fx80 arith(struct x87x *x, unsigned op, fx80 a, fx80 b)
{
    switch (op) {
    case X86_OP_FADD: case X86_OP_FADDP: case X86_OP_FIADD: return fx_add(&x->c, a, b);
    case X86_OP_FMUL: case X86_OP_FMULP: case X86_OP_FIMUL: return fx_mul(&x->c, a, b);
    case X86_OP_FSUB: case X86_OP_FSUBP: case X86_OP_FISUB: return fx_sub(&x->c, a, b);
    case X86_OP_FSUBR: case X86_OP_FSUBRP: case X86_OP_FISUBR: return fx_sub(&x->c, b, a);
    case X86_OP_FDIV: case X86_OP_FDIVP: case X86_OP_FIDIV: return fx_div(&x->c, a, b);
    default: return fx_div(&x->c, b, a);
    }
}

static void compare(struct x87x *x, fx80 a, fx80 b, bool quiet)
{
    int r = fx_cmp(&x->c, a, b, quiet);
    set_cc(x->cpu, r == 0 || r == 2, r == 2, r == -1 || r == 2);
}

static uint64_t comi_flags(int r)
{
    return r == 2 ? CPU_ZF | CPU_PF | CPU_CF : r == -1 ? CPU_CF : r == 0 ? CPU_ZF : 0;
}

/* Waiting instructions check for a pending unmasked exception first (not FN* ones). */
static bool x87_waits(unsigned op)
{
    switch (op) {
    case X86_OP_FNINIT: case X86_OP_FNCLEX: case X86_OP_FNSTCW: case X86_OP_FNSTSW:
    case X86_OP_FNSTENV: case X86_OP_FNSAVE: case X86_OP_FENI: case X86_OP_FDISI:
    case X86_OP_FSETPM:
        return false;
    default:
        return true;
    }
}

/* A waiting x87 instruction (or FWAIT) found an unmasked exception pending:
   #MF with CR0.NE = 1; with CR0.NE = 0 (the PC/AT way) the CPU signals FERR#,
   which the board turns into IRQ 13, and the instruction goes on. */
static void pending_error(struct cpu *cpu)
{
    if (cpu->cr[0] & CR0_NE)
        cpu_raise(cpu, EXC_MF, false, 0);
    if (cpu->ferr)
        cpu->ferr(cpu);
}

/* FWAIT: #NM when CR0.MP and CR0.TS, then a pending unmasked exception (pending_error). */
static uint64_t h_fwait(void *env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a0; (void)a1; (void)a2; (void)a3;
    if ((cpu->cr[0] & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
        cpu_raise(cpu, EXC_NM, false, 0);
    if (cpu->fpu.fsw & FSW_ES)
        pending_error(cpu);
    return 0;
}
const struct ir_helper helper_fwait = { h_fwait, "fwait", 0 };

static uint64_t h_x87(void *env, uint64_t desc, uint64_t addr, uint64_t cond, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a3;
    unsigned op = desc & 0xffff, di = (desc >> 16) & 15, si = (desc >> 20) & 15;
    unsigned msize = (desc >> 24) & 0xff;
    bool mem = (desc >> 48) & 1;
    if (cpu->cr[0] & (CR0_EM | CR0_TS))
        cpu_raise(cpu, EXC_NM, false, 0);
    if (x87_waits(op) && (cpu->fpu.fsw & FSW_ES))
        pending_error(cpu);
    if (x87_ctl(cpu, op, desc, addr))
        return 0;
    struct x87x xx = { cpu, { (cpu->fpu.fcw >> 10) & 3, 64, 0, ~cpu->fpu.fcw & (SF_OE | SF_UE) },
                       false, false, false }, *x = &xx;
    /* an unmasked invalid/denormal/zero-divide exception leaves registers and TOP alone */
    struct x87_reg st_save[8];
    memcpy(st_save, cpu->fpu.st, sizeof st_save);
    uint16_t ftw_save = cpu->fpu.ftw, top_save = cpu->fpu.fsw & 0x3800, fsw_save = cpu->fpu.fsw;
    uint64_t ret = 0;
    bool c1r = false;
    /* last instruction / data pointers */
    uint16_t fop = (uint16_t)(((desc >> 40) & 7) << 8 | ((desc >> 32) & 0xff));
    switch (op) {
    case X86_OP_FLD:
        if (mem) {
            fx80 v = load_mem(x, op, addr, msize);
            if (fx_is_snan(v) && msize != 10) {
                x->c.flags |= SF_IE;
                v.m |= 1ull << 62;
            }
            push(x, v);
        } else {
            fx80 v = rd(x, si == X87_NONE ? di : si);
            push(x, v);
        }
        break;
    case X86_OP_FILD:
        push(x, load_mem(x, op, addr, msize));
        break;
    case X86_OP_FBLD:
        push(x, x87_bcd_load(cpu, addr));
        break;
    case X86_OP_FLD1: case X86_OP_FLDZ: case X86_OP_FLDPI: case X86_OP_FLDL2T: case X86_OP_FLDL2E:
    case X86_OP_FLDLG2: case X86_OP_FLDLN2:
        push(x, x87_constant(x, op));
        break;
    case X86_OP_FST: case X86_OP_FSTP: {
        fx80 v = rd(x, 0);
        if (mem) {
            if (msize == 4 || msize == 8) {
                uint64_t w = msize == 4 ? fx_to_f32(&x->c, v) : fx_to_f64(&x->c, v);
                c1r = true;
                if (trapped(x, SF_OE | SF_UE)) /* unmasked over/underflow: no inexact (host) */
                    x->c.flags &= ~(unsigned)(SF_PE | SF_C1);
                if (trapped(x, STORE_TRAPS))
                    break; /* no store, no pop */
                stm(cpu, addr, w, msize);
            } else if (trapped(x, STORE_TRAPS)) {
                break;
            } else {
                cpu_probe(cpu, addr, 10, true, cpu_mmu_idx(cpu));
                stm(cpu, addr, v.m, 8);
                stm(cpu, addr + 8, v.se, 2);
            }
            c1r = true;
        } else {
            put(cpu, di, v);
        }
        if (op == X86_OP_FSTP)
            pop(cpu);
        break;
    }
    case X86_OP_FIST: case X86_OP_FISTP: case X86_OP_FISTTP: {
        fx80 v = rd(x, 0);
        uint64_t w = fx_to_int(&x->c, v, msize, op == X86_OP_FISTTP);
        c1r = true;
        if (trapped(x, STORE_TRAPS))
            break;
        stm(cpu, addr, w, msize);
        if (op != X86_OP_FIST)
            pop(cpu);
        break;
    }
    case X86_OP_FBSTP:
        x87_bcd_store(x, addr, rd(x, 0));
        c1r = true;
        if (!trapped(x, STORE_TRAPS))
            pop(cpu);
        break;
    case X86_OP_FXCH: {
        unsigned i = di == X87_NONE ? 1 : di;
        fx80 a = rd(x, 0), b = rd(x, i);
        put(cpu, 0, b);
        put(cpu, i, a);
        if (!x->c1_set) { x->c1_set = true; x->c1 = 0; }
        break;
    }
    case X86_OP_FADD: case X86_OP_FMUL: case X86_OP_FSUB: case X86_OP_FSUBR: case X86_OP_FDIV:
    case X86_OP_FDIVR: case X86_OP_FADDP: case X86_OP_FMULP: case X86_OP_FSUBP: case X86_OP_FSUBRP:
    case X86_OP_FDIVP: case X86_OP_FDIVRP: case X86_OP_FIADD: case X86_OP_FIMUL: case X86_OP_FISUB:
    case X86_OP_FISUBR: case X86_OP_FIDIV: case X86_OP_FIDIVR: {
        unsigned d = mem ? 0 : di, s = mem ? 0 : si;
        unsigned f0 = x->c.flags;
        fx80 a0 = get(cpu, d);
        fx80 b = mem ? x87_load_mem2(x, op, addr, msize, &a0) : rd(x, s);
        fx80 a = rd(x, d);
        x->c.prec = prec_of(cpu->fpu.fcw);
        fx80 r = x->uflow ? fx_default_nan() : arith(x, op, a, b);
        if (x->uflow)
            x->c.flags &= SF_IE | FSW_SF;
        if ((x->c.flags & (SF_IE | SF_ZE)) && !(f0 & SF_DE))
            x->c.flags &= ~SF_DE; /* invalid / divide-by-zero take precedence over DE */
        put(cpu, d, r);
        c1r = true;
        if (op == X86_OP_FADDP || op == X86_OP_FMULP || op == X86_OP_FSUBP || op == X86_OP_FSUBRP ||
            op == X86_OP_FDIVP || op == X86_OP_FDIVRP)
            pop(cpu);
        break;
    }
    case X86_OP_FCOM: case X86_OP_FCOMP: case X86_OP_FUCOM: case X86_OP_FUCOMP:
    case X86_OP_FICOM: case X86_OP_FICOMP: case X86_OP_FCOMPP: case X86_OP_FUCOMPP: case X86_OP_FTST: {
        fx80 a0 = get(cpu, 0);
        fx80 b = op == X86_OP_FTST ? fx_zero(false) : mem ? x87_load_mem2(x, op, addr, msize, &a0) :
                 rd(x, di == X87_NONE ? 1 : di);
        fx80 a = rd(x, 0);
        if (x->uflow) {
            x->c.flags &= SF_IE | FSW_SF;
            set_cc(cpu, 1, 1, 1);
        } else {
            compare(x, a, b, op == X86_OP_FUCOM || op == X86_OP_FUCOMP || op == X86_OP_FUCOMPP);
        }
        if (!x->c1_set) { x->c1_set = true; x->c1 = 0; }
        if (op == X86_OP_FCOMP || op == X86_OP_FUCOMP || op == X86_OP_FICOMP)
            pop(cpu);
        if (op == X86_OP_FCOMPP || op == X86_OP_FUCOMPP) {
            pop(cpu);
            pop(cpu);
        }
        break;
    }
    case X86_OP_FCOMI: case X86_OP_FCOMIP: case X86_OP_FUCOMI: case X86_OP_FUCOMIP: {
        fx80 a = rd(x, 0), b = rd(x, si);
        int r = x->uflow ? 2 : fx_cmp(&x->c, a, b, op == X86_OP_FUCOMI || op == X86_OP_FUCOMIP);
        ret = comi_flags(r) | 1ull << 63; /* also with an unmasked IE (as the host) */
        if (!x->c1_set) { /* C1 is left alone unless a stack fault sets it (as the host) */
            x->c1_set = true;
            x->c1 = (cpu->fpu.fsw & FSW_C1) != 0;
        }
        if (op == X86_OP_FCOMIP || op == X86_OP_FUCOMIP)
            pop(cpu);
        break;
    }
    case X86_OP_FCMOVCC:
        if (empty(cpu, si) || empty(cpu, 0)) {
            stack_fault(x, false);
            put(cpu, 0, fx_default_nan());
        } else {
            if (cond)
                put(cpu, 0, get(cpu, si));
            x->c1_set = true; /* C1 unchanged (as the host) */
            x->c1 = (cpu->fpu.fsw & FSW_C1) != 0;
        }
        break;
    case X86_OP_FCHS: case X86_OP_FABS: {
        fx80 v = rd(x, 0);
        if (x->uflow) /* stack underflow: the indefinite, as is */
            ;
        else if (op == X86_OP_FCHS) v.se ^= 0x8000; else v.se &= 0x7fff;
        put(cpu, 0, v);
        if (!x->c1_set) { x->c1_set = true; x->c1 = 0; }
        break;
    }
    case X86_OP_FSQRT:
        x->c.prec = prec_of(cpu->fpu.fcw);
        put(cpu, 0, fx_sqrt(&x->c, rd(x, 0)));
        c1r = true;
        break;
    case X86_OP_FRNDINT:
        put(cpu, 0, fx_round_int(&x->c, rd(x, 0)));
        c1r = true;
        break;
    case X86_OP_FSCALE: {
        fx80 a = rd(x, 0), b = rd(x, 1);
        put(cpu, 0, x->uflow ? fx_default_nan() : fx_scale(&x->c, a, b));
        c1r = true;
        break;
    }
    case X86_OP_FXTRACT: {
        fx80 v = rd(x, 0);
        if (!empty(cpu, 7) || x->uflow) { /* stack fault: both results indefinite */
            put(cpu, 0, fx_default_nan());
            push(x, fx_default_nan());
        } else if (fx_is_zero(v)) {
            x->c.flags |= SF_ZE;
            put(cpu, 0, fx_inf(true));
            push(x, v);
        } else if (fx_is_nan(v) || fx_is_unsupported(v)) {
            if (fx_is_snan(v) || fx_is_unsupported(v)) x->c.flags |= SF_IE;
            fx80 q = fx_is_unsupported(v) ? fx_default_nan() : v;
            q.m |= 1ull << 62;
            put(cpu, 0, q);
            push(x, q);
        } else if (fx_is_inf(v)) {
            put(cpu, 0, fx_inf(false));
            push(x, v);
        } else {
            if (fx_is_denormal(v)) x->c.flags |= SF_DE;
            int32_t e = (v.se & 0x7fff) ? (v.se & 0x7fff) : 1;
            uint64_t m = v.m;
            while (!(m >> 63)) { m <<= 1; e--; }
            fx80 sig = { m, (uint16_t)((v.se & 0x8000) | 16383) };
            put(cpu, 0, fx_from_i64(e - 16383));
            push(x, sig);
        }
        break;
    }
    case X86_OP_FPREM: x87_fprem(x, false); break;
    case X86_OP_FPREM1: x87_fprem(x, true); break;
    case X86_OP_FXAM: x87_fxam(x); break;
    case X86_OP_FINCSTP: case X86_OP_FDECSTP:
        set_top(cpu, x87_top(cpu) + (op == X86_OP_FINCSTP ? 1 : 7));
        x->c1_set = true;
        x->c1 = 0;
        break;
    case X86_OP_FFREE: case X86_OP_FFREEP:
        set_tag(cpu, phys(cpu, di), 3);
        if (op == X86_OP_FFREEP)
            set_top(cpu, x87_top(cpu) + 1);
        break;
    case X86_OP_FNOP: /* condition codes unchanged (as the host) */
        x->c1_set = true;
        x->c1 = (cpu->fpu.fsw & FSW_C1) != 0;
        break;
    case X86_OP_FSIN: case X86_OP_FCOS: case X86_OP_FSINCOS: case X86_OP_FPTAN: {
        /* cpu/x87_trans.c; the precision control does not apply (64-bit results) */
        enum x87t_trig w = op == X86_OP_FSIN ? X87T_SIN : op == X86_OP_FCOS ? X87T_COS
                         : op == X86_OP_FSINCOS ? X87T_SINCOS : X87T_TAN;
        fx80 r1, r2;
        if (!x87t_trig(&x->c, w, rd(x, 0), &r1, &r2)) {
            set_cc(cpu, (cpu->fpu.fsw & FSW_C3) != 0, 1, (cpu->fpu.fsw & FSW_C0) != 0);
            break; /* |x| >= 2^63: C2 = 1, nothing else changes */
        }
        put(cpu, 0, r1);
        if (op == X86_OP_FSINCOS)
            push(x, r2);
        else if (op == X86_OP_FPTAN)
            push(x, fx_is_nan(r1) ? r1 : fx_from_i64(1)); /* a NaN result is pushed twice */
        cpu->fpu.fsw &= (uint16_t)~FSW_C2;
        break;
    }
    case X86_OP_FPATAN: case X86_OP_FYL2X: case X86_OP_FYL2XP1: {
        fx80 a = rd(x, 0), b = rd(x, 1);
        fx80 r = op == X86_OP_FPATAN ? x87t_atan2(&x->c, b, a) : x87t_yl2x(&x->c, b, a, op == X86_OP_FYL2XP1);
        put(cpu, 1, r);
        pop(cpu);
        break;
    }
    case X86_OP_F2XM1:
        put(cpu, 0, x87t_2xm1(&x->c, rd(x, 0)));
        break;
    default:
        cpu_raise(cpu, EXC_UD, false, 0);
    }
    /* no result: nor the post-computation exceptions. FLD of a denormal m32/m64 with
       DE unmasked still loads (as the host). */
    if (trapped(x, op == X86_OP_FLD && mem ? PRE_TRAPS & ~SF_DE : PRE_TRAPS)) {
        x->c.flags &= ~(unsigned)(SF_OE | SF_UE | SF_PE | SF_C1);
        if ((op == X86_OP_FPREM || op == X86_OP_FPREM1) && !(x->c.flags & FSW_SF)) { /* C1 = 0 */
            x->c1_set = true;
            x->c1 = false;
        }
        memcpy(cpu->fpu.st, st_save, sizeof st_save);
        cpu->fpu.ftw = ftw_save;
        if (op == X86_OP_FPREM || op == X86_OP_FPREM1) /* C0 C3 kept, C2 = 0 (host) */
            cpu->fpu.fsw = (uint16_t)((cpu->fpu.fsw & ~(FSW_C0 | FSW_C2 | FSW_C3)) |
                                      (fsw_save & (FSW_C0 | FSW_C3)));
        cpu->fpu.fsw = (uint16_t)((cpu->fpu.fsw & ~0x3800u) | top_save);
    }
    finish(x, c1r);
    cpu->fpu.fop = fop;
    cpu->fpu.fip = cpu->rip;
    cpu->fpu.fcs = cpu->seg[X86_SEG_CS].sel;
    if (mem)
        cpu->fpu.fdp = addr;
    return ret;
}
const struct ir_helper helper_x87 = { h_x87, "x87", 0 };
