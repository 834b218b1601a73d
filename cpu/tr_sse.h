/* SPDX-License-Identifier: MIT */
/* tr_sse.h: translators of the FPU/SIMD instructions (cpu/tr_sse.c, tr_x87.c). */
#ifndef KILN_CPU_TR_SSE_H
#define KILN_CPU_TR_SSE_H

#include "cpu/tr.h"

/* Every MMX/SSE op (X86_F_MMX / X86_F_SSE) not listed elsewhere: helper_sse. */
tr_fn tr_sse;
/* Every x87 op (X86_F_X87): helper_x87 (cpu/tr_x87.c). */
tr_fn tr_x87;
/* FWAIT: helper_fwait. */
tr_fn tr_fwait;
/* CRC32 (helper_crc32). */
tr_fn tr_crc32;
/* FXSAVE FXRSTOR LDMXCSR STMXCSR: helper_fpctl. */
tr_fn tr_fpctl;

/* XSAVE XSAVEOPT XSAVEC XRSTOR XGETBV XSETBV: helper_xsave (cpu/xsave.c). */
tr_fn tr_xsave;

/* helper_fpctl kinds (bit flags above the kind). */
enum { FPCTL_FXSAVE, FPCTL_FXRSTOR, FPCTL_LDMXCSR, FPCTL_STMXCSR };
#define FPCTL_REXW 0x100u
#define FPCTL_LONG 0x200u

#endif
