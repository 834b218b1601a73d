/* SPDX-License-Identifier: MIT */
/* test_decode_allow.h: capstone 4.0.2 allowlist (docs/DECODER.md, "Capstone allowlist"). */
#ifndef KILN_TEST_DECODE_ALLOW_H
#define KILN_TEST_DECODE_ALLOW_H

static inline bool dcmp_operands_match(struct dcmp *d, const struct x86_insn *in, const cs_insn *ci)
{
    (void)d; (void)in; (void)ci;
    return true;
}

static inline int dcmp_allowed(struct dcmp *d, const uint8_t *buf, int st, const struct x86_insn *in,
                               const cs_insn *ci, enum dcmp_result res)
{
    (void)d; (void)buf; (void)st; (void)in; (void)ci; (void)res;
    return 0;
}

#endif
