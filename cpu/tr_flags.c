/* SPDX-License-Identifier: MIT */
/* tr_flags.c: translator building blocks for the lazy flags: cc state, CF, conditions. */
#include <stddef.h>
#include <string.h>
#include "cpu/tr.h"
#include "cpu/helpers.h"

void tr_set_cc(struct tr *s, unsigned cc_op, ir_temp dst, ir_temp src, ir_temp src2)
{
    ir_mov(s->b, 32, CPU_T_CC_OP, ir_const(s->b, 32, cc_op));
    if (dst != IR_NONE)
        ir_mov(s->b, 64, CPU_T_CC_DST, dst);
    if (src != IR_NONE) {
        ir_mov(s->b, 64, CPU_T_CC_SRC, src);
        s->cc_src_set = true;
    } else if (s->cc_src_set) {
        /* as for cc_src2 below: no cc_op without a src reads it (a shift's CF
           followed by TEST is then never computed) */
        ir_mov(s->b, 64, CPU_T_CC_SRC, tr_const(s, 0));
        s->cc_src_set = false;
    }
    if (src2 != IR_NONE) {
        ir_mov(s->b, 64, CPU_T_CC_SRC2, src2);
        s->cc_src2_set = true;
    } else if (s->cc_src2_set) {
        /* cc_op does not read cc_src2: overwriting it makes the earlier write
           dead when no sync point follows it (the optimizer then drops it and
           what computed it, e.g. INC/DEC's cc_cf call) */
        ir_mov(s->b, 64, CPU_T_CC_SRC2, tr_const(s, 0));
        s->cc_src2_set = false;
    }
    s->cc_op = cc_op;
}

void tr_set_flags_val(struct tr *s, ir_temp flags)
{
    tr_set_cc(s, CC_OP_EFLAGS, IR_NONE, flags, IR_NONE);
}

ir_temp tr_flags(struct tr *s)
{
    ir_temp t = tr_tmp(s);
    if (s->cc_op == CC_OP_EFLAGS) {
        ir_binop(s->b, IR_AND, 64, t, CPU_T_CC_SRC, tr_const(s, CPU_ARITH_FLAGS));
        return t;
    }
    tr_call(s, &cc_helper_all, t, CPU_T_CC_OP, CPU_T_CC_DST, CPU_T_CC_SRC, CPU_T_CC_SRC2);
    return t;
}

static bool cf_inline(struct tr *s, unsigned op, ir_temp t);

bool tr_cf_inline_ok(unsigned op)
{
    unsigned k = CC_KIND(op);
    return op < CC_OP_NUM && (k != CC_OP_EFLAGS || op == CC_OP_EFLAGS) && k != CC_OP_ADC &&
           k != CC_OP_SBB && k != CC_OP_MUL && k != CC_OP_BEXTR;
}

void tr_cf_inline(struct tr *s, unsigned op, ir_temp t)
{
    if (!cf_inline(s, op, t))
        tr_call(s, &cc_helper_cf, t, CPU_T_CC_OP, CPU_T_CC_DST, CPU_T_CC_SRC, CPU_T_CC_SRC2);
}

/* CF (0/1) into t for a cc_op known at translation time, without the helper;
   false when it needs the helper. */
static bool cf_inline(struct tr *s, unsigned op, ir_temp t)
{
    unsigned w = tr_w(1u << CC_SIZELOG(op));
    switch (CC_KIND(op)) {
    case CC_OP_SUB:
        ir_setcond(s->b, w, IR_LTU, t, CPU_T_CC_SRC2, CPU_T_CC_SRC);
        return true;
    case CC_OP_ADD:
        ir_setcond(s->b, w, IR_LTU, t, CPU_T_CC_DST, CPU_T_CC_SRC2);
        return true;
    case CC_OP_LOGIC:
        ir_mov(s->b, 64, t, tr_const(s, 0));
        return true;
    case CC_OP_INC: case CC_OP_DEC:
        ir_binop(s->b, IR_AND, 64, t, CPU_T_CC_SRC2, tr_const(s, 1));
        return true;
    case CC_OP_SHL: case CC_OP_SHR: case CC_OP_SAR: case CC_OP_BMI:
        ir_binop(s->b, IR_AND, 64, t, CPU_T_CC_SRC, tr_const(s, 1));
        return true;
    case CC_OP_EFLAGS:
        if (op == CC_OP_EFLAGS) {
            ir_binop(s->b, IR_AND, 64, t, CPU_T_CC_SRC, tr_const(s, 1));
            return true;
        }
        return false;
    default:
        return false;
    }
}

