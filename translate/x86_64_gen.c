/* SPDX-License-Identifier: MIT */
/* x86_64_gen.c: JIT code generation for the IR's arithmetic, logic and compare ops. */
#include "config.h"
#if KILN_HOST_X86_64 && defined(__x86_64__)

#include "translate/x86_64_int.h"

static unsigned alu_sz(unsigned w) { return w == 64 ? 64 : 32; }

/* Zero-extends r from w when the 32/64-bit instruction may have left bits above w. */
static void fix_width(struct jit *j, int r, unsigned w)
{
    if (w < 32)
        x_zext(&j->x, w, r, r);
}

/* 8-bit jcc whose displacement is filled by patch8. */
static uint8_t *jcc8(struct xbuf *x, int cc)
{
    x_b(x, (uint8_t)(cc < 0 ? 0xeb : 0x70 + cc));
    x_b(x, 0);
    return x->p - 1;
}
static void patch8(uint8_t *at, const uint8_t *target)
{
    *at = (uint8_t)(int8_t)(target - (at + 1));
}

static const int8_t cc_of[] = {
    [IR_EQ] = X_CC_E, [IR_NE] = X_CC_NE, [IR_LTU] = X_CC_B, [IR_GEU] = X_CC_AE,
    [IR_LEU] = X_CC_BE, [IR_GTU] = X_CC_A, [IR_LT] = X_CC_L, [IR_GE] = X_CC_GE,
    [IR_LE] = X_CC_LE, [IR_GT] = X_CC_G, [IR_TSTEQ] = X_CC_E, [IR_TSTNE] = X_CC_NE,
};

int gen_compare(struct jit *j, unsigned cond, unsigned w, ir_temp a, ir_temp b)
{
    struct xbuf *x = &j->x;
    int32_t imm;
    bool test = cond == IR_TSTEQ || cond == IR_TSTNE;
    int ra = ra_in(j, a);
    if (ra_imm(j, b, w, &imm)) {
        if (test) {
            x_rr(x, w, w == 8 ? 0xf6 : 0xf7, 0, ra);
            if (w == 8)
                x_b(x, (uint8_t)imm);
            else if (w == 16) {
                x_b(x, (uint8_t)imm);
                x_b(x, (uint8_t)(imm >> 8));
            } else
                x_d(x, (uint32_t)imm);
        } else if (imm == 0) {
            x_rr(x, w, w == 8 ? 0x84 : 0x85, ra, ra);        /* test r, r: same flags as cmp r, 0 */
        } else if (w == 8) {
            x_alui(x, 8, X_CMP, ra, imm);
        } else {
            x_alui(x, w, X_CMP, ra, w == 16 ? (int16_t)imm : imm);
        }
    } else {
        int rb = ra_in(j, b);
        if (test)
            x_rr(x, w, w == 8 ? 0x84 : 0x85, rb, ra);
        else
            x_alu(x, w, X_CMP, ra, rb);
    }
    return cc_of[cond];
}

/* A constant written to a global goes straight to env when it fits an immediate. */
static bool mov_const_to_global(struct jit *j, ir_temp d, uint64_t v)
{
    struct jtemp *t = &j->t[d];
    if (t->kind != IR_TEMP_GLOBAL || t->pinned)
        return false;
    unsigned gw = t->gw;
    if (gw < 64)
        v &= ((uint64_t)1 << gw) - 1;
    else if (!x_fits32((int64_t)v))
        return false;
    if (t->reg >= 0) {
        j->owner[t->reg] = 0;
        t->reg = -1;
    }
    t->dirty = 0;
    gen_store_env_imm(j, gw, t->off, v);
    return true;
}

/* True when global d is written again before anything but an LD/ST slow path
   could read env (a label, branch, exit or env-touching call): a copy in a
   register then costs less than storing now. */
static bool rewritten_soon(struct jit *j, ir_temp d)
{
    for (unsigned i = j->cur + 1; i < j->b->nops && i <= j->cur + 64; i++) {
        const struct ir_op *op = &j->b->ops[i];
        switch (op->opc) {
        case IR_LABEL: case IR_BR: case IR_BRCOND: case IR_GOTO_TB: case IR_GOTO_PTR: case IR_EXIT:
            return false;
        case IR_CALL:
            if (!(((const struct ir_helper *)(uintptr_t)op->aux)->flags & IR_HELPER_NO_ENV))
                return false;
            break;
        default:
            break;
        }
        if (ir_op_defs[op->opc].nout && op->args[0] == d)
            return op->width >= j->t[d].gw;
    }
    return false;
}

