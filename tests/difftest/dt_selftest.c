/* SPDX-License-Identifier: MIT */
/* dt_selftest.c: difftest's own checks: the host runner and the comparison, on known cases. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "tests/difftest/dt_run.h"

/* ---- native self-test: known results, so the host side itself can fail */
bool dt_selftest_native(FILE *out)
{
    static struct dt_seq s;
    static struct dt_state st;
    static struct dt_code c;
    static struct dt_result r;
    memset(&s, 0, sizeof s);
    memset(&st, 0, sizeof st);
    dt_fx_default(st.fx);
    s.n = 2;
    s.org = 0xffe;                 /* the first instruction crosses a page */
    const uint8_t a[] = { 0x48, 0x01, 0xd8, 0x50 };         /* add rax, rbx; push rax */
    const uint8_t b[] = { 0x48, 0xf7, 0xf1 };               /* div rcx */
    memcpy(s.it[0].b, a, sizeof a);
    s.it[0].len = sizeof a;
    memcpy(s.it[1].b, b, sizeof b);
    s.it[1].len = sizeof b;
    st.gpr[0] = 5;
    st.gpr[3] = 7;
    st.gpr[1] = 0;
    st.gpr[4] = DT_STACK_TOP;
    st.rflags = DT_CF | DT_DF;
    dt_layout(&s, 0xcc, &c);
    dt_native_run(&c, &st, &r);
    uint64_t pushed;
    memcpy(&pushed, r.data + (DT_STACK_TOP - 8 - DT_DATA), 8);
    bool ok = r.stop == DT_STOP_FAULT && r.vector == 0 && r.gpr[0] == 12 && pushed == 12 &&
              r.rip == DT_MEM_BASE + 0xffe + 4 && r.gpr[4] == DT_STACK_TOP - 8 && (r.rflags & DT_DF) &&
              !(r.rflags & DT_CF);
    /* second: runs to the end, flags in and out */
    s.n = 1;
    const uint8_t f[] = { 0xf5, 0x9c };                     /* cmc; pushf */
    memcpy(s.it[0].b, f, sizeof f);
    s.it[0].len = sizeof f;
    dt_layout(&s, 0xcc, &c);
    dt_native_run(&c, &st, &r);
    memcpy(&pushed, r.data + (DT_STACK_TOP - 8 - DT_DATA), 8);
    ok = ok && r.stop == DT_STOP_END && r.rip == DT_MEM_BASE + 0xffe + 3 && (pushed & 0xcd5) == DT_DF &&
         (pushed & 0x200);
    if (!ok)
        fprintf(out, "native self-test: stop %d vector %u rax %#" PRIx64 " rip +%#" PRIx64
                " pushed %#" PRIx64 " %s\n", r.stop, r.vector, r.gpr[0], r.rip - DT_MEM_BASE,
                pushed, r.msg);
    /* FP/SIMD state in and out: addps xmm0, xmm1; fld1 (1 + 2 = 3 in each lane, ST0 = 1) */
    const uint8_t fp[] = { 0x0f, 0x58, 0xc1, 0xd9, 0xe8 };
    memcpy(s.it[0].b, fp, sizeof fp);
    s.it[0].len = sizeof fp;
    for (int i = 0; i < 4; i++) {
        uint32_t one = 0x3f800000u, two = 0x40000000u;
        memcpy(st.fx + DT_FX_XMM + 4 * i, &one, 4);
        memcpy(st.fx + DT_FX_XMM + 16 + 4 * i, &two, 4);
    }
    dt_layout(&s, 0xcc, &c);
    dt_native_run(&c, &st, &r);
    uint32_t lane3;
    uint64_t st0m;
    memcpy(&lane3, r.fx + DT_FX_XMM + 12, 4);
    memcpy(&st0m, r.fx + DT_FX_ST, 8);
    bool fok = r.stop == DT_STOP_END && lane3 == 0x40400000u && st0m == 1ull << 63 &&
               ((r.fx[3] >> 3) & 7) == 7 && r.fx[4] == 0x80;
    /* unmasked divide-by-zero: divps xmm0, xmm2 (zero) with ZM clear raises #XM */
    const uint8_t dz[] = { 0x0f, 0x5e, 0xc2 };
    memcpy(s.it[0].b, dz, sizeof dz);
    s.it[0].len = sizeof dz;
    uint32_t mx = 0x1d80;
    memcpy(st.fx + 24, &mx, 4);
    dt_layout(&s, 0xcc, &c);
    dt_native_run(&c, &st, &r);
    memcpy(&mx, r.fx + 24, 4);
    fok = fok && r.stop == DT_STOP_FAULT && r.vector == 19 && r.rip == DT_MEM_BASE + c.org && (mx & 4);
    if (!fok)
        fprintf(out, "native FP self-test: stop %d vector %u, lane %#x st0 %#" PRIx64 " mxcsr %#x\n",
                r.stop, r.vector, lane3, st0m, mx);
    return ok && fok;
}

