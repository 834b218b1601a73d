/* SPDX-License-Identifier: MIT */
/* chardev.h: character backends (stdio, file, null, pty, TCP, memory) that devices talk through. */
#ifndef KILN_HW_CHARDEV_H
#define KILN_HW_CHARDEV_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct chardev;

/* Frontend (device) side: how many bytes it can take now, and delivery. */
typedef size_t (*chardev_can_receive_fn)(void *opaque);
typedef void (*chardev_receive_fn)(void *opaque, const uint8_t *buf, size_t len);
/* Ctrl-A escape commands on a mux backend: 'x' quit, 'c' monitor toggled, 'b' break. */
typedef void (*chardev_escape_fn)(void *opaque, char cmd);

/* ---- creating backends (NULL on failure, with a message on stderr) ---- */
struct chardev *chardev_null_new(void);
/* Output appended to out_path (created/truncated); input read from in_path if not NULL. */
struct chardev *chardev_file_new(const char *out_path, const char *in_path);
/* Already open descriptors (pipes, tests); not closed unless own is true. */
struct chardev *chardev_fd_new(int in_fd, int out_fd, bool own);
/* The terminal: raw mode while open (restored on close and at exit). */
struct chardev *chardev_stdio_new(void);
/* A new pseudo-terminal; its slave path is printed and returned by chardev_pty_path. */
struct chardev *chardev_pty_new(const char *label);
const char *chardev_pty_path(const struct chardev *cd);
/* TCP server on host:port (host NULL = 127.0.0.1); wait blocks until a client connects. */
struct chardev *chardev_tcp_server_new(const char *host, int port, bool wait);
/* TCP client: connects (blocking) to host:port now; output dropped once disconnected. */
struct chardev *chardev_tcp_client_new(const char *host, int port);
/* The port a TCP server listens on (useful with port 0); -1 for other kinds. */
int chardev_tcp_port(const struct chardev *cd);
/* Output kept in memory (up to cap bytes, oldest dropped); input only through chardev_push. */
struct chardev *chardev_memory_new(size_t cap);
/* Takes up to len bytes of the memory backend's output; returns the count. */
size_t chardev_memory_take(struct chardev *cd, uint8_t *buf, size_t len);

/*
 * Parses a QEMU-style spec: "null", "stdio", "mon:stdio" (stdio with the Ctrl-A
 * escapes), "file:PATH", "pty", "tcp:[HOST]:PORT[,server][,nowait][,wait=off]" (client without server),
 * "none" (returns NULL without error; *none set). Errors go to err.
 */
struct chardev *chardev_parse(const char *spec, bool *none, char *err, size_t errlen);

void chardev_close(struct chardev *cd);
const char *chardev_kind(const struct chardev *cd);

/* ---- frontends ---- */
/* Attaches the device that receives input (replaces any previous one). */
void chardev_set_frontend(struct chardev *cd, chardev_can_receive_fn can_receive,
                          chardev_receive_fn receive, void *opaque);
/* Out-of-band events for the device frontend (CHARDEV_EVENT_BREAK from C-a b). */
#define CHARDEV_EVENT_BREAK 1
typedef void (*chardev_event_fn)(void *opaque, int event);
void chardev_set_event_handler(struct chardev *cd, chardev_event_fn fn, void *opaque);
/* Sends an event to the device frontend (no-op without a handler). */
void chardev_send_event(struct chardev *cd, int event);
/* A second frontend (the monitor) that Ctrl-A c switches input to. */
void chardev_set_monitor(struct chardev *cd, chardev_can_receive_fn can_receive,
                         chardev_receive_fn receive, void *opaque);
/* Enables the Ctrl-A escapes (x quit, c monitor, Ctrl-A literal, h help, b break). */
void chardev_set_escape(struct chardev *cd, chardev_escape_fn fn, void *opaque);
/* True while input goes to the monitor frontend. */
bool chardev_monitor_focused(const struct chardev *cd);

/* Writes bytes to the outside (never blocks for long; drops if nobody listens). */
void chardev_write(struct chardev *cd, const uint8_t *buf, size_t len);

/* ---- main loop ---- */
/* Adds the descriptors to wait on for input (at most max); returns how many. */
int chardev_pollfds(struct chardev *cd, struct pollfd *fds, int max);
/* Reads what input is available (never blocks) and delivers what the frontend takes. */
void chardev_dispatch(struct chardev *cd);
/* Delivers already-read input to a frontend that has become able to take it. */
void chardev_accept_input(struct chardev *cd);
/* Injects input as if it came from outside (escape processing included). */
void chardev_push(struct chardev *cd, const uint8_t *buf, size_t len);

#endif
