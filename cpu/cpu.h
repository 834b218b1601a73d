/* SPDX-License-Identifier: MIT */
/* cpu.h: the x86 vCPU state ("env" of generated code) and the CPU-loop API. */
#ifndef KILN_CPU_CPU_H
#define KILN_CPU_CPU_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "translate/ir.h"
#include "translate/tlb.h"
#include "cpu/sse.h"

struct tb;
struct tb_cache;
struct tb_jc;
struct kiln_log;
struct engine;
struct cpu;
struct mmu_phys;

/* EFLAGS bits. */
#define CPU_CF 0x0001u
#define CPU_PF 0x0004u
#define CPU_AF 0x0010u
#define CPU_ZF 0x0040u
#define CPU_SF 0x0080u
#define CPU_TF 0x0100u
#define CPU_IF 0x0200u
#define CPU_DF 0x0400u
#define CPU_OF 0x0800u
#define CPU_IOPL 0x3000u
#define CPU_NT 0x4000u
#define CPU_RF 0x10000u
#define CPU_VM 0x20000u
#define CPU_AC 0x40000u
#define CPU_VIF 0x80000u
#define CPU_VIP 0x100000u
#define CPU_ID 0x200000u
#define CPU_ARITH_FLAGS (CPU_CF | CPU_PF | CPU_AF | CPU_ZF | CPU_SF | CPU_OF)

/* Control-register and EFER bits (SDM vol. 3, 2.2.1 and 2.5). */
#define CR0_PE 0x1u
#define CR0_MP 0x2u
#define CR0_EM 0x4u
#define CR0_TS 0x8u
#define CR0_ET 0x10u
#define CR0_NE 0x20u
#define CR0_WP 0x10000u
#define CR0_AM 0x40000u
#define CR0_NW 0x20000000u
#define CR0_CD 0x40000000u
#define CR0_PG 0x80000000u
#define CR4_DE 0x8u
#define CR4_PSE 0x10u
#define CR4_PAE 0x20u
#define CR4_PGE 0x80u
#define CR4_OSFXSR 0x200u
#define CR4_PCIDE 0x20000u
#define CR4_OSXSAVE 0x40000u
#define CR4_SMEP (1u << 20)
#define CR4_SMAP (1u << 21)
#define EFER_SCE 0x1u
#define EFER_LME 0x100u
#define EFER_LMA 0x400u
#define EFER_NXE 0x800u

/* Exception vectors. */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5, EXC_UD = 6,
    EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12, EXC_GP = 13,
    EXC_PF = 14, EXC_MF = 16, EXC_AC = 17, EXC_MC = 18, EXC_XM = 19,
};

/* Segment register with its descriptor cache (what protected mode loads). */
struct cpu_seg {
    uint64_t base;
    uint32_t limit;     /* byte granular, already scaled by G */
    uint16_t sel;
    uint16_t attr;      /* descriptor bits 40..47 | 52..55 << 8 (type,S,DPL,P | AVL,L,D/B,G) */
};
/*
 * Offsets a data access through a segment may touch in protected mode, computed by
 * cpu_update_hflags from the descriptor cache: an access of offsets first..last is
 * allowed when lo <= first and last <= hi (none when lo > hi: a null segment, an
 * execute-only code segment), a write only when wr is 1 (writable data).
 */
struct cpu_segchk {
    uint32_t lo, hi;
    uint32_t wr;
    uint32_t pad;
};
#define SEG_ATTR_DB 0x400u   /* D/B: 32-bit code / stack segment */
#define SEG_ATTR_L 0x200u    /* L: 64-bit code segment */

/*
 * hflags: every bit of CPU state that a translation depends on. It is the TB key's
 * "flags" (with cs_base): a block only ever runs in the state it was translated for.
 * Whatever changes one of these bits must end the block (and recompute hflags).
 */
