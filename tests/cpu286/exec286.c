/* SPDX-License-Identifier: MIT */
/* exec286.c: loads a 286 test vector into a bare CPU, runs it, compares and cleans up. */
#include "tests/cpu286/exec286.h"

#include <stdlib.h>
#include <string.h>

/* FLAGS bits a real-mode 286 never holds (IOPL, NT, bit 15) and the
   reserved bits 3 and 5 (always 0); bit 1 always reads 1. */
#define FLAGS_286_REAL 0x0fd7u
#define FLAG_TF 0x100u
#define FLAG_IF 0x200u

struct x286 {
    struct bare_cpu *cpu;
    const uint8_t *mem;
    enum bare_engine engine;
    bool deliver;        /* the harness delivers what kiln stopped at */
    bool kiln_deliver;   /* kiln delivers the interrupt the 286 took */
    uint64_t budget;
    uint32_t *touched;   /* guest bytes written by the current test */
    size_t ntouched, cap;
};

static const char *const cat_names[X286_NCAT] = {
    [X286_PASS] = "pass",          [X286_PASS_HDELIV] = "pass(h)",
    [X286_F_REGS] = "regs",        [X286_F_FLAGS] = "flags",
    [X286_F_MEM] = "mem",          [X286_F_UD] = "#UD",
    [X286_F_EXC] = "exception",    [X286_F_NOEXC] = "no-exception",
    [X286_F_VECTOR] = "vector",    [X286_F_WRAP] = "no-#GP-wrap",
    [X286_F_DELIVERY] = "needs-delivery",
    [X286_F_BUDGET] = "budget",    [X286_F_STRAY] = "stray-write",
    [X286_F_SETUP] = "setup",      [X286_D_LOCK] = "286-lock",
    [X286_D_SSWRAP] = "286-ss-wrap", [X286_D_SEGREG] = "286-fs-gs",
    [X286_D_LEN] = "286-len>10",    [X286_D_PARTIAL] = "286-partial",
    [X286_D_AAM0] = "286-aam0",    [X286_D_IDIV80] = "286-idiv80",
};

const char *x286_cat_name(enum x286_cat c)
{
    return (unsigned)c < X286_NCAT ? cat_names[c] : "?";
}

bool x286_cat_pass(enum x286_cat c)
{
    return c == X286_PASS || c == X286_PASS_HDELIV;
}

bool x286_cat_na(enum x286_cat c)
{
    return c >= X286_D_LOCK && c < X286_NCAT;
}

struct x286 *x286_new(enum bare_engine engine, bool deliver, uint64_t budget)
{
    struct x286 *x = calloc(1, sizeof(*x));
    if (!x)
        return NULL;
    x->cpu = bare_cpu_new(engine, BARE_MODE_REAL, 0, X286_MEM_SIZE);
    if (!x->cpu) {
        free(x);
        return NULL;
    }
    x->mem = bare_cpu_mem(x->cpu);
    x->engine = engine;
    x->deliver = deliver;
    x->kiln_deliver = true;
    x->budget = budget ? budget : 1024;
    return x;
}

void x286_set_kiln_deliver(struct x286 *x, bool on)
{
    x->kiln_deliver = on;
}

void x286_free(struct x286 *x)
{
    if (!x)
        return;
    bare_cpu_free(x->cpu);
    free(x->touched);
    free(x);
}

static bool touch(struct x286 *x, uint32_t addr)
{
    if (x->ntouched == x->cap) {
        size_t ncap = x->cap ? x->cap * 2 : 256;
        uint32_t *n = realloc(x->touched, ncap * sizeof(*n));
        if (!n)
            return false;
        x->touched = n;
        x->cap = ncap;
    }
    x->touched[x->ntouched++] = addr;
    return true;
}

/* Writes one guest byte through the bare API (so translated code is invalidated). */
static bool poke(struct x286 *x, uint32_t addr, uint8_t v)
{
    if (addr >= X286_MEM_SIZE || !touch(x, addr))
        return false;
    return bare_cpu_write(x->cpu, addr, &v, 1);
}

/* Zeroes the bytes the test touched, in runs of adjacent addresses. */
static void cleanup(struct x286 *x)
{
    static const uint8_t zeros[64];
    for (size_t i = 0; i < x->ntouched;) {
        uint32_t a = x->touched[i];
        size_t n = 1;
        while (i + n < x->ntouched && x->touched[i + n] == a + n && n < sizeof(zeros))
            n++;
        if (a < X286_MEM_SIZE && a + n <= X286_MEM_SIZE)
            bare_cpu_write(x->cpu, a, zeros, n);
        i += n;
    }
    x->ntouched = 0;
}

