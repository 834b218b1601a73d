/* SPDX-License-Identifier: MIT */
/* tr_ifconv.c: a Jcc over a few register-only ALU instructions becomes conditional moves (no branch). */
#include <stdlib.h>
#include <string.h>
#include "cpu/tr.h"

/*
 * `jcc T; R1; T:` (a skip) and `jcc T; R1; jmp J; T: R2; [jmp J]; J:` (a
 * diamond), R1 and R2 of at most TR_IFC_MAX instructions that only compute on
 * registers and flags (no memory, no fault, no helper with side effects), are
 * translated without a branch: the Jcc computes its condition into `taken`,
 * the block goes on translating R1 (then R2, skipping the JMPs), and at the end
 * of each region (tr_ifconv_step) its writes of globals are redirected into
 * locals; then every global either wrote is committed with
 * `g = taken ? R2's (or g) : R1's (or g)` (MOVCOND). The block was charged for
 * both regions and both JMPs; the side not run is given back to the budget.
 * CF after the regions is computed on both sides when their cc_ops are known
 * (tr_cf_known), so an INC/DEC right after needs no helper. A data-dependent
 * Jcc over an INC (branchy's `test edx, 4; jnz .next; inc ecx`) or choosing
 * between two ADDs then costs no misprediction, and the block goes on instead
 * of ending. If a region turns out not to qualify after all (the checks before
 * translating it are meant to rule that out), it stays behind real branches.
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

/* Decodes a region from eip: convertible instructions up to stop_at (true),
   or up to a direct JMP (*jmp_at, its target in *jmp_to). */
static bool scan_region(struct tr *s, uint64_t eip, uint64_t stop_at, unsigned *n, uint64_t *jmp_at,
                        uint64_t *jmp_to, uint64_t *jmp_end)
{
    bool cc_known = s->cc_op != CC_OP_DYNAMIC;
    *n = 0;
    *jmp_at = 0;
    for (unsigned bytes = 0; eip != stop_at; ) {
        struct x86_insn in;
        if (*n > TR_IFC_MAX || bytes > 32 || tr_fetch_decode(s, eip, &in) != X86_DECODE_OK)
            return false;
        if (in.op == X86_OP_JMP && in.nops >= 1 && in.ops[0].kind == X86_OPK_REL) {
            *jmp_at = eip;
            *jmp_end = eip + in.len;
            *jmp_to = (eip + in.len + (uint64_t)in.ops[0].imm) & tr_eip_mask(s, in.opsize);
            return *n <= TR_IFC_MAX;
        }
        if (*n == TR_IFC_MAX || !region_insn_ok(&in, &cc_known))
            return false;
        eip += in.len;
        bytes += in.len;
        (*n)++;
    }
    return true;
}

static bool on_page(const struct tr *s, uint64_t eip)
{
    uint64_t lin = s->cs_base + eip;
    if (s->mode != X86_MODE_64)
        lin &= 0xffffffffu;
    return (lin & TLB_PAGE_MASK) == s->page;
}

/* A NOP that tr_ifconv_step may turn into a branch over what follows. */
static unsigned placeholder(struct tr *s)
{
    unsigned i = s->b->nops;
    ir_emit(s->b, IR_NOP, 64, IR_NONE, IR_NONE, IR_NONE, 0);
    return i;
}

