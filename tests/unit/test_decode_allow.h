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
    for (bool again = true; again;) {
        again = false;
        for (unsigned i = 0; i < sizeof(pw) / sizeof(pw[0]); i++)
            if (!strncmp(cs_text, pw[i], strlen(pw[i]))) {
                cs_text += strlen(pw[i]);
                again = true;
            }
    }
    size_t n = strlen(ours);
    if (n > 3)
        n = 3;
    return !strncmp(cs_text, ours, n);
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

static inline bool dcmp_operands_match(struct dcmp *d, const struct x86_insn *in, const cs_insn *ci)
{
    (void)d; (void)in; (void)ci;
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
    if ((res == DCMP_WE_VALID || res == DCMP_LEN) && d->mode == X86_MODE_16 &&
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
    }
    /* A16: 64-bit mode, 67 before REX: capstone acts as if 66 were present */
    if ((res == DCMP_CS_VALID || res == DCMP_LEN) && d->mode == X86_MODE_64 &&
        in->addrsize_prefix && in->rex) {
        char t[200];
        memcpy(b2, buf, 16);
        for (unsigned i = 0; i < npfx; i++)
            if (b2[i] == 0x67)
                b2[i] = 0x66;
        if (dcmp_cs(d->cs, b2, 16, t, sizeof(t)) == ci->size &&
            !strncmp(t, ci->mnemonic, strlen(ci->mnemonic)) &&
            dcmp_ok(dcmp_classify(d, b2, depth + 1)))
            return ALLOW_67_REX;
    }
    /* A9 too: over 15 bytes only because the near branch takes rel32 (f64), not rel16 */
    if (res == DCMP_CS_VALID && st == X86_DECODE_TOO_LONG && d->mode == X86_MODE_64 &&
        ci->size + 2u > 15) {
        k = dcmp_strip(buf, npfx, b2, dcmp_drop_66);
        if (dcmp_our_len(d, b2, &in2) == ci->size - k + 2 && (in2.flags & X86_F_BRANCH) &&
            in2.nops && in2.ops[0].kind == X86_OPK_REL)
            return ALLOW_BRANCH66_64;
    }
    /* A12: RET imm16 is always Iw */
    if (res == DCMP_LEN && (in->op == X86_OP_RET || in->op == X86_OP_RETF) && in->nops &&
        ci->size == in->len + 2u && in->rex_w)
        return ALLOW_RET_IMM;
    /* A8: capstone drops 66 when F2/F3 is present (non-SSE instructions) */
    if (res == DCMP_LEN && st == X86_DECODE_OK && in->opsize_prefix &&
        (in->prefix_f2 || in->prefix_f3) && !in->mandatory) {
        k = dcmp_strip(buf, npfx, b2, dcmp_drop_66);
        unsigned l2 = dcmp_our_len(d, b2, &in2);
        if (l2 && l2 + k == ci->size)
            return ALLOW_BND_66;
    }
    if (res == DCMP_LEN && st == X86_DECODE_OK && (in->flags & X86_F_BRANCH) && in->nops &&
        in->ops[0].kind == X86_OPK_REL && in->opsize_prefix) {
        /* A9: 64-bit mode, 66 on a near branch: Intel ignores it (f64) */
        if (d->mode == X86_MODE_64 && ci->size + 2u == in->len)
            return ALLOW_BRANCH66_64;
    }
    return ALLOW_NONE;
}

#endif
