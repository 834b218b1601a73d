/* SPDX-License-Identifier: MIT */
/* strop.h: descriptor of helper_string (internal to cpu/). */
#ifndef KILN_CPU_STROP_H
#define KILN_CPU_STROP_H

#include <stdint.h>

enum { STR_MOVS, STR_CMPS, STR_STOS, STR_LODS, STR_SCAS, STR_INS, STR_OUTS };
enum { STR_REP_NONE, STR_REP, STR_REP_E, STR_REP_NE };
/* kind | size << 4 | addrsize << 8 | rep << 12 | source segment << 16 */
#define STR_DESC(kind, size, asize, rep, seg) \
    ((uint64_t)(kind) | (uint64_t)(size) << 4 | (uint64_t)(asize) << 8 | (uint64_t)(rep) << 12 | \
     (uint64_t)(seg) << 16)
/* Iterations one helper call does at most before returning "more"; with
   STR_ONE (single-instruction blocks: single-stepping, TF) exactly one, as a
   single-stepped REP string instruction does on hardware. */
#define STR_BATCH 256
/* Elements at most per helper call when the fast path (str_fast) runs. */
#define STR_FAST_BATCH 8192

struct cpu;
/* Fast path of helper_string (REP forms of MOVS STOS LODS SCAS CMPS): does up
   to max elements (not more than RCX) that lie in one page of RAM the TLB maps
   to host memory for both operands, with RCX/RSI/RDI/RAX/lazy flags updated as
   after that many iterations; stops early after a SCAS/CMPS element ending the
   repeat. Returns how many, or 0 when the slow path must do the next element
   (MMIO, code pages, page-crossing element, segment limit, fewer than two).
   May raise only the first element's own fault (nothing done). */
uint64_t str_fast(struct cpu *cpu, unsigned kind, unsigned size, unsigned as, unsigned rep,
                  unsigned seg, unsigned idx, uint64_t max);
#define STR_ONE ((uint64_t)1 << 20)

#endif
