; SPDX-License-Identifier: MIT
; callret.asm: call/ret-heavy code: naive recursive Fibonacci, ITERS times.
%include "wrap.inc"
work:   mov r12, rdi
        xor r13, r13
.loop:  mov edi, 20
        call fib
        add r13, rax
        dec r12
        jnz .loop
        mov rax, r13
        ret
fib:    cmp edi, 2
        jb .leaf
        push rbx
        push rdi
        dec edi
        call fib
        mov rbx, rax
        pop rdi
        sub edi, 2
        call fib
        add rax, rbx
        pop rbx
        ret
.leaf:  mov eax, edi
        ret
