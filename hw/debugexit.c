/* SPDX-License-Identifier: MIT */
/* debugexit.c: isa-debug-exit: a guest write becomes the emulator's exit status. */
#include <stdlib.h>
#include "hw/debugexit.h"

struct debugexit {
    struct bus *io;
    struct bus_region *reg;
    debugexit_fn exit_fn;
    void *opaque;
};

static uint64_t de_read(void *opaque, uint64_t off, unsigned size) { return 0; }

static void de_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct debugexit *d = opaque;
    /* The status is an int; like QEMU's exit((val << 1) | 1) the OS keeps the low byte. */
    int status = (int)(((uint32_t)val << 1) | 1);
    if (d->exit_fn)
        d->exit_fn(d->opaque, status);
}

static const struct bus_ops de_ops = { de_read, de_write, 1, 4, true };

struct debugexit *debugexit_init(struct bus *io, uint16_t iobase, uint16_t iosize,
                                 debugexit_fn exit_fn, void *opaque)
{
    struct debugexit *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->io = io;
    d->exit_fn = exit_fn;
    d->opaque = opaque;
    d->reg = bus_register(io, iobase, iosize ? iosize : 1, &de_ops, d, "isa-debug-exit");
    if (!d->reg) {
        free(d);
        return NULL;
    }
    return d;
}

void debugexit_free(struct debugexit *d)
{
    if (!d)
        return;
    bus_unregister(d->io, d->reg);
    free(d);
}
