/* SPDX-License-Identifier: MIT */
/* report286.c: human-readable failure reports for 286 test vectors. */
#include "tests/cpu286/exec286.h"

#include <string.h>

#include "cpu/decode.h"

static void print_stop(FILE *out, const struct bare_result *r)
{
    switch (r->stop) {
    case BARE_STOP_HLT:
        fprintf(out, "hlt");
        break;
    case BARE_STOP_EXCEPTION:
        fprintf(out, "exception %u", r->vector);
        if (r->has_error_code)
            fprintf(out, " (error code %#x)", r->error_code);
        break;
    case BARE_STOP_BUDGET:
        fprintf(out, "budget exhausted");
        break;
    default:
        fprintf(out, "stop %d", (int)r->stop);
    }
    fprintf(out, " after %llu insns", (unsigned long long)r->insns);
}

static void print_ram(FILE *out, const char *what, const struct moo_ram *ram)
{
    fprintf(out, "      %s:", what);
    for (uint32_t i = 0; i < ram->count; i++) {
        uint32_t a;
        uint8_t v;
        moo_ram_entry(ram, i, &a, &v);
        if (i && i % 8 == 0)
            fprintf(out, "\n      %*s", (int)strlen(what) + 1, "");
        fprintf(out, " %06x=%02x", a, v);
    }
    fprintf(out, "\n");
}

void x286_print_detail(FILE *out, const struct moo_test *t, const struct x286_detail *d,
                       bool ram)
{
    char hash[41] = "-";
    if (t->has_hash)
        moo_hash_hex(t->hash, hash);
    fprintf(out, "    #%u [%s] \"%.*s\" bytes:", t->index, x286_cat_name(d->cat),
            (int)t->name_len, t->name ? t->name : "");
    for (uint32_t i = 0; i < t->nbytes && i < 16; i++)
        fprintf(out, " %02x", t->bytes[i]);
    fprintf(out, "  hash %s\n", hash);

    struct x86_insn insn;
    char dis[128];
    int st = x86_decode(t->bytes, t->nbytes, X86_MODE_16, &insn);
    if (st == X86_DECODE_OK) {
        x86_insn_format(&insn, t->init.regs.v[MOO_IP], dis, sizeof(dis));
        fprintf(out, "      kiln decodes: %s (len %u)\n", dis, insn.len);
    } else {
        static const char *const why[] = {"ok", "#UD", "too long (#GP)", "short buffer"};
        fprintf(out, "      kiln decoder: %s\n", st >= 0 && st < 4 ? why[st] : "?");
    }
    if (t->has_exception)
        fprintf(out, "      286 took interrupt %u (FLAGS pushed at %#x)\n", t->exc_number,
                t->exc_flag_addr);
    for (int i = 0; i < d->nruns && i < 2; i++) {
        fprintf(out, "      %s: ", i ? "after harness delivery" : "kiln stopped");
        print_stop(out, &d->res[i]);
        fprintf(out, "\n");
    }
    if (d->note[0])
        fprintf(out, "      note: %s\n", d->note);
    if (d->nruns && d->cat != X286_F_SETUP) {
        fprintf(out, "      reg    initial expected kiln\n");
        for (unsigned i = 0; i < MOO_NREGS; i++) {
            bool bad = d->regbad & (1u << i);
            fprintf(out, "      %-6s %04x    %04x     %04x%s", moo_reg_name(i),
                    t->init.regs.v[i], d->exp[i], d->got[i], bad ? "  <--" : "");
            if (i == MOO_FLAGS)
                fprintf(out, "  (compared bits %04x)", d->cmpmask[i]);
            fprintf(out, "\n");
        }
        if (d->upper_bits)
            fprintf(out, "      kiln set bits above 15 of a 16-bit register\n");
    }
    if (ram) {
        print_ram(out, "initial ram", &t->init.ram);
        print_ram(out, "final ram (changed bytes)", &t->fina.ram);
    }
    for (uint32_t i = 0; i < d->nmembad && i < 8; i++)
        fprintf(out, "      ram %06x expected %02x kiln %02x%s\n", d->membad[i].addr,
                d->membad[i].exp, d->membad[i].got,
                d->membad[i].mask != 0xff ? " (masked: undefined FLAGS bits)" : "");
    if (d->nmembad > 8)
        fprintf(out, "      ... %u differing bytes in all\n", d->nmembad);
}
