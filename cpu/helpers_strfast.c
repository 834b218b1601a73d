/* SPDX-License-Identifier: MIT */
/* helpers_strfast.c: REP MOVS/STOS/LODS/SCAS/CMPS many elements at a time on host-mapped RAM. */
#include <string.h>
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/sys.h"
#include "cpu/helpers.h"
#include "cpu/strop.h"
#include "translate/tlb.h"

/*
 * How many of n elements, starting at offset off of segment seg and going
 * forward or backward, stay without offset wrap-around, inside the segment
 * (the limit in real and virtual-8086 mode; in protected mode the window of a
 * checked segment, cpu->segchk: helper_string raises the faults) and inside
 * the page of the first element. 0 when the first element itself needs the
 * slow path (also a write through a segment that is not writable). *lin gets
 * the linear address of the first element.
 */
static uint64_t span(struct cpu *cpu, unsigned seg, uint64_t off, unsigned size, uint64_t am,
                     bool back, bool write, uint64_t n, uint64_t *lin)
{
    uint64_t room, lo = 0, hi = ~(uint64_t)0;
    if (off + size - 1 > am || off + size - 1 < off)
        return 0;
    if ((!(cpu->hflags & HF_PE) || (cpu->hflags & HF_VM))) {
        hi = cpu->seg[seg].limit;
    } else if (cpu->hflags & HF_SEGCHK(seg)) {
        const struct cpu_segchk *k = &cpu->segchk[seg];
        if (write && !k->wr)
            return 0;
        lo = k->lo;
        hi = k->hi;
    }
    if (off < lo || off + size - 1 > hi)
        return 0;
    if (!back && hi != ~(uint64_t)0 && (room = (hi - off + 1) / size) < n)
        n = room;
    if (back && (room = (off - lo) / size + 1) < n)
        n = room;
    if (!back && am != ~(uint64_t)0 && (room = (am - off + 1) / size) < n)
        n = room;
    if (back && (room = off / size + 1) < n)
        n = room;
    uint64_t a;
    if (cpu->hflags & HF_CS64)
        a = (seg == 4 || seg == 5) ? cpu->seg[seg].base + off : off;
    else
        a = (cpu->seg[seg].base + off) & 0xffffffffu;
    uint64_t pg = a & (TLB_PAGE_SIZE - 1);
    if (pg + size > TLB_PAGE_SIZE)
        return 0;
    room = back ? pg / size + 1 : (TLB_PAGE_SIZE - pg) / size;
    *lin = a;
    return room < n ? room : n;
}

static uint64_t load(const uint8_t *p, unsigned size)
{
    uint8_t v1; uint16_t v2; uint32_t v4; uint64_t v8; /* little-endian host */
    switch (size) {
    case 1: memcpy(&v1, p, 1); return v1;
    case 2: memcpy(&v2, p, 2); return v2;
    case 4: memcpy(&v4, p, 4); return v4;
    default: memcpy(&v8, p, 8); return v8;
    }
}

/* Fills n elements of size bytes at d with v. */
static void fill(uint8_t *d, uint64_t v, unsigned size, uint64_t n)
{
    uint16_t v2 = (uint16_t)v;
    uint32_t v4 = (uint32_t)v;
    switch (size) {
    case 1: memset(d, (int)(v & 0xff), n); break;
    case 2: for (uint64_t i = 0; i < n; i++) memcpy(d + 2 * i, &v2, 2); break;
    case 4: for (uint64_t i = 0; i < n; i++) memcpy(d + 4 * i, &v4, 4); break;
    default: for (uint64_t i = 0; i < n; i++) memcpy(d + 8 * i, &v, 8); break;
    }
}

/* SCAS/CMPS: elements compared until one ends the repeat (counted) or n. */
#define CMP_LOOP(T)                                                                        \
    do {                                                                                   \
        T x = (T)a, y = 0;                                                                 \
        for (done = 0; done < n;) {                                                        \
            if (ps)                                                                        \
                memcpy(&x, ps + (int64_t)done * st, sizeof(T));                            \
            memcpy(&y, pd + (int64_t)done * st, sizeof(T));                                \
            done++;                                                                        \
            if (eq != (x == y))                                                            \
                break;                                                                     \
        }                                                                                  \
        a = x;                                                                             \
        b = y;                                                                             \
    } while (0)

