; SPDX-License-Identifier: MIT
; pm_idt.asm: 32-bit protected mode under kiln: our own GDT and IDT, #DE from DIV
; (fault: the return address is the DIV), INT 0x40 (trap gate: the return address
; follows the INT, IF kept), INT3, #UD, #GP with its error code, CR0 state.
; expect: exit=1 serial="pm_idt ok"
%include "mb.inc"

start:  mov esp, 0x90000
        mov eax, cr0
        test eax, 1                  ; PE from the loader
        FAIL_UNLESS nz, 2
        test eax, 0x80000000         ; paging off
        FAIL_UNLESS z, 3
        LOAD_SEGMENTS 0x08, 0x10
        ; IDT: vector 0 (#DE), 3 (#BP), 6 (#UD), 13 (#GP): interrupt gates; 0x40: trap gate
        mov eax, de_handler
        mov ebx, 0
        mov cl, 0x8e
        call set_gate
        mov eax, bp_handler
        mov ebx, 3
        mov cl, 0xee                 ; DPL 3, doesn't matter at CPL 0
        call set_gate
        mov eax, ud_handler
        mov ebx, 6
        mov cl, 0x8e
        call set_gate
        mov eax, gp_handler
        mov ebx, 13
        mov cl, 0x8e
        call set_gate
        mov eax, int40_handler
        mov ebx, 0x40
        mov cl, 0x8f
        call set_gate
        lidt [idtr]

        ; #DE: divide by zero, the handler skips the 2-byte DIV
        xor edx, edx
        mov eax, 10
        xor ecx, ecx
de_at:  div ecx
        cmp dword [de_count], 1
        FAIL_UNLESS e, 10
        cmp dword [de_eip], de_at
        FAIL_UNLESS e, 11
        cmp dword [de_cs], 0x08
        FAIL_UNLESS e, 12

        ; INT 0x40 through a trap gate: EIP after the INT, IF unchanged (set here)
        sti
        mov eax, 0x1234
int_at: int 0x40
int_ret:
        cli
        cmp eax, 0x1235              ; the handler incremented it
        FAIL_UNLESS e, 20
        cmp dword [int_eip], int_ret
        FAIL_UNLESS e, 21
        test dword [int_flags], 0x200
        FAIL_UNLESS nz, 22

        ; INT3
        int3
bp_ret: cmp dword [bp_eip], bp_ret
        FAIL_UNLESS e, 30

        ; #UD (UD2): the handler skips 2 bytes
ud_at:  ud2
        cmp dword [ud_eip], ud_at
        FAIL_UNLESS e, 40

        ; #GP: load DS with a selector beyond the GDT limit; error code = selector
        mov ax, 0x80
gp_at:  mov ds, ax                   ; 2 bytes (8e d8)
        cmp dword [gp_err], 0x80
        FAIL_UNLESS e, 50
        cmp dword [gp_eip], gp_at
        FAIL_UNLESS e, 51
        mov ax, ds
        cmp ax, 0x10                 ; DS unchanged
        FAIL_UNLESS e, 52

        PUTS ok_msg
        EXIT 0

; set_gate: eax = handler, ebx = vector, cl = type/attr byte
set_gate:
        lea edi, [idt + ebx * 8]
        mov [edi], ax
        mov word [edi + 2], 0x08
        mov byte [edi + 4], 0
        mov [edi + 5], cl
        shr eax, 16
        mov [edi + 6], ax
        ret

de_handler:
        inc dword [de_count]
        mov eax, [esp]
        mov [de_eip], eax
        mov eax, [esp + 4]
        mov [de_cs], eax
        add dword [esp], 2
        iretd
int40_handler:
        inc eax
        mov ebx, [esp]
        mov [int_eip], ebx
        mov ebx, [esp + 8]
        mov [int_flags], ebx
        iretd
bp_handler:
        mov ebx, [esp]
        mov [bp_eip], ebx
        iretd
ud_handler:
        mov ebx, [esp]
        mov [ud_eip], ebx
        add dword [esp], 2
        iretd
gp_handler:
        pop ebx                      ; the error code
        mov [gp_err], ebx
        mov ebx, [esp]
        mov [gp_eip], ebx
        add dword [esp], 2
        iretd

ok_msg: db "pm_idt ok", 10, 0
        FLAT_GDT
idtr:   dw 256 * 8 - 1
        dd idt
de_count: dd 0
de_eip: dd 0
de_cs:  dd 0
int_eip: dd 0
int_flags: dd 0
bp_eip: dd 0
ud_eip: dd 0
gp_err: dd 0
gp_eip: dd 0
align 8
idt:    times 256 dq 0
