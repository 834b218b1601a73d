; SPDX-License-Identifier: MIT
; branchy.asm: data-dependent branches driven by a linear congruential generator.
%include "wrap.inc"
work:   mov eax, 12345
        xor ebx, ebx
        xor ecx, ecx
.loop:  imul eax, eax, 1103515245
        add eax, 12345
        mov edx, eax
        shr edx, 16
        test edx, 1
        jz .even
        add ebx, edx
        cmp edx, 0x4000
        jb .small
        sub ecx, 3
        jmp .next
.small: add ecx, 7
        jmp .next
.even:  xor ebx, edx
        test edx, 4
        jnz .next
        inc ecx
.next:  dec rdi
        jnz .loop
        lea eax, [rbx + rcx]
        ret
