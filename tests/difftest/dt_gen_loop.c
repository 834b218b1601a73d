/* SPDX-License-Identifier: MIT */
/* dt_gen_loop.c: the rloop class: counted loops (3..200 passes) around random bodies. */
#include <string.h>
#include "tests/difftest/dt_gen.h"

/*
 * A loop is three or more items of the sequence:
 *
 *   head:  mov [S+8], rsp; mov qword [S], n           L = the head's end
 *          (LOOP form: mov [S], rcx; mov ecx, n; L: xchg rcx, [S])
 *   body:  1..6 items: other classes' items, forward Jcc that skip body items, CPUID,
 *          and now and then one item that faults in a later pass (#PF, #DE)
 *   tail:  mov rsp, [S+8]; dec/sub/add the counter [S]; jnz/ja/jc L
 *          (LOOP form: xchg rcx, [S]; loop L; xchg rcx, [S])
 *
 * S is the loop id's slot pair at DT_SLOTS: nothing else addresses it, so the body cannot
 * change the count, and RSP is put back every pass (a body that pushes more than it pops
 * stays in the stack area). Inside the body [S] holds the counter in every form: the
 * late-fault items compute their address or divisor from it. The tail finds its head by
 * loop id (layout); once shrinking has dropped the head, the tail's branch goes nowhere.
 */

enum { F_DEC, F_DEC32, F_SUB, F_ADD, F_LOOP, F_FORMS };

/* op with an absolute [disp32] operand (ModRM 00 reg 100, SIB 25). rex: 0 or 0x48. */
static void abs_op(struct dt_item *it, uint8_t rex, uint8_t opc, int reg, uint64_t addr, int immsz,
                   uint64_t imm)
{
    uint8_t b[16];
    int n = 0;
    if (rex || reg >= 8)
        b[n++] = (uint8_t)(0x40 | rex | (reg >= 8 ? 4 : 0));
    b[n++] = opc;
    b[n++] = (uint8_t)(0x04 | (reg & 7) << 3);
    b[n++] = 0x25;
    uint32_t d = (uint32_t)addr;
    memcpy(b + n, &d, 4);
    n += 4;
    for (int i = 0; i < immsz; i++)
        b[n++] = (uint8_t)(imm >> (8 * i));
    dt_emit(it, b, n);
}

static void item_start(struct dt_item *it, int id, int role)
{
    memset(it, 0, sizeof *it);
    it->cls = DT_C_RLOOP;
    it->loop_id = (uint8_t)id;
    it->loop_role = (uint8_t)role;
}

static int any_reg(struct dt_gen *g, unsigned avoid)
{
    for (;;) {
        int r = (int)dt_below(&g->rng, 16);
        if (r != R_RSP && !(avoid & (1u << r)))
            return r;
    }
}

/* A memory access whose address walks up with the passes: mov r, [S]; neg r; then an
   access at [r*s + D], inside the data buffer while the counter is above c0 and faulting
   (#PF: straddling into the guard page, CR2 its first byte) when it reaches c0. */
static void gen_walker(struct dt_gen *g, struct dt_item *it, uint64_t slot, uint32_t c0)
{
    int r = any_reg(g, 0);
    abs_op(it, 0x48, 0x8b, r, slot, 0, 0);
    /* neg r (-v), or not r (-v - 1), which leaves the flags alone: then nothing in the
       item writes flags before the access faults, and a chained exit into a block that
       starts here must not have skipped storing them */
    bool use_not = dt_chance(g, 50);
    uint8_t neg[3] = { (uint8_t)(0x48 | (r >> 3)), 0xf7, (uint8_t)((use_not ? 0xd0 : 0xd8) | (r & 7)) };
    dt_emit(it, neg, 3);
    if (use_not)
        c0++;
    int size = 1 << dt_below(&g->rng, 4), scale = 1 << dt_below(&g->rng, 4);
    uint32_t u = dt_below(&g->rng, (uint32_t)(size < scale ? size : scale));
    uint64_t a0 = DT_GUARD - (uint64_t)size + 1 + u;   /* the faulting address */
    struct dt_ins in = { .osz = size, .opreg = -1, .modrm = true };
    /* mov r,m; mov m,r; add r,m; cmp m,r; add m,r (a read-modify-write: a missing
       page faults as a write, #PF W/R = 1) */
    static const uint8_t ops[5] = { 0x8a, 0x88, 0x02, 0x38, 0x00 };
    in.opc = (uint8_t)(ops[dt_below(&g->rng, 5)] + (size > 1));
    do
        in.reg = (int)dt_below(&g->rng, 16);
    while (in.reg == R_RSP || (size == 1 && in.reg >= 4 && in.reg < 8));
    in.rm.mem = true;
    in.rm.m.base = -1;
    in.rm.m.index = r;
    in.rm.m.scale = scale;
    in.rm.m.disp = (int32_t)(a0 + (uint64_t)c0 * (uint64_t)scale);
    dt_enc(it, &in);
    it->defs = use_not && in.opc <= 0x8b && in.opc >= 0x88 ? 0 : DT_ARITH;
}