#define HF_CS32 0x1u          /* CS.D: 32-bit default operand/address size */
#define HF_CS64 0x2u          /* 64-bit code segment (long mode, CS.L) */
#define HF_SS32 0x4u          /* SS.B: 32-bit stack pointer (ignored in 64-bit mode) */
#define HF_CPL_SHIFT 3
#define HF_CPL_MASK (3u << HF_CPL_SHIFT)
#define HF_PE 0x20u           /* CR0.PE */
#define HF_VM 0x40u           /* EFLAGS.VM (virtual-8086) */
#define HF_LMA 0x80u          /* EFER.LMA */
#define HF_ADDSEG 0x100u      /* DS/ES/SS bases may be non-zero (not 64-bit mode) */
#define HF_AC 0x4000u         /* alignment checks: CR0.AM, EFLAGS.AC and CPL 3 (#AC) */
#define HF_SMAP_AC 0x8000u    /* CPL < 3, CR4.SMAP and EFLAGS.AC: data accesses use MMU mode 2 */
/* Protected mode outside 64-bit code: segment seg (0-5, ES CS SS DS FS GS) is not
   flat (null, code, read-only, expand-down or limit below 4 GiB - 1), so data
   accesses through it are checked against cpu->segchk[seg] (docs/SYSTEM.md). */
#define HF_SEGCHK(seg) (0x10000u << (seg))
#define HF_SEGCHK_ALL (0x3fu << 16)

/*
 * Breakpoints and watchpoints of the guest's debug registers and of the
 * debugger (cpu/debug.h, cpu/dbgreg.c): one table of enabled data ranges that
 * the soft TLB and the slow paths consult, plus hit state for the loop.
 */
#define CPU_MAX_WATCH 24
enum cpu_watch_kind { CPU_WATCH_W = 1, CPU_WATCH_R = 2, CPU_WATCH_RW = 3, CPU_WATCH_IO = 4 };
struct cpu_watch {
    uint64_t start, last;   /* linear addresses (or ports) of the first and last byte */
    uint8_t kind;           /* enum cpu_watch_kind */
    int8_t dr;              /* guest DRn (0-3), or -1 for the debugger's */
};
struct cpu_dbg {
    struct cpu_watch w[CPU_MAX_WATCH];  /* enabled data / I/O watches (derived, see dbg_update) */
    unsigned nwatch;        /* memory watches among them (0: the TLB and slow paths ignore all this) */
    unsigned nio;           /* I/O watches */
    uint8_t exec_mask;      /* DRn enabled as instruction breakpoints (DR7 L/G with R/W = 00) */
    uint64_t exec_lin[4];   /* ... and their addresses (what translations were made for) */
    uint8_t hit;            /* DR6 B0-B3 bits hit by the instruction running alone */
    bool gdb_hit;           /* a debugger watchpoint was hit by that instruction */
    bool flush;             /* the instruction-breakpoint set changed: flush translations */
    uint32_t pend_dr6;      /* #DB trap still to raise (DR6 bits), e.g. after a debugger stop */
    bool ss_load;           /* the last instruction was MOV SS / POP SS (helpers.c; LSS is not) */
    bool ss_shadow;         /* the next instruction follows MOV/POP SS: its #DB shadow (dbgreg.c) */
    uint8_t ss_held;        /* DR6 B0-B3 hit by that MOV/POP SS, raised after the next instruction */
    uint64_t stop_addr;     /* the debugger watchpoint hit: its address and kind */
    uint8_t stop_kind;
    struct { uint64_t addr, len; uint8_t kind; } wp[16]; /* the debugger's watchpoints */
    unsigned nwp;
};

/* Counters kept by the CPU loop (cheap: translation-time or loop-exit only). */
struct cpu_stats {
    uint64_t translated;      /* blocks translated */
    uint64_t translate_ns;    /* time spent translating (only while -d stats is on) */
    uint64_t loop_entries;    /* blocks entered from the CPU loop (not through a chain) */
    uint64_t exit_slot;       /* returns to the loop through a not-yet-chained GOTO_TB slot */
    uint64_t exit_nochain;    /* returns through GOTO_PTR misses or EXIT ops */
    uint64_t exit_requested;  /* returns because exit_request was set */
    uint64_t exceptions;      /* exceptions raised (unwinds to cpu_exec) */
    uint64_t tlb_fills;       /* soft-TLB misses filled */
};

