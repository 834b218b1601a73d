; SPDX-License-Identifier: MIT
; v86.asm: virtual-8086 mode: IRET with EFLAGS.VM from ring 0, INT n from V86 (IOPL 3)
; through a DPL-3 interrupt gate with the TSS ring-0 stack (frame with GS FS DS ES SS ESP,
; data segments nulled in the handler), IRET back to V86, V86 segment arithmetic.
bits 16
org 0x1000
%include "guest.inc"

start:  cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x8000
        lgdt [gdtr]
        lidt [idtr]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp 0x08:pm32

bits 32
%macro GATE 3
        mov eax, %2
        mov edi, idt + %1 * 8
        mov [edi], ax
        mov word [edi + 2], 0x08
        mov byte [edi + 4], 0
        mov byte [edi + 5], %3
        shr eax, 16
        mov [edi + 6], ax
%endmacro

pm32:   mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x9000
        GATE 13, gp_h, 0x8e
        GATE 0x41, i41_h, 0xee
        GATE 0x42, i42_h, 0xee
        mov word [tss + 8], 0x10
        mov dword [tss + 4], 0xa000
        mov word [tss + 0x66], 0x68
        mov ax, 0x28
        ltr ax
        ; IRET to virtual-8086 mode: GS FS DS ES SS ESP EFLAGS CS EIP
        push dword 0x44
        push dword 0x33
        push dword 0x22
        push dword 0x11
        push dword 0                    ; SS
        push dword 0x7000               ; ESP
        push dword 0x23002              ; VM | IOPL 3
        push dword 0                    ; CS
        push dword v86code
        iret

bits 16
v86code: mov ax, ds
        cmp ax, 0x22
        jne .bad
        mov ax, es
        cmp ax, 0x11
        jne .bad
        mov bx, 0x5555
        int 0x41
        cmp bx, 0xaaaa                  ; the handler changed BX
        jne .bad
        mov ax, 0x100                   ; DS base 0x1000: [0x10] is linear 0x1010
        mov ds, ax
        mov al, [0x10]
        cmp al, [cs:0x1010]
        jne .bad
        mov dx, 0
        int 0x42
.bad:   mov dx, 1
        int 0x42

bits 32
i41_h:  mov ax, ds                      ; nulled on entry from V86
        test ax, ax
        jnz .bad
        mov ax, 0x10
        mov ds, ax
        cmp esp, 0xa000 - 36
        jne .bad
        test dword [esp + 8], 0x20000   ; pushed EFLAGS has VM
        jz .bad
        cmp dword [esp + 12], 0x7000    ; ESP
        jne .bad
        cmp dword [esp + 20], 0x11      ; ES
        jne .bad
        cmp dword [esp + 24], 0x22      ; DS
        jne .bad
        cmp dword [esp + 32], 0x44      ; GS
        jne .bad
        mov bx, 0xaaaa
        iret
.bad:   mov ax, 0x10
        mov ds, ax
        RESULT 50
i42_h:  mov ax, 0x10
        mov ds, ax
        test dx, dx
        jz .ok
        RESULT 51
.ok:    mov esi, msg
.p:     lodsb
        test al, al
        jz .d
        out 0xe9, al
        jmp .p
.d:     RESULT 0
gp_h:   mov ax, 0x10
        mov ds, ax
        RESULT 52

align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff           ; 0x08 code, ring 0
        dq 0x00cf92000000ffff           ; 0x10 data, ring 0
        dq 0
        dq 0
        dw 0x67, tss, 0x8900, 0         ; 0x28 32-bit TSS
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt
idtr:   dw 0x43 * 8 - 1
        dd idt
msg:    db "v86: ok", 10, 0
align 16
tss:    times 0x68 db 0
align 8
idt:    times 0x43 * 8 db 0
