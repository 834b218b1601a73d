#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen_sse_snippets.py: assembles the MMX/SSE snippets of test_sse.c with nasm into sse_snippets.h.
# Each snippet is wrapped: XMM0-15, MM0-7 and MXCSR loaded from the data area, saved back after.
# Run: python3 tests/unit/gen_sse_snippets.py > tests/unit/sse_snippets.h
import os, subprocess, sys, tempfile

ALL = 0x8d5
D = 0x20010000
# (name, nasm source with ';' between instructions, pointer registers, checked flags, kind)
# kind: 'i' integer inputs, 'f' float inputs (random MXCSR rounding/DAZ/FZ), 'd' double inputs
A = "and rsi, -16; and rdi, -16; "
SNIPPETS = [
    ("movaps/movups", A + "movaps xmm0, [rsi]; movups xmm1, [rbx]; movaps [rdi], xmm2; movups [rbx+32], xmm3; movaps xmm4, xmm5; movups xmm6, xmm7", "rsi rdi rbx", 0, 'i'),
    ("movdqa/movdqu", A + "movdqa xmm8, [rsi]; movdqu xmm9, [rbx]; movdqa [rdi], xmm10; movdqu [rbx+32], xmm11; movdqa xmm12, xmm13; movdqu xmm14, xmm15; movapd xmm0, xmm1; movupd xmm2, [rbx+48]; lddqu xmm3, [rbx+3]", "rsi rdi rbx", 0, 'i'),
    ("movd/movq", "movd xmm0, eax; movq xmm1, rcx; movd edx, xmm2; movq r8, xmm3; movd xmm4, [rbx]; movq xmm5, [rbx+8]; movd [rbx+16], xmm6; movq [rbx+24], xmm7; movq xmm8, xmm9; movq xmm10, [rbx+32]; movq [rbx+40], xmm11", "rbx", 0, 'i'),
    ("movss/movsd", "movss xmm0, xmm1; movsd xmm2, xmm3; movss xmm4, [rbx]; movsd xmm5, [rbx+8]; movss [rbx+16], xmm6; movsd [rbx+24], xmm7", "rbx", 0, 'i'),
    ("movlps/hps", "movlps xmm0, [rbx]; movhps xmm1, [rbx+8]; movlpd xmm2, [rbx+16]; movhpd xmm3, [rbx+24]; movlps [rbx+32], xmm4; movhps [rbx+40], xmm5; movlpd [rbx+48], xmm6; movhpd [rbx+56], xmm7; movhlps xmm8, xmm9; movlhps xmm10, xmm11", "rbx", 0, 'i'),
    ("movnt", A + "movntdq [rsi], xmm0; movntps [rsi+16], xmm1; movntpd [rsi+32], xmm2; movnti [rsi+48], eax; movnti [rsi+56], rcx; prefetcht0 [rsi]; prefetchnta [rsi]; sfence; lfence; mfence", "rsi", 0, 'i'),
    ("sse3 dup", A + "movsldup xmm0, xmm1; movshdup xmm2, [rsi]; movddup xmm3, xmm4; movddup xmm5, [rbx]", "rsi rbx", 0, 'i'),
    ("logic", A + "pxor xmm0, xmm1; por xmm2, xmm3; pand xmm4, xmm5; pandn xmm6, xmm7; xorps xmm8, xmm9; andps xmm10, xmm11; orps xmm12, [rsi]; andnps xmm13, xmm14; xorpd xmm15, xmm0; andpd xmm1, xmm2; orpd xmm3, xmm4; andnpd xmm5, [rsi+16]; pxor xmm6, xmm6", "rsi", 0, 'i'),
    ("pcmpeq/gt", A + "pcmpeqb xmm0, xmm1; pcmpeqw xmm2, xmm3; pcmpeqd xmm4, [rsi]; pcmpgtb xmm5, xmm6; pcmpgtw xmm7, xmm8; pcmpgtd xmm9, xmm10; pcmpeqb xmm11, xmm11; pcmpeqq xmm12, xmm13; pcmpgtq xmm14, xmm15", "rsi", 0, 'i'),
    ("pmovmskb", "pmovmskb eax, xmm0; pmovmskb ecx, xmm1; movmskps edx, xmm2; movmskpd r8d, xmm3; pcmpeqb xmm4, xmm5; pmovmskb r9d, xmm4", "", 0, 'i'),
    ("padd/psub", A + "paddb xmm0, xmm1; paddw xmm2, xmm3; paddd xmm4, xmm5; paddq xmm6, [rsi]; psubb xmm7, xmm8; psubw xmm9, xmm10; psubd xmm11, xmm12; psubq xmm13, xmm14", "rsi", 0, 'i'),
    ("sat add/sub", "paddsb xmm0, xmm1; paddsw xmm2, xmm3; paddusb xmm4, xmm5; paddusw xmm6, xmm7; psubsb xmm8, xmm9; psubsw xmm10, xmm11; psubusb xmm12, xmm13; psubusw xmm14, xmm15", "", 0, 'i'),
    ("min/max/avg", "pminub xmm0, xmm1; pmaxub xmm2, xmm3; pminsw xmm4, xmm5; pmaxsw xmm6, xmm7; pavgb xmm8, xmm9; pavgw xmm10, xmm11; psadbw xmm12, xmm13", "", 0, 'i'),
    ("mul", "pmullw xmm0, xmm1; pmulhw xmm2, xmm3; pmulhuw xmm4, xmm5; pmuludq xmm6, xmm7; pmaddwd xmm8, xmm9", "", 0, 'i'),
    ("shuffle", "pshufd xmm0, xmm1, 0x1b; pshuflw xmm2, xmm3, 0xc6; pshufhw xmm4, xmm5, 0x39; shufps xmm6, xmm7, 0x8d; shufpd xmm8, xmm9, 2; shufpd xmm10, xmm11, 1; pshufd xmm12, xmm12, 0xff", "", 0, 'i'),
    ("unpack", "punpcklbw xmm0, xmm1; punpckhbw xmm2, xmm3; punpcklwd xmm4, xmm5; punpckhwd xmm6, xmm7; punpckldq xmm8, xmm9; punpckhdq xmm10, xmm11; punpcklqdq xmm12, xmm13; punpckhqdq xmm14, xmm15; unpcklps xmm0, xmm15; unpckhps xmm1, xmm14; unpcklpd xmm2, xmm13; unpckhpd xmm3, xmm12", "", 0, 'i'),
    ("pack", "packsswb xmm0, xmm1; packuswb xmm2, xmm3; packssdw xmm4, xmm5; packusdw xmm6, xmm7", "", 0, 'i'),
    ("shift imm", "psllw xmm0, 3; psrlw xmm1, 15; psraw xmm2, 7; pslld xmm3, 31; psrld xmm4, 1; psrad xmm5, 20; psllq xmm6, 33; psrlq xmm7, 63; psllw xmm8, 16; psrad xmm9, 40; pslldq xmm10, 3; psrldq xmm11, 9; pslldq xmm12, 17", "", 0, 'i'),
    ("shift xmm", "and eax, 0x47; movd xmm15, eax; psllw xmm0, xmm15; psrlw xmm1, xmm15; psraw xmm2, xmm15; pslld xmm3, xmm15; psrld xmm4, xmm15; psrad xmm5, xmm15; psllq xmm6, xmm15; psrlq xmm7, xmm15; psrlq xmm8, xmm9", "", 0, 'i'),
    ("pinsrw/pextrw", "pinsrw xmm0, eax, 3; pinsrw xmm1, [rbx], 7; pextrw ecx, xmm2, 5; pextrw edx, xmm3, 9; pinsrb xmm4, eax, 13; pinsrd xmm5, ecx, 2; pinsrq xmm6, rdx, 1; pextrb r8d, xmm7, 15; pextrd r9d, xmm8, 3; pextrq r10, xmm9, 1; pextrw [rbx+8], xmm10, 2; extractps r11d, xmm11, 2", "rbx", 0, 'i'),
    ("maskmovdqu", "mov rdi, rbx; maskmovdqu xmm0, xmm1; add rdi, 3; maskmovdqu xmm2, xmm3", "rbx", 0, 'i'),
    ("ssse3", "pshufb xmm0, xmm1; palignr xmm2, xmm3, 5; palignr xmm4, xmm5, 20; pabsb xmm6, xmm7; pabsw xmm8, xmm9; pabsd xmm10, xmm11; psignb xmm12, xmm13; psignw xmm14, xmm15; psignd xmm0, xmm2; pmulhrsw xmm1, xmm3; pmaddubsw xmm4, xmm6", "", 0, 'i'),
    ("phadd", "phaddw xmm0, xmm1; phaddd xmm2, xmm3; phaddsw xmm4, xmm5; phsubw xmm6, xmm7; phsubd xmm8, xmm9; phsubsw xmm10, xmm11", "", 0, 'i'),
    ("sse41 minmax", "pminsb xmm0, xmm1; pmaxsb xmm2, xmm3; pminuw xmm4, xmm5; pmaxuw xmm6, xmm7; pminsd xmm8, xmm9; pmaxsd xmm10, xmm11; pminud xmm12, xmm13; pmaxud xmm14, xmm15; pmulld xmm0, xmm3; pmuldq xmm1, xmm4; phminposuw xmm2, xmm5; mpsadbw xmm6, xmm7, 5", "", 0, 'i'),
    ("pmovzx/sx", "pmovsxbw xmm0, xmm1; pmovsxbd xmm2, xmm3; pmovsxbq xmm4, xmm5; pmovsxwd xmm6, xmm7; pmovsxwq xmm8, xmm9; pmovsxdq xmm10, xmm11; pmovzxbw xmm12, xmm13; pmovzxbd xmm14, [rbx]; pmovzxbq xmm15, xmm0; pmovzxwd xmm1, xmm2; pmovzxwq xmm3, [rbx+4]; pmovzxdq xmm5, xmm6", "rbx", 0, 'i'),
    ("blend/ptest", "pblendvb xmm1, xmm2; blendvps xmm3, xmm4; blendvpd xmm5, xmm6; blendps xmm7, xmm8, 5; blendpd xmm9, xmm10, 2; pblendw xmm11, xmm12, 0xa5; ptest xmm13, xmm14", "", ALL, 'i'),
    ("ptest eq", "movdqa xmm1, xmm0; pandn xmm1, xmm2; ptest xmm1, xmm0; setz al; setc cl; ptest xmm3, xmm3", "", ALL, 'i'),
    ("mmx", "paddb mm0, mm1; psubw mm2, [rbx]; pmullw mm3, mm4; punpcklbw mm5, mm6; packsswb mm7, mm0; pxor mm1, mm2; psllq mm3, 7; psraw mm4, mm5; pcmpeqb mm6, mm7; pmovmskb eax, mm6; pshufw mm0, mm1, 0x1b; pinsrw mm2, ecx, 2; pextrw edx, mm3, 1; psadbw mm4, mm5; pmuludq mm6, mm7", "rbx", 0, 'i'),
    ("mmx arith", "paddsb mm0, mm1; psubusw mm2, mm3; pmaddwd mm4, mm5; pmulhw mm6, mm7; pcmpgtd mm0, mm2; punpckhdq mm1, mm3; packuswb mm4, mm6; psrlq mm5, 13; pavgb mm7, mm0; pminub mm1, mm2; pmaxsw mm3, mm4; pmulhuw mm5, mm6; paddq mm7, [rbx]; psubq mm0, mm1; punpckhwd mm2, mm3; packssdw mm4, mm5; psrad mm6, [rbx+8]; pandn mm7, mm1", "rbx", 0, 'i'),
    ("mmx ssse3", "phaddd mm0, mm1; phsubw mm2, mm3; phaddsw mm4, mm5; psignb mm6, mm7; psignd mm0, mm2; pmaddubsw mm1, mm3; pmulhrsw mm4, mm6; pabsb mm5, mm7; pabsd mm6, [rbx]; pshufb mm7, [rbx+8]", "rbx", 0, 'i'),
    ("mmx mov", "movd mm0, eax; movq mm1, rcx; movd edx, mm2; movq r8, mm3; movq mm4, [rbx]; movq [rbx+8], mm5; movq mm6, mm7; movq2dq xmm0, mm1; movdq2q mm2, xmm3; movntq [rbx+16], mm4; pshufb mm5, mm6; palignr mm7, mm0, 3; pabsw mm1, mm2; mov rdi, rbx; maskmovq mm3, mm4", "rbx", 0, 'i'),
    ("fxsave", A + "fxsave64 [rsi]; fxsave [rsi+512]; mov dword [rsi+28], 0xffff; mov dword [rsi+540], 0xffff", "rsi", 0, 'i'),
    ("fxrstor", A + "fxsave64 [rsi]; mov dword [rsi+28], 0xffff; pxor xmm0, xmm0; movdqa xmm5, xmm3; fxrstor64 [rsi]; mov dword [rsi+24], 0x1f80; fxrstor [rsi]; stmxcsr [rsi+600]", "rsi", 0, 'i'),
    ("aes", A + "aesenc xmm0, xmm1; aesenclast xmm2, xmm3; aesdec xmm4, xmm5; aesdeclast xmm6, [rsi]; aesimc xmm7, xmm8; aeskeygenassist xmm9, xmm10, 0x1b; aeskeygenassist xmm11, xmm12, 0x80", "rsi", 0, 'i'),
    ("pclmulqdq", A + "pclmulqdq xmm0, xmm1, 0x00; pclmulqdq xmm2, xmm3, 0x01; pclmulqdq xmm4, xmm5, 0x10; pclmulqdq xmm6, [rsi], 0x11", "rsi", 0, 'i'),
    ("pcmpistri", A + "pcmpistri xmm0, xmm1, 0x00; mov r8, rcx; pushfq; pop r9; pcmpistri xmm2, xmm3, 0x0c; mov r10, rcx; pushfq; pop r11; pcmpistri xmm4, [rsi], 0x08; mov r12, rcx; pushfq; pop r13; pcmpistri xmm5, xmm6, 0x44; pushfq; pop r14; pcmpistri xmm7, xmm8, 0x1a; pushfq; pop r15; pcmpistri xmm9, xmm10, 0x37", "rsi", ALL, 'i'),
    ("pcmpistrm", "pcmpistrm xmm1, xmm2, 0x00; movdqa xmm12, xmm0; pcmpistrm xmm3, xmm4, 0x44; movdqa xmm13, xmm0; pcmpistrm xmm5, xmm6, 0x0d; movdqa xmm14, xmm0; pcmpistrm xmm7, xmm8, 0x7a", "", ALL, 'i'),
    ("pcmpestri", "and eax, 0x8000001f; and edx, 0x1f; pcmpestri xmm0, xmm1, 0x00; mov r8, rcx; pushfq; pop r9; pcmpestri xmm2, xmm3, 0x0d; mov r10, rcx; pushfq; pop r11; pcmpestri xmm4, xmm5, 0x28; mov r12, rcx; pushfq; pop r13; pcmpestri xmm6, xmm7, 0x34; pushfq; pop r14; neg rax; pcmpestri xmm8, xmm9, 0x4e", "", ALL, 'i'),
    ("pcmpestrm", "and eax, 0x1f; and edx, 0x1f; pcmpestrm xmm1, xmm2, 0x04; movdqa xmm12, xmm0; pcmpestrm xmm3, xmm4, 0x49; movdqa xmm13, xmm0; pcmpestrm xmm5, xmm6, 0x3c", "", ALL, 'i'),
    ("pcmpistri zeros", "pxor xmm15, xmm15; pinsrb xmm1, r8d, 5; pcmpistri xmm1, xmm2, 0x0c; mov r9, rcx; pushfq; pop r10; punpcklbw xmm3, xmm15; pcmpistri xmm3, xmm1, 0x08; pushfq; pop r11; pcmpistri xmm15, xmm1, 0x00", "", ALL, 'i'),
    ("crc32", "crc32 eax, cl; crc32 edx, bx; crc32 esi, edi; crc32 r8, r9; crc32 r10d, byte [rbx]; crc32 r11, qword [rbx+8]; crc32 r12d, word [rbx+16]", "rbx", 0, 'i'),
    ("addps", A + "addps xmm0, xmm1; addps xmm2, [rsi]; subps xmm3, xmm4; mulps xmm5, xmm6; divps xmm7, xmm8", "rsi", 0, 'f'),
    ("addss", "addss xmm0, xmm1; subss xmm2, [rbx]; mulss xmm3, xmm4; divss xmm5, xmm6; sqrtss xmm7, xmm8; sqrtps xmm9, xmm10", "rbx", 0, 'f'),
    ("addpd", A + "addpd xmm0, xmm1; addpd xmm2, [rsi]; subpd xmm3, xmm4; mulpd xmm5, xmm6; divpd xmm7, xmm8", "rsi", 0, 'd'),
    ("addsd", "addsd xmm0, xmm1; subsd xmm2, [rbx]; mulsd xmm3, xmm4; divsd xmm5, xmm6; sqrtsd xmm7, xmm8; sqrtpd xmm9, xmm10", "rbx", 0, 'd'),
    ("minmax ps", "minps xmm0, xmm1; maxps xmm2, xmm3; minss xmm4, xmm5; maxss xmm6, [rbx]", "rbx", 0, 'f'),
    ("minmax pd", "minpd xmm0, xmm1; maxpd xmm2, xmm3; minsd xmm4, xmm5; maxsd xmm6, [rbx]", "rbx", 0, 'd'),
    ("cmpps", "cmpps xmm0, xmm8, 0; cmpps xmm1, xmm8, 1; cmpps xmm2, xmm8, 2; cmpps xmm3, xmm8, 3; cmpps xmm4, xmm8, 4; cmpps xmm5, xmm8, 5; cmpps xmm6, xmm8, 6; cmpps xmm7, xmm8, 7; cmpss xmm9, xmm10, 1; cmpss xmm11, xmm12, 4", "", 0, 'f'),
    ("cmppd", "cmppd xmm0, xmm8, 0; cmppd xmm1, xmm8, 1; cmppd xmm2, xmm8, 2; cmppd xmm3, xmm8, 3; cmppd xmm4, xmm8, 4; cmppd xmm5, xmm8, 5; cmppd xmm6, xmm8, 6; cmppd xmm7, xmm8, 7; cmpsd xmm9, xmm10, 2; cmpsd xmm11, xmm12, 7", "", 0, 'd'),
    ("comiss", "comiss xmm0, xmm1; pushfq; pop rax; ucomiss xmm2, xmm3; pushfq; pop rcx; comiss xmm4, [rbx]; pushfq; pop rdx; ucomiss xmm0, xmm0", "rbx", ALL, 'f'),
    ("comisd", "comisd xmm0, xmm1; pushfq; pop rax; ucomisd xmm2, xmm3; pushfq; pop rcx; comisd xmm4, [rbx]; pushfq; pop rdx; ucomisd xmm5, xmm5", "rbx", ALL, 'd'),
    ("cvt ps/pd", "cvtps2pd xmm0, xmm1; cvtss2sd xmm2, xmm3; cvtss2sd xmm4, [rbx]; cvtdq2ps xmm5, xmm6", "rbx", 0, 'f'),
    ("cvt pd/ps", "cvtpd2ps xmm0, xmm1; cvtsd2ss xmm2, xmm3; cvtsd2ss xmm4, [rbx]; cvtdq2pd xmm5, xmm6", "rbx", 0, 'd'),
    ("cvt f2i", "cvtps2dq xmm0, xmm1; cvttps2dq xmm2, xmm3; cvtss2si eax, xmm4; cvttss2si ecx, xmm5; cvtss2si rdx, xmm6; cvttss2si r8, xmm7; cvtps2pi mm0, xmm8; cvttps2pi mm1, xmm9", "", 0, 'f'),
    ("cvt d2i", "cvtpd2dq xmm0, xmm1; cvttpd2dq xmm2, xmm3; cvtsd2si eax, xmm4; cvttsd2si ecx, xmm5; cvtsd2si rdx, xmm6; cvttsd2si r8, xmm7; cvtpd2pi mm0, xmm8; cvttpd2pi mm1, xmm9", "", 0, 'd'),
    ("cvt i2f", "cvtsi2ss xmm0, eax; cvtsi2ss xmm1, rcx; cvtsi2sd xmm2, edx; cvtsi2sd xmm3, r8; cvtsi2ss xmm4, dword [rbx]; cvtsi2sd xmm5, qword [rbx+8]; cvtpi2ps xmm6, mm0; cvtpi2pd xmm7, mm1; cvtdq2ps xmm8, xmm9; cvtdq2pd xmm10, xmm11", "rbx", 0, 'i'),
    ("sse3 fp", "haddps xmm0, xmm1; hsubps xmm2, xmm3; addsubps xmm4, xmm5", "", 0, 'f'),
    ("sse3 fpd", "haddpd xmm0, xmm1; hsubpd xmm2, xmm3; addsubpd xmm4, xmm5", "", 0, 'd'),
    ("dpps", "dpps xmm0, xmm1, 0xff; dpps xmm2, xmm3, 0x71; dpps xmm4, xmm5, 0xa6; insertps xmm6, xmm7, 0x9c; insertps xmm8, [rbx], 0x61", "rbx", 0, 'f'),
    ("dppd", "dppd xmm0, xmm1, 0x33; dppd xmm2, xmm3, 0x12; dppd xmm4, xmm5, 0x21", "", 0, 'd'),
    ("round ps", "roundps xmm0, xmm1, 0; roundps xmm2, xmm3, 1; roundps xmm4, xmm5, 2; roundps xmm6, xmm7, 3; roundps xmm8, xmm9, 4; roundss xmm10, xmm11, 9; roundss xmm12, xmm13, 12", "", 0, 'f'),
    ("round pd", "roundpd xmm0, xmm1, 0; roundpd xmm2, xmm3, 1; roundpd xmm4, xmm5, 2; roundpd xmm6, xmm7, 3; roundpd xmm8, xmm9, 4; roundsd xmm10, xmm11, 9; roundsd xmm12, xmm13, 12", "", 0, 'd'),
    ("x87 ld/st", "fld dword [rbx]; fld qword [rbx+8]; fld tword [rbx+16]; fst dword [rbx+32]; fstp qword [rbx+40]; fstp tword [rbx+48]; fld st2; fstp st4; fld st1; fld1; fldz; fxch st3", "rbx", 0, 'x'),
    ("x87 consts", "fldpi; fldl2t; fldl2e; fldlg2; fldln2; fld1; fldz", "", 0, 'x'),
    ("x87 int", "fild word [rbx]; fild dword [rbx+8]; fild qword [rbx+16]; fist word [rbx+32]; fistp dword [rbx+40]; fistp qword [rbx+48]; fisttp dword [rbx+56]; fisttp word [rbx+60]; fist dword [rbx+64]", "rbx", 0, 'x'),
    ("x87 add", "fadd st0, st1; fadd st2, st0; faddp st3, st0; fadd dword [rbx]; fadd qword [rbx+8]; fiadd word [rbx+16]; fiadd dword [rbx+24]", "rbx", 0, 'x'),
    ("x87 sub", "fsub st0, st1; fsub st2, st0; fsubp st3, st0; fsubr st0, st2; fsubr st1, st0; fsubrp st2, st0; fsub dword [rbx]; fsubr qword [rbx+8]; fisub word [rbx+16]; fisubr dword [rbx+24]", "rbx", 0, 'x'),
    ("x87 mul", "fmul st0, st1; fmul st2, st0; fmulp st3, st0; fmul dword [rbx]; fmul qword [rbx+8]; fimul word [rbx+16]", "rbx", 0, 'x'),
    ("x87 div", "fdiv st0, st1; fdiv st2, st0; fdivp st3, st0; fdivr st0, st2; fdivr st1, st0; fdivrp st2, st0; fdiv dword [rbx]; fdivr qword [rbx+8]; fidiv word [rbx+16]; fidivr dword [rbx+24]", "rbx", 0, 'x'),
    ("x87 cmp", "fcom st1; fnstsw ax; fcomp st2; fnstsw [rbx]; fucom st3; fnstsw [rbx+2]; fucomp st1; fnstsw [rbx+4]; fcom dword [rbx+8]; fnstsw [rbx+6]; ficom word [rbx+16]; fnstsw [rbx+10]; ftst; fnstsw [rbx+12]; fcompp; fnstsw [rbx+14]", "rbx", 0, 'x'),
    ("x87 comi", "fcomi st0, st1; pushfq; pop rcx; fucomi st0, st2; pushfq; pop rdx; fcomip st0, st3; pushfq; pop rsi; fucomip st0, st1", "", ALL, 'x'),
    ("x87 misc", "fchs; fabs; fxam; fnstsw ax; fincstp; fdecstp; ffree st3; fxch; fnop; fnclex; fxam; fnstsw [rbx]", "rbx", 0, 'x'),
    ("x87 sqrt/rnd", "fsqrt; fxch st1; frndint; fxch st2; fsqrt; fxch st3; frndint", "", 0, 'x'),
    ("x87 scale", "fscale; fxch st2; fscale", "", 0, 'x'),
    ("x87 xtract", "fxtract; fxch st3; fxtract", "", 0, 'x'),
    ("x87 prem", "fprem; fnstsw ax", "", 0, 'x'),
    ("x87 prem1", "fprem1; fnstsw ax", "", 0, 'x'),
    ("x87 cw", "fnstcw [rbx]; mov word [rbx+2], 0x0c7f; fldcw [rbx+2]; fadd st0, st1; fist dword [rbx+4]; mov word [rbx+8], 0x007f; fldcw [rbx+8]; fdiv st0, st2; fsqrt; fnstcw [rbx+12]", "rbx", 0, 'x'),
    ("x87 fcmov", "fcmovb st0, st1; fcmove st0, st2; fcmovbe st0, st3; fcmovu st0, st4; fcmovnb st0, st5; fcmovne st0, st6; fcmovnbe st0, st7; fcmovnu st0, st1", "", 0, 'x'),
    ("x87 env", "fnstenv [rbx]; fldenv [rbx]; fnsave [rbx+32]; fld1; frstor [rbx+32]; fninit; fld1; fnstenv [rbx+160]; mov word [rbx+176], 0", "rbx", 0, 'x'),
    ("x87 bcd", "fbld [rbx]; fbstp [rbx+16]; fbstp [rbx+32]", "rbx", 0, 'x'),
    ("x87 mmx", "movq mm0, [rbx]; paddb mm0, mm1; fnstenv [rbx+8]; emms; fnstenv [rbx+40]", "rbx", 0, 'x'),
]

