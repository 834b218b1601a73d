/* SPDX-License-Identifier: MIT */
/* gdbstub_pkt.h: the packet layer of the gdbstub (ui/gdbstub_pkt.c), for ui/gdbstub.c. */
#ifndef KILN_UI_GDBSTUB_PKT_H
#define KILN_UI_GDBSTUB_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ui/gdbstub.h"

#define PKT_MAX 4096         /* PacketSize we announce (payload bytes) */

/* Next input byte, blocking (the target's wait hook runs meanwhile); -1 when the connection is gone. */
int gdbpkt_get_byte(struct gdbstub *g);
/* True when an input byte is already waiting (buffered or readable now). */
bool gdbpkt_byte_ready(struct gdbstub *g);
/* Sends $data#checksum (escaping as needed) and waits for the ack unless in no-ack mode. */
bool gdbpkt_send(struct gdbstub *g, const char *data, size_t len);
bool gdbpkt_send_str(struct gdbstub *g, const char *s);
/* Receives one packet's payload into buf (acked, unescaped, NUL-terminated); returns its
   length, -2 for a Ctrl-C (0x03) byte outside a packet, -1 when the connection is gone. */
long gdbpkt_recv(struct gdbstub *g, char *buf, size_t cap);
/* Hex: n bytes to 2n digits (NUL-terminated); 2n digits to n bytes (false on a bad digit). */
void gdbpkt_to_hex(char *out, const uint8_t *b, size_t n);
bool gdbpkt_from_hex(const char *s, uint8_t *b, size_t n);
/* Parses hex digits at *p into *v, advancing *p; false when there are none or more than 16. */
bool gdbpkt_parse_hex(const char **p, uint64_t *v);
/* Consumes the character c at *p; false if another one is there. */
bool gdbpkt_expect(const char **p, char c);

#endif
