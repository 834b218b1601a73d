/* SPDX-License-Identifier: MIT */
/* interp.c: the portable IR interpreter engine (the reference semantics; runs on any host). */
#include <stdlib.h>
#include <string.h>
#include "translate/engine.h"
#include "translate/tb.h"
#include "translate/ir_eval.h"

/*
 * compile() lowers the block to a compact array of struct iop whose operands
 * are direct indices ("slots") into a uint64_t register file:
 *
 *   slot 0              always 0 (absent CALL inputs)
 *   slots 1..nglobals   the globals (slot == temp index)
 *   then the constants, then the locals, then one scratch slot (absent CALL output)
 *
 * Globals are loaded from env when a block is entered and written through to
 * env by an IOP_GST right after every op that writes one, so env is always
 * current (every sync point is satisfied for free); after a CALL that may
 * touch env, the globals are reloaded. NOP, INSN_START and LABEL vanish;
 * branches hold the index of their target. The aux of each INSN_START goes to
 * the block's insns[]; LD (in its unused b) and ST (in its unused d) keep 1 +
 * the index of the last one before them (0: none), and exec points ip->cur at
 * it while their slow path runs, for insn_at.
 */

enum { IOP_GST = IR_NUM_OPS };

struct iop {
    uint8_t opc, w, cond, pad;
    uint32_t d, a, b;
    uint64_t m;     /* width mask */
    uint64_t aux;   /* op-specific, see compile */
};

struct icall {
    ir_helper_fn fn;
    uint32_t d, a[4];
    bool reload;
};

struct iglobal {
    uint32_t slot;
    int32_t off;
    uint32_t w;
};

struct iblock {
    unsigned nops, nconsts, nglobals, ncalls, ninsns;
    unsigned const_base, local_base, nlocals, nslots;
    struct iop *ops;
    uint64_t *consts;
    struct iglobal *globals;
    struct icall *calls;
    uint64_t *insns;
};

struct interp {
    unsigned max_slots;
    const uint64_t *cur;   /* INSN_START aux of the LD/ST whose slow path runs, or NULL */
};

/* ---- env and guest memory access ---- */

