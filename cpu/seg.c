/* SPDX-License-Identifier: MIT */
/* seg.c: descriptor tables and segment register loads with the protected-mode checks. */
#include "cpu/sys.h"

/* Linear address of sel's descriptor, or false when beyond the table limit. */
static bool desc_addr(struct cpu *cpu, uint16_t sel, unsigned size, uint64_t *addr)
{
    uint64_t base, limit;
    if (sel & 4) {
        if ((cpu->ldtr.sel & 0xfffc) == 0)
            return false;
        base = cpu->ldtr.base;
        limit = cpu->ldtr.limit;
    } else {
        base = cpu->gdtr.base;
        limit = cpu->gdtr.limit;
    }
    uint64_t off = sel & 0xfff8u;
    if (off + size - 1 > limit)
        return false;
    *addr = base + off;
    if (!(cpu->hflags & HF_LMA))
        *addr &= 0xffffffffu;
    return true;
}

bool seg_read_desc(struct cpu *cpu, uint16_t sel, uint64_t *desc, uint64_t *hi)
{
    uint64_t a;
    if (!desc_addr(cpu, sel, hi ? 16 : 8, &a))
        return false;
    *desc = cpu_ld(cpu, a, 8, 0);
    if (hi)
        *hi = cpu_ld(cpu, a + 8, 8, 0);
    return true;
}

void seg_set_accessed(struct cpu *cpu, uint16_t sel, uint64_t desc)
{
    uint64_t a;
    if (!DESC_S(desc) || (desc & ((uint64_t)1 << 40)))
        return;
    if (desc_addr(cpu, sel, 8, &a))
        cpu_st(cpu, a + 5, (uint8_t)(desc >> 40) | 1u, 1, 0);
}

void seg_cache_set(struct cpu_seg *sc, uint16_t sel, uint64_t desc, uint64_t hi)
{
    uint32_t limit = (uint32_t)(desc & 0xffff) | (uint32_t)((desc >> 32) & 0xf0000u);
    if (desc & ((uint64_t)1 << 55))
        limit = (limit << 12) | 0xfffu;
    sc->sel = sel;
    sc->limit = limit;
    sc->base = ((desc >> 16) & 0xffffffu) | ((desc >> 32) & 0xff000000u) | (hi << 32);
    sc->attr = (uint16_t)(((desc >> 40) & 0xff) | (((desc >> 52) & 0xf) << 8));
}

static void load_null(struct cpu *cpu, int seg, uint16_t sel)
{
    struct cpu_seg *sc = &cpu->seg[seg];
    sc->sel = sel;
    sc->base = 0;
    sc->limit = 0;
    sc->attr = 0; /* not present: unusable */
}

uint64_t seg_check_ss(struct cpu *cpu, uint16_t sel, unsigned cpl, int exc)
{
    uint32_t err = sel & 0xfffcu;
    uint64_t d;
    if ((sel & 0xfffc) == 0)
        cpu_raise(cpu, exc, true, 0);
    if (!seg_read_desc(cpu, sel, &d, NULL))
        cpu_raise(cpu, exc, true, err);
    if ((sel & 3) != cpl || DESC_DPL(d) != cpl || !DESC_WRITABLE_DATA(d))
        cpu_raise(cpu, exc, true, err);
    if (!DESC_P(d))
        cpu_raise(cpu, exc == EXC_TS ? EXC_TS : EXC_SS, true, err);
    return d;
}

