/* SPDX-License-Identifier: MIT */
/* x86_64_chain.c: the JIT's chained exits that skip the stores their successor overwrites. */
#include "config.h"
#if KILN_HOST_X86_64 && defined(__x86_64__)

#include <stdlib.h>
#include <string.h>
#include "translate/x86_64_int.h"

/*
 * A block exit GOTO_TB n whose last ops are MOVs to globals (the "tail": the
 * guest PC and, after IR_OPT_SINK, the lazy-flag writes) compiles to two
 * variants (docs/JIT.md, "Chained exits that skip stores"):
 *
 *         <store the other dirty globals>
 *     A:  nop5                   ; or jmp stub, when linked that way
 *     normal:
 *         <one unit per tail MOV: store the global>
 *         jmp B                  ; the usual chain jump (tb->jmp_site[n])
 *         mov rax, tb|n; jmp epilogue
 *     ...
 *     stub:                      ; taken from the code buffer's end by chain_link
 *
 * Linked to a block `to` that has a body entry (to->code_body: right after its
 * exit-request check and fused budget charge) and overwrites some tail globals
 * before anyone can see them (to->dead_in), the stub becomes
 *
 *         cmp dword [rbp + exit_request], 0; jne normal
 *         sub qword [rbp + to->charge_off], to->charge; js undo
 *         <the units of the tail globals not in to->dead_in>
 *         jmp to->code_body
 *     undo:
 *         add qword [rbp + to->charge_off], to->charge; jmp normal
 *
 * and A becomes `jmp stub`; B points at to->code as usual, so when the request or
 * budget check fails the exit stores everything and the successor's own entry
 * leaves exactly as it would have. Nothing can leave between the check here
 * and the successor's overwrites (dead_in stops at every fault and exit), and
 * a request raised after the check is seen at the next block entry, as it
 * would have been after the successor's own check. Units are position-
 * independent (env, frame and register operands only), so the stub copies
 * their bytes from the normal path. Unlinking turns A back into a nop. A is
 * rewritten with plain stores: only this thread runs blocks, and it changes
 * chains either from the loop or from a helper inside a block (SMC), never
 * while the instruction at A is being executed.
 */

#define CH_MAX_UNITS 16
#define CH_STUB_FIXED 52      /* the stub's checks and jumps need at most 51 bytes */

struct jchain {
    uint8_t *a_site;          /* the 5 bytes of A */
    uint8_t *normal;          /* the normal path (a_site + 5) */
    uint8_t *stub;
    uint32_t stub_cap;
    uint64_t dmask;           /* the tail's globals */
    unsigned n;
    struct { uint16_t off; uint8_t len; uint8_t g; } u[CH_MAX_UNITS];
};

static bool is_global(const struct jit *j, ir_temp t)
{
    return t != IR_NONE && t <= j->b->ctx->nglobals && j->t[t].kind == IR_TEMP_GLOBAL;
}

/* Marks the tail ending just before the GOTO_TB at g; returns how many MOVs. */
static unsigned plan_tail(struct jit *j, unsigned g)
{
    const struct ir_block *b = j->b;
    uint64_t dests = 0, srcs = 0;
    unsigned n = 0;
    for (unsigned i = g; i-- > 0 && n < CH_MAX_UNITS;) {
        const struct ir_op *op = &b->ops[i];
        if (op->opc == IR_NOP || op->opc == IR_INSN_START)
            continue;
        if (op->opc != IR_MOV || !is_global(j, op->args[0]))
            break;
        ir_temp d = op->args[0], a = op->args[1];
        uint64_t db = (uint64_t)1 << (d - 1), ab = is_global(j, a) ? (uint64_t)1 << (a - 1) : 0;
        /* distinct destinations; no unit reads a global another unit writes */
        if ((dests & db) || (srcs & db) || (dests & ab) || a == d)
            break;
        dests |= db;
        srcs |= ab;
        j->chskip[i] = 1;
        if (j->t[a].kind == IR_TEMP_LOCAL && j->t[a].last < (int32_t)g)
            j->t[a].last = (int32_t)g;        /* its value is stored at the GOTO_TB */
        n++;
    }
    return n;
}

