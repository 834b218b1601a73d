/* SPDX-License-Identifier: MIT */
/* test_decode_allow.h: capstone 4.0.2 allowlist; each rule is described in docs/DECODER.md
   under "Capstone allowlist" with the same number. */
#ifndef KILN_TEST_DECODE_ALLOW_H
#define KILN_TEST_DECODE_ALLOW_H

#include <ctype.h>

enum {
    ALLOW_NONE,
    ALLOW_LOCK = 1,          /* A1: capstone accepts LOCK anywhere */
    ALLOW_RESERVED_CR = 2,   /* A2: capstone accepts MOV to/from CR1, CR5-7, CR9-15 */
    ALLOW_UD_MODRM = 3,      /* A3: capstone decodes UD0/UD1 without their ModRM */
    ALLOW_MOV_CS = 4,        /* A4: capstone accepts MOV CS, r/m16 */
    ALLOW_IGNORED_PFX = 5,   /* A5: capstone ignores a 66/F2/F3 that selects an empty column */
    ALLOW_HINT_NOP = 6,      /* A6: capstone rejects reserved-NOP forms 0F 18..0F 1F */
    ALLOW_PFX_ORDER = 7,     /* A7: capstone needs the mandatory prefix last */
    ALLOW_BND_66 = 8,        /* A8: capstone drops 66 on near branches with F2/F3 */
    ALLOW_BRANCH66_64 = 9,   /* A9: capstone applies 66 to near branches in 64-bit mode */
    ALLOW_PREFETCH_RSVD = 10, /* A10: capstone rejects 0F 0D /0, /2../7 */
    ALLOW_FENCE_RM = 11,     /* A11: capstone rejects LFENCE/MFENCE/SFENCE with ModRM.rm != 0 */
    ALLOW_RET_IMM = 12,      /* A12: capstone reads 4 immediate bytes for REX.W C2/CA */
    ALLOW_VEX_PREFIX = 13,   /* A13: capstone accepts 66/F2/F3/F0/REX before VEX */
    ALLOW_SSE16 = 14,        /* A14: capstone rejects many SSE forms in 16-bit mode */
    ALLOW_O64 = 15,          /* A15: capstone accepts 64-bit-only instructions elsewhere */
    ALLOW_67_REX = 16,       /* A16: capstone reads 67 + REX as 66 in 64-bit mode */
    ALLOW_MEMSIZE = 17,      /* A17: wrong memory operand sizes (dcmp_cs_memsize_bug) */
    ALLOW_MOVSXD = 18,       /* A18: MOVSXD without REX.W */
    ALLOW_MULTI_REP = 20,    /* A20: several F2/F3 prefixes */
    ALLOW_REL16 = 21,        /* A21: 16-bit mode branch targets truncated */
    ALLOW_PAUSE_REX = 24,    /* A24: F3 REX 90 */
    ALLOW_REX_NOT_LAST = 25, /* A25: REX that is not the last prefix byte */
    ALLOW_EVEX_B = 26,       /* A26: EVEX.b register form length */
    ALLOW_MOVQ_F3W = 27,     /* A27: F3 REX.W 0F 7E */
    ALLOW_RDPID = 28,        /* A28: RDPID unknown to capstone 4 */
    ALLOW_LSL64 = 29,        /* A29: LSL r64, r32 */
    ALLOW_COUNT
};

/* capstone length of buf[0..n) in the handle's mode, 0 if invalid; text of the insn. */
static inline unsigned dcmp_cs(csh cs, const uint8_t *buf, size_t n, char *text, size_t tn)
{
    cs_insn *ci = NULL;
    unsigned len = 0;
    if (cs_disasm(cs, buf, n, 0x1000, 1, &ci) == 1) {
        len = ci->size;
        if (text)
            snprintf(text, tn, "%.31s %.150s", ci->mnemonic, ci->op_str);
        cs_free(ci, 1);
    }
    return len;
}

static inline bool dcmp_is_legacy_prefix(uint8_t b)
{
    return b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 || b == 0x26 ||
           b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65;
}

/* Copies buf without the legacy-prefix bytes for which drop(b) is true; pads with 0x90.
   Returns how many bytes were dropped. */
