/* SPDX-License-Identifier: MIT */
/* sse_str.c: SSE4.2 string compares (PCMPESTRI/M, PCMPISTRI/M) and CRC32. */
#include <string.h>
#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/sse.h"

static int elem(const sse_reg *r, unsigned i, unsigned fmt)
{
    switch (fmt & 3) {
    case 0: return r->b[i];
    case 1: return r->w[i];
    case 2: return r->sb[i];
    default: return r->sw[i];
    }
}

static unsigned implicit_len(const sse_reg *r, unsigned n, unsigned fmt)
{
    for (unsigned i = 0; i < n; i++)
        if (elem(r, i, fmt) == 0)
            return i;
    return n;
}

static unsigned explicit_len(uint64_t v, bool w, unsigned n)
{
    int64_t s = w ? (int64_t)v : (int64_t)(int32_t)v;
    uint64_t a = s < 0 ? 0 - (uint64_t)s : (uint64_t)s;
    return a > n ? n : (unsigned)a;
}

uint64_t sse_pcmpstr(struct cpu *cpu, unsigned op, const sse_reg *a, const sse_reg *b, unsigned imm,
                     bool rexw)
{
    unsigned fmt = imm & 3, agg = (imm >> 2) & 3, pol = (imm >> 4) & 3;
    unsigned n = (fmt & 1) ? 8 : 16;
    bool expl = op == X86_OP_PCMPESTRI || op == X86_OP_PCMPESTRM;
    unsigned la = expl ? explicit_len(cpu->gpr[0], rexw, n) : implicit_len(a, n, fmt);
    unsigned lb = expl ? explicit_len(cpu->gpr[2], rexw, n) : implicit_len(b, n, fmt);
    unsigned res1 = 0;
    for (unsigned j = 0; j < n; j++) {
        bool bit = false;
        switch (agg) {
        case 0: /* equal any */
            if (j < lb)
                for (unsigned i = 0; i < la; i++)
                    bit |= elem(a, i, fmt) == elem(b, j, fmt);
            break;
        case 1: /* ranges */
            if (j < lb)
                for (unsigned i = 0; i + 1 < la; i += 2)
                    bit |= elem(a, i, fmt) <= elem(b, j, fmt) && elem(b, j, fmt) <= elem(a, i + 1, fmt);
            break;
        case 2: /* equal each */
            if (j < la && j < lb)
                bit = elem(a, j, fmt) == elem(b, j, fmt);
            else
                bit = j >= la && j >= lb;
            break;
        default: /* equal ordered */
            bit = true;
            for (unsigned k = 0; k + j < n && bit; k++) {
                if (k >= la)
                    break;
                if (j + k >= lb)
                    bit = false;
                else
                    bit = elem(a, k, fmt) == elem(b, j + k, fmt);
            }
            break;
        }
        res1 |= (unsigned)bit << j;
    }
    unsigned mask = (1u << n) - 1, res2;
    switch (pol) {
    case 1: res2 = ~res1 & mask; break;
    case 3: res2 = (res1 ^ ((1u << lb) - 1)) & mask; break;
    default: res2 = res1; break;
    }
    if (op == X86_OP_PCMPESTRI || op == X86_OP_PCMPISTRI) {
        unsigned idx = n;
        if (res2)
            idx = (imm & 0x40) ? 31 - (unsigned)__builtin_clz(res2) : (unsigned)__builtin_ctz(res2);
        cpu->gpr[1] = idx;
    } else {
        sse_reg m;
        memset(&m, 0, sizeof(m));
        if (imm & 0x40) {
            for (unsigned j = 0; j < n; j++)
                if ((res2 >> j) & 1) {
                    if (n == 16) m.b[j] = 0xff; else m.w[j] = 0xffff;
                }
        } else {
            m.q[0] = res2;
        }
        cpu->fpu.xmm[0] = m;
    }
    uint64_t f = 0;
    if (res2) f |= CPU_CF;
    if (lb < n) f |= CPU_ZF;
    if (la < n) f |= CPU_SF;
    if (res2 & 1) f |= CPU_OF;
    return f;
}

static uint64_t h_crc32(void *env, uint64_t crc, uint64_t v, uint64_t size, uint64_t a3)
{
    (void)env; (void)a3;
    uint32_t c = (uint32_t)crc;
    for (unsigned i = 0; i < size * 8; i++) {
        c ^= (uint32_t)(v >> i) & 1;
        c = (c >> 1) ^ ((c & 1) ? 0x82f63b78u : 0);
    }
    return c;
}
const struct ir_helper helper_crc32 = { h_crc32, "crc32", IR_HELPER_PURE | IR_HELPER_NO_ENV };
