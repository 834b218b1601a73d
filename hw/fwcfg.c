/* SPDX-License-Identifier: MIT */
/* fwcfg.c: fw_cfg items, the file directory, the byte-wise data port and the DMA interface. */
#include <stdlib.h>
#include <string.h>
#include "hw/fwcfg.h"

#define NITEMS (FWCFG_FILE_FIRST + FWCFG_MAX_FILES)
#define DMA_CHUNK 4096u

struct item {
    const uint8_t *data;
    size_t len;
    uint8_t *owned;             /* freed with the item (NULL for references) */
};

struct fwcfg {
    struct bus *io;
    struct memmap *mm;
    struct bus_region *r_ctl, *r_dma;
    fwcfg_written_fn written;
    void *opaque;
    struct item item[NITEMS];
    char names[FWCFG_MAX_FILES][FWCFG_FILE_NAME];
    unsigned nfiles;
    uint16_t selector;
    size_t offset;
    uint8_t dma_addr[8];        /* big-endian address register */
    uint8_t dir[4 + FWCFG_MAX_FILES * 64];
};

static void be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void be32(uint8_t *p, uint32_t v) { be16(p, (uint16_t)(v >> 16)); be16(p + 2, (uint16_t)v); }
static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The item the selector names (the write channel bit and arch-local keys beyond the table read as empty). */
static const struct item *current(const struct fwcfg *f)
{
    static const struct item none = { NULL, 0, NULL };
    uint16_t key = f->selector & 0x3fff;

    return (f->selector & 0x8000) || key >= NITEMS ? &none : &f->item[key];
}

static void set_item(struct fwcfg *f, uint16_t key, const uint8_t *data, size_t len, uint8_t *owned)
{
    free(f->item[key].owned);
    f->item[key] = (struct item){ data, len, owned };
}

static bool add(struct fwcfg *f, uint16_t key, const void *data, size_t len, bool copy)
{
    if (key >= FWCFG_FILE_FIRST || key == FWCFG_FILE_DIR || (len && data == NULL))
        return false;
    if (!copy) {
        set_item(f, key, data, len, NULL);
        return true;
    }
    uint8_t *p = malloc(len ? len : 1);
    if (p == NULL)
        return false;
    if (len)
        memcpy(p, data, len);
    set_item(f, key, p, len, p);
    return true;
}

bool fwcfg_add_bytes(struct fwcfg *f, uint16_t key, const void *data, size_t len)
{
    return add(f, key, data, len, true);
}

bool fwcfg_add_ref(struct fwcfg *f, uint16_t key, const void *data, size_t len)
{
    return add(f, key, data, len, false);
}

static bool add_le(struct fwcfg *f, uint16_t key, uint64_t v, unsigned n)
{
    uint8_t b[8];
    for (unsigned i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return add(f, key, b, n, true);
}

bool fwcfg_add_u16(struct fwcfg *f, uint16_t key, uint16_t v) { return add_le(f, key, v, 2); }
bool fwcfg_add_u32(struct fwcfg *f, uint16_t key, uint32_t v) { return add_le(f, key, v, 4); }
bool fwcfg_add_u64(struct fwcfg *f, uint16_t key, uint64_t v) { return add_le(f, key, v, 8); }

/* Rebuilds FILE_DIR: count, then one 64-byte entry per file, all big-endian. */
static void rebuild_dir(struct fwcfg *f)
{
    memset(f->dir, 0, sizeof(f->dir));
    be32(f->dir, f->nfiles);
    for (unsigned i = 0; i < f->nfiles; i++) {
        uint8_t *e = f->dir + 4 + 64 * i;
        be32(e, (uint32_t)f->item[FWCFG_FILE_FIRST + i].len);
        be16(e + 4, (uint16_t)(FWCFG_FILE_FIRST + i));
        memcpy(e + 8, f->names[i], FWCFG_FILE_NAME);
    }
    f->item[FWCFG_FILE_DIR] = (struct item){ f->dir, 4 + 64 * (size_t)f->nfiles, NULL };
}

int fwcfg_add_file(struct fwcfg *f, const char *name, const void *data, size_t len)
{
    size_t nl = name ? strlen(name) : 0;
    unsigned i;

    if (nl == 0 || nl >= FWCFG_FILE_NAME || len > UINT32_MAX || (len && data == NULL))
        return -1;
    for (i = 0; i < f->nfiles; i++)
        if (strcmp(f->names[i], name) == 0)
            break;
    if (i == FWCFG_MAX_FILES)
        return -1;
    uint8_t *p = malloc(len ? len : 1);
    if (p == NULL)
        return -1;
    if (len)
        memcpy(p, data, len);
    if (i == f->nfiles) {
        memset(f->names[i], 0, FWCFG_FILE_NAME);
        memcpy(f->names[i], name, nl);
        f->nfiles++;
    }
    set_item(f, (uint16_t)(FWCFG_FILE_FIRST + i), p, len, p);
    rebuild_dir(f);
    return FWCFG_FILE_FIRST + (int)i;
}

size_t fwcfg_item_len(const struct fwcfg *f, uint16_t key)
{
    return key < NITEMS ? f->item[key].len : 0;
}

/* ---- the traditional interface: selector and data ports ---- */

static uint64_t ctl_read(void *opaque, uint64_t off, unsigned size)
{
    struct fwcfg *f = opaque;
    const struct item *it = current(f);

    if (off != 1 || size != 1)
        return 0;
    if (f->offset >= it->len)
        return 0;                       /* past the end: zeros */
    return it->data[f->offset++];
}

static void ctl_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct fwcfg *f = opaque;

    if (off == 0 && size == 2) {
        f->selector = (uint16_t)val;
        f->offset = 0;
    }
    /* Data port writes are ignored (no writable items), as in QEMU since 2.4. */
}

