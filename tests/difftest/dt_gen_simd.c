/* SPDX-License-Identifier: MIT */
/* dt_gen_simd.c: MMX, SSE..SSE4.2, AES-NI and PCLMULQDQ generators (table-driven). */
#include "tests/difftest/dt_gen.h"

/* Operand kinds of the ModRM reg and r/m fields. */
enum { K_X, K_M, K_G, K_Q, K_D };   /* XMM, MMX, GPR32, GPR32/64 (REX.W random), /digit */

/* flags */
#define S_IMM 0x01      /* imm8 */
#define S_ALIGN 0x02    /* 16-byte memory operand must be aligned */
#define S_MEM 0x04      /* memory form only */
#define S_REG 0x08      /* register form only */
#define S_STORE 0x10    /* r/m is the destination */
#define S_FLAGS 0x20    /* writes all six arithmetic flags */
#define S_CMP 0x40      /* imm8 is a comparison predicate 0..7 */
#define S_RDST 0x80     /* reg is a GPR destination */

struct sop {
    uint8_t pfx, map, opc;
    uint8_t rk, mk;     /* kinds of reg, r/m */
    uint8_t msize;      /* memory operand size */
    uint8_t flags;
    uint8_t digit;      /* K_D: ModRM.reg */
};

#define NP 0
#define P66 0x66
#define PF3 0xf3
#define PF2 0xf2
#define XX(p, m, o, s, f) { p, m, o, K_X, K_X, s, f, 0 }
#define MM(p, m, o, f) { p, m, o, K_M, K_M, 8, f, 0 }

