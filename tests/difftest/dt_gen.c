/* SPDX-License-Identifier: MIT */
/* dt_gen.c: difftest sequence generator core: classes, operands, flag dataflow, layout. */
#include <string.h>
#include "cpu/decode.h"
#include "tests/difftest/dt_gen.h"

static const char *const class_names[DT_C_COUNT] = {
    [DT_C_ALU] = "alu", [DT_C_TEST] = "test", [DT_C_INCDEC] = "incdec",
    [DT_C_NEGNOT] = "negnot", [DT_C_MUL] = "mul", [DT_C_IMUL] = "imul", [DT_C_DIV] = "div",
    [DT_C_SHIFT] = "shift", [DT_C_SHXD] = "shxd", [DT_C_BT] = "bt", [DT_C_BITSCAN] = "bitscan",
    [DT_C_BMI1] = "bmi1", [DT_C_BMI2] = "bmi2", [DT_C_ADX] = "adx", [DT_C_MOV] = "mov",
    [DT_C_MOVX] = "movx", [DT_C_MOVBE] = "movbe", [DT_C_LEA] = "lea", [DT_C_XCHG] = "xchg",
    [DT_C_CMPXCHG] = "cmpxchg", [DT_C_CMPXCHGB] = "cmpxchg8b16b", [DT_C_XADD] = "xadd",
    [DT_C_BSWAP] = "bswap", [DT_C_CMOV] = "cmov", [DT_C_SETCC] = "setcc", [DT_C_JMP] = "jmp",
    [DT_C_CALL] = "call", [DT_C_LOOP] = "loop", [DT_C_PUSHPOP] = "pushpop",
    [DT_C_ENTER] = "enter", [DT_C_CONVERT] = "convert", [DT_C_FLAGS] = "flags",
    [DT_C_STRING] = "string", [DT_C_XLAT] = "xlat", [DT_C_NOP] = "nop", [DT_C_FAULT] = "fault",
    [DT_C_NONCANON] = "noncanon", [DT_C_PFSPLIT] = "pfsplit", [DT_C_SMC] = "smc",
    [DT_C_REPFAULT] = "repfault", [DT_C_X87] = "x87", [DT_C_MMX] = "mmx", [DT_C_SSEFP] = "ssefp",
    [DT_C_SSEINT] = "sseint", [DT_C_SSE4] = "sse4", [DT_C_AES] = "aes", [DT_C_RLOOP] = "rloop",
};

const char *dt_class_name(int cls)
{
    return cls >= 0 && cls < DT_C_COUNT ? class_names[cls] : "?";
}

int dt_class_by_name(const char *name)
{
    for (int i = 0; i < DT_C_COUNT; i++)
        if (!strcmp(name, class_names[i]))
            return i;
    return -1;
}

void dt_gen_init(struct dt_gen *g, uint64_t seed)
{
    memset(g, 0, sizeof *g);
    g->rng.s = seed;
    dt_cpu_features(&g->feat);
    for (int i = 0; i < DT_C_COUNT; i++)
        g->avail[i] = true;
    /* bitscan needs LZCNT/POPCNT (else F3 0F BD is BSR): checked per form in the generator */
    g->avail[DT_C_BMI1] = g->feat.bmi1;
    g->avail[DT_C_BMI2] = g->feat.bmi2;
    g->avail[DT_C_ADX] = g->feat.adx;
    g->avail[DT_C_MOVBE] = g->feat.movbe;
    for (int i = 0; i < DT_C_COUNT; i++)
        g->enabled[i] = g->avail[i];
}

void dt_ctx_init(struct dt_gen *g, struct dt_ctx *c, int osz)
{
    c->osz = osz;
    c->norex = osz == 1 && dt_chance(g, 40);
    c->rex = false;
}

int dt_rand_osz(struct dt_gen *g, int min_size)
{
    for (;;) {
        int s = 1 << dt_below(&g->rng, 4);
        if (s >= min_size)
            return s;
    }
}

static int reg_pick(struct dt_gen *g, struct dt_ctx *c, bool dst)
{
    for (;;) {
        int r = (int)dt_below(&g->rng, c->norex ? 8 : 16);
        if (c->osz == 1 && c->norex)
            return r;                     /* 4..7 = AH..BH */
        if (dst && r == R_RSP)
            continue;
        if (c->osz == 1 && r >= 4 && r <= 7)
            c->rex = true;                /* SPL..DIL */
        return r;
    }
}

