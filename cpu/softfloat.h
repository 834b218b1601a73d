/* SPDX-License-Identifier: MIT */
/* softfloat.h: our portable 80-bit extended-precision arithmetic for the x87 (no host long double). */
#ifndef KILN_CPU_SOFTFLOAT_H
#define KILN_CPU_SOFTFLOAT_H

#include <stdbool.h>
#include <stdint.h>

/* An 80-bit value: explicit-integer-bit significand, sign in bit 15 of se. */
typedef struct { uint64_t m; uint16_t se; } fx80;

/* x87 status-word exception bits (also used as flags here), and C1 = "rounded up". */
#define SF_IE 0x01u
#define SF_DE 0x02u
#define SF_ZE 0x04u
#define SF_OE 0x08u
#define SF_UE 0x10u
#define SF_PE 0x20u
#define SF_C1 0x200u

/* Rounding context: rc = x87 RC (0 nearest, 1 down, 2 up, 3 zero), prec = 24, 53 or 64.
   traps: SF_OE / SF_UE when that exception is unmasked: a tiny result raises UE even when
   exact, and fx_round_pack (register results) returns the overflowing / underflowing
   result with its exponent adjusted by -/+ 24576 instead of the masked response. */
struct sf_ctx { unsigned rc, prec, flags, traps; };

/* Classification. */
bool fx_is_nan(fx80 a);
bool fx_is_snan(fx80 a);
bool fx_is_inf(fx80 a);
bool fx_is_zero(fx80 a);
bool fx_is_unsupported(fx80 a);   /* pseudo-NaN/inf, unnormal */
bool fx_is_denormal(fx80 a);
fx80 fx_default_nan(void);
fx80 fx_zero(bool neg);
fx80 fx_inf(bool neg);

/* Arithmetic (IEEE rounding per ctx, flags accumulate in ctx->flags). */
fx80 fx_add(struct sf_ctx *c, fx80 a, fx80 b);
fx80 fx_sub(struct sf_ctx *c, fx80 a, fx80 b);
fx80 fx_mul(struct sf_ctx *c, fx80 a, fx80 b);
fx80 fx_div(struct sf_ctx *c, fx80 a, fx80 b);
fx80 fx_sqrt(struct sf_ctx *c, fx80 a);
fx80 fx_round_int(struct sf_ctx *c, fx80 a);  /* FRNDINT (RC mode) */
fx80 fx_scale(struct sf_ctx *c, fx80 a, fx80 b); /* FSCALE */
/* Compare: -1, 0, 1, or 2 unordered; IE on SNaN (and on QNaN when !quiet). */
int fx_cmp(struct sf_ctx *c, fx80 a, fx80 b, bool quiet);
/* Rounds an exact value (sign, biased exponent, significand normalised at bit 127). */
fx80 fx_round_pack(struct sf_ctx *c, bool sign, int32_t exp, unsigned __int128 m);

/* Conversions. */
fx80 fx_from_f32(struct sf_ctx *c, uint32_t v);
fx80 fx_from_f64(struct sf_ctx *c, uint64_t v);
fx80 fx_from_i64(int64_t v);
uint32_t fx_to_f32(struct sf_ctx *c, fx80 a);
uint64_t fx_to_f64(struct sf_ctx *c, fx80 a);
/* To a size-byte integer (2, 4, 8) with ctx rounding (trunc: toward zero); out of
   range or NaN: IE and the integer indefinite. */
uint64_t fx_to_int(struct sf_ctx *c, fx80 a, unsigned size, bool trunc);

#endif
