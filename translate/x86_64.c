/* SPDX-License-Identifier: MIT */
/* x86_64.c: the x86-64 JIT engine: code buffer, prologue/epilogue, block compiler, chaining. */
#include "config.h"
#include <stdlib.h>
#include "translate/engine.h"
#include "translate/x86_64.h"

#if KILN_HOST_X86_64 && defined(__x86_64__)

#include <cpuid.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include "translate/x86_64_int.h"

static struct jit *jit_of(struct engine *e) { return (struct jit *)e; }

void jmp_epilogue(struct jit *j, unsigned exit_code)
{
    x_movi(&j->x, X_RAX, (uint64_t)(uintptr_t)j->tb | exit_code);
    x_jcc_to(&j->x, -1, j->epilogue);
}

static bool add_fixup(struct jit *j, uint8_t *at, unsigned label)
{
    if (j->nfix == j->fixcap) {
        unsigned cap = j->fixcap ? j->fixcap * 2 : 32;
        struct jfix *f = realloc(j->fix, cap * sizeof(*f));
        if (!f)
            return false;
        j->fix = f;
        j->fixcap = cap;
    }
    j->fix[j->nfix].at = at;
    j->fix[j->nfix++].label = label;
    return true;
}

/* Jump (cc < 0: unconditional) to a label, now or once it is placed. */
static void jump_label(struct jit *j, int cc, unsigned label)
{
    if (label >= j->b->nlabels) {
        j->fail = true;
        return;
    }
    if (j->label_at[label]) {
        x_jcc_to(&j->x, cc, j->label_at[label]);
        return;
    }
    uint8_t *at = cc < 0 ? x_jmp32(&j->x) : x_jcc32(&j->x, cc);
    if (!add_fixup(j, at, label))
        j->fail = true;
}

/* Everything in its home before control flow joins or leaves. */
static void sync_all(struct jit *j)
{
    ra_sync_unpinned(j);     /* pinned globals stay in their registers (self-loops) */
    ra_spill_locals(j);
}

static void gen_call(struct jit *j, const struct ir_op *op)
{
    static const int8_t argreg[4] = { X_RSI, X_RDX, X_RCX, X_R8 };
    const struct ir_helper *h = (const struct ir_helper *)(uintptr_t)op->aux;
    bool noenv = (h->flags & IR_HELPER_NO_ENV) != 0;
    if (!noenv)
        ra_sync_globals(j, false);
    ra_free_caller_saved(j);
    for (int k = 0; k < 4; k++) {
        if (op->args[1 + k] != IR_NONE)
            ra_load_to(j, argreg[k], op->args[1 + k]);
        else
            x_movi(&j->x, argreg[k], 0);
    }
    x_mov(&j->x, 64, X_RDI, X_RBP);
    x_call(&j->x, (const void *)h->fn);
    if (!noenv)
        ra_sync_globals(j, true);   /* clean already: forget, re-read later */
    if (op->args[0] != IR_NONE) {
        int rd = ra_out(j, op->args[0], -1);
        x_mov(&j->x, 64, rd, X_RAX);
        ra_written(j, op->args[0], 64);
    }
}

static void gen_goto_tb(struct jit *j, unsigned slot)
{
    struct xbuf *x = &j->x;
    if (chain_gen_exit(j, slot))          /* stores its successor may skip (x86_64_chain.c) */
        return;
    ra_sync_globals(j, false);
    static const uint8_t nop2[] = { 0x66, 0x90 }, nop3[] = { 0x0f, 0x1f, 0x00 };
    unsigned pad = (3 - ((uintptr_t)x->p & 3)) & 3;    /* one nop instruction, not several */
    for (unsigned k = 0; k < pad; k++)
        x_b(x, pad == 1 ? 0x90 : pad == 2 ? nop2[k] : nop3[k]);
    uint8_t *at = x_jmp32(x);            /* displacement 0: falls into the stub */
    j->tb->jmp_site[slot] = (uintptr_t)at;
    jmp_epilogue(j, slot);
}

