/* SPDX-License-Identifier: MIT */
/* sse_fp.c: SSE/SSE2 floating-point operations (scalar and packed). */
#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/sse.h"

bool sse_misc_op(struct cpu *cpu, unsigned op, sse_reg *d, const sse_reg *s, unsigned imm,
                 uint64_t *flags);

bool sse_fp_op(struct cpu *cpu, unsigned op, sse_reg *d, const sse_reg *s, unsigned imm,
               uint64_t *flags_out)
{
    return sse_misc_op(cpu, op, d, s, imm, flags_out);
}
