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
 * The TLB probe: leaves the entry's offset from env in rax and jumps to a
 * slow path unless the tag matches; then rax = the addend.
 */
static uint8_t *tlb_probe(struct jit *j, int ra, unsigned memop, bool store)
{
    struct xbuf *x = &j->x;
    unsigned size = IR_MEM_GET_SIZE(memop);
    int32_t base = (int32_t)(j->e.guest->tlb_offset +
                             (IR_MEM_GET_IDX(memop) & (TLB_MMU_MODES - 1)) * TLB_SIZE *
                             sizeof(struct tlb_entry));
    if (j->has_bmi2) {
        /* rorx eax, A32, 7 (the slot bits are below bit 32): no copy first */
        _Static_assert(TLB_PAGE_BITS + TLB_BITS <= 32, "rorx sees the low 32 bits");
        x_b(x, 0xc4);
        x_b(x, (uint8_t)(0x80 | 0x40 | ((ra & 8) ? 0 : 0x20) | 0x03));   /* ~R ~X ~B, map 0F3A */
        x_b(x, 0x7b);
        x_b(x, 0xf0);
        x_b(x, (uint8_t)(0xc0 | (X_RAX << 3) | (ra & 7)));
        x_b(x, TLB_PAGE_BITS - 5);
    } else {
        x_mov(x, 64, X_RAX, ra);
        x_shift(x, 64, X_SHR, X_RAX, TLB_PAGE_BITS - 5);
    }
    x_alui(x, 32, X_AND, X_RAX, (TLB_SIZE - 1) << 5);
    if (size > 1)
        x_enc(x, 64, 0x8d, X_RCX, 0, ra, -1, 0, (int32_t)(size - 1));   /* lea */
    else
        x_mov(x, 64, X_RCX, ra);
    x_alui(x, 64, X_AND, X_RCX, (int32_t)TLB_PAGE_MASK);
    int32_t tag = store ? offsetof(struct tlb_entry, write_tag) : offsetof(struct tlb_entry, read_tag);
    x_enc(x, 64, 0x3b, X_RCX, 0, X_RBP, X_RAX, 0, base + tag);             /* cmp rcx, tag */
    uint8_t *jcc = x_jcc32(x, X_CC_NE);
    x_enc(x, 64, 0x8b, X_RAX, 0, X_RBP, X_RAX, 0,
          base + (int32_t)offsetof(struct tlb_entry, addend));
    return jcc;
}

void gen_ld(struct jit *j, const struct ir_op *op)
{
    unsigned memop = (unsigned)op->aux, w = op->width;
    int ra = ra_in(j, op->args[1]);
    int rd = ra_out(j, op->args[0], -1);
    ra_sync_globals(j, false);
    struct jslow *s = new_slow(j);
    if (!s)
        return;
    s->store = false;
    s->addr = (int8_t)ra;
    s->dreg = (int8_t)rd;
    s->memop = memop;
    s->width = w;
    s->save = ra_live_mask(j) & J_CALLER_SAVED & (uint16_t)~(1u << rd);
    s->jcc_at = tlb_probe(j, ra, memop, false);
    unsigned bytes = IR_MEM_GET_SIZE(memop);
    bool sign = (memop & IR_MEM_SIGN) && bytes * 8 < w;
    load_mem(&j->x, rd, bytes * 8, sign, ra, X_RAX, 0);
    if (sign && w < 64)
        x_zext(&j->x, w, rd, rd);
    s->ret = j->x.p;
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
    ra_sync_globals(j, false);
    struct jslow *s = new_slow(j);
    if (!s)
        return;
    s->store = true;
    s->addr = (int8_t)ra;
    s->val = (int8_t)rv;
    s->val_imm = isimm;
    s->imm = j->t[op->args[0]].val;
    s->memop = memop;
    s->width = op->width;
    s->save = ra_live_mask(j) & J_CALLER_SAVED;
    s->jcc_at = tlb_probe(j, ra, memop, true);
    if (isimm)
        store_mem_imm(&j->x, imm, bits, ra, X_RAX, 0);
    else
        store_mem(&j->x, rv, bits, ra, X_RAX, 0);
    s->ret = j->x.p;
}

static void gen_one_slow(struct jit *j, struct jslow *s)
{
    struct xbuf *x = &j->x;
    x_patch32(s->jcc_at, x->p);
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
        if (j->x.p + 256 > j->x.end) {
            j->fail = true;
            return;
        }
        gen_one_slow(j, &j->slow[i]);
    }
}

#endif
