/* SPDX-License-Identifier: MIT */
/* flags.h: lazy x86 condition codes (cc_op + cc_dst/cc_src/cc_src2). */
#ifndef KILN_CPU_FLAGS_H
#define KILN_CPU_FLAGS_H

#include <stdint.h>
#include "translate/ir.h"

/*
 * The six arithmetic flags live lazily in four env fields: cc_op says which
 * operation last set them (and at which size: cc_op = kind + log2(bytes)),
 * cc_dst/cc_src/cc_src2 hold what is needed to compute them on demand:
 *
 *   kind         cc_dst   cc_src            cc_src2
 *   EFLAGS       -        the flags bits    -            (op = CC_OP_EFLAGS exactly)
 *   ADD          result   second operand    first operand
 *   ADC          result   second operand    carry in (0/1)
 *   SUB (CMP)    result   second operand    first operand (NEG: 0)
 *   SBB          result   second operand    borrow in (0/1)
 *   LOGIC        result   -                 -            (CF=OF=AF=0)
 *   INC / DEC    result   -                 old CF (0/1)
 *   SHL          result   last bit out (CF) -            OF = MSB(result) ^ CF
 *   SHR          result   last bit out (CF) pre-last   OF = MSB(value before the last 1-bit step)
 *   SAR          result   last bit out (CF) -            OF = 0
 *   MUL          low half overflow (!=0: CF=OF=1) old flags (SF ZF AF PF kept)
 *   BMI          result   CF (0/1)          -            OF = 0 (ANDN BLSx BZHI)
 *   BEXTR        result   -                 -            CF = OF = SF = 0, AF = 1
 *
 * PF/ZF/SF come from the result at the op's size; AF is (a ^ b ^ result) bit 4
 * for the arithmetic kinds, 1 for shifts and 0 for the others. Undefined flags
 * follow the AMD host the tests compare with (docs/CPU.md).
 */
enum cc_op {
    CC_OP_EFLAGS = 0,
    CC_OP_ADD = 4, CC_OP_ADC = 8, CC_OP_SUB = 12, CC_OP_SBB = 16,
    CC_OP_LOGIC = 20, CC_OP_INC = 24, CC_OP_DEC = 28,
    CC_OP_SHL = 32, CC_OP_SHR = 36, CC_OP_SAR = 40,
    CC_OP_MUL = 44, CC_OP_BMI = 48, CC_OP_BEXTR = 52,
    CC_OP_NUM = 56,
    CC_OP_DYNAMIC = 0xff, /* translator only: not known at translation time */
};
#define CC_KIND(op) ((op) & ~3u)
#define CC_SIZELOG(op) ((op) & 3u)

/* The six flags (EFLAGS bit positions) for a lazy state. */
uint64_t cc_compute_all(unsigned cc_op, uint64_t dst, uint64_t src, uint64_t src2);
/* CF alone (0/1). */
uint64_t cc_compute_cf(unsigned cc_op, uint64_t dst, uint64_t src, uint64_t src2);
/* Evaluates condition tttn (0..15, SDM order O NO B AE E NE BE A S NS P NP L GE LE G)
   on EFLAGS bits: 0 or 1. */
int cc_eval(unsigned cond, uint64_t eflags);
/* The parity flag of the low byte (CPU_PF or 0). */
uint64_t cc_parity(uint64_t v);

/* IR helpers (pure): cc_all(cc_op, dst, src, src2) -> flags; cc_cf(...) -> CF;
   cc_cond(eflags, cond) -> 0/1. */
extern const struct ir_helper cc_helper_all, cc_helper_cf, cc_helper_cond;

#endif
