; SPDX-License-Identifier: MIT
; double.asm: a fault while delivering a fault: #DE whose IDT gate is not present
; raises #NP (contributory after contributory) -> #DF, delivered through vector 8
; with error code 0; a #NP on its own (INT n to a not-present gate) is not a #DF
; and reports the gate (vector * 8 + 2, IDT bit) as its error code.
; expect: exit=1 serial="double ok"
%include "mb.inc"

start:  mov esp, 0x90000
        FLAT_SEGMENTS
        mov eax, np_handler
        mov ebx, 11
        call set_gate
        mov eax, df_handler
        mov ebx, 8
        call set_gate
        mov eax, 0                   ; vector 0 (#DE) and 0x50: type set, P clear
        mov ebx, 0
        call set_gate
        mov byte [idt + 0 * 8 + 5], 0x0e
        mov eax, 0
        mov ebx, 0x50
        call set_gate
        mov byte [idt + 0x50 * 8 + 5], 0x0e
        lidt [idtr]

np_at:  int 0x50                     ; #NP(0x50 * 8 + 2), no #DF
np_back:
        cmp dword [np_err], 0x50 * 8 + 2
        FAIL_UNLESS e, 10
        cmp dword [np_eip], np_at    ; the fault reports the INT itself
        FAIL_UNLESS e, 12
        cmp dword [df_count], 0
        FAIL_UNLESS e, 11

        xor edx, edx                 ; #DE -> #NP delivering it -> #DF
        mov eax, 1
        xor ecx, ecx
        div ecx
        PUTS bad_msg                 ; not reached: the #DF handler ends the test
        EXIT 20

set_gate:                            ; eax handler, ebx vector: 32-bit interrupt gate
        lea edi, [idt + ebx * 8]
        mov [edi], ax
        mov word [edi + 2], 0x08
        mov word [edi + 4], 0x8e00
        shr eax, 16
        mov [edi + 6], ax
        ret

np_handler:
        pop eax
        mov [np_err], eax
        mov eax, [esp]
        mov [np_eip], eax
        mov dword [esp], np_back     ; a fault: EIP is the INT itself; resume after it
        iretd
df_handler:
        inc dword [df_count]
        pop eax                      ; #DF error code: always 0
        test eax, eax
        FAIL_UNLESS z, 30
        PUTS ok_msg
        EXIT 0

ok_msg: db "double ok", 10, 0
bad_msg: db "no #DF", 10, 0
        FLAT_GDT
idtr:   dw 256 * 8 - 1
        dd idt
np_err: dd 0
np_eip: dd 0
df_count: dd 0
align 8
idt:    times 256 dq 0
