/* SPDX-License-Identifier: MIT */
/* gdbstub.c: GDB remote serial protocol: queries, commands and run control (packets: gdbstub_pkt.c). */
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
#include "ui/gdbstub_pkt.h"
#include "ui/monitor.h"

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

/* ------------------------------------------------------------------ commands */

static void reply_stop(struct gdbstub *g, int sig)
{
    char b[64];
    g->last_signal = sig;
    snprintf(b, sizeof(b), "T%02xthread:01;", sig);
    gdbpkt_send_str(g, b);
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
        gdbpkt_send_str(g, b);
        return;
    }
    /* "swbreak"/"hwbreak" stop reasons let gdb skip its own PC adjustment. */
    struct gdb_regs r;
    g->ops->get_regs(g->opaque, &r);
    for (unsigned i = 0; i < g->nhwbp; i++) {
        if (g->hwbp[i] == r.rip) {
            gdbpkt_send_str(g, "T05thread:01;hwbreak:;");
            return;
        }
    }
    gdbpkt_send_str(g, "T05thread:01;swbreak:;");
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
            gdbpkt_send_str(g, "W00");
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
        if (gdbpkt_byte_ready(g)) {
            int c = gdbpkt_get_byte(g);
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
    if (!gdbpkt_parse_hex(&p, &addr) || !gdbpkt_expect(&p, ',') || !gdbpkt_parse_hex(&p, &len) || *p) {
        gdbpkt_send_str(g, "E01");
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
            gdbpkt_send_str(g, "E14");
            return;
        }
        len = ok;
    }
    gdbpkt_to_hex(hex, mem, (size_t)len);
    gdbpkt_send_str(g, hex);
}

static void cmd_write_mem(struct gdbstub *g, const char *p)
{
    uint64_t addr, len;
    static uint8_t mem[MEM_MAX];
    if (!gdbpkt_parse_hex(&p, &addr) || !gdbpkt_expect(&p, ',') || !gdbpkt_parse_hex(&p, &len) || !gdbpkt_expect(&p, ':') ||
        len > MEM_MAX || strlen(p) != 2 * len || !gdbpkt_from_hex(p, mem, (size_t)len)) {
        gdbpkt_send_str(g, "E01");
        return;
    }
    gdbpkt_send_str(g, g->ops->write_mem(g->opaque, addr, mem, (size_t)len) ? "OK" : "E14");
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
        gdbpkt_to_hex(hex, buf, size);
        gdbpkt_send_str(g, hex);
        return;
    }
    if (strlen(p) != 2 * size || !gdbpkt_from_hex(p, buf, size) || !gdbstub_regs_decode(&r, buf, size)) {
        gdbpkt_send_str(g, "E01");
        return;
    }
    g->ops->set_regs(g->opaque, &r);
    gdbpkt_send_str(g, "OK");
}

static void cmd_reg1(struct gdbstub *g, const char *p, bool write)
{
    uint64_t n;
    struct gdb_regs r;
    size_t sz;
    char hex[2 * 16 + 1];
    if (!gdbpkt_parse_hex(&p, &n) || n >= gdbstub_reg_count() || (write ? !gdbpkt_expect(&p, '=') : *p != '\0')) {
        gdbpkt_send_str(g, "E01");
        return;
    }
    g->ops->get_regs(g->opaque, &r);
    uint8_t *ptr = gdbstub_reg_ptr(&r, (unsigned)n, &sz);
    if (!write) {
        gdbpkt_to_hex(hex, ptr, sz);
        gdbpkt_send_str(g, hex);
        return;
    }
    if (strlen(p) != 2 * sz || !gdbpkt_from_hex(p, ptr, sz)) {
        gdbpkt_send_str(g, "E01");
        return;
    }
    g->ops->set_regs(g->opaque, &r);
    gdbpkt_send_str(g, "OK");
}

static void cmd_bp(struct gdbstub *g, const char *p, bool insert)
{
    uint64_t type, addr, kind;
    if (!gdbpkt_parse_hex(&p, &type) || !gdbpkt_expect(&p, ',') || !gdbpkt_parse_hex(&p, &addr) || !gdbpkt_expect(&p, ',') ||
        !gdbpkt_parse_hex(&p, &kind)) {
        gdbpkt_send_str(g, "E01");
        return;
    }
    if (type >= GDB_BP_WRITE && type <= GDB_BP_ACCESS) {
        if (!g->ops->wp_insert) {
            gdbpkt_send_str(g, ""); /* not supported */
            return;
        }
        bool ok = insert ? g->ops->wp_insert(g->opaque, (enum gdb_bp)type, addr, kind)
                         : g->ops->wp_remove(g->opaque, (enum gdb_bp)type, addr, kind);
        gdbpkt_send_str(g, ok ? "OK" : "E22");
        return;
    }
    if (type > GDB_BP_HW || !g->ops->bp_insert) {
        gdbpkt_send_str(g, ""); /* unknown kinds */
        return;
    }
    bool ok = insert ? g->ops->bp_insert(g->opaque, (enum gdb_bp)type, addr)
                     : g->ops->bp_remove(g->opaque, (enum gdb_bp)type, addr);
    if (ok && type == GDB_BP_HW)
        note_hwbp(g, addr, insert);
    gdbpkt_send_str(g, ok ? "OK" : "E22");
}