static void gen_mov(struct jit *j, const struct ir_op *op)
{
    unsigned w = op->width;
    ir_temp d = op->args[0], a = op->args[1];
    if (j->t[a].kind == IR_TEMP_CONST &&
        mov_const_to_global(j, d, w < 64 ? j->t[a].val & (((uint64_t)1 << w) - 1) : j->t[a].val))
        return;
    if (j->t[a].kind == IR_TEMP_CONST && j->t[a].reg < 0) {
        uint64_t v = j->t[a].val;
        if (w < 64)
            v &= ((uint64_t)1 << w) - 1;
        int rd = ra_out(j, d, -1);
        x_movi(&j->x, rd, v);
    } else {
        int ra = ra_in(j, a);
        unsigned zw = ra_zw(j, a);
        if (j->t[d].kind == IR_TEMP_GLOBAL && !j->t[d].pinned && zw <= w && !ra_dies(j, a) &&
            !rewritten_soon(j, d)) {
            /* The source lives on: rather than a copy in another register that
               the next sync point stores, store now (what the interpreter does). */
            ra_store_global(j, d, ra);
            return;
        }
        int rd = ra_out(j, d, ra_dies(j, a) ? ra : -1);
        if (zw <= w)
            x_mov(&j->x, 64, rd, ra);
        else
            x_zext(&j->x, w, rd, ra);
        ra_written(j, d, zw < w ? zw : w);
        return;
    }
    ra_written(j, d, w);
}

static bool commutative(unsigned opc)
{
    return opc == IR_ADD || opc == IR_AND || opc == IR_OR || opc == IR_XOR || opc == IR_MUL;
}

static void gen_alu(struct jit *j, const struct ir_op *op)
{
    struct xbuf *x = &j->x;
    unsigned w = op->width, sz = alu_sz(w), opc = op->opc;
    ir_temp d = op->args[0], a = op->args[1], b = op->args[2];
    if (commutative(opc) && j->t[a].kind == IR_TEMP_CONST && j->t[b].kind != IR_TEMP_CONST) {
        ir_temp tmp = a;
        a = b;
        b = tmp;
    }
    int xop = opc == IR_ADD ? X_ADD : opc == IR_SUB ? X_SUB : opc == IR_AND ? X_AND
            : opc == IR_OR ? X_OR : X_XOR;
    int32_t imm;
    int ra = ra_in(j, a);
    bool isimm = ra_imm(j, b, sz, &imm);
    int rb = isimm ? -1 : ra_in(j, b);
    int rd = ra_out(j, d, ra_dies(j, a) ? ra : -1);
    if (opc == IR_MUL) {
        if (isimm) {
            x_rr(x, sz, x_fits8(imm) ? 0x6b : 0x69, rd, ra);
            if (x_fits8(imm))
                x_b(x, (uint8_t)imm);
            else
                x_d(x, (uint32_t)imm);
        } else if (rd == ra) {
            x_rr(x, sz, XO_0F | 0xaf, rd, rb);
        } else if (rd == rb) {
            x_rr(x, sz, XO_0F | 0xaf, rd, ra);
        } else {
            x_mov(x, 64, rd, ra);
            x_rr(x, sz, XO_0F | 0xaf, rd, rb);
        }
    } else if (isimm) {
        if (rd != ra && (opc == IR_ADD || (opc == IR_SUB && imm != INT32_MIN))) {
            x_enc(x, sz, 0x8d, rd, 0, ra, -1, 0, opc == IR_ADD ? imm : -imm);   /* lea */
        } else {
            x_mov(x, 64, rd, ra);
            x_alui(x, sz, xop, rd, imm);
        }
    } else if (rd == ra) {
        x_alu(x, sz, xop, rd, rb);
    } else if (opc == IR_ADD) {
        x_enc(x, sz, 0x8d, rd, 0, ra, rb, 0, 0);                  /* lea d, [a + b] */
    } else if (rd != rb) {
        x_mov(x, 64, rd, ra);
        x_alu(x, sz, xop, rd, rb);
    } else if (commutative(opc)) {
        x_alu(x, sz, xop, rd, ra);
    } else {
        x_mov(x, 64, X_RAX, ra);
        x_alu(x, sz, xop, X_RAX, rb);
        x_mov(x, 64, rd, X_RAX);
    }
    fix_width(j, rd, w);
    ra_written(j, d, w);
}

