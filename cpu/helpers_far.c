/* SPDX-License-Identifier: MIT */
/* helpers_far.c: BCD adjust (DAA DAS AAA AAS AAM AAD) and SALC. */
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/helpers.h"

static uint64_t szp8(uint64_t v)
{
    v &= 0xff;
    return cc_parity(v) | (v == 0 ? CPU_ZF : 0) | ((v & 0x80) ? CPU_SF : 0);
}

/* a0 = BCD_*, a1 = AAM/AAD base. Works on AX and the flags. */
static uint64_t h_bcd(void *env, uint64_t kind, uint64_t imm, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a2; (void)a3;
    uint64_t f = cc_compute_all(cpu->cc_op, cpu->cc_dst, cpu->cc_src, cpu->cc_src2);
    uint64_t ax = cpu->gpr[0] & 0xffff, al = ax & 0xff, ah = ax >> 8;
    bool cf = f & CPU_CF, af = f & CPU_AF;
    uint64_t nf = f & CPU_OF;
    switch (kind) {
    case BCD_DAA: case BCD_DAS: {
        uint64_t old = al;
        bool ncf = false;
        if ((al & 0xf) > 9 || af) {
            ncf = cf || (kind == BCD_DAA ? al + 6 > 0xff : al < 6);
            al = (kind == BCD_DAA ? al + 6 : al - 6) & 0xff;
            af = true;
        } else {
            af = false;
        }
        if (old > 0x99 || cf) {
            al = (kind == BCD_DAA ? al + 0x60 : al - 0x60) & 0xff;
            ncf = true;
        }
        cf = ncf;
        ax = (ax & 0xff00) | al;
        nf = szp8(al);
        break;
    }
    case BCD_AAA: case BCD_AAS:
        if ((al & 0xf) > 9 || af) {
            if (kind == BCD_AAA) {
                ax = (ax + 0x106) & 0xffff;
            } else {
                ax = (ax - 6) & 0xffff; /* the borrow reaches AH, as on the 286 */
                ax = (ax - 0x100) & 0xffff;
            }
            af = cf = true;
        } else {
            af = cf = false;
        }
        ax &= 0xff0f;
        nf = szp8(ax);
        break;
    case BCD_AAM:
        if (imm == 0)
            cpu_raise(cpu, EXC_DE, false, 0);
        ax = ((al / imm) << 8) | (al % imm);
        nf = szp8(ax);
        af = cf = false;
        break;
    case BCD_AAD:
        ax = (al + ah * imm) & 0xff;
        nf = szp8(ax);
        af = cf = false;
        break;
    default: /* SALC */
        cpu->gpr[0] = (cpu->gpr[0] & ~(uint64_t)0xff) | (cf ? 0xff : 0);
        return 0;
    }
    cpu->gpr[0] = (cpu->gpr[0] & ~(uint64_t)0xffff) | ax;
    cpu->cc_op = CC_OP_EFLAGS;
    cpu->cc_src = (nf & ~(uint64_t)(CPU_CF | CPU_AF)) | (cf ? CPU_CF : 0) | (af ? CPU_AF : 0);
    return 0;
}
const struct ir_helper helper_bcd = { h_bcd, "bcd", 0 };
