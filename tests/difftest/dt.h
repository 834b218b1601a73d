/* SPDX-License-Identifier: MIT */
/* dt.h: shared types of the differential tester (generator, runners, comparison). */
#ifndef KILN_DT_H
#define KILN_DT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Memory layout, identical on the host and in the guest: one block at DT_MEM_BASE
 * holding the code (DT_CODE_SIZE bytes) then the data buffer (DT_DATA_SIZE bytes).
 * Random memory operands stay in [DT_DATA, DT_DATA + DT_HEAP_SIZE); the stack
 * (RSP at DT_STACK_TOP initially) lives in the rest of the buffer.
 * Natively, DT_GUARD_SIZE bytes after the block are mapped PROT_NONE so that
 * deliberate out-of-range accesses fault the same way on both sides.
 */
#define DT_MEM_BASE   UINT64_C(0x10000000)
#define DT_CODE_SIZE  0x10000u
#define DT_DATA       (DT_MEM_BASE + DT_CODE_SIZE)
#define DT_DATA_SIZE  0x2000u
#define DT_HEAP_SIZE  0x1800u   /* crosses the page at DT_DATA + 0x1000 */
#define DT_STACK_TOP  (DT_DATA + 0x1c00u)
#define DT_MEM_SIZE   (DT_CODE_SIZE + DT_DATA_SIZE)
#define DT_GUARD      (DT_MEM_BASE + DT_MEM_SIZE)
#define DT_GUARD_SIZE 0x10000u
/* GS base on both sides (the host worker sets it with arch_prctl): GS-overridden
   memory operands address DT_GS_BASE + effective address. */
#define DT_GS_BASE    UINT64_C(0x0f000000)
/* Loop slots (rloop class): per loop id a counter and a saved RSP, in a code page that
   never holds code and that no other item addresses. Zeroed before each run, compared. */
#define DT_SLOTS      (DT_MEM_BASE + 0x8000u)
#define DT_SLOT_SIZE  64u
#define DT_LOOP_IDS   4
/* Kiln's instruction budget for one sequence (all slices together). */
#define DT_KILN_BUDGET 1000000u

/* Arithmetic flags (RFLAGS bits) and the compared set. */
#define DT_CF 0x001u
#define DT_PF 0x004u
#define DT_AF 0x010u
#define DT_ZF 0x040u
#define DT_SF 0x080u
#define DT_OF 0x800u
#define DT_DF 0x400u
#define DT_ARITH (DT_CF | DT_PF | DT_AF | DT_ZF | DT_SF | DT_OF)
#define DT_CMP_FLAGS (DT_ARITH | DT_DF)

/* ---- random numbers (splitmix64: seeded, reproducible) */
struct dt_rng { uint64_t s; };
uint64_t dt_rand(struct dt_rng *r);
/* Uniform in [0, n) (n > 0). */
uint32_t dt_below(struct dt_rng *r, uint32_t n);
/* An "interesting" 64-bit value: 0, -1, sign boundaries, small, random... */
uint64_t dt_value(struct dt_rng *r);

/* ---- instruction classes: one generator each (see dt_gen.c) */
enum dt_class {
    DT_C_ALU, DT_C_TEST, DT_C_INCDEC, DT_C_NEGNOT, DT_C_MUL, DT_C_IMUL, DT_C_DIV,
    DT_C_SHIFT, DT_C_SHXD, DT_C_BT, DT_C_BITSCAN, DT_C_BMI1, DT_C_BMI2, DT_C_ADX,
    DT_C_MOV, DT_C_MOVX, DT_C_MOVBE, DT_C_LEA, DT_C_XCHG, DT_C_CMPXCHG, DT_C_CMPXCHGB,
    DT_C_XADD, DT_C_BSWAP, DT_C_CMOV, DT_C_SETCC, DT_C_JMP, DT_C_CALL, DT_C_LOOP,
    DT_C_PUSHPOP, DT_C_ENTER, DT_C_CONVERT, DT_C_FLAGS, DT_C_STRING, DT_C_XLAT, DT_C_NOP,
    DT_C_FAULT, DT_C_NONCANON, DT_C_PFSPLIT, DT_C_SMC, DT_C_REPFAULT,
    /* FP/SIMD (dt_gen_fp.c, dt_gen_simd.c) */
    DT_C_X87, DT_C_MMX, DT_C_SSEFP, DT_C_SSEINT, DT_C_SSE4, DT_C_AES,
    /* counted loops around random bodies of the other classes' items (dt_gen_loop.c) */
    DT_C_RLOOP,
    DT_C_COUNT
};
/* Lower-case class name ("alu", "shift"...). */
const char *dt_class_name(int cls);
/* Class id by name, -1 if none. */
int dt_class_by_name(const char *name);

