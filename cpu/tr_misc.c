/* SPDX-License-Identifier: MIT */
/* tr_misc.c: CLC STC CMC CLD STD LAHF SAHF HLT CPUID RDTSC RDRAND RDSEED. */
#include <stddef.h>
#include "cpu/tr.h"
#include "cpu/helpers.h"

bool tr_flagop(struct tr *s)
{
    unsigned op = s->in->op;
    if (op == X86_OP_CLD || op == X86_OP_STD) {
        ir_mov(s->b, 64, CPU_T_DF, tr_const(s, op == X86_OP_CLD ? 1 : ~(uint64_t)0));
        return true;
    }
    ir_temp f = tr_flags(s), g = tr_tmp(s);
    if (op == X86_OP_CLC)
        ir_binop(s->b, IR_AND, 64, g, f, tr_const(s, ~(uint64_t)CPU_CF));
    else if (op == X86_OP_STC)
        ir_binop(s->b, IR_OR, 64, g, f, tr_const(s, CPU_CF));
    else
        ir_binop(s->b, IR_XOR, 64, g, f, tr_const(s, CPU_CF));
    tr_set_flags_val(s, g);
    return true;
}

bool tr_lahf(struct tr *s)
{
    if (s->mode == X86_MODE_64 && 0)
        return false; /* LAHF/SAHF in 64-bit mode: CPUID.80000001H:ECX.LAHF-SAHF (we report it) */
    ir_temp f = tr_flags(s), t = tr_tmp(s);
    ir_binop(s->b, IR_OR, 64, t, f, tr_const(s, 2));
    ir_temp g = CPU_T_GPR(X86_RAX);
    ir_deposit(s->b, 64, g, g, t, 8, 8);
    return true;
}

bool tr_sahf(struct tr *s)
{
    ir_temp ah = tr_tmp(s), f = tr_flags(s), g = tr_tmp(s);
    ir_extract(s->b, 64, ah, CPU_T_GPR(X86_RAX), 8, 8);
    ir_binop(s->b, IR_AND, 64, ah, ah, tr_const(s, CPU_CF | CPU_PF | CPU_AF | CPU_ZF | CPU_SF));
    ir_binop(s->b, IR_AND, 64, g, f, tr_const(s, CPU_OF));
    ir_binop(s->b, IR_OR, 64, g, g, ah);
    tr_set_flags_val(s, g);
    return true;
}

bool tr_hlt(struct tr *s)
{
    if (s->hflags & HF_CPL_MASK) {
        tr_raise(s, EXC_GP, 0, true);
        return true;
    }
    tr_set_rip(s, s->next_eip);
    tr_exit(s, CPU_EXIT_HLT);
    return true;
}

bool tr_cpuid(struct tr *s)
{
    tr_call(s, &helper_cpuid, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    return true;
}

bool tr_rdtsc(struct tr *s)
{
    tr_call(s, &helper_rdtsc, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    return true;
}

/* RDRAND/RDSEED r16/32/64: a random value, CF = 1 (always available), the other
   arithmetic flags 0. */
bool tr_rdrand(struct tr *s)
{
    const struct x86_operand *r = &s->in->ops[0];
    if (r->kind != X86_OPK_REG)
        return false;
    ir_temp v = tr_tmp(s);
    tr_call(s, &helper_rdrand, v, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    tr_set_gpr(s, r->reg, r->size, v);
    tr_set_flags_val(s, tr_const(s, CPU_CF));
    return true;
}
