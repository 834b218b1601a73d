/* SPDX-License-Identifier: MIT */
/* monitor_mmu.c: guest page-table walks (32-bit, PAE, 4-level) for the monitor and the gdbstub. */
#include <inttypes.h>
#include <string.h>
#include "ui/monitor.h"

#define PG_P 0x1u
#define PG_RW 0x2u
#define PG_US 0x4u
#define PG_PS 0x80u
#define ADDR_MASK UINT64_C(0x000ffffffffff000)

enum pg_kind { PGK_NONE, PGK_32, PGK_PAE, PGK_4L };

static enum pg_kind kind_of(const struct monitor_paging *pg)
{
    if (!(pg->cr0 & 0x80000000u) || !(pg->cr0 & 1u))
        return PGK_NONE;
    if (pg->efer & 0x400u) /* EFER.LMA */
        return PGK_4L;
    if (pg->cr4 & 0x20u)   /* CR4.PAE */
        return PGK_PAE;
    return PGK_32;
}

const char *monitor_paging_mode(const struct monitor_paging *pg)
{
    static const char *const names[] = { "none", "32-bit", "PAE", "4-level" };
    return names[kind_of(pg)];
}

/* One level of a paging structure. */
struct level {
    unsigned shift;      /* bits of address below this level's index */
    unsigned entries;
    unsigned esize;      /* 4 or 8 bytes */
    bool large_ok;       /* PS may map a page here */
    bool flags_ok;       /* RW/US bits meaningful (not PAE PDPTEs) */
};

static const struct level lv_32[] = { { 22, 1024, 4, true, true }, { 12, 1024, 4, false, true } };
static const struct level lv_pae[] = { { 30, 4, 8, false, false }, { 21, 512, 8, true, true },
                                       { 12, 512, 8, false, true } };
static const struct level lv_4l[] = { { 39, 512, 8, false, true }, { 30, 512, 8, true, true },
                                      { 21, 512, 8, true, true }, { 12, 512, 8, false, true } };

static const struct level *levels_of(enum pg_kind k, unsigned *n, uint64_t cr3, uint64_t *root)
{
    switch (k) {
    case PGK_32: *n = 2; *root = cr3 & 0xfffff000u; return lv_32;
    case PGK_PAE: *n = 3; *root = cr3 & 0xffffffe0u; return lv_pae;
    case PGK_4L: *n = 4; *root = cr3 & ADDR_MASK; return lv_4l;
    default: *n = 0; *root = 0; return NULL;
    }
}

static bool read_entry(const struct monitor *m, uint64_t pa, unsigned esize, uint64_t *e)
{
    uint8_t b[8] = { 0 };
    if (!m->ops->read_phys || !m->ops->read_phys(m->opaque, pa, b, esize))
        return false;
    *e = 0;
    for (unsigned i = 0; i < esize; i++)
        *e |= (uint64_t)b[i] << (8 * i);
    return true;
}

/* Physical address of a large page mapped by entry e at a level of the given shift. */
static uint64_t large_base(enum pg_kind k, uint64_t e, unsigned shift)
{
    if (k == PGK_32) /* 4 MiB, PSE-36: bits 13..20 are physical bits 32..39 */
        return (e & 0xffc00000u) | (((e >> 13) & 0xffu) << 32);
    return e & ADDR_MASK & ~((UINT64_C(1) << shift) - 1);
}

static bool large_allowed(enum pg_kind k, const struct monitor_paging *pg, const struct level *l)
{
    if (!l->large_ok)
        return false;
    return k != PGK_32 || (pg->cr4 & 0x10u); /* CR4.PSE */
}

static uint64_t canonical(enum pg_kind k, uint64_t va)
{
    if (k == PGK_4L && (va & (UINT64_C(1) << 47)))
        va |= UINT64_C(0xffff000000000000);
    return va;
}

