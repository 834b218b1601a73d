; SPDX-License-Identifier: MIT
; memcpy.asm: copies 256 KiB within the buffer with a qword load/store loop, ITERS times.
%include "wrap.inc"
work:   mov r8, rdi
        xor eax, eax
.outer: mov rcx, 256*1024/32
        mov r9, rsi                      ; source: first half
        lea r10, [rsi + 512*1024]        ; destination: second half
.copy:  mov rax, [r9]
        mov rdx, [r9 + 8]
        mov [r10], rax
        mov [r10 + 8], rdx
        mov rax, [r9 + 16]
        mov rdx, [r9 + 24]
        mov [r10 + 16], rax
        mov [r10 + 24], rdx
        add r9, 32
        add r10, 32
        dec rcx
        jnz .copy
        inc qword [rsi]
        dec r8
        jnz .outer
        mov rax, [rsi + 512*1024]
        ret
