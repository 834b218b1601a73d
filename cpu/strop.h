/* SPDX-License-Identifier: MIT */
/* strop.h: descriptor of helper_string (internal to cpu/). */
#ifndef KILN_CPU_STROP_H
#define KILN_CPU_STROP_H

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
#define STR_ONE ((uint64_t)1 << 20)

#endif
