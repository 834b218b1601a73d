/* SPDX-License-Identifier: MIT */
/* dt_enc.c: the difftest mini assembler, random numbers and host CPUID. */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/difftest/dt_enc.h"

uint64_t dt_rand(struct dt_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint32_t dt_below(struct dt_rng *r, uint32_t n)
{
    return (uint32_t)(((dt_rand(r) >> 32) * (uint64_t)n) >> 32);
}

uint64_t dt_value(struct dt_rng *r)
{
    static const uint64_t special[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
        0xffffffff, 0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
        ~0ull, ~0ull - 1, 0xffffffff80000000ull, 0xffffffffffff8000ull,
    };
    switch (dt_below(r, 8)) {
    case 0: return special[dt_below(r, sizeof special / sizeof special[0])];
    case 1: return dt_below(r, 64);
    case 2: return -(uint64_t)dt_below(r, 64);
    case 3: return dt_rand(r) & 0xffffffffu;
    case 4: return dt_rand(r) & 0xffff;
    case 5: return (uint64_t)1 << dt_below(r, 64);
    default: return dt_rand(r);
    }
}

void dt_cpu_features(struct dt_cpu_features *f)
{
    unsigned a, b, c, d;
    memset(f, 0, sizeof *f);
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        f->movbe = (c >> 22) & 1;
        f->popcnt = (c >> 23) & 1;
        f->cx16 = (c >> 13) & 1;
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        f->bmi1 = (b >> 3) & 1;
        f->bmi2 = (b >> 8) & 1;
        f->adx = (b >> 19) & 1;
    }
    if (__get_cpuid(0x80000001, &a, &b, &c, &d))
        f->lzcnt = (c >> 5) & 1;
}

static void put(struct dt_item *it, uint8_t v)
{
    if (it->len >= DT_ITEM_MAX) {
        fprintf(stderr, "difftest: item too long (class %d)\n", it->cls);
        abort();
    }
    it->b[it->len++] = v;
}

static void put_n(struct dt_item *it, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        put(it, (uint8_t)(v >> (8 * i)));
}

static void insn_start(struct dt_item *it)
{
    if (it->ninsns < DT_ITEM_INSNS)
        it->ofs[it->ninsns] = it->len;
}

void dt_emit(struct dt_item *it, const uint8_t *b, int n)
{
    insn_start(it);
    for (int i = 0; i < n; i++)
        put(it, b[i]);
    it->ninsns++;
}

/* ModRM (+SIB +disp) for reg field r (low 3 bits used) and operand rm. */
static void put_modrm(struct dt_item *it, int r, const struct dt_rm *rm)
{
    r &= 7;
    if (!rm->mem) {
        put(it, (uint8_t)(0xc0 | r << 3 | (rm->reg & 7)));
        return;
    }
    const struct dt_mem *m = &rm->m;
    if (m->rip) {
        put(it, (uint8_t)(r << 3 | 5));
        it->has_rip = true;
        it->rip_off = it->len;
        it->rip_target = (uint32_t)m->disp;
        put_n(it, 0, 4);
        return;
    }
    int mod;
    if (m->base < 0)
        mod = 0;
    else if (m->disp == 0 && (m->base & 7) != 5)
        mod = 0;
    else if (m->disp >= -128 && m->disp <= 127)
        mod = 1;
    else
        mod = 2;
    bool sib = m->base < 0 || m->index >= 0 || (m->base & 7) == 4;
    if (!sib) {
        put(it, (uint8_t)(mod << 6 | r << 3 | (m->base & 7)));
    } else {
        int ss = m->scale == 8 ? 3 : m->scale == 4 ? 2 : m->scale == 2 ? 1 : 0;
        int idx = m->index >= 0 ? (m->index & 7) : 4;
        int base = m->base >= 0 ? (m->base & 7) : 5;
        put(it, (uint8_t)(mod << 6 | r << 3 | 4));
        put(it, (uint8_t)(ss << 6 | idx << 3 | base));
    }
    if (m->base < 0)
        put_n(it, (uint32_t)m->disp, 4);
    else if (mod == 1)
        put(it, (uint8_t)m->disp);
    else if (mod == 2)
        put_n(it, (uint32_t)m->disp, 4);
}

static void fix_rip(struct dt_item *it, uint8_t before)
{
    if (it->has_rip && it->rip_off >= before)
        it->rip_next = it->len;
}