void cpu_load_seg(struct cpu *cpu, int seg, uint16_t sel)
{
    if (seg < 0 || seg > 5 || seg == X86_SEG_CS)
        return;
    if (!cpu_pmode(cpu)) {
        cpu_load_seg_real(cpu, seg, sel);
        return;
    }
    unsigned cpl = cpu_cpl(cpu), rpl = sel & 3;
    uint32_t err = sel & 0xfffcu;
    uint64_t d;
    if ((sel & 0xfffc) == 0) {
        if (seg == X86_SEG_SS && !(cpu_64bit(cpu) && cpl < 3 && rpl == cpl))
            cpu_raise(cpu, EXC_GP, true, 0);
        load_null(cpu, seg, sel);
        if (seg == X86_SEG_SS)
            cpu->seg[seg].attr = (uint16_t)(0x93 | (cpl << 5)); /* 64-bit null SS stays usable */
        cpu_update_hflags(cpu);
        return;
    }
    if (!seg_read_desc(cpu, sel, &d, NULL))
        cpu_raise(cpu, EXC_GP, true, err);
    if (seg == X86_SEG_SS) {
        if (rpl != cpl || !DESC_WRITABLE_DATA(d) || DESC_DPL(d) != cpl)
            cpu_raise(cpu, EXC_GP, true, err);
        if (!DESC_P(d))
            cpu_raise(cpu, EXC_SS, true, err);
    } else {
        if (!DESC_S(d) || !DESC_READABLE(d))
            cpu_raise(cpu, EXC_GP, true, err);
        if (!DESC_CONFORMING(d) && (rpl > DESC_DPL(d) || cpl > DESC_DPL(d)))
            cpu_raise(cpu, EXC_GP, true, err);
        if (!DESC_P(d))
            cpu_raise(cpu, EXC_NP, true, err);
    }
    seg_set_accessed(cpu, sel, d);
    d |= (uint64_t)1 << 40;
    seg_cache_set(&cpu->seg[seg], sel, d, 0);
    cpu_update_hflags(cpu);
}

void seg_load_cs(struct cpu *cpu, uint16_t sel, uint64_t desc, unsigned cpl)
{
    desc |= (uint64_t)1 << 40;
    seg_cache_set(&cpu->seg[X86_SEG_CS], (uint16_t)((sel & 0xfffc) | cpl), desc, 0);
    cpu_set_cpl(cpu, cpl);
}

void seg_validate_outer(struct cpu *cpu)
{
    unsigned cpl = cpu_cpl(cpu);
    static const int segs[4] = { X86_SEG_ES, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS };
    for (int i = 0; i < 4; i++) {
        struct cpu_seg *sc = &cpu->seg[segs[i]];
        unsigned dpl = (sc->attr >> 5) & 3;
        bool code = (sc->attr & 0x18) == 0x18, conf = code && (sc->attr & 4);
        if ((sc->sel & 0xfffc) == 0 && !(sc->attr & 0x80))
            continue;
        if ((!code || !conf) && dpl < cpl)
            load_null(cpu, segs[i], 0);
    }
    cpu_update_hflags(cpu);
}

/* The offsets a data access may use through one segment cache in protected mode. */
static void chk_of(const struct cpu_seg *sc, struct cpu_segchk *k)
{
    unsigned a = sc->attr;
    bool code = (a & 0x08) != 0;
    k->lo = 1;          /* empty window: every access faults */
    k->hi = 0;
    k->wr = 0;
    if (!(a & 0x80) || !(a & 0x10) || (code && !(a & 0x02)))
        return;         /* null (unusable), system, execute-only code */
    if (!code && (a & 0x04)) {
        /* expand-down: limit + 1 up to 64 KiB - 1 or 4 GiB - 1 by the B bit */
        uint32_t top = (a & SEG_ATTR_DB) ? 0xffffffffu : 0xffffu;
        if (sc->limit >= top)
            return;
        k->lo = sc->limit + 1;
        k->hi = top;
    } else {
        k->lo = 0;
        k->hi = sc->limit;
    }
    k->wr = !code && (a & 0x02);
}

uint32_t seg_chk_update(struct cpu *cpu)
{
    uint32_t hf = 0;
    for (unsigned i = 0; i < 6; i++) {
        struct cpu_segchk *k = &cpu->segchk[i];
        chk_of(&cpu->seg[i], k);
        if (!k->wr || k->lo != 0 || k->hi != 0xffffffffu)
            hf |= HF_SEGCHK(i);
    }
    return hf;
}

void seg_chk_access(struct cpu *cpu, unsigned seg, uint64_t off, unsigned size, bool write)
{
    if (seg > 5 || !(cpu->hflags & HF_SEGCHK(seg)) || !size)
        return;
    const struct cpu_segchk *k = &cpu->segchk[seg];
    if (off < k->lo || off + size - 1 > k->hi || (write && !k->wr))
        cpu_raise(cpu, seg == X86_SEG_SS ? EXC_SS : EXC_GP, true, 0);
}
