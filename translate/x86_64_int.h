/* SPDX-License-Identifier: MIT */
/* x86_64_int.h: internal state shared by the x86-64 JIT backend's files. */
#ifndef KILN_TRANSLATE_X86_64_INT_H
#define KILN_TRANSLATE_X86_64_INT_H

#include <stdbool.h>
#include <stdint.h>
#include "translate/engine.h"
#include "translate/ir.h"
#include "translate/tb.h"
#include "translate/x86_64_emit.h"

/*
 * Register conventions (docs/JIT.md):
 *   rbp      env (the guest state), for the whole exec call
 *   rsp      16-byte aligned frame of J_FRAME_SLOTS spill slots at [rsp + 8*k]
 *   rax rcx rdx   scratch of the code generator, never allocated
 *   rbx r12-r15, then rsi rdi r8-r11   allocatable, in this order of preference
 */
#define J_FRAME_SLOTS 1024
#define J_FRAME_SIZE (J_FRAME_SLOTS * 8 + 8)   /* keeps rsp 16-aligned after 6 pushes */
#define J_ALLOC_MASK 0xffc8u       /* rbx rsi rdi r8-r11 r12-r15 */
#define J_CALLER_SAVED 0x0fc7u     /* rax rcx rdx rsi rdi r8-r11 */
#define J_OP_ROOM 1536             /* bytes one op may need at most */

struct jtemp {
    int8_t reg;          /* host register holding the value, or -1 */
    uint8_t kind;        /* enum ir_temp_kind */
    uint8_t gw;          /* GLOBAL: width of the env field */
    uint8_t dirty;       /* register is newer than env (global) or the slot (local) */
    uint8_t zw;          /* the value is known to be zero-extended from zw bits (0: unknown) */
    uint8_t zero_init;   /* LOCAL: may be read unwritten: its slot is zeroed at entry */
    uint8_t pinned;      /* GLOBAL: lives in register reg for the whole block (self-loop) */
    int32_t off;         /* GLOBAL: env offset */
    int32_t slot;        /* LOCAL: frame slot or -1 */
    int32_t first, last; /* LOCAL: op index range where it is live (-1: unused) */
    uint64_t val;        /* CONST */
};

/* Out-of-line slow path of a guest memory access. */
struct jslow {
    uint8_t *jcc_at;     /* rel32 of the jne to patch */
    uint8_t *ret;        /* where to resume */
    bool store;
    bool val_imm;
    int8_t addr, val, dreg;
    uint16_t save;       /* caller-saved registers to preserve */
    unsigned memop, width;
    uint64_t imm;
    bool reused;         /* the fast path reused an earlier probe's slot: the slow path
                            first does the full probe (and the access) itself */
    int32_t imm32;       /* store of an immediate: the instruction's imm */
    bool has_insn;       /* an INSN_START precedes the access: */
    uint64_t insn;       /* its aux (the guest instruction, for insn_at) */
    uint8_t *ra;         /* return address of the slow path's call */
    uint8_t *jcc2_at;    /* a second jne to patch (access group head: write tag), or NULL */
    bool to_checked;     /* inline copy of a region: no slow path, the jnes go to the checked copy */
    unsigned op;         /* (then: the op, whose probe point in the checked copy is fb_at[op]) */
    uint8_t ndirty;      /* globals newer in registers than in env: stored before the call */
    struct { int8_t reg; uint8_t w; int32_t off; } dirty[16];
    int8_t abase;        /* the fast path accesses [abase + addend + adisp] */
    int32_t adisp;       /* (adisp != 0: a folded member; its slow path first sets addr = abase + adisp) */
};

/* An access group (x86_64_grp.c, docs/JIT.md "Access groups"): LD/STs at
   base + d (d in [dmin, dend)) in one straight-line run, checked by one probe. */
struct jgrp {
    ir_temp base;        /* members' addresses: base's value after op ver (-1: at the run's
                            start) plus d, through ADDs of constants */
    int32_t ver;
    unsigned region;     /* index in jit.rg */
    unsigned idx;        /* MMU index */
    int64_t dmin, dend;  /* bytes [base + dmin, base + dend) */
    bool ld, st;         /* some member loads / stores */
    unsigned head, last, n;   /* first and last member's op, member count */
    bool ok;             /* accepted (n >= 2, few enough open at once) */
    int8_t reg;          /* host register holding the addend, -1 */
};

