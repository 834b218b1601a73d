/* SPDX-License-Identifier: MIT */
/* table286.c: per-opcode table, totals and make-check summary of the 286 suite. */
#include <stdio.h>
#include <string.h>

#include "tests/cpu286/suite286.h"

/* "regs 12, #UD 3" (failure kinds by count), or "crashed"/"hung". */
static void kinds(const struct s286_tally *t, char *buf, size_t n)
{
    buf[0] = 0;
    if (!t->ran)
        return;
    if (t->signal) {
        snprintf(buf, n, t->timeout ? "hung (timeout)" : "crashed (signal %d)", t->signal);
        return;
    }
    bool used[X286_NCAT] = {false};
    size_t len = 0;
    for (;;) {
        int best = -1;
        for (int c = X286_F_REGS; c < X286_NCAT; c++)
            if (!used[c] && t->cat[c] &&
                (best < 0 || x286_cat_na((enum x286_cat)best) > x286_cat_na((enum x286_cat)c) ||
                 (x286_cat_na((enum x286_cat)best) == x286_cat_na((enum x286_cat)c) &&
                  t->cat[c] > t->cat[best])))
                best = c;
        if (best < 0 || len + 1 >= n)
            break;
        used[best] = true;
        int w = snprintf(buf + len, n - len, "%s%s %u", len ? ", " : "",
                         x286_cat_name((enum x286_cat)best), t->cat[best]);
        if (w < 0)
            break;
        len += (size_t)w;
        if (len >= n) {
            buf[n - 1] = 0;
            break;
        }
    }
}

static void cell(const struct s286_tally *t, char *buf, size_t n)
{
    if (!t->ran)
        snprintf(buf, n, "-");
    else if (t->signal)
        snprintf(buf, n, "%s", t->timeout ? "hung" : "crash");
    else
        snprintf(buf, n, "%u/%u", s286_pass(t), t->run - s286_na(t));
}

void s286_print_file_line(const struct s286_file *f)
{
    printf("  %-5s %-7s", f->stem, f->mnemonic);
    for (int e = 0; e < S286_NENG; e++) {
        const struct s286_tally *t = &f->tally[e];
        if (!t->ran)
            continue;
        char c[32], k[256];
        cell(t, c, sizeof(c));
        kinds(t, k, sizeof(k));
        printf("  %s %s%s%s%s", s286_engine_name(e), c, k[0] ? " (" : "", k, k[0] ? ")" : "");
    }
    printf("\n");
}

static void totals(const struct s286_file *files, size_t n, int e, bool md)
{
    struct s286_tally sum;
    memset(&sum, 0, sizeof(sum));
    unsigned nfiles = 0, full = 0, crashed = 0;
    for (size_t i = 0; i < n; i++) {
        const struct s286_tally *t = &files[i].tally[e];
        if (!t->ran)
            continue;
        nfiles++;
        if (t->signal) {
            crashed++;
            continue;
        }
        if (t->run && !s286_fail(t))
            full++;
        sum.run += t->run;
        sum.revoked += t->revoked;
        sum.known_bad += t->known_bad;
        for (int c = 0; c < X286_NCAT; c++)
            sum.cat[c] += t->cat[c];
    }
    if (!nfiles)
        return;
    sum.ran = true;
    char k[512];
    kinds(&sum, k, sizeof(k));
    uint32_t pass = s286_pass(&sum), app = sum.run - s286_na(&sum);
    printf("%s%s: %u/%u applicable vectors pass (%.1f%%; %u via harness IVT delivery); "
           "%u 286-only (n/a), %u revoked + %u known-bad skipped; %u/%u files fully pass; "
           "%u crashed/hung\n",
           md ? "- " : "", s286_engine_name(e), pass, app, app ? 100.0 * pass / app : 0.0,
           sum.cat[X286_PASS_HDELIV], s286_na(&sum), sum.revoked, sum.known_bad, full, nfiles, crashed);
    if (k[0])
        printf("%s  not passing, by kind: %s\n", md ? "" : "", k);
}

