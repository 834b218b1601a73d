/* SPDX-License-Identifier: MIT */
/* tr.h: internal interface of the x86 -> IR translator (cpu/translate.c, cpu/tr_*.c). */
#ifndef KILN_CPU_TR_H
#define KILN_CPU_TR_H

#include <stdbool.h>
#include <stdint.h>
#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/flags.h"
#include "cpu/translate.h"
#include "translate/ir.h"

/* Translation state of one block. */
struct tr {
    struct cpu *cpu;
    struct ir_block *b;
    const struct x86_insn *in; /* the instruction being translated */
    uint64_t cs_base;
    uint32_t hflags;
    enum x86_mode mode;
    unsigned ssize;            /* stack pointer size in bytes: 2, 4 or 8 */
    unsigned mmu_idx;
    uint64_t start_eip;        /* rip of the block's first instruction */
    uint64_t eip, next_eip;    /* rip of the current / next instruction */
    uint64_t page;             /* linear page of the block start */
    unsigned cc_op;            /* cc_op known at this point, or CC_OP_DYNAMIC */
    unsigned rsp_adjust;       /* POP [rsp+..]: EA uses rsp after the pop */
    ir_temp ss_addr[4];        /* 64-bit mode: this instruction's SS linear addresses (memop CPU_MEMOP_SS) */
    unsigned nss_addr;
    ir_temp rmw_addr;          /* this instruction's read-modify-write destination (memop CPU_MEMOP_RMW) */
    ir_temp chk_addr[8];       /* linear addresses made for checked segments (HF_SEGCHK)... */
    uint8_t chk_seg[8];        /* ...and their segments: tr_st / tr_seg_wcheck check writes */
    unsigned nchk_addr;
    bool single;               /* TB_CF_SINGLE: one instruction, end with EXIT */
    bool ended;                /* the current instruction ended the block */
    bool rip_exact;            /* rip was written at the current instruction's start */
    unsigned label_budget;     /* prologue's "out of budget" exit */
    unsigned follows;          /* direct jumps the block went on across (tr_follow) */
    bool cc_src2_set;          /* cc_src2 was written in this block (tr_set_cc) */
    bool cc_src_set;           /* cc_src likewise */
    unsigned insn_room;        /* instructions the block may still take, this one included */
    /* if-conversion of a Jcc over a few instructions (tr_ifconv.c) */
    bool ifc_active;           /* translating a region */
    bool ifc_diamond;          /* jcc T; R1; jmp J; T: R2; [jmp J]; J: (else jcc T; R1; T:) */
    bool ifc_fallback;         /* kept behind branches after all */
    unsigned ifc_phase;        /* 1: R1, 2: R2 */
    uint64_t ifc_stop;         /* rip where the current region ends (tr_ifconv_step) */
    uint64_t ifc_target, ifc_join, ifc_jmp2;
    unsigned ifc_n, ifc_n2, ifc_cc_op, ifc_cc1, ifc_br, ifc_br2, ifc_start, ifc_label_t, ifc_label_j;
    ir_temp ifc_taken;         /* 1: the Jcc is taken */
    ir_temp ifc_cf1;
    ir_temp *ifc_map1;         /* R1's globals -> locals */
    int icount_extra;          /* instructions counted but not translated (the regions' JMPs),
                                  minus those a diamond's two sides have in common */
    ir_temp cf_temp;           /* CF computed after a region, valid from op cf_at (tr_cf_known) */
    unsigned cf_at;
};
#define TR_IFC_MAX 4
#define TR_MAX_FOLLOWS (CPU_TR_MAX_RUNS - 1)

typedef bool tr_fn(struct tr *s);

/* Decodes the instruction at eip (on the block's page, no fault): X86_DECODE_*, or -1. */
int tr_fetch_decode(struct tr *s, uint64_t eip, struct x86_insn *in);
/* If-conversion (tr_ifconv.c): at a Jcc to target, starts a branch-free region
   when the instructions up to target allow it (true); the translation loop
   calls tr_ifconv_step when next_eip reaches ifc_stop. */
bool tr_ifconv_begin(struct tr *s, uint64_t target);
void tr_ifconv_step(struct tr *s);
/* CF (0/1) left by tr_ifconv_step if the flags are still those, else IR_NONE. */
ir_temp tr_cf_known(struct tr *s);
/* CF of cc_op (known) into t without a helper, if tr_cf_inline_ok(cc_op). */
bool tr_cf_inline_ok(unsigned cc_op);
void tr_cf_inline(struct tr *s, unsigned cc_op, ir_temp t);

