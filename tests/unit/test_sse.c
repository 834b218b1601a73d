/* SPDX-License-Identifier: MIT */
/* test_sse.c: MMX/SSE snippets with random inputs, the host CPU as the reference, both engines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "tests/unit/cpu_native.h"
#include "tests/unit/sse_snippets.h"

#define ITERS 100
#define SD_XMM_IN 0x000u   /* offsets in the data area (see gen_sse_snippets.py) */
#define SD_MXCSR_IN 0x100u
#define SD_MXCSR_DEF 0x104u
#define SD_XMM_OUT 0x200u
#define SD_MXCSR_OUT 0x300u
#define SD_MMX_IN 0x400u
#define SD_MMX_OUT 0x480u

static uint8_t img[NT_SIZE];

/* An interesting float32 bit pattern: zeros, denormals, normals, infinities, NaNs. */
static uint32_t rand_f32(void)
{
    static const uint32_t edge[] = {
        0, 0x80000000u, 0x3f800000u, 0xbf800000u, 0x7f800000u, 0xff800000u, 0x7fc00000u,
        0xffc00000u, 0x7f800001u, 0x7fa00000u, 0xffbfffffu, 0x00000001u, 0x807fffffu, 0x00800000u,
        0x7f7fffffu, 0xff7fffffu, 0x4f000000u, 0xcf000000u, 0x5f000000u, 0x3f000000u, 0x4b000000u,
        0x3fc00000u, 0x40400000u, 0x4effffffu, 0xdf000000u, 0x4f800000u,
    };
    uint64_t r = nt_rand();
    switch (r & 7) {
    case 0: case 1: return edge[(r >> 8) % (sizeof(edge) / sizeof(edge[0]))];
    case 2: return (uint32_t)(nt_rand() & 0x807fffffu);                       /* denormal */
    case 3: return (uint32_t)((nt_rand() & 0x80ffffffu) | 0x3f000000u);       /* near 1 */
    case 4: return (uint32_t)((nt_rand() & 0x83ffffffu) | 0x4c000000u);       /* near int limits */
    default: return (uint32_t)nt_rand();
    }
}

static uint64_t rand_f64(void)
{
    static const uint64_t edge[] = {
        0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
        0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
        0xfff8000000000000ull, 0x7ff0000000000001ull, 0x7ff4000000000000ull, 1,
        0x800fffffffffffffull, 0x0010000000000000ull, 0x7fefffffffffffffull,
        0x41e0000000000000ull, 0xc1e0000000000000ull, 0x43e0000000000000ull,
        0x3fe0000000000000ull, 0x4330000000000000ull, 0x3ff8000000000000ull,
        0x41dfffffffc00000ull, 0x47efffffe0000000ull, 0x3690000000000000ull, 0x36a0000000000001ull,
    };
    uint64_t r = nt_rand();
    switch (r & 7) {
    case 0: case 1: return edge[(r >> 8) % (sizeof(edge) / sizeof(edge[0]))];
    case 2: return nt_rand() & 0x800fffffffffffffull;
    case 3: return (nt_rand() & 0x801fffffffffffffull) | 0x3fe0000000000000ull;
    case 4: return (nt_rand() & 0x807fffffffffffffull) | 0x41c0000000000000ull;
    case 5: return (nt_rand() & 0x80ffffffffffffffull) | 0x3800000000000000ull; /* near f32 limits */
    default: return nt_rand();
    }
}

static void sse_inputs(char kind)
{
    uint8_t *d = nt_mem + (NT_DATA - NT_BASE);
    for (unsigned i = 0; i < 16 * 4; i++) {
        uint32_t v;
        if (kind == 'f') {
            v = rand_f32();
        } else if (kind == 'd') {
            uint64_t q = rand_f64();
            memcpy(d + SD_XMM_IN + 4 * i, &q, 8);
            i++;
            continue;
        } else {
            v = (uint32_t)nt_value();
        }
        memcpy(d + SD_XMM_IN + 4 * i, &v, 4);
    }
    /* memory operands: the same mix in the area the pointer registers point to */
    if (kind == 'f' || kind == 'd')
        for (unsigned i = 0x1000; i < 0x2000; i += 8) {
            uint64_t q = kind == 'd' ? rand_f64() : rand_f32() | (uint64_t)rand_f32() << 32;
            memcpy(d + i, &q, 8);
        }
    uint32_t mx = 0x1f80;
    if (kind != 'i')
        mx |= (uint32_t)(nt_rand() & 0x603f) | ((nt_rand() & 3) == 0 ? 0x8040u & (uint32_t)nt_rand() : 0);
    memcpy(d + SD_MXCSR_IN, &mx, 4);
    mx = 0x1f80;
    memcpy(d + SD_MXCSR_DEF, &mx, 4);
}

