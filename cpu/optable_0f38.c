/* SPDX-License-Identifier: MIT */
/* optable_0f38.c: three-byte maps 0F 38 and 0F 3A (SDM Tables) and their VEX BMI forms. */
#include "cpu/optable.h"

/* SSSE3: MMX form without prefix, XMM form with 66 */
#define SX(op_) PFX(E2(op_, Pq, Qq, MMX), E2(op_, Vdq, Wdq, SSE), INV, INV)
#define X66(op_) PFX(INV, E2(op_, Vdq, Wdq, SSE), INV, INV)
#define X66W(op_, w_) PFX(INV, E2(op_, Vdq, w_, SSE), INV, INV)
#define B66(op_) PFX(INV, E3(op_, Vdq, Wdq, XMM0, SSE), INV, INV)

const struct x86_opdesc x86_map_0f38[256] = {
    [0x00] = SX(PSHUFB), [0x01] = SX(PHADDW), [0x02] = SX(PHADDD), [0x03] = SX(PHADDSW),
    [0x04] = SX(PMADDUBSW), [0x05] = SX(PHSUBW), [0x06] = SX(PHSUBD), [0x07] = SX(PHSUBSW),
    [0x08] = SX(PSIGNB), [0x09] = SX(PSIGNW), [0x0a] = SX(PSIGND), [0x0b] = SX(PMULHRSW),
    [0x10] = B66(PBLENDVB), [0x14] = B66(BLENDVPS), [0x15] = B66(BLENDVPD),
    [0x17] = X66(PTEST),
    [0x1c] = SX(PABSB), [0x1d] = SX(PABSW), [0x1e] = SX(PABSD),
    [0x20] = X66W(PMOVSXBW, Wq), [0x21] = X66W(PMOVSXBD, Wd), [0x22] = X66W(PMOVSXBQ, Ww),
    [0x23] = X66W(PMOVSXWD, Wq), [0x24] = X66W(PMOVSXWQ, Wd), [0x25] = X66W(PMOVSXDQ, Wq),
    [0x28] = X66(PMULDQ), [0x29] = X66(PCMPEQQ),
    [0x2a] = PFX(INV, E2(MOVNTDQA, Vdq, Mdq, SSE), INV, INV), [0x2b] = X66(PACKUSDW),
    [0x30] = X66W(PMOVZXBW, Wq), [0x31] = X66W(PMOVZXBD, Wd), [0x32] = X66W(PMOVZXBQ, Ww),
    [0x33] = X66W(PMOVZXWD, Wq), [0x34] = X66W(PMOVZXWQ, Wd), [0x35] = X66W(PMOVZXDQ, Wq),
    [0x37] = X66(PCMPGTQ),
    [0x38] = X66(PMINSB), [0x39] = X66(PMINSD), [0x3a] = X66(PMINUW), [0x3b] = X66(PMINUD),
    [0x3c] = X66(PMAXSB), [0x3d] = X66(PMAXSD), [0x3e] = X66(PMAXUW), [0x3f] = X66(PMAXUD),
    [0x40] = X66(PMULLD), [0x41] = X66(PHMINPOSUW),
    /* INVEPT, INVVPID (VMX: not implemented) */
    [0x80] = PFX(INV, UNSUP2(Gy, Mdq), INV, INV), [0x81] = PFX(INV, UNSUP2(Gy, Mdq), INV, INV),
    [0x82] = PFX(INV, E2(INVPCID, Gyf, Mdq, PRIV | SER), INV, INV),
    /* SHA (not implemented) */
    [0xc8] = PFX(UNSUP2(Vdq, Wdq), INV, INV, INV), [0xc9] = PFX(UNSUP2(Vdq, Wdq), INV, INV, INV),
    [0xca] = PFX(UNSUP2(Vdq, Wdq), INV, INV, INV), [0xcb] = PFX(UNSUP2(Vdq, Wdq), INV, INV, INV),
    [0xcc] = PFX(UNSUP2(Vdq, Wdq), INV, INV, INV), [0xcd] = PFX(UNSUP2(Vdq, Wdq), INV, INV, INV),
    [0xdb] = X66(AESIMC), [0xdc] = X66(AESENC), [0xdd] = X66(AESENCLAST),
    [0xde] = X66(AESDEC), [0xdf] = X66(AESDECLAST),
    [0xf0] = PFX(E2(MOVBE, Gv, Mv, 0), E2(MOVBE, Gv, Mv, 0), INV, E2(CRC32, Gy, Eb, 0)),
    [0xf1] = PFX(E2(MOVBE, Mv, Gv, 0), E2(MOVBE, Mv, Gv, 0), INV, E2(CRC32, Gy, Ev, 0)),
    [0xf6] = PFX(INV, E2(ADCX, Gy, Ey, 0), E2(ADOX, Gy, Ey, 0), INV),
};

