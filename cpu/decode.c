/* SPDX-License-Identifier: MIT */
/* decode.c: x86 instruction decoder driver (prefixes, maps, ModRM/SIB, operands). */
#include <string.h>
#include "cpu/decode_int.h"

static const char *const op_names[X86_OP_COUNT] = {
    [X86_OP_INVALID] = "invalid",
#define X(name, str) [X86_OP_##name] = str,
#include "cpu/x86_ops.h"
#undef X
};

const char *x86_op_name(unsigned op)
{
    return op < X86_OP_COUNT ? op_names[op] : "invalid";
}

/* Operand specs that take ModRM. */
static const uint8_t spec_modrm[O_COUNT] = {
    [O_Eb] = 1, [O_Ew] = 1, [O_Ed] = 1, [O_Eq] = 1, [O_Ev] = 1, [O_Ey] = 1, [O_Ez] = 1,
    [O_RvMw] = 1, [O_RdMb] = 1, [O_RdMw] = 1, [O_RzMw] = 1, [O_Gyf] = 1, [O_Ryf] = 1,
    [O_Gb] = 1, [O_Gw] = 1, [O_Gd] = 1, [O_Gv] = 1, [O_Gy] = 1,
    [O_Rv] = 1, [O_Ry] = 1, [O_Rcr] = 1,
    [O_M] = 1, [O_Mb] = 1, [O_Mw] = 1, [O_Md] = 1, [O_Mq] = 1, [O_Mdq] = 1, [O_Mv] = 1,
    [O_My] = 1, [O_Mt] = 1, [O_Mp] = 1, [O_Ms] = 1, [O_Ma] = 1, [O_Mcx] = 1, [O_Mfx] = 1,
    [O_Menv] = 1, [O_Mstate] = 1,
    [O_Sw] = 1, [O_Cy] = 1, [O_Dy] = 1,
    [O_Pq] = 1, [O_Py] = 1, [O_Qq] = 1, [O_Qd] = 1, [O_Nq] = 1,
    [O_Vdq] = 1, [O_Vq] = 1, [O_Vd] = 1, [O_Vy] = 1, [O_Wdq] = 1, [O_Wq] = 1, [O_Wd] = 1,
    [O_Ww] = 1, [O_Udq] = 1, [O_Uq] = 1, [O_STi] = 1,
};


static void set_gpr(struct dctx *c, struct x86_operand *o, unsigned reg, unsigned size)
{
    o->kind = X86_OPK_REG;
    o->size = size;
    if (size == 1 && !c->in->rex && reg >= 4 && reg < 8) {
        o->regclass = X86_RC_GPR8_HIGH;
        o->reg = reg - 4;
    } else {
        o->regclass = X86_RC_GPR;
        o->reg = reg;
    }
}

static void set_reg(struct x86_operand *o, unsigned rc, unsigned reg, unsigned size)
{
    o->kind = X86_OPK_REG;
    o->regclass = rc;
    o->reg = reg;
    o->size = size;
}

/* ModRM.rm operand: register of class rc (GPR if rc == X86_RC_GPR) or memory. */
static void set_rm(struct dctx *c, struct x86_operand *o, unsigned rc, unsigned rsize,
                   unsigned msize)
{
    unsigned rm = c->rm;
    if (c->mod != 3) {
        *o = c->mem;
        o->size = msize;
        return;
    }
    if (rc == X86_RC_MMX)
        set_reg(o, rc, rm, rsize);
    else if (rc == X86_RC_GPR)
        set_gpr(c, o, rm | (c->in->rex_b << 3), rsize);
    else
        set_reg(o, rc, rm | (c->in->rex_b << 3), rsize);
}

static void set_mem_only(struct dctx *c, struct x86_operand *o, unsigned size)
{
    c->in->flags |= X86_F_MEMONLY;
    if (c->mod == 3)
        c->bad = true;
    set_rm(c, o, X86_RC_GPR, size ? size : c->in->opsize, size);
}

static void set_reg_only(struct dctx *c, struct x86_operand *o, unsigned rc, unsigned size)
{
    c->in->flags |= X86_F_REGONLY;
    if (c->mod != 3)
        c->bad = true;
    set_rm(c, o, rc, size, size);
}

static void set_str(struct dctx *c, struct x86_operand *o, bool src, unsigned size)
{
    o->kind = X86_OPK_MEM;
    o->size = size;
    o->base = src ? X86_RSI : X86_RDI;
    o->index = X86_REG_NONE;
    o->scale = 1;
    if (src)
        o->seg = c->in->seg_override != X86_SEG_NONE ? c->in->seg_override : X86_SEG_DS;
    else
        o->seg = X86_SEG_ES;
}