/* MMX: the NP 0F forms on mm, mm/m64, and the SSSE3 0F 38 / 0F 3A ones. */
static const struct sop mmx_ops[] = {
    MM(NP, 1, 0x60, 0), MM(NP, 1, 0x61, 0), MM(NP, 1, 0x62, 0), MM(NP, 1, 0x63, 0), MM(NP, 1, 0x64, 0),
    MM(NP, 1, 0x65, 0), MM(NP, 1, 0x66, 0), MM(NP, 1, 0x67, 0), MM(NP, 1, 0x68, 0), MM(NP, 1, 0x69, 0),
    MM(NP, 1, 0x6a, 0), MM(NP, 1, 0x6b, 0), MM(NP, 1, 0x6f, 0), MM(NP, 1, 0x7f, S_STORE),
    MM(NP, 1, 0x74, 0), MM(NP, 1, 0x75, 0), MM(NP, 1, 0x76, 0), MM(NP, 1, 0x70, S_IMM),
    MM(NP, 1, 0xd1, 0), MM(NP, 1, 0xd2, 0), MM(NP, 1, 0xd3, 0), MM(NP, 1, 0xd4, 0), MM(NP, 1, 0xd5, 0),
    MM(NP, 1, 0xd8, 0), MM(NP, 1, 0xd9, 0), MM(NP, 1, 0xda, 0), MM(NP, 1, 0xdb, 0), MM(NP, 1, 0xdc, 0),
    MM(NP, 1, 0xdd, 0), MM(NP, 1, 0xde, 0), MM(NP, 1, 0xdf, 0), MM(NP, 1, 0xe0, 0), MM(NP, 1, 0xe1, 0),
    MM(NP, 1, 0xe2, 0), MM(NP, 1, 0xe3, 0), MM(NP, 1, 0xe4, 0), MM(NP, 1, 0xe5, 0), MM(NP, 1, 0xe8, 0),
    MM(NP, 1, 0xe9, 0), MM(NP, 1, 0xea, 0), MM(NP, 1, 0xeb, 0), MM(NP, 1, 0xec, 0), MM(NP, 1, 0xed, 0),
    MM(NP, 1, 0xee, 0), MM(NP, 1, 0xef, 0), MM(NP, 1, 0xf1, 0), MM(NP, 1, 0xf2, 0), MM(NP, 1, 0xf3, 0),
    MM(NP, 1, 0xf4, 0), MM(NP, 1, 0xf5, 0), MM(NP, 1, 0xf6, 0), MM(NP, 1, 0xf8, 0), MM(NP, 1, 0xf9, 0),
    MM(NP, 1, 0xfa, 0), MM(NP, 1, 0xfb, 0), MM(NP, 1, 0xfc, 0), MM(NP, 1, 0xfd, 0), MM(NP, 1, 0xfe, 0),
    MM(NP, 1, 0xe7, S_STORE | S_MEM),                                  /* movntq */
    { NP, 1, 0x6e, K_M, K_Q, 4, 0, 0 }, { NP, 1, 0x7e, K_M, K_Q, 4, S_STORE, 0 }, /* movd/movq */
    { NP, 1, 0xd7, K_G, K_M, 8, S_REG | S_RDST, 0 },                   /* pmovmskb */
    { NP, 1, 0xc4, K_M, K_G, 2, S_IMM, 0 }, { NP, 1, 0xc5, K_G, K_M, 8, S_IMM | S_REG | S_RDST, 0 },
    { NP, 1, 0x71, K_D, K_M, 8, S_IMM | S_REG, 2 }, { NP, 1, 0x71, K_D, K_M, 8, S_IMM | S_REG, 4 },
    { NP, 1, 0x71, K_D, K_M, 8, S_IMM | S_REG, 6 }, { NP, 1, 0x72, K_D, K_M, 8, S_IMM | S_REG, 2 },
    { NP, 1, 0x72, K_D, K_M, 8, S_IMM | S_REG, 4 }, { NP, 1, 0x72, K_D, K_M, 8, S_IMM | S_REG, 6 },
    { NP, 1, 0x73, K_D, K_M, 8, S_IMM | S_REG, 2 }, { NP, 1, 0x73, K_D, K_M, 8, S_IMM | S_REG, 6 },
    MM(NP, 2, 0x00, 0), MM(NP, 2, 0x01, 0), MM(NP, 2, 0x02, 0), MM(NP, 2, 0x03, 0), MM(NP, 2, 0x04, 0),
    MM(NP, 2, 0x05, 0), MM(NP, 2, 0x06, 0), MM(NP, 2, 0x07, 0), MM(NP, 2, 0x08, 0), MM(NP, 2, 0x09, 0),
    MM(NP, 2, 0x0a, 0), MM(NP, 2, 0x0b, 0), MM(NP, 2, 0x1c, 0), MM(NP, 2, 0x1d, 0), MM(NP, 2, 0x1e, 0),
    MM(NP, 3, 0x0f, S_IMM),
    { NP, 1, 0x77, K_X, K_X, 0, 0, 0xff },                              /* emms (no ModRM) */
};

/* SSE/SSE2/SSE3/SSE4.1 floating point, moves and conversions. */
#define FP4(o, f) XX(NP, 1, o, 16, S_ALIGN | (f)), XX(P66, 1, o, 16, S_ALIGN | (f)), \
                  XX(PF3, 1, o, 4, (f)), XX(PF2, 1, o, 8, (f))
