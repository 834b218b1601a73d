/* SPDX-License-Identifier: MIT */
/* ir.h: kiln's guest-independent intermediate representation and its builder. */
#ifndef KILN_TRANSLATE_IR_H
#define KILN_TRANSLATE_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The IR in one paragraph (docs/IR.md has the long form)
 *
 * A guest block becomes a linear list of ops (struct ir_op) over temps. A temp
 * is a 64-bit container named by a small index (ir_temp). There are three
 * kinds: GLOBAL temps stand for fields of the guest state ("env", the CPU
 * struct the generated code gets a pointer to) and are shared by every block
 * of one ir_ctx; CONST temps are immutable constants; LOCAL temps are scratch
 * values of one block (reading one before writing it gives an unspecified
 * value). Index 0 is IR_NONE.
 *
 * Width: every op has a width w of 8, 16, 32 or 64 bits (128 is reserved for
 * vectors). It reads the low w bits of its inputs and writes its result
 * zero-extended from w to 64 bits. (Exceptions: the address of LD/ST and the
 * arguments of CALL are always whole 64-bit values; LD_ENV/ST_ENV and LD/ST
 * move w bits, or the memop's size.) So "mov.8 d, a" is a zero-extension and
 * "sext.64 d, a" with aux=8 a sign-extension. Signed ops (sar, divs, lt...)
 * interpret their inputs as signed w-bit numbers. Shift and rotate counts are
 * taken modulo w. Divisions by zero and signed overflow are never emitted by a
 * front end (it checks first); engines must still not crash on them (result 0).
 *
 * Guest state: a GLOBAL's home is env+offset; reading or writing the temp is
 * reading or writing that field (a write keeps the low bits that fit the
 * field's width; a read zero-extends it). Engines may keep globals in host registers,
 * but every global holds its architectural value in env at each "sync point":
 * guest memory ops (LD/ST, which may fault and unwind), CALLs without
 * IR_HELPER_NO_ENV, block exits, and labels/branches. After a CALL without
 * IR_HELPER_NO_ENV, globals are re-read from env. LD_ENV/ST_ENV access env
 * fields that are NOT globals (front ends never alias a global's field).
 *
 * Precise faults: a guest memory op or helper may unwind out of the block
 * (longjmp to the CPU loop). The front end keeps the guest state exact at such
 * points (it writes the guest PC before a faulting instruction, and performs an
 * instruction's memory accesses before its register writes), so the loop can
 * restart the instruction. The optimizer must preserve this: it may not move
 * or delete writes of globals across a sync point.
 *
 * Control flow: LABEL/BR/BRCOND jump forward or backward inside a block.
 * A block ends with GOTO_TB (direct jump through chaining slot 0 or 1; the
 * front end has already written the next guest PC to env), GOTO_PTR (indirect:
 * look the next block up from env's guest PC without returning to the loop)
 * or EXIT (return to the loop with a reason code).
 */

typedef uint32_t ir_temp;
#define IR_NONE ((ir_temp)0)

enum ir_temp_kind { IR_TEMP_LOCAL, IR_TEMP_CONST, IR_TEMP_GLOBAL };

/* Comparison conditions for SETCOND, MOVCOND and BRCOND (at the op's width). */
enum ir_cond {
    IR_EQ, IR_NE,
    IR_LTU, IR_GEU, IR_LEU, IR_GTU,   /* unsigned */
    IR_LT, IR_GE, IR_LE, IR_GT,       /* signed */
    IR_TSTEQ, IR_TSTNE,               /* (a & b) == 0, != 0 */
    IR_ALWAYS, IR_NEVER,
};

/* Guest memory op descriptor (aux of LD and ST). */
#define IR_MEM_SIZE(log2) ((unsigned)(log2) & 3u)   /* access of 1 << log2 bytes */
#define IR_MEM_SIGN 0x4u                           /* LD: sign-extend to the op width */
#define IR_MEM_IDX(i) ((unsigned)(i) << 8)          /* soft-TLB / MMU index (0..IR_MMU_MODES-1) */
#define IR_MEM_GET_SIZE(m) (1u << ((m) & 3u))
#define IR_MEM_GET_IDX(m) (((m) >> 8) & 0xffu)
#define IR_MEM_GUEST(x) (((unsigned)(x) & 0xffu) << 16) /* guest bits: engines pass them to the slow path */
#define IR_MEM_GET_GUEST(m) (((m) >> 16) & 0xffu)

/* Helper functions called by CALL. env is the guest state pointer. */
typedef uint64_t (*ir_helper_fn)(void *env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);

#define IR_HELPER_NO_ENV  0x1u  /* neither reads nor writes env and never unwinds: no sync needed */
#define IR_HELPER_PURE    0x2u  /* NO_ENV and no side effect: may be folded or deleted if unused */

struct ir_helper {
    ir_helper_fn fn;
    const char *name;
    unsigned flags;
};

/*
 * The op list. X(name, outputs, inputs, flags). Operands live in args[]:
 * outputs first, then inputs. aux carries the op's extra field.
 */
#define IR_OP_SIDE     0x1u   /* has effects beyond its output: never dead */
#define IR_OP_SYNC     0x2u   /* a sync point for globals (see above) */
#define IR_OP_BRANCH   0x4u   /* ends a straight-line run (label, branch, exit) */

#define IR_OPS(X)                                                              \
    X(NOP,      0, 0, 0)                                                       \
    X(INSN_START, 0, 0, 0)           /* aux = guest PC of the next instr. */   \
    X(MOV,      1, 1, 0)                                                       \
    X(ADD,      1, 2, 0)                                                       \
    X(SUB,      1, 2, 0)                                                       \
    X(MUL,      1, 2, 0)             /* low half */                            \
    X(MULUH,    1, 2, 0)             /* high half of the unsigned product */   \
    X(MULSH,    1, 2, 0)             /* high half of the signed product */     \
    X(DIVU,     1, 2, 0)                                                       \
    X(DIVS,     1, 2, 0)                                                       \
    X(REMU,     1, 2, 0)                                                       \
    X(REMS,     1, 2, 0)                                                       \
    X(AND,      1, 2, 0)                                                       \
    X(OR,       1, 2, 0)                                                       \
    X(XOR,      1, 2, 0)                                                       \
    X(NEG,      1, 1, 0)                                                       \
    X(NOT,      1, 1, 0)                                                       \
    X(SHL,      1, 2, 0)                                                       \
    X(SHR,      1, 2, 0)                                                       \
    X(SAR,      1, 2, 0)                                                       \
    X(ROTL,     1, 2, 0)                                                       \
    X(ROTR,     1, 2, 0)                                                       \
    X(SEXT,     1, 1, 0)             /* aux = source width; >= w: a mov */     \
    X(EXTRACT,  1, 1, 0)             /* aux = pos | len << 8: (a>>pos)&mask */ \
    X(DEPOSIT,  1, 2, 0)             /* aux = pos | len << 8: a with field=b */\
    X(CLZ,      1, 1, 0)             /* count of leading zeros; w if a == 0 */ \
    X(CTZ,      1, 1, 0)             /* count of trailing zeros; w if a == 0 */\
    X(POPCNT,   1, 1, 0)                                                       \
    X(BSWAP,    1, 1, 0)             /* width 16, 32 or 64 */                  \
    X(SETCOND,  1, 2, 0)             /* cond: d = cond(a, b) ? 1 : 0 */        \
    X(MOVCOND,  1, 4, 0)             /* cond: d = cond(a, b) ? c : e */        \
    X(LD_ENV,   1, 0, 0)             /* aux = env offset, width = size */      \
    X(ST_ENV,   0, 1, IR_OP_SIDE)    /* aux = env offset, width = size */      \
    X(LD,       1, 1, IR_OP_SIDE | IR_OP_SYNC) /* d = guest mem[a]; aux=memop */\
    X(ST,       0, 2, IR_OP_SIDE | IR_OP_SYNC) /* guest mem[b] = a; aux=memop */\
    X(CALL,     1, 4, IR_OP_SIDE | IR_OP_SYNC) /* aux = struct ir_helper *;  \
                                      out and unused inputs may be IR_NONE */  \
    X(LABEL,    0, 0, IR_OP_SIDE | IR_OP_SYNC | IR_OP_BRANCH) /* aux = label */\
    X(BR,       0, 0, IR_OP_SIDE | IR_OP_SYNC | IR_OP_BRANCH) /* aux = label */\
    X(BRCOND,   0, 2, IR_OP_SIDE | IR_OP_SYNC | IR_OP_BRANCH) /* cond, aux */  \
    X(GOTO_TB,  0, 0, IR_OP_SIDE | IR_OP_SYNC | IR_OP_BRANCH) /* aux = slot | SELF */ \
    X(GOTO_PTR, 0, 0, IR_OP_SIDE | IR_OP_SYNC | IR_OP_BRANCH)                  \
    X(EXIT,     0, 0, IR_OP_SIDE | IR_OP_SYNC | IR_OP_BRANCH) /* aux = code */

enum ir_opc {
#define IR_X(name, o, i, f) IR_##name,
    IR_OPS(IR_X)
#undef IR_X
    IR_NUM_OPS
};

#define IR_MAX_ARGS 5

struct ir_op {
    uint16_t opc;              /* enum ir_opc */
    uint8_t width;             /* 8, 16, 32, 64 */
    uint8_t cond;              /* enum ir_cond, for SETCOND MOVCOND BRCOND */
    ir_temp args[IR_MAX_ARGS]; /* outputs, then inputs */
    uint64_t aux;
};

struct ir_op_def {
    const char *name;
    uint8_t nout, nin;
    uint8_t flags;
};
extern const struct ir_op_def ir_op_defs[IR_NUM_OPS];

struct ir_temp_info {
    uint8_t kind;              /* enum ir_temp_kind */
    uint8_t width;             /* GLOBAL: the env field's width; others: 64 */
    int32_t env_offset;        /* GLOBAL */
    uint64_t value;            /* CONST */
    const char *name;          /* GLOBAL */
};

#define IR_MAX_GLOBALS 64

/* What every block of one guest shares: the globals. */
struct ir_ctx {
    unsigned nglobals;
    struct ir_temp_info globals[IR_MAX_GLOBALS];
};

/* One block being built or run. Temps 1..nglobals are the ctx's globals. */
struct ir_block {
    const struct ir_ctx *ctx;
    struct ir_op *ops;
    unsigned nops, ops_cap;
    struct ir_temp_info *temps;  /* indexed by ir_temp; [1..nglobals] copy the ctx's */
    unsigned ntemps, temps_cap;
    unsigned nlabels;
    bool oom;                    /* an allocation failed; the block is unusable */
};

/* Initialises ctx with no globals. */
void ir_ctx_init(struct ir_ctx *ctx);
/* Declares a global living at env+offset with the given width; returns its temp. */
ir_temp ir_ctx_global(struct ir_ctx *ctx, int32_t offset, unsigned width, const char *name);

/* Starts an empty block over ctx's globals (reusing b's storage if any: b must
   be zero-filled or a block initialised before). */
void ir_block_init(struct ir_block *b, const struct ir_ctx *ctx);
/* Empties the block, keeping its storage. */
void ir_block_reset(struct ir_block *b);
/* Frees the block's storage. */
void ir_block_free(struct ir_block *b);

/* A new LOCAL temp. */
ir_temp ir_temp_new(struct ir_block *b);
/* A CONST temp holding v (zero-extended from width; equal constants may share a temp). */
ir_temp ir_const(struct ir_block *b, unsigned width, uint64_t v);
/* A new label id (place it with ir_label). */
unsigned ir_label_new(struct ir_block *b);

/* Appends an op and returns it (NULL and b->oom set on allocation failure). */
struct ir_op *ir_emit(struct ir_block *b, enum ir_opc opc, unsigned width,
                      ir_temp a0, ir_temp a1, ir_temp a2, uint64_t aux);

/* Builder shorthands; each returns nothing and appends one op. */
static inline void ir_mov(struct ir_block *b, unsigned w, ir_temp d, ir_temp a)
{ ir_emit(b, IR_MOV, w, d, a, IR_NONE, 0); }
static inline void ir_binop(struct ir_block *b, enum ir_opc opc, unsigned w, ir_temp d, ir_temp a, ir_temp c)
{ ir_emit(b, opc, w, d, a, c, 0); }
static inline void ir_unop(struct ir_block *b, enum ir_opc opc, unsigned w, ir_temp d, ir_temp a)
{ ir_emit(b, opc, w, d, a, IR_NONE, 0); }
static inline void ir_sext(struct ir_block *b, unsigned w, ir_temp d, ir_temp a, unsigned from)
{ ir_emit(b, IR_SEXT, w, d, a, IR_NONE, from); }
static inline void ir_extract(struct ir_block *b, unsigned w, ir_temp d, ir_temp a, unsigned pos, unsigned len)
{ ir_emit(b, IR_EXTRACT, w, d, a, IR_NONE, pos | (len << 8)); }
static inline void ir_deposit(struct ir_block *b, unsigned w, ir_temp d, ir_temp a, ir_temp v, unsigned pos, unsigned len)
{ ir_emit(b, IR_DEPOSIT, w, d, a, v, pos | (len << 8)); }
static inline void ir_ld_env(struct ir_block *b, unsigned w, ir_temp d, int32_t off)
{ ir_emit(b, IR_LD_ENV, w, d, IR_NONE, IR_NONE, (uint64_t)(uint32_t)off); }
static inline void ir_st_env(struct ir_block *b, unsigned w, ir_temp v, int32_t off)
{ ir_emit(b, IR_ST_ENV, w, v, IR_NONE, IR_NONE, (uint64_t)(uint32_t)off); }
static inline void ir_ld(struct ir_block *b, unsigned w, ir_temp d, ir_temp addr, unsigned memop)
{ ir_emit(b, IR_LD, w, d, addr, IR_NONE, memop); }
static inline void ir_st(struct ir_block *b, unsigned w, ir_temp v, ir_temp addr, unsigned memop)
{ ir_emit(b, IR_ST, w, v, addr, IR_NONE, memop); }
static inline void ir_label(struct ir_block *b, unsigned label)
{ ir_emit(b, IR_LABEL, 64, IR_NONE, IR_NONE, IR_NONE, label); }
static inline void ir_br(struct ir_block *b, unsigned label)
{ ir_emit(b, IR_BR, 64, IR_NONE, IR_NONE, IR_NONE, label); }
static inline void ir_goto_tb(struct ir_block *b, unsigned slot)
{ ir_emit(b, IR_GOTO_TB, 64, IR_NONE, IR_NONE, IR_NONE, slot); }
/* GOTO_TB's aux: slot (aux & 1), plus this bit when the target is the block's
   own start (same guest state key: the jump loops). A hint: an engine may keep
   state in host registers across it, but only once the chain machinery has
   linked the slot to this very block (docs/JIT.md "Self-loops"); engines that
   do not care read aux & 1. */
#define IR_GOTO_TB_SELF 2u
static inline void ir_goto_ptr(struct ir_block *b)
{ ir_emit(b, IR_GOTO_PTR, 64, IR_NONE, IR_NONE, IR_NONE, 0); }
/* GOTO_PTR's aux: the engine may take the next block from the jump cache
   (engine_guest.jc_*, tb.h) without calling lookup. A front end sets it only
   where lookup would refuse nothing that a block's entry does not check
   itself (the exit request; a guest's budget check). */
#define IR_GOTO_PTR_JC 1u
static inline void ir_goto_ptr_jc(struct ir_block *b)
{ ir_emit(b, IR_GOTO_PTR, 64, IR_NONE, IR_NONE, IR_NONE, IR_GOTO_PTR_JC); }
static inline void ir_exit(struct ir_block *b, uint64_t code)
{ ir_emit(b, IR_EXIT, 64, IR_NONE, IR_NONE, IR_NONE, code); }
static inline void ir_insn_start(struct ir_block *b, uint64_t pc)
{ ir_emit(b, IR_INSN_START, 64, IR_NONE, IR_NONE, IR_NONE, pc); }
/* d = cond(a, c) ? 1 : 0 */
void ir_setcond(struct ir_block *b, unsigned w, enum ir_cond cond, ir_temp d, ir_temp a, ir_temp c);
/* d = cond(a, c) ? t : f */
void ir_movcond(struct ir_block *b, unsigned w, enum ir_cond cond, ir_temp d, ir_temp a, ir_temp c,
                ir_temp t, ir_temp f);
/* if cond(a, c) goto label */
void ir_brcond(struct ir_block *b, unsigned w, enum ir_cond cond, ir_temp a, ir_temp c, unsigned label);
/* d = h->fn(env, a0..a3); d and unused inputs may be IR_NONE. */
void ir_call(struct ir_block *b, const struct ir_helper *h, ir_temp d,
             ir_temp a0, ir_temp a1, ir_temp a2, ir_temp a3);

/* Prints the block, one op a line (for -d op and -d op_opt). */
void ir_dump(const struct ir_block *b, FILE *out);
/* Checks the block is well formed (temps, widths, labels); returns NULL or a message. */
const char *ir_validate(const struct ir_block *b);

#endif