/* ---- one generated item: one instruction, or a short fixed group (address setup + op) */
#define DT_ITEM_MAX 64
struct dt_item {
    uint8_t cls;
    uint8_t len;
    uint8_t b[DT_ITEM_MAX];
    uint8_t ninsns;      /* instructions in b */
#define DT_ITEM_INSNS 12
    uint8_t ofs[DT_ITEM_INSNS]; /* offset of each instruction in b */
    /* flag definer put in front when a flag read would see undefined flags */
    uint8_t pre_len;
    uint8_t pre[4];
    /* branch (last instruction of the item): rel8/rel32 at b[br_off], next insn at br_next */
    uint8_t br_size;     /* 0 none, 1 or 4 */
    uint8_t br_off, br_next;
    uint8_t br_skip;     /* target = start of item (index + 1 + br_skip), clamped to the end */
    bool br_uncond;      /* no fall-through */
    /* RIP-relative operand: disp32 at b[rip_off], next insn at rip_next, target data offset */
    uint8_t rip_off, rip_next;
    bool has_rip;
    uint32_t rip_target;
    /* flags: read before written (needs them defined), written defined, left undefined */
    uint16_t reads, defs, undefs;
    /* rloop: a loop's head (sets its counter; the back edge goes to b[loop_lbl]) and tail
       (its branch, br_*, goes back to the head of the same loop_id, or nowhere if none) */
#define DT_LOOP_HEAD 1
#define DT_LOOP_TAIL 2
    uint8_t loop_role, loop_id, loop_lbl;
};

#define DT_MAX_ITEMS 32
struct dt_seq {
    int n;
    uint32_t org;        /* code offset of the first item (sequences may cross pages) */
    struct dt_item it[DT_MAX_ITEMS];
};

/* FP/SIMD state as an FXSAVE64 image: FCW FSW FTW(abridged) FOP FIP FDP MXCSR at 0..31,
   ST0-7 (16 bytes each) at 32, XMM0-15 at 160. Bytes 416.. are not used. */
#define DT_FX_SIZE 416u
#define DT_FX_ST 32u
#define DT_FX_XMM 160u

/* Initial machine state. */
struct dt_state {
    uint64_t gpr[16];
    uint64_t rflags;   /* arithmetic bits + DF; bit 1 and IF are added by the runners */
    uint8_t data[DT_DATA_SIZE];
    uint8_t fx[DT_FX_SIZE];
    /* kiln side only: 0 = one bare_cpu_run; else up to DT_KILN_SLICES runs of kiln_slice
       instructions each (budget exits at block boundaries) before the rest in one run,
       with the registers read and written back between runs when kiln_sync is set */
    uint32_t kiln_slice;
    bool kiln_sync;
    /* kiln side only: exit requests from a timer signal every kiln_poke_us microseconds
       (0: none) during the first DT_KILN_POKES runs */
    uint32_t kiln_poke_us;
};
#define DT_KILN_SLICES 256
#define DT_KILN_POKES 2000

/* Laid-out code for one run. */
struct dt_code {
    uint8_t b[DT_CODE_SIZE];
    uint32_t org;               /* entry point: DT_MEM_BASE + org */
    uint32_t len;               /* code offset of the terminator */
    uint32_t start[DT_MAX_ITEMS + 1]; /* code offset of each item (start[n] = len) */
    bool pre_on[DT_MAX_ITEMS];
    uint16_t in_undef[DT_MAX_ITEMS + 1]; /* flags possibly undefined on entry; [n] = at the end */
    uint32_t ninsns;            /* static instruction count */
};

