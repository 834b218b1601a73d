; SPDX-License-Identifier: MIT
; nmi.asm: NMI delivery on the system CPU, run by obj/tests/guest/run_sysbus (its fake bus
; pulses NMI on a write to port 0xe0, or at the next HLT after a write to port 0xe1):
; vector 2 with IF = 0, an NMI raised inside the handler waits for the handler's IRET
; (then comes at once, with the same return address), wake-up from HLT with IF = 0.
; No "expect:" line: the real machine has no guest-driven NMI source (see run_sysbus.c).
%include "mb.inc"

NMI_NOW equ 0xe0
NMI_AT_HLT equ 0xe1

; SPIN: 1000 loop iterations, each ending a block (kiln takes an event raised by an
; OUT at a block boundary, not at the very next instruction). Clobbers ecx.
%macro SPIN 0
        mov ecx, 1000
%%w:    loop %%w
%endmacro

start:  mov esp, 0x90000
        FLAT_SEGMENTS
        IDT_GATE32 2, nmi_handler
        lidt [idtr]

        cli                                  ; 1. NMI ignores IF
        out NMI_NOW, al
        SPIN
        cmp dword [count], 1
        FAIL_UNLESS e, 1

        mov dword [nest_test], 1             ; 2. blocked until the handler's IRET
        out NMI_NOW, al
        SPIN
        cmp dword [count], 3
        FAIL_UNLESS e, 2
        cmp dword [max_depth], 1
        FAIL_UNLESS e, 3
        cmp dword [second_ok], 1
        FAIL_UNLESS e, 4

        mov dword [nest_test], 0             ; 3. wakes HLT with IF = 0
        out NMI_AT_HLT, al
        hlt
        cmp dword [count], 4
        FAIL_UNLESS e, 5
        pushfd
        pop eax
        test eax, 0x200
        FAIL_UNLESS z, 6
        PUTS ok_msg
        EXIT 0

nmi_handler:
        push ecx
        push eax
        inc dword [depth]
        mov eax, [depth]
        cmp eax, [max_depth]
        jbe .counted
        mov [max_depth], eax
.counted:
        inc dword [count]
        mov eax, [nest_test]
        cmp eax, 1
        je .first
        cmp eax, 2
        je .second
.out:   dec dword [depth]
        pop eax
        pop ecx
        iretd
.first: mov dword [nest_test], 2
        mov eax, [esp + 8]
        mov [first_ret], eax
        out NMI_NOW, al                      ; latched, not delivered before our IRET
        SPIN
        cmp dword [count], 2
        FAIL_UNLESS e, 10
        jmp .out
.second:
        mov dword [nest_test], 3
        mov eax, [esp + 8]                   ; taken right at the IRET: same return address
        cmp eax, [first_ret]
        jne .out
        mov dword [second_ok], 1
        jmp .out

ok_msg: db "nmi ok", 10, 0
        FLAT_GDT
idtr:   dw 256 * 8 - 1
        dd idt
count:  dd 0
depth:  dd 0
max_depth: dd 0
nest_test: dd 0
first_ret: dd 0
second_ok: dd 0
align 8
idt:    times 256 dq 0
