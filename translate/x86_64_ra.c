/* SPDX-License-Identifier: MIT */
/* x86_64_ra.c: the JIT's register allocator (temps in host registers within a block). */
#include "config.h"
#if KILN_HOST_X86_64 && defined(__x86_64__)

#include <stdlib.h>
#include <string.h>
#include "translate/x86_64_int.h"

const int8_t ra_alloc_order[11] = {
    X_RBX, X_R12, X_R13, X_R14, X_R15, X_RSI, X_RDI, X_R8, X_R9, X_R10, X_R11,
};
#define alloc_order ra_alloc_order
#define NALLOC ((int)sizeof(alloc_order))

static void touch(struct jit *j, int r)
{
    j->lru[r] = ++j->tick;
    j->locked |= (uint16_t)(1u << r);
}

static int slot_alloc(struct jit *j)
{
    for (int k = 0; k < J_FRAME_SLOTS; k++) {
        if (!j->slot_used[k]) {
            j->slot_used[k] = 1;
            return k;
        }
    }
    j->fail = true;
    return 0;
}

/* Writes a register-held temp back to its home if it is newer there. */
static void store_home(struct jit *j, struct jtemp *t)
{
    if (!t->dirty || t->reg < 0)
        return;
    if (t->kind == IR_TEMP_GLOBAL) {
        gen_store_env(j, t->reg, t->gw, t->off);
    } else if (t->kind == IR_TEMP_LOCAL && t->last >= (int32_t)j->cur) {
        if (t->slot < 0)
            t->slot = slot_alloc(j);
        x_rm(&j->x, 64, 0x89, t->reg, X_RSP, t->slot * 8);
    }
    t->dirty = 0;
}

static void release(struct jit *j, int r)
{
    if (j->owner[r]) {
        struct jtemp *t = &j->t[j->owner[r]];
        t->reg = -1;
        if (t->kind == IR_TEMP_LOCAL)
            t->zw = 0;      /* the slot may be reached from elsewhere: unknown */
        j->owner[r] = 0;
    }
}

static int alloc_reg(struct jit *j)
{
    int best = -1;
    for (int i = 0; i < NALLOC; i++) {
        int r = alloc_order[i];
        if ((j->locked | j->reserved | j->pinmask) & (1u << r))
            continue;
        if (!j->owner[r])
            return r;
        if (best < 0 || j->lru[r] < j->lru[best])
            best = r;
    }
    if (best < 0) {            /* every register locked: cannot happen with <= 6 operands */
        j->fail = true;
        return X_RBX;
    }
    store_home(j, &j->t[j->owner[best]]);
    release(j, best);
    return best;
}

static unsigned value_zw(uint64_t v)
{
    return v <= 0xff ? 8 : v <= 0xffff ? 16 : v <= 0xffffffffu ? 32 : 64;
}

unsigned ra_zw(struct jit *j, ir_temp a)
{
    const struct jtemp *t = &j->t[a];
    if (t->kind == IR_TEMP_CONST)
        return value_zw(t->val);
    if (t->reg < 0 && t->kind == IR_TEMP_GLOBAL)
        return t->gw;
    return t->zw ? t->zw : 64;
}

void ra_copy_zext(struct jit *j, unsigned w, int rd, int ra, ir_temp a)
{
    if (ra_zw(j, a) <= w)
        x_mov(&j->x, 64, rd, ra);
    else
        x_zext(&j->x, w, rd, ra);
}

static void load_value(struct jit *j, int r, const struct jtemp *t)
{
    if (t->reg >= 0)
        x_mov(&j->x, 64, r, t->reg);
    else if (t->kind == IR_TEMP_CONST)
        x_movi(&j->x, r, t->val);
    else if (t->kind == IR_TEMP_GLOBAL)
        gen_load_env(j, r, t->gw, t->off);
    else if (t->slot >= 0)
        x_rm(&j->x, 64, 0x8b, r, X_RSP, t->slot * 8);
    else
        x_movi(&j->x, r, 0);   /* never written: reads as zero */
}

