/* SPDX-License-Identifier: MIT */
/* gdbstub.h: the GDB remote serial protocol server (packets, registers, memory, breakpoints, run control). */
#ifndef KILN_UI_GDBSTUB_H
#define KILN_UI_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct monitor;

/*
 * Registers as gdb sees them: always the x86-64 layout of our target
 * description (ui/gdbstub_regs.c), whatever mode the guest is in, so gdb never
 * sees a 'g' reply of a different size (real and protected mode report the
 * zero-extended 32/16-bit values). Order of gpr[]: gdb's, i.e.
 * rax rbx rcx rdx rsi rdi rbp rsp r8..r15.
 */
struct gdb_regs {
    uint64_t gpr[16];
    uint64_t rip;
    uint32_t eflags;
    uint32_t seg[6];          /* cs ss ds es fs gs selectors */
    uint8_t st[8][10];        /* x87 registers, 80-bit */
    uint32_t fpu[8];          /* fctrl fstat ftag fiseg fioff foseg fooff fop */
    uint8_t xmm[16][16];
    uint32_t mxcsr;
    uint64_t fs_base, gs_base;
};

/* What one run slice ended with. */
enum gdb_run {
    GDB_RUN_MORE,       /* ran a slice, the guest goes on (the stub polls for Ctrl-C) */
    GDB_RUN_BREAK,      /* stopped at a breakpoint (rip = its address, not executed) */
    GDB_RUN_STEPPED,    /* the single step is done */
    GDB_RUN_EXITED,     /* the machine is gone (powered off) */
    GDB_RUN_FAULT,      /* stopped at an exception nobody handles (reported as SIGSEGV) */
    GDB_RUN_INTERRUPTED,/* stopped from elsewhere (the monitor's stop): reported as SIGINT */
};

/* Breakpoint kinds of Z/z packets. */
enum gdb_bp {
    GDB_BP_SW = 0, GDB_BP_HW = 1,
    GDB_BP_WRITE = 2, GDB_BP_READ = 3, GDB_BP_ACCESS = 4, /* watchpoints: Z2 Z3 Z4 */
};

/* The debugged machine, as callbacks (the stub never sees struct cpu). */
struct gdb_target_ops {
    void (*get_regs)(void *opaque, struct gdb_regs *r);
    void (*set_regs)(void *opaque, const struct gdb_regs *r);
    /* Guest-virtual memory through the current page tables; false when unmapped. */
    bool (*read_mem)(void *opaque, uint64_t va, void *buf, size_t len);
    bool (*write_mem)(void *opaque, uint64_t va, const void *buf, size_t len);
    /* Breakpoints: true on success (false: no room / unsupported). */
    bool (*bp_insert)(void *opaque, enum gdb_bp type, uint64_t addr);
    bool (*bp_remove)(void *opaque, enum gdb_bp type, uint64_t addr);
    /* Watchpoints (GDB_BP_WRITE/READ/ACCESS) on [addr, addr+len) guest-virtual;
       true on success. NULL: watchpoints unsupported (empty reply). */
    bool (*wp_insert)(void *opaque, enum gdb_bp type, uint64_t addr, uint64_t len);
    bool (*wp_remove)(void *opaque, enum gdb_bp type, uint64_t addr, uint64_t len);
    /* After GDB_RUN_BREAK: true when a watchpoint stopped the guest (after the
       accessing instruction), with its kind and address; clears the record. */
    bool (*watch_hit)(void *opaque, enum gdb_bp *type, uint64_t *addr);
    /* Runs one slice (step: exactly one instruction). */
    enum gdb_run (*run)(void *opaque, bool step);
    /* Optional: called when the stub would block reading fd while the guest is
       stopped; keeps the rest of the target alive (timers, devices, the
       monitor) and returns true once fd is readable, false when the target is
       gone (the stub then ends as if disconnected). NULL: a blocking read. */
    bool (*wait)(void *opaque, int fd);
};

struct gdbstub {
    int fd;                     /* connected socket */
    bool noack;                 /* QStartNoAckMode accepted */
    const struct gdb_target_ops *ops;
    void *opaque;
    struct monitor *mon;        /* for qRcmd ("monitor ..." in gdb); NULL: not available */
    uint8_t rbuf[4096];         /* input buffer */
    size_t rpos, rlen;
    int last_signal;            /* for '?' */
    unsigned packets;           /* packets handled (statistics, tests) */
    uint64_t hwbp[16];          /* Z1 addresses: their stops say "hwbreak" */
    unsigned nhwbp;
};

/* Why gdbstub_serve returned. */
enum gdbstub_end {
    GDBSTUB_DETACHED,    /* D: the guest runs on without the debugger */
    GDBSTUB_KILLED,      /* k: the user asked to kill the machine */
    GDBSTUB_DISCONNECTED,/* the connection closed or failed */
    GDBSTUB_EXITED,      /* the target reported GDB_RUN_EXITED */
};

/* Sets a stub up on a connected socket fd (not owned: the caller closes it). */
void gdbstub_init(struct gdbstub *g, int fd, const struct gdb_target_ops *ops, void *opaque,
                  struct monitor *mon);

/* Serves the connection: the guest is stopped (as after -S) until gdb resumes
   it; returns when gdb detaches, kills, disconnects or the target exits. */
enum gdbstub_end gdbstub_serve(struct gdbstub *g);

/* The target description XML (tests; the stub serves it with qXfer). */
const char *gdbstub_target_xml(void);
/* Size in bytes of a 'g' reply's payload before hex encoding. */
size_t gdbstub_regs_size(void);
/* Encodes / decodes registers in the target description's order; decode
   returns false when buf has the wrong size. Register n alone: n < count. */
size_t gdbstub_regs_encode(const struct gdb_regs *r, uint8_t *buf);
bool gdbstub_regs_decode(struct gdb_regs *r, const uint8_t *buf, size_t len);
unsigned gdbstub_reg_count(void);
/* Pointer and size of register n inside r (NULL when out of range). */
void *gdbstub_reg_ptr(struct gdb_regs *r, unsigned n, size_t *size);

/* A target for one struct cpu run directly with cpu_exec (the bare CPU of
   tests and tools): breakpoints through cpu/debug.h, memory through the CPU's
   translate hook (writes invalidate translations), HLT ends the program
   (GDB_RUN_EXITED). Writes to segment selectors and x87 registers are
   ignored (XMM and MXCSR writes are taken). opaque is a struct gdbstub_cpu_target. */
struct gdbstub_cpu_target {
    struct cpu *cpu;
    uint64_t slice;   /* instructions per run slice (0: 100000) */
};
extern const struct gdb_target_ops gdbstub_cpu_ops;

/* Opens a TCP listening socket on host:port (host NULL: 127.0.0.1). Returns
   the fd, or -1 with a reason in err. */
int gdbstub_listen(const char *host, unsigned port, char *err, size_t errlen);

#endif