/* A random 80-bit value: normals near 1 and at the range ends, zeros, infinities, NaNs, denormals. */
static void rand_f80(uint8_t *p)
{
    uint64_t m = nt_rand() | 1ull << 63;
    uint64_t r = nt_rand();
    unsigned e;
    switch (r & 15) {
    case 0: m = 0; e = 0; break;
    case 1: m = 1ull << 63; e = 0x7fff; break;
    case 2: m |= 1ull << 62; e = 0x7fff; break;               /* QNaN */
    case 3: m &= ~(1ull << 62); m |= 1; e = 0x7fff; break;    /* SNaN */
    case 4: m >>= 1 + (r >> 8) % 40; e = 0; break;            /* denormal */
    case 5: e = (unsigned)((r >> 8) % 64); break;              /* near underflow */
    case 6: e = 0x7ffe - (unsigned)((r >> 8) % 64); break;     /* near overflow */
    case 7: e = 16383 + (unsigned)((r >> 8) % 64); m = (m >> (63 - (r >> 20) % 64)) << (63 - (r >> 20) % 64); if (!(m >> 63)) m = 1ull << 63; break; /* integers */
    default: e = 16383 - 32 + (unsigned)((r >> 8) % 64); break;
    }
    uint16_t se = (uint16_t)(e | ((r >> 40) & 1) << 15);
    memcpy(p, &m, 8);
    memcpy(p + 8, &se, 2);
}

static void x87_inputs(void)
{
    uint8_t *d = nt_mem + (NT_DATA - NT_BASE) + 0x600;
    memset(d, 0, 512);
    static const uint16_t pcs[3] = { 0, 2, 3 };
    uint16_t fcw = (uint16_t)(0x7f | pcs[nt_rand() % 3] << 8 | (nt_rand() & 3) << 10);
    uint16_t fsw = (uint16_t)((nt_rand() & 7) << 11);
    uint8_t ftw = (uint8_t)(nt_rand() | nt_rand());
    uint32_t mx = 0x1f80;
    memcpy(d, &fcw, 2);
    memcpy(d + 2, &fsw, 2);
    d[4] = ftw;
    memcpy(d + 24, &mx, 4);
    for (unsigned i = 0; i < 8; i++)
        rand_f80(d + 32 + 16 * i);
    /* memory operands: floats, doubles, 80-bit values, small integers, BCD */
    uint8_t *m = nt_mem + (NT_DATA - NT_BASE) + 0x1000;
    for (unsigned i = 0; i < 0x1000; i += 16) {
        switch (nt_rand() % 4) {
        case 0: { uint32_t f[4] = { rand_f32(), rand_f32(), rand_f32(), rand_f32() }; memcpy(m + i, f, 16); break; }
        case 1: { uint64_t q[2] = { rand_f64(), rand_f64() }; memcpy(m + i, q, 16); break; }
        case 2: rand_f80(m + i); break;
        default: { uint64_t q[2] = { nt_value(), nt_value() }; memcpy(m + i, q, 16); break; }
        }
    }
}

