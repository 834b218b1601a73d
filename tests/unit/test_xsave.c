/* SPDX-License-Identifier: MIT */
/* test_xsave.c: XSAVE/XSAVEOPT/XSAVEC/XRSTOR against the host CPU, XGETBV/XSETBV, CPUID leaf 0xD and the faults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "tests/unit/cpu_native.h"
#include "cpu/cpu.h"
#include "cpu/sys.h"

#ifndef ITERS
#define ITERS 400
#endif
#define SRC (NT_DATA + 0x1000)   /* XRSTOR source (64-byte aligned) */
#define DST (NT_DATA + 0x1400)   /* XSAVE* destination */
#define FIN (NT_DATA + 0x1800)   /* FXSAVE64 of the final state */
#define AREA 576u
#define CR4_OSXSAVE 0x40000u

static uint8_t img[NT_SIZE];

static uint8_t *dp(uint64_t a) { return nt_mem + (a - NT_BASE); }

static void rand_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = nt_rand();
        memcpy(p + i, &v, n - i < 8 ? n - i : 8);
    }
}

/* A random x87 register: zero, or random bits, or a normal value. */
static void rand_st(uint8_t *p)
{
    memset(p, 0, 16);
    switch (nt_rand() % 4) {
    case 0: break;
    case 1: rand_bytes(p, 10); break;
    default: {
        uint64_t m = nt_rand() | 1ull << 63;
        uint16_t e = (uint16_t)(0x3fff + (nt_rand() % 64) - 32) | (uint16_t)((nt_rand() & 1) << 15);
        memcpy(p, &m, 8);
        memcpy(p + 8, &e, 2);
    }
    }
}

/* A random XRSTOR source image (valid header: standard or compacted). */
static void rand_source(uint8_t *a, bool pending_ok)
{
    memset(a, 0, AREA);
    bool x87_init = nt_rand() % 3 == 0, sse_zero = nt_rand() % 3 == 0;
    uint16_t fcw = 0x037f, fsw = 0;
    if (!x87_init) {
        if (nt_rand() & 1)
            fcw = (uint16_t)((nt_rand() & 0x0f3f) | 0x40);
        fsw = (uint16_t)(nt_rand() & 0x7f7f); /* ES/B are recomputed on load */
        if (!pending_ok) { /* no unmasked exception: no #MF later, none raised */
            fcw |= 0x3f;
            fsw &= (uint16_t)~(~fcw & 0x3f);
        }
        a[4] = (uint8_t)nt_rand();
        rand_bytes(a + 6, 2);
        a[7] &= 7;
        rand_bytes(a + 8, 16);
        for (unsigned i = 0; i < 8; i++)
            rand_st(a + 32 + 16 * i);
    }
    memcpy(a, &fcw, 2);
    memcpy(a + 2, &fsw, 2);
    uint32_t mx = nt_rand() & 1 ? 0x1f80 : (uint32_t)(nt_rand() & 0xffff);
    memcpy(a + 24, &mx, 4);
    if (!sse_zero)
        for (unsigned i = 0; i < 16; i++)
            if (nt_rand() & 1)
                rand_bytes(a + 160 + 16 * i, 16);
    uint64_t bv = nt_rand() & 3, comp = 0;
    if (nt_rand() & 1)
        comp = 1ull << 63 | bv | (nt_rand() & 3);
    memcpy(a + 512, &bv, 8);
    memcpy(a + 520, &comp, 8);
}

/* The instruction bytes of one test: FXRSTOR64 [rbx], XRSTOR [rdi] with EAX = r8d, an optional
   instruction, XSAVE/XSAVEOPT/XSAVEC [rsi] with EAX = r9d, FXSAVE64 [rbx]. */