uint64_t str_fast(struct cpu *cpu, unsigned kind, unsigned size, unsigned as, unsigned rep,
                  unsigned seg, unsigned idx, uint64_t max)
{
    if (kind == STR_INS || kind == STR_OUTS || rep == STR_REP_NONE)
        return 0;
    uint64_t am = helper_mask(as), cnt = cpu->gpr[1] & am;
    bool back = (int64_t)cpu->df < 0, use_si = kind != STR_STOS && kind != STR_SCAS;
    bool use_di = kind != STR_LODS;
    uint64_t n = cnt < max ? cnt : max, si = cpu->gpr[6] & am, di = cpu->gpr[7] & am;
    uint64_t lsi = 0, ldi = 0;
    if (use_si)
        n = span(cpu, seg, si, size, am, back, false, n, &lsi);
    if (use_di && n)
        n = span(cpu, 0, di, size, am, back, kind == STR_MOVS || kind == STR_STOS, n, &ldi);
    if (n < 2)
        return 0;
    /* Probe the first element's pages in the order the slow path touches them:
       a fault here is the first element's own (nothing done yet). Code pages,
       MMIO and watched pages give NULL: the slow path handles them. */
    uint8_t *ps = NULL, *pd = NULL;
    if (use_si && !(ps = cpu_host_ptr(cpu, lsi, size, false, idx)))
        return 0;
    if (use_di && !(pd = cpu_host_ptr(cpu, ldi, size, kind == STR_MOVS || kind == STR_STOS, idx)))
        return 0;
    int64_t st = back ? -(int64_t)size : (int64_t)size;
    uint64_t bytes = n * size, done = n;
    switch (kind) {
    case STR_MOVS: {
        uint8_t *s0 = back ? ps - (bytes - size) : ps, *d0 = back ? pd - (bytes - size) : pd;
        if (d0 + bytes <= s0 || s0 + bytes <= d0) {
            memcpy(d0, s0, bytes);
        } else {
            /* Overlap: element by element in x86 order (a forward copy onto
               itself shifted up replicates the pattern, as on hardware). */
            for (uint64_t i = 0; i < n; i++) {
                uint8_t tmp[8];
                memcpy(tmp, ps + (int64_t)i * st, size);
                memcpy(pd + (int64_t)i * st, tmp, size);
            }
        }
        break;
    }
    case STR_STOS:
        fill(back ? pd - (bytes - size) : pd, cpu->gpr[0], size, n);
        break;
    case STR_LODS:
        helper_set_gpr(cpu, 0, size, load(ps + (int64_t)(n - 1) * st, size));
        break;
    default: { /* SCAS CMPS: stop after the first element that ends the repeat */
        uint64_t m = helper_mask(size), a = cpu->gpr[0] & m, b = 0;
        bool eq = rep == STR_REP_E;
        if (size == 1 && kind == STR_SCAS && !eq && !back) {
            const uint8_t *hit = memchr(pd, (int)a, n);
            done = hit ? (uint64_t)(hit - pd) + 1 : n;
            b = pd[done - 1];
        } else {
            switch (size) {
            case 1: CMP_LOOP(uint8_t); break;
            case 2: CMP_LOOP(uint16_t); break;
            case 4: CMP_LOOP(uint32_t); break;
            default: CMP_LOOP(uint64_t); break;
            }
        }
        cpu->cc_op = CC_OP_SUB + (size == 8 ? 3 : size == 4 ? 2 : size == 2 ? 1 : 0);
        cpu->cc_dst = (a - b) & m;
        cpu->cc_src = b;
        cpu->cc_src2 = a;
        break;
    }
    }
    uint64_t adv = (uint64_t)((int64_t)done * st);
    if (use_si)
        helper_set_gpr(cpu, 6, as, si + adv);
    if (use_di)
        helper_set_gpr(cpu, 7, as, di + adv);
    helper_set_gpr(cpu, 1, as, cnt - done);
    return done;
}