static void gen_unary(struct jit *j, const struct ir_op *op)
{
    struct xbuf *x = &j->x;
    unsigned w = op->width;
    ir_temp d = op->args[0], a = op->args[1];
    int ra = ra_in(j, a);
    int rd = ra_out(j, d, ra_dies(j, a) ? ra : -1);
    switch (op->opc) {
    case IR_NEG:
    case IR_NOT:
        x_mov(x, 64, rd, ra);
        x_rr(x, alu_sz(w), 0xf7, op->opc == IR_NEG ? 3 : 2, rd);
        fix_width(j, rd, w);
        break;
    case IR_SEXT:
        x_sext(x, (unsigned)op->aux, rd, ra);
        if (w < 64)
            x_zext(x, w, rd, rd);
        break;
    case IR_BSWAP:
        if (w == 8) {
            x_zext(x, 8, rd, ra);
        } else if (w == 16) {
            x_zext(x, 16, rd, ra);
            x_shift(x, 16, X_ROL, rd, 8);
        } else {
            x_mov(x, 64, rd, ra);
            if (w == 64 || (rd & 8))
                x_b(x, (uint8_t)(0x40 | (w == 64 ? 8 : 0) | ((rd & 8) ? 1 : 0)));
            x_b(x, 0x0f);
            x_b(x, (uint8_t)(0xc8 + (rd & 7)));
        }
        break;
    case IR_EXTRACT: {
        unsigned pos = op->aux & 63, len = (op->aux >> 8) & 0xff;
        if (len > 64 - pos)
            len = 64 - pos;
        if (pos == 0 && (len == 8 || len == 16 || len == 32 || len == 64)) {
            x_zext(x, len, rd, ra);
        } else if (pos + len == 64) {
            x_mov(x, 64, rd, ra);
            x_shift(x, 64, X_SHR, rd, (int)pos);
        } else if (len < 32) {
            x_mov(x, 64, rd, ra);
            if (pos)
                x_shift(x, 64, X_SHR, rd, (int)pos);
            x_alui(x, 32, X_AND, rd, (int32_t)((1u << len) - 1));
        } else {
            x_mov(x, 64, rd, ra);
            x_shift(x, 64, X_SHL, rd, (int)(64 - pos - len));
            x_shift(x, 64, X_SHR, rd, (int)(64 - len));
        }
        break;
    }
    default:
        break;
    }
    ra_written(j, d, w);
}

static void gen_deposit(struct jit *j, const struct ir_op *op)
{
    struct xbuf *x = &j->x;
    unsigned w = op->width, sz = alu_sz(w);
    unsigned pos = op->aux & 63, len = (op->aux >> 8) & 0xff;
    if (len > 64 - pos)
        len = 64 - pos;
    ir_temp d = op->args[0], a = op->args[1], b = op->args[2];
    uint64_t lmask = len >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << len) - 1;
    uint64_t mask = lmask << pos;
    if (j->t[b].kind == IR_TEMP_CONST) {
        x_movi(x, X_RAX, (j->t[b].val & lmask) << pos);
    } else {
        int rb = ra_in(j, b);
        x_mov(x, 64, X_RAX, rb);
        if (len < 64) {
            x_shift(x, 64, X_SHL, X_RAX, (int)(64 - len));
            x_shift(x, 64, X_SHR, X_RAX, (int)(64 - len - pos));
        }
    }
    int ra = ra_in(j, a);
    int rd = ra_out(j, d, ra_dies(j, a) ? ra : -1);
    x_mov(x, 64, rd, ra);
    int64_t inv = (int64_t)~mask;
    if (sz == 32 || x_fits32(inv)) {
        x_alui(x, sz, X_AND, rd, (int32_t)inv);
    } else {
        x_movi(x, X_RCX, (uint64_t)inv);
        x_alu(x, 64, X_AND, rd, X_RCX);
    }
    x_alu(x, sz, X_OR, rd, X_RAX);
    fix_width(j, rd, w);
    ra_written(j, d, w);
}