/* Why cpu_exec returned. */
enum cpu_exit {
    CPU_EXIT_BUDGET,      /* ran its instruction budget */
    CPU_EXIT_HLT,         /* HLT executed (rip past it) */
    CPU_EXIT_EXCEPTION,   /* an exception was raised and no delivery hook took it */
    CPU_EXIT_REQUEST,     /* exit_request was set from outside */
    CPU_EXIT_DEBUG,       /* reached a debugger breakpoint (rip at it, not executed; cpu/debug.h) */
    CPU_EXIT_CONTINUE_LOOP = 100, /* internal: a block returned to the loop, keep going */
};

/* How the CPU reaches memory: the board (or the bare CPU) provides this. */
#define CPU_PROT_R 1u
#define CPU_PROT_W 2u
#define CPU_PROT_X 4u
#define CPU_PROT_G 8u   /* from translate: a global page (CR4.PGE), kept across CR3 loads */
enum cpu_access { CPU_ACC_READ, CPU_ACC_WRITE, CPU_ACC_FETCH };
#define CPU_ACC_NOFAULT 0x10u /* or'ed into the access: report a fault instead of raising it */
struct cpu_mem_ops {
    /* Translates the page of vaddr for the access in MMU mode mmu_idx. On
       success fills *phys (page address), *host (host pointer of the page, NULL
       for MMIO) and *prot (CPU_PROT_* allowed without further MMU work: e.g. no W
       while the page's dirty bit is clear) and returns true; on a fault it raises
       the exception itself (cpu_raise, does not return), or returns false when
       acc has CPU_ACC_NOFAULT. */
    bool (*translate)(struct cpu *cpu, uint64_t vaddr, unsigned acc, unsigned mmu_idx,
                      uint64_t *phys, uint8_t **host, unsigned *prot);
    /* MMIO: access of size bytes at physical address phys (host == NULL pages). */
    uint64_t (*mmio_read)(struct cpu *cpu, uint64_t phys, unsigned size);
    void (*mmio_write)(struct cpu *cpu, uint64_t phys, uint64_t value, unsigned size);
    /* Port I/O of size 1, 2 or 4 (NULL: reads all ones, writes are dropped). */
    uint32_t (*io_read)(struct cpu *cpu, uint16_t port, unsigned size);
    void (*io_write)(struct cpu *cpu, uint16_t port, uint32_t value, unsigned size);
};
/* Port I/O with the protected-mode IOPL check (#GP(0); no TSS bitmap yet). */
uint32_t cpu_io_read(struct cpu *cpu, uint16_t port, unsigned size);
void cpu_io_write(struct cpu *cpu, uint16_t port, uint32_t value, unsigned size);

/*
 * The vCPU. The fields up to `tlb` are what generated code touches: the IR
 * globals (declared once in cpu->irctx by cpu_init) and a few env fields
 * accessed with LD_ENV/ST_ENV. See docs/CPU.md for the layout rules.
 */
struct cpu {
    /* --- IR globals (cpu_init declares them in this order) --- */
    uint64_t gpr[16];       /* RAX RCX RDX RBX RSP RBP RSI RDI R8..R15 */
    uint64_t rip;
    uint64_t cc_dst;        /* lazy flags: result */
    uint64_t cc_src;        /* lazy flags: second operand (or the flags for CC_OP_EFLAGS) */
    uint64_t cc_src2;       /* lazy flags: first operand / carry-in / old CF (see flags.h) */
    uint32_t cc_op;         /* enum cc_op */
    uint32_t pad0;
    uint64_t df;            /* 1 or -1 (EFLAGS.DF clear / set), the string step sign */

    /* --- other env fields used by generated code (LD_ENV/ST_ENV) --- */
    int64_t icount_left;    /* instruction budget: decremented by each block's prologue */
    int64_t icount_start;   /* icount_left when cpu_exec started */
    uint32_t exit_request;  /* engines leave chained execution when non-zero; cpu_exec
                               then returns CPU_EXIT_REQUEST (the owner clears it) */
    uint32_t exit_reason;   /* enum cpu_exit, written by a block before EXIT */
    struct tb_jc *jc;       /* the TB cache's jump cache (probed by GOTO_PTR; tb.h) */
    uint64_t eflags;        /* EFLAGS except the six arithmetic flags and DF */
    struct cpu_seg seg[6];  /* ES CS SS DS FS GS */
    uint32_t hflags;        /* HF_*: the TB key flags */
    uint32_t jc_gen;        /* TLB generation: +1 at every TLB flush. With hflags (the 64 bits
                               at &hflags) the jump cache's key word 2, so a flush retires
                               every entry (code may map elsewhere now) */
    struct cpu_segchk segchk[6]; /* per segment: the offsets data accesses may use (HF_SEGCHK) */

