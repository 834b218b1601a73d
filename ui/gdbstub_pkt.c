/* SPDX-License-Identifier: MIT */
/* gdbstub_pkt.c: the gdbstub's packet layer: buffered socket input, $...#cs framing with acks, hex helpers. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ui/gdbstub_pkt.h"

/* ------------------------------------------------------------------ byte I/O */

/* Next input byte, blocking; -1 when the connection is gone. */
int gdbpkt_get_byte(struct gdbstub *g)
{
    if (g->rpos == g->rlen) {
        ssize_t n;
        if (g->ops->wait && !g->ops->wait(g->opaque, g->fd))
            return -1;
        do
            n = read(g->fd, g->rbuf, sizeof(g->rbuf));
        while (n < 0 && errno == EINTR);
        if (n <= 0)
            return -1;
        g->rpos = 0;
        g->rlen = (size_t)n;
    }
    return g->rbuf[g->rpos++];
}

/* True when a byte is ready without blocking. */
bool gdbpkt_byte_ready(struct gdbstub *g)
{
    if (g->rpos < g->rlen)
        return true;
    struct pollfd p = { .fd = g->fd, .events = POLLIN };
    return poll(&p, 1, 0) > 0;
}

static bool put_all(struct gdbstub *g, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = send(g->fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static const char hexd[] = "0123456789abcdef";

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Sends "$data#cs" (data escaped for #$}*), waiting for '+' unless no-ack mode. */
bool gdbpkt_send(struct gdbstub *g, const char *data, size_t len)
{
    char *pkt = malloc(2 * len + 8);
    if (!pkt)
        return false;
    size_t n = 0;
    uint8_t sum = 0;
    pkt[n++] = '$';
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (c == '#' || c == '$' || c == '}' || c == '*') {
            pkt[n++] = '}';
            sum += '}';
            c ^= 0x20;
        }
        pkt[n++] = c;
        sum += (uint8_t)c;
    }
    pkt[n++] = '#';
    pkt[n++] = hexd[sum >> 4];
    pkt[n++] = hexd[sum & 15];
    bool ok = false;
    for (int tries = 0; tries < 5; tries++) {
        if (!put_all(g, pkt, n))
            break;
        if (g->noack) {
            ok = true;
            break;
        }
        int c;
        do
            c = gdbpkt_get_byte(g);
        while (c != '+' && c != '-' && c != -1 && c != 0x03);
        if (c == '+' || c == 0x03) { /* a stray Ctrl-C while stopped is dropped */
            ok = true;
            break;
        }
        if (c == -1)
            break;
    }
    free(pkt);
    return ok;
}

bool gdbpkt_send_str(struct gdbstub *g, const char *s)
{
    return gdbpkt_send(g, s, strlen(s));
}

/* Receives one packet into buf (NUL-terminated, escapes undone). Returns its
   length, -1 on disconnect, -2 for a Ctrl-C byte outside a packet. */
long gdbpkt_recv(struct gdbstub *g, char *buf, size_t cap)
{
    for (;;) {
        int c;
        do {
            c = gdbpkt_get_byte(g);
            if (c == 0x03)
                return -2;
        } while (c != '$' && c != -1);
        if (c == -1)
            return -1;
        size_t n = 0;
        uint8_t sum = 0;
        bool overflow = false, esc = false;
        for (;;) {
            c = gdbpkt_get_byte(g);
            if (c == -1)
                return -1;
            if (c == '#')
                break;
            sum += (uint8_t)c;
            if (esc) {
                c ^= 0x20;
                esc = false;
            } else if (c == '}') {
                esc = true;
                continue;
            }
            if (n + 1 < cap)
                buf[n++] = (char)c;
            else
                overflow = true;
        }
        int h = gdbpkt_get_byte(g), l = gdbpkt_get_byte(g);
        if (h == -1 || l == -1)
            return -1;
        bool good = hexval(h) >= 0 && hexval(l) >= 0 && (uint8_t)(hexval(h) * 16 + hexval(l)) == sum;
        if (g->noack) {
            if (!good || overflow)
                continue; /* nothing to do but drop it */
        } else {
            if (!put_all(g, good && !overflow ? "+" : "-", 1))
                return -1;
            if (!good || overflow)
                continue;
        }
        buf[n] = '\0';
        g->packets++;
        return (long)n;
    }
}

/* ------------------------------------------------------------------ helpers */

void gdbpkt_to_hex(char *out, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexd[b[i] >> 4];
        out[2 * i + 1] = hexd[b[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Decodes exactly n bytes of hex from s; false on a bad digit or short input. */
bool gdbpkt_from_hex(const char *s, uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int h = hexval((unsigned char)s[2 * i]), l = h < 0 ? -1 : hexval((unsigned char)s[2 * i + 1]);
        if (h < 0 || l < 0)
            return false;
        b[i] = (uint8_t)(h * 16 + l);
    }
    return true;
}

/* Parses a hex number ending at a char of `stops` (or NUL); advances *p past it. */
bool gdbpkt_parse_hex(const char **p, uint64_t *v)
{
    const char *s = *p;
    uint64_t x = 0;
    int d, nd = 0;
    while ((d = hexval((unsigned char)*s)) >= 0) {
        if (nd++ >= 16)
            return false;
        x = x << 4 | (uint64_t)d;
        s++;
    }
    if (nd == 0)
        return false;
    *v = x;
    *p = s;
    return true;
}

bool gdbpkt_expect(const char **p, char c)
{
    if (**p != c)
        return false;
    (*p)++;
    return true;
}