int dt_reg_dst(struct dt_gen *g, struct dt_ctx *c) { return reg_pick(g, c, true); }
int dt_reg_src(struct dt_gen *g, struct dt_ctx *c) { return reg_pick(g, c, false); }

uint64_t dt_imm(struct dt_gen *g, int n)
{
    uint64_t v = dt_value(&g->rng);
    return n >= 8 ? v : v & ((1ull << (8 * n)) - 1);
}

uint16_t dt_cc_flags(int cc)
{
    static const uint16_t t[8] = { DT_OF, DT_CF, DT_ZF, DT_CF | DT_ZF, DT_SF, DT_PF,
                                   DT_SF | DT_OF, DT_ZF | DT_SF | DT_OF };
    return t[(cc >> 1) & 7];
}

static int addr_reg(struct dt_gen *g, struct dt_ctx *c, unsigned avoid)
{
    for (;;) {
        int r = (int)dt_below(&g->rng, c->norex ? 8 : 16);
        if (r != R_RSP && !(avoid & (1u << r)))
            return r;
    }
}

uint32_t dt_mem(struct dt_gen *g, struct dt_item *it, struct dt_ctx *c, int size, int align,
                int margin, unsigned avoid, struct dt_rm *rm)
{
    struct dt_rng *r = &g->rng;
    if (align < 1)
        align = 1;
    uint32_t span = DT_HEAP_SIZE - 2 * (uint32_t)margin - (uint32_t)size;
    uint32_t t = (uint32_t)margin + dt_below(r, span);
    if (dt_chance(g, 50))
        t &= ~(uint32_t)(align > 8 ? align - 1 : 7);
    t &= ~(uint32_t)(align - 1);
    if (align == 1 && size > 1 && dt_chance(g, 10))   /* straddle the page boundary */
        t = 0x1000 - 1 - dt_below(r, (uint32_t)size - 1);
    uint64_t addr = DT_DATA + t;
    struct dt_mem *m = &rm->m;
    memset(rm, 0, sizeof *rm);
    rm->mem = true;
    m->base = m->index = -1;
    m->scale = 1;
    int form = (int)dt_below(r, 10);
    /* segment override: ES/CS/SS/DS are ignored in 64-bit mode, GS adds DT_GS_BASE */
    static const uint8_t segs[5] = { 0x26, 0x2e, 0x36, 0x3e, 0x65 };
    if (dt_chance(g, 15))
        m->seg = segs[dt_below(r, 5)];
    if (form == 0 && !c->norex) {       /* RIP-relative */
        if (m->seg == 0x65)
            m->seg = 0x3e;
        m->rip = true;
        m->disp = (int32_t)t;
        return t;
    }
    if (m->seg == 0x65)
        addr -= DT_GS_BASE;
    if (form == 1) {                    /* absolute disp32 */
        m->disp = (int32_t)addr;
        return t;
    }
    switch (dt_below(r, 4)) {
    case 0: m->disp = 0; break;
    case 1: m->disp = (int32_t)dt_below(r, 256) - 128; break;
    case 2: m->disp = (int32_t)(dt_rand(r) & 0xffff) - 0x8000; break;
    default: m->disp = (int32_t)dt_rand(r); break;
    }
    m->addr32 = dt_chance(g, 20);
    bool has_index = form >= 6;
    bool has_base = form != 2;
    uint64_t idxval = 0;
    if (has_index) {
        m->index = addr_reg(g, c, avoid);
        m->scale = 1 << dt_below(r, 4);
        idxval = dt_chance(g, 50) ? (uint64_t)((int64_t)dt_below(r, 128) - 64) : dt_rand(r) & 0xffffff;
    }
    if (has_base) {
        do
            m->base = addr_reg(g, c, avoid);
        while (m->base == m->index);
    } else if (!has_index) {
        m->index = addr_reg(g, c, avoid);
        m->scale = 1;
    }
    if (!has_base && !has_index) {
        has_index = true;
        idxval = 0;
    }
    uint64_t rest = addr - (uint64_t)(int64_t)m->disp - idxval * (uint64_t)m->scale;
    uint64_t baseval = rest;
    if (!has_base) {
        /* index only: index*scale + disp = addr */
        m->scale = 1;
        idxval = addr - (uint64_t)(int64_t)m->disp;
    }
    if (m->addr32) {
        /* only the low 32 bits count: add junk above */
        baseval = (baseval & 0xffffffffu) | (dt_chance(g, 50) ? dt_rand(r) << 32 : 0);
        idxval = (idxval & 0xffffffffu) | (dt_chance(g, 50) ? dt_rand(r) << 32 : 0);
    }
    if (m->index >= 0)
        dt_emit_movimm(it, m->index, idxval);
    if (has_base)
        dt_emit_movimm(it, m->base, baseval);
    return t;
}

