/* SPDX-License-Identifier: MIT */
/* sys.h: the system CPU: descriptors, segment loads, interrupt delivery, far transfers. */
#ifndef KILN_CPU_SYS_H
#define KILN_CPU_SYS_H

#include <stdbool.h>
#include <stdint.h>
#include "cpu/cpu.h"
#include "cpu/decode.h"

/* Descriptor fields (desc = the 8-byte descriptor as a little-endian u64). */
#define DESC_P(d) (((d) >> 47) & 1)
#define DESC_DPL(d) ((unsigned)((d) >> 45) & 3)
#define DESC_S(d) (((d) >> 44) & 1)          /* 1: code/data, 0: system */
#define DESC_TYPE(d) ((unsigned)((d) >> 40) & 15)
#define DESC_CODE(d) (DESC_S(d) && ((d) >> 43 & 1))
#define DESC_CONFORMING(d) (DESC_CODE(d) && ((d) >> 42 & 1))
#define DESC_READABLE(d) (!DESC_CODE(d) || ((d) >> 41 & 1)) /* data always readable */
#define DESC_WRITABLE_DATA(d) (DESC_S(d) && !((d) >> 43 & 1) && ((d) >> 41 & 1))
#define DESC_L(d) (((d) >> 53) & 1)
#define DESC_DB(d) (((d) >> 54) & 1)

/* Current privilege level. */
static inline unsigned cpu_cpl(const struct cpu *cpu)
{
    return (cpu->hflags & HF_CPL_MASK) >> HF_CPL_SHIFT;
}
/* Sets CPL and recomputes hflags. */
void cpu_set_cpl(struct cpu *cpu, unsigned cpl);
/* True in 64-bit mode (long mode with a 64-bit code segment). */
static inline bool cpu_64bit(const struct cpu *cpu) { return (cpu->hflags & HF_CS64) != 0; }
/* True in protected mode (not real, not virtual-8086). */
static inline bool cpu_pmode(const struct cpu *cpu)
{
    return (cpu->hflags & HF_PE) && !(cpu->hflags & HF_VM);
}

/* --- seg.c --- */
/* Reads the descriptor of sel from the GDT or LDT into *desc (and, for long-mode
   system descriptors, the high 8 bytes into *hi when hi is not NULL). Returns
   false when sel lies beyond the table's limit (or the LDT is null): the caller
   raises its own fault. May raise #PF reading the table. */
bool seg_read_desc(struct cpu *cpu, uint16_t sel, uint64_t *desc, uint64_t *hi);
/* Sets the accessed bit of sel's descriptor in memory (code/data only). */
void seg_set_accessed(struct cpu *cpu, uint16_t sel, uint64_t desc);
/* Fills a segment cache from selector and descriptor (hi: bits 32..63 of a
   16-byte system descriptor's base, or 0). */
void seg_cache_set(struct cpu_seg *sc, uint16_t sel, uint64_t desc, uint64_t hi);
/* Loads data/stack segment register seg (ES SS DS FS GS) with sel, in the
   current mode, with every protected-mode check (#GP/#SS/#NP with the
   selector as error code). Recomputes hflags. */
void cpu_load_seg(struct cpu *cpu, int seg, uint16_t sel);
/* Loads CS from sel/desc with RPL forced to cpl, sets CPL = cpl. */
void seg_load_cs(struct cpu *cpu, uint16_t sel, uint64_t desc, unsigned cpl);
/* After a return to an outer level: nulls ES DS FS GS that the new CPL may not use. */
void seg_validate_outer(struct cpu *cpu);
/* Checks sel as the new SS at privilege cpl (#TS or #SS / #GP, per exc) and returns its descriptor. */
uint64_t seg_check_ss(struct cpu *cpu, uint16_t sel, unsigned cpl, int exc);

/* --- sys_insn.c --- */
/* I/O permission for port..port+size-1: in protected mode with CPL > IOPL and in
   virtual-8086 mode, the TSS I/O bitmap must allow it; #GP(0) otherwise. */
void cpu_io_check(struct cpu *cpu, uint16_t port, unsigned size);

/* --- priv.c, msr.c --- */
/* #GP(0) unless CPL 0 and not virtual-8086 mode. */
void sys_check_cpl0(struct cpu *cpu);
/* MOV to CR0/2/3/4/8 with the reserved-bit checks, LMA switching and TLB flushes. */
void sys_write_cr(struct cpu *cpu, unsigned cr, uint64_t v);
/* MSR access; false: unknown MSR or reserved bits (the instruction raises #GP(0)). */
bool sys_rdmsr(struct cpu *cpu, uint32_t idx, uint64_t *v);
bool sys_wrmsr(struct cpu *cpu, uint32_t idx, uint64_t v);
/* MTRRs, PAT, ARCH_CAPABILITIES, SPEC_CTRL, PRED_CMD (cpu/msr_mtrr.c): reads
   into / writes from *v; 1 done, 0 #GP (reserved bits, read-only or write-only),
   -1 not one of these MSRs. */
