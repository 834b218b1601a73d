/* SPDX-License-Identifier: MIT */
/* decode_int.h: decoder internals shared by decode.c and decode_vex.c (byte fetch, state). */
#ifndef KILN_CPU_DECODE_INT_H
#define KILN_CPU_DECODE_INT_H

#include <stdbool.h>
#include "cpu/decode.h"
#include "cpu/optable.h"

struct dctx {
    const uint8_t *buf;
    size_t avail;
    unsigned pos;
    bool mode64;
    bool bad;          /* #UD once the length is known */
    struct x86_insn *in;
    uint8_t mod, reg, rm;   /* ModRM fields; reg/rm without REX extension */
    struct x86_operand mem; /* decoded memory operand (when mod != 3) */
};

#define TRY(x) do { int r_ = (x); if (r_) return r_; } while (0)

static inline int fetch(struct dctx *c, uint8_t *b)
{
    if (c->pos >= X86_MAX_INSN_LEN)
        return X86_DECODE_TOO_LONG;
    if (c->pos >= c->avail)
        return X86_DECODE_SHORT;
    *b = c->buf[c->pos++];
    return 0;
}

/* Little-endian n-byte value; sign-extended if sx. */
static inline int fetch_val(struct dctx *c, unsigned n, bool sx, int64_t *v)
{
    uint64_t u = 0;
    for (unsigned i = 0; i < n; i++) {
        uint8_t b;
        TRY(fetch(c, &b));
        u |= (uint64_t)b << (8 * i);
    }
    if (sx && n < 8) {
        unsigned sh = 64 - 8 * n;
        *v = (int64_t)(u << sh) >> sh;
    } else {
        *v = (int64_t)u;
    }
    return 0;
}

static inline int fetch_modrm(struct dctx *c)
{
    struct x86_insn *in = c->in;
    if (in->has_modrm)
        return 0;
    TRY(fetch(c, &in->modrm));
    in->has_modrm = true;
    c->mod = in->modrm >> 6;
    c->reg = (in->modrm >> 3) & 7;
    c->rm = in->modrm & 7;
    return 0;
}

/* Decodes the memory form of ModRM (SIB, displacement) into c->mem. */
int x86_dec_parse_mem(struct dctx *c);
/* Length of an unsupported (VEX/EVEX/XOP/3DNow!) instruction; always returns #UD or a fetch error. */
int x86_dec_skip_unsupported(struct dctx *c, bool modrm, unsigned immlen, unsigned op);
/* VEX (C4/C5): decodes the prefix and opcode; *d = table entry (BMI) or the call returns. */
int x86_dec_vex(struct dctx *c, uint8_t b, const struct x86_opdesc **d);
/* EVEX (62) and XOP (8F): recognised, length computed, always #UD. */
int x86_dec_evex(struct dctx *c);
int x86_dec_xop(struct dctx *c);

#endif
