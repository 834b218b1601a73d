/* SPDX-License-Identifier: MIT */
/* chardev.c: frontend attachment, Ctrl-A escape mux, input buffering and spec parsing. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hw/chardev_backend.h"

#define CTRL_A 0x01

struct chardev *chardev_alloc(const struct chardev_ops *ops, void *priv)
{
    struct chardev *cd = calloc(1, sizeof(*cd));
    if (!cd)
        return NULL;
    cd->ops = ops;
    cd->priv = priv;
    return cd;
}

bool chardev_write_all(int fd, const uint8_t *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

bool chardev_fd_readable(int fd)
{
    if (fd < 0)
        return false;
    struct pollfd p = { .fd = fd, .events = POLLIN };
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR));
}

void chardev_close(struct chardev *cd)
{
    if (!cd)
        return;
    if (cd->ops->close)
        cd->ops->close(cd);
    free(cd);
}

const char *chardev_kind(const struct chardev *cd) { return cd->ops->kind; }

void chardev_set_frontend(struct chardev *cd, chardev_can_receive_fn can_receive,
                          chardev_receive_fn receive, void *opaque)
{
    cd->fe[0] = (struct chardev_frontend){ can_receive, receive, opaque };
}

void chardev_set_monitor(struct chardev *cd, chardev_can_receive_fn can_receive,
                         chardev_receive_fn receive, void *opaque)
{
    cd->fe[1] = (struct chardev_frontend){ can_receive, receive, opaque };
}

void chardev_set_event_handler(struct chardev *cd, chardev_event_fn fn, void *opaque)
{
    cd->event = fn;
    cd->event_opaque = opaque;
}

void chardev_send_event(struct chardev *cd, int event)
{
    if (cd && cd->event)
        cd->event(cd->event_opaque, event);
}

void chardev_set_escape(struct chardev *cd, chardev_escape_fn fn, void *opaque)
{
    cd->escape = fn;
    cd->escape_opaque = opaque;
}

bool chardev_monitor_focused(const struct chardev *cd) { return cd->focus == 1; }

void chardev_write(struct chardev *cd, const uint8_t *buf, size_t len)
{
    if (cd && len && cd->ops->write)
        cd->ops->write(cd, buf, len);
}

static void say(struct chardev *cd, const char *s)
{
    chardev_write(cd, (const uint8_t *)s, strlen(s));
}

static void queue_byte(struct chardev *cd, uint8_t b)
{
    if (cd->npending < CHARDEV_PENDING_MAX)
        cd->pending[cd->npending++] = b;
}

/* Escape handling: returns true if the byte was consumed as a command. */
static bool escape_byte(struct chardev *cd, uint8_t b)
{
    if (!cd->escape)
        return false;
    if (!cd->escape_seen) {
        if (b == CTRL_A) {
            cd->escape_seen = true;
            return true;
        }
        return false;
    }
    cd->escape_seen = false;
    switch (b) {
    case CTRL_A:
        return false;                   /* a literal Ctrl-A */
    case 'x':
    case 'X':
        say(cd, "kiln: terminated\r\n");
        cd->escape(cd->escape_opaque, 'x');
        break;
    case 'c':
    case 'C':
        /* Input typed before the switch belongs to the old frontend. */
        chardev_accept_input(cd);
        cd->npending = 0;
        if (cd->fe[1].receive || cd->focus == 1)
            cd->focus ^= 1;
        cd->escape(cd->escape_opaque, 'c');
        break;
    case 'b':
    case 'B':
        chardev_send_event(cd, CHARDEV_EVENT_BREAK);
        cd->escape(cd->escape_opaque, 'b');
        break;
    case 'h':
    case 'H':
    case '?':
        say(cd, "\r\nC-a h    print this help\r\nC-a x    exit emulator\r\n"
                "C-a c    switch between console and monitor\r\n"
                "C-a b    send break\r\nC-a C-a  sends C-a\r\n");
        break;
    default:
        break;
    }
    return true;
}

void chardev_accept_input(struct chardev *cd)
{
    while (cd->npending) {
        struct chardev_frontend *fe = &cd->fe[cd->focus];
        if (!fe->receive) {
            cd->npending = 0;           /* nobody listens: drop */
            return;
        }
        size_t n = fe->can_receive ? fe->can_receive(fe->opaque) : cd->npending;
        if (n == 0)
            return;
        if (n > cd->npending)
            n = cd->npending;
        /* Copy first: the frontend may re-enter chardev_accept_input. */
        uint8_t tmp[CHARDEV_PENDING_MAX];
        memcpy(tmp, cd->pending, n);
        memmove(cd->pending, cd->pending + n, cd->npending - n);
        cd->npending -= n;
        fe->receive(fe->opaque, tmp, n);
    }
}