static size_t build(uint8_t *c, unsigned save_op, bool w_rst, bool w_save, unsigned mid)
{
    static const uint8_t mids[][4] = {
        { 0 }, { 0xd9, 0xe8 } /* fld1 */, { 0x66, 0x0f, 0x76, 0xdb } /* pcmpeqd xmm3,xmm3 */,
        { 0xdb, 0xe3 } /* fninit */, { 0x66, 0x0f, 0xef, 0xc0 } /* pxor xmm0,xmm0 */,
        { 0x0f, 0x77 } /* emms */, { 0xd9, 0xee } /* fldz */,
    };
    static const uint8_t mlen[] = { 0, 2, 4, 2, 4, 2, 2 };
    size_t n = 0;
    c[n++] = 0x48; c[n++] = 0x0f; c[n++] = 0xae; c[n++] = 0x0b; /* fxrstor64 [rbx]: known start */
    c[n++] = 0x44; c[n++] = 0x89; c[n++] = 0xc0;          /* mov eax, r8d */
    c[n++] = 0x31; c[n++] = 0xd2;                         /* xor edx, edx */
    if (w_rst)
        c[n++] = 0x48;
    c[n++] = 0x0f; c[n++] = 0xae; c[n++] = 0x2f;          /* xrstor [rdi] */
    memcpy(c + n, mids[mid], mlen[mid]);
    n += mlen[mid];
    c[n++] = 0x44; c[n++] = 0x89; c[n++] = 0xc8;          /* mov eax, r9d */
    if (w_save)
        c[n++] = 0x48;
    static const uint8_t ops[3][2] = { { 0xae, 0x26 }, { 0xae, 0x36 }, { 0xc7, 0x26 } };
    c[n++] = 0x0f; c[n++] = ops[save_op][0]; c[n++] = ops[save_op][1];
    c[n++] = 0x48; c[n++] = 0x0f; c[n++] = 0xae; c[n++] = 0x03; /* fxsave64 [rbx] */
    return n;
}

static void dump(const char *what, const uint8_t *g, const uint8_t *h, unsigned len)
{
    unsigned n = 0;
    for (unsigned i = 0; i < len && n < 8; i++)
        if (g[i] != h[i]) {
            printf("  %s differs at +%u: kiln %02x host %02x\n", what, i, g[i], h[i]);
            n++;
        }
}

/* Bytes of the legacy region that belong to x87 (component 0; FOP..FDS at 6-23
   are not compared, see below) and SSE (component 1, XMM0-15; with XSAVEC also
   MXCSR and MXCSR_MASK, which it writes only with the component: the second
   range, used when compact). */
static const struct { unsigned from, to; } comp_bytes[2][2] = {
    { { 0, 6 }, { 32, 160 } },
    { { 160, 416 }, { 24, 32 } },
};

/* How many of component i's byte ranges count. */
static unsigned ranges(unsigned i, bool compact)
{
    return i == 1 && !compact ? 1 : 2;
}

/* Component i of an FXSAVE image in its init configuration: x87 FCW 037F, FSW 0,
   all tags empty, ST0-7 zero; SSE XMM0-15 zero (and MXCSR 1F80 for XSAVEC). */
static bool comp_is_init(const uint8_t *fx, unsigned i, bool compact)
{
    if (i == 1) {
        for (unsigned k = 160; k < 416; k++)
            if (fx[k])
                return false;
        return !compact || (fx[24] == 0x80 && fx[25] == 0x1f && !fx[26] && !fx[27]);
    }
    if (fx[0] != 0x7f || fx[1] != 0x03 || fx[2] || fx[3] || fx[4])
        return false;
    for (unsigned r = 0; r < 8; r++)
        for (unsigned k = 0; k < 10; k++)
            if (fx[32 + 16 * r + k])
                return false;
    return true;
}

/* The init value of byte k of component i's bytes (-1: any, MXCSR_MASK). */
static int init_byte(unsigned i, unsigned k)
{
    if (i == 0)
        return k == 0 ? 0x7f : k == 1 ? 0x03 : 0;
    if (k >= 28 && k < 32)
        return -1;
    return k == 24 ? 0x80 : k == 25 ? 0x1f : 0;
}

/* The component's bytes in a saved area hold its init values. */
static bool area_is_init(const uint8_t *a, unsigned i, bool compact)
{
    for (unsigned r = 0; r < ranges(i, compact); r++)
        for (unsigned k = comp_bytes[i][r].from; k < comp_bytes[i][r].to; k++)
            if (init_byte(i, k) >= 0 && a[k] != init_byte(i, k))
                return false;
    return true;
}

static bool area_is(const uint8_t *a, const uint8_t *b, unsigned i, bool compact)
{
    for (unsigned r = 0; r < ranges(i, compact); r++) {
        unsigned f = comp_bytes[i][r].from, t = comp_bytes[i][r].to;
        if (t > f && memcmp(a + f, b + f, t - f))
            return false;
    }
    return true;
}

/* XINUSE: a CPU may keep XINUSE[i] = 1 while component i holds its init values
   (the host's changes with what its kernel restores after a context switch), so
   XSTATE_BV[i] may say "saved" on one side and "init, not written" (XSAVEOPT,
   XSAVEC) or "init" (XSAVE) on the other. Such a difference is taken as equal
   only when the state really is init (fin: the FXSAVE after the instruction) and
   each side's bytes match its bit: the saving side wrote init values, the other
   wrote them too or left the bytes as they were (orig). Then gd gets hd's.
   compact: the area is XSAVEC's. */