static void gen_control(struct jit *j, const struct ir_op *op)
{
    switch (op->opc) {
    case IR_LABEL:
        if (!chain_restore_state(j, (unsigned)op->aux)) {   /* reached from one branch only */
            sync_all(j);
            ra_forget_all(j);
        }
        if (op->aux < j->b->nlabels)
            j->label_at[op->aux] = j->x.p;
        break;
    case IR_BR:
        sync_all(j);
        jump_label(j, -1, (unsigned)op->aux);
        ra_forget_all(j);
        break;
    case IR_BRCOND:
        if (op->cond == IR_NEVER)
            break;
        if (chain_keeps_state(j, op)) {
            ra_sync_unpinned(j);          /* locals stay in registers for the label */
            int cc = gen_compare(j, op->cond, op->width, op->args[0], op->args[1]);
            chain_save_state(j, (unsigned)op->aux);
            jump_label(j, cc, (unsigned)op->aux);
            break;
        }
        sync_all(j);
        if (op->cond == IR_ALWAYS) {
            jump_label(j, -1, (unsigned)op->aux);
        } else {
            int cc = gen_compare(j, op->cond, op->width, op->args[0], op->args[1]);
            jump_label(j, cc, (unsigned)op->aux);
        }
        break;
    case IR_GOTO_TB:
        if (loop_is_back_edge(j, op))
            gen_loop_back(j, (unsigned)op->aux & 1);   /* x86_64_loop.c */
        else
            gen_goto_tb(j, (unsigned)op->aux & 1);
        ra_forget_all(j);
        break;
    case IR_GOTO_PTR:
        gen_goto_ptr(j, (op->aux & IR_GOTO_PTR_JC) != 0);
        ra_forget_all(j);
        break;
    case IR_EXIT:
        ra_sync_globals(j, false);
        jmp_epilogue(j, TB_EXIT_NOCHAIN);
        ra_forget_all(j);
        break;
    case IR_CALL:
        gen_call(j, op);
        break;
    case IR_MOV:
        if (!chain_skip(j))
            gen_op(j, op);
        break;
    default:
        gen_op(j, op);
        break;
    }
}

/* The budget charge (jit_counter_match, x86_64_fuse.c) as `sub qword [rbp + off], n; js L`;
   returns the number of ops consumed (0: no match). */
static unsigned gen_counter_dec(struct jit *j, unsigned i)
{
    uint64_t n;
    int32_t off;
    if (!jit_counter_match(j, i, &n, &off))
        return 0;
    const struct ir_op *br = &j->b->ops[i + 3];
    j->cur = i + 3;
    sync_all(j);
    x_rm(&j->x, 64, x_fits8((int64_t)n) ? 0x83 : 0x81, X_SUB, X_RBP, off);
    if (x_fits8((int64_t)n))
        x_b(&j->x, (uint8_t)n);
    else
        x_d(&j->x, (uint32_t)n);
    jump_label(j, X_CC_S, (unsigned)br->aux);
    return 4;
}

/* The code generator relies on these; ir_validate checks much more. */
static bool block_sane(const struct ir_block *b)
{
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        unsigned w = op->width;
        if (op->opc >= IR_NUM_OPS || (w != 8 && w != 16 && w != 32 && w != 64) ||
            op->cond > IR_NEVER)
            return false;
        unsigned n = ir_op_defs[op->opc].nout + ir_op_defs[op->opc].nin;
        for (unsigned k = 0; k < n && k < IR_MAX_ARGS; k++) {
            if (op->args[k] >= b->ntemps || (op->args[k] == IR_NONE && op->opc != IR_CALL))
                return false;
        }
        if (op->opc == IR_CALL) {
            const struct ir_helper *h = (const struct ir_helper *)(uintptr_t)op->aux;
            if (!h || !h->fn)
                return false;
        }
        if (op->opc == IR_SEXT && op->aux != 8 && op->aux != 16 && op->aux != 32 && op->aux != 64)
            return false;
    }
    return true;
}

/* The checked copy of a region (x86_64_mem.c gen_access), after the block's code. */
static void gen_checked_copy(struct jit *j, struct jregion *rg)
{
    ra_restore(j, rg->snap_start);
    j->mode = J_CHECKED;
    for (unsigned i = rg->start; i <= rg->end && !j->fail; i++) {
        if (j->x.p + J_OP_ROOM > j->x.end) {
            j->fail = true;
            return;
        }
        j->cur = i;
        gen_control(j, &j->b->ops[i]);
        ra_end_op(j, &j->b->ops[i]);
    }
    if (!ra_same(j, rg->snap_end)) {
        j->rg_mismatch = true;    /* compile again without groups */
        j->fail = true;
        return;
    }
    x_jcc_to(&j->x, -1, rg->resume);
}

