/* SPDX-License-Identifier: MIT */
/* options_chardev.c: character backends and -serial, -monitor, -gdb. */
#include <stdlib.h>
#include <string.h>
#include "ui/options.h"

void opt_chardev_clear(struct kiln_chardev *ch)
{
    free(ch->path);
    free(ch->host);
    memset(ch, 0, sizeof(*ch));
    ch->kind = KILN_CHR_NONE;
}

/* Parses "HOST:PORT", "[V6]:PORT" or ":PORT" into ch->host/port. */
static int chardev_tcp_addr(struct opt_ctx *c, const char *addr, struct kiln_chardev *ch)
{
    const char *colon, *host = addr;
    size_t hostlen;
    uint64_t port;

    if (addr[0] == '[') {
        const char *close = strchr(addr, ']');
        if (close == NULL || close[1] != ':')
            return opt_fail(c, "invalid tcp address '%.80s' (tcp:[HOST]:PORT)", addr);
        host = addr + 1;
        hostlen = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = strrchr(addr, ':');
        if (colon == NULL)
            return opt_fail(c, "invalid tcp address '%.80s' (tcp:[HOST]:PORT)", addr);
        hostlen = (size_t)(colon - addr);
    }
    if (opt_parse_u64(colon + 1, &port) < 0 || port == 0 || port > 65535)
        return opt_fail(c, "invalid tcp port '%.80s' (1..65535)", colon + 1);
    if (hostlen > 0) {
        ch->host = strndup(host, hostlen);
        if (ch->host == NULL)
            return opt_fail(c, "out of memory");
    }
    ch->port = (uint16_t)port;
    return 0;
}

/* Parses the part after "tcp:": address and flags server, wait, nowait, nodelay. */
static int chardev_tcp(struct opt_ctx *c, const char *spec, struct kiln_chardev *ch)
{
    struct opt_kvlist l;
    int rc = opt_kv_parse(c, &l, spec, "addr");

    ch->kind = KILN_CHR_TCP;
    ch->wait = true;
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        const struct opt_kv *kv = &l.items[i];
        if (strcmp(kv->key, "addr") == 0 && i == 0) {
            rc = chardev_tcp_addr(c, kv->val, ch);
        } else if (strcmp(kv->key, "server") == 0) {
            rc = opt_kv_bool(c, kv, &ch->server);
        } else if (strcmp(kv->key, "wait") == 0) {
            rc = opt_kv_bool(c, kv, &ch->wait);
        } else if (strcmp(kv->key, "nowait") == 0 && !kv->has_val) {
            ch->wait = false;
        } else if (strcmp(kv->key, "nodelay") == 0) {
            rc = opt_kv_bool(c, kv, &ch->nodelay);
        } else {
            rc = opt_kv_unknown(c, kv);
        }
    }
    opt_kv_free(&l);
    if (rc == 0 && ch->port == 0)
        rc = opt_fail(c, "missing tcp address (tcp:[HOST]:PORT)");
    return rc;
}