size_t x286_sweep(struct x286 *x, uint32_t *addrs, size_t max)
{
    size_t dirty = 0;
    const uint64_t *w = (const uint64_t *)(const void *)x->mem;
    for (size_t i = 0; i < X286_MEM_SIZE / 8; i++) {
        if (!w[i])
            continue;
        for (unsigned b = 0; b < 8; b++) {
            uint32_t a = (uint32_t)(i * 8 + b);
            if (!x->mem[a])
                continue;
            if (addrs && dirty < max)
                addrs[dirty] = a;
            dirty++;
            uint8_t z = 0;
            bare_cpu_write(x->cpu, a, &z, 1);
        }
    }
    return dirty;
}

size_t x286_dirty_at(struct x286 *x, const uint32_t *addrs, size_t n)
{
    size_t dirty = 0;
    for (size_t i = 0; i < n; i++) {
        if (addrs[i] >= X286_MEM_SIZE || !x->mem[addrs[i]])
            continue;
        dirty++;
        uint8_t z = 0;
        bare_cpu_write(x->cpu, addrs[i], &z, 1);
    }
    return dirty;
}

/* moo register index -> value in bare_regs */
static uint64_t get_reg(const struct bare_regs *r, unsigned i)
{
    static const int8_t gpr[MOO_NREGS] = {0, 3, 1, 2, -1, -1, -1, -1, 4, 5, 6, 7, -1, -1};
    static const int8_t seg[MOO_NREGS] = {-1, -1, -1, -1, 1, 2, 3, 0, -1, -1, -1, -1, -1, -1};
    if (i == MOO_IP)
        return r->rip;
    if (i == MOO_FLAGS)
        return r->rflags;
    if (gpr[i] >= 0)
        return r->gpr[gpr[i]];
    return r->seg[seg[i]];
}

static void set_regs(struct x286 *x, const struct moo_regs *in)
{
    struct bare_regs r;
    memset(&r, 0, sizeof(r));
    r.gpr[0] = in->v[MOO_AX];
    r.gpr[1] = in->v[MOO_CX];
    r.gpr[2] = in->v[MOO_DX];
    r.gpr[3] = in->v[MOO_BX];
    r.gpr[4] = in->v[MOO_SP];
    r.gpr[5] = in->v[MOO_BP];
    r.gpr[6] = in->v[MOO_SI];
    r.gpr[7] = in->v[MOO_DI];
    r.seg[0] = in->v[MOO_ES];
    r.seg[1] = in->v[MOO_CS];
    r.seg[2] = in->v[MOO_SS];
    r.seg[3] = in->v[MOO_DS];
    r.rip = in->v[MOO_IP];
    r.rflags = (in->v[MOO_FLAGS] & FLAGS_286_REAL) | 2;
    bare_cpu_set_regs(x->cpu, &r);
}

static uint16_t rd16(const struct x286 *x, uint32_t a)
{
    return (uint16_t)(x->mem[a % X286_MEM_SIZE] | x->mem[(a + 1) % X286_MEM_SIZE] << 8);
}

/* Length of the prefix run at the start of an instruction and whether it holds LOCK. */
static unsigned prefix_len(const uint8_t *b, unsigned n, bool *lock)
{
    unsigned i = 0;
    *lock = false;
    while (i < n && (b[i] == 0x26 || b[i] == 0x2e || b[i] == 0x36 || b[i] == 0x3e ||
                     b[i] == 0xf0 || b[i] == 0xf2 || b[i] == 0xf3)) {
        if (b[i] == 0xf0)
            *lock = true;
        i++;
    }
    return i;
}

/*
 * Real-mode interrupt delivery done by the harness (bare CPUs stop at an
 * exception instead): push FLAGS, CS, IP; clear IF and TF; CS:IP from the IVT.
 * The return IP is the faulting instruction's, except for INT n / INT3 / INTO
 * stopped at the instruction itself, which return past it.
 */
