/* SPDX-License-Identifier: MIT */
/* tr_ifconv.c: a Jcc over a few register-only ALU instructions becomes conditional moves (no branch). */
#include <stdlib.h>
#include <string.h>
#include "cpu/tr.h"

/*
 * `jcc T; insn1; ...; insnN; T:` with N <= TR_IFC_MAX instructions that only
 * compute on registers and flags (no memory, no fault, no helper with side
 * effects) is translated without a branch: the Jcc computes its condition
 * into `taken`, the block goes on translating insn1..insnN, and when it reaches
 * T (tr_ifconv_finish) their writes of globals are redirected into locals and
 * committed with `g = taken ? g : local` (MOVCOND). The instructions were
 * charged to the budget with the block; when the branch is taken they did not
 * run, so `taken * N` is given back. A data-dependent Jcc over an INC (branchy's
 * `test edx, 4; jnz .next; inc ecx`) then costs no misprediction, and the
 * block goes on after T instead of ending.
 *
 * Guest state stays exact at every point something can observe it: nothing
 * in the region can fault or leave, the block's exits come after the commit,
 * and the instruction count is corrected before anything reads it.
 */

/* May insn be in a converted region? (cc_known: the flags' cc_op is known
   to the translator before it; updated.) */
static bool region_insn_ok(const struct x86_insn *in, bool *cc_known)
{
    if (in->lock || in->rep)
        return false;
    switch (in->op) {
    case X86_OP_ADD: case X86_OP_SUB: case X86_OP_AND: case X86_OP_OR: case X86_OP_XOR:
    case X86_OP_CMP: case X86_OP_TEST: case X86_OP_NEG: case X86_OP_NOT: case X86_OP_MOV:
    case X86_OP_MOVZX: case X86_OP_MOVSX: case X86_OP_MOVSXD:
        break;
    case X86_OP_INC: case X86_OP_DEC:
        if (!*cc_known) /* CF from an unknown cc_op takes a guarded branch */
            return false;
        break;
    case X86_OP_SHL: case X86_OP_SAL: case X86_OP_SHR: case X86_OP_SAR:
        if (in->map != X86_MAP_1BYTE || in->opcode == 0xd2 || in->opcode == 0xd3)
            return false; /* by CL: a branch for count 0 */
        break;
    default:
        return false;
    }
    for (unsigned i = 0; i < in->nops && i < 4; i++) {
        const struct x86_operand *o = &in->ops[i];
        if (o->kind == X86_OPK_IMM)
            continue;
        if (o->kind != X86_OPK_REG || (o->regclass != X86_RC_GPR && o->regclass != X86_RC_GPR8_HIGH))
            return false;
    }
    if (in->op != X86_OP_MOV && in->op != X86_OP_MOVZX && in->op != X86_OP_MOVSX &&
        in->op != X86_OP_MOVSXD && in->op != X86_OP_NOT)
        *cc_known = true;
    return true;
}

bool tr_ifconv_begin(struct tr *s, uint64_t target)
{
    if (s->single || s->ifc_active || (s->cpu->nbp | s->cpu->dbg.exec_mask) != 0 ||
        target <= s->next_eip || target - s->next_eip > 24 || s->b->nops > 1000)
        return false;
    uint64_t lin = s->cs_base + target;
    if (s->mode != X86_MODE_64)
        lin &= 0xffffffffu;
    if ((lin & TLB_PAGE_MASK) != s->page)
        return false;
    /* decode the region: it must end exactly at the target */
    uint64_t eip = s->next_eip;
    unsigned n = 0;
    bool cc_known = s->cc_op != CC_OP_DYNAMIC;
    while (eip < target) {
        struct x86_insn in;
        if (n >= TR_IFC_MAX || n + 2 > s->insn_room || tr_fetch_decode(s, eip, &in) != X86_DECODE_OK ||
            !region_insn_ok(&in, &cc_known))
            return false;
        eip += in.len;
        n++;
    }
    if (eip != target)
        return false;
    s->ifc_taken = tr_cond(s, s->in->cc);
    s->ifc_active = true;
    s->ifc_end = target;
    s->ifc_n = n;
    s->ifc_cc_op = s->cc_op;
    /* a branch over the region if it must be kept after all (tr_ifconv_finish) */
    s->ifc_br = s->b->nops;
    ir_emit(s->b, IR_NOP, 64, IR_NONE, IR_NONE, IR_NONE, 0);
    s->ifc_start = s->b->nops;
    return true;
}

/* May op stay in a converted region? */
static bool region_op_ok(const struct ir_block *b, const struct ir_op *op)
{
    if (op->opc == IR_NOP || op->opc == IR_INSN_START || op->opc == IR_LD_ENV)
        return true;
    if (op->opc == IR_CALL) {
        const struct ir_helper *h = (const struct ir_helper *)(uintptr_t)op->aux;
        return h && (h->flags & IR_HELPER_PURE);
    }
    if (op->opc < IR_MOV || op->opc > IR_MOVCOND)
        return false;
    ir_temp d = op->args[0];
    /* a wide op into a narrow global keeps only the global's bits: not modelled */
    return d == IR_NONE || d > b->ctx->nglobals || op->width <= b->temps[d].width;
}

