/* SPDX-License-Identifier: MIT */
/* uart.c: 16550A registers, FIFOs with trigger levels, prioritized interrupts, loopback. */
#include <stdlib.h>
#include "hw/uart.h"

enum { RBR = 0, IER = 1, IIR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

#define IER_RDA  0x01
#define IER_THRE 0x02
#define IER_RLS  0x04
#define IER_MS   0x08
#define LCR_DLAB 0x80
#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_PE   0x04
#define LSR_FE   0x08
#define LSR_BI   0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define LSR_ERRS (LSR_OE | LSR_PE | LSR_FE | LSR_BI)
#define MSR_CTS  0x10
#define MSR_DSR  0x20
#define MSR_RI   0x40
#define MSR_DCD  0x80
#define FIFO_LEN 16

struct uart {
    uint8_t rx[FIFO_LEN];
    unsigned rx_head, rx_count;
    uint8_t ier, lcr, mcr, lsr, msr, scr, dll, dlm;
    bool fifo_on;
    unsigned trigger;
    bool thr_ipending, timeout_ipending;
    bool out2_gate, irq_level;
    struct clock *clock;
    struct timer *timeout;
    const struct irq_line *irq;
    struct chardev *cd;
    struct bus *io;
    struct bus_region *regs;
};

static uint8_t iir_value(const struct uart *u)
{
    uint8_t id = 0x01;
    if ((u->ier & IER_RLS) && (u->lsr & LSR_ERRS))
        id = 0x06;
    else if ((u->ier & IER_RDA) && u->timeout_ipending)
        id = 0x0c;
    else if ((u->ier & IER_RDA) && u->rx_count && (!u->fifo_on || u->rx_count >= u->trigger))
        id = 0x04;
    else if ((u->ier & IER_THRE) && u->thr_ipending)
        id = 0x02;
    else if ((u->ier & IER_MS) && (u->msr & 0x0f))
        id = 0x00;
    return id | (u->fifo_on ? 0xc0 : 0);
}

static void update_irq(struct uart *u)
{
    bool level = !(iir_value(u) & 1);
    if (u->out2_gate && (!(u->mcr & MCR_OUT2) || (u->mcr & MCR_LOOP)))
        level = false;
    if (level != u->irq_level) {
        u->irq_level = level;
        irq_set(u->irq, level);
    }
}

int64_t uart_char_ns(const struct uart *u)
{
    unsigned div = (unsigned)(u->dlm << 8 | u->dll);
    if (!div)
        div = 65536;
    unsigned data = 5 + (u->lcr & 3);
    unsigned bits = 1 + data + ((u->lcr & 0x08) ? 1 : 0) + ((u->lcr & 0x04) ? 2 : 1);
    /* One bit is 16 clocks of the divided UART clock. */
    return (int64_t)((uint64_t)bits * 16 * div * CLOCK_NS_PER_SEC / UART_CLOCK_HZ);
}

/* The character timeout fires after 4 character times without FIFO activity. */
static void arm_timeout(struct uart *u)
{
    if (u->fifo_on && u->rx_count)
        timer_mod(u->timeout, clock_ns(u->clock) + 4 * uart_char_ns(u));
    else
        timer_del(u->timeout);
}

static void timeout_fired(void *opaque)
{
    struct uart *u = opaque;
    if (u->fifo_on && u->rx_count)
        u->timeout_ipending = true;
    update_irq(u);
}

static void rx_clear(struct uart *u)
{
    u->rx_head = u->rx_count = 0;
    u->lsr &= ~LSR_DR;
    u->timeout_ipending = false;
    timer_del(u->timeout);
}

static void rx_byte(struct uart *u, uint8_t b)
{
    unsigned cap = u->fifo_on ? FIFO_LEN : 1;
    if (u->rx_count >= cap) {
        u->lsr |= LSR_OE;
        if (!u->fifo_on)                /* 16450 mode: the new byte overwrites */
            u->rx[u->rx_head] = b;
    } else {
        u->rx[(u->rx_head + u->rx_count) % FIFO_LEN] = b;
        u->rx_count++;
    }
    u->lsr |= LSR_DR;
}

static size_t fe_can_receive(void *opaque)
{
    struct uart *u = opaque;
    if (u->mcr & MCR_LOOP)
        return 0;
    return (u->fifo_on ? FIFO_LEN : 1) - u->rx_count;
}

static void fe_receive(void *opaque, const uint8_t *buf, size_t len)
{
    struct uart *u = opaque;
    for (size_t i = 0; i < len; i++)
        rx_byte(u, buf[i]);
    u->timeout_ipending = false;
    arm_timeout(u);
    update_irq(u);
}

/* A break condition received: a zero character with BI (line status interrupt). */
static void rx_break(struct uart *u)
{
    rx_byte(u, 0);
    u->lsr |= LSR_BI;
    u->timeout_ipending = false;
    arm_timeout(u);
    update_irq(u);
}

static void fe_event(void *opaque, int event)
{
    struct uart *u = opaque;
    if (event == CHARDEV_EVENT_BREAK && !(u->mcr & MCR_LOOP))
        rx_break(u);
}

static void transmit(struct uart *u, uint8_t b)
{
    if (u->mcr & MCR_LOOP) {
        rx_byte(u, b);
        u->timeout_ipending = false;
        arm_timeout(u);
    } else if (u->cd) {
        chardev_write(u->cd, &b, 1);
    }
    u->lsr |= LSR_THRE | LSR_TEMT;
    u->thr_ipending = true;
}

/* Modem status inputs: looped back from MCR, or an always-ready line. */
static void update_msr(struct uart *u)
{
    uint8_t lines;
    if (u->mcr & MCR_LOOP) {
        lines = (u->mcr & MCR_RTS ? MSR_CTS : 0) | (u->mcr & MCR_DTR ? MSR_DSR : 0) |
                (u->mcr & MCR_OUT1 ? MSR_RI : 0) | (u->mcr & MCR_OUT2 ? MSR_DCD : 0);
    } else {
        lines = MSR_CTS | MSR_DSR | MSR_DCD;
    }
    uint8_t old = u->msr & 0xf0, delta = 0, chg = old ^ lines;
    if (chg & MSR_CTS)
        delta |= 0x01;
    if (chg & MSR_DSR)
        delta |= 0x02;
    if ((old & MSR_RI) && !(lines & MSR_RI))
        delta |= 0x04;                  /* trailing edge of ring */
    if (chg & MSR_DCD)
        delta |= 0x08;
    u->msr = lines | (u->msr & 0x0f) | delta;
}

static uint64_t uart_read(void *opaque, uint64_t off, unsigned size)
{
    struct uart *u = opaque;
    uint8_t v = 0xff;
    switch (off) {
    case RBR:
        if (u->lcr & LCR_DLAB) {
            v = u->dll;
            break;
        }
        v = u->rx[u->rx_head];
        if (u->rx_count) {
            u->rx_head = (u->rx_head + 1) % FIFO_LEN;
            u->rx_count--;
        }
        if (!u->rx_count)
            u->lsr &= ~LSR_DR;
        u->timeout_ipending = false;
        arm_timeout(u);
        update_irq(u);
        if (u->cd && u->rx_count == 0)
            chardev_accept_input(u->cd);
        break;
    case IER:
        v = (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
        break;
    case IIR:
        v = iir_value(u);
        if ((v & 0x0f) == 0x02) {
            u->thr_ipending = false;    /* reading IIR acknowledges THRE */
            update_irq(u);
        }
        break;
    case LCR:
        v = u->lcr;
        break;
    case MCR:
        v = u->mcr;
        break;
    case LSR:
        v = u->lsr;
        if (u->fifo_on && (u->lsr & LSR_ERRS))
            v |= 0x80;
        u->lsr &= ~LSR_ERRS;
        update_irq(u);
        break;
    case MSR:
        v = u->msr;
        u->msr &= 0xf0;
        update_irq(u);
        break;
    case SCR:
        v = u->scr;
        break;
    }
    return v;
}

static void write_fcr(struct uart *u, uint8_t v)
{
    static const unsigned trig[4] = { 1, 4, 8, 14 };
    bool on = v & 1;
    if (on != u->fifo_on) {
        rx_clear(u);                    /* changing FIFO mode empties both FIFOs */
        u->fifo_on = on;
    }
    if (!on)
        return;
    if (v & 0x02)
        rx_clear(u);
    u->trigger = trig[v >> 6];
}

static void uart_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct uart *u = opaque;
    uint8_t v = (uint8_t)val;
    switch (off) {
    case RBR:
        if (u->lcr & LCR_DLAB) {
            u->dll = v;
        } else {
            u->thr_ipending = false;
            transmit(u, v);
        }
        break;
    case IER:
        if (u->lcr & LCR_DLAB) {
            u->dlm = v;
        } else {
            /* Enabling THRE interrupts while the holder is empty raises one. */
            if ((v & IER_THRE) && !(u->ier & IER_THRE) && (u->lsr & LSR_THRE))
                u->thr_ipending = true;
            u->ier = v & 0x0f;
        }
        break;
    case IIR:
        write_fcr(u, v);
        break;
    case LCR:
        /* Setting the break bit in loopback makes the receiver see a break. */
        if ((v & 0x40) && !(u->lcr & 0x40) && (u->mcr & MCR_LOOP))
            rx_break(u);
        u->lcr = v;
        break;
    case MCR: {
        bool was_loop = u->mcr & MCR_LOOP;
        u->mcr = v & 0x1f;
        update_msr(u);
        if (was_loop && !(u->mcr & MCR_LOOP) && u->cd)
            chardev_accept_input(u->cd);
        break;
    }
    case SCR:
        u->scr = v;
        break;
    default:
        break;                          /* LSR, MSR: read-only */
    }
    update_irq(u);
}

static const struct bus_ops uart_ops = { uart_read, uart_write, 1, 1, false };

struct uart *uart_init(struct bus *io, struct clock *clock, uint16_t base,
                       const struct irq_line *irq, struct chardev *cd)
{
    struct uart *u = calloc(1, sizeof(*u));
    if (!u)
        return NULL;
    u->io = io;
    u->clock = clock;
    u->irq = irq;
    u->cd = cd;
    u->out2_gate = true;
    u->trigger = 1;
    u->lsr = LSR_THRE | LSR_TEMT;
    u->dll = 12;                        /* 9600 baud until programmed; LCR resets to 0 */
    update_msr(u);
    u->msr &= 0xf0;
    u->timeout = clock_timer_new(clock, timeout_fired, u);
    u->regs = bus_register(io, base, 8, &uart_ops, u, "uart");
    if (!u->timeout || !u->regs) {
        uart_free(u);
        return NULL;
    }
    if (cd) {
        chardev_set_frontend(cd, fe_can_receive, fe_receive, u);
        chardev_set_event_handler(cd, fe_event, u);
    }
    return u;
}

void uart_free(struct uart *u)
{
    if (!u)
        return;
    if (u->cd) {
        chardev_set_frontend(u->cd, NULL, NULL, NULL);
        chardev_set_event_handler(u->cd, NULL, NULL);
    }
    timer_free(u->timeout);
    if (u->regs)
        bus_unregister(u->io, u->regs);
    free(u);
}

void uart_set_out2_gate(struct uart *u, bool gated)
{
    u->out2_gate = gated;
    update_irq(u);
}

unsigned uart_rx_count(const struct uart *u) { return u->rx_count; }
