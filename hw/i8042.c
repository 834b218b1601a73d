/* SPDX-License-Identifier: MIT */
/* i8042.c: the 8042 keyboard controller: status/command port, output buffer, translation, IRQ 1/12, A20, reset. */
#include <stdlib.h>
#include <string.h>
#include "hw/i8042.h"
#include "hw/ps2.h"

/* What firmware leaves in the configuration byte. */
#define CFG_FIRMWARE (I8042_CFG_KBD_INT | I8042_CFG_SYS | I8042_CFG_AUX_DIS | I8042_CFG_XLATE)
/* Output port bits. */
#define OUT_RESET 0x01          /* active low: 0 holds the CPU in reset */
#define OUT_A20   0x02
#define OUT_KBD_OBF 0x10
#define OUT_AUX_OBF 0x20

struct i8042 {
    struct bus *io;
    struct bus_region *r_data, *r_cmd;
    const struct irq_line *kbd_irq, *aux_irq;
    i8042_reset_fn reset;
    i8042_a20_fn a20;
    void *opaque;

    struct ps2_kbd kbd;
    struct ps2_mouse mouse;
    struct ps2_queue ctrl;      /* controller replies and 0xd2 bytes (keyboard side) */
    struct ps2_queue ctrl_aux;  /* 0xd3 bytes (mouse side) */
    uint8_t ram[32];            /* internal RAM; byte 0 is the configuration byte */
    uint8_t pending;            /* command waiting for its data byte on port 0x60 */
    uint8_t outport;
    bool last_was_cmd;
    uint8_t out;                /* output buffer */
    bool obf, out_aux;
    bool xlat_break;            /* a set 2 0xf0 prefix was swallowed by translation */
    int kbd_level, aux_level;
};

static void update_irqs(struct i8042 *c)
{
    int k = c->obf && !c->out_aux && (c->ram[0] & I8042_CFG_KBD_INT);
    int a = c->obf && c->out_aux && (c->ram[0] & I8042_CFG_AUX_INT);

    if (k != c->kbd_level) {
        c->kbd_level = k;
        irq_set(c->kbd_irq, k);
    }
    if (a != c->aux_level) {
        c->aux_level = a;
        irq_set(c->aux_irq, a);
    }
}

/* Moves the next byte into an empty output buffer: replies first, then the
   keyboard (translated when XLAT is on), then the mouse. */
static void refill(struct i8042 *c)
{
    if (!c->obf) {
        if (ps2_queue_count(&c->ctrl)) {
            c->out = ps2_queue_pop(&c->ctrl);
            c->obf = true;
            c->out_aux = false;
        } else if (ps2_queue_count(&c->ctrl_aux)) {
            c->out = ps2_queue_pop(&c->ctrl_aux);
            c->obf = true;
            c->out_aux = true;
        }
    }
    while (!c->obf && !(c->ram[0] & I8042_CFG_KBD_DIS) && ps2_queue_count(&c->kbd.q)) {
        uint8_t b = ps2_queue_pop(&c->kbd.q);
        if (c->ram[0] & I8042_CFG_XLATE) {
            if (b == 0xf0) {
                c->xlat_break = true;
                continue;
            }
            b = (uint8_t)(ps2_translate(b) | (c->xlat_break ? 0x80 : 0));
            c->xlat_break = false;
        }
        c->out = b;
        c->obf = true;
        c->out_aux = false;
    }
    if (!c->obf && !(c->ram[0] & I8042_CFG_AUX_DIS) && ps2_queue_count(&c->mouse.q)) {
        c->out = ps2_queue_pop(&c->mouse.q);
        c->obf = true;
        c->out_aux = true;
    }
    update_irqs(c);
}

static void reply(struct i8042 *c, uint8_t b)
{
    ps2_queue_push(&c->ctrl, b);
}

static void set_a20(struct i8042 *c, bool on)
{
    c->outport = (uint8_t)((c->outport & ~OUT_A20) | (on ? OUT_A20 : 0));
    if (c->a20)
        c->a20(c->opaque, on);
}

static void pulse_reset(struct i8042 *c)
{
    if (c->reset)
        c->reset(c->opaque);
}

static uint8_t output_port(const struct i8042 *c)
{
    uint8_t v = (uint8_t)(c->outport & (OUT_RESET | OUT_A20));
    if (c->obf)
        v |= c->out_aux ? OUT_AUX_OBF : OUT_KBD_OBF;
    return v | 0xc0;            /* keyboard clock and data lines idle high */
}

static void command(struct i8042 *c, uint8_t cmd)
{
    if (cmd >= 0x20 && cmd < 0x40) {
        reply(c, c->ram[cmd & 0x1f]);
        return;
    }
    if ((cmd >= 0x60 && cmd < 0x80) || (cmd >= 0xd1 && cmd <= 0xd4)) {
        c->pending = cmd;
        return;
    }
    if (cmd >= 0xf0) {
        /* Pulse the output port bits whose mask bit is 0; bit 0 is the reset line. */
        if (!(cmd & 1))
            pulse_reset(c);
        return;
    }
    switch (cmd) {
    case 0xa4: reply(c, 0xf1); break;                   /* no password installed */
    case 0xa7: c->ram[0] |= I8042_CFG_AUX_DIS; break;
    case 0xa8: c->ram[0] &= (uint8_t)~I8042_CFG_AUX_DIS; break;
    case 0xa9: reply(c, 0x00); break;                   /* mouse interface test: ok */
    case 0xaa:                                          /* self test: ok */
        c->ram[0] |= I8042_CFG_SYS;
        reply(c, 0x55);
        break;
    case 0xab: reply(c, 0x00); break;                   /* keyboard interface test: ok */
    case 0xad: c->ram[0] |= I8042_CFG_KBD_DIS; break;
    case 0xae: c->ram[0] &= (uint8_t)~I8042_CFG_KBD_DIS; break;
    case 0xc0: reply(c, 0x80); break;                   /* input port: not inhibited */
    case 0xd0: reply(c, output_port(c)); break;
    case 0xdd: set_a20(c, false); break;
    case 0xdf: set_a20(c, true); break;
    case 0xe0: reply(c, 0x00); break;                   /* test inputs */
    default: break;                                     /* unknown: ignored */
    }
}