static const struct sop ssefp_ops[] = {
    FP4(0x51, 0), FP4(0x58, 0), FP4(0x59, 0), FP4(0x5c, 0), FP4(0x5d, 0), FP4(0x5e, 0), FP4(0x5f, 0),
    FP4(0xc2, S_IMM | S_CMP),
    XX(NP, 1, 0x54, 16, S_ALIGN), XX(P66, 1, 0x54, 16, S_ALIGN), XX(NP, 1, 0x55, 16, S_ALIGN),
    XX(P66, 1, 0x55, 16, S_ALIGN), XX(NP, 1, 0x56, 16, S_ALIGN), XX(P66, 1, 0x56, 16, S_ALIGN),
    XX(NP, 1, 0x57, 16, S_ALIGN), XX(P66, 1, 0x57, 16, S_ALIGN), XX(NP, 1, 0x14, 16, S_ALIGN),
    XX(P66, 1, 0x14, 16, S_ALIGN), XX(NP, 1, 0x15, 16, S_ALIGN), XX(P66, 1, 0x15, 16, S_ALIGN),
    XX(NP, 1, 0xc6, 16, S_ALIGN | S_IMM), XX(P66, 1, 0xc6, 16, S_ALIGN | S_IMM),
    { NP, 1, 0x50, K_G, K_X, 16, S_REG | S_RDST, 0 }, { P66, 1, 0x50, K_G, K_X, 16, S_REG | S_RDST, 0 },
    XX(NP, 1, 0x28, 16, S_ALIGN), XX(P66, 1, 0x28, 16, S_ALIGN), XX(NP, 1, 0x29, 16, S_ALIGN | S_STORE),
    XX(P66, 1, 0x29, 16, S_ALIGN | S_STORE), XX(NP, 1, 0x10, 16, 0), XX(P66, 1, 0x10, 16, 0),
    XX(PF3, 1, 0x10, 4, 0), XX(PF2, 1, 0x10, 8, 0), XX(NP, 1, 0x11, 16, S_STORE),
    XX(PF3, 1, 0x11, 4, S_STORE), XX(PF2, 1, 0x11, 8, S_STORE),
    XX(NP, 1, 0x12, 8, 0), XX(P66, 1, 0x12, 8, S_MEM), XX(NP, 1, 0x13, 8, S_MEM | S_STORE),
    XX(NP, 1, 0x16, 8, 0), XX(P66, 1, 0x16, 8, S_MEM), XX(P66, 1, 0x17, 8, S_MEM | S_STORE),
    XX(PF2, 1, 0x12, 8, 0), XX(PF3, 1, 0x12, 16, S_ALIGN), XX(PF3, 1, 0x16, 16, S_ALIGN),
    XX(NP, 1, 0x2b, 16, S_ALIGN | S_MEM | S_STORE),
    XX(NP, 1, 0x5a, 8, 0), XX(P66, 1, 0x5a, 16, S_ALIGN), XX(PF3, 1, 0x5a, 4, 0), XX(PF2, 1, 0x5a, 8, 0),
    XX(NP, 1, 0x5b, 16, S_ALIGN), XX(P66, 1, 0x5b, 16, S_ALIGN), XX(PF3, 1, 0x5b, 16, S_ALIGN),
    XX(PF3, 1, 0xe6, 8, 0), XX(P66, 1, 0xe6, 16, S_ALIGN), XX(PF2, 1, 0xe6, 16, S_ALIGN),
    { NP, 1, 0x2a, K_X, K_M, 8, 0, 0 }, { P66, 1, 0x2a, K_X, K_M, 8, 0, 0 },
    { PF3, 1, 0x2a, K_X, K_Q, 4, 0, 0 }, { PF2, 1, 0x2a, K_X, K_Q, 4, 0, 0 },
    { NP, 1, 0x2c, K_M, K_X, 8, 0, 0 }, { P66, 1, 0x2c, K_M, K_X, 16, S_ALIGN, 0 },
    { PF3, 1, 0x2c, K_Q, K_X, 4, S_RDST, 0 }, { PF2, 1, 0x2c, K_Q, K_X, 8, S_RDST, 0 },
    { NP, 1, 0x2d, K_M, K_X, 8, 0, 0 }, { P66, 1, 0x2d, K_M, K_X, 16, S_ALIGN, 0 },
    { PF3, 1, 0x2d, K_Q, K_X, 4, S_RDST, 0 }, { PF2, 1, 0x2d, K_Q, K_X, 8, S_RDST, 0 },
    XX(NP, 1, 0x2e, 4, S_FLAGS), XX(P66, 1, 0x2e, 8, S_FLAGS), XX(NP, 1, 0x2f, 4, S_FLAGS),
    XX(P66, 1, 0x2f, 8, S_FLAGS),
    XX(PF2, 1, 0x7c, 16, S_ALIGN), XX(P66, 1, 0x7c, 16, S_ALIGN), XX(PF2, 1, 0x7d, 16, S_ALIGN),
    XX(P66, 1, 0x7d, 16, S_ALIGN), XX(PF2, 1, 0xd0, 16, S_ALIGN), XX(P66, 1, 0xd0, 16, S_ALIGN),
    XX(P66, 3, 0x08, 16, S_ALIGN | S_IMM), XX(P66, 3, 0x09, 16, S_ALIGN | S_IMM),
    XX(P66, 3, 0x0a, 4, S_IMM), XX(P66, 3, 0x0b, 8, S_IMM), XX(P66, 3, 0x0c, 16, S_ALIGN | S_IMM),
    XX(P66, 3, 0x0d, 16, S_ALIGN | S_IMM), XX(P66, 3, 0x40, 16, S_ALIGN | S_IMM),
    XX(P66, 3, 0x41, 16, S_ALIGN | S_IMM), XX(P66, 3, 0x21, 4, S_IMM),
    { P66, 3, 0x17, K_X, K_G, 4, S_IMM | S_STORE, 0 },                  /* extractps r/m32 */
    XX(P66, 2, 0x14, 16, S_ALIGN), XX(P66, 2, 0x15, 16, S_ALIGN),
};

