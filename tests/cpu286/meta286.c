/* SPDX-License-Identifier: MIT */
/* meta286.c: tiny JSON scanner for metadata.json and the revocation-list reader. */
#include "tests/cpu286/meta286.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define JSON_MAX_DEPTH 32
#define JSON_KEY_MAX 32

/* Scanner state: the text, a cursor, the current key path and the result. */
struct jscan {
    const char *s;
    size_t len, pos;
    int depth;
    char path[JSON_MAX_DEPTH][JSON_KEY_MAX]; /* keys of the enclosing objects */
    struct m286_meta *m;
    const char *error;
    size_t cap;
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void skip_ws(struct jscan *j)
{
    while (j->pos < j->len && (j->s[j->pos] == ' ' || j->s[j->pos] == '\t' ||
                               j->s[j->pos] == '\n' || j->s[j->pos] == '\r'))
        j->pos++;
}

static bool fail(struct jscan *j, const char *msg)
{
    if (!j->error)
        j->error = msg;
    return false;
}

/* Reads a string token into out (truncated to outlen-1; escapes kept raw
   except \" and \\). */
static bool scan_string(struct jscan *j, char *out, size_t outlen)
{
    if (j->pos >= j->len || j->s[j->pos] != '"')
        return fail(j, "expected a string");
    j->pos++;
    size_t n = 0;
    while (j->pos < j->len) {
        char c = j->s[j->pos++];
        if (c == '"') {
            if (outlen)
                out[n] = 0;
            return true;
        }
        if ((unsigned char)c < 0x20)
            return fail(j, "control character in string");
        if (c == '\\') {
            if (j->pos >= j->len)
                break;
            c = j->s[j->pos++];
        }
        if (n + 1 < outlen)
            out[n++] = c;
    }
    return fail(j, "unterminated string");
}

/* The opcode entry the current path designates, created on first use.
   path[0] is the root object; paths: opcodes.<op> or opcodes.<op>.reg.<r>. */
static struct m286_op *entry_for_path(struct jscan *j)
{
    if (j->depth < 3 || strcmp(j->path[1], "opcodes") != 0)
        return NULL;
    int reg = -1;
    if (j->depth == 5 && strcmp(j->path[3], "reg") == 0) {
        char *end;
        long r = strtol(j->path[4], &end, 10);
        if (*end || end == j->path[4] || r < 0 || r > 7)
            return NULL;
        reg = (int)r;
    } else if (j->depth != 3) {
        return NULL;
    }
    const char *op = j->path[2];
    if (!*op || strlen(op) >= sizeof(((struct m286_op *)0)->opcode))
        return NULL;
    for (size_t i = 0; i < j->m->nops; i++) {
        struct m286_op *e = &j->m->ops[i];
        if (e->reg == reg && strcasecmp(e->opcode, op) == 0)
            return e;
    }
    if (j->m->nops == j->cap) {
        size_t ncap = j->cap ? j->cap * 2 : 256;
        struct m286_op *n = realloc(j->m->ops, ncap * sizeof(*n));
        if (!n) {
            fail(j, "out of memory");
            return NULL;
        }
        j->m->ops = n;
        j->cap = ncap;
    }
    struct m286_op *e = &j->m->ops[j->m->nops++];
    memset(e, 0, sizeof(*e));
    memcpy(e->opcode, op, strlen(op) + 1); /* length checked above */
    for (char *p = e->opcode; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    e->reg = reg;
    return e;
}

static bool scan_value(struct jscan *j, const char *key);

static bool scan_object(struct jscan *j)
{
    j->pos++; /* '{' */
    skip_ws(j);
    if (j->pos < j->len && j->s[j->pos] == '}') {
        j->pos++;
        return true;
    }
    for (;;) {
        char key[JSON_KEY_MAX];
        skip_ws(j);
        if (!scan_string(j, key, sizeof(key)))
            return false;
        skip_ws(j);
        if (j->pos >= j->len || j->s[j->pos] != ':')
            return fail(j, "expected ':'");
        j->pos++;
        skip_ws(j);
        if (!scan_value(j, key))
            return false;
        skip_ws(j);
        if (j->pos >= j->len)
            return fail(j, "unterminated object");
        char c = j->s[j->pos++];
        if (c == '}')
            return true;
        if (c != ',')
            return fail(j, "expected ',' or '}'");
    }
}

static bool scan_array(struct jscan *j)
{
    j->pos++; /* '[' */
    skip_ws(j);
    if (j->pos < j->len && j->s[j->pos] == ']') {
        j->pos++;
        return true;
    }
    for (;;) {
        skip_ws(j);
        if (!scan_value(j, NULL))
            return false;
        skip_ws(j);
        if (j->pos >= j->len)
            return fail(j, "unterminated array");
        char c = j->s[j->pos++];
        if (c == ']')
            return true;
        if (c != ',')
            return fail(j, "expected ',' or ']'");
    }
}

/* A value; key is its key in the enclosing object (NULL inside arrays). */
static bool scan_value(struct jscan *j, const char *key)
{
    if (j->pos >= j->len)
        return fail(j, "unexpected end of input");
    char c = j->s[j->pos];
    if (c == '{' || c == '[') {
        if (j->depth >= JSON_MAX_DEPTH)
            return fail(j, "nesting too deep");
        snprintf(j->path[j->depth], JSON_KEY_MAX, "%s", key ? key : "[]");
        j->depth++;
        bool ok = c == '{' ? scan_object(j) : scan_array(j);
        j->depth--;
        return ok;
    }
    if (c == '"') {
        char v[64];
        if (!scan_string(j, v, sizeof(v)))
            return false;
        if (key && strcmp(key, "status") == 0) {
            struct m286_op *e = entry_for_path(j);
            if (e) {
                size_t n = strlen(v);
                if (n >= sizeof(e->status))
                    n = sizeof(e->status) - 1;
                memcpy(e->status, v, n);
                e->status[n] = 0;
            }
        } else if (key) {
            entry_for_path(j); /* any key makes the entry exist */
        }
        return !j->error;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        size_t start = j->pos;
        while (j->pos < j->len && strchr("+-0123456789.eE", j->s[j->pos]))
            j->pos++;
        char num[40];
        size_t n = j->pos - start;
        if (n >= sizeof(num))
            return fail(j, "number too long");
        memcpy(num, j->s + start, n);
        num[n] = 0;
        char *end;
        double d = strtod(num, &end);
        if (*end)
            return fail(j, "bad number");
        if (key && strcmp(key, "flags-mask") == 0) {
            if (d < 0 || d > 65535 || d != (double)(long)d)
                return fail(j, "flags-mask out of range");
            struct m286_op *e = entry_for_path(j);
            if (e) {
                e->has_mask = true;
                e->flags_mask = (uint16_t)d;
            }
        }
        return !j->error;
    }
    static const char *const words[] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if (j->len - j->pos >= n && memcmp(j->s + j->pos, words[i], n) == 0) {
            j->pos += n;
            return true;
        }
    }
    return fail(j, "unexpected character");
}

bool m286_meta_parse(struct m286_meta *m, const char *text, size_t len, char *err, size_t errlen)
{
    memset(m, 0, sizeof(*m));
    struct jscan j = {.s = text, .len = len, .m = m};
    skip_ws(&j);
    bool ok = scan_value(&j, NULL);
    if (ok) {
        skip_ws(&j);
        if (j.pos != j.len)
            ok = fail(&j, "trailing characters");
    }
    if (!ok || j.error) {
        seterr(err, errlen, "metadata: %s at offset %zu", j.error ? j.error : "error", j.pos);
        m286_meta_free(m);
        return false;
    }
    return true;
}

char *m286_read_text(const char *path, size_t max_bytes, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = malloc(max_bytes + 1);
    size_t n = buf ? fread(buf, 1, max_bytes + 1, fp) : 0;
    bool bad = !buf || ferror(fp) || n > max_bytes;
    fclose(fp);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    if (len)
        *len = n;
    return buf;
}

bool m286_meta_load(struct m286_meta *m, const char *path, char *err, size_t errlen)
{
    size_t len;
    memset(m, 0, sizeof(*m));
    char *t = m286_read_text(path, 16u << 20, &len);
    if (!t) {
        seterr(err, errlen, "%s: cannot read", path);
        return false;
    }
    bool ok = m286_meta_parse(m, t, len, err, errlen);
    free(t);
    return ok;
}

void m286_meta_free(struct m286_meta *m)
{
    free(m->ops);
    memset(m, 0, sizeof(*m));
}

const struct m286_op *m286_meta_find(const struct m286_meta *m, const char *opcode, int reg)
{
    for (size_t i = 0; i < m->nops; i++)
        if (m->ops[i].reg == reg && strcasecmp(m->ops[i].opcode, opcode) == 0)
            return &m->ops[i];
    return NULL;
}

uint16_t m286_flags_mask(const struct m286_meta *m, const char *opcode, int reg)
{
    const struct m286_op *e = reg >= 0 ? m286_meta_find(m, opcode, reg) : NULL;
    if (e && e->has_mask)
        return e->flags_mask;
    e = m286_meta_find(m, opcode, -1);
    if (e && e->has_mask)
        return e->flags_mask;
    return 0xffff;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static int cmp_hash(const void *a, const void *b)
{
    return memcmp(a, b, 20);
}

bool m286_revoked_parse(struct m286_revoked *r, const char *text, size_t len, char *err,
                        size_t errlen)
{
    memset(r, 0, sizeof(*r));
    size_t pos = 0, cap = 0, line = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        line++;
        size_t a = pos, b = end;
        while (a < b && isspace((unsigned char)text[a]))
            a++;
        while (b > a && isspace((unsigned char)text[b - 1]))
            b--;
        pos = end + 1;
        if (a == b || text[a] == '#')
            continue;
        size_t tok = a; /* the hash is the first word; the rest of the line is a remark */
        while (tok < b && !isspace((unsigned char)text[tok]))
            tok++;
        uint8_t h[20];
        bool ok = tok - a == 40;
        for (size_t i = 0; ok && i < 20; i++) {
            int hi = hexval((unsigned char)text[a + 2 * i]);
            int lo = hexval((unsigned char)text[a + 2 * i + 1]);
            ok = hi >= 0 && lo >= 0;
            h[i] = (uint8_t)(hi << 4 | lo);
        }
        if (!ok) {
            seterr(err, errlen, "revocation list line %zu: not a 40-digit hex hash", line);
            m286_revoked_free(r);
            return false;
        }
        if (r->n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            uint8_t (*nh)[20] = realloc(r->hashes, ncap * sizeof(*nh));
            if (!nh) {
                seterr(err, errlen, "out of memory");
                m286_revoked_free(r);
                return false;
            }
            r->hashes = nh;
            cap = ncap;
        }
        memcpy(r->hashes[r->n++], h, 20);
    }
    if (r->n)
        qsort(r->hashes, r->n, 20, cmp_hash);
    return true;
}

bool m286_revoked_load(struct m286_revoked *r, const char *path, char *err, size_t errlen)
{
    size_t len;
    memset(r, 0, sizeof(*r));
    char *t = m286_read_text(path, 64u << 20, &len);
    if (!t) {
        seterr(err, errlen, "%s: cannot read", path);
        return false;
    }
    bool ok = m286_revoked_parse(r, t, len, err, errlen);
    free(t);
    return ok;
}

void m286_revoked_free(struct m286_revoked *r)
{
    free(r->hashes);
    memset(r, 0, sizeof(*r));
}

bool m286_is_revoked(const struct m286_revoked *r, const uint8_t hash[20])
{
    return r->n && bsearch(hash, r->hashes, r->n, 20, cmp_hash) != NULL;
}
