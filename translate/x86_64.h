/* SPDX-License-Identifier: MIT */
/* x86_64.h: extras of the x86-64 JIT backend (disassembly, feature control for tests). */
#ifndef KILN_TRANSLATE_X86_64_H
#define KILN_TRANSLATE_X86_64_H

#include <stdbool.h>
#include <stdio.h>
#include "translate/engine.h"

struct tb;

/* Disassembles tb's host code (compiled by the x86-64 engine) into out with
   capstone, one instruction a line ("-d out_asm"). Prints a note instead when
   the block has no host code. */
void engine_x86_64_dump(const struct tb *tb, FILE *out);

/* Stops e (an x86-64 engine) from using LZCNT, TZCNT or POPCNT even if the
   host has them, so tests can exercise the fallback sequences. Affects blocks
   compiled afterwards. */
void engine_x86_64_disable_features(struct engine *e, bool lzcnt, bool tzcnt, bool popcnt);

/* Host code bytes used so far / total, for statistics. */
void engine_x86_64_usage(const struct engine *e, size_t *used, size_t *total);

#endif