/* SSE2 integer on XMM, moves with GPRs and MMX. */
#define XI(o, f) XX(P66, 1, o, 16, S_ALIGN | (f))
static const struct sop sseint_ops[] = {
    XI(0x60, 0), XI(0x61, 0), XI(0x62, 0), XI(0x63, 0), XI(0x64, 0), XI(0x65, 0), XI(0x66, 0), XI(0x67, 0),
    XI(0x68, 0), XI(0x69, 0), XI(0x6a, 0), XI(0x6b, 0), XI(0x6c, 0), XI(0x6d, 0), XI(0x74, 0), XI(0x75, 0),
    XI(0x76, 0), XI(0xd1, 0), XI(0xd2, 0), XI(0xd3, 0), XI(0xd4, 0), XI(0xd5, 0), XI(0xd8, 0), XI(0xd9, 0),
    XI(0xda, 0), XI(0xdb, 0), XI(0xdc, 0), XI(0xdd, 0), XI(0xde, 0), XI(0xdf, 0), XI(0xe0, 0), XI(0xe1, 0),
    XI(0xe2, 0), XI(0xe3, 0), XI(0xe4, 0), XI(0xe5, 0), XI(0xe8, 0), XI(0xe9, 0), XI(0xea, 0), XI(0xeb, 0),
    XI(0xec, 0), XI(0xed, 0), XI(0xee, 0), XI(0xef, 0), XI(0xf1, 0), XI(0xf2, 0), XI(0xf3, 0), XI(0xf4, 0),
    XI(0xf5, 0), XI(0xf6, 0), XI(0xf8, 0), XI(0xf9, 0), XI(0xfa, 0), XI(0xfb, 0), XI(0xfc, 0), XI(0xfd, 0),
    XI(0xfe, 0), XI(0x70, S_IMM), XX(PF3, 1, 0x70, 16, S_ALIGN | S_IMM),
    XX(PF2, 1, 0x70, 16, S_ALIGN | S_IMM), XI(0x6f, 0), XX(PF3, 1, 0x6f, 16, 0),
    XI(0x7f, S_STORE), XX(PF3, 1, 0x7f, 16, S_STORE), XX(PF3, 1, 0x7e, 8, 0),
    XX(P66, 1, 0xd6, 8, S_STORE), XI(0xe7, S_STORE | S_MEM), XX(PF2, 1, 0xf0, 16, S_MEM),
    { P66, 1, 0x6e, K_X, K_Q, 4, 0, 0 }, { P66, 1, 0x7e, K_X, K_Q, 4, S_STORE, 0 },
    { P66, 1, 0xd7, K_G, K_X, 16, S_REG | S_RDST, 0 },
    { P66, 1, 0xc4, K_X, K_G, 2, S_IMM, 0 }, { P66, 1, 0xc5, K_G, K_X, 16, S_IMM | S_REG | S_RDST, 0 },
    { PF3, 1, 0xd6, K_X, K_M, 8, S_REG, 0 }, { PF2, 1, 0xd6, K_M, K_X, 8, S_REG, 0 },
    { P66, 1, 0x71, K_D, K_X, 16, S_IMM | S_REG, 2 }, { P66, 1, 0x71, K_D, K_X, 16, S_IMM | S_REG, 4 },
    { P66, 1, 0x71, K_D, K_X, 16, S_IMM | S_REG, 6 }, { P66, 1, 0x72, K_D, K_X, 16, S_IMM | S_REG, 2 },
    { P66, 1, 0x72, K_D, K_X, 16, S_IMM | S_REG, 4 }, { P66, 1, 0x72, K_D, K_X, 16, S_IMM | S_REG, 6 },
    { P66, 1, 0x73, K_D, K_X, 16, S_IMM | S_REG, 2 }, { P66, 1, 0x73, K_D, K_X, 16, S_IMM | S_REG, 3 },
    { P66, 1, 0x73, K_D, K_X, 16, S_IMM | S_REG, 6 }, { P66, 1, 0x73, K_D, K_X, 16, S_IMM | S_REG, 7 },
};