/* Extends the live range of locals used inside loops to the backward branch. */
static bool liveness(struct jit *j)
{
    const struct ir_block *b = j->b;
    unsigned nl = b->nlabels;
    int32_t *lpos = NULL;
    if (nl) {
        lpos = malloc(nl * sizeof(*lpos));
        if (!lpos)
            return false;
        for (unsigned i = 0; i < nl; i++)
            lpos[i] = -1;
    }
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        unsigned n = ir_op_defs[op->opc].nout + ir_op_defs[op->opc].nin;
        for (unsigned k = 0; k < n && k < IR_MAX_ARGS; k++) {
            ir_temp a = op->args[k];
            if (a == IR_NONE || a >= b->ntemps)
                continue;
            struct jtemp *t = &j->t[a];
            if (t->kind != IR_TEMP_LOCAL)
                continue;
            if (t->first < 0)
                t->first = (int32_t)i;
            t->last = (int32_t)i;
        }
        if (op->opc == IR_LABEL && op->aux < nl)
            lpos[op->aux] = (int32_t)i;
    }
    /* Locals read before any write (in op order) start as zero, as in the interpreter. */
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        unsigned nout = ir_op_defs[op->opc].nout, n = nout + ir_op_defs[op->opc].nin;
        for (unsigned k = nout; k < n && k < IR_MAX_ARGS; k++) {
            ir_temp a = op->args[k];
            if (a != IR_NONE && a < b->ntemps && j->t[a].kind == IR_TEMP_LOCAL &&
                j->t[a].first == (int32_t)i)
                j->t[a].zero_init = 1;   /* inputs are read before outputs are written */
        }
    }
    /* A local read inside a loop may carry its value around the backward
       branch (forward branches inside the loop can skip its writes, so op
       order says little): keep every such local alive past the branch. */
    bool changed = true;
    while (changed) {
        changed = false;
        for (unsigned i = 0; i < b->nops; i++) {
            const struct ir_op *op = &b->ops[i];
            if ((op->opc != IR_BR && op->opc != IR_BRCOND) || op->aux >= nl)
                continue;
            int32_t target = lpos[op->aux];
            if (target < 0 || target > (int32_t)i)
                continue;
            for (unsigned p = (unsigned)target; p <= i; p++) {
                const struct ir_op *q = &b->ops[p];
                unsigned nout = ir_op_defs[q->opc].nout, n = nout + ir_op_defs[q->opc].nin;
                for (unsigned k = nout; k < n && k < IR_MAX_ARGS; k++) {
                    ir_temp a = q->args[k];
                    if (a == IR_NONE || a >= b->ntemps)
                        continue;
                    struct jtemp *t = &j->t[a];
                    if (t->kind == IR_TEMP_LOCAL && t->last <= (int32_t)i) {
                        t->last = (int32_t)i + 1;
                        changed = true;
                    }
                }
            }
        }
    }
    /* A local live across a label that some branch placed before the local's
       first write jumps to may reach the label unwritten: zero its slot too. */
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        if ((op->opc != IR_BR && op->opc != IR_BRCOND) || op->aux >= nl)
            continue;
        int32_t target = lpos[op->aux];
        if (target <= (int32_t)i)
            continue;
        for (unsigned k = b->ctx->nglobals + 1; k < b->ntemps; k++) {
            struct jtemp *t = &j->t[k];
            if (t->kind == IR_TEMP_LOCAL && t->first > (int32_t)i && t->first < target &&
                t->last >= target)
                t->zero_init = 1;
        }
    }
    free(lpos);
    return true;
}

bool ra_begin(struct jit *j)
{
    const struct ir_block *b = j->b;
    j->pr_head = -1;                  /* no TLB probe to reuse yet */
    if (b->ntemps > j->tcap) {
        struct jtemp *t = realloc(j->t, b->ntemps * sizeof(*t));
        if (!t)
            return false;
        j->t = t;
        j->tcap = b->ntemps;
    }
    for (unsigned i = 0; i < b->ntemps; i++) {
        const struct ir_temp_info *ti = &b->temps[i];
        struct jtemp *t = &j->t[i];
        memset(t, 0, sizeof(*t));
        t->reg = -1;
        t->slot = -1;
        t->first = t->last = -1;
        t->kind = i ? ti->kind : IR_TEMP_CONST;
        t->gw = ti->width;
        t->off = ti->env_offset;
        t->val = ti->value;
    }
    memset(j->owner, 0, sizeof(j->owner));
    memset(j->lru, 0, sizeof(j->lru));
    memset(j->slot_used, 0, sizeof(j->slot_used));
    j->tick = 0;
    j->locked = 0;
    j->reserved = 0;
    j->pinmask = 0;
    j->cur = 0;
    return liveness(j);
}

int ra_reserve(struct jit *j)
{
    int r = alloc_reg(j);
    j->reserved |= (uint16_t)(1u << r);
    return r;
}

void ra_unreserve(struct jit *j, int r)
{
    j->reserved &= (uint16_t)~(1u << r);
}

void ra_prologue(struct jit *j)
{
    for (unsigned k = j->b->ctx->nglobals + 1; k < j->b->ntemps; k++) {
        struct jtemp *t = &j->t[k];
        if (t->kind != IR_TEMP_LOCAL || !t->zero_init)
            continue;
        t->slot = slot_alloc(j);
        x_enc(&j->x, 64, 0xc7, 0, 0, X_RSP, -1, 0, t->slot * 8);
        x_d(&j->x, 0);
    }
}

