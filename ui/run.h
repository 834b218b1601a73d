/* SPDX-License-Identifier: MIT */
/* run.h: running the machine a parsed command line describes. */
#ifndef KILN_UI_RUN_H
#define KILN_UI_RUN_H

#include "machine/config.h"

/* Builds the machine cfg describes and runs it until it stops; returns the
 * process exit status. With nothing to run (no kernel, no drive) prints the
 * usage reminder on stderr and returns 1. */
int kiln_run(const struct kiln_config *cfg);

#endif
