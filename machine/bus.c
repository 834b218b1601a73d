/* SPDX-License-Identifier: MIT */
/* bus.c: sorted region table with binary search, access splitting and combining. */
#include <stdlib.h>
#include <string.h>
#include "machine/bus.h"

struct bus {
    const char *name;
    uint64_t limit;
    struct bus_region **regions;    /* sorted by base, non-overlapping */
    unsigned count, cap;
    struct bus_region *last;        /* one-entry lookup cache */
    uint8_t unclaimed_byte;
    bus_unclaimed_fn hook;
    void *hook_opaque;
};

struct bus *bus_new(const char *name, uint64_t limit)
{
    struct bus *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->name = name ? name : "bus";
    b->limit = limit;
    b->unclaimed_byte = 0xff;
    return b;
}

void bus_free(struct bus *bus)
{
    if (!bus)
        return;
    for (unsigned i = 0; i < bus->count; i++)
        free(bus->regions[i]);
    free(bus->regions);
    free(bus);
}

const char *bus_name(const struct bus *bus) { return bus->name; }
void bus_set_unclaimed_byte(struct bus *bus, uint8_t byte) { bus->unclaimed_byte = byte; }

void bus_set_unclaimed_hook(struct bus *bus, bus_unclaimed_fn fn, void *opaque)
{
    bus->hook = fn;
    bus->hook_opaque = opaque;
}

static unsigned min_acc(const struct bus_ops *o) { return o->min_access ? o->min_access : 1; }
static unsigned max_acc(const struct bus_ops *o) { return o->max_access ? o->max_access : 4; }
static bool pow2ok(unsigned v) { return v == 1 || v == 2 || v == 4 || v == 8; }