/* ---- the comparison itself notices a difference in each field it covers */
bool dt_selftest_compare(FILE *out)
{
    static struct dt_seq s;
    static struct dt_state st;
    static struct dt_code c;
    static struct dt_result h, k;
    char why[256];
    memset(&s, 0, sizeof s);
    s.n = 1;
    s.it[0].b[0] = 0x90;
    s.it[0].len = 1;
    memset(&st, 0, sizeof st);
    dt_fx_default(st.fx);
    st.gpr[4] = DT_STACK_TOP;
    dt_layout(&s, 0xcc, &c);
    dt_native_run(&c, &st, &h);
    bool ok = h.stop == DT_STOP_END;
    k = h;
    ok = ok && dt_compare(&s, &c, &h, &k, why, sizeof why);
    for (int f = 0; ok && f < 14; f++) {
        k = h;
        switch (f) {
        case 0: k.gpr[13] ^= 1ull << 40; break;
        case 1: k.rflags ^= DT_AF; break;
        case 2: k.rflags ^= DT_DF; break;
        case 3: k.rip++; break;
        case 4: k.data[DT_DATA_SIZE - 1] ^= 0x80; break;
        case 5: k.stop = DT_STOP_FAULT; k.vector = 13; break;
        case 6: k.stop = DT_STOP_HANG; break;
        case 7: k.stop = DT_STOP_ERROR; break;
        case 9: k.fx[2] ^= 1; break;                      /* FSW */
        case 10: k.fx[24] ^= 0x40; break;                 /* MXCSR */
        case 11: k.fx[DT_FX_ST + 16 * 7 + 9] ^= 0x80; break; /* ST7 sign */
        case 12: k.fx[DT_FX_XMM + 16 * 15 + 3] ^= 1; break;
        case 13: k.slots[DT_SLOT_SIZE - 1] ^= 4; break;

        default: k.data[0] ^= 1; break;
        }
        if (dt_compare(&s, &c, &h, &k, why, sizeof why)) {
            fprintf(out, "compare self-test: change %d not noticed\n", f);
            ok = false;
        }
    }
    /* faults: vector, #GP error code, #PF P/W bits and CR2 (not U/S) */
    h.stop = k.stop = DT_STOP_FAULT;
    h.vector = k.vector = 14;
    h.has_err = k.has_err = true;
    h.err = 6;
    k.err = 2;
    h.cr2 = k.cr2 = DT_GUARD;
    k.data[0] = h.data[0];
    memcpy(k.fx, h.fx, sizeof k.fx);
    memcpy(k.slots, h.slots, sizeof k.slots);
    ok = ok && dt_compare(&s, &c, &h, &k, why, sizeof why);
    k.cr2++;
    ok = ok && !dt_compare(&s, &c, &h, &k, why, sizeof why);
    k.cr2--;
    k.err = 4;
    ok = ok && !dt_compare(&s, &c, &h, &k, why, sizeof why);
    if (!ok)
        fprintf(out, "compare self-test failed (%s)\n", why);
    return ok;
}
