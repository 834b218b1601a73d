/* SPDX-License-Identifier: MIT */
/* flags.c: computing x86 arithmetic flags from the lazy condition-code state. */
#include "cpu/flags.h"
#include "cpu/cpu.h"

static uint64_t sz_mask(unsigned lg)
{
    return lg == 3 ? ~(uint64_t)0 : ((uint64_t)1 << (8u << lg)) - 1;
}

uint64_t cc_parity(uint64_t v)
{
    return (__builtin_popcount((unsigned)(v & 0xff)) & 1) ? 0 : CPU_PF;
}

/* PF ZF SF of a result already masked to the size. */
static uint64_t pzs(uint64_t r, uint64_t sign)
{
    return cc_parity(r) | (r == 0 ? CPU_ZF : 0) | ((r & sign) ? CPU_SF : 0);
}

uint64_t cc_compute_all(unsigned cc_op, uint64_t dst, uint64_t src, uint64_t src2)
{
    if (cc_op == CC_OP_EFLAGS || cc_op >= CC_OP_NUM)
        return src & CPU_ARITH_FLAGS;
    unsigned lg = CC_SIZELOG(cc_op);
    uint64_t m = sz_mask(lg), sign = (m >> 1) + 1;
    uint64_t r = dst & m, b = src & m, a, f = 0;
    switch (CC_KIND(cc_op)) {
    case CC_OP_ADD:
        a = src2 & m;
        f = r < a ? CPU_CF : 0;
        f |= ((a ^ r) & (b ^ r) & sign) ? CPU_OF : 0;
        f |= (a ^ b ^ r) & CPU_AF;
        break;
    case CC_OP_ADC: {
        uint64_t c = src2 & 1;
        a = (r - b - c) & m;
        f = (c ? r <= a : r < a) ? CPU_CF : 0;
        f |= ((a ^ r) & (b ^ r) & sign) ? CPU_OF : 0;
        f |= (a ^ b ^ r) & CPU_AF;
        break;
    }
    case CC_OP_SUB:
        a = src2 & m;
        f = a < b ? CPU_CF : 0;
        f |= ((a ^ b) & (a ^ r) & sign) ? CPU_OF : 0;
        f |= (a ^ b ^ r) & CPU_AF;
        break;
    case CC_OP_SBB: {
        uint64_t c = src2 & 1;
        a = (r + b + c) & m;
        f = (c ? a <= b : a < b) ? CPU_CF : 0;
        f |= ((a ^ b) & (a ^ r) & sign) ? CPU_OF : 0;
        f |= (a ^ b ^ r) & CPU_AF;
        break;
    }
    case CC_OP_LOGIC:
        break;
    case CC_OP_INC:
        f = (src2 & 1) ? CPU_CF : 0;
        f |= r == sign ? CPU_OF : 0;
        f |= (r ^ ((r - 1) & m) ^ 1) & CPU_AF;
        break;
    case CC_OP_DEC:
        f = (src2 & 1) ? CPU_CF : 0;
        f |= r == sign - 1 ? CPU_OF : 0;
        f |= (r ^ ((r + 1) & m) ^ 1) & CPU_AF;
        break;
    case CC_OP_SHL: /* AF: the AMD host sets it after every shift */
        f = (src & 1) ? CPU_CF : 0;
        f |= (((r & sign) != 0) ^ (src & 1)) ? CPU_OF : 0;
        f |= CPU_AF;
        break;
    case CC_OP_SHR:
        f = (src & 1) ? CPU_CF : 0;
        f |= (src2 & sign) ? CPU_OF : 0;
        f |= CPU_AF;
        break;
    case CC_OP_SAR:
        f = (src & 1) ? CPU_CF : 0;
        f |= CPU_AF;
        break;
    case CC_OP_MUL: /* SF ZF AF PF keep their old values (as on the AMD host) */
        return (src2 & (CPU_SF | CPU_ZF | CPU_AF | CPU_PF)) | (src ? CPU_CF | CPU_OF : 0);
    case CC_OP_BEXTR: /* ZF PF from the result, AF = 1, SF = 0 (AMD host) */
        return (r == 0 ? CPU_ZF : 0) | cc_parity(r) | CPU_AF;
    case CC_OP_BMI:
        f = (src & 1) ? CPU_CF : 0;
        break;
    }
    return f | pzs(r, sign);
}

/* CF alone without the other five (INC/DEC after a block boundary need it:
   keep this short). Agrees with cc_compute_all(...) & CPU_CF for every input. */
uint64_t cc_compute_cf(unsigned cc_op, uint64_t dst, uint64_t src, uint64_t src2)
{
    if (cc_op == CC_OP_EFLAGS || cc_op >= CC_OP_NUM)
        return src & CPU_CF;
    uint64_t m = sz_mask(CC_SIZELOG(cc_op)), r = dst & m, b = src & m, c = src2 & 1, a;
    switch (CC_KIND(cc_op)) {
    case CC_OP_ADD:
        return r < (src2 & m);
    case CC_OP_ADC:
        a = (r - b - c) & m;
        return c ? r <= a : r < a;
    case CC_OP_SUB:
        return (src2 & m) < b;
    case CC_OP_SBB:
        a = (r + b + c) & m;
        return c ? a <= b : a < b;
    case CC_OP_INC: case CC_OP_DEC:
        return c;
    case CC_OP_SHL: case CC_OP_SHR: case CC_OP_SAR: case CC_OP_BMI:
        return src & 1;
    case CC_OP_MUL:
        return src != 0;
    default: /* LOGIC, BEXTR, and kind 0 with a size (not EFLAGS) */
        return 0;
    }
}

int cc_eval(unsigned cond, uint64_t f)
{
    int r;
    switch ((cond >> 1) & 7) {
    case 0: r = (f & CPU_OF) != 0; break;
    case 1: r = (f & CPU_CF) != 0; break;
    case 2: r = (f & CPU_ZF) != 0; break;
    case 3: r = (f & (CPU_CF | CPU_ZF)) != 0; break;
    case 4: r = (f & CPU_SF) != 0; break;
    case 5: r = (f & CPU_PF) != 0; break;
    case 6: r = ((f & CPU_SF) != 0) != ((f & CPU_OF) != 0); break;
    default: r = (f & CPU_ZF) || (((f & CPU_SF) != 0) != ((f & CPU_OF) != 0)); break;
    }
    return (cond & 1) ? !r : r;
}

static uint64_t h_all(void *env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    (void)env;
    return cc_compute_all((unsigned)a0, a1, a2, a3);
}

static uint64_t h_cf(void *env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    (void)env;
    return cc_compute_cf((unsigned)a0, a1, a2, a3) ? 1 : 0;
}

static uint64_t h_cond(void *env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    (void)env; (void)a2; (void)a3;
    return (uint64_t)cc_eval((unsigned)a1, a0);
}

const struct ir_helper cc_helper_all = { h_all, "cc_all", IR_HELPER_NO_ENV | IR_HELPER_PURE };
const struct ir_helper cc_helper_cf = { h_cf, "cc_cf", IR_HELPER_NO_ENV | IR_HELPER_PURE };
const struct ir_helper cc_helper_cond = { h_cond, "cc_cond", IR_HELPER_NO_ENV | IR_HELPER_PURE };
