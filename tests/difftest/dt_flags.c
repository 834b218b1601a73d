/* SPDX-License-Identifier: MIT */
/* dt_flags.c: the one table of architecturally undefined flags per class (see docs/DIFFTEST.md). */
#include "tests/difftest/dt.h"

/*
 * For each class: the flags its instructions may leave undefined (SDM / APM), as the
 * generator computes them per instruction (e.g. a shift's OF only for counts > 1).
 * Flags listed here are left out of the comparison after such an instruction (and the
 * generator puts a flag-defining CMP before any later reader of them). Where kiln
 * claims to produce exactly what the host CPU does, set `claims` to the flags it
 * matches: they are compared again.
 */
static const struct {
    uint16_t undef;
    uint16_t claims;
} table[DT_C_COUNT] = {
    [DT_C_ALU]     = { DT_AF, 0 },                                  /* AND OR XOR */
    [DT_C_TEST]    = { DT_AF, 0 },
    [DT_C_MUL]     = { DT_SF | DT_ZF | DT_AF | DT_PF, 0 },
    [DT_C_IMUL]    = { DT_SF | DT_ZF | DT_AF | DT_PF, 0 },
    [DT_C_DIV]     = { DT_ARITH, 0 },
    [DT_C_SHIFT]   = { DT_OF | DT_AF | DT_CF, 0 },  /* OF count>1, AF count!=0, CF count>=width (8/16) */
    [DT_C_SHXD]    = { DT_OF | DT_AF, 0 },
    [DT_C_BT]      = { DT_OF | DT_SF | DT_ZF | DT_AF | DT_PF, 0 },  /* AMD: ZF undefined too */
    [DT_C_BITSCAN] = { DT_CF | DT_OF | DT_SF | DT_AF | DT_PF, 0 },  /* BSF/BSR; LZCNT/TZCNT: not CF */
    [DT_C_BMI1]    = { DT_AF | DT_PF | DT_SF, 0 },                  /* SF only for BEXTR */
    [DT_C_BMI2]    = { DT_AF | DT_PF, 0 },                          /* BZHI */
    [DT_C_RLOOP]   = { DT_ARITH, 0 },                               /* its DIV/IDIV item */
};

static bool strict;

void dt_undef_strict(bool on)
{
    strict = on;
}

uint16_t dt_undef_mask(int cls)
{
    if (strict)
        return 0;
    if (cls < 0 || cls >= DT_C_COUNT)
        return DT_ARITH;
    return table[cls].undef & (uint16_t)~table[cls].claims;
}