    /* --- the soft TLB (engines read it at offsetof(struct cpu, tlb)) --- */
    struct tlb tlb;
    uint64_t tlb_phys[TLB_MMU_MODES][TLB_SIZE]; /* physical page of each entry */
    uint8_t tlb_global[TLB_MMU_MODES][TLB_SIZE]; /* entry maps a global page (CR4.PGE): kept by CR3 loads */
    unsigned tlb_used;      /* bit m: mode m has been filled since its last flush */

    /* --- system state (grows with the system-CPU work) --- */
    uint64_t cr[5];         /* CR0 CR2 CR3 CR4 (CR1 unused) */
    uint64_t pdpte[4];      /* PAE paging's PDPTE registers: loaded with CR3 (cpu/mmu.c mmu_load_pdptes) */
    const struct mmu_phys *pt_mem; /* page-table memory (system CPU; NULL: PDPTE loads read zeros) */
    uint64_t efer;
    uint64_t kernel_gs_base;
    struct { uint64_t base; uint32_t limit; } gdtr, idtr;
    struct cpu_seg ldtr, tr;
    /* system CPU (cpu/intr.c, seg.c, far.c, tr_system.c; see docs/SYSTEM.md) */
    bool excp_soft;         /* the raised exception is INT n / INT3 / INTO (gate DPL check) */
    bool delivering_soft;   /* the delivery under way is of such an INT */
    uint64_t excp_soft_rip; /* its instruction's own rip (a fault while delivering reports it) */
    int delivering;         /* vector + 1 whose delivery is under way (#DF, triple fault), 0 none */
    bool shutdown;          /* triple fault: cpu_exec returns CPU_EXIT_REQUEST, the board resets */
    bool irq_line;          /* INTR pin level (system CPU) */
    bool nmi_pending;       /* an NMI edge waits for an instruction boundary */
    bool nmi_blocked;       /* an NMI handler runs: no NMI until the next IRET */
    bool irq_inhibit;       /* STI / MOV SS / POP SS shadow: no interrupt before rip moves on */
    uint64_t irq_inhibit_rip;
    bool irq_inhibit_pending; /* SS was loaded: the shadow starts at the next instruction */
    uint64_t star, lstar, cstar, sfmask, tsc_aux;
    uint64_t rng[4];        /* RDRAND/RDSEED generator state (cpu_rng_seed) */
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t cr8, msr_pat, msr_mtrr_def;
    uint64_t mtrr_var[16];  /* PHYSBASE0/PHYSMASK0 .. PHYSBASE7/PHYSMASK7 (cpu/msr_mtrr.c) */
    uint64_t mtrr_fixed[11]; /* 0x250, 0x258, 0x259, 0x268..0x26f */
    uint64_t msr_spec_ctrl; /* IA32_SPEC_CTRL: IBRS, STIBP (no effect: nothing speculates) */
    uint64_t dr[8];         /* debug registers DR0-DR7 (DR4/5 unused); see struct cpu_dbg */
    bool a20_off;           /* A20 gate closed: physical bit 20 reads as 0 (cpu/mmu.c) */

    /* --- FPU/SIMD state: x87, MMX, SSE (cpu/sse.h, docs/FPU.md) --- */
    struct cpu_fpu fpu;

    /* --- exceptions --- */
    int excp_vector;        /* last raised exception, -1 none */
    bool excp_has_error;
    uint32_t excp_error;
    uint64_t excp_cr2;
    /* Delivers an exception (system CPU); NULL: cpu_exec returns CPU_EXIT_EXCEPTION. */
    void (*deliver)(struct cpu *cpu);
    jmp_buf jmp;            /* cpu_exec's unwind point */
    uintptr_t insn_ra;      /* in an LD/ST slow path: its host return address, from which
                               cpu_sync_insn recovers rip (stale there); else 0 */
    bool in_exec;
    bool smc_single;        /* next block: translate one instruction (SMC hit the running block) */
    bool in_block;          /* inside engine->exec */
    bool in_single;         /* ... running a TB_CF_SINGLE block */

