/* SPDX-License-Identifier: MIT */
/* tr_bits.c: BT BTS BTR BTC BSF BSR TZCNT LZCNT POPCNT, BMI1/BMI2, ADCX ADOX. */
#include "cpu/tr.h"
#include "cpu/helpers.h"
#include "cpu/rmw.h"

/* Replaces the bits in `bits` of the current flags with v (already positioned). */
static void set_some_flags(struct tr *s, uint64_t bits, ir_temp v)
{
    ir_temp f = tr_flags(s), g = tr_tmp(s);
    ir_binop(s->b, IR_AND, 64, g, f, tr_const(s, ~bits));
    ir_binop(s->b, IR_OR, 64, g, g, v);
    tr_set_flags_val(s, g);
}

bool tr_bt(struct tr *s)
{
    const struct x86_insn *in = s->in;
    const struct x86_operand *dop = &in->ops[0], *bop = &in->ops[1];
    unsigned sz = dop->size, w = tr_w(sz), op = in->op;
    struct tr_opnd d;
    ir_temp bit;
    if (bop->kind == X86_OPK_IMM) {
        bit = tr_const(s, (uint64_t)bop->imm & (w - 1));
        tr_opnd(s, &d, dop);
    } else {
        ir_temp off = tr_get_regop(s, bop);
        bit = tr_tmp(s);
        ir_binop(s->b, IR_AND, 64, bit, off, tr_const(s, w - 1));
        if (dop->kind == X86_OPK_MEM) {
            /* bit string: the signed offset selects the operand-sized word */
            ir_temp so = tr_tmp(s), disp = tr_tmp(s), ea = tr_ea(s, dop), ea2 = tr_tmp(s);
            ir_sext(s->b, 64, so, off, w);
            ir_binop(s->b, IR_SAR, 64, disp, so, tr_const(s, tr_lg(sz) + 3));
            ir_binop(s->b, IR_SHL, 64, disp, disp, tr_const(s, tr_lg(sz)));
            ir_binop(s->b, IR_ADD, tr_w(in->addrsize), ea2, ea, disp);
            d.op = dop;
            d.size = sz;
            d.addr = tr_linear(s, dop->seg, ea2, sz);
            if (op != X86_OP_BT)
                s->rmw_addr = d.addr;
        } else {
            tr_opnd(s, &d, dop);
        }
    }
    ir_temp mask = tr_tmp(s), a, cf = tr_tmp(s);
    ir_binop(s->b, IR_SHL, 64, mask, tr_const(s, 1), bit);
    if (in->lock && op != X86_OP_BT) {
        a = tr_tmp(s);
        unsigned kind = op == X86_OP_BTS ? RMW_BTS : op == X86_OP_BTR ? RMW_BTR : RMW_BTC;
        tr_seg_wcheck(s, d.addr);
        tr_call(s, &helper_lock_rmw, a, tr_const(s, kind | (sz << 8) | (dop->seg == X86_SEG_SS ? RMW_SS : 0)), d.addr, mask, tr_const(s, 0));
    } else {
        a = tr_read(s, &d);
    }
    ir_binop(s->b, IR_SHR, 64, cf, a, bit);
    ir_binop(s->b, IR_AND, 64, cf, cf, tr_const(s, 1));
    if (op != X86_OP_BT && !in->lock) {
        ir_temp r = tr_tmp(s);
        if (op == X86_OP_BTS) {
            ir_binop(s->b, IR_OR, w, r, a, mask);
        } else if (op == X86_OP_BTC) {
            ir_binop(s->b, IR_XOR, w, r, a, mask);
        } else {
            ir_temp nm = tr_tmp(s);
            ir_unop(s->b, IR_NOT, 64, nm, mask);
            ir_binop(s->b, IR_AND, w, r, a, nm);
        }
        tr_write(s, &d, r);
    }
    set_some_flags(s, CPU_CF, cf);
    return true;
}

/* Flags as a constant pattern plus ZF (and CF) conditions. */
static void flags_zc(struct tr *s, ir_temp zf01, ir_temp cf01)
{
    ir_temp f = tr_tmp(s);
    ir_binop(s->b, IR_SHL, 64, f, zf01, tr_const(s, 6));
    if (cf01 != IR_NONE)
        ir_binop(s->b, IR_OR, 64, f, f, cf01);
    tr_set_flags_val(s, f);
}