static void xinuse_normalize(uint8_t *gd, const uint8_t *hd, const uint8_t *orig, const uint8_t *fin,
                             bool compact)
{
    for (unsigned i = 0; i < 2; i++) {
        unsigned gb = (gd[512] >> i) & 1u, hb = (hd[512] >> i) & 1u;
        if (gb == hb || !comp_is_init(fin, i, compact))
            continue;
        const uint8_t *saved = gb ? gd : hd, *other = gb ? hd : gd;
        if (!area_is_init(saved, i, compact) ||
            !(area_is_init(other, i, compact) || area_is(other, orig, i, compact)))
            continue;
        for (unsigned r = 0; r < ranges(i, compact); r++) {
            unsigned f = comp_bytes[i][r].from, t = comp_bytes[i][r].to;
            if (t > f)
                memcpy(gd + f, hd + f, t - f);
        }
        gd[512] = (uint8_t)((gd[512] & ~(1u << i)) | (hb << i));
    }
}

/* The comparison's XINUSE allowance itself: taken only for init state with
   consistent bytes. */
static void test_xinuse_normalize(void **state)
{
    (void)state;
    static uint8_t orig[AREA], fin[512], hd[AREA], gd[AREA];
    for (unsigned k = 0; k < AREA; k++)
        orig[k] = (uint8_t)(k * 7 + 1);
    memset(fin, 0, sizeof(fin));
    fin[0] = 0x7f, fin[1] = 0x03;                 /* x87 init, XMM0-15 zero, MXCSR 1F80 */
    fin[24] = 0x80, fin[25] = 0x1f;
    for (unsigned c = 0; c < 4; c++) {
        memcpy(hd, orig, AREA);                    /* host: x87 saved as init, bit set */
        memset(hd, 0, 6);                          /* (6-31: FOP..FDS, MXCSR left equal) */
        memset(hd + 32, 0, 128);
        hd[0] = 0x7f, hd[1] = 0x03;
        hd[512] = 1;
        memcpy(gd, orig, AREA);                    /* kiln: x87 not written, bit clear */
        gd[512] = 0;
        if (c == 1)
            fin[40] = 1;                           /* ST0 not zero: not init */
        if (c == 2)
            hd[33] = 5;                            /* the saving side wrote non-init bytes */
        if (c == 3)
            gd[200] = 9;                           /* an SSE byte differs: not excused */
        xinuse_normalize(gd, hd, orig, fin, false);
        fin[40] = 0;
        bool same = memcmp(gd, hd, AREA) == 0;
        assert_int_equal(same, c == 0);
        if (c == 3)
            assert_int_equal(gd[512], 1);          /* the x87 part was still excused */
    }
    /* SSE the other way round: kiln saved zero XMMs with the bit set, the host not
       (XSAVEOPT: MXCSR is written by both, whatever its value) */
    for (int compact = 0; compact < 2; compact++) {
        memcpy(hd, orig, AREA);
        hd[512] = 0;
        memcpy(gd, orig, AREA);
        memset(gd + 160, 0, 256);
        if (compact)    /* XSAVEC writes MXCSR with the component */
            memcpy(gd + 24, (const uint8_t[]){ 0x80, 0x1f, 0, 0, 0xff, 0xff, 0, 0 }, 8);
        gd[512] = 2;
        xinuse_normalize(gd, hd, orig, fin, compact);
        assert_memory_equal(gd, hd, AREA);
    }
    /* XSAVEOPT with MXCSR not 1F80 and XMMs zero: the host saved SSE, kiln did not
       (init for XSAVEOPT whatever MXCSR holds); excused */
    memcpy(hd, orig, AREA);
    memset(hd + 160, 0, 256);
    hd[512] = 2;
    memcpy(gd, orig, AREA);
    gd[512] = 0;
    fin[25] = 0x3f;
    xinuse_normalize(gd, hd, orig, fin, false);
    assert_memory_equal(gd, hd, AREA);
    /* XSAVEC: the host saved init SSE (MXCSR 1F80 and its mask too), kiln wrote
       nothing; excused, but not when MXCSR is not 1F80 */
    for (int mx_init = 1; mx_init >= 0; mx_init--) {
        memcpy(hd, orig, AREA);
        memset(hd + 160, 0, 256);
        memcpy(hd + 24, (const uint8_t[]){ 0x80, 0x1f, 0, 0, 0xff, 0xff, 2, 0 }, 8);
        hd[512] = 2;
        memcpy(gd, orig, AREA);
        gd[512] = 0;
        fin[25] = mx_init ? 0x1f : 0x3f;
        xinuse_normalize(gd, hd, orig, fin, true);
        assert_int_equal(memcmp(gd, hd, AREA) == 0, mx_init);
    }
    fin[25] = 0x1f;
}