    /* --- execution machinery --- */
    struct ir_ctx irctx;
    struct ir_block irb;    /* reused for each translation */
    struct tb_cache *tbc;
    struct engine *engine;
    const struct cpu_mem_ops *mem;
    void *opaque;           /* owner's data (bare CPU, machine) */
    struct kiln_log *log;   /* -d items (cpu/trace.h); NULL: none */
    /* FERR#: an unmasked x87 exception is pending at a waiting x87 instruction
       with CR0.NE = 0 (the PC routes it to IRQ 13); NULL: nothing happens. */
    void (*ferr)(struct cpu *cpu);
    /* Called when a block is translated from the physical page (may be NULL). */
    void (*on_code_page)(struct cpu *cpu, uint64_t phys_page);
    uint64_t (*tsc)(struct cpu *cpu); /* RDTSC source; NULL: instruction count */
    /* The local APIC's MSRs (IA32_APIC_BASE, IA32_TSC_DEADLINE) and CR8 when the
       machine models one (sys_cpu.c); NULL: CPU-local defaults, no APIC in CPUID. */
    bool (*apic_msr)(struct cpu *cpu, uint32_t idx, bool write, uint64_t *v);
    uint64_t (*cr8_get)(struct cpu *cpu);
    void (*cr8_set)(struct cpu *cpu, uint64_t v);
    uint64_t insn_count;    /* instructions retired (block granularity) */
    unsigned max_block_insns;

    /* --- debugging (cpu/trace.h, docs/DEBUGGING.md) --- */
    struct cpu_stats stats; /* counters for -d stats and the monitor */
    uint64_t bp[8];         /* debugger breakpoints (linear addresses), see cpu/debug.h */
    unsigned nbp;
    bool debug_step;        /* next block: one instruction, breakpoints ignored */
    struct cpu_dbg dbg;     /* debug registers' and debugger's watch state (cpu/debug.h) */
};

/* IR global temps (cpu_init declares them first, in this order). */
#define CPU_T_GPR(i) ((ir_temp)(1 + (i)))
#define CPU_T_RIP ((ir_temp)17)
#define CPU_T_CC_DST ((ir_temp)18)
#define CPU_T_CC_SRC ((ir_temp)19)
#define CPU_T_CC_SRC2 ((ir_temp)20)
#define CPU_T_CC_OP ((ir_temp)21)
#define CPU_T_DF ((ir_temp)22)

/* Initialises cpu (zeroed first) to the reset-like state of a flat real-mode
   CPU, declares the IR globals, and binds it to a TB cache and memory ops. */
void cpu_init(struct cpu *cpu, struct tb_cache *tbc, struct engine *engine,
              const struct cpu_mem_ops *mem);
/* The engine_guest description of struct cpu (shared by all x86 vCPUs). */
extern const struct engine_guest cpu_engine_guest;

/* Runs guest code for about budget instructions; returns an enum cpu_exit. */
int cpu_exec(struct cpu *cpu, uint64_t budget);

/* Recomputes cpu->hflags from CR0, EFER, segments and EFLAGS. */
void cpu_update_hflags(struct cpu *cpu);
/* Fills cpu->segchk[] from the segment caches; returns the HF_SEGCHK bits of the
   segments that are not flat (cpu/seg.c; cpu_update_hflags uses it in protected
   mode outside 64-bit code). */
uint32_t seg_chk_update(struct cpu *cpu);
/* When hflags say segment seg is checked: raises #GP(0) (#SS(0) for SS) unless an
   access of size bytes at offset off (a write when write) is allowed (cpu/seg.c). */
void seg_chk_access(struct cpu *cpu, unsigned seg, uint64_t off, unsigned size, bool write);
/* Full EFLAGS (materialises the lazy flags). */
uint64_t cpu_get_eflags(struct cpu *cpu);
/* Sets EFLAGS (all bits in mask; bit 1 forced to 1). */
void cpu_set_eflags(struct cpu *cpu, uint64_t value, uint64_t mask);
/* Loads a segment register in real / virtual-8086 mode style (base = sel << 4). */
void cpu_load_seg_real(struct cpu *cpu, int seg, uint16_t sel);

