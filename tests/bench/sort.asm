; SPDX-License-Identifier: MIT
; sort.asm: fills 2048 dwords from an LCG and insertion-sorts them, ITERS times.
%include "wrap.inc"
N equ 2048
work:   mov r12, rdi
        mov r13, rsi
        mov eax, 1
.again: xor ecx, ecx
.fill:  imul eax, eax, 1664525
        add eax, 1013904223
        mov [r13 + rcx*4], eax
        inc ecx
        cmp ecx, N
        jb .fill
        mov ecx, 1
.outer: mov edx, [r13 + rcx*4]
        mov ebx, ecx
.inner: test ebx, ebx
        jz .place
        mov r8d, [r13 + rbx*4 - 4]
        cmp r8d, edx
        jbe .place
        mov [r13 + rbx*4], r8d
        dec ebx
        jmp .inner
.place: mov [r13 + rbx*4], edx
        inc ecx
        cmp ecx, N
        jb .outer
        dec r12
        jnz .again
        mov eax, [r13 + 4*N/2]
        ret
