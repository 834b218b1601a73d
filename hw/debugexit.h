/* SPDX-License-Identifier: MIT */
/* debugexit.h: isa-debug-exit, the port write that ends the emulator (test harnesses). */
#ifndef KILN_HW_DEBUGEXIT_H
#define KILN_HW_DEBUGEXIT_H

#include <stdint.h>
#include "machine/bus.h"

/* Asked to end the machine with this process exit status. */
typedef void (*debugexit_fn)(void *opaque, int status);

struct debugexit;

/*
 * Claims [iobase, iobase + iosize) (QEMU's defaults: 0x501, 2). A write of
 * value v (of the access width) calls exit_fn with status (v << 1) | 1,
 * exactly like QEMU's isa-debug-exit. Reads return 0.
 */
struct debugexit *debugexit_init(struct bus *io, uint16_t iobase, uint16_t iosize,
                                 debugexit_fn exit_fn, void *opaque);
void debugexit_free(struct debugexit *d);

#endif
