/* SPDX-License-Identifier: MIT */
/* run.c: kiln_run, the bridge from a parsed configuration to the machine (a stub until the PC lands). */
#include <stdio.h>
#include "ui/cmdline.h"
#include "ui/run.h"

int kiln_run(const struct kiln_config *cfg)
{
    if (cfg->kernel == NULL && cfg->ndrives == 0) {
        kiln_print_usage(stderr);
        return 1;
    }
    fprintf(stderr, "kiln: the PC machine is not built yet\n");
    return 1;
}
