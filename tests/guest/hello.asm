; SPDX-License-Identifier: MIT
; hello.asm: the multiboot loader's entry state, serial output and isa-debug-exit.
; expect: exit=1 serial="hello from kiln"
%include "mb.inc"

start:  mov esp, 0x90000
        cmp eax, 0x2BADB002
        FAIL_UNLESS e, 2
        mov ax, ds                   ; flat data segments from the loader's GDT
        mov cx, ss
        cmp ax, cx
        FAIL_UNLESS e, 3
        pushfd                       ; interrupts off, stack usable
        pop eax
        test eax, 0x200
        FAIL_UNLESS z, 4
        PUTS msg
        EXIT 0
msg:    db "hello from kiln", 10, 0
