; SPDX-License-Identifier: MIT
; seg_flags.asm: a MOV DS that changes the translation state (DS base zero <-> non-zero)
; must not chain into a block translated for the old state: the same load instruction
; alternates between a flat and a based data segment, and the block after it reads
; through DS each time.
; expect: exit=1 serial="seg_flags ok"
%include "mb.inc"

start:  mov esp, 0x90000
        lgdt [gdtr2]
        jmp 0x08:.cs
.cs:    mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov dword [0x200000], 0x11111111
        mov dword [0x210000], 0x22222222
        mov ecx, 100
        mov ax, 0x18                 ; so the loop block's first run loads the flat one
.loop:  mov ds, ax                   ; ends its block: the next one depends on DS
        mov ebx, [es:0x300000]       ; (a harmless read through ES, same block as below)
        mov ebx, [0x200000]          ; 0x11111111 through the flat DS, 0x22222222 based
        mov dx, ds
        push ds
        push ds
        push es
        pop ds                       ; flat again to check (ES is flat)
        cmp dx, 0x10
        jne .based
        cmp ebx, 0x11111111
        FAIL_UNLESS e, 2
        jmp .next
.based: cmp ebx, 0x22222222
        FAIL_UNLESS e, 3
.next:  pop ds
        pop ds                       ; (the DS loaded above)
        push es
        pop ds                       ; the loop always starts with the flat DS ...
        xor ax, 0x10 ^ 0x18          ; ... and loads 0x10 / 0x18 alternately
        loop .loop
        mov ax, 0x10
        mov ds, ax
        PUTS ok_msg
        EXIT 0

ok_msg: db "seg_flags ok", 13, 10, 0
align 8
gdt2:   dq 0
        dq 0x00cf9a000000ffff        ; 0x08 code
        dq 0x00cf92000000ffff        ; 0x10 data, base 0
        dq 0x00cf92010000ffff        ; 0x18 data, base 0x10000
gdt2_end:
gdtr2:  dw gdt2_end - gdt2 - 1
        dd gdt2
