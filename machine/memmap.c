/* SPDX-License-Identifier: MIT */
/* memmap.c: guest physical address space lookup, slow-path access and DMA copies. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "machine/memmap.h"

struct host_map {
    uint64_t base, size;
    uint8_t *host;
    bool writable;
    bool owned;             /* allocated by memmap_add_rom: unmap on free */
    const char *name;
};

struct memmap {
    uint8_t *ram;
    uint64_t ram_size, below, above;    /* above = RAM bytes placed at 4 GiB */
    struct host_map *maps;              /* sorted by base, non-overlapping */
    unsigned nmaps, capmaps;
    struct bus *mmio;
    uint64_t generation;
    memmap_change_fn change;
    void *change_opaque;
    bus_unclaimed_fn unclaimed;
    void *unclaimed_opaque;
};

struct memmap *memmap_new(uint64_t ram_size, uint64_t hole)
{
    if (!hole)
        hole = MEMMAP_DEFAULT_HOLE;
    if (hole > MEMMAP_4G || (hole & (MEMMAP_PAGE_SIZE - 1)) ||
        ram_size > MEMMAP_PHYS_LIMIT - MEMMAP_4G)
        return NULL;
    struct memmap *mm = calloc(1, sizeof(*mm));
    if (!mm)
        return NULL;
    mm->mmio = bus_new("mmio", MEMMAP_PHYS_LIMIT);
    if (!mm->mmio) {
        free(mm);
        return NULL;
    }
    if (ram_size) {
        void *p = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            bus_free(mm->mmio);
            free(mm);
            return NULL;
        }
        mm->ram = p;
    }
    mm->ram_size = ram_size;
    mm->below = ram_size < hole ? ram_size : hole;
    mm->above = ram_size - mm->below;
    return mm;
}

void memmap_free(struct memmap *mm)
{
    if (!mm)
        return;
    for (unsigned i = 0; i < mm->nmaps; i++)
        if (mm->maps[i].owned)
            munmap(mm->maps[i].host, mm->maps[i].size);
    free(mm->maps);
    if (mm->ram)
        munmap(mm->ram, mm->ram_size);
    bus_free(mm->mmio);
    free(mm);
}

uint64_t memmap_ram_size(const struct memmap *mm) { return mm->ram_size; }
uint64_t memmap_ram_below_4g(const struct memmap *mm) { return mm->below; }
uint64_t memmap_ram_above_4g(const struct memmap *mm) { return mm->above; }
uint8_t *memmap_ram_base(const struct memmap *mm) { return mm->ram; }
struct bus *memmap_mmio_bus(struct memmap *mm) { return mm->mmio; }
uint64_t memmap_generation(const struct memmap *mm) { return mm->generation; }

void memmap_set_change_hook(struct memmap *mm, memmap_change_fn fn, void *opaque)
{
    mm->change = fn;
    mm->change_opaque = opaque;
}

void memmap_set_unclaimed_hook(struct memmap *mm, bus_unclaimed_fn fn, void *opaque)
{
    mm->unclaimed = fn;
    mm->unclaimed_opaque = opaque;
    bus_set_unclaimed_hook(mm->mmio, fn, opaque);
}

void memmap_changed(struct memmap *mm)
{
    mm->generation++;
    if (mm->change)
        mm->change(mm->change_opaque, mm);
}