/* Index of the first region whose end is above addr (may not contain addr). */
static unsigned lower_bound(const struct bus *bus, uint64_t addr)
{
    unsigned lo = 0, hi = bus->count;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        const struct bus_region *r = bus->regions[mid];
        if (r->base + (r->size - 1) < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool range_free(const struct bus *bus, uint64_t base, uint64_t size,
                       const struct bus_region *ignore)
{
    uint64_t last = base + size - 1;
    unsigned i = lower_bound(bus, base);
    for (; i < bus->count; i++) {
        const struct bus_region *r = bus->regions[i];
        if (r == ignore)
            continue;
        return r->base > last;
    }
    return true;
}

static bool range_valid(const struct bus *bus, uint64_t base, uint64_t size,
                        const struct bus_ops *ops)
{
    if (!size || base > bus->limit || size - 1 > bus->limit - base)
        return false;
    unsigned mn = min_acc(ops), mx = max_acc(ops);
    if (!pow2ok(mn) || !pow2ok(mx) || mn > mx)
        return false;
    return (base % mn) == 0 && (size % mn) == 0;
}

static void insert_sorted(struct bus *bus, struct bus_region *r)
{
    unsigned i = lower_bound(bus, r->base);
    memmove(&bus->regions[i + 1], &bus->regions[i],
            (bus->count - i) * sizeof(bus->regions[0]));
    bus->regions[i] = r;
    bus->count++;
}

static void remove_sorted(struct bus *bus, struct bus_region *r)
{
    for (unsigned i = 0; i < bus->count; i++) {
        if (bus->regions[i] == r) {
            memmove(&bus->regions[i], &bus->regions[i + 1],
                    (bus->count - i - 1) * sizeof(bus->regions[0]));
            bus->count--;
            break;
        }
    }
    if (bus->last == r)
        bus->last = NULL;
}

struct bus_region *bus_register(struct bus *bus, uint64_t base, uint64_t size,
                                const struct bus_ops *ops, void *opaque,
                                const char *name)
{
    if (!ops || !range_valid(bus, base, size, ops) || !range_free(bus, base, size, NULL))
        return NULL;
    if (bus->count == bus->cap) {
        unsigned ncap = bus->cap ? bus->cap * 2 : 16;
        struct bus_region **n = realloc(bus->regions, ncap * sizeof(*n));
        if (!n)
            return NULL;
        bus->regions = n;
        bus->cap = ncap;
    }
    struct bus_region *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->base = base;
    r->size = size;
    r->ops = ops;
    r->opaque = opaque;
    r->name = name ? name : "?";
    insert_sorted(bus, r);
    return r;
}

void bus_unregister(struct bus *bus, struct bus_region *r)
{
    if (!r)
        return;
    remove_sorted(bus, r);
    free(r);
}

bool bus_move(struct bus *bus, struct bus_region *r, uint64_t new_base)
{
    if (!range_valid(bus, new_base, r->size, r->ops) || !range_free(bus, new_base, r->size, r))
        return false;
    remove_sorted(bus, r);
    r->base = new_base;
    insert_sorted(bus, r);
    return true;
}

static struct bus_region *find(struct bus *bus, uint64_t addr)
{
    struct bus_region *r = bus->last;
    if (r && addr >= r->base && addr - r->base < r->size)
        return r;
    unsigned i = lower_bound(bus, addr);
    if (i < bus->count) {
        r = bus->regions[i];
        if (addr >= r->base) {
            bus->last = r;
            return r;
        }
    }
    return NULL;
}

const struct bus_region *bus_find(struct bus *bus, uint64_t addr) { return find(bus, addr); }
const struct bus_region *bus_next(struct bus *bus, uint64_t addr)
{
    unsigned i = lower_bound(bus, addr);
    return i < bus->count ? bus->regions[i] : NULL;
}

unsigned bus_count(const struct bus *bus) { return bus->count; }

const struct bus_region *bus_region_at(const struct bus *bus, unsigned i)
{
    return i < bus->count ? bus->regions[i] : NULL;
}

void bus_print(const struct bus *bus, FILE *out)
{
    int w = bus->limit <= 0xffff ? 4 : 16;
    fprintf(out, "%s:\n", bus->name);
    for (unsigned i = 0; i < bus->count; i++) {
        const struct bus_region *r = bus->regions[i];
        fprintf(out, "  %0*llx-%0*llx %s\n", w, (unsigned long long)r->base, w,
                (unsigned long long)(r->base + r->size - 1), r->name);
    }
}

/* Bytes from addr that are unclaimed (up to max), given no region contains addr. */
static unsigned unclaimed_run(struct bus *bus, uint64_t addr, unsigned max)
{
    unsigned i = lower_bound(bus, addr);
    if (i < bus->count) {
        uint64_t gap = bus->regions[i]->base - addr;
        if (gap < max)
            return (unsigned)gap;
    }
    return max;
}

static uint64_t mask_bytes(unsigned n) { return n >= 8 ? ~0ull : (1ull << (n * 8)) - 1; }

/* Largest device-acceptable chunk at offset off with rem bytes left (0 if below min). */
static unsigned chunk_size(const struct bus_ops *o, uint64_t off, unsigned rem)
{
    unsigned c = max_acc(o);
    while (c > 1 && (c > rem || (!o->unaligned && (off & (c - 1)))))
        c >>= 1;
    return c >= min_acc(o) ? c : 0;
}

static uint64_t region_read(struct bus_region *r, uint64_t off, unsigned n)
{
    const struct bus_ops *o = r->ops;
    if (!o->read)
        return mask_bytes(n);
    uint64_t val = 0;
    unsigned p = 0;
    while (p < n) {
        uint64_t at = off + p;
        unsigned rem = n - p, take;
        unsigned c = chunk_size(o, at, rem);
        uint64_t v;
        if (c) {
            v = o->read(r->opaque, at, c);
            take = c;
        } else {
            /* Too narrow for the device: read the aligned min-size unit around it. */
            unsigned mn = min_acc(o);
            uint64_t base = at & ~(uint64_t)(mn - 1);
            unsigned skip = (unsigned)(at - base);
            take = mn - skip < rem ? mn - skip : rem;
            v = o->read(r->opaque, base, mn) >> (skip * 8);
        }
        val |= (v & mask_bytes(take)) << (p * 8);
        p += take;
    }
    return val;
}

static void region_write(struct bus_region *r, uint64_t off, uint64_t val, unsigned n)
{
    const struct bus_ops *o = r->ops;
    if (!o->write)
        return;
    unsigned p = 0;
    while (p < n) {
        uint64_t at = off + p;
        unsigned rem = n - p, take;
        unsigned c = chunk_size(o, at, rem);
        uint64_t v = val >> (p * 8);
        if (c) {
            o->write(r->opaque, at, v & mask_bytes(c), c);
            take = c;
        } else {
            unsigned mn = min_acc(o);
            uint64_t base = at & ~(uint64_t)(mn - 1);
            unsigned skip = (unsigned)(at - base);
            take = mn - skip < rem ? mn - skip : rem;
            o->write(r->opaque, base, (v & mask_bytes(take)) << (skip * 8), mn);
        }
        p += take;
    }
}

uint64_t bus_read(struct bus *bus, uint64_t addr, unsigned size)
{
    if (size == 0 || size > 8)
        return 0;
    struct bus_region *r = find(bus, addr);
    /* Fast path: one region, an access size it takes directly. */
    if (r && size <= r->size - (addr - r->base)) {
        const struct bus_ops *o = r->ops;
        uint64_t off = addr - r->base;
        if (o->read && size >= min_acc(o) && size <= max_acc(o) && pow2ok(size) &&
            (o->unaligned || !(off & (size - 1))))
            return o->read(r->opaque, off, size) & mask_bytes(size);
        return region_read(r, off, size);
    }
    uint64_t val = 0;
    unsigned p = 0;
    while (p < size) {
        uint64_t a = addr + p;
        unsigned rem = size - p, n;
        if (a > bus->limit || a < addr) {
            n = rem;
            r = NULL;
        } else {
            r = find(bus, a);
            if (r) {
                uint64_t left = r->size - (a - r->base);
                n = left < rem ? (unsigned)left : rem;
            } else {
                n = unclaimed_run(bus, a, rem);
            }
        }
        uint64_t v;
        if (r) {
            v = region_read(r, a - r->base, n);
        } else {
            v = 0x0101010101010101ull * bus->unclaimed_byte;
            if (bus->hook)
                bus->hook(bus->hook_opaque, bus, false, a, n, 0);
        }
        val |= (v & mask_bytes(n)) << (p * 8);
        p += n;
    }
    return val;
}

void bus_write(struct bus *bus, uint64_t addr, uint64_t value, unsigned size)
{
    if (size == 0 || size > 8)
        return;
    value &= mask_bytes(size);
    struct bus_region *r = find(bus, addr);
    if (r && size <= r->size - (addr - r->base)) {
        const struct bus_ops *o = r->ops;
        uint64_t off = addr - r->base;
        if (o->write && size >= min_acc(o) && size <= max_acc(o) && pow2ok(size) &&
            (o->unaligned || !(off & (size - 1)))) {
            o->write(r->opaque, off, value, size);
            return;
        }
        region_write(r, off, value, size);
        return;
    }
    unsigned p = 0;
    while (p < size) {
        uint64_t a = addr + p;
        unsigned rem = size - p, n;
        uint64_t v = value >> (p * 8);
        if (a > bus->limit || a < addr) {
            n = rem;
            r = NULL;
        } else {
            r = find(bus, a);
            if (r) {
                uint64_t left = r->size - (a - r->base);
                n = left < rem ? (unsigned)left : rem;
            } else {
                n = unclaimed_run(bus, a, rem);
            }
        }
        if (r)
            region_write(r, a - r->base, v & mask_bytes(n), n);
        else if (bus->hook)
            bus->hook(bus->hook_opaque, bus, true, a, n, v & mask_bytes(n));
        p += n;
    }
}
