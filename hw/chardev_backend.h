/* SPDX-License-Identifier: MIT */
/* chardev_backend.h: the interface chardev backends implement (not for devices). */
#ifndef KILN_HW_CHARDEV_BACKEND_H
#define KILN_HW_CHARDEV_BACKEND_H

#include <sys/types.h>
#include "hw/chardev.h"

#define CHARDEV_PENDING_MAX 4096

struct chardev_ops {
    const char *kind;
    void (*write)(struct chardev *cd, const uint8_t *buf, size_t len);
    /* Non-blocking: > 0 bytes read, 0 nothing now, < 0 end of input. */
    ssize_t (*read)(struct chardev *cd, uint8_t *buf, size_t len);
    /* Descriptor whose readability means read() has work (-1: none). */
    int (*input_fd)(struct chardev *cd);
    void (*close)(struct chardev *cd);
};

struct chardev_frontend {
    chardev_can_receive_fn can_receive;
    chardev_receive_fn receive;
    void *opaque;
};

struct chardev {
    const struct chardev_ops *ops;
    void *priv;                         /* backend state */
    struct chardev_frontend fe[2];      /* 0 = device, 1 = monitor */
    int focus;
    chardev_event_fn event;
    void *event_opaque;
    chardev_escape_fn escape;
    void *escape_opaque;
    bool escape_seen;                   /* last byte was Ctrl-A */
    bool input_eof;
    uint8_t pending[CHARDEV_PENDING_MAX];
    size_t npending;
};

/* Allocates a chardev with the given backend. */
struct chardev *chardev_alloc(const struct chardev_ops *ops, void *priv);
/* Writes all of buf to fd, retrying on EINTR; returns false on error. */
bool chardev_write_all(int fd, const uint8_t *buf, size_t len);
/* True if fd has input ready now (poll with zero timeout). */
bool chardev_fd_readable(int fd);

#endif
