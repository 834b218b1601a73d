/* SPDX-License-Identifier: MIT */
/* x86_64_fuse.c: short op sequences the JIT compiles as one host instruction (budget charge, scaled LEA). */
#include "config.h"
#if KILN_HOST_X86_64 && defined(__x86_64__)

#include "translate/x86_64_int.h"

/* A local whose last use is at op index `at` or earlier. */
static bool local_dead_after(struct jit *j, ir_temp a, unsigned at)
{
    const struct jtemp *t = &j->t[a];
    return t->kind == IR_TEMP_LOCAL && t->last <= (int32_t)at;
}

/*
 * A counter in env decremented by a constant, branching when it goes negative
 * (the x86 front end's budget charge at every block start):
 *     ld_env.64 t, [off]; sub.64 t2, t, $n; st_env.64 t2, [off]; brcond.64.lt t2, $0, L
 * with t and t2 used nowhere else becomes `sub qword [rbp + off], n; js L`
 * (js tests the sign of the wrapped difference, exactly the IR's t2 < 0; emitted
 * by x86_64.c gen_counter_dec). True on a match, with n and the env offset.
 */
bool jit_counter_match(struct jit *j, unsigned i, uint64_t *np, int32_t *off)
{
    const struct ir_block *b = j->b;
    if (i + 3 >= b->nops)
        return false;
    const struct ir_op *ld = &b->ops[i], *sub = ld + 1, *st = ld + 2, *br = ld + 3;
    if (ld->opc != IR_LD_ENV || sub->opc != IR_SUB || st->opc != IR_ST_ENV || br->opc != IR_BRCOND ||
        ld->width != 64 || sub->width != 64 || st->width != 64 || br->width != 64 ||
        st->aux != ld->aux || br->cond != IR_LT)
        return false;
    ir_temp t = ld->args[0], t2 = sub->args[0];
    if (sub->args[1] != t || st->args[0] != t2 || br->args[0] != t2 || t == t2 ||
        j->t[sub->args[2]].kind != IR_TEMP_CONST || j->t[br->args[1]].kind != IR_TEMP_CONST ||
        j->t[br->args[1]].val != 0 || !local_dead_after(j, t, i + 1) || !local_dead_after(j, t2, i + 3))
        return false;
    *np = j->t[sub->args[2]].val;
    *off = (int32_t)(uint32_t)ld->aux;
    return x_fits32((int64_t)*np);
}

/*
 * x86 address arithmetic (`lea rax, [rax + rdx*2 + 1]`) reaches the IR as
 *     shl.64 t, x, $k; add.64 u, y, t; [add.64 v, u, $c]
 * (k 1..3, t and u locals read nowhere else, c an imm32), which is one
 * `lea out, [y + x*2^k + c]`: two instructions and two cycles of latency less
 * than shift, add, add. Outside access-group regions only (their two copies
 * must allocate alike op by op). Returns the number of ops consumed (0: no match).
 */
unsigned gen_fuse_lea(struct jit *j, unsigned i)
{
    const struct ir_block *b = j->b;
    if (j->mode != J_NORMAL || i + 1 >= b->nops)
        return 0;
    const struct ir_op *sh = &b->ops[i], *ad = sh + 1;
    if (sh->opc != IR_SHL || ad->opc != IR_ADD || sh->width != 64 || ad->width != 64 || j->opf[i] ||
        j->opf[i + 1])
        return 0;
    ir_temp t = sh->args[0], x = sh->args[1];
    const struct jtemp *k = &j->t[sh->args[2]];
    if (k->kind != IR_TEMP_CONST || k->val < 1 || k->val > 3 || x == t ||
        j->t[t].kind != IR_TEMP_LOCAL || j->t[t].last != (int32_t)(i + 1))
        return 0;
    ir_temp y;
    if (ad->args[2] == t && ad->args[1] != t)
        y = ad->args[1];
    else if (ad->args[1] == t && ad->args[2] != t)
        y = ad->args[2];
    else
        return 0;
    if (j->t[y].kind == IR_TEMP_CONST)
        return 0;
    ir_temp out = ad->args[0];
    int32_t disp = 0;
    unsigned n = 2;
    if (i + 2 < b->nops) {
        const struct ir_op *a2 = sh + 2;
        const struct jtemp *c = &j->t[a2->args[2]];
        if (a2->opc == IR_ADD && a2->width == 64 && !j->opf[i + 2] && a2->args[1] == out &&
            a2->args[0] != out && j->t[out].kind == IR_TEMP_LOCAL &&
            j->t[out].last == (int32_t)(i + 2) && c->kind == IR_TEMP_CONST && x_fits32((int64_t)c->val)) {
            disp = (int32_t)(uint32_t)c->val;
            out = a2->args[0];
            n = 3;
        }
    }
    /* Inputs as of the ADD that reads them: a register taken for x may evict
       y, which must then be spilled (its last use is that ADD), not dropped. */
    j->cur = i + 1;
    int rx = ra_in(j, x), ry = ra_in(j, y);
    j->cur = i + n - 1;              /* liveness as of the last op */
    int rd = ra_out(j, out, ra_dies(j, y) ? ry : ra_dies(j, x) ? rx : -1);
    x_enc(&j->x, 64, 0x8d, rd, 0, ry, rx, (int)k->val, disp);
    ra_written(j, out, 64);
    return n;
}

#endif