static bool check_one(const struct sse_snippet *sn, enum bare_engine e, const struct nt_state *in,
                      const struct nt_state *want, unsigned iter)
{
    struct nt_state got = *in;
    struct bare_result res;
    if (nt_run_bare(e, sn->code, sn->len, img, &got, &res) < 0)
        return true;
    const char *en = e == BARE_ENGINE_JIT ? "jit" : "interp";
    bool ok = true;
    if (res.stop != BARE_STOP_HLT) {
        printf("[%s] %s iter %u: stopped %d vector %u\n", en, sn->name, iter, res.stop, res.vector);
        ok = false;
    }
    for (int i = 0; i < 16 && ok; i++)
        if (got.gpr[i] != want->gpr[i]) {
            printf("[%s] %s iter %u: gpr %d = %016llx, host %016llx\n", en, sn->name, iter, i,
                   (unsigned long long)got.gpr[i], (unsigned long long)want->gpr[i]);
            ok = false;
        }
    uint64_t fm = sn->flags | 0x400;
    if (ok && (got.flags & fm) != (want->flags & fm)) {
        printf("[%s] %s iter %u: flags %03llx, host %03llx\n", en, sn->name, iter,
               (unsigned long long)(got.flags & fm), (unsigned long long)(want->flags & fm));
        ok = false;
    }
    const uint8_t *gm = bare_cpu_mem(nt_bare(e)) + (NT_DATA - NT_BASE);
    const uint8_t *hm = nt_mem + (NT_DATA - NT_BASE);
    if (ok) {
        for (unsigned r = 0; r < 16; r++)
            if (memcmp(gm + SD_XMM_OUT + 16 * r, hm + SD_XMM_OUT + 16 * r, 16)) {
                uint64_t g[2], h[2], x[2];
                memcpy(g, gm + SD_XMM_OUT + 16 * r, 16);
                memcpy(h, hm + SD_XMM_OUT + 16 * r, 16);
                memcpy(x, img + (NT_DATA - NT_BASE) + SD_XMM_IN + 16 * r, 16);
                printf("[%s] %s iter %u: xmm%u = %016llx%016llx, host %016llx%016llx (in %016llx%016llx)\n",
                       en, sn->name, iter, r, (unsigned long long)g[1], (unsigned long long)g[0],
                       (unsigned long long)h[1], (unsigned long long)h[0], (unsigned long long)x[1],
                       (unsigned long long)x[0]);
                ok = false;
            }
        uint32_t gx, hx, ix;
        memcpy(&gx, gm + SD_MXCSR_OUT, 4);
        memcpy(&hx, hm + SD_MXCSR_OUT, 4);
        memcpy(&ix, img + (NT_DATA - NT_BASE) + SD_MXCSR_IN, 4);
        if (gx != hx) {
            printf("[%s] %s iter %u: mxcsr %08x, host %08x (in %08x)\n", en, sn->name, iter, gx, hx, ix);
            ok = false;
        }
        if (memcmp(gm + SD_MMX_OUT, hm + SD_MMX_OUT, 64)) {
            printf("[%s] %s iter %u: mmx registers differ\n", en, sn->name, iter);
            ok = false;
        }
    }
    if (ok && memcmp(gm, hm, NT_DATA_SIZE) != 0) {
        for (unsigned i = 0; i < NT_DATA_SIZE; i++)
            if (gm[i] != hm[i]) {
                printf("[%s] %s iter %u: data memory differs at +%#x (%02x, host %02x)\n", en, sn->name,
                       iter, i, gm[i], hm[i]);
                if (getenv("KILN_TEST_VERBOSE")) {
                    for (unsigned k = i & ~15u; k < (i & ~15u) + 32; k++)
                        printf(" %02x/%02x", gm[k], hm[k]);
                    printf("\n");
                    continue;
                }
                break;
            }
        ok = false;
    }
    if (!ok && sn->kind == 'x' && getenv("KILN_TEST_VERBOSE")) {
        const uint8_t *in = img + (NT_DATA - NT_BASE) + 0x600;
        printf("  in fcw %04x fsw %04x ftw %02x\n", in[0] | in[1] << 8, in[2] | in[3] << 8, in[4]);
        for (unsigned i = 0; i < 8; i++) {
            uint64_t m; uint16_t e;
            memcpy(&m, in + 32 + 16 * i, 8); memcpy(&e, in + 40 + 16 * i, 2);
            printf("  st%u %04x:%016llx\n", i, e, (unsigned long long)m);
        }
        for (int k = 0; k < 2; k++) {
            const uint8_t *o = (k ? hm : gm) + 0x800;
            printf("  %s fsw %04x ftw %02x:", k ? "host" : "kiln", o[2] | o[3] << 8, o[4]);
            for (unsigned i = 0; i < 8; i++) {
                uint64_t m; uint16_t e;
                memcpy(&m, o + 32 + 16 * i, 8); memcpy(&e, o + 40 + 16 * i, 2);
                printf(" %04x:%016llx", e, (unsigned long long)m);
            }
            printf("\n");
        }
    }
    if (!ok)
        printf("  snippet: %s\n", sn->src);
    return ok;
}

static void test_snippets(void **state)
{
    (void)state;
    if (!nt_init())
        skip();
    unsigned fails = 0;
    const char *only = getenv("KILN_TEST_ONLY");
    for (size_t k = 0; k < sizeof(sse_snippets) / sizeof(sse_snippets[0]); k++) {
        const struct sse_snippet *sn = &sse_snippets[k];
        unsigned sfails = 0;
        if (only && !strstr(sn->name, only))
            continue;
        if (getenv("KILN_TEST_VERBOSE"))
            printf("%s\n", sn->name), fflush(stdout);
        for (unsigned it = 0; it < ITERS && sfails == 0; it++) {
            struct nt_state in, want;
            nt_random_state(&in, sn->ptrs);
            nt_random_data();
            sse_inputs(sn->kind == 'x' ? 'i' : sn->kind);
            if (sn->kind == 'x')
                x87_inputs();
            memcpy(img, nt_mem, NT_SIZE);
            want = in;
            nt_run_native(sn->code, sn->len, &want);
            for (int e = 0; e < 2; e++)
                if (!check_one(sn, (enum bare_engine)e, &in, &want, it))
                    sfails++;
        }
        fails += sfails != 0;
    }
    if (!nt_bare(BARE_ENGINE_JIT))
        printf("(JIT engine not available: interpreter only)\n");
    assert_int_equal(fails, 0);
}

