/* SPDX-License-Identifier: MIT */
/* dt_run.c: difftest comparison of host and kiln results, shrinking and mismatch reports. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "cpu/decode.h"
#include "tests/difftest/dt_run.h"

static const char *const gpr_names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                           "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

/* Which item holds code offset off (-1 if none). */
static int item_at(const struct dt_seq *s, const struct dt_code *c, uint32_t off)
{
    for (int i = 0; i < s->n; i++)
        if (off >= c->start[i] && off < c->start[i + 1])
            return i;
    return -1;
}

uint16_t dt_flag_mask(const struct dt_seq *s, const struct dt_code *c, const struct dt_result *r)
{
    uint16_t undef;
    if (r->stop == DT_STOP_END) {
        undef = c->in_undef[s->n];
    } else {
        int i = item_at(s, c, (uint32_t)(r->rip - DT_MEM_BASE));
        undef = i < 0 ? DT_ARITH : (uint16_t)(c->in_undef[i] | s->it[i].undefs);
    }
    return (uint16_t)(DT_CMP_FLAGS & ~undef);
}

static const char *stop_name(const struct dt_result *r, char *buf, size_t n)
{
    switch (r->stop) {
    case DT_STOP_END: return "end";
    case DT_STOP_HANG: return "hang";
    case DT_STOP_ERROR: snprintf(buf, n, "error: %s", r->msg); return buf;
    default:
        if (r->has_err)
            snprintf(buf, n, "exception %u (error code %#x)", r->vector, r->err);
        else
            snprintf(buf, n, "exception %u", r->vector);
        return buf;
    }
}

/* FP/SIMD state: FCW, FSW, abridged tags, MXCSR, the x87 registers (80 bits each; MMi is
   the low 64) and XMM0-15. Not compared: FOP, FIP/FCS, FDP/FDS (the AMD host stores them
   only while FSW.ES = 1 and not as Intel does; docs/FPU.md) and MXCSR_MASK. */
static bool fx_compare(const uint8_t *h, const uint8_t *k, char *why, size_t n)
{
    static const struct { unsigned off, len; const char *name; } f[] = {
        { 0, 2, "fcw" }, { 2, 2, "fsw" }, { 4, 1, "ftw" }, { 24, 4, "mxcsr" },
    };
    for (unsigned i = 0; i < sizeof f / sizeof f[0]; i++) {
        uint32_t hv = 0, kv = 0;
        memcpy(&hv, h + f[i].off, f[i].len);
        memcpy(&kv, k + f[i].off, f[i].len);
        if (hv != kv) {
            snprintf(why, n, "%s: host %#x, kiln %#x", f[i].name, hv, kv);
            return false;
        }
    }
    for (unsigned i = 0; i < 8; i++) {
        const uint8_t *a = h + DT_FX_ST + 16 * i, *b = k + DT_FX_ST + 16 * i;
        if (memcmp(a, b, 10)) {
            uint64_t am, bm;
            uint16_t ae, be;
            memcpy(&am, a, 8); memcpy(&ae, a + 8, 2);
            memcpy(&bm, b, 8); memcpy(&be, b + 8, 2);
            snprintf(why, n, "st%u: host %04x:%016" PRIx64 ", kiln %04x:%016" PRIx64, i, ae, am, be, bm);
            return false;
        }
    }
    for (unsigned i = 0; i < 16; i++) {
        const uint8_t *a = h + DT_FX_XMM + 16 * i, *b = k + DT_FX_XMM + 16 * i;
        if (memcmp(a, b, 16)) {
            uint64_t aq[2], bq[2];
            memcpy(aq, a, 16);
            memcpy(bq, b, 16);
            snprintf(why, n, "xmm%u: host %016" PRIx64 "%016" PRIx64 ", kiln %016" PRIx64 "%016" PRIx64,
                     i, aq[1], aq[0], bq[1], bq[0]);
            return false;
        }
    }
    return true;
}

