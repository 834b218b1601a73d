/* SPDX-License-Identifier: MIT */
/* optable_0f.c: the two-byte opcode map 0F xx (SDM Vol. 2 Table A-3) and its groups. */
#include "cpu/optable.h"

/* Group 6: 0F 00 */
static const struct x86_opdesc grp6[8] = {
    E1(SLDT, RvMw, 0), E1(STR, RvMw, 0), E1(LLDT, Ew, PRIV | SER), E1(LTR, Ew, PRIV | SER),
    E1(VERR, Ew, 0), E1(VERW, Ew, 0), INV, INV,
};

/* Group 7: 0F 01 */
static const struct x86_opdesc grp7_mem[8] = {
    E1(SGDT, Ms, 0), E1(SIDT, Ms, 0), E1(LGDT, Ms, PRIV | SER), E1(LIDT, Ms, PRIV | SER),
    E1(SMSW, RvMw, 0), INV, E1(LMSW, Ew, PRIV | SER), E1(INVLPG, Mb, PRIV | SER),
};
static const struct x86_opdesc grp7_reg[8] = {
    /* /0: VMCALL, VMLAUNCH, VMRESUME, VMXOFF (VMX: not implemented) */
    RM8(INV, UNSUP0, UNSUP0, UNSUP0, UNSUP0, INV, INV, INV),
    /* ENCLS (SGX: not implemented) */
    RM8(E0(MONITOR, PRIV), E0(MWAIT, PRIV | SER), E0(CLAC, PRIV), E0(STAC, PRIV),
        INV, INV, INV, UNSUP0),
    /* VMFUNC, XEND, XTEST, ENCLU: not implemented */
    RM8(E0(XGETBV, 0), E0(XSETBV, PRIV | SER), INV, INV, UNSUP0, UNSUP0, UNSUP0, UNSUP0),
    /* /3: SVM (AMD, not implemented) */
    RM8(UNSUP0, UNSUP0, UNSUP0, UNSUP0, UNSUP0, UNSUP0, UNSUP0, UNSUP0),
    E1(SMSW, RvMw, 0),
    /* /5: RDPKRU, WRPKRU (not implemented) */
    RM8(INV, INV, INV, INV, INV, INV, UNSUP0, UNSUP0),
    E1(LMSW, Ew, PRIV | SER),
    /* MONITORX, MWAITX, CLZERO (AMD, not implemented) */
    RM8(E0(SWAPGS, O64 | PRIV), E0(RDTSCP, 0), UNSUP0, UNSUP0, UNSUP0, INV, INV, INV),
};

/* Group 9: 0F C7 */
/* /3, /5: XRSTORS, XSAVES; /6, /7: VMPTRLD, VMCLEAR, VMXON, VMPTRST (not implemented) */
static const struct x86_opdesc grp9_mem[8] = {
    INV, E1(CMPXCHG8B, Mcx, LOCK), INV, UNSUP1(M), PFX(E1(XSAVEC, M, 0), INV, INV, INV), UNSUP1(M),
    PFX(UNSUP1(Mq), UNSUP1(Mq), UNSUP1(Mq), INV), PFX(UNSUP1(Mq), INV, INV, INV),
};
static const struct x86_opdesc grp9_reg[8] = {
    INV, INV, INV, INV, INV, INV,
    PFX(E1(RDRAND, Rv, 0), E1(RDRAND, Rv, 0), INV, INV),
    PFX(E1(RDSEED, Rv, 0), E1(RDSEED, Rv, 0), E1(RDPID, Ryf, 0), INV),
};