static bool compile_block(struct engine *e, struct tb *tb, const struct ir_block *b);

static bool jit_compile(struct engine *e, struct tb *tb, const struct ir_block *b)
{
    struct jit *j = jit_of(e);
    bool was = j->no_groups, ok = false;
    j->pin_limit = -1;
    for (int attempt = 0; attempt < 4 && !ok; attempt++) {
        j->rg_mismatch = false;
        ok = compile_block(e, tb, b);
        if (ok)
            break;
        if (j->rg_mismatch)
            j->no_groups = true;     /* a checked copy ended in another allocator state */
        else if (j->loop && j->npinned > 1 && j->pin_limit < 0)
            j->pin_limit = j->npinned / 2;   /* pinned globals left too few registers */
        else if (j->loop)
            j->no_loop = true;
        else
            break;
    }
    j->no_groups = was;
    j->no_loop = false;
    j->pin_limit = -1;
    return ok;
}

static bool compile_block(struct engine *e, struct tb *tb, const struct ir_block *b)
{
    struct jit *j = jit_of(e);
    struct xbuf *x = &j->x;
    if (b->oom || !block_sane(b))
        return false;
    j->b = b;
    j->tb = tb;
    j->fail = false;
    j->nfix = 0;
    j->nslow = 0;
    tb->jmp_site[0] = tb->jmp_site[1] = 0;
    if (b->nlabels > j->lcap) {
        uint8_t **l = realloc(j->label_at, b->nlabels * sizeof(*l));
        if (!l)
            return false;
        j->label_at = l;
        j->lcap = b->nlabels;
    }
    if (b->nlabels)
        memset(j->label_at, 0, b->nlabels * sizeof(*j->label_at));
    tb->engine_data = NULL;
    if (!ra_begin(j) || !grp_plan(j) || !loop_plan(j) || !chain_plan(j))
        return false;
    b = j->b;                    /* loop_plan may have rewritten it */

    while ((uintptr_t)x->p & 15) {
        if (x->p >= x->end)
            return false;
        x_b(x, 0xcc);
    }
    if (j->loop) {               /* 16 bytes for the back edge's record (loop_link) */
        if (x->p + 16 > x->end)
            return false;
        memset(x->p, 0, 16);
        x->p += 16;
    }
    uint8_t *start = x->p;
    if (start + J_OP_ROOM > x->end)
        return false;
    if (j->loop)
        loop_entry(j);           /* pinned globals into their registers */
    /* cmp dword [rbp + exit_request], 0; jne -> return this tb | REQUESTED (out of line) */
    x_rm(x, 32, 0x83, 7, X_RBP, (int32_t)e->guest->exit_request_offset);
    x_b(x, 0);
    uint8_t *req_at = x_jcc32(x, X_CC_NE);
    if (!j->loop)
        ra_prologue(j);          /* a loop block zeroes at its HEAD */

    unsigned rgi = 0;
    j->mode = J_NORMAL;
    for (unsigned i = 0; i < b->nops && !j->fail; i++) {
        if (x->p + J_OP_ROOM > x->end) {
            j->fail = true;
            break;
        }
        struct jregion *rg = rgi < j->nrg ? &j->rg[rgi] : NULL;
        if (rg && i == rg->end + 1) {
            rg->resume = x->p;
            rg->snap_end = ra_snapshot(j);
            j->mode = J_NORMAL;
            j->pr_head = -1;      /* rdx differs when the checked copy ran */
            if (!rg->snap_start || !rg->snap_end)
                j->fail = true;
            rg = ++rgi < j->nrg ? &j->rg[rgi] : NULL;
        }
        if (rg && i == rg->start) {
            rg->snap_start = ra_snapshot(j);
            j->mode = J_FAST;
        }
        unsigned fused = gen_counter_dec(j, i);
        bool charge = fused != 0;
        if (!fused)
            fused = gen_fuse_lea(j, i);
        if (fused) {
            if (i == 0 && charge)
                chain_note_body(j);
            for (unsigned k = 0; k < fused; k++) {
                j->cur = i + k;
                ra_end_op(j, &b->ops[i + k]);
            }
            i += fused - 1;
            if (j->loop && charge && i == 3)
                loop_head(j);    /* x86_64_loop.c: the back edge jumps here */
            continue;
        }
        const struct ir_op *op = &b->ops[i];
        j->cur = i;
        gen_control(j, op);
        ra_end_op(j, op);
    }
    if (!j->fail && x->p + 64 <= x->end) {
        ra_sync_globals(j, false);         /* never reached after a terminator */
        jmp_epilogue(j, TB_EXIT_NOCHAIN);
        x_patch32(req_at, x->p);
        jmp_epilogue(j, TB_EXIT_REQUESTED);
    } else {
        j->fail = true;
    }
    if (!j->fail && rgi < j->nrg)
        j->fail = true;           /* a region reaching the block's end: cannot happen */
    for (unsigned r = 0; r < j->nrg && !j->fail; r++)
        gen_checked_copy(j, &j->rg[r]);
    j->mode = J_NORMAL;
    for (unsigned r = 0; r < j->nrg; r++) {
        free(j->rg[r].snap_start);
        free(j->rg[r].snap_end);
        j->rg[r].snap_start = j->rg[r].snap_end = NULL;
    }
    if (!j->fail)
        gen_slow_paths(j);
    for (unsigned i = 0; i < j->nfix && !j->fail; i++) {
        uint8_t *target = j->label_at[j->fix[i].label];
        if (!target)
            j->fail = true;
        else
            x_patch32(j->fix[i].at, target);
    }
    uint8_t *code_end = x->p;
    if (!j->fail && !jit_insn_table(j, start))   /* after the code, not part of code_size */
        j->fail = true;
    if (j->fail) {
        x->p = j->loop ? start - 16 : start;
        tb->jmp_site[0] = tb->jmp_site[1] = 0;
        tb->engine_data = NULL;
        return false;
    }
    tb->code = start;
    tb->code_size = (uint32_t)(code_end - start);
    return true;
}