bool dt_compare(const struct dt_seq *s, const struct dt_code *c, const struct dt_result *h,
                const struct dt_result *k, char *why, size_t n)
{
    char b1[128], b2[128];
    if (h->stop == DT_STOP_ERROR || k->stop == DT_STOP_ERROR || h->stop != k->stop ||
        (h->stop == DT_STOP_FAULT && h->vector != k->vector)) {
        snprintf(why, n, "stop: host %s, kiln %s", stop_name(h, b1, sizeof b1),
                 stop_name(k, b2, sizeof b2));
        return false;
    }
    if (h->stop == DT_STOP_FAULT) {
        /* #PF: P and W/R bits (U/S differs: the host runs at CPL 3), and CR2; #GP etc: all */
        uint32_t em = h->vector == 14 ? 3u : ~0u;
        if (h->has_err != k->has_err || ((h->err ^ k->err) & em)) {
            snprintf(why, n, "error code: host %#x, kiln %s%#x", h->err,
                     k->has_err ? "" : "none ", k->err);
            return false;
        }
        if (h->vector == 14 && h->cr2 != k->cr2) {
            snprintf(why, n, "cr2: host %#" PRIx64 ", kiln %#" PRIx64, h->cr2, k->cr2);
            return false;
        }
    }
    if (h->rip != k->rip) {
        snprintf(why, n, "rip: host +%#" PRIx64 ", kiln +%#" PRIx64, h->rip - DT_MEM_BASE,
                 k->rip - DT_MEM_BASE);
        return false;
    }
    for (int i = 0; i < 16; i++) {
        if (h->gpr[i] != k->gpr[i]) {
            snprintf(why, n, "%s: host %#" PRIx64 ", kiln %#" PRIx64, gpr_names[i], h->gpr[i],
                     k->gpr[i]);
            return false;
        }
    }
    uint16_t fm = dt_flag_mask(s, c, h);
    if ((h->rflags ^ k->rflags) & fm) {
        snprintf(why, n, "rflags: compared bits %#x, host %#" PRIx64 ", kiln %#" PRIx64, fm,
                 h->rflags & fm, k->rflags & fm);
        return false;
    }
    for (uint32_t i = 0; i < DT_DATA_SIZE; i++) {
        if (h->data[i] != k->data[i]) {
            snprintf(why, n, "memory: at %#" PRIx64 " host %02x, kiln %02x", DT_DATA + i,
                     h->data[i], k->data[i]);
            return false;
        }
    }
    for (uint32_t i = 0; i < DT_SLOT_SIZE; i++) {
        if (h->slots[i] != k->slots[i]) {
            snprintf(why, n, "loop slots: at %#" PRIx64 " host %02x, kiln %02x", DT_SLOTS + i,
                     h->slots[i], k->slots[i]);
            return false;
        }
    }
    return fx_compare(h->fx, k->fx, why, n);
}

bool dt_run_one(int engine, const struct dt_seq *s, const struct dt_state *st, struct dt_code *c,
                struct dt_result *h, struct dt_result *k, char *why, size_t n)
{
    dt_layout(s, 0xcc, c);
    dt_native_run(c, st, h);
    c->b[c->len] = 0xf4;
    dt_kiln_run(engine, c, st, k);
    c->b[c->len] = 0xcc;
    return dt_compare(s, c, h, k, why, n);
}

/* Length of the mismatch category of a reason ("rflags", "rax", "memory at", "stop"...). */
static size_t category(const char *why)
{
    const char *c = strchr(why, ':');
    return c ? (size_t)(c - why) : strlen(why);
}

void dt_shrink(int engine, struct dt_seq *s, const struct dt_state *st, const char *orig)
{
    static struct dt_code c;
    static struct dt_result h, k;
    char why[256];
    size_t cl = category(orig);
    bool progress = true;
    while (progress && s->n > 1) {
        progress = false;
        for (int i = s->n - 1; i >= 0 && s->n > 1; i--) {
            struct dt_seq t = *s;
            memmove(&t.it[i], &t.it[i + 1], sizeof t.it[0] * (size_t)(t.n - i - 1));
            t.n--;
            /* branches over the dropped item keep their target item */
            for (int j = 0; j < i; j++)
                if (t.it[j].br_size && t.it[j].br_skip && j + 1 + t.it[j].br_skip > i)
                    t.it[j].br_skip--;
            if (!dt_run_one(engine, &t, st, &c, &h, &k, why, sizeof why) &&
                category(why) == cl && !strncmp(why, orig, cl)) {
                *s = t;
                progress = true;
            }
        }
    }
}

