/* SPDX-License-Identifier: MIT */
/* cmdline.h: the kiln command line (a QEMU-compatible subset). */
#ifndef KILN_UI_CMDLINE_H
#define KILN_UI_CMDLINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "machine/config.h"

/* Parses argv, sets the machine up and runs it; returns the process exit status. */
int kiln_main(int argc, char **argv);

/* Parses argv (argv[0] is the program name) into cfg, which it initializes
 * first. Returns 0 when the machine should run; 1 when help or version text
 * was printed on stdout and the program should exit with status 0; -1 on an
 * error, with a one-line message such as "kiln: -m: invalid size 'foo'" in
 * err (no newline). Always call kiln_config_free(cfg) afterwards. */
int kiln_parse_args(struct kiln_config *cfg, int argc, char **argv, char *err, size_t errlen);

/* kiln_parse_args with help text going to `out` and accepting exactly the
 * features in `built` (a KILN_FEAT_BIT mask, e.g. KILN_FEAT_ALL in tests). */
int kiln_parse_args_ex(struct kiln_config *cfg, int argc, char **argv, FILE *out,
                       uint64_t built, char *err, size_t errlen);

/* Prints the full option summary (-help) to f. */
void kiln_print_help(FILE *f);

/* Prints the two-line usage reminder to f. */
void kiln_print_usage(FILE *f);

#endif