static void gen_shift(struct jit *j, const struct ir_op *op)
{
    struct xbuf *x = &j->x;
    unsigned w = op->width, opc = op->opc;
    ir_temp d = op->args[0], a = op->args[1], b = op->args[2];
    int cnt;
    if (j->t[b].kind == IR_TEMP_CONST) {
        cnt = (int)(j->t[b].val & (w - 1));
    } else {
        int rb = ra_in(j, b);
        x_mov(x, 32, X_RCX, rb);
        if (w < 32 && opc != IR_ROTL && opc != IR_ROTR)
            x_alui(x, 32, X_AND, X_RCX, (int32_t)(w - 1));
        cnt = -1;
    }
    int ra = ra_in(j, a);
    unsigned zw_a = ra_zw(j, a);
    int rd = ra_out(j, d, ra_dies(j, a) ? ra : -1);
    unsigned sz = alu_sz(w);
    switch (opc) {
    case IR_SHL:
        x_mov(x, 64, rd, ra);
        if (cnt)
            x_shift(x, sz, X_SHL, rd, cnt);
        fix_width(j, rd, w);
        if (!cnt && w == 32)
            x_zext(x, 32, rd, rd);
        break;
    case IR_SHR:
        if (zw_a <= w)
            x_mov(x, 64, rd, ra);
        else
            x_zext(x, w, rd, ra);
        if (cnt)
            x_shift(x, sz, X_SHR, rd, cnt);
        break;
    case IR_SAR:
        if (w < 32) {
            x_sext(x, w, rd, ra);
            if (cnt)
                x_shift(x, 32, X_SAR, rd, cnt);
            x_zext(x, w, rd, rd);
        } else {
            x_mov(x, 64, rd, ra);
            if (cnt)
                x_shift(x, sz, X_SAR, rd, cnt);
            else if (w == 32)
                x_zext(x, 32, rd, rd);
        }
        break;
    default:   /* ROTL, ROTR */
        x_mov(x, 64, rd, ra);
        if (cnt)
            x_shift(x, w, opc == IR_ROTL ? X_ROL : X_ROR, rd, cnt);
        if (w < 64)
            x_zext(x, w, rd, rd);
        break;
    }
    ra_written(j, d, w);
}

/* Puts a's low w bits in host register r, zero- or sign-extended to 64. */
static void extend_to(struct jit *j, int r, ir_temp a, unsigned w, bool sign)
{
    int ra = ra_in(j, a);
    if (sign)
        x_sext(&j->x, w, r, ra);
    else
        ra_copy_zext(j, w, r, ra, a);
}

static void gen_mulh(struct jit *j, const struct ir_op *op)
{
    struct xbuf *x = &j->x;
    unsigned w = op->width;
    bool sign = op->opc == IR_MULSH;
    ir_temp d = op->args[0];
    if (w == 64) {
        int rb = ra_in(j, op->args[2]);
        x_mov(x, 64, X_RAX, ra_in(j, op->args[1]));
        x_rr(x, 64, 0xf7, sign ? 5 : 4, rb);
        int rd = ra_out(j, d, -1);
        x_mov(x, 64, rd, X_RDX);
    } else {
        extend_to(j, X_RAX, op->args[1], w, sign);
        extend_to(j, X_RCX, op->args[2], w, sign);
        x_rr(x, 64, XO_0F | 0xaf, X_RAX, X_RCX);
        x_shift(x, 64, X_SHR, X_RAX, (int)w);
        int rd = ra_out(j, d, -1);
        x_zext(x, w, rd, X_RAX);
    }
    ra_written(j, d, w);
}

/* Division never traps; like ir_eval: x / 0 = x % 0 = 0 and signed MIN / -1 = MIN % -1 = 0. */
static void gen_div(struct jit *j, const struct ir_op *op)
{
    struct xbuf *x = &j->x;
    unsigned w = op->width, sz = alu_sz(w), opc = op->opc;
    bool sign = opc == IR_DIVS || opc == IR_REMS;
    bool rem = opc == IR_REMU || opc == IR_REMS;
    extend_to(j, X_RCX, op->args[2], w, sign);
    extend_to(j, X_RAX, op->args[1], w, sign);
    int rd = ra_out(j, op->args[0], -1);
    uint8_t *to_zero[2] = { NULL, NULL }, *to_done[2] = { NULL, NULL }, *minus1 = NULL;
    x_rr(x, sz, 0x85, X_RCX, X_RCX);
    to_zero[0] = jcc8(x, X_CC_E);
    if (sign) {
        x_alui(x, sz, X_CMP, X_RCX, -1);
        minus1 = jcc8(x, X_CC_E);
        if (sz == 64)
            x_b(x, 0x48);
        x_b(x, 0x99);                            /* cdq / cqo */
    } else {
        x_rr(x, 32, 0x31, X_RDX, X_RDX);
    }
    x_rr(x, sz, 0xf7, sign ? 7 : 6, X_RCX);
    x_zext(x, w, rd, rem ? X_RDX : X_RAX);
    to_done[0] = jcc8(x, -1);
    if (minus1) {
        patch8(minus1, x->p);                    /* x / -1 = -x unless x = MIN; x % -1 = 0 */
        if (rem) {
            to_zero[1] = jcc8(x, -1);
        } else {
            x_rr(x, w, w == 8 ? 0xf6 : 0xf7, 3, X_RAX);
            to_zero[1] = jcc8(x, X_CC_O);
            x_zext(x, w, rd, X_RAX);
            to_done[1] = jcc8(x, -1);
        }
    }
    for (int i = 0; i < 2; i++)
        if (to_zero[i])
            patch8(to_zero[i], x->p);
    x_movi(x, rd, 0);
    for (int i = 0; i < 2; i++)
        if (to_done[i])
            patch8(to_done[i], x->p);
    ra_written(j, op->args[0], w);
}