/* XRSTOR from a random image, then XSAVE/XSAVEOPT/XSAVEC into random garbage: the
   saved image (x87, SSE, header; MXCSR_MASK aside, see docs/FPU.md) and the final
   state must be the host's. */
static void test_host_compare(void **state)
{
    (void)state;
    if (!nt_init())
        skip();
    unsigned fails = 0;
    static const char *const names[3] = { "xsave", "xsaveopt", "xsavec" };
    for (unsigned it = 0; it < ITERS && fails < 5; it++) {
        uint8_t code[64];
        unsigned op = (unsigned)(nt_rand() % 3), mid = (unsigned)(nt_rand() % 7);
        bool wr = nt_rand() & 1, ws = nt_rand() & 1;
        size_t len = build(code, op, wr, ws, mid);
        struct nt_state in, want;
        nt_random_state(&in, 0);
        nt_random_data();
        in.gpr[7] = SRC;
        in.gpr[6] = DST;
        in.gpr[3] = FIN;
        in.gpr[8] = nt_rand() % 4 ? 3 : nt_rand() & 3;
        in.gpr[9] = nt_rand() % 4 ? 3 : nt_rand() & 3;
        bool x87mid = mid == 1 || mid == 5 || mid == 6; /* these would raise #MF */
        rand_source(dp(SRC), !x87mid);
        rand_source(dp(FIN), !x87mid);
        rand_bytes(dp(DST), AREA);
        if (nt_rand() & 1)
            memset(dp(DST) + 512, 0, 64);
        memcpy(img, nt_mem, NT_SIZE);
        want = in;
        nt_run_native(code, len, &want);
        static const uint32_t mx_default = 0x1f80;
        __asm__ volatile("fninit\n\tldmxcsr %0" : : "m"(mx_default)); /* sane host state again */
        for (int e = 0; e < 2; e++) {
            struct cpu *cpu = bare_cpu_cpu(nt_bare((enum bare_engine)e));
            cpu->cr[4] |= CR4_OSXSAVE;
            cpu->fpu.xcr0 = 3;
            struct nt_state got = in;
            struct bare_result res;
            nt_run_bare((enum bare_engine)e, code, len, img, &got, &res);
            uint8_t *g = bare_cpu_mem(nt_bare((enum bare_engine)e));
            uint8_t *gd = g + (DST - NT_BASE), *gf = g + (FIN - NT_BASE);
            /* MXCSR_MASK: the host (AMD) reports 0x2FFFF, kiln 0xFFFF */
            if (!memcmp(dp(DST) + 28, "\xff\xff\x02\x00", 4) && !memcmp(gd + 28, "\xff\xff\x00\x00", 4))
                memcpy(gd + 28, dp(DST) + 28, 4);
            memcpy(gf + 28, dp(FIN) + 28, 4);
            /* The host (AMD) saves FOP only while FSW.ES = 1, and FIP/FCS/FDP/FDS
               in its own way (docs/FPU.md): not compared */
            if (!(dp(DST)[2] & 0x80))
                memcpy(gd + 6, dp(DST) + 6, 2);
            if (!(dp(FIN)[2] & 0x80))
                memcpy(gf + 6, dp(FIN) + 6, 2);
            memcpy(gd + 8, dp(DST) + 8, 16);
            memcpy(gf + 8, dp(FIN) + 8, 16);
            xinuse_normalize(gd, dp(DST), img + (DST - NT_BASE), dp(FIN), op == 2);
            bool ok = res.stop == BARE_STOP_HLT && !memcmp(got.gpr, want.gpr, sizeof(got.gpr)) &&
                      !memcmp(gd, dp(DST), AREA) && !memcmp(gf, dp(FIN), 416);
            if (!ok) {
                printf("[%s] iter %u: %s%s, xrstor%s rfbm %llu, mid %u, save rfbm %llu: stop %d vec %u\n",
                       e ? "interp" : "jit", it, names[op], ws ? "64" : "", wr ? "64" : "",
                       (unsigned long long)in.gpr[8], mid, (unsigned long long)in.gpr[9], res.stop,
                       res.vector);
                dump("saved area", gd, dp(DST), AREA);
                dump("final fxsave", gf, dp(FIN), 416);
                fails++;
            }
        }
    }
    assert_int_equal(fails, 0);
}

/* ---- kiln-only checks: faults, XGETBV/XSETBV, CPUID */

