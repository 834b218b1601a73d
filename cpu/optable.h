/* SPDX-License-Identifier: MIT */
/* optable.h: internal format of the decode tables (SDM opcode-map notation); see docs/DECODER.md. */
#ifndef KILN_CPU_OPTABLE_H
#define KILN_CPU_OPTABLE_H

#include <stdint.h>
#include "cpu/decode.h"

/*
 * Operand specifications, named as in the SDM opcode maps (appendix A):
 * addressing method letter + size letters. O_ prefix added by the E*() macros.
 */
enum x86_opspec {
    O_NONE,
    /* ModRM.rm: GPR or memory */
    O_Eb, O_Ew, O_Ed, O_Eq, O_Ev, O_Ey, O_Ez,
    O_RvMw,   /* register at operand size, memory word (SLDT, STR, SMSW, MOV Ev,Sw) */
    O_RdMb,   /* register 32, memory byte (PEXTRB, PINSRB) */
    O_RdMw,   /* register 32, memory word (PINSRW) */
    O_RzMw,   /* register 16/32 by operand size (32 with REX.W), memory word (LAR, LSL) */
    /* ModRM.reg: GPR */
    O_Gb, O_Gw, O_Gd, O_Gv, O_Gy,
    /* ModRM.rm: register only */
    O_Gyf,    /* Gy forced to 64 bits in 64-bit mode (INVPCID) */
    O_Rv, O_Ry,
    O_Ryf,    /* Ry forced to 64 bits in 64-bit mode (RDPID) */
    O_Rcr,    /* MOV CR/DR GPR operand: ModRM.mod ignored, 32/64 by mode */
    /* ModRM.rm: memory only */
    O_M, O_Mb, O_Mw, O_Md, O_Mq, O_Mdq, O_Mv, O_My, O_Mt /* 80-bit */, O_Mp, O_Ms, O_Ma,
    O_Mcx,    /* CMPXCHG8B/16B: 8 or 16 by REX.W */
    O_Mfx,    /* FXSAVE area, 512 */
    O_Menv,   /* x87 environment, 14/28 */
    O_Mstate, /* x87 state, 94/108 */
    /* immediates and offsets */
    O_Ib, O_Ibs /* sign-extended to operand size */, O_Iw, O_Iz, O_Iv, O_I1 /* constant 1 */,
    O_Jb, O_Jz, O_Ap, O_Ob, O_Ov,
    /* special registers from ModRM.reg */
    O_Sw, O_Cy, O_Dy,
    /* fixed registers */
    O_AL, O_CL, O_DX, O_AX, O_eAX /* 16/32 */, O_rAX /* operand size */,
    O_ES, O_CS, O_SS, O_DS, O_FS, O_GS,
    /* register in opcode bits 2:0 (+REX.B) */
    O_Zb, O_Zv, O_Zy,
    /* string operands */
    O_Xb, O_Xv, O_Xz, O_Yb, O_Yv, O_Yz, O_XLAT,
    /* MMX */
    O_Pq, O_Py, O_Qq, O_Qd, O_Nq,
    /* XMM */
    O_Vdq, O_Vq, O_Vd, O_Vy, O_Wdq, O_Wq, O_Wd, O_Ww, O_Udq, O_Uq, O_XMM0,
    /* x87 */
    O_ST0, O_STi,
    /* VEX.vvvv as GPR (32/64 by VEX.W) */
    O_By,
    O_COUNT
};

/* How an entry is resolved. */
enum x86_desc_kind {
    T_DIRECT, /* op + operands */
    T_GRP,    /* sub[ModRM.reg] */
    T_RM,     /* sub[ModRM.rm] */
    T_MOD,    /* sub[0] if memory form, sub[1] if register form */
    T_PFX,    /* sub[mandatory prefix column: none, 66, F3, F2] */
    T_MODE64, /* sub[0] outside 64-bit mode, sub[1] in 64-bit mode */
    T_REXW,   /* sub[REX.W] */
};

/* One table entry. An entry with kind T_DIRECT and op X86_OP_INVALID is #UD.
   Operands of a T_GRP/T_RM/T_MOD entry are inherited by sub-entries that list none;
   flags accumulate along the path. */
