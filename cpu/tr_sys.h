/* SPDX-License-Identifier: MIT */
/* tr_sys.h: translators of the system instructions (cpu/tr_system.c, tr_priv.c), for tr_table. */
#ifndef KILN_CPU_TR_SYS_H
#define KILN_CPU_TR_SYS_H

#include "cpu/tr.h"

tr_fn tr_sys_int, tr_sys_iret, tr_sys_retf, tr_sys_farjmp, tr_sys_farcall, tr_sys_cli; /* tr_system.c */
tr_fn tr_sys_desc_table, tr_sys_ldt_tr, tr_sys_mov_cr, tr_sys_msw, tr_sys_misc, tr_sys_fastcall,
      tr_sys_lar;                                                                    /* tr_priv.c */

#endif
