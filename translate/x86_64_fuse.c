/* SPDX-License-Identifier: MIT */
/* x86_64_fuse.c: short op sequences the JIT compiles as one host instruction (scaled-index LEA). */
#include "config.h"
#if KILN_HOST_X86_64 && defined(__x86_64__)

#include "translate/x86_64_int.h"

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
    j->cur = i + n - 1;              /* liveness as of the last op */
    int rx = ra_in(j, x), ry = ra_in(j, y);
    int rd = ra_out(j, out, ra_dies(j, y) ? ry : ra_dies(j, x) ? rx : -1);
    x_enc(&j->x, 64, 0x8d, rd, 0, ry, rx, (int)k->val, disp);
    ra_written(j, out, 64);
    return n;
}

#endif
