/* SPDX-License-Identifier: MIT */
/* monitor.h: the human monitor: a line-oriented command interpreter, independent of its transport. */
#ifndef KILN_UI_MONITOR_H
#define KILN_UI_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The monitor reaches the machine only through these callbacks, so it can be
 * driven by a real machine, a bare CPU or a test fake. Optional callbacks may
 * be NULL: the command then says the information is not available.
 */
struct monitor_paging {
    uint64_t cr0, cr3, cr4, efer;  /* paging mode and root (EFER.LMA selects 4-level) */
};

struct monitor_ops {
    /* Register dump for "info registers" (required). */
    void (*dump_regs)(void *opaque, FILE *out);
    /* Paging registers of the current CPU (required). */
    void (*get_paging)(void *opaque, struct monitor_paging *pg);
    /* Code size of the current CPU (16, 32 or 64) for "x/i". */
    unsigned (*code_bits)(void *opaque);
    /* Reads len bytes of guest-physical memory; false when nothing backs them. */
    bool (*read_phys)(void *opaque, uint64_t paddr, void *buf, size_t len);
    /* info mtree, info irq, info jit, info pci (optional). */
    void (*info_mtree)(void *opaque, FILE *out);
    void (*info_irq)(void *opaque, FILE *out);
    void (*info_jit)(void *opaque, FILE *out);
    void (*info_pci)(void *opaque, FILE *out);
    /* Run control (optional): stop / continue the vCPU, reset the machine, quit. */
    void (*stop)(void *opaque);
    void (*cont)(void *opaque);
    void (*reset)(void *opaque);
    void (*quit)(void *opaque);
    /* Whether the debugger's single steps may enter interrupt handlers
       (optional): set 0/1 changes it, set < 0 only asks; returns the setting. */
    bool (*step_irq)(void *opaque, int set);
    /* Injects an NMI (optional). */
    void (*nmi)(void *opaque);
};

struct monitor {
    const struct monitor_ops *ops;
    void *opaque;
    bool quit_requested;   /* set by "quit" */
};

/* Sets m up for the target (ops and opaque must outlive it). */
void monitor_init(struct monitor *m, const struct monitor_ops *ops, void *opaque);

/* Runs one command line (no trailing newline needed), writing its output to
   out. Returns 0 on success, -1 when the command failed (the message is in
   out). Empty lines do nothing. Never reads past the string; any input is safe. */
int monitor_command(struct monitor *m, const char *line, FILE *out);

/* ---- page-table walking (ui/monitor_mmu.c), shared with the gdbstub ---- */

/* Guest paging mode named by pg: "none", "32-bit", "PAE", "4-level". */
const char *monitor_paging_mode(const struct monitor_paging *pg);

/* Translates the guest-virtual address va with the page tables of pg (identity
   when paging is off). Returns true and sets *pa, and *flags to the effective
   writable/user bits (1 = W, 2 = U), or false when unmapped. */
bool monitor_virt_to_phys(const struct monitor *m, const struct monitor_paging *pg, uint64_t va,
                          uint64_t *pa, unsigned *flags);

/* Reads len bytes of guest-virtual memory through the current page tables;
   false at the first unmapped or unbacked byte. */
bool monitor_read_virt(const struct monitor *m, uint64_t va, void *buf, size_t len);

/* "info tlb": every mapped page (large pages as one line), at most max_lines. */
void monitor_print_tlb(const struct monitor *m, FILE *out, unsigned max_lines);
/* "info mem": contiguous virtual ranges with the same attributes. */
void monitor_print_mem(const struct monitor *m, FILE *out, unsigned max_lines);

#endif