static bool deliver(struct x286 *x, uint8_t vec)
{
    struct bare_regs r;
    bare_cpu_get_regs(x->cpu, &r);
    uint16_t cs = r.seg[1], ss = r.seg[2], ip = (uint16_t)r.rip, sp = (uint16_t)r.gpr[4];
    uint8_t code[16];
    for (unsigned i = 0; i < sizeof(code); i++)
        code[i] = x->mem[((uint32_t)cs * 16 + (uint16_t)(ip + i)) % X286_MEM_SIZE];
    bool lock;
    unsigned p = prefix_len(code, 14, &lock);
    if ((code[p] == 0xcc && vec == 3) || (code[p] == 0xce && vec == 4))
        ip = (uint16_t)(ip + p + 1);
    else if (code[p] == 0xcd && code[p + 1] == vec)
        ip = (uint16_t)(ip + p + 2);
    uint16_t push[3] = {(uint16_t)r.rflags, cs, ip};
    for (int i = 0; i < 3; i++) {
        sp = (uint16_t)(sp - 2);
        uint32_t a = (uint32_t)ss * 16 + sp;
        if (!poke(x, a, (uint8_t)push[i]) || !poke(x, a + 1, (uint8_t)(push[i] >> 8)))
            return false;
    }
    r.gpr[4] = (r.gpr[4] & ~0xffffull) | sp;
    r.rflags &= ~(uint64_t)(FLAG_IF | FLAG_TF);
    r.rip = rd16(x, vec * 4u);
    r.seg[1] = rd16(x, vec * 4u + 2);
    bare_cpu_set_regs(x->cpu, &r);
    return true;
}

/* Whether LOCK is allowed on the instruction after the prefixes on a 386 or
   later CPU: an ALU/INC/DEC/NEG/NOT/XCHG form with a memory destination. */
static bool lockable_386(const uint8_t *b, unsigned n)
{
    if (n < 2 || (b[1] >> 6) == 3)
        return false;
    uint8_t op = b[0];
    unsigned reg = (b[1] >> 3) & 7;
    if (op < 0x40 && (op & 7) <= 1 && (op & 0x38) != 0x38) /* ADD..XOR r/m, r (not CMP) */
        return true;
    if (op >= 0x80 && op <= 0x83)
        return reg != 7;
    if (op == 0x86 || op == 0x87)
        return true;
    if (op == 0xf6 || op == 0xf7)
        return reg == 2 || reg == 3;
    if (op == 0xfe || op == 0xff)
        return reg <= 1;
    return false;
}

/* LOCK on an instruction a 386+ rejects (#UD) but a 286 runs. */
static bool lock_286_only(const struct moo_test *t)
{
    bool lock;
    unsigned p = prefix_len(t->bytes, t->nbytes, &lock);
    return lock && p < t->nbytes && !lockable_386(t->bytes + p, t->nbytes - p);
}

/* Length of the instruction under test (BYTS ends with the injected HLT). */
static unsigned insn_len(const struct moo_test *t)
{
    return t->nbytes && t->bytes[t->nbytes - 1] == 0xf4 ? t->nbytes - 1 : t->nbytes;
}

/* Classifies a run that did not end at HLT the way the vector says. */
static bool idiv80_286(const struct moo_test *t);

static enum x286_cat classify_stop(const struct moo_test *t, const struct bare_result *res)
{
    if (!t->has_exception && res->stop != BARE_STOP_BUDGET && res->vector == 0 && idiv80_286(t))
        return X286_D_IDIV80;
    if (res->stop == BARE_STOP_BUDGET) /* e.g. RET popped garbage past offset FFFF */
        return t->has_exception && t->exc_number == 13 ? X286_F_WRAP : X286_F_BUDGET;
    if (res->vector == 6 && (!t->has_exception || t->exc_number != 6) && lock_286_only(t))
        return X286_D_LOCK;
    if (!t->has_exception || (res->vector == 6 && t->exc_number != 6))
        return res->vector == 6 ? X286_F_UD : X286_F_EXC;
    if (res->vector != t->exc_number) {
        if (t->exc_number == 13)
            return res->vector == 12 ? X286_D_SSWRAP : X286_F_WRAP;
        return X286_F_VECTOR;
    }
    return X286_F_DELIVERY;
}

/* The 286 raised #UD for a form kiln accepts: recognise the documented ones. */
static enum x286_cat classify_missing_ud(const struct moo_test *t)
{
    bool lock;
    unsigned p = prefix_len(t->bytes, t->nbytes, &lock);
    if (insn_len(t) > 10)
        return X286_D_LEN;
    if (p + 1 < t->nbytes && t->bytes[p] == 0x8e) {
        unsigned reg = (t->bytes[p + 1] >> 3) & 7;
        if (reg == 4 || reg == 5)
            return X286_D_SEGREG;
    }
    return X286_F_NOEXC;
}