static const struct bus_ops ctl_ops = { ctl_read, ctl_write, 1, 2, false };

/* ---- DMA ---- */

/* Copies len bytes of the current item (zeros past its end) to guest addr. */
static bool dma_read(struct fwcfg *f, uint64_t addr, uint32_t len)
{
    const struct item *it = current(f);
    uint8_t zeros[DMA_CHUNK];

    memset(zeros, 0, sizeof(zeros));
    while (len > 0) {
        uint32_t n = len < DMA_CHUNK ? len : DMA_CHUNK;
        const uint8_t *src = zeros;
        if (f->offset < it->len) {
            if (n > it->len - f->offset)
                n = (uint32_t)(it->len - f->offset);
            src = it->data + f->offset;
        }
        if (addr + n < addr || memmap_write(f->mm, addr, src, n) < 0)
            return false;
        if (f->written)
            f->written(f->opaque, addr, n);
        f->offset += n;
        addr += n;
        len -= n;
    }
    return true;
}

static void dma_run(struct fwcfg *f, uint64_t ctl_addr)
{
    uint8_t d[16];

    if (f->mm == NULL || memmap_read(f->mm, ctl_addr, d, sizeof(d)) < 0)
        return;                         /* no control structure to report to */
    uint32_t control = get_be32(d);
    uint32_t len = get_be32(d + 4);
    uint64_t addr = (uint64_t)get_be32(d + 8) << 32 | get_be32(d + 12);
    bool ok = true;

    if (control & FWCFG_DMA_SELECT) {
        f->selector = (uint16_t)(control >> 16);
        f->offset = 0;
    }
    if (control & FWCFG_DMA_WRITE)
        ok = false;                     /* no writable items */
    else if (control & FWCFG_DMA_READ)
        ok = dma_read(f, addr, len);
    else if (control & FWCFG_DMA_SKIP)
        f->offset = f->offset + len < f->offset ? SIZE_MAX : f->offset + len;
    be32(d, ok ? 0 : FWCFG_DMA_ERROR);
    memmap_write(f->mm, ctl_addr, d, 4);
    if (f->written)
        f->written(f->opaque, ctl_addr, 4);
}

static uint64_t dma_reg_read(void *opaque, uint64_t off, unsigned size)
{
    static const char sig[8] = { 'Q', 'E', 'M', 'U', ' ', 'C', 'F', 'G' };
    uint64_t v = 0;

    (void)opaque;
    for (unsigned i = 0; i < size && off + i < 8; i++)
        v |= (uint64_t)(uint8_t)sig[off + i] << (8 * i);
    return v;
}

static void dma_reg_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct fwcfg *f = opaque;

    for (unsigned i = 0; i < size && off + i < 8; i++)
        f->dma_addr[off + i] = (uint8_t)(val >> (8 * i));
    if (off + size == 8) {              /* the low half completes the address */
        uint64_t a = (uint64_t)get_be32(f->dma_addr) << 32 | get_be32(f->dma_addr + 4);
        memset(f->dma_addr, 0, sizeof(f->dma_addr));
        dma_run(f, a);
    }
}

static const struct bus_ops dma_ops = { dma_reg_read, dma_reg_write, 1, 4, false };

/* ---- life cycle ---- */

struct fwcfg *fwcfg_init(struct bus *io, uint16_t base, struct memmap *mm,
                         fwcfg_written_fn written, void *opaque)
{
    struct fwcfg *f = calloc(1, sizeof(*f));

    if (f == NULL || base > 0xfff4)
        return free(f), NULL;
    f->io = io;
    f->mm = mm;
    f->written = written;
    f->opaque = opaque;
    f->r_ctl = bus_register(io, base, 2, &ctl_ops, f, "fw_cfg");
    f->r_dma = bus_register(io, base + 4u, 8, &dma_ops, f, "fw_cfg dma");
    if (f->r_ctl == NULL || f->r_dma == NULL) {
        fwcfg_free(f);
        return NULL;
    }
    add(f, FWCFG_SIGNATURE, "QEMU", 4, true);
    fwcfg_add_u32(f, FWCFG_ID, 0x3);    /* traditional interface and DMA */
    rebuild_dir(f);
    return f;
}

void fwcfg_reset(struct fwcfg *f)
{
    f->selector = 0;
    f->offset = 0;
    memset(f->dma_addr, 0, sizeof(f->dma_addr));
}

void fwcfg_free(struct fwcfg *f)
{
    if (f == NULL)
        return;
    for (unsigned i = 0; i < NITEMS; i++)
        free(f->item[i].owned);
    if (f->r_ctl)
        bus_unregister(f->io, f->r_ctl);
    if (f->r_dma)
        bus_unregister(f->io, f->r_dma);
    free(f);
}
