/* SPDX-License-Identifier: MIT */
/* x86_64_emit.h: x86-64 machine-code encoder used by the JIT backend (internal). */
#ifndef KILN_TRANSLATE_X86_64_EMIT_H
#define KILN_TRANSLATE_X86_64_EMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Host register numbers as the hardware encodes them. */
enum {
    X_RAX, X_RCX, X_RDX, X_RBX, X_RSP, X_RBP, X_RSI, X_RDI,
    X_R8, X_R9, X_R10, X_R11, X_R12, X_R13, X_R14, X_R15,
};

/* Condition codes (the low nibble of jcc/setcc/cmovcc). */
enum {
    X_CC_O, X_CC_NO, X_CC_B, X_CC_AE, X_CC_E, X_CC_NE, X_CC_BE, X_CC_A,
    X_CC_S, X_CC_NS, X_CC_P, X_CC_NP, X_CC_L, X_CC_GE, X_CC_LE, X_CC_G,
};

/* Opcode flags above the low opcode byte. */
#define XO_0F   0x100u    /* two-byte opcode 0F xx */
#define XO_F3   0x200u    /* mandatory F3 prefix */
#define XO_F2   0x400u    /* mandatory F2 prefix */
#define XO_BRM  0x800u    /* r/m names a byte register (movzx/movsx/setcc) */
#define XO_66   0x1000u   /* mandatory 66 prefix regardless of size */

/* ALU group numbers (/n of 0x81/0x83, and opcode = n*8 + 1 for "op r/m, r"). */
enum { X_ADD = 0, X_OR = 1, X_ADC = 2, X_SBB = 3, X_AND = 4, X_SUB = 5, X_XOR = 6, X_CMP = 7 };
/* Shift group numbers (/n of 0xC1/0xD3). */
enum { X_ROL = 0, X_ROR = 1, X_SHL = 4, X_SHR = 5, X_SAR = 7 };

struct xbuf {
    uint8_t *p;       /* next byte */
    uint8_t *end;     /* one past the usable end */
};

static inline void x_b(struct xbuf *x, uint8_t v) { *x->p++ = v; }
static inline void x_d(struct xbuf *x, uint32_t v) { memcpy(x->p, &v, 4); x->p += 4; }
static inline void x_q(struct xbuf *x, uint64_t v) { memcpy(x->p, &v, 8); x->p += 8; }
static inline bool x_fits8(int64_t v) { return v >= -128 && v <= 127; }
static inline bool x_fits32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

/*
 * Encodes prefix/REX/opcode/ModRM[/SIB/disp] for one instruction of operand
 * size sz (8/16/32/64). r is the reg field (a register or a /n extension);
 * when base >= 0 the r/m operand is memory [base + index*2^scale + disp]
 * (index < 0: none), otherwise it is register rm. Immediates follow (caller).
 */
static inline void x_enc(struct xbuf *x, unsigned sz, unsigned opc, int r, int rm,
                         int base, int index, int scale, int32_t disp)
{
    if (sz == 16 || (opc & XO_66))
        x_b(x, 0x66);
    if (opc & XO_F3)
        x_b(x, 0xf3);
    if (opc & XO_F2)
        x_b(x, 0xf2);
    unsigned rex = 0;
    if (sz == 64)
        rex |= 8;
    if (r & 8)
        rex |= 4;
    if (base >= 0) {
        if (index >= 0 && (index & 8))
            rex |= 2;
        if (base & 8)
            rex |= 1;
    } else if (rm & 8) {
        rex |= 1;
    }
    bool byteregs = sz == 8 || (opc & XO_BRM);
    if (rex || (byteregs && ((r >= 4 && r < 8) || (base < 0 && rm >= 4 && rm < 8))))
        x_b(x, (uint8_t)(0x40 | rex));
    if (opc & XO_0F)
        x_b(x, 0x0f);
    x_b(x, (uint8_t)opc);
    if (base < 0) {
        x_b(x, (uint8_t)(0xc0 | ((r & 7) << 3) | (rm & 7)));
        return;
    }
    unsigned mod = (disp == 0 && (base & 7) != 5) ? 0 : x_fits8(disp) ? 1 : 2;
    if (index >= 0 || (base & 7) == 4) {
        x_b(x, (uint8_t)((mod << 6) | ((r & 7) << 3) | 4));
        x_b(x, (uint8_t)((scale << 6) | ((index >= 0 ? index & 7 : 4) << 3) | (base & 7)));
    } else {
        x_b(x, (uint8_t)((mod << 6) | ((r & 7) << 3) | (base & 7)));
    }
    if (mod == 1)
        x_b(x, (uint8_t)disp);
    else if (mod == 2)
        x_d(x, (uint32_t)disp);
}

/* op r, rm (register form). */
static inline void x_rr(struct xbuf *x, unsigned sz, unsigned opc, int r, int rm)
{ x_enc(x, sz, opc, r, rm, -1, -1, 0, 0); }
/* op r, [base + disp]. */
static inline void x_rm(struct xbuf *x, unsigned sz, unsigned opc, int r, int base, int32_t disp)
{ x_enc(x, sz, opc, r, 0, base, -1, 0, disp); }

/* mov d, s (64 or 32 bits; 32 zero-extends). */
static inline void x_mov(struct xbuf *x, unsigned sz, int d, int s)
{
    if (d != s || sz == 32)
        x_rr(x, sz == 64 ? 64 : 32, 0x89, s, d);
}