struct xcase {
    const char *name;
    uint8_t code[16];
    uint8_t len;
    uint64_t cr0_or, cr4_or;   /* added to the bare CPU's CR0/CR4 */
    unsigned cpl;
    uint64_t rax, rcx, rdx;
    int hdr_off;               /* patch 8 bytes of the area at this offset (-1 none) */
    uint64_t hdr_val;
    uint32_t mxcsr;            /* legacy MXCSR of the area (0: 0x1F80) */
    unsigned rdi_ofs;          /* area misalignment */
    int vector;                /* -1: runs to HLT */
};

#define XSAVE_RDI 0x0f, 0xae, 0x27
#define XSAVEOPT_RDI 0x0f, 0xae, 0x37
#define XSAVEC_RDI 0x0f, 0xc7, 0x27
#define XRSTOR_RDI 0x0f, 0xae, 0x2f
#define XGETBV 0x0f, 0x01, 0xd0
#define XSETBV 0x0f, 0x01, 0xd1
#define OSX CR4_OSXSAVE
#define C(...) { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })

static const struct xcase xcases[] = {
    { "xsave, CR4.OSXSAVE=0", C(XSAVE_RDI), 0, 0, 0, 3, 0, 0, -1, 0, 0, 0, EXC_UD },
    { "xrstor, CR4.OSXSAVE=0", C(XRSTOR_RDI), 0, 0, 0, 3, 0, 0, -1, 0, 0, 0, EXC_UD },
    { "xgetbv, CR4.OSXSAVE=0", C(XGETBV), 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, EXC_UD },
    { "xsetbv, CR4.OSXSAVE=0", C(XSETBV), 0, 0, 0, 3, 0, 0, -1, 0, 0, 0, EXC_UD },
    { "lock xsave", C(0xf0, XSAVE_RDI), 0, OSX, 0, 3, 0, 0, -1, 0, 0, 0, EXC_UD },
    { "lock xgetbv", C(0xf0, XGETBV), 0, OSX, 0, 0, 0, 0, -1, 0, 0, 0, EXC_UD },
    { "xsave, CR0.TS", C(XSAVE_RDI), 8, OSX, 0, 3, 0, 0, -1, 0, 0, 0, EXC_NM },
    { "xsaveopt, CR0.TS", C(XSAVEOPT_RDI), 8, OSX, 0, 3, 0, 0, -1, 0, 0, 0, EXC_NM },
    { "xsavec, CR0.TS", C(XSAVEC_RDI), 8, OSX, 0, 3, 0, 0, -1, 0, 0, 0, EXC_NM },
    { "xrstor, CR0.TS", C(XRSTOR_RDI), 8, OSX, 0, 3, 0, 0, -1, 0, 0, 0, EXC_NM },
    { "xgetbv, CR0.TS (no #NM)", C(XGETBV), 8, OSX, 0, 0, 0, 0, -1, 0, 0, 0, -1 },
    { "xsave misaligned", C(XSAVE_RDI), 0, OSX, 0, 3, 0, 0, -1, 0, 0, 16, EXC_GP },
    { "xsaveopt misaligned", C(XSAVEOPT_RDI), 0, OSX, 0, 3, 0, 0, -1, 0, 0, 32, EXC_GP },
    { "xsavec misaligned", C(XSAVEC_RDI), 0, OSX, 0, 3, 0, 0, -1, 0, 0, 8, EXC_GP },
    { "xrstor misaligned", C(XRSTOR_RDI), 0, OSX, 0, 3, 0, 0, -1, 0, 0, 48, EXC_GP },
    { "xrstor ok", C(XRSTOR_RDI), 0, OSX, 0, 3, 0, 0, 512, 3, 0, 0, -1 },
    { "xrstor XSTATE_BV[2] (AVX not enabled)", C(XRSTOR_RDI), 0, OSX, 0, 3, 0, 0, 512, 4, 0, 0, EXC_GP },
    { "xrstor XSTATE_BV[40], rfbm 1", C(XRSTOR_RDI), 0, OSX, 0, 1, 0, 0, 512, 1ull << 40, 0, 0, EXC_GP },
    { "xrstor standard, XCOMP_BV 1", C(XRSTOR_RDI), 0, OSX, 0, 3, 0, 0, 520, 1, 0, 0, EXC_GP },
    { "xrstor standard, header bytes 16..23", C(XRSTOR_RDI), 0, OSX, 0, 3, 0, 0, 528, 1, 0, 0, EXC_GP },
    { "xrstor standard, header bytes 24.. ignored", C(XRSTOR_RDI), 0, OSX, 0, 3, 0, 0, 536, 1, 0, 0, -1 },
    { "xrstor standard, bad MXCSR", C(XRSTOR_RDI), 0, OSX, 0, 2, 0, 0, -1, 0, 0x10000, 0, EXC_GP },
    { "xrstor standard, bad MXCSR, rfbm 1", C(XRSTOR_RDI), 0, OSX, 0, 1, 0, 0, -1, 0, 0x10000, 0, -1 },
    { "xrstor compacted ok", C(XRSTOR_RDI), 0, OSX, 0, 3, 0, 0, 520, 3ull | 1ull << 63, 0, 0, -1 },
    { "xrstor compacted, XCOMP_BV[2]", C(XRSTOR_RDI), 0, OSX, 0, 3, 0, 0, 520, 7ull | 1ull << 63, 0, 0, EXC_GP },
    { "xrstor compacted, bad MXCSR, XSTATE_BV[1]=0", C(XRSTOR_RDI), 0, OSX, 0, 3, 0, 0, 520, 1ull << 63, 0x10000, 0, -1 },
    { "xsetbv 3", C(XSETBV), 0, OSX, 0, 3, 0, 0, -1, 0, 0, 0, -1 },
    { "xsetbv 7 (AVX)", C(XSETBV), 0, OSX, 0, 7, 0, 0, -1, 0, 0, 0, EXC_GP },
    { "xsetbv 2 (no x87)", C(XSETBV), 0, OSX, 0, 2, 0, 0, -1, 0, 0, 0, EXC_GP },
    { "xsetbv edx bit", C(XSETBV), 0, OSX, 0, 3, 0, 1, -1, 0, 0, 0, EXC_GP },
    { "xsetbv ecx 1", C(XSETBV), 0, OSX, 0, 3, 1, 0, -1, 0, 0, 0, EXC_GP },
    { "xsetbv cpl 3", C(XSETBV), 0, OSX, 3, 3, 0, 0, -1, 0, 0, 0, EXC_GP },
    { "xgetbv cpl 3", C(XGETBV), 0, OSX, 3, 0, 0, 0, -1, 0, 0, 0, -1 },
    { "xgetbv ecx 1", C(XGETBV), 0, OSX, 0, 0, 1, 0, -1, 0, 0, 0, EXC_GP },
};

