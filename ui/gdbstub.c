/* SPDX-License-Identifier: MIT */
/* gdbstub.c: GDB remote serial protocol: packet framing, acks, queries and commands. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "ui/gdbstub.h"
#include "ui/monitor.h"

#define PKT_MAX 4096         /* PacketSize we announce (payload bytes) */
#define MEM_MAX 2048         /* largest m/M transfer (hex doubles it) */

enum { SIGINT_GDB = 2, SIGTRAP_GDB = 5 };

void gdbstub_init(struct gdbstub *g, int fd, const struct gdb_target_ops *ops, void *opaque,
                  struct monitor *mon)
{
    memset(g, 0, sizeof(*g));
    g->fd = fd;
    g->ops = ops;
    g->opaque = opaque;
    g->mon = mon;
    g->last_signal = SIGTRAP_GDB;
}

/* ------------------------------------------------------------------ byte I/O */

/* Next input byte, blocking; -1 when the connection is gone. */
static int get_byte(struct gdbstub *g)
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
static bool byte_ready(struct gdbstub *g)
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
static bool send_packet(struct gdbstub *g, const char *data, size_t len)
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
            c = get_byte(g);
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

static bool send_str(struct gdbstub *g, const char *s)
{
    return send_packet(g, s, strlen(s));
}

/* Receives one packet into buf (NUL-terminated, escapes undone). Returns its
   length, -1 on disconnect, -2 for a Ctrl-C byte outside a packet. */