void dt_rm_any(struct dt_gen *g, struct dt_item *it, struct dt_ctx *c, bool dst, bool allow_mem,
               unsigned avoid, struct dt_rm *rm)
{
    if (allow_mem && dt_chance(g, 50)) {
        dt_mem(g, it, c, c->osz, 1, 0, avoid, rm);
        return;
    }
    *rm = dt_rm_reg(dst ? dt_reg_dst(g, c) : dt_reg_src(g, c));
}

void dt_gen_item(struct dt_gen *g, int cls, struct dt_item *it)
{
    memset(it, 0, sizeof *it);
    it->cls = (uint8_t)cls;
    switch (cls) {
    case DT_C_ALU: case DT_C_TEST: case DT_C_INCDEC: case DT_C_NEGNOT: case DT_C_MUL:
    case DT_C_IMUL: case DT_C_DIV: case DT_C_SHIFT: case DT_C_SHXD:
        dt_gen_int(g, cls, it);
        break;
    case DT_C_BT: case DT_C_BITSCAN: case DT_C_BMI1: case DT_C_BMI2: case DT_C_ADX:
    case DT_C_BSWAP: case DT_C_CMOV: case DT_C_SETCC:
        dt_gen_bits(g, cls, it);
        break;
    case DT_C_JMP: case DT_C_CALL: case DT_C_LOOP: case DT_C_PUSHPOP: case DT_C_ENTER:
    case DT_C_FLAGS: case DT_C_STRING: case DT_C_FAULT: case DT_C_NONCANON: case DT_C_PFSPLIT:
    case DT_C_SMC: case DT_C_REPFAULT:
        dt_gen_ctl(g, cls, it);
        break;
    case DT_C_X87:
        dt_gen_x87(g, it);
        break;
    case DT_C_MMX: case DT_C_SSEFP: case DT_C_SSEINT: case DT_C_SSE4: case DT_C_AES:
        dt_gen_simd(g, cls, it);
        break;
    default:
        dt_gen_data(g, cls, it);
        break;
    }
    dt_item_finish(g, it);
}

void dt_item_finish(struct dt_gen *g, struct dt_item *it)
{
    int cls = it->cls;
    /* undefined flags kiln claims to match are compared: treat them as defined */
    uint16_t claimed = it->undefs & (uint16_t)~dt_undef_mask(cls);
    it->undefs &= (uint16_t)~claimed;
    it->defs |= claimed;
    /* prelude: cmp r64, r64 (defines every arithmetic flag, changes nothing else) */
    int a = (int)dt_below(&g->rng, 16), b = (int)dt_below(&g->rng, 16);
    it->pre_len = 3;
    it->pre[0] = (uint8_t)(0x48 | (a >> 3) << 2 | (b >> 3));
    it->pre[1] = 0x39;
    it->pre[2] = (uint8_t)(0xc0 | (a & 7) << 3 | (b & 7));
}

bool dt_item_has(const struct dt_item *it, const char *name)
{
    for (int j = 0; j < it->ninsns && j < DT_ITEM_INSNS; j++) {
        struct x86_insn in;
        if (x86_decode(it->b + it->ofs[j], it->len - it->ofs[j], X86_MODE_64, &in) == X86_DECODE_OK &&
            !strcmp(x86_op_name(in.op), name))
            return true;
    }
    return false;
}