static void free_snaps(struct jit *j)
{
    for (unsigned l = 0; l < j->nlsnap; l++) {
        free(j->lsnap[l]);
        j->lsnap[l] = NULL;
    }
    j->nlsnap = 0;
}

/* Labels reached only from one BRCOND before them (the op before the label
   ends its run: no fall-through). */
static bool plan_labels(struct jit *j)
{
    const struct ir_block *b = j->b;
    unsigned nl = b->nlabels;
    free_snaps(j);
    if (nl > j->lkcap) {
        uint8_t *k = realloc(j->lkeep, nl);
        void **sn = realloc(j->lsnap, nl * sizeof(*sn));
        if (k)
            j->lkeep = k;
        if (sn)
            j->lsnap = sn;
        if (!k || !sn)
            return false;
        j->lkcap = nl;
    }
    if (!nl)
        return true;
    memset(j->lkeep, 0, nl);
    memset(j->lsnap, 0, nl * sizeof(*j->lsnap));
    j->nlsnap = nl;
    /* lkeep: 1 = one forward BRCOND seen, 2 = placed after it with no fall-through, 3 = refused */
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        if (op->aux >= nl || (op->opc != IR_BR && op->opc != IR_BRCOND && op->opc != IR_LABEL))
            continue;
        uint8_t *k = &j->lkeep[op->aux];
        if (op->opc == IR_LABEL) {
            unsigned prev = i ? b->ops[i - 1].opc : IR_NOP;
            bool nofall = prev == IR_GOTO_TB || prev == IR_GOTO_PTR || prev == IR_EXIT || prev == IR_BR;
            *k = *k == 1 && nofall ? 2 : 3;
        } else {
            *k = *k == 0 && op->opc == IR_BRCOND ? 1 : 3;
        }
    }
    return true;
}

bool chain_keeps_state(struct jit *j, const struct ir_op *op)
{
    return op->cond != IR_ALWAYS && op->aux < j->nlsnap && j->lkeep[op->aux] == 2 && j->mode == J_NORMAL;
}

void chain_save_state(struct jit *j, unsigned label)
{
    free(j->lsnap[label]);
    j->lsnap[label] = ra_snapshot(j);
    if (!j->lsnap[label])
        j->fail = true;
}

bool chain_restore_state(struct jit *j, unsigned label)
{
    if (label >= j->nlsnap || !j->lsnap[label] || j->mode != J_NORMAL)
        return false;
    /* Registers as at the branch; frame slots as the code before the label
       assigned them, so every path into a later join spills a local to the
       same slot (arm 1 may have given slots to locals that had none). */
    unsigned n = j->b->ntemps;
    int32_t *slots = malloc(n * sizeof(*slots));
    uint8_t *used = malloc(J_FRAME_SLOTS);
    if (!slots || !used) {
        free(slots);
        free(used);
        return false;
    }
    for (unsigned k = 0; k < n; k++)
        slots[k] = j->t[k].slot;
    memcpy(used, j->slot_used, J_FRAME_SLOTS);
    ra_restore(j, j->lsnap[label]);
    for (unsigned k = 0; k < n; k++)
        j->t[k].slot = slots[k];
    memcpy(j->slot_used, used, J_FRAME_SLOTS);
    free(slots);
    free(used);
    free(j->lsnap[label]);
    j->lsnap[label] = NULL;
    return true;
}

void chain_free(struct jit *j)
{
    free_snaps(j);
    free(j->lsnap);
    free(j->lkeep);
    free(j->chskip);
    free(j->ch);
}

bool chain_plan(struct jit *j)
{
    const struct ir_block *b = j->b;
    struct tb *tb = j->tb;
    if (!plan_labels(j))
        return false;
    if (j->ch_tb == tb)
        j->nch = j->ch_first;                 /* a retry: the failed attempt's exits are garbage */
    j->ch_first = j->nch;
    j->ch_tb = tb;
    tb->code_body = NULL;
    tb->jmp_stub[0] = tb->jmp_stub[1] = 0;
    tb->jmp_deferred[0] = tb->jmp_deferred[1] = 0;
    if (b->nops > j->chskipcap) {
        uint8_t *p = realloc(j->chskip, b->nops);
        if (!p)
            return false;
        j->chskip = p;
        j->chskipcap = b->nops;
    }
    if (b->nops)
        memset(j->chskip, 0, b->nops);
    /* A self-loop leaves through its other exits once per loop: not worth
       the code (x86_64_loop.c keeps its globals in registers instead). */
    if ((tb->cflags & TB_CF_NOCHAIN) || b->ctx->nglobals > 64 || j->loop)
        return true;
    for (unsigned i = 0; i < b->nops; i++)
        if (b->ops[i].opc == IR_GOTO_TB && b->ops[i].aux <= 1)
            plan_tail(j, i);
    return true;
}