struct x86_opdesc {
    uint16_t op;
    uint8_t kind;
    uint8_t o[4];
    uint32_t flags;
    const struct x86_opdesc *sub;
};

/* Short flag names used in the tables. */
enum {
    LOCK = X86_F_LOCKABLE, I64 = X86_F_I64, O64 = X86_F_O64, D64 = X86_F_D64, F64 = X86_F_F64,
    MEMONLY = X86_F_MEMONLY, REGONLY = X86_F_REGONLY, STR = X86_F_STRING, BR = X86_F_BRANCH,
    CC = X86_F_COND, X87 = X86_F_X87, MMX = X86_F_MMX, SSE = X86_F_SSE, PRIV = X86_F_PRIV,
    SER = X86_F_SERIALIZE, XLOCK = X86_F_IMPLICIT_LOCK, UNS = X86_F_UNSUPPORTED,
};

#define E0(op_, f_) { .op = X86_OP_##op_, .flags = (f_) }
#define E1(op_, a_, f_) { .op = X86_OP_##op_, .o = { O_##a_ }, .flags = (f_) }
#define E2(op_, a_, b_, f_) { .op = X86_OP_##op_, .o = { O_##a_, O_##b_ }, .flags = (f_) }
#define E3(op_, a_, b_, c_, f_) { .op = X86_OP_##op_, .o = { O_##a_, O_##b_, O_##c_ }, .flags = (f_) }
#define E4(op_, a_, b_, c_, d_, f_) \
    { .op = X86_OP_##op_, .o = { O_##a_, O_##b_, O_##c_, O_##d_ }, .flags = (f_) }
#define INV { .op = X86_OP_INVALID }
/* recognised instruction of an extension kiln does not implement: length known, #UD */
#define UNSUP0 E0(UNSUPPORTED, UNS)
#define UNSUP1(a_) E1(UNSUPPORTED, a_, UNS)
#define UNSUP2(a_, b_) E2(UNSUPPORTED, a_, b_, UNS)
#define UNSUP3(a_, b_, c_) E3(UNSUPPORTED, a_, b_, c_, UNS)

#define X86_SUB(n_, ...) ((const struct x86_opdesc[n_]){ __VA_ARGS__ })
/* ModRM.reg group with operands a_, b_ inherited by the members. */
#define GRP(tab_, f_) { .kind = T_GRP, .sub = (tab_), .flags = (f_) }
#define GRP1(tab_, a_, f_) { .kind = T_GRP, .sub = (tab_), .o = { O_##a_ }, .flags = (f_) }
#define GRP2(tab_, a_, b_, f_) { .kind = T_GRP, .sub = (tab_), .o = { O_##a_, O_##b_ }, .flags = (f_) }
/* inline ModRM.reg group of 8 */
#define G8(...) { .kind = T_GRP, .sub = X86_SUB(8, __VA_ARGS__) }
/* by ModRM.rm */
#define RM8(...) { .kind = T_RM, .sub = X86_SUB(8, __VA_ARGS__) }
/* memory form, register form */
#define MOD(...) { .kind = T_MOD, .sub = X86_SUB(2, __VA_ARGS__) }
/* mandatory prefix columns: none, 66, F3, F2 */
#define PFX(...) { .kind = T_PFX, .sub = X86_SUB(4, __VA_ARGS__) }
/* outside 64-bit mode, in 64-bit mode */
#define MODE64(...) { .kind = T_MODE64, .sub = X86_SUB(2, __VA_ARGS__) }
#define REXW(...) { .kind = T_REXW, .sub = X86_SUB(2, __VA_ARGS__) }

extern const struct x86_opdesc x86_map_1byte[256];
extern const struct x86_opdesc x86_map_0f[256];
extern const struct x86_opdesc x86_map_0f38[256];
extern const struct x86_opdesc x86_map_0f3a[256];
extern const struct x86_opdesc x86_map_vex0f38[256];
extern const struct x86_opdesc x86_map_vex0f3a[256];
/* x87 escapes D8..DF, indexed by opcode - 0xD8 */
extern const struct x86_opdesc x86_map_x87[8];

#endif