static void cmd_xfer(struct gdbstub *g, const char *p)
{
    /* qXfer:features:read:target.xml:OFF,LEN */
    static const char pre[] = "qXfer:features:read:target.xml:";
    uint64_t off, len;
    if (strncmp(p, pre, sizeof(pre) - 1) != 0) {
        gdbpkt_send_str(g, strncmp(p, "qXfer:features:read:", 20) == 0 ? "E00" : "");
        return;
    }
    p += sizeof(pre) - 1;
    if (!gdbpkt_parse_hex(&p, &off) || !gdbpkt_expect(&p, ',') || !gdbpkt_parse_hex(&p, &len)) {
        gdbpkt_send_str(g, "E01");
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
    gdbpkt_send(g, b, n + 1);
    free(b);
}

static void cmd_rcmd(struct gdbstub *g, const char *p)
{
    size_t n = strlen(p) / 2;
    char *cmd = malloc(n + 1), *out = NULL;
    size_t outlen = 0;
    if (!cmd || (strlen(p) & 1) || !gdbpkt_from_hex(p, (uint8_t *)cmd, n)) {
        free(cmd);
        gdbpkt_send_str(g, "E01");
        return;
    }
    cmd[n] = '\0';
    if (!g->mon) {
        free(cmd);
        gdbpkt_send_str(g, "E01");
        return;
    }
    FILE *f = open_memstream(&out, &outlen);
    if (!f) {
        free(cmd);
        gdbpkt_send_str(g, "E01");
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
        gdbpkt_to_hex(b + 1, (const uint8_t *)out + off, k);
        gdbpkt_send(g, b, 2 * k + 1);
        free(b);
    }
    free(out);
    free(cmd);
    gdbpkt_send_str(g, "OK");
}

/* vCont;ACTION[:thread]... : we have one thread, the first action decides. */
static bool cmd_vcont(struct gdbstub *g, const char *p, bool *alive)
{
    if (!strcmp(p, "vCont?")) {
        gdbpkt_send_str(g, "vCont;c;C;s;S");
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
        gdbpkt_send_str(g, "E01");
    return true;
}

enum gdbstub_end gdbstub_serve(struct gdbstub *g)
{
    char *pkt = malloc(PKT_MAX + 1);
    enum gdbstub_end end = GDBSTUB_DISCONNECTED;
    if (!pkt)
        return end;
    for (;;) {
        long n = gdbpkt_recv(g, pkt, PKT_MAX + 1);
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
        case 'H': gdbpkt_send_str(g, "OK"); break;
        case 'T': gdbpkt_send_str(g, "OK"); break; /* thread 1 is alive */
        case 'c': case 's': {
            uint64_t addr;
            const char *q = p + 1;
            if (*q && gdbpkt_parse_hex(&q, &addr)) {
                struct gdb_regs r;
                g->ops->get_regs(g->opaque, &r);
                r.rip = addr;
                g->ops->set_regs(g->opaque, &r);
            }
            alive = do_resume(g, p[0] == 's');
            break;
        }
        case 'D':
            gdbpkt_send_str(g, "OK");
            end = GDBSTUB_DETACHED;
            goto out;
        case 'k':
            end = GDBSTUB_KILLED;
            goto out;
        case 'v':
            if (!strncmp(p, "vCont", 5) && cmd_vcont(g, p, &alive))
                break;
            if (!strncmp(p, "vKill", 5)) {
                gdbpkt_send_str(g, "OK");
                end = GDBSTUB_KILLED;
                goto out;
            }
            gdbpkt_send_str(g, ""); /* vMustReplyEmpty and everything else */
            break;
        case 'q':
            if (!strncmp(p, "qSupported", 10))
                gdbpkt_send_str(g, "PacketSize=1000;qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;"
                            "vContSupported+");
            else if (!strncmp(p, "qXfer:", 6))
                cmd_xfer(g, p);
            else if (!strcmp(p, "qAttached"))
                gdbpkt_send_str(g, "1");
            else if (!strcmp(p, "qC"))
                gdbpkt_send_str(g, "QC01");
            else if (!strcmp(p, "qfThreadInfo"))
                gdbpkt_send_str(g, "m01");
            else if (!strcmp(p, "qsThreadInfo"))
                gdbpkt_send_str(g, "l");
            else if (!strncmp(p, "qRcmd,", 6))
                cmd_rcmd(g, p + 6);
            else
                gdbpkt_send_str(g, "");
            break;
        case 'Q':
            if (!strcmp(p, "QStartNoAckMode")) {
                gdbpkt_send_str(g, "OK");
                g->noack = true;
            } else {
                gdbpkt_send_str(g, "");
            }
            break;
        default:
            gdbpkt_send_str(g, "");
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
