/* SPDX-License-Identifier: MIT */
/* cmdline.h: the kiln command line (a QEMU-compatible subset). */
#ifndef KILN_UI_CMDLINE_H
#define KILN_UI_CMDLINE_H

/* Parses argv, sets the machine up and runs it; returns the process exit status. */
int kiln_main(int argc, char **argv);

#endif
