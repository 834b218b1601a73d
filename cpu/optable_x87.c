/* SPDX-License-Identifier: MIT */
/* optable_x87.c: x87 escape opcodes D8..DF (SDM Tables A-7 .. A-22), memory and register forms. */
#include "cpu/optable.h"

/* Register forms the SDM leaves blank but hardware executes as aliases
   (D9 D8+i FSTP, DC D0+i FCOM, DC D8+i FCOMP, DD C8+i FXCH, DE D0+i FCOMP,
   DF C8+i FXCH, DF D0+i / D8+i FSTP, DF C0+i FFREEP) are decoded as those
   instructions: see docs/DECODER.md. */

#define ARITH_M(sz_)                                                                     \
    E1(FADD, sz_, X87), E1(FMUL, sz_, X87), E1(FCOM, sz_, X87), E1(FCOMP, sz_, X87),     \
    E1(FSUB, sz_, X87), E1(FSUBR, sz_, X87), E1(FDIV, sz_, X87), E1(FDIVR, sz_, X87)
#define IARITH_M(sz_)                                                                    \
    E1(FIADD, sz_, X87), E1(FIMUL, sz_, X87), E1(FICOM, sz_, X87), E1(FICOMP, sz_, X87), \
    E1(FISUB, sz_, X87), E1(FISUBR, sz_, X87), E1(FIDIV, sz_, X87), E1(FIDIVR, sz_, X87)

static const struct x86_opdesc d8_mem[8] = { ARITH_M(Md) };
static const struct x86_opdesc d8_reg[8] = {
    E2(FADD, ST0, STi, X87), E2(FMUL, ST0, STi, X87), E1(FCOM, STi, X87), E1(FCOMP, STi, X87),
    E2(FSUB, ST0, STi, X87), E2(FSUBR, ST0, STi, X87), E2(FDIV, ST0, STi, X87),
    E2(FDIVR, ST0, STi, X87),
};

static const struct x86_opdesc d9_mem[8] = {
    E1(FLD, Md, X87), INV, E1(FST, Md, X87), E1(FSTP, Md, X87),
    E1(FLDENV, Menv, X87), E1(FLDCW, Mw, X87), E1(FNSTENV, Menv, X87), E1(FNSTCW, Mw, X87),
};
static const struct x86_opdesc d9_reg[8] = {
    E1(FLD, STi, X87), E1(FXCH, STi, X87),
    RM8(E0(FNOP, X87), INV, INV, INV, INV, INV, INV, INV),
    E1(FSTP, STi, X87),
    RM8(E0(FCHS, X87), E0(FABS, X87), INV, INV, E0(FTST, X87), E0(FXAM, X87), INV, INV),
    RM8(E0(FLD1, X87), E0(FLDL2T, X87), E0(FLDL2E, X87), E0(FLDPI, X87), E0(FLDLG2, X87),
        E0(FLDLN2, X87), E0(FLDZ, X87), INV),
    RM8(E0(F2XM1, X87), E0(FYL2X, X87), E0(FPTAN, X87), E0(FPATAN, X87), E0(FXTRACT, X87),
        E0(FPREM1, X87), E0(FDECSTP, X87), E0(FINCSTP, X87)),
    RM8(E0(FPREM, X87), E0(FYL2XP1, X87), E0(FSQRT, X87), E0(FSINCOS, X87), E0(FRNDINT, X87),
        E0(FSCALE, X87), E0(FSIN, X87), E0(FCOS, X87)),
};

static const struct x86_opdesc da_mem[8] = { IARITH_M(Md) };
static const struct x86_opdesc da_reg[8] = {
    E2(FCMOVCC, ST0, STi, X87 | CC), E2(FCMOVCC, ST0, STi, X87 | CC),
    E2(FCMOVCC, ST0, STi, X87 | CC), E2(FCMOVCC, ST0, STi, X87 | CC), INV,
    RM8(INV, E0(FUCOMPP, X87), INV, INV, INV, INV, INV, INV), INV, INV,
};

