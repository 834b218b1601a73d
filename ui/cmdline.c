/* SPDX-License-Identifier: MIT */
/* cmdline.c: parses the kiln command line (placeholder until the parser lands). */
#include <stdio.h>
#include "config.h"
#include "ui/cmdline.h"

int kiln_main(int argc, char **argv)
{
    (void)argc; (void)argv;
    printf("kiln %s\n", KILN_VERSION);
    return 0;
}