bool tr_bscan(struct tr *s)
{
    const struct x86_operand *d = &s->in->ops[0];
    unsigned sz = d->size, w = tr_w(sz);
    ir_temp v = tr_src(s, &s->in->ops[1]);
    ir_temp r = tr_tmp(s), z = tr_tmp(s);
    if (s->in->op == X86_OP_BSF) {
        ir_unop(s->b, IR_CTZ, w, r, v);
    } else {
        ir_temp t = tr_tmp(s);
        ir_unop(s->b, IR_CLZ, w, t, v);
        ir_binop(s->b, IR_SUB, w, r, tr_const(s, w - 1), t);
    }
    ir_setcond(s->b, w, IR_EQ, z, v, tr_const(s, 0));
    /* zero source: the destination keeps its value (all 64 bits) */
    if (d->regclass == X86_RC_GPR) {
        ir_temp g = CPU_T_GPR(d->reg & 15), nv = tr_tmp(s), mv = tr_tmp(s);
        ir_mov(s->b, sz >= 4 ? w : 64, mv, r);
        if (sz < 4)
            ir_deposit(s->b, 64, mv, g, r, 0, w);
        ir_movcond(s->b, 64, IR_NE, nv, z, tr_const(s, 0), g, mv);
        ir_mov(s->b, 64, g, nv);
    }
    flags_zc(s, z, IR_NONE);
    return true;
}

bool tr_cnt(struct tr *s)
{
    const struct x86_operand *d = &s->in->ops[0];
    unsigned sz = d->size, w = tr_w(sz);
    ir_temp v = tr_src(s, &s->in->ops[1]);
    ir_temp r = tr_tmp(s), z = tr_tmp(s), c = tr_tmp(s);
    switch (s->in->op) {
    case X86_OP_TZCNT: ir_unop(s->b, IR_CTZ, w, r, v); break;
    case X86_OP_LZCNT: ir_unop(s->b, IR_CLZ, w, r, v); break;
    default: ir_unop(s->b, IR_POPCNT, w, r, v); break;
    }
    tr_set_regop(s, d, r);
    if (s->in->op == X86_OP_POPCNT) {
        ir_setcond(s->b, w, IR_EQ, z, v, tr_const(s, 0));
        flags_zc(s, z, IR_NONE);
    } else {
        ir_setcond(s->b, w, IR_EQ, z, r, tr_const(s, 0));
        ir_setcond(s->b, w, IR_EQ, c, v, tr_const(s, 0));
        flags_zc(s, z, c);
    }
    return true;
}