static bool cf_known_kind(unsigned op)
{
    return op != CC_OP_DYNAMIC && tr_cf_inline_ok(op);
}

void tr_ifconv_finish(struct tr *s)
{
    struct ir_block *b = s->b;
    unsigned ng = b->ctx->nglobals, end = b->nops;
    bool ok = !b->oom;
    for (unsigned i = s->ifc_start; i < end && ok; i++)
        ok = region_op_ok(b, &b->ops[i]);
    ir_temp *map = ok ? calloc(ng + 1, sizeof(*map)) : NULL;
    s->ifc_active = false;
    if (!map) {
        /* keep the region behind a branch: exact, only not branch-free */
        unsigned skip = ir_label_new(b);
        struct ir_op *br = &b->ops[s->ifc_br];
        br->opc = IR_BRCOND;
        br->width = 64;
        br->cond = IR_NE;
        br->args[0] = s->ifc_taken;
        br->args[1] = tr_const(s, 0);
        br->aux = skip;
        ir_label(b, skip);
    } else {
        /* CF after the region, for INC/DEC/ADC/SBB right after it: both sides known */
        ir_temp cf_reg = IR_NONE;
        bool cf_both = cf_known_kind(s->ifc_cc_op) && cf_known_kind(s->cc_op) && s->ifc_cc_op != s->cc_op;
        if (cf_both) {
            cf_reg = tr_tmp(s);
            tr_cf_inline(s, s->cc_op, cf_reg);
            end = b->nops;
        }
        for (unsigned i = s->ifc_start; i < end; i++) {
            struct ir_op *op = &b->ops[i];
            const struct ir_op_def *def = &ir_op_defs[op->opc];
            for (unsigned k = def->nout; k < (unsigned)def->nout + def->nin; k++) {
                ir_temp t = op->args[k];
                if (t >= 1 && t <= ng && map[t])
                    op->args[k] = map[t];
            }
            ir_temp d = def->nout ? op->args[0] : IR_NONE;
            if (d >= 1 && d <= ng) {
                if (!map[d])
                    map[d] = tr_tmp(s);
                op->args[0] = map[d];
            }
        }
        ir_temp cf = IR_NONE;
        if (cf_both) {
            ir_temp cf_pre = tr_tmp(s);
            tr_cf_inline(s, s->ifc_cc_op, cf_pre); /* the globals still hold the state before */
            cf = tr_tmp(s);
            ir_movcond(b, 64, IR_NE, cf, s->ifc_taken, tr_const(s, 0), cf_pre, cf_reg);
        }
        for (ir_temp g = 1; g <= ng; g++)
            if (map[g])
                ir_movcond(b, b->temps[g].width, IR_NE, g, s->ifc_taken, tr_const(s, 0), g, map[g]);
        free(map);
        if (cf != IR_NONE) {
            s->cf_temp = cf;
            s->cf_at = b->nops;
        }
    }
    /* the region's instructions were charged with the block: give them back if skipped */
    ir_temp ic = tr_tmp(s), back = tr_tmp(s), ic2 = tr_tmp(s);
    ir_ld_env(b, 64, ic, (int32_t)offsetof(struct cpu, icount_left));
    ir_binop(b, IR_MUL, 64, back, s->ifc_taken, tr_const(s, s->ifc_n));
    ir_binop(b, IR_ADD, 64, ic2, ic, back);
    ir_st_env(b, 64, ic2, (int32_t)offsetof(struct cpu, icount_left));
    if (s->cc_op != s->ifc_cc_op)
        s->cc_op = CC_OP_DYNAMIC;
    s->cc_src_set = s->cc_src2_set = true;
}

ir_temp tr_cf_known(struct tr *s)
{
    if (s->cf_temp == IR_NONE)
        return IR_NONE;
    /* still the flags it was computed for: no write of the lazy state, no call
       that may change env, no label (another path) since */
    for (unsigned i = s->cf_at; i < s->b->nops; i++) {
        const struct ir_op *op = &s->b->ops[i];
        const struct ir_op_def *def = &ir_op_defs[op->opc];
        bool bad = op->opc == IR_LABEL;
        if (op->opc == IR_CALL) {
            const struct ir_helper *h = (const struct ir_helper *)(uintptr_t)op->aux;
            bad = !h || !(h->flags & IR_HELPER_NO_ENV);
        }
        if (def->nout && (op->args[0] == CPU_T_CC_OP || op->args[0] == CPU_T_CC_DST ||
                          op->args[0] == CPU_T_CC_SRC || op->args[0] == CPU_T_CC_SRC2))
            bad = true;
        if (bad) {
            s->cf_temp = IR_NONE;
            return IR_NONE;
        }
    }
    return s->cf_temp;
}