/* SSSE3, SSE4.1 integer, SSE4.2. */
#define X38(o, s, f) XX(P66, 2, o, s, (s) == 16 ? S_ALIGN | (f) : (f))
static const struct sop sse4_ops[] = {
    X38(0x00, 16, 0), X38(0x01, 16, 0), X38(0x02, 16, 0), X38(0x03, 16, 0), X38(0x04, 16, 0),
    X38(0x05, 16, 0), X38(0x06, 16, 0), X38(0x07, 16, 0), X38(0x08, 16, 0), X38(0x09, 16, 0),
    X38(0x0a, 16, 0), X38(0x0b, 16, 0), X38(0x1c, 16, 0), X38(0x1d, 16, 0), X38(0x1e, 16, 0),
    X38(0x10, 16, 0), X38(0x17, 16, S_FLAGS), X38(0x20, 8, 0), X38(0x21, 4, 0), X38(0x22, 2, 0),
    X38(0x23, 8, 0), X38(0x24, 4, 0), X38(0x25, 8, 0), X38(0x28, 16, 0), X38(0x29, 16, 0),
    X38(0x2a, 16, S_MEM), X38(0x2b, 16, 0), X38(0x30, 8, 0), X38(0x31, 4, 0), X38(0x32, 2, 0),
    X38(0x33, 8, 0), X38(0x34, 4, 0), X38(0x35, 8, 0), X38(0x37, 16, 0), X38(0x38, 16, 0),
    X38(0x39, 16, 0), X38(0x3a, 16, 0), X38(0x3b, 16, 0), X38(0x3c, 16, 0), X38(0x3d, 16, 0),
    X38(0x3e, 16, 0), X38(0x3f, 16, 0), X38(0x40, 16, 0), X38(0x41, 16, 0),
    XX(P66, 3, 0x0e, 16, S_ALIGN | S_IMM), XX(P66, 3, 0x0f, 16, S_ALIGN | S_IMM),
    XX(P66, 3, 0x42, 16, S_ALIGN | S_IMM),
    XX(P66, 3, 0x60, 16, S_IMM | S_FLAGS), XX(P66, 3, 0x61, 16, S_IMM | S_FLAGS),
    XX(P66, 3, 0x62, 16, S_IMM | S_FLAGS), XX(P66, 3, 0x63, 16, S_IMM | S_FLAGS),
    { P66, 3, 0x14, K_X, K_G, 1, S_IMM | S_STORE, 0 }, { P66, 3, 0x15, K_X, K_G, 2, S_IMM | S_STORE, 0 },
    { P66, 3, 0x16, K_X, K_Q, 4, S_IMM | S_STORE, 0 }, { P66, 3, 0x20, K_X, K_G, 1, S_IMM, 0 },
    { P66, 3, 0x22, K_X, K_Q, 4, S_IMM, 0 },
};

static const struct sop aes_ops[] = {
    X38(0xdb, 16, 0), X38(0xdc, 16, 0), X38(0xdd, 16, 0), X38(0xde, 16, 0), X38(0xdf, 16, 0),
    XX(P66, 3, 0xdf, 16, S_ALIGN | S_IMM), XX(P66, 3, 0x44, 16, S_ALIGN | S_IMM),
};