/* Raises an exception: records it and unwinds to cpu_exec (never returns).
   rip must already be the faulting instruction's (or, for traps, the next one's). */
_Noreturn void cpu_raise(struct cpu *cpu, int vector, bool has_error, uint32_t error);
/* #PF with CR2 = addr. */
_Noreturn void cpu_raise_pf(struct cpu *cpu, uint64_t addr, uint32_t error);
/* Inside an LD/ST slow path (cpu->insn_ra set), generated code has not
   necessarily stored rip: sets it from the engine's instruction marker (the
   INSN_START of the access, docs/JIT.md) and clears insn_ra. Anything that
   reads rip there calls this first; cpu_raise does. Elsewhere a no-op. */
void cpu_sync_insn(struct cpu *cpu);

/* TLB: empties it (all modes). */
void cpu_tlb_flush(struct cpu *cpu);
/* TLB: drops every entry but those of global pages (CR4.PGE), as a CR3 write does. */
void cpu_tlb_flush_nonglobal(struct cpu *cpu);
/* Guest memory access from C helpers (through the TLB, may raise). mmu_idx may
   carry CPU_MEM_SS. In IA-32e mode a linear address whose first or last byte is
   non-canonical raises #GP(0) (#SS(0) for a stack reference) before any byte is
   accessed. An access crossing a page checks both pages before touching
   either; a #PF on the second page reports that page's first byte in CR2. */
#define CPU_MEM_SS 0x100u /* or'ed into mmu_idx: a stack-segment reference */
#define CPU_MEMOP_SS (1u << 16) /* IR_MEM_GUEST(1) in a memop: a stack-segment reference */
/* IR_MEM_GUEST(2): the load of a read-modify-write destination. Hardware reads it
   with write intent: a missing or read-only page faults on the load as a write
   (#PF W/R = 1), so the slow path probes for a write first. */
#define CPU_MEMOP_RMW (1u << 17)
uint64_t cpu_ld(struct cpu *cpu, uint64_t addr, unsigned size, unsigned mmu_idx);
void cpu_st(struct cpu *cpu, uint64_t addr, uint64_t value, unsigned size, unsigned mmu_idx);
/* Raises the fault an access of size bytes at addr would raise (non-canonical,
   then each page in address order; CR2 as for cpu_ld/cpu_st), without
   accessing anything: lets a helper that writes in pieces fail first. */
void cpu_probe(struct cpu *cpu, uint64_t addr, unsigned size, bool write, unsigned mmu_idx);
/* Host pointer for size bytes at addr, writable when write is set (for atomic
   RMW), or NULL when the access must take the slow path (MMIO, code page,
   page crossing, non-canonical address). May raise page faults. */
void *cpu_host_ptr(struct cpu *cpu, uint64_t addr, unsigned size, bool write, unsigned mmu_idx);
/* Reads up to len code bytes at addr (stops at a fault-free page end: returns
   the number copied, 0 if the first byte faults when may_fault is false;
   raises otherwise; a non-canonical addr in IA-32e mode is #GP(0)). *phys gets the physical address of the first byte. */
size_t cpu_fetch_code(struct cpu *cpu, uint64_t addr, uint8_t *buf, size_t len, uint64_t *phys,
                      bool may_fault);
/* Guest physical address that linear address lin is fetched from now (through the
   code TLB, filling it on a miss), or TB_NO_PAGE when fetching it would fault.
   Never raises. */
uint64_t cpu_code_phys(struct cpu *cpu, uint64_t lin);
/* Marks the page phys as holding code: every TLB entry mapping it gets TLB_SLOW
   in its write tag. */
void cpu_tlb_protect_code(struct cpu *cpu, uint64_t phys_page);

/* MMU index used for data accesses in the current state. */
/* Modes: 0 supervisor (SMAP enforced; also every implicit supervisor access to
   descriptor tables, IDT and TSS), 1 user (CPL 3), 2 supervisor with EFLAGS.AC
   set under CR4.SMAP (explicit data accesses may reach user pages). */
static inline unsigned cpu_mmu_idx(const struct cpu *cpu)
{
    if (((cpu->hflags & HF_CPL_MASK) >> HF_CPL_SHIFT) == 3)
        return 1u;
    return (cpu->hflags & HF_SMAP_AC) ? 2u : 0u;
}

#endif