/* CF into t for any cc_op at run time: a SUB/CMP of any size inline (shift both
   operands to the top, compare), the helper for the others. */
static void cf_dynamic(struct tr *s, ir_temp t)
{
    ir_temp k = tr_tmp(s), n = tr_tmp(s), bits = tr_tmp(s), sh = tr_tmp(s), a = tr_tmp(s),
            b = tr_tmp(s);
    unsigned done = ir_label_new(s->b);
    ir_binop(s->b, IR_AND, 32, n, CPU_T_CC_OP, tr_const(s, 3));
    ir_binop(s->b, IR_SHL, 32, bits, tr_const(s, 8), n);
    ir_binop(s->b, IR_SUB, 32, sh, tr_const(s, 64), bits);
    ir_binop(s->b, IR_SHL, 64, a, CPU_T_CC_SRC2, sh);
    ir_binop(s->b, IR_SHL, 64, b, CPU_T_CC_SRC, sh);
    ir_setcond(s->b, 64, IR_LTU, t, a, b);
    ir_binop(s->b, IR_AND, 32, k, CPU_T_CC_OP, tr_const(s, ~3u));
    ir_brcond(s->b, 32, IR_EQ, k, tr_const(s, CC_OP_SUB), done);
    tr_call(s, &cc_helper_cf, t, CPU_T_CC_OP, CPU_T_CC_DST, CPU_T_CC_SRC, CPU_T_CC_SRC2);
    ir_label(s->b, done);
}

ir_temp tr_cf(struct tr *s)
{
    ir_temp known = tr_cf_known(s);
    if (known != IR_NONE)
        return known;
    ir_temp t = tr_tmp(s);
    if (s->cc_op != CC_OP_DYNAMIC) {
        if (CC_KIND(s->cc_op) == CC_OP_LOGIC)
            return tr_const(s, 0);
        if (!cf_inline(s, s->cc_op, t))
            tr_call(s, &cc_helper_cf, t, CPU_T_CC_OP, CPU_T_CC_DST, CPU_T_CC_SRC, CPU_T_CC_SRC2);
        return t;
    }
    /*
     * Unknown at translation time (the block starts after a branch). Guess the
     * cc_op the CPU holds now, as this block is translated to run: the block's
     * predecessor most often sets the same kind of flags each time. A guard
     * compares the guess with the run-time cc_op, so a wrong guess costs only
     * time: the guessed kind's CF inline, the generic path otherwise.
     */
    unsigned g = s->cpu->cc_op;
    unsigned gk = CC_KIND(g);
    if (tr_cf_inline_ok(g)) {
        unsigned other = ir_label_new(s->b), done = ir_label_new(s->b);
        ir_brcond(s->b, 32, IR_NE, CPU_T_CC_OP, ir_const(s->b, 32, g), other);
        cf_inline(s, g, t);
        ir_br(s->b, done);
        ir_label(s->b, other);
        if (gk == CC_OP_SUB)
            tr_call(s, &cc_helper_cf, t, CPU_T_CC_OP, CPU_T_CC_DST, CPU_T_CC_SRC, CPU_T_CC_SRC2);
        else
            cf_dynamic(s, t);
        ir_label(s->b, done);
        return t;
    }
    cf_dynamic(s, t);
    return t;
}

/*
 * Fast forms: a condition as cmp(a, b) at width w from the known cc_op.
 * Returns false when the generic path must be used.
 */