int dt_validate(const struct dt_seq *s, char *why, size_t n)
{
    int bad = 0;
    for (int i = 0; i < s->n; i++) {
        const struct dt_item *it = &s->it[i];
        for (int j = 0; j < it->ninsns && j < DT_ITEM_INSNS; j++) {
            uint32_t end = j + 1 < it->ninsns ? it->ofs[j + 1] : it->len;
            struct x86_insn in;
            int st = x86_decode(it->b + it->ofs[j], it->len - it->ofs[j], X86_MODE_64, &in);
            bool ud_ok = it->cls == DT_C_FAULT && (st == X86_DECODE_UD || st == X86_DECODE_TOO_LONG);
            if (ud_ok && st == X86_DECODE_TOO_LONG)
                continue;
            if ((st != X86_DECODE_OK && !ud_ok) || in.len != end - it->ofs[j]) {
                if (!bad++) {
                    int o = snprintf(why, n, "%s: decode status %d len %u, expected %u:",
                                     dt_class_name(it->cls), st, in.len, end - it->ofs[j]);
                    for (uint32_t b = it->ofs[j]; b < end && o > 0 && (size_t)o < n; b++)
                        o += snprintf(why + o, n - (size_t)o, " %02x", it->b[b]);
                }
            }
        }
    }
    return bad;
}

static void print_insns(FILE *f, const uint8_t *b, uint32_t len, uint64_t addr)
{
    uint32_t o = 0;
    while (o < len) {
        struct x86_insn in;
        char text[128];
        int st = x86_decode(b + o, len - o, X86_MODE_64, &in);
        uint32_t l = st == X86_DECODE_OK && in.len ? in.len : len - o;
        if (st == X86_DECODE_OK)
            x86_insn_format(&in, addr + o, text, sizeof text);
        else
            snprintf(text, sizeof text, "(not decoded: status %d)", st);
        fprintf(f, "      +%04" PRIx64 "  ", addr + o - DT_MEM_BASE);
        for (uint32_t i = 0; i < l && i < 15; i++)
            fprintf(f, "%02x ", b[o + i]);
        fprintf(f, "%*s %s\n", (int)(3 * (15 - (l < 15 ? l : 15))), "", text);
        o += l;
    }
}

static void print_fx(FILE *f, const char *who, const uint8_t *x)
{
    uint16_t cw, sw;
    uint32_t mx;
    memcpy(&cw, x, 2);
    memcpy(&sw, x + 2, 2);
    memcpy(&mx, x + 24, 4);
    fprintf(f, "    %s fcw %04x fsw %04x ftw %02x mxcsr %08x\n", who, cw, sw, x[4], mx);
    for (int i = 0; i < 8; i++) {
        uint64_t m;
        uint16_t e;
        memcpy(&m, x + DT_FX_ST + 16 * i, 8);
        memcpy(&e, x + DT_FX_ST + 16 * i + 8, 2);
        fprintf(f, "      st%d %04x:%016" PRIx64 "%s", i, e, m, i % 2 ? "\n" : "   ");
    }
    for (int i = 0; i < 16; i++) {
        uint64_t q[2];
        memcpy(q, x + DT_FX_XMM + 16 * i, 16);
        fprintf(f, "      xmm%-2d %016" PRIx64 "%016" PRIx64 "%s", i, q[1], q[0], i % 2 ? "\n" : "   ");
    }
}

static bool fx_default(const uint8_t *x)
{
    static const uint8_t def[32] = { 0x7f, 0x03, [24] = 0x80, 0x1f };
    if (memcmp(x, def, 4) || memcmp(x + 24, def + 24, 4))
        return false;
    for (unsigned i = DT_FX_ST; i < DT_FX_SIZE; i++)
        if (x[i])
            return false;
    return true;
}

static void print_result(FILE *f, const char *who, const struct dt_result *r,
                         const struct dt_result *other)
{
    char b[128];
    fprintf(f, "  %s: %s, rip +%#" PRIx64 ", rflags %#" PRIx64, who, stop_name(r, b, sizeof b),
            r->rip - DT_MEM_BASE, r->rflags);
    if (r->stop == DT_STOP_FAULT && r->vector == 14)
        fprintf(f, ", cr2 %#" PRIx64, r->cr2);
    fprintf(f, "\n");
    for (int i = 0; i < 16; i++)
        fprintf(f, "    %-3s %016" PRIx64 "%s%s", gpr_names[i], r->gpr[i],
                other && other->gpr[i] != r->gpr[i] ? " *" : "  ", i % 4 == 3 ? "\n" : "");
}