int ra_in(struct jit *j, ir_temp a)
{
    struct jtemp *t = &j->t[a];
    if (t->reg >= 0) {
        touch(j, t->reg);
        return t->reg;
    }
    int r = alloc_reg(j);
    load_value(j, r, t);
    if (t->kind == IR_TEMP_CONST)
        t->zw = (uint8_t)value_zw(t->val);
    else if (t->kind == IR_TEMP_GLOBAL)
        t->zw = t->gw;
    else if (t->slot < 0)
        t->zw = 8;                /* never written: zero */
    j->owner[r] = (int)a;
    t->reg = (int8_t)r;
    t->dirty = 0;
    touch(j, r);
    return r;
}

bool ra_imm(struct jit *j, ir_temp a, unsigned sz, int32_t *imm)
{
    const struct jtemp *t = &j->t[a];
    if (t->kind != IR_TEMP_CONST)
        return false;
    if (sz == 64 && !x_fits32((int64_t)t->val))
        return false;
    *imm = (int32_t)(uint32_t)t->val;
    return true;
}

bool ra_dies(struct jit *j, ir_temp a)
{
    const struct jtemp *t = &j->t[a];
    if (t->kind == IR_TEMP_CONST)
        return true;
    return t->kind == IR_TEMP_LOCAL && t->last <= (int32_t)j->cur;
}

int ra_out(struct jit *j, ir_temp a, int hint)
{
    struct jtemp *t = &j->t[a];
    if (t->pinned) {              /* its own register, whatever the hint */
        touch(j, t->reg);
        return t->reg;
    }
    if (hint >= 0 && (j->pinmask & (1u << hint)))
        hint = -1;
    if (hint >= 0 && j->owner[hint] != (int)a) {
        if (j->owner[hint])
            j->t[j->owner[hint]].reg = -1;
        if (t->reg >= 0)
            j->owner[t->reg] = 0;    /* old value is overwritten; register stays locked */
        j->owner[hint] = (int)a;
        t->reg = (int8_t)hint;
    } else if (t->reg < 0) {
        int r = alloc_reg(j);
        j->owner[r] = (int)a;
        t->reg = (int8_t)r;
    }
    touch(j, t->reg);
    return t->reg;
}

void ra_store_global(struct jit *j, ir_temp g, int r)
{
    struct jtemp *t = &j->t[g];
    if (t->pinned) {
        x_mov(&j->x, 64, t->reg, r);
        t->dirty = 1;
        t->zw = t->gw;
        return;
    }
    if (t->reg >= 0)
        release(j, t->reg);   /* its old value is overwritten */
    gen_store_env(j, r, t->gw, t->off);
    t->dirty = 0;
}

void ra_written(struct jit *j, ir_temp a, unsigned w)
{
    struct jtemp *t = &j->t[a];
    t->dirty = 1;
    t->zw = (uint8_t)w;
    if (t->kind == IR_TEMP_GLOBAL && t->gw < w) {
        x_zext(&j->x, t->gw, t->reg, t->reg);
        t->zw = t->gw;
    }
}

void ra_sync_globals(struct jit *j, bool drop)
{
    for (int i = 0; i < NALLOC; i++) {
        int r = alloc_order[i];
        int o = j->owner[r];
        if (!o || j->t[o].kind != IR_TEMP_GLOBAL)
            continue;
        store_home(j, &j->t[o]);
        if (drop && j->t[o].pinned) {
            /* after a call that may change guest state: re-read */
            gen_load_env(j, r, j->t[o].gw, j->t[o].off);
            j->t[o].zw = j->t[o].gw;
        } else if (drop) {
            release(j, r);
        }
    }
}

void ra_sync_unpinned(struct jit *j)
{
    for (int i = 0; i < NALLOC; i++) {
        int o = j->owner[alloc_order[i]];
        if (o && j->t[o].kind == IR_TEMP_GLOBAL && !j->t[o].pinned)
            store_home(j, &j->t[o]);
    }
}

void ra_pin(struct jit *j, ir_temp g, int r)
{
    struct jtemp *t = &j->t[g];
    j->owner[r] = (int)g;
    t->reg = (int8_t)r;
    t->pinned = 1;
    t->dirty = 0;
    t->zw = t->gw;
    j->pinmask |= (uint16_t)(1u << r);
}

void ra_pins_dirty(struct jit *j)
{
    for (int r = 0; r < 16; r++) {
        int o = j->owner[r];
        if (o && j->t[o].pinned) {
            j->t[o].dirty = 1;
            j->t[o].zw = j->t[o].gw;
        }
    }
}