void s286_print_table(const struct s286_file *files, size_t n, const struct s286_opts *o)
{
    bool md = o->markdown;
    if (md) {
        printf("| file | insn | vectors | interp | jit | not passing (interp; jit, or both) |\n");
        printf("|------|------|--------:|-------:|----:|------------------------|\n");
    } else {
        printf("\n%-6s %-7s %7s %13s %13s  %s\n", "file", "insn", "vectors", "interp", "jit",
               "not passing, by kind (interp | jit, or both)");
    }
    for (size_t i = 0; i < n; i++) {
        const struct s286_file *f = &files[i];
        if (!f->tally[0].ran && !f->tally[1].ran && !f->load_failed)
            continue;
        char c0[32], c1[32], k0[256], k1[256];
        cell(&f->tally[0], c0, sizeof(c0));
        cell(&f->tally[1], c1, sizeof(c1));
        kinds(&f->tally[0], k0, sizeof(k0));
        kinds(&f->tally[1], k1, sizeof(k1));
        const char *sep = (k0[0] && k1[0]) ? (md ? "; " : " | ") : "";
        if (f->tally[0].ran && f->tally[1].ran && !strcmp(k0, k1)) {
            sep = ""; /* the same on both engines: once */
            k1[0] = 0;
        }
        if (f->load_failed)
            snprintf(k0, sizeof(k0), "file does not parse");
        if (md)
            printf("| %s | %s | %zu | %s | %s | %s%s%s |\n", f->stem, f->mnemonic, f->ntests, c0,
                   c1, k0, sep, k1);
        else
            printf("%-6s %-7s %7zu %13s %13s  %s%s%s\n", f->stem, f->mnemonic, f->ntests, c0, c1,
                   k0, sep, k1);
    }
    printf("\n");
    for (int e = 0; e < S286_NENG; e++)
        totals(files, n, e, md);
}

void s286_print_enabled(const struct s286_file *files, size_t n)
{
    printf("\n# files passing fully (enabled.txt lines):\n");
    for (size_t i = 0; i < n; i++) {
        const struct s286_file *f = &files[i];
        unsigned ok = 0;
        for (int e = 0; e < S286_NENG; e++) {
            const struct s286_tally *t = &f->tally[e];
            if (!t->ran)
                continue;
            if (!t->signal && t->run && !s286_fail(t))
                ok |= 1u << e;
        }
        if (!ok)
            continue;
        if (ok == 3)
            printf("%s\n", f->stem);
        else
            printf("%s %s\n", f->stem, ok == 1 ? "interp" : "jit");
    }
}

int s286_check_summary(const struct s286_file *files, size_t n, unsigned parsed,
                       unsigned other_failures)
{
    uint64_t pass = 0, fail = 0;
    unsigned nen = 0;
    for (size_t i = 0; i < n; i++) {
        if (!files[i].enabled)
            continue;
        nen++;
        for (int e = 0; e < S286_NENG; e++) {
            const struct s286_tally *t = &files[i].tally[e];
            if (!(files[i].enabled & (1u << e)))
                continue;
            if (!t->ran || t->signal) {
                fail++; /* never ran, crashed or hung */
                continue;
            }
            pass += s286_pass(t);
            fail += s286_fail(t);
            if (t->run == 0)
                fail++; /* an enabled file must run something */
        }
    }
    printf("cpu286: %u MOO files parsed (+ harness self-checks); %u enabled opcode files: "
           "%llu vectors passed, %llu failed\n", parsed, nen, (unsigned long long)pass,
           (unsigned long long)fail);
    /* one "test" per parsed file (the reader on real data) and per caught
       self-check mutation, then one per vector */
    printf("[  PASSED  ] %u test(s).\n", parsed);
    printf("[  PASSED  ] %llu test(s).\n", (unsigned long long)pass);
    fail += other_failures;
    if (fail)
        printf("[  FAILED  ] %llu test(s)\n", (unsigned long long)fail);
    return fail ? 1 : 0;
}