bool chain_skip(const struct jit *j)
{
    return j->chskip && j->cur < j->b->nops && j->chskip[j->cur];
}

void chain_note_body(struct jit *j)
{
    const struct ir_block *b = j->b;
    if (j->loop)
        return;                               /* its body expects pinned globals loaded */
    for (unsigned k = b->ctx->nglobals + 1; k < b->ntemps; k++)
        if (j->t[k].kind == IR_TEMP_LOCAL && j->t[k].zero_init)
            return;                           /* ra_prologue zeroed slots: not skippable */
    if (j->mode != J_NORMAL || j->t[b->ops[1].args[2]].kind != IR_TEMP_CONST)
        return;
    j->tb->code_body = j->x.p;
    j->tb->charge_off = (int32_t)(uint32_t)b->ops[0].aux;
    j->tb->charge = (uint32_t)j->t[b->ops[1].args[2]].val;
}

/* A jmp rel32 whose displacement is 4-byte aligned (one nop before it). */
static uint8_t *jmp32_aligned(struct xbuf *x)
{
    static const uint8_t nop2[] = { 0x66, 0x90 }, nop3[] = { 0x0f, 0x1f, 0x00 };
    unsigned pad = (3 - ((uintptr_t)x->p & 3)) & 3;
    for (unsigned k = 0; k < pad; k++)
        x_b(x, pad == 1 ? 0x90 : pad == 2 ? nop2[k] : nop3[k]);
    return x_jmp32(x);
}

/* One tail MOV as a position-independent store (rax is scratch). */
static void emit_unit(struct jit *j, const struct ir_op *op)
{
    struct xbuf *x = &j->x;
    ir_temp d = op->args[0], a = op->args[1];
    const struct jtemp *td = &j->t[d], *ta = &j->t[a];
    unsigned w = op->width, gw = td->gw;
    if (ta->kind == IR_TEMP_CONST) {
        uint64_t v = ta->val;
        if (w < 64)
            v &= ((uint64_t)1 << w) - 1;
        if (gw < 64)
            v &= ((uint64_t)1 << gw) - 1;
        if (gw < 64 || x_fits32((int64_t)v)) {
            gen_store_env_imm(j, gw, td->off, v);
        } else {
            x_movi(x, X_RAX, v);
            gen_store_env(j, X_RAX, gw, td->off);
        }
        return;
    }
    int r = ta->reg;
    unsigned zw = ra_zw(j, a);
    if (r < 0) {
        ra_load_to(j, X_RAX, a);
        r = X_RAX;
    }
    if (w < gw && zw > w) {
        x_zext(x, w, X_RAX, r);
        r = X_RAX;
    }
    gen_store_env(j, r, gw, td->off);
}