int opt_chardev(struct opt_ctx *c, const char *spec, struct kiln_chardev *out, bool allow_mux)
{
    struct kiln_chardev ch = { .kind = KILN_CHR_NONE };
    int rc = 0;

    if (allow_mux && strncmp(spec, "mon:", 4) == 0) {
        ch.mux = true;
        spec += 4;
        if (strcmp(spec, "none") == 0 || strncmp(spec, "mon:", 4) == 0)
            return opt_fail(c, "invalid backend 'mon:%.80s'", spec);
    }
    if (strcmp(spec, "none") == 0) {
        ch.kind = KILN_CHR_NONE;
    } else if (strcmp(spec, "null") == 0) {
        ch.kind = KILN_CHR_NULL;
    } else if (strcmp(spec, "stdio") == 0) {
        ch.kind = KILN_CHR_STDIO;
    } else if (strncmp(spec, "file:", 5) == 0) {
        ch.kind = KILN_CHR_FILE;
        if (spec[5] == '\0')
            rc = opt_fail(c, "empty file name in 'file:'");
        else
            rc = opt_setstr(c, &ch.path, spec + 5);
    } else if (strcmp(spec, "pty") == 0) {
        ch.kind = KILN_CHR_PTY;
        rc = opt_need(c, KILN_FEAT_CHR_PTY);
    } else if (strncmp(spec, "tcp:", 4) == 0) {
        rc = chardev_tcp(c, spec + 4, &ch);
        if (rc == 0)
            rc = opt_need(c, KILN_FEAT_CHR_TCP);
        if (rc == 0 && !ch.server)
            rc = opt_need(c, KILN_FEAT_CHR_TCP_CLIENT);
    } else if (strncmp(spec, "vc", 2) == 0 && (spec[2] == '\0' || spec[2] == ':')) {
        rc = opt_fail(c, "'vc' is not supported (no virtual console; use stdio, null, "
                      "file:PATH, pty or tcp:...)");
    } else {
        size_t len = strcspn(spec, ":,");
        rc = opt_fail(c, "unknown backend '%.*s' (use stdio, null, none, file:PATH, pty "
                      "or tcp:[HOST]:PORT)", (int)(len > 80 ? 80 : len), spec);
    }
    if (rc < 0) {
        opt_chardev_clear(&ch);
        return -1;
    }
    opt_chardev_clear(out);
    *out = ch;
    return 0;
}

int opt_serial(struct opt_ctx *c, const char *arg)
{
    struct kiln_config *cfg = c->cfg;
    struct kiln_chardev ch = { .kind = KILN_CHR_NONE };

    if (opt_chardev(c, arg, &ch, true) < 0)
        return -1;
    if (!c->serial_given) {
        /* The first -serial replaces the default port. */
        for (unsigned i = 0; i < KILN_MAX_SERIALS; i++)
            opt_chardev_clear(&cfg->serial[i]);
        cfg->nserial = 0;
        c->serial_given = true;
    }
    if (ch.kind == KILN_CHR_NONE) {
        /* QEMU: -serial none means no serial ports at all. */
        for (unsigned i = 0; i < KILN_MAX_SERIALS; i++)
            opt_chardev_clear(&cfg->serial[i]);
        cfg->nserial = 0;
        return 0;
    }
    if (cfg->nserial == KILN_MAX_SERIALS) {
        opt_chardev_clear(&ch);
        return opt_fail(c, "too many serial ports (at most %d)", KILN_MAX_SERIALS);
    }
    if (opt_need(c, KILN_FEAT_SERIAL) < 0) {
        opt_chardev_clear(&ch);
        return -1;
    }
    cfg->serial[cfg->nserial++] = ch;
    return 0;
}

int opt_monitor(struct opt_ctx *c, const char *arg)
{
    struct kiln_chardev ch = { .kind = KILN_CHR_NONE };

    if (opt_chardev(c, arg, &ch, false) < 0)
        return -1;
    if (ch.kind != KILN_CHR_NONE && opt_need(c, KILN_FEAT_MONITOR) < 0) {
        opt_chardev_clear(&ch);
        return -1;
    }
    opt_chardev_clear(&c->cfg->monitor);
    c->cfg->monitor = ch;
    c->monitor_given = true;
    return 0;
}

int opt_gdb(struct opt_ctx *c, const char *arg)
{
    struct kiln_chardev ch = { .kind = KILN_CHR_NONE };

    if (strcmp(arg, "none") != 0) {
        if (strncmp(arg, "tcp:", 4) != 0)
            return opt_fail(c, "unsupported gdb connection '%.80s' (tcp::PORT, "
                            "tcp:HOST:PORT or none)", arg);
        if (chardev_tcp(c, arg + 4, &ch) < 0 || opt_need(c, KILN_FEAT_GDBSTUB) < 0) {
            opt_chardev_clear(&ch);
            return -1;
        }
        /* The stub always listens and never waits, as in QEMU. */
        ch.server = true;
        ch.wait = false;
        ch.nodelay = true;
    }
    opt_chardev_clear(&c->cfg->gdb);
    c->cfg->gdb = ch;
    return 0;
}