/* A region: ops [start, end] compiled inline with access groups and again,
   after the block, checked access by access (x86_64_mem.c gen_access). */
struct jregion {
    unsigned start, end;
    uint8_t *resume;     /* inline code after op end */
    void *snap_start, *snap_end;   /* register allocator state at both ends */
};

enum { J_NORMAL, J_FAST, J_CHECKED };

/* A compiled block with an instruction table (x86_64_insn.c): offsets in the buffer. */
struct jblk {
    uint32_t start;      /* first byte of the block's code */
    uint32_t table;      /* its table, right after the code */
};

struct jfix {
    uint8_t *at;         /* rel32 to patch */
    unsigned label;
};

struct jit {
    struct engine e;
    uint8_t *buf;
    size_t size;
    uint8_t *code_start;             /* first byte after the shared code */
    uint8_t *prologue, *epilogue;
    bool has_lzcnt, has_tzcnt, has_popcnt, has_bmi2;
    struct xbuf x;

    /* Per-compile state. */
    const struct ir_block *b;
    struct tb *tb;
    unsigned cur;                    /* index of the op being compiled */
    struct jtemp *t;
    unsigned tcap;
    int owner[16];                   /* temp held by each host register, 0 = free */
    uint32_t lru[16];
    uint32_t tick;
    uint16_t locked;
    uint8_t slot_used[J_FRAME_SLOTS];
    uint8_t **label_at;
    unsigned lcap;
    struct jfix *fix;
    unsigned nfix, fixcap;
    struct jslow *slow;
    unsigned nslow, slowcap;
    int pr_head;                     /* probe reuse (x86_64_mem.c): op of the last full probe, -1 none */
    ir_temp pr_base;                 /* its address = pr_base + pr_disp, MMU index pr_idx */
    int64_t pr_disp;
    unsigned pr_idx;
    struct jgrp *grp;                /* access groups of the block (x86_64_grp.c) */
    unsigned ngrp, grpcap;
    int32_t *opg;                    /* per op: its access group, -1 none */
    int64_t *opd;                    /* per op (LD/ST of a group): displacement from the base */
    uint8_t *opf;                    /* per op: JF_SKIP_ADD / JF_FOLDED (x86_64_grp.c) */
    unsigned opcap;
    uint16_t reserved;               /* registers holding group addends: not allocatable */
    bool no_groups;                  /* compile without access groups (retry, tests) */
    bool rg_mismatch;                /* a checked copy ended in another allocator state */
    int mode;                        /* J_NORMAL, or compiling a region's J_FAST / J_CHECKED copy */
    struct jregion *rg;
    unsigned nrg, rgcap;
    uint8_t **fb_at;                 /* per op: its probe point in the checked copy */
    struct jblk *blk;                /* blocks with a table, in address order (since reset) */
    unsigned nblk, blkcap;
    bool fail;                       /* out of memory or frame slots */

    /* Self-loop blocks (x86_64_loop.c, docs/JIT.md "Self-loops"). */
    bool loop;                       /* this block compiles its SELF GOTO_TB as a back edge */
    bool no_loop;                    /* compile without (retry) */
    int pin_limit;                   /* pin at most this many (retry; -1: no limit) */
    int npinned;                     /* globals pinned */
    uint16_t pinmask;                /* registers of pinned globals: never allocated */
    uint64_t loop_n;                 /* the block's budget charge */
    int32_t loop_icount_off;         /* env offset of the budget counter */
    uint8_t *loop_start;             /* the block's entry */
    uint8_t *loop_head;              /* HEAD: after the entry checks, pinned globals loaded */
    struct ir_block lblock;          /* the block with copies coalesced (ops: lops) */
    struct ir_op *lops;
    unsigned lcap_ops;
    /* Chained exits that skip stores (x86_64_chain.c). */
    uint8_t *chskip;                 /* per op: a tail MOV compiled by its GOTO_TB */
    unsigned chskipcap;
    struct jchain *ch;               /* two-variant exits compiled since the last reset */
    unsigned nch, chcap;
    unsigned ch_first;               /* the current block's first exit in ch */
    struct tb *ch_tb;                /* the block ch_first belongs to */
    uint8_t *lkeep;                  /* per label: reached from one forward BRCOND only */
    void **lsnap;                    /* per label: the allocator state at that BRCOND */
    unsigned nlsnap, lkcap;
};