static struct bare_cpu *xcpu(int e)
{
    struct bare_cpu *b = bare_cpu_new((enum bare_engine)e, BARE_MODE_LONG64, NT_BASE, NT_SIZE);
    if (!b)
        fail_msg("no bare CPU for engine %d", e);
    return b;
}

static int run_case(struct bare_cpu *b, const uint8_t *code, size_t len)
{
    uint8_t *m = bare_cpu_mem(b);
    memcpy(m + (NT_CODE - NT_BASE), code, len);
    m[NT_CODE - NT_BASE + len] = 0xf4;
    struct bare_result res;
    bare_cpu_run(b, 1000, &res);
    if (res.stop == BARE_STOP_EXCEPTION && res.vector == EXC_GP && bare_cpu_cpu(b)->rip == NT_CODE + len)
        return -1; /* HLT at CPL 3: reached the end */
    return res.stop == BARE_STOP_HLT ? -1 : res.stop == BARE_STOP_EXCEPTION ? res.vector : -2;
}

static void test_faults(void **state)
{
    (void)state;
    unsigned fails = 0;
    for (size_t k = 0; k < sizeof(xcases) / sizeof(xcases[0]); k++) {
        const struct xcase *x = &xcases[k];
        for (int e = 0; e < 2; e++) {
            struct bare_cpu *b = xcpu(e);
            struct cpu *cpu = bare_cpu_cpu(b);
            uint8_t *a = bare_cpu_mem(b) + (SRC - NT_BASE);
            a[0] = 0x7f; a[1] = 0x03;
            uint32_t mx = x->mxcsr ? x->mxcsr : 0x1f80;
            memcpy(a + 24, &mx, 4);
            if (x->hdr_off >= 0)
                memcpy(a + x->hdr_off, &x->hdr_val, 8);
            cpu->cr[0] |= x->cr0_or;
            cpu->cr[4] |= x->cr4_or;
            cpu->fpu.xcr0 = 3;
            struct bare_regs r;
            memset(&r, 0, sizeof(r));
            r.rip = NT_CODE;
            r.rflags = 2;
            r.gpr[4] = NT_STACK;
            r.gpr[0] = x->rax;
            r.gpr[1] = x->rcx;
            r.gpr[2] = x->rdx;
            r.gpr[7] = SRC + x->rdi_ofs;
            bare_cpu_set_regs(b, &r);
            if (x->cpl) {
                cpu_set_cpl(cpu, x->cpl);
                cpu_update_hflags(cpu);
            }
            int got = run_case(b, x->code, x->len);
            if (got != x->vector) {
                printf("[%s] %s: got %d, want %d\n", e ? "interp" : "jit", x->name, got, x->vector);
                fails++;
            }
            bare_cpu_free(b);
        }
    }
    assert_int_equal(fails, 0);
}

