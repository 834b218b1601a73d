/* SPDX-License-Identifier: MIT */
/* i8042.h: the 8042 keyboard controller (ports 0x60/0x64) with a PS/2 keyboard and mouse, A20 and reset lines. */
#ifndef KILN_HW_I8042_H
#define KILN_HW_I8042_H

#include <stdbool.h>
#include <stdint.h>
#include "hw/irq.h"
#include "machine/bus.h"

/* Status register (port 0x64 reads). */
#define I8042_STS_OBF   0x01    /* output buffer full */
#define I8042_STS_IBF   0x02    /* input buffer full (never: writes are taken at once) */
#define I8042_STS_SYS   0x04    /* system flag (config byte bit 2) */
#define I8042_STS_CMD   0x08    /* last write was to the command port */
#define I8042_STS_UNLOCKED 0x10 /* keyboard not inhibited by the key lock */
#define I8042_STS_AUX   0x20    /* the output buffer holds mouse data */

/* Configuration ("command") byte. */
#define I8042_CFG_KBD_INT  0x01
#define I8042_CFG_AUX_INT  0x02
#define I8042_CFG_SYS      0x04
#define I8042_CFG_KBD_DIS  0x10
#define I8042_CFG_AUX_DIS  0x20
#define I8042_CFG_XLATE    0x40

struct i8042;

/* The guest pulsed the reset line (command 0xfe, or output port bit 0 cleared). */
typedef void (*i8042_reset_fn)(void *opaque);
/* The guest set the A20 gate through the output port (commands 0xd1, 0xdd, 0xdf). */
typedef void (*i8042_a20_fn)(void *opaque, bool on);

/*
 * Claims data_port (0x60) and data_port + 4 (0x64, status/command) on io.
 * kbd_irq and aux_irq (IRQ 1 and 12 on the PC; may be NULL) are levels: high
 * while the output buffer holds data from that port and its interrupt is
 * enabled in the configuration byte. The state is that firmware leaves:
 * configuration 0x65 (keyboard interrupt, system flag, translation on, mouse
 * port disabled), keyboard in scancode set 2 and scanning. NULL if the ports
 * are taken.
 */
struct i8042 *i8042_init(struct bus *io, uint16_t data_port, const struct irq_line *kbd_irq,
                         const struct irq_line *aux_irq, i8042_reset_fn reset, i8042_a20_fn a20,
                         void *opaque);
void i8042_free(struct i8042 *c);
/* Power-on state of the controller and both devices (IRQ lines lowered). */
void i8042_reset(struct i8042 *c);

/*
 * Input from the user interface. keycode is a USB HID keyboard usage
 * (0x04 'A' .. 0x65 Application, 0xe0-0xe7 modifiers; SDL_Scancode values);
 * returns false for codes without a PS/2 scancode. Mouse: relative motion
 * (dx right, dy up, dz wheel towards the user) and the buttons now held
 * (bit 0 left, 1 right, 2 middle).
 */
bool i8042_key_event(struct i8042 *c, unsigned keycode, bool down);
void i8042_mouse_event(struct i8042 *c, int dx, int dy, int dz, unsigned buttons);

/* For the monitor and tests: the configuration byte and the output port. */
uint8_t i8042_config(const struct i8042 *c);
uint8_t i8042_output_port(const struct i8042 *c);

#endif