static int set_imm(struct dctx *c, struct x86_operand *o, unsigned n, bool sx, unsigned size)
{
    o->kind = X86_OPK_IMM;
    o->size = size;
    return fetch_val(c, n, sx, &o->imm);
}

/* Builds one operand from its spec; fetches immediates. */
static int build(struct dctx *c, uint8_t spec, struct x86_operand *o)
{
    struct x86_insn *in = c->in;
    unsigned os = in->opsize;
    unsigned ys = (c->mode64 && in->rex_w) ? 8 : 4;
    unsigned zs = os == 2 ? 2 : 4;
    unsigned regx = c->reg | (in->rex_r << 3);

    switch (spec) {
    case O_Eb: set_rm(c, o, X86_RC_GPR, 1, 1); break;
    case O_Ew: set_rm(c, o, X86_RC_GPR, 2, 2); break;
    case O_Ed: set_rm(c, o, X86_RC_GPR, 4, 4); break;
    case O_Eq: set_rm(c, o, X86_RC_GPR, 8, 8); break;
    case O_Ev: set_rm(c, o, X86_RC_GPR, os, os); break;
    case O_Ey: set_rm(c, o, X86_RC_GPR, ys, ys); break;
    case O_Ez: set_rm(c, o, X86_RC_GPR, zs, zs); break;
    case O_RvMw: set_rm(c, o, X86_RC_GPR, os, 2); break;
    case O_RdMb: set_rm(c, o, X86_RC_GPR, 4, 1); break;
    case O_RdMw: set_rm(c, o, X86_RC_GPR, 4, 2); break;
    case O_RzMw: set_rm(c, o, X86_RC_GPR, zs, 2); break;
    case O_Gyf: set_gpr(c, o, regx, c->mode64 ? 8 : 4); break;
    case O_Ryf: set_reg_only(c, o, X86_RC_GPR, c->mode64 ? 8 : 4); break;
    case O_Gb: set_gpr(c, o, regx, 1); break;
    case O_Gw: set_gpr(c, o, regx, 2); break;
    case O_Gd: set_gpr(c, o, regx, 4); break;
    case O_Gv: set_gpr(c, o, regx, os); break;
    case O_Gy: set_gpr(c, o, regx, ys); break;
    case O_Rv: set_reg_only(c, o, X86_RC_GPR, os); break;
    case O_Ry: set_reg_only(c, o, X86_RC_GPR, ys); break;
    case O_Rcr:
        in->flags |= X86_F_NOMODRM_MOD;
        set_gpr(c, o, c->rm | (in->rex_b << 3), c->mode64 ? 8 : 4);
        break;
    case O_M: set_mem_only(c, o, 0); break;
    case O_Mb: set_mem_only(c, o, 1); break;
    case O_Mw: set_mem_only(c, o, 2); break;
    case O_Md: set_mem_only(c, o, 4); break;
    case O_Mq: set_mem_only(c, o, 8); break;
    case O_Mdq: set_mem_only(c, o, 16); break;
    case O_Mv: set_mem_only(c, o, os); break;
    case O_My: set_mem_only(c, o, ys); break;
    case O_Mt: set_mem_only(c, o, 10); break;
    case O_Mp: set_mem_only(c, o, os + 2); break;
    case O_Ms: set_mem_only(c, o, c->mode64 ? 10 : 6); break;
    case O_Ma: set_mem_only(c, o, 2 * os); break;
    case O_Mcx: set_mem_only(c, o, in->rex_w ? 16 : 8); break;
    case O_Mfx: set_mem_only(c, o, 512); break;
    case O_Menv: set_mem_only(c, o, os == 2 ? 14 : 28); break;
    case O_Mstate: set_mem_only(c, o, os == 2 ? 94 : 108); break;
    case O_Ib: return set_imm(c, o, 1, false, 1);
    case O_Ibs: return set_imm(c, o, 1, true, os);
    case O_Iw: return set_imm(c, o, 2, false, 2);
    case O_Iz: return set_imm(c, o, zs, true, os);
    case O_Iv: return set_imm(c, o, os, false, os);
    case O_I1: o->kind = X86_OPK_IMM; o->size = 1; o->imm = 1; break;
    case O_Jb:
        TRY(set_imm(c, o, 1, true, os));
        o->kind = X86_OPK_REL;
        break;
    case O_Jz:
        TRY(set_imm(c, o, zs, true, os));
        o->kind = X86_OPK_REL;
        break;
    case O_Ap:
        TRY(set_imm(c, o, zs, false, zs + 2));
        o->kind = X86_OPK_FAR;
        return fetch_val(c, 2, false, &in->imm2);
    case O_Ob:
    case O_Ov:
        o->kind = X86_OPK_MEM;
        o->size = spec == O_Ob ? 1 : os;
        o->base = o->index = X86_REG_NONE;
        o->scale = 1;
        o->seg = in->seg_override != X86_SEG_NONE ? in->seg_override : X86_SEG_DS;
        return fetch_val(c, in->addrsize, false, &o->disp);
    case O_Sw:
        if (regx > 5)
            c->bad = true;
        set_reg(o, X86_RC_SEG, c->reg, 2);
        break;
    case O_Cy:
        if (!(regx == 0 || regx == 2 || regx == 3 || regx == 4 || (regx == 8 && c->mode64)))
            c->bad = true;
        set_reg(o, X86_RC_CR, regx, c->mode64 ? 8 : 4);
        break;
    case O_Dy:
        if (regx > 7)
            c->bad = true;
        set_reg(o, X86_RC_DR, regx, c->mode64 ? 8 : 4);
        break;
    case O_AL: set_reg(o, X86_RC_GPR, X86_RAX, 1); break;
    case O_CL: set_reg(o, X86_RC_GPR, X86_RCX, 1); break;
    case O_DX: set_reg(o, X86_RC_GPR, X86_RDX, 2); break;
    case O_AX: set_reg(o, X86_RC_GPR, X86_RAX, 2); break;
    case O_eAX: set_reg(o, X86_RC_GPR, X86_RAX, zs); break;
    case O_rAX: set_reg(o, X86_RC_GPR, X86_RAX, os); break;
    case O_ES: case O_CS: case O_SS: case O_DS: case O_FS: case O_GS:
        set_reg(o, X86_RC_SEG, spec - O_ES, 2);
        break;
    case O_Zb: set_gpr(c, o, (in->opcode & 7) | (in->rex_b << 3), 1); break;
    case O_Zv: set_gpr(c, o, (in->opcode & 7) | (in->rex_b << 3), os); break;
    case O_Zy: set_gpr(c, o, (in->opcode & 7) | (in->rex_b << 3), ys); break;
    case O_Xb: set_str(c, o, true, 1); break;
    case O_Xv: set_str(c, o, true, os); break;
    case O_Xz: set_str(c, o, true, zs); break;
    case O_Yb: set_str(c, o, false, 1); break;
    case O_Yv: set_str(c, o, false, os); break;
    case O_Yz: set_str(c, o, false, zs); break;
    case O_XLAT:
        set_str(c, o, true, 1);
        o->base = X86_RBX;
        break;
    case O_Pq: set_reg(o, X86_RC_MMX, c->reg, 8); break;
    case O_Py: set_reg(o, X86_RC_MMX, c->reg, ys); break;
    case O_Qq: set_rm(c, o, X86_RC_MMX, 8, 8); break;
    case O_Qd: set_rm(c, o, X86_RC_MMX, 8, 4); break;
    case O_Nq: set_reg_only(c, o, X86_RC_MMX, 8); break;
    case O_Vdq: set_reg(o, X86_RC_XMM, regx, 16); break;
    case O_Vq: set_reg(o, X86_RC_XMM, regx, 8); break;
    case O_Vd: set_reg(o, X86_RC_XMM, regx, 4); break;
    case O_Vy: set_reg(o, X86_RC_XMM, regx, ys); break;
    case O_Wdq: set_rm(c, o, X86_RC_XMM, 16, 16); break;
    case O_Wq: set_rm(c, o, X86_RC_XMM, 8, 8); break;
    case O_Wd: set_rm(c, o, X86_RC_XMM, 4, 4); break;
    case O_Ww: set_rm(c, o, X86_RC_XMM, 2, 2); break;
    case O_Udq: set_reg_only(c, o, X86_RC_XMM, 16); break;
    case O_Uq: set_reg_only(c, o, X86_RC_XMM, 8); break;
    case O_XMM0: set_reg(o, X86_RC_XMM, 0, 16); break;
    case O_ST0: set_reg(o, X86_RC_ST, 0, 10); break;
    case O_STi: set_reg(o, X86_RC_ST, c->rm, 10); break;
    case O_By: set_gpr(c, o, in->vex_vvvv, ys); break;
    default: break;
    }
    return 0;
}


