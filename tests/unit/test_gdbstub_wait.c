/* SPDX-License-Identifier: MIT */
/* test_gdbstub_wait.c: the stub's transport hooks: the target's wait callback while stopped, a stop from elsewhere (SIGINT), a target that goes away. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include "ui/gdbstub.h"

/* A target without a CPU: run() reports MORE a few times, then the configured end. */
struct fake {
    int fd[2];
    struct gdbstub g;
    struct gdb_target_ops ops;
    pthread_t th;
    enum gdbstub_end end;
    volatile int waits, runs, more_before_end;
    volatile bool gone;
    enum gdb_run finish;
};

static void f_get(void *o, struct gdb_regs *r) { (void)o; memset(r, 0, sizeof(*r)); r->rip = 0x1234; }
static void f_set(void *o, const struct gdb_regs *r) { (void)o; (void)r; }
static bool f_read(void *o, uint64_t va, void *buf, size_t len) { (void)o; (void)va; (void)buf; (void)len; return false; }
static bool f_write(void *o, uint64_t va, const void *buf, size_t len)
{
    (void)o; (void)va; (void)buf; (void)len;
    return false;
}
static enum gdb_run f_run(void *o, bool step)
{
    struct fake *f = o;
    (void)step;
    return ++f->runs > f->more_before_end ? f->finish : GDB_RUN_MORE;
}
/* The machine target keeps its machine alive here; the fake only counts and
   polls in short waits so it notices `gone`. */
static bool f_wait(void *o, int fd)
{
    struct fake *f = o;
    f->waits++;
    for (;;) {
        if (f->gone)
            return false;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 10) > 0)
            return true;
    }
}

static void *serve(void *arg)
{
    struct fake *f = arg;
    f->end = gdbstub_serve(&f->g);
    return NULL;
}

static int setup(void **state)
{
    struct fake *f = calloc(1, sizeof(*f));
    f->ops = (struct gdb_target_ops){ .get_regs = f_get, .set_regs = f_set, .read_mem = f_read,
                                      .write_mem = f_write, .run = f_run, .wait = f_wait };
    f->finish = GDB_RUN_INTERRUPTED;
    f->more_before_end = 3;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, f->fd), 0);
    gdbstub_init(&f->g, f->fd[1], &f->ops, f, NULL);
    assert_int_equal(pthread_create(&f->th, NULL, serve, f), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fake *f = *state;
    close(f->fd[0]);
    pthread_join(f->th, NULL);
    close(f->fd[1]);
    free(f);
    return 0;
}

static void send_pkt(struct fake *f, const char *s)
{
    char b[256];
    unsigned sum = 0;
    for (const char *p = s; *p; p++)
        sum += (unsigned char)*p;
    int n = snprintf(b, sizeof(b), "$%s#%02x", s, sum & 0xff);
    assert_int_equal(write(f->fd[0], b, (size_t)n), n);
}

/* Reads bytes until a whole packet "$...#xx" arrived (acks skipped); returns its payload. */
static const char *recv_pkt(struct fake *f)
{
    static char b[512];
    size_t n = 0;
    bool in = false;
    int tail = -1;
    for (;;) {
        char c;
        assert_int_equal(read(f->fd[0], &c, 1), 1);
        if (!in) {
            in = c == '$';
            continue;
        }
        if (tail >= 0) {
            if (++tail == 2)
                break;
            continue;
        }
        if (c == '#') {
            tail = 0;
            continue;
        }
        assert_true(n + 1 < sizeof(b));
        b[n++] = c;
    }
    b[n] = '\0';
    return b;
}

static void noack(struct fake *f)
{
    send_pkt(f, "QStartNoAckMode");
    assert_string_equal(recv_pkt(f), "OK");
    assert_int_equal(write(f->fd[0], "+", 1), 1); /* the ack of OK, the last one */
}

static void test_wait_between_packets(void **state)
{
    struct fake *f = *state;
    noack(f);
    int before = f->waits;
    send_pkt(f, "?");
    assert_string_equal(recv_pkt(f), "T05thread:01;");
    send_pkt(f, "qC");
    assert_string_equal(recv_pkt(f), "QC01");
    /* every packet was read after the target's wait said the socket is readable */
    assert_true(f->waits > before);
    assert_int_equal(f->runs, 0); /* nothing ran while gdb only asked */
}

static void test_interrupted_from_elsewhere(void **state)
{
    struct fake *f = *state;
    noack(f);
    send_pkt(f, "c");
    assert_string_equal(recv_pkt(f), "T02thread:01;");
    assert_int_equal(f->runs, 4);
    send_pkt(f, "?");
    assert_string_equal(recv_pkt(f), "T02thread:01;");
    f->runs = 0;
    send_pkt(f, "vCont;c");
    assert_string_equal(recv_pkt(f), "T02thread:01;");
}

static void test_target_gone(void **state)
{
    struct fake *f = *state;
    noack(f);
    f->gone = true; /* e.g. the monitor's quit while gdb holds the guest */
    pthread_join(f->th, NULL);
    assert_int_equal(f->end, GDBSTUB_DISCONNECTED);
    /* teardown joins again: start a thread that ends at once */
    f->gone = true;
    assert_int_equal(pthread_create(&f->th, NULL, serve, f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_wait_between_packets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupted_from_elsewhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_target_gone, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
