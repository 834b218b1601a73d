/* SPDX-License-Identifier: MIT */
/* chardev_net.c: pseudo-terminal and TCP server chardev backends (non-blocking). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>
#include "hw/chardev_backend.h"

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Writes what the descriptor takes now; drops the rest (a slow client must not stall the VM). */
static bool write_nb(int fd, const uint8_t *buf, size_t len, bool sock)
{
    while (len) {
        ssize_t n = sock ? send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT) : write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        if (n <= 0)
            return false;
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

/* ---- pty ---- */

struct pty_priv {
    int master;
    char path[64];
};

static void pty_write(struct chardev *cd, const uint8_t *buf, size_t len)
{
    struct pty_priv *p = cd->priv;
    write_nb(p->master, buf, len, false);   /* EIO while no slave is open: ignored */
}

static ssize_t pty_read(struct chardev *cd, uint8_t *buf, size_t len)
{
    struct pty_priv *p = cd->priv;
    ssize_t n = read(p->master, buf, len);
    return n > 0 ? n : 0;                   /* EAGAIN, or EIO with no slave open */
}

static int pty_input(struct chardev *cd) { return ((struct pty_priv *)cd->priv)->master; }

static void pty_close(struct chardev *cd)
{
    struct pty_priv *p = cd->priv;
    close(p->master);
    free(p);
}

static const struct chardev_ops pty_ops = { "pty", pty_write, pty_read, pty_input, pty_close };

struct chardev *chardev_pty_new(const char *label)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
        fprintf(stderr, "kiln: cannot create a pty: %s\n", strerror(errno));
        if (m >= 0)
            close(m);
        return NULL;
    }
    struct pty_priv *p = calloc(1, sizeof(*p));
    if (!p) {
        close(m);
        return NULL;
    }
    p->master = m;
    const char *name = ptsname(m);
    snprintf(p->path, sizeof(p->path), "%s", name ? name : "?");
    struct termios t;
    if (tcgetattr(m, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(m, TCSANOW, &t);
    }
    set_nonblock(m);
    struct chardev *cd = chardev_alloc(&pty_ops, p);
    if (!cd) {
        pty_close(&(struct chardev){ .priv = p });
        return NULL;
    }
    fprintf(stderr, "char device redirected to %s (label %s)\n", p->path, label ? label : "serial");
    return cd;
}

const char *chardev_pty_path(const struct chardev *cd)
{
    return cd->ops == &pty_ops ? ((struct pty_priv *)cd->priv)->path : NULL;
}

/* ---- TCP server ---- */

struct tcp_priv {
    int listen_fd, client;
};

static void tcp_drop_client(struct tcp_priv *t)
{
    if (t->client >= 0)
        close(t->client);
    t->client = -1;
}

static void tcp_accept(struct tcp_priv *t)
{
    int c = accept4(t->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c < 0)
        return;
    int one = 1;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    t->client = c;
}

static void tcp_write(struct chardev *cd, const uint8_t *buf, size_t len)
{
    struct tcp_priv *t = cd->priv;
    if (t->client >= 0 && !write_nb(t->client, buf, len, true))
        tcp_drop_client(t);
}

static ssize_t tcp_read(struct chardev *cd, uint8_t *buf, size_t len)
{
    struct tcp_priv *t = cd->priv;
    if (t->client < 0) {
        if (chardev_fd_readable(t->listen_fd))
            tcp_accept(t);
        return 0;
    }
    ssize_t n = recv(t->client, buf, len, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    if (n <= 0) {
        tcp_drop_client(t);             /* disconnected: listen for the next one */
        return 0;
    }
    return n;
}

static int tcp_input(struct chardev *cd)
{
    struct tcp_priv *t = cd->priv;
    return t->client >= 0 ? t->client : t->listen_fd;
}

static void tcp_close(struct chardev *cd)
{
    struct tcp_priv *t = cd->priv;
    tcp_drop_client(t);
    close(t->listen_fd);
    free(t);
}

static const struct chardev_ops tcp_ops = { "tcp", tcp_write, tcp_read, tcp_input, tcp_close };

/* ---- TCP client ---- */

static int tcp_client_input(struct chardev *cd)
{
    return ((struct tcp_priv *)cd->priv)->client;
}

static ssize_t tcp_client_read(struct chardev *cd, uint8_t *buf, size_t len)
{
    struct tcp_priv *t = cd->priv;
    if (t->client < 0)
        return -1;
    ssize_t n = recv(t->client, buf, len, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    if (n <= 0) {
        tcp_drop_client(t);
        return -1;
    }
    return n;
}

static void tcp_client_close(struct chardev *cd)
{
    tcp_drop_client(cd->priv);
    free(cd->priv);
}

static const struct chardev_ops tcp_client_ops = {
    "tcp-client", tcp_write, tcp_client_read, tcp_client_input, tcp_client_close
};

struct chardev *chardev_tcp_client_new(const char *host, int port)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_NUMERICSERV }, *res = NULL, *ai;
    char ports[16];
    snprintf(ports, sizeof(ports), "%d", port);
    if (getaddrinfo(host ? host : "127.0.0.1", ports, &hints, &res) != 0)
        return NULL;
    int fd = -1;
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        fprintf(stderr, "kiln: cannot connect to %s:%d: %s\n", host ? host : "127.0.0.1",
                port, strerror(errno));
        return NULL;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    set_nonblock(fd);
    struct tcp_priv *t = calloc(1, sizeof(*t));
    struct chardev *cd = t ? chardev_alloc(&tcp_client_ops, t) : NULL;
    if (!cd) {
        close(fd);
        free(t);
        return NULL;
    }
    t->listen_fd = -1;
    t->client = fd;
    return cd;
}

struct chardev *chardev_tcp_server_new(const char *host, int port, bool wait)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV }, *res = NULL;
    char ports[16];
    snprintf(ports, sizeof(ports), "%d", port);
    if (getaddrinfo(host ? host : "127.0.0.1", ports, &hints, &res) != 0 || !res) {
        fprintf(stderr, "kiln: cannot resolve %s\n", host ? host : "127.0.0.1");
        return NULL;
    }
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 1) < 0) {
        fprintf(stderr, "kiln: cannot listen on %s:%d: %s\n", host ? host : "127.0.0.1",
                port, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return NULL;
    }
    freeaddrinfo(res);
    struct tcp_priv *t = calloc(1, sizeof(*t));
    if (!t) {
        close(fd);
        return NULL;
    }
    t->listen_fd = fd;
    t->client = -1;
    if (wait) {
        fprintf(stderr, "kiln: waiting for connection on tcp:%s:%d\n",
                host ? host : "127.0.0.1", port);
        int c;
        do
            c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        while (c < 0 && errno == EINTR);
        if (c >= 0) {
            setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            t->client = c;
        }
    }
    set_nonblock(fd);
    struct chardev *cd = chardev_alloc(&tcp_ops, t);
    if (!cd) {
        tcp_drop_client(t);
        close(fd);
        free(t);
    }
    return cd;
}

int chardev_tcp_port(const struct chardev *cd)
{
    if (cd->ops != &tcp_ops)
        return -1;
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    const struct tcp_priv *t = cd->priv;
    if (getsockname(t->listen_fd, (struct sockaddr *)&ss, &len) < 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}
