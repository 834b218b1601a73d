/* SPDX-License-Identifier: MIT */
/* sse_crypto.c: AES-NI (AESENC/DEC(LAST), AESIMC, AESKEYGENASSIST) and PCLMULQDQ. */
#include <string.h>
#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/sse.h"

/* GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1. */
static uint8_t gmul(uint8_t a, uint8_t b)
{
    uint8_t r = 0;
    while (b) {
        if (b & 1)
            r ^= a;
        a = (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
        b >>= 1;
    }
    return r;
}

static uint8_t sbox[256], inv_sbox[256];

/* Builds the S-box from its definition: multiplicative inverse, then the affine map. */
static void sbox_init(void)
{
    if (sbox[0])
        return;
    for (unsigned x = 0; x < 256; x++) {
        uint8_t inv = 0;
        if (x)
            for (unsigned y = 1; y < 256; y++)
                if (gmul((uint8_t)x, (uint8_t)y) == 1) {
                    inv = (uint8_t)y;
                    break;
                }
        uint8_t s = inv;
        for (unsigned i = 1; i < 5; i++)
            s ^= (uint8_t)((inv << i) | (inv >> (8 - i)));
        s ^= 0x63;
        sbox[x] = s;
        inv_sbox[s] = (uint8_t)x;
    }
}

static void shift_rows(uint8_t *b, bool inv)
{
    uint8_t t[16];
    for (unsigned c = 0; c < 4; c++)
        for (unsigned r = 0; r < 4; r++)
            t[r + 4 * c] = inv ? b[r + 4 * ((c + 4 - r) % 4)] : b[r + 4 * ((c + r) % 4)];
    memcpy(b, t, 16);
}

static void mix_columns(uint8_t *b, bool inv)
{
    static const uint8_t fwd[4] = { 2, 3, 1, 1 }, bwd[4] = { 14, 11, 13, 9 };
    const uint8_t *m = inv ? bwd : fwd;
    for (unsigned c = 0; c < 4; c++) {
        uint8_t col[4], out[4];
        memcpy(col, b + 4 * c, 4);
        for (unsigned r = 0; r < 4; r++)
            out[r] = (uint8_t)(gmul(col[0], m[(4 - r) % 4]) ^ gmul(col[1], m[(5 - r) % 4]) ^
                               gmul(col[2], m[(6 - r) % 4]) ^ gmul(col[3], m[(7 - r) % 4]));
        memcpy(b + 4 * c, out, 4);
    }
}

static uint32_t sub_word(uint32_t w)
{
    return (uint32_t)sbox[w & 0xff] | (uint32_t)sbox[(w >> 8) & 0xff] << 8 |
           (uint32_t)sbox[(w >> 16) & 0xff] << 16 | (uint32_t)sbox[w >> 24] << 24;
}

bool sse_crypto_op(unsigned op, sse_reg *d, const sse_reg *s, unsigned imm);
bool sse_crypto_op(unsigned op, sse_reg *d, const sse_reg *s, unsigned imm)
{
    sbox_init();
    switch (op) {
    case X86_OP_AESENC: case X86_OP_AESENCLAST:
        shift_rows(d->b, false);
        for (unsigned i = 0; i < 16; i++)
            d->b[i] = sbox[d->b[i]];
        if (op == X86_OP_AESENC)
            mix_columns(d->b, false);
        d->q[0] ^= s->q[0];
        d->q[1] ^= s->q[1];
        return true;
    case X86_OP_AESDEC: case X86_OP_AESDECLAST:
        shift_rows(d->b, true);
        for (unsigned i = 0; i < 16; i++)
            d->b[i] = inv_sbox[d->b[i]];
        if (op == X86_OP_AESDEC)
            mix_columns(d->b, true);
        d->q[0] ^= s->q[0];
        d->q[1] ^= s->q[1];
        return true;
    case X86_OP_AESIMC:
        *d = *s;
        mix_columns(d->b, true);
        return true;
    case X86_OP_AESKEYGENASSIST: {
        uint32_t x1 = sub_word(s->d[1]), x3 = sub_word(s->d[3]);
        d->d[0] = x1;
        d->d[1] = ((x1 >> 8) | (x1 << 24)) ^ imm;
        d->d[2] = x3;
        d->d[3] = ((x3 >> 8) | (x3 << 24)) ^ imm;
        return true;
    }
    case X86_OP_PCLMULQDQ: {
        uint64_t a = d->q[imm & 1], b = s->q[(imm >> 4) & 1], lo = 0, hi = 0;
        for (unsigned i = 0; i < 64; i++)
            if ((b >> i) & 1) {
                lo ^= a << i;
                if (i)
                    hi ^= a >> (64 - i);
            }
        d->q[0] = lo;
        d->q[1] = hi;
        return true;
    }
    default:
        return false;
    }
}
