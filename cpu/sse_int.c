/* SPDX-License-Identifier: MIT */
/* sse_int.c: MMX/SSE2..SSE4.1 integer, logical and shuffle operations on 64/128-bit vectors. */
#include <string.h>
#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/sse.h"

static int32_t sat16(int32_t v) { return v > 32767 ? 32767 : v < -32768 ? -32768 : v; }
static int32_t sat8(int32_t v) { return v > 127 ? 127 : v < -128 ? -128 : v; }
static uint32_t usat8(int32_t v) { return v > 255 ? 255 : v < 0 ? 0 : (uint32_t)v; }
static uint32_t usat16(int32_t v) { return v > 65535 ? 65535 : v < 0 ? 0 : (uint32_t)v; }

/* Element loop helpers: n = number of lanes of the given size in width bytes. */
#define LANES(esz) (width / (esz))
#define EACH(esz) for (unsigned i = 0; i < LANES(esz); i++)

static void shift(sse_reg *d, uint64_t cnt, unsigned esz, int kind, unsigned width)
{
    /* kind 0 = logical left, 1 = logical right, 2 = arithmetic right */
    unsigned bits = esz * 8;
    for (unsigned i = 0; i < LANES(esz); i++) {
        uint64_t v = 0;
        memcpy(&v, &d->b[i * esz], esz);
        if (kind == 2) {
            int64_t sv = (int64_t)(v << (64 - bits)) >> (64 - bits);
            v = (uint64_t)(sv >> (cnt >= bits ? bits - 1 : cnt));
        } else if (cnt >= bits) {
            v = 0;
        } else {
            v = kind == 0 ? v << cnt : v >> cnt;
        }
        memcpy(&d->b[i * esz], &v, esz);
    }
}

static void byteshift(sse_reg *d, unsigned n, bool left)
{
    sse_reg r;
    memset(&r, 0, sizeof(r));
    if (n > 16)
        n = 16;
    for (unsigned i = 0; i < 16; i++) {
        if (left && i >= n)
            r.b[i] = d->b[i - n];
        if (!left && i + n < 16)
            r.b[i] = d->b[i + n];
    }
    *d = r;
}

/* Interleaves the low (hi = false) or high halves of d and s in esz-byte lanes. */
static void unpack(sse_reg *d, const sse_reg *s, unsigned esz, bool hi, unsigned width)
{
    sse_reg r;
    unsigned half = width / 2, n = half / esz;
    for (unsigned i = 0; i < n; i++) {
        memcpy(&r.b[2 * i * esz], &d->b[(hi ? half : 0) + i * esz], esz);
        memcpy(&r.b[(2 * i + 1) * esz], &s->b[(hi ? half : 0) + i * esz], esz);
    }
    if (width == 8)
        r.q[1] = 0;
    *d = r;
}

static void pshufb(sse_reg *d, const sse_reg *s, unsigned width)
{
    sse_reg r;
    memset(&r, 0, sizeof(r));
    for (unsigned i = 0; i < width; i++)
        r.b[i] = (s->b[i] & 0x80) ? 0 : d->b[s->b[i] & (width - 1)];
    *d = r;
}