bool tr_ifconv_begin(struct tr *s, uint64_t target)
{
    if (s->single || s->ifc_active || (s->cpu->nbp | s->cpu->dbg.exec_mask) != 0 ||
        target <= s->next_eip || target - s->next_eip > 40 || s->b->nops > 1000 || !on_page(s, target))
        return false;
    unsigned n1, n2 = 0;
    uint64_t jmp1, join = 0, jmp2 = 0, end1 = 0, end2 = 0;
    if (!scan_region(s, s->next_eip, target, &n1, &jmp1, &join, &end1) || (jmp1 && end1 != target))
        return false;
    if (jmp1) {
        /* `jcc T; R1; jmp J; T: R2; [jmp J]; ... J:` */
        uint64_t to2 = 0;
        if (!on_page(s, join) || s->follows + 2 > TR_MAX_FOLLOWS)
            return false;
        if (!scan_region(s, target, join > target ? join : (uint64_t)-1, &n2, &jmp2, &to2, &end2) ||
            (jmp2 && to2 != join) || (!jmp2 && join <= target))
            return false;
    }
    if (n1 + n2 + 4 > s->insn_room || (!jmp1 && n1 == 0))
        return false;
    s->ifc_taken = tr_cond(s, s->in->cc);
    s->ifc_active = true;
    s->ifc_diamond = jmp1 != 0;
    s->ifc_phase = 1;
    s->ifc_target = target;
    s->ifc_join = join;
    s->ifc_jmp2 = jmp2;
    s->ifc_stop = jmp1 ? jmp1 : target;
    s->ifc_n = n1;
    s->ifc_n2 = n2;
    s->ifc_cc_op = s->cc_op;
    s->ifc_fallback = false;
    s->ifc_br = placeholder(s);
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

static bool region_ok(const struct tr *s, unsigned from)
{
    if (s->b->oom)
        return false;
    for (unsigned i = from; i < s->b->nops; i++)
        if (!region_op_ok(s->b, &s->b->ops[i]))
            return false;
    return true;
}

/* Redirects the writes of globals by ops [from, end) to locals (map[g], made
   as needed), and their later reads to those. */
static void redirect(struct tr *s, unsigned from, unsigned end, ir_temp *map)
{
    struct ir_block *b = s->b;
    unsigned ng = b->ctx->nglobals;
    for (unsigned i = from; i < end; i++) {
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
}

/* CF of the region's final flags into a new temp (before redirect, so it reads
   the region's values), or IR_NONE. */
static ir_temp region_cf(struct tr *s)
{
    if (s->cc_op == CC_OP_DYNAMIC || !tr_cf_inline_ok(s->cc_op))
        return IR_NONE;
    ir_temp t = tr_tmp(s);
    tr_cf_inline(s, s->cc_op, t);
    return t;
}

static void turn_into_branch(struct tr *s, unsigned at, enum ir_cond cond, unsigned label)
{
    struct ir_op *br = &s->b->ops[at];
    br->opc = IR_BRCOND;
    br->width = 64;
    br->cond = (uint8_t)cond;
    br->args[0] = s->ifc_taken;
    br->args[1] = tr_const(s, 0);
    br->aux = label;
}

/* Both regions done (or the one of a skip): commit, refund, flags state. */
static void commit(struct tr *s, ir_temp *map1, ir_temp *map2, unsigned cc1, unsigned cc2,
                   ir_temp cf1, ir_temp cf2)
{
    struct ir_block *b = s->b;
    unsigned ng = b->ctx->nglobals;
    /* taken: region 2 (a skip: nothing), else region 1 */
    for (ir_temp g = 1; g <= ng; g++) {
        ir_temp v1 = map1 && map1[g] ? map1[g] : g, v2 = map2 && map2[g] ? map2[g] : g;
        if (v1 != v2)
            ir_movcond(b, b->temps[g].width, IR_NE, g, s->ifc_taken, tr_const(s, 0), v2, v1);
    }
    if (cc1 != cc2 && cf1 != IR_NONE && cf2 != IR_NONE) {
        ir_temp cf = tr_tmp(s);
        ir_movcond(b, 64, IR_NE, cf, s->ifc_taken, tr_const(s, 0), cf2, cf1);
        s->cf_temp = cf;
        s->cf_at = b->nops;
    }
    s->cc_op = cc1 == cc2 ? cc1 : CC_OP_DYNAMIC;
}

/* The budget was charged for every instruction of both regions (and the
   JMPs): give back what the path not run would have cost. */
static void refund(struct tr *s)
{
    struct ir_block *b = s->b;
    /* skip: taken runs none of region 1; diamond: taken skips region 1 and its
       JMP, not taken skips region 2 and its JMP (if any) */
    uint64_t if_taken = s->ifc_n + (s->ifc_diamond ? 1 : 0);
    uint64_t if_not = s->ifc_diamond ? s->ifc_n2 + (s->ifc_jmp2 ? 1 : 0) : 0;
    if (if_taken == if_not) {
        /* both sides run as many instructions: charge the block that much less */
        s->icount_extra -= (int)if_taken;
        return;
    }
    ir_temp ic = tr_tmp(s), back = tr_tmp(s), ic2 = tr_tmp(s);
    ir_ld_env(b, 64, ic, (int32_t)offsetof(struct cpu, icount_left));
    if (if_taken == 1 && if_not == 0)
        ir_mov(b, 64, back, s->ifc_taken);  /* taken is 0 or 1 */
    else
        ir_movcond(b, 64, IR_NE, back, s->ifc_taken, tr_const(s, 0), tr_const(s, if_taken),
                   tr_const(s, if_not));
    ir_binop(b, IR_ADD, 64, ic2, ic, back);
    ir_st_env(b, 64, ic2, (int32_t)offsetof(struct cpu, icount_left));
}

void tr_ifconv_step(struct tr *s)
{
    struct ir_block *b = s->b;
    unsigned ng = b->ctx->nglobals;
    if (s->ifc_phase == 1) {
        ir_temp cf1 = IR_NONE;
        if (!s->ifc_fallback && region_ok(s, s->ifc_start)) {
            cf1 = region_cf(s);
            s->ifc_map1 = calloc(ng + 1, sizeof(ir_temp));
        }
        if (!s->ifc_map1) {
            /* keep the region(s) behind branches: exact, only not branch-free */
            s->ifc_fallback = true;
            s->ifc_label_t = ir_label_new(b);
            turn_into_branch(s, s->ifc_br, IR_NE, s->ifc_label_t);
        } else {
            redirect(s, s->ifc_start, b->nops, s->ifc_map1);
        }
        s->ifc_cf1 = cf1;
        s->ifc_cc1 = s->cc_op;
        if (s->ifc_diamond) {
            /* region 2 next: skip the JMP (counted), from the state before region 1 */
            s->icount_extra++;
            if (s->ifc_fallback) {
                s->ifc_label_j = ir_label_new(b);
                ir_br(b, s->ifc_label_j);
                ir_label(b, s->ifc_label_t);
            }
            s->cc_op = s->ifc_cc_op;
            s->cc_src_set = s->cc_src2_set = true;
            tr_follow(s, s->ifc_target);
            s->ifc_phase = 2;
            s->ifc_stop = s->ifc_jmp2 ? s->ifc_jmp2 : s->ifc_join;
            s->ifc_br2 = placeholder(s);
            s->ifc_start = b->nops;
            if (s->next_eip == s->ifc_stop) /* region 2 is only its JMP */
                tr_ifconv_step(s);
            return;
        }
        if (s->ifc_fallback)
            ir_label(b, s->ifc_label_t);
        else {
            ir_temp cf_pre = IR_NONE; /* taken: the flags from before, still in the globals */
            if (s->ifc_cc_op != CC_OP_DYNAMIC && tr_cf_inline_ok(s->ifc_cc_op)) {
                cf_pre = tr_tmp(s);
                tr_cf_inline(s, s->ifc_cc_op, cf_pre);
            }
            commit(s, s->ifc_map1, NULL, s->ifc_cc1, s->ifc_cc_op, s->ifc_cf1, cf_pre);
        }
    } else {
        ir_temp *map2 = NULL, cf2 = IR_NONE;
        unsigned cc2 = s->cc_op;
        if (s->ifc_jmp2) {
            s->icount_extra++;
            tr_follow(s, s->ifc_join);
        }
        if (s->ifc_fallback) {
            ir_label(b, s->ifc_label_j);
        } else if (region_ok(s, s->ifc_start) && (map2 = calloc(ng + 1, sizeof(ir_temp))) != NULL) {
            cf2 = region_cf(s);
            redirect(s, s->ifc_start, b->nops, map2);
            commit(s, s->ifc_map1, map2, s->ifc_cc1, cc2, s->ifc_cf1, cf2);
        } else {
            /* region 2 stays as it is, run only when taken; region 1 commits when not */
            unsigned skip = ir_label_new(b);
            turn_into_branch(s, s->ifc_br2, IR_EQ, skip);
            ir_label(b, skip);
            for (ir_temp g = 1; g <= ng; g++)
                if (s->ifc_map1[g])
                    ir_movcond(b, b->temps[g].width, IR_NE, g, s->ifc_taken, tr_const(s, 0), g,
                               s->ifc_map1[g]);
            s->cc_op = CC_OP_DYNAMIC;
        }
        free(map2);
    }
    free(s->ifc_map1);
    s->ifc_map1 = NULL;
    s->ifc_active = false;
    if (s->ifc_fallback)
        s->cc_op = CC_OP_DYNAMIC;
    refund(s);
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
