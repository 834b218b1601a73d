/* SPDX-License-Identifier: MIT */
/* x86_64_mem.c: JIT code for env accesses and guest memory (soft-TLB fast path, slow paths). */
#include "config.h"
#if KILN_HOST_X86_64 && defined(__x86_64__)

#include <stddef.h>
#include <stdlib.h>
#include "translate/x86_64_int.h"

/* r = zero-extended w-bit value at [base + index + disp] (index < 0: none). */
static void load_mem(struct xbuf *x, int r, unsigned w, bool sign, int base, int index, int32_t disp)
{
    if (sign && w < 64) {
        unsigned opc = w == 8 ? (XO_0F | 0xbe) : w == 16 ? (XO_0F | 0xbf) : 0x63;
        x_enc(x, 64, opc, r, 0, base, index, 0, disp);
    } else if (w == 8) {
        x_enc(x, 32, XO_0F | 0xb6, r, 0, base, index, 0, disp);
    } else if (w == 16) {
        x_enc(x, 32, XO_0F | 0xb7, r, 0, base, index, 0, disp);
    } else {
        x_enc(x, w, 0x8b, r, 0, base, index, 0, disp);
    }
}

/* [base + index + disp] = low w bits of r. */
static void store_mem(struct xbuf *x, int r, unsigned w, int base, int index, int32_t disp)
{
    x_enc(x, w, w == 8 ? 0x88 : 0x89, r, 0, base, index, 0, disp);
}

/* [base + index + disp] = imm (w == 64: sign-extended imm32). */
static void store_mem_imm(struct xbuf *x, int32_t imm, unsigned w, int base, int index, int32_t disp)
{
    x_enc(x, w, w == 8 ? 0xc6 : 0xc7, 0, 0, base, index, 0, disp);
    if (w == 8) {
        x_b(x, (uint8_t)imm);
    } else if (w == 16) {
        x_b(x, (uint8_t)imm);
        x_b(x, (uint8_t)(imm >> 8));
    } else {
        x_d(x, (uint32_t)imm);
    }
}

void gen_load_env(struct jit *j, int r, unsigned w, int32_t off)
{
    load_mem(&j->x, r, w, false, X_RBP, -1, off);
}

void gen_store_env(struct jit *j, int r, unsigned w, int32_t off)
{
    store_mem(&j->x, r, w, X_RBP, -1, off);
}

void gen_store_env_imm(struct jit *j, unsigned w, int32_t off, uint64_t v)
{
    struct xbuf *x = &j->x;
    x_enc(x, w, w == 8 ? 0xc6 : 0xc7, 0, 0, X_RBP, -1, 0, off);
    if (w == 8) {
        x_b(x, (uint8_t)v);
    } else if (w == 16) {
        x_b(x, (uint8_t)v);
        x_b(x, (uint8_t)(v >> 8));
    } else {
        x_d(x, (uint32_t)v);
    }
}

/* d = value in s (a memory access of `bytes`), extended per memop to width w. */
static void extend_loaded(struct xbuf *x, int d, int s, unsigned bytes, bool sign, unsigned w)
{
    unsigned bits = bytes * 8;
    if (sign && bits < w) {
        x_sext(x, bits, d, s);
        if (w < 64)
            x_zext(x, w, d, d);
    } else if (bits < 64) {
        x_zext(x, bits, d, s);
    } else {
        x_mov(x, 64, d, s);
    }
}

/* The guest instruction of the op being compiled: the last INSN_START before it. */
static void set_insn(struct jit *j, struct jslow *s)
{
    s->has_insn = false;
    for (unsigned i = j->cur; i-- > 0;) {
        if (j->b->ops[i].opc == IR_INSN_START) {
            s->has_insn = true;
            s->insn = j->b->ops[i].aux;
            return;
        }
    }
}

static struct jslow *new_slow(struct jit *j)
{
    if (j->nslow == j->slowcap) {
        unsigned cap = j->slowcap ? j->slowcap * 2 : 32;
        struct jslow *s = realloc(j->slow, cap * sizeof(*s));
        if (!s) {
            j->fail = true;
            return NULL;
        }
        j->slow = s;
        j->slowcap = cap;
    }
    struct jslow *s = &j->slow[j->nslow++];
    set_insn(j, s);
    return s;
}