static const struct x86_opdesc db_mem[8] = {
    E1(FILD, Md, X87), E1(FISTTP, Md, X87), E1(FIST, Md, X87), E1(FISTP, Md, X87),
    INV, E1(FLD, Mt, X87), INV, E1(FSTP, Mt, X87),
};
static const struct x86_opdesc db_reg[8] = {
    E2(FCMOVCC, ST0, STi, X87 | CC), E2(FCMOVCC, ST0, STi, X87 | CC),
    E2(FCMOVCC, ST0, STi, X87 | CC), E2(FCMOVCC, ST0, STi, X87 | CC),
    RM8(E0(FENI, X87), E0(FDISI, X87), E0(FNCLEX, X87), E0(FNINIT, X87), E0(FSETPM, X87),
        INV, INV, INV),
    E2(FUCOMI, ST0, STi, X87), E2(FCOMI, ST0, STi, X87), INV,
};

static const struct x86_opdesc dc_mem[8] = { ARITH_M(Mq) };
static const struct x86_opdesc dc_reg[8] = {
    E2(FADD, STi, ST0, X87), E2(FMUL, STi, ST0, X87), E1(FCOM, STi, X87), E1(FCOMP, STi, X87),
    E2(FSUBR, STi, ST0, X87), E2(FSUB, STi, ST0, X87), E2(FDIVR, STi, ST0, X87),
    E2(FDIV, STi, ST0, X87),
};

static const struct x86_opdesc dd_mem[8] = {
    E1(FLD, Mq, X87), E1(FISTTP, Mq, X87), E1(FST, Mq, X87), E1(FSTP, Mq, X87),
    E1(FRSTOR, Mstate, X87), INV, E1(FNSAVE, Mstate, X87), E1(FNSTSW, Mw, X87),
};
static const struct x86_opdesc dd_reg[8] = {
    E1(FFREE, STi, X87), E1(FXCH, STi, X87), E1(FST, STi, X87), E1(FSTP, STi, X87),
    E1(FUCOM, STi, X87), E1(FUCOMP, STi, X87), INV, INV,
};

static const struct x86_opdesc de_mem[8] = { IARITH_M(Mw) };
static const struct x86_opdesc de_reg[8] = {
    E2(FADDP, STi, ST0, X87), E2(FMULP, STi, ST0, X87), E1(FCOMP, STi, X87),
    RM8(INV, E0(FCOMPP, X87), INV, INV, INV, INV, INV, INV),
    E2(FSUBRP, STi, ST0, X87), E2(FSUBP, STi, ST0, X87), E2(FDIVRP, STi, ST0, X87),
    E2(FDIVP, STi, ST0, X87),
};

static const struct x86_opdesc df_mem[8] = {
    E1(FILD, Mw, X87), E1(FISTTP, Mw, X87), E1(FIST, Mw, X87), E1(FISTP, Mw, X87),
    E1(FBLD, Mt, X87), E1(FILD, Mq, X87), E1(FBSTP, Mt, X87), E1(FISTP, Mq, X87),
};
static const struct x86_opdesc df_reg[8] = {
    E1(FFREEP, STi, X87), E1(FXCH, STi, X87), E1(FSTP, STi, X87), E1(FSTP, STi, X87),
    RM8(E1(FNSTSW, AX, X87), INV, INV, INV, INV, INV, INV, INV),
    E2(FUCOMIP, ST0, STi, X87), E2(FCOMIP, ST0, STi, X87), INV,
};

#define ESC(m_, r_) MOD(GRP(m_, 0), GRP(r_, 0))

const struct x86_opdesc x86_map_x87[8] = {
    ESC(d8_mem, d8_reg), ESC(d9_mem, d9_reg), ESC(da_mem, da_reg), ESC(db_mem, db_reg),
    ESC(dc_mem, dc_reg), ESC(dd_mem, dd_reg), ESC(de_mem, de_reg), ESC(df_mem, df_reg),
};
