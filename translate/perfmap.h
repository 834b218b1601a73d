/* SPDX-License-Identifier: MIT */
/* perfmap.h: names generated host code for perf (/tmp/perf-<pid>.map) when KILN_PERF_MAP is set. */
#ifndef KILN_TRANSLATE_PERFMAP_H
#define KILN_TRANSLATE_PERFMAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Linux perf symbolizes samples in anonymous executable memory from
 * /tmp/perf-<pid>.map, one "START SIZE NAME" line (hex, hex, text) per
 * region. With the environment variable KILN_PERF_MAP set to anything but
 * "0" or "", every block the JIT emits gets a line "START SIZE tb_<guest pc>"
 * (tb_commit calls perfmap_add). Code space is reused after a cache flush:
 * perf then sees several names for one address (the file is never pruned).
 */
struct perfmap;

/* Opens (appends to) /tmp/perf-<pid>.map if KILN_PERF_MAP asks for it;
   NULL otherwise or if the file cannot be opened. */
struct perfmap *perfmap_open(void);
/* One line for host code [code, code + size) translated from guest pc. NULL pm: nothing. */
void perfmap_add(struct perfmap *pm, const void *code, size_t size, uint64_t pc);
/* Closes the file (NULL: nothing). */
void perfmap_close(struct perfmap *pm);

#endif