/* --- temps and constants --- */
static inline ir_temp tr_tmp(struct tr *s) { return ir_temp_new(s->b); }
static inline ir_temp tr_const(struct tr *s, uint64_t v) { return ir_const(s->b, 64, v); }
static inline unsigned tr_w(unsigned size) { return size * 8; }
static inline unsigned tr_lg(unsigned size) { return size == 8 ? 3 : size == 4 ? 2 : size == 2 ? 1 : 0; }
static inline uint64_t tr_mask(unsigned size) { return size >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (size * 8)) - 1; }

/* --- registers (values zero-extended from size) --- */
ir_temp tr_get_gpr(struct tr *s, unsigned reg, unsigned size);
void tr_set_gpr(struct tr *s, unsigned reg, unsigned size, ir_temp v);
/* Register operand (GPR or high byte). */
ir_temp tr_get_regop(struct tr *s, const struct x86_operand *op);
void tr_set_regop(struct tr *s, const struct x86_operand *op, ir_temp v);

/* --- memory --- */
/* Effective address (offset in the segment, at the address size). */
ir_temp tr_ea(struct tr *s, const struct x86_operand *op);
/* Linear address of seg:offset (offset already at the address size) for an access
   of size bytes (0: no access, no limit check). In real and virtual-8086 mode an
   access past the segment limit raises #GP(0) (#SS(0) for SS); in protected mode
   outside 64-bit code, one through a segment that is not flat (HF_SEGCHK) must lie
   in its window (limit, expand-down, null, execute-only: docs/SYSTEM.md). */
ir_temp tr_linear(struct tr *s, unsigned seg, ir_temp off, unsigned size);
/* Protected mode: addr (from tr_linear) is about to be written, by tr_st or by a
   helper: #GP(0) / #SS(0) unless its segment is writable data (no code for flat
   segments). tr_st calls it; translators whose helpers store must call it. */
void tr_seg_wcheck(struct tr *s, ir_temp addr);
/* Linear address of an operand a helper accesses (x87, SSE, FXSAVE...): the
   segment checks of a size-byte access (a write when write: every byte of it may
   be written), but no #AC check (tr_linear with size 0 otherwise). */
ir_temp tr_linear_chk(struct tr *s, unsigned seg, ir_temp off, unsigned size, bool write);
/* Linear address of a memory operand (accessed at its size). */
static inline ir_temp tr_addr(struct tr *s, const struct x86_operand *op)
{ return tr_linear(s, op->seg, tr_ea(s, op), op->size); }
ir_temp tr_ld(struct tr *s, ir_temp addr, unsigned size);
ir_temp tr_lds(struct tr *s, ir_temp addr, unsigned size, unsigned w); /* sign-extending to w bits */
void tr_st(struct tr *s, ir_temp addr, unsigned size, ir_temp v);

/* An operand resolved once (for read-modify-write): addr is IR_NONE for registers. */
struct tr_opnd { const struct x86_operand *op; ir_temp addr; unsigned size; };
void tr_opnd(struct tr *s, struct tr_opnd *o, const struct x86_operand *op);
/* True when the instruction reads and writes its first operand (a memory
   destination then is read with write intent: CPU_MEMOP_RMW). */
bool tr_is_rmw(const struct x86_insn *in);
ir_temp tr_read(struct tr *s, const struct tr_opnd *o);
void tr_write(struct tr *s, const struct tr_opnd *o, ir_temp v);
/* Writes v to op the way SLDT, STR, SMSW and MOV r/m, Sreg store their 16-bit value:
   2 bytes to memory, a register at its operand size. */
void tr_write_w16(struct tr *s, const struct x86_operand *op, ir_temp v);
/* Reads any source operand (REG, MEM, IMM) zero-extended from its size... */
ir_temp tr_src(struct tr *s, const struct x86_operand *op);

/* The operand named by ModRM.rm (memory, or the register it encodes) at size. */
void tr_modrm_op(struct tr *s, struct x86_operand *out, unsigned size);

/* --- stack --- */
/* Pushes v (size bytes): stores at SS:rSP-size, then updates rSP. */
void tr_push(struct tr *s, ir_temp v, unsigned size);
/* Loads size bytes at SS:rSP (does not move rSP); *newsp gets rSP+size. */
ir_temp tr_pop_load(struct tr *s, unsigned size, ir_temp *newsp);
void tr_set_sp(struct tr *s, ir_temp v);
/* Stack operation size of push/pop with operand size opsize. */
ir_temp tr_sp_add(struct tr *s, int64_t delta);

