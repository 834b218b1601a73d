/* SPDX-License-Identifier: MIT */
/* main.c: the kiln program's entry point; everything else is in kiln_main(). */
#include "ui/cmdline.h"

int main(int argc, char **argv)
{
    return kiln_main(argc, argv);
}