/* Leaves the block: rax = the block's tb | exit_code, jmp to the epilogue (x86_64.c). */
void jmp_epilogue(struct jit *j, unsigned exit_code);
/* GOTO_PTR (x86_64_ptr.c): syncs the globals, probes the jump cache inline when jc
   (and the guest has keys), else or on a miss calls the guest's lookup and jumps to
   the block it returns; without one, leaves to the loop (TB_EXIT_NOCHAIN). */
void gen_goto_ptr(struct jit *j, bool jc);

/* Self-loops (x86_64_loop.c). Chooses the pinned globals when the block loops
   on itself (sets j->loop; after ra_begin and grp_plan); false when out of memory. */
bool loop_plan(struct jit *j);
/* Block entry of a loop block: loads every pinned global into its register. */
void loop_entry(struct jit *j);
/* After the fused budget charge: places HEAD (pinned globals count as dirty). */
void loop_head(struct jit *j);
/* True when op (a GOTO_TB) is compiled as the block's back edge (one slot at most). */
bool loop_is_back_edge(struct jit *j, const struct ir_op *op);
/* The SELF GOTO_TB of slot `slot`: the back edge. */
void gen_loop_back(struct jit *j, unsigned slot);
/* engine->link's part for a back edge: points its loop jump at HEAD when to == from. */
void loop_link(struct tb *from, unsigned slot, struct tb *to);
/* shl/add/add at op i as one LEA (x86_64_fuse.c); returns the ops consumed, 0: no match. */
unsigned gen_fuse_lea(struct jit *j, unsigned i);
/* Matches the fused budget charge at op i (x86_64.c): its constant and env offset. */
bool jit_counter_match(struct jit *j, unsigned i, uint64_t *n, int32_t *off);

/* Register allocator (x86_64_ra.c). */
/* A register taken out of allocation until ra_unreserve (evicting its temp). */
int ra_reserve(struct jit *j);
void ra_unreserve(struct jit *j, int r);
bool ra_begin(struct jit *j);
/* Block entry: zeroes the slots of locals that may be read before being written. */
void ra_prologue(struct jit *j);
/* Host register holding t (loaded if needed), locked until ra_end_op. */
int ra_in(struct jit *j, ir_temp t);
/* True when t is a constant usable as the immediate of an sz-bit instruction. */
bool ra_imm(struct jit *j, ir_temp t, unsigned sz, int32_t *imm);
/* Width from which t's value is known to be zero-extended (64: unknown). */
unsigned ra_zw(struct jit *j, ir_temp t);
/* Copies t's low w bits zero-extended into rd (from ra, which holds t). */
void ra_copy_zext(struct jit *j, unsigned w, int rd, int ra, ir_temp t);
/* True when t is a local (or constant) whose value is not needed after this op. */
bool ra_dies(struct jit *j, ir_temp t);
/* Register for the output t; hint >= 0 is an input register that may be reused. */
int ra_out(struct jit *j, ir_temp t, int hint);
/* Global g = the value in r (zero-extended from g's width or narrower):
   stored straight to env; g keeps no register. */
void ra_store_global(struct jit *j, ir_temp g, int r);
/* Marks t written at width w (truncates narrow globals). */
void ra_written(struct jit *j, ir_temp t, unsigned w);
/* Writes dirty globals back to env (drop: also forget their registers; pinned
   globals are re-read from env instead). */
void ra_sync_globals(struct jit *j, bool drop);
/* Writes dirty globals that are not pinned back to env (branches, labels). */
void ra_sync_unpinned(struct jit *j);
/* Puts global g in host register r for the whole block (r is never allocated). */
void ra_pin(struct jit *j, ir_temp g, int r);
/* Marks every pinned global dirty (its register may be newer than env). */
void ra_pins_dirty(struct jit *j);
/* The allocatable registers, in order of preference. */
extern const int8_t ra_alloc_order[11];
/* Stores dirty live locals into their frame slots (they stay in registers). */
void ra_spill_locals(struct jit *j);
/* Forgets every register assignment (values must be home already) but the
   pinned globals', which become dirty. */