/* Expected final value of every byte the vector mentions; returns the count. */
static size_t expected_ram(const struct moo_test *t, uint32_t *addr, uint8_t *val, size_t max)
{
    size_t n = 0;
    for (uint32_t i = 0; i < t->init.ram.count && n < max; i++, n++)
        moo_ram_entry(&t->init.ram, i, &addr[n], &val[n]);
    for (uint32_t i = 0; i < t->fina.ram.count; i++) {
        uint32_t a;
        uint8_t v;
        moo_ram_entry(&t->fina.ram, i, &a, &v);
        size_t j = 0;
        while (j < n && addr[j] != a)
            j++;
        if (j == n) {
            if (n == max)
                continue;
            addr[n++] = a;
        }
        val[j] = v;
    }
    return n;
}

/* The instruction byte after the prefixes (0 if none). */
static uint8_t opcode_of(const struct moo_test *t, unsigned *at)
{
    bool lock;
    unsigned p = prefix_len(t->bytes, t->nbytes, &lock);
    *at = p;
    return p < t->nbytes ? t->bytes[p] : 0;
}

/* IDIV r/m8 whose quotient does not fit in AL: a 386+ (and kiln) raises #DE;
   the 286 took no exception and left AL = 80h (AH and FLAGS hold whatever its
   microcode had, not a remainder). Recognised by: F6 /7, no exception in the
   vector, final AL = 80h, and, for a register divisor, a dividend/divisor pair
   whose true quotient is really out of range (-128..127). */
static bool idiv80_286(const struct moo_test *t)
{
    unsigned at;
    if (opcode_of(t, &at) != 0xf6 || at + 1 >= t->nbytes || ((t->bytes[at + 1] >> 3) & 7) != 7)
        return false;
    if (!(t->fina.regs.mask & (1u << MOO_AX)) || (t->fina.regs.v[MOO_AX] & 0xff) != 0x80)
        return false;
    uint8_t modrm = t->bytes[at + 1];
    if ((modrm >> 6) == 3) {
        static const int reg16[4] = { MOO_AX, MOO_CX, MOO_DX, MOO_BX };
        unsigned rm = modrm & 7;
        uint16_t r = t->init.regs.v[reg16[rm & 3]];
        int divisor = (int8_t)(rm < 4 ? r & 0xff : r >> 8);
        int dividend = (int16_t)t->init.regs.v[MOO_AX];
        if (divisor == 0)
            return false;
        int q = dividend / divisor;
        if (q >= -128 && q <= 127)
            return false; /* a quotient that fits: not this quirk */
    } else {
        /* Memory divisor: AL = 80h is a real quotient of -128 when some divisor
           d gives dividend = -128 * d + AH with AH a valid remainder. */
        int dividend = (int16_t)t->init.regs.v[MOO_AX];
        int r = (int8_t)(t->fina.regs.v[MOO_AX] >> 8);
        for (int d = -128; d <= 127; d++)
            if (d != 0 && -128 * d + r == dividend && abs(r) < abs(d) &&
                (r == 0 || (r < 0) == (dividend < 0)))
                return false;
    }
    return true;
}

/* A 286 segment overrun (#GP 13) in POP m16 or a string instruction leaves SP,
   SI, DI (and with REP, CX) already advanced; 386+ CPUs (and kiln) fault
   restartably with them as before the faulting step. Only those registers may
   differ (and, through SP, the frame). */
static bool partial_286(const struct moo_test *t, const struct x286_detail *d)
{
    const uint16_t ptrs = 1u << MOO_SP | 1u << MOO_SI | 1u << MOO_DI | 1u << MOO_CX;
    unsigned at;
    uint8_t op = opcode_of(t, &at);
    bool string = (op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf) ||
                  (op >= 0x6c && op <= 0x6f);
    if ((d->regbad & (1u << MOO_CX)) && !string)
        return false;
    for (unsigned i = 0; i < MOO_NREGS; i++) { /* the 286 is at most one step ahead */
        uint16_t delta = (uint16_t)(d->exp[i] - d->got[i]);
        if ((d->regbad & (1u << i)) && delta > 2 && delta < 0xfffe)
            return false;
    }
    /* CS:IP match (only pointers differ): kiln took the same interrupt, whether
       it delivered it or the harness did */
    return t->has_exception && t->exc_number == 13 && !d->upper_bits &&
           (d->regbad & ~ptrs) == 0 && (op == 0x8f || string);
}