void dt_gen_seq(struct dt_gen *g, struct dt_seq *s, int max_items)
{
    int cls[DT_C_COUNT], nc = 0;
    for (int i = 0; i < DT_C_COUNT; i++)
        if (g->enabled[i] && g->avail[i])
            cls[nc++] = i;
    if (max_items > DT_MAX_ITEMS)
        max_items = DT_MAX_ITEMS;
    s->n = nc ? 1 + (int)dt_below(&g->rng, (uint32_t)max_items) : 0;
    s->org = dt_chance(g, 50) ? 0 : dt_below(&g->rng, 0x1800);
    /* rloop bodies: the other enabled classes, or every available one if none; not
       the classes that always fault (a loop that faults in its first pass is no loop) */
    int body[DT_C_COUNT], nb = 0, loops = 0;
    for (int pass = 0; pass < 3 && !nb; pass++)
        for (int i = 0; i < DT_C_COUNT; i++)
            if (i != DT_C_RLOOP && g->avail[i] && (pass == 2 || g->enabled[i]) &&
                (pass == 1 || (i != DT_C_FAULT && i != DT_C_NONCANON && i != DT_C_PFSPLIT &&
                               i != DT_C_REPFAULT)))
                body[nb++] = i;
    for (int i = 0; i < s->n; i++) {
        for (int tries = 0;; tries++) {
            int c = cls[dt_below(&g->rng, (uint32_t)nc)];
            if (c == DT_C_RLOOP) {
                if (loops >= 2 || i + 3 > DT_MAX_ITEMS) {
                    if (nc == 1) {       /* only loops, and no room for one more */
                        s->n = i;
                        return;
                    }
                    continue;
                }
                /* a loop takes 3..8 items: the sequence grows if it must */
                int room = s->n - i < 8 ? 8 : s->n - i;
                if (room > DT_MAX_ITEMS - i)
                    room = DT_MAX_ITEMS - i;
                int used = dt_gen_rloop(g, s, i, room, loops++, body, nb);
                if (i + used > s->n)
                    s->n = i + used;
                i += used - 1;
                break;
            }
            dt_gen_item(g, c, &s->it[i]);
            if (!g->insn || dt_item_has(&s->it[i], g->insn))
                break;
            if (tries > 5000) {          /* no enabled class makes it */
                s->n = i;
                return;
            }
        }
    }
}

void dt_gen_state(struct dt_gen *g, struct dt_state *st)
{
    for (int i = 0; i < 16; i++)
        st->gpr[i] = dt_value(&g->rng);
    st->gpr[R_RSP] = DT_STACK_TOP - 8 * dt_below(&g->rng, 8) - (dt_chance(g, 15) ? dt_below(&g->rng, 8) : 0);
    st->rflags = (dt_rand(&g->rng) & DT_ARITH) | (dt_chance(g, 20) ? DT_DF : 0);
    for (uint32_t i = 0; i < DT_DATA_SIZE; i += 8) {
        uint64_t v = dt_chance(g, 10) ? dt_value(&g->rng) : dt_rand(&g->rng);
        memcpy(st->data + i, &v, 8);
    }
    dt_gen_fpstate(g, st);
    /* drawn last: the state above stays what it was before the slices were added */
    st->kiln_slice = 0;
    st->kiln_sync = false;
    if (dt_chance(g, 12)) {
        static const uint32_t lim[3] = { 8, 64, 1000 };
        st->kiln_slice = 1 + dt_below(&g->rng, lim[dt_below(&g->rng, 3)]);
        st->kiln_sync = dt_chance(g, 50);
    }
    st->kiln_poke_us = dt_chance(g, 4) ? 50 + dt_below(&g->rng, 450) : 0;
}

/* The head of loop tail i (same loop id, before it), or -1. */
static int loop_head(const struct dt_seq *s, int i)
{
    for (int j = i - 1; j >= 0; j--)
        if (s->it[j].loop_role == DT_LOOP_HEAD && s->it[j].loop_id == s->it[i].loop_id)
            return j;
    return -1;
}

