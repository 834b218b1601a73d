/* SPDX-License-Identifier: MIT */
/* optable_1byte.c: the one-byte opcode map (SDM Vol. 2 Table A-2) and its groups. */
#include "cpu/optable.h"

/* Group 1: 80..83 (operands from the opcode) */
static const struct x86_opdesc grp1[8] = {
    E0(ADD, LOCK), E0(OR, LOCK), E0(ADC, LOCK), E0(SBB, LOCK),
    E0(AND, LOCK), E0(SUB, LOCK), E0(XOR, LOCK), E0(CMP, 0),
};

/* Group 2: shifts and rotates C0, C1, D0..D3. /6 is the undocumented SAL alias of SHL. */
static const struct x86_opdesc grp2[8] = {
    E0(ROL, 0), E0(ROR, 0), E0(RCL, 0), E0(RCR, 0),
    E0(SHL, 0), E0(SHR, 0), E0(SAL, 0), E0(SAR, 0),
};

/* Group 3: F6 / F7. /1 is the undocumented alias of TEST. MUL/DIV list the implicit accumulator. */
static const struct x86_opdesc grp3_b[8] = {
    E2(TEST, Eb, Ib, 0), E2(TEST, Eb, Ib, 0), E1(NOT, Eb, LOCK), E1(NEG, Eb, LOCK),
    E2(MUL, AL, Eb, 0), E2(IMUL, AL, Eb, 0), E2(DIV, AL, Eb, 0), E2(IDIV, AL, Eb, 0),
};
static const struct x86_opdesc grp3_v[8] = {
    E2(TEST, Ev, Iz, 0), E2(TEST, Ev, Iz, 0), E1(NOT, Ev, LOCK), E1(NEG, Ev, LOCK),
    E2(MUL, rAX, Ev, 0), E2(IMUL, rAX, Ev, 0), E2(DIV, rAX, Ev, 0), E2(IDIV, rAX, Ev, 0),
};

/* Group 5: FF */
static const struct x86_opdesc grp5[8] = {
    E1(INC, Ev, LOCK), E1(DEC, Ev, LOCK), E1(CALL, Ev, BR | F64), E1(CALLF, Mp, BR),
    E1(JMP, Ev, BR | F64), E1(JMPF, Mp, BR), E1(PUSH, Ev, D64), INV,
};

#define ALU(op_, base_)                                              \
    [base_ + 0] = E2(op_, Eb, Gb, LOCK), [base_ + 1] = E2(op_, Ev, Gv, LOCK), \
    [base_ + 2] = E2(op_, Gb, Eb, 0), [base_ + 3] = E2(op_, Gv, Ev, 0),       \
    [base_ + 4] = E2(op_, AL, Ib, 0), [base_ + 5] = E2(op_, rAX, Iz, 0)

#define R8(x_) [x_ + 0] = X_, [x_ + 1] = X_, [x_ + 2] = X_, [x_ + 3] = X_, \
               [x_ + 4] = X_, [x_ + 5] = X_, [x_ + 6] = X_, [x_ + 7] = X_