/* Inserts ignored prefixes in front of the instruction starting at start. */
static void add_junk(struct dt_item *it, uint8_t start, unsigned r)
{
    static const uint8_t segs[4] = { 0x26, 0x2e, 0x36, 0x3e };
    uint8_t j[4];
    int n = 0;
    if (r & 2)
        j[n++] = (uint8_t)(0x40 | ((r >> 4) & 15));   /* REX, cancelled by what follows */
    j[n++] = segs[(r >> 8) & 3];
    if ((r >> 10) & 1)
        j[n++] = segs[(r >> 11) & 3];
    if (r & 1)
        j[n++] = (r >> 13) & 1 ? 0xf3 : 0xf2;
    int len = it->len - start;
    if (len + n > 15 || it->len + n > DT_ITEM_MAX)
        return;
    memmove(it->b + start + n, it->b + start, (size_t)len);
    memcpy(it->b + start, j, (size_t)n);
    it->len = (uint8_t)(it->len + n);
    if (it->has_rip && it->rip_off >= start)
        it->rip_off = (uint8_t)(it->rip_off + n);
}

void dt_enc(struct dt_item *it, const struct dt_ins *in)
{
    uint8_t start = it->len;
    insn_start(it);
    for (int i = 0; i < in->npfx; i++)
        put(it, in->pfx[i]);
    if (in->modrm && in->rm.mem && in->rm.m.seg)
        put(it, in->rm.m.seg);
    if (in->osz == 2 && !in->no_66)
        put(it, 0x66);
    if (in->modrm && in->rm.mem && in->rm.m.addr32)
        put(it, 0x67);
    int rex = 0;
    if (in->osz == 8 && !in->no_w)
        rex |= 8;
    if (in->modrm) {
        if (in->reg & 8)
            rex |= 4;
        if (in->rm.mem) {
            if (!in->rm.m.rip && in->rm.m.index >= 0 && (in->rm.m.index & 8))
                rex |= 2;
            if (!in->rm.m.rip && in->rm.m.base >= 0 && (in->rm.m.base & 8))
                rex |= 1;
        } else if (in->rm.reg & 8) {
            rex |= 1;
        }
    }
    if (in->opreg >= 0 && (in->opreg & 8))
        rex |= 1;
    if (rex || in->force_rex)
        put(it, (uint8_t)(0x40 | rex));
    if (in->map >= 1)
        put(it, 0x0f);
    if (in->map == 2)
        put(it, 0x38);
    if (in->map == 3)
        put(it, 0x3a);
    put(it, (uint8_t)(in->opc | (in->opreg >= 0 ? (in->opreg & 7) : 0)));
    if (in->modrm)
        put_modrm(it, in->reg, &in->rm);
    put_n(it, in->imm, in->immsz);
    if (in->junk)
        add_junk(it, start, (unsigned)in->junk);
    fix_rip(it, start);
    it->ninsns++;
}

void dt_enc_vex(struct dt_item *it, int map, int pp, bool w, int vvvv, uint8_t opc, int reg,
                const struct dt_rm *rm, int immsz, uint64_t imm)
{
    uint8_t start = it->len;
    insn_start(it);
    if (rm->mem && rm->m.seg)
        put(it, rm->m.seg);
    if (rm->mem && rm->m.addr32)
        put(it, 0x67);
    int r = (reg >> 3) & 1, x = 0, b = 0;
    if (rm->mem) {
        if (!rm->m.rip && rm->m.index >= 0)
            x = (rm->m.index >> 3) & 1;
        if (!rm->m.rip && rm->m.base >= 0)
            b = (rm->m.base >> 3) & 1;
    } else {
        b = (rm->reg >> 3) & 1;
    }
    put(it, 0xc4);
    put(it, (uint8_t)((!r) << 7 | (!x) << 6 | (!b) << 5 | map));
    put(it, (uint8_t)((w ? 0x80 : 0) | ((~vvvv & 15) << 3) | pp));
    put(it, opc);
    put_modrm(it, reg, rm);
    put_n(it, imm, immsz);
    fix_rip(it, start);
    it->ninsns++;
}

void dt_emit_movimm(struct dt_item *it, int reg, uint64_t v)
{
    struct dt_ins in = { .osz = 4, .opreg = reg };
    if (v <= 0xffffffffu) {
        in.opc = 0xb8;
        in.immsz = 4;
    } else if ((int64_t)v >= INT32_MIN && (int64_t)v <= INT32_MAX) {
        in.osz = 8;
        in.opreg = -1;
        in.opc = 0xc7;
        in.modrm = true;
        in.reg = 0;
        in.rm = dt_rm_reg(reg);
        in.immsz = 4;
    } else {
        in.osz = 8;
        in.opc = 0xb8;
        in.immsz = 8;
    }
    in.imm = v;
    dt_enc(it, &in);
}
