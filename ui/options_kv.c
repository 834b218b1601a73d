/* SPDX-License-Identifier: MIT */
/* options_kv.c: parser plumbing: error messages, key=value lists, numbers and sizes. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "ui/options.h"

int opt_fail(struct opt_ctx *c, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (c->err == NULL || c->errlen == 0)
        return -1;
    n = snprintf(c->err, c->errlen, "kiln: %s: ", c->opt ? c->opt : "error");
    if (n >= 0 && (size_t)n < c->errlen) {
        va_start(ap, fmt);
        vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    /* The message quotes user text: keep it on one printable line. */
    for (char *p = c->err; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return -1;
}

int opt_need(struct opt_ctx *c, enum kiln_feature f)
{
    if (c->built & KILN_FEAT_BIT(f))
        return 0;
    return opt_fail(c, "%s is not built yet", kiln_feature_what(f));
}

int opt_setstr(struct opt_ctx *c, char **dst, const char *s)
{
    char *copy = strdup(s);

    if (copy == NULL)
        return opt_fail(c, "out of memory");
    free(*dst);
    *dst = copy;
    return 0;
}

/* Copies a value up to a single ',' or the end, turning ",," into ','. */
static const char *kv_copy_value(const char *p, char **w)
{
    char *q = *w;

    while (*p) {
        if (*p == ',') {
            if (p[1] != ',')
                break;
            p++;
        }
        *q++ = *p++;
    }
    *q++ = '\0';
    *w = q;
    return p;
}

int opt_kv_parse(struct opt_ctx *c, struct opt_kvlist *l, const char *s, const char *implied)
{
    const char *p = s;
    char *w;

    memset(l, 0, sizeof(*l));
    if (*s == '\0')
        return opt_fail(c, "empty argument");
    l->buf = malloc(strlen(s) + 1);
    if (l->buf == NULL)
        return opt_fail(c, "out of memory");
    w = l->buf;
    for (;;) {
        struct opt_kv *kv;
        size_t nlen = strcspn(p, "=,");

        if (l->n == OPT_KV_MAX)
            return opt_fail(c, "too many parameters (at most %d)", OPT_KV_MAX);
        kv = &l->items[l->n];
        if (l->n == 0 && implied != NULL && p[nlen] != '=') {
            kv->key = implied;
            kv->val = w;
            kv->has_val = true;
            p = kv_copy_value(p, &w);
            if (kv->val[0] == '\0')
                return opt_fail(c, "empty parameter in '%.80s'", s);
        } else {
            if (nlen == 0)
                return opt_fail(c, p[0] == '=' ? "empty parameter name in '%.80s'"
                                               : "empty parameter in '%.80s'", s);
            kv->key = w;
            memcpy(w, p, nlen);
            w += nlen;
            *w++ = '\0';
            p += nlen;
            if (*p == '=') {
                kv->val = w;
                kv->has_val = true;
                p = kv_copy_value(p + 1, &w);
            } else {
                kv->val = "on";
                kv->has_val = false;
            }
        }
        l->n++;
        if (*p == '\0')
            return 0;
        p++; /* the separating comma */
        if (*p == '\0')
            return opt_fail(c, "trailing comma in '%.80s'", s);
    }
}

void opt_kv_free(struct opt_kvlist *l)
{
    free(l->buf);
    l->buf = NULL;
    l->n = 0;
}

int opt_kv_unknown(struct opt_ctx *c, const struct opt_kv *kv)
{
    return opt_fail(c, "unknown parameter '%.80s'", kv->key);
}

int opt_kv_bool(struct opt_ctx *c, const struct opt_kv *kv, bool *out)
{
    static const char *const yes[] = { "on", "yes", "true" };
    static const char *const no[] = { "off", "no", "false" };

    for (size_t i = 0; i < 3; i++) {
        if (strcmp(kv->val, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(kv->val, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return opt_fail(c, "%.40s: expected on or off, not '%.80s'", kv->key, kv->val);
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Parses leading digits of s (hex after 0x); *end gets the first other char. */
static int parse_digits(const char *s, uint64_t *out, const char **end)
{
    uint64_t v = 0;
    unsigned base = 10;
    const char *p = s;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    if (hexval(*p) < 0 || (unsigned)hexval(*p) >= base)
        return -1;
    for (; hexval(*p) >= 0 && (unsigned)hexval(*p) < base; p++) {
        uint64_t d = (uint64_t)hexval(*p);
        if (v > (UINT64_MAX - d) / base)
            return -1;
        v = v * base + d;
    }
    *out = v;
    *end = p;
    return base;
}

int opt_parse_u64(const char *s, uint64_t *out)
{
    const char *end;
    uint64_t v;

    if (s == NULL || parse_digits(s, &v, &end) < 0 || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

int opt_kv_uint(struct opt_ctx *c, const struct opt_kv *kv, uint64_t min, uint64_t max,
                uint64_t *out)
{
    uint64_t v;

    if (!kv->has_val || opt_parse_u64(kv->val, &v) < 0)
        return opt_fail(c, "invalid value '%.80s' for %.40s", kv->has_val ? kv->val : "",
                        kv->key);
    if (v < min || v > max)
        return opt_fail(c, "%.40s must be between %llu and %llu, not '%.80s'", kv->key,
                        (unsigned long long)min, (unsigned long long)max, kv->val);
    *out = v;
    return 0;
}

int opt_parse_size(const char *s, unsigned unit_shift, uint64_t *out)
{
    uint64_t ip, frac = 0, fden = 1, v;
    unsigned shift = unit_shift;
    const char *p;
    int base;
    bool has_frac = false;

    if (s == NULL || (base = parse_digits(s, &ip, &p)) < 0)
        return -1;
    if (*p == '.' && base == 10) {
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (fden < UINT64_C(1000000000000000000)) {
                frac = frac * 10 + (uint64_t)(*p - '0');
                fden *= 10;
            }
        }
        has_frac = true;
    }
    if (*p != '\0') {
        switch (*p) {
        case 'b': case 'B': shift = 0; break;
        case 'k': case 'K': shift = 10; break;
        case 'm': case 'M': shift = 20; break;
        case 'g': case 'G': shift = 30; break;
        case 't': case 'T': shift = 40; break;
        case 'p': case 'P': shift = 50; break;
        case 'e': case 'E': shift = 60; break;
        default: return -1;
        }
        p++;
        if (*p != '\0')
            return -1;
    }
    if (shift >= 64 || ip > (UINT64_MAX >> shift))
        return -1;
    v = ip << shift;
    if (has_frac && frac != 0) {
        unsigned __int128 f = ((unsigned __int128)frac << shift) / fden;
        if (shift == 0 || v > UINT64_MAX - (uint64_t)f)
            return -1;
        v += (uint64_t)f;
    }
    *out = v;
    return 0;
}
