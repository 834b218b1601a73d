/* SPDX-License-Identifier: MIT */
/* decode.h: the one x86 instruction decoder (16/32/64-bit modes, table-driven). */
#ifndef KILN_CPU_DECODE_H
#define KILN_CPU_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Code size of the current CS: 16- or 32-bit default size, or 64-bit (long) mode. */
enum x86_mode { X86_MODE_16, X86_MODE_32, X86_MODE_64 };

/* Instruction ids; see cpu/x86_ops.h for the list. (capstone's <capstone/x86.h> also defines
   X86_OP_INVALID and a tag x86_insn: to include both, rename capstone's with #define around
   its #include, as tests/unit/test_decode_cmp.h does.) */
enum x86_op {
    X86_OP_INVALID,
#define X(name, str) X86_OP_##name,
#include "cpu/x86_ops.h"
#undef X
    X86_OP_COUNT
};

/* Lower-case mnemonic of an op id ("invalid" for unknown ids). */
const char *x86_op_name(unsigned op);

/* x86_decode() results. */
enum x86_decode_status {
    X86_DECODE_OK = 0,
    X86_DECODE_UD,       /* invalid, reserved or unsupported encoding: raise #UD.
                            insn->len is set when the length is known (else 0). */
    X86_DECODE_TOO_LONG, /* the instruction would exceed 15 bytes: raise #GP(0). */
    X86_DECODE_SHORT,    /* the buffer ended before the instruction did: fetch more
                            bytes (or raise #PF for the next page) and retry. */
};

#define X86_MAX_INSN_LEN 15

/* Operand kinds. */
enum x86_opkind {
    X86_OPK_NONE,
    X86_OPK_REG, /* register: regclass + reg */
    X86_OPK_MEM, /* memory: seg:[base + index*scale + disp] (or rip_rel) */
    X86_OPK_IMM, /* immediate value in imm */
    X86_OPK_REL, /* branch target relative to the next instruction: imm = displacement */
    X86_OPK_FAR, /* far pointer ptr16:16/32: imm = offset, insn->imm2 = selector */
};

/* Register classes of X86_OPK_REG operands. */
enum x86_regclass {
    X86_RC_GPR,       /* reg 0..15 = rAX..r15, accessed at operand size (SPL..DIL when size 1) */
    X86_RC_GPR8_HIGH, /* reg 0..3 = AH, CH, DH, BH (bits 15:8 of rAX..rBX) */
    X86_RC_SEG,       /* reg = enum x86_seg */
    X86_RC_CR,        /* reg 0..15 = CR0..CR15 */
    X86_RC_DR,        /* reg 0..15 = DR0..DR15 */
    X86_RC_MMX,       /* reg 0..7 = MM0..MM7 */
    X86_RC_XMM,       /* reg 0..15 = XMM0..XMM15 */
    X86_RC_YMM,       /* reg 0..15 (VEX.L=1; only in unsupported VEX forms) */
    X86_RC_ST,        /* reg 0..7 = ST(0)..ST(7) (relative to TOP) */
};

/* Segment registers, in SDM Sreg encoding order. */
enum x86_seg { X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS,
               X86_SEG_NONE = 0xff };

/* General registers in encoding order (base/index of memory operands, reg of GPR operands). */
enum x86_gpr { X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
               X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
               X86_REG_NONE = 0xff };

/*
 * One operand. Sizes are in bytes; 0 means "no size" (LEA's, INVLPG's, prefetch memory
 * operands, XSAVE areas). Immediates hold the value as the instruction uses it:
 * sign-extended to 64 bits where the SDM sign-extends (e.g. 83 /0 Ib, 6A Ib, Iz with
 * 64-bit operand size), zero-extended otherwise; size is the size it is used at.
 */
struct x86_operand {
    uint8_t kind;     /* enum x86_opkind */
    uint8_t regclass; /* enum x86_regclass (REG) */
    uint8_t reg;      /* register number (REG) */
    uint8_t seg;      /* MEM: effective segment (override, or DS/SS default) */
    uint16_t size;    /* bytes: 1,2,4,8,10,16,... (0: none) */
    uint8_t base;     /* MEM: enum x86_gpr or X86_REG_NONE */
    uint8_t index;    /* MEM: enum x86_gpr or X86_REG_NONE */
    uint8_t scale;    /* MEM: 1, 2, 4 or 8 */
    bool rip_rel;     /* MEM: address = next instruction address + disp (base = NONE) */
    int64_t disp;     /* MEM: displacement, sign-extended */
    int64_t imm;      /* IMM / REL / FAR (offset) */
};