static inline unsigned dcmp_strip(const uint8_t *buf, unsigned npfx, uint8_t *out,
                                  bool (*drop)(uint8_t))
{
    unsigned o = 0, k = 0;
    for (unsigned i = 0; i < 16; i++) {
        if (i < npfx && dcmp_is_legacy_prefix(buf[i]) && drop(buf[i])) {
            k++;
            continue;
        }
        out[o++] = buf[i];
    }
    while (o < 16)
        out[o++] = 0x90;
    return k;
}

static inline bool dcmp_drop_lock(uint8_t b) { return b == 0xf0; }
static inline bool dcmp_drop_mand(uint8_t b) { return b == 0x66 || b == 0xf2 || b == 0xf3; }
static inline bool dcmp_drop_66(uint8_t b) { return b == 0x66; }
static inline bool dcmp_drop_rep(uint8_t b) { return b == 0xf2 || b == 0xf3; }

/* Our status on a modified buffer: length if OK or recognised, else 0. */
static inline unsigned dcmp_our_len(struct dcmp *d, const uint8_t *buf, struct x86_insn *in)
{
    int st = x86_decode(buf, 16, d->mode, in);
    if (st == X86_DECODE_OK || (st == X86_DECODE_UD && (in->flags & X86_F_UNSUPPORTED)))
        return in->len;
    return 0;
}

/* Number of legacy/REX prefix bytes at the start of buf (for the rules that edit them). */
static inline unsigned dcmp_prefix_run(struct dcmp *d, const uint8_t *buf)
{
    unsigned i = 0;
    while (i < 15 && (dcmp_is_legacy_prefix(buf[i]) ||
                      (d->mode == X86_MODE_64 && (buf[i] & 0xf0) == 0x40)))
        i++;
    return i;
}

