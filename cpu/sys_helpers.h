/* SPDX-License-Identifier: MIT */
/* sys_helpers.h: C helpers of the system instructions (called from tr_system.c's IR). */
#ifndef KILN_CPU_SYS_HELPERS_H
#define KILN_CPU_SYS_HELPERS_H

#include <stdint.h>
#include "cpu/cpu.h"
#include "translate/ir.h"

/* far.c: the far transfers (rip already the instruction's; they set rip, CS, rSP;
   next: the following instruction's rip, saved by a task switch). */
void sys_far_jmp(struct cpu *cpu, uint16_t sel, uint64_t off, unsigned opsize, uint64_t next);
void sys_far_call(struct cpu *cpu, uint16_t sel, uint64_t off, unsigned opsize, uint64_t next);
void sys_retf(struct cpu *cpu, unsigned opsize, unsigned imm);
void sys_iret(struct cpu *cpu, unsigned opsize, uint64_t next);

/* IR helpers (sys_insn.c). Arguments in the comments. */
extern const struct ir_helper helper_far_jmp;   /* (sel, off, opsize, next_rip) */
extern const struct ir_helper helper_far_call;  /* (sel, off, opsize, next_rip) */
extern const struct ir_helper helper_retf;      /* (opsize, imm) */
extern const struct ir_helper helper_iret;      /* (opsize, next_rip) */
extern const struct ir_helper helper_int;       /* (vector, kind): INT n / INT3 / INTO / INT1; rip = next */
extern const struct ir_helper helper_cli, helper_sti; /* (next_rip for STI's shadow) */
extern const struct ir_helper helper_load_seg_sys; /* (seg, sel): MOV/POP Sreg, LxS with all checks */
extern const struct ir_helper helper_lgdt;      /* (which: 0 GDT 1 IDT 2 SGDT 3 SIDT, linear addr, opsize) */
extern const struct ir_helper helper_mov_cr;    /* (cr, value, write?) -> value read */
extern const struct ir_helper helper_mov_dr;    /* (dr, value, write?) -> value read */
extern const struct ir_helper helper_lmsw;      /* (value) */
extern const struct ir_helper helper_clts;
extern const struct ir_helper helper_stac;      /* (1 STAC, 0 CLAC) */
extern const struct ir_helper helper_wbinvd;
extern const struct ir_helper helper_lldt_ltr;  /* (0 LLDT 1 LTR, sel; 2 SLDT 3 STR -> sel) */
extern const struct ir_helper helper_msr;       /* (write?) RDMSR / WRMSR on ECX, EDX:EAX */
extern const struct ir_helper helper_invlpg;    /* (linear) */
extern const struct ir_helper helper_larlsl;    /* (0 LAR 1 LSL 2 VERR 3 VERW, sel) -> value or ~0; ZF */
extern const struct ir_helper helper_fastcall;  /* (0 SYSCALL 1 SYSRET 2 SYSENTER 3 SYSEXIT, next rip, opsize) */
extern const struct ir_helper helper_swapgs;
extern const struct ir_helper helper_rdtscp;    /* (0 RDTSCP, 1 RDPID -> TSC_AUX) */

#endif