/* Groups 12, 13, 14: 0F 71, 72, 73 (register forms only) */
#define SHIMM(op_) PFX(E2(op_, Nq, Ib, MMX), E2(op_, Udq, Ib, SSE), INV, INV)
#define SHIMM66(op_) PFX(INV, E2(op_, Udq, Ib, SSE), INV, INV)
static const struct x86_opdesc grp12[8] = {
    INV, INV, SHIMM(PSRLW), INV, SHIMM(PSRAW), INV, SHIMM(PSLLW), INV,
};
static const struct x86_opdesc grp13[8] = {
    INV, INV, SHIMM(PSRLD), INV, SHIMM(PSRAD), INV, SHIMM(PSLLD), INV,
};
static const struct x86_opdesc grp14[8] = {
    INV, INV, SHIMM(PSRLQ), SHIMM66(PSRLDQ), INV, INV, SHIMM(PSLLQ), SHIMM66(PSLLDQ),
};

/* Group 15: 0F AE */
#define NP(e_) PFX(e_, INV, INV, INV)
static const struct x86_opdesc grp15_mem[8] = {
    NP(E1(FXSAVE, Mfx, 0)), NP(E1(FXRSTOR, Mfx, 0)), NP(E1(LDMXCSR, Md, SSE)),
    NP(E1(STMXCSR, Md, SSE)), NP(E1(XSAVE, M, 0)), NP(E1(XRSTOR, M, 0)),
    PFX(E1(XSAVEOPT, M, 0), UNSUP1(Mb) /* CLWB */, INV, INV),
    PFX(E1(CLFLUSH, Mb, 0), E1(CLFLUSHOPT, Mb, 0), INV, INV),
};
#define FSGS(op_) PFX(INV, INV, E1(op_, Ry, O64), INV)
static const struct x86_opdesc grp15_reg[8] = {
    FSGS(RDFSBASE), FSGS(RDGSBASE), FSGS(WRFSBASE), FSGS(WRGSBASE), INV,
    NP(E0(LFENCE, 0)), NP(E0(MFENCE, 0)),
    PFX(E0(SFENCE, 0), RM8(UNSUP0 /* PCOMMIT */, INV, INV, INV, INV, INV, INV, INV), INV, INV),
};

/* Group 16: 0F 18 prefetch hints; the rest of 0F 18..0F 1F is hint NOP space */
static const struct x86_opdesc grp16_mem[8] = {
    E1(PREFETCHNTA, Mb, 0), E1(PREFETCHT0, Mb, 0), E1(PREFETCHT1, Mb, 0), E1(PREFETCHT2, Mb, 0),
    E1(NOP, Ev, 0), E1(NOP, Ev, 0), E1(NOP, Ev, 0), E1(NOP, Ev, 0),
};

/* 0F 0D: PREFETCHW and the AMD prefetch space (memory only) */
static const struct x86_opdesc grp_p[8] = {
    E1(PREFETCH, Mb, 0), E1(PREFETCHW, Mb, 0), E1(PREFETCH, Mb, 0), E1(PREFETCH, Mb, 0),
    E1(PREFETCH, Mb, 0), E1(PREFETCH, Mb, 0), E1(PREFETCH, Mb, 0), E1(PREFETCH, Mb, 0),
};

