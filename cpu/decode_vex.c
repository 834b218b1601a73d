/* SPDX-License-Identifier: MIT */
/* decode_vex.c: ModRM memory forms, and the VEX/EVEX/XOP prefixes of the decoder. */
#include "cpu/decode_int.h"

/* Decodes the memory form of ModRM (SIB, displacement) into c->mem. */
int x86_dec_parse_mem(struct dctx *c)
{
    struct x86_insn *in = c->in;
    struct x86_operand *m = &c->mem;
    uint8_t defseg = X86_SEG_DS;
    int64_t disp = 0;

    m->kind = X86_OPK_MEM;
    m->base = X86_REG_NONE;
    m->index = X86_REG_NONE;
    m->scale = 1;
    if (in->addrsize == 2) {
        static const uint8_t b16[8] = { X86_RBX, X86_RBX, X86_RBP, X86_RBP,
                                        X86_RSI, X86_RDI, X86_RBP, X86_RBX };
        static const uint8_t i16[8] = { X86_RSI, X86_RDI, X86_RSI, X86_RDI,
                                        X86_REG_NONE, X86_REG_NONE, X86_REG_NONE, X86_REG_NONE };
        if (c->mod == 0 && c->rm == 6) {
            TRY(fetch_val(c, 2, true, &disp));
        } else {
            m->base = b16[c->rm];
            m->index = i16[c->rm];
            if (m->base == X86_RBP)
                defseg = X86_SEG_SS;
            if (c->mod == 1)
                TRY(fetch_val(c, 1, true, &disp));
            else if (c->mod == 2)
                TRY(fetch_val(c, 2, true, &disp));
        }
    } else {
        uint8_t base = c->rm;
        bool nobase = false;
        if (c->rm == 4) {
            TRY(fetch(c, &in->sib));
            in->has_sib = true;
            uint8_t idx = ((in->sib >> 3) & 7) | (in->rex_x << 3);
            if (idx != 4)
                m->index = idx;
            m->scale = 1 << (in->sib >> 6);
            base = in->sib & 7;
            if (base == 5 && c->mod == 0)
                nobase = true;
        } else if (c->rm == 5 && c->mod == 0) {
            nobase = true;
            m->rip_rel = c->mode64;
        }
        if (!nobase) {
            m->base = base | (in->rex_b << 3);
            if (m->base == X86_RSP || m->base == X86_RBP)
                defseg = X86_SEG_SS;
        }
        if (nobase || c->mod == 2)
            TRY(fetch_val(c, 4, true, &disp));
        else if (c->mod == 1)
            TRY(fetch_val(c, 1, true, &disp));
    }
    m->disp = disp;
    m->seg = in->seg_override != X86_SEG_NONE ? in->seg_override : defseg;
    return 0;
}

/* Length of an unsupported (VEX/EVEX/XOP/3DNow!) instruction: ModRM form + immediate. */
int x86_dec_skip_unsupported(struct dctx *c, bool modrm, unsigned immlen, unsigned op)
{
    struct x86_insn *in = c->in;
    int64_t v;
    if (modrm) {
        TRY(fetch_modrm(c));
        if (c->mod != 3)
            TRY(x86_dec_parse_mem(c));
    }
    if (immlen)
        TRY(fetch_val(c, immlen, false, &v));
    in->op = op;
    in->flags |= X86_F_UNSUPPORTED;
    in->len = c->pos;
    return X86_DECODE_UD;
}

/* Opcodes of the 0F map (and its VEX/EVEX forms) that take an imm8. */
static bool map0f_has_imm8(uint8_t op)
{
    return (op >= 0x70 && op <= 0x73) || op == 0xc2 || (op >= 0xc4 && op <= 0xc6);
}