PRO = ''.join('movdqu xmm%d, [abs 0x%x]\n' % (i, D + 16 * i) for i in range(16)) + \
      ''.join('movq mm%d, [abs 0x%x]\n' % (i, D + 0x400 + 8 * i) for i in range(8)) + \
      'ldmxcsr [abs 0x%x]\n' % (D + 0x100)
EPI = 'stmxcsr [abs 0x%x]\n' % (D + 0x300) + \
      ''.join('movdqu [abs 0x%x], xmm%d\n' % (D + 0x200 + 16 * i, i) for i in range(16)) + \
      ''.join('movq [abs 0x%x], mm%d\n' % (D + 0x480 + 8 * i, i) for i in range(8)) + \
      'emms\nldmxcsr [abs 0x%x]\n' % (D + 0x104)

XPRO = 'fxrstor64 [abs 0x%x]\n' % (D + 0x600)
XEPI = 'fxsave64 [abs 0x%x]\n' % (D + 0x800) + \
       'mov word [abs 0x%x], 0\nmov qword [abs 0x%x], 0\nmov qword [abs 0x%x], 0\nmov dword [abs 0x%x], 0\nfninit\n' % (D + 0x806, D + 0x808, D + 0x810, D + 0x81c)

def assemble(src, kind='i'):
    with tempfile.TemporaryDirectory() as d:
        a, b = os.path.join(d, 'a.asm'), os.path.join(d, 'a.bin')
        pro, epi = (XPRO, XEPI) if kind == 'x' else (PRO, EPI)
        open(a, 'w').write('bits 64\ndefault rel\n' + pro + src.replace('; ', '\n').replace(';', '\n') + '\n' + epi)
        if subprocess.call(["nasm", "-f", "bin", "-o", b, a]): sys.exit("nasm failed: " + src)
        return open(b, 'rb').read()