/* A register of kind k; dst: a GPR that may be written (never RSP). */
static int sreg(struct dt_gen *g, int k, bool dst)
{
    switch (k) {
    case K_X: return (int)dt_below(&g->rng, 16);
    case K_M: return (int)dt_below(&g->rng, 8);
    default:
        for (;;) {
            int r = (int)dt_below(&g->rng, 16);
            if (!dst || r != R_RSP)
                return r;
        }
    }
}

static void gen_op(struct dt_gen *g, struct dt_item *it, const struct sop *op)
{
    if (op->digit == 0xff) { /* EMMS */
        static const uint8_t emms[2] = { 0x0f, 0x77 };
        dt_emit(it, emms, 2);
        return;
    }
    struct dt_ins in = { .osz = 4, .opreg = -1, .modrm = true, .map = op->map, .opc = op->opc };
    if (op->pfx)
        in.pfx[in.npfx++] = op->pfx;
    bool q = (op->rk == K_Q || op->mk == K_Q) && dt_chance(g, 50);
    if (q)
        in.osz = 8;
    bool store = (op->flags & S_STORE) != 0;
    if (op->rk == K_D)
        in.reg = op->digit;
    else
        in.reg = sreg(g, op->rk, (op->flags & S_RDST) != 0);
    bool mem = (op->flags & S_MEM) || (!(op->flags & S_REG) && dt_chance(g, 40));
    if (mem) {
        struct dt_ctx c;
        dt_ctx_init(g, &c, 4);
        c.norex = false;
        int size = op->msize;
        if ((op->mk == K_Q || op->mk == K_G) && size >= 4)
            size = q ? 8 : 4;
        int align = (op->flags & S_ALIGN) && size == 16 && !dt_chance(g, 2) ? 16 : 1;
        dt_mem(g, it, &c, size, align, 0, 0, &in.rm);
    } else {
        in.rm = dt_rm_reg(sreg(g, op->mk, store));
    }
    if (op->flags & S_IMM) {
        in.immsz = 1;
        in.imm = (op->flags & S_CMP) ? dt_below(&g->rng, 8) : dt_rand(&g->rng) & 0xff;
    }
    dt_enc(it, &in);
    if (op->flags & S_FLAGS)
        it->defs |= DT_ARITH;
}

/* LDMXCSR of a random valid value (stored first), or STMXCSR. */
static void gen_mxcsr(struct dt_gen *g, struct dt_item *it)
{
    struct dt_ctx c;
    dt_ctx_init(g, &c, 4);
    c.norex = false;
    struct dt_ins in = { .osz = 4, .opreg = -1, .modrm = true, .map = 1, .opc = 0xae };
    do /* the store in front needs the same address: no RIP-relative form */
        dt_mem(g, it, &c, 4, 4, 0, 0, &in.rm);
    while (in.rm.m.rip);
    bool ld = dt_chance(g, 70);
    if (ld) {
        struct dt_ins mv = { .osz = 4, .opreg = -1, .modrm = true, .opc = 0xc7, .rm = in.rm,
                             .immsz = 4, .imm = dt_gen_mxcsr(g) };
        dt_enc(it, &mv);
    }
    in.reg = ld ? 2 : 3;
    dt_enc(it, &in);
}

#define PICK(t) (&(t)[dt_below(&g->rng, sizeof(t) / sizeof((t)[0]))])

void dt_gen_simd(struct dt_gen *g, int cls, struct dt_item *it)
{
    switch (cls) {
    case DT_C_MMX: gen_op(g, it, PICK(mmx_ops)); break;
    case DT_C_SSEFP:
        if (dt_chance(g, 4))
            gen_mxcsr(g, it);
        else
            gen_op(g, it, PICK(ssefp_ops));
        break;
    case DT_C_SSEINT: gen_op(g, it, PICK(sseint_ops)); break;
    case DT_C_SSE4: gen_op(g, it, PICK(sse4_ops)); break;
    default: gen_op(g, it, PICK(aes_ops)); break;
    }
}