/* VEX (C4/C5): decodes the prefix; returns the table entry or NULL (unsupported). */
int x86_dec_vex(struct dctx *c, uint8_t b, const struct x86_opdesc **d)
{
    struct x86_insn *in = c->in;
    uint8_t p1, p2, mmmmm = 1;
    if (in->rex || in->opsize_prefix || in->prefix_f2 || in->prefix_f3 || in->lock)
        c->bad = true;
    TRY(fetch(c, &p1));
    if (b == 0xc5) {
        p2 = p1;
        in->rex_r = !(p1 & 0x80);
    } else {
        TRY(fetch(c, &p2));
        in->rex_r = !(p1 & 0x80);
        in->rex_x = !(p1 & 0x40);
        in->rex_b = !(p1 & 0x20);
        mmmmm = p1 & 0x1f;
        in->vex_w = p2 & 0x80;
    }
    in->vex = true;
    in->vex_vvvv = (~p2 >> 3) & 15;
    in->vex_l = p2 & 4;
    in->mandatory = p2 & 3;
    in->flags |= X86_F_VEX;
    if (!c->mode64) {
        in->rex_r = in->rex_x = in->rex_b = false;
        in->vex_vvvv &= 7;
    } else {
        in->rex_w = in->vex_w;
    }
    in->nprefixes = c->pos;
    TRY(fetch(c, &in->opcode));
    *d = NULL;
    switch (mmmmm) {
    case 1: in->map = X86_MAP_VEX_0F; break;
    case 2: in->map = X86_MAP_VEX_0F38; *d = &x86_map_vex0f38[in->opcode]; break;
    case 3: in->map = X86_MAP_VEX_0F3A; *d = &x86_map_vex0f3a[in->opcode]; break;
    default:
        in->map = X86_MAP_VEX_OTHER;
        in->op = X86_OP_UNSUPPORTED_VEX;
        in->flags |= X86_F_UNSUPPORTED;
        return X86_DECODE_UD; /* reserved map: length unknown */
    }
    if (*d && (*d)->kind == T_DIRECT && (*d)->op == X86_OP_INVALID)
        *d = NULL;
    if (!*d) {
        bool modrm = !(in->map == X86_MAP_VEX_0F && in->opcode == 0x77);
        unsigned imm = in->map == X86_MAP_VEX_0F3A ||
                       (in->map == X86_MAP_VEX_0F && map0f_has_imm8(in->opcode));
        return x86_dec_skip_unsupported(c, modrm, imm, X86_OP_UNSUPPORTED_VEX);
    }
    if (in->vex_l)
        c->bad = true;
    return 0;
}

/* EVEX (62) and XOP (8F): recognised, length computed, always #UD. */
int x86_dec_evex(struct dctx *c)
{
    struct x86_insn *in = c->in;
    uint8_t p0, p1, p2;
    TRY(fetch(c, &p0));
    TRY(fetch(c, &p1));
    TRY(fetch(c, &p2));
    in->nprefixes = c->pos;
    TRY(fetch(c, &in->opcode));
    in->map = X86_MAP_EVEX;
    in->op = X86_OP_UNSUPPORTED_EVEX;
    in->flags |= X86_F_UNSUPPORTED;
    switch (p0 & 3) {
    case 1: return x86_dec_skip_unsupported(c, true, map0f_has_imm8(in->opcode), in->op);
    case 2: return x86_dec_skip_unsupported(c, true, 0, in->op);
    case 3: return x86_dec_skip_unsupported(c, true, 1, in->op);
    default: return X86_DECODE_UD;
    }
}

int x86_dec_xop(struct dctx *c)
{
    struct x86_insn *in = c->in;
    uint8_t p0, p1;
    TRY(fetch(c, &p0));
    TRY(fetch(c, &p1));
    in->nprefixes = c->pos;
    TRY(fetch(c, &in->opcode));
    in->map = X86_MAP_XOP;
    in->op = X86_OP_UNSUPPORTED_XOP;
    in->flags |= X86_F_UNSUPPORTED;
    switch (p0 & 0x1f) {
    case 8: return x86_dec_skip_unsupported(c, true, 1, in->op);
    case 9: return x86_dec_skip_unsupported(c, true, 0, in->op);
    case 10: return x86_dec_skip_unsupported(c, true, 4, in->op);
    default: return X86_DECODE_UD;
    }
}