void ra_spill_locals(struct jit *j)
{
    for (int i = 0; i < NALLOC; i++) {
        int o = j->owner[alloc_order[i]];
        if (o && j->t[o].kind == IR_TEMP_LOCAL && j->t[o].last > (int32_t)j->cur)
            store_home(j, &j->t[o]);
    }
}

void ra_forget_all(struct jit *j)
{
    for (int r = 0; r < 16; r++)
        if (!(j->pinmask & (1u << r)))
            release(j, r);
    ra_pins_dirty(j);
}

void ra_free_caller_saved(struct jit *j)
{
    for (int r = 0; r < 16; r++) {
        if (!((J_CALLER_SAVED & J_ALLOC_MASK) & (1u << r)) || !j->owner[r])
            continue;
        if (j->pinmask & (1u << r)) {
            j->fail = true;       /* loop_plan pins caller-saved registers only without calls */
            continue;
        }
        store_home(j, &j->t[j->owner[r]]);
        release(j, r);
    }
}

void ra_load_to(struct jit *j, int r, ir_temp a)
{
    load_value(j, r, &j->t[a]);
}

void ra_dirty_globals(struct jit *j, struct jslow *s)
{
    s->ndirty = 0;
    for (int r = 0; r < 16; r++) {
        int o = j->owner[r];
        if (!o || j->t[o].kind != IR_TEMP_GLOBAL || !j->t[o].dirty)
            continue;
        s->dirty[s->ndirty].reg = (int8_t)r;
        s->dirty[s->ndirty].w = j->t[o].gw;
        s->dirty[s->ndirty].off = j->t[o].off;
        s->ndirty++;
    }
}

struct ra_snap {
    int owner[16];
    uint32_t lru[16];
    uint32_t tick;
    uint16_t locked, reserved;
    uint8_t slot_used[J_FRAME_SLOTS];
    struct jtemp t[];
};

void *ra_snapshot(struct jit *j)
{
    unsigned n = j->b->ntemps;
    struct ra_snap *s = malloc(sizeof(*s) + n * sizeof(struct jtemp));
    if (!s)
        return NULL;
    memcpy(s->owner, j->owner, sizeof(s->owner));
    memcpy(s->lru, j->lru, sizeof(s->lru));
    s->tick = j->tick;
    s->locked = j->locked;
    s->reserved = j->reserved;
    memcpy(s->slot_used, j->slot_used, sizeof(s->slot_used));
    memcpy(s->t, j->t, n * sizeof(struct jtemp));
    return s;
}

void ra_restore(struct jit *j, const void *snap)
{
    const struct ra_snap *s = snap;
    memcpy(j->owner, s->owner, sizeof(s->owner));
    memcpy(j->lru, s->lru, sizeof(s->lru));
    j->tick = s->tick;
    j->locked = s->locked;
    j->reserved = s->reserved;
    memcpy(j->slot_used, s->slot_used, sizeof(s->slot_used));
    memcpy(j->t, s->t, j->b->ntemps * sizeof(struct jtemp));
}

bool ra_same(struct jit *j, const void *snap)
{
    const struct ra_snap *s = snap;
    return !memcmp(j->owner, s->owner, sizeof(s->owner)) && j->reserved == s->reserved &&
           !memcmp(j->slot_used, s->slot_used, sizeof(s->slot_used)) &&
           !memcmp(j->t, s->t, j->b->ntemps * sizeof(struct jtemp));
}

uint16_t ra_live_mask(struct jit *j)
{
    uint16_t m = 0;
    for (int r = 0; r < 16; r++)
        if (j->owner[r])
            m |= (uint16_t)(1u << r);
    return m;
}

void ra_end_op(struct jit *j, const struct ir_op *op)
{
    unsigned n = ir_op_defs[op->opc].nout + ir_op_defs[op->opc].nin;
    for (unsigned k = 0; k < n && k < IR_MAX_ARGS; k++) {
        ir_temp a = op->args[k];
        if (a == IR_NONE)
            continue;
        struct jtemp *t = &j->t[a];
        if (t->kind != IR_TEMP_LOCAL || t->last > (int32_t)j->cur)
            continue;
        if (t->reg >= 0) {
            j->owner[t->reg] = 0;
            t->reg = -1;
        }
        if (t->slot >= 0) {
            j->slot_used[t->slot] = 0;
            t->slot = -1;
        }
        t->dirty = 0;
    }
    for (int r = 0; r < 16; r++) {
        int o = j->owner[r];
        if (o && j->t[o].kind == IR_TEMP_LOCAL && j->t[o].last <= (int32_t)j->cur) {
            j->t[o].reg = -1;
            j->t[o].dirty = 0;
            j->owner[r] = 0;
        }
    }
    j->locked = 0;
}

#endif
