/* SPDX-License-Identifier: MIT */
/* test_chardev.c: chardev escapes, flow control, and the fd, file, TCP and memory backends. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "hw/chardev.h"

struct sink {
    uint8_t buf[256];
    size_t len, room;
};

static size_t sink_can(void *o) { struct sink *s = o; return s->room; }
static void sink_recv(void *o, const uint8_t *b, size_t n)
{
    struct sink *s = o;
    assert_true(n <= s->room);
    memcpy(s->buf + s->len, b, n);
    s->len += n;
    s->room -= n;
}

static char cmds[8];
static int ncmds;
static void on_escape(void *o, char c) { (void)o; cmds[ncmds++] = c; }

static int breaks;
static void on_event(void *o, int ev) { (void)o; breaks += ev == CHARDEV_EVENT_BREAK; }

static void test_escapes_and_monitor(void **state)
{
    (void)state;
    struct chardev *cd = chardev_memory_new(1024);
    struct sink dev = { .room = 100 }, mon = { .room = 100 };
    chardev_set_frontend(cd, sink_can, sink_recv, &dev);
    chardev_set_monitor(cd, sink_can, sink_recv, &mon);
    chardev_set_escape(cd, on_escape, NULL);
    ncmds = 0;
    chardev_push(cd, (const uint8_t *)"ab\x01\x01" "c\x01" "cmon\x01" "cd\x01x", 15);
    assert_int_equal(dev.len, 5);
    assert_memory_equal(dev.buf, "ab\x01" "cd", 5);
    assert_int_equal(mon.len, 3);
    assert_memory_equal(mon.buf, "mon", 3);
    assert_int_equal(ncmds, 3);
    assert_memory_equal(cmds, "ccx", 3);
    assert_false(chardev_monitor_focused(cd));
    chardev_set_event_handler(cd, on_event, NULL);
    chardev_push(cd, (const uint8_t *)"\x01" "b", 2);
    assert_int_equal(breaks, 1);
    assert_int_equal(dev.len, 5);
    /* Help text goes to the output. */
    chardev_push(cd, (const uint8_t *)"\x01h", 2);
    uint8_t out[512];
    size_t n = chardev_memory_take(cd, out, sizeof(out) - 1);
    out[n] = 0;
    assert_non_null(strstr((char *)out, "exit"));
    chardev_close(cd);
}

static void test_flow_control_buffering(void **state)
{
    (void)state;
    struct chardev *cd = chardev_memory_new(16);
    struct sink dev = { .room = 2 };
    chardev_set_frontend(cd, sink_can, sink_recv, &dev);
    chardev_push(cd, (const uint8_t *)"\x01x12345", 7);  /* no escapes: plain bytes */
    assert_int_equal(dev.len, 2);
    dev.room = 3;
    chardev_accept_input(cd);
    assert_int_equal(dev.len, 5);
    dev.room = 10;
    chardev_dispatch(cd);
    assert_int_equal(dev.len, 7);
    assert_memory_equal(dev.buf, "\x01x12345", 7);
    /* The memory backend keeps only the newest cap bytes. */
    chardev_write(cd, (const uint8_t *)"0123456789abcdefXYZ", 19);
    uint8_t out[32];
    assert_int_equal(chardev_memory_take(cd, out, sizeof(out)), 16);
    assert_memory_equal(out, "3456789abcdefXYZ", 16);
    chardev_close(cd);
}

static void test_fd_backend_poll(void **state)
{
    (void)state;
    int in[2], outp[2];
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(outp), 0);
    struct chardev *cd = chardev_fd_new(in[0], outp[1], true);
    struct sink dev = { .room = 100 };
    chardev_set_frontend(cd, sink_can, sink_recv, &dev);
    struct pollfd pfd[2];
    assert_int_equal(chardev_pollfds(cd, pfd, 2), 1);
    assert_int_equal(pfd[0].fd, in[0]);
    chardev_dispatch(cd);                   /* nothing there: must not block */
    assert_int_equal(dev.len, 0);
    assert_int_equal(write(in[1], "ping", 4), 4);
    chardev_dispatch(cd);
    assert_int_equal(dev.len, 4);
    chardev_write(cd, (const uint8_t *)"pong", 4);
    char buf[8];
    assert_int_equal(read(outp[0], buf, 8), 4);
    assert_memory_equal(buf, "pong", 4);
    close(in[1]);
    chardev_dispatch(cd);                   /* EOF: stops polling */
    assert_int_equal(chardev_pollfds(cd, pfd, 2), 0);
    chardev_close(cd);
    close(outp[0]);
}

