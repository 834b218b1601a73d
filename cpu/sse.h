/* SPDX-License-Identifier: MIT */
/* sse.h: MMX/SSE/x87 register state types and the SIMD helper interface (cpu/sse_*.c, tr_sse.c). */
#ifndef KILN_CPU_SSE_H
#define KILN_CPU_SSE_H

#include <stdbool.h>
#include <stdint.h>
#include "translate/ir.h"

/* One 128-bit XMM register (little-endian host lanes). */
typedef union {
    uint8_t b[16];
    int8_t sb[16];
    uint16_t w[8];
    int16_t sw[8];
    uint32_t d[4];
    int32_t sd[4];
    uint64_t q[2];
    int64_t sq[2];
} sse_reg;

/* One x87 data register in the physical register file: 64-bit significand
   (explicit integer bit) and sign + 15-bit exponent. MMi aliases mant of R[i]. */
struct x87_reg {
    uint64_t mant;
    uint16_t sexp;
    uint16_t pad[3];
};

/* The FPU/SIMD part of struct cpu (cpu->fpu). */
struct cpu_fpu {
    _Alignas(16) sse_reg xmm[16];
    uint32_t mxcsr;
    uint16_t fcw, fsw;       /* x87 control word, status word (TOP kept in fsw bits 13:11) */
    uint16_t ftw;            /* full tag word (2 bits per physical register, 3 = empty) */
    uint16_t fop;            /* last x87 opcode (11 bits) */
    uint64_t fip, fdp;       /* last x87 instruction / operand pointers */
    uint16_t fcs, fds;
    struct x87_reg st[8];    /* physical registers R0..R7 */
    uint64_t xcr0;           /* XCR0 (XFEATURE_ENABLED_MASK): x87 (bit 0) and SSE (bit 1) */
};

#define MXCSR_DEFAULT 0x1f80u
#define MXCSR_MASK 0xffffu   /* writable bits (DAZ supported) */
#define MXCSR_IE 0x01u
#define MXCSR_DE 0x02u
#define MXCSR_ZE 0x04u
#define MXCSR_OE 0x08u
#define MXCSR_UE 0x10u
#define MXCSR_PE 0x20u
#define MXCSR_DAZ 0x40u
#define MXCSR_MASKS_SHIFT 7
#define MXCSR_RC_SHIFT 13
#define MXCSR_FZ 0x8000u

/* Resets the FPU/SIMD state as at power-on (MXCSR 0x1F80, FNINIT state, XMM zero). */
struct cpu;
void fpu_reset(struct cpu *cpu);
/* The x87 state FNINIT leaves (cpu/x87_ctl.c): FCW 0x037F, FSW 0, every tag empty,
   FOP and the instruction and data pointers 0; the data registers keep their values. */
void fpu_x87_fninit(struct cpu_fpu *f);

/* Descriptor of an SSE/MMX instruction for helper_sse (built by tr_sse.c). Operand
   kinds: */
enum { SSE_K_NONE, SSE_K_XMM, SSE_K_MMX, SSE_K_GPR, SSE_K_MEM, SSE_K_IMM };
#define SSE_DESC_OPND(kind, reg, lg) ((uint64_t)(kind) | (uint64_t)(reg) << 3 | (uint64_t)(lg) << 7)
#define SSE_DESC(op, imm, o0, o1, o2) \
    ((uint64_t)(op) | (uint64_t)((imm) & 0xff) << 16 | (o0) << 24 | (o1) << 36 | (o2) << 48)
#define SSE_DESC_KIND(d, i) ((unsigned)((d) >> (24 + 12 * (i))) & 7u)
#define SSE_DESC_REG(d, i) ((unsigned)((d) >> (27 + 12 * (i))) & 15u)
#define SSE_DESC_LG(d, i) ((unsigned)((d) >> (31 + 12 * (i))) & 7u)

/* sse(desc, addr, 0, 0): executes one MMX/SSE instruction (desc as above, addr the
   linear address of its memory operand). Checks CR0.EM/TS and CR4.OSFXSR (#UD/#NM),
   alignment (#GP(0)) and raises #XM/#UD for unmasked SIMD FP exceptions. Returns the
   new arithmetic EFLAGS for (U)COMIS*, PTEST and PCMP*STR*, else 0. */
extern const struct ir_helper helper_sse;
/* fxsave/fxrstor/ldmxcsr/stmxcsr(kind, addr): kind 0..3; also x87 control ops. */
extern const struct ir_helper helper_fpctl;

/* XSAVE family (cpu/xsave.c): xsave(kind, addr) with kind an XS_* value (plus
   XS_REXW / XS_LONG), EDX:EAX / ECX read from the registers. XGETBV writes EDX:EAX. */
extern const struct ir_helper helper_xsave;
enum { XS_XSAVE, XS_XSAVEOPT, XS_XSAVEC, XS_XRSTOR, XS_XGETBV, XS_XSETBV };
#define XS_REXW 0x100u
#define XS_LONG 0x200u
/* State components kiln's XSAVE manages (the XCR0 bits that may be set). */
#define XCR0_SUPPORTED 0x3ull
/* Size of the XSAVE area for those components: legacy region + header. */
#define XSAVE_AREA_SIZE 576u

/* The x87 part of an FXSAVE/XSAVE image: bytes 0..23 and 32..159 of b (64-bit
   FIP/FDP when rexw, else 32-bit offsets with FCS/FDS). Load recomputes the full
   tag word from the abridged one. */
void fpu_x87_save_image(const struct cpu *cpu, uint8_t *b, bool rexw);
void fpu_x87_load_image(struct cpu *cpu, const uint8_t *b, bool rexw);
/* The n-byte little-endian field at offset off of a save image (FXSAVE/XSAVE area):
   stores v there; reads it. */
static inline void fpu_image_put(uint8_t *b, unsigned off, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        b[off + i] = (uint8_t)(v >> (8 * i));
}
static inline uint64_t fpu_image_get(const uint8_t *b, unsigned off, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)b[off + i] << (8 * i);
    return v;
}

/* Internal (sse_*.c): executes the op of desc on the already-read operands. d is the
   destination (in/out), s the source, returns false for ops not implemented there. */
struct cpu;
bool sse_int_op(struct cpu *cpu, unsigned op, sse_reg *d, const sse_reg *s, unsigned imm,
                unsigned width);
bool sse_fp_op(struct cpu *cpu, unsigned op, sse_reg *d, const sse_reg *s, unsigned imm,
               uint64_t *flags_out);
/* CVTSI2SS/SD (into d's low lane from the isz-byte integer in s) and CVT(T)SS/SD2SI
   (*ival = the isz-byte integer of s's low lane). */
bool sse_fp_cvt_gpr(struct cpu *cpu, unsigned op, sse_reg *d, const sse_reg *s, unsigned isz,
                    uint64_t *ival);
/* PCMPxSTRx: A = a (register), B = b; writes ECX or XMM0, returns the flags. */
uint64_t sse_pcmpstr(struct cpu *cpu, unsigned op, const sse_reg *a, const sse_reg *b, unsigned imm,
                     bool rexw);
#define SSE_DESC_REXW (1ull << 60)
/* crc32(crc, value, size): CRC-32C (pure). */
extern const struct ir_helper helper_crc32;
/* Raises the pending SIMD FP exception flags (MXCSR updated; #XM/#UD if unmasked). */
void sse_fp_raise(struct cpu *cpu, unsigned flags);

#endif