/* Index of the first host map whose end is above addr. */
static unsigned map_lower_bound(const struct memmap *mm, uint64_t addr)
{
    unsigned lo = 0, hi = mm->nmaps;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (mm->maps[mid].base + (mm->maps[mid].size - 1) < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool range_ok(uint64_t base, uint64_t size)
{
    return size && base <= MEMMAP_PHYS_LIMIT && size - 1 <= MEMMAP_PHYS_LIMIT - base;
}

static bool overlaps_maps(const struct memmap *mm, uint64_t base, uint64_t size)
{
    unsigned i = map_lower_bound(mm, base);
    return i < mm->nmaps && mm->maps[i].base <= base + (size - 1);
}

static bool overlaps_mmio(struct memmap *mm, uint64_t base, uint64_t size)
{
    const struct bus_region *r = bus_next(mm->mmio, base);
    return r && r->base <= base + (size - 1);
}

bool memmap_map_host(struct memmap *mm, uint64_t base, uint64_t size,
                     uint8_t *host, bool writable, const char *name)
{
    if (!host || !range_ok(base, size) || ((base | size) & (MEMMAP_PAGE_SIZE - 1)) ||
        overlaps_maps(mm, base, size) || overlaps_mmio(mm, base, size))
        return false;
    if (mm->nmaps == mm->capmaps) {
        unsigned ncap = mm->capmaps ? mm->capmaps * 2 : 8;
        struct host_map *n = realloc(mm->maps, ncap * sizeof(*n));
        if (!n)
            return false;
        mm->maps = n;
        mm->capmaps = ncap;
    }
    unsigned i = map_lower_bound(mm, base);
    memmove(&mm->maps[i + 1], &mm->maps[i], (mm->nmaps - i) * sizeof(mm->maps[0]));
    mm->maps[i] = (struct host_map){ base, size, host, writable, false, name ? name : "?" };
    mm->nmaps++;
    memmap_changed(mm);
    return true;
}

uint8_t *memmap_add_rom(struct memmap *mm, uint64_t base, uint64_t size,
                        const void *data, size_t len, const char *name)
{
    if (len > size || !range_ok(base, size) || ((base | size) & (MEMMAP_PAGE_SIZE - 1)))
        return NULL;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    memset(p, 0xff, size);
    if (len)
        memcpy(p, data, len);
    if (!memmap_map_host(mm, base, size, p, false, name)) {
        munmap(p, size);
        return NULL;
    }
    mm->maps[map_lower_bound(mm, base)].owned = true;
    return p;
}

struct bus_region *memmap_add_mmio(struct memmap *mm, uint64_t base, uint64_t size,
                                   const struct bus_ops *ops, void *opaque,
                                   const char *name)
{
    if (!range_ok(base, size) || overlaps_maps(mm, base, size))
        return NULL;
    struct bus_region *r = bus_register(mm->mmio, base, size, ops, opaque, name);
    if (r)
        memmap_changed(mm);
    return r;
}

bool memmap_remove(struct memmap *mm, uint64_t base)
{
    unsigned i = map_lower_bound(mm, base);
    if (i < mm->nmaps && mm->maps[i].base == base) {
        if (mm->maps[i].owned)
            munmap(mm->maps[i].host, mm->maps[i].size);
        memmove(&mm->maps[i], &mm->maps[i + 1], (mm->nmaps - i - 1) * sizeof(mm->maps[0]));
        mm->nmaps--;
        memmap_changed(mm);
        return true;
    }
    const struct bus_region *r = bus_find(mm->mmio, base);
    if (r && r->base == base) {
        bus_unregister(mm->mmio, (struct bus_region *)r);
        memmap_changed(mm);
        return true;
    }
    return false;
}

void memmap_print(struct memmap *mm, FILE *out)
{
    fprintf(out, "memory (RAM %llu MiB):\n", (unsigned long long)(mm->ram_size >> 20));
    if (mm->below)
        fprintf(out, "  %016llx-%016llx ram (under overlays)\n", 0ull,
                (unsigned long long)(mm->below - 1));
    if (mm->above)
        fprintf(out, "  %016llx-%016llx ram (above 4 GiB)\n", (unsigned long long)MEMMAP_4G,
                (unsigned long long)(MEMMAP_4G + mm->above - 1));
    unsigned i = 0, j = 0, nm = bus_count(mm->mmio);
    while (i < mm->nmaps || j < nm) {
        const struct bus_region *r = j < nm ? bus_region_at(mm->mmio, j) : NULL;
        if (i < mm->nmaps && (!r || mm->maps[i].base < r->base)) {
            const struct host_map *m = &mm->maps[i++];
            fprintf(out, "  %016llx-%016llx %s %s\n", (unsigned long long)m->base,
                    (unsigned long long)(m->base + m->size - 1), m->writable ? "ram" : "rom",
                    m->name);
        } else {
            fprintf(out, "  %016llx-%016llx mmio %s\n", (unsigned long long)r->base,
                    (unsigned long long)(r->base + r->size - 1), r->name);
            j++;
        }
    }
}

/* Start of the next overlay (host or MMIO) strictly after addr, or ~0. */
static uint64_t next_overlay(struct memmap *mm, uint64_t addr)
{
    uint64_t next = ~0ull;
    unsigned i = map_lower_bound(mm, addr);
    if (i < mm->nmaps && mm->maps[i].base > addr)
        next = mm->maps[i].base;
    const struct bus_region *r = bus_next(mm->mmio, addr);
    if (r && r->base > addr && r->base < next)
        next = r->base;
    return next;
}

enum memmap_kind memmap_find(struct memmap *mm, uint64_t addr, struct memmap_hit *hit)
{
    memset(hit, 0, sizeof(*hit));
    hit->len = 1;
    if (addr > MEMMAP_PHYS_LIMIT)
        return hit->kind = MEMMAP_UNASSIGNED;
    const struct bus_region *r = bus_find(mm->mmio, addr);
    if (r) {
        hit->kind = MEMMAP_MMIO;
        hit->mmio = (struct bus_region *)r;
        hit->offset = addr - r->base;
        hit->len = r->size - hit->offset;
        return hit->kind;
    }
    unsigned i = map_lower_bound(mm, addr);
    if (i < mm->nmaps && mm->maps[i].base <= addr) {
        const struct host_map *m = &mm->maps[i];
        hit->kind = m->writable ? MEMMAP_RAM : MEMMAP_ROM;
        hit->host = m->host + (addr - m->base);
        hit->writable = m->writable;
        hit->len = m->size - (addr - m->base);
        return hit->kind;
    }
    uint64_t seg_end, ram_off;
    if (addr < mm->below) {
        seg_end = mm->below;
        ram_off = addr;
    } else if (addr >= MEMMAP_4G && addr - MEMMAP_4G < mm->above) {
        seg_end = MEMMAP_4G + mm->above;
        ram_off = mm->below + (addr - MEMMAP_4G);
    } else {
        /* Unassigned: runs until the next RAM segment or overlay. */
        uint64_t end = next_overlay(mm, addr);
        if (addr < MEMMAP_4G && mm->above && end > MEMMAP_4G)
            end = MEMMAP_4G;
        hit->kind = MEMMAP_UNASSIGNED;
        hit->len = end - addr;
        return hit->kind;
    }
    uint64_t end = next_overlay(mm, addr);
    if (end > seg_end)
        end = seg_end;
    hit->kind = MEMMAP_RAM;
    hit->host = mm->ram + ram_off;
    hit->writable = true;
    hit->len = end - addr;
    return hit->kind;
}

uint8_t *memmap_page_host(struct memmap *mm, uint64_t addr, bool *writable)
{
    struct memmap_hit h;
    uint64_t page = addr & ~(MEMMAP_PAGE_SIZE - 1);
    enum memmap_kind k = memmap_find(mm, page, &h);
    if ((k != MEMMAP_RAM && k != MEMMAP_ROM) || h.len < MEMMAP_PAGE_SIZE)
        return NULL;
    if (writable)
        *writable = h.writable;
    return h.host + (addr - page);
}

uint64_t memmap_load(struct memmap *mm, uint64_t addr, unsigned size)
{
    struct memmap_hit h;
    if (size == 0 || size > 8)
        return 0;
    enum memmap_kind k = memmap_find(mm, addr, &h);
    if (h.len < size) {
        /* Straddles two mappings: assemble byte by byte. */
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++)
            v |= memmap_load(mm, addr + i, 1) << (8 * i);
        return v;
    }
    if (k == MEMMAP_RAM || k == MEMMAP_ROM) {
        uint64_t v = 0;
        memcpy(&v, h.host, size);   /* little-endian host */
        return v;
    }
    return bus_read(mm->mmio, addr, size);
}

void memmap_store(struct memmap *mm, uint64_t addr, uint64_t value, unsigned size)
{
    struct memmap_hit h;
    if (size == 0 || size > 8)
        return;
    enum memmap_kind k = memmap_find(mm, addr, &h);
    if (h.len < size) {
        for (unsigned i = 0; i < size; i++)
            memmap_store(mm, addr + i, (value >> (8 * i)) & 0xff, 1);
        return;
    }
    if (k == MEMMAP_RAM || k == MEMMAP_ROM) {
        if (h.writable)
            memcpy(h.host, &value, size);
        else if (mm->unclaimed)
            mm->unclaimed(mm->unclaimed_opaque, mm->mmio, true, addr, size, value);
        return;
    }
    bus_write(mm->mmio, addr, value, size);
}

/* True if [addr, addr+len) is entirely host-backed (writable if want_write). */
static bool host_range(struct memmap *mm, uint64_t addr, size_t len, bool want_write)
{
    while (len) {
        struct memmap_hit h;
        enum memmap_kind k = memmap_find(mm, addr, &h);
        if (k != MEMMAP_RAM && k != MEMMAP_ROM)
            return false;
        if (want_write && !h.writable)
            return false;
        uint64_t n = h.len < len ? h.len : len;
        addr += n;
        len -= n;
        if (len && addr == 0)
            return false;   /* wrapped */
    }
    return true;
}

static int copy(struct memmap *mm, uint64_t addr, void *buf, size_t len, bool write)
{
    if (len && (addr > MEMMAP_PHYS_LIMIT || len - 1 > MEMMAP_PHYS_LIMIT - addr))
        return -1;
    if (!host_range(mm, addr, len, write))
        return -1;
    uint8_t *p = buf;
    while (len) {
        struct memmap_hit h;
        memmap_find(mm, addr, &h);
        size_t n = h.len < len ? h.len : len;
        if (write)
            memcpy(h.host, p, n);
        else
            memcpy(p, h.host, n);
        p += n;
        addr += n;
        len -= n;
    }
    return 0;
}

int memmap_read(struct memmap *mm, uint64_t addr, void *buf, size_t len)
{
    return copy(mm, addr, buf, len, false);
}

int memmap_write(struct memmap *mm, uint64_t addr, const void *buf, size_t len)
{
    return copy(mm, addr, (void *)buf, len, true);
}

uint8_t *memmap_ram_ptr(struct memmap *mm, uint64_t addr, size_t len)
{
    struct memmap_hit h;
    if (!len || memmap_find(mm, addr, &h) != MEMMAP_RAM || h.len < len)
        return NULL;
    return h.host;
}