static uintptr_t jit_exec(struct engine *e, void *env, struct tb *tb)
{
    struct jit *j = jit_of(e);
    uintptr_t (*enter)(void *, void *, struct tb *) =
        (uintptr_t (*)(void *, void *, struct tb *))(void *)j->prologue;
    return enter(env, tb->code, tb);
}

static void jit_link(struct engine *e, struct tb *from, unsigned slot, struct tb *to)
{
    if (slot > 1 || !from->jmp_site[slot])
        return;
    loop_link(from, slot, to);   /* a back edge's own jump (x86_64_loop.c) */
    uint8_t *at = (uint8_t *)from->jmp_site[slot];
    const uint8_t *target = to && to->code ? (const uint8_t *)to->code : at + 4;
    int32_t rel = (int32_t)(target - (at + 4));
    __atomic_store_n((int32_t *)(void *)at, rel, __ATOMIC_SEQ_CST);
    chain_link(jit_of(e), from, slot, to);
}

static void jit_release(struct engine *e, struct tb *tb)
{
    (void)e;
    tb->code = NULL;
    tb->code_size = 0;
    tb->jmp_site[0] = tb->jmp_site[1] = 0;
    tb->engine_data = NULL;
    tb->jmp_stub[0] = tb->jmp_stub[1] = 0;
    tb->code_body = NULL;
}

static void jit_reset(struct engine *e)
{
    struct jit *j = jit_of(e);
    j->x.p = j->code_start;
    jit_insn_reset(j);
    chain_reset(j);
}

static void jit_destroy(struct engine *e)
{
    struct jit *j = jit_of(e);
    munmap(j->buf, j->size);
    free(j->t);
    free(j->label_at);
    free(j->fix);
    free(j->slow);
    free(j->grp);
    free(j->opg);
    free(j->opd);
    free(j->opf);
    free(j->blk);
    free(j->lops);
    chain_free(j);
    free(j);
}

/*
 * The shared entry, uintptr_t enter(env, code, tb), and exit (rax = tb | reason;
 * each block loads rax itself before it jumps here, so chained jumps carry
 * nothing).
 */