/* AAM 0 on a 286 sets SF/ZF/PF (and clears others) before #DE; later CPUs
   leave FLAGS alone. Only FLAGS and the FLAGS word pushed may differ. */
static bool aam0_286(const struct moo_test *t, const struct x286_detail *d, uint32_t fa)
{
    unsigned at;
    if (opcode_of(t, &at) != 0xd4 || at + 1 >= t->nbytes || t->bytes[at + 1] != 0 ||
        !t->has_exception || t->exc_number != 0 || d->regbad == 0 ||
        (d->regbad & ~(1u << MOO_FLAGS)))
        return false;
    for (uint32_t i = 0; i < d->nmembad && i < 8; i++)
        if (d->membad[i].addr != fa && d->membad[i].addr != fa + 1)
            return false;
    return d->nmembad <= 2;
}

/* Where the interrupt pushed FLAGS: 4 bytes above the final SS:SP (FLAGS, CS,
   IP were pushed). EXCP's address is the same, or rounded down to even when SP
   was odd (seen in the data); anything else: trust EXCP. */
static uint32_t pushed_flags_addr(const struct moo_test *t, const uint16_t *exp)
{
    uint32_t a = (uint32_t)exp[MOO_SS] * 16 + (uint16_t)(exp[MOO_SP] + 4);
    if (a == t->exc_flag_addr || (a & ~1u) == t->exc_flag_addr)
        return a;
    return t->exc_flag_addr;
}

static enum x286_cat compare(struct x286 *x, const struct moo_test *t, uint16_t flags_mask,
                             struct x286_detail *d)
{
    struct bare_regs r;
    bare_cpu_get_regs(x->cpu, &r);
    for (unsigned i = 0; i < MOO_NREGS; i++) {
        bool fin = t->fina.regs.mask & (1u << i);
        d->exp[i] = fin ? t->fina.regs.v[i] : t->init.regs.v[i];
        uint64_t g = get_reg(&r, i);
        d->got[i] = (uint16_t)g;
        d->cmpmask[i] = 0xffff;
        if (i == MOO_FLAGS)
            d->cmpmask[i] = flags_mask & 0x0fff;
        else if (g >> 16)
            d->upper_bits = true;
        if (t->fina.has_rmask && (t->fina.rmask.mask & (1u << i)))
            d->cmpmask[i] &= t->fina.rmask.v[i];
        if ((d->exp[i] ^ d->got[i]) & d->cmpmask[i])
            d->regbad |= (uint16_t)(1u << i);
    }

    enum { MAXB = 1024 };
    uint32_t addr[MAXB];
    uint8_t val[MAXB];
    size_t n = expected_ram(t, addr, val, MAXB);
    uint16_t fm = flags_mask & 0x0fff;
    uint32_t fa = pushed_flags_addr(t, d->exp);
    for (size_t i = 0; i < n; i++) {
        uint8_t mask = 0xff;
        if (t->has_exception && addr[i] == fa)
            mask = (uint8_t)fm;
        else if (t->has_exception && addr[i] == fa + 1)
            mask = (uint8_t)(fm >> 8);
        uint8_t got = addr[i] < X286_MEM_SIZE ? x->mem[addr[i]] : 0;
        if ((got ^ val[i]) & mask) {
            if (d->nmembad < 8) {
                d->membad[d->nmembad].addr = addr[i];
                d->membad[d->nmembad].got = got;
                d->membad[d->nmembad].exp = val[i];
                d->membad[d->nmembad].mask = mask;
            }
            d->nmembad++;
        }
    }

    if (d->regbad & ~(1u << MOO_FLAGS) || d->upper_bits) {
        /* landed somewhere else entirely: an exception one side took */
        bool at_exp = !((d->exp[MOO_CS] ^ d->got[MOO_CS]) | (d->exp[MOO_IP] ^ d->got[MOO_IP]));
        if (!at_exp && t->has_exception && d->nruns == 1) {
            if ((t->exc_number == 6 || t->exc_number == 13) && insn_len(t) > 10)
                return X286_D_LEN;
            if (t->exc_number == 6)
                return classify_missing_ud(t);
            return t->exc_number == 13 ? X286_F_WRAP : X286_F_NOEXC;
        }
        if (partial_286(t, d))
            return X286_D_PARTIAL;
        return X286_F_REGS;
    }
    if (aam0_286(t, d, fa))
        return X286_D_AAM0;
    if (d->regbad)
        return X286_F_FLAGS;
    if (d->nmembad)
        return X286_F_MEM;
    return d->nruns > 1 ? X286_PASS_HDELIV : X286_PASS;
}

