/* SPDX-License-Identifier: MIT */
/* sysbus.h: the contract between a full-system vCPU and the machine around it (no machine/ types). */
#ifndef KILN_CPU_SYSBUS_H
#define KILN_CPU_SYSBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Two halves:
 *
 *  - struct sysbus: what the MACHINE gives the CPU (physical memory, port I/O,
 *    interrupt acknowledge, the virtual clock, instruction accounting, reset
 *    and shutdown requests), as an ops table plus an opaque pointer, so cpu/
 *    never includes machine/ headers.
 *
 *  - struct sysbus_cpu_ops: what the CPU gives the MACHINE (create, reset,
 *    set the boot state, run for a budget, the INTR line, A20, exit request,
 *    TLB flush on a memory-map change). cpu/ exports the table through
 *    cpu_sys_ops(); the machine never sees struct cpu's layout. Tests hand the
 *    machine a fake table to drive the main loop without a real CPU.
 *
 * Threading: one vCPU thread runs the machine and the CPU; only
 * request_exit may be called from elsewhere (signal handler, another thread).
 */

struct cpu;
struct kiln_log;

/* ------------------------------------------------------------ machine -> CPU */

/* Asynchronous events the CPU reports to the machine. */
enum sysbus_request {
    SYSBUS_REQ_RESET,         /* the guest asked for a system reset (e.g. 0xCF9, keyboard controller) */
    SYSBUS_REQ_TRIPLE_FAULT,  /* shutdown cycle: the machine resets (or exits with -no-reboot) */
    SYSBUS_REQ_POWEROFF,      /* the guest powered the machine off */
    SYSBUS_REQ_FERR,          /* FERR#: a waiting x87 instruction found an unmasked exception
                                 pending with CR0.NE = 0 (PC: IRQ 13 until port 0xF0 is
                                 written); handled at once, the CPU goes on */
};

struct sysbus_ops {
    /*
     * Host address of the 4 KiB guest-physical page containing paddr when
     * one RAM or ROM mapping backs the whole page, for the soft TLB to cache;
     * NULL otherwise (MMIO, unassigned, or a page split between mappings):
     * such accesses go through mem_read/mem_write every time. *writable is
     * false for ROM (stores must take mem_write, which drops them). paddr is
     * already A20-masked by the CPU. A cached pointer stays valid until the
     * machine calls sysbus_cpu_ops.map_changed.
     */
    uint8_t *(*page_host)(void *opaque, uint64_t paddr, bool *writable);
    /* Slow-path physical accesses of 1, 2, 4 or 8 bytes (little endian) to
     * RAM, ROM, MMIO or nothing (reads all-ones, writes dropped). */
    uint64_t (*mem_read)(void *opaque, uint64_t paddr, unsigned size);
    void (*mem_write)(void *opaque, uint64_t paddr, uint64_t value, unsigned size);
    /* IN / OUT of 1, 2 or 4 bytes (unclaimed ports read all-ones). */
    uint32_t (*io_read)(void *opaque, uint16_t port, unsigned size);
    void (*io_write)(void *opaque, uint16_t port, uint32_t value, unsigned size);
    /*
     * Interrupt acknowledge: the CPU calls it when it accepts INTR (line high,
     * IF=1, at an instruction boundary) and delivers the returned vector.
     * Calling it when the line is low yields a spurious vector, never a crash.
     * The board routes it through the local APIC (its highest deliverable IRR
     * vector, or an ExtINT acknowledge cycle to the 8259 when LINT0 is in
     * virtual-wire mode or the APIC is globally disabled).
     */
    uint8_t (*inta)(void *opaque);
    /*
     * Instruction accounting for the virtual clock: the CPU reports every
     * instruction it retires exactly once, as "n more retired since the last
     * call", and does so before each io_read/io_write, before each MMIO
     * mem_read/mem_write, before clock_ns and before cpu exec returns. In
     * deterministic (-icount) mode this is what moves time, so a device sees
     * the exact instruction count at the moment it is accessed.
     */
    void (*account)(void *opaque, uint64_t n);
    /* Virtual time in ns since power-on (RDTSC: tsc = ns * tsc_hz / 1e9). */
    int64_t (*clock_ns)(void *opaque);
    /* Reset / triple fault / power-off; the machine acts once exec returns,
     * so the CPU should return from exec soon after (it may finish the block). */
    void (*request)(void *opaque, enum sysbus_request req);
    /*
     * Registers of the local APIC, which the board models (hw/lapic.c): the
     * CPU forwards IA32_APIC_BASE (0x1b) and IA32_TSC_DEADLINE (0x6e0) to
     * msr_read/msr_write (false: #GP) and CR8 to cr8_read/cr8_write (TPR bits
     * 7:4). NULL (no local APIC): the CPU's built-in defaults.
     */
    bool (*msr_read)(void *opaque, uint32_t idx, uint64_t *value);
    bool (*msr_write)(void *opaque, uint32_t idx, uint64_t value);
    uint64_t (*cr8_read)(void *opaque);
    void (*cr8_write)(void *opaque, uint64_t value);
};

/* The TSC runs at this rate from the virtual clock: tsc = clock_ns * 2. */
#define SYSBUS_TSC_HZ 2000000000ull

struct sysbus {
    const struct sysbus_ops *ops;
    void *opaque;
    struct kiln_log *log;   /* the machine's log (-d items); never NULL */
};

/* ------------------------------------------------------------ CPU -> machine */

