/* SPDX-License-Identifier: MIT */
/* acpi_aml.c: AML encoding helpers: integers, name strings, EISA ids, nested PkgLength constructs. */
#include <string.h>
#include "machine/acpi_aml.h"

void aml_init(struct aml *a, uint8_t *buf, size_t cap)
{
    memset(a, 0, sizeof(*a));
    a->buf = buf;
    a->cap = cap;
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
    if (a->err || n > a->cap - a->len) {
        a->err = true;
        return;
    }
    memcpy(a->buf + a->len, p, n);
    a->len += n;
}

void aml_byte(struct aml *a, uint8_t b)
{
    aml_bytes(a, &b, 1);
}

void aml_int(struct aml *a, uint64_t v)
{
    uint8_t b[9];
    unsigned n;

    if (v <= 1) {
        aml_byte(a, v ? AML_ONE : AML_ZERO);
        return;
    }
    if (v <= 0xff)
        b[0] = AML_BYTE, n = 1;
    else if (v <= 0xffff)
        b[0] = AML_WORD, n = 2;
    else if (v <= 0xffffffffull)
        b[0] = AML_DWORD, n = 4;
    else
        b[0] = 0x0e, n = 8;                     /* QWordPrefix */
    for (unsigned i = 0; i < n; i++)
        b[1 + i] = (uint8_t)(v >> (8 * i));
    aml_bytes(a, b, 1 + n);
}

void aml_name(struct aml *a, const char *path)
{
    const char *seg[8];
    size_t seglen[8];
    unsigned nseg = 0;

    while (*path == '\\' || *path == '^')
        aml_byte(a, (uint8_t)*path++);
    while (*path) {
        const char *dot = strchr(path, '.');
        size_t l = dot ? (size_t)(dot - path) : strlen(path);
        if (l == 0 || l > 4 || nseg == 8) {
            a->err = true;
            return;
        }
        seg[nseg] = path;
        seglen[nseg++] = l;
        path += l + (dot ? 1 : 0);
    }
    if (nseg == 0) {
        aml_byte(a, 0x00);                      /* NullName */
        return;
    }
    if (nseg == 2)
        aml_byte(a, 0x2e);                      /* DualNamePrefix */
    else if (nseg > 2) {
        aml_byte(a, 0x2f);                      /* MultiNamePrefix */
        aml_byte(a, (uint8_t)nseg);
    }
    for (unsigned i = 0; i < nseg; i++) {
        char s[4] = { '_', '_', '_', '_' };
        memcpy(s, seg[i], seglen[i]);
        aml_bytes(a, s, 4);
    }
}

void aml_eisaid(struct aml *a, const char *id)
{
    uint32_t v = 0;

    if (strlen(id) != 7) {
        a->err = true;
        return;
    }
    /* Three letters of 5 bits (A = 1), then four hex digits; stored big-endian. */
    uint16_t letters = (uint16_t)(((id[0] - 0x40) & 0x1f) << 10 | ((id[1] - 0x40) & 0x1f) << 5 |
                                  ((id[2] - 0x40) & 0x1f));
    uint16_t digits = 0;
    for (int i = 3; i < 7; i++) {
        char c = id[i];
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;
        if (d > 15) {
            a->err = true;
            return;
        }
        digits = (uint16_t)(digits << 4 | d);
    }
    v = (uint32_t)(letters >> 8) | (uint32_t)(letters & 0xff) << 8 | (uint32_t)(digits >> 8) << 16 |
        (uint32_t)(digits & 0xff) << 24;
    aml_byte(a, AML_DWORD);
    for (unsigned i = 0; i < 4; i++)
        aml_byte(a, (uint8_t)(v >> (8 * i)));
}

void aml_open(struct aml *a, const uint8_t *op, size_t n)
{
    aml_bytes(a, op, n);
    if (a->depth == AML_MAX_DEPTH)
        a->err = true;
    if (a->err)
        return;
    a->open[a->depth++] = a->len;
    aml_byte(a, 0);                             /* one PkgLength byte; widened at close */
}

void aml_close(struct aml *a)
{
    if (a->err || a->depth == 0) {
        a->err = true;
        return;
    }
    size_t at = a->open[--a->depth];
    size_t body = a->len - at - 1;
    unsigned n = body + 1 <= 0x3f ? 1 : body + 2 <= 0xfff ? 2 : body + 3 <= 0xfffff ? 3 : 4;
    size_t total = body + n;                    /* PkgLength counts its own bytes */
    if (total > 0xfffffff || n - 1 > a->cap - a->len) {
        a->err = true;
        return;
    }
    uint8_t enc[4];
    if (n == 1) {
        enc[0] = (uint8_t)total;
    } else {
        enc[0] = (uint8_t)((n - 1) << 6 | (total & 0xf));
        for (unsigned i = 1; i < n; i++)
            enc[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
    }
    memmove(a->buf + at + n, a->buf + at + 1, body);
    memcpy(a->buf + at, enc, n);
    a->len += n - 1;
}

size_t aml_finish(struct aml *a)
{
    return a->err || a->depth ? 0 : a->len;
}