/* Peeks at the byte after the current one without consuming it. */
static int peek(struct dctx *c, uint8_t *b)
{
    TRY(fetch(c, b));
    c->pos--;
    return 0;
}

static void set_rex(struct x86_insn *in, uint8_t rex)
{
    in->rex = rex;
    in->rex_w = rex & 8;
    in->rex_r = rex & 4;
    in->rex_x = rex & 2;
    in->rex_b = rex & 1;
}


/* x87 FCMOVcc condition codes (SDM tttn) for DA /0../3 and DB /0../3. */
static const uint8_t fcmov_cc[8] = { 2, 4, 6, 10, 3, 5, 7, 11 };

static int decode(struct dctx *c)
{
    struct x86_insn *in = c->in;
    const struct x86_opdesc *d;
    uint8_t b, rex = 0;

    /* Legacy prefixes and REX. A REX not directly before the opcode is ignored. */
    for (;;) {
        TRY(fetch(c, &b));
        switch (b) {
        case 0x26: case 0x2e: case 0x36: case 0x3e:
            if (!c->mode64)
                in->seg_override = (b >> 3) & 3;
            break;
        case 0x64: in->seg_override = X86_SEG_FS; break;
        case 0x65: in->seg_override = X86_SEG_GS; break;
        case 0x66: in->opsize_prefix = true; break;
        case 0x67: in->addrsize_prefix = true; break;
        case 0xf0: in->lock = true; break;
        case 0xf2: in->prefix_f2 = true; in->rep = X86_REP_F2; break;
        case 0xf3: in->prefix_f3 = true; in->rep = X86_REP_F3; break;
        default:
            if (c->mode64 && (b & 0xf0) == 0x40) {
                rex = b;
                continue;
            }
            goto opcode;
        }
        rex = 0;
    }
opcode:
    set_rex(in, rex);
    in->nprefixes = c->pos - 1;
    in->mandatory = in->rep == X86_REP_F2 ? 3 : in->rep == X86_REP_F3 ? 2 : in->opsize_prefix;
    if (c->mode64)
        in->addrsize = in->addrsize_prefix ? 4 : 8;
    else
        in->addrsize = (c->in->opsize == 2) ^ in->addrsize_prefix ? 2 : 4;
    in->opcode = b;
    in->map = X86_MAP_1BYTE;

    if (b == 0x0f) {
        TRY(fetch(c, &b));
        in->opcode = b;
        in->map = X86_MAP_0F;
        d = &x86_map_0f[b];
        if (b == 0x38 || b == 0x3a) {
            in->map = b == 0x38 ? X86_MAP_0F38 : X86_MAP_0F3A;
            TRY(fetch(c, &in->opcode));
            d = b == 0x38 ? &x86_map_0f38[in->opcode] : &x86_map_0f3a[in->opcode];
        } else if (b == 0x0f) {
            in->map = X86_MAP_3DNOW;
            return x86_dec_skip_unsupported(c, true, 1, X86_OP_UNSUPPORTED_3DNOW);
        }
    } else if (b == 0xc4 || b == 0xc5 || b == 0x62 || b == 0x8f) {
        uint8_t nb;
        TRY(peek(c, &nb));
        if (b == 0x8f ? (nb & 0x1f) >= 8 : (c->mode64 || nb >= 0xc0)) {
            if (in->rex || in->opsize_prefix || in->prefix_f2 || in->prefix_f3 || in->lock)
                c->bad = true;
            if (b == 0x62)
                return x86_dec_evex(c);
            if (b == 0x8f)
                return x86_dec_xop(c);
            TRY(x86_dec_vex(c, b, &d));
            if (!d || in->op)
                return X86_DECODE_UD;
        } else {
            d = &x86_map_1byte[b];
        }
    } else if (b >= 0xd8 && b <= 0xdf) {
        d = &x86_map_x87[b - 0xd8];
    } else {
        d = &x86_map_1byte[b];
    }

    /* Walk groups / prefix columns down to the instruction. */
    uint8_t spec[4];
    uint32_t flags = d->flags;
    bool used_pfx = false;
    memcpy(spec, d->o, 4);
    while (d->kind != T_DIRECT) {
        unsigned idx = 0;
        switch (d->kind) {
        case T_GRP: TRY(fetch_modrm(c)); idx = c->reg; break;
        case T_RM: TRY(fetch_modrm(c)); idx = c->rm; break;
        case T_MOD: TRY(fetch_modrm(c)); idx = c->mod == 3; break;
        case T_PFX: idx = in->mandatory; used_pfx = true; break;
        case T_MODE64: idx = c->mode64; break;
        case T_REXW: idx = in->rex_w; break;
        }
        d = &d->sub[idx];
        if (d->o[0] != O_NONE)
            memcpy(spec, d->o, 4);
        flags |= d->flags;
    }
    if (!used_pfx && !in->vex)
        in->mandatory = 0;
    in->op = d->op;
    in->flags |= flags;
    if (d->op == X86_OP_INVALID)
        return X86_DECODE_UD;

    /* Operand and address sizes. */
    if (c->mode64) {
        if ((flags & X86_F_F64) || in->rex_w)
            in->opsize = 8;
        else if (in->opsize_prefix)
            in->opsize = 2;
        else
            in->opsize = (flags & X86_F_D64) ? 8 : 4;
    } else if (in->opsize_prefix) {
        in->opsize = in->opsize == 2 ? 4 : 2;
    }
    if ((flags & X86_F_I64) && c->mode64)
        c->bad = true;
    if ((flags & X86_F_O64) && !c->mode64)
        c->bad = true;

    /* ModRM, memory operand, then the operands in order (immediates last in encoding). */
    bool need_modrm = false;
    for (unsigned i = 0; i < 4; i++)
        need_modrm |= spec_modrm[spec[i]];
    if (need_modrm)
        TRY(fetch_modrm(c));
    if (in->has_modrm && c->mod != 3 && spec[0] != O_Rcr && spec[1] != O_Rcr)
        TRY(x86_dec_parse_mem(c));
    unsigned n = 0;
    bool uses_vvvv = false;
    for (unsigned i = 0; i < 4 && spec[i] != O_NONE; i++) {
        TRY(build(c, spec[i], &in->ops[n]));
        uses_vvvv |= spec[i] == O_By;
        n++;
    }
    in->nops = n;
    in->len = c->pos;

    /* Checks that need the whole instruction. */
    if (flags & X86_F_UNSUPPORTED)
        c->bad = true;
    if (in->lock && !((flags & X86_F_LOCKABLE) && in->has_modrm && c->mod != 3))
        c->bad = true;
    if (in->vex && !uses_vvvv && in->vex_vvvv)
        c->bad = true;
    switch (in->op) {
    case X86_OP_JCC: case X86_OP_SETCC: case X86_OP_CMOVCC:
        in->cc = in->opcode & 15;
        break;
    case X86_OP_FCMOVCC:
        in->cc = fcmov_cc[(in->opcode & 1) * 4 + (c->reg & 3)];
        break;
    case X86_OP_XCHG:
        if (in->map == X86_MAP_1BYTE && in->opcode == 0x90 && !in->rex_b) {
            in->op = in->rep == X86_REP_F3 ? X86_OP_PAUSE : X86_OP_NOP;
            in->nops = 0;
            memset(in->ops, 0, sizeof(in->ops));
        }
        if (!in->has_modrm || c->mod == 3)
            in->flags &= ~X86_F_IMPLICIT_LOCK;
        break;
    case X86_OP_MOV_SREG:
        if (in->opcode == 0x8e && c->reg == X86_SEG_CS)
            c->bad = true;
        break;
    case X86_OP_CMPXCHG8B:
        if (in->rex_w)
            in->op = X86_OP_CMPXCHG16B;
        break;
    case X86_OP_ENTER:
        in->imm2 = in->ops[1].imm;
        break;
    case X86_OP_UD0: case X86_OP_UD1: case X86_OP_UD2:
        c->bad = true;
        break;
    default:
        break;
    }
    return c->bad ? X86_DECODE_UD : X86_DECODE_OK;
}