static void data_write(struct i8042 *c, uint8_t b)
{
    uint8_t cmd = c->pending;

    c->pending = 0;
    if (cmd >= 0x60 && cmd < 0x80) {
        c->ram[cmd & 0x1f] = b;
        if (cmd == 0x60 && !(b & I8042_CFG_XLATE))
            c->xlat_break = false;
        return;
    }
    switch (cmd) {
    case 0xd1:
        set_a20(c, (b & OUT_A20) != 0);
        c->outport = (uint8_t)((c->outport & OUT_A20) | OUT_RESET);
        if (!(b & OUT_RESET))
            pulse_reset(c);
        break;
    case 0xd2:
        reply(c, b);
        break;
    case 0xd3:
        ps2_queue_push(&c->ctrl_aux, b);
        break;
    case 0xd4:
        ps2_mouse_write(&c->mouse, b);
        break;
    default:
        /* To the keyboard; this also re-enables its interface. */
        c->ram[0] &= (uint8_t)~I8042_CFG_KBD_DIS;
        ps2_kbd_write(&c->kbd, b);
        break;
    }
}

static uint64_t data_read(void *opaque, uint64_t off, unsigned size)
{
    struct i8042 *c = opaque;
    uint8_t v = c->out;

    (void)off;
    (void)size;
    c->obf = false;
    update_irqs(c);             /* the line falls, so a next byte makes a new edge */
    refill(c);
    return v;
}

static uint64_t status_read(void *opaque, uint64_t off, unsigned size)
{
    struct i8042 *c = opaque;
    uint8_t sts = I8042_STS_UNLOCKED;

    (void)off;
    (void)size;
    if (c->obf)
        sts |= I8042_STS_OBF | (c->out_aux ? I8042_STS_AUX : 0);
    if (c->ram[0] & I8042_CFG_SYS)
        sts |= I8042_STS_SYS;
    if (c->last_was_cmd)
        sts |= I8042_STS_CMD;
    return sts;
}

static void data_port_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct i8042 *c = opaque;

    (void)off;
    (void)size;
    c->last_was_cmd = false;
    data_write(c, (uint8_t)val);
    refill(c);
}

static void command_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct i8042 *c = opaque;

    (void)off;
    (void)size;
    c->last_was_cmd = true;
    command(c, (uint8_t)val);
    refill(c);
}

static const struct bus_ops data_ops = { data_read, data_port_write, 1, 1, false };
static const struct bus_ops cmd_ops = { status_read, command_write, 1, 1, false };

void i8042_reset(struct i8042 *c)
{
    memset(c->ram, 0, sizeof(c->ram));
    c->ram[0] = CFG_FIRMWARE;
    memset(&c->ctrl, 0, sizeof(c->ctrl));
    memset(&c->ctrl_aux, 0, sizeof(c->ctrl_aux));
    ps2_kbd_reset(&c->kbd);
    ps2_mouse_reset(&c->mouse);
    c->pending = 0;
    c->outport = OUT_RESET | OUT_A20;
    c->last_was_cmd = false;
    c->out = 0;
    c->obf = c->out_aux = c->xlat_break = false;
    update_irqs(c);
}

struct i8042 *i8042_init(struct bus *io, uint16_t data_port, const struct irq_line *kbd_irq,
                         const struct irq_line *aux_irq, i8042_reset_fn reset, i8042_a20_fn a20,
                         void *opaque)
{
    struct i8042 *c = calloc(1, sizeof(*c));

    if (c == NULL || data_port > 0xfffb)
        return free(c), NULL;
    c->io = io;
    c->kbd_irq = kbd_irq;
    c->aux_irq = aux_irq;
    c->reset = reset;
    c->a20 = a20;
    c->opaque = opaque;
    c->r_data = bus_register(io, data_port, 1, &data_ops, c, "i8042 data");
    c->r_cmd = bus_register(io, data_port + 4u, 1, &cmd_ops, c, "i8042 status/command");
    if (c->r_data == NULL || c->r_cmd == NULL) {
        i8042_free(c);
        return NULL;
    }
    i8042_reset(c);
    return c;
}

void i8042_free(struct i8042 *c)
{
    if (c == NULL)
        return;
    if (c->r_data)
        bus_unregister(c->io, c->r_data);
    if (c->r_cmd)
        bus_unregister(c->io, c->r_cmd);
    free(c);
}

bool i8042_key_event(struct i8042 *c, unsigned keycode, bool down)
{
    bool known = ps2_kbd_key(&c->kbd, keycode, down);
    refill(c);
    return known;
}

void i8042_mouse_event(struct i8042 *c, int dx, int dy, int dz, unsigned buttons)
{
    ps2_mouse_event(&c->mouse, dx, dy, dz, buttons);
    refill(c);
}

uint8_t i8042_config(const struct i8042 *c) { return c->ram[0]; }
uint8_t i8042_output_port(const struct i8042 *c) { return output_port(c); }
