/* SPDX-License-Identifier: MIT */
/* dt_run.h: difftest comparison, shrinking, decoder validation and reports. */
#ifndef KILN_DT_RUN_H
#define KILN_DT_RUN_H

#include <stdio.h>
#include "tests/difftest/dt.h"

/* Flags compared for a result of code c (defined ones minus undefined-flag table). */
uint16_t dt_flag_mask(const struct dt_seq *s, const struct dt_code *c, const struct dt_result *r);
/* true if host result h and kiln result k agree; else a reason in why. */
bool dt_compare(const struct dt_seq *s, const struct dt_code *c, const struct dt_result *h,
                const struct dt_result *k, char *why, size_t n);
/* Lays out s, runs it natively and on kiln's engine, compares. */
bool dt_run_one(int engine, const struct dt_seq *s, const struct dt_state *st, struct dt_code *c,
                struct dt_result *h, struct dt_result *k, char *why, size_t n);
/* Drops items while a mismatch of the same kind as orig (the reason before ':') persists. */
void dt_shrink(int engine, struct dt_seq *s, const struct dt_state *st, const char *orig);
/* Checks every instruction's length with x86_decode; returns the number of bad ones. */
int dt_validate(const struct dt_seq *s, char *why, size_t n);
/* Prints a mismatch: seed, reproduction command, sequence with disassembly, states. */
void dt_report(FILE *f, int engine, uint64_t seqseed, const char *repro, const struct dt_seq *s,
               const struct dt_state *st, const char *why);

/* Prints a sequence with disassembly, its initial state and the host's result. */
void dt_print_seq(FILE *f, const struct dt_seq *s, const struct dt_state *st);

/* Self-tests: the host runner on hand-written sequences with known results, and the
   comparison noticing a change in each field it covers. true if they pass. */
bool dt_selftest_native(FILE *out);
bool dt_selftest_compare(FILE *out);

#endif