/* Instruction attribute flags (x86_insn.flags). */
enum {
    X86_F_LOCKABLE = 1u << 0,  /* LOCK allowed (memory destination forms) */
    X86_F_I64 = 1u << 1,       /* invalid in 64-bit mode */
    X86_F_O64 = 1u << 2,       /* valid only in 64-bit mode */
    X86_F_D64 = 1u << 3,       /* 64-bit default operand size in 64-bit mode */
    X86_F_F64 = 1u << 4,       /* operand size forced to 64 in 64-bit mode */
    X86_F_MEMONLY = 1u << 5,   /* has a memory-only operand (ModRM.mod = 3 is #UD) */
    X86_F_REGONLY = 1u << 6,   /* has a register-only ModRM.rm operand (mod != 3 is #UD) */
    X86_F_STRING = 1u << 7,    /* string instruction: REP/REPNE prefixes apply */
    X86_F_BRANCH = 1u << 8,    /* changes RIP (jumps, calls, returns, loops, INT, IRET, SYSCALL...) */
    X86_F_COND = 1u << 9,      /* conditional (Jcc, LOOPcc, JrCXZ, CMOVcc, SETcc, FCMOVcc) */
    X86_F_UNSUPPORTED = 1u << 10, /* recognised but not implemented (VEX/AVX, EVEX, XOP, 3DNow!) */
    X86_F_X87 = 1u << 11,      /* x87 FPU instruction (D8-DF) */
    X86_F_MMX = 1u << 12,      /* uses MMX registers */
    X86_F_SSE = 1u << 13,      /* uses XMM registers / MXCSR */
    X86_F_VEX = 1u << 14,      /* VEX-encoded */
    X86_F_PRIV = 1u << 15,     /* CPL-0 only (the translator still checks CPL/IOPL itself) */
    X86_F_IMPLICIT_LOCK = 1u << 16, /* locked even without LOCK (XCHG with memory) */
    X86_F_NOMODRM_MOD = 1u << 17,   /* MOV CR/DR: ModRM.mod is ignored (always register) */
    X86_F_SERIALIZE = 1u << 18,     /* ends a translation block (system/serializing) */
};

/* Opcode maps (x86_insn.map). */
enum x86_map {
    X86_MAP_1BYTE, X86_MAP_0F, X86_MAP_0F38, X86_MAP_0F3A,
    X86_MAP_VEX_0F, X86_MAP_VEX_0F38, X86_MAP_VEX_0F3A, /* VEX.mmmmm 1, 2, 3 */
    X86_MAP_VEX_OTHER, X86_MAP_EVEX, X86_MAP_XOP, X86_MAP_3DNOW,
};

/* x86_insn.rep: the last of F2/F3 seen (hardware honours the last one). */
enum { X86_REP_NONE, X86_REP_F3 /* REP/REPE (or mandatory F3) */, X86_REP_F2 /* REPNE */ };

/* A decoded instruction. */
struct x86_insn {
    uint16_t op;          /* enum x86_op */
    uint8_t len;          /* total length in bytes, prefixes included */
    uint8_t opsize;       /* effective operand size: 2, 4 or 8 */
    uint8_t addrsize;     /* effective address size: 2, 4 or 8 */
    uint8_t nops;         /* number of operands in ops[] */
    uint8_t cc;           /* condition (0..15, SDM tttn) for X86_F_COND ops except LOOP/JrCXZ */
    uint8_t map;          /* enum x86_map */
    uint8_t opcode;       /* opcode byte within its map */
    uint8_t modrm, sib;   /* raw bytes (valid when has_modrm / has_sib) */
    bool has_modrm, has_sib;
    /* prefixes */
    bool lock;            /* F0 */
    uint8_t rep;          /* X86_REP_*: last of F3/F2 */
    bool prefix_f2, prefix_f3; /* each seen at all */
    bool opsize_prefix;   /* 66 seen */
    bool addrsize_prefix; /* 67 seen */
    uint8_t seg_override; /* last segment override (enum x86_seg), X86_SEG_NONE if none.
                             In 64-bit mode ES/CS/SS/DS overrides are ignored (NONE). */
    uint8_t mandatory;    /* prefix column the table used: 0 none, 1 = 66, 2 = F3, 3 = F2
                             (F2/F3 win over 66; 0 if the opcode has no columns). VEX: pp */
    uint8_t rex;          /* the REX byte that took effect (0x40..0x4F), 0 if none */
    bool rex_w, rex_r, rex_x, rex_b; /* REX bits; for VEX, VEX.W/R/X/B (64-bit mode only) */
    bool vex;             /* VEX (C4/C5) encoded */
    bool vex_l, vex_w;
    uint8_t vex_vvvv;     /* register number from VEX.vvvv (already inverted) */
    uint8_t nprefixes;    /* bytes before the opcode: legacy prefixes + REX (the 0F/0F38/0F3A
                             escape is not counted), or up to the end of a VEX/EVEX/XOP prefix */
    uint32_t flags;       /* X86_F_* */
    struct x86_operand ops[4]; /* Intel order: destination first; implicit operands included */
    int64_t imm2;         /* second immediate: ENTER's nesting level, far pointer selector */
};

/*
 * Decodes one instruction from buf[0..avail) in the given mode into *out.
 * Returns an enum x86_decode_status. Never reads beyond buf[avail-1] nor beyond 15 bytes.
 * out is fully overwritten, whatever the result. No allocation; thread-safe.
 */
int x86_decode(const uint8_t *buf, size_t avail, enum x86_mode mode, struct x86_insn *out);

/*
 * Formats a decoded instruction in Intel syntax ("add dword ptr [rax+8], 0x10") into
 * buf (size n, always NUL-terminated). ip is the instruction's address, used for
 * branch targets and RIP-relative operands. Returns the length snprintf would return.
 * For tests and debugging.
 */
int x86_insn_format(const struct x86_insn *insn, uint64_t ip, char *buf, size_t n);

#endif