/* Sets the registers of a fresh CPU (CR4.OSXSAVE on) and runs code; returns the vector or -1. */
static int run_regs(struct bare_cpu *b, const uint8_t *code, size_t len, uint64_t rax, uint64_t rcx,
                    uint64_t rdx, uint64_t rdi)
{
    struct bare_regs r;
    memset(&r, 0, sizeof(r));
    r.rip = NT_CODE;
    r.rflags = 2;
    r.gpr[4] = NT_STACK;
    r.gpr[0] = rax; r.gpr[1] = rcx; r.gpr[2] = rdx; r.gpr[7] = rdi;
    bare_cpu_set_regs(b, &r);
    bare_cpu_cpu(b)->cr[4] |= CR4_OSXSAVE;
    return run_case(b, code, len);
}

/* XSETBV/XGETBV round trip, RFBM = XCR0 & EDX:EAX, CPUID, compacted MXCSR init. */
static void test_state(void **state)
{
    (void)state;
    for (int e = 0; e < 2; e++) {
        struct bare_cpu *b = xcpu(e);
        struct cpu *cpu = bare_cpu_cpu(b);
        struct bare_regs r;
        assert_int_equal(cpu->fpu.xcr0, 1); /* reset value */
        /* xsetbv 3; mov eax/edx junk; xgetbv */
        static const uint8_t c1[] = { XSETBV, 0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff,
                                      0x48, 0xc7, 0xc2, 0xff, 0xff, 0xff, 0xff, XGETBV };
        assert_int_equal(run_regs(b, c1, sizeof(c1), 3, 0, 0, 0), -1);
        bare_cpu_get_regs(b, &r);
        assert_int_equal(r.gpr[0], 3);
        assert_int_equal(r.gpr[2], 0);
        /* xsetbv 1; xsave with EDX:EAX = all ones: only x87 is written, XSTATE_BV[1] kept */
        static const uint8_t c2[] = { XSETBV, 0xb8, 0xff, 0xff, 0xff, 0xff, 0xba, 0xff, 0xff, 0xff,
                                      0xff, XSAVE_RDI };
        uint8_t *a = bare_cpu_mem(b) + (SRC - NT_BASE);
        memset(a, 0xaa, AREA);
        cpu->fpu.xmm[5].q[0] = 1;
        assert_int_equal(run_regs(b, c2, sizeof(c2), 1, 0, 0, SRC), -1);
        assert_int_equal(a[0], 0x7f);          /* FCW written */
        assert_int_equal(a[24], 0xaa);         /* MXCSR not */
        assert_int_equal(a[160 + 5 * 16], 0xaa); /* XMM5 not */
        uint64_t bv;
        memcpy(&bv, a + 512, 8);
        assert_int_equal(bv, 0xaaaaaaaaaaaaaaaaull & ~1ull); /* x87 in init state */
        /* compacted XRSTOR with XSTATE_BV[1] = 0: XMM zeroed, MXCSR 0x1F80 */
        static const uint8_t c3[] = { XSETBV, XRSTOR_RDI };
        memset(a, 0, AREA);
        a[24] = 0x81; a[25] = 0x1f; a[160] = 0x55;
        uint64_t comp = 3ull | 1ull << 63;
        memcpy(a + 520, &comp, 8);
        cpu->fpu.mxcsr = 0x1f81;
        assert_int_equal(run_regs(b, c3, sizeof(c3), 3, 0, 0, SRC), -1);
        assert_int_equal(cpu->fpu.mxcsr, 0x1f80);
        assert_int_equal(cpu->fpu.xmm[5].q[0], 0);
        assert_int_equal(cpu->fpu.fcw, 0x37f);
        /* the same in standard form: MXCSR from memory, XMM still zeroed */
        memset(a + 520, 0, 8);
        cpu->fpu.xmm[5].q[0] = 7;
        assert_int_equal(run_regs(b, c3, sizeof(c3), 3, 0, 0, SRC), -1);
        assert_int_equal(cpu->fpu.mxcsr, 0x1f81);
        assert_int_equal(cpu->fpu.xmm[5].q[0], 0);
        /* CPUID: XSAVE, OSXSAVE = CR4.OSXSAVE, leaf 0xD */
        static const uint8_t cp[] = { 0x0f, 0xa2 };
        assert_int_equal(run_regs(b, cp, sizeof(cp), 1, 0, 0, 0), -1);
        bare_cpu_get_regs(b, &r);
        assert_true(r.gpr[1] & (1u << 26));
        assert_true(r.gpr[1] & (1u << 27));
        cpu->cr[4] &= ~(uint64_t)CR4_OSXSAVE;
        struct bare_regs r0;
        memset(&r0, 0, sizeof(r0));
        r0.rip = NT_CODE; r0.rflags = 2; r0.gpr[4] = NT_STACK; r0.gpr[0] = 1;
        bare_cpu_set_regs(b, &r0);
        assert_int_equal(run_case(b, cp, sizeof(cp)), -1);
        bare_cpu_get_regs(b, &r);
        assert_false(r.gpr[1] & (1u << 27));
        assert_int_equal(run_regs(b, cp, sizeof(cp), 0, 0, 0, 0), -1);
        bare_cpu_get_regs(b, &r);
        assert_true(r.gpr[0] >= 0xd);
        assert_int_equal(run_regs(b, cp, sizeof(cp), 0xd, 0, 0, 0), -1);
        bare_cpu_get_regs(b, &r);
        assert_int_equal(r.gpr[0], 3);
        assert_int_equal(r.gpr[3], 576);
        assert_int_equal(r.gpr[1], 576);
        assert_int_equal(r.gpr[2], 0);
        assert_int_equal(run_regs(b, cp, sizeof(cp), 0xd, 1, 0, 0), -1);
        bare_cpu_get_regs(b, &r);
        assert_int_equal(r.gpr[0] & 0xf, 3); /* XSAVEOPT XSAVEC, no XGETBV1/XSAVES */
        /* CR4.OSXSAVE is writable: mov rax, cr4; or eax, 1 << 18; mov cr4, rax; xgetbv */
        static const uint8_t c4[] = { 0x0f, 0x20, 0xe0, 0x0d, 0x00, 0x00, 0x04, 0x00, 0x0f, 0x22, 0xe0,
                                      0x31, 0xc9, XGETBV };
        cpu->cr[4] &= ~(uint64_t)CR4_OSXSAVE;
        bare_cpu_set_regs(b, &r0);
        assert_int_equal(run_case(b, c4, sizeof(c4)), -1);
        assert_true(cpu->cr[4] & CR4_OSXSAVE);
        bare_cpu_free(b);
    }
}