/* Outcome of running the code on one side. */
enum dt_stop { DT_STOP_END, DT_STOP_FAULT, DT_STOP_HANG, DT_STOP_ERROR };
struct dt_result {
    enum dt_stop stop;
    uint8_t vector;
    bool has_err;
    uint32_t err;
    uint64_t cr2;
    uint64_t gpr[16];
    uint64_t rip;          /* absolute */
    uint64_t rflags;
    uint8_t data[DT_DATA_SIZE];
    uint8_t fx[DT_FX_SIZE]; /* final FP/SIMD state (layout of dt_state.fx) */
    uint8_t slots[DT_SLOT_SIZE]; /* the loop slots at DT_SLOTS */
    uint64_t insns;        /* kiln: instructions executed (block granularity) */
    uint32_t slices;       /* kiln: runs resumed after a budget exit */
    uint32_t requests;     /* kiln: runs resumed after an exit request */
    char msg[96];          /* DT_STOP_ERROR: why */
};

/* ---- host CPU features (CPUID) */
struct dt_cpu_features { bool bmi1, bmi2, adx, movbe, lzcnt, popcnt, cx16; };
void dt_cpu_features(struct dt_cpu_features *f);

/* ---- generator (dt_gen*.c) */
struct dt_gen {
    struct dt_rng rng;
    struct dt_cpu_features feat;
    bool enabled[DT_C_COUNT];   /* classes to draw from */
    bool avail[DT_C_COUNT];     /* host supports it */
    const char *insn;           /* only items with this mnemonic (x86_op_name), or NULL */
    bool known_bugs;            /* also generate what shows known, unfixed kiln bugs */
};
/* Initialises a generator: all classes the host supports enabled. */
void dt_gen_init(struct dt_gen *g, uint64_t seed);
/* A random sequence of 1..max_items items. */
void dt_gen_seq(struct dt_gen *g, struct dt_seq *s, int max_items);
/* One item of class cls into *it (cleared first). */
void dt_gen_item(struct dt_gen *g, int cls, struct dt_item *it);
/* A random initial state. */
void dt_gen_state(struct dt_gen *g, struct dt_state *st);
/* Random FP/SIMD state into st->fx and FP-flavoured values into st->data (only when
   an FP/SIMD class is enabled; otherwise the default state: FNINIT, MXCSR 0x1F80, XMM 0). */
void dt_gen_fpstate(struct dt_gen *g, struct dt_state *st);
/* The FNINIT state with MXCSR 0x1F80 and XMM 0. */
void dt_fx_default(uint8_t *fx);
/* Computes flag dataflow and lays the sequence out, terminator byte term (0xcc/0xf4) last. */
void dt_layout(const struct dt_seq *s, uint8_t term, struct dt_code *c);

/* ---- undefined-flags table (dt_flags.c) */
/* Flags to leave out of the comparison for a class when they are undefined there;
   0 where kiln claims to match the host. */
uint16_t dt_undef_mask(int cls);
/* Compare undefined flags too (as if kiln claimed to match the host everywhere). */
void dt_undef_strict(bool on);

/* ---- runners */
/* Host: runs the code natively in a forked worker. false if the worker cannot start. */
bool dt_native_init(void);
void dt_native_run(const struct dt_code *c, const struct dt_state *st, struct dt_result *r);
void dt_native_fini(void);

/* Kiln: engine 0 = interpreter, 1 = JIT. dt_kiln_available(): bare.c linked in. */
bool dt_kiln_available(void);
bool dt_kiln_init(int engine);
void dt_kiln_run(int engine, const struct dt_code *c, const struct dt_state *st,
                 struct dt_result *r);
void dt_kiln_fini(void);
const char *dt_engine_name(int engine);
/* The build has the x86-64 JIT (cpu/bare.c otherwise runs the interpreter for it). */
bool dt_kiln_real_jit(void);

#endif
