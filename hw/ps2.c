/* SPDX-License-Identifier: MIT */
/* ps2.c: the PS/2 keyboard (sets 1/2, commands) and mouse (stream/remote, IntelliMouse wheel) state machines. */
#include <string.h>
#include "hw/ps2.h"

#define ACK 0xfa
#define RESEND 0xfe
#define BAT_OK 0xaa
#define E0 0x100                /* flag: the code has an 0xe0 prefix */

/* Keys by USB HID usage: set 1 and set 2 make codes (E0 flag for extended keys). */
static const struct {
    uint8_t hid;
    uint16_t set1, set2;
} keys[] = {
    { 0x04, 0x1e, 0x1c }, { 0x05, 0x30, 0x32 }, { 0x06, 0x2e, 0x21 }, { 0x07, 0x20, 0x23 },
    { 0x08, 0x12, 0x24 }, { 0x09, 0x21, 0x2b }, { 0x0a, 0x22, 0x34 }, { 0x0b, 0x23, 0x33 },
    { 0x0c, 0x17, 0x43 }, { 0x0d, 0x24, 0x3b }, { 0x0e, 0x25, 0x42 }, { 0x0f, 0x26, 0x4b },
    { 0x10, 0x32, 0x3a }, { 0x11, 0x31, 0x31 }, { 0x12, 0x18, 0x44 }, { 0x13, 0x19, 0x4d },
    { 0x14, 0x10, 0x15 }, { 0x15, 0x13, 0x2d }, { 0x16, 0x1f, 0x1b }, { 0x17, 0x14, 0x2c },
    { 0x18, 0x16, 0x3c }, { 0x19, 0x2f, 0x2a }, { 0x1a, 0x11, 0x1d }, { 0x1b, 0x2d, 0x22 },
    { 0x1c, 0x15, 0x35 }, { 0x1d, 0x2c, 0x1a },
    { 0x1e, 0x02, 0x16 }, { 0x1f, 0x03, 0x1e }, { 0x20, 0x04, 0x26 }, { 0x21, 0x05, 0x25 },
    { 0x22, 0x06, 0x2e }, { 0x23, 0x07, 0x36 }, { 0x24, 0x08, 0x3d }, { 0x25, 0x09, 0x3e },
    { 0x26, 0x0a, 0x46 }, { 0x27, 0x0b, 0x45 },
    { 0x28, 0x1c, 0x5a }, { 0x29, 0x01, 0x76 }, { 0x2a, 0x0e, 0x66 }, { 0x2b, 0x0f, 0x0d },
    { 0x2c, 0x39, 0x29 }, { 0x2d, 0x0c, 0x4e }, { 0x2e, 0x0d, 0x55 }, { 0x2f, 0x1a, 0x54 },
    { 0x30, 0x1b, 0x5b }, { 0x31, 0x2b, 0x5d }, { 0x32, 0x2b, 0x5d }, { 0x33, 0x27, 0x4c },
    { 0x34, 0x28, 0x52 }, { 0x35, 0x29, 0x0e }, { 0x36, 0x33, 0x41 }, { 0x37, 0x34, 0x49 },
    { 0x38, 0x35, 0x4a }, { 0x39, 0x3a, 0x58 },
    { 0x3a, 0x3b, 0x05 }, { 0x3b, 0x3c, 0x06 }, { 0x3c, 0x3d, 0x04 }, { 0x3d, 0x3e, 0x0c },
    { 0x3e, 0x3f, 0x03 }, { 0x3f, 0x40, 0x0b }, { 0x40, 0x41, 0x83 }, { 0x41, 0x42, 0x0a },
    { 0x42, 0x43, 0x01 }, { 0x43, 0x44, 0x09 }, { 0x44, 0x57, 0x78 }, { 0x45, 0x58, 0x07 },
    { 0x46, E0 | 0x37, E0 | 0x7c }, { 0x47, 0x46, 0x7e },
    { 0x49, E0 | 0x52, E0 | 0x70 }, { 0x4a, E0 | 0x47, E0 | 0x6c }, { 0x4b, E0 | 0x49, E0 | 0x7d },
    { 0x4c, E0 | 0x53, E0 | 0x71 }, { 0x4d, E0 | 0x4f, E0 | 0x69 }, { 0x4e, E0 | 0x51, E0 | 0x7a },
    { 0x4f, E0 | 0x4d, E0 | 0x74 }, { 0x50, E0 | 0x4b, E0 | 0x6b }, { 0x51, E0 | 0x50, E0 | 0x72 },
    { 0x52, E0 | 0x48, E0 | 0x75 }, { 0x53, 0x45, 0x77 }, { 0x54, E0 | 0x35, E0 | 0x4a },
    { 0x55, 0x37, 0x7c }, { 0x56, 0x4a, 0x7b }, { 0x57, 0x4e, 0x79 }, { 0x58, E0 | 0x1c, E0 | 0x5a },
    { 0x59, 0x4f, 0x69 }, { 0x5a, 0x50, 0x72 }, { 0x5b, 0x51, 0x7a }, { 0x5c, 0x4b, 0x6b },
    { 0x5d, 0x4c, 0x73 }, { 0x5e, 0x4d, 0x74 }, { 0x5f, 0x47, 0x6c }, { 0x60, 0x48, 0x75 },
    { 0x61, 0x49, 0x7d }, { 0x62, 0x52, 0x70 }, { 0x63, 0x53, 0x71 }, { 0x64, 0x56, 0x61 },
    { 0x65, E0 | 0x5d, E0 | 0x2f },
    { 0xe0, 0x1d, 0x14 }, { 0xe1, 0x2a, 0x12 }, { 0xe2, 0x38, 0x11 }, { 0xe3, E0 | 0x5b, E0 | 0x1f },
    { 0xe4, E0 | 0x1d, E0 | 0x14 }, { 0xe5, 0x36, 0x59 }, { 0xe6, E0 | 0x38, E0 | 0x11 },
    { 0xe7, E0 | 0x5c, E0 | 0x27 },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
#define HID_PAUSE 0x48

uint8_t ps2_translate(uint8_t code)
{
    if (code == 0x83)
        return 0x41;                    /* F7 lives above 0x7f in set 2 */
    if (code >= 0x80)
        return code;                    /* replies (fa, aa, ee, fe), prefixes e0/e1 */
    for (unsigned i = 0; i < NKEYS; i++)
        if ((keys[i].set2 & 0xff) == code && keys[i].hid != 0x32)
            return (uint8_t)keys[i].set1;
    if (code == 0x00)
        return 0xff;                    /* overrun */
    return code;                        /* no key sends it: pass it through */
}

/* ---- queues ---- */

unsigned ps2_queue_count(const struct ps2_queue *q) { return q->count; }

void ps2_queue_push(struct ps2_queue *q, uint8_t b)
{
    if (q->count == PS2_QUEUE_SIZE)
        return;                         /* full: the byte is lost, as on a real device */
    q->data[(q->head + q->count) % PS2_QUEUE_SIZE] = b;
    q->count++;
}

static bool room(const struct ps2_queue *q, unsigned n) { return PS2_QUEUE_SIZE - q->count >= n; }

uint8_t ps2_queue_pop(struct ps2_queue *q)
{
    if (q->count == 0)
        return 0;
    uint8_t b = q->data[q->head];
    q->head = (q->head + 1) % PS2_QUEUE_SIZE;
    q->count--;
    return b;
}

/* ---- keyboard ---- */

static void kbd_send(struct ps2_kbd *k, uint8_t b)
{
    k->last = b;
    ps2_queue_push(&k->q, b);
}

void ps2_kbd_reset(struct ps2_kbd *k)
{
    memset(k, 0, sizeof(*k));
    k->set = 2;
    k->scanning = true;
    k->typematic = 0x2b;                /* 10.9 characters/s, 500 ms */
}

static void kbd_arg(struct ps2_kbd *k, uint8_t cmd, uint8_t b)
{
    switch (cmd) {
    case 0xed:
        k->leds = b & 7;
        kbd_send(k, ACK);
        break;
    case 0xf3:
        k->typematic = b & 0x7f;
        kbd_send(k, ACK);
        break;
    case 0xf0:
        if (b == 0) {
            kbd_send(k, ACK);
            kbd_send(k, k->set);
        } else if (b == 1 || b == 2) {
            k->set = b;
            kbd_send(k, ACK);
        } else {
            kbd_send(k, RESEND);        /* set 3 is not modelled */
        }
        break;
    }
}

void ps2_kbd_write(struct ps2_kbd *k, uint8_t b)
{
    if (k->pending_cmd) {
        uint8_t cmd = k->pending_cmd;
        k->pending_cmd = 0;
        /* A command byte instead of the argument starts that command. */
        if (b < 0xed) {
            kbd_arg(k, cmd, b);
            return;
        }
    }
    switch (b) {
    case 0xed: case 0xf3: case 0xf0:
        k->pending_cmd = b;
        kbd_send(k, ACK);
        break;
    case 0xee:
        kbd_send(k, 0xee);                      /* echo */
        break;
    case 0xf2:
        kbd_send(k, ACK);
        kbd_send(k, 0xab);                      /* MF2 keyboard */
        kbd_send(k, 0x83);
        break;
    case 0xf4:
        k->scanning = true;
        kbd_send(k, ACK);
        break;
    case 0xf5:                                  /* defaults, scanning off */
    case 0xf6:                                  /* defaults, scanning on */
        k->set = 2;
        k->leds = 0;
        k->typematic = 0x2b;
        k->scanning = b == 0xf6;
        k->q.count = 0;
        kbd_send(k, ACK);
        break;
    case 0xf7: case 0xf8: case 0xf9: case 0xfa: case 0xfb: case 0xfc: case 0xfd:
        kbd_send(k, ACK);                       /* set 3 key types: accepted, no effect */
        break;
    case 0xfe:
        ps2_queue_push(&k->q, k->last);
        break;
    case 0xff:
        ps2_kbd_reset(k);
        kbd_send(k, ACK);
        kbd_send(k, BAT_OK);
        break;
    default:
        kbd_send(k, RESEND);
        break;
    }
}

bool ps2_kbd_key(struct ps2_kbd *k, unsigned keycode, bool down)
{
    if (keycode == HID_PAUSE) {
        /* Pause has a make sequence only. */
        static const uint8_t s1[] = { 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5 };
        static const uint8_t s2[] = { 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77 };
        const uint8_t *s = k->set == 1 ? s1 : s2;
        unsigned n = k->set == 1 ? sizeof(s1) : sizeof(s2);
        if (down && k->scanning && room(&k->q, n))
            for (unsigned i = 0; i < n; i++)
                ps2_queue_push(&k->q, s[i]);
        return true;
    }
    for (unsigned i = 0; i < NKEYS; i++) {
        if (keys[i].hid != keycode)
            continue;
        if (!k->scanning || !room(&k->q, 3))
            return true;
        uint16_t code = k->set == 1 ? keys[i].set1 : keys[i].set2;
        if (code & E0)
            ps2_queue_push(&k->q, 0xe0);
        if (k->set == 1) {
            ps2_queue_push(&k->q, (uint8_t)((code & 0x7f) | (down ? 0 : 0x80)));
        } else {
            if (!down)
                ps2_queue_push(&k->q, 0xf0);
            ps2_queue_push(&k->q, (uint8_t)code);
        }
        return true;
    }
    return false;
}

/* ---- mouse ---- */

static void mouse_send(struct ps2_mouse *m, uint8_t b) { ps2_queue_push(&m->q, b); }

void ps2_mouse_reset(struct ps2_mouse *m)
{
    memset(m, 0, sizeof(*m));
    m->resolution = 2;                  /* 4 counts/mm */
    m->rate = 100;
}

static int clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* One movement packet from the accumulated deltas (3 bytes, 4 with the wheel). */
static void mouse_packet(struct ps2_mouse *m)
{
    int dx = clamp(m->dx, -256, 255), dy = clamp(m->dy, -256, 255), dz = clamp(m->dz, -8, 7);
    uint8_t b0 = (uint8_t)(0x08 | (m->buttons & 7));

    if (dx < 0)
        b0 |= 0x10;
    if (dy < 0)
        b0 |= 0x20;
    mouse_send(m, b0);
    mouse_send(m, (uint8_t)dx);
    mouse_send(m, (uint8_t)dy);
    if (m->id == 3)
        mouse_send(m, (uint8_t)(dz & 0xff));
    m->dx -= dx;
    m->dy -= dy;
    m->dz = m->id == 3 ? m->dz - dz : 0;
}

static void mouse_arg(struct ps2_mouse *m, uint8_t cmd, uint8_t b)
{
    if (cmd == 0xe8) {
        m->resolution = b & 3;
    } else {                            /* f3: sample rate */
        m->rate = b;
        m->rate_hist[0] = m->rate_hist[1];
        m->rate_hist[1] = m->rate_hist[2];
        m->rate_hist[2] = b;
        if (m->rate_hist[0] == 200 && m->rate_hist[1] == 100 && m->rate_hist[2] == 80)
            m->id = 3;                  /* IntelliMouse: wheel in a 4th byte */
    }
    mouse_send(m, ACK);
}

void ps2_mouse_write(struct ps2_mouse *m, uint8_t b)
{
    if (m->wrap && b != 0xec && b != 0xff) {
        mouse_send(m, b);               /* wrap mode echoes */
        return;
    }
    if (m->pending_cmd) {
        uint8_t cmd = m->pending_cmd;
        m->pending_cmd = 0;
        mouse_arg(m, cmd, b);
        return;
    }
    switch (b) {
    case 0xe6: case 0xe7:
        m->scale21 = b == 0xe7;
        mouse_send(m, ACK);
        break;
    case 0xe8: case 0xf3:
        m->pending_cmd = b;
        mouse_send(m, ACK);
        break;
    case 0xe9:                          /* status: mode bits, resolution, rate */
        mouse_send(m, ACK);
        mouse_send(m, (uint8_t)((m->remote ? 0x40 : 0) | (m->reporting ? 0x20 : 0) |
                                (m->scale21 ? 0x10 : 0) | (m->buttons & 1 ? 4 : 0) |
                                (m->buttons & 4 ? 2 : 0) | (m->buttons & 2 ? 1 : 0)));
        mouse_send(m, m->resolution);
        mouse_send(m, m->rate);
        break;
    case 0xea: case 0xf0:
        m->remote = b == 0xf0;
        mouse_send(m, ACK);
        break;
    case 0xeb:                          /* read data (remote mode) */
        mouse_send(m, ACK);
        if (room(&m->q, 4))
            mouse_packet(m);
        break;
    case 0xec:
        m->wrap = false;
        mouse_send(m, ACK);
        break;
    case 0xee:
        m->wrap = true;
        mouse_send(m, ACK);
        break;
    case 0xf2:
        mouse_send(m, ACK);
        mouse_send(m, m->id);
        break;
    case 0xf4: case 0xf5:
        m->reporting = b == 0xf4;
        mouse_send(m, ACK);
        break;
    case 0xf6: {
        uint8_t id = m->id, buttons = m->buttons;
        ps2_mouse_reset(m);
        m->id = id;
        m->buttons = buttons;
        mouse_send(m, ACK);
        break;
    }
    case 0xff: {
        uint8_t buttons = m->buttons;
        ps2_mouse_reset(m);
        m->buttons = buttons;
        mouse_send(m, ACK);
        mouse_send(m, BAT_OK);
        mouse_send(m, 0x00);            /* device ID */
        break;
    }
    default:
        mouse_send(m, RESEND);
        break;
    }
}

void ps2_mouse_event(struct ps2_mouse *m, int dx, int dy, int dz, unsigned buttons)
{
    bool changed = (buttons & 7) != m->buttons;

    m->dx = clamp(m->dx + clamp(dx, -4096, 4096), -4096, 4096);
    m->dy = clamp(m->dy + clamp(dy, -4096, 4096), -4096, 4096);
    m->dz = clamp(m->dz + clamp(dz, -64, 64), -64, 64);
    m->buttons = (uint8_t)(buttons & 7);
    if (!m->reporting || m->remote || m->wrap)
        return;
    /* Big moves become several packets (at most 16 per event). */
    for (unsigned i = 0; i < 16 && room(&m->q, 4) &&
                         (changed || m->dx || m->dy || (m->id == 3 && m->dz)); i++) {
        mouse_packet(m);
        changed = false;
    }
}
