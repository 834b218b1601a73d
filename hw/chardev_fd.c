/* SPDX-License-Identifier: MIT */
/* chardev_fd.c: descriptor-based chardev backends: null, fd, file, stdio, memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "hw/chardev_backend.h"

struct fd_priv {
    int in, out;
    bool own;
    bool is_tty;
};

/* ---- null ---- */

static const struct chardev_ops null_ops = { "null", NULL, NULL, NULL, NULL };

struct chardev *chardev_null_new(void) { return chardev_alloc(&null_ops, NULL); }

/* ---- plain descriptors ---- */

static void fd_write(struct chardev *cd, const uint8_t *buf, size_t len)
{
    struct fd_priv *p = cd->priv;
    if (p->out >= 0 && !chardev_write_all(p->out, buf, len))
        p->out = -1;                /* broken pipe, full disk: stop writing */
}

static ssize_t fd_read(struct chardev *cd, uint8_t *buf, size_t len)
{
    struct fd_priv *p = cd->priv;
    if (p->in < 0)
        return -1;
    if (!chardev_fd_readable(p->in))
        return 0;
    ssize_t n = read(p->in, buf, len);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    return n <= 0 ? -1 : n;
}

static int fd_input(struct chardev *cd) { return ((struct fd_priv *)cd->priv)->in; }

static void fd_close(struct chardev *cd)
{
    struct fd_priv *p = cd->priv;
    if (p->own) {
        if (p->in >= 0)
            close(p->in);
        if (p->out >= 0 && p->out != p->in)
            close(p->out);
    }
    free(p);
}

static const struct chardev_ops fd_ops = { "fd", fd_write, fd_read, fd_input, fd_close };
static const struct chardev_ops file_ops = { "file", fd_write, fd_read, fd_input, fd_close };

static struct chardev *fd_new(const struct chardev_ops *ops, int in, int out, bool own)
{
    struct fd_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    *p = (struct fd_priv){ in, out, own, false };
    struct chardev *cd = chardev_alloc(ops, p);
    if (!cd)
        free(p);
    return cd;
}

struct chardev *chardev_fd_new(int in_fd, int out_fd, bool own)
{
    return fd_new(&fd_ops, in_fd, out_fd, own);
}

struct chardev *chardev_file_new(const char *out_path, const char *in_path)
{
    int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        fprintf(stderr, "kiln: cannot open %s: %s\n", out_path, strerror(errno));
        return NULL;
    }
    int in = -1;
    if (in_path) {
        in = open(in_path, O_RDONLY | O_CLOEXEC);
        if (in < 0) {
            fprintf(stderr, "kiln: cannot open %s: %s\n", in_path, strerror(errno));
            close(out);
            return NULL;
        }
    }
    struct chardev *cd = fd_new(&file_ops, in, out, true);
    if (!cd) {
        close(out);
        if (in >= 0)
            close(in);
    }
    return cd;
}

/* ---- stdio: the terminal in raw mode ---- */

/* The terminal is process-wide, so its saved mode is too (restored at exit). */
static struct termios saved_tty;
static bool tty_saved, atexit_done;

static void restore_tty(void)
{
    if (tty_saved) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
        tty_saved = false;
    }
}

static void stdio_close(struct chardev *cd)
{
    restore_tty();
    free(cd->priv);
}

static const struct chardev_ops stdio_ops = { "stdio", fd_write, fd_read, fd_input, stdio_close };

struct chardev *chardev_stdio_new(void)
{
    struct chardev *cd = fd_new(&stdio_ops, STDIN_FILENO, STDOUT_FILENO, false);
    if (!cd)
        return NULL;
    struct termios t;
    if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &t) == 0) {
        if (!tty_saved) {
            saved_tty = t;
            tty_saved = true;
        }
        if (!atexit_done) {
            atexit(restore_tty);
            atexit_done = true;
        }
        t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
        t.c_oflag |= OPOST;
        t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | IEXTEN | ISIG);
        t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
        t.c_cflag |= CS8;
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        tcsetattr(STDIN_FILENO, TCSANOW, &t);
        ((struct fd_priv *)cd->priv)->is_tty = true;
    }
    return cd;
}

/* ---- memory ---- */

struct mem_priv {
    uint8_t *buf;
    size_t cap, len;
};

static void mem_write(struct chardev *cd, const uint8_t *buf, size_t len)
{
    struct mem_priv *m = cd->priv;
    if (len >= m->cap) {
        memcpy(m->buf, buf + len - m->cap, m->cap);
        m->len = m->cap;
        return;
    }
    if (m->len + len > m->cap) {
        size_t drop = m->len + len - m->cap;
        memmove(m->buf, m->buf + drop, m->len - drop);
        m->len -= drop;
    }
    memcpy(m->buf + m->len, buf, len);
    m->len += len;
}

static void mem_close(struct chardev *cd)
{
    struct mem_priv *m = cd->priv;
    free(m->buf);
    free(m);
}

static const struct chardev_ops mem_ops = { "memory", mem_write, NULL, NULL, mem_close };

struct chardev *chardev_memory_new(size_t cap)
{
    struct mem_priv *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->cap = cap ? cap : 1;
    m->buf = malloc(m->cap);
    struct chardev *cd = m->buf ? chardev_alloc(&mem_ops, m) : NULL;
    if (!cd) {
        free(m->buf);
        free(m);
    }
    return cd;
}

size_t chardev_memory_take(struct chardev *cd, uint8_t *buf, size_t len)
{
    if (cd->ops != &mem_ops)
        return 0;
    struct mem_priv *m = cd->priv;
    size_t n = len < m->len ? len : m->len;
    memcpy(buf, m->buf, n);
    memmove(m->buf, m->buf + n, m->len - n);
    m->len -= n;
    return n;
}
