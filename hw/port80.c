/* SPDX-License-Identifier: MIT */
/* port80.c: POST code port: remembers the last code and optionally reports it. */
#include <stdlib.h>
#include "hw/port80.h"

struct port80 {
    struct bus *io;
    struct bus_region *reg;
    port80_fn log_fn;
    void *opaque;
    uint8_t last;
};

static uint64_t p80_read(void *opaque, uint64_t off, unsigned size) { return 0xff; }

static void p80_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct port80 *p = opaque;
    p->last = (uint8_t)val;
    if (p->log_fn)
        p->log_fn(p->opaque, p->last);
}

static const struct bus_ops p80_ops = { p80_read, p80_write, 1, 1, false };

struct port80 *port80_init(struct bus *io, uint16_t base, port80_fn log_fn, void *opaque)
{
    struct port80 *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->io = io;
    p->log_fn = log_fn;
    p->opaque = opaque;
    p->reg = bus_register(io, base, 1, &p80_ops, p, "port80");
    if (!p->reg) {
        free(p);
        return NULL;
    }
    return p;
}

void port80_free(struct port80 *p)
{
    if (!p)
        return;
    bus_unregister(p->io, p->reg);
    free(p);
}

uint8_t port80_last(const struct port80 *p) { return p->last; }