static void gen_bitcount(struct jit *j, const struct ir_op *op)
{
    struct xbuf *x = &j->x;
    unsigned w = op->width;
    extend_to(j, X_RAX, op->args[1], w, false);
    int rd = ra_out(j, op->args[0], -1);
    switch (op->opc) {
    case IR_CLZ:
        if (j->has_lzcnt) {
            x_rr(x, 64, XO_F3 | XO_0F | 0xbd, X_RAX, X_RAX);
            x_alui(x, 32, X_SUB, X_RAX, (int32_t)(64 - w));
            x_mov(x, 32, rd, X_RAX);
        } else {
            x_movi(x, X_RCX, ~(uint64_t)0);
            x_rr(x, 64, XO_0F | 0xbd, X_RAX, X_RAX);          /* bsr */
            x_rr(x, 64, XO_0F | 0x44, X_RAX, X_RCX);          /* cmovz */
            x_movi(x, rd, w - 1);
            x_alu(x, 32, X_SUB, rd, X_RAX);
        }
        break;
    case IR_CTZ:
        if (w < 64) {
            x_rr(x, 64, XO_0F | 0xba, 5, X_RAX);              /* bts rax, w */
            x_b(x, (uint8_t)w);
        }
        if (j->has_tzcnt) {
            x_rr(x, 64, XO_F3 | XO_0F | 0xbc, rd, X_RAX);
        } else {
            x_movi(x, X_RCX, 64);
            x_rr(x, 64, XO_0F | 0xbc, X_RAX, X_RAX);          /* bsf */
            x_rr(x, 64, XO_0F | 0x44, X_RAX, X_RCX);          /* cmovz */
            x_mov(x, 64, rd, X_RAX);
        }
        break;
    default:   /* POPCNT */
        if (j->has_popcnt) {
            x_rr(x, 64, XO_F3 | XO_0F | 0xb8, rd, X_RAX);
        } else {
            /* x -= (x >> 1) & 0x55..; x = (x & 0x33..) + ((x >> 2) & 0x33..);
               x = (x + (x >> 4)) & 0x0f..; x = (x * 0x01..) >> 56 */
            x_mov(x, 64, X_RCX, X_RAX);
            x_shift(x, 64, X_SHR, X_RCX, 1);
            x_movi(x, X_RDX, 0x5555555555555555ull);
            x_alu(x, 64, X_AND, X_RCX, X_RDX);
            x_alu(x, 64, X_SUB, X_RAX, X_RCX);
            x_movi(x, X_RDX, 0x3333333333333333ull);
            x_mov(x, 64, X_RCX, X_RAX);
            x_shift(x, 64, X_SHR, X_RCX, 2);
            x_alu(x, 64, X_AND, X_RAX, X_RDX);
            x_alu(x, 64, X_AND, X_RCX, X_RDX);
            x_alu(x, 64, X_ADD, X_RAX, X_RCX);
            x_mov(x, 64, X_RCX, X_RAX);
            x_shift(x, 64, X_SHR, X_RCX, 4);
            x_alu(x, 64, X_ADD, X_RAX, X_RCX);
            x_movi(x, X_RDX, 0x0f0f0f0f0f0f0f0full);
            x_alu(x, 64, X_AND, X_RAX, X_RDX);
            x_movi(x, X_RDX, 0x0101010101010101ull);
            x_rr(x, 64, XO_0F | 0xaf, X_RAX, X_RDX);
            x_shift(x, 64, X_SHR, X_RAX, 56);
            x_mov(x, 64, rd, X_RAX);
        }
        break;
    }
    ra_written(j, op->args[0], w);
}

