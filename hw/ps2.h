/* SPDX-License-Identifier: MIT */
/* ps2.h: PS/2 keyboard and mouse devices: their command sets, scancodes, packets and output queues. */
#ifndef KILN_HW_PS2_H
#define KILN_HW_PS2_H

#include <stdbool.h>
#include <stdint.h>

/* A device's output queue (bytes it sends to the controller). */
#define PS2_QUEUE_SIZE 256
struct ps2_queue {
    uint8_t data[PS2_QUEUE_SIZE];
    unsigned head, count;
};

/* Keyboard: AT/MF2 with scancode sets 1 and 2, typematic and LED commands. */
struct ps2_kbd {
    struct ps2_queue q;
    uint8_t pending_cmd;        /* a command waiting for its argument byte, or 0 */
    uint8_t set;                /* scancode set: 1 or 2 */
    bool scanning;              /* F4/F5 */
    uint8_t leds;               /* ED: bit 0 scroll, 1 num, 2 caps */
    uint8_t typematic;          /* F3 argument */
    uint8_t last;               /* last byte sent (FE resend) */
};

/* Mouse: standard PS/2 with the IntelliMouse wheel extension (ID 3). */
struct ps2_mouse {
    struct ps2_queue q;
    uint8_t pending_cmd;
    bool reporting;             /* F4/F5 */
    bool remote;                /* F0 remote mode, EA stream mode */
    bool wrap;                  /* EE echo mode until EC or FF */
    bool scale21;               /* E7/E6 */
    uint8_t resolution, rate;
    uint8_t id;                 /* 0, or 3 after the 200-100-80 rate sequence */
    uint8_t rate_hist[3];       /* last sample rates set (the magic sequence) */
    uint8_t buttons;            /* bit 0 left, 1 right, 2 middle */
    int dx, dy, dz;             /* movement not reported yet */
};

/* Queue helpers: bytes waiting, taking the oldest one (0 when empty). */
unsigned ps2_queue_count(const struct ps2_queue *q);
uint8_t ps2_queue_pop(struct ps2_queue *q);
/* Appends a byte; dropped when the queue is full (as a device loses it). */
void ps2_queue_push(struct ps2_queue *q, uint8_t b);

/* Power-on state (the reset command's, without the BAT reply). */
void ps2_kbd_reset(struct ps2_kbd *k);
void ps2_mouse_reset(struct ps2_mouse *m);

/* A byte the host (the controller) sends to the device: commands and arguments. */
void ps2_kbd_write(struct ps2_kbd *k, uint8_t b);
void ps2_mouse_write(struct ps2_mouse *m, uint8_t b);

/*
 * A key went down or up. keycode is a USB HID usage of the keyboard page
 * (0x04 = A ... 0xe7 = right GUI; what SDL scancodes are), turned into the
 * scancode set the keyboard is in. Unknown codes and keys while scanning is
 * disabled are dropped. Returns false if the code is unknown.
 */
bool ps2_kbd_key(struct ps2_kbd *k, unsigned keycode, bool down);
/* The mouse moved (dx right, dy up, dz wheel down) and/or its buttons are now
   buttons; queues packets while reporting in stream mode. */
void ps2_mouse_event(struct ps2_mouse *m, int dx, int dy, int dz, unsigned buttons);

/* Translation of scancode set 2 into set 1, as the 8042 does with XLAT on
   (0xf0, the break prefix, is handled by the caller). */
uint8_t ps2_translate(uint8_t set2_code);

#endif
