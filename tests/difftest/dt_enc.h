/* SPDX-License-Identifier: MIT */
/* dt_enc.h: the difftest mini assembler (legacy/REX and VEX integer forms). */
#ifndef KILN_DT_ENC_H
#define KILN_DT_ENC_H

#include "tests/difftest/dt.h"

/* A memory operand. base/index: 0..15 or -1. rip: [rip + disp32] where disp holds the
   target's offset in the data buffer (fixed up at layout). addr32: 67 prefix. */
struct dt_mem {
    int base, index, scale;
    int32_t disp;
    bool rip, addr32;
    uint8_t seg;      /* segment override prefix byte (0x26 0x2e 0x36 0x3e 0x64 0x65) or 0 */
};

/* A ModRM r/m operand: a register (reg) or memory (m). */
struct dt_rm {
    bool mem;
    int reg;
    struct dt_mem m;
};

/* One legacy/REX-encoded instruction. */
struct dt_ins {
    int osz;              /* 1, 2, 4, 8: 2 adds 66, 8 adds REX.W (unless no_w) */
    bool no_w;            /* 64-bit default size: no REX.W for osz 8 */
    bool no_66;           /* osz 2 without the 66 prefix (the caller supplies it) */
    bool force_rex;       /* emit a REX even if empty (SPL..DIL) */
    uint8_t pfx[4];       /* extra legacy prefixes (F0, F2, F3, 66...) before the others */
    int npfx;
    int map;              /* 0 one-byte, 1 0F, 2 0F38, 3 0F3A */
    uint8_t opc;
    int opreg;            /* -1, or register in the opcode's low 3 bits (REX.B) */
    bool modrm;
    int reg;              /* ModRM.reg: register or /digit (REX.R from bit 3) */
    struct dt_rm rm;
    int immsz;            /* 0, 1, 2, 4, 8 */
    uint64_t imm;
    int junk;             /* 0, or a random value: prefixes the CPU ignores go in front (a
                             REX followed by a legacy prefix, ignored segment overrides, and
                             for junk & 1 an F2/F3 the caller knows to be ignored) if the
                             instruction stays within 15 bytes */
};

/* Appends one instruction to the item. */
void dt_enc(struct dt_item *it, const struct dt_ins *in);
/* Appends a VEX (C4) instruction: map 2 = 0F38, 3 = 0F3A; pp 0 none 1 66 2 F3 3 F2. */
void dt_enc_vex(struct dt_item *it, int map, int pp, bool w, int vvvv, uint8_t opc, int reg,
                const struct dt_rm *rm, int immsz, uint64_t imm);
/* Appends raw bytes as one instruction. */
void dt_emit(struct dt_item *it, const uint8_t *b, int n);
/* Appends mov reg64, value (shortest of B8+r imm32, C7 imm32 sign-extended, B8+r imm64). */
void dt_emit_movimm(struct dt_item *it, int reg, uint64_t v);

static inline struct dt_rm dt_rm_reg(int r) { struct dt_rm x = { .mem = false, .reg = r }; return x; }

#endif