static long recv_packet(struct gdbstub *g, char *buf, size_t cap)
{
    for (;;) {
        int c;
        do {
            c = get_byte(g);
            if (c == 0x03)
                return -2;
        } while (c != '$' && c != -1);
        if (c == -1)
            return -1;
        size_t n = 0;
        uint8_t sum = 0;
        bool overflow = false, esc = false;
        for (;;) {
            c = get_byte(g);
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
        int h = get_byte(g), l = get_byte(g);
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

static void to_hex(char *out, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexd[b[i] >> 4];
        out[2 * i + 1] = hexd[b[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Decodes exactly n bytes of hex from s; false on a bad digit or short input. */
static bool from_hex(const char *s, uint8_t *b, size_t n)
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
static bool parse_hex(const char **p, uint64_t *v)
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

static bool expect(const char **p, char c)
{
    if (**p != c)
        return false;
    (*p)++;
    return true;
}

/* ------------------------------------------------------------------ commands */

static void reply_stop(struct gdbstub *g, int sig)
{
    char b[64];
    g->last_signal = sig;
    snprintf(b, sizeof(b), "T%02xthread:01;", sig);
    send_str(g, b);
}

/* Stop reply for a breakpoint or a watchpoint ("watch:ADDR;" and co.: the
   guest stopped after the accessing instruction). */
static void reply_break(struct gdbstub *g)
{
    static const char *const why[] = { [GDB_BP_WRITE] = "watch", [GDB_BP_READ] = "rwatch",
                                       [GDB_BP_ACCESS] = "awatch" };
    enum gdb_bp type;
    uint64_t addr;
    char b[96];
    g->last_signal = SIGTRAP_GDB;
    if (g->ops->watch_hit && g->ops->watch_hit(g->opaque, &type, &addr) && type >= GDB_BP_WRITE &&
        type <= GDB_BP_ACCESS) {
        snprintf(b, sizeof(b), "T05thread:01;%s:%" PRIx64 ";", why[type], addr);
        send_str(g, b);
        return;
    }
    /* "swbreak"/"hwbreak" stop reasons let gdb skip its own PC adjustment. */
    struct gdb_regs r;
    g->ops->get_regs(g->opaque, &r);
    for (unsigned i = 0; i < g->nhwbp; i++) {
        if (g->hwbp[i] == r.rip) {
            send_str(g, "T05thread:01;hwbreak:;");
            return;
        }
    }
    send_str(g, "T05thread:01;swbreak:;");
}

/* Keeps the Z1 set (for the stop reason) in step with the target's. */
static void note_hwbp(struct gdbstub *g, uint64_t addr, bool insert)
{
    for (unsigned i = 0; i < g->nhwbp; i++) {
        if (g->hwbp[i] == addr) {
            if (!insert)
                g->hwbp[i] = g->hwbp[--g->nhwbp];
            return;
        }
    }
    if (insert && g->nhwbp < sizeof(g->hwbp) / sizeof(g->hwbp[0]))
        g->hwbp[g->nhwbp++] = addr;
}

/* Resumes the target until it stops; returns false when it exited. */
static bool do_resume(struct gdbstub *g, bool step)
{
    for (;;) {
        enum gdb_run r = g->ops->run(g->opaque, step);
        if (r == GDB_RUN_EXITED) {
            send_str(g, "W00");
            return false;
        }
        if (r == GDB_RUN_BREAK) {
            reply_break(g);
            return true;
        }
        if (r == GDB_RUN_FAULT) {
            reply_stop(g, 11);
            return true;
        }
        if (r == GDB_RUN_INTERRUPTED) {
            reply_stop(g, SIGINT_GDB);
            return true;
        }
        if (r == GDB_RUN_STEPPED || step) {
            reply_stop(g, SIGTRAP_GDB);
            return true;
        }
        if (byte_ready(g)) {
            int c = get_byte(g);
            if (c == 0x03) {
                reply_stop(g, SIGINT_GDB);
                return true;
            }
            if (c == -1)
                return false;
            /* anything else while running is ignored (gdb sends only ^C) */
        }
    }
}

static void cmd_read_mem(struct gdbstub *g, const char *p)
{
    uint64_t addr, len;
    static uint8_t mem[MEM_MAX];
    static char hex[2 * MEM_MAX + 1];
    if (!parse_hex(&p, &addr) || !expect(&p, ',') || !parse_hex(&p, &len) || *p) {
        send_str(g, "E01");
        return;
    }
    if (len > MEM_MAX)
        len = MEM_MAX;
    if (!g->ops->read_mem(g->opaque, addr, mem, (size_t)len)) {
        /* a partial read is allowed: return what is readable */
        size_t ok = 0;
        while (ok < len && g->ops->read_mem(g->opaque, addr + ok, mem + ok, 1))
            ok++;
        if (ok == 0) {
            send_str(g, "E14");
            return;
        }
        len = ok;
    }
    to_hex(hex, mem, (size_t)len);
    send_str(g, hex);
}

static void cmd_write_mem(struct gdbstub *g, const char *p)
{
    uint64_t addr, len;
    static uint8_t mem[MEM_MAX];
    if (!parse_hex(&p, &addr) || !expect(&p, ',') || !parse_hex(&p, &len) || !expect(&p, ':') ||
        len > MEM_MAX || strlen(p) != 2 * len || !from_hex(p, mem, (size_t)len)) {
        send_str(g, "E01");
        return;
    }
    send_str(g, g->ops->write_mem(g->opaque, addr, mem, (size_t)len) ? "OK" : "E14");
}

static void cmd_regs(struct gdbstub *g, const char *p, bool write)
{
    struct gdb_regs r;
    uint8_t buf[sizeof(struct gdb_regs) + 64];
    static char hex[2 * (sizeof(struct gdb_regs) + 64) + 1];
    size_t size = gdbstub_regs_size();
    g->ops->get_regs(g->opaque, &r);
    if (!write) {
        gdbstub_regs_encode(&r, buf);
        to_hex(hex, buf, size);
        send_str(g, hex);
        return;
    }
    if (strlen(p) != 2 * size || !from_hex(p, buf, size) || !gdbstub_regs_decode(&r, buf, size)) {
        send_str(g, "E01");
        return;
    }
    g->ops->set_regs(g->opaque, &r);
    send_str(g, "OK");
}

static void cmd_reg1(struct gdbstub *g, const char *p, bool write)
{
    uint64_t n;
    struct gdb_regs r;
    size_t sz;
    char hex[2 * 16 + 1];
    if (!parse_hex(&p, &n) || n >= gdbstub_reg_count() || (write ? !expect(&p, '=') : *p != '\0')) {
        send_str(g, "E01");
        return;
    }
    g->ops->get_regs(g->opaque, &r);
    uint8_t *ptr = gdbstub_reg_ptr(&r, (unsigned)n, &sz);
    if (!write) {
        to_hex(hex, ptr, sz);
        send_str(g, hex);
        return;
    }
    if (strlen(p) != 2 * sz || !from_hex(p, ptr, sz)) {
        send_str(g, "E01");
        return;
    }
    g->ops->set_regs(g->opaque, &r);
    send_str(g, "OK");
}

static void cmd_bp(struct gdbstub *g, const char *p, bool insert)
{
    uint64_t type, addr, kind;
    if (!parse_hex(&p, &type) || !expect(&p, ',') || !parse_hex(&p, &addr) || !expect(&p, ',') ||
        !parse_hex(&p, &kind)) {
        send_str(g, "E01");
        return;
    }
    if (type >= GDB_BP_WRITE && type <= GDB_BP_ACCESS) {
        if (!g->ops->wp_insert) {
            send_str(g, ""); /* not supported */
            return;
        }
        bool ok = insert ? g->ops->wp_insert(g->opaque, (enum gdb_bp)type, addr, kind)
                         : g->ops->wp_remove(g->opaque, (enum gdb_bp)type, addr, kind);
        send_str(g, ok ? "OK" : "E22");
        return;
    }
    if (type > GDB_BP_HW || !g->ops->bp_insert) {
        send_str(g, ""); /* unknown kinds */
        return;
    }
    bool ok = insert ? g->ops->bp_insert(g->opaque, (enum gdb_bp)type, addr)
                     : g->ops->bp_remove(g->opaque, (enum gdb_bp)type, addr);
    if (ok && type == GDB_BP_HW)
        note_hwbp(g, addr, insert);
    send_str(g, ok ? "OK" : "E22");
}

static void cmd_xfer(struct gdbstub *g, const char *p)
{
    /* qXfer:features:read:target.xml:OFF,LEN */
    static const char pre[] = "qXfer:features:read:target.xml:";
    uint64_t off, len;
    if (strncmp(p, pre, sizeof(pre) - 1) != 0) {
        send_str(g, strncmp(p, "qXfer:features:read:", 20) == 0 ? "E00" : "");
        return;
    }
    p += sizeof(pre) - 1;
    if (!parse_hex(&p, &off) || !expect(&p, ',') || !parse_hex(&p, &len)) {
        send_str(g, "E01");
        return;
    }
    const char *xml = gdbstub_target_xml();
    size_t total = strlen(xml);
    if (off > total)
        off = total;
    if (len > PKT_MAX - 16)
        len = PKT_MAX - 16;
    size_t n = total - off < len ? total - off : (size_t)len;
    char *b = malloc(n + 2);
    if (!b)
        return;
    b[0] = off + n < total ? 'm' : 'l';
    memcpy(b + 1, xml + off, n);
    send_packet(g, b, n + 1);
    free(b);
}

static void cmd_rcmd(struct gdbstub *g, const char *p)
{
    size_t n = strlen(p) / 2;
    char *cmd = malloc(n + 1), *out = NULL;
    size_t outlen = 0;
    if (!cmd || (strlen(p) & 1) || !from_hex(p, (uint8_t *)cmd, n)) {
        free(cmd);
        send_str(g, "E01");
        return;
    }
    cmd[n] = '\0';
    if (!g->mon) {
        free(cmd);
        send_str(g, "E01");
        return;
    }
    FILE *f = open_memstream(&out, &outlen);
    if (!f) {
        free(cmd);
        send_str(g, "E01");
        return;
    }
    monitor_command(g->mon, cmd, f);
    fclose(f);
    /* Console output: 'O' packets of hex text, then OK. */
    for (size_t off = 0; off < outlen; off += 1000) {
        size_t k = outlen - off < 1000 ? outlen - off : 1000;
        char *b = malloc(2 * k + 2);
        if (!b)
            break;
        b[0] = 'O';
        to_hex(b + 1, (const uint8_t *)out + off, k);
        send_packet(g, b, 2 * k + 1);
        free(b);
    }
    free(out);
    free(cmd);
    send_str(g, "OK");
}

/* vCont;ACTION[:thread]... : we have one thread, the first action decides. */
static bool cmd_vcont(struct gdbstub *g, const char *p, bool *alive)
{
    if (!strcmp(p, "vCont?")) {
        send_str(g, "vCont;c;C;s;S");
        return true;
    }
    if (strncmp(p, "vCont;", 6) != 0)
        return false;
    char a = p[6];
    if (a == 's' || a == 'S')
        *alive = do_resume(g, true);
    else if (a == 'c' || a == 'C')
        *alive = do_resume(g, false);
    else
        send_str(g, "E01");
    return true;
}

enum gdbstub_end gdbstub_serve(struct gdbstub *g)
{
    char *pkt = malloc(PKT_MAX + 1);
    enum gdbstub_end end = GDBSTUB_DISCONNECTED;
    if (!pkt)
        return end;
    for (;;) {
        long n = recv_packet(g, pkt, PKT_MAX + 1);
        if (n == -1)
            break;
        if (n == -2) { /* Ctrl-C while already stopped */
            reply_stop(g, SIGINT_GDB);
            continue;
        }
        const char *p = pkt;
        bool alive = true;
        switch (p[0]) {
        case '?':
            reply_stop(g, g->last_signal);
            break;
        case 'g': cmd_regs(g, p + 1, false); break;
        case 'G': cmd_regs(g, p + 1, true); break;
        case 'p': cmd_reg1(g, p + 1, false); break;
        case 'P': cmd_reg1(g, p + 1, true); break;
        case 'm': cmd_read_mem(g, p + 1); break;
        case 'M': cmd_write_mem(g, p + 1); break;
        case 'Z': cmd_bp(g, p + 1, true); break;
        case 'z': cmd_bp(g, p + 1, false); break;
        case 'H': send_str(g, "OK"); break;
        case 'T': send_str(g, "OK"); break; /* thread 1 is alive */
        case 'c': case 's': {
            uint64_t addr;
            const char *q = p + 1;
            if (*q && parse_hex(&q, &addr)) {
                struct gdb_regs r;
                g->ops->get_regs(g->opaque, &r);
                r.rip = addr;
                g->ops->set_regs(g->opaque, &r);
            }
            alive = do_resume(g, p[0] == 's');
            break;
        }
        case 'D':
            send_str(g, "OK");
            end = GDBSTUB_DETACHED;
            goto out;
        case 'k':
            end = GDBSTUB_KILLED;
            goto out;
        case 'v':
            if (!strncmp(p, "vCont", 5) && cmd_vcont(g, p, &alive))
                break;
            if (!strncmp(p, "vKill", 5)) {
                send_str(g, "OK");
                end = GDBSTUB_KILLED;
                goto out;
            }
            send_str(g, ""); /* vMustReplyEmpty and everything else */
            break;
        case 'q':
            if (!strncmp(p, "qSupported", 10))
                send_str(g, "PacketSize=1000;qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;"
                            "vContSupported+");
            else if (!strncmp(p, "qXfer:", 6))
                cmd_xfer(g, p);
            else if (!strcmp(p, "qAttached"))
                send_str(g, "1");
            else if (!strcmp(p, "qC"))
                send_str(g, "QC01");
            else if (!strcmp(p, "qfThreadInfo"))
                send_str(g, "m01");
            else if (!strcmp(p, "qsThreadInfo"))
                send_str(g, "l");
            else if (!strncmp(p, "qRcmd,", 6))
                cmd_rcmd(g, p + 6);
            else
                send_str(g, "");
            break;
        case 'Q':
            if (!strcmp(p, "QStartNoAckMode")) {
                send_str(g, "OK");
                g->noack = true;
            } else {
                send_str(g, "");
            }
            break;
        default:
            send_str(g, "");
            break;
        }
        if (!alive) {
            end = GDBSTUB_EXITED;
            break;
        }
    }
out:
    free(pkt);
    return end;
}

int gdbstub_listen(const char *host, unsigned port, char *err, size_t errlen)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host && *host ? host : "127.0.0.1", &sa.sin_addr) != 1) {
        snprintf(err, errlen, "bad listen address '%s'", host);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (port > 65535 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
        snprintf(err, errlen, "cannot listen on port %u: %s", port, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}