int sys_msr_mtrr(struct cpu *cpu, uint32_t idx, bool write, uint64_t *v);
/* What firmware leaves behind: MTRRs enabled, write-back by default, and the
   MMIO hole [hole, 4 GiB) uncacheable when it is a naturally aligned power of
   two (hole 0: no hole). */
void sys_mtrr_firmware(struct cpu *cpu, uint64_t hole);

/* --- intr.c --- */
/* How an event reached delivery. */
enum intr_kind {
    INTR_EXCEPTION,   /* fault/trap raised by an instruction */
    INTR_SOFT,        /* INT n, INT3, INTO: gate DPL checked against CPL */
    INTR_EXTERNAL,    /* INTR / NMI: EXT bit in error codes */
};
/* Delivers vector now (rip = the return address already). Raises on a fault
   during delivery (the caller, cpu_sys_deliver, turns that into #DF). */
void cpu_interrupt(struct cpu *cpu, int vector, enum intr_kind kind, bool has_error, uint32_t error);
/* The struct cpu deliver hook of the system CPU: delivers cpu->excp_*, with
   double-fault and triple-fault (cpu->shutdown) handling. */
void cpu_sys_deliver(struct cpu *cpu);
/* Installs cpu_sys_deliver and the RESET IDTR (base 0, limit 0x3ff) when the IDTR is empty. */
void cpu_sys_enable(struct cpu *cpu);
/* Takes the INTR line if it is high and may be taken now (IF set, no shadow):
   calls ack() for the vector and delivers it. Returns true if delivered. Call
   only from outside cpu_exec's blocks with cpu->in_exec false: it runs its own
   unwind point. */
bool cpu_take_irq(struct cpu *cpu, uint8_t (*ack)(void *opaque), void *opaque);
/* Delivers a pending NMI (vector 2) unless blocked (NMI handler running, or the
   MOV SS / STI shadow); sets the blocking that IRET clears. True if taken. */
bool cpu_take_nmi(struct cpu *cpu);

/* --- task.c --- */
/* What started a task switch (SDM 7.3): JMP and IRET clear the old task's busy
   bit; CALL and interrupts nest (back link, NT set in the new task). */
enum task_src { TASK_JMP, TASK_CALL, TASK_IRET, TASK_INT };
/* Switches to the task of TSS selector sel (GDT descriptor desc, 16- or 32-bit):
   checks the new and old TSS (#NP/#TS with ext, the EXT bit, in error codes),
   saves the current state with eip into the old TSS, loads the new one (TR,
   busy bits, back link, NT, CR0.TS, CR3 when paging, LDTR, EFLAGS, EIP,
   registers), then loads the segments with faults in the new task's context,
   pushes error (has_error) on the new stack and raises #DB for the T bit. */
void task_switch(struct cpu *cpu, uint16_t sel, uint64_t desc, enum task_src src, uint64_t eip,
                 bool has_error, uint32_t error, uint32_t ext);
/* Far JMP/CALL to selector sel with descriptor d: when d is a TSS or a task gate,
   does the privilege checks and the task switch (next = the EIP saved) and
   returns true; false when d is neither. #GP(sel) in long mode. */
bool task_far(struct cpu *cpu, uint16_t sel, uint64_t d, bool call, uint64_t next);
/* An interrupt or exception through an IDT task gate (checked present and DPL
   by the caller): switches to the gate's TSS, saving cpu->rip. */
void task_gate_intr(struct cpu *cpu, uint64_t gate, bool has_error, uint32_t error, uint32_t ext);
/* IRET with EFLAGS.NT: returns to the task in the current TSS's back link
   (#TS(link) unless a busy TSS in the GDT); next = the EIP saved. */
void task_iret(struct cpu *cpu, uint64_t next);

/* Stack access for delivery and far transfers: pushes/pops at SS:SP of the given size. */
struct sys_stack {
    uint64_t base;      /* SS base */
    uint64_t sp;        /* stack pointer (masked by spmask) */
    uint64_t spmask;    /* 0xffff, 0xffffffff or ~0 */
    uint32_t limit;
    uint16_t attr;
    int exc;            /* fault on a limit violation: EXC_SS */
    uint32_t err;       /* its error code */
    unsigned mmu;
};
void sys_stack_cur(struct cpu *cpu, struct sys_stack *st);
void sys_push(struct cpu *cpu, struct sys_stack *st, uint64_t v, unsigned size);
uint64_t sys_pop(struct cpu *cpu, struct sys_stack *st, unsigned size);
/* Writes st->sp back to rSP (at the stack size). */
void sys_stack_commit(struct cpu *cpu, const struct sys_stack *st);

#endif
