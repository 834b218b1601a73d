/* SPDX-License-Identifier: MIT */
/* decode.c: x86 instruction decoder driver (prefixes, maps, ModRM/SIB, operands). */
#include <stdio.h>
#include <string.h>
#include "cpu/decode.h"

static const char *const op_names[X86_OP_COUNT] = {
    [X86_OP_INVALID] = "invalid",
#define X(name, str) [X86_OP_##name] = str,
#include "cpu/x86_ops.h"
#undef X
};

const char *x86_op_name(unsigned op)
{
    return op < X86_OP_COUNT ? op_names[op] : "invalid";
}

int x86_decode(const uint8_t *buf, size_t avail, enum x86_mode mode, struct x86_insn *out)
{
    (void)buf; (void)avail; (void)mode;
    memset(out, 0, sizeof(*out));
    out->seg_override = X86_SEG_NONE;
    return X86_DECODE_UD; /* stub: filled in by the next increment */
}

int x86_insn_format(const struct x86_insn *insn, uint64_t ip, char *buf, size_t n)
{
    (void)ip;
    return snprintf(buf, n, "%s", x86_op_name(insn->op));
}