REGS = "rax rcx rdx rbx rsp rbp rsi rdi r8 r9 r10 r11 r12 r13 r14 r15".split()

print("/* SPDX-License-Identifier: MIT */")
print("/* sse_snippets.h: generated by gen_sse_snippets.py (nasm); do not edit. */")
print("struct sse_snippet { const char *name; const char *src; unsigned len; uint8_t code[1024]; unsigned ptrs; unsigned flags; char kind; };")
print("static const struct sse_snippet sse_snippets[] = {")
for name, src, ptrs, fl, kind in SNIPPETS:
    code = assemble(src, kind)
    assert len(code) <= 1024, name
    mask = 0
    for r in ptrs.split():
        mask |= 1 << REGS.index(r)
    body = ', '.join('0x%02x' % x for x in code)
    print('    { "%s", "%s", %d, { %s }, 0x%x, 0x%x, \'%s\' },' % (name, src.replace('"', '\\"'), len(code), body, mask, fl, kind))
print("};")

# Transcendentals (compared with the host within 2 ulp of double): inputs at D+0x1000.., outputs at D+0x1100..
TR = "mov rsi, 0x%x; fninit; fld qword [rsi]; fsin; fstp qword [rsi+0x100]; fld qword [rsi]; fcos; fstp qword [rsi+0x108]; " \
     "fld qword [rsi]; fptan; fstp qword [rsi+0x110]; fstp qword [rsi+0x118]; fld qword [rsi]; fsincos; fstp qword [rsi+0x120]; fstp qword [rsi+0x128]; " \
     "fld qword [rsi+8]; fld qword [rsi]; fpatan; fstp qword [rsi+0x130]; fld qword [rsi+16]; f2xm1; fstp qword [rsi+0x138]; " \
     "fld qword [rsi+8]; fld qword [rsi+24]; fyl2x; fstp qword [rsi+0x140]; fld qword [rsi+8]; fld qword [rsi+16]; fyl2xp1; fstp qword [rsi+0x148]; fninit" % (D + 0x1000)