/* Outside 64-bit mode XSAVE writes XMM0-7 only, with the 32-bit x87 pointer format. */
static void test_prot32(void **state)
{
    (void)state;
    for (int e = 0; e < 2; e++) {
        struct bare_cpu *b = bare_cpu_new((enum bare_engine)e, BARE_MODE_PROT32, NT_BASE, NT_SIZE);
        if (!b)
            fail_msg("no bare CPU");
        struct cpu *cpu = bare_cpu_cpu(b);
        cpu->cr[4] |= CR4_OSXSAVE | 0x200;
        cpu->fpu.xcr0 = 3;
        for (unsigned i = 0; i < 16; i++)
            cpu->fpu.xmm[i].q[0] = cpu->fpu.xmm[i].q[1] = 0x1111111111111111ull * (i + 1);
        cpu->fpu.fip = 0x123456789abcull;
        cpu->fpu.fcs = 0x23;
        uint8_t *a = bare_cpu_mem(b) + (SRC - NT_BASE);
        memset(a, 0xcc, AREA);
        struct bare_regs r;
        memset(&r, 0, sizeof(r));
        r.rip = NT_CODE; r.rflags = 2; r.gpr[4] = NT_STACK; r.gpr[0] = 3; r.gpr[7] = SRC;
        bare_cpu_set_regs(b, &r);
        static const uint8_t c[] = { XSAVE_RDI };
        assert_int_equal(run_case(b, c, sizeof(c)), -1);
        assert_int_equal(a[160 + 7 * 16], 0x88);
        assert_int_equal(a[160 + 8 * 16], 0xcc);
        assert_int_equal(a[415], 0xcc);
        uint32_t fip; uint16_t fcs;
        memcpy(&fip, a + 8, 4); memcpy(&fcs, a + 12, 2);
        assert_int_equal(fip, 0x56789abcu);
        assert_int_equal(fcs, 0x23);
        bare_cpu_free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xinuse_normalize),
        cmocka_unit_test(test_host_compare),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_state),
        cmocka_unit_test(test_prot32),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    for (int e = 0; e < 2; e++)
        bare_cpu_free(nt_cpu[e]);
    return r;
}