/* A division by (counter - c0): #DE in the pass where the counter is c0. */
static void gen_divfault(struct dt_gen *g, struct dt_item *it, uint64_t slot, uint32_t c0)
{
    int r = any_reg(g, 1u << R_RAX | 1u << R_RDX);
    abs_op(it, 0x48, 0x8b, r, slot, 0, 0);
    /* sub r, c0; ...; xor edx, edx, or (flags untouched before the #DE)
       lea r, [r - c0]; ...; mov edx, 0 */
    bool noflags = dt_chance(g, 50);
    if (noflags) {
        struct dt_ins lea = { .osz = 8, .opreg = -1, .modrm = true, .opc = 0x8d, .reg = r };
        lea.rm.mem = true;
        lea.rm.m.base = r;
        lea.rm.m.index = -1;
        lea.rm.m.scale = 1;
        lea.rm.m.disp = -(int32_t)c0;
        dt_enc(it, &lea);
    } else {
        uint8_t sub[7] = { (uint8_t)(0x48 | (r >> 3)), 0x81, (uint8_t)(0xe8 | (r & 7)) };
        memcpy(sub + 3, &c0, 4);
        dt_emit(it, sub, 7);
    }
    uint32_t v = (uint32_t)dt_rand(&g->rng) & 0x7fffffff;
    uint8_t mov[5] = { 0xb8 };
    memcpy(mov + 1, &v, 4);
    dt_emit(it, mov, 5);
    if (noflags)
        dt_emit_movimm(it, R_RDX, 0);
    else {
        uint8_t xr[2] = { 0x31, 0xd2 };
        dt_emit(it, xr, 2);
    }
    bool w = dt_chance(g, 50);
    uint8_t d[3];
    int n = 0;
    if (w || r >= 8)
        d[n++] = (uint8_t)(0x40 | (w ? 8 : 0) | (r >> 3));
    d[n++] = 0xf7;
    d[n++] = (uint8_t)((dt_chance(g, 50) ? 0xf0 : 0xf8) | (r & 7));   /* DIV / IDIV */
    dt_emit(it, d, n);
    it->undefs = DT_ARITH;
}

/* CPUID (a helper call in kiln) with its results thrown away: the registers are pushed
   and popped around it (the host and kiln report different CPUs). */
static void gen_cpuid(struct dt_gen *g, struct dt_item *it)
{
    static const uint8_t push[4] = { 0x50, 0x53, 0x51, 0x52 };
    static const uint8_t pop[4] = { 0x5a, 0x59, 0x5b, 0x58 };
    for (int i = 0; i < 4; i++)
        dt_emit(it, &push[i], 1);
    if (dt_chance(g, 50)) {
        static const uint32_t leaves[6] = { 0, 1, 7, 0xd, 0x80000000u, 0x80000001u };
        dt_emit_movimm(it, R_RAX, leaves[dt_below(&g->rng, 6)]);
        dt_emit_movimm(it, R_RCX, dt_below(&g->rng, 2));
    }
    uint8_t c[2] = { 0x0f, 0xa2 };
    dt_emit(it, c, 2);
    for (int i = 0; i < 4; i++)
        dt_emit(it, &pop[i], 1);
}

/* A forward Jcc inside the body: skip .. items on (at most to the tail). */
static void gen_jcc(struct dt_gen *g, struct dt_item *it, int skip)
{
    int cc = (int)dt_below(&g->rng, 16);
    if (dt_chance(g, 70)) {
        uint8_t b[2] = { (uint8_t)(0x70 + cc), 0 };
        dt_emit(it, b, 2);
        it->br_size = 1;
    } else {
        uint8_t b[6] = { 0x0f, (uint8_t)(0x80 + cc) };
        dt_emit(it, b, 6);
        it->br_size = 4;
    }
    it->br_off = (uint8_t)(it->len - it->br_size);
    it->br_next = it->len;
    it->br_skip = (uint8_t)skip;
    it->reads = dt_cc_flags(cc);
}

static uint32_t pass_count(struct dt_gen *g)
{
    switch (dt_below(&g->rng, 5)) {
    case 0: case 1: return 3 + dt_below(&g->rng, 8);       /* 3..10 */
    case 2: case 3: return 11 + dt_below(&g->rng, 50);     /* 11..60 */
    default: return 61 + dt_below(&g->rng, 140);           /* 61..200 */
    }
}