static void test_file_backend(void **state)
{
    (void)state;
    char path[] = "/tmp/kiln-chardev-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    struct chardev *cd = chardev_file_new(path, NULL);
    assert_non_null(cd);
    assert_string_equal(chardev_kind(cd), "file");
    chardev_write(cd, (const uint8_t *)"log line\n", 9);
    chardev_close(cd);
    FILE *f = fopen(path, "r");
    char line[32] = "";
    assert_non_null(fgets(line, sizeof(line), f));
    fclose(f);
    unlink(path);
    assert_string_equal(line, "log line\n");
    assert_null(chardev_file_new("/nonexistent-dir/x", NULL));
}

static void test_tcp_server(void **state)
{
    (void)state;
    struct chardev *cd = chardev_tcp_server_new("127.0.0.1", 0, false);
    assert_non_null(cd);
    int port = chardev_tcp_port(cd);
    assert_true(port > 0);
    struct sink dev = { .room = 100 };
    chardev_set_frontend(cd, sink_can, sink_recv, &dev);
    chardev_write(cd, (const uint8_t *)"lost", 4);   /* no client: dropped */
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
    for (int i = 0; i < 100 && chardev_pollfds(cd, &(struct pollfd){ 0 }, 1) && dev.len == 0; i++) {
        chardev_dispatch(cd);               /* accepts, then reads */
        if (i == 1)
            assert_int_equal(send(c, "hi", 2, 0), 2);
        usleep(1000);
    }
    assert_int_equal(dev.len, 2);
    assert_memory_equal(dev.buf, "hi", 2);
    chardev_write(cd, (const uint8_t *)"yo", 2);
    char buf[8];
    assert_int_equal(recv(c, buf, sizeof(buf), 0), 2);
    assert_memory_equal(buf, "yo", 2);
    close(c);
    /* A client backend talking to our own server. */
    struct chardev *cl = chardev_tcp_client_new("127.0.0.1", port);
    assert_non_null(cl);
    struct sink got = { .room = 100 };
    chardev_set_frontend(cl, sink_can, sink_recv, &got);
    dev.len = 0;
    dev.room = 100;
    for (int i = 0; i < 200 && dev.len == 0; i++) {
        chardev_dispatch(cd);
        if (i == 2)
            chardev_write(cl, (const uint8_t *)"up", 2);
        usleep(1000);
    }
    assert_int_equal(dev.len, 2);
    chardev_write(cd, (const uint8_t *)"down", 4);
    for (int i = 0; i < 200 && got.len < 4; i++) {
        chardev_dispatch(cl);
        usleep(1000);
    }
    assert_int_equal(got.len, 4);
    assert_memory_equal(got.buf, "down", 4);
    chardev_close(cl);
    chardev_close(cd);
}

static void test_parse(void **state)
{
    (void)state;
    char err[128];
    bool none;
    struct chardev *cd = chardev_parse("null", &none, err, sizeof(err));
    assert_non_null(cd);
    assert_string_equal(chardev_kind(cd), "null");
    chardev_close(cd);
    assert_null(chardev_parse("none", &none, err, sizeof(err)));
    assert_true(none);
    assert_null(chardev_parse("bogus", &none, err, sizeof(err)));
    assert_false(none);
    assert_non_null(strstr(err, "bogus"));
    assert_null(chardev_parse("tcp:127.0.0.1:99999,server", &none, err, sizeof(err)));
    assert_null(chardev_parse("tcp:127.0.0.1:1", &none, err, sizeof(err)));  /* refused */
    assert_non_null(strstr(err, "connect"));
    cd = chardev_parse("tcp:127.0.0.1:0,server,nowait", &none, err, sizeof(err));
    assert_non_null(cd);
    chardev_close(cd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escapes_and_monitor), cmocka_unit_test(test_flow_control_buffering),
        cmocka_unit_test(test_fd_backend_poll), cmocka_unit_test(test_file_backend),
        cmocka_unit_test(test_tcp_server), cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