bool monitor_virt_to_phys(const struct monitor *m, const struct monitor_paging *pg, uint64_t va,
                          uint64_t *pa, unsigned *flags)
{
    enum pg_kind k = kind_of(pg);
    unsigned n, fl = 3;
    uint64_t table;
    const struct level *lv = levels_of(k, &n, pg->cr3, &table);
    if (k == PGK_NONE) {
        *pa = va & 0xffffffffu;
        if (flags)
            *flags = 3;
        return true;
    }
    if (k == PGK_4L && canonical(k, va & UINT64_C(0x0000ffffffffffff)) != va)
        return false; /* not canonical */
    if (k != PGK_4L && va > 0xffffffffu)
        return false;
    for (unsigned i = 0; i < n; i++) {
        const struct level *l = &lv[i];
        unsigned idx = (unsigned)((va >> l->shift) & (l->entries - 1));
        uint64_t e;
        if (!read_entry(m, table + (uint64_t)idx * l->esize, l->esize, &e) || !(e & PG_P))
            return false;
        if (l->flags_ok)
            fl &= (unsigned)(((e & PG_RW) ? 1 : 0) | ((e & PG_US) ? 2 : 0));
        uint64_t off_mask = (UINT64_C(1) << l->shift) - 1;
        if (i + 1 == n) {
            *pa = (k == PGK_32 ? (e & 0xfffff000u) : (e & ADDR_MASK)) | (va & 0xfff);
            break;
        }
        if ((e & PG_PS) && large_allowed(k, pg, l)) {
            *pa = large_base(k, e, l->shift) | (va & off_mask);
            break;
        }
        table = k == PGK_32 ? (e & 0xfffff000u) : (e & ADDR_MASK);
    }
    if (flags)
        *flags = fl;
    return true;
}

bool monitor_read_virt(const struct monitor *m, uint64_t va, void *buf, size_t len)
{
    struct monitor_paging pg;
    uint8_t *p = buf;
    m->ops->get_paging(m->opaque, &pg);
    while (len > 0) {
        uint64_t pa;
        if (!monitor_virt_to_phys(m, &pg, va, &pa, NULL))
            return false;
        size_t chunk = 4096 - (size_t)(va & 0xfff);
        if (chunk > len)
            chunk = len;
        if (!m->ops->read_phys || !m->ops->read_phys(m->opaque, pa, p, chunk))
            return false;
        p += chunk;
        va += chunk;
        len -= chunk;
    }
    return true;
}

/* Walk visitor: a mapping of size bytes; returns false to stop the walk. */
typedef bool (*visit_fn)(void *ctx, uint64_t va, uint64_t pa, uint64_t size, unsigned flags);

static bool walk(const struct monitor *m, const struct monitor_paging *pg, enum pg_kind k,
                 const struct level *lv, unsigned n, unsigned i, uint64_t table, uint64_t va_base,
                 unsigned fl, visit_fn fn, void *ctx)
{
    const struct level *l = &lv[i];
    uint8_t buf[4096];
    size_t bytes = (size_t)l->entries * l->esize;
    if (!m->ops->read_phys || !m->ops->read_phys(m->opaque, table, buf, bytes))
        return true; /* unreadable table: nothing mapped through it */
    for (unsigned idx = 0; idx < l->entries; idx++) {
        uint64_t e = 0;
        for (unsigned b = 0; b < l->esize; b++)
            e |= (uint64_t)buf[idx * l->esize + b] << (8 * b);
        if (!(e & PG_P))
            continue;
        uint64_t va = canonical(k, va_base | ((uint64_t)idx << l->shift));
        unsigned f = fl;
        if (l->flags_ok)
            f &= (unsigned)(((e & PG_RW) ? 1 : 0) | ((e & PG_US) ? 2 : 0));
        if (i + 1 == n) {
            uint64_t pa = k == PGK_32 ? (e & 0xfffff000u) : (e & ADDR_MASK);
            if (!fn(ctx, va, pa, 4096, f))
                return false;
        } else if ((e & PG_PS) && large_allowed(k, pg, l)) {
            if (!fn(ctx, va, large_base(k, e, l->shift), UINT64_C(1) << l->shift, f))
                return false;
        } else {
            uint64_t next = k == PGK_32 ? (e & 0xfffff000u) : (e & ADDR_MASK);
            if (!walk(m, pg, k, lv, n, i + 1, next, va, f, fn, ctx))
                return false;
        }
    }
    return true;
}