/* MMX op with Pq,Qq and its SSE2 twin with Vdq,Wdq */
#define MX(op_) PFX(E2(op_, Pq, Qq, MMX), E2(op_, Vdq, Wdq, SSE), INV, INV)
#define MXD(op_) PFX(E2(op_, Pq, Qd, MMX), E2(op_, Vdq, Wdq, SSE), INV, INV)
#define X66(op_) PFX(INV, E2(op_, Vdq, Wdq, SSE), INV, INV)
/* packed single/double and scalar single/double */
#define PSD(n_) PFX(E2(n_##PS, Vdq, Wdq, SSE), E2(n_##PD, Vdq, Wdq, SSE), \
                    E2(n_##SS, Vd, Wd, SSE), E2(n_##SD, Vq, Wq, SSE))
#define PS_PD(a_, b_) PFX(E2(a_, Vdq, Wdq, SSE), E2(b_, Vdq, Wdq, SSE), INV, INV)

#define CMOV E2(CMOVCC, Gv, Ev, CC)
#define JCCZ E1(JCC, Jz, BR | CC | F64)
#define SETCC E1(SETCC, Eb, CC)
#define BSWAP E1(BSWAP, Zv, 0) /* 16-bit operand: undefined by the SDM, zeroes on hardware */
#define HNOP E1(NOP, Ev, 0)

const struct x86_opdesc x86_map_0f[256] = {
    [0x00] = GRP(grp6, 0),
    [0x01] = MOD(GRP(grp7_mem, 0), GRP(grp7_reg, 0)),
    [0x02] = E2(LAR, Gv, RzMw, 0), [0x03] = E2(LSL, Gv, RzMw, 0),
    [0x05] = E0(SYSCALL, BR | SER), [0x06] = E0(CLTS, PRIV | SER), [0x07] = E0(SYSRET, BR | SER | PRIV),
    [0x08] = E0(INVD, PRIV | SER), [0x09] = E0(WBINVD, PRIV | SER), [0x0b] = E0(UD2, 0),
    [0x0d] = MOD(GRP(grp_p, 0), INV), [0x0e] = UNSUP0 /* FEMMS */,
    /* 0F 0F: 3DNow!, decode.c */
    [0x10] = PFX(E2(MOVUPS, Vdq, Wdq, SSE), E2(MOVUPD, Vdq, Wdq, SSE),
                 E2(MOVSS, Vd, Wd, SSE), E2(MOVSD, Vq, Wq, SSE)),
    [0x11] = PFX(E2(MOVUPS, Wdq, Vdq, SSE), E2(MOVUPD, Wdq, Vdq, SSE),
                 E2(MOVSS, Wd, Vd, SSE), E2(MOVSD, Wq, Vq, SSE)),
    [0x12] = PFX(MOD(E2(MOVLPS, Vq, Mq, SSE), E2(MOVHLPS, Vq, Uq, SSE)),
                 E2(MOVLPD, Vq, Mq, SSE), E2(MOVSLDUP, Vdq, Wdq, SSE), E2(MOVDDUP, Vdq, Wq, SSE)),
    [0x13] = PFX(E2(MOVLPS, Mq, Vq, SSE), E2(MOVLPD, Mq, Vq, SSE), INV, INV),
    [0x14] = PS_PD(UNPCKLPS, UNPCKLPD), [0x15] = PS_PD(UNPCKHPS, UNPCKHPD),
    [0x16] = PFX(MOD(E2(MOVHPS, Vq, Mq, SSE), E2(MOVLHPS, Vq, Uq, SSE)),
                 E2(MOVHPD, Vq, Mq, SSE), E2(MOVSHDUP, Vdq, Wdq, SSE), INV),
    [0x17] = PFX(E2(MOVHPS, Mq, Vq, SSE), E2(MOVHPD, Mq, Vq, SSE), INV, INV),
    [0x18] = MOD(GRP(grp16_mem, 0), HNOP),
    [0x19] = HNOP, [0x1a] = HNOP, [0x1b] = HNOP, [0x1c] = HNOP, [0x1d] = HNOP,
    [0x1e] = PFX(HNOP, HNOP,
                 MOD(HNOP, G8(HNOP, HNOP, HNOP, HNOP, HNOP, HNOP, HNOP,
                              RM8(HNOP, HNOP, E0(ENDBR64, 0), E0(ENDBR32, 0),
                                  HNOP, HNOP, HNOP, HNOP))), HNOP),
    [0x1f] = HNOP,
    [0x20] = E2(MOV_CR, Rcr, Cy, PRIV), [0x21] = E2(MOV_DR, Rcr, Dy, PRIV),
    [0x22] = E2(MOV_CR, Cy, Rcr, PRIV | SER), [0x23] = E2(MOV_DR, Dy, Rcr, PRIV | SER),
    [0x28] = PFX(E2(MOVAPS, Vdq, Wdq, SSE), E2(MOVAPD, Vdq, Wdq, SSE), INV, INV),
    [0x29] = PFX(E2(MOVAPS, Wdq, Vdq, SSE), E2(MOVAPD, Wdq, Vdq, SSE), INV, INV),
    [0x2a] = PFX(E2(CVTPI2PS, Vq, Qq, SSE | MMX), E2(CVTPI2PD, Vdq, Qq, SSE | MMX),
                 E2(CVTSI2SS, Vd, Ey, SSE), E2(CVTSI2SD, Vq, Ey, SSE)),
    [0x2b] = PFX(E2(MOVNTPS, Mdq, Vdq, SSE), E2(MOVNTPD, Mdq, Vdq, SSE),
                 UNSUP2(Md, Vd) /* SSE4a MOVNTSS */, UNSUP2(Mq, Vq) /* MOVNTSD */),
    [0x2c] = PFX(E2(CVTTPS2PI, Pq, Wq, SSE | MMX), E2(CVTTPD2PI, Pq, Wdq, SSE | MMX),
                 E2(CVTTSS2SI, Gy, Wd, SSE), E2(CVTTSD2SI, Gy, Wq, SSE)),
    [0x2d] = PFX(E2(CVTPS2PI, Pq, Wq, SSE | MMX), E2(CVTPD2PI, Pq, Wdq, SSE | MMX),
                 E2(CVTSS2SI, Gy, Wd, SSE), E2(CVTSD2SI, Gy, Wq, SSE)),
    [0x2e] = PFX(E2(UCOMISS, Vd, Wd, SSE), E2(UCOMISD, Vq, Wq, SSE), INV, INV),
    [0x2f] = PFX(E2(COMISS, Vd, Wd, SSE), E2(COMISD, Vq, Wq, SSE), INV, INV),
    [0x30] = E0(WRMSR, PRIV | SER), [0x31] = E0(RDTSC, 0), [0x32] = E0(RDMSR, PRIV),
    [0x33] = E0(RDPMC, 0), [0x34] = E0(SYSENTER, BR | SER), [0x35] = E0(SYSEXIT, BR | SER | PRIV),
    [0x37] = UNSUP0 /* GETSEC */,
    /* 0F 38, 0F 3A: escapes */
    [0x40] = CMOV, [0x41] = CMOV, [0x42] = CMOV, [0x43] = CMOV, [0x44] = CMOV, [0x45] = CMOV,
    [0x46] = CMOV, [0x47] = CMOV, [0x48] = CMOV, [0x49] = CMOV, [0x4a] = CMOV, [0x4b] = CMOV,
    [0x4c] = CMOV, [0x4d] = CMOV, [0x4e] = CMOV, [0x4f] = CMOV,
    [0x50] = PFX(E2(MOVMSKPS, Gd, Udq, SSE), E2(MOVMSKPD, Gd, Udq, SSE), INV, INV),
    [0x51] = PSD(SQRT),
    [0x52] = PFX(E2(RSQRTPS, Vdq, Wdq, SSE), INV, E2(RSQRTSS, Vd, Wd, SSE), INV),
    [0x53] = PFX(E2(RCPPS, Vdq, Wdq, SSE), INV, E2(RCPSS, Vd, Wd, SSE), INV),
    [0x54] = PS_PD(ANDPS, ANDPD), [0x55] = PS_PD(ANDNPS, ANDNPD),
    [0x56] = PS_PD(ORPS, ORPD), [0x57] = PS_PD(XORPS, XORPD),
    [0x58] = PSD(ADD), [0x59] = PSD(MUL),
    [0x5a] = PFX(E2(CVTPS2PD, Vdq, Wq, SSE), E2(CVTPD2PS, Vdq, Wdq, SSE),
                 E2(CVTSS2SD, Vq, Wd, SSE), E2(CVTSD2SS, Vd, Wq, SSE)),
    [0x5b] = PFX(E2(CVTDQ2PS, Vdq, Wdq, SSE), E2(CVTPS2DQ, Vdq, Wdq, SSE),
                 E2(CVTTPS2DQ, Vdq, Wdq, SSE), INV),
    [0x5c] = PSD(SUB), [0x5d] = PSD(MIN), [0x5e] = PSD(DIV), [0x5f] = PSD(MAX),
    [0x60] = MXD(PUNPCKLBW), [0x61] = MXD(PUNPCKLWD), [0x62] = MXD(PUNPCKLDQ),
    [0x63] = MX(PACKSSWB), [0x64] = MX(PCMPGTB), [0x65] = MX(PCMPGTW), [0x66] = MX(PCMPGTD),
    [0x67] = MX(PACKUSWB), [0x68] = MX(PUNPCKHBW), [0x69] = MX(PUNPCKHWD),
    [0x6a] = MX(PUNPCKHDQ), [0x6b] = MX(PACKSSDW),
    [0x6c] = X66(PUNPCKLQDQ), [0x6d] = X66(PUNPCKHQDQ),
    [0x6e] = PFX(E2(MOVD, Py, Ey, MMX), E2(MOVD, Vy, Ey, SSE), INV, INV),
    [0x6f] = PFX(E2(MOVQ, Pq, Qq, MMX), E2(MOVDQA, Vdq, Wdq, SSE), E2(MOVDQU, Vdq, Wdq, SSE), INV),
    [0x70] = PFX(E3(PSHUFW, Pq, Qq, Ib, MMX), E3(PSHUFD, Vdq, Wdq, Ib, SSE),
                 E3(PSHUFHW, Vdq, Wdq, Ib, SSE), E3(PSHUFLW, Vdq, Wdq, Ib, SSE)),
    [0x71] = MOD(INV, GRP(grp12, 0)), [0x72] = MOD(INV, GRP(grp13, 0)),
    [0x73] = MOD(INV, GRP(grp14, 0)),
    [0x74] = MX(PCMPEQB), [0x75] = MX(PCMPEQW), [0x76] = MX(PCMPEQD),
    [0x77] = PFX(E0(EMMS, MMX), INV, INV, INV),
    /* VMREAD, VMWRITE; AMD SSE4a EXTRQ, INSERTQ (not implemented) */
    [0x78] = PFX(UNSUP2(Ey, Gy), MOD(INV, UNSUP3(Udq, Ib, Ib)), INV,
                 MOD(INV, E4(UNSUPPORTED, Vdq, Udq, Ib, Ib, UNS))),
    [0x79] = PFX(UNSUP2(Gy, Ey), MOD(INV, UNSUP2(Vdq, Udq)), INV, MOD(INV, UNSUP2(Vdq, Udq))),
    [0x7c] = PFX(INV, E2(HADDPD, Vdq, Wdq, SSE), INV, E2(HADDPS, Vdq, Wdq, SSE)),
    [0x7d] = PFX(INV, E2(HSUBPD, Vdq, Wdq, SSE), INV, E2(HSUBPS, Vdq, Wdq, SSE)),
    [0x7e] = PFX(E2(MOVD, Ey, Py, MMX), E2(MOVD, Ey, Vy, SSE), E2(MOVQ, Vq, Wq, SSE), INV),
    [0x7f] = PFX(E2(MOVQ, Qq, Pq, MMX), E2(MOVDQA, Wdq, Vdq, SSE), E2(MOVDQU, Wdq, Vdq, SSE), INV),
    [0x80] = JCCZ, [0x81] = JCCZ, [0x82] = JCCZ, [0x83] = JCCZ, [0x84] = JCCZ, [0x85] = JCCZ,
    [0x86] = JCCZ, [0x87] = JCCZ, [0x88] = JCCZ, [0x89] = JCCZ, [0x8a] = JCCZ, [0x8b] = JCCZ,
    [0x8c] = JCCZ, [0x8d] = JCCZ, [0x8e] = JCCZ, [0x8f] = JCCZ,
    [0x90] = SETCC, [0x91] = SETCC, [0x92] = SETCC, [0x93] = SETCC, [0x94] = SETCC,
    [0x95] = SETCC, [0x96] = SETCC, [0x97] = SETCC, [0x98] = SETCC, [0x99] = SETCC,
    [0x9a] = SETCC, [0x9b] = SETCC, [0x9c] = SETCC, [0x9d] = SETCC, [0x9e] = SETCC,
    [0x9f] = SETCC,
    [0xa0] = E1(PUSH, FS, D64), [0xa1] = E1(POP, FS, D64), [0xa2] = E0(CPUID, SER),
    [0xa3] = E2(BT, Ev, Gv, 0), [0xa4] = E3(SHLD, Ev, Gv, Ib, 0), [0xa5] = E3(SHLD, Ev, Gv, CL, 0),
    /* VIA PadLock (not implemented): MONTMUL, XSHA1, XSHA256; XSTORE, XCRYPTECB..OFB */
    [0xa6] = MOD(INV, G8(UNSUP0, UNSUP0, UNSUP0, INV, INV, INV, INV, INV)),
    [0xa7] = MOD(INV, G8(UNSUP0, UNSUP0, UNSUP0, UNSUP0, UNSUP0, UNSUP0, INV, INV)),
    [0xa8] = E1(PUSH, GS, D64), [0xa9] = E1(POP, GS, D64), [0xaa] = E0(RSM, BR | SER),
    [0xab] = E2(BTS, Ev, Gv, LOCK), [0xac] = E3(SHRD, Ev, Gv, Ib, 0),
    [0xad] = E3(SHRD, Ev, Gv, CL, 0),
    [0xae] = MOD(GRP(grp15_mem, 0), GRP(grp15_reg, 0)),
    [0xaf] = E2(IMUL, Gv, Ev, 0),
    [0xb0] = E2(CMPXCHG, Eb, Gb, LOCK), [0xb1] = E2(CMPXCHG, Ev, Gv, LOCK),
    [0xb2] = E2(LSS, Gv, Mp, 0), [0xb3] = E2(BTR, Ev, Gv, LOCK),
    [0xb4] = E2(LFS, Gv, Mp, 0), [0xb5] = E2(LGS, Gv, Mp, 0),
    [0xb6] = E2(MOVZX, Gv, Eb, 0), [0xb7] = E2(MOVZX, Gv, Ew, 0),
    [0xb8] = PFX(INV, INV, E2(POPCNT, Gv, Ev, 0), INV),
    [0xb9] = E2(UD1, Gv, Ev, 0),
    [0xba] = GRP2(X86_SUB(8, INV, INV, INV, INV, E0(BT, 0), E0(BTS, LOCK), E0(BTR, LOCK),
                          E0(BTC, LOCK)), Ev, Ib, 0),
    [0xbb] = E2(BTC, Ev, Gv, LOCK),
    [0xbc] = PFX(E2(BSF, Gv, Ev, 0), E2(BSF, Gv, Ev, 0), E2(TZCNT, Gv, Ev, 0), E2(BSF, Gv, Ev, 0)),
    [0xbd] = PFX(E2(BSR, Gv, Ev, 0), E2(BSR, Gv, Ev, 0), E2(LZCNT, Gv, Ev, 0), E2(BSR, Gv, Ev, 0)),
    [0xbe] = E2(MOVSX, Gv, Eb, 0), [0xbf] = E2(MOVSX, Gv, Ew, 0),
    [0xc0] = E2(XADD, Eb, Gb, LOCK), [0xc1] = E2(XADD, Ev, Gv, LOCK),
    [0xc2] = PFX(E3(CMPPS, Vdq, Wdq, Ib, SSE), E3(CMPPD, Vdq, Wdq, Ib, SSE),
                 E3(CMPSS, Vd, Wd, Ib, SSE), E3(CMPSD, Vq, Wq, Ib, SSE)),
    [0xc3] = PFX(E2(MOVNTI, My, Gy, 0), INV, INV, INV),
    [0xc4] = PFX(E3(PINSRW, Pq, RdMw, Ib, MMX), E3(PINSRW, Vdq, RdMw, Ib, SSE), INV, INV),
    [0xc5] = PFX(E3(PEXTRW, Gd, Nq, Ib, MMX), E3(PEXTRW, Gd, Udq, Ib, SSE), INV, INV),
    [0xc6] = PFX(E3(SHUFPS, Vdq, Wdq, Ib, SSE), E3(SHUFPD, Vdq, Wdq, Ib, SSE), INV, INV),
    [0xc7] = MOD(GRP(grp9_mem, 0), GRP(grp9_reg, 0)),
    [0xc8] = BSWAP, [0xc9] = BSWAP, [0xca] = BSWAP, [0xcb] = BSWAP,
    [0xcc] = BSWAP, [0xcd] = BSWAP, [0xce] = BSWAP, [0xcf] = BSWAP,
    [0xd0] = PFX(INV, E2(ADDSUBPD, Vdq, Wdq, SSE), INV, E2(ADDSUBPS, Vdq, Wdq, SSE)),
    [0xd1] = MX(PSRLW), [0xd2] = MX(PSRLD), [0xd3] = MX(PSRLQ), [0xd4] = MX(PADDQ),
    [0xd5] = MX(PMULLW),
    [0xd6] = PFX(INV, E2(MOVQ, Wq, Vq, SSE), E2(MOVQ2DQ, Vdq, Nq, SSE | MMX),
                 E2(MOVDQ2Q, Pq, Uq, SSE | MMX)),
    [0xd7] = PFX(E2(PMOVMSKB, Gd, Nq, MMX), E2(PMOVMSKB, Gd, Udq, SSE), INV, INV),
    [0xd8] = MX(PSUBUSB), [0xd9] = MX(PSUBUSW), [0xda] = MX(PMINUB), [0xdb] = MX(PAND),
    [0xdc] = MX(PADDUSB), [0xdd] = MX(PADDUSW), [0xde] = MX(PMAXUB), [0xdf] = MX(PANDN),
    [0xe0] = MX(PAVGB), [0xe1] = MX(PSRAW), [0xe2] = MX(PSRAD), [0xe3] = MX(PAVGW),
    [0xe4] = MX(PMULHUW), [0xe5] = MX(PMULHW),
    [0xe6] = PFX(INV, E2(CVTTPD2DQ, Vdq, Wdq, SSE), E2(CVTDQ2PD, Vdq, Wq, SSE),
                 E2(CVTPD2DQ, Vdq, Wdq, SSE)),
    [0xe7] = PFX(E2(MOVNTQ, Mq, Pq, MMX), E2(MOVNTDQ, Mdq, Vdq, SSE), INV, INV),
    [0xe8] = MX(PSUBSB), [0xe9] = MX(PSUBSW), [0xea] = MX(PMINSW), [0xeb] = MX(POR),
    [0xec] = MX(PADDSB), [0xed] = MX(PADDSW), [0xee] = MX(PMAXSW), [0xef] = MX(PXOR),
    [0xf0] = PFX(INV, INV, INV, E2(LDDQU, Vdq, Mdq, SSE)),
    [0xf1] = MX(PSLLW), [0xf2] = MX(PSLLD), [0xf3] = MX(PSLLQ), [0xf4] = MX(PMULUDQ),
    [0xf5] = MX(PMADDWD), [0xf6] = MX(PSADBW),
    [0xf7] = PFX(E2(MASKMOVQ, Pq, Nq, MMX), E2(MASKMOVDQU, Vdq, Udq, SSE), INV, INV),
    [0xf8] = MX(PSUBB), [0xf9] = MX(PSUBW), [0xfa] = MX(PSUBD), [0xfb] = MX(PSUBQ),
    [0xfc] = MX(PADDB), [0xfd] = MX(PADDW), [0xfe] = MX(PADDD), [0xff] = E2(UD0, Gv, Ev, 0),
};
