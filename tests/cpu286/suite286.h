/* SPDX-License-Identifier: MIT */
/* suite286.h: per-file runs, tallies, enabled list and reports of the 286 suite runner. */
#ifndef KILN_TESTS_SUITE286_H
#define KILN_TESTS_SUITE286_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/cpu286/exec286.h"
#include "tests/cpu286/meta286.h"
#include "tests/cpu286/moo.h"

/* Engine index 0 = interpreter, 1 = JIT (bit e of the engine masks). */
#define S286_NENG 2

struct s286_opts {
    unsigned engines;     /* bit 0 interp, bit 1 jit */
    unsigned max_fail;    /* failures printed in detail per file and engine */
    unsigned sample;      /* run every Nth vector */
    uint64_t budget;
    unsigned timeout;     /* seconds per file and engine */
    bool deliver, kiln_deliver, verbose, no_fork, markdown, check;
};

struct s286_ctx {
    struct m286_meta meta;
    struct m286_revoked revoked;    /* the suite's revocation_list.txt */
    struct m286_revoked known_bad;  /* tests/cpu286/known_bad.txt: vectors we judge wrong */
};

struct s286_tally {
    bool ran;
    bool timeout;
    int signal;           /* child died by this signal (-1: other failure) */
    uint32_t run;         /* vectors run */
    uint32_t revoked;     /* skipped: on the revocation list */
    uint32_t known_bad;   /* skipped: on kiln's known-bad list */
    uint32_t cat[X286_NCAT];
};

struct s286_file {
    char stem[16];        /* "00", "80.2" */
    char path[4352];
    char opcode[8];       /* "80" */
    int reg;              /* 2, or -1 */
    char mnemonic[9];
    unsigned enabled;     /* check mode: engines this file is enabled on */
    bool load_failed;
    size_t ntests;
    const struct moo_file *moo; /* while being run */
    struct s286_tally tally[S286_NENG];
};

/* Splits a file stem "80.2" into opcode "80" and reg 2 ("00" -> "00", -1). */
void s286_stem_split(const char *stem, char *opcode, size_t n, int *reg);
const char *s286_engine_name(int eng);
/* Vectors that passed, that test 286-only behaviour (n/a), and that failed. */
uint32_t s286_pass(const struct s286_tally *t);
uint32_t s286_na(const struct s286_tally *t);
uint32_t s286_fail(const struct s286_tally *t);

/* Runs the (sampled) vectors of f->moo on engine eng, printing the first
   failures, sweeping memory for stray writes; results into *t. */
void s286_run_file(const struct s286_file *f, int eng, const struct s286_opts *o,
                   const struct s286_ctx *c, struct s286_tally *t);

/* Shows the comparison can fail: takes a passing vector of f->moo and runs it
   with a wrong register, FLAGS bit and RAM byte expected; each must fail.
   Returns how many were not caught (*passed: how many were), -1 if f has no
   passing vector to mutate. */
int s286_selfcheck(const struct s286_file *f, int eng, const struct s286_opts *o,
                   const struct s286_ctx *c, unsigned *passed);

/* Reads the enabled list ("STEM [interp|jit]" lines, '#' comments) and sets
   files[].enabled. Returns the number of errors (unknown stems, bad lines, no file). */
unsigned s286_apply_enabled(const char *path, struct s286_file *files, size_t n);

/* One line with a file's pass counts per engine. */
void s286_print_file_line(const struct s286_file *f);
/* Per-opcode table and per-engine totals (plain or Markdown). */
void s286_print_table(const struct s286_file *files, size_t n, const struct s286_opts *o);
/* enabled.txt lines for the files that pass fully on the engines that ran. */
void s286_print_enabled(const struct s286_file *files, size_t n);
/* make-check summary: cmocka-style lines; returns the exit status. */
int s286_check_summary(const struct s286_file *files, size_t n, unsigned parsed,
                       unsigned other_failures);

#endif
