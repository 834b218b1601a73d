/* SPDX-License-Identifier: MIT */
/* test_decode.c: hand-written decoder cases: prefixes, REX, limits, addressing, #UD, maps. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/decode.h"

#define M16 X86_MODE_16
#define M32 X86_MODE_32
#define M64 X86_MODE_64

/* Decodes the hex string (spaces allowed) with the bytes given exactly as available. */
static int dec(enum x86_mode mode, const char *hex, struct x86_insn *in)
{
    uint8_t buf[32];
    size_t n = 0;
    for (const char *p = hex; *p && n < sizeof(buf);) {
        unsigned v;
        if (*p == ' ') {
            p++;
            continue;
        }
        assert_int_equal(sscanf(p, "%2x", &v), 1);
        buf[n++] = (uint8_t)v;
        p += 2;
    }
    return x86_decode(buf, n, mode, in);
}

static void assert_gpr(const struct x86_operand *o, unsigned reg, unsigned size)
{
    assert_int_equal(o->kind, X86_OPK_REG);
    assert_int_equal(o->regclass, X86_RC_GPR);
    assert_int_equal(o->reg, reg);
    assert_int_equal(o->size, size);
}

static void test_basic(void **state)
{
    struct x86_insn in;
    (void)state;
    assert_int_equal(dec(M32, "01 d8", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_ADD);
    assert_int_equal(in.len, 2);
    assert_int_equal(in.nops, 2);
    assert_gpr(&in.ops[0], X86_RAX, 4);
    assert_gpr(&in.ops[1], X86_RBX, 4);
    assert_string_equal(x86_op_name(in.op), "add");
    char text[80];
    x86_insn_format(&in, 0, text, sizeof(text));
    assert_string_equal(text, "add eax, ebx");
    /* same bytes in 16-bit mode: 16-bit registers */
    assert_int_equal(dec(M16, "01 d8", &in), X86_DECODE_OK);
    assert_gpr(&in.ops[0], X86_RAX, 2);
}

static void test_operand_size_prefixes(void **state)
{
    struct x86_insn in;
    (void)state;
    assert_int_equal(dec(M32, "66 01 d8", &in), X86_DECODE_OK);
    assert_int_equal(in.opsize, 2);
    assert_int_equal(dec(M16, "66 01 d8", &in), X86_DECODE_OK);
    assert_int_equal(in.opsize, 4);
    assert_int_equal(dec(M64, "66 01 d8", &in), X86_DECODE_OK);
    assert_int_equal(in.opsize, 2);
    /* REX.W beats 66 */
    assert_int_equal(dec(M64, "66 48 01 d8", &in), X86_DECODE_OK);
    assert_int_equal(in.opsize, 8);
    assert_gpr(&in.ops[0], X86_RAX, 8);
    /* d64: PUSH defaults to 64-bit, 66 makes it 16-bit, REX.W irrelevant */
    assert_int_equal(dec(M64, "50", &in), X86_DECODE_OK);
    assert_int_equal(in.opsize, 8);
    assert_int_equal(dec(M64, "66 50", &in), X86_DECODE_OK);
    assert_int_equal(in.opsize, 2);
    assert_int_equal(dec(M64, "41 57", &in), X86_DECODE_OK);
    assert_gpr(&in.ops[0], X86_R15, 8);
    /* f64: near branches ignore 66 in 64-bit mode (Intel) */
    assert_int_equal(dec(M64, "66 e8 00 00 00 00", &in), X86_DECODE_OK);
    assert_int_equal(in.len, 6);
    assert_int_equal(in.opsize, 8);
    assert_int_equal(dec(M32, "66 e8 00 00", &in), X86_DECODE_OK);
    assert_int_equal(in.len, 4);
    assert_int_equal(in.ops[0].kind, X86_OPK_REL);
    /* address size */
    assert_int_equal(dec(M64, "67 8b 00", &in), X86_DECODE_OK);
    assert_int_equal(in.addrsize, 4);
    assert_int_equal(dec(M16, "67 8b 00", &in), X86_DECODE_OK);
    assert_int_equal(in.addrsize, 4);
    assert_int_equal(dec(M32, "67 8b 00", &in), X86_DECODE_OK);
    assert_int_equal(in.addrsize, 2);
}

static void test_rex(void **state)
{
    struct x86_insn in;
    (void)state;
    /* REX followed by a legacy prefix is ignored */
    assert_int_equal(dec(M64, "48 66 01 d8", &in), X86_DECODE_OK);
    assert_int_equal(in.rex, 0);
    assert_int_equal(in.opsize, 2);
    /* only the last REX counts */
    assert_int_equal(dec(M64, "48 41 01 d8", &in), X86_DECODE_OK);
    assert_int_equal(in.rex, 0x41);
    assert_gpr(&in.ops[0], X86_R8, 4);
    /* byte registers: AH without REX, SPL with any REX */
    assert_int_equal(dec(M64, "88 e0", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[0].regclass, X86_RC_GPR);
    assert_int_equal(in.ops[0].reg, X86_RAX);
    assert_int_equal(in.ops[1].regclass, X86_RC_GPR8_HIGH);
    assert_int_equal(in.ops[1].reg, 0);
    assert_int_equal(dec(M64, "40 88 e0", &in), X86_DECODE_OK);
    assert_gpr(&in.ops[1], X86_RSP, 1);
    /* 40..4F are INC/DEC outside 64-bit mode */
    assert_int_equal(dec(M32, "48", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_DEC);
    assert_gpr(&in.ops[0], X86_RAX, 4);
    /* REX.B selects r8 for 90: XCHG, not NOP */
    assert_int_equal(dec(M64, "41 90", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_XCHG);
    assert_gpr(&in.ops[1], X86_R8, 4);
    assert_int_equal(dec(M64, "90", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_NOP);
    assert_int_equal(in.nops, 0);
    assert_int_equal(dec(M32, "f3 90", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_PAUSE);
}

static void test_limits(void **state)
{
    struct x86_insn in;
    (void)state;
    /* 14 prefixes + opcode = 15 bytes: fine; one more: #GP */
    assert_int_equal(dec(M32, "66666666666666666666666666 66 90", &in), X86_DECODE_OK);
    assert_int_equal(in.len, 15);
    assert_int_equal(dec(M32, "66666666666666666666666666 6666 90", &in), X86_DECODE_TOO_LONG);
    /* immediate crossing the limit */
    assert_int_equal(dec(M64, "2e2e2e 48 81 84 00 11223344 55667788", &in), X86_DECODE_OK);
    assert_int_equal(in.len, 15);
    assert_int_equal(dec(M64, "2e2e2e2e 48 81 84 00 11223344 55667788", &in),
                     X86_DECODE_TOO_LONG);
    /* buffer ends early */
    assert_int_equal(dec(M32, "b8 01 02", &in), X86_DECODE_SHORT);
    assert_int_equal(dec(M32, "0f", &in), X86_DECODE_SHORT);
    assert_int_equal(dec(M32, "", &in), X86_DECODE_SHORT);
    assert_int_equal(dec(M64, "c4 e2", &in), X86_DECODE_SHORT);
}

static void test_addressing(void **state)
{
    struct x86_insn in;
    (void)state;
    /* RIP-relative in 64-bit mode, absolute disp32 in 32-bit mode */
    assert_int_equal(dec(M64, "8b 05 10 00 00 00", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[1].kind, X86_OPK_MEM);
    assert_true(in.ops[1].rip_rel);
    assert_int_equal(in.ops[1].base, X86_REG_NONE);
    assert_int_equal(in.ops[1].disp, 0x10);
    assert_int_equal(dec(M32, "8b 05 10 00 00 00", &in), X86_DECODE_OK);
    assert_false(in.ops[1].rip_rel);
    assert_int_equal(in.ops[1].base, X86_REG_NONE);
    /* SIB with no base: absolute, not RIP-relative */
    assert_int_equal(dec(M64, "8b 04 25 f0 ff ff ff", &in), X86_DECODE_OK);
    assert_false(in.ops[1].rip_rel);
    assert_int_equal(in.ops[1].index, X86_REG_NONE);
    assert_int_equal(in.ops[1].disp, -16);
    /* SIB index + scale, REX.X / REX.B, SS default for rBP/rSP bases only */
    assert_int_equal(dec(M64, "4b 8b 44 8d 08", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[1].base, X86_R13);
    assert_int_equal(in.ops[1].index, X86_R9);
    assert_int_equal(in.ops[1].scale, 4);
    assert_int_equal(in.ops[1].disp, 8);
    assert_int_equal(in.ops[1].seg, X86_SEG_DS);
    assert_int_equal(dec(M64, "8b 44 24 08", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[1].base, X86_RSP);
    assert_int_equal(in.ops[1].seg, X86_SEG_SS);
    /* 16-bit forms */
    assert_int_equal(dec(M16, "8b 00", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[1].base, X86_RBX);
    assert_int_equal(in.ops[1].index, X86_RSI);
    assert_int_equal(dec(M16, "8b 46 fe", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[1].base, X86_RBP);
    assert_int_equal(in.ops[1].disp, -2);
    assert_int_equal(in.ops[1].seg, X86_SEG_SS);
    assert_int_equal(dec(M16, "8b 06 34 12", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[1].base, X86_REG_NONE);
    assert_int_equal(in.ops[1].disp, 0x1234);
    assert_int_equal(in.len, 4);
    assert_int_equal(dec(M16, "8b 87 34 12", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[1].base, X86_RBX);
    assert_int_equal(in.ops[1].index, X86_REG_NONE);
    /* moffs: address-size wide */
    assert_int_equal(dec(M64, "a1 8877665544332211", &in), X86_DECODE_OK);
    assert_int_equal(in.len, 9);
    assert_int_equal((uint64_t)in.ops[1].disp, 0x1122334455667788ull);
    assert_int_equal(dec(M64, "67 a1 44332211", &in), X86_DECODE_OK);
    assert_int_equal(in.len, 6);
    assert_int_equal(dec(M32, "a1 44332211", &in), X86_DECODE_OK);
    assert_int_equal(in.len, 5);
    assert_int_equal(dec(M16, "a0 3412", &in), X86_DECODE_OK);
    assert_int_equal(in.len, 3);
    assert_int_equal(in.ops[1].size, 1);
}

static void test_segments(void **state)
{
    struct x86_insn in;
    (void)state;
    assert_int_equal(dec(M32, "26 64 8b 00", &in), X86_DECODE_OK);
    assert_int_equal(in.seg_override, X86_SEG_FS);
    assert_int_equal(in.ops[1].seg, X86_SEG_FS);
    assert_int_equal(dec(M32, "64 26 8b 00", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[1].seg, X86_SEG_ES);
    /* 64-bit mode: ES/CS/SS/DS overrides are ignored */
    assert_int_equal(dec(M64, "64 2e 8b 00", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[1].seg, X86_SEG_FS);
    assert_int_equal(dec(M64, "26 8b 00", &in), X86_DECODE_OK);
    assert_int_equal(in.seg_override, X86_SEG_NONE);
    assert_int_equal(in.ops[1].seg, X86_SEG_DS);
    /* string: source takes the override, destination is always ES */
    assert_int_equal(dec(M32, "2e f3 a4", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_MOVS);
    assert_int_equal(in.rep, X86_REP_F3);
    assert_true(in.flags & X86_F_STRING);
    assert_int_equal(in.ops[0].seg, X86_SEG_ES);
    assert_int_equal(in.ops[0].base, X86_RDI);
    assert_int_equal(in.ops[1].seg, X86_SEG_CS);
    assert_int_equal(in.ops[1].base, X86_RSI);
}

static void test_ud(void **state)
{
    struct x86_insn in;
    (void)state;
    /* LOCK: only on lockable forms with a memory destination */
    assert_int_equal(dec(M32, "f0 01 18", &in), X86_DECODE_OK);
    assert_true(in.lock);
    assert_int_equal(dec(M32, "f0 01 d8", &in), X86_DECODE_UD);
    assert_int_equal(in.len, 3);
    assert_int_equal(dec(M32, "f0 8b 00", &in), X86_DECODE_UD);
    assert_int_equal(dec(M32, "f0 90", &in), X86_DECODE_UD);
    assert_int_equal(dec(M32, "f0 0f c7 08", &in), X86_DECODE_OK); /* CMPXCHG8B */
    /* invalid in 64-bit mode */
    static const char *const i64[] = { "06", "07", "0e", "16", "17", "1e", "1f", "27", "2f",
                                       "37", "3f", "60", "61", "ce", "d4 0a", "d5 0a", "d6",
                                       "9a 00 00 00 00 00 00", "ea 00 00 00 00 00 00", "82 c0 01" };
    for (unsigned i = 0; i < sizeof(i64) / sizeof(i64[0]); i++) {
        assert_int_equal(dec(M64, i64[i], &in), X86_DECODE_UD);
        assert_int_equal(dec(M32, i64[i], &in), X86_DECODE_OK);
    }
    /* memory-only forms with a register */
    assert_int_equal(dec(M32, "8d c0", &in), X86_DECODE_UD);            /* LEA */
    assert_int_equal(dec(M32, "0f b2 c0", &in), X86_DECODE_UD);         /* LSS */
    assert_int_equal(dec(M32, "0f 01 10", &in), X86_DECODE_OK);         /* LGDT m */
    assert_int_equal(dec(M32, "62 00", &in), X86_DECODE_OK);            /* BOUND m */
    assert_int_equal(in.op, X86_OP_BOUND);
    assert_int_equal(dec(M32, "ff d8", &in), X86_DECODE_UD);            /* CALLF reg */
    /* reserved encodings */
    assert_int_equal(dec(M32, "8e c8", &in), X86_DECODE_UD);            /* MOV CS, ax */
    assert_int_equal(dec(M32, "8e f0", &in), X86_DECODE_UD);            /* Sreg 6 */
    assert_int_equal(dec(M32, "0f 20 c8", &in), X86_DECODE_UD);         /* CR1 */
    assert_int_equal(dec(M32, "0f 20 c0", &in), X86_DECODE_OK);         /* CR0 */
    assert_int_equal(dec(M64, "44 0f 20 c0", &in), X86_DECODE_OK);      /* CR8 */
    assert_int_equal(in.ops[1].reg, 8);
    assert_int_equal(dec(M64, "44 0f 21 c0", &in), X86_DECODE_UD);      /* DR8 */
    assert_int_equal(dec(M32, "fe d0", &in), X86_DECODE_UD);            /* FE /2 */
    assert_int_equal(dec(M32, "c6 c8 00", &in), X86_DECODE_UD);         /* C6 /1 */
    assert_int_equal(dec(M32, "0f 0b", &in), X86_DECODE_UD);            /* UD2 */
    assert_int_equal(in.op, X86_OP_UD2);
    assert_int_equal(in.len, 2);
    assert_int_equal(dec(M32, "0f b9 c0", &in), X86_DECODE_UD);         /* UD1 */
    assert_int_equal(in.len, 3);
    assert_int_equal(dec(M32, "0f 04", &in), X86_DECODE_UD);
    assert_int_equal(dec(M32, "0f 01 f8", &in), X86_DECODE_UD);         /* SWAPGS: o64 */
    assert_int_equal(dec(M64, "0f 01 f8", &in), X86_DECODE_OK);
    assert_int_equal(dec(M32, "d9 d1", &in), X86_DECODE_UD);            /* x87 reserved */
}

static void test_mandatory_prefixes(void **state)
{
    struct x86_insn in;
    (void)state;
    static const struct { const char *hex; unsigned op; } t[] = {
        { "0f 58 c1", X86_OP_ADDPS }, { "66 0f 58 c1", X86_OP_ADDPD },
        { "f3 0f 58 c1", X86_OP_ADDSS }, { "f2 0f 58 c1", X86_OP_ADDSD },
        { "66 f3 0f 58 c1", X86_OP_ADDSS }, { "f3 66 0f 58 c1", X86_OP_ADDSS },
        { "f3 f2 0f 58 c1", X86_OP_ADDSD }, { "f2 f3 0f 58 c1", X86_OP_ADDSS },
        { "0f 6f c1", X86_OP_MOVQ }, { "66 0f 6f c1", X86_OP_MOVDQA },
        { "f3 0f 6f c1", X86_OP_MOVDQU }, { "0f bc c1", X86_OP_BSF },
        { "f3 0f bc c1", X86_OP_TZCNT }, { "f3 0f b8 c1", X86_OP_POPCNT },
        { "66 f3 0f b8 c1", X86_OP_POPCNT }, { "f2 0f 38 f0 c1", X86_OP_CRC32 },
        { "66 f2 0f 38 f1 c1", X86_OP_CRC32 }, { "0f 38 f0 01", X86_OP_MOVBE },
        { "66 0f 38 00 c1", X86_OP_PSHUFB }, { "0f 38 00 c1", X86_OP_PSHUFB },
        { "66 0f 3a 0f c1 03", X86_OP_PALIGNR }, { "66 0f 3a 44 c1 11", X86_OP_PCLMULQDQ },
        { "66 0f 38 dc c1", X86_OP_AESENC }, { "66 0f 3a 63 c1 00", X86_OP_PCMPISTRI },
    };
    for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        assert_int_equal(dec(M64, t[i].hex, &in), X86_DECODE_OK);
        assert_int_equal(in.op, t[i].op);
    }
    /* operand classes follow the column */
    assert_int_equal(dec(M64, "0f 38 00 c1", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[0].regclass, X86_RC_MMX);
    assert_int_equal(dec(M64, "66 0f 38 00 c1", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[0].regclass, X86_RC_XMM);
    /* 66 still sizes the GPR of POPCNT / CRC32 */
    assert_int_equal(dec(M64, "66 f3 0f b8 c1", &in), X86_DECODE_OK);
    assert_gpr(&in.ops[0], X86_RAX, 2);
    assert_int_equal(dec(M64, "66 f2 0f 38 f1 c1", &in), X86_DECODE_OK);
    assert_gpr(&in.ops[0], X86_RAX, 4);
    assert_gpr(&in.ops[1], X86_RCX, 2);
    /* empty columns are #UD */
    assert_int_equal(dec(M64, "f3 0f 60 c1", &in), X86_DECODE_UD);
    assert_int_equal(dec(M64, "f2 0f 54 c1", &in), X86_DECODE_UD);
    assert_int_equal(dec(M64, "0f 38 10 c1", &in), X86_DECODE_UD);
    /* MOVD/MOVQ by REX.W */
    assert_int_equal(dec(M64, "66 48 0f 7e c0", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_MOVD);
    assert_gpr(&in.ops[0], X86_RAX, 8);
    assert_int_equal(in.ops[1].regclass, X86_RC_XMM);
    /* SSE scalar memory sizes */
    assert_int_equal(dec(M64, "f3 0f 10 00", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[1].size, 4);
    assert_int_equal(dec(M64, "f2 0f 10 00", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[1].size, 8);
    /* MOVLPS/MOVHLPS by ModRM.mod */
    assert_int_equal(dec(M64, "0f 12 00", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_MOVLPS);
    assert_int_equal(dec(M64, "0f 12 c1", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_MOVHLPS);
}

static void test_vex(void **state)
{
    struct x86_insn in;
    (void)state;
    /* ANDN eax, edx, ecx */
    assert_int_equal(dec(M64, "c4 e2 68 f2 c1", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_ANDN);
    assert_true(in.vex);
    assert_gpr(&in.ops[0], X86_RAX, 4);
    assert_gpr(&in.ops[1], X86_RDX, 4);
    assert_gpr(&in.ops[2], X86_RCX, 4);
    /* SHLX eax, ecx, edx (pp = 66) */
    assert_int_equal(dec(M64, "c4 e2 69 f7 c1", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_SHLX);
    assert_gpr(&in.ops[1], X86_RCX, 4);
    assert_gpr(&in.ops[2], X86_RDX, 4);
    /* BEXTR, SARX, SHRX share F7 */
    assert_int_equal(dec(M64, "c4 e2 68 f7 c1", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_BEXTR);
    assert_int_equal(dec(M64, "c4 e2 6a f7 c1", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_SARX);
    assert_int_equal(dec(M64, "c4 e2 6b f7 c1", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_SHRX);
    /* RORX eax, ecx, 5 */
    assert_int_equal(dec(M64, "c4 e3 7b f0 c1 05", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_RORX);
    assert_int_equal(in.ops[2].imm, 5);
    assert_int_equal(in.len, 6);
    /* MULX rax, rdx, rcx (VEX.W) */
    assert_int_equal(dec(M64, "c4 e2 eb f6 c1", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_MULX);
    assert_gpr(&in.ops[0], X86_RAX, 8);
    /* VEX.W is ignored for GPRs outside 64-bit mode */
    assert_int_equal(dec(M32, "c4 e2 eb f6 c1", &in), X86_DECODE_OK);
    assert_gpr(&in.ops[0], X86_RAX, 4);
    /* PDEP, PEXT, BZHI */
    assert_int_equal(dec(M64, "c4 e2 6b f5 c1", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_PDEP);
    assert_int_equal(dec(M64, "c4 e2 6a f5 c1", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_PEXT);
    assert_int_equal(dec(M64, "c4 e2 68 f5 c1", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_BZHI);
    /* group 17: BLSR/BLSMSK/BLSI ecx, ecx */
    assert_int_equal(dec(M64, "c4 e2 70 f3 c9", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_BLSR);
    assert_gpr(&in.ops[0], X86_RCX, 4);
    assert_int_equal(dec(M64, "c4 e2 70 f3 d1", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_BLSMSK);
    assert_int_equal(dec(M64, "c4 e2 70 f3 d9", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_BLSI);
    assert_int_equal(dec(M64, "c4 e2 70 f3 c1", &in), X86_DECODE_UD);
    /* memory operand with VEX.B/X: ANDN eax, edx, [r9 + r10*2] */
    assert_int_equal(dec(M64, "c4 82 68 f2 04 51", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[2].base, X86_R9);
    assert_int_equal(in.ops[2].index, X86_R10);
    /* VEX.L = 1, RORX with vvvv != 1111, legacy prefix before VEX: #UD */
    assert_int_equal(dec(M64, "c4 e2 6c f2 c1", &in), X86_DECODE_UD);
    assert_int_equal(dec(M64, "c4 e3 6b f0 c1 05", &in), X86_DECODE_UD);
    assert_int_equal(dec(M64, "66 c4 e2 68 f2 c1", &in), X86_DECODE_UD);
    assert_int_equal(in.len, 6);
    /* AVX: recognised, length known, unsupported */
    assert_int_equal(dec(M64, "c5 f8 58 c1", &in), X86_DECODE_UD);
    assert_true(in.flags & X86_F_UNSUPPORTED);
    assert_int_equal(in.len, 4);
    assert_int_equal(dec(M64, "c4 e3 79 0f c1 08", &in), X86_DECODE_UD);
    assert_int_equal(in.len, 6);
    assert_int_equal(dec(M64, "c5 f8 77", &in), X86_DECODE_UD); /* VZEROUPPER */
    assert_int_equal(in.len, 3);
    /* EVEX, XOP */
    assert_int_equal(dec(M64, "62 f1 7c 48 58 c1", &in), X86_DECODE_UD);
    assert_int_equal(in.op, X86_OP_UNSUPPORTED_EVEX);
    assert_int_equal(in.len, 6);
    assert_int_equal(dec(M64, "8f e9 78 c3 c1", &in), X86_DECODE_UD);
    assert_int_equal(in.op, X86_OP_UNSUPPORTED_XOP);
    assert_int_equal(in.len, 5);
    /* 3DNow! */
    assert_int_equal(dec(M32, "0f 0f c1 b4", &in), X86_DECODE_UD);
    assert_int_equal(in.len, 4);
    /* outside 64-bit mode C4/C5 with ModRM.mod != 3 are LES/LDS, 8F /0 is POP */
    assert_int_equal(dec(M32, "c4 00", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_LES);
    assert_int_equal(dec(M32, "c5 f8 58 c1", &in), X86_DECODE_UD);
    assert_true(in.vex);
    assert_int_equal(dec(M32, "8f 00", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_POP);
}

static void test_x87(void **state)
{
    struct x86_insn in;
    (void)state;
    assert_int_equal(dec(M32, "d9 c1", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_FLD);
    assert_int_equal(in.ops[0].regclass, X86_RC_ST);
    assert_int_equal(in.ops[0].reg, 1);
    assert_int_equal(dec(M32, "d9 e8", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_FLD1);
    assert_int_equal(dec(M32, "dd 1c 24", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_FSTP);
    assert_int_equal(in.ops[0].size, 8);
    assert_int_equal(dec(M32, "db 28", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_FLD);
    assert_int_equal(in.ops[0].size, 10);
    assert_int_equal(dec(M32, "de d9", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_FCOMPP);
    assert_int_equal(dec(M32, "da c8", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_FCMOVCC);
    assert_int_equal(in.cc, 4); /* E */
    assert_int_equal(dec(M32, "db d0", &in), X86_DECODE_OK);
    assert_int_equal(in.cc, 7); /* NBE */
    assert_int_equal(dec(M32, "df e0", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_FNSTSW);
    assert_gpr(&in.ops[0], X86_RAX, 2);
    assert_int_equal(dec(M32, "dc e9", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_FSUB); /* DC E8+i: FSUB ST(i), ST(0) */
    assert_int_equal(in.ops[0].reg, 1);
    assert_int_equal(dec(M32, "66 d9 30", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_FNSTENV);
    assert_int_equal(in.ops[0].size, 14);
    assert_int_equal(dec(M32, "dd 30", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_FNSAVE);
    assert_int_equal(in.ops[0].size, 108);
}

static void test_immediates_and_branches(void **state)
{
    struct x86_insn in;
    (void)state;
    assert_int_equal(dec(M32, "83 c0 ff", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[1].imm, -1);
    assert_int_equal(in.ops[1].size, 4);
    assert_int_equal(dec(M64, "6a ff", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[0].imm, -1);
    assert_int_equal(in.ops[0].size, 8);
    assert_int_equal(dec(M64, "48 c7 c0 ff ff ff ff", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[1].imm, -1);
    assert_int_equal(in.ops[1].size, 8);
    assert_int_equal(dec(M64, "48 b8 0102030405060708", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[1].imm, 0x0807060504030201ll);
    assert_int_equal(in.len, 10);
    assert_int_equal(dec(M32, "e4 80", &in), X86_DECODE_OK); /* IN AL, imm8: unsigned */
    assert_int_equal(in.ops[1].imm, 0x80);
    assert_int_equal(dec(M32, "c8 10 00 02", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_ENTER);
    assert_int_equal(in.ops[0].imm, 16);
    assert_int_equal(in.imm2, 2);
    assert_int_equal(dec(M32, "9a 78 56 34 12 cd ab", &in), X86_DECODE_OK);
    assert_int_equal(in.ops[0].kind, X86_OPK_FAR);
    assert_int_equal(in.ops[0].imm, 0x12345678);
    assert_int_equal(in.imm2, 0xabcd);
    assert_int_equal(dec(M32, "75 fe", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_JCC);
    assert_int_equal(in.cc, 5);
    assert_int_equal(in.ops[0].kind, X86_OPK_REL);
    assert_int_equal(in.ops[0].imm, -2);
    assert_true(in.flags & X86_F_BRANCH);
    assert_int_equal(dec(M64, "0f 84 00 01 00 00", &in), X86_DECODE_OK);
    assert_int_equal(in.cc, 4);
    assert_int_equal(in.ops[0].imm, 0x100);
    assert_int_equal(dec(M64, "ff d0", &in), X86_DECODE_OK); /* CALL rax: f64 */
    assert_gpr(&in.ops[0], X86_RAX, 8);
    assert_int_equal(dec(M32, "d1 e0", &in), X86_DECODE_OK); /* SHL eax, 1 */
    assert_int_equal(in.op, X86_OP_SHL);
    assert_int_equal(in.ops[1].kind, X86_OPK_IMM);
    assert_int_equal(in.ops[1].imm, 1);
    assert_int_equal(dec(M32, "d3 e0", &in), X86_DECODE_OK);
    assert_gpr(&in.ops[1], X86_RCX, 1);
    assert_int_equal(dec(M32, "f7 e3", &in), X86_DECODE_OK); /* MUL ebx: rAX listed */
    assert_gpr(&in.ops[0], X86_RAX, 4);
    assert_gpr(&in.ops[1], X86_RBX, 4);
}

static void test_system(void **state)
{
    struct x86_insn in;
    (void)state;
    assert_int_equal(dec(M64, "0f 20 c0", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_MOV_CR);
    assert_gpr(&in.ops[0], X86_RAX, 8);
    assert_int_equal(in.ops[1].regclass, X86_RC_CR);
    /* ModRM.mod is ignored for MOV CR */
    assert_int_equal(dec(M32, "0f 22 18", &in), X86_DECODE_OK);
    assert_int_equal(in.len, 3);
    assert_int_equal(in.ops[0].reg, 3);
    assert_gpr(&in.ops[1], X86_RAX, 4);
    assert_int_equal(dec(M64, "48 0f c7 0e", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_CMPXCHG16B);
    assert_int_equal(in.ops[0].size, 16);
    assert_int_equal(dec(M64, "0f 01 d0", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_XGETBV);
    assert_int_equal(dec(M64, "0f ae e8", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_LFENCE);
    assert_int_equal(dec(M64, "f3 0f ae c0", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_RDFSBASE);
    assert_int_equal(dec(M64, "0f 1f 44 00 00", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_NOP);
    assert_int_equal(in.len, 5);
    assert_int_equal(dec(M64, "f3 0f 1e fa", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_ENDBR64);
    assert_int_equal(dec(M64, "87 18", &in), X86_DECODE_OK);
    assert_true(in.flags & X86_F_IMPLICIT_LOCK);
    assert_int_equal(dec(M64, "87 d8", &in), X86_DECODE_OK);
    assert_false(in.flags & X86_F_IMPLICIT_LOCK);
    assert_int_equal(dec(M64, "0f 37", &in), X86_DECODE_UD); /* GETSEC: not implemented */
    assert_true(in.flags & X86_F_UNSUPPORTED);
    assert_int_equal(dec(M64, "63 c1", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_MOVSXD);
    assert_int_equal(dec(M32, "63 c1", &in), X86_DECODE_OK);
    assert_int_equal(in.op, X86_OP_ARPL);
}

/* The decoder never depends on bytes past the instruction, and a cut buffer is SHORT. */
static void test_prefix_truncation(void **state)
{
    uint64_t x = 0x243f6a8885a308d3ull;
    (void)state;
    for (int i = 0; i < 20000; i++) {
        uint8_t buf[16];
        struct x86_insn a, b;
        for (int j = 0; j < 16; j++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[j] = (uint8_t)x;
        }
        enum x86_mode m = (enum x86_mode)(i % 3);
        int st = x86_decode(buf, 16, m, &a);
        /* an exactly sized heap copy: sanitizer builds catch any read past avail */
        unsigned n = (unsigned)(x % 17);
        uint8_t *h = malloc(n ? n : 1);
        assert_non_null(h);
        memcpy(h, buf, n);
        int st2 = x86_decode(h, n, m, &b);
        free(h);
        if (st == X86_DECODE_OK && a.len <= n)
            assert_int_equal(st2, X86_DECODE_OK);
        else if (st == X86_DECODE_OK)
            assert_int_equal(st2, X86_DECODE_SHORT);
        if (st == X86_DECODE_OK) {
            assert_in_range(a.len, 1, 15);
            assert_int_equal(x86_decode(buf, a.len, m, &b), X86_DECODE_OK);
            assert_int_equal(b.len, a.len);
            assert_int_equal(b.op, a.op);
            assert_int_equal(x86_decode(buf, a.len - 1u, m, &b), X86_DECODE_SHORT);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_operand_size_prefixes),
        cmocka_unit_test(test_rex),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_addressing),
        cmocka_unit_test(test_segments),
        cmocka_unit_test(test_ud),
        cmocka_unit_test(test_mandatory_prefixes),
        cmocka_unit_test(test_vex),
        cmocka_unit_test(test_x87),
        cmocka_unit_test(test_immediates_and_branches),
        cmocka_unit_test(test_system),
        cmocka_unit_test(test_prefix_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