void ra_forget_all(struct jit *j);
/* Saves and frees every caller-saved register (before a helper call). */
void ra_free_caller_saved(struct jit *j);
/* Loads t into host register r without allocating (call arguments). */
void ra_load_to(struct jit *j, int r, ir_temp t);
/* Fills s->dirty with the dirty globals in registers (they stay dirty). */
void ra_dirty_globals(struct jit *j, struct jslow *s);
/* A malloc'ed copy of the allocator state (NULL: out of memory), restoring
   it, and comparing the current state with it. */
void *ra_snapshot(struct jit *j);
void ra_restore(struct jit *j, const void *snap);
bool ra_same(struct jit *j, const void *snap);
/* Registers currently holding a value. */
uint16_t ra_live_mask(struct jit *j);
/* End of op: frees dead locals and unlocks registers. */
void ra_end_op(struct jit *j, const struct ir_op *op);

/* opf values: an address ADD left out / the group member that reads base + d itself. */
#define JF_SKIP_ADD 1
#define JF_FOLDED 2
/* The skipped ADD: its output gets a register (and no value). */
void gen_skipped_add(struct jit *j, const struct ir_op *op);

/* Access groups (x86_64_grp.c). The address temp a of op i as base + disp (a + 0
   when a is not an ADD of an imm32 to a temp unchanged since, in straight-line code). */
void jit_addr_parts(struct jit *j, unsigned i, ir_temp a, ir_temp *base, int64_t *disp);
/* Plans the block's access groups (after ra_begin); false when out of memory. */
bool grp_plan(struct jit *j);

/* Code generation (x86_64_gen.c, x86_64_mem.c). */
void gen_op(struct jit *j, const struct ir_op *op);
void gen_ld(struct jit *j, const struct ir_op *op);
void gen_st(struct jit *j, const struct ir_op *op);
void gen_slow_paths(struct jit *j);
/* Instruction tables (x86_64_insn.c). After a block's code (start..x.p):
   writes the table of its slow-path call sites and indexes it; false when
   out of space or memory. */
bool jit_insn_table(struct jit *j, uint8_t *start);
/* engine->insn_at of the JIT. */
bool jit_insn_at(struct engine *e, uintptr_t host_ra, uint64_t *word);
/* Forgets every table (code buffer reset). */
void jit_insn_reset(struct jit *j);
/* Emits a compare of a with b at width w; returns the host condition code for cond. */
int gen_compare(struct jit *j, unsigned cond, unsigned w, ir_temp a, ir_temp b);
/* Loads an sz-bit env field zero-extended into r. */
void gen_load_env(struct jit *j, int r, unsigned w, int32_t off);
/* Stores the low w bits of r to env+off. */
void gen_store_env(struct jit *j, int r, unsigned w, int32_t off);
/* mov w-bit [rbp + off], v (w = 64: v must fit a sign-extended imm32). */
void gen_store_env_imm(struct jit *j, unsigned w, int32_t off, uint64_t v);

/* Chained exits that skip stores (x86_64_chain.c, docs/JIT.md). After
   ra_begin: marks the MOVs to globals that end each GOTO_TB's arm (they are
   compiled by chain_gen_exit) and resets the tb's chain fields; false when out
   of memory. */
bool chain_plan(struct jit *j);
/* True when the op being compiled is such a MOV (skip it). */
bool chain_skip(const struct jit *j);
/* Right after the fused entry charge at op 0: records tb->code_body and the charge. */
void chain_note_body(struct jit *j);
/* GOTO_TB slot at j->cur: emits the two-variant exit and returns true, or
   returns false when the arm has no such MOVs (emit the plain exit). */
bool chain_gen_exit(struct jit *j, unsigned slot);
/* engine->link's second half: points jump A at a stub for `to` or back at the
   normal path; sets from->jmp_deferred[slot]. */
void chain_link(struct jit *j, struct tb *from, unsigned slot, struct tb *to);
/* Forgets every exit (code buffer reset). */
void chain_reset(struct jit *j);
/* A BRCOND whose label no other branch or fall-through reaches: its locals
   stay in registers (chain_save_state after the compare, before the jump;
   chain_restore_state at the label, true when it restored that state). */
bool chain_keeps_state(struct jit *j, const struct ir_op *op);
void chain_save_state(struct jit *j, unsigned label);
bool chain_restore_state(struct jit *j, unsigned label);
/* Frees the chain state (engine destroy). */
void chain_free(struct jit *j);

#endif