/*
 * Probe reuse. A full probe leaves its TLB slot's offset in rdx (the scratch
 * register nothing else in straight-line code touches; slow paths keep it).
 * A later access whose address is the same base temp plus a displacement d
 * with head_d <= d and d + size - 1 < head_d + 4096, with no write of the base
 * and no op that may clobber rdx in between, skips the slot computation and
 * compares its last byte's page with the current tag of that slot. That is
 * exact even if the TLB changed in between (a slow path filled it): a slot
 * only holds pages congruent to the head's page modulo TLB_SIZE, and the last
 * byte lies within a page of the head's first byte, so a match means both
 * ends are in the head's page and that page is mapped now.
 */
#define REUSE_WINDOW 64   /* ops between head and member scanned at most */

/* Ops whose code leaves rdx alone (MULUH/DIV/POPCNT, calls and control flow use it). */
static bool keeps_rdx(unsigned opc)
{
    switch (opc) {
    case IR_NOP: case IR_INSN_START: case IR_MOV: case IR_ADD: case IR_SUB: case IR_MUL:
    case IR_AND: case IR_OR: case IR_XOR: case IR_NEG: case IR_NOT: case IR_SHL: case IR_SHR:
    case IR_SAR: case IR_ROTL: case IR_ROTR: case IR_SEXT: case IR_EXTRACT: case IR_DEPOSIT:
    case IR_BSWAP: case IR_SETCOND: case IR_MOVCOND: case IR_LD_ENV: case IR_ST_ENV:
    case IR_LD: case IR_ST:
        return true;
    default:
        return false;
    }
}

static bool writes(const struct ir_op *op, ir_temp t)
{
    return ir_op_defs[op->opc].nout && op->args[0] == t;
}

/* Can the access (base + disp, size bytes, MMU index idx) reuse the last probe's slot? */
static bool can_reuse(struct jit *j, ir_temp base, int64_t disp, unsigned size, unsigned idx)
{
    if (j->mode == J_CHECKED || j->pr_head < 0 || j->pr_base != base || j->pr_idx != idx || j->cur - (unsigned)j->pr_head > REUSE_WINDOW)
        return false;
    if (disp < j->pr_disp || disp + (int64_t)size - 1 - j->pr_disp >= (int64_t)TLB_PAGE_SIZE)
        return false;
    for (unsigned k = (unsigned)j->pr_head + 1; k < j->cur; k++) {
        const struct ir_op *op = &j->b->ops[k];
        if (!keeps_rdx(op->opc) || writes(op, base))
            return false;
    }
    return true;
}

/*
 * The TLB probe for the access at [ra] (address temp a): jumps to a slow path
 * unless the tag matches; then rax = the addend. rdx = the slot's offset.
 */
/* dst32 = the TLB slot offset of the address in ra ((A >> 12) % TLB_SIZE * 32). */
static void emit_slot(struct jit *j, int dst, int ra)
{
    struct xbuf *x = &j->x;
    if (j->has_bmi2) {
        /* rorx dst, A32, 7 (the slot bits are below bit 32): no copy first */
        _Static_assert(TLB_PAGE_BITS + TLB_BITS <= 32, "rorx sees the low 32 bits");
        x_b(x, 0xc4);
        x_b(x, (uint8_t)(((dst & 8) ? 0 : 0x80) | 0x40 | ((ra & 8) ? 0 : 0x20) | 0x03)); /* ~R ~X ~B, 0F3A */
        x_b(x, 0x7b);
        x_b(x, 0xf0);
        x_b(x, (uint8_t)(0xc0 | ((dst & 7) << 3) | (ra & 7)));
        x_b(x, TLB_PAGE_BITS - 5);
    } else {
        x_mov(x, 64, dst, ra);
        x_shift(x, 64, X_SHR, dst, TLB_PAGE_BITS - 5);
    }
    x_alui(x, 32, X_AND, dst, (TLB_SIZE - 1) << 5);
}