static bool fast_cond(struct tr *s, unsigned cond, enum ir_cond *c, ir_temp *a, ir_temp *b, unsigned *w)
{
    if (s->cc_op == CC_OP_DYNAMIC || s->cc_op == CC_OP_EFLAGS)
        return false;
    unsigned k = CC_KIND(s->cc_op);
    unsigned t = cond >> 1;
    bool inv = cond & 1;
    *w = tr_w(1u << CC_SIZELOG(s->cc_op));
    static const enum ir_cond neg[] = {
        [IR_EQ] = IR_NE, [IR_NE] = IR_EQ, [IR_LTU] = IR_GEU, [IR_GEU] = IR_LTU,
        [IR_LEU] = IR_GTU, [IR_GTU] = IR_LEU, [IR_LT] = IR_GE, [IR_GE] = IR_LT,
        [IR_LE] = IR_GT, [IR_GT] = IR_LE, [IR_TSTEQ] = IR_TSTNE, [IR_TSTNE] = IR_TSTEQ,
        [IR_ALWAYS] = IR_NEVER, [IR_NEVER] = IR_ALWAYS,
    };
    enum ir_cond r;
    if (k == CC_OP_SUB) {
        *a = CPU_T_CC_SRC2;
        *b = CPU_T_CC_SRC;
        switch (t) {
        case 1: r = IR_LTU; break;
        case 2: r = IR_EQ; break;
        case 3: r = IR_LEU; break;
        case 6: r = IR_LT; break;
        case 7: r = IR_LE; break;
        case 4: r = IR_LT; *a = CPU_T_CC_DST; *b = tr_const(s, 0); break;
        default: return false;
        }
    } else if (k == CC_OP_LOGIC) {
        *a = CPU_T_CC_DST;
        *b = tr_const(s, 0);
        switch (t) {
        case 0: case 1: r = IR_NEVER; break;       /* OF, CF = 0 */
        case 2: case 3: r = IR_EQ; break;          /* ZF; CF|ZF = ZF */
        case 4: case 6: r = IR_LT; break;          /* SF; SF^OF = SF */
        case 7: r = IR_LE; break;
        default: return false;
        }
    } else if (k == CC_OP_ADD || k == CC_OP_INC || k == CC_OP_DEC || k == CC_OP_ADC ||
               k == CC_OP_SBB || k == CC_OP_SHL || k == CC_OP_SHR || k == CC_OP_SAR) {
        *a = CPU_T_CC_DST;
        *b = tr_const(s, 0);
        if (t == 2)
            r = IR_EQ;
        else if (t == 4)
            r = IR_LT;
        else
            return false;
    } else {
        return false;
    }
    *c = inv ? neg[r] : r;
    return true;
}

ir_temp tr_cond(struct tr *s, unsigned cond)
{
    enum ir_cond c;
    ir_temp a, b, t = tr_tmp(s);
    unsigned w;
    if (fast_cond(s, cond, &c, &a, &b, &w)) {
        if (c == IR_ALWAYS || c == IR_NEVER)
            return tr_const(s, c == IR_ALWAYS);
        ir_setcond(s->b, w, c, t, a, b);
        return t;
    }
    ir_temp f = tr_flags(s);
    tr_call(s, &cc_helper_cond, t, f, tr_const(s, cond), IR_NONE, IR_NONE);
    return t;
}

void tr_brcond(struct tr *s, unsigned cond, unsigned label)
{
    enum ir_cond c;
    ir_temp a, b;
    unsigned w;
    if (fast_cond(s, cond, &c, &a, &b, &w)) {
        if (c == IR_NEVER)
            return;
        if (c == IR_ALWAYS)
            ir_br(s->b, label);
        else
            ir_brcond(s->b, w, c, a, b, label);
        return;
    }
    ir_temp t = tr_cond(s, cond);
    ir_brcond(s->b, 64, IR_NE, t, tr_const(s, 0), label);
}