void chardev_push(struct chardev *cd, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!escape_byte(cd, buf[i]))
            queue_byte(cd, buf[i]);
    chardev_accept_input(cd);
}

int chardev_pollfds(struct chardev *cd, struct pollfd *fds, int max)
{
    if (max < 1 || !cd->ops->input_fd || cd->input_eof)
        return 0;
    if (cd->npending >= CHARDEV_PENDING_MAX / 2)
        return 0;                       /* wait for the frontend first */
    int fd = cd->ops->input_fd(cd);
    if (fd < 0)
        return 0;
    fds[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
    return 1;
}

void chardev_dispatch(struct chardev *cd)
{
    chardev_accept_input(cd);
    if (!cd->ops->read || cd->input_eof)
        return;
    for (int rounds = 0; rounds < 4 && cd->npending < CHARDEV_PENDING_MAX / 2; rounds++) {
        uint8_t buf[512];
        ssize_t n = cd->ops->read(cd, buf, sizeof(buf));
        if (n < 0) {
            cd->input_eof = true;
            break;
        }
        if (n == 0)
            break;
        chardev_push(cd, buf, (size_t)n);
    }
}

/* ---- spec parsing ---- */

static struct chardev *parse_tcp(const char *rest, char *err, size_t errlen)
{
    char host[256] = "";
    const char *colon = strrchr(rest, ':');
    const char *opts = strchr(rest, ',');
    if (opts && colon && colon > opts)
        colon = NULL;
    if (!colon) {
        snprintf(err, errlen, "tcp: expected [HOST]:PORT");
        return NULL;
    }
    size_t hl = (size_t)(colon - rest);
    if (hl >= sizeof(host)) {
        snprintf(err, errlen, "tcp: host name too long");
        return NULL;
    }
    memcpy(host, rest, hl);
    host[hl] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || port < 0 || port > 65535 || (*end && *end != ',')) {
        snprintf(err, errlen, "tcp: bad port");
        return NULL;
    }
    bool server = false, wait = true;
    for (const char *o = end; o && *o == ','; o = strchr(o + 1, ',')) {
        const char *name = o + 1;
        size_t nl = strcspn(name, ",");
        if ((nl == 6 && !strncmp(name, "server", 6)) || (nl == 9 && !strncmp(name, "server=on", 9)))
            server = true;
        else if ((nl == 6 && !strncmp(name, "nowait", 6)) || (nl == 8 && !strncmp(name, "wait=off", 8)))
            wait = false;
        else if (nl == 7 && !strncmp(name, "wait=on", 7))
            wait = true;
        else if (!(nl == 7 && !strncmp(name, "nodelay", 7))) {
            snprintf(err, errlen, "tcp: unknown option '%.*s'", (int)nl, name);
            return NULL;
        }
    }
    if (!server) {
        struct chardev *cd = chardev_tcp_client_new(host[0] ? host : NULL, (int)port);
        if (!cd)
            snprintf(err, errlen, "tcp: cannot connect to %s:%ld", host[0] ? host : "127.0.0.1", port);
        return cd;
    }
    struct chardev *cd = chardev_tcp_server_new(host[0] ? host : NULL, (int)port, wait);
    if (!cd)
        snprintf(err, errlen, "tcp: cannot listen on %s:%ld", host[0] ? host : "127.0.0.1", port);
    return cd;
}

static void quit_escape(void *opaque, char cmd)
{
    (void)opaque;
    if (cmd == 'x')
        exit(0);
}

struct chardev *chardev_parse(const char *spec, bool *none, char *err, size_t errlen)
{
    struct chardev *cd = NULL;
    if (none)
        *none = false;
    if (err && errlen)
        err[0] = 0;
    if (!spec || !strcmp(spec, "none")) {
        if (none)
            *none = true;
        return NULL;
    }
    if (!strcmp(spec, "null"))
        cd = chardev_null_new();
    else if (!strcmp(spec, "stdio") || !strcmp(spec, "mon:stdio")) {
        cd = chardev_stdio_new();
        if (cd && spec[0] == 'm')
            chardev_set_escape(cd, quit_escape, NULL);
    } else if (!strncmp(spec, "file:", 5))
        cd = chardev_file_new(spec + 5, NULL);
    else if (!strcmp(spec, "pty"))
        cd = chardev_pty_new("serial");
    else if (!strncmp(spec, "tcp:", 4))
        return parse_tcp(spec + 4, err, errlen);
    else {
        snprintf(err, errlen, "unknown character device '%s'", spec);
        return NULL;
    }
    if (!cd)
        snprintf(err, errlen, "cannot open character device '%s'", spec);
    return cd;
}