#define I66(op_, w_) PFX(INV, E3(op_, Vdq, w_, Ib, SSE), INV, INV)

const struct x86_opdesc x86_map_0f3a[256] = {
    [0x08] = I66(ROUNDPS, Wdq), [0x09] = I66(ROUNDPD, Wdq),
    [0x0a] = I66(ROUNDSS, Wd), [0x0b] = I66(ROUNDSD, Wq),
    [0x0c] = I66(BLENDPS, Wdq), [0x0d] = I66(BLENDPD, Wdq), [0x0e] = I66(PBLENDW, Wdq),
    [0x0f] = PFX(E3(PALIGNR, Pq, Qq, Ib, MMX), E3(PALIGNR, Vdq, Wdq, Ib, SSE), INV, INV),
    [0x14] = PFX(INV, E3(PEXTRB, RdMb, Vdq, Ib, SSE), INV, INV),
    [0x15] = PFX(INV, E3(PEXTRW, RdMw, Vdq, Ib, SSE), INV, INV),
    [0x16] = PFX(INV, E3(PEXTRD, Ey, Vdq, Ib, SSE), INV, INV),
    [0x17] = PFX(INV, E3(EXTRACTPS, Ed, Vdq, Ib, SSE), INV, INV),
    [0x20] = PFX(INV, E3(PINSRB, Vdq, RdMb, Ib, SSE), INV, INV),
    [0x21] = I66(INSERTPS, Wd),
    [0x22] = PFX(INV, E3(PINSRD, Vdq, Ey, Ib, SSE), INV, INV),
    [0x40] = I66(DPPS, Wdq), [0x41] = I66(DPPD, Wdq), [0x42] = I66(MPSADBW, Wdq),
    [0x44] = I66(PCLMULQDQ, Wdq),
    [0x60] = I66(PCMPESTRM, Wdq), [0x61] = I66(PCMPESTRI, Wdq),
    [0x62] = I66(PCMPISTRM, Wdq), [0x63] = I66(PCMPISTRI, Wdq),
    [0xcc] = PFX(UNSUP3(Vdq, Wdq, Ib), INV, INV, INV), /* SHA1RNDS4 (not implemented) */
    [0xdf] = I66(AESKEYGENASSIST, Wdq),
};

/*
 * VEX-encoded BMI1/BMI2 general-purpose instructions (VEX.L must be 0). Every other
 * VEX opcode is recognised by decode.c, its length computed, and reported unsupported.
 */
const struct x86_opdesc x86_map_vex0f38[256] = {
    [0xf2] = PFX(E3(ANDN, Gy, By, Ey, 0), INV, INV, INV),
    [0xf3] = PFX(G8(INV, E2(BLSR, By, Ey, 0), E2(BLSMSK, By, Ey, 0), E2(BLSI, By, Ey, 0),
                    INV, INV, INV, INV), INV, INV, INV),
    [0xf5] = PFX(E3(BZHI, Gy, Ey, By, 0), INV, E3(PEXT, Gy, By, Ey, 0), E3(PDEP, Gy, By, Ey, 0)),
    [0xf6] = PFX(INV, INV, INV, E3(MULX, Gy, By, Ey, 0)),
    [0xf7] = PFX(E3(BEXTR, Gy, Ey, By, 0), E3(SHLX, Gy, Ey, By, 0), E3(SARX, Gy, Ey, By, 0),
                 E3(SHRX, Gy, Ey, By, 0)),
};

const struct x86_opdesc x86_map_vex0f3a[256] = {
    [0xf0] = PFX(INV, INV, INV, E3(RORX, Gy, Ey, Ib, 0)),
};
