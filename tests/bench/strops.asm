; SPDX-License-Identifier: MIT
; strops.asm: REP string instructions: stos, movs, scas over 64 KiB blocks.
%include "wrap.inc"
work:   mov r8, rdi
        mov r11, rsi
        cld
.loop:  mov rdi, r11
        mov rcx, 65536/8
        mov rax, r8
        rep stosq
        mov rsi, r11
        lea rdi, [r11 + 65536]
        mov rcx, 65536
        rep movsb
        lea rdi, [r11 + 65536]
        mov rcx, 65536
        mov al, 0xff
        repne scasb
        dec r8
        jnz .loop
        mov rax, rcx
        ret