/* rcx = page of the access's last byte; cmp with the tag of the slot at env + slot reg. */
static void emit_tag_cmp(struct jit *j, int ra, unsigned memop, bool store, int slot)
{
    struct xbuf *x = &j->x;
    unsigned size = IR_MEM_GET_SIZE(memop), idx = IR_MEM_GET_IDX(memop) & (TLB_MMU_MODES - 1);
    int32_t base = (int32_t)(j->e.guest->tlb_offset + idx * TLB_SIZE * sizeof(struct tlb_entry));
    if (size > 1)
        x_enc(x, 64, 0x8d, X_RCX, 0, ra, -1, 0, (int32_t)(size - 1));   /* lea */
    else
        x_mov(x, 64, X_RCX, ra);
    x_alui(x, 64, X_AND, X_RCX, (int32_t)TLB_PAGE_MASK);
    int32_t tag = store ? offsetof(struct tlb_entry, write_tag) : offsetof(struct tlb_entry, read_tag);
    x_enc(x, 64, 0x3b, X_RCX, 0, X_RBP, slot, 0, base + tag);             /* cmp rcx, tag */
}

/* rax = the addend of the slot at env + slot reg. */
static void emit_addend(struct jit *j, unsigned memop, int slot)
{
    unsigned idx = IR_MEM_GET_IDX(memop) & (TLB_MMU_MODES - 1);
    int32_t base = (int32_t)(j->e.guest->tlb_offset + idx * TLB_SIZE * sizeof(struct tlb_entry));
    x_enc(&j->x, 64, 0x8b, X_RAX, 0, X_RBP, slot, 0, base + (int32_t)offsetof(struct tlb_entry, addend));
}

/* The host access itself at [base + areg + disp] (areg: rax = the addend after
   a probe, or an access group's addend register). */
static void emit_access(struct jit *j, const struct jslow *s, int base, int areg, int32_t disp)
{
    unsigned bytes = IR_MEM_GET_SIZE(s->memop);
    if (s->store) {
        if (s->val_imm)
            store_mem_imm(&j->x, s->imm32, bytes * 8, base, areg, disp);
        else
            store_mem(&j->x, s->val, bytes * 8, base, areg, disp);
        return;
    }
    bool sign = (s->memop & IR_MEM_SIGN) && bytes * 8 < s->width;
    load_mem(&j->x, s->dreg, bytes * 8, sign, base, areg, disp);
    if (sign && s->width < 64)
        x_zext(&j->x, s->width, s->dreg, s->dreg);
}

void gen_skipped_add(struct jit *j, const struct ir_op *op)
{
    ra_out(j, op->args[0], -1);
    ra_written(j, op->args[0], 64);
}

static uint8_t *tlb_probe(struct jit *j, ir_temp a, int ra, unsigned memop, bool store, ir_temp out,
                          bool *reused)
{
    unsigned size = IR_MEM_GET_SIZE(memop), idx = IR_MEM_GET_IDX(memop) & (TLB_MMU_MODES - 1);
    ir_temp bt;
    int64_t disp;
    jit_addr_parts(j, j->cur, a, &bt, &disp);
    *reused = can_reuse(j, bt, disp, size, idx);
    if (!*reused) {
        emit_slot(j, X_RDX, ra);
        j->pr_head = (int)j->cur;
        j->pr_base = bt;
        j->pr_disp = disp;
        j->pr_idx = idx;
    }
    if (out != IR_NONE && out == j->pr_base)
        j->pr_head = -1;      /* this LD overwrites the base: later accesses probe afresh */
    emit_tag_cmp(j, ra, memop, store, X_RDX);
    uint8_t *jcc = x_jcc32(&j->x, X_CC_NE);
    emit_addend(j, memop, X_RDX);
    return jcc;
}

/*
 * The first access of an access group (x86_64_grp.c): one probe for the
 * group's whole range [base + dmin, base + dend), which must lie in one page
 * whose read and/or write tag (as the members need) matches; the addend goes
 * to the group's register. A mismatch goes to the checked copy of the region.
 */