void dt_layout(const struct dt_seq *s, uint8_t term, struct dt_code *c)
{
    int n = s->n, tgt[DT_MAX_ITEMS];
    /* branch targets, sized with every prelude on so that rel8 stays in range */
    for (int i = 0; i < n; i++) {
        const struct dt_item *it = &s->it[i];
        if (it->loop_role == DT_LOOP_TAIL) {
            tgt[i] = loop_head(s, i);    /* backward (to the head's label), or -1: none */
            continue;
        }
        int t = i + 1 + it->br_skip;
        if (t > n)
            t = n;
        /* never into a loop past its head (its counter would not be set) */
        for (int j = i + 1; j < t; j++)
            if (s->it[j].loop_role == DT_LOOP_HEAD)
                t = j;
        if (it->br_size == 1) {
            for (;;) {
                int dist = 0;
                for (int j = i + 1; j < t; j++)
                    dist += s->it[j].len + s->it[j].pre_len;
                if (dist <= 127)
                    break;
                t--;
            }
        }
        tgt[i] = t;
    }
    /* flag dataflow: forward edges, and loop back edges to the item after the head
       (the head's part after its label leaves the flags alone): repeat to a fixed point */
    uint16_t in[DT_MAX_ITEMS + 1];
    memset(in, 0, sizeof in);
    for (bool changed = true; changed;) {
        changed = false;
        for (int i = 0; i < n; i++) {
            const struct dt_item *it = &s->it[i];
            c->pre_on[i] = (it->reads & in[i]) != 0;
            uint16_t e = c->pre_on[i] ? 0 : in[i];
            uint16_t out = (uint16_t)((e & ~it->defs) | it->undefs);
            int to[2] = { it->br_uncond ? -1 : i + 1, -1 };
            if (it->loop_role == DT_LOOP_TAIL)
                to[1] = tgt[i] >= 0 ? tgt[i] + 1 : -1;
            else if (it->br_size)
                to[1] = tgt[i];
            for (int k = 0; k < 2; k++) {
                if (to[k] >= 0 && (in[to[k]] | out) != in[to[k]]) {
                    in[to[k]] |= out;
                    changed = true;
                }
            }
        }
    }
    memcpy(c->in_undef, in, sizeof in);
    /* emit */
    uint32_t pos = s->org;
    if (pos > DT_CODE_SIZE - DT_MAX_ITEMS * (DT_ITEM_MAX + 4) - 1)
        pos = 0;
    memset(c->b, 0, pos);
    c->org = pos;
    c->ninsns = 0;
    for (int i = 0; i < n; i++) {
        const struct dt_item *it = &s->it[i];
        c->start[i] = pos;
        if (c->pre_on[i]) {
            memcpy(c->b + pos, it->pre, it->pre_len);
            pos += it->pre_len;
            c->ninsns++;
        }
        memcpy(c->b + pos, it->b, it->len);
        pos += it->len;
        c->ninsns += it->ninsns;
    }
    c->start[n] = pos;
    c->len = pos;
    for (int i = 0; i < n; i++) {
        const struct dt_item *it = &s->it[i];
        uint32_t at = c->start[i] + (c->pre_on[i] ? it->pre_len : 0);
        if (it->loop_role == DT_LOOP_TAIL) {
            int32_t d = 0;               /* no head: branch to the next instruction */
            if (tgt[i] >= 0) {
                const struct dt_item *h = &s->it[tgt[i]];
                uint32_t l = c->start[tgt[i]] + (c->pre_on[tgt[i]] ? h->pre_len : 0) + h->loop_lbl;
                d = (int32_t)(l - (at + it->br_next));
                if (it->br_size == 1 && d < -128)
                    d = 0;               /* (the generator sizes rel8 to fit) */
            }
            if (it->br_size == 1)
                c->b[at + it->br_off] = (uint8_t)d;
            else
                memcpy(c->b + at + it->br_off, &d, 4);
        } else if (it->br_size) {
            int32_t d = (int32_t)(c->start[tgt[i]] - (at + it->br_next));
            if (it->br_size == 1)
                c->b[at + it->br_off] = (uint8_t)d;
            else
                memcpy(c->b + at + it->br_off, &d, 4);
        }
        if (it->has_rip) {
            int64_t d = (int64_t)(DT_DATA + it->rip_target) -
                        (int64_t)(DT_MEM_BASE + at + it->rip_next);
            int32_t d32 = (int32_t)d;
            memcpy(c->b + at + it->rip_off, &d32, 4);
        }
    }
    c->b[pos] = term;
}
