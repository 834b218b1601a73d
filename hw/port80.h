/* SPDX-License-Identifier: MIT */
/* port80.h: the POST diagnostic port (also used by OSes as an I/O delay). */
#ifndef KILN_HW_PORT80_H
#define KILN_HW_PORT80_H

#include <stdint.h>
#include "machine/bus.h"

/* Told about each POST code written (e.g. to log it); may be NULL. */
typedef void (*port80_fn)(void *opaque, uint8_t code);

struct port80;

/* Claims one port at base (0x80). Writes are recorded; reads return 0xff. */
struct port80 *port80_init(struct bus *io, uint16_t base, port80_fn log_fn, void *opaque);
void port80_free(struct port80 *p);
/* The last POST code written (0 if none). */
uint8_t port80_last(const struct port80 *p);

#endif