/* Visits every mapping; returns false if paging is off (nothing visited). */
static bool walk_all(const struct monitor *m, const struct monitor_paging *pg, visit_fn fn, void *ctx)
{
    enum pg_kind k = kind_of(pg);
    unsigned n;
    uint64_t root;
    const struct level *lv = levels_of(k, &n, pg->cr3, &root);
    if (!lv)
        return false;
    walk(m, pg, k, lv, n, 0, root, 0, 3, fn, ctx);
    return true;
}

struct print_ctx {
    FILE *out;
    unsigned lines, max;
    bool truncated;
    /* info mem: the range being accumulated */
    bool have;
    uint64_t start, end, pstart, pend;
    unsigned flags;
};

static const char *attr_str(unsigned f)
{
    static const char *const s[] = { "r-s", "rws", "r-u", "rwu" };
    return s[f & 3];
}

static bool emit(struct print_ctx *c)
{
    if (c->lines >= c->max) {
        c->truncated = true;
        return false;
    }
    c->lines++;
    return true;
}

static bool visit_tlb(void *ctx, uint64_t va, uint64_t pa, uint64_t size, unsigned f)
{
    struct print_ctx *c = ctx;
    if (!emit(c))
        return false;
    fprintf(c->out, "%016" PRIx64 ": %016" PRIx64 " %s%s\n", va, pa, attr_str(f),
            size == 4096 ? "" : size == (UINT64_C(1) << 21) ? " 2M" : size == (UINT64_C(1) << 22) ? " 4M" : " 1G");
    return true;
}

static bool flush_range(struct print_ctx *c)
{
    if (!c->have)
        return true;
    if (!emit(c))
        return false;
    fprintf(c->out, "%016" PRIx64 "-%016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %s\n", c->start,
            c->end, c->end - c->start, c->pstart, attr_str(c->flags));
    c->have = false;
    return true;
}

static bool visit_mem(void *ctx, uint64_t va, uint64_t pa, uint64_t size, unsigned f)
{
    struct print_ctx *c = ctx;
    if (c->have && va == c->end && pa == c->pend && f == c->flags) {
        c->end += size;
        c->pend += size;
        return true;
    }
    if (!flush_range(c))
        return false;
    c->have = true;
    c->start = va;
    c->end = va + size;
    c->pstart = pa;
    c->pend = pa + size;
    c->flags = f;
    return true;
}

void monitor_print_tlb(const struct monitor *m, FILE *out, unsigned max_lines)
{
    struct monitor_paging pg;
    struct print_ctx c = { .out = out, .max = max_lines };
    m->ops->get_paging(m->opaque, &pg);
    fprintf(out, "paging: %s, cr3=%016" PRIx64 "\n", monitor_paging_mode(&pg), pg.cr3);
    if (!walk_all(m, &pg, visit_tlb, &c))
        fprintf(out, "paging is disabled: virtual = physical\n");
    if (c.truncated)
        fprintf(out, "(output truncated after %u lines)\n", max_lines);
}

void monitor_print_mem(const struct monitor *m, FILE *out, unsigned max_lines)
{
    struct monitor_paging pg;
    struct print_ctx c = { .out = out, .max = max_lines };
    m->ops->get_paging(m->opaque, &pg);
    fprintf(out, "paging: %s, cr3=%016" PRIx64 "\n", monitor_paging_mode(&pg), pg.cr3);
    if (!walk_all(m, &pg, visit_mem, &c)) {
        fprintf(out, "paging is disabled: virtual = physical\n");
        return;
    }
    if (!c.truncated)
        flush_range(&c);
    if (c.truncated)
        fprintf(out, "(output truncated after %u lines)\n", max_lines);
}