static void gen_shared(struct jit *j)
{
    struct xbuf *x = &j->x;
    static const int8_t saved[] = { X_RBP, X_RBX, X_R12, X_R13, X_R14, X_R15 };
    j->prologue = x->p;
    for (unsigned i = 0; i < sizeof(saved); i++) {
        if (saved[i] & 8)
            x_b(x, 0x41);
        x_b(x, (uint8_t)(0x50 + (saved[i] & 7)));
    }
    x_mov(x, 64, X_RBP, X_RDI);
    x_rr(x, 64, 0x81, X_SUB, X_RSP);
    x_d(x, J_FRAME_SIZE);
    x_rr(x, 32, 0xff, 4, X_RSI);         /* jmp rsi */
    while ((uintptr_t)x->p & 15)
        x_b(x, 0xcc);
    j->epilogue = x->p;
    x_rr(x, 64, 0x81, X_ADD, X_RSP);
    x_d(x, J_FRAME_SIZE);
    for (unsigned i = sizeof(saved); i-- > 0;) {
        if (saved[i] & 8)
            x_b(x, 0x41);
        x_b(x, (uint8_t)(0x58 + (saved[i] & 7)));
    }
    x_b(x, 0xc3);
    while ((uintptr_t)x->p & 15)
        x_b(x, 0xcc);
    j->code_start = x->p;
}

struct engine *engine_x86_64_new(const struct engine_guest *guest, size_t code_size)
{
    if (code_size < 65536)
        code_size = 65536;
    if (code_size > ((size_t)1 << 30))
        code_size = (size_t)1 << 30;
    struct jit *j = calloc(1, sizeof(*j));
    if (!j)
        return NULL;
    /* Ask for room just below our own text so helpers (linked into the same
       binary) are reachable with call rel32; the kernel may put it elsewhere. */
    uintptr_t text = (uintptr_t)(void *)engine_x86_64_new;
    uintptr_t hint = 0;
    if (text > code_size + ((uintptr_t)64 << 20))
        hint = ((text & ~(uintptr_t)0xfffff) - code_size - ((uintptr_t)32 << 20)) & ~(uintptr_t)0xffff;
    void *buf = mmap((void *)hint, code_size, PROT_READ | PROT_WRITE | PROT_EXEC,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) {
        free(j);
        return NULL;
    }
    j->buf = buf;
    j->size = code_size;
    j->x.p = buf;
    j->x.end = j->buf + code_size;
    unsigned a, b, c, d;
    if (__get_cpuid(0x80000001, &a, &b, &c, &d))
        j->has_lzcnt = (c >> 5) & 1;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        j->has_tzcnt = (b >> 3) & 1;
        j->has_bmi2 = (b >> 8) & 1;
    }
    if (__get_cpuid(1, &a, &b, &c, &d))
        j->has_popcnt = (c >> 23) & 1;
    gen_shared(j);
    j->e.name = "x86_64";
    j->e.guest = guest;
    j->e.compile = jit_compile;
    j->e.exec = jit_exec;
    j->e.link = jit_link;
    j->e.release = jit_release;
    j->e.reset = jit_reset;
    j->e.destroy = jit_destroy;
    j->e.insn_at = jit_insn_at;
    j->e.priv = j;
    return &j->e;
}

void engine_x86_64_disable_features(struct engine *e, bool lzcnt, bool tzcnt, bool popcnt)
{
    struct jit *j = jit_of(e);
    if (lzcnt)
        j->has_lzcnt = false;
    if (tzcnt)
        j->has_tzcnt = false;
    if (popcnt)
        j->has_popcnt = false;
}

void engine_x86_64_usage(const struct engine *e, size_t *used, size_t *total)
{
    const struct jit *j = (const struct jit *)e;
    *used = (size_t)(j->x.p - j->buf);
    *total = j->size;
}

#else

struct engine *engine_x86_64_new(const struct engine_guest *guest, size_t code_size)
{
    (void)guest;
    (void)code_size;
    return NULL;
}

void engine_x86_64_disable_features(struct engine *e, bool lzcnt, bool tzcnt, bool popcnt)
{
    (void)e; (void)lzcnt; (void)tzcnt; (void)popcnt;
}

void engine_x86_64_usage(const struct engine *e, size_t *used, size_t *total)
{
    (void)e;
    *used = *total = 0;
}

#endif
