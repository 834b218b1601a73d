; SPDX-License-Identifier: MIT
; triple.asm: a triple fault (INT3 with an empty IDT: #GP, #GP again -> #DF, which
; fails too) shuts the machine down; with -no-reboot kiln exits with status 0.
; expect: exit=0 serial="about to triple fault"
%include "mb.inc"

start:  mov esp, 0x90000
        PUTS msg
        lidt [idtr]
        int3
        EXIT 3                       ; not reached
msg:    db "about to triple fault", 10, 0
idtr:   dw 0
        dd 0