/* Why exec returned. */
enum sysbus_exit {
    SYSBUS_EXIT_BUDGET,   /* ran (about) the budget: the machine runs timers and comes back */
    SYSBUS_EXIT_REQUEST,  /* request_exit was called, or a sysbus request was made */
    SYSBUS_EXIT_HALTED,   /* HLT (or wait-for-SIPI): nothing to run until an interrupt, NMI or reset */
    SYSBUS_EXIT_DEBUG,    /* stopped for the debugger (breakpoint, single step) */
    SYSBUS_EXIT_ERROR,    /* internal failure; the CPU logged why; the machine stops */
};

/* A -cpu feature flag ("+avx2" -> { "avx2", true }). */
struct sysbus_cpu_flag {
    const char *name;
    bool on;
};

/* Everything the CPU needs to be created. */
struct sysbus_cpu_config {
    unsigned index;                       /* CPU number (initial APIC ID) */
    bool interp;                          /* IR interpreter instead of the JIT */
    bool one_insn_per_tb;
    unsigned tb_size_mib;                 /* translation cache size, 0 = default */
    const char *model;                    /* "max", "qemu64", "base", or NULL = default */
    const struct sysbus_cpu_flag *flags;  /* +/- feature flags, in order; unknown names are errors */
    unsigned nflags;
    bool rng_seeded;                      /* RDRAND/RDSEED: PRNG seeded with rng_seed ... */
    uint64_t rng_seed;                    /* ... (deterministic); else seeded from the host */
};

/* Starting states the loaders ask for (SDM 9.1 gives the RESET state). */
enum sysbus_boot_mode {
    SYSBUS_BOOT_PROT32,   /* protected mode, paging off */
    SYSBUS_BOOT_LONG64,   /* 64-bit mode, paging on (cr3 given) */
};

/*
 * The state a loader hands over instead of the firmware path. The GDT is in
 * guest RAM at gdt_base; cs and ds are selectors into it whose descriptors
 * the loader made flat (base 0, limit 4 GiB, DPL 0): cs execute/read with D=1
 * (PROT32) or L=1 (LONG64), ds read/write. The CPU loads CS from cs and
 * DS, ES, SS, FS, GS from ds with their hidden parts taken from those
 * descriptors, as a far jump and MOV Sreg would. CPL 0, IDTR base 0 limit
 * 0x3ff, LDTR and TR null, interrupts disabled (rflags as given, normally 2),
 * A20 enabled, every other register as after RESET (FPU/SSE initialised).
 */
struct sysbus_boot_state {
    enum sysbus_boot_mode mode;
    uint64_t gpr[16];     /* RAX RCX RDX RBX RSP RBP RSI RDI R8..R15 */
    uint64_t rip;
    uint64_t rflags;
    uint16_t cs, ds;
    uint64_t gdt_base;
    uint16_t gdt_limit;
    uint64_t cr0, cr3, cr4, efer;
    uint64_t mmio_hole;   /* start of the MMIO hole below 4 GiB: the CPU's MTRRs are
                             left as firmware leaves them (write-back, the hole
                             uncacheable); 0: no hole */
};

struct sysbus_cpu_ops {
    /* A new CPU in its RESET state, reaching the machine through bus (copied;
     * the ops table and opaque must outlive the CPU). NULL with a reason in err. */
    struct cpu *(*create)(const struct sysbus_cpu_config *cfg, const struct sysbus *bus,
                          char *err, size_t errlen);
    void (*destroy)(struct cpu *cpu);
    /* RESET: real mode at F000:FFF0 with CS base 0xffff0000, caches and TLBs flushed. */
    void (*reset)(struct cpu *cpu);
    /* Loads a loader's starting state; false with a reason if unsupported (e.g. no long mode). */
    bool (*set_boot_state)(struct cpu *cpu, const struct sysbus_boot_state *st,
                           char *err, size_t errlen);
    /*
     * Runs guest code for about budget instructions (at least one unless
     * halted or an exit was requested; block granularity is fine). Returns
     * early on request_exit, a sysbus request, HLT, or a fault it cannot
     * handle. Interrupts are checked at least at every block entry.
     */
    enum sysbus_exit (*exec)(struct cpu *cpu, uint64_t budget);
    /* Level of the INTR pin (from the PIC); wakes a halted CPU when it can be taken. */
    void (*set_irq_line)(struct cpu *cpu, int level);
    /* Gate A20 (port 0x92 bit 1): when false, physical address bit 20 reads as 0. */
    void (*set_a20)(struct cpu *cpu, bool enabled);
    /*
     * Makes exec return soon (at the next block boundary) with
     * SYSBUS_EXIT_REQUEST. Async-signal-safe (it only sets a flag): the
     * machine calls it from a host timer signal at each realtime deadline,
     * from device callbacks and from signal handlers. A request made while
     * exec is not running makes the next exec return at once; exec clears
     * the flag when it returns because of it (never on entry, or requests
     * would be lost).
     */
    void (*request_exit)(struct cpu *cpu);
    /* The physical memory map changed: drop every cached page_host pointer. */
    void (*map_changed)(struct cpu *cpu);
    /* Guest RAM [paddr, paddr+len) was written behind the CPU's back (DMA,
     * loaders after a reset): drop translations of code in it. */
    void (*phys_written)(struct cpu *cpu, uint64_t paddr, uint64_t len);
    /* A rising edge on the NMI pin: delivered (vector 2) at the next instruction
     * boundary unless an NMI handler is running (blocked until IRET); wakes HLT.
     * May be NULL in a fake table. */
    void (*nmi)(struct cpu *cpu);
};

/*
 * The system CPU's table, or NULL while the system CPU is not built (then the
 * machine can be built and tested but cannot run guest code). Provided by
 * cpu/: until the system CPU lands, cpu/sysbus_none.c returns NULL; the file
 * that implements the table replaces it (delete sysbus_none.c).
 */
const struct sysbus_cpu_ops *cpu_sys_ops(void);

#endif