bool chain_gen_exit(struct jit *j, unsigned slot)
{
    const struct ir_block *b = j->b;
    unsigned g = j->cur, first = g;
    for (unsigned i = g; i-- > 0;) {
        unsigned opc = b->ops[i].opc;
        if (j->chskip[i])
            first = i;
        else if (opc != IR_NOP && opc != IR_INSN_START)
            break;
    }
    if (first == g)
        return false;
    if (j->nch == j->chcap) {
        unsigned cap = j->chcap ? j->chcap * 2 : 64;
        struct jchain *c = realloc(j->ch, cap * sizeof(*c));
        if (!c) {
            j->fail = true;
            return true;
        }
        j->ch = c;
        j->chcap = cap;
    }
    struct jchain *c = &j->ch[j->nch];
    memset(c, 0, sizeof(*c));
    struct xbuf *x = &j->x;
    ra_sync_globals(j, false);
    c->a_site = x->p;
    x_b(x, 0x0f);                             /* nop dword [rax + rax + 0] */
    x_b(x, 0x1f);
    x_b(x, 0x44);
    x_b(x, 0x00);
    x_b(x, 0x00);
    c->normal = x->p;
    uint32_t total = 0;
    for (unsigned i = first; i < g; i++) {
        if (!j->chskip[i])
            continue;
        uint8_t *at = x->p;
        emit_unit(j, &b->ops[i]);
        c->u[c->n].off = (uint16_t)(at - c->normal);
        c->u[c->n].len = (uint8_t)(x->p - at);
        c->u[c->n].g = (uint8_t)(b->ops[i].args[0] - 1);
        c->dmask |= (uint64_t)1 << c->u[c->n].g;
        total += c->u[c->n].len;
        c->n++;
    }
    j->tb->jmp_site[slot] = (uintptr_t)jmp32_aligned(x);   /* B: falls into the exit */
    x_movi(x, X_RAX, (uint64_t)(uintptr_t)j->tb | slot);
    x_jcc_to(x, -1, j->epilogue);
    c->stub = NULL;                           /* allocated when first linked that way */
    c->stub_cap = CH_STUB_FIXED + total;
    j->tb->jmp_stub[slot] = j->nch + 1;
    j->nch++;
    return true;
}

/* A becomes a nop (target == normal) or a jmp to target. */
static void patch_a(struct jchain *c, const uint8_t *target)
{
    static const uint8_t nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
    uint8_t ins[5] = { 0xe9 };
    int32_t rel = (int32_t)(target - (c->a_site + 5));
    memcpy(ins + 1, &rel, 4);
    memcpy(c->a_site, target == c->normal ? nop5 : ins, 5);
}

void chain_link(struct jit *j, struct tb *from, unsigned slot, struct tb *to)
{
    uintptr_t k = from->jmp_stub[slot];
    from->jmp_deferred[slot] = 0;
    if (!k || k > j->nch)
        return;
    struct jchain *c = &j->ch[k - 1];
    uint64_t skip = to && to->code_body ? c->dmask & to->dead_in : 0;
    if (skip && !c->stub) {
        /* Most exits never link this way: their stub is taken from the end of
           the code buffer the first time (links happen between blocks, never
           during a compile). No room: the plain exit. */
        if (j->x.p + c->stub_cap + J_OP_ROOM > j->x.end)
            skip = 0;
        else {
            c->stub = j->x.p;
            j->x.p += c->stub_cap;
        }
    }
    if (!skip) {
        patch_a(c, c->normal);
        return;
    }
    struct xbuf sx = { c->stub, c->stub + c->stub_cap };
    const struct engine_guest *gu = j->e.guest;
    x_rm(&sx, 32, 0x83, X_CMP, X_RBP, (int32_t)gu->exit_request_offset);
    x_b(&sx, 0);
    x_jcc_to(&sx, X_CC_NE, c->normal);
    x_rm(&sx, 64, 0x81, X_SUB, X_RBP, to->charge_off);
    x_d(&sx, to->charge);
    uint8_t *undo = x_jcc32(&sx, X_CC_S);
    for (unsigned u = 0; u < c->n; u++) {
        if (skip & ((uint64_t)1 << c->u[u].g))
            continue;
        memcpy(sx.p, c->normal + c->u[u].off, c->u[u].len);
        sx.p += c->u[u].len;
    }
    x_jcc_to(&sx, -1, (const uint8_t *)to->code_body);
    x_patch32(undo, sx.p);
    x_rm(&sx, 64, 0x81, X_ADD, X_RBP, to->charge_off);
    x_d(&sx, to->charge);
    x_jcc_to(&sx, -1, c->normal);
    if (sx.p > sx.end) {                      /* cannot happen: CH_STUB_FIXED covers the rest */
        memset(c->stub, 0xcc, c->stub_cap);
        patch_a(c, c->normal);
        return;
    }
    patch_a(c, c->stub);
    from->jmp_deferred[slot] = skip;
}

void chain_reset(struct jit *j)
{
    j->nch = j->ch_first = 0;
    j->ch_tb = NULL;
}

#endif