static void group_head(struct jit *j, struct jslow *s, struct jgrp *g, ir_temp out)
{
    struct xbuf *x = &j->x;
    int32_t tbase = (int32_t)(j->e.guest->tlb_offset + g->idx * TLB_SIZE * sizeof(struct tlb_entry));
    int64_t delta = g->dmin - j->opd[j->cur] + s->adisp;
    int lo = s->abase;
    if (delta) {
        x_enc(x, 64, 0x8d, X_RAX, 0, lo, -1, 0, (int32_t)delta);   /* lea rax, [A + delta] */
        lo = X_RAX;
    }
    emit_slot(j, X_RDX, lo);
    x_enc(x, 64, 0x8d, X_RCX, 0, lo, -1, 0, (int32_t)(g->dend - g->dmin - 1));
    x_alui(x, 64, X_AND, X_RCX, (int32_t)TLB_PAGE_MASK);
    s->jcc2_at = NULL;
    s->jcc_at = NULL;
    if (g->ld) {
        x_enc(x, 64, 0x3b, X_RCX, 0, X_RBP, X_RDX, 0, tbase + (int32_t)offsetof(struct tlb_entry, read_tag));
        s->jcc_at = x_jcc32(x, X_CC_NE);
    }
    if (g->st) {
        x_enc(x, 64, 0x3b, X_RCX, 0, X_RBP, X_RDX, 0, tbase + (int32_t)offsetof(struct tlb_entry, write_tag));
        *(s->jcc_at ? &s->jcc2_at : &s->jcc_at) = x_jcc32(x, X_CC_NE);
    }
    x_enc(x, 64, 0x8b, g->reg, 0, X_RBP, X_RDX, 0, tbase + (int32_t)offsetof(struct tlb_entry, addend));
    j->pr_head = -1;      /* rdx: the slot of a value base may no longer hold */
    (void)out;
}

/*
 * The access being compiled (s filled in but for jcc/reused/ret). In a block
 * with access groups, each region of ops from a group's first member to the
 * last member of the groups overlapping it is compiled twice (x86_64.c):
 *
 *  - J_FAST, inline: group heads probe for the whole group, other members are
 *    one host access, other accesses probe as usual; any failed check jumps
 *    to the same op in the checked copy, with the same register state.
 *  - J_CHECKED, after the block: every access probes on its own (no probe
 *    reuse: it may be entered at any access) and has its slow path, as
 *    outside regions; at its end it jumps back to the end of the inline copy.
 *
 * So members run unchecked only when their group's probe matched and no slow
 * path has run since: the TLB is then as the probe saw it.
 */
static void gen_access(struct jit *j, struct jslow *s, ir_temp addr_t, ir_temp out)
{
    int32_t g = j->opg[j->cur];
    struct jgrp *p = g >= 0 ? &j->grp[g] : NULL;
    s->jcc2_at = NULL;
    s->to_checked = false;
    if (p && j->cur == p->head)
        p->reg = (int8_t)ra_reserve(j);     /* in both copies: same register state */
    /* Globals are not stored here: only the slow path, the one place env is
       read or the block may be left, stores the ones newer in registers. */
    ra_dirty_globals(j, s);
    if (j->mode == J_CHECKED) {
        j->fb_at[j->cur] = j->x.p;          /* the inline copy's failed checks come here */
        if (s->abase != s->addr)            /* a folded member: its address ADD was left out */
            x_enc(&j->x, 64, 0x8d, s->addr, 0, s->abase, -1, 0, s->adisp);
    }
    if (!p || j->mode == J_CHECKED) {
        s->jcc_at = tlb_probe(j, addr_t, s->addr, s->memop, s->store, out, &s->reused);
        emit_access(j, s, s->addr, X_RAX, 0);
    } else {
        if (j->cur == p->head)
            group_head(j, s, p, out);
        else
            s->jcc_at = NULL;               /* no check at all */
        emit_access(j, s, s->abase, p->reg, s->adisp);
    }
    if (j->mode == J_FAST) {
        s->to_checked = true;               /* no slow path: its checks jump to the checked copy */
        s->has_insn = false;
        s->op = j->cur;
    }
    s->ret = j->x.p;
    if (p && j->cur == p->last)
        ra_unreserve(j, p->reg);
}

void gen_ld(struct jit *j, const struct ir_op *op)
{
    unsigned memop = (unsigned)op->aux, w = op->width;
    int ra = ra_in(j, op->args[1]);
    int rb = j->opf[j->cur] == JF_FOLDED ? ra_in(j, j->grp[j->opg[j->cur]].base) : ra;
    int rd = ra_out(j, op->args[0], -1);
    struct jslow *s = new_slow(j);
    if (!s)
        return;
    s->abase = (int8_t)rb;
    s->adisp = rb != ra ? (int32_t)j->opd[j->cur] : 0;
    s->store = false;
    s->addr = (int8_t)ra;
    s->dreg = (int8_t)rd;
    s->memop = memop;
    s->width = w;
    s->save = (ra_live_mask(j) & J_CALLER_SAVED & (uint16_t)~(1u << rd)) | (1u << X_RDX);
    gen_access(j, s, op->args[1], op->args[0]);
    ra_written(j, op->args[0], w);
}