/* Zeroes *in with 16-byte stores: what a memset of this size becomes (rep stos) costs
   about a quarter of the decode time. */
typedef uint64_t x86_v16 __attribute__((vector_size(16), may_alias, aligned(8)));
static inline void clear_insn(struct x86_insn *in)
{
    _Static_assert(sizeof(*in) % 16 == 0, "x86_insn size");
    x86_v16 *p = (x86_v16 *)(void *)in;
    const x86_v16 zero = { 0, 0 };
#define Z16(i_) if ((i_) < sizeof(*in) / 16) p[i_] = zero
    Z16(0); Z16(1); Z16(2); Z16(3); Z16(4); Z16(5); Z16(6); Z16(7);
    Z16(8); Z16(9); Z16(10); Z16(11); Z16(12); Z16(13); Z16(14); Z16(15);
#undef Z16
    _Static_assert(sizeof(*in) <= 16 * 16, "x86_insn size");
}

int x86_decode(const uint8_t *buf, size_t avail, enum x86_mode mode, struct x86_insn *out)
{
    struct dctx c = { .buf = buf, .avail = avail, .mode64 = mode == X86_MODE_64, .in = out };
    clear_insn(out);
    out->seg_override = X86_SEG_NONE;
    out->opsize = mode == X86_MODE_16 ? 2 : 4;
    int r = decode(&c);
    if (r != X86_DECODE_OK && r != X86_DECODE_UD)
        out->len = 0;
    return r;
}
