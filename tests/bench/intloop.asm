; SPDX-License-Identifier: MIT
; intloop.asm: register-only integer arithmetic in a tight loop.
%include "wrap.inc"
work:   mov rax, 1
        mov rbx, 0x9e3779b97f4a7c15
        xor rcx, rcx
        mov rdx, 7
.loop:  add rax, rbx
        xor rcx, rax
        rol rcx, 13
        imul rdx, rcx
        lea rax, [rax + rdx*2 + 1]
        sub rbx, rdx
        shr rdx, 3
        or rdx, 5
        dec rdi
        jnz .loop
        add rax, rcx
        ret