int dt_gen_rloop(struct dt_gen *g, struct dt_seq *s, int i, int room, int id, const int *cls, int nc)
{
    uint64_t slot = DT_SLOTS + 16u * (unsigned)id;
    int form = (int)dt_below(&g->rng, F_FORMS);
    uint32_t n = pass_count(g);
    int maxk = room - 2 < 6 ? room - 2 : 6;
    int k = 1 + (int)dt_below(&g->rng, (uint32_t)maxk);
    /* counter values seen by the body: n..1, or n-1..0 for the add/jc form */
    uint32_t vmax = form == F_ADD ? n - 1 : n, vmin = vmax + 1 - n;
    bool faulted = false;
    for (int p = 0; p < k; p++) {
        struct dt_item *it = &s->it[i + 1 + p];
        int left = k - 1 - p;                    /* body items after this one */
        uint32_t roll = dt_below(&g->rng, 100);
        if (!faulted && roll < 5) {
            /* fault in a later pass: counter c0 in vmin..vmax-1 (not the first pass) */
            uint32_t c0 = vmin + dt_below(&g->rng, vmax - vmin);
            item_start(it, id, 0);
            if (dt_chance(g, 70))
                gen_walker(g, it, slot, c0);
            else
                gen_divfault(g, it, slot, c0);
            faulted = true;
        } else if (roll < 12) {
            item_start(it, id, 0);
            gen_cpuid(g, it);
        } else if (roll < 35 && left > 0) {
            item_start(it, id, 0);
            it->cls = DT_C_JMP;
            gen_jcc(g, it, 1 + (int)dt_below(&g->rng, (uint32_t)(left < 3 ? left : 3)));
        } else {
            for (int tries = 0; tries < 50; tries++) {
                dt_gen_item(g, cls[dt_below(&g->rng, (uint32_t)nc)], it);
                if (!g->insn || dt_item_has(it, g->insn))
                    break;
            }
            /* forward branches of the item mostly stay inside the body */
            if (it->br_size && it->br_skip > left && dt_chance(g, 80))
                it->br_skip = (uint8_t)left;
            continue;                            /* dt_gen_item finished it */
        }
        dt_item_finish(g, it);
    }
    /* the back edge's reach, with every body prelude on */
    uint32_t span = 0;
    for (int p = 0; p < k; p++)
        span += s->it[i + 1 + p].len + s->it[i + 1 + p].pre_len;
    if (form == F_LOOP && span + 8 + 8 + 8 + 3 > 128)
        form = F_DEC;                            /* LOOP has only rel8 */
    bool rel8 = span + 8 + 9 + 2 <= 128 && dt_chance(g, 70);

    struct dt_item *h = &s->it[i];
    item_start(h, id, DT_LOOP_HEAD);
    abs_op(h, 0x48, 0x89, R_RSP, slot + 8, 0, 0);            /* mov [S+8], rsp */
    if (form == F_LOOP) {
        abs_op(h, 0x48, 0x89, R_RCX, slot, 0, 0);            /* mov [S], rcx */
        dt_emit_movimm(h, R_RCX, n);                         /* mov ecx, n */
        h->loop_lbl = h->len;
        abs_op(h, 0x48, 0x87, R_RCX, slot, 0, 0);            /* L: xchg rcx, [S] */
    } else {
        abs_op(h, 0x48, 0xc7, 0, slot, 4, vmax);              /* mov qword [S], n */
        h->loop_lbl = h->len;
    }
    dt_item_finish(g, h);

    struct dt_item *t = &s->it[i + 1 + k];
    item_start(t, id, DT_LOOP_TAIL);
    abs_op(t, 0x48, 0x8b, R_RSP, slot + 8, 0, 0);            /* mov rsp, [S+8] */
    int cc = 5;                                              /* jnz */
    switch (form) {
    case F_DEC:
    case F_DEC32:                                            /* dec qword/dword [S] */
        abs_op(t, form == F_DEC ? 0x48 : 0, 0xff, 1, slot, 0, 0);
        t->defs = DT_ARITH & ~DT_CF;
        break;
    case F_SUB:                                              /* sub qword [S], 1; jnz/ja */
        abs_op(t, 0x48, 0x83, 5, slot, 1, 1);
        t->defs = DT_ARITH;
        if (dt_chance(g, 50))
            cc = 7;
        break;
    case F_ADD:                                              /* add qword [S], -1; jc */
        abs_op(t, 0x48, 0x83, 0, slot, 1, 0xff);
        t->defs = DT_ARITH;
        cc = 2;
        break;
    default: {                                               /* xchg; [67] loop; xchg */
        abs_op(t, 0x48, 0x87, R_RCX, slot, 0, 0);
        bool a32 = dt_chance(g, 30);
        uint8_t l[3] = { 0x67, 0xe2, 0 };
        dt_emit(t, a32 ? l : l + 1, a32 ? 3 : 2);
        t->br_size = 1;
        t->br_off = (uint8_t)(t->len - 1);
        t->br_next = t->len;
        abs_op(t, 0x48, 0x87, R_RCX, slot, 0, 0);
        break;
    }
    }
    if (form != F_LOOP) {
        if (rel8) {
            uint8_t b[2] = { (uint8_t)(0x70 + cc), 0 };
            dt_emit(t, b, 2);
            t->br_size = 1;
        } else {
            uint8_t b[6] = { 0x0f, (uint8_t)(0x80 + cc) };
            dt_emit(t, b, 6);
            t->br_size = 4;
        }
        t->br_off = (uint8_t)(t->len - t->br_size);
        t->br_next = t->len;
    }
    dt_item_finish(g, t);
    return k + 2;
}