void dt_report(FILE *f, int engine, uint64_t seqseed, const char *repro, const struct dt_seq *s,
               const struct dt_state *st, const char *why)
{
    static struct dt_code c;
    static struct dt_result h, k;
    char w2[256] = "";
    if (engine >= 0) {
        dt_run_one(engine, s, st, &c, &h, &k, w2, sizeof w2);
    } else {
        dt_layout(s, 0xcc, &c);
        dt_native_run(&c, st, &h);
        k = h;
    }
    fprintf(f, "MISMATCH (%s): %s\n", engine < 0 ? "host" : dt_engine_name(engine), why);
    fprintf(f, "  sequence seed %#" PRIx64 "; reproduce: %s\n", seqseed, repro);
    fprintf(f, "  minimal sequence (%d item(s)), after shrinking: %s\n", s->n, w2);
    for (int i = 0; i < s->n; i++) {
        fprintf(f, "    [%s]%s\n", dt_class_name(s->it[i].cls),
                c.pre_on[i] ? " (flag-defining cmp first)" : "");
        print_insns(f, c.b + c.start[i], c.start[i + 1] - c.start[i], DT_MEM_BASE + c.start[i]);
    }
    fprintf(f, "  initial: rip +%#x, rflags %#" PRIx64 " (+IF), rsp data+%#" PRIx64 "\n", c.org,
            st->rflags | 0x202, st->gpr[4] - DT_DATA);
    if (st->kiln_slice)
        fprintf(f, "  kiln runs in slices of %u instructions (%u at most)%s\n", st->kiln_slice,
                DT_KILN_SLICES, st->kiln_sync ? ", registers read and written back in between" : "");
    if (st->kiln_poke_us)
        fprintf(f, "  kiln gets exit requests every %u us (timing-dependent)\n", st->kiln_poke_us);
    for (int i = 0; i < 16; i++)
        fprintf(f, "    %-3s %016" PRIx64 "  %s", gpr_names[i], st->gpr[i], i % 4 == 3 ? "\n" : "");
    if (!fx_default(st->fx))
        print_fx(f, "initial", st->fx);
    fprintf(f, "  compared flags %#x\n", dt_flag_mask(s, &c, &h));
    print_result(f, "host", &h, NULL);
    if (engine < 0)
        return;
    print_result(f, "kiln", &k, &h);
    if (!fx_default(h.fx) || !fx_default(k.fx)) {
        print_fx(f, "host", h.fx);
        print_fx(f, "kiln", k.fx);
    }
    int shown = 0;
    for (uint32_t i = 0; i < DT_DATA_SIZE && shown < 16; i++) {
        if (h.data[i] != k.data[i]) {
            fprintf(f, "    memory data+%#x: host %02x kiln %02x (initial %02x)\n", i, h.data[i],
                    k.data[i], st->data[i]);
            shown++;
        }
    }
}

void dt_print_seq(FILE *f, const struct dt_seq *s, const struct dt_state *st)
{
    static struct dt_code c;
    static struct dt_result h;
    dt_layout(s, 0xcc, &c);
    dt_native_run(&c, st, &h);
    fprintf(f, "sequence (%d item(s), %u instruction(s)):\n", s->n, c.ninsns);
    for (int i = 0; i < s->n; i++) {
        fprintf(f, "    [%s]%s\n", dt_class_name(s->it[i].cls),
                c.pre_on[i] ? " (flag-defining cmp first)" : "");
        print_insns(f, c.b + c.start[i], c.start[i + 1] - c.start[i], DT_MEM_BASE + c.start[i]);
    }
    fprintf(f, "  initial: rip +%#x, rflags %#" PRIx64 " (+IF)\n", c.org, st->rflags | 0x202);
    for (int i = 0; i < 16; i++)
        fprintf(f, "    %-3s %016" PRIx64 "  %s", gpr_names[i], st->gpr[i], i % 4 == 3 ? "\n" : "");
    fprintf(f, "  compared flags %#x\n", dt_flag_mask(s, &c, &h));
    print_result(f, "host", &h, NULL);
}