static inline uint64_t env_load(const uint8_t *p, unsigned w)
{
    switch (w) {
    case 8: return *p;
    case 16: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 32: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static inline void env_store(uint8_t *p, unsigned w, uint64_t v)
{
    switch (w) {
    case 8: *p = (uint8_t)v; break;
    case 16: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
    case 32: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
    default: memcpy(p, &v, 8); break;
    }
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define GUEST_LE(v, bytes) (ir_bswap64(v) >> (64 - 8 * (bytes)))
#else
#define GUEST_LE(v, bytes) (v)
#endif

/* Guest memory is little-endian. */
static inline uint64_t mem_load(uintptr_t host, unsigned size)
{
    const void *p = (const void *)host;
    switch (size) {
    case 1: return *(const uint8_t *)p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return GUEST_LE((uint64_t)v, 2); }
    case 4: { uint32_t v; memcpy(&v, p, 4); return GUEST_LE((uint64_t)v, 4); }
    default: { uint64_t v; memcpy(&v, p, 8); return GUEST_LE(v, 8); }
    }
}

static inline void mem_store(uintptr_t host, unsigned size, uint64_t v)
{
    void *p = (void *)host;
    switch (size) {
    case 1: *(uint8_t *)p = (uint8_t)v; break;
    case 2: { uint16_t x = (uint16_t)GUEST_LE(v, 2); memcpy(p, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)GUEST_LE(v, 4); memcpy(p, &x, 4); break; }
    default: { uint64_t x = GUEST_LE(v, 8); memcpy(p, &x, 8); break; }
    }
}

/* ---- compile ---- */

static unsigned sane_width(unsigned w)
{
    return (w == 8 || w == 16 || w == 32) ? w : 64;
}

static bool interp_compile(struct engine *e, struct tb *tb, const struct ir_block *b)
{
    struct interp *ip = e->priv;
    unsigned ng = b->ctx ? b->ctx->nglobals : 0;
    if (ng >= b->ntemps)
        ng = b->ntemps ? b->ntemps - 1 : 0;
    /* Slot map. */
    uint32_t *slot = calloc(b->ntemps ? b->ntemps : 1, sizeof(*slot));
    unsigned *labels = calloc(b->nlabels ? b->nlabels : 1, sizeof(*labels));
    bool *gused = calloc(ng + 1, sizeof(*gused));
    if (!slot || !labels || !gused) {
        free(slot);
        free(labels);
        free(gused);
        return false;
    }
    unsigned nconsts = 0, nlocals = 0, nglob = 0, ncalls = 0, ninsns = 0, nops = 1; /* + final EXIT */
    for (unsigned t = ng + 1; t < b->ntemps; t++)
        if (b->temps[t].kind == IR_TEMP_CONST)
            nconsts++;
        else
            nlocals++;
    unsigned const_base = ng + 1, local_base = const_base + nconsts;
    unsigned scratch = local_base + nlocals, nslots = scratch + 1;
    for (unsigned t = 1, c = 0, l = 0; t < b->ntemps; t++) {
        if (t <= ng)
            slot[t] = t;
        else if (b->temps[t].kind == IR_TEMP_CONST)
            slot[t] = const_base + c++;
        else
            slot[t] = local_base + l++;
    }
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        if (op->opc >= IR_NUM_OPS)
            continue;
        const struct ir_op_def *def = &ir_op_defs[op->opc];
        unsigned n = def->nout + def->nin;
        for (unsigned k = 0; k < n; k++) {
            ir_temp t = op->args[k];
            if (t >= 1 && t <= ng && !gused[t]) {
                gused[t] = true;
                nglob++;
            }
        }
        if (op->opc == IR_INSN_START)
            ninsns++;
        if (op->opc == IR_NOP || op->opc == IR_INSN_START || op->opc == IR_LABEL)
            continue;
        nops++;
        if (op->opc == IR_CALL)
            ncalls++;
        if (def->nout && op->args[0] >= 1 && op->args[0] <= ng)
            nops++;   /* IOP_GST */
    }
    size_t sz = sizeof(struct iblock) + nops * sizeof(struct iop) + nconsts * sizeof(uint64_t) +
                ncalls * sizeof(struct icall) + nglob * sizeof(struct iglobal) +
                ninsns * sizeof(uint64_t);
    struct iblock *ib = malloc(sz);
    if (!ib) {
        free(slot);
        free(labels);
        free(gused);
        return false;
    }
    ib->ops = (struct iop *)(ib + 1);
    ib->consts = (uint64_t *)(ib->ops + nops);
    ib->calls = (struct icall *)(ib->consts + nconsts);
    ib->insns = (uint64_t *)(ib->calls + ncalls);
    ib->globals = (struct iglobal *)(ib->insns + ninsns);
    ib->ninsns = ninsns;
    ib->nconsts = nconsts;
    ib->nglobals = nglob;
    ib->ncalls = ncalls;
    ib->const_base = const_base;
    ib->local_base = local_base;
    ib->nlocals = nlocals;
    ib->nslots = nslots;
    for (unsigned t = ng + 1; t < b->ntemps; t++)
        if (b->temps[t].kind == IR_TEMP_CONST)
            ib->consts[slot[t] - const_base] = b->temps[t].value;
    for (unsigned t = 1, k = 0; t <= ng; t++) {
        if (!gused[t])
            continue;
        ib->globals[k].slot = t;
        ib->globals[k].off = b->temps[t].env_offset;
        ib->globals[k].w = sane_width(b->temps[t].width);
        k++;
    }

#define S(t) ((t) < b->ntemps ? slot[(t)] : 0u)
    unsigned n = 0, nc = 0, ni = 0;
    for (unsigned i = 0; i < b->nops; i++) {
        const struct ir_op *op = &b->ops[i];
        if (op->opc == IR_INSN_START)
            ib->insns[ni++] = op->aux;
        if (op->opc >= IR_NUM_OPS || op->opc == IR_NOP || op->opc == IR_INSN_START)
            continue;
        if (op->opc == IR_LABEL) {
            if (op->aux < b->nlabels)
                labels[op->aux] = n;
            continue;
        }
        const struct ir_op_def *def = &ir_op_defs[op->opc];
        struct iop *o = &ib->ops[n++];
        memset(o, 0, sizeof(*o));
        o->opc = (uint8_t)op->opc;
        o->w = (uint8_t)sane_width(op->width);
        o->m = ir_mask(o->w);
        o->cond = op->cond;
        o->aux = op->aux;
        unsigned k = 0;
        if (def->nout) {
            o->d = S(op->args[k]);
            k++;
        }
        if (def->nin > 0)
            o->a = S(op->args[k]);
        if (def->nin > 1)
            o->b = S(op->args[k + 1]);
        switch (op->opc) {
        case IR_MOVCOND:
            o->aux = S(op->args[3]) | (uint64_t)S(op->args[4]) << 32;
            break;
        case IR_SEXT:
            if (o->aux != 8 && o->aux != 16 && o->aux != 32)
                o->aux = 64;
            break;
        case IR_BSWAP:
            if (o->w == 8)
                o->opc = IR_MOV;
            break;
        case IR_LD:
            o->b = ni;       /* 1 + index of the last INSN_START, 0: none */
            break;
        case IR_ST:
            o->d = ni;
            break;
        case IR_CALL: {
            const struct ir_helper *h = (const struct ir_helper *)(uintptr_t)op->aux;
            struct icall *c = &ib->calls[nc];
            c->fn = h ? h->fn : NULL;
            c->reload = !h || !(h->flags & IR_HELPER_NO_ENV);
            c->d = op->args[0] != IR_NONE ? S(op->args[0]) : scratch;
            for (unsigned j = 0; j < 4; j++)
                c->a[j] = S(op->args[1 + j]);
            if (!c->fn)
                o->opc = IR_NOP;
            o->aux = nc++;
            break;
        }
        default:
            break;
        }
        if (def->nout && op->args[0] >= 1 && op->args[0] <= ng) {
            struct iop *g = &ib->ops[n++];
            memset(g, 0, sizeof(*g));
            g->opc = IOP_GST;
            g->d = op->args[0];
            g->w = (uint8_t)sane_width(b->temps[g->d].width);
            g->m = ir_mask(g->w);
            g->aux = (uint64_t)(int64_t)b->temps[g->d].env_offset;
        }
    }
#undef S
    struct iop *end = &ib->ops[n++];
    memset(end, 0, sizeof(*end));
    end->opc = IR_EXIT;
    ib->nops = n;
    for (unsigned i = 0; i < n; i++) {
        struct iop *o = &ib->ops[i];
        if (o->opc == IR_BR || o->opc == IR_BRCOND)
            o->aux = o->aux < b->nlabels ? labels[o->aux] : n - 1;
    }
    free(slot);
    free(labels);
    free(gused);
    if (nslots > ip->max_slots)
        ip->max_slots = nslots;
    tb->engine_data = ib;
    tb->code = NULL;
    tb->code_size = 0;
    return true;
}

/* ---- exec ---- */

static inline bool exit_requested(const uint8_t *envb, size_t off)
{
    return *(const volatile uint32_t *)(const volatile void *)(envb + off) != 0;
}

/* The jump-cache probe the JIT does inline at GOTO_PTR with IR_GOTO_PTR_JC. */
static struct tb *jc_probe(const struct engine_guest *g, const uint8_t *envb)
{
    unsigned n = g->jc_nkeys;
    if (n == 0 || n > TB_JC_KEYS)
        return NULL;
    uint64_t k[TB_JC_KEYS] = { 0, 0, 0 };
    for (unsigned i = 0; i < n; i++)
        k[i] = env_load(envb + g->jc_key_offset[i], g->jc_key_width[i] == 32 ? 32 : 64);
    const struct tb_jc *jc;
    memcpy(&jc, envb + g->jc_offset, sizeof(jc));
    return tb_jc_find(jc, k[0], k[1], k[2]);
}

/*
 * Dispatch: threaded code (one indirect jump per handler) with GCC and clang,
 * a plain switch elsewhere.
 */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(INTERP_NO_THREADED)
#define OP(name) L_##name:
#define NEXT do { op++; goto *dispatch[op->opc]; } while (0)
#define GOTO(p) do { op = (p); goto *dispatch[op->opc]; } while (0)
#define BEGIN goto *dispatch[op->opc];
#define END
#else
#define OP(name) case name:
#define NEXT do { op++; goto dispatch_top; } while (0)
#define GOTO(p) do { op = (p); goto dispatch_top; } while (0)
#define BEGIN dispatch_top: switch (op->opc) {
#define END default: NEXT; }
#endif

static uintptr_t interp_exec(struct engine *e, void *env, struct tb *tb)
{
#if (defined(__GNUC__) || defined(__clang__)) && !defined(INTERP_NO_THREADED)
    static const void *const dispatch[] = {
#define IR_X(name, o, i, f) &&L_IR_##name,
        IR_OPS(IR_X)
#undef IR_X
        &&L_IOP_GST,
    };
#endif
    struct interp *ip = e->priv;
    const struct engine_guest *g = e->guest;
    uint8_t *envb = env;
    struct tlb *tlb = (struct tlb *)(envb + g->tlb_offset);
    const unsigned nR = ip->max_slots ? ip->max_slots : 1;
    uint64_t R[nR];
    struct tb *prev = NULL;

    ip->cur = NULL;      /* a slow path may have unwound with it set */
    for (;;) {
        if (exit_requested(envb, g->exit_request_offset))
            return (uintptr_t)tb | TB_EXIT_REQUESTED;
        const struct iblock *ib = tb->engine_data;
        /* Not compiled by us, or compiled after this exec started with more
           temps than R holds: let the loop look it up and run it afresh. */
        if (!ib || ib->nslots > nR)
            return (uintptr_t)(prev ? prev : tb) | TB_EXIT_NOCHAIN;
        R[0] = 0;
        for (unsigned i = 0; i < ib->nglobals; i++)
            R[ib->globals[i].slot] = env_load(envb + ib->globals[i].off, ib->globals[i].w);
        memcpy(&R[ib->const_base], ib->consts, ib->nconsts * sizeof(uint64_t));
        memset(&R[ib->local_base], 0, (ib->nlocals + 1) * sizeof(uint64_t));
        const struct iop *ops = ib->ops, *op = ops;
        struct tb *next;

        BEGIN
            OP(IR_MOV) R[op->d] = R[op->a] & op->m; NEXT;
            OP(IR_ADD) R[op->d] = (R[op->a] + R[op->b]) & op->m; NEXT;
            OP(IR_SUB) R[op->d] = (R[op->a] - R[op->b]) & op->m; NEXT;
            OP(IR_MUL) R[op->d] = (R[op->a] * R[op->b]) & op->m; NEXT;
            OP(IR_MULUH) R[op->d] = ir_eval_muluh(op->w, R[op->a], R[op->b]); NEXT;
            OP(IR_MULSH) R[op->d] = ir_eval_mulsh(op->w, R[op->a], R[op->b]); NEXT;
            OP(IR_DIVU) {
                uint64_t x = R[op->a] & op->m, y = R[op->b] & op->m;
                R[op->d] = y ? x / y : 0;
                NEXT;
            }
            OP(IR_REMU) {
                uint64_t x = R[op->a] & op->m, y = R[op->b] & op->m;
                R[op->d] = y ? x % y : 0;
                NEXT;
            }
            OP(IR_DIVS) R[op->d] = ir_eval_divs(op->w, R[op->a], R[op->b], false); NEXT;
            OP(IR_REMS) R[op->d] = ir_eval_divs(op->w, R[op->a], R[op->b], true); NEXT;
            OP(IR_AND) R[op->d] = R[op->a] & R[op->b] & op->m; NEXT;
            OP(IR_OR) R[op->d] = (R[op->a] | R[op->b]) & op->m; NEXT;
            OP(IR_XOR) R[op->d] = (R[op->a] ^ R[op->b]) & op->m; NEXT;
            OP(IR_NEG) R[op->d] = (0 - R[op->a]) & op->m; NEXT;
            OP(IR_NOT) R[op->d] = ~R[op->a] & op->m; NEXT;
            OP(IR_SHL) R[op->d] = (R[op->a] << (R[op->b] & (op->w - 1u))) & op->m; NEXT;
            OP(IR_SHR) R[op->d] = (R[op->a] & op->m) >> (R[op->b] & (op->w - 1u)); NEXT;
            OP(IR_SAR) R[op->d] = ir_eval_sar(op->w, R[op->a], R[op->b]); NEXT;
            OP(IR_ROTL) R[op->d] = ir_eval_rotl(op->w, R[op->a], R[op->b]); NEXT;
            OP(IR_ROTR) R[op->d] = ir_eval_rotr(op->w, R[op->a], R[op->b]); NEXT;
            OP(IR_SEXT) R[op->d] = ir_sx(R[op->a], (unsigned)op->aux) & op->m; NEXT;
            OP(IR_EXTRACT) R[op->d] = ir_eval_extract(op->w, R[op->a], op->aux); NEXT;
            OP(IR_DEPOSIT) R[op->d] = ir_eval_deposit(op->w, R[op->a], R[op->b], op->aux); NEXT;
            OP(IR_CLZ) R[op->d] = ir_eval_clz(op->w, R[op->a]); NEXT;
            OP(IR_CTZ) R[op->d] = ir_eval_ctz(op->w, R[op->a]); NEXT;
            OP(IR_POPCNT) R[op->d] = ir_popcnt64(R[op->a] & op->m); NEXT;
            OP(IR_BSWAP) R[op->d] = ir_eval_bswap(op->w, R[op->a]); NEXT;
            OP(IR_SETCOND)
                R[op->d] = ir_eval_cond(op->cond, op->w, R[op->a], R[op->b]);
                NEXT;
            OP(IR_MOVCOND)
                R[op->d] = R[ir_eval_cond(op->cond, op->w, R[op->a], R[op->b])
                             ? (uint32_t)op->aux : (uint32_t)(op->aux >> 32)] & op->m;
                NEXT;
            OP(IR_LD_ENV)
                R[op->d] = env_load(envb + (int32_t)(uint32_t)op->aux, op->w);
                NEXT;
            OP(IR_ST_ENV)
                env_store(envb + (int32_t)(uint32_t)op->aux, op->w, R[op->a]);
                NEXT;
            OP(IOP_GST)
                R[op->d] &= op->m;
                env_store(envb + (int64_t)op->aux, op->w, R[op->d]);
                NEXT;
            OP(IR_LD) {
                uint64_t a = R[op->a], v;
                unsigned memop = (unsigned)op->aux, size = IR_MEM_GET_SIZE(memop);
                const struct tlb_entry *te =
                    &tlb->e[IR_MEM_GET_IDX(memop) & (TLB_MMU_MODES - 1)]
                           [(a >> TLB_PAGE_BITS) & (TLB_SIZE - 1)];
                if (((a + size - 1) & TLB_PAGE_MASK) == te->read_tag)
                    v = mem_load((uintptr_t)(a + (uint64_t)te->addend), size);
                else {
                    ip->cur = op->b ? &ib->insns[op->b - 1] : NULL;
                    v = g->slow.load(env, a, memop);
                    ip->cur = NULL;
                }
                v = (memop & IR_MEM_SIGN) ? ir_sx(v, size * 8) : v & ir_mask(size * 8);
                R[op->d] = v & op->m;
                NEXT;
            }
            OP(IR_ST) {
                uint64_t a = R[op->b], v = R[op->a];
                unsigned memop = (unsigned)op->aux, size = IR_MEM_GET_SIZE(memop);
                const struct tlb_entry *te =
                    &tlb->e[IR_MEM_GET_IDX(memop) & (TLB_MMU_MODES - 1)]
                           [(a >> TLB_PAGE_BITS) & (TLB_SIZE - 1)];
                if (((a + size - 1) & TLB_PAGE_MASK) == te->write_tag)
                    mem_store((uintptr_t)(a + (uint64_t)te->addend), size, v);
                else {
                    ip->cur = op->d ? &ib->insns[op->d - 1] : NULL;
                    g->slow.store(env, a, v & ir_mask(size * 8), memop);
                    ip->cur = NULL;
                }
                NEXT;
            }
            OP(IR_CALL) {
                const struct icall *c = &ib->calls[op->aux];
                uint64_t r = c->fn(env, R[c->a[0]], R[c->a[1]], R[c->a[2]], R[c->a[3]]);
                if (c->reload)
                    for (unsigned i = 0; i < ib->nglobals; i++)
                        R[ib->globals[i].slot] =
                            env_load(envb + ib->globals[i].off, ib->globals[i].w);
                R[c->d] = r;
                NEXT;
            }
            OP(IR_BR)
                GOTO(ops + op->aux);
            OP(IR_BRCOND)
                if (ir_eval_cond(op->cond, op->w, R[op->a], R[op->b]))
                    GOTO(ops + op->aux);
                NEXT;
            OP(IR_GOTO_TB) {
                unsigned s = (unsigned)op->aux & 1;
                next = tb->jmp_dest[s];
                if (!next)
                    return (uintptr_t)tb | s;
                goto chain;
            }
            OP(IR_GOTO_PTR)
                next = (op->aux & IR_GOTO_PTR_JC) ? jc_probe(g, envb) : NULL;
                if (!next)
                    next = g->lookup ? g->lookup(env) : NULL;
                if (!next)
                    return (uintptr_t)tb | TB_EXIT_NOCHAIN;
                goto chain;
            OP(IR_EXIT)
                return (uintptr_t)tb | TB_EXIT_NOCHAIN;
            OP(IR_NOP) OP(IR_INSN_START) OP(IR_LABEL)
                NEXT;
        END
    chain:
        prev = tb;
        tb = next;
    }
}

/* ---- the rest of the engine ---- */

static void interp_link(struct engine *e, struct tb *from, unsigned slot, struct tb *to)
{
    /* exec follows tb->jmp_dest, which the cache maintains. */
    (void)e; (void)from; (void)slot; (void)to;
}

static void interp_release(struct engine *e, struct tb *tb)
{
    (void)e;
    free(tb->engine_data);
    tb->engine_data = NULL;
}

static void interp_reset(struct engine *e)
{
    (void)e;
}

static bool interp_insn_at(struct engine *e, uintptr_t host_ra, uint64_t *word)
{
    const struct interp *ip = e->priv;
    (void)host_ra;
    if (!ip->cur)
        return false;
    *word = *ip->cur;
    return true;
}

static void interp_destroy(struct engine *e)
{
    if (!e)
        return;
    free(e->priv);
    free(e);
}

struct engine *engine_interp_new(const struct engine_guest *guest)
{
    struct engine *e = calloc(1, sizeof(*e));
    struct interp *ip = calloc(1, sizeof(*ip));
    if (!e || !ip) {
        free(e);
        free(ip);
        return NULL;
    }
    e->name = "interp";
    e->guest = guest;
    e->compile = interp_compile;
    e->exec = interp_exec;
    e->link = interp_link;
    e->release = interp_release;
    e->reset = interp_reset;
    e->destroy = interp_destroy;
    e->insn_at = interp_insn_at;
    e->priv = ip;
    return e;
}