/* --- flags --- */
void tr_set_cc(struct tr *s, unsigned cc_op, ir_temp dst, ir_temp src, ir_temp src2);
/* The six flags (EFLAGS positions) as a temp. */
ir_temp tr_flags(struct tr *s);
/* CF as 0/1. */
ir_temp tr_cf(struct tr *s);
/* Condition tttn as 0/1. */
ir_temp tr_cond(struct tr *s, unsigned cond);
/* Branch to label when condition holds. */
void tr_brcond(struct tr *s, unsigned cond, unsigned label);
/* Sets lazy flags to "EFLAGS in cc_src". */
void tr_set_flags_val(struct tr *s, ir_temp flags);

/* --- control --- */
void tr_set_rip(struct tr *s, uint64_t eip);
/* Ends the block jumping to eip (direct: chaining slot when on the same page). */
void tr_goto(struct tr *s, unsigned slot, uint64_t eip);
/* A direct JMP/CALL to eip: true when the block goes on translating there
   (eip on the block's page, not a single-instruction block, under
   TR_MAX_FOLLOWS); then next_eip is eip and nothing is emitted. */
bool tr_follow(struct tr *s, uint64_t eip);
/* Ends the block; rip already written (indirect jump). */
void tr_goto_ind(struct tr *s);
/* Ends the block after this instruction with rip = next_eip and a lookup under the
   state the instruction left (for instructions that may change hflags). */
void tr_end_next(struct tr *s);
/* The same after a near branch (it changed rip, registers, memory and nothing the
   CPU loop must see): GOTO_PTR may take the next block from the jump cache. */
void tr_goto_ind_near(struct tr *s);
/* Ends the block returning to the loop with reason (CPU_EXIT_*, or the internal continue). */
void tr_exit(struct tr *s, unsigned reason);
/* Raises an exception at the current instruction (rip = its address). */
void tr_raise(struct tr *s, int vector, uint32_t error, bool has_error);
/* Raise at the current instruction, continue translating nothing: ends block. */
static inline bool tr_ud(struct tr *s) { tr_raise(s, EXC_UD, 0, false); return true; }
/* Calls a C helper. One that may touch env sees rip = the current instruction
   (written here unless the instruction start wrote it: helpers may read rip
   or raise, and only LD/ST slow paths recover it from the INSN_START). */
static inline void tr_call(struct tr *s, const struct ir_helper *h, ir_temp d, ir_temp a0, ir_temp a1,
                           ir_temp a2, ir_temp a3)
{
    if (!s->rip_exact && !(h->flags & IR_HELPER_NO_ENV))
        tr_set_rip(s, s->eip);
    ir_call(s->b, h, d, a0, a1, a2, a3);
}
/* Truncates an instruction pointer to the code size. */
uint64_t tr_eip_mask(const struct tr *s, unsigned opsize);
#define CPU_EXIT_CONTINUE CPU_EXIT_CONTINUE_LOOP

/* Instruction groups (each returns false for "not handled": #UD). */
tr_fn tr_alu, tr_incdec, tr_negnot, tr_test, tr_cmpxchg, tr_xadd, tr_cmpxchg8b;      /* tr_alu.c */
tr_fn tr_mov, tr_movx, tr_lea, tr_xchg, tr_cbw, tr_cwd, tr_bswap, tr_movbe, tr_cmov,
      tr_setcc, tr_xlat, tr_mov_sreg, tr_nop;                                       /* tr_mov.c */
tr_fn tr_jmp, tr_jcc, tr_call_, tr_ret, tr_loop, tr_jrcxz;                          /* tr_branch.c */
tr_fn tr_push_, tr_pop_, tr_enter, tr_leave, tr_pushf, tr_popf, tr_pusha, tr_popa;  /* tr_stack.c */
tr_fn tr_mul, tr_imul, tr_div;                                                      /* tr_muldiv.c */
tr_fn tr_shift, tr_shd;                                                             /* tr_shift.c */
tr_fn tr_bt, tr_bscan, tr_cnt, tr_bmi, tr_adcx;                                     /* tr_bits.c */
tr_fn tr_string;                                                                    /* tr_string.c */
tr_fn tr_lxs, tr_bound, tr_bcd;                                                     /* tr_far.c */
tr_fn tr_io;                                                                        /* tr_io.c */
tr_fn tr_flagop, tr_hlt, tr_cpuid, tr_rdtsc, tr_lahf, tr_sahf, tr_rdrand;           /* tr_misc.c */

#endif
