/* SPDX-License-Identifier: MIT */
/* moo.c: bounds-checked parser for MOO CPU test files (gzip via zlib). */
#include "tests/cpu286/moo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* One chunk found inside a byte range. */
struct chunk {
    char id[5];
    const uint8_t *data;
    uint32_t len;
};

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Reads the chunk at *pos within base[0..len). Returns 1 and advances *pos
   past it, 0 at the end of the range, -1 if the chunk does not fit. */
static int next_chunk(const uint8_t *base, size_t len, size_t *pos, struct chunk *c)
{
    if (*pos >= len)
        return 0;
    if (len - *pos < 8)
        return -1;
    const uint8_t *p = base + *pos;
    for (int i = 0; i < 4; i++) {
        uint8_t ch = p[i];
        c->id[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
    }
    c->id[4] = 0;
    c->len = rd32(p + 4);
    if (c->len > len - *pos - 8)
        return -1;
    c->data = p + 8;
    *pos += 8 + (size_t)c->len;
    return 1;
}

static bool is_id(const struct chunk *c, const char *id)
{
    return memcmp(c->id, id, 4) == 0;
}

/* REGS / RMSK payload: u16 mask, then one u16 per set bit (in bit order). */
static bool parse_regs(const struct chunk *c, struct moo_regs *r)
{
    if (c->len < 2)
        return false;
    uint16_t mask = rd16(c->data);
    size_t need = 2;
    for (unsigned i = 0; i < 16; i++)
        if (mask & (1u << i))
            need += 2;
    if (c->len < need)
        return false;
    memset(r, 0, sizeof(*r));
    r->mask = mask & MOO_ALL_REGS;
    const uint8_t *p = c->data + 2;
    for (unsigned i = 0; i < 16; i++) {
        if (!(mask & (1u << i)))
            continue;
        if (i < MOO_NREGS)
            r->v[i] = rd16(p);
        p += 2;
    }
    return true;
}

static bool parse_ram(const struct chunk *c, struct moo_ram *ram)
{
    if (c->len < 4)
        return false;
    uint32_t n = rd32(c->data);
    if ((uint64_t)n * 5 > (uint64_t)c->len - 4)
        return false;
    ram->count = n;
    ram->data = c->data + 4;
    return true;
}

/* INIT / FINA payload. */
static bool parse_state(const struct chunk *outer, struct moo_state *s, const char **what)
{
    size_t pos = 0;
    struct chunk c;
    int r;
    memset(s, 0, sizeof(*s));
    while ((r = next_chunk(outer->data, outer->len, &pos, &c)) > 0) {
        if (is_id(&c, "REGS")) {
            if (!parse_regs(&c, &s->regs)) {
                *what = "bad REGS";
                return false;
            }
            s->has_regs = true;
        } else if (is_id(&c, "RMSK")) {
            if (!parse_regs(&c, &s->rmask)) {
                *what = "bad RMSK";
                return false;
            }
            s->has_rmask = true;
        } else if (is_id(&c, "RAM ")) {
            if (!parse_ram(&c, &s->ram)) {
                *what = "bad RAM";
                return false;
            }
        } else if (is_id(&c, "QUEU")) {
            if (c.len < 4 || rd32(c.data) > c.len - 4) {
                *what = "bad QUEU";
                return false;
            }
            s->queue_len = rd32(c.data);
        }
    }
    if (r < 0) {
        *what = "truncated subchunk";
        return false;
    }
    return true;
}

/* Length-prefixed byte string (NAME, BYTS). */
static bool parse_lstr(const struct chunk *c, const uint8_t **p, uint32_t *n)
{
    if (c->len < 4)
        return false;
    uint32_t l = rd32(c->data);
    if (l > c->len - 4)
        return false;
    *p = c->data + 4;
    *n = l;
    return true;
}

static bool parse_test(const struct chunk *tc, struct moo_test *t, const char **what)
{
    memset(t, 0, sizeof(*t));
    if (tc->len < 4) {
        *what = "TEST chunk too short";
        return false;
    }
    t->index = rd32(tc->data);
    const uint8_t *body = tc->data + 4;
    size_t blen = tc->len - 4, pos = 0;
    bool has_init = false, has_fina = false;
    struct chunk c;
    int r;
    while ((r = next_chunk(body, blen, &pos, &c)) > 0) {
        if (is_id(&c, "NAME")) {
            const uint8_t *p;
            if (!parse_lstr(&c, &p, &t->name_len)) {
                *what = "bad NAME";
                return false;
            }
            t->name = (const char *)p;
        } else if (is_id(&c, "BYTS")) {
            if (!parse_lstr(&c, &t->bytes, &t->nbytes)) {
                *what = "bad BYTS";
                return false;
            }
        } else if (is_id(&c, "INIT")) {
            if (!parse_state(&c, &t->init, what))
                return false;
            has_init = true;
        } else if (is_id(&c, "FINA")) {
            if (!parse_state(&c, &t->fina, what))
                return false;
            has_fina = true;
        } else if (is_id(&c, "CYCL")) {
            if (c.len < 4 || (uint64_t)rd32(c.data) * 15 > (uint64_t)c.len - 4) {
                *what = "bad CYCL";
                return false;
            }
            t->ncycles = rd32(c.data);
        } else if (is_id(&c, "EXCP")) {
            if (c.len < 5) {
                *what = "bad EXCP";
                return false;
            }
            t->has_exception = true;
            t->exc_number = c.data[0];
            t->exc_flag_addr = rd32(c.data + 1);
        } else if (is_id(&c, "HASH")) {
            if (c.len < 20) {
                *what = "bad HASH";
                return false;
            }
            t->has_hash = true;
            memcpy(t->hash, c.data, 20);
        }
    }
    if (r < 0) {
        *what = "truncated subchunk";
        return false;
    }
    if (!has_init || !t->init.has_regs) {
        *what = "no INIT registers";
        return false;
    }
    if (!has_fina) {
        *what = "no FINA state";
        return false;
    }
    return true;
}

static bool parse_header(struct moo_file *f, const struct chunk *c)
{
    if (c->len < 12)
        return false;
    f->version_major = c->data[0];
    f->version_minor = c->data[1];
    f->declared_count = rd32(c->data + 4);
    for (int i = 0; i < 4; i++) {
        uint8_t ch = c->data[8 + i];
        f->cpu[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
    }
    f->cpu[4] = 0;
    return true;
}

/* META: major, minor, cpu_type (u8 each), opcode u32, mnemonic[8], count u32,
   seed u64, cpu_mode u8, 3 reserved. Only the fields up to cpu_mode are needed. */
static void parse_meta(struct moo_file *f, const struct chunk *c)
{
    if (c->len < 28)
        return;
    f->has_meta = true;
    f->meta_opcode = rd32(c->data + 3);
    int n = 0;
    for (int i = 0; i < 8; i++) {
        uint8_t ch = c->data[7 + i];
        f->mnemonic[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
        if (ch != ' ')
            n = i + 1;
    }
    f->mnemonic[n] = 0;
    f->cpu_mode = c->data[27];
}

bool moo_parse(struct moo_file *f, uint8_t *buf, size_t len, char *err, size_t errlen)
{
    memset(f, 0, sizeof(*f));
    f->buf = buf;
    f->len = len;
    if (!buf) {
        seterr(err, errlen, "no data");
        return false;
    }
    size_t pos = 0, cap = 0;
    struct chunk c;
    int r = next_chunk(buf, len, &pos, &c);
    if (r <= 0 || !is_id(&c, "MOO ") || !parse_header(f, &c)) {
        seterr(err, errlen, "not a MOO file (no valid 'MOO ' header chunk)");
        return false;
    }
    while ((r = next_chunk(buf, len, &pos, &c)) > 0) {
        if (is_id(&c, "META")) {
            parse_meta(f, &c);
        } else if (is_id(&c, "RMSK")) {
            if (parse_regs(&c, &f->rmask))
                f->has_rmask = true;
        } else if (is_id(&c, "TEST")) {
            if (f->ntests == cap) {
                size_t ncap = cap ? cap * 2 : 1024;
                struct moo_test *nt = realloc(f->tests, ncap * sizeof(*nt));
                if (!nt) {
                    seterr(err, errlen, "out of memory");
                    return false;
                }
                f->tests = nt;
                cap = ncap;
            }
            const char *what = "?";
            if (!parse_test(&c, &f->tests[f->ntests], &what)) {
                seterr(err, errlen, "test #%zu (file offset %zu): %s", f->ntests,
                       (size_t)(c.data - buf) - 8, what);
                return false;
            }
            f->ntests++;
        }
    }
    if (r < 0) {
        seterr(err, errlen, "truncated chunk at file offset %zu after %zu tests", pos, f->ntests);
        return false;
    }
    if (f->ntests != f->declared_count) {
        seterr(err, errlen, "header declares %u tests, file holds %zu", f->declared_count,
               f->ntests);
        return false;
    }
    return true;
}

bool moo_load(struct moo_file *f, const char *path, size_t max_bytes, char *err, size_t errlen)
{
    memset(f, 0, sizeof(*f));
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        seterr(err, errlen, "%s: cannot open", path);
        return false;
    }
    size_t cap = 1 << 20, len = 0;
    uint8_t *buf = malloc(cap);
    bool ok = buf != NULL;
    while (ok) {
        if (len == cap) {
            if (cap >= max_bytes) {
                seterr(err, errlen, "%s: larger than %zu bytes", path, max_bytes);
                ok = false;
                break;
            }
            size_t ncap = cap * 2 > max_bytes ? max_bytes : cap * 2;
            uint8_t *nb = realloc(buf, ncap);
            if (!nb) {
                seterr(err, errlen, "%s: out of memory", path);
                ok = false;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t want = cap - len;
        if (want > (1u << 30))
            want = 1u << 30;
        int n = gzread(gz, buf + len, (unsigned)want);
        if (n < 0) {
            int e;
            seterr(err, errlen, "%s: %s", path, gzerror(gz, &e));
            ok = false;
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if (!ok && buf == NULL)
        seterr(err, errlen, "%s: out of memory", path);
    gzclose(gz);
    if (!ok) {
        free(buf);
        return false;
    }
    if (!moo_parse(f, buf, len, err, errlen)) {
        /* prefix the path to the parser's message */
        if (err && errlen) {
            char tmp[256];
            snprintf(tmp, sizeof(tmp), "%s", err);
            seterr(err, errlen, "%s: %s", path, tmp);
        }
        return false;
    }
    return true;
}

void moo_free(struct moo_file *f)
{
    free(f->tests);
    free(f->buf);
    memset(f, 0, sizeof(*f));
}

void moo_ram_entry(const struct moo_ram *ram, uint32_t i, uint32_t *addr, uint8_t *val)
{
    if (i >= ram->count) {
        *addr = 0;
        *val = 0;
        return;
    }
    const uint8_t *p = ram->data + (size_t)i * 5;
    *addr = rd32(p);
    *val = p[4];
}

const char *moo_reg_name(unsigned i)
{
    static const char *const names[MOO_NREGS] = {
        "ax", "bx", "cx", "dx", "cs", "ss", "ds", "es", "sp", "bp", "si", "di", "ip", "flags",
    };
    return i < MOO_NREGS ? names[i] : "?";
}

void moo_hash_hex(const uint8_t hash[20], char out[41])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 20; i++) {
        out[2 * i] = hex[hash[i] >> 4];
        out[2 * i + 1] = hex[hash[i] & 15];
    }
    out[40] = 0;
}
