/* SPDX-License-Identifier: MIT */
/* tr_io.c: IN and OUT (port I/O through cpu_mem_ops). INS/OUTS are string ops (tr_string.c). */
#include "cpu/tr.h"
#include "cpu/helpers.h"

bool tr_io(struct tr *s)
{
    const struct x86_insn *in = s->in;
    bool out = in->op == X86_OP_OUT;
    const struct x86_operand *reg = &in->ops[out ? 1 : 0], *port = &in->ops[out ? 0 : 1];
    unsigned sz = reg->size;
    ir_temp p = port->kind == X86_OPK_IMM ? tr_const(s, (uint64_t)port->imm & 0xff)
                                          : tr_get_gpr(s, X86_RDX, 2);
    if (out) {
        tr_call(s, &helper_io, IR_NONE, tr_const(s, sz | IO_OUT), p, tr_get_gpr(s, X86_RAX, sz), IR_NONE);
    } else {
        ir_temp v = tr_tmp(s);
        tr_call(s, &helper_io, v, tr_const(s, sz), p, tr_const(s, 0), IR_NONE);
        tr_set_gpr(s, X86_RAX, sz, v);
    }
    return true;
}