/* capstone mnemonic (prefix words stripped) starts like our op name (3+ letters). */
static inline bool dcmp_same_mnemonic(const char *cs_text, unsigned op)
{
    static const char *const pw[] = { "lock ", "rep ", "repe ", "repne ", "bnd ", "notrack ",
                                      "xacquire ", "xrelease ", "data16 " };
    const char *ours = x86_op_name(op);
    static const struct { uint16_t op; const char *cs; } alias[] = {
        { X86_OP_JCC, "j" }, { X86_OP_SETCC, "set" }, { X86_OP_CMOVCC, "cmov" },
        { X86_OP_FCMOVCC, "fcmov" }, { X86_OP_CBW, "c" }, { X86_OP_CWD, "c" },
        { X86_OP_CALLF, "lcall" }, { X86_OP_JMPF, "ljmp" }, { X86_OP_JRCXZ, "j" },
        { X86_OP_RETF, "ret" }, { X86_OP_SAL, "s" }, { X86_OP_MOVD, "mov" },
        { X86_OP_PEXTRD, "pextr" }, { X86_OP_PINSRD, "pinsr" }, { X86_OP_UD1, "ud" },
        { X86_OP_INT1, "int" }, { X86_OP_INT3, "int" }, { X86_OP_FNSTENV, "fnstenv" },
        { X86_OP_CMPXCHG16B, "cmpxchg" }, { X86_OP_PAUSE, "pause" }, { X86_OP_WAIT, "wait" },
        { X86_OP_FFREEP, "ffreep" }, { X86_OP_SALC, "salc" }, { X86_OP_XLAT, "xlat" },
    };
    /* A22: capstone 4 prints F3 90 as "nop" when other prefixes are present */
    if (op == X86_OP_PAUSE && !strncmp(cs_text, "nop", 3))
        return true;
    /* A23: capstone prints CMPPS/PD/SS/SD with a condition pseudo-op (cmpneqps ...) */
    if (op == X86_OP_CMPPS || op == X86_OP_CMPPD || op == X86_OP_CMPSS || op == X86_OP_CMPSD) {
        size_t l = strlen(cs_text);
        const char *sfx = ours + 3;
        if (!strncmp(cs_text, "cmp", 3) && l > 5 && cs_text[l - 2] == sfx[0] &&
            cs_text[l - 1] == sfx[1])
            return true;
    }
    for (unsigned i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
        if (alias[i].op == op)
            ours = alias[i].cs;
    for (bool again = true; again;) {
        again = false;
        for (unsigned i = 0; i < sizeof(pw) / sizeof(pw[0]); i++)
            if (!strncmp(cs_text, pw[i], strlen(pw[i]))) {
                cs_text += strlen(pw[i]);
                again = true;
            }
    }
    size_t n = strlen(ours);
    if (!strncmp(cs_text, ours, n))
        return true;
    /* capstone names string and size variants with a suffix (movsb, iretd, pextrq) */
    switch (op) {
    case X86_OP_MOVS: case X86_OP_CMPS: case X86_OP_STOS: case X86_OP_LODS: case X86_OP_SCAS:
    case X86_OP_INS: case X86_OP_OUTS: case X86_OP_IRET: case X86_OP_PEXTRD: case X86_OP_PINSRD:
    case X86_OP_MOVD: case X86_OP_PUSHA: case X86_OP_POPA: case X86_OP_PUSHF: case X86_OP_POPF:
        return !strncmp(cs_text, ours, n - 1);
    default:
        return false;
    }
}

/* Reorders the legacy prefixes of buf into b2: others first, then the 66 bytes and the
   F2/F3 bytes (66 last if sixty6_last). Relative order within each class is kept, so the
   meaning is unchanged (SDM 2.1.1: prefix groups may come in any order). */
static inline void dcmp_reorder(struct dcmp *d, const uint8_t *buf, unsigned npfx, uint8_t *b2,
                                bool sixty6_last)
{
    unsigned o = 0;
    for (unsigned i = 0; i < npfx; i++)
        if (!dcmp_drop_mand(buf[i]) && !(d->mode == X86_MODE_64 && (buf[i] & 0xf0) == 0x40))
            b2[o++] = buf[i];
    for (unsigned pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < npfx; i++)
            if ((buf[i] == 0x66) == (pass == (unsigned)sixty6_last) && dcmp_drop_mand(buf[i]))
                b2[o++] = buf[i];
    for (unsigned i = 0; i < npfx; i++)
        if (d->mode == X86_MODE_64 && (buf[i] & 0xf0) == 0x40)
            b2[o++] = buf[i];
    memcpy(b2 + o, buf + npfx, 16 - npfx);
}

/*
 * A17: memory operand sizes capstone 4 reports wrongly (SDM operand in brackets):
 * far pointers LES/LDS/LSS/LFS/LGS/CALLF/JMPF (m16:16/32/64), LAR/LSL (m16),
 * FNSTSW (m2byte), NOP Ev (r/m16/32/64), FLDENV/FNSTENV (14/28 bytes by operand size),
 * PUNPCKLBW/WD/DQ mm (m32), COMISS/UCOMISS (m32), COMISD/UCOMISD (m64); and, with both
 * 66 and REX.W, capstone
 * applies the 66 (REX.W takes precedence, SDM 2.2.1.2).
 */
static inline bool dcmp_cs_memsize_bug(struct dcmp *d, const struct x86_insn *in,
                                       const cs_x86_op *c)
{
    (void)d;
    switch (in->op) {
    case X86_OP_LES: case X86_OP_LDS: case X86_OP_LSS: case X86_OP_LFS: case X86_OP_LGS:
    case X86_OP_CALLF: case X86_OP_JMPF: case X86_OP_LAR: case X86_OP_LSL:
    case X86_OP_FNSTSW: case X86_OP_NOP: case X86_OP_FLDENV: case X86_OP_FNSTENV:
    case X86_OP_COMISS: case X86_OP_UCOMISS: case X86_OP_COMISD: case X86_OP_UCOMISD:
        return true;
    case X86_OP_PUNPCKLBW: case X86_OP_PUNPCKLWD: case X86_OP_PUNPCKLDQ:
        return !in->opsize_prefix || in->mandatory != 1;
    default:
        return in->rex_w && in->opsize_prefix && c->size == 2;
    }
}

/* capstone register id of one of our register operands (0 if no equivalent). */
static inline unsigned dcmp_cs_reg(const struct x86_operand *o)
{
    switch (o->regclass) {
    case X86_RC_GPR: return dcmp_cs_gpr(o->reg, o->size, false);
    case X86_RC_GPR8_HIGH: return dcmp_cs_gpr(o->reg, 1, true);
    case X86_RC_SEG: {
        static const uint16_t s[6] = { X86_REG_ES, X86_REG_CS, X86_REG_SS, X86_REG_DS,
                                       X86_REG_FS, X86_REG_GS };
        return o->reg < 6 ? s[o->reg] : 0;
    }
    case X86_RC_CR: return X86_REG_CR0 + o->reg;
    case X86_RC_DR: return X86_REG_DR0 + o->reg;
    case X86_RC_MMX: return X86_REG_MM0 + o->reg;
    case X86_RC_XMM: return X86_REG_XMM0 + o->reg;
    case X86_RC_ST: return X86_REG_ST0 + o->reg;
    default: return 0;
    }
}

static inline uint64_t dcmp_mask(unsigned size)
{
    return size >= 8 || size == 0 ? ~0ull : (1ull << (8 * size)) - 1;
}

/*
 * Operand check: when capstone lists as many operands as we do, each must agree in kind,
 * register, memory base/index/scale/displacement/segment override, immediate value
 * (truncated to its size), branch target and (where both give one) size.
 * Instructions whose operand lists differ in length (capstone omits or adds implicit
 * operands, splits far pointers) are counted in d->opcount_differs and not compared.
 */
static inline bool dcmp_operands_match(struct dcmp *d, const struct x86_insn *in, const cs_insn *ci)
{
    const cs_x86 *x = &ci->detail->x86;
    if (!dcmp_same_mnemonic(ci->mnemonic, in->op))
        return false;
    /* A18: capstone decodes MOVSXD without REX.W as r64, r/m32 whatever 66 says */
    if (in->op == X86_OP_MOVSXD && !in->rex_w)
        return true;
    if (x->op_count != in->nops) {
        d->opcount_differs++;
        return true;
    }
    for (unsigned i = 0; i < in->nops; i++) {
        const struct x86_operand *o = &in->ops[i];
        const cs_x86_op *c = &x->operands[i];
        switch (o->kind) {
        case X86_OPK_REG:
            if (c->type != X86_OP_REG)
                return false;
            if (c->reg != dcmp_cs_reg(o)) {
                /* A17 too: with 66 and REX.W capstone applies the 66 */
                struct x86_operand o16 = *o;
                o16.size = 2;
                if (!(in->rex_w && in->opsize_prefix && o->regclass == X86_RC_GPR &&
                      c->reg == dcmp_cs_reg(&o16)))
                    return false;
            }
            break;
        case X86_OPK_MEM: {
            unsigned as = in->addrsize;
            unsigned base = o->rip_rel ? (as == 8 ? X86_REG_RIP : X86_REG_EIP)
                            : o->base == X86_REG_NONE ? X86_REG_INVALID
                                                      : dcmp_cs_gpr(o->base, as, false);
            unsigned index = o->index == X86_REG_NONE ? X86_REG_INVALID
                                                      : dcmp_cs_gpr(o->index, as, false);
            if (c->type != X86_OP_MEM || c->mem.base != base || c->mem.index != index)
                return false;
            if (index != X86_REG_INVALID && c->mem.scale != o->scale)
                return false;
            if (((uint64_t)c->mem.disp & dcmp_mask(as)) != ((uint64_t)o->disp & dcmp_mask(as)))
                return false;
            /* In 64-bit mode we ignore ES/CS/SS/DS overrides (docs/DECODER.md), capstone
               reports the last segment prefix. */
            if (c->mem.segment != X86_REG_INVALID &&
                !(d->mode == X86_MODE_64 && c->mem.segment != X86_REG_FS &&
                  c->mem.segment != X86_REG_GS)) {
                struct x86_operand s = { .regclass = X86_RC_SEG, .reg = o->seg };
                if (c->mem.segment != dcmp_cs_reg(&s))
                    return false;
            }
            if (o->size && c->size && o->size != c->size && o->size <= 16 &&
                !dcmp_cs_memsize_bug(d, in, c)) {
                if (!d->size_mismatch[in->op]++)
                    snprintf(d->size_example[in->op], sizeof(d->size_example[0]),
                             "%u vs cs %u: %.30s %.50s", o->size, c->size, ci->mnemonic, ci->op_str);
                return false;
            }
            break;
        }
        case X86_OPK_IMM: {
            unsigned sz = c->size && c->size < o->size ? c->size : o->size;
            if (in->rex_w && in->opsize_prefix && sz > 4)
                sz = 4; /* A17: capstone applies 66 over REX.W */
            if (c->type != X86_OP_IMM ||
                ((uint64_t)c->imm & dcmp_mask(sz)) != ((uint64_t)o->imm & dcmp_mask(sz)))
                return false;
            break;
        }
        case X86_OPK_REL: {
            /* A21: capstone truncates targets to 16 bits with a 16-bit address size,
               even with a 32-bit operand size (the SDM truncates by operand size) */
            uint64_t m = dcmp_mask(in->addrsize == 2 || d->mode == X86_MODE_16 ? 2 : in->opsize);
            /* A9: capstone applies 66 to near branches in 64-bit mode */
            if (d->mode == X86_MODE_64 && in->opsize_prefix)
                m = 0xffff;
            if (c->type != X86_OP_IMM ||
                ((uint64_t)c->imm & m) != ((0x1000 + in->len + (uint64_t)o->imm) & m))
                return false;
            break;
        }
        default:
            return false;
        }
    }
    return true;
}

/*
 * Returns the allowlist rule explaining a difference (> 0), or 0. Each rule re-checks the
 * claim it makes (e.g. "capstone ignores this prefix": capstone decodes the same text
 * without it) rather than matching byte patterns.
 */
static inline bool dcmp_ok(enum dcmp_result r) { return r == DCMP_MATCH || r == DCMP_ALLOWED; }

static inline int dcmp_allowed(struct dcmp *d, const uint8_t *buf, int st, const struct x86_insn *in,
                               const cs_insn *ci, enum dcmp_result res, int depth)
{
    uint8_t b2[16];
    struct x86_insn in2;
    unsigned npfx = dcmp_prefix_run(d, buf);
    unsigned k;

    if (res == DCMP_CS_VALID && st == X86_DECODE_UD) {
        /* A1: LOCK on a form that does not allow it */
        if (in->lock) {
            k = dcmp_strip(buf, npfx, b2, dcmp_drop_lock);
            if (dcmp_cs(d->cs, b2, 16, NULL, 0) + k == ci->size &&
                dcmp_ok(dcmp_classify(d, b2, depth + 1)))
                return ALLOW_LOCK;
        }
        /* A2: reserved control and debug registers */
        if (in->op == X86_OP_MOV_CR && in->len == ci->size) {
            unsigned cr = in->ops[in->opcode == 0x22 ? 0 : 1].reg;
            if (cr == 1 || (cr >= 5 && cr <= 7) || cr >= 9 ||
                (cr == 8 && d->mode != X86_MODE_64))
                return ALLOW_RESERVED_CR;
        }
        if (in->op == X86_OP_MOV_DR && in->len == ci->size &&
            in->ops[in->opcode == 0x23 ? 0 : 1].reg >= 8)
            return ALLOW_RESERVED_CR;
        /* A13: VEX after a 66/F2/F3/F0/REX prefix */
        if (in->vex && in->len == ci->size &&
            (in->rex || in->opsize_prefix || in->prefix_f2 || in->prefix_f3 || in->lock))
            return ALLOW_VEX_PREFIX;
        /* A15: instructions valid only in 64-bit mode */
        if ((in->flags & X86_F_O64) && d->mode != X86_MODE_64 && in->len == ci->size)
            return ALLOW_O64;
        /* A4: MOV CS, r/m16 */
        if (in->op == X86_OP_MOV_SREG && in->opcode == 0x8e && in->ops[0].reg == X86_SEG_CS &&
            in->len == ci->size)
            return ALLOW_MOV_CS;
        /* A5: an F2/F3/66 prefix selecting an empty column is ignored by capstone */
        if (!(in->flags & X86_F_UNSUPPORTED) && in->map >= X86_MAP_0F &&
            in->map <= X86_MAP_0F3A && (in->prefix_f2 || in->prefix_f3 || in->opsize_prefix)) {
            for (int pass = 0; pass < 2; pass++) {
                k = dcmp_strip(buf, npfx, b2, pass ? dcmp_drop_rep : dcmp_drop_mand);
                unsigned l2 = dcmp_our_len(d, b2, &in2);
                cs_insn *c2 = NULL;
                if (l2 && l2 + k == ci->size && cs_disasm(d->cs, b2, 16, 0x1000, 1, &c2) == 1) {
                    bool same = c2->size == l2 && !strcmp(ci->mnemonic, c2->mnemonic) &&
                                dcmp_ok(dcmp_classify(d, b2, depth + 1));
                    cs_free(c2, 1);
                    if (same)
                        return ALLOW_IGNORED_PFX;
                }
            }
        }
    }
    if (res == DCMP_LEN || res == DCMP_CS_VALID) {
        /* A3: UD0 / UD1 take a ModRM byte (SDM "UD"), capstone stops after the opcode */
        if ((in->op == X86_OP_UD0 || in->op == X86_OP_UD1) && !strncmp(ci->mnemonic, "ud", 2) &&
            ci->size == in->nprefixes + 2u)
            return ALLOW_UD_MODRM;
    }
    if (res == DCMP_WE_VALID && st == X86_DECODE_OK) {
        /* A6: reserved-NOP space (SDM Table A-3 "NOP Ev", 0F 19..0F 1F, 0F 18 /4../7) */
        if ((in->op == X86_OP_NOP || in->op == X86_OP_ENDBR64 || in->op == X86_OP_ENDBR32) &&
            in->map == X86_MAP_0F && in->opcode >= 0x18 && in->opcode <= 0x1f)
            return ALLOW_HINT_NOP;
        /* A10: 0F 0D prefetch space other than /1 */
        if (in->op == X86_OP_PREFETCH)
            return ALLOW_PREFETCH_RSVD;
        /* A11: fences ignore ModRM.rm (SDM Table A-6, group 15 lists mod=11 by reg only) */
        if ((in->op == X86_OP_LFENCE || in->op == X86_OP_MFENCE || in->op == X86_OP_SFENCE) &&
            (in->modrm & 7))
            return ALLOW_FENCE_RM;
    }
    if ((res == DCMP_WE_VALID || res == DCMP_LEN) &&
        (st == X86_DECODE_OK || (in->flags & X86_F_UNSUPPORTED))) {
        /* A7: capstone depends on the order of 66 and F2/F3 */
        char t[200];
        for (int last66 = 0; last66 < 2; last66++) {
            dcmp_reorder(d, buf, npfx, b2, last66);
            if (dcmp_cs(d->cs, b2, 16, t, sizeof(t)) == in->len &&
                (in->op == X86_OP_UNSUPPORTED || dcmp_same_mnemonic(t, in->op)))
                return ALLOW_PFX_ORDER;
        }
    }
    /* A14: 16-bit mode SSE/SSE4a: capstone decodes it in 32-bit mode with 67 toggled */
    if ((res == DCMP_WE_VALID || res == DCMP_LEN || res == DCMP_OPERANDS) &&
        d->mode == X86_MODE_16 &&
        ((in->flags & (X86_F_SSE | X86_F_UNSUPPORTED)) || in->mandatory ||
         in->map == X86_MAP_0F38 || in->map == X86_MAP_0F3A) &&
        in->map >= X86_MAP_0F && in->map <= X86_MAP_0F3A) {
        uint8_t b3[16];
        unsigned o = 0, n67 = 0;
        char t[200];
        for (unsigned i = 0; i < npfx; i++)
            n67 += buf[i] == 0x67;
        /* at 15 bytes, make room for the 67 by dropping a repeated prefix byte */
        int skip = -1;
        if (!n67 && in->len == 15)
            for (unsigned i = 0; i < npfx && skip < 0; i++)
                for (unsigned j = i + 1; j < npfx; j++)
                    if (buf[j] == buf[i])
                        skip = (int)i;
        if (!n67)
            b3[o++] = 0x67;
        for (unsigned i = 0; i < 16 && o < 16; i++)
            if (!(i < npfx && buf[i] == 0x67) && (int)i != skip)
                b3[o++] = buf[i];
        unsigned want = in->len + (n67 ? 0u : 1u) - n67 - (skip >= 0);
        unsigned np3 = npfx + (n67 ? 0u : 1u) - n67 - (skip >= 0);
        for (int pass = 0; pass < 3; pass++) {
            if (pass)
                dcmp_reorder(d, b3, np3, b2, pass == 2);
            else
                memcpy(b2, b3, 16);
            if (dcmp_cs(d->cs32, b2, 16, t, sizeof(t)) == want &&
                ((in->flags & X86_F_UNSUPPORTED) || dcmp_same_mnemonic(t, in->op)))
                return ALLOW_SSE16;
        }
        /* the same bytes in 32-bit mode go through all the checks (and rules) again */
        if (d->alt32 && (in->flags & X86_F_SSE) && dcmp_our_len(d->alt32, b3, &in2) == want &&
            in2.op == in->op && dcmp_ok(dcmp_classify(d->alt32, b3, depth + 1)))
            return ALLOW_SSE16;
    }
    /* A16: 64-bit mode, 67 before REX: capstone acts as if 66 were present */
    if ((res == DCMP_CS_VALID || res == DCMP_LEN || res == DCMP_OPERANDS) &&
        d->mode == X86_MODE_64 && in->addrsize_prefix && in->rex) {
        char t[200];
        memcpy(b2, buf, 16);
        for (unsigned i = 0; i < npfx; i++)
            if (b2[i] == 0x67)
                b2[i] = 0x66;
        if (dcmp_cs(d->cs, b2, 16, t, sizeof(t)) == ci->size &&
            dcmp_ok(dcmp_classify(d, b2, depth + 1)))
            return ALLOW_67_REX;
    }
    /* A9 too: over 15 bytes only because the near branch takes rel32 (f64), not rel16 */
    if (res == DCMP_CS_VALID && st == X86_DECODE_TOO_LONG && d->mode == X86_MODE_64 &&
        ci->size + 2u > 15) {
        k = dcmp_strip(buf, npfx, b2, dcmp_drop_66);
        int st2 = x86_decode(b2, 16, d->mode, &in2);
        if ((st2 == X86_DECODE_OK || st2 == X86_DECODE_UD) && in2.len == ci->size - k + 2 &&
            (in2.flags & X86_F_BRANCH) && in2.nops && in2.ops[0].kind == X86_OPK_REL)
            return ALLOW_BRANCH66_64;
    }
    /* A12: RET imm16 is always Iw */
    if (res == DCMP_LEN && (in->op == X86_OP_RET || in->op == X86_OP_RETF) && in->nops &&
        ci->size == in->len + 2u && in->rex_w)
        return ALLOW_RET_IMM;
    if (res == DCMP_OPERANDS && st == X86_DECODE_OK) {
        /* A8 (operands): with F2/F3 present capstone drops the 66 from some operands */
        if (in->opsize_prefix && (in->prefix_f2 || in->prefix_f3) && !in->mandatory) {
            k = dcmp_strip(buf, npfx, b2, dcmp_drop_rep);
            if (dcmp_our_len(d, b2, &in2) + k == in->len && in2.op == in->op &&
                dcmp_ok(dcmp_classify(d, b2, depth + 1)))
                return ALLOW_BND_66;
        }
        /* A7 (operands): capstone depends on where 66/F2/F3 stand among the prefixes */
        if (in->mandatory || in->opsize_prefix) {
            for (int last66 = 0; last66 < 2; last66++) {
                dcmp_reorder(d, buf, npfx, b2, last66);
                if (memcmp(b2, buf, 16) && dcmp_ok(dcmp_classify(d, b2, depth + 1)))
                    return ALLOW_PFX_ORDER;
            }
        }
    }
    /* A24: F3 90 with REX: PAUSE unless REX.B (then XCHG r8, rAX); capstone differs */
    if ((res == DCMP_OPERANDS || res == DCMP_CS_VALID) && in->map == X86_MAP_1BYTE &&
        in->opcode == 0x90 && in->rex && in->rep == X86_REP_F3 &&
        (!strcmp(ci->mnemonic, "nop") || !strcmp(ci->mnemonic, "pause") ||
         !strcmp(ci->mnemonic, "xchg")) && ci->size == in->len)
        return ALLOW_PAUSE_REX;
    /* A25: capstone lets a REX prefix that is not the last one take effect */
    if (d->mode == X86_MODE_64) {
        unsigned o = 0, nrex = 0, last = 0;
        for (unsigned i = 0; i < npfx; i++)
            if ((buf[i] & 0xf0) == 0x40) {
                nrex++;
                last = i;
            }
        if (nrex > 1 || (nrex == 1 && last + 1 != npfx)) {
            /* keep only REX bytes that take effect (the last, if just before the opcode) */
            for (unsigned i = 0; i < 16; i++)
                if (!(i < npfx && (buf[i] & 0xf0) == 0x40 && (i != last || last + 1 != npfx)))
                    b2[o++] = buf[i];
            while (o < 16)
                b2[o++] = 0x90;
            if (dcmp_ok(dcmp_classify(d, b2, depth + 1)))
                return ALLOW_REX_NOT_LAST;
        }
    }
    /* A26: EVEX.b with a register operand: capstone counts one byte too many */
    if (res == DCMP_LEN && in->map == X86_MAP_EVEX && in->has_modrm && (in->modrm >> 6) == 3 &&
        ci->size == in->len + 1u)
        return ALLOW_EVEX_B;
    /* A27: F3 REX.W 0F 7E is MOVQ xmm, xmm/m64 (REX.W ignored); capstone drops the F3 */
    if (res == DCMP_OPERANDS && in->op == X86_OP_MOVQ && in->map == X86_MAP_0F &&
        in->opcode == 0x7e && in->rex_w && !strcmp(ci->mnemonic, "movd"))
        return ALLOW_MOVQ_F3W;
    /* A29: LSL r64, r32/m16 (SDM); capstone gives a 64-bit source register */
    if (res == DCMP_OPERANDS && in->op == X86_OP_LSL && in->rex_w && in->nops == 2 &&
        in->ops[1].kind == X86_OPK_REG && ci->detail->x86.operands[1].type == X86_OP_REG) {
        struct x86_operand o64 = in->ops[1];
        o64.size = 8;
        if (ci->detail->x86.operands[1].reg == dcmp_cs_reg(&o64))
            return ALLOW_LSL64;
    }
    /* A28: capstone 4 does not know RDPID (F3 0F C7 /7): it ignores the F3 */
    if (res == DCMP_OPERANDS && in->op == X86_OP_RDPID && !strcmp(ci->mnemonic, "rdseed"))
        return ALLOW_RDPID;
    /* A20: several F2/F3: hardware uses the last, capstone does not */
    if (in->prefix_f2 && in->prefix_f3) {
        unsigned last = 0, o = 0;
        for (unsigned i = 0; i < npfx; i++)
            if (dcmp_drop_rep(buf[i]))
                last = i;
        for (unsigned i = 0; i < 16; i++)
            if (!(i < npfx && dcmp_drop_rep(buf[i]) && i != last))
                b2[o++] = buf[i];
        while (o < 16)
            b2[o++] = 0x90;
        if ((st != X86_DECODE_OK || (dcmp_our_len(d, b2, &in2) && in2.op == in->op)) &&
            dcmp_ok(dcmp_classify(d, b2, depth + 1)))
            return ALLOW_MULTI_REP;
    }
    /* A8: capstone drops 66 when F2/F3 is present (non-SSE instructions) */
    if (res == DCMP_LEN && st == X86_DECODE_OK && in->opsize_prefix &&
        (in->prefix_f2 || in->prefix_f3) && !in->mandatory) {
        k = dcmp_strip(buf, npfx, b2, dcmp_drop_66);
        unsigned l2 = dcmp_our_len(d, b2, &in2);
        if (l2 && l2 + k == ci->size)
            return ALLOW_BND_66;
    }
    if (res == DCMP_LEN && st == X86_DECODE_OK && (in->flags & X86_F_BRANCH) && in->nops &&
        in->ops[0].kind == X86_OPK_REL &&
        (in->opsize_prefix || (in->addrsize_prefix && in->rex))) {
        /* A9: 64-bit mode, 66 on a near branch: Intel ignores it (f64) */
        if (d->mode == X86_MODE_64 && ci->size + 2u == in->len)
            return ALLOW_BRANCH66_64;
    }
    return ALLOW_NONE;
}

#endif
