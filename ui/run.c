/* SPDX-License-Identifier: MIT */
/* run.c: kiln_run, the bridge from a parsed configuration to the machine (a stub until the PC lands). */
#include <stdio.h>
#include "translate/log.h"
#include "ui/cmdline.h"
#include "ui/run.h"

int kiln_run(const struct kiln_config *cfg)
{
    struct kiln_log log;
    char why[300];

    if (cfg->kernel == NULL && cfg->ndrives == 0) {
        kiln_print_usage(stderr);
        return 1;
    }
    /* The log belongs to the machine; opening it here reports -D errors early. */
    kiln_log_init(&log);
    log.mask = cfg->log_mask;
    if (cfg->log_file != NULL && kiln_log_open(&log, cfg->log_file, why, sizeof(why)) < 0) {
        fprintf(stderr, "kiln: -D: %s\n", why);
        return 1;
    }
    fprintf(stderr, "kiln: the PC machine is not built yet\n");
    kiln_log_close(&log);
    return 1;
}
