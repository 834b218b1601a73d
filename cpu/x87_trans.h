/* SPDX-License-Identifier: MIT */
/* x87_trans.h: the x87 transcendental functions on 80-bit values (cpu/x87_trans.c). */
#ifndef KILN_CPU_X87_TRANS_H
#define KILN_CPU_X87_TRANS_H

#include <stdbool.h>
#include "cpu/softfloat.h"

/* Each rounds its result once per c (precision control, rounding mode), adds the
   exception flags it raises to c->flags (IE, DE, ZE, UE, PE, and SF_C1 when
   rounded up) and handles NaNs, zeros, infinities and unsupported encodings as
   the x87 does. Stack handling is the caller's. */

enum x87t_trig { X87T_SIN, X87T_COS, X87T_SINCOS, X87T_TAN };
/* FSIN/FCOS/FPTAN: *r1 = the result; FSINCOS: *r1 = sin, *r2 = cos. False when
   |a| >= 2^63 (the caller sets C2 and leaves the stack alone). */
bool x87t_trig(struct sf_ctx *c, enum x87t_trig which, fx80 a, fx80 *r1, fx80 *r2);
/* FPATAN: arctan(y / x) in the quadrant of (x, y). */
fx80 x87t_atan2(struct sf_ctx *c, fx80 y, fx80 x);
/* FYL2X: y * log2(x); FYL2XP1 (plus1): y * log2(x + 1). */
fx80 x87t_yl2x(struct sf_ctx *c, fx80 y, fx80 x, bool plus1);
/* F2XM1: 2^a - 1. */
fx80 x87t_2xm1(struct sf_ctx *c, fx80 a);

#endif