static void gen_setcond(struct jit *j, const struct ir_op *op)
{
    struct xbuf *x = &j->x;
    ir_temp d = op->args[0];
    if (op->cond == IR_ALWAYS || op->cond == IR_NEVER) {
        int rd = ra_out(j, d, -1);
        x_movi(x, rd, op->cond == IR_ALWAYS);
    } else {
        int cc = gen_compare(j, op->cond, op->width, op->args[1], op->args[2]);
        x_rr(x, 8, XO_0F | (0x90u + (unsigned)cc), 0, X_RAX);
        int rd = ra_out(j, d, -1);
        x_rr(x, 32, XO_0F | XO_BRM | 0xb6, rd, X_RAX);
    }
    ra_written(j, d, op->width);
}

static void gen_movcond(struct jit *j, const struct ir_op *op)
{
    struct xbuf *x = &j->x;
    unsigned w = op->width;
    ir_temp d = op->args[0];
    if (op->cond == IR_ALWAYS || op->cond == IR_NEVER) {
        int rs = ra_in(j, op->args[op->cond == IR_ALWAYS ? 3 : 4]);
        int rd = ra_out(j, d, -1);
        x_zext(x, w, rd, rs);
    } else {
        int rt = ra_in(j, op->args[3]);
        int rf = ra_in(j, op->args[4]);
        x_mov(x, 64, X_RAX, rf);
        int cc = gen_compare(j, op->cond, w, op->args[1], op->args[2]);
        x_rr(x, w == 64 ? 64 : 32, XO_0F | (0x40u + (unsigned)cc), X_RAX, rt);
        int rd = ra_out(j, d, -1);
        x_zext(x, w, rd, X_RAX);
    }
    ra_written(j, d, w);
}

static void gen_ld_env(struct jit *j, const struct ir_op *op)
{
    int rd = ra_out(j, op->args[0], -1);
    gen_load_env(j, rd, op->width, (int32_t)(uint32_t)op->aux);
    ra_written(j, op->args[0], op->width);
}

static void gen_st_env(struct jit *j, const struct ir_op *op)
{
    unsigned w = op->width;
    int32_t imm, off = (int32_t)(uint32_t)op->aux;
    if (ra_imm(j, op->args[0], w, &imm)) {
        x_enc(&j->x, w, w == 8 ? 0xc6 : 0xc7, 0, 0, X_RBP, -1, 0, off);
        if (w == 8) {
            x_b(&j->x, (uint8_t)imm);
        } else if (w == 16) {
            x_b(&j->x, (uint8_t)imm);
            x_b(&j->x, (uint8_t)(imm >> 8));
        } else {
            x_d(&j->x, (uint32_t)imm);
        }
    } else {
        gen_store_env(j, ra_in(j, op->args[0]), w, off);
    }
}

void gen_op(struct jit *j, const struct ir_op *op)
{
    switch (op->opc) {
    case IR_MOV: gen_mov(j, op); break;
    case IR_ADD: case IR_SUB: case IR_AND: case IR_OR: case IR_XOR: case IR_MUL:
        if (j->opf[j->cur] == JF_SKIP_ADD)
            gen_skipped_add(j, op);       /* an access group member adds it (x86_64_mem.c) */
        else
            gen_alu(j, op);
        break;
    case IR_MULUH: case IR_MULSH: gen_mulh(j, op); break;
    case IR_DIVU: case IR_DIVS: case IR_REMU: case IR_REMS: gen_div(j, op); break;
    case IR_NEG: case IR_NOT: case IR_SEXT: case IR_BSWAP: case IR_EXTRACT:
        gen_unary(j, op);
        break;
    case IR_DEPOSIT: gen_deposit(j, op); break;
    case IR_SHL: case IR_SHR: case IR_SAR: case IR_ROTL: case IR_ROTR: gen_shift(j, op); break;
    case IR_CLZ: case IR_CTZ: case IR_POPCNT: gen_bitcount(j, op); break;
    case IR_SETCOND: gen_setcond(j, op); break;
    case IR_MOVCOND: gen_movcond(j, op); break;
    case IR_LD_ENV: gen_ld_env(j, op); break;
    case IR_ST_ENV: gen_st_env(j, op); break;
    case IR_LD: gen_ld(j, op); break;
    case IR_ST: gen_st(j, op); break;
    default: break;
    }
}

#endif
