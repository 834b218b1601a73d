/* SPDX-License-Identifier: MIT */
/* suite286.c: runs one opcode file on one engine, and reads the enabled list. */
#include "tests/cpu286/suite286.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Vectors between memory sweeps (a sweep reads all 16 MiB). */
#define SWEEP_EVERY 512

void s286_stem_split(const char *stem, char *opcode, size_t n, int *reg)
{
    const char *dot = strchr(stem, '.');
    size_t l = dot ? (size_t)(dot - stem) : strlen(stem);
    if (l >= n)
        l = n - 1;
    memcpy(opcode, stem, l);
    opcode[l] = 0;
    *reg = -1;
    if (dot && dot[1] >= '0' && dot[1] <= '7' && dot[2] == 0)
        *reg = dot[1] - '0';
}

const char *s286_engine_name(int eng)
{
    return eng ? "jit" : "interp";
}

uint32_t s286_pass(const struct s286_tally *t)
{
    return t->cat[X286_PASS] + t->cat[X286_PASS_HDELIV];
}

uint32_t s286_na(const struct s286_tally *t)
{
    uint32_t n = 0;
    for (int c = 0; c < X286_NCAT; c++)
        if (x286_cat_na((enum x286_cat)c))
            n += t->cat[c];
    return n;
}

uint32_t s286_fail(const struct s286_tally *t)
{
    return t->run - s286_pass(t) - s286_na(t);
}

static void show(const struct s286_file *f, int eng, const struct moo_test *t,
                 const struct x286_detail *d, unsigned *shown, const struct s286_opts *o)
{
    if (*shown >= o->max_fail)
        return;
    if (*shown == 0)
        printf("  -- %s (%s) on %s: failures\n", f->stem, f->mnemonic, s286_engine_name(eng));
    x286_print_detail(stdout, t, d, o->verbose);
    ++*shown;
}

#define STRAY_ADDRS 4096

/* After a sweep found stray bytes (their addresses in addrs): re-runs the
   window's passing vectors one at a time and watches those bytes to find which
   vector wrote them. Failing vectors keep their first reason (often the cause:
   kiln wrote where the 286 faulted). */
static void find_strays(struct x286 *x, const struct s286_file *f, int eng, const size_t *win,
                        size_t nw, uint8_t *verdict, uint16_t fm, const uint32_t *addrs,
                        size_t naddrs, unsigned *shown, const struct s286_opts *o)
{
    for (size_t k = 0; k < nw; k++) {
        if (!x286_cat_pass((enum x286_cat)verdict[win[k]]))
            continue;
        const struct moo_test *t = &f->moo->tests[win[k]];
        struct x286_detail d;
        x286_run(x, t, fm, &d);
        size_t n = x286_dirty_at(x, addrs, naddrs);
        if (!n)
            continue;
        verdict[win[k]] = X286_F_STRAY;
        d.cat = X286_F_STRAY;
        snprintf(d.note, sizeof(d.note), "wrote %zu guest byte(s) the 286 did not", n);
        show(f, eng, t, &d, shown, o);
    }
    x286_sweep(x, NULL, 0);
}

/* Sweeps memory; on stray bytes, finds their writers. */
static void sweep(struct x286 *x, const struct s286_file *f, int eng, const size_t *win,
                  size_t nw, uint8_t *verdict, uint16_t fm, unsigned *shown,
                  const struct s286_opts *o)
{
    static uint32_t addrs[STRAY_ADDRS];
    size_t n = x286_sweep(x, addrs, STRAY_ADDRS);
    if (n)
        find_strays(x, f, eng, win, nw, verdict, fm, addrs, n < STRAY_ADDRS ? n : STRAY_ADDRS,
                    shown, o);
}

void s286_run_file(const struct s286_file *f, int eng, const struct s286_opts *o,
                   const struct s286_ctx *c, struct s286_tally *t)
{
    const struct moo_file *m = f->moo;
    struct x286 *x = x286_new(eng ? BARE_ENGINE_JIT : BARE_ENGINE_INTERP, o->deliver, o->budget);
    if (x)
        x286_set_kiln_deliver(x, o->kiln_deliver);
    uint8_t *verdict = calloc(m->ntests ? m->ntests : 1, 1);
    size_t win[SWEEP_EVERY], nw = 0;
    unsigned shown = 0;
    if (!x || !verdict) {
        printf("  %s %s: cannot create a bare CPU\n", f->stem, s286_engine_name(eng));
        t->run = 1;
        t->cat[X286_F_SETUP] = 1;
        x286_free(x);
        free(verdict);
        return;
    }
    memset(verdict, 0xff, m->ntests);
    uint16_t fm = m286_flags_mask(&c->meta, f->opcode, f->reg);
    for (size_t i = 0; i < m->ntests; i++) {
        if (i % o->sample)
            continue;
        const struct moo_test *tt = &m->tests[i];
        if (tt->has_hash && m286_is_revoked(&c->revoked, tt->hash)) {
            t->revoked++;
            continue;
        }
        if (tt->has_hash && m286_is_revoked(&c->known_bad, tt->hash)) {
            t->known_bad++;
            continue;
        }
        struct x286_detail d;
        enum x286_cat cat = x286_run(x, tt, fm, &d);
        verdict[i] = (uint8_t)cat;
        if (!x286_cat_pass(cat) && (!x286_cat_na(cat) || o->verbose))
            show(f, eng, tt, &d, &shown, o);
        win[nw++] = i;
        if (nw == SWEEP_EVERY) {
            sweep(x, f, eng, win, nw, verdict, fm, &shown, o);
            nw = 0;
        }
    }
    if (nw)
        sweep(x, f, eng, win, nw, verdict, fm, &shown, o);
    for (size_t i = 0; i < m->ntests; i++) {
        if (verdict[i] >= X286_NCAT)
            continue;
        t->run++;
        t->cat[verdict[i]]++;
    }
    free(verdict);
    x286_free(x);
}

unsigned s286_apply_enabled(const char *path, struct s286_file *files, size_t n)
{
    size_t len;
    char *text = m286_read_text(path, 1u << 20, &len);
    if (!text) {
        printf("run286: cannot read enabled list %s\n", path);
        return 1;
    }
    unsigned errors = 0, lineno = 0;
    for (char *line = text, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char stem[32] = "", eng[32] = "", extra[8] = "";
        int k = sscanf(line, "%31s %31s %7s", stem, eng, extra);
        if (k <= 0)
            continue;
        unsigned mask = 3;
        if (k >= 2 && !strcmp(eng, "interp"))
            mask = 1;
        else if (k >= 2 && !strcmp(eng, "jit"))
            mask = 2;
        else if (k >= 2 && strcmp(eng, "both")) {
            printf("run286: %s:%u: unknown engine '%s'\n", path, lineno, eng);
            errors++;
            continue;
        }
        if (k == 3) {
            printf("run286: %s:%u: trailing text\n", path, lineno);
            errors++;
            continue;
        }
        size_t i = 0;
        while (i < n && strcasecmp(files[i].stem, stem))
            i++;
        if (i == n) {
            printf("run286: %s:%u: no test file '%s' in the data\n", path, lineno, stem);
            errors++;
            continue;
        }
        files[i].enabled |= mask;
    }
    free(text);
    return errors;
}