with tempfile.TemporaryDirectory() as d:
    a, b = os.path.join(d, 'a.asm'), os.path.join(d, 'a.bin')
    open(a, 'w').write('bits 64\n' + TR.replace('; ', '\n') + '\n')
    if subprocess.call(["nasm", "-f", "bin", "-o", b, a]): sys.exit("nasm failed: " + TR)
    code = open(b, 'rb').read()
print("static const uint8_t sse_transc[] = { %s };" % ', '.join('0x%02x' % x for x in code))

# Fault checks (bare CPU only, no wrapper): (name, source, expected vector or -1 for HLT)
EXC = [
    ("ts -> nm", "mov rax, cr0; or al, 8; mov cr0, rax; addps xmm0, xmm1", 7),
    ("ts movdqu -> nm", "mov rax, cr0; or al, 8; mov cr0, rax; mov rsi, 0x20010000; movdqu [rsi], xmm1", 7),
    ("ts pxor -> nm", "mov rax, cr0; or al, 8; mov cr0, rax; pxor xmm0, xmm0", 7),
    ("clts then ok", "mov rax, cr0; or al, 8; mov cr0, rax; clts; pxor xmm0, xmm0; movdqa xmm1, xmm0", -1),
    ("ts mmx -> nm", "mov rax, cr0; or al, 8; mov cr0, rax; paddb mm0, mm1", 7),
    ("ts fxsave -> nm", "mov rax, cr0; or al, 8; mov cr0, rax; fxsave [abs 0x20010000]", 7),
    ("em -> ud", "mov rax, cr0; or al, 4; mov cr0, rax; pxor xmm0, xmm1", 6),
    ("em mmx -> ud", "mov rax, cr0; or al, 4; mov cr0, rax; pxor mm0, mm1", 6),
    ("em fxsave -> nm", "mov rax, cr0; or al, 4; mov cr0, rax; fxsave [abs 0x20010000]", 7),
    ("no osfxsr -> ud", "mov rax, cr4; and eax, ~0x200; mov cr4, rax; movdqa xmm0, xmm1", 6),
    ("no osfxsr ldmxcsr -> ud", "mov rax, cr4; and eax, ~0x200; mov cr4, rax; stmxcsr [abs 0x20010000]", 6),
    ("no osfxsr mmx ok", "mov rax, cr4; and eax, ~0x200; mov cr4, rax; paddb mm0, mm1; emms", -1),
    ("misaligned movaps", "mov rsi, 0x20010008; movaps xmm0, [rsi]", 13),
    ("misaligned pxor", "mov rsi, 0x20010004; pxor xmm0, [rsi]", 13),
    ("misaligned movdqa store", "mov rsi, 0x20010008; movdqa [rsi], xmm0", 13),
    ("ts x87 -> nm", "mov rax, cr0; or al, 8; mov cr0, rax; fld1", 7),
    ("em x87 -> nm", "mov rax, cr0; or al, 4; mov cr0, rax; fninit", 7),
    ("wait ts only ok", "mov rax, cr0; and al, ~2; or al, 8; mov cr0, rax; fwait", -1),
    ("wait ts+mp -> nm", "mov rax, cr0; or al, 10; mov cr0, rax; fwait", 7),
    ("x87 unmasked -> mf", "mov rax, cr0; or al, 0x20; mov cr0, rax; fninit; mov rsi, 0x20010000; mov word [rsi], 0x37b; fldcw [rsi]; fldz; fld1; fdiv st0, st1; fnstsw ax; fld1", 16),
    ("x87 unmasked no ne ok", "fninit; mov rsi, 0x20010000; mov word [rsi], 0x37b; fldcw [rsi]; fldz; fld1; fdiv st0, st1; fld1; fnclex; fwait", -1),
    ("x87 fnclex clears", "mov rax, cr0; or al, 0x20; mov cr0, rax; fninit; mov rsi, 0x20010000; mov word [rsi], 0x37b; fldcw [rsi]; fldz; fld1; fdiv st0, st1; fnclex; fld1; fwait", -1),
    ("misaligned paddb", "mov rsi, 0x20010004; paddb xmm0, [rsi]", 13),
    ("misaligned movups ok", "mov rsi, 0x20010004; movups xmm0, [rsi]; movdqu [rsi+1], xmm0; movss xmm1, [rsi+1]", -1),
    ("misaligned fxsave", "mov rsi, 0x20010008; fxsave [rsi]", 13),
    ("ldmxcsr reserved", "mov rsi, 0x20010000; mov dword [rsi], 0x11f80; ldmxcsr [rsi]", 13),
    ("ldmxcsr ok", "mov rsi, 0x20010000; mov dword [rsi], 0xffff; ldmxcsr [rsi]", -1),
    ("fxrstor reserved mxcsr", "mov rsi, 0x20010000; fxsave [rsi]; mov dword [rsi+24], 0x10000; fxrstor [rsi]", 13),
    ("unmasked ie -> xm", "mov rsi, 0x20010000; mov dword [rsi], 0x1f00; ldmxcsr [rsi]; xorps xmm0, xmm0; divps xmm0, xmm0", 19),
    ("unmasked ie no osxmmexcpt -> ud", "mov rax, cr4; and eax, ~0x400; mov cr4, rax; mov rsi, 0x20010000; mov dword [rsi], 0x1f00; ldmxcsr [rsi]; xorps xmm0, xmm0; divps xmm0, xmm0", 6),
    ("masked ie ok", "xorps xmm0, xmm0; divps xmm0, xmm0", -1),
    ("unmasked pe -> xm", "mov rsi, 0x20010000; mov dword [rsi], 0x0f80; ldmxcsr [rsi]; mov eax, 3; cvtsi2ss xmm0, eax; mov eax, 1; cvtsi2ss xmm1, eax; divss xmm1, xmm0", 19),
    ("vex -> ud", "vpxor xmm0, xmm1, xmm2", 6),
]
print("struct sse_exc { const char *name; unsigned len; uint8_t code[96]; int vector; };")
print("static const struct sse_exc sse_excs[] = {")
for name, src, vec in EXC:
    with tempfile.TemporaryDirectory() as d:
        a, b = os.path.join(d, 'a.asm'), os.path.join(d, 'a.bin')
        open(a, 'w').write('bits 64\n' + src.replace('; ', '\n') + '\n')
        if subprocess.call(["nasm", "-f", "bin", "-o", b, a]): sys.exit("nasm failed: " + src)
        code = open(b, 'rb').read()
    assert len(code) <= 96, name
    print('    { "%s", %d, { %s }, %d },' % (name, len(code), ', '.join('0x%02x' % x for x in code), vec))
print("};")