/*
 * Which exceptions kiln itself delivers through the IVT (bare_cpu_set_deliver_mask):
 * only the one the 286 took, so that any other exception stops the run for the
 * harness to classify. Not #UD after LOCK (the 286-lock check needs the stop),
 * and not #GP/#SS: the 286's frames for segment overruns can differ from a
 * 386+'s (POP m16 at offset FFFF has already moved SP), so the harness
 * delivers those and the comparison classifies the difference.
 */
static uint32_t kiln_deliver_mask(const struct x286 *x, const struct moo_test *t)
{
    if (!x->kiln_deliver || !t->has_exception)
        return 0;
    uint32_t mask = t->exc_number < 32 ? 1u << t->exc_number : 1u << 31;
    bool lock;
    prefix_len(t->bytes, t->nbytes, &lock);
    if (lock)
        mask &= ~(1u << 6);
    return mask & ~((1u << 12) | (1u << 13));
}

static enum x286_cat run_one(struct x286 *x, const struct moo_test *t, uint16_t flags_mask,
                             struct x286_detail *d)
{
    if ((t->init.regs.mask & MOO_ALL_REGS) != MOO_ALL_REGS) {
        snprintf(d->note, sizeof(d->note), "initial state lacks registers (mask %#x)",
                 t->init.regs.mask);
        return X286_F_SETUP;
    }
    for (uint32_t i = 0; i < t->init.ram.count; i++) {
        uint32_t a;
        uint8_t v;
        moo_ram_entry(&t->init.ram, i, &a, &v);
        if (!poke(x, a, v)) {
            snprintf(d->note, sizeof(d->note), "cannot write initial byte at %#x", a);
            return X286_F_SETUP;
        }
    }
    for (uint32_t i = 0; i < t->fina.ram.count; i++) {
        uint32_t a;
        uint8_t v;
        moo_ram_entry(&t->fina.ram, i, &a, &v);
        if (a >= X286_MEM_SIZE || !touch(x, a)) {
            snprintf(d->note, sizeof(d->note), "final byte at %#x out of range", a);
            return X286_F_SETUP;
        }
    }
    set_regs(x, &t->init.regs);
    bare_cpu_set_deliver_mask(x->cpu, kiln_deliver_mask(x, t));
    bare_cpu_run(x->cpu, x->budget, &d->res[0]);
    d->nruns = 1;
    if (d->res[0].stop != BARE_STOP_HLT) {
        enum x286_cat c = classify_stop(t, &d->res[0]);
        if (c != X286_F_DELIVERY || !x->deliver)
            return c;
        if (!deliver(x, d->res[0].vector)) {
            snprintf(d->note, sizeof(d->note), "harness delivery failed (stack out of range)");
            return X286_F_SETUP;
        }
        bare_cpu_run(x->cpu, x->budget, &d->res[1]);
        d->nruns = 2;
        if (d->res[1].stop != BARE_STOP_HLT) {
            snprintf(d->note, sizeof(d->note), "second fault after harness delivery");
            return d->res[1].stop == BARE_STOP_BUDGET ? X286_F_BUDGET : X286_F_EXC;
        }
    }
    return compare(x, t, flags_mask, d);
}

enum x286_cat x286_run(struct x286 *x, const struct moo_test *t, uint16_t flags_mask,
                       struct x286_detail *d)
{
    struct x286_detail local;
    if (!d)
        d = &local;
    memset(d, 0, sizeof(*d));
    d->cat = run_one(x, t, flags_mask, d);
    if (d->nruns && d->cat != X286_F_SETUP && d->regbad == 0 && d->nmembad == 0 &&
        !x286_cat_pass(d->cat)) {
        /* stopped early: still show where it stopped */
        struct bare_regs r;
        bare_cpu_get_regs(x->cpu, &r);
        for (unsigned i = 0; i < MOO_NREGS; i++) {
            d->exp[i] = (t->fina.regs.mask & (1u << i)) ? t->fina.regs.v[i] : t->init.regs.v[i];
            d->got[i] = (uint16_t)get_reg(&r, i);
            d->cmpmask[i] = i == MOO_FLAGS ? (flags_mask & 0x0fff) : 0xffff;
            if ((d->exp[i] ^ d->got[i]) & d->cmpmask[i])
                d->regbad |= (uint16_t)(1u << i);
        }
    }
    cleanup(x);
    return d->cat;
}