void gen_st(struct jit *j, const struct ir_op *op)
{
    unsigned memop = (unsigned)op->aux;
    unsigned bits = IR_MEM_GET_SIZE(memop) * 8;
    int32_t imm = 0;
    bool isimm = ra_imm(j, op->args[0], bits, &imm);
    int rv = isimm ? -1 : ra_in(j, op->args[0]);
    int ra = ra_in(j, op->args[1]);
    int rb = j->opf[j->cur] == JF_FOLDED ? ra_in(j, j->grp[j->opg[j->cur]].base) : ra;
    struct jslow *s = new_slow(j);
    if (!s)
        return;
    s->abase = (int8_t)rb;
    s->adisp = rb != ra ? (int32_t)j->opd[j->cur] : 0;
    s->store = true;
    s->addr = (int8_t)ra;
    s->val = (int8_t)rv;
    s->val_imm = isimm;
    s->imm = j->t[op->args[0]].val;
    s->imm32 = imm;
    s->memop = memop;
    s->width = op->width;
    s->save = (ra_live_mask(j) & J_CALLER_SAVED) | (1u << X_RDX);  /* rdx: the probe slot */
    gen_access(j, s, op->args[1], IR_NONE);
}

static void gen_one_slow(struct jit *j, struct jslow *s)
{
    struct xbuf *x = &j->x;
    if (s->to_checked) {
        if (s->jcc_at)
            x_patch32(s->jcc_at, j->fb_at[s->op]);
        if (s->jcc2_at)
            x_patch32(s->jcc2_at, j->fb_at[s->op]);
        return;
    }
    x_patch32(s->jcc_at, x->p);
    if (s->reused) {
        /* The reused slot did not match: the full probe (slot in rax, rdx kept). */
        emit_slot(j, X_RAX, s->addr);
        emit_tag_cmp(j, s->addr, s->memop, s->store, X_RAX);
        uint8_t *jcc = x_jcc32(x, X_CC_NE);
        emit_addend(j, s->memop, X_RAX);
        emit_access(j, s, s->addr, X_RAX, 0);
        x_jcc_to(x, -1, s->ret);
        x_patch32(jcc, x->p);
    }
    for (unsigned i = 0; i < s->ndirty; i++)
        gen_store_env(j, s->dirty[i].reg, s->dirty[i].w, s->dirty[i].off);
    int pushed[16], n = 0;
    for (int r = 0; r < 16; r++) {
        if (s->save & (1u << r)) {
            if (r & 8)
                x_b(x, 0x41);
            x_b(x, (uint8_t)(0x50 + (r & 7)));
            pushed[n++] = r;
        }
    }
    if (n & 1)
        x_alui(x, 64, X_SUB, X_RSP, 8);
    if (s->store) {
        unsigned bits = IR_MEM_GET_SIZE(s->memop) * 8;
        if (s->val_imm)
            x_movi(x, X_RDX, bits < 64 ? s->imm & (((uint64_t)1 << bits) - 1) : s->imm);
        else
            x_zext(x, bits, X_RDX, s->val);
        x_mov(x, 64, X_RSI, s->addr);
        x_movi(x, X_RCX, s->memop);
    } else {
        x_mov(x, 64, X_RSI, s->addr);
        x_movi(x, X_RDX, s->memop);
    }
    x_mov(x, 64, X_RDI, X_RBP);
    if (s->store)
        x_call(x, (const void *)j->e.guest->slow.store);
    else
        x_call(x, (const void *)j->e.guest->slow.load);
    s->ra = x->p;
    if (n & 1)
        x_alui(x, 64, X_ADD, X_RSP, 8);
    while (n--) {
        int r = pushed[n];
        if (r & 8)
            x_b(x, 0x41);
        x_b(x, (uint8_t)(0x58 + (r & 7)));
    }
    if (!s->store) {
        unsigned bytes = IR_MEM_GET_SIZE(s->memop);
        extend_loaded(x, s->dreg, X_RAX, bytes, (s->memop & IR_MEM_SIGN) != 0, s->width);
    }
    x_jcc_to(x, -1, s->ret);
}

void gen_slow_paths(struct jit *j)
{
    for (unsigned i = 0; i < j->nslow; i++) {
        if (j->x.p + 512 > j->x.end) {
            j->fail = true;
            return;
        }
        gen_one_slow(j, &j->slow[i]);
    }
}

#endif