bool tr_bmi(struct tr *s)
{
    const struct x86_insn *in = s->in;
    const struct x86_operand *d = &in->ops[0];
    unsigned sz = d->size, w = tr_w(sz), lg = tr_lg(sz), op = in->op;
    ir_temp r = tr_tmp(s), cf = IR_NONE;
    switch (op) {
    case X86_OP_ANDN: {
        ir_temp a = tr_src(s, &in->ops[1]), b = tr_src(s, &in->ops[2]), na = tr_tmp(s);
        ir_unop(s->b, IR_NOT, w, na, a);
        ir_binop(s->b, IR_AND, w, r, na, b);
        cf = tr_const(s, 0);
        break;
    }
    case X86_OP_BEXTR: case X86_OP_BZHI: {
        ir_temp a = tr_src(s, &in->ops[1]), ctl = tr_src(s, &in->ops[2]);
        ir_temp start = tr_tmp(s), len = tr_tmp(s), t = tr_tmp(s), m = tr_tmp(s), m2 = tr_tmp(s);
        ir_temp wc = tr_const(s, w);
        if (op == X86_OP_BEXTR) {
            ir_binop(s->b, IR_AND, 64, start, ctl, tr_const(s, 0xff));
            ir_extract(s->b, 64, len, ctl, 8, 8);
            /* t = start < w ? a >> start : 0 */
            ir_binop(s->b, IR_SHR, 64, t, a, start);
            ir_movcond(s->b, 64, IR_LTU, t, start, wc, t, tr_const(s, 0));
            cf = tr_const(s, 0);
        } else {
            ir_binop(s->b, IR_AND, 64, len, ctl, tr_const(s, 0xff));
            ir_mov(s->b, 64, t, a);
            cf = tr_tmp(s);
            ir_setcond(s->b, 64, IR_GEU, cf, len, wc);
        }
        /* mask = len < w ? (1 << len) - 1 : all ones */
        ir_binop(s->b, IR_SHL, 64, m, tr_const(s, 1), len);
        ir_binop(s->b, IR_SUB, 64, m, m, tr_const(s, 1));
        ir_movcond(s->b, 64, IR_LTU, m2, len, wc, m, tr_const(s, ~(uint64_t)0));
        ir_binop(s->b, IR_AND, w, r, t, m2);
        break;
    }
    case X86_OP_BLSI: case X86_OP_BLSMSK: case X86_OP_BLSR: {
        ir_temp a = tr_src(s, &in->ops[1]), t = tr_tmp(s);
        cf = tr_tmp(s);
        if (op == X86_OP_BLSI) {
            ir_unop(s->b, IR_NEG, w, t, a);
            ir_binop(s->b, IR_AND, w, r, t, a);
            ir_setcond(s->b, w, IR_NE, cf, a, tr_const(s, 0));
        } else {
            ir_binop(s->b, IR_SUB, w, t, a, tr_const(s, 1));
            ir_binop(s->b, op == X86_OP_BLSR ? IR_AND : IR_XOR, w, r, t, a);
            ir_setcond(s->b, w, IR_EQ, cf, a, tr_const(s, 0));
        }
        break;
    }
    case X86_OP_MULX: {
        ir_temp b = tr_src(s, &in->ops[2]), a = tr_get_gpr(s, X86_RDX, sz), lo = tr_tmp(s);
        if (sz == 8) {
            ir_binop(s->b, IR_MUL, 64, lo, a, b);
            ir_binop(s->b, IR_MULUH, 64, r, a, b);
        } else {
            ir_temp p = tr_tmp(s);
            ir_binop(s->b, IR_MUL, 64, p, a, b);
            ir_mov(s->b, 32, lo, p);
            ir_binop(s->b, IR_SHR, 64, r, p, tr_const(s, 32));
        }
        tr_set_regop(s, &in->ops[1], lo);
        tr_set_regop(s, d, r);
        return true;
    }
    case X86_OP_PDEP: case X86_OP_PEXT: {
        ir_temp a = tr_src(s, &in->ops[1]), m = tr_src(s, &in->ops[2]);
        tr_call(s, op == X86_OP_PDEP ? &helper_pdep : &helper_pext, r, a, m, IR_NONE, IR_NONE);
        tr_set_regop(s, d, r);
        return true;
    }
    case X86_OP_RORX: {
        ir_temp a = tr_src(s, &in->ops[1]);
        ir_binop(s->b, IR_ROTR, w, r, a, tr_const(s, (uint64_t)in->ops[2].imm & (w - 1)));
        tr_set_regop(s, d, r);
        return true;
    }
    case X86_OP_SARX: case X86_OP_SHLX: case X86_OP_SHRX: {
        ir_temp a = tr_src(s, &in->ops[1]), c = tr_src(s, &in->ops[2]), cm = tr_tmp(s);
        ir_binop(s->b, IR_AND, 64, cm, c, tr_const(s, w - 1));
        ir_binop(s->b, op == X86_OP_SARX ? IR_SAR : op == X86_OP_SHLX ? IR_SHL : IR_SHR, w, r, a, cm);
        tr_set_regop(s, d, r);
        return true;
    }
    default:
        return false;
    }
    tr_set_regop(s, d, r);
    if (op == X86_OP_BEXTR)
        tr_set_cc(s, CC_OP_BEXTR + lg, r, IR_NONE, IR_NONE);
    else
        tr_set_cc(s, CC_OP_BMI + lg, r, cf, IR_NONE);
    return true;
}

bool tr_adcx(struct tr *s)
{
    const struct x86_operand *d = &s->in->ops[0];
    unsigned sz = d->size, w = tr_w(sz);
    uint64_t bitmask = s->in->op == X86_OP_ADCX ? CPU_CF : CPU_OF;
    unsigned pos = s->in->op == X86_OP_ADCX ? 0 : 11;
    ir_temp b = tr_src(s, &s->in->ops[1]), a = tr_get_regop(s, d);
    ir_temp f = tr_flags(s), c = tr_tmp(s), t = tr_tmp(s), r = tr_tmp(s);
    ir_temp lt = tr_tmp(s), le = tr_tmp(s), co = tr_tmp(s), g = tr_tmp(s);
    ir_extract(s->b, 64, c, f, pos, 1);
    ir_binop(s->b, IR_ADD, w, t, a, b);
    ir_binop(s->b, IR_ADD, w, r, t, c);
    ir_setcond(s->b, w, IR_LTU, lt, r, a);
    ir_setcond(s->b, w, IR_LEU, le, r, a);
    ir_movcond(s->b, 64, IR_NE, co, c, tr_const(s, 0), le, lt);
    ir_binop(s->b, IR_SHL, 64, co, co, tr_const(s, pos));
    ir_binop(s->b, IR_AND, 64, g, f, tr_const(s, ~bitmask));
    ir_binop(s->b, IR_OR, 64, g, g, co);
    tr_set_regop(s, d, r);
    tr_set_flags_val(s, g);
    return true;
}