/* #UD/#NM/#GP/#XM conditions on both engines. */
static void test_faults(void **state)
{
    (void)state;
    unsigned fails = 0;
    for (size_t k = 0; k < sizeof(sse_excs) / sizeof(sse_excs[0]); k++) {
        const struct sse_exc *x = &sse_excs[k];
        for (int e = 0; e < 2; e++) {
            struct bare_cpu *cpu = bare_cpu_new((enum bare_engine)e, BARE_MODE_LONG64, NT_BASE, NT_SIZE);
            if (!cpu)
                continue;
            uint8_t *m = bare_cpu_mem(cpu);
            memcpy(m + (NT_CODE - NT_BASE), x->code, x->len);
            m[NT_CODE - NT_BASE + x->len] = 0xf4;
            struct bare_regs r;
            memset(&r, 0, sizeof(r));
            r.rip = NT_CODE;
            r.rflags = 2;
            r.gpr[4] = NT_STACK;
            bare_cpu_set_regs(cpu, &r);
            struct bare_result res;
            bare_cpu_run(cpu, 1000, &res);
            int got = res.stop == BARE_STOP_HLT ? -1 : res.stop == BARE_STOP_EXCEPTION ? res.vector : -2;
            if (got != x->vector) {
                printf("[%s] %s: got %d, want %d\n", e ? "interp" : "jit", x->name, got, x->vector);
                fails++;
            }
            bare_cpu_free(cpu);
        }
    }
    assert_int_equal(fails, 0);
}

/* x87 transcendentals: within 2 ulp (as doubles) of the host's x87. */
static void test_transcendental(void **state)
{
    (void)state;
    if (!nt_init())
        skip();
    unsigned fails = 0;
    for (unsigned it = 0; it < 200; it++) {
        struct nt_state in, want;
        nt_random_state(&in, 0);
        nt_random_data();
        uint8_t *d = nt_mem + (NT_DATA - NT_BASE) + 0x1000;
        double x = ((double)(nt_rand() % 2000000) / 1000000.0 - 1.0) * (it % 3 == 0 ? 100.0 : 3.0);
        double y = (double)(nt_rand() % 1000000) / 1000.0 + 0.001;
        double f = ((double)(nt_rand() % 2000000) / 1000000.0 - 1.0) * 0.9;
        double p = (double)(nt_rand() % 1000000) / 100.0 + 0.01;
        memcpy(d, &x, 8); memcpy(d + 8, &y, 8); memcpy(d + 16, &f, 8); memcpy(d + 24, &p, 8);
        memcpy(img, nt_mem, NT_SIZE);
        want = in;
        nt_run_native(sse_transc, sizeof(sse_transc), &want);
        for (int e = 0; e < 2; e++) {
            struct nt_state got = in;
            struct bare_result res;
            if (nt_run_bare((enum bare_engine)e, sse_transc, sizeof(sse_transc), img, &got, &res) < 0)
                continue;
            const uint8_t *g = bare_cpu_mem(nt_bare((enum bare_engine)e)) + (NT_DATA - NT_BASE) + 0x1100;
            const uint8_t *h = nt_mem + (NT_DATA - NT_BASE) + 0x1100;
            for (unsigned k = 0; k < 10; k++) {
                int64_t gv, hv;
                memcpy(&gv, g + 8 * k, 8);
                memcpy(&hv, h + 8 * k, 8);
                int64_t diff = gv > hv ? gv - hv : hv - gv;
                if (res.stop != BARE_STOP_HLT || diff > 2) {
                    printf("[%d] transcendental %u (x=%g y=%g f=%g p=%g): %016llx, host %016llx\n", e, k, x, y, f, p,
                           (unsigned long long)gv, (unsigned long long)hv);
                    fails++;
                }
            }
        }
    }
    assert_int_equal(fails, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snippets),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_transcendental),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    for (int e = 0; e < 2; e++)
        bare_cpu_free(nt_cpu[e]);
    return r;
}