const struct x86_opdesc x86_map_1byte[256] = {
    ALU(ADD, 0x00), [0x06] = E1(PUSH, ES, I64), [0x07] = E1(POP, ES, I64),
    ALU(OR, 0x08), [0x0e] = E1(PUSH, CS, I64), /* 0F: escape */
    ALU(ADC, 0x10), [0x16] = E1(PUSH, SS, I64), [0x17] = E1(POP, SS, I64),
    ALU(SBB, 0x18), [0x1e] = E1(PUSH, DS, I64), [0x1f] = E1(POP, DS, I64),
    ALU(AND, 0x20), /* 26: ES: */ [0x27] = E0(DAA, I64),
    ALU(SUB, 0x28), /* 2E: CS: */ [0x2f] = E0(DAS, I64),
    ALU(XOR, 0x30), /* 36: SS: */ [0x37] = E0(AAA, I64),
    [0x38] = E2(CMP, Eb, Gb, 0), [0x39] = E2(CMP, Ev, Gv, 0), [0x3a] = E2(CMP, Gb, Eb, 0),
    [0x3b] = E2(CMP, Gv, Ev, 0), [0x3c] = E2(CMP, AL, Ib, 0), [0x3d] = E2(CMP, rAX, Iz, 0),
    /* 3E: DS: */ [0x3f] = E0(AAS, I64),
#define X_ E1(INC, Zv, I64)
    R8(0x40),
#undef X_
#define X_ E1(DEC, Zv, I64)
    R8(0x48),
#undef X_
#define X_ E1(PUSH, Zv, D64)
    R8(0x50),
#undef X_
#define X_ E1(POP, Zv, D64)
    R8(0x58),
#undef X_
    [0x60] = E0(PUSHA, I64), [0x61] = E0(POPA, I64),
    [0x62] = E2(BOUND, Gv, Ma, I64), /* EVEX in 64-bit mode or with mod=3: decode.c */
    [0x63] = MODE64(E2(ARPL, Ew, Gw, 0), E2(MOVSXD, Gv, Ez, 0)),
    /* 64..67: prefixes */
    [0x68] = E1(PUSH, Iz, D64), [0x69] = E3(IMUL, Gv, Ev, Iz, 0),
    [0x6a] = E1(PUSH, Ibs, D64), [0x6b] = E3(IMUL, Gv, Ev, Ibs, 0),
    [0x6c] = E2(INS, Yb, DX, STR), [0x6d] = E2(INS, Yz, DX, STR),
    [0x6e] = E2(OUTS, DX, Xb, STR), [0x6f] = E2(OUTS, DX, Xz, STR),
#define X_ E1(JCC, Jb, BR | CC | F64)
    R8(0x70), R8(0x78),
#undef X_
    [0x80] = GRP2(grp1, Eb, Ib, 0), [0x81] = GRP2(grp1, Ev, Iz, 0),
    [0x82] = GRP2(grp1, Eb, Ib, I64), [0x83] = GRP2(grp1, Ev, Ibs, 0),
    [0x84] = E2(TEST, Eb, Gb, 0), [0x85] = E2(TEST, Ev, Gv, 0),
    [0x86] = E2(XCHG, Eb, Gb, LOCK | XLOCK), [0x87] = E2(XCHG, Ev, Gv, LOCK | XLOCK),
    [0x88] = E2(MOV, Eb, Gb, 0), [0x89] = E2(MOV, Ev, Gv, 0),
    [0x8a] = E2(MOV, Gb, Eb, 0), [0x8b] = E2(MOV, Gv, Ev, 0),
    [0x8c] = E2(MOV_SREG, RvMw, Sw, 0), [0x8d] = E2(LEA, Gv, M, 0),
    [0x8e] = E2(MOV_SREG, Sw, RvMw, 0),
    [0x8f] = G8(E1(POP, Ev, D64), INV, INV, INV, INV, INV, INV, INV), /* XOP: decode.c */
    [0x90] = E2(XCHG, rAX, Zv, 0), /* NOP / PAUSE without REX.B: decode.c */
    [0x91] = E2(XCHG, rAX, Zv, 0), [0x92] = E2(XCHG, rAX, Zv, 0), [0x93] = E2(XCHG, rAX, Zv, 0),
    [0x94] = E2(XCHG, rAX, Zv, 0), [0x95] = E2(XCHG, rAX, Zv, 0), [0x96] = E2(XCHG, rAX, Zv, 0),
    [0x97] = E2(XCHG, rAX, Zv, 0),
    [0x98] = E0(CBW, 0), [0x99] = E0(CWD, 0), [0x9a] = E1(CALLF, Ap, I64 | BR),
    [0x9b] = E0(WAIT, 0), [0x9c] = E0(PUSHF, D64), [0x9d] = E0(POPF, D64 | SER),
    [0x9e] = E0(SAHF, 0), [0x9f] = E0(LAHF, 0),
    [0xa0] = E2(MOV, AL, Ob, 0), [0xa1] = E2(MOV, rAX, Ov, 0),
    [0xa2] = E2(MOV, Ob, AL, 0), [0xa3] = E2(MOV, Ov, rAX, 0),
    [0xa4] = E2(MOVS, Yb, Xb, STR), [0xa5] = E2(MOVS, Yv, Xv, STR),
    [0xa6] = E2(CMPS, Xb, Yb, STR), [0xa7] = E2(CMPS, Xv, Yv, STR),
    [0xa8] = E2(TEST, AL, Ib, 0), [0xa9] = E2(TEST, rAX, Iz, 0),
    [0xaa] = E2(STOS, Yb, AL, STR), [0xab] = E2(STOS, Yv, rAX, STR),
    [0xac] = E2(LODS, AL, Xb, STR), [0xad] = E2(LODS, rAX, Xv, STR),
    [0xae] = E2(SCAS, AL, Yb, STR), [0xaf] = E2(SCAS, rAX, Yv, STR),
#define X_ E2(MOV, Zb, Ib, 0)
    R8(0xb0),
#undef X_
#define X_ E2(MOV, Zv, Iv, 0)
    R8(0xb8),
#undef X_
    [0xc0] = GRP2(grp2, Eb, Ib, 0), [0xc1] = GRP2(grp2, Ev, Ib, 0),
    [0xc2] = E1(RET, Iw, BR | F64), [0xc3] = E0(RET, BR | F64),
    [0xc4] = E2(LES, Gv, Mp, I64), [0xc5] = E2(LDS, Gv, Mp, I64), /* VEX: decode.c */
    /* C6 F8 XABORT, C7 F8 XBEGIN (RTM: not implemented) */
    [0xc6] = G8(E2(MOV, Eb, Ib, 0), INV, INV, INV, INV, INV, INV,
                MOD(INV, RM8(UNSUP1(Ib), INV, INV, INV, INV, INV, INV, INV))),
    [0xc7] = G8(E2(MOV, Ev, Iz, 0), INV, INV, INV, INV, INV, INV,
                MOD(INV, RM8(UNSUP1(Jz), INV, INV, INV, INV, INV, INV, INV))),
    [0xc8] = E2(ENTER, Iw, Ib, D64), [0xc9] = E0(LEAVE, D64),
    [0xca] = E1(RETF, Iw, BR), [0xcb] = E0(RETF, BR),
    [0xcc] = E0(INT3, BR), [0xcd] = E1(INT, Ib, BR), [0xce] = E0(INTO, I64 | BR),
    [0xcf] = E0(IRET, BR | SER),
    [0xd0] = GRP2(grp2, Eb, I1, 0), [0xd1] = GRP2(grp2, Ev, I1, 0),
    [0xd2] = GRP2(grp2, Eb, CL, 0), [0xd3] = GRP2(grp2, Ev, CL, 0),
    [0xd4] = E1(AAM, Ib, I64), [0xd5] = E1(AAD, Ib, I64), [0xd6] = E0(SALC, I64),
    [0xd7] = E1(XLAT, XLAT, 0),
    /* D8..DF: x87, optable_x87.c */
    [0xe0] = E1(LOOPNE, Jb, BR | CC | F64), [0xe1] = E1(LOOPE, Jb, BR | CC | F64),
    [0xe2] = E1(LOOP, Jb, BR | CC | F64), [0xe3] = E1(JRCXZ, Jb, BR | CC | F64),
    [0xe4] = E2(IN, AL, Ib, 0), [0xe5] = E2(IN, eAX, Ib, 0),
    [0xe6] = E2(OUT, Ib, AL, 0), [0xe7] = E2(OUT, Ib, eAX, 0),
    [0xe8] = E1(CALL, Jz, BR | F64), [0xe9] = E1(JMP, Jz, BR | F64),
    [0xea] = E1(JMPF, Ap, I64 | BR), [0xeb] = E1(JMP, Jb, BR | F64),
    [0xec] = E2(IN, AL, DX, 0), [0xed] = E2(IN, eAX, DX, 0),
    [0xee] = E2(OUT, DX, AL, 0), [0xef] = E2(OUT, DX, eAX, 0),
    /* F0: LOCK */ [0xf1] = E0(INT1, BR), /* F2, F3: REPNE, REP */
    [0xf4] = E0(HLT, PRIV | SER), [0xf5] = E0(CMC, 0),
    [0xf6] = GRP(grp3_b, 0), [0xf7] = GRP(grp3_v, 0),
    [0xf8] = E0(CLC, 0), [0xf9] = E0(STC, 0), [0xfa] = E0(CLI, 0), [0xfb] = E0(STI, SER),
    [0xfc] = E0(CLD, 0), [0xfd] = E0(STD, 0),
    [0xfe] = G8(E1(INC, Eb, LOCK), E1(DEC, Eb, LOCK), INV, INV, INV, INV, INV, INV),
    [0xff] = GRP(grp5, 0),
};