/* d = imm (64-bit result), shortest encoding, flags preserved. */
static inline void x_movi(struct xbuf *x, int d, uint64_t v)
{
    if (v <= 0xffffffffu) {            /* mov r32, imm32 zero-extends */
        if (d & 8)
            x_b(x, 0x41);
        x_b(x, (uint8_t)(0xb8 + (d & 7)));
        x_d(x, (uint32_t)v);
    } else if (x_fits32((int64_t)v)) { /* mov r/m64, simm32 */
        x_rr(x, 64, 0xc7, 0, d);
        x_d(x, (uint32_t)v);
    } else {
        x_b(x, (uint8_t)(0x48 | ((d & 8) ? 1 : 0)));
        x_b(x, (uint8_t)(0xb8 + (d & 7)));
        x_q(x, v);
    }
}

/* Zero-extends register r in place from w bits (w < 64) to 64. */
static inline void x_zext(struct xbuf *x, unsigned w, int d, int s)
{
    if (w == 8)
        x_rr(x, 32, XO_0F | XO_BRM | 0xb6, d, s);
    else if (w == 16)
        x_rr(x, 32, XO_0F | 0xb7, d, s);
    else if (w == 32)
        x_rr(x, 32, 0x89, s, d);
    else
        x_mov(x, 64, d, s);
}

/* d = sign-extension of s's low w bits to 64. */
static inline void x_sext(struct xbuf *x, unsigned w, int d, int s)
{
    if (w == 8)
        x_rr(x, 64, XO_0F | XO_BRM | 0xbe, d, s);
    else if (w == 16)
        x_rr(x, 64, XO_0F | 0xbf, d, s);
    else if (w == 32)
        x_rr(x, 64, 0x63, d, s);
    else
        x_mov(x, 64, d, s);
}

/* ALU op (X_ADD...) r/m(reg d), reg s at size sz. */
static inline void x_alu(struct xbuf *x, unsigned sz, int op, int d, int s)
{ x_rr(x, sz, (sz == 8 ? 0 : 1) + (unsigned)op * 8, s, d); }

/* ALU op d, imm (imm must fit the size's immediate: simm32 for 64). */
static inline void x_alui(struct xbuf *x, unsigned sz, int op, int d, int32_t imm)
{
    if (sz == 8) {
        x_rr(x, 8, 0x80, op, d);
        x_b(x, (uint8_t)imm);
    } else if (x_fits8(imm)) {
        x_rr(x, sz, 0x83, op, d);
        x_b(x, (uint8_t)imm);
    } else {
        x_rr(x, sz, 0x81, op, d);
        if (sz == 16) {
            uint16_t v = (uint16_t)imm;
            memcpy(x->p, &v, 2);
            x->p += 2;
        } else {
            x_d(x, (uint32_t)imm);
        }
    }
}

/* Shift/rotate group op d by imm8 or by cl (imm < 0). */
static inline void x_shift(struct xbuf *x, unsigned sz, int op, int d, int imm)
{
    unsigned base = sz == 8 ? 0 : 1;
    if (imm < 0) {
        x_rr(x, sz, 0xd2 + base, op, d);
    } else if (imm == 1) {
        x_rr(x, sz, 0xd0 + base, op, d);
    } else {
        x_rr(x, sz, 0xc0 + base, op, d);
        x_b(x, (uint8_t)imm);
    }
}

/* jcc rel32 / jmp rel32 with the displacement left for patching; returns
   the address of the 4-byte displacement. */
static inline uint8_t *x_jcc32(struct xbuf *x, int cc)
{
    x_b(x, 0x0f);
    x_b(x, (uint8_t)(0x80 + cc));
    uint8_t *at = x->p;
    x_d(x, 0);
    return at;
}
static inline uint8_t *x_jmp32(struct xbuf *x)
{
    x_b(x, 0xe9);
    uint8_t *at = x->p;
    x_d(x, 0);
    return at;
}
/* Points a rel32 displacement at `at` to target. */
static inline void x_patch32(uint8_t *at, const uint8_t *target)
{
    int32_t rel = (int32_t)(target - (at + 4));
    memcpy(at, &rel, 4);
}
/* Jump to a known target: short form when it fits. */
static inline void x_jcc_to(struct xbuf *x, int cc, const uint8_t *target)
{
    intptr_t rel = target - (x->p + 2);
    if (x_fits8(rel)) {
        x_b(x, (uint8_t)(cc < 0 ? 0xeb : 0x70 + cc));
        x_b(x, (uint8_t)rel);
    } else if (cc < 0) {
        x_patch32(x_jmp32(x), target);
    } else {
        x_patch32(x_jcc32(x, cc), target);
    }
}

/* Calls an absolute address (rel32 when in range, else through rax). */
static inline void x_call(struct xbuf *x, const void *fn)
{
    intptr_t rel = (const uint8_t *)fn - (x->p + 5);
    if (x_fits32(rel)) {
        x_b(x, 0xe8);
        x_d(x, (uint32_t)(int32_t)rel);
    } else {
        x_movi(x, X_RAX, (uint64_t)(uintptr_t)fn);
        x_rr(x, 32, 0xff, 2, X_RAX);
    }
}

#endif