bool sse_int_op(struct cpu *cpu, unsigned op, sse_reg *d, const sse_reg *s, unsigned imm,
                unsigned width)
{
    (void)cpu;
    sse_reg r;
    memset(&r, 0, sizeof(r));
    uint64_t cnt = s->q[0];
    switch (op) {
    case X86_OP_PADDB: EACH(1) d->b[i] += s->b[i]; break;
    case X86_OP_PADDW: EACH(2) d->w[i] += s->w[i]; break;
    case X86_OP_PADDD: EACH(4) d->d[i] += s->d[i]; break;
    case X86_OP_PADDQ: EACH(8) d->q[i] += s->q[i]; break;
    case X86_OP_PSUBB: EACH(1) d->b[i] -= s->b[i]; break;
    case X86_OP_PSUBW: EACH(2) d->w[i] -= s->w[i]; break;
    case X86_OP_PSUBD: EACH(4) d->d[i] -= s->d[i]; break;
    case X86_OP_PSUBQ: EACH(8) d->q[i] -= s->q[i]; break;
    case X86_OP_PADDSB: EACH(1) d->sb[i] = (int8_t)sat8(d->sb[i] + s->sb[i]); break;
    case X86_OP_PADDSW: EACH(2) d->sw[i] = (int16_t)sat16(d->sw[i] + s->sw[i]); break;
    case X86_OP_PSUBSB: EACH(1) d->sb[i] = (int8_t)sat8(d->sb[i] - s->sb[i]); break;
    case X86_OP_PSUBSW: EACH(2) d->sw[i] = (int16_t)sat16(d->sw[i] - s->sw[i]); break;
    case X86_OP_PADDUSB: EACH(1) d->b[i] = (uint8_t)usat8(d->b[i] + s->b[i]); break;
    case X86_OP_PADDUSW: EACH(2) d->w[i] = (uint16_t)usat16(d->w[i] + s->w[i]); break;
    case X86_OP_PSUBUSB: EACH(1) d->b[i] = (uint8_t)usat8(d->b[i] - s->b[i]); break;
    case X86_OP_PSUBUSW: EACH(2) d->w[i] = (uint16_t)usat16(d->w[i] - s->w[i]); break;
    case X86_OP_PMINUB: EACH(1) d->b[i] = d->b[i] < s->b[i] ? d->b[i] : s->b[i]; break;
    case X86_OP_PMAXUB: EACH(1) d->b[i] = d->b[i] > s->b[i] ? d->b[i] : s->b[i]; break;
    case X86_OP_PMINSW: EACH(2) d->sw[i] = d->sw[i] < s->sw[i] ? d->sw[i] : s->sw[i]; break;
    case X86_OP_PMAXSW: EACH(2) d->sw[i] = d->sw[i] > s->sw[i] ? d->sw[i] : s->sw[i]; break;
    case X86_OP_PMINSB: EACH(1) d->sb[i] = d->sb[i] < s->sb[i] ? d->sb[i] : s->sb[i]; break;
    case X86_OP_PMAXSB: EACH(1) d->sb[i] = d->sb[i] > s->sb[i] ? d->sb[i] : s->sb[i]; break;
    case X86_OP_PMINUW: EACH(2) d->w[i] = d->w[i] < s->w[i] ? d->w[i] : s->w[i]; break;
    case X86_OP_PMAXUW: EACH(2) d->w[i] = d->w[i] > s->w[i] ? d->w[i] : s->w[i]; break;
    case X86_OP_PMINSD: EACH(4) d->sd[i] = d->sd[i] < s->sd[i] ? d->sd[i] : s->sd[i]; break;
    case X86_OP_PMAXSD: EACH(4) d->sd[i] = d->sd[i] > s->sd[i] ? d->sd[i] : s->sd[i]; break;
    case X86_OP_PMINUD: EACH(4) d->d[i] = d->d[i] < s->d[i] ? d->d[i] : s->d[i]; break;
    case X86_OP_PMAXUD: EACH(4) d->d[i] = d->d[i] > s->d[i] ? d->d[i] : s->d[i]; break;
    case X86_OP_PAVGB: EACH(1) d->b[i] = (uint8_t)((d->b[i] + s->b[i] + 1) >> 1); break;
    case X86_OP_PAVGW: EACH(2) d->w[i] = (uint16_t)((d->w[i] + s->w[i] + 1) >> 1); break;
    case X86_OP_PSADBW:
        for (unsigned h = 0; h < width / 8; h++) {
            unsigned sum = 0;
            for (unsigned i = 0; i < 8; i++) {
                int v = d->b[h * 8 + i] - s->b[h * 8 + i];
                sum += (unsigned)(v < 0 ? -v : v);
            }
            r.q[h] = sum;
        }
        *d = r;
        break;
    case X86_OP_PMULLW: EACH(2) d->w[i] = (uint16_t)(d->sw[i] * s->sw[i]); break;
    case X86_OP_PMULHW: EACH(2) d->w[i] = (uint16_t)((uint32_t)(d->sw[i] * s->sw[i]) >> 16); break;
    case X86_OP_PMULHUW: EACH(2) d->w[i] = (uint16_t)(((uint32_t)d->w[i] * s->w[i]) >> 16); break;
    case X86_OP_PMULHRSW:
        EACH(2) d->w[i] = (uint16_t)(((d->sw[i] * s->sw[i] >> 14) + 1) >> 1);
        break;
    case X86_OP_PMULLD: EACH(4) d->d[i] = (uint32_t)((int64_t)d->sd[i] * s->sd[i]); break;
    case X86_OP_PMULUDQ: EACH(8) d->q[i] = (uint64_t)d->d[2 * i] * s->d[2 * i]; break;
    case X86_OP_PMULDQ: EACH(8) d->sq[i] = (int64_t)d->sd[2 * i] * s->sd[2 * i]; break;
    case X86_OP_PMADDWD:
        EACH(4) d->d[i] = (uint32_t)d->sw[2 * i] * (uint32_t)s->sw[2 * i] +
                          (uint32_t)d->sw[2 * i + 1] * (uint32_t)s->sw[2 * i + 1];
        break;
    case X86_OP_PMADDUBSW:
        EACH(2) d->sw[i] = (int16_t)sat16(d->b[2 * i] * s->sb[2 * i] + d->b[2 * i + 1] * s->sb[2 * i + 1]);
        break;
    case X86_OP_PAND: case X86_OP_ANDPS: case X86_OP_ANDPD:
        d->q[0] &= s->q[0]; d->q[1] &= s->q[1]; break;
    case X86_OP_PANDN: case X86_OP_ANDNPS: case X86_OP_ANDNPD:
        d->q[0] = ~d->q[0] & s->q[0]; d->q[1] = ~d->q[1] & s->q[1];
        if (width == 8)
            d->q[1] = 0;
        break;
    case X86_OP_POR: case X86_OP_ORPS: case X86_OP_ORPD:
        d->q[0] |= s->q[0]; d->q[1] |= s->q[1]; break;
    case X86_OP_PXOR: case X86_OP_XORPS: case X86_OP_XORPD:
        d->q[0] ^= s->q[0]; d->q[1] ^= s->q[1]; break;
    case X86_OP_PCMPEQB: EACH(1) d->b[i] = d->b[i] == s->b[i] ? 0xff : 0; break;
    case X86_OP_PCMPEQW: EACH(2) d->w[i] = d->w[i] == s->w[i] ? 0xffff : 0; break;
    case X86_OP_PCMPEQD: EACH(4) d->d[i] = d->d[i] == s->d[i] ? ~0u : 0; break;
    case X86_OP_PCMPEQQ: EACH(8) d->q[i] = d->q[i] == s->q[i] ? ~0ull : 0; break;
    case X86_OP_PCMPGTB: EACH(1) d->b[i] = d->sb[i] > s->sb[i] ? 0xff : 0; break;
    case X86_OP_PCMPGTW: EACH(2) d->w[i] = d->sw[i] > s->sw[i] ? 0xffff : 0; break;
    case X86_OP_PCMPGTD: EACH(4) d->d[i] = d->sd[i] > s->sd[i] ? ~0u : 0; break;
    case X86_OP_PCMPGTQ: EACH(8) d->q[i] = d->sq[i] > s->sq[i] ? ~0ull : 0; break;
    case X86_OP_PUNPCKLBW: unpack(d, s, 1, false, width); break;
    case X86_OP_PUNPCKLWD: unpack(d, s, 2, false, width); break;
    case X86_OP_PUNPCKLDQ: case X86_OP_UNPCKLPS: unpack(d, s, 4, false, width); break;
    case X86_OP_PUNPCKLQDQ: case X86_OP_UNPCKLPD: unpack(d, s, 8, false, width); break;
    case X86_OP_PUNPCKHBW: unpack(d, s, 1, true, width); break;
    case X86_OP_PUNPCKHWD: unpack(d, s, 2, true, width); break;
    case X86_OP_PUNPCKHDQ: case X86_OP_UNPCKHPS: unpack(d, s, 4, true, width); break;
    case X86_OP_PUNPCKHQDQ: case X86_OP_UNPCKHPD: unpack(d, s, 8, true, width); break;
    case X86_OP_PACKSSWB:
        EACH(2) { r.sb[i] = (int8_t)sat8(d->sw[i]); r.sb[i + LANES(2)] = (int8_t)sat8(s->sw[i]); }
        *d = r; break;
    case X86_OP_PACKUSWB:
        EACH(2) { r.b[i] = (uint8_t)usat8(d->sw[i]); r.b[i + LANES(2)] = (uint8_t)usat8(s->sw[i]); }
        *d = r; break;
    case X86_OP_PACKSSDW:
        EACH(4) { r.sw[i] = (int16_t)sat16(d->sd[i]); r.sw[i + LANES(4)] = (int16_t)sat16(s->sd[i]); }
        *d = r; break;
    case X86_OP_PACKUSDW:
        EACH(4) { r.w[i] = (uint16_t)usat16(d->sd[i]); r.w[i + LANES(4)] = (uint16_t)usat16(s->sd[i]); }
        *d = r; break;
    case X86_OP_PSLLW: shift(d, cnt, 2, 0, width); break;
    case X86_OP_PSLLD: shift(d, cnt, 4, 0, width); break;
    case X86_OP_PSLLQ: shift(d, cnt, 8, 0, width); break;
    case X86_OP_PSRLW: shift(d, cnt, 2, 1, width); break;
    case X86_OP_PSRLD: shift(d, cnt, 4, 1, width); break;
    case X86_OP_PSRLQ: shift(d, cnt, 8, 1, width); break;
    case X86_OP_PSRAW: shift(d, cnt, 2, 2, width); break;
    case X86_OP_PSRAD: shift(d, cnt, 4, 2, width); break;
    case X86_OP_PSLLDQ: byteshift(d, imm, true); break;
    case X86_OP_PSRLDQ: byteshift(d, imm, false); break;
    case X86_OP_PSHUFD: EACH(4) r.d[i] = s->d[(imm >> (2 * i)) & 3]; *d = r; break;
    case X86_OP_PSHUFW: EACH(2) r.w[i] = s->w[(imm >> (2 * i)) & 3]; *d = r; break;
    case X86_OP_PSHUFLW:
        r = *s;
        for (unsigned i = 0; i < 4; i++) r.w[i] = s->w[(imm >> (2 * i)) & 3];
        *d = r; break;
    case X86_OP_PSHUFHW:
        r = *s;
        for (unsigned i = 0; i < 4; i++) r.w[4 + i] = s->w[4 + ((imm >> (2 * i)) & 3)];
        *d = r; break;
    case X86_OP_SHUFPS:
        r.d[0] = d->d[imm & 3]; r.d[1] = d->d[(imm >> 2) & 3];
        r.d[2] = s->d[(imm >> 4) & 3]; r.d[3] = s->d[(imm >> 6) & 3];
        *d = r; break;
    case X86_OP_SHUFPD:
        r.q[0] = d->q[imm & 1]; r.q[1] = s->q[(imm >> 1) & 1];
        *d = r; break;
    case X86_OP_PSHUFB: pshufb(d, s, width); break;
    case X86_OP_PALIGNR: {
        uint8_t buf[32];
        memset(buf, 0, sizeof(buf));
        memcpy(buf, s->b, width);
        memcpy(buf + width, d->b, width);
        for (unsigned i = 0; i < width; i++)
            r.b[i] = imm + i < 2 * width ? buf[imm + i] : 0;
        *d = r; break;
    }
    case X86_OP_PABSB: EACH(1) d->b[i] = (uint8_t)(s->sb[i] < 0 ? -s->sb[i] : s->sb[i]); break;
    case X86_OP_PABSW: EACH(2) d->w[i] = (uint16_t)(s->sw[i] < 0 ? -s->sw[i] : s->sw[i]); break;
    case X86_OP_PABSD: EACH(4) d->d[i] = s->sd[i] < 0 ? 0u - s->d[i] : s->d[i]; break;
    case X86_OP_PSIGNB: EACH(1) d->b[i] = s->sb[i] < 0 ? (uint8_t)-d->b[i] : s->sb[i] ? d->b[i] : 0; break;
    case X86_OP_PSIGNW: EACH(2) d->w[i] = s->sw[i] < 0 ? (uint16_t)-d->w[i] : s->sw[i] ? d->w[i] : 0; break;
    case X86_OP_PSIGND: EACH(4) d->d[i] = s->sd[i] < 0 ? 0u - d->d[i] : s->sd[i] ? d->d[i] : 0; break;
    case X86_OP_PHADDW: case X86_OP_PHSUBW: case X86_OP_PHADDSW: case X86_OP_PHSUBSW: {
        unsigned n = LANES(2) / 2;
        for (unsigned i = 0; i < 2 * n; i++) {
            const sse_reg *x = i < n ? d : s;
            unsigned j = (i % n) * 2;
            int32_t v = op == X86_OP_PHADDW || op == X86_OP_PHADDSW ? x->sw[j] + x->sw[j + 1]
                                                                     : x->sw[j] - x->sw[j + 1];
            if (op == X86_OP_PHADDSW || op == X86_OP_PHSUBSW)
                v = sat16(v);
            r.w[i] = (uint16_t)v;
        }
        *d = r; break;
    }
    case X86_OP_PHADDD: case X86_OP_PHSUBD: {
        unsigned n = LANES(4) / 2;
        for (unsigned i = 0; i < 2 * n; i++) {
            const sse_reg *x = i < n ? d : s;
            unsigned j = (i % n) * 2;
            r.d[i] = op == X86_OP_PHADDD ? x->d[j] + x->d[j + 1] : x->d[j] - x->d[j + 1];
        }
        *d = r; break;
    }
    case X86_OP_PBLENDVB: case X86_OP_BLENDVPS: case X86_OP_BLENDVPD: {
        const sse_reg *m = &cpu->fpu.xmm[0];
        unsigned esz = op == X86_OP_PBLENDVB ? 1 : op == X86_OP_BLENDVPS ? 4 : 8;
        for (unsigned i = 0; i < 16 / esz; i++)
            if (m->b[i * esz + esz - 1] & 0x80)
                memcpy(&d->b[i * esz], &s->b[i * esz], esz);
        break;
    }
    case X86_OP_BLENDPS: for (unsigned i = 0; i < 4; i++) if (imm & (1u << i)) d->d[i] = s->d[i]; break;
    case X86_OP_BLENDPD: for (unsigned i = 0; i < 2; i++) if (imm & (1u << i)) d->q[i] = s->q[i]; break;
    case X86_OP_PBLENDW: for (unsigned i = 0; i < 8; i++) if (imm & (1u << i)) d->w[i] = s->w[i]; break;
    case X86_OP_PMOVSXBW: for (int i = 7; i >= 0; i--) r.sw[i] = s->sb[i]; *d = r; break;
    case X86_OP_PMOVSXBD: for (int i = 3; i >= 0; i--) r.sd[i] = s->sb[i]; *d = r; break;
    case X86_OP_PMOVSXBQ: for (int i = 1; i >= 0; i--) r.sq[i] = s->sb[i]; *d = r; break;
    case X86_OP_PMOVSXWD: for (int i = 3; i >= 0; i--) r.sd[i] = s->sw[i]; *d = r; break;
    case X86_OP_PMOVSXWQ: for (int i = 1; i >= 0; i--) r.sq[i] = s->sw[i]; *d = r; break;
    case X86_OP_PMOVSXDQ: for (int i = 1; i >= 0; i--) r.sq[i] = s->sd[i]; *d = r; break;
    case X86_OP_PMOVZXBW: for (int i = 7; i >= 0; i--) r.w[i] = s->b[i]; *d = r; break;
    case X86_OP_PMOVZXBD: for (int i = 3; i >= 0; i--) r.d[i] = s->b[i]; *d = r; break;
    case X86_OP_PMOVZXBQ: for (int i = 1; i >= 0; i--) r.q[i] = s->b[i]; *d = r; break;
    case X86_OP_PMOVZXWD: for (int i = 3; i >= 0; i--) r.d[i] = s->w[i]; *d = r; break;
    case X86_OP_PMOVZXWQ: for (int i = 1; i >= 0; i--) r.q[i] = s->w[i]; *d = r; break;
    case X86_OP_PMOVZXDQ: for (int i = 1; i >= 0; i--) r.q[i] = s->d[i]; *d = r; break;
    case X86_OP_PHMINPOSUW: {
        unsigned best = 0;
        for (unsigned i = 1; i < 8; i++)
            if (s->w[i] < s->w[best])
                best = i;
        r.w[0] = s->w[best];
        r.w[1] = (uint16_t)best;
        *d = r; break;
    }
    case X86_OP_MPSADBW: {
        unsigned so = (imm & 3) * 4, dof = ((imm >> 2) & 1) * 4;
        for (unsigned i = 0; i < 8; i++) {
            unsigned sum = 0;
            for (unsigned j = 0; j < 4; j++) {
                int v = d->b[dof + i + j] - s->b[so + j];
                sum += (unsigned)(v < 0 ? -v : v);
            }
            r.w[i] = (uint16_t)sum;
        }
        *d = r; break;
    }
    default:
        return false;
    }
    if (width == 8)
        d->q[1] = 0;
    return true;
}

/* PTEST (flags only). */
static uint64_t ptest(const sse_reg *d, const sse_reg *s)
{
    uint64_t f = 0;
    if (((d->q[0] & s->q[0]) | (d->q[1] & s->q[1])) == 0)
        f |= CPU_ZF;
    if (((~d->q[0] & s->q[0]) | (~d->q[1] & s->q[1])) == 0)
        f |= CPU_CF;
    return f;
}

bool sse_crypto_op(unsigned op, sse_reg *d, const sse_reg *s, unsigned imm);
bool sse_misc_op(struct cpu *cpu, unsigned op, sse_reg *d, const sse_reg *s, unsigned imm,
                 uint64_t *flags);
bool sse_misc_op(struct cpu *cpu, unsigned op, sse_reg *d, const sse_reg *s, unsigned imm,
                 uint64_t *flags)
{
    (void)cpu;
    if (op == X86_OP_PTEST) {
        *flags = ptest(d, s);
        return true;
    }
    return sse_crypto_op(op, d, s, imm);
}
